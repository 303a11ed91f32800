package cpp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/cpp"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// classTask is a small HumanEval-X-style task for the classifier's table.
var classTask = tasks.Task{ID: "Classes/sum_first", Style: tasks.Completion, Language: "cpp",
	Prompt: "#include<stdio.h>\n#include<vector>\nusing namespace std;\nint sum_first(vector<int> xs, int k){\n",
	Test: "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (sum_first({1, 2, 3}, 2) == 3);\n" +
		"    assert (sum_first({5}, 1) == 5);\n}\n",
	VisibleTest: "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (sum_first({4, 4}, 1) == 4);\n}\n",
	Reference:   "    int s = 0;\n    for (int i = 0; i < k; i++) s += xs[i];\n    return s;\n}\n"}

// TestErrorClasses runs small broken programs, each failing one way, in the
// image, and checks the class that the compiler's or the run's real output
// gets, with the failing line of the solution or the tests.
func TestErrorClasses(t *testing.T) {
	sb := sharedSandbox(t)
	p := classTask.Prompt
	cases := []struct {
		name      string
		program   string
		class     languages.Class
		errorType string
		line      int // of the solution (prompt + completion)
		testLine  int
	}{
		{"pass", p + classTask.Reference, languages.Pass, "", 0, 0},
		{"name", p + "    return total;\n}\n", languages.Name, "UndeclaredName", 5, 0},
		{"no-member", p + "    xs.push(1);\n    return 0;\n}\n", languages.Name, "NoMember", 5, 0},
		{"missing-function", "#include<vector>\nusing namespace std;\nint sum_firsts(vector<int> xs, int k){ return 0; }\n",
			languages.Name, "UndeclaredName", 0, 4},
		{"undefined-reference", p + "    int helper(int);\n    return helper(k);\n}\n", languages.Name, "UndefinedReference", 0, 0},
		{"missing-header", "#include <numpy.h>\n" + p + classTask.Reference, languages.Import, "MissingHeader", 1, 0},
		{"syntax", p + "    int s = 0;\n    for (int i = 0; i < k; i++ s += xs[i];\n    return s;\n}\n", languages.Syntax, "ExpectedToken", 6, 0},
		{"syntax-brace", p + "    if (k > 0) {\n        return 1;\n    return 0;\n}\n", languages.Syntax, "", 0, 0},
		{"type", p + "    string s = xs;\n    return 0;\n}\n", languages.Type, "InvalidConversion", 5, 0},
		{"type-return", p + "    return to_string(k);\n}\n", languages.Type, "InvalidConversion", 5, 0},
		{"type-call", p + "    return k.size();\n}\n", languages.Type, "TypeMismatch", 5, 0},
		{"assertion", p + "    return xs[0];\n}\n", languages.Assertion, "AssertionFailure", 0, 4},
		{"assertion-in-solution", "#include<assert.h>\n" + p + "    assert (k > 5);\n    return 0;\n}\n", languages.Assertion, "AssertionFailure", 6, 0},
		{"index", p + "    return xs.at(xs.size());\n}\n", languages.Index, "std::out_of_range", 0, 0},
		{"index-substr", p + "    return string(\"ab\").substr(5).size();\n}\n", languages.Index, "std::out_of_range", 0, 0},
		{"key", "#include<map>\n" + p + "    map<int, int> m;\n    return m.at(k);\n}\n", languages.Key, "std::out_of_range", 0, 0},
		{"value", p + "    return stoi(\"abc\");\n}\n", languages.Value, "std::invalid_argument", 0, 0},
		{"null-dereference", p + "    int *q = nullptr;\n    return *q;\n}\n", languages.Attribute, "SIGSEGV", 0, 0},
		{"empty-vector", p + "    vector<int> none;\n    return none[0];\n}\n", languages.Attribute, "SIGSEGV", 0, 0},
		{"zero-division", p + "    int zero = k - k;\n    return xs[0] / zero;\n}\n", languages.ZeroDivision, "SIGFPE", 0, 0},
		{"recursion", p + "    return sum_first(xs, k) + 1;\n}\n", languages.Recursion, "SIGSEGV", 0, 0},
		{"thrown-string", p + "    throw \"bad input\";\n}\n", languages.OtherRuntime, "char const*", 0, 0},
		{"abort", "#include<cstdlib>\n" + p + "    abort();\n}\n", languages.OtherRuntime, "SIGABRT", 0, 0},
		{"early-exit", "#include<cstdlib>\n" + p + "    exit(3);\n}\n", languages.OtherRuntime, "EarlyExit", 0, 0},
		{"global-constructor", "#include<stdexcept>\nstruct G { G() { throw std::runtime_error(\"early\"); } } g;\n" + p + classTask.Reference,
			languages.OtherRuntime, "std::runtime_error", 0, 0},
		{"timeout", p + "    while (true) {}\n}\n", languages.Timeout, "Timeout", 0, 0},
		{"memory-bad-alloc", p + "    vector<long long> big(1LL << 36);\n    return big[k];\n}\n", languages.Memory, "std::bad_alloc", 0, 0},
		{"memory-oom", p + "    vector<vector<char>> v;\n    while (true) v.emplace_back(1 << 20, 'x');\n}\n", languages.Memory, "", 0, 0},
		{"output-limit", p + "    while (true) printf(\"%s\\n\", string(1000, 'x').c_str());\n}\n", languages.OutputLimit, "OutputLimit", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			limits := sandbox.Limits{Timeout: time.Second}
			switch c.name {
			case "output-limit":
				limits.OutputLimit = 1 << 16
			case "memory-oom":
				limits.Timeout = 10 * time.Second // filling 512 MiB takes seconds where page faults are slow
			}
			out, res := judge(t, sb, classTask, c.program, limits)
			if out.Class != c.class || (c.errorType != "" && out.ErrorType != c.errorType) || out.Passed != (c.class == languages.Pass) {
				t.Errorf("got %s %s (%s), want %s %s\nbuild: %s\nstderr: %s", out.Class, out.ErrorType, out.Message, c.class, c.errorType,
					res.BuildOutput, res.Stderr)
			}
			if out.Line != c.line || out.TestLine != c.testLine {
				t.Errorf("line %d (%q), test line %d (%q); want %d and %d\n%s", out.Line, out.LineText, out.TestLine, out.TestText,
					c.line, c.testLine, out.Traceback)
			}
			if c.line != 0 && out.LineText == "" || c.testLine != 0 && out.TestText == "" {
				t.Errorf("no text for the failing line: %+v", out.Failure)
			}
			wantPhase := "test"
			if res.BuildExitCode == nil || *res.BuildExitCode != 0 {
				wantPhase = "load"
			}
			if !out.Passed && out.Phase != wantPhase {
				t.Errorf("phase %q, want %q", out.Phase, wantPhase)
			}
			if strings.Contains(out.Traceback, "selfrepair: suite") || strings.Contains(out.Message, "selfrepair_") {
				t.Errorf("the driver shows through: %q\n%s", out.Message, out.Traceback)
			}
			if !out.Passed && c.class != languages.Timeout && c.class != languages.Memory && c.class != languages.OutputLimit && out.Message == "" {
				t.Errorf("no message: %+v", out.Failure)
			}
		})
	}
}

