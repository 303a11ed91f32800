package rust

import (
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// meanTask is a HumanEval-X style task: declaration, prompt (inside the
// body), reference body, #[cfg(test)] tests. Its code starts on line 9
// of the program.
var meanTask = tasks.Task{ID: "Classes/mean", Style: tasks.Completion, Language: "rust",
	Declaration: "\nuse std::collections::HashMap;\n\nfn mean(xs: Vec<i64>) -> i64 {\n",
	Prompt:      "\n/*\n The mean of a non-empty list, rounded down.\n*/\n",
	Reference:   "    xs.iter().sum::<i64>() / xs.len() as i64\n}\n",
	Test: "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn test_mean() {\n" +
		"        assert_eq!(mean(vec![1, 2, 3]), 2);\n        assert_eq!(mean(vec![4]), 4);\n    }\n}\n",
}

// TestErrorClasses compiles and runs small broken solutions in the image
// and checks the class the real compiler's or runtime's output gets, the
// error type and the solution line.
func TestErrorClasses(t *testing.T) {
	sb := testSandbox(t, sandbox.Pooled)
	cases := []struct {
		name      string
		code      string
		class     languages.Class
		errorType string
		line      int // of the solution, when the failure came from it
		testLine  int // of the tests
	}{
		{"pass", meanTask.Reference, languages.Pass, "", 0, 0},
		{"syntax", "    let s = 1\n    s\n}\n", languages.Syntax, "error", 9, 0},
		{"syntax-unclosed", "    (xs.len() as i64\n}\n", languages.Syntax, "error", 0, 0},
		{"name", "    total / xs.len() as i64\n}\n", languages.Name, "E0425", 9, 0},
		{"name-method", "    xs.length() as i64\n}\n", languages.Name, "E0599", 9, 0},
		{"name-missing-function", "fn average(xs: Vec<i64>) -> i64 {\n    0\n}\n", languages.Name, "E0432", 0, 0},
		{"type", "    xs.len()\n}\n", languages.Type, "E0308", 9, 0},
		{"type-add", "    xs[0] + \"1\"\n}\n", languages.Type, "E0277", 9, 0},
		{"type-signature", "fn mean(xs: Vec<i64>) -> i32 {\n    2\n}\n", languages.Type, "E0308", 0, 0},
		{"borrow", "    let v = xs;\n    let w = xs;\n    0\n}\n", languages.Syntax, "E0382", 10, 0},
		{"assertion", "    xs.iter().sum::<i64>() / xs.len() as i64 + 1\n}\n", languages.Assertion, "AssertionFailed", 0, 8},
		{"assertion-in-solution", "    assert!(xs.len() > 5, \"too short\");\n    0\n}\n", languages.Assertion, "AssertionFailed", 9, 8},
		{"index", "    xs[xs.len()]\n}\n", languages.Index, "IndexOutOfBounds", 9, 8},
		{"index-str-slice", "    let s = \"abc\";\n    s[0..10].len() as i64\n}\n", languages.Index, "IndexOutOfBounds", 10, 8},
		{"none-unwrap", "    *xs.iter().find(|&&x| x > 100).unwrap()\n}\n", languages.Attribute, "UnwrapNone", 9, 8},
		{"zero-division", "    xs.iter().sum::<i64>() / (xs.len() as i64 - xs.len() as i64)\n}\n", languages.ZeroDivision, "DivideByZero", 9, 8},
		{"overflow", "    i64::MAX + xs.len() as i64\n}\n", languages.OtherRuntime, "ArithmeticOverflow", 9, 8},
		{"key", "    let m: HashMap<i64, i64> = HashMap::new();\n    m[&xs[0]]\n}\n", languages.Key, "KeyNotFound", 10, 8},
		{"value", "    \"x\".parse::<i64>().unwrap()\n}\n", languages.Value, "UnwrapErr", 9, 8},
		{"todo", "    todo!()\n}\n", languages.OtherRuntime, "Panic", 9, 8},
		{"recursion", "    mean(xs)\n}\n", languages.Recursion, "StackOverflow", 0, 0},
		{"timeout", "    loop {}\n}\n", languages.Timeout, "Timeout", 0, 0},
		{"huge-allocation", "    let v: Vec<u8> = Vec::with_capacity(1 << 40);\n    v.len() as i64\n}\n", languages.Memory, "MemoryError", 0, 0},
		{"memory", "    let v = vec![1u8; 1 << 30];\n    v.iter().map(|&b| b as i64).sum()\n}\n", languages.Memory, "MemoryError", 0, 0},
		{"output-limit", "    loop { println!(\"{}\", \"x\".repeat(4096)); }\n}\n", languages.OutputLimit, "OutputLimit", 0, 0},
		{"early-exit", "    std::process::exit(0)\n}\n", languages.OtherRuntime, "EarlyExit", 0, 0},
		{"abort", "    std::process::abort()\n}\n", languages.OtherRuntime, "Signal6", 0, 0},
	}
	var jobs []sandbox.Job
	for _, c := range cases {
		limits := sandbox.Limits{Timeout: 3 * time.Second}
		switch c.name {
		case "timeout":
			limits.Timeout = time.Second
		case "output-limit":
			limits.OutputLimit = 1 << 16
		case "memory":
			limits.Timeout = 10 * time.Second // filling 512 MiB takes seconds where page faults are slow
		}
		jobs = append(jobs, New().Job(meanTask, New().Program(meanTask, c.code), limits))
	}
	outs, ress := runAll(t, sb, jobs)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, res := outs[i], ress[i]
			if out.Class != c.class || out.ErrorType != c.errorType || out.Passed != (c.class == languages.Pass) {
				t.Errorf("got %s %s (%s), want %s %s\nbuild: %.3000s\nstderr: %.3000s", out.Class, out.ErrorType, out.Message,
					c.class, c.errorType, res.BuildOutput, res.Stderr)
			}
			if c.line != 0 && out.Line != c.line {
				t.Errorf("solution line %d (%q), want %d\n%s", out.Line, out.LineText, c.line, out.Traceback)
			}
			if c.testLine != 0 && out.TestLine != c.testLine {
				t.Errorf("test line %d (%q), want %d\n%s", out.TestLine, out.TestText, c.testLine, out.Traceback)
			}
			if !out.Passed && (out.Message == "" || strings.Contains(out.Message, "\n")) {
				t.Errorf("message %q: want one line", out.Message)
			}
			if c.class != languages.Pass && c.class != languages.Timeout && c.class != languages.OutputLimit && out.Phase == "" {
				t.Errorf("no phase: %+v", out)
			}
			if strings.Contains(out.Traceback, "selfrepair-") || len(out.Traceback) > tracebackLimit+16 {
				t.Errorf("traceback shows the driver or is too long:\n%s", out.Traceback)
			}
			t.Logf("%s %s line %d test line %d: %s", out.Class, out.ErrorType, out.Line, out.TestLine, out.Message)
		})
	}
	// The assertion's details.
	if a := outs[10]; a.Call != "mean(vec![1, 2, 3])" || a.Actual != "3" || a.Expected != "2" || a.TestText != "assert_eq!(mean(vec![1, 2, 3]), 2);" {
		t.Errorf("assertion details: call %q actual %q expected %q test text %q", a.Call, a.Actual, a.Expected, a.TestText)
	}
	if p := outs[1]; p.Phase != "load" || !strings.Contains(p.Message, "src/main.rs:9:") {
		t.Errorf("syntax error: phase %q message %q", p.Phase, p.Message)
	}
}

