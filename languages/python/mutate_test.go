package python

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

const hostPython = "/usr/bin/python3"

// dataDir is the shared datasets folder, seen from this package.
var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

func haveMBPP() bool {
	_, err := os.Stat(filepath.Join(dataDir, "mbpp", "sanitized-mbpp.json.gz"))
	return err == nil
}

type mutantJob struct {
	ID      int     `json:"id"`
	Program string  `json:"program"`
	Timeout float64 `json:"timeout"`
}

// runPrograms runs programs with the host Python, spread over workers
// interpreters, and returns how each ended: "" for a pass, else the final
// exception's type name or "Timeout".
func runPrograms(t *testing.T, jobs []mutantJob, workers int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	results := make([]string, len(jobs))
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		var mine []mutantJob
		for i := w; i < len(jobs); i += workers {
			j := jobs[i]
			j.ID = i
			mine = append(mine, j)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, hostPython, "-I", "-W", "ignore", filepath.Join("testdata", "run.py"))
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				errs <- err
				return
			}
			go func() {
				enc := json.NewEncoder(stdin)
				for _, j := range mine {
					if enc.Encode(j) != nil {
						break
					}
				}
				stdin.Close()
			}()
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			n := 0
			for sc.Scan() {
				var r struct {
					ID   int    `json:"id"`
					Type string `json:"type"`
				}
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					errs <- err
					break
				}
				results[r.ID] = r.Type
				n++
			}
			if err := cmd.Wait(); err != nil || n != len(mine) {
				errs <- fmt.Errorf("python worker: %v (%d of %d results)", err, n, len(mine))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return results
}

// testProgram is what the project's harness runs for an answer's code: for
// Completion tasks the prompt followed by the code (a body, or a whole
// function that replaces the prompt's), then the tests.
func testProgram(t tasks.Task, code string) string {
	program := code
	if t.Style == tasks.Completion {
		if strings.HasPrefix(code, "def "+t.EntryPoint+"(") || strings.Contains(code, "\ndef "+t.EntryPoint+"(") {
			program = t.Prompt + "\n" + code
		} else {
			program = t.Prompt + code
		}
	}
	var b strings.Builder
	if t.Imports != "" {
		b.WriteString(t.Imports + "\n")
	}
	b.WriteString(program + "\n\n")
	if t.Setup != "" {
		b.WriteString(t.Setup + "\n")
	}
	b.WriteString(t.Test + "\n")
	if t.EntryPoint != "" {
		b.WriteString("\ncheck(" + t.EntryPoint + ")\n")
	}
	return b.String()
}

// outcomeClass maps a runner result to an error class.
func outcomeClass(typ string) languages.Class {
	switch typ {
	case "":
		return languages.Pass
	case "Timeout":
		return languages.Timeout
	}
	return ClassOf(typ)
}

// timeoutSample runs the timeout class on one task in n.
func timeoutSample(dataset string) int {
	if dataset == "humaneval" {
		return 2
	}
	return 4
}

// taskReading is a task's reading with the dataset it came from.
type taskReading struct {
	*reading
	dataset string
}

