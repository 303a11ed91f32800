package fix

import (
	"slices"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
)

func cases(kv ...string) []testlog.Case {
	var cs []testlog.Case
	for i := 0; i < len(kv); i += 2 {
		cs = append(cs, testlog.Case{Name: kv[i], Status: testlog.Status(kv[i+1])})
	}
	return cs
}

func TestBaseline(t *testing.T) {
	p, f, s := "passed", "failed", "skipped"
	exitPlan := testlog.Instrument("make check")
	for _, c := range []struct {
		name                         string
		runs                         []run
		targets, guards, quarantined []string
	}{
		{"stable", []run{
			{log: testlog.Log{Cases: cases("a", f, "b", p, "c", s)}, exit: 1, status: "exited"},
			{log: testlog.Log{Cases: cases("a", f, "b", p, "c", s)}, exit: 1, status: "exited"},
			{log: testlog.Log{Cases: cases("a", f, "b", p, "c", s)}, exit: 1, status: "exited"},
		}, []string{"a"}, []string{"b"}, nil},
		{"flaky", []run{
			{log: testlog.Log{Cases: cases("a", f, "flaky", p)}, exit: 1, status: "exited"},
			{log: testlog.Log{Cases: cases("a", f, "flaky", f)}, exit: 1, status: "exited"},
			{log: testlog.Log{Cases: cases("a", f, "flaky", p)}, exit: 1, status: "exited"},
		}, []string{"a"}, nil, []string{"flaky"}},
		{"build error: the command is the target", []run{
			{log: testlog.Log{Errors: []string{"x.go:3: undefined: y"}}, exit: 1, status: "exited"},
			{log: testlog.Log{Errors: []string{"x.go:3: undefined: y"}}, exit: 1, status: "exited"},
			{log: testlog.Log{Errors: []string{"x.go:3: undefined: y"}}, exit: 1, status: "exited"},
		}, []string{testlog.ExitCase}, nil, nil},
		// Judged by its exit status, a command stopped by the time limit
		// every time (an infinite loop) has failed, not passed: the sandbox
		// gives no exit code then (0).
		{"exit status: a hang every time is the target", []run{
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusTimeout}),
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusTimeout}),
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusMemory}),
		}, []string{testlog.ExitCase}, nil, nil},
		{"exit status: a hang once is quarantined", []run{
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusExited}),
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusTimeout}),
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusExited}),
		}, nil, nil, []string{testlog.ExitCase}},
		{"exit status: a clean exit every time passes", []run{
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusExited}),
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusExited}),
			newRun(exitPlan, &sandbox.Result{Status: sandbox.StatusExited}),
		}, nil, nil, nil},
		{"all pass", []run{
			{log: testlog.Log{Cases: cases("a", p)}, status: "exited"},
			{log: testlog.Log{Cases: cases("a", p)}, status: "exited"},
			{log: testlog.Log{Cases: cases("a", p)}, status: "exited"},
		}, nil, []string{"a"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBaseline(c.runs)
			if !slices.Equal(b.targets, c.targets) || !slices.Equal(b.guards, c.guards) || !slices.Equal(b.quarantined, c.quarantined) {
				t.Errorf("targets %v guards %v quarantined %v, want %v %v %v", b.targets, b.guards, b.quarantined, c.targets, c.guards, c.quarantined)
			}
		})
	}
}

// TestGrade: SWE-bench's rules, and the ways a patch may look like a fix
// without being one.
func TestGrade(t *testing.T) {
	p, f, s := "passed", "failed", "skipped"
	b := baseline{targets: []string{"t1", "t2"}, guards: []string{"g"}}
	for _, c := range []struct {
		name    string
		r       run
		fixed   bool
		passing int
		void    bool
		broken  int
	}{
		{"fixed", run{log: testlog.Log{Cases: cases("t1", p, "t2", p, "g", p)}, status: "exited"}, true, 2, false, 0},
		{"partly", run{log: testlog.Log{Cases: cases("t1", p, "t2", f, "g", p)}, exit: 1, status: "exited"}, false, 1, false, 0},
		{"a guard broken", run{log: testlog.Log{Cases: cases("t1", p, "t2", p, "g", f)}, exit: 1, status: "exited"}, false, 2, false, 1},
		{"a skipped target has failed", run{log: testlog.Log{Cases: cases("t1", p, "t2", s, "g", p)}, status: "exited"}, false, 1, false, 0},
		{"a missing target has failed, a missing guard is broken", run{log: testlog.Log{Cases: cases("t1", p)}, status: "exited"}, false, 1, false, 1},
		{"no test reported: an early exit", run{status: "exited"}, false, 0, true, 1},
		{"non-zero exit, no failing test", run{log: testlog.Log{Cases: cases("t1", p, "t2", p, "g", p)}, exit: 2, status: "exited"}, false, 0, true, 0},
		{"a fake pass after a real failure", run{log: testlog.Log{Cases: cases("t1", f, "t1", p, "t2", p, "g", p)}, exit: 1, status: "exited"}, false, 1, false, 0},
		{"timed out", run{log: testlog.Log{Cases: cases("t1", p, "t2", p, "g", p)}, status: "timeout"}, false, 0, true, 0},
		// Named tests that go missing while others appear (say, ids
		// parametrized from the code) have failed.
		{"new tests in place of named ones", run{log: testlog.Log{Cases: cases("t3", p, "g", p)}, status: "exited"}, false, 0, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := b.grade(c.r)
			if got := fixed(tr, len(b.targets)); got != c.fixed || tr.TargetsPassing != c.passing || (tr.Void != "") != c.void || len(tr.Broken) != c.broken {
				t.Errorf("fixed %v passing %d void %q broken %v; want fixed %v passing %d void %v broken %d",
					got, tr.TargetsPassing, tr.Void, tr.Broken, c.fixed, c.passing, c.void, c.broken)
			}
		})
	}
}