// TestSuites runs two suites in one job: a verdict for each.
func TestSuites(t *testing.T) {
	sb := testSandbox(t, sandbox.Pooled)
	task := meanTask
	task.VisibleTest = "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn test_one() {\n        assert_eq!(mean(vec![4]), 4);\n    }\n}\n"
	both := []languages.Suite{languages.Base, languages.Visible}
	// Right on the visible example, wrong on the base tests.
	out, res := runJob(t, sb, New().Job(task, New().Program(task, "    xs[0]\n}\n"), sandbox.Limits{}, both...))
	if out.Passed || out.Class != languages.Assertion || len(out.Suites) != 2 ||
		out.Suites[languages.Base].Passed || !out.Suites[languages.Visible].Passed {
		t.Errorf("got %+v (suites %v)\nstderr: %s", out, out.Suites, res.Stderr)
	}
	out, _ = runJob(t, sb, New().Job(task, New().Program(task, task.Reference), sandbox.Limits{}, both...))
	if !out.Passed || len(out.Suites) != 2 || !out.Suites[languages.Base].Passed || !out.Suites[languages.Visible].Passed {
		t.Errorf("reference: %+v", out)
	}
	// HumanEval-X's example_test is "None": no visible suite.
	task.VisibleTest = "None"
	out, _ = runJob(t, sb, New().Job(task, New().Program(task, task.Reference), sandbox.Limits{}, both...))
	if !out.Passed || out.Suites != nil {
		t.Errorf("visible None: %+v", out)
	}
}

