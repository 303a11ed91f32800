package golang

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// The outputs below are what the image's Go 1.19, testify 1.8.1 and the
// driver print (copied from real runs).

var unitTask = tasks.Task{ID: "Unit/Mean", Language: "go", Style: tasks.Completion,
	Prompt: "import (\n    \"math\"\n)\n\n// Mean of a non-empty list.\nfunc Mean(xs []int) float64 {\n",
	Setup:  "package main\n\nimport (\n    \"testing\"\n    \"github.com/stretchr/testify/assert\"\n)\n",
	Test: "func TestMean(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(2.0, Mean([]int{1, 2, 3}))\n" +
		"    assert.Equal(4.0, Mean([]int{4}))\n}\n",
	VisibleTest: "func TestMean(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(4.0, Mean([]int{4}))\n}\n",
}

func unitJob(code string) (sandbox.Job, string) {
	l := New()
	job := l.Job(unitTask, l.Program(unitTask, code), sandbox.Limits{}, languages.Base, languages.Visible)
	return job, job.Env[languages.TokenEnv]
}

func exited(code int, stdout, stderr string) *sandbox.Result {
	zero := 0
	return &sandbox.Result{Status: sandbox.StatusExited, ExitCode: code, Stdout: []byte(stdout), Stderr: []byte(stderr), BuildExitCode: &zero}
}

func TestJobLayout(t *testing.T) {
	job, token := unitJob("    return float64(len(xs))\n}\n")
	if len(token) != 32 || job.Env[maxStackEnv] != "67108864" {
		t.Errorf("env %v", job.Env)
	}
	sol := string(job.Files[solutionFile])
	if !strings.HasPrefix(sol, "package main\n") || strings.Contains(sol, "\"math\"") {
		t.Errorf("solution.go imports what it does not use:\n%s", sol)
	}
	base, visible := string(job.Files["main_test.go"]), string(job.Files["example_test.go"])
	if !strings.Contains(base, "func TestMean(") || !strings.Contains(visible, "func TestMean_visible(") {
		t.Errorf("test files:\n%s\n%s", base, visible)
	}
	main := string(job.Files[mainFile])
	if !strings.Contains(main, `{Suite: "base", Name: "TestMean", F: TestMean}`) ||
		!strings.Contains(main, `{Suite: "visible", Name: "TestMean", F: TestMean_visible}`) {
		t.Errorf("main:\n%s", main)
	}
	var m manifest
	if err := json.Unmarshal(job.Files[manifestFile], &m); err != nil || m.Entry != "Mean" || len(m.Suites) != 2 {
		t.Errorf("manifest %+v (%v)", m, err)
	}
	if len(job.Build) != 3 || !strings.Contains(job.Build[2], "solution.go main_test.go example_test.go selfrepair_main.go") {
		t.Errorf("build %q", job.Build)
	}
	// A program's own main is renamed; its package clause goes.
	job, _ = unitJob("package main\n\nimport \"fmt\"\n\nfunc Mean(xs []int) float64 { return 1 }\n\nfunc main() { fmt.Println(Mean(nil)) }\n")
	sol = string(job.Files[solutionFile])
	if !strings.Contains(sol, "func main_() {") || strings.Count(sol, "package main") != 1 || !strings.Contains(sol, "\"fmt\"") {
		t.Errorf("solution.go:\n%s", sol)
	}
	// A suite the task lacks is left out.
	job = New().Job(tasks.Task{Prompt: unitTask.Prompt, Setup: unitTask.Setup, Test: unitTask.Test, Style: tasks.Completion},
		unitTask.Prompt+"return 1\n}\n", sandbox.Limits{}, languages.Base, languages.Visible)
	if _, ok := job.Files["example_test.go"]; ok {
		t.Error("an examples file for a task without examples")
	}
}

