package golang_test

import (
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// meanTask is a task in HumanEval-X's Go shape. Its prompt's stub opens on
// line 6, so a completion's first line is line 7 of the program.
var meanTask = tasks.Task{ID: "Classes/Mean", Language: "go", Style: tasks.Completion,
	Prompt: "import (\n    \"math\"\n)\n\n// Mean of a non-empty list.\nfunc Mean(xs []int) float64 {\n",
	Setup:  "package main\n\nimport (\n    \"testing\"\n    \"github.com/stretchr/testify/assert\"\n)\n",
	Test: "func TestMean(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(2.0, Mean([]int{1, 2, 3}))\n" +
		"    assert.Equal(4.0, Mean([]int{4}))\n}\n",
	VisibleTest: "func TestMean(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(4.0, Mean([]int{4}))\n}\n",
	Reference:   "    s := 0\n    for _, x := range xs {\n        s += x\n    }\n    return math.Round(float64(s) / float64(len(xs)))\n}\n",
}

// TestErrorClasses runs real programs, each failing one way, against real
// tests in the sandbox, and checks the class, the error type and the lines
// the classifier reads from the compiler's and the runtime's own output.
func TestErrorClasses(t *testing.T) {
	sb := sharedSandbox(t)
	task := meanTask
	body := func(code string) string { return code } // a completion, after the prompt
	cases := []struct {
		name      string
		code      string // the answer
		class     languages.Class
		errorType string
		line      int // of the solution
		testLine  int // of the tests
		phase     string
	}{
		{"pass", body(task.Reference), languages.Pass, "", 0, 0, ""},
		{"syntax", body("    return (float64(len(xs))\n}\n"), languages.Syntax, "SyntaxError", 7, 0, "load"},
		{"syntax-missing-brace", body("    if len(xs) > 0 {\n        return 1\n    \n    return 0\n}\n"), languages.Syntax, "SyntaxError", 12, 0, "load"},
		{"body-without-its-brace", body("    return 4\n"), languages.Assertion, "assert.Equal", 0, 3, "test"},
		{"undefined-name", body("    return total / float64(len(xs))\n}\n"), languages.Name, "UndeclaredName", 7, 0, "load"},
		{"undefined-package-member", body("    return math.Average(xs)\n}\n"), languages.Name, "UndeclaredImportedName", 7, 0, "load"},
		{"missing-method", body("    return xs.Mean()\n}\n"), languages.Name, "MissingFieldOrMethod", 7, 0, "load"},
		{"type-return", body("    return len(xs)\n}\n"), languages.Type, "IncompatibleAssign", 7, 0, "load"},
		{"type-mismatch", body("    return float64(xs[0]) + len(xs)\n}\n"), languages.Type, "MismatchedTypes", 7, 0, "load"},
		{"type-arguments", body("    return math.Sqrt(1, 2)\n}\n"), languages.Type, "WrongArgCount", 7, 0, "load"},
		{"type-in-tests", "func Mean(xs []float64) float64 {\n    return xs[0]\n}\n", languages.Type, "IncompatibleAssign", 0, 3, "load"},
		{"unused-variable", body("    n := 0\n    return 1\n}\n"), languages.Syntax, "UnusedVar", 7, 0, "load"},
		{"missing-return", body("    if len(xs) > 0 {\n        return 1\n    }\n}\n"), languages.Syntax, "MissingReturn", 10, 0, "load"},
		{"import", "import \"example.com/nothere\"\n\nfunc Mean(xs []int) float64 {\n    return nothere.Mean(xs)\n}\n",
			languages.Import, "BrokenImport", 3, 0, "load"},
		{"assertion", body("    return 2.0\n}\n"), languages.Assertion, "assert.Equal", 0, 4, "test"},
		{"index", body("    return float64(xs[len(xs)])\n}\n"), languages.Index, "runtime.boundsError", 7, 3, "test"},
		{"slice-bounds", body("    return float64(len(xs[1:len(xs)+1]))\n}\n"), languages.Index, "runtime.boundsError", 7, 3, "test"},
		{"nil-dereference", body("    var p *int\n    return float64(*p)\n}\n"), languages.Attribute, "runtime.errorString", 8, 3, "test"},
		{"nil-map", body("    var m map[int]int\n    m[1] = 1\n    return 0\n}\n"), languages.Type, "runtime.plainError", 8, 3, "test"},
		{"type-assertion", body("    var v interface{} = xs\n    return v.(float64)\n}\n"), languages.Type, "*runtime.TypeAssertionError", 8, 3, "test"},
		{"zero-division", body("    n := 0\n    return float64(len(xs) / n)\n}\n"), languages.ZeroDivision, "runtime.errorString", 8, 3, "test"},
		{"value", body("    n, err := strconv.Atoi(\"x\")\n    if err != nil {\n        panic(err)\n    }\n    return float64(n)\n}\n"),
			languages.Value, "*strconv.NumError", 9, 3, "test"},
		{"other-panic", body("    panic(\"not implemented\")\n}\n"), languages.OtherRuntime, "string", 7, 3, "test"},
		{"recursion", body("    return Mean(xs)\n}\n"), languages.Recursion, "fatal error", 7, 0, "test"},
		{"goroutine-panic", body("    done := make(chan bool)\n    go func() { panic(\"boom\") }()\n    <-done\n    return 0\n}\n"),
			languages.OtherRuntime, "panic", 8, 0, "test"},
		{"deadlock", body("    select {}\n}\n"), languages.OtherRuntime, "fatal error", 7, 0, "test"},
		{"exit-status", "import \"os\"\n\nfunc Mean(xs []int) float64 {\n    os.Exit(3)\n    return 0\n}\n", languages.OtherRuntime, "EarlyExit", 0, 0, "test"},
		{"panic-at-init", body("    return 0\n}\n\nvar table = []int{}[1:]\n"), languages.Index, "runtime.boundsError", 10, 0, "load"},
		{"timeout", body("    for {\n    }\n}\n"), languages.Timeout, "Timeout", 0, 0, ""},
		{"memory", body("    s := make([]int64, 1<<27)\n    for i := range s {\n        s[i] = int64(i)\n    }\n    return float64(s[9])\n}\n"),
			languages.Memory, "", 0, 0, ""},
		{"memory-growth", body("    var b [][]byte\n    for {\n        b = append(b, make([]byte, 1<<20))\n        b[len(b)-1][0] = 1\n    }\n}\n"),
			languages.Memory, "", 0, 0, ""},
		{"output-limit", body("    for {\n        fmt.Println(strings.Repeat(\"x\", 1<<16))\n    }\n}\n"), languages.OutputLimit, "OutputLimit", 0, 0, ""},
	}
	lang := golang.New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			switch c.name {
			case "timeout":
				limits.Timeout = time.Second
			case "output-limit":
				limits.OutputLimit = 1 << 16
			case "memory", "memory-growth":
				limits.Timeout = 0 // the default: filling 512 MiB takes seconds where page faults are slow
			}
			program := lang.Program(task, c.code)
			out, res := judge(t, sb, task, program, limits, languages.Base, languages.Visible)
			if out.Class != c.class || (c.errorType != "" && out.ErrorType != c.errorType) || out.Passed != (c.class == languages.Pass) {
				t.Errorf("got %s %s (%s), want %s %s\nbuild: %s\nstdout: %.2000s\nstderr: %.2000s", out.Class, out.ErrorType, out.Message,
					c.class, c.errorType, res.BuildOutput, res.Stdout, res.Stderr)
			}
			if out.Line != c.line {
				t.Errorf("solution line %d (%q), want %d", out.Line, out.LineText, c.line)
			}
			if c.testLine != 0 && out.TestLine != c.testLine {
				t.Errorf("test line %d (%q), want %d", out.TestLine, out.TestText, c.testLine)
			}
			if out.Phase != c.phase {
				t.Errorf("phase %q, want %q", out.Phase, c.phase)
			}
			if out.Line != 0 && out.LineText != strings.TrimSpace(strings.Split(program, "\n")[out.Line-1]) {
				t.Errorf("line text %q is not line %d of the program", out.LineText, out.Line)
			}
			if !out.Passed && (out.Message == "" || strings.Contains(out.Message, "\n")) {
				t.Errorf("message %q: want one line", out.Message)
			}
			for _, leak := range []string{"selfrepair/driver", "/work/", languages.TokenEnv} {
				if strings.Contains(out.Traceback+out.Message, leak) {
					t.Errorf("%q in the feedback:\n%s\n%s", leak, out.Message, out.Traceback)
				}
			}
			if len(out.Traceback) > 5<<10 {
				t.Errorf("traceback of %d bytes", len(out.Traceback))
			}
			t.Logf("%s %s line %d test line %d: %s", out.Class, out.ErrorType, out.Line, out.TestLine, out.Message)
		})
	}
}

