package python_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const testImage = "selfrepair/python:bookworm"

var (
	sbOnce   sync.Once
	sbEngine *sandbox.Engine
	sbShared *sandbox.Sandbox
	sbErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if sbShared != nil {
		sbShared.Close()
	}
	if sbEngine != nil {
		sbEngine.Close()
	}
	os.Exit(code)
}

// sharedSandbox is the package's one sandbox, made on first use and closed
// by TestMain. Docker tests are skipped under -short.
func sharedSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker and the " + testImage + " image")
	}
	sbOnce.Do(func() {
		ctx := context.Background()
		sbEngine, sbErr = sandbox.NewEngine(ctx)
		if sbErr != nil {
			return
		}
		sbShared, sbErr = sandbox.New(ctx, sbEngine, sandbox.Options{Image: testImage, Size: 3})
	})
	if sbErr != nil {
		t.Fatalf("sandbox: %v", sbErr)
	}
	return sbShared
}

// runProgram runs program against task's tests and classifies the result.
func runProgram(t *testing.T, sb *sandbox.Sandbox, task tasks.Task, program string, limits sandbox.Limits) (languages.Outcome, *sandbox.Result) {
	t.Helper()
	res, err := sb.Run(context.Background(), python.New().Job(task, program, limits))
	if err != nil {
		t.Fatalf("sandbox run: %v", err)
	}
	return python.New().Classify(sandbox.Job{}, res), res
}

// Tracebacks as python3 3.11 prints them.
const (
	tbName = `Traceback (most recent call last):
  File "/tmp/tb.py", line 3, in <module>
    f()
  File "/tmp/tb.py", line 2, in f
    return undefined_name
           ^^^^^^^^^^^^^^
NameError: name 'undefined_name' is not defined
`
	tbModulePath = `Traceback (most recent call last):
  File "/tmp/tb.py", line 2, in <module>
    json.loads('{bad')
  File "/usr/lib/python3.11/json/decoder.py", line 353, in raw_decode
    obj, end = self.scan_once(s, idx)
               ^^^^^^^^^^^^^^^^^^^^^^
json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)
`
	tbSyntax = `  File "/tmp/tb.py", line 1
    def f(:
          ^
SyntaxError: invalid syntax
`
	tbIndent = `  File "/tmp/tb.py", line 2
    pass
    ^
IndentationError: expected an indented block after 'if' statement on line 1
`
	tbChained = `Traceback (most recent call last):
  File "/tmp/tb.py", line 2, in <module>
    1/0
    ~^~
ZeroDivisionError: division by zero

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/tmp/tb.py", line 4, in <module>
    raise ValueError('bad: value')
ValueError: bad: value
`
	tbMultiline = `Traceback (most recent call last):
  File "/tmp/tb.py", line 3, in <module>
    raise MyErr('multi\nline')
MyErr: multi
line
`
	tbFakeFirst = `Traceback (most recent call last):
  File "x", line 1
Fake: nope
Traceback (most recent call last):
  File "/tmp/tb.py", line 4, in <module>
    raise KeyError('k')
KeyError: 'k'
`
	tbUnbound = `Traceback (most recent call last):
  File "/tmp/tb.py", line 4, in <module>
    f()
  File "/tmp/tb.py", line 3, in f
    x += 1
    ^
UnboundLocalError: cannot access local variable 'x' where it is not associated with a value
`
	tbBare = `Traceback (most recent call last):
  File "/tmp/tb.py", line 1, in <module>
    raise StopIteration
StopIteration
`
)

