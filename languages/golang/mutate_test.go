package golang_test

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

var realismAll = flag.Bool("realism-all", false, "TestMutationRealism: every task (default: a sample)")

// classes the simulator asks mutants of (agent/sim.FailureClasses).
var simClasses = []languages.Class{languages.Syntax, languages.Name, languages.Assertion, languages.Type, languages.Index, languages.Timeout}

func seeded(parts ...string) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(h.Sum64(), 1))
}

// TestMutatorsNeverPanic reads every task and asks each class of it with
// several seeds: no mutator may panic, and a mutant must differ from the
// reference.
func TestMutatorsNeverPanic(t *testing.T) {
	ds := humanEvalX(t)
	coder := golang.New().Coder()
	counts := map[languages.Class]int{}
	for _, task := range ds.Tasks {
		r := coder.Read(task)
		if len(r.Keys()) == 0 {
			t.Errorf("%s: no keys", task.ID)
		}
		for _, c := range simClasses {
			for seed := range 5 {
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s %s seed %d: panic %v", task.ID, c, seed, p)
						}
					}()
					text, how, ok := r.Mutate(c, seeded(task.ID, string(c), fmt.Sprint(seed)))
					if !ok {
						return
					}
					if text == task.Reference {
						t.Errorf("%s %s (%s): the mutant is the reference", task.ID, c, how)
					}
					if seed == 0 {
						counts[c]++
					}
				}()
			}
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s: Present panicked: %v", task.ID, p)
					}
				}()
				r.Present(task.Reference, seeded(task.ID, "present"))
			}()
		}
	}
	t.Logf("tasks with a mutant, of %d: %v", len(ds.Tasks), counts)
}

// TestMutationRealism runs, for a sample of the tasks (every task with
// -realism-all), one mutant per task and class in the sandbox and checks
// that it fails with its class at least 70% of the time, and that the
// reference as Present shows it passes.
func TestMutationRealism(t *testing.T) {
	sb := sharedSandbox(t)
	ds := humanEvalX(t)
	lang := golang.New()
	coder := lang.Coder()
	step, timeoutStep := 5, 15
	if *realismAll {
		step, timeoutStep = 1, 1
	}
	type job struct {
		task  tasks.Task
		class languages.Class // Pass: the presented reference
		how   string
		code  string
	}
	var jobs []job
	for i, task := range ds.Tasks {
		if i%step != 0 {
			continue
		}
		r := coder.Read(task)
		jobs = append(jobs, job{task, languages.Pass, "present", r.Present(task.Reference, seeded(task.ID, "present"))})
		for _, c := range simClasses {
			if c == languages.Timeout && i%timeoutStep != 0 {
				continue
			}
			text, how, ok := r.Mutate(c, seeded(task.ID, string(c)))
			if !ok {
				continue
			}
			jobs = append(jobs, job{task, c, how, r.Present(text, seeded(task.ID, string(c), "present"))})
		}
	}
	type tally struct{ ok, n int }
	var mu sync.Mutex
	rates := map[languages.Class]*tally{}
	byHow := map[string]*tally{}
	var misses []string
	start := time.Now()
	parallel(len(jobs), sb.Size(), func(i int) {
		j := jobs[i]
		limits := sandbox.Limits{Timeout: 3 * time.Second}
		if j.class == languages.Timeout {
			limits.Timeout = time.Second
		}
		program := lang.Program(j.task, j.code)
		out, _ := judge(t, sb, j.task, program, limits, languages.Base)
		mu.Lock()
		defer mu.Unlock()
		if j.class == languages.Pass {
			if !out.Passed && !flaky[j.task.ID] {
				t.Errorf("%s: the presented reference fails: %s %s\n%s", j.task.ID, out.Class, out.Message, j.code)
			}
			return
		}
		if rates[j.class] == nil {
			rates[j.class] = &tally{}
		}
		key := string(j.class) + "/" + j.how
		if byHow[key] == nil {
			byHow[key] = &tally{}
		}
		rates[j.class].n++
		byHow[key].n++
		if out.Class == j.class {
			rates[j.class].ok++
			byHow[key].ok++
		} else {
			misses = append(misses, fmt.Sprintf("%s %s (%s): got %s %s: %s", j.task.ID, j.class, j.how, out.Class, out.ErrorType, out.Message))
		}
	})
	t.Logf("%d jobs in %v", len(jobs), time.Since(start).Round(time.Millisecond))
	slices.Sort(misses)
	for _, m := range misses {
		t.Log("miss: " + m)
	}
	var hows []string
	for k, v := range byHow {
		hows = append(hows, fmt.Sprintf("%s %d/%d", k, v.ok, v.n))
	}
	slices.Sort(hows)
	t.Logf("by mutator: %s", strings.Join(hows, ", "))
	for _, c := range simClasses {
		r := rates[c]
		if r == nil || r.n == 0 {
			t.Errorf("class %s: no mutants", c)
			continue
		}
		rate := float64(r.ok) / float64(r.n)
		t.Logf("class %-9s %3d/%-3d = %.0f%%", c, r.ok, r.n, 100*rate)
		if rate < 0.7 {
			t.Errorf("class %s: only %.0f%% of its mutants fail with it", c, 100*rate)
		}
	}
}

