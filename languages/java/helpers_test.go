package java

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

func TestClassOf(t *testing.T) {
	cases := []struct {
		typ, msg string
		bases    []string
		want     languages.Class
	}{
		{"java.lang.AssertionError", "", nil, languages.Assertion},
		{"java.lang.ArrayIndexOutOfBoundsException", "Index 3 out of bounds for length 3", nil, languages.Index},
		{"java.lang.StringIndexOutOfBoundsException", "", nil, languages.Index},
		{"java.lang.NullPointerException", "", nil, languages.Attribute},
		{"java.lang.ArithmeticException", "/ by zero", nil, languages.ZeroDivision},
		{"java.lang.ArithmeticException", "BigInteger divide by zero", nil, languages.ZeroDivision},
		{"java.lang.ArithmeticException", "Non-terminating decimal expansion; no exact representable decimal result.", nil, languages.Value},
		{"java.lang.StackOverflowError", "", nil, languages.Recursion},
		{"java.util.NoSuchElementException", "No value present", nil, languages.Key},
		{"java.util.InputMismatchException", "", []string{"java.util.NoSuchElementException"}, languages.Value},
		{"java.lang.NumberFormatException", "For input string: \"x\"", nil, languages.Value},
		{"java.lang.ClassCastException", "", nil, languages.Type},
		{"java.lang.UnsupportedOperationException", "", nil, languages.Type},
		{"java.lang.OutOfMemoryError", "Java heap space", nil, languages.Memory},
		{"MyError", "", []string{"java.lang.IllegalArgumentException", "java.lang.RuntimeException"}, languages.Value},
		{"java.lang.IllegalStateException", "", []string{"java.lang.RuntimeException"}, languages.OtherRuntime},
		{"java.util.ConcurrentModificationException", "", nil, languages.OtherRuntime},
	}
	for _, c := range cases {
		if got := ClassOf(c.typ, c.msg, c.bases...); got != c.want {
			t.Errorf("ClassOf(%s, %q) = %s, want %s", c.typ, c.msg, got, c.want)
		}
	}
}

func TestCodeClass(t *testing.T) {
	cases := map[string]languages.Class{
		"compiler.err.cant.resolve.location":               languages.Name,
		"compiler.err.cant.resolve.location.args":          languages.Name,
		"compiler.err.var.might.not.have.been.initialized": languages.Name,
		"selfrepair.hides.jdk.type":                        languages.Name,
		"compiler.err.doesnt.exist":                        languages.Import,
		"compiler.err.prob.found.req":                      languages.Type,
		"compiler.err.cant.apply.symbol":                   languages.Type,
		"compiler.err.operator.cant.be.applied.1":          languages.Type,
		"compiler.err.expected":                            languages.Syntax,
		"compiler.err.illegal.start.of.expr":               languages.Syntax,
		"compiler.err.missing.ret.stmt":                    languages.Syntax,
		"compiler.err.class.public.should.be.in.file":      languages.Syntax,
	}
	for code, want := range cases {
		if got := CodeClass(code); got != want {
			t.Errorf("CodeClass(%s) = %s, want %s", code, got, want)
		}
	}
}

// javacOutput is what Compile prints for a program with two errors.
const javacOutput = `Main.java:7: error: cannot find symbol
        return totl + 1;
               ^
  symbol:   variable totl
  location: class Solution
Main.java:30: error: incompatible types: String cannot be converted to int
        int x = "a";
                ^
2 errors
selfrepair: error compiler.err.cant.resolve.location Main.java:7:16
selfrepair: error compiler.err.prob.found.req Main.java:30:17
`

func TestCompileOutcome(t *testing.T) {
	prog := strings.Repeat("// line\n", 6) + "        return totl + 1;\n    }\n}\n"
	job := sandbox.Job{
		Files: map[string][]byte{mainFile: []byte(prog + "\n" + strings.Repeat("x\n", 19) + "        int x = \"a\";\n")},
		Argv:  []string{"java", "selfrepair.Driver", "program=Main.java:1:9", "base=Main:11"},
		Build: []string{"java"},
	}
	one := 1
	res := &sandbox.Result{Status: sandbox.StatusExited, ExitCode: 1, BuildExitCode: &one, BuildOutput: []byte(javacOutput)}
	out := Language{}.Classify(job, res)
	if out.Passed || out.Class != languages.Name || out.ErrorType != "compiler.err.cant.resolve.location" || out.Phase != "load" {
		t.Fatalf("outcome %+v", out)
	}
	if out.Line != 7 || out.LineText != "return totl + 1;" {
		t.Errorf("line %d %q", out.Line, out.LineText)
	}
	if want := "Main.java:7: error: cannot find symbol (symbol: variable totl, location: class Solution)"; out.Message != want {
		t.Errorf("message %q, want %q", out.Message, want)
	}
	if strings.Contains(out.Traceback, "selfrepair: error") || !strings.Contains(out.Traceback, "2 errors") {
		t.Errorf("traceback %q", out.Traceback)
	}
	// The first error in the tests: a test line, no solution line.
	res.BuildOutput = []byte("Main.java:30: error: incompatible types: String cannot be converted to int\n        int x = \"a\";\n                ^\n" +
		"1 error\nselfrepair: error compiler.err.prob.found.req Main.java:30:17\n")
	out = Language{}.Classify(job, res)
	if out.Class != languages.Type || out.Line != 0 || out.TestLine != 20 || out.TestText != `int x = "a";` {
		t.Errorf("a test's error: %+v", out.Failure)
	}
}

