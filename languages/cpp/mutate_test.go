package cpp_test

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/cpp"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// seeded is a random source that is a function of parts.
func seeded(parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return rand.New(rand.NewPCG(h.Sum64(), 0x6d757461))
}

// faultClasses are the classes the simulator asks the coder for
// (agent/sim.FailureClasses).
func faultClasses() []languages.Class {
	return []languages.Class{languages.Syntax, languages.Name, languages.Assertion, languages.Type, languages.Index, languages.Timeout}
}

// TestMutatorsNeverPanic runs every class with several seeds on every task.
func TestMutatorsNeverPanic(t *testing.T) {
	coder := cpp.New().Coder()
	applies := map[languages.Class]int{}
	all := loadTasks(t)
	for i, task := range all {
		r := coder.Read(task)
		for _, c := range faultClasses() {
			for seed := range 4 {
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s %s seed %d: panic: %v", task.ID, c, seed, p)
						}
					}()
					text, _, ok := r.Mutate(c, seeded("panic", i, seed))
					if ok {
						r.Present(text, seeded("present", i, seed))
						if seed == 0 {
							applies[c]++
						}
					}
				}()
			}
		}
	}
	t.Logf("%d tasks; a mutator applies per class: %v", len(all), applies)
}

// realismEvery samples the tasks of TestMutationRealism: one in N is tried
// with each class (timeouts, which cost their whole time limit, on half of
// those). The default keeps the package's tests near a minute and a half;
// -cpp.realism=1 tries every task.
var realismEvery = flag.Int("cpp.realism", 8, "TestMutationRealism tries one task in `N`")

// TestMutationRealism runs the presented reference and one mutant per class
// of a sample of the tasks in the sandbox, and checks that each class's
// mutants really fail with it at least 70% of the time.
func TestMutationRealism(t *testing.T) {
	sb := sharedSandbox(t)
	coder := cpp.New().Coder()
	lang := cpp.New()
	all := loadTasks(t)
	type job struct {
		task    tasks.Task
		mutator string
		class   languages.Class
		program string
		limits  sandbox.Limits
	}
	var jobs []job
	none := map[languages.Class]int{}
	for i, task := range all {
		if i%*realismEvery != 0 {
			continue
		}
		r := coder.Read(task)
		rng := seeded("realism-ref", i)
		jobs = append(jobs, job{task, "reference", languages.Pass, lang.Program(task, r.Present(task.Reference, rng)), sandbox.Limits{Timeout: 5 * time.Second}})
		for _, c := range faultClasses() {
			if c == languages.Timeout && i%(2**realismEvery) != 0 {
				continue
			}
			rng := seeded("realism", i, string(c))
			text, how, ok := r.Mutate(c, rng)
			if !ok {
				none[c]++
				continue
			}
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			if c == languages.Timeout {
				limits.Timeout = 500 * time.Millisecond
			}
			jobs = append(jobs, job{task, how, c, lang.Program(task, r.Present(text, rng)), limits})
		}
	}
	got := make([]languages.Outcome, len(jobs))
	start := time.Now()
	parallel(len(jobs), 2, func(k int) {
		got[k], _ = judge(t, sb, jobs[k].task, jobs[k].program, jobs[k].limits)
	})
	t.Logf("ran %d programs in %s", len(jobs), time.Since(start).Round(time.Millisecond))

	type tally struct{ hit, n int }
	perClass := map[languages.Class]*tally{}
	perMutator := map[string]*tally{}
	misses := map[string][]string{}
	for k, j := range jobs {
		pc, pm := perClass[j.class], perMutator[j.mutator]
		if pc == nil {
			pc = &tally{}
			perClass[j.class] = pc
		}
		if pm == nil {
			pm = &tally{}
			perMutator[j.mutator] = pm
		}
		pc.n++
		pm.n++
		if got[k].Class == j.class {
			pc.hit++
			pm.hit++
		} else if len(misses[j.mutator]) < 5 {
			misses[j.mutator] = append(misses[j.mutator], fmt.Sprintf("%s→%s(%s: %.80s)", j.task.ID, got[k].Class, got[k].ErrorType, got[k].Message))
		}
	}
	for _, c := range append([]languages.Class{languages.Pass}, faultClasses()...) {
		pc := perClass[c]
		if pc == nil {
			t.Errorf("%s: no cases", c)
			continue
		}
		rate := float64(pc.hit) / float64(pc.n)
		t.Logf("%-10s %3d/%-3d = %5.1f%%  (no mutator applies: %d tasks)", c, pc.hit, pc.n, 100*rate, none[c])
		want := 0.7
		if c == languages.Pass {
			want = 1
		}
		if rate < want {
			t.Errorf("%s: realism %.1f%% < %.0f%%", c, 100*rate, 100*want)
		}
	}
	var names []string
	for k := range perMutator {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		pm := perMutator[k]
		t.Logf("  %-24s %3d/%-3d = %5.1f%%  misses e.g. %v", k, pm.hit, pm.n, 100*float64(pm.hit)/float64(pm.n), misses[k])
	}
}
