package study

import (
	"context"
	"errors"
	"time"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/agent/extract"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Problem is one thing the loop solves: what it asks the model first, how
// an answer becomes a program, and how the program is judged. The loop
// knows nothing else of it. A dataset task in its language is one (see
// taskProblem).
type Problem interface {
	// ID names the problem in the run directory (an attempt's task_id).
	ID() string
	// First is the request of round 0.
	First() []prompt.Message
	// Code is the code of an answer, as the attempt records it.
	Code(answer string) string
	// Program is the program that code runs as.
	Program(code string) string
	// Judge runs program's tests. An error is a failure of the sandbox,
	// never of the program: the loop retries it.
	Judge(ctx context.Context, program string) (Judgement, error)
	// Feedback are the options of the feedback on a failed attempt (its
	// traceback budget and reflections aside).
	Feedback() prompt.Options
}

// Judgement is how a program's tests judged it.
type Judgement struct {
	Verdict rundir.Verdict
	// Visible is the verdict of the visible (example) tests, when the
	// feedback comes from them.
	Visible        *rundir.Verdict
	RunMS, TotalMS float64 // the program's run, and the whole job
}

// Bounds of what a verdict keeps of the harness's report.
const (
	maxTraceback = 8 << 10
	maxMessage   = 4 << 10
)

// taskProblem is a dataset task in its language, judged in a sandbox on
// its scoring suites (and its visible tests, with visible feedback).
type taskProblem struct {
	t       tasks.Task
	lang    languages.Language
	runner  evaluate.Runner
	limits  sandbox.Limits
	suites  []languages.Suite // the scoring suites, then Visible for visible feedback
	visible bool
}

// newTaskProblem is t as a problem; timeout is its time limit.
func newTaskProblem(t tasks.Task, lang languages.Language, r evaluate.Runner, scoring []languages.Suite, visible bool,
	timeout time.Duration, memory int64) (*taskProblem, error) {
	if visible && t.VisibleTest == "" {
		return nil, errors.New("task " + t.ID + " has no visible example tests: feedback_tests visible needs them")
	}
	suites := append([]languages.Suite(nil), scoring...)
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	if visible {
		suites = append(suites, languages.Visible)
	}
	return &taskProblem{t: t, lang: lang, runner: r, limits: sandbox.Limits{Timeout: timeout, Memory: memory},
		suites: suites, visible: visible}, nil
}

func (p *taskProblem) ID() string              { return p.t.ID }
func (p *taskProblem) First() []prompt.Message { return prompt.First(p.t, p.lang.Words()) }
func (p *taskProblem) Code(answer string) string {
	return extract.Code(answer, p.lang.Words().Tags()...)
}
func (p *taskProblem) Program(code string) string { return p.lang.Program(p.t, code) }

func (p *taskProblem) Feedback() prompt.Options {
	return prompt.Options{Program: p.t.Style != tasks.Completion, Fence: p.lang.Words().Fence}
}

// Judge runs program against the suites of the task's tests, in one job.
func (p *taskProblem) Judge(ctx context.Context, program string) (Judgement, error) {
	rec, out := evaluate.One(ctx, p.runner, p.lang, p.t, tasks.Sample{TaskID: p.t.ID, Solution: program}, p.limits, p.suites...)
	if out == nil {
		return Judgement{}, errors.New(rec.Message)
	}
	j := Judgement{RunMS: rec.RunMS, TotalMS: rec.TotalMS}
	scoring := p.suites
	if p.visible {
		scoring = p.suites[:len(p.suites)-1]
		v := verdictOf(out, rec.Status, languages.Visible)
		j.Visible = &v
	}
	j.Verdict = verdictOf(out, rec.Status, scoring...)
	return j, nil
}

// verdictOf is the verdict of out (of a job whose status was status) on
// the given suites of tests: it passes when each of them does, and
// otherwise says how the first that failed did. A limit that fired, or a
// solution that did not load, fails them all alike.
func verdictOf(out *languages.Outcome, status string, suites ...languages.Suite) rundir.Verdict {
	all := out.Suites
	if len(all) > 0 {
		var failed *languages.Outcome
		for _, s := range suites {
			if o := all[s]; o != nil && !o.Passed {
				failed = o
				break
			}
		}
		if failed == nil {
			pass := languages.Passing()
			out, status = &pass, evaluate.StatusPassed
		} else {
			out, status = failed, evaluate.StatusFailed
		}
	}
	v := rundir.Verdict{Passed: out.Passed, Status: status, Failure: out.Failure}
	v.Message = prompt.Truncate(v.Message, maxMessage)
	v.Traceback = prompt.Truncate(v.Traceback, maxTraceback)
	if len(suites) > 1 && len(all) > 0 {
		v.Suites = make(map[languages.Suite]bool, len(suites))
		for _, s := range suites {
			if o := all[s]; o != nil {
				v.Suites[s] = o.Passed
			}
		}
	}
	return v
}
