package rust

import (
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// doubleTask's tests want f(1) == 2 and f(3) == 6.
var doubleTask = tasks.Task{ID: "Tamper/double", Style: tasks.Completion, Language: "rust",
	Declaration: "\nuse rand::Rng;\n\nfn f(x: i64) -> i64 {\n",
	Prompt:      "\n/*\n Return 2*x.\n*/\n",
	Reference:   "    2 * x\n}\n",
	Test: "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn test_f() {\n" +
		"        assert_eq!(f(1), 2);\n        assert_eq!(f(3), 6);\n    }\n}\n",
}

// initArray runs code before main, from .init_array, as a C constructor.
func initArray(code string) string {
	return "#[used]\n#[link_section = \".init_array\"]\nstatic EARLY: extern \"C\" fn() = {\n    extern \"C\" fn early() {\n        " +
		code + "\n    }\n    early\n};\n"
}

// TestVerdictCannotBeForged runs wrong solutions (f(x) is not 2*x, or is
// only in a process that never finishes the tests) that exit with status 0
// before or during the tests, or that try to stand in for the test
// machinery; none may pass.
func TestVerdictCannotBeForged(t *testing.T) {
	sb := testSandbox(t, sandbox.Pooled)
	libtest := `println!("running 1 test\ntest tests::test_f ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");`
	cases := map[string]string{
		"exit-0-in-function":     "    std::process::exit(0)\n}\n",
		"exit-0-after-output":    "    " + libtest + "\n    println!(\"selfrepair: tests completed 00000000000000000000000000000000\");\n    std::process::exit(0)\n}\n",
		"exit-0-init-array":      "    0\n}\n" + initArray("std::process::exit(0);"),
		"init-array-libtest":     "    0\n}\n" + initArray(libtest+" std::process::exit(0);"),
		"libc-exit-init-array":   "    0\n}\n" + "extern \"C\" { fn _exit(code: i32) -> !; }\n" + initArray("unsafe { _exit(0) }"),
		"abort-with-panic-hook":  "    std::panic::set_hook(Box::new(|_| std::process::abort()));\n    0\n}\n",
		"panic-hook-exits-0":     "    std::panic::set_hook(Box::new(|_| std::process::exit(0)));\n    0\n}\n",
		"panic-hook-prints-pass": "    std::panic::set_hook(Box::new(|_| { " + libtest + " std::process::exit(0) }));\n    0\n}\n",
		"hook-set-before-main":   "    0\n}\n" + initArray("std::panic::set_hook(Box::new(|_| std::process::exit(0)));"),
		"exit-in-other-thread":   "    std::thread::spawn(|| std::process::exit(0)).join().ok();\n    0\n}\n",
		"catch-and-exit":         "    if std::panic::catch_unwind(|| panic!(\"x\")).is_err() { std::process::exit(0) }\n    0\n}\n",
		"shadowed-assert":        "    0\n}\n\nmacro_rules! assert_eq { ($($t:tt)*) => {} }\nmacro_rules! assert { ($($t:tt)*) => {} }\n",
		"always-equal-return":    "fn f(x: i64) -> Yes {\n    Yes\n}\n\n#[derive(Debug)]\nstruct Yes;\n\nimpl PartialEq<i64> for Yes {\n    fn eq(&self, _: &i64) -> bool { true }\n}\n",
		"token-at-compile-time":  "    println!(\"selfrepair: tests completed {}\", env!(\"SELFREPAIR_TOKEN\"));\n    std::process::exit(0)\n}\n",
		"driver-api": "    ::selfrepair_driver::run(&::selfrepair_driver::Test { suite: \"base\", path: \"x\", run: || {}, should_panic: None, ignore: false });\n" +
			"    println!(\"selfrepair: suite base passed\");\n    std::process::exit(0)\n}\n",
		"fork-honest-child": "    extern \"C\" { fn fork() -> i32; fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32; }\n" +
			"    unsafe {\n        let pid = fork();\n        if pid == 0 { return 2 * x; }\n        let mut st = 0;\n        waitpid(pid, &mut st, 0);\n    }\n    std::process::exit(0)\n}\n",
		"main-thread-exits": "    std::thread::sleep(std::time::Duration::from_millis(1));\n    unsafe { libc_exit(0) }\n}\nextern \"C\" { #[link_name = \"exit\"] fn libc_exit(code: i32) -> !; }\n",
	}
	names := make([]string, 0, len(cases))
	var jobs []sandbox.Job
	for name, code := range cases {
		names = append(names, name)
		jobs = append(jobs, New().Job(doubleTask, New().Program(doubleTask, code), sandbox.Limits{Timeout: 3 * time.Second}))
	}
	// The same harness passes a right solution, and fails a wrong one
	// honestly.
	names = append(names, "right", "wrong")
	jobs = append(jobs, New().Job(doubleTask, New().Program(doubleTask, doubleTask.Reference), sandbox.Limits{}),
		New().Job(doubleTask, New().Program(doubleTask, "    x\n}\n"), sandbox.Limits{}))
	outs, ress := runAll(t, sb, jobs)
	for i, name := range names {
		out := outs[i]
		switch name {
		case "right":
			if !out.Passed {
				t.Errorf("the right solution failed: %+v\nstderr: %s", out, ress[i].Stderr)
			}
		case "wrong":
			if out.Passed || out.Class != "assertion" {
				t.Errorf("the wrong solution: %+v", out)
			}
		default:
			if out.Passed {
				t.Errorf("%s: a wrong solution passed: %+v\nstdout: %s\nstderr: %s", name, out, ress[i].Stdout, ress[i].Stderr)
			}
		}
		t.Logf("%-24s %s %s: %s", name, out.Class, out.ErrorType, out.Message)
	}
}
