// Package evaluate runs model samples (or reference solutions) against
// their tasks' tests in the sandbox: a drop-in for openai/human-eval's
// evaluate_functional_correctness.
package evaluate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Runner runs jobs; *sandbox.Sandbox is one.
type Runner interface {
	Run(ctx context.Context, job sandbox.Job) (*sandbox.Result, error)
}

// Status of one evaluated sample.
const (
	StatusPassed       = "passed"
	StatusFailed       = "failed"
	StatusTimeout      = "timeout"
	StatusMemory       = "memory"
	StatusOutputLimit  = "output-limit"
	StatusSandboxError = "sandbox-error"
)

// Record is one result line of results.jsonl.
type Record struct {
	TaskID     string          `json:"task_id"`
	Sample     int             `json:"sample"`
	Passed     bool            `json:"passed"`
	Status     string          `json:"status"`
	ErrorClass languages.Class `json:"error_class"`
	ErrorType  string          `json:"error_type,omitempty"`
	Message    string          `json:"message,omitempty"`
	Line       int             `json:"line,omitempty"`
	LineText   string          `json:"line_text,omitempty"`
	TestLine   int             `json:"test_line,omitempty"`
	TestText   string          `json:"test_line_text,omitempty"`
	// Suites has the verdict of each suite of tests that ran (base, plus,
	// visible), when more than one was asked for.
	Suites  map[languages.Suite]bool `json:"suites,omitempty"`
	RunMS   float64                  `json:"run_ms"`
	TotalMS float64                  `json:"total_ms"`
}

// Options of an evaluation.
type Options struct {
	Runner      Runner
	Language    languages.Language // the dataset's
	Dataset     *tasks.Dataset
	Samples     []tasks.Sample
	Concurrency int
	Limits      sandbox.Limits
	// Suites are the suites of tests each sample runs (default: Base).
	Suites []languages.Suite
	// Timeouts override Limits.Timeout per task id (see Calibrate).
	Timeouts map[string]time.Duration
	// Progress, if set, is called after every sample.
	Progress func(done, total, passed int)
}

// Run evaluates every sample. Records come back in task and sample order.
// A sample whose sandbox failed twice is recorded with StatusSandboxError;
// Run's error is only for a cancelled context.
func Run(ctx context.Context, o Options) ([]Record, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	recs := make([]Record, len(o.Samples))
	var done, passed atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.Concurrency)
	for i, s := range o.Samples {
		t, ok := o.Dataset.ByID(s.TaskID)
		if !ok {
			return nil, fmt.Errorf("sample %d: task_id %q is not in %s", i, s.TaskID, o.Dataset.Name)
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			limits := o.Limits
			if d, ok := o.Timeouts[t.ID]; ok {
				limits.Timeout = d
			}
			recs[i], _ = One(ctx, o.Runner, o.Language, t, s, limits, o.Suites...)
			if recs[i].Passed {
				passed.Add(1)
			}
			n := done.Add(1)
			if o.Progress != nil {
				o.Progress(int(n), len(o.Samples), int(passed.Load()))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	order := make(map[string]int, len(o.Dataset.Tasks))
	for i, t := range o.Dataset.Tasks {
		order[t.ID] = i
	}
	sort.SliceStable(recs, func(a, b int) bool {
		if recs[a].TaskID != recs[b].TaskID {
			return order[recs[a].TaskID] < order[recs[b].TaskID]
		}
		return recs[a].Sample < recs[b].Sample
	})
	return recs, nil
}

// One evaluates one sample on the suites of its task's tests (Base when
// none is named): its record, and the language's outcome the record was
// made from (nil for a sandbox error). A sandbox failure is retried once
// on another container before it is recorded as StatusSandboxError.
func One(ctx context.Context, r Runner, lang languages.Language, t tasks.Task, s tasks.Sample, limits sandbox.Limits, suites ...languages.Suite) (Record, *languages.Outcome) {
	rec := Record{TaskID: s.TaskID, Sample: s.Index}
	job := lang.Job(t, t.Program(s), limits, suites...)
	var res *sandbox.Result
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		res, err = r.Run(ctx, job)
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		rec.Status = StatusSandboxError
		rec.ErrorClass = languages.OtherRuntime
		rec.Message = err.Error()
		return rec, nil
	}
	out := lang.Classify(job, res)
	rec.Passed = out.Passed
	rec.ErrorClass = out.Class
	rec.ErrorType, rec.Message = out.ErrorType, out.Message
	rec.Line, rec.LineText, rec.TestLine, rec.TestText = out.Line, out.LineText, out.TestLine, out.TestText
	if len(suites) > 1 && len(out.Suites) > 0 {
		rec.Suites = make(map[languages.Suite]bool, len(out.Suites))
		for name, o := range out.Suites {
			rec.Suites[name] = o.Passed
		}
	}
	rec.RunMS = ms(res.Run)
	rec.TotalMS = ms(res.Total)
	switch {
	case out.Passed:
		rec.Status = StatusPassed
	case res.Status == sandbox.StatusTimeout:
		rec.Status = StatusTimeout
	case res.Status == sandbox.StatusMemory:
		rec.Status = StatusMemory
	case res.Status == sandbox.StatusOutputLimit:
		rec.Status = StatusOutputLimit
	default:
		rec.Status = StatusFailed
	}
	return rec, &out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// SuitePassed reports whether the sample passed suite s; a record of one
// suite says it of that suite.
func (r Record) SuitePassed(s languages.Suite) bool {
	if r.Suites == nil {
		return r.Passed
	}
	return r.Suites[s]
}

// Counts returns, per task, [n, c]: samples evaluated (sandbox errors left
// out: they say nothing of the code) and samples that passed, by passed
// (nil: Record.Passed).
func Counts(recs []Record, passed func(Record) bool) (counts [][2]int, sandboxErrors int) {
	if passed == nil {
		passed = func(r Record) bool { return r.Passed }
	}
	idx := map[string]int{}
	for _, r := range recs {
		if r.Status == StatusSandboxError {
			sandboxErrors++
			continue
		}
		i, ok := idx[r.TaskID]
		if !ok {
			i = len(counts)
			idx[r.TaskID] = i
			counts = append(counts, [2]int{})
		}
		counts[i][0]++
		if passed(r) {
			counts[i][1]++
		}
	}
	return counts, sandboxErrors
}

// ErrSandbox reports samples that could not be evaluated.
var ErrSandbox = errors.New("some samples could not be evaluated: the sandbox failed")
