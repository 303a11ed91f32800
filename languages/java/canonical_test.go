package java

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// knownFailures are the canonical solutions of humaneval-x/java that fail
// their base tests, with why. The data README verified 164/164 (javac,
// then java -ea): none.
func knownFailures() map[string]string { return map[string]string{} }

// knownVisibleFailures are the canonical solutions that fail their
// example_test (the prompt's examples), with why: none (Java/151's does
// not even check its results).
func knownVisibleFailures() map[string]string { return map[string]string{} }

// suitesOf are the suites a task has: base, and visible when it has
// examples.
func suitesOf(t tasks.Task) []languages.Suite {
	if t.VisibleTest != "" {
		return []languages.Suite{languages.Base, languages.Visible}
	}
	return []languages.Suite{languages.Base}
}

// verdict is one judged job.
type verdict struct {
	out languages.Outcome
	res *sandbox.Result
}

// judgeAll runs every task's program (made by program) in sb, workers at a
// time, and returns the verdicts by task index.
func judgeAll(t *testing.T, sb *sandbox.Sandbox, ts []tasks.Task, workers int, limits sandbox.Limits,
	program func(i int, t tasks.Task) (string, bool)) map[int]verdict {
	t.Helper()
	l := New()
	var mu sync.Mutex
	out := map[int]verdict{}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				prog, ok := program(i, ts[i])
				if !ok {
					continue
				}
				job := l.Job(ts[i], prog, limits, suitesOf(ts[i])...)
				res, err := sb.Run(context.Background(), job)
				if err != nil {
					t.Errorf("%s: sandbox: %v", ts[i].ID, err)
					continue
				}
				mu.Lock()
				out[i] = verdict{l.Classify(job, res), res}
				mu.Unlock()
			}
		}()
	}
	for i := range ts {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

// timing logs the mean build and run time of verdicts.
func timing(t *testing.T, what string, vs map[int]verdict, wall time.Duration) {
	var build, run, total, cpu time.Duration
	for _, v := range vs {
		build += v.res.Build
		run += v.res.Run
		total += v.res.Total
		cpu += v.res.CPU
	}
	if n := time.Duration(len(vs)); n > 0 {
		t.Logf("%s: %d jobs in %s; per job: build (compile) %s, run %s, total %s wall; %s of CPU (compile and run)", what, len(vs),
			wall.Round(time.Millisecond), (build / n).Round(time.Millisecond), (run / n).Round(time.Millisecond),
			(total / n).Round(time.Millisecond), (cpu / n).Round(time.Millisecond))
	}
}

// TestCanonical runs every canonical solution of humaneval-x/java, base and
// visible suites in one job, in the pooled sandbox, and every eighth in
// fresh containers too: all pass but the documented ones, and both modes
// agree.
func TestCanonical(t *testing.T) {
	sb := sharedSandbox(t)
	ts := loadJava(t).Tasks
	l := New()
	reference := func(_ int, task tasks.Task) (string, bool) { return l.Program(task, task.Reference), true }
	start := time.Now()
	pooled := judgeAll(t, sb, ts, 2, sandbox.Limits{}, reference)
	timing(t, "pooled", pooled, time.Since(start))
	passed := 0
	for i, task := range ts {
		v, ok := pooled[i]
		if !ok {
			continue
		}
		base := v.out
		if s := v.out.Suites[languages.Base]; s != nil {
			base = *s
		}
		_, known := knownFailures()[task.ID]
		if base.Passed {
			passed++
		}
		if base.Passed == known {
			t.Errorf("%s: base passed=%v, documented failure=%v: %s %s %s\n%s\nbuild: %s", task.ID, base.Passed, known,
				base.Class, base.ErrorType, base.Message, base.Traceback, v.res.BuildOutput)
		}
		if vis := v.out.Suites[languages.Visible]; vis != nil {
			if _, known := knownVisibleFailures()[task.ID]; vis.Passed == known {
				t.Errorf("%s: visible passed=%v, documented failure=%v: %s %s", task.ID, vis.Passed, known, vis.ErrorType, vis.Message)
			}
		}
	}
	t.Logf("canonical: %d/%d pass their base tests (documented failures: %d)", passed, len(ts), len(knownFailures()))

	eng := engine(t)
	fresh, err := sandbox.New(context.Background(), eng, sandbox.Options{Image: New().ImageRef(), Isolation: sandbox.Fresh, Size: 2})
	if err != nil {
		t.Fatalf("fresh sandbox: %v", err)
	}
	defer fresh.Close()
	start = time.Now()
	sample := judgeAll(t, fresh, ts, 2, sandbox.Limits{}, func(i int, task tasks.Task) (string, bool) {
		return l.Program(task, task.Reference), i%8 == 0
	})
	timing(t, "fresh (every 8th task)", sample, time.Since(start))
	var ids []int
	for i := range sample {
		ids = append(ids, i)
	}
	sort.Ints(ids)
	for _, i := range ids {
		a, b := pooled[i].out, sample[i].out
		if a.Passed != b.Passed || a.Class != b.Class || len(a.Suites) != len(b.Suites) {
			t.Errorf("%s: pooled %v %s, fresh %v %s", ts[i].ID, a.Passed, a.Class, b.Passed, b.Class)
		}
	}
}
