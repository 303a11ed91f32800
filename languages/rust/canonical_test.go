package rust

import (
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// TestCanonical runs every HumanEval-X Rust reference solution in the
// pooled sandbox, and every twelfth again in fresh containers: all pass,
// with equal verdicts. None is expected to fail: Rust/50's tests call rand
// 0.4's gen_range(low, high), which the assembly writes as 0.8's
// gen_range(low..high) (see assemble.go), and Rust/32's tests are
// commented out in HumanEval-X (any program that compiles passes it, as
// under cargo test).
func TestCanonical(t *testing.T) {
	sb := testSandbox(t, sandbox.Pooled)
	all := loadRust(t)
	jobs := make([]sandbox.Job, len(all))
	for i, task := range all {
		jobs[i] = New().Job(task, New().Program(task, task.Reference), sandbox.Limits{Timeout: 10 * time.Second})
	}
	start := time.Now()
	outs, ress := runAll(t, sb, jobs)
	var build, run, cpu time.Duration
	failed := 0
	for i, out := range outs {
		build += ress[i].Build
		run += ress[i].Run
		cpu += ress[i].CPU
		if !out.Passed {
			failed++
			t.Errorf("%s: %s %s: %s\n%s\nstderr: %.2000s", all[i].ID, out.Class, out.ErrorType, out.Message, out.Traceback, ress[i].Stderr)
		}
	}
	n := time.Duration(len(all))
	t.Logf("pooled: %d/%d passed in %s; per task: build %s, run %s (wall), container CPU %s", len(all)-failed, len(all),
		time.Since(start).Round(time.Millisecond), (build / n).Round(time.Millisecond), (run / n).Round(time.Millisecond),
		(cpu / n).Round(time.Millisecond))

	fresh := testSandbox(t, sandbox.Fresh)
	var sample []tasks.Task
	var fjobs []sandbox.Job
	for i := 0; i < len(all); i += freshEvery {
		sample = append(sample, all[i])
		fjobs = append(fjobs, New().Job(all[i], New().Program(all[i], all[i].Reference), sandbox.Limits{Timeout: 10 * time.Second}))
	}
	start = time.Now()
	fouts, _ := runAll(t, fresh, fjobs)
	for i, out := range fouts {
		if out.Passed != outs[i*freshEvery].Passed || out.Class != outs[i*freshEvery].Class {
			t.Errorf("%s: fresh %s, pooled %s", sample[i].ID, out.Class, outs[i*freshEvery].Class)
		}
	}
	t.Logf("fresh: %d tasks in %s", len(sample), time.Since(start).Round(time.Millisecond))
}

// freshEvery samples the tasks run in fresh containers (each costs a
// container start).
const freshEvery = 12
