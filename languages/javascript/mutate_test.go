package javascript

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// seeded is a random source that is a function of parts.
func seeded(parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return rand.New(rand.NewPCG(h.Sum64(), 0x6d757461))
}

// mutatorClasses are the classes of the mutators, in the table's order.
func mutatorClasses() []languages.Class {
	var cs []languages.Class
	for _, m := range mutators() {
		if !slices.Contains(cs, m.Class) {
			cs = append(cs, m.Class)
		}
	}
	return cs
}

// The realism test runs one task in taskSample (every job costs two node
// starts, about 80 ms of CPU each on this machine), and the timeout class
// on one in timeoutSample (each such job costs its whole time limit and
// its container). -realism-all runs every task.
const (
	taskSample    = 4
	timeoutSample = 16
)

var realismAll = flag.Bool("realism-all", false, "TestMutationRealism: run every task, not one in "+strconv.Itoa(taskSample))

// TestMutationRealism runs, in the sandbox, each task's reference as a
// model would present it and one mutant per task and class (of one task in
// taskSample), and checks that the references pass and the mutants fail
// with their class at least 70% of the time per class.
func TestMutationRealism(t *testing.T) {
	sb := sharedSandbox(t)
	all := loadJS(t)
	type job struct {
		task    tasks.Task
		class   languages.Class
		mutator string
		job     sandbox.Job
	}
	var jobs []job
	none := map[languages.Class]int{}
	for i, task := range all {
		if knownFailures[task.ID] != "" {
			continue // the reference itself fails
		}
		if i%taskSample != 0 && !*realismAll {
			continue
		}
		e := read(task)
		rng := seeded("realism-ref", i)
		// A presentation that gives the canonical program is TestCanonical's.
		if program := New().Program(task, e.Present(task.Reference, rng)); strings.TrimRight(program, "\n") != strings.TrimRight(New().Program(task, task.Reference), "\n") {
			jobs = append(jobs, job{task, languages.Pass, "reference", New().Job(task, program, sandbox.Limits{Timeout: 5 * time.Second})})
		}
		for _, c := range mutatorClasses() {
			rng := seeded("realism", i, string(c))
			text, how, ok := e.Mutate(c, rng)
			if !ok {
				none[c]++
				continue
			}
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			if c == languages.Timeout {
				if i%timeoutSample != 0 {
					continue
				}
				limits.Timeout = 300 * time.Millisecond
			}
			program := New().Program(task, e.Present(text, rng))
			jobs = append(jobs, job{task, c, how, New().Job(task, program, limits)})
		}
	}
	sjobs := make([]sandbox.Job, len(jobs))
	for i, j := range jobs {
		sjobs[i] = j.job
	}
	start := time.Now()
	results := runAll(t, sb, sjobs)
	t.Logf("ran %d programs in %s", len(jobs), time.Since(start).Round(time.Millisecond))

	type tally struct{ hit, n int }
	perClass := map[languages.Class]*tally{}
	perMutator := map[string]*tally{}
	misses := map[string][]string{}
	for i, j := range jobs {
		out := New().Classify(j.job, results[i])
		if perClass[j.class] == nil {
			perClass[j.class] = &tally{}
		}
		if perMutator[j.mutator] == nil {
			perMutator[j.mutator] = &tally{}
		}
		perClass[j.class].n++
		perMutator[j.mutator].n++
		if out.Class == j.class {
			perClass[j.class].hit++
			perMutator[j.mutator].hit++
		} else if len(misses[j.mutator]) < 5 {
			misses[j.mutator] = append(misses[j.mutator], fmt.Sprintf("%s→%s(%s: %.60s)", j.task.ID, out.Class, out.ErrorType, out.Message))
		}
	}
	for _, c := range append([]languages.Class{languages.Pass}, mutatorClasses()...) {
		pc := perClass[c]
		if pc == nil {
			t.Errorf("%s: no cases", c)
			continue
		}
		rate := float64(pc.hit) / float64(pc.n)
		t.Logf("%-10s %4d/%-4d = %5.1f%%  (no mutator applies: %d tasks)", c, pc.hit, pc.n, 100*rate, none[c])
		want := 0.7
		if c == languages.Pass {
			want = 0.97
		}
		if rate < want {
			t.Errorf("%s: realism %.1f%% < %.0f%%", c, 100*rate, 100*want)
		}
	}
	var keys []string
	for k := range perMutator {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pm := perMutator[k]
		t.Logf("  %-24s %4d/%-4d = %5.1f%%  misses e.g. %v", k, pm.hit, pm.n, 100*float64(pm.hit)/float64(pm.n), misses[k])
	}
}

// TestMutatorsNeverPanic runs every mutator class with several seeds on
// every task, and checks that what a mutator returns differs from the
// reference.
func TestMutatorsNeverPanic(t *testing.T) {
	all := loadJS(t)
	applies := map[languages.Class]int{}
	for i, task := range all {
		e := read(task)
		if e.name == "" {
			t.Errorf("%s: the coder cannot read the task", task.ID)
		}
		for _, c := range mutatorClasses() {
			for seed := range 4 {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s %s seed %d: panic: %v", task.ID, c, seed, r)
						}
					}()
					text, how, ok := e.Mutate(c, seeded("panic", i, seed))
					if ok && seed == 0 {
						applies[c]++
					}
					if ok && text == task.Reference {
						t.Errorf("%s %s: %s returned the reference", task.ID, c, how)
					}
				}()
			}
		}
	}
	t.Logf("%d tasks; a mutator applies per class: %v", len(all), applies)
}

func FuzzMutate(f *testing.F) {
	f.Add("/* doc */\nconst f = (xs) => {\n", "  let total = 0\n  for (let i = 0; i < xs.length; i++) {\n    total += xs[i]\n  }\n  return total\n}\n",
		"const testF = () => {\n  console.assert(f([1, 2]) === 3)\n}\ntestF()\n")
	f.Add("const g = (s, n) => {\n", "  return `${s}`.repeat(n) + /x\\//.source\n}\n", "console.assert(JSON.stringify(g('a', 2)) === JSON.stringify('aa'))")
	f.Fuzz(func(t *testing.T, prompt, ref, test string) {
		e := read(tasks.Task{ID: "fuzz", Prompt: prompt, Reference: ref, Test: test, Style: tasks.Completion, Language: "javascript"})
		for _, c := range mutatorClasses() {
			if text, _, ok := e.Mutate(c, seeded("fuzz")); ok {
				e.Present(text, seeded("fuzz"))
				splice(prompt, text)
			}
		}
		e.Keys()
	})
}
