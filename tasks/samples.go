package tasks

import (
	"fmt"
)

// Sample is one model answer: openai/human-eval's samples.jsonl line. Exactly one of Completion or Solution is set.
type Sample struct {
	TaskID     string `json:"task_id"`
	Completion string `json:"completion,omitempty"` // appended to the task prompt
	Solution   string `json:"solution,omitempty"`   // a whole program
	Index      int    `json:"-"`                    // 0-based index of this sample among the samples of its task, in file order
	Line       int    `json:"-"`                    // 1-based line in the file
}

// ReadSamples reads a samples.jsonl (plain or .gz). Blank lines are skipped; unknown fields are allowed.
// "generation" (CodeGeeX's HumanEval-X samples) is another name for "completion".
// Errors carry file:line: invalid JSON, missing task_id, neither or both of completion/solution
// (a present but empty "completion" counts as set), and a task_id not in ds. Task ids are read as Dataset.Resolve
// reads them and the samples carry the canonical id. If ds is nil, task ids are not checked.
func ReadSamples(path string, ds *Dataset) ([]Sample, error) {
	data, _, err := readSource(path)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	canonical := map[string]string{} // id as written -> the dataset's id
	var out []Sample
	count := map[string]int{}
	err = eachLine(data, func(n int, line []byte) error {
		where := fmt.Sprintf("%s:%d", path, n)
		var r struct {
			TaskID     *string `json:"task_id"`
			Completion *string `json:"completion"`
			Solution   *string `json:"solution"`
			Generation *string `json:"generation"`
		}
		if err := decodeStrict(line, &r, false); err != nil {
			return jsonErr(where, err)
		}
		if r.TaskID == nil || *r.TaskID == "" {
			return fmt.Errorf("%s: missing \"task_id\"", where)
		}
		id := *r.TaskID
		if r.Generation != nil {
			if r.Completion != nil {
				return fmt.Errorf("%s: both \"completion\" and \"generation\" are set; give one", where)
			}
			r.Completion = r.Generation
		}
		switch {
		case r.Completion == nil && r.Solution == nil:
			return fmt.Errorf("%s: neither \"completion\" nor \"solution\" is set", where)
		case r.Completion != nil && r.Solution != nil:
			return fmt.Errorf("%s: both \"completion\" and \"solution\" are set; give exactly one", where)
		}
		if ds != nil {
			c, ok := canonical[id]
			if !ok {
				if c, err = ds.Resolve(id); err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
				canonical[id] = c
			}
			id = c
		}
		s := Sample{TaskID: id, Index: count[id], Line: n}
		if r.Completion != nil {
			s.Completion = *r.Completion
		} else {
			s.Solution = *r.Solution
		}
		count[id]++
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Program returns the program source to run for a sample: Prompt+Completion for completion samples,
// Solution for solution samples. For Program-style tasks, a completion is the whole program.
func (t Task) Program(s Sample) string {
	if s.Solution != "" {
		return s.Solution
	}
	if t.Style == Completion {
		return t.Prompt + s.Completion
	}
	return s.Completion
}

// ReferenceSample returns the task's reference answer as a Sample (Completion for Completion style, Solution for Program style).
func (t Task) ReferenceSample() Sample {
	if t.Style == Completion {
		return Sample{TaskID: t.ID, Completion: t.Reference}
	}
	return Sample{TaskID: t.ID, Solution: t.Reference}
}