func TestFinalException(t *testing.T) {
	cases := []struct {
		name, stderr string
		typ, msg     string
		line         int
		class        languages.Class
	}{
		{"name", tbName, "NameError", "name 'undefined_name' is not defined", 2, languages.Name},
		{"module-path", tbModulePath, "JSONDecodeError", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", 353, languages.OtherRuntime},
		{"syntax", tbSyntax, "SyntaxError", "invalid syntax", 1, languages.Syntax},
		{"indentation", tbIndent, "IndentationError", "expected an indented block after 'if' statement on line 1", 2, languages.Syntax},
		{"chained", tbChained, "ValueError", "bad: value", 4, languages.Value},
		{"multi-line-message", tbMultiline, "MyErr", "multi\nline", 3, languages.OtherRuntime},
		{"fake-then-real", "output before\n" + tbFakeFirst, "KeyError", "'k'", 4, languages.Key},
		{"unbound-local", tbUnbound, "UnboundLocalError", "cannot access local variable 'x' where it is not associated with a value", 3, languages.Name},
		{"no-message", tbBare, "StopIteration", "", 1, languages.OtherRuntime},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			typ, msg, line, ok := python.FinalException(c.stderr)
			if !ok || typ != c.typ || msg != c.msg || line != c.line {
				t.Errorf("got (%q, %q, %d, %v), want (%q, %q, %d)", typ, msg, line, ok, c.typ, c.msg, c.line)
			}
			if got := python.ClassOf(typ); got != c.class {
				t.Errorf("class %s, want %s", got, c.class)
			}
		})
	}
	for _, s := range []string{"", "hello\n", "Error: not a traceback\n"} {
		if typ, _, _, ok := python.FinalException(s); ok {
			t.Errorf("%q: found %q", s, typ)
		}
	}
}

func TestClassOfBases(t *testing.T) {
	cases := []struct {
		typ   string
		bases []string
		want  languages.Class
	}{
		{"JSONDecodeError", []string{"ValueError", "Exception", "BaseException", "object"}, languages.Value},
		{"MyLookup", []string{"KeyError", "LookupError", "Exception"}, languages.Key},
		{"TabError", nil, languages.Syntax},
		{"FileNotFoundError", []string{"OSError", "Exception"}, languages.OtherRuntime},
		{"ModuleNotFoundError", []string{"ImportError"}, languages.Import},
	}
	for _, c := range cases {
		if got := python.ClassOf(c.typ, c.bases...); got != c.want {
			t.Errorf("ClassOf(%s, %v) = %s, want %s", c.typ, c.bases, got, c.want)
		}
	}
}

