package python_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// The fidelity test: a verdict of the trusted judge must equal what CPython
// says running the same program plainly (solution + tests, `python3
// prog.py`, in the same image, with the same PYTHONHASHSEED), for every
// program that does not tamper with the harness. It runs the hand-written
// probes of testdata/fidelity_probes.jsonl (each category of semantics the
// judge's process boundary could change) and the base tests of HumanEval,
// MBPP (full and sanitized) and HumanEval+ against their reference
// solutions and the simulator's mutants, once through the judge and once
// plainly, and compares the verdicts, the error classes, and the exception
// types and messages.
//
// `make test` runs the probes and a sample of the datasets; `make fidelity`
// (SELFREPAIR_FIDELITY=all) runs every task with 20 mutants each.

var (
	//go:embed testdata/plain/driver.py
	plainDriver []byte
	//go:embed testdata/plain/sitecustomize.py
	plainSite []byte
)

var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

const (
	fidelitySeed    = "12345"         // PYTHONHASHSEED of both runs
	fidelityTimeout = 5 * time.Second // CPU time of a judged run; plain runs get twice this of wall time
)

// knownDifferences are the programs whose judged verdict may differ from
// the plain run's, by task and program ("reference" or the mutant's index),
// each with its reason. A listed program that no longer differs fails the
// test too, so the list stays true.
var knownDifferences = map[string]string{}

// plainResult is how a plain run ended.
type plainResult struct {
	I       int  `json:"i"`
	Exit    *int `json:"exit"`
	Signal  int  `json:"signal"`
	Timeout bool `json:"timeout"`
	Exc     *struct {
		Type    string   `json:"type"`
		Module  string   `json:"module"`
		Message string   `json:"message"`
		Bases   []string `json:"bases"`
	} `json:"exc"`
	Stderr string `json:"stderr"`
	Ended  bool   `json:"ended"` // the program's last line ran
}

// passed: the program ran to its end and exited 0. A program that exits 0
// before its tests end (exit() or os._exit(0) in the solution) has not
// passed: that is the tampering the judge must not count as a pass.
func (p plainResult) passed() bool { return p.Exit != nil && *p.Exit == 0 && !p.Timeout && p.Ended }

func (p plainResult) exitedEarly() bool {
	return p.Exit != nil && *p.Exit == 0 && !p.Timeout && !p.Ended
}

func (p plainResult) class() languages.Class {
	switch {
	case p.passed():
		return languages.Pass
	case p.exitedEarly():
		return languages.OtherRuntime
	case p.Timeout:
		return languages.Timeout
	case p.Signal == 9:
		return languages.Memory
	case p.Exc != nil:
		return python.ClassOf(p.Exc.Type, p.Exc.Bases...)
	}
	return languages.OtherRuntime
}

func (p plainResult) String() string {
	switch {
	case p.passed():
		return "pass"
	case p.exitedEarly():
		return "exit 0 before the tests ended"
	case p.Timeout:
		return "timeout"
	case p.Exc != nil:
		return fmt.Sprintf("%s (%s: %s)", p.class(), p.Exc.Type, short(p.Exc.Message))
	case p.Signal != 0:
		return fmt.Sprintf("signal %d", p.Signal)
	}
	return fmt.Sprintf("exit %d: %s", *p.Exit, short(p.Stderr))
}