func TestCoderFailure(t *testing.T) {
	coder := golang.New().Coder()
	cases := []struct {
		text string
		want languages.Class
	}{
		{"solution.go:8:29: syntax error: unexpected newline, expecting )", languages.Syntax},
		{"solution.go:8:12: undefined: total", languages.Name},
		{"solution.go:8:17: undefined: math.Average", languages.Name},
		{"solution.go:8:12: cannot use len(xs) (value of type int) as type float64 in return statement", languages.Type},
		{"invalid operation: float64(xs[0]) + len(xs) (mismatched types float64 and int)", languages.Type},
		{"n declared but not used", languages.Syntax},
		{"could not import example.com/nothere (open : no such file or directory)", languages.Import},
		{"--- FAIL: TestMean (0.00s)\n    main_test.go:4: \n        \tError Trace:\tmain_test.go:4\n        \tError:      \tNot equal: ", languages.Assertion},
		{"--- FAIL: TestMean (0.00s)\npanic: runtime error: index out of range [3] with length 3 [recovered]", languages.Index},
		{"panic: runtime error: invalid memory address or nil pointer dereference", languages.Attribute},
		{"panic: runtime error: integer divide by zero", languages.ZeroDivision},
		{"runtime: goroutine stack exceeds 67108864-byte limit\nfatal error: stack overflow", languages.Recursion},
		{"panic: interface conversion: interface {} is []int, not float64", languages.Type},
		{"panic: strconv.Atoi: parsing \"x\": invalid syntax", languages.Value},
		{"panic: not implemented", languages.OtherRuntime},
	}
	for _, c := range cases {
		if got, at := coder.Failure(c.text); got != c.want || at < 0 {
			t.Errorf("%q: %s at %d, want %s", c.text, got, at, c.want)
		}
	}
	if c, at := coder.Failure("all good"); at != -1 || c != "" {
		t.Errorf("no failure words: %s at %d", c, at)
	}
}

func TestCoderStub(t *testing.T) {
	coder := golang.New().Coder()
	req := "Complete this:\n```go\n// Doc.\nfunc HasCloseElements(numbers []float64, threshold float64) bool {\n```"
	if got := coder.Stub(req); !strings.HasPrefix(got, "func HasCloseElements(numbers []float64, threshold float64) bool {\n") ||
		!strings.Contains(got, "panic(") {
		t.Errorf("stub: %q", got)
	}
	if got := coder.Stub("write something"); !strings.HasPrefix(got, "func Solution() {") {
		t.Errorf("generic stub: %q", got)
	}
}
