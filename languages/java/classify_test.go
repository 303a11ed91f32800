package java

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// meanTask is a small HumanEval-X style task: class Solution's mean, and a
// class Main of tests.
var meanTask = tasks.Task{ID: "Classes/mean", Style: tasks.Completion, Language: "java",
	Prompt: "import java.util.*;\nimport java.lang.*;\n\nclass Solution {\n    public int mean(List<Integer> xs) {\n",
	Test: `public class Main {
    public static void main(String[] args) {
        Solution s = new Solution();
        List<Boolean> correct = Arrays.asList(
                s.mean(Arrays.asList(1, 2, 3)) == 2,
                s.mean(Arrays.asList(4)) == 4
        );
        if (correct.contains(false)) {
            throw new AssertionError();
        }
    }
}
`,
	VisibleTest: "public class Main {\n    public static void main(String[] args) {\n        if (new Solution().mean(Arrays.asList(2)) != 2) {\n            throw new AssertionError();\n        }\n    }\n}\n",
	Reference:   "        int t = 0;\n        for (int x : xs) t += x;\n        return t / xs.size();\n    }\n}\n",
}

// TestErrorClasses runs small broken programs against real tests in the
// sandbox, each failing one way, and checks the class, the error type and
// the solution's line (the prompt has 5 lines: a completion's first line
// is line 6).
func TestErrorClasses(t *testing.T) {
	sb := sharedSandbox(t)
	end := "\n    }\n}\n"
	cases := []struct {
		name      string
		code      string
		class     languages.Class
		errorType string
		line      int // of the solution; 0: not checked
		testLine  int // of the tests; 0: not checked
	}{
		{"pass", meanTask.Reference, languages.Pass, "", 0, 0},
		{"pass-whole-function", "public int mean(List<Integer> xs) {\n    return xs.stream().mapToInt(Integer::intValue).sum() / xs.size();\n}", languages.Pass, "", 0, 0},
		{"syntax", "        return xs.size()" + end, languages.Syntax, "compiler.err.expected", 6, 0},
		{"syntax-paren", "        return (xs.size() + 1;" + end, languages.Syntax, "compiler.err.expected", 6, 0},
		{"missing-return", "        int t = 0;" + end, languages.Syntax, "compiler.err.missing.ret.stmt", 0, 0},
		{"name", "        return total / xs.size();" + end, languages.Name, "compiler.err.cant.resolve.location", 6, 0},
		{"name-method", "        return xs.length();" + end, languages.Name, "compiler.err.cant.resolve.location.args", 6, 0},
		{"name-uninitialized", "        int t;\n        return t;" + end, languages.Name, "compiler.err.var.might.not.have.been.initialized", 7, 0},
		{"type", "        String s = xs.size();\n        return 0;" + end, languages.Type, "compiler.err.prob.found.req", 6, 0},
		{"type-operator", "        return xs + 1;" + end, languages.Type, "compiler.err.operator.cant.be.applied.1", 6, 0},
		{"import", "import java.utilz.Stats;\npublic int mean(List<Integer> xs) {\n    return 0;\n}", languages.Import, "compiler.err.doesnt.exist", 3, 0},
		{"hides-jdk-class", "        return 2;\n    }\n}\nclass Arrays {\n    static <T> List<T> asList(T... a) { return new ArrayList<>(); }\n}\n",
			languages.Name, "selfrepair.hides.jdk.type", 9, 0},
		{"assertion", "        return 0;" + end, languages.Assertion, "java.lang.AssertionError", 0, 9},
		{"assertion-in-solution", "        assert xs.size() > 5 : \"too short\";\n        return 2;" + end, languages.Assertion, "java.lang.AssertionError", 6, 5},
		{"index", "        return xs.get(xs.size());" + end, languages.Index, "java.lang.ArrayIndexOutOfBoundsException", 6, 5},
		{"array-index", "        int[] a = new int[1];\n        return a[xs.size()];" + end, languages.Index, "java.lang.ArrayIndexOutOfBoundsException", 7, 0},
		{"string-index", "        return \"ab\".charAt(xs.size() + 5);" + end, languages.Index, "java.lang.StringIndexOutOfBoundsException", 6, 0},
		{"null", "        List<Integer> ys = null;\n        return ys.size();" + end, languages.Attribute, "java.lang.NullPointerException", 7, 0},
		{"null-unboxing", "        Integer n = null;\n        return n;" + end, languages.Attribute, "java.lang.NullPointerException", 7, 0},
		{"zero-division", "        return xs.size() / (xs.size() - xs.size());" + end, languages.ZeroDivision, "java.lang.ArithmeticException", 6, 0},
		{"recursion", "        return mean(xs);" + end, languages.Recursion, "java.lang.StackOverflowError", 6, 0},
		{"value", "        return Integer.parseInt(\"two\");" + end, languages.Value, "java.lang.NumberFormatException", 6, 0},
		{"key", "        return Optional.<Integer>empty().get();" + end, languages.Key, "java.util.NoSuchElementException", 6, 0},
		{"class-cast", "        Object o = \"x\";\n        return (Integer) o;" + end, languages.Type, "java.lang.ClassCastException", 7, 0},
		{"unsupported", "        xs.add(1);\n        return 0;" + end, languages.Type, "java.lang.UnsupportedOperationException", 6, 0},
		{"static-init", "        return 2;\n    }\n    static int zero = 1 / (\"\".length());\n}\n", languages.ZeroDivision, "java.lang.ArithmeticException", 8, 3},
		{"other-runtime", "        throw new IllegalStateException(\"no\");" + end, languages.OtherRuntime, "java.lang.IllegalStateException", 6, 0},
		{"timeout", "        while (true) {\n        }" + end, languages.Timeout, "Timeout", 0, 0},
		{"memory", "        List<long[]> a = new ArrayList<>();\n        while (true) {\n            a.add(new long[1 << 20]);\n        }" + end, languages.Memory, "java.lang.OutOfMemoryError", 0, 0},
		{"memory-kept", "        while (true) {\n            KEEP.add(new long[1 << 20]);\n        }\n    }\n    static List<long[]> KEEP = new ArrayList<>();\n}\n",
			languages.Memory, "java.lang.OutOfMemoryError", 0, 0},
		{"memory-array", "        long[] a = new long[Integer.MAX_VALUE - 8];\n        return a.length;" + end, languages.Memory, "java.lang.OutOfMemoryError", 6, 0},
		{"output-limit", "        while (true) {\n            System.out.println(\"x\".repeat(65536));\n        }" + end, languages.OutputLimit, "OutputLimit", 0, 0},
		{"early-exit", "        System.exit(3);\n        return 0;" + end, languages.OtherRuntime, "EarlyExit", 0, 0},
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			limits := sandbox.Limits{Timeout: 3 * time.Second}
			switch c.class {
			case languages.Memory:
				limits.Timeout = 0 // the default: filling the heap takes seconds where page faults are slow
			case languages.OutputLimit:
				limits.OutputLimit = 1 << 16
			}
			out, res := judge(t, sb, meanTask, New().Program(meanTask, c.code), limits)
			if out.Class != c.class || (c.errorType != "" && out.ErrorType != c.errorType) || out.Passed != (c.class == languages.Pass) {
				t.Errorf("%s: got %s %s (%s), want %s %s\nbuild: %s\nstdout: %.2000s\nstderr: %.2000s", c.name, out.Class, out.ErrorType,
					out.Message, c.class, c.errorType, res.BuildOutput, res.Stdout, res.Stderr)
				return
			}
			if c.line != 0 && out.Line != c.line {
				t.Errorf("%s: solution line %d (%q), want %d", c.name, out.Line, out.LineText, c.line)
			}
			if c.testLine != 0 && out.TestLine != c.testLine {
				t.Errorf("%s: test line %d (%q), want %d", c.name, out.TestLine, out.TestText, c.testLine)
			}
			if strings.Contains(out.Message, "\n") {
				t.Errorf("%s: message %q is not one line", c.name, out.Message)
			}
			if len(out.Traceback) > maxTraceback+8 || strings.Contains(out.Traceback, "selfrepair.Driver") || strings.Contains(out.Traceback, "selfrepair: error") {
				t.Errorf("%s: traceback shows the harness or is too long (%d bytes):\n%s", c.name, len(out.Traceback), out.Traceback)
			}
			if out.Phase == "load" || strings.HasPrefix(out.ErrorType, "java.") {
				if out.Traceback == "" {
					t.Errorf("%s: no traceback", c.name)
				}
			}
			wantPhase := "test"
			if res.BuildExitCode == nil || *res.BuildExitCode != 0 {
				wantPhase = "load"
			}
			if !out.Passed && out.Phase != wantPhase {
				t.Errorf("%s: phase %q, want %q", c.name, out.Phase, wantPhase)
			}
			t.Logf("%-22s %-13s %-45s build %4dms run %4dms  %.90s", c.name, out.Class, out.ErrorType,
				res.Build.Milliseconds(), res.Run.Milliseconds(), out.Message)
		}()
	}
	wg.Wait()
}

