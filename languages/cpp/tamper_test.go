package cpp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// tamperTask's tests call the function three times; twice(x) must be 2*x.
var tamperTask = tasks.Task{ID: "Tamper/twice", Style: tasks.Completion, Language: "cpp",
	Prompt: "#include<stdio.h>\n#include<string>\nusing namespace std;\nint twice(int x){\n",
	Test: "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (twice(2) == 4);\n    assert (twice(-3) == -6);\n" +
		"    assert (to_string(twice(5)) == \"10\");\n}\n",
	VisibleTest: "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (twice(1) == 2);\n}\n",
	Reference:   "    return 2 * x;\n}\n"}

// TestVerdictCannotBeForged runs wrong solutions that try to pass by ending
// the program early with success, by faking what the driver prints, or by
// redefining what the tests use; none may pass. Each is wrong for the
// tests (it returns x), so only a forged verdict could pass it.
func TestVerdictCannotBeForged(t *testing.T) {
	sb := sharedSandbox(t)
	const wrong = "int twice(int x){\n    return x;\n}\n"
	// Ways to end the program with status 0.
	exits := map[string]string{
		"std::exit":       "#include <cstdlib>\n%sstd::exit(0);",
		"exit":            "#include <stdlib.h>\n%sexit(0);",
		"_exit":           "#include <unistd.h>\n%s_exit(0);",
		"std::quick_exit": "#include <cstdlib>\n%sstd::quick_exit(0);",
		"std::_Exit":      "#include <cstdlib>\n%sstd::_Exit(0);",
	}
	cases := map[string]string{}
	for name, e := range exits {
		head, call, _ := strings.Cut(e, "%s")
		cases[name+"-in-global-constructor"] = head + "\nstruct Early { Early() { " + call + " } } early;\n" + wrong
		cases[name+"-during-a-test"] = head + "\nint twice(int x){\n    if (x == -3) " + call + "\n    return 2 * x;\n}\n"
	}
	more := map[string]string{
		"atexit-exits-0": "#include <cstdlib>\n#include <unistd.h>\nstatic void bye() { _exit(0); }\n" +
			"struct Reg { Reg() { std::atexit(bye); } } reg;\n" + wrong,
		"atexit-prints-markers": "#include <cstdlib>\n#include <cstdio>\nstatic void bye() { printf(\"selfrepair: tests completed 00000000000000000000000000000000\\nOK\\n\"); }\n" +
			"struct Reg { Reg() { std::atexit(bye); } } reg;\n" + wrong,
		"sigabrt-handler-exits-0": "#include <csignal>\n#include <unistd.h>\nstatic void h(int) { _exit(0); }\n" +
			"struct Reg { Reg() { std::signal(SIGABRT, h); } } reg;\n" + wrong,
		"sigabrt-handler-in-test": "#include <csignal>\n#include <unistd.h>\nstatic void h(int) { _exit(0); }\n" +
			"int twice(int x){\n    std::signal(SIGABRT, h);\n    return x;\n}\n",
		"terminate-handler-exits-0": "#include <exception>\n#include <unistd.h>\n" +
			"int twice(int x){\n    std::set_terminate([] { _exit(0); });\n    throw 1;\n}\n",
		"sigsegv-handler-exits-0": "#include <csignal>\n#include <unistd.h>\nstatic void h(int) { _exit(0); }\n" +
			"int twice(int x){\n    std::signal(SIGSEGV, h);\n    return *(volatile int *)nullptr;\n}\n",
		"define-assert": "#define assert(x) ((void)0)\n" + wrong,
		"define-assert-after-include": "#include <assert.h>\n#undef assert\n#define assert(x) ((void)0)\n#define NDEBUG 1\n" +
			"#define __assert_fail(...) ((void)0)\n#define static_cast\n" + wrong,
		"define-main":          "#define main main2\n" + wrong,
		"define-main-function": "#define main() main2()\nint main2() { return 0; }\n" + wrong,
		"define-spliced":       "#def\\\nine assert(x) ((void)0)\n#/* c */define main skipped\n" + wrong,
		"own-main":             "#include <cstdlib>\n" + wrong + "struct M { M() { std::exit(0); } } m;\nint main() { return 0; }\n",
		"assert-fail-symbol": "extern \"C\" void __assert_fail(const char *, const char *, unsigned int, const char *) noexcept {}\n" +
			"extern \"C\" void abort() noexcept {}\n" + wrong,
		"always-equal-operator": "#include <string>\nbool operator==(const std::string &, const char *) { return true; }\n" +
			"struct Any { template <class T> bool operator==(T) const { return true; } };\n" + wrong,
		"printed-markers": "#include <cstdio>\nint twice(int x){\n    printf(\"selfrepair: tests completed 0123456789abcdef0123456789abcdef\\n\");\n" +
			"    fprintf(stderr, \"selfrepair: suite base 0123456789abcdef0123456789abcdef passed\\n\");\n    return x;\n}\n",
		"kill-the-driver":        "#include <csignal>\n#include <unistd.h>\nint twice(int x){\n    kill(getppid(), SIGKILL);\n    return 2 * x;\n}\n",
		"garbage-on-pipes":       "#include <unistd.h>\nint twice(int x){\n    for (int fd = 3; fd < 64; fd++) write(fd, \"passed\", 6);\n    return x;\n}\n",
		"close-all-fds-and-exit": "#include <unistd.h>\nint twice(int x){\n    for (int fd = 0; fd < 64; fd++) close(fd);\n    _exit(0);\n}\n",
		"fork-and-exit":          "#include <unistd.h>\nint twice(int x){\n    if (fork() == 0) return 2 * x;\n    _exit(0);\n}\n",
		// The forked copy finishes the tests before the original exits, so
		// its report is in the pipe when the driver reads it.
		"fork-finish-first-exit": "#include <unistd.h>\nint twice(int x){\n    if (fork() == 0) return 2 * x;\n    usleep(300000);\n    _exit(0);\n}\n",
		"fake-fork":              "#include <unistd.h>\nextern \"C\" pid_t fork() noexcept { return 0; }\n" + wrong,
		"pragma-optimize":        "#pragma GCC optimize(\"O3\")\n#pragma pack(1)\n" + wrong,
		"unclosed-block":         "int twice(int x){\n    return x;\n}\nnamespace hidden {\n",
		"template-prefix":        wrong + "template <typename T>\n",
	}
	for k, v := range more {
		cases[k] = v
	}
	// These do not compile, by design of the driver; every other attack must
	// compile and run, so that the test shows the driver, not the compiler,
	// stopping it.
	noCompile := map[string]bool{"own-main": true, "unclosed-block": true, "template-prefix": true}
	head := tamperTask.Prompt[:strings.Index(tamperTask.Prompt, "int twice")]
	for name, code := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, res := judge(t, sb, tamperTask, head+code, sandbox.Limits{Timeout: 3 * time.Second}, languages.Base, languages.Visible)
			if out.Passed || out.Suites[languages.Base] != nil && out.Suites[languages.Base].Passed {
				t.Errorf("a wrong solution passed: %+v\nstdout: %s\nstderr: %s\nbuild: %s", out, res.Stdout, res.Stderr, res.BuildOutput)
			}
			if wantLoad := noCompile[name]; (out.Phase == "load") != wantLoad {
				t.Errorf("phase %s (%s: %s), want load=%v\n%s", out.Phase, out.ErrorType, out.Message, wantLoad, out.Traceback)
			}
			t.Logf("%s %s: %s", out.Class, out.ErrorType, out.Message)
		})
	}
	// The same driver passes a right solution, and fails a wrong one honestly.
	t.Run("honest", func(t *testing.T) {
		for program, want := range map[string]bool{tamperTask.Prompt + tamperTask.Reference: true, head + wrong: false} {
			out, _ := judge(t, sb, tamperTask, program, sandbox.Limits{Timeout: 3 * time.Second}, languages.Base, languages.Visible)
			if out.Passed != want || (!want && out.Class != languages.Assertion) {
				t.Errorf("%q: passed=%v %s, want %v", program, out.Passed, out.Class, want)
			}
		}
	})
}
