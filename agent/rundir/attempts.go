package rundir

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Fields says what ReadAttempts decodes of an attempt.
type Fields bool

const (
	// AllFields decodes every field.
	AllFields Fields = true
	// VerdictFields decodes what a report reads: the ids, the verdicts,
	// the stall, the code's hash, the tokens and the cache hit. The texts
	// (conversation, answer, code, feedback, traceback), timing and
	// provenance are left zero: a big run reads faster without them.
	VerdictFields Fields = false
)

// ReadAttempts reads the attempts recorded in the run directory dir and
// calls fn for each, in the order they were recorded, with its line
// number in attempts.jsonl. It needs no lock. What a crash (or a write in
// progress) may leave at the end of the file is left out and counted in
// dropped: a last line without its newline, and trailing lines that are
// not valid JSON; an invalid line followed by valid ones is an error. A
// missing file is an error that wraps fs.ErrNotExist.
func ReadAttempts(ctx context.Context, dir string, fields Fields, fn func(line int, a *Attempt) error) (dropped int, err error) {
	path := filepath.Join(dir, AttemptsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	lines, torn := splitLines(data)
	if torn {
		dropped++
	}
	atts, errs, err := decodeLines(ctx, lines, fields)
	if err != nil {
		return 0, err
	}
	last := len(lines)
	for last > 0 && errs[last-1] != nil {
		last--
	}
	for i := range last {
		if errs[i] != nil {
			return 0, fmt.Errorf("%s:%d: %w", path, lines[i].n, errs[i])
		}
	}
	dropped += len(lines) - last
	for i := range last {
		if err := fn(lines[i].n, &atts[i]); err != nil {
			return 0, err
		}
	}
	return dropped, nil
}

// line is one non-blank line of attempts.jsonl and its 1-based number.
type line struct {
	n    int
	body []byte
}

// splitLines returns the non-blank lines of data; torn reports a last line
// without its newline (a write in progress, or cut by a crash), which is
// left out.
func splitLines(data []byte) (lines []line, torn bool) {
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return lines, len(bytes.TrimSpace(data)) > 0
		}
		if body := bytes.TrimSpace(data[:i]); len(body) > 0 {
			lines = append(lines, line{n, body})
		}
		data = data[i+1:]
	}
	return lines, false
}

// decodeLines decodes the lines in parallel (a big run has tens of
// megabytes of conversations that JSON decoding must scan through).
func decodeLines(ctx context.Context, lines []line, fields Fields) ([]Attempt, []error, error) {
	out := make([]Attempt, len(lines))
	errs := make([]error, len(lines))
	const chunk = 256
	workers := min(runtime.GOMAXPROCS(0), (len(lines)+chunk-1)/chunk)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for start := range next {
				for i := start; i < min(start+chunk, len(lines)); i++ {
					var err error
					if fields == AllFields {
						err = json.Unmarshal(lines[i].body, &out[i])
					} else {
						err = json.Unmarshal(lines[i].body, &verdictFields{Attempt: &out[i]})
					}
					if err != nil {
						errs[i] = fmt.Errorf("invalid JSON: %w", err)
					}
				}
			}
		})
	}
	var err error
	for start := 0; start < len(lines); start += chunk {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- start
	}
	close(next)
	wg.Wait()
	return out, errs, err
}

// skipped is a JSON value scanned and dropped.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// verdictFields decodes the VerdictFields of an Attempt: its outer fields
// shadow the others, which are scanned, not decoded.
type verdictFields struct {
	*Attempt
	Messages     skipped `json:"messages"`
	Response     skipped `json:"response"`
	FinishReason skipped `json:"finish_reason"`
	Code         skipped `json:"code"`
	Feedback     skipped `json:"feedback"`
	Reflection   skipped `json:"reflection"`
	LLMError     skipped `json:"llm_error"`
	Traceback    skipped `json:"traceback"`
	LineText     skipped `json:"line_text"`
	TestText     skipped `json:"test_line_text"`
	Call         skipped `json:"call"`
	Expected     skipped `json:"expected"`
	Actual       skipped `json:"actual"`
	Seed         skipped `json:"seed"`
	LLMAttempts  skipped `json:"llm_attempts"`
	LLMMS        skipped `json:"llm_ms"`
	RunMS        skipped `json:"run_ms"`
	ExecMS       skipped `json:"exec_ms"`
	Time         skipped `json:"time"`
}
