package java

import (
	"sync"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// twiceTask's tests want twice(x) = 2x.
var twiceTask = tasks.Task{ID: "Tamper/twice", Style: tasks.Completion, Language: "java",
	Prompt: "import java.util.*;\nimport java.lang.*;\n\nclass Solution {\n    public double twice(double x) {\n",
	Test: `public class Main {
    public static void main(String[] args) {
        Solution s = new Solution();
        List<Boolean> correct = Arrays.asList(
                Math.abs(s.twice(1.0) - 2.0) < 1e-9,
                s.twice(3) == 6
        );
        if (correct.contains(false)) {
            throw new AssertionError();
        }
    }
}
`,
	VisibleTest: "public class Main {\n    public static void main(String[] args) {\n        if (new Solution().twice(2) != 4) {\n            throw new AssertionError();\n        }\n    }\n}\n",
	Reference:   "        return 2 * x;\n    }\n}\n",
}

// TestVerdictCannotBeForged runs wrong solutions (twice returns 0, or
// nothing) that end the JVM with status 0 before or during the tests, or
// otherwise try to pass without passing; none may.
func TestVerdictCannotBeForged(t *testing.T) {
	sb := sharedSandbox(t)
	end := "\n    }\n}\n"
	cases := map[string]string{
		"exit-0-in-static-initializer": "        return 0;\n    }\n    static {\n        System.exit(0);\n    }\n}\n",
		"exit-0-in-method":             "        System.exit(0);\n        return 0;" + end,
		"halt-0":                       "        Runtime.getRuntime().halt(0);\n        return 0;" + end,
		"runtime-exit-0":               "        Runtime.getRuntime().exit(0);\n        return 0;" + end,
		"exit-on-second-call":          "        if (x == 3) System.exit(0);\n        return 2 * x;" + end,
		"shutdown-hook-halts-0": "        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0)));\n" +
			"        return 0;" + end,
		"shutdown-hook-prints-and-exit": "        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(\"selfrepair: tests completed 00\")));\n" +
			"        System.exit(0);\n        return 0;" + end,
		"uncaught-handler-exits-0": "        Thread.setDefaultUncaughtExceptionHandler((th, e) -> Runtime.getRuntime().halt(0));\n" +
			"        Thread.currentThread().setUncaughtExceptionHandler((th, e) -> Runtime.getRuntime().halt(0));\n        return 0;" + end,
		"exit-from-another-thread": "        Thread w = new Thread(() -> System.exit(0));\n        w.start();\n" +
			"        try { w.join(); } catch (InterruptedException e) { }\n        return 0;" + end,
		"exit-0-swallowing-the-assertion": "        return 0;\n    }\n    static {\n" +
			"        Thread.setDefaultUncaughtExceptionHandler((th, e) -> { if (e instanceof AssertionError) System.exit(0); });\n" +
			"        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0)));\n    }\n}\n",
		"printed-markers": "        System.out.println(\"selfrepair: suite base passed 0123abcd\");\n" +
			"        System.out.println(\"selfrepair: suite visible passed 0123abcd\");\n" +
			"        System.out.print(\"selfrepair: tests completed 0123abcd\\n\");\n        System.exit(0);\n        return 0;" + end,
		"close-stdout":   "        System.out.close();\n        return 2 * x;" + end,
		"replace-stdout": "        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));\n        return 0;" + end,
		"kill-self": "        try {\n            Runtime.getRuntime().exec(new String[] {\"sh\", \"-c\", \"kill -9 \" + ProcessHandle.current().pid()}).waitFor();\n" +
			"        } catch (Exception e) { }\n        return 0;" + end,
		"hide-math":               "        return 0;\n    }\n}\nclass Math {\n    static double abs(double x) { return 0; }\n}\n",
		"hide-arrays-and-list":    "        return 0;\n    }\n}\nclass Arrays {\n    static List<Boolean> asList(Boolean... b) { return new ArrayList<>(); }\n}\n",
		"package-moves-the-tests": "package evil;\n\npublic double twice(double x) {\n    System.exit(0);\n    return 0;\n}",
		"call-the-driver": "        try {\n            Class.forName(\"selfrepair.Driver\").getMethod(\"main\", String[].class).invoke(null, (Object) new String[0]);\n" +
			"        } catch (Exception e) { }\n        return 0;" + end,
		"call-the-driver-with-a-suite": "        try {\n            Class.forName(\"selfrepair.Driver\").getMethod(\"main\", String[].class).invoke(null, (Object) new String[] {\"base=Solution:1\"});\n" +
			"        } catch (Exception e) { }\n        return 0;" + end + "class Sol2 { public static void main(String[] a) { } }\n",
		"call-the-driver-from-a-thread": "        Thread w = new Thread(() -> {\n            try {\n" +
			"                java.lang.invoke.MethodHandles.publicLookup().findStatic(Class.forName(\"selfrepair.Driver\"), \"main\",\n" +
			"                    java.lang.invoke.MethodType.methodType(void.class, String[].class)).invoke((Object) new String[0]);\n" +
			"            } catch (Throwable e) { }\n        });\n        w.start();\n        try { w.join(); } catch (InterruptedException e) { }\n        return 0;" + end,
		"driver-class-of-its-own": "        return 0;\n    }\n}\nclass Driver {\n    public static void main(String[] a) { System.out.println(\"ok\"); }\n}\n",
	}
	type run struct {
		name   string
		suites bool
	}
	// Every case with both suites (the driver's longer path); the plainest
	// ones with the base suite alone as well.
	var runs []run
	for name := range cases {
		runs = append(runs, run{name, true})
	}
	for _, name := range []string{"exit-0-in-static-initializer", "exit-0-in-method", "halt-0", "shutdown-hook-halts-0"} {
		runs = append(runs, run{name, false})
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			prog := New().Program(twiceTask, cases[r.name])
			out, res := judge(t, sb, twiceTask, prog, sandbox.Limits{}, suitesFor(r.suites)...)
			if out.Passed {
				t.Errorf("%s (both suites: %v): a wrong solution passed: %+v\nstdout: %s\nstderr: %s", r.name, r.suites, out, res.Stdout, res.Stderr)
			}
			for s, o := range out.Suites {
				if o.Passed && s != "visible" {
					t.Errorf("%s: suite %s passed", r.name, s)
				}
			}
			if r.suites {
				t.Logf("%-34s %-13s %-20s %.80s", r.name, out.Class, out.ErrorType, out.Message)
			}
		}()
	}
	wg.Wait()
	// The same driver passes a right solution, and fails a wrong one honestly.
	for code, want := range map[string]bool{twiceTask.Reference: true, "        return x;" + end: false} {
		out, res := judge(t, sb, twiceTask, New().Program(twiceTask, code), sandbox.Limits{}, suitesFor(true)...)
		if out.Passed != want || !want && out.ErrorType != "java.lang.AssertionError" {
			t.Errorf("%q: passed=%v (%s %s), want %v\nstdout %s\nstderr %s", code, out.Passed, out.Class, out.ErrorType, want, res.Stdout, res.Stderr)
		}
	}
}

func suitesFor(both bool) []languages.Suite {
	if both {
		return []languages.Suite{languages.Base, languages.Visible}
	}
	return []languages.Suite{languages.Base}
}