func short(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

// plainEnd ends every plain program: it tells the runner the program ran to
// its end (testdata/plain/driver.py looks for the mark).
const plainEnd = "\nimport sys as _selfrepair_sys\n_selfrepair_sys.stderr.write('\\x1eSELFREPAIR-PLAIN-END\\n')\n"

// plainProgram is the program a plain run executes: the tests' harness
// layout of tasks.Task (imports, the solution, setup, tests, the check call).
func plainProgram(t tasks.Task, program string) string {
	var b strings.Builder
	if t.Imports != "" {
		b.WriteString(t.Imports + "\n")
	}
	b.WriteString(program + "\n")
	if t.Setup != "" {
		b.WriteString(t.Setup + "\n")
	}
	b.WriteString(t.Test + "\n")
	if t.EntryPoint != "" {
		b.WriteString("\ncheck(" + t.EntryPoint + ")\n")
	}
	b.WriteString(plainEnd)
	return b.String()
}

// fidelityCase is one program of a task, judged and run plainly.
type fidelityCase struct {
	dataset string
	task    tasks.Task
	name    string // "reference" or "mutant N (how)"
	program string
	plain   plainResult
	judged  languages.Outcome
}

func (c *fidelityCase) key() string {
	name, _, _ := strings.Cut(c.name, " (")
	return c.dataset + " " + c.task.ID + " " + name
}

// agree says whether the judged outcome is the plain run's, and if not how
// they differ.
func (c *fidelityCase) agree() (bool, string) {
	p, j := c.plain, c.judged
	if p.passed() != j.Passed || p.class() != j.Class && !(limit(p.class()) && limit(j.Class)) {
		return false, fmt.Sprintf("plain %s, judged %s", p, describe(j))
	}
	if p.Exc == nil || j.Passed {
		return true, ""
	}
	if j.Class == languages.Assertion {
		// The judge's assertion message says more (the call, expected and
		// actual values); it must still hold the program's own.
		if !strings.Contains(j.Message, p.Exc.Message) {
			return false, fmt.Sprintf("assertion message %q lacks the program's %q", j.Message, p.Exc.Message)
		}
		return true, ""
	}
	if j.ErrorType != p.Exc.Type || j.Message != p.Exc.Message {
		return false, fmt.Sprintf("plain %s, judged %s", p, describe(j))
	}
	return true, ""
}

// limit reports whether c is a resource limit. A program that runs until
// a limit stops it (an endless loop that also grows) agrees with itself
// whichever limit fires first: that is a race between its speed and its
// growth, and the two runs' limits differ by design (the plain run gets
// twice the judged run's time, in wall time).
func limit(c languages.Class) bool { return c == languages.Timeout || c == languages.Memory }

func describe(o languages.Outcome) string {
	if o.Passed {
		return "pass"
	}
	return fmt.Sprintf("%s (%s: %s)", o.Class, o.ErrorType, short(o.Message))
}

// fidelitySandbox is a sandbox whose containers all have fidelitySeed as
// their PYTHONHASHSEED.
func fidelitySandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sharedSandbox(t) // skips under -short, connects the engine
	sb, err := sandbox.New(context.Background(), sbEngine, sandbox.Options{Image: testImage, Size: 2,
		Env: python.New().SeedEnv(fidelitySeed), Preload: python.New().Preload(), Limits: sandbox.Limits{Timeout: fidelityTimeout}})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// runPlain runs the programs plainly, in batches, in the sandbox's image.
func runPlain(t *testing.T, sb *sandbox.Sandbox, cases []*fidelityCase) {
	t.Helper()
	const batch = 24
	var wg sync.WaitGroup
	errs := make(chan error, len(cases)/batch+1)
	sem := make(chan struct{}, 2)
	for lo := 0; lo < len(cases); lo += batch {
		part := cases[lo:min(lo+batch, len(cases))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := runPlainBatch(t.Context(), sb, part); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func runPlainBatch(ctx context.Context, sb *sandbox.Sandbox, cases []*fidelityCase) error {
	progs := make([]string, len(cases))
	for i, c := range cases {
		progs[i] = plainProgram(c.task, c.program)
	}
	env := map[string]string{"PYTHONHASHSEED": fidelitySeed, "PYTHONDONTWRITEBYTECODE": "1",
		"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8"}
	spec, _ := json.Marshal(map[string]any{"progs": progs, "env": env, "timeout": (2 * fidelityTimeout).Seconds()})
	res, err := sb.Run(ctx, sandbox.Job{
		Files: map[string][]byte{"driver.py": plainDriver, "sitecustomize.py": plainSite, "progs.json": spec},
		Argv:  []string{"python3", "driver.py"},
		Env:   map[string]string{"PYTHONDONTWRITEBYTECODE": "1"},
		// Every program may use its whole bound.
		Limits: sandbox.Limits{Timeout: time.Duration(len(cases)+1) * 2 * fidelityTimeout},
	})
	if err != nil {
		return err
	}
	got := 0
	for _, line := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
		var p plainResult
		if err := json.Unmarshal([]byte(line), &p); err != nil || p.I < 0 || p.I >= len(cases) {
			return fmt.Errorf("plain runner: bad line %q (%v); stderr: %s", line, err, res.Stderr)
		}
		cases[p.I].plain = p
		got++
	}
	if got != len(cases) {
		return fmt.Errorf("plain runner: %d of %d results (%s); stderr: %s", got, len(cases), res.Status, res.Stderr)
	}
	return nil
}

// runJudged judges every program.
func runJudged(t *testing.T, sb *sandbox.Sandbox, cases []*fidelityCase) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	var mu sync.Mutex
	var first error
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res, err := sb.Run(t.Context(), python.New().Job(c.task, c.program, sandbox.Limits{}))
			if err == nil && res.Status == sandbox.StatusSandboxError {
				res, err = sb.Run(t.Context(), python.New().Job(c.task, c.program, sandbox.Limits{}))
			}
			if err != nil {
				mu.Lock()
				first = cmp(first, err)
				mu.Unlock()
				return
			}
			c.judged = python.New().Classify(sandbox.Job{}, res)
		}()
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// checkFidelity runs the cases both ways and reports every disagreement
// that knownDifferences does not list, and every listed one that is gone.
func checkFidelity(t *testing.T, cases []*fidelityCase) {
	t.Helper()
	sb := fidelitySandbox(t)
	start := time.Now()
	runPlain(t, sb, cases)
	plainTime := time.Since(start)
	start = time.Now()
	runJudged(t, sb, cases)
	judgeTime := time.Since(start)
	var differ, known, passing, early int
	seen := map[string]bool{}
	for _, c := range cases {
		if c.plain.passed() {
			passing++
		}
		if c.plain.exitedEarly() {
			early++
		}
		ok, why := c.agree()
		reason, listed := knownDifferences[c.key()]
		seen[c.key()] = listed
		switch {
		case !ok && listed:
			known++
			t.Logf("known difference, %s: %s (%s)", c.key(), why, reason)
		case !ok:
			differ++
			t.Errorf("%s %s (%s): %s\nprogram:\n%s", c.dataset, c.task.ID, c.name, why, c.program)
		case listed:
			t.Errorf("%s is listed as a known difference (%s) but agrees now: remove it", c.key(), reason)
		}
	}
	t.Logf("%d programs (%d pass plainly, %d exit 0 before their tests end): %d agree, %d known differences, %d disagree; plain runs %s, judged %s",
		len(cases), passing, early, len(cases)-differ-known, known, differ, plainTime.Round(time.Second), judgeTime.Round(time.Second))
}

// probeTasks reads testdata/fidelity_probes.txt (readable: "=== name
// [entry_point=NAME]", the solution, "--- test", the tests) and loads it as
// a user's tasks file in the generic JSONL format, each probe's solution as
// its reference.
func probeTasks(t *testing.T) *tasks.Dataset {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", "fidelity_probes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, block := range strings.Split(string(text), "\n=== ")[1:] {
		head, rest, _ := strings.Cut(block, "\n")
		fields := strings.Fields(head)
		solution, test, ok := strings.Cut(rest, "--- test\n")
		if len(fields) == 0 || !ok {
			t.Fatalf("probe %q: want a name, the solution, then --- test", head)
		}
		rec := map[string]string{"task_id": fields[0], "reference": solution, "test": test, "style": "program"}
		for _, f := range fields[1:] {
			if ep, ok := strings.CutPrefix(f, "entry_point="); ok {
				rec["entry_point"] = ep
			}
		}
		line, _ := json.Marshal(rec)
		lines = append(lines, string(line))
	}
	path := filepath.Join(t.TempDir(), "probes.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := tasks.Load(path, "")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestFidelityProbes: the hand-written probes.
func TestFidelityProbes(t *testing.T) {
	ds := probeTasks(t)
	only := os.Getenv("SELFREPAIR_PROBES") // a prefix of probe names, to run some alone
	var cases []*fidelityCase
	for _, task := range ds.Tasks {
		if !strings.HasPrefix(task.ID, only) {
			continue
		}
		cases = append(cases, &fidelityCase{dataset: "probes", task: task, name: "reference", program: task.Program(task.ReferenceSample())})
	}
	checkFidelity(t, cases)
}

// TestFidelityDatasets: the datasets' base tests against their references
// and mutants; a sample unless SELFREPAIR_FIDELITY=all.
func TestFidelityDatasets(t *testing.T) {
	all := os.Getenv("SELFREPAIR_FIDELITY") == "all"
	every, mutants := 10, 6
	if all {
		every, mutants = 1, 20
	}
	classes := slices.DeleteFunc(sim.FailureClasses(), func(c languages.Class) bool { return c == languages.Timeout })
	var cases []*fidelityCase
	for _, name := range []string{"humaneval", "mbpp", "mbpp-sanitized-all", "humaneval-plus"} {
		ds, err := tasks.Load(name, dataDir)
		if err != nil {
			t.Fatal(err)
		}
		for i, task := range ds.Tasks {
			if i%every != 0 {
				continue
			}
			task.PlusTest = "" // base tests only
			cases = append(cases, &fidelityCase{dataset: name, task: task, name: "reference", program: task.Program(task.ReferenceSample())})
			for k, m := range sim.Mutants(python.NewCoder(), task, mutants, uint64(i), classes...) {
				s := task.ReferenceSample()
				if s.Completion != "" {
					s.Completion = m.Text
				} else {
					s.Solution = m.Text
				}
				cases = append(cases, &fidelityCase{dataset: name, task: task, name: fmt.Sprintf("mutant %d (%s)", k, m.How), program: task.Program(s)})
			}
		}
	}
	checkFidelity(t, cases)
}