func TestRunOutcome(t *testing.T) {
	job := Language{}.Job(tasks.Task{Prompt: "class Solution {\n    int f() {\n", Style: tasks.Completion,
		Test:        "public class Main {\n    public static void main(String[] a) {\n        new Solution().f();\n    }\n}\n",
		VisibleTest: "public class Main {\n    public static void main(String[] a) {\n    }\n}\n"},
		"class Solution {\n    int f() {\n        return 1 / 0;\n    }\n}\n", sandbox.Limits{}, languages.Base, languages.Visible)
	tok := job.Env[languages.TokenEnv]
	rec := `{"type":"java.lang.ArithmeticException","bases":["java.lang.RuntimeException"],"message":"/ by zero","frames":[` +
		`{"class":"Solution","method":"f","file":"Main.java","line":3},{"class":"Main","method":"main","file":"Main.java","line":9}],"trace":"Exception in thread \"main\" java.lang.ArithmeticException: / by zero\n\tat Solution.f(Main.java:3)"}`
	cases := []struct {
		name   string
		res    sandbox.Result
		pass   bool
		class  languages.Class
		typ    string
		suites map[languages.Suite]bool // verdicts expected; absent: did not run
	}{
		{"pass", sandbox.Result{Stdout: []byte("hi\nselfrepair: suite base passed " + tok + "\nselfrepair: suite visible passed " + tok + "\n" + languages.TokenLine(tok))},
			true, languages.Pass, "", map[languages.Suite]bool{languages.Base: true, languages.Visible: true}},
		{"base-fails", sandbox.Result{ExitCode: 1, Stdout: []byte("selfrepair: suite base failed " + tok + " " + rec + "\nselfrepair: suite visible passed " + tok + "\n")},
			false, languages.ZeroDivision, "java.lang.ArithmeticException", map[languages.Suite]bool{languages.Base: false, languages.Visible: true}},
		{"exit-0-in-base", sandbox.Result{Stdout: []byte("x")}, false, languages.OtherRuntime, "EarlyExit", map[languages.Suite]bool{languages.Base: false}},
		{"exit-0-in-visible", sandbox.Result{Stdout: []byte("selfrepair: suite base passed " + tok + "\n")},
			false, languages.OtherRuntime, "EarlyExit", map[languages.Suite]bool{languages.Base: true, languages.Visible: false}},
		{"forged-token", sandbox.Result{Stdout: []byte("selfrepair: suite base passed 0123\nselfrepair: suite visible passed 0123\n" + languages.TokenLine("0123"))},
			false, languages.OtherRuntime, "EarlyExit", map[languages.Suite]bool{languages.Base: false}},
		{"signal", sandbox.Result{Status: sandbox.StatusSignaled, Signal: 9}, false, languages.OtherRuntime, "Signal9", map[languages.Suite]bool{languages.Base: false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zero := 0
			res := c.res
			if res.Status == "" {
				res.Status = sandbox.StatusExited
			}
			res.BuildExitCode = &zero
			out := Language{}.Classify(job, &res)
			if out.Passed != c.pass || out.Class != c.class || out.ErrorType != c.typ {
				t.Fatalf("outcome %+v", out)
			}
			if len(out.Suites) != len(c.suites) {
				t.Fatalf("suites %v, want %v", out.Suites, c.suites)
			}
			for s, pass := range c.suites {
				if o := out.Suites[s]; o == nil || o.Passed != pass {
					t.Errorf("suite %s: %+v, want passed=%v", s, o, pass)
				}
			}
			if c.class == languages.ZeroDivision {
				if out.Line != 3 || out.LineText != "return 1 / 0;" || out.TestLine != 3 || out.TestText != "new Solution().f();" {
					t.Errorf("lines: %+v", out.Failure)
				}
				if !strings.HasPrefix(out.Traceback, "Exception in thread") || out.Message != "/ by zero" {
					t.Errorf("message %q, traceback %q", out.Message, out.Traceback)
				}
			}
		})
	}
}

