package java

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// realismStep is every how many tasks TestMutationRealism samples:
// $JAVA_REALISM_STEP, 1 for all 164 (about 1100 jobs, some ten minutes on
// two cores); by default every 16th (11 tasks, about 75 jobs): every job
// compiles, and javac's start-up is most of a job.
func realismStep() int {
	if n, err := strconv.Atoi(os.Getenv("JAVA_REALISM_STEP")); err == nil && n > 0 {
		return n
	}
	return 16
}

// TestMutationRealism runs, for a sample of the tasks, the reference as
// Present shows it and one mutant per class, each presented the same way,
// through Program, Job and Classify in the sandbox, and checks that the
// mutants fail with their class at least 70% of the time per class (the
// presented references pass).
func TestMutationRealism(t *testing.T) {
	sb := sharedSandbox(t)
	ds := loadJava(t)
	l := New()
	type cse struct {
		task      tasks.Task
		class     languages.Class
		mutator   string
		program   string
		presented string
	}
	var cases []cse
	none := map[languages.Class]int{}
	step := realismStep()
	for i, task := range ds.Tasks {
		if i%step != 0 {
			continue
		}
		e := read(task)
		rng := seeded("realism-ref", i)
		shown := e.Present(task.Reference, rng)
		cases = append(cases, cse{task, languages.Pass, "reference", l.Program(task, shown), shown})
		for _, c := range mutatorClasses() {
			rng := seeded("realism", i, string(c))
			text, how, ok := e.Mutate(c, rng)
			if !ok {
				none[c]++
				continue
			}
			shown := e.Present(text, rng)
			cases = append(cases, cse{task, c, how, l.Program(task, shown), shown})
		}
	}
	ts := make([]tasks.Task, len(cases))
	for i, c := range cases {
		ts[i] = c.task
	}
	start := time.Now()
	// A timeout costs its whole limit: 2 s of CPU is plenty for these tests.
	vs := judgeAll(t, sb, ts, 2, sandbox.Limits{Timeout: 2 * time.Second}, func(i int, _ tasks.Task) (string, bool) {
		return cases[i].program, true
	})
	timing(t, "realism", vs, time.Since(start))

	type tally struct{ hit, n int }
	perClass := map[languages.Class]*tally{}
	perMutator := map[string]*tally{}
	misses := map[string][]string{}
	for i, c := range cases {
		v, ok := vs[i]
		if !ok {
			continue
		}
		got := v.out.Class
		pc, pm := perClass[c.class], perMutator[c.mutator]
		if pc == nil {
			pc = &tally{}
			perClass[c.class] = pc
		}
		if pm == nil {
			pm = &tally{}
			perMutator[c.mutator] = pm
		}
		pc.n++
		pm.n++
		if got == c.class {
			pc.hit++
			pm.hit++
		} else {
			if len(misses[c.mutator]) < 4 {
				misses[c.mutator] = append(misses[c.mutator], fmt.Sprintf("%s→%s(%s)", c.task.ID, got, v.out.ErrorType))
			}
			if c.class == languages.Pass {
				t.Errorf("%s: the presented reference fails: %s %s %s\npresented:\n%s\nprogram:\n%s", c.task.ID, got, v.out.ErrorType,
					v.out.Message, c.presented, c.program)
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
		t.Logf("%-10s %3d/%-3d = %5.1f%%  (no mutator applies: %d tasks)", c, pc.hit, pc.n, 100*rate, none[c])
		want := 0.7
		if c == languages.Pass {
			want = 1
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
		t.Logf("  %-24s %3d/%-3d = %5.1f%%  misses e.g. %v", k, pm.hit, pm.n, 100*float64(pm.hit)/float64(pm.n), misses[k])
	}
}