func TestPanicClass(t *testing.T) {
	cases := map[string]languages.Class{
		"assertion failed: `(left == right)`\n  left: `1`,\n right: `2`": languages.Assertion,
		"assertion failed: x > 0":                                                           languages.Assertion,
		"index out of bounds: the len is 3 but the index is 5":                              languages.Index,
		"byte index 9 is out of bounds of `héllo`":                                          languages.Index,
		"byte index 2 is not a char boundary; it is inside 'é' (bytes 1..3) of `héllo`":     languages.Index,
		"range end index 7 out of range for slice of length 3":                              languages.Index,
		"removal index (is 7) should be < len (is 3)":                                       languages.Index,
		"attempt to divide by zero":                                                         languages.ZeroDivision,
		"attempt to calculate the remainder with a divisor of zero":                         languages.ZeroDivision,
		"attempt to subtract with overflow":                                                 languages.OtherRuntime,
		"called `Option::unwrap()` on a `None` value":                                       languages.Attribute,
		"called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }": languages.Value,
		"called `Result::unwrap()` on an `Err` value: Custom":                               languages.OtherRuntime,
		"no entry found for key":                                                            languages.Key,
		"capacity overflow":                                                                 languages.Memory,
		"explicit panic":                                                                    languages.OtherRuntime,
	}
	for msg, want := range cases {
		if got, _ := panicClass(msg); got != want {
			t.Errorf("panicClass(%q) = %s, want %s", msg, got, want)
		}
	}
}

func TestCoderFailure(t *testing.T) {
	c := NewCoder()
	cases := []struct {
		text string
		want languages.Class
	}{
		{"error[E0425]: cannot find value `x` in this scope\n --> src/main.rs:9:5", languages.Name},
		{"error[E0308]: mismatched types", languages.Type},
		{"E0308: src/main.rs:9:5: mismatched types", languages.Type},
		{"IndexOutOfBounds: index out of bounds: the len is 3 but the index is 3 at src/main.rs:9:5", languages.Index},
		{"error: expected `;`, found `s`", languages.Syntax},
		{"error: cannot find macro `foo` in this scope", languages.Name},
		{"error[E0425]: ...\nthread 'tests::t' panicked at 'index out of bounds: the len is 3 but the index is 3', src/main.rs:9:5", languages.Index},
		{"thread 'tests::t' has overflowed its stack", languages.Recursion},
		{"the tests failed: Timeout", languages.Timeout},
	}
	for _, tc := range cases {
		if got, at := c.Failure(tc.text); got != tc.want || at < 0 {
			t.Errorf("Failure(%q) = %s at %d, want %s", tc.text, got, at, tc.want)
		}
	}
	if got, at := c.Failure("all good"); got != "" || at != -1 {
		t.Errorf("no failure: %s %d", got, at)
	}
	stub := c.Stub("Complete this:\n```rust\nfn add(x:i32, y:i32) -> i32{\n```")
	if !strings.HasPrefix(stub, "fn add(x:i32, y:i32) -> i32{\n") || !strings.HasSuffix(stub, "}") {
		t.Errorf("stub %q", stub)
	}
}