func TestClassifyOutputs(t *testing.T) {
	l := New()
	job, token := unitJob("    return 2.0\n}\n")
	mark := func(s string) string { return "selfrepair: " + s + " " + token + "\n" }
	failBlock := "--- FAIL: TestMean (0.00s)\n    main_test.go:4: \n        \tError Trace:\t/work/main_test.go:4\n" +
		"        \tError:      \tNot equal: \n        \t            \texpected: 4\n        \t            \tactual  : 2\n" +
		"        \tTest:       \tTestMean\n"
	panicRec, _ := json.Marshal(panicRecord{Type: "runtime.boundsError", Message: "runtime error: index out of range [3] with length 3", Runtime: true,
		Stack: "goroutine 18 [running]:\nruntime/debug.Stack()\n\t/usr/lib/go-1.19/src/runtime/debug/stack.go:24 +0x65\n" +
			"selfrepair/driver.report({0x5e5480?, 0xc0000c8228})\n\t/usr/lib/selfrepair-go/src/driver/driver.go:164 +0x136\n" +
			"panic({0x5e5480, 0xc0000c8228})\n\t/usr/lib/go-1.19/src/runtime/panic.go:884 +0x212\n" +
			"main.Mean(...)\n\t/work/solution.go:7\nmain.TestMean(0x5f7464?)\n\t/work/main_test.go:3 +0x231\n" +
			"selfrepair/driver.(*run).guard.func1(0xc0000a6d00?)\n\t/usr/lib/selfrepair-go/src/driver/driver.go:141 +0x15f\n" +
			"testing.tRunner(0xc0000a6d00, 0xc0000c4370)\n\t/usr/lib/go-1.19/src/testing/testing.go:1446 +0x10b\n"})
	overflow := "runtime: goroutine stack exceeds 67108864-byte limit\nruntime: sp=0xc0040e0388 stack=[0xc0040e0000, 0xc0080e0000]\n" +
		"fatal error: stack overflow\n\nruntime stack:\nruntime.throw({0x5f9246?, 0x74e1c0?})\n\t/usr/lib/go-1.19/src/runtime/panic.go:1047 +0x5d fp=0x7ffec4d0ff40 sp=0x7ffec4d0ff10 pc=0x4371bd\n\n" +
		"goroutine 6 [running]:\nmain.Mean({0xc0080dfe58?, 0x6?, 0x6?})\n\t/work/solution.go:6 +0xa5 fp=0xc0040e0398 sp=0xc0040e0390 pc=0x5a8405\n" +
		strings.Repeat("main.Mean({0xc0080dfe58?, 0x0?, 0x0?})\n\t/work/solution.go:7 +0x38 fp=0xc0040e03c8 sp=0xc0040e0398 pc=0x5a8398\n", 60) +
		"...additional frames elided...\ncreated by testing.(*T).Run\n\t/usr/lib/go-1.19/src/testing/testing.go:1493 +0x35f\n\n" +
		"goroutine 1 [chan receive]:\ntesting.(*T).Run(0xc000007d40, {0x5fafa2?, 0x4d2545?}, 0xc00005e3c0)\n\t/usr/lib/go-1.19/src/testing/testing.go:1494 +0x37a\n"
	one := 1
	cases := []struct {
		name           string
		res            *sandbox.Result
		passed         bool
		class          languages.Class
		errorType      string
		line, testLine int
		base, visible  bool
	}{
		{"pass", exited(0, mark("begin base")+mark("end base pass")+mark("begin visible")+mark("end visible pass")+"PASS\n"+languages.TokenLine(token), ""),
			true, languages.Pass, "", 0, 0, true, true},
		{"compile", &sandbox.Result{Status: sandbox.StatusExited, ExitCode: 1, BuildExitCode: &one,
			BuildOutput: []byte("/work/solution.go:7:12: undefined: total\n/work/solution.go:8:2: undefined: other\n")},
			false, languages.Name, "UndeclaredName", 7, 0, false, false},
		{"assertion-in-base", exited(1, mark("begin base")+mark("end base fail")+failBlock+mark("begin visible")+mark("end visible pass")+"FAIL\n", ""),
			false, languages.Assertion, "assert.Equal", 0, 4, false, true},
		{"recovered-panic", exited(1, mark("begin base")+mark("panic "+string(panicRec))+mark("end base fail")+"--- FAIL: TestMean (0.00s)\n"+
			mark("begin visible")+mark("end visible pass")+"FAIL\n", ""),
			false, languages.Index, "runtime.boundsError", 7, 3, false, true},
		{"stack-overflow", &sandbox.Result{Status: sandbox.StatusExited, ExitCode: 2, Stdout: []byte(mark("begin base")), Stderr: []byte(overflow), BuildExitCode: new(int)},
			false, languages.Recursion, "fatal error", 7, 0, false, false},
		{"forged-without-token", exited(0, "selfrepair: begin base x\nselfrepair: end base pass x\nselfrepair: begin visible x\nselfrepair: end visible pass x\nPASS\nselfrepair: tests completed x\n", ""),
			false, languages.OtherRuntime, "EarlyExit", 0, 0, false, false},
		{"all-suites-but-no-token", exited(0, mark("begin base")+mark("end base pass")+mark("begin visible")+mark("end visible pass"), ""),
			false, languages.OtherRuntime, "EarlyExit", 0, 0, true, false},
		{"killed", &sandbox.Result{Status: sandbox.StatusSignaled, Signal: 9, Stdout: []byte(mark("begin base")), BuildExitCode: new(int)},
			false, languages.OtherRuntime, "Signal9", 0, 0, false, false},
		{"timeout", &sandbox.Result{Status: sandbox.StatusTimeout, Message: "the time limit (3s) was exceeded", BuildExitCode: new(int)},
			false, languages.Timeout, "Timeout", 0, 0, false, false},
		{"memory", &sandbox.Result{Status: sandbox.StatusMemory}, false, languages.Memory, "OutOfMemory", 0, 0, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := l.Classify(job, c.res)
			if out.Passed != c.passed || out.Class != c.class || out.ErrorType != c.errorType || out.Line != c.line || out.TestLine != c.testLine {
				t.Errorf("got %v %s %s line %d test line %d (%s), want %v %s %s line %d test line %d",
					out.Passed, out.Class, out.ErrorType, out.Line, out.TestLine, out.Message, c.passed, c.class, c.errorType, c.line, c.testLine)
			}
			if out.Suites != nil {
				if b, v := out.Suites[languages.Base], out.Suites[languages.Visible]; b == nil || v == nil || b.Passed != c.base || v.Passed != c.visible {
					t.Errorf("suites: base %+v, visible %+v", b, v)
				}
			}
			if strings.Contains(out.Traceback, token) || strings.Contains(out.Message, token) {
				t.Error("the token leaked into the feedback")
			}
		})
	}
	// The details of the assertion and of the panic.
	out := l.Classify(job, cases[2].res)
	if out.Expected != "4" || out.Actual != "2" || out.Call != "Mean([]int{4})" || out.Message != "Not equal: expected 4, actual 2" ||
		out.TestText != "assert.Equal(4.0, Mean([]int{4}))" {
		t.Errorf("assertion: %+v", out.Failure)
	}
	out = l.Classify(job, cases[3].res)
	if !strings.HasPrefix(out.Traceback, "panic: runtime error: index out of range [3] with length 3 [recovered]\n\nmain.Mean(...)\n\tsolution.go:7\n") ||
		strings.Contains(out.Traceback, "driver") || strings.Contains(out.Traceback, "testing.") {
		t.Errorf("panic traceback:\n%s", out.Traceback)
	}
	out = l.Classify(job, cases[4].res)
	if !strings.Contains(out.Traceback, "more calls of main.Mean") || len(out.Traceback) > 1<<10 ||
		out.Message != "stack overflow: goroutine stack exceeds 67108864-byte limit" {
		t.Errorf("stack overflow: %s\n%s", out.Message, out.Traceback)
	}
}