// TestErrorClasses runs real solutions, each failing one way, against real
// tests in the sandbox and checks the class, the exception and the line.
func TestErrorClasses(t *testing.T) {
	sb := sharedSandbox(t)
	task := tasks.Task{ID: "Classes/mean", Prompt: "def mean(xs):\n    \"\"\"The mean of a non-empty list.\"\"\"\n", EntryPoint: "mean",
		Style: tasks.Completion, Test: "def check(candidate):\n    assert candidate([1, 2, 3]) == 2\n    assert candidate([4]) == 4\n",
		Reference: "    return sum(xs) / len(xs)\n"}
	mbpp := tasks.Task{ID: "Classes/first", Style: tasks.Program, Test: "assert first([5, 6]) == 5\nassert first([7]) == 7",
		Reference: "def first(xs):\n    return xs[0]\n"}
	cases := []struct {
		name      string
		task      tasks.Task
		program   string
		class     languages.Class
		errorType string
		line      int // of the solution, when the exception came from it
	}{
		{"pass", task, task.Prompt + task.Reference, languages.Pass, "", 0},
		{"syntax", task, task.Prompt + "    return sum(xs / len(xs)\n", languages.Syntax, "SyntaxError", 3},
		{"indentation", task, task.Prompt + "  return 1\n    return 2\n", languages.Syntax, "IndentationError", 3},
		{"tab", task, "def mean(xs):\n    if xs:\n\treturn 1\n    return 0\n", languages.Syntax, "TabError", 3},
		{"name", task, task.Prompt + "    return total / len(xs)\n", languages.Name, "NameError", 3},
		{"unbound-local", task, task.Prompt + "    if not xs:\n        s = 0\n    return s / len(xs)\n", languages.Name, "UnboundLocalError", 5},
		{"assertion", task, task.Prompt + "    return sum(xs) // len(xs) + 1\n", languages.Assertion, "AssertionError", 0},
		{"assertion-in-solution", task, task.Prompt + "    assert len(xs) > 5, 'too short'\n    return 0\n", languages.Assertion, "AssertionError", 3},
		{"type", task, task.Prompt + "    return sum(xs) + '0'\n", languages.Type, "TypeError", 3},
		{"value", task, task.Prompt + "    return int('two')\n", languages.Value, "ValueError", 3},
		{"value-subclass", task, task.Prompt + "    import json\n    return json.loads('{')\n", languages.Value, "JSONDecodeError", 0},
		{"index", task, task.Prompt + "    return xs[len(xs)]\n", languages.Index, "IndexError", 3},
		{"key", task, task.Prompt + "    return {}[xs[0]]\n", languages.Key, "KeyError", 3},
		{"attribute", task, task.Prompt + "    return xs.mean()\n", languages.Attribute, "AttributeError", 3},
		{"import", task, "import numpy\n" + task.Prompt + "    return 0\n", languages.Import, "ModuleNotFoundError", 1},
		{"recursion", task, task.Prompt + "    return mean(xs)\n", languages.Recursion, "RecursionError", 3},
		{"zero-division", task, task.Prompt + "    return sum(xs) / 0\n", languages.ZeroDivision, "ZeroDivisionError", 3},
		{"other-runtime", task, task.Prompt + "    raise RuntimeError('no')\n", languages.OtherRuntime, "RuntimeError", 3},
		{"stop-iteration", task, task.Prompt + "    return next(iter([]))\n", languages.OtherRuntime, "StopIteration", 3},
		{"missing-function", task, "def average(xs):\n    return 0\n", languages.Name, "NameError", 0},
		{"timeout", task, task.Prompt + "    while True:\n        pass\n", languages.Timeout, "Timeout", 0},
		{"memory", task, task.Prompt + "    s = [0] * (1 << 30)\n    return 0\n", languages.Memory, "MemoryError", 0},
		{"memory-oom", task, task.Prompt + "    a = []\n    while True:\n        a.append(bytearray(1 << 24))\n", languages.Memory, "", 0},
		{"output-limit", task, task.Prompt + "    while True:\n        print('x' * 65536)\n", languages.OutputLimit, "OutputLimit", 0},
		{"early-exit", task, task.Prompt + "    import os\n    os._exit(0)\n", languages.OtherRuntime, "EarlyExit", 0},
		{"mbpp-pass", mbpp, mbpp.Reference, languages.Pass, "", 0},
		{"mbpp-index", mbpp, "def first(xs):\n    return xs[len(xs)]\n", languages.Index, "IndexError", 2},
		{"mbpp-assertion", mbpp, "def first(xs):\n    return xs[-1]\n", languages.Assertion, "AssertionError", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			if c.class == languages.Memory {
				limits.Timeout = 0 // the default: filling 512 MiB takes seconds where page faults are slow
			}
			if c.name == "output-limit" {
				limits.OutputLimit = 1 << 16
			}
			out, res := runProgram(t, sb, c.task, c.program, limits)
			if out.Class != c.class || (c.errorType != "" && out.ErrorType != c.errorType) || out.Passed != (c.class == languages.Pass) {
				t.Errorf("got %s %s (%s), want %s %s\nstderr: %s\nreport: %s", out.Class, out.ErrorType, out.Message, c.class, c.errorType,
					res.Stderr, res.Report)
			}
			if strings.Contains(out.Traceback, "<harness>") || strings.Contains(out.Traceback, "selfrepair_harness") {
				t.Errorf("the traceback shows the harness:\n%s", out.Traceback)
			}
			if c.line != 0 && out.Line != c.line {
				t.Errorf("failing solution line %d (%q), want %d", out.Line, out.LineText, c.line)
			}
			if c.class == languages.Assertion && c.line == 0 && out.TestLine == 0 {
				t.Errorf("an assertion of the tests without its test line: %+v", out)
			}
		})
	}
}
