package golang_test

import (
	"slices"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// upstreamFailures are the HumanEval-X Go tasks whose reference solution
// fails upstream: none (the data README: 164/164 pass with the harness's
// import rule).
var upstreamFailures = map[string]bool{}

// flaky are the reference solutions whose verdict is a matter of chance
// in any Go harness, upstream's too: Go/95's CheckDictCase decides after
// looking at two keys of its map, and Go randomises map iteration in every
// run (nothing seeds it), so its asserts on maps of three keys with one
// odd key fail when that key comes last. Measured here: the tests pass
// 130 runs in 160, tests and examples together 95 in 160.
var flaky = map[string]bool{"Go/95": true}

// TestCanonicalSolutions runs every reference solution of humaneval-x/go
// against its tests and its examples (one job, two suites) in the pooled
// sandbox, and every twelfth task again in fresh containers: all pass but
// the documented failures, with the same verdicts in both modes.
func TestCanonicalSolutions(t *testing.T) {
	sb := sharedSandbox(t)
	ds := humanEvalX(t)
	lang := golang.New()
	type verdict struct {
		out languages.Outcome
		res *sandbox.Result
	}
	run := func(sb *sandbox.Sandbox, list []tasks.Task) []verdict {
		out := make([]verdict, len(list))
		parallel(len(list), sb.Size(), func(i int) {
			task := list[i]
			o, res := judge(t, sb, task, lang.Program(task, task.Reference), sandbox.Limits{}, languages.Base, languages.Visible)
			out[i] = verdict{o, res}
		})
		return out
	}
	start := time.Now()
	pooled := run(sb, ds.Tasks)
	elapsed := time.Since(start)
	passed := 0
	var build, runs, cpu []time.Duration
	for i, v := range pooled {
		task := ds.Tasks[i]
		build, runs, cpu = append(build, v.res.Build), append(runs, v.res.Run), append(cpu, v.res.CPU)
		if v.out.Passed {
			passed++
		}
		if flaky[task.ID] && !v.out.Passed {
			if v.out.Class != languages.Assertion {
				t.Errorf("%s (flaky) failed other than by an assertion: %+v", task.ID, v.out)
			}
			t.Logf("%s (flaky) failed this time: %s", task.ID, v.out.Message)
			continue
		}
		if v.out.Passed == upstreamFailures[task.ID] {
			t.Errorf("%s: passed=%v, want %v: %s %s: %s\n%s", task.ID, v.out.Passed, !upstreamFailures[task.ID],
				v.out.Class, v.out.ErrorType, v.out.Message, v.out.Traceback)
			continue
		}
		for _, s := range []languages.Suite{languages.Base, languages.Visible} {
			if task.VisibleTest == "" {
				// One suite ran: the outcome is its verdict.
				if v.out.Suites != nil {
					t.Errorf("%s: suite verdicts %v for one suite", task.ID, v.out.Suites)
				}
				break
			}
			if o := v.out.Suites[s]; o == nil || o.Passed == upstreamFailures[task.ID] {
				t.Errorf("%s: suite %s: %+v", task.ID, s, o)
			}
		}
	}
	t.Logf("pooled: %d/%d pass in %v (%d at once); per job: build median %v (max %v), run median %v (max %v), container CPU median %v",
		passed, len(ds.Tasks), elapsed.Round(time.Millisecond), sb.Size(), median(build), maxOf(build), median(runs), maxOf(runs), median(cpu))

	var sample []tasks.Task
	var index []int
	for i := 0; i < len(ds.Tasks); i += 12 {
		sample, index = append(sample, ds.Tasks[i]), append(index, i)
	}
	start = time.Now()
	fresh := run(freshSandbox(t), sample)
	t.Logf("fresh: %d tasks in %v", len(sample), time.Since(start).Round(time.Millisecond))
	for k, v := range fresh {
		p := pooled[index[k]]
		if (v.out.Passed != p.out.Passed || v.out.Class != p.out.Class) && !flaky[sample[k].ID] {
			t.Errorf("%s: fresh %v %s, pooled %v %s", sample[k].ID, v.out.Passed, v.out.Class, p.out.Passed, p.out.Class)
		}
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

func maxOf(ds []time.Duration) time.Duration {
	m := time.Duration(0)
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(time.Millisecond)
}