// TestSuites runs the base and visible suites in one job: a verdict for
// each, and the outcome of the first that failed.
func TestSuites(t *testing.T) {
	sb := sharedSandbox(t)
	end := "\n    }\n}\n"
	cases := []struct {
		name          string
		code          string
		base, visible bool
	}{
		{"both-pass", meanTask.Reference, true, true},
		// Right on one element only: the examples pass, the tests fail.
		{"base-fails", "        return xs.get(0);" + end, false, true},
		{"both-fail", "        return -1;" + end, false, false},
	}
	for _, c := range cases {
		out, res := judge(t, sb, meanTask, New().Program(meanTask, c.code), sandbox.Limits{}, languages.Base, languages.Visible)
		b, v := out.Suites[languages.Base], out.Suites[languages.Visible]
		if b == nil || v == nil || b.Passed != c.base || v.Passed != c.visible || out.Passed != (c.base && c.visible) {
			t.Errorf("%s: %+v (base %+v, visible %+v)\nstdout %s\nstderr %s", c.name, out, b, v, res.Stdout, res.Stderr)
			continue
		}
		if !c.base && (out.Class != languages.Assertion || out.TestLine != 9) {
			t.Errorf("%s: outcome %+v, want the base suite's", c.name, out.Failure)
		}
	}
	// A load failure fails every suite at once.
	out, _ := judge(t, sb, meanTask, New().Program(meanTask, "        return x;"+end), sandbox.Limits{}, languages.Base, languages.Visible)
	if out.Passed || out.Class != languages.Name || out.Phase != "load" {
		t.Errorf("load failure: %+v", out)
	}
	// The visible suite alone.
	out, _ = judge(t, sb, meanTask, New().Program(meanTask, "        return xs.get(0);"+end), sandbox.Limits{}, languages.Visible)
	if !out.Passed || out.Suites != nil {
		t.Errorf("visible alone: %+v", out)
	}
}

// TestFileJob runs a plain program file: javac, then java of its class.
func TestFileJob(t *testing.T) {
	sb := sharedSandbox(t)
	src := "import org.javatuples.Pair;\n\npublic class Hello {\n    public static void main(String[] args) {\n        System.out.println(Pair.with(\"hi\", 1));\n    }\n}\n"
	res, err := sb.Run(t.Context(), New().FileJob("Hello.java", []byte(src), sandbox.Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || string(res.Stdout) != "[hi, 1]\n" {
		t.Errorf("%s: stdout %q stderr %q build %q", res.Summary(), res.Stdout, res.Stderr, res.BuildOutput)
	}
	res, err = sb.Run(t.Context(), New().FileJob("Bad.java", []byte("class Bad { int f() { return x; } }\n"), sandbox.Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.BuildExitCode == nil || *res.BuildExitCode == 0 || !strings.Contains(string(res.BuildOutput), "Bad.java:1: error: cannot find symbol") {
		t.Errorf("a broken file: %s, build %q", res.Summary(), res.BuildOutput)
	}
}
