package rust

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// mutatorClasses are the classes the simulator asks for.
func mutatorClasses() []languages.Class {
	return []languages.Class{languages.Syntax, languages.Name, languages.Assertion, languages.Type, languages.Index, languages.Timeout}
}

// seeded returns a generator seeded from parts.
func seeded(parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
}

// realismSample is how the realism test samples the tasks: every
// realismEvery-th (RUST_REALISM_EVERY overrides: 1 runs them all).
func realismEvery() int {
	if n, err := strconv.Atoi(os.Getenv("RUST_REALISM_EVERY")); err == nil && n > 0 {
		return n
	}
	return 8
}

// TestMutationRealism runs, for a sample of the tasks (every eighth; the
// timeout class every sixteenth), the reference as Present shows it and
// one mutant per class in the sandbox, and checks that the references
// pass and the mutants fail with their class at least 70% of the time.
func TestMutationRealism(t *testing.T) {
	sb := testSandbox(t, sandbox.Pooled)
	all := loadRust(t)
	type realismCase struct {
		task, mutator string
		class         languages.Class
	}
	var (
		jobs  []sandbox.Job
		cases []realismCase
		none  = map[languages.Class]int{}
	)
	every := realismEvery()
	for i, task := range all {
		if i%every != 0 {
			continue
		}
		e := read(task)
		// The reference as a body is the program TestCanonical runs: here
		// it runs as Present shows a whole function.
		body := strings.TrimLeft(strings.TrimRight(task.Reference, " \t\n"), "\n")
		for seed := range 32 {
			if shown := e.Present(task.Reference, seeded("realism-ref", i, seed)); shown != body {
				jobs = append(jobs, New().Job(task, New().Program(task, shown), sandbox.Limits{Timeout: 10 * time.Second}))
				cases = append(cases, realismCase{task.ID, "reference", languages.Pass})
				break
			}
		}
		for _, c := range mutatorClasses() {
			if c == languages.Timeout && i%(2*every) != 0 {
				continue // each costs its whole limit and a new container: half the sample
			}
			rng := seeded("realism", i, string(c))
			text, how, ok := e.Mutate(c, rng)
			if !ok {
				none[c]++
				continue
			}
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			if c == languages.Timeout {
				limits.Timeout = 300 * time.Millisecond
			}
			jobs = append(jobs, New().Job(task, New().Program(task, e.Present(text, rng)), limits))
			cases = append(cases, realismCase{task.ID, how, c})
		}
	}
	start := time.Now()
	outs, ress := runAll(t, sb, jobs)
	t.Logf("ran %d programs in %s", len(jobs), time.Since(start).Round(time.Millisecond))
	type tally struct{ hit, n int }
	perClass := map[languages.Class]*tally{}
	perMutator := map[string]*tally{}
	misses := map[string][]string{}
	for i, c := range cases {
		got := outs[i].Class
		for _, m := range []map[string]*tally{perMutator} {
			if m[c.mutator] == nil {
				m[c.mutator] = &tally{}
			}
		}
		if perClass[c.class] == nil {
			perClass[c.class] = &tally{}
		}
		perClass[c.class].n++
		perMutator[c.mutator].n++
		if got == c.class {
			perClass[c.class].hit++
			perMutator[c.mutator].hit++
		} else if len(misses[c.mutator]) < 4 {
			misses[c.mutator] = append(misses[c.mutator], fmt.Sprintf("%s→%s(%s: %s)", c.task, got, outs[i].ErrorType, outs[i].Message))
			if os.Getenv("RUST_REALISM_VERBOSE") != "" {
				t.Logf("%s %s: got %s\n%s\n%s", c.task, c.mutator, got, jobs[i].Files[mainFile], ress[i].Stderr)
			}
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
			want = 1
		}
		if rate < want {
			t.Errorf("%s: realism %.1f%% < %.0f%%", c, 100*rate, 100*want)
		}
	}
	for name, pm := range perMutator {
		t.Logf("  %-24s %4d/%-4d = %5.1f%%  misses e.g. %v", name, pm.hit, pm.n, 100*float64(pm.hit)/float64(pm.n), misses[name])
	}
}

// TestMutatorsNeverPanic runs every class with several seeds on every task.
func TestMutatorsNeverPanic(t *testing.T) {
	applies := map[languages.Class]int{}
	for i, task := range loadRust(t) {
		e := read(task)
		for _, c := range mutatorClasses() {
			for seed := range 4 {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s %s seed %d: panic: %v", task.ID, c, seed, r)
						}
					}()
					if text, _, ok := e.Mutate(c, seeded("panic", i, seed)); ok {
						if seed == 0 {
							applies[c]++
						}
						e.Present(text, seeded("present", i, seed))
					}
				}()
			}
		}
	}
	t.Logf("a mutator applies per class: %v", applies)
}

func FuzzMutate(f *testing.F) {
	f.Add("    let mut s = 0;\n    for i in 0..xs.len() {\n        s += xs[i];\n    }\n    s\n}\n", "#[test]\nfn t() { assert_eq!(f(vec![1]), 1); }")
	f.Add("    if xs.is_empty() { return 0; }\n    let m = xs.iter().max().unwrap();\n    *m\n}\nfn g() {}\n", "mod tests { use super::*; #[test] fn t() {} }")
	f.Add("\tlet mut i = 0;\n\twhile i < xs.len() {\n\t\ti += 1;\n\t}\n\ti as i32 /* } */\n}", "")
	f.Fuzz(func(t *testing.T, ref, test string) {
		task := meanTask
		task.Declaration = "\nuse std::collections::HashMap;\n\nfn f(xs: Vec<i32>) -> i32 {\n"
		task.Reference, task.Test = ref, test
		e := read(task)
		for _, c := range mutatorClasses() {
			if text, _, ok := e.Mutate(c, seeded("fuzz")); ok {
				New().Job(task, New().Program(task, e.Present(text, seeded("fuzz"))), sandbox.Limits{})
			}
		}
		New().Job(task, New().Program(task, ref), sandbox.Limits{})
	})
}