// TestGradeWholeFile: a target that is a whole test file (or module)
// that failed to load passes when the file's own tests take its place and
// all pass, and in no other case.
func TestGradeWholeFile(t *testing.T) {
	p, f, s := "passed", "failed", "skipped"
	b := baseline{targets: []string{"/work/test.js", "tests.test_calc"}, guards: []string{"other"}}
	b.markWhole([]string{"test.js", "solution.js", "tests/test_calc.py", "calc.py"}, func(p string) bool { return strings.HasPrefix(p, "test") })
	if len(b.whole) != 2 {
		t.Fatalf("whole files %v, want both targets", b.whole)
	}
	for _, c := range []struct {
		name  string
		r     run
		fixed bool
	}{
		{"the file's tests run and pass", run{log: testlog.Log{Cases: cases("testOddCount", p, "other", p)}, status: "exited"}, true},
		{"one of them fails", run{log: testlog.Log{Cases: cases("testOddCount", p, "testTwo", f, "other", p)}, exit: 1, status: "exited"}, false},
		{"the file still fails", run{log: testlog.Log{Cases: cases("/work/test.js", f, "other", p)}, exit: 1, status: "exited"}, false},
		{"no new test: only the guard ran", run{log: testlog.Log{Cases: cases("other", p)}, status: "exited"}, false},
		{"the new tests are skipped", run{log: testlog.Log{Cases: cases("testOddCount", s, "other", p)}, status: "exited"}, false},
		{"the file is reported skipped", run{log: testlog.Log{Cases: cases("/work/test.js", s, "testOddCount", p, "other", p)}, status: "exited"}, false},
		{"an early exit after a new test", run{log: testlog.Log{Cases: cases("testOddCount", p, "other", p)}, exit: 3, status: "exited"}, false},
		{"the guard breaks", run{log: testlog.Log{Cases: cases("testOddCount", p)}, status: "exited"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := b.grade(c.r)
			if got := fixed(tr, len(b.targets)); got != c.fixed {
				t.Errorf("fixed %v, want %v (%+v)", got, c.fixed, tr)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		paths []string
		want  string
	}{
		{[]string{"go.mod", "main.go", "x.py"}, "go"},
		{[]string{"package.json", "index.js"}, "javascript"},
		{[]string{"Cargo.toml", "src/main.rs"}, "rust"},
		{[]string{"pom.xml"}, "java"},
		{[]string{"pyproject.toml"}, "python"},
		{[]string{"a.py", "b.py", "c.js"}, "python"},
		{[]string{"solution.hpp", "test.cpp"}, "cpp"},
		{[]string{"README.md"}, ""},
	} {
		if got := Detect(c.paths); got != c.want {
			t.Errorf("Detect(%v) = %q, want %q", c.paths, got, c.want)
		}
	}
}

// TestLocate: the place a failure points to, as each runner prints it.
func TestLocate(t *testing.T) {
	paths := []string{"calc.py", "tests/test_calc.py", "src/main/java/calc/CalcTest.java", "src/lib.rs", "web/sum.test.js", "pkg/a/a_test.go", "x/a.py", "y/a.py"}
	for _, c := range []struct {
		text, file string
		line       int
	}{
		{"def test_add():\n>       assert add(1, 2) == 3\nE       assert -1 == 3\n\ntests/test_calc.py:7: AssertionError", "tests/test_calc.py", 7},
		{"Traceback (most recent call last):\n  File \"/work/tests/test_calc.py\", line 9, in test_add\n  File \"/work/calc.py\", line 2, in add", "tests/test_calc.py", 9},
		{"    a_test.go:12: want 3, got -1", "pkg/a/a_test.go", 12},
		{"java.lang.AssertionError: expected:<3> but was:<-1>\n\tat org.junit.Assert.fail(Assert.java:89)\n\tat calc.CalcTest.adds(CalcTest.java:5)", "src/main/java/calc/CalcTest.java", 5},
		{"thread 'tests::upper' panicked at 'assertion failed', src/lib.rs:5:9", "src/lib.rs", 5},
		{"    at Object.<anonymous> (/work/web/sum.test.js:4:17)", "web/sum.test.js", 4},
		{"  File \"/usr/lib/python3/dist-packages/a.py\", line 3", "", 0}, // not the repository's, and a.py is two files
		{"a.py:3: two files have that name", "", 0},
		{"no place at all", "", 0},
	} {
		file, line := locate(c.text, paths)
		if file != c.file || line != c.line {
			t.Errorf("locate(%q) = %s:%d, want %s:%d", c.text, file, line, c.file, c.line)
		}
	}
}