// TestSuites runs the base tests and the examples in one job, each with a
// verdict of its own.
func TestSuites(t *testing.T) {
	sb := sharedSandbox(t)
	p := classTask.Prompt
	cases := []struct {
		name          string
		program       string
		base, visible bool
	}{
		{"both-pass", p + classTask.Reference, true, true},
		{"base-fails", p + "    return k == 1 ? xs[0] : 0;\n}\n", false, true},
		{"both-fail", p + "    return -1;\n}\n", false, false},
		{"crash-in-base-only", p + "    if (k == 2) { int *q = nullptr; return *q; }\n    return xs[0];\n}\n", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, _ := judge(t, sb, classTask, c.program, sandbox.Limits{Timeout: 2 * time.Second}, languages.Base, languages.Visible)
			b, v := out.Suites[languages.Base], out.Suites[languages.Visible]
			if b == nil || v == nil {
				t.Fatalf("suites missing: %+v", out)
			}
			if b.Passed != c.base || v.Passed != c.visible || out.Passed != (c.base && c.visible) {
				t.Errorf("base %v (%s), visible %v (%s), overall %v; want %v, %v", b.Passed, b.Message, v.Passed, v.Message,
					out.Passed, c.base, c.visible)
			}
			if !c.base && out.Message != b.Message {
				t.Errorf("the outcome is not the first failed suite's: %q vs %q", out.Message, b.Message)
			}
		})
	}
	// A compile error fails every suite, with no per-suite verdicts.
	out, _ := judge(t, sb, classTask, p+"    return total;\n}\n", sandbox.Limits{}, languages.Base, languages.Visible)
	if out.Passed || out.Class != languages.Name || out.Phase != "load" || len(out.Suites) != 0 {
		t.Errorf("compile error: %+v", out)
	}
}

// TestFileJob compiles and runs a plain program file, as `sandbox run` does.
func TestFileJob(t *testing.T) {
	sb := sharedSandbox(t)
	src := "#include <iostream>\n#include <vector>\nint main() {\n    std::vector<int> v{1, 2, 3};\n    std::cout << v.size() << \"\\n\";\n}\n"
	res, err := sb.Run(t.Context(), cpp.New().FileJob("hello.cpp", []byte(src), sandbox.Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || string(res.Stdout) != "3\n" {
		t.Errorf("%s: stdout %q, stderr %q, build %q", res.Summary(), res.Stdout, res.Stderr, res.BuildOutput)
	}
}