// TestSuiteVerdicts checks the verdict of each suite of one job: a
// solution right on the examples and wrong on the tests, one that panics
// in the tests only, and one that dies in the first suite.
func TestSuiteVerdicts(t *testing.T) {
	sb := sharedSandbox(t)
	task := meanTask
	lang := golang.New()
	cases := []struct {
		name          string
		code          string
		suites        []languages.Suite
		base, visible bool
		class         languages.Class
	}{
		{"examples-only", "    if len(xs) == 1 {\n        return float64(xs[0])\n    }\n    return 0\n}\n",
			[]languages.Suite{languages.Base, languages.Visible}, false, true, languages.Assertion},
		{"examples-first", "    if len(xs) == 1 {\n        return float64(xs[0])\n    }\n    return 0\n}\n",
			[]languages.Suite{languages.Visible, languages.Base}, false, true, languages.Assertion},
		{"panic-in-tests-only", "    if len(xs) == 1 {\n        return float64(xs[0])\n    }\n    return float64(xs[len(xs)])\n}\n",
			[]languages.Suite{languages.Base, languages.Visible}, false, true, languages.Index},
		{"fatal-in-first-suite", "    if len(xs) == 1 {\n        return float64(xs[0])\n    }\n    return Mean(xs)\n}\n",
			[]languages.Suite{languages.Base, languages.Visible}, false, false, languages.Recursion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, res := judge(t, sb, task, lang.Program(task, c.code), sandbox.Limits{Timeout: 3 * time.Second}, c.suites...)
			b, v := out.Suites[languages.Base], out.Suites[languages.Visible]
			if out.Passed || b == nil || v == nil || b.Passed != c.base || v.Passed != c.visible || out.Class != c.class {
				t.Fatalf("outcome %+v, base %+v, visible %+v\nstdout: %s\nstderr: %.1500s", out, b, v, res.Stdout, res.Stderr)
			}
			if !c.visible && v.Class != c.class {
				t.Errorf("visible: %s, want %s", v.Class, c.class)
			}
		})
	}
}
