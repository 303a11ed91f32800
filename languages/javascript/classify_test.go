package javascript

import (
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// meanTask is a small task in HumanEval-X's JavaScript style.
var meanTask = tasks.Task{
	ID:        "Classes/mean",
	Prompt:    "/* The mean of a non-empty list of numbers.\n  >>> mean([1, 2, 3])\n  2\n  */\nconst mean = (xs) => {\n",
	Test:      "const testMean = () => {\n  console.assert(mean([1, 2, 3]) === 2)\n  console.assert(mean([4]) === 4)\n}\n\ntestMean()\n",
	Reference: "  return xs.reduce((a, b) => a + b, 0) / xs.length\n}\n",
	Style:     tasks.Completion,
	Language:  "javascript",
}

// TestErrorClasses runs small broken programs, each failing one way,
// against real tests in the sandbox and checks the class, the error type,
// the phase and the lines, from node's real output.
func TestErrorClasses(t *testing.T) {
	sb := sharedSandbox(t)
	p := meanTask.Prompt // 5 lines: the body starts at line 6
	cases := []struct {
		name      string
		program   string
		class     languages.Class
		errorType string
		line      int // of the solution (0: not checked)
		testLine  int // of the tests (0: not checked)
	}{
		{"pass", p + meanTask.Reference, languages.Pass, "", 0, 0},
		{"syntax-paren", p + "  return (xs.length\n}\n", languages.Syntax, "SyntaxError", 7, 0},
		{"syntax-token", p + "  const = 3\n  return 1\n}\n", languages.Syntax, "SyntaxError", 6, 0},
		{"syntax-redeclared", p + "  return 2\n}\nconst mean = 3\n", languages.Syntax, "SyntaxError", 8, 0},
		{"syntax-unclosed", p + "  if (xs.length) {\n    return 2\n}\n", languages.Syntax, "SyntaxError", 0, 0},
		{"name", p + "  return total / xs.length\n}\n", languages.Name, "ReferenceError", 6, 2},
		{"name-before-init", p + "  const s = t + 1\n  const t = 2\n  return s\n}\n", languages.Name, "ReferenceError", 6, 2},
		{"missing-function", "const average = (xs) => 2\n", languages.Name, "ReferenceError", 0, 2},
		{"assertion", p + "  return xs.reduce((a, b) => a + b, 0) / xs.length + 1\n}\n", languages.Assertion, "AssertionError", 0, 2},
		{"assertion-second", p + "  return xs.length === 1 ? 0 : 2\n}\n", languages.Assertion, "AssertionError", 0, 3},
		{"type-const", p + "  const n = xs.length\n  n = 2\n  return n\n}\n", languages.Type, "TypeError", 7, 2},
		{"type-bigint", p + "  return xs[0] - 1n\n}\n", languages.Type, "TypeError", 6, 2},
		{"type-not-iterable", p + "  const [a] = xs.length\n  return a\n}\n", languages.Type, "TypeError", 6, 2},
		{"value-json", p + "  return JSON.parse('{')\n}\n", languages.Value, "SyntaxError", 6, 2},
		{"value-range", p + "  return 'x'.repeat(-1)\n}\n", languages.Value, "RangeError", 6, 2},
		{"index", p + "  return xs[xs.length].valueOf()\n}\n", languages.Index, "TypeError", 6, 2},
		{"index-nested", p + "  const m = [xs]\n  return m[1][0]\n}\n", languages.Index, "TypeError", 7, 2},
		{"attribute-null", p + "  const o = null\n  return o.total\n}\n", languages.Attribute, "TypeError", 7, 2},
		{"attribute-method", p + "  return xs.sum()\n}\n", languages.Attribute, "TypeError", 6, 2},
		{"zero-division", p + "  return Number(BigInt(xs[0]) / 0n)\n}\n", languages.ZeroDivision, "RangeError", 6, 2},
		{"recursion", p + "  return mean(xs)\n}\n", languages.Recursion, "RangeError", 6, 0},
		{"import", p + "  const _ = require('lodash')\n  return 2\n}\n", languages.Import, "Error", 6, 2},
		{"other-runtime", p + "  throw new Error('no')\n}\n", languages.OtherRuntime, "Error", 6, 2},
		{"thrown-string", p + "  throw 'no'\n}\n", languages.OtherRuntime, "Uncaught", 6, 0},
		{"early-exit", p + "  process.exit(0)\n}\n", languages.OtherRuntime, "EarlyExit", 0, 0},
		{"exit-status", "process.exitCode = 3\n" + p + meanTask.Reference, languages.OtherRuntime, "ExitStatus", 0, 0},
		{"printed", p + "  console.log(xs)\n  return xs.reduce((a, b) => a + b, 0) / xs.length\n}\n", languages.OtherRuntime, "UnexpectedOutput", 0, 0},
		{"late-throw", p + "  setTimeout(() => { throw new TypeError('late') })\n  return xs.reduce((a, b) => a + b, 0) / xs.length\n}\n", languages.Type, "TypeError", 6, 0},
		{"timeout", p + "  while (true) {}\n}\n", languages.Timeout, "Timeout", 0, 0},
		{"memory", p + "  const a = []\n  while (true) a.push(new Array(1e6).fill(1.5))\n}\n", languages.Memory, "", 0, 0},
		// node queues what it cannot write to a full pipe, and an endless
		// loop never lets it flush: the flood must end for node to write it.
		{"output-limit", p + "  for (let i = 0; i < 64; i++) console.log('x'.repeat(65536))\n  return 2\n}\n", languages.OutputLimit, "OutputLimit", 0, 0},
		{"output-limit-sync", p + "  while (true) require('fs').writeSync(1, 'x'.repeat(65536))\n}\n", languages.OutputLimit, "OutputLimit", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			switch c.class {
			case languages.Memory:
				limits.Timeout = 0 // the default: filling 512 MiB takes seconds where page faults are slow
			case languages.Timeout:
				limits.Timeout = time.Second
			case languages.OutputLimit:
				limits.OutputLimit = 1 << 16
			}
			out, res := judge(t, sb, meanTask, c.program, limits)
			if out.Class != c.class || (c.errorType != "" && out.ErrorType != c.errorType) || out.Passed != (c.class == languages.Pass) {
				t.Errorf("got %s %s (%s), want %s %s\nbuild: %s\nstdout: %s\nstderr: %s", out.Class, out.ErrorType, out.Message, c.class, c.errorType,
					head(res.BuildOutput), head(res.Stdout), head(res.Stderr))
			}
			wantPhase := "test"
			switch {
			case c.class == languages.Syntax:
				wantPhase = "load"
			case c.class == languages.Pass || c.class == languages.Timeout || c.class == languages.OutputLimit:
				wantPhase = ""
			case c.class == languages.Memory && out.ErrorType == "MemoryError" && out.Phase == "test":
				wantPhase = "test" // V8's own heap limit, not the container's
			}
			if out.Phase != wantPhase {
				t.Errorf("phase %q, want %q", out.Phase, wantPhase)
			}
			if c.line != 0 && out.Line != c.line {
				t.Errorf("solution line %d (%q), want %d; message %q", out.Line, out.LineText, c.line, out.Message)
			}
			if c.testLine != 0 && (out.TestLine != c.testLine || out.TestText != strings.TrimSpace(lineAt(meanTask.Test, c.testLine))) {
				t.Errorf("test line %d (%q), want %d", out.TestLine, out.TestText, c.testLine)
			}
			if strings.Contains(out.Traceback, driverPath) || strings.Contains(out.Traceback, "__selfrepair_end_") {
				t.Errorf("the traceback shows the driver:\n%s", out.Traceback)
			}
			if c.class == languages.Syntax && !strings.HasPrefix(out.Message, "test.js:") {
				t.Errorf("a syntax error's message without its file:line: %q", out.Message)
			}
			if strings.Contains(out.Message, "\n") {
				t.Errorf("a message of several lines: %q", out.Message)
			}
		})
	}
}

// head is the start of a job's output, for messages.
func head(b []byte) string {
	if len(b) > 2048 {
		return string(b[:2048]) + "..."
	}
	return string(b)
}

// TestSuiteSyntaxError runs two suites where only the second one's file
// does not compile (the program declares a name its tests declare too):
// that suite fails with a syntax error, the other passes.
func TestSuiteSyntaxError(t *testing.T) {
	sb := sharedSandbox(t)
	task := meanTask
	task.VisibleTest = "const testVisible = () => {\n  console.assert(mean([2]) === 2)\n}\ntestVisible()\n"
	program := meanTask.Prompt + meanTask.Reference + "const testVisible = 1\n"
	out, res := judge(t, sb, task, program, sandbox.Limits{}, languages.Base, languages.Visible)
	base, visible := out.Suites[languages.Base], out.Suites[languages.Visible]
	if base == nil || visible == nil || !base.Passed || visible.Class != languages.Syntax || visible.Phase != "load" || out.Passed {
		t.Errorf("got %+v\nbase %+v\nvisible %+v\nstdout: %s\nstderr: %s", out, base, visible, head(res.Stdout), head(res.Stderr))
	}
}