func loadEntries(t *testing.T, datasets ...string) []taskReading {
	t.Helper()
	var out []taskReading
	for _, name := range datasets {
		ds, err := tasks.Load(name, dataDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range ds.Tasks {
			out = append(out, taskReading{read(task), name})
		}
	}
	return out
}

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

type realismCase struct {
	dataset, task, mutator string
	class                  languages.Class
}

// TestMutationRealism runs the reference solutions and one mutant per task
// and class with the host Python and checks that the mutants really fail
// with their class.
func TestMutationRealism(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about two thousand Python programs")
	}
	if _, err := os.Stat(hostPython); err != nil {
		t.Skip("no host python3")
	}
	datasets := []string{"humaneval"}
	if haveMBPP() {
		datasets = append(datasets, "mbpp-sanitized")
	}
	entries := loadEntries(t, datasets...)
	var (
		jobs  []mutantJob
		cases []realismCase
		none  = map[string]map[languages.Class]int{}
	)
	for i, e := range entries {
		if none[e.dataset] == nil {
			none[e.dataset] = map[languages.Class]int{}
		}
		rng := seeded("realism-ref", i)
		jobs = append(jobs, mutantJob{Program: testProgram(e.task, e.Present(e.task.Reference, rng)), Timeout: 5})
		cases = append(cases, realismCase{e.dataset, e.task.ID, "reference", languages.Pass})
		for _, c := range mutatorClasses() {
			rng := seeded("realism", i, string(c))
			text, how, ok := e.Mutate(c, rng)
			if !ok {
				none[e.dataset][c]++
				continue
			}
			timeout := 3.0
			if c == languages.Timeout {
				// Every timeout case costs its whole limit: sample the tasks.
				if i%timeoutSample(e.dataset) != 0 {
					continue
				}
				timeout = 0.2
			}
			jobs = append(jobs, mutantJob{Program: testProgram(e.task, e.Present(text, rng)), Timeout: timeout})
			cases = append(cases, realismCase{e.dataset, e.task.ID, how, c})
		}
	}
	start := time.Now()
	results := runPrograms(t, jobs, 2)
	t.Logf("ran %d programs in %s", len(jobs), time.Since(start).Round(time.Millisecond))

	type tally struct{ hit, n int }
	perClass := map[string]map[languages.Class]*tally{}
	perMutator := map[string]*tally{}
	misses := map[string][]string{}
	for i, c := range cases {
		got := outcomeClass(results[i])
		if perClass[c.dataset] == nil {
			perClass[c.dataset] = map[languages.Class]*tally{}
		}
		pc := perClass[c.dataset][c.class]
		if pc == nil {
			pc = &tally{}
			perClass[c.dataset][c.class] = pc
		}
		key := c.dataset + " " + c.mutator
		pm := perMutator[key]
		if pm == nil {
			pm = &tally{}
			perMutator[key] = pm
		}
		pc.n++
		pm.n++
		if got == c.class {
			pc.hit++
			pm.hit++
		} else if len(misses[key]) < 6 {
			misses[key] = append(misses[key], fmt.Sprintf("%s→%s(%s)", c.task, got, results[i]))
		}
	}
	for _, ds := range datasets {
		for _, c := range append([]languages.Class{languages.Pass}, mutatorClasses()...) {
			pc := perClass[ds][c]
			if pc == nil {
				t.Errorf("%s %s: no cases", ds, c)
				continue
			}
			rate := float64(pc.hit) / float64(pc.n)
			t.Logf("%-15s %-10s %4d/%-4d = %5.1f%%  (no mutator applies: %d tasks)", ds, c, pc.hit, pc.n, 100*rate, none[ds][c])
			want := 0.7
			if c == languages.Pass {
				want = 0.97
			}
			if rate < want {
				t.Errorf("%s %s: realism %.1f%% < %.0f%%", ds, c, 100*rate, 100*want)
			}
		}
	}
	var keys []string
	for k := range perMutator {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pm := perMutator[k]
		t.Logf("  %-40s %4d/%-4d = %5.1f%%  misses e.g. %v", k, pm.hit, pm.n, 100*float64(pm.hit)/float64(pm.n), misses[k])
	}
}

// TestMutatorsNeverPanic runs every mutator class with several seeds on
// every task of the built-in datasets.
func TestMutatorsNeverPanic(t *testing.T) {
	datasets := []string{"humaneval"}
	if haveMBPP() {
		datasets = append(datasets, "mbpp", "mbpp-sanitized-all")
	}
	entries := loadEntries(t, datasets...)
	applies := map[languages.Class]int{}
	for i, e := range entries {
		for _, c := range mutatorClasses() {
			for seed := range 4 {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s %s seed %d: panic: %v", e.task.ID, c, seed, r)
						}
					}()
					if _, _, ok := e.Mutate(c, seeded("panic", i, seed)); ok && seed == 0 {
						applies[c]++
					}
				}()
			}
		}
	}
	t.Logf("%d tasks; a mutator applies per class: %v", len(entries), applies)
}

func FuzzMutate(f *testing.F) {
	f.Add("def f(xs):\n    total = 0\n    for i in range(len(xs)):\n        total += xs[i]\n    return total\n", "assert f([1, 2]) == 3")
	f.Add("def f(s):\n  i = 0\n  while i < len(s): \n    i += 1;\n  return s[::-1] if s else ''", "assert f('ab') == 'ba'")
	f.Add("import math\ndef f(a, b='x', *c, d: int = 3, **e) -> bool:\n\t'''doc'''\n\treturn (a <\n\t  b)  # c\n", "assert not f(1, 2)")
	f.Fuzz(func(t *testing.T, ref, test string) {
		e := read(tasks.Task{ID: "fuzz", Prompt: "fuzz", Reference: ref, Test: test, Style: tasks.Program, Language: "python"})
		for _, c := range mutatorClasses() {
			if _, _, ok := e.Mutate(c, seeded("fuzz")); ok {
				e.Present(ref, seeded("fuzz"))
			}
		}
		b := bodyFunction(ref, test)
		if b != nil {
			e.fn = b
			for _, c := range mutatorClasses() {
				e.Mutate(c, seeded("fuzz"))
			}
		}
	})
}