func TestLayout(t *testing.T) {
	task := tasks.Task{Prompt: "p", Style: tasks.Completion, Test: "public class Main {\n}\n", VisibleTest: "public class Main { static Main m; }\n"}
	prog := "import java.util.*;\nimport java.util.stream.Collectors;\n\nclass Solution {\n}\n"
	job := Language{}.Job(task, prog, sandbox.Limits{}, languages.Visible, languages.Base, languages.Plus)
	lay := readLayout(job)
	if lay.first != 1 || lay.last != 5 || len(lay.suites) != 2 {
		t.Fatalf("layout %+v", lay)
	}
	if s := lay.suites[0]; s.name != languages.Visible || s.class != "Main" || s.line != 7 {
		t.Errorf("first suite %+v", s)
	}
	if s := lay.suites[1]; s.name != languages.Base || s.class != "Main_base" || s.line != 3 {
		t.Errorf("second suite %+v", s)
	}
	if got := string(job.Files["Main.java"]); got != prog+"\n"+task.VisibleTest {
		t.Errorf("Main.java:\n%s", got)
	}
	if got, want := string(job.Files["Main_base.java"]), "import java.util.*;\nimport java.util.stream.Collectors;\npublic class Main_base {\n}\n"; got != want {
		t.Errorf("Main_base.java:\n%q\nwant %q", got, want)
	}
	if job.Env[languages.TokenEnv] == "" || job.Env[languages.TokenEnv] == (Language{}).Job(task, prog, sandbox.Limits{}).Env[languages.TokenEnv] {
		t.Errorf("the token is not fresh")
	}
	if got := renameClass("public class Main { Main m = new Main(); String s = \"Main\"; int Main2; x.Main y; }", "Main", "M_v"); got !=
		"public class M_v { M_v m = new M_v(); String s = \"Main\"; int Main2; x.Main y; }" {
		t.Errorf("renameClass: %s", got)
	}
}

func TestCoderFailure(t *testing.T) {
	c := NewCoder()
	cases := []struct {
		text string
		want languages.Class
	}{
		{"Exception in thread \"main\" java.lang.ArrayIndexOutOfBoundsException: Index 3 out of bounds for length 3", languages.Index},
		{"Main.java:5: error: cannot find symbol\n  symbol: variable x", languages.Name},
		{"Main.java:5: error: incompatible types: String cannot be converted to int", languages.Type},
		{"Main.java:5: error: ';' expected", languages.Syntax},
		{"error_type: compiler.err.prob.found.req", languages.Type},
		{"java.lang.NullPointerException then later java.lang.AssertionError", languages.Assertion},
		{"Caused by: java.lang.ArithmeticException: / by zero", languages.ZeroDivision},
		{"StackOverflowError", languages.Recursion},
	}
	for _, tc := range cases {
		if got, at := c.Failure(tc.text); got != tc.want || at < 0 {
			t.Errorf("Failure(%q) = %s at %d, want %s", tc.text, got, at, tc.want)
		}
	}
	if got, at := c.Failure("all good"); at != -1 || got != "" {
		t.Errorf("Failure of nothing: %s at %d", got, at)
	}
}

func TestCoderStub(t *testing.T) {
	c := NewCoder()
	req := "Complete this:\n```java\nclass Solution {\n    public List<Integer> sortEven(List<Integer> l) {\n```"
	if got := c.Stub(req); !strings.HasPrefix(got, "public List<Integer> sortEven(List<Integer> l) {\n") || !strings.Contains(got, "return null;") {
		t.Errorf("stub:\n%s", got)
	}
	if got := c.Stub("    public boolean isPrime(int n) throws Exception {"); !strings.Contains(got, "return false;") {
		t.Errorf("stub:\n%s", got)
	}
	if got := c.Stub("no code here"); !strings.Contains(got, "public Object solution(Object... args) {") {
		t.Errorf("generic stub:\n%s", got)
	}
	// A stub is a whole function: Program puts it in place of the prompt's.
	prog := splice(splicePrompt, c.Stub("public int sumSquare(List<Integer> xs) {"))
	if !strings.Contains(prog, "public int sumSquare(List<Integer> xs) {\n        // TODO") || braceDepth(mask(prog)) != 0 {
		t.Errorf("stub program:\n%s", prog)
	}
}

func TestWords(t *testing.T) {
	w := Language{}.Words()
	if w.Fence != "java" || w.Name != "Java" || !strings.HasPrefix(w.Header, "its ") {
		t.Errorf("words %+v", w)
	}
	if New().Name() != "java" || New().ImageRef() != "selfrepair/java:bookworm" || New().SeedEnv("1") != nil {
		t.Errorf("language %s %s", New().Name(), New().ImageRef())
	}
}
