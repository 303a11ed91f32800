package golang_test

import (
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// TestVerdictCannotBeForged runs wrong solutions that try to pass by
// leaving early with status 0, before or during the tests, or by fooling
// the driver; none may pass. Each is wrong for the tests (Double(3) must
// be 6), so only a forged verdict could pass it.
func TestVerdictCannotBeForged(t *testing.T) {
	sb := sharedSandbox(t)
	task := tasks.Task{ID: "Tamper/Double", Language: "go", Style: tasks.Completion,
		Prompt: "\n// Double returns 2*x.\nfunc Double(x int) int {\n",
		Setup:  "package main\n\nimport (\n    \"testing\"\n    \"github.com/stretchr/testify/assert\"\n)\n",
		Test: "func TestDouble(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(6, Double(3))\n" +
			"    assert.Equal(0, Double(0))\n}\n",
		VisibleTest: "func TestDouble(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(0, Double(0))\n}\n",
		Reference:   "    return 2 * x\n}\n",
	}
	wrong := "func Double(x int) int {\n    return x\n}\n"
	cases := map[string]string{
		"exit-0-in-init":          "import \"os\"\n\nfunc init() { os.Exit(0) }\n\n" + wrong,
		"exit-0-in-var-init":      "import \"os\"\n\nvar _ = func() int { os.Exit(0); return 0 }()\n\n" + wrong,
		"exit-0-in-function":      "import \"os\"\n\nfunc Double(x int) int {\n    os.Exit(0)\n    return x\n}\n",
		"syscall-exit-0":          "import \"syscall\"\n\nfunc Double(x int) int {\n    syscall.Exit(0)\n    return x\n}\n",
		"syscall-exit-0-in-init":  "import \"syscall\"\n\nfunc init() { syscall.Exit(0) }\n\n" + wrong,
		"goexit-in-test":          "import \"runtime\"\n\nfunc Double(x int) int {\n    runtime.Goexit()\n    return x\n}\n",
		"goexit-in-init":          "import \"runtime\"\n\nfunc init() { runtime.Goexit() }\n\n" + wrong,
		"panic-nil-in-test":       "func Double(x int) int {\n    panic(nil)\n}\n",
		"exit-0-from-goroutine":   "import (\n    \"os\"\n    \"time\"\n)\n\nfunc Double(x int) int {\n    go os.Exit(0)\n    time.Sleep(time.Second)\n    return x\n}\n",
		"exit-0-after-the-tests":  "import (\n    \"syscall\"\n    \"time\"\n)\n\nfunc init() { go func() { time.Sleep(300 * time.Millisecond); syscall.Exit(0) }() }\n\nfunc Double(x int) int {\n    time.Sleep(500 * time.Millisecond)\n    return x\n}\n",
		"printed-markers":         "import \"fmt\"\n\nfunc init() { fmt.Println(\"PASS\\nok\\nselfrepair: end base pass \\nselfrepair: tests completed \") }\n\n" + wrong,
		"token-from-environment":  "import (\n    \"fmt\"\n    \"os\"\n    \"syscall\"\n)\n\nfunc Double(x int) int {\n    fmt.Printf(\"selfrepair: tests completed %s\\n\", os.Getenv(\"SELFREPAIR_TOKEN\"))\n    syscall.Exit(0)\n    return x\n}\n",
		"token-from-proc-environ": "import (\n    \"bytes\"\n    \"fmt\"\n    \"os\"\n    \"syscall\"\n)\n\nfunc Double(x int) int {\n    env, _ := os.ReadFile(\"/proc/self/environ\")\n    for _, kv := range bytes.Split(env, []byte{0}) {\n        if bytes.HasPrefix(kv, []byte(\"SELFREPAIR_TOKEN=\")) {\n            v := kv[len(\"SELFREPAIR_TOKEN=\"):]\n            fmt.Printf(\"selfrepair: end base pass %s\\nselfrepair: end visible pass %s\\nselfrepair: tests completed %s\\n\", v, v, v)\n        }\n    }\n    syscall.Exit(0)\n    return x\n}\n",
		"no-tests-by-count":       "import (\n    \"flag\"\n    \"testing\"\n)\n\nfunc init() {\n    testing.Init()\n    flag.Set(\"test.count\", \"0\")\n    flag.Set(\"test.run\", \"^$\")\n}\n\n" + wrong,
		"no-tests-by-args":        "import \"os\"\n\nfunc init() { os.Args = append(os.Args, \"-test.run=^$\", \"-test.count=0\") }\n\n" + wrong,
		"flags-replaced":          "import (\n    \"flag\"\n    \"os\"\n    \"testing\"\n)\n\nfunc init() {\n    testing.Init()\n    flag.CommandLine = flag.NewFlagSet(os.Args[0], flag.ContinueOnError)\n}\n\n" + wrong,
		"stdout-replaced":         "import \"os\"\n\nfunc init() { os.Stdout, _ = os.Open(os.DevNull) }\n\n" + wrong,
		"main-of-its-own":         "import \"os\"\n\nfunc main() { os.Exit(0) }\n\n" + wrong,
		"test-of-its-own":         "import \"testing\"\n\nfunc TestDouble(t *testing.T) {}\n\n" + wrong,
		"token-by-linkname": "import (\n    \"fmt\"\n    \"syscall\"\n    _ \"unsafe\"\n)\n\n//go:linkname token selfrepair/driver.token\nvar token string\n\n" +
			"func Double(x int) int {\n    fmt.Printf(\"selfrepair: end base pass %s\\nselfrepair: end visible pass %s\\nselfrepair: tests completed %s\\n\", token, token, token)\n" +
			"    syscall.Exit(0)\n    return x\n}\n",
		"error-method-exits": "import \"syscall\"\n\ntype lie struct{}\n\nfunc (lie) Error() string { syscall.Exit(0); return \"\" }\n\n" +
			"func Double(x int) int {\n    panic(lie{})\n}\n",
	}
	lang := golang.New()
	for name, code := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, res := judge(t, sb, task, lang.Program(task, code), sandbox.Limits{Timeout: 5 * time.Second}, languages.Base, languages.Visible)
			if out.Passed {
				t.Fatalf("a wrong solution passed: %+v\nstdout: %s\nstderr: %s", out, res.Stdout, res.Stderr)
			}
			if b := out.Suites[languages.Base]; b != nil && b.Passed {
				t.Errorf("the base suite passed: %+v\nstdout: %s", b, res.Stdout)
			}
			t.Logf("%s %s: %s", out.Class, out.ErrorType, out.Message)
		})
	}
	// The same job passes a right solution, and fails a wrong one honestly.
	for code, want := range map[string]bool{task.Reference: true, wrong: false} {
		out, res := judge(t, sb, task, lang.Program(task, code), sandbox.Limits{}, languages.Base, languages.Visible)
		if out.Passed != want || (!want && out.Class != languages.Assertion) {
			t.Errorf("%q: passed=%v, want %v: %+v\nstdout: %s\nstderr: %s", code, out.Passed, want, out, res.Stdout, res.Stderr)
		}
	}
}
