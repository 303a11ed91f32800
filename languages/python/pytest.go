package python

import (
	_ "embed"
	"fmt"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

//go:embed pytest_harness.py
var pytestHarnessSource string

// PytestPreload is the pytest harness source, for sandbox.Options.Preload.
func PytestPreload() []string { return []string{pytestHarnessSource} }

// PytestJob builds a sandbox job that runs pytest with args (for example
// "-q", "test_solution.py") over files, in the working directory.
//
// pytest runs inside the untrusted worker; a plugin there reports every test
// to the trusted judge (pytest_harness.py), which passes the job only when
// every test id in expected was reported passed and nothing failed. pytest's
// own exit status and output are never trusted for a pass: a solution that
// ends the session early with pytest.exit(returncode=0) fails with "expected
// tests did not run". When expected is empty, at least one test must pass.
func PytestJob(files map[string][]byte, args []string, expected []string, limits sandbox.Limits) sandbox.Job {
	if expected == nil {
		expected = []string{}
	}
	argv := append([]string(nil), args...)
	if len(argv) == 0 {
		argv = []string{"-q"}
	}
	return sandbox.Job{
		Files: files,
		Argv:  argv,
		Harness: &sandbox.Harness{Source: pytestHarnessSource, Worker: "serve", Judge: "judge",
			Args: map[string]any{"expected": expected}},
		Env:    map[string]string{"PYTHONDONTWRITEBYTECODE": "1"},
		Limits: limits,
	}
}

// pytestReport is what pytest_harness.judge returns.
type pytestReport struct {
	Passed   bool              `json:"passed"`
	Phase    string            `json:"phase"`
	Tests    map[string]string `json:"tests"`
	ExitCode *int              `json:"exit_code"`
	Error    *struct {
		Type      string   `json:"type"`
		Message   string   `json:"message"`
		Traceback string   `json:"traceback"`
		Bases     []string `json:"bases"`
		Test      string   `json:"test"`
	} `json:"error"`
}

// ClassifyPytest turns a PytestJob's result into an outcome. A pass needs
// the trusted judge's report that every expected test passed. A failed test
// is classified by its exception (a failing assert is Assertion, and so is
// pytest.fail); tests that never ran are OtherRuntime.
func ClassifyPytest(res *sandbox.Result) languages.Outcome {
	var rep pytestReport
	if out, ok := languages.Unjudged(res, &rep, "the tests"); ok {
		return out
	}
	if rep.Passed {
		return languages.Passing()
	}
	out := languages.Failed(languages.OtherRuntime, "NoVerdict", "the tests did not pass")
	out.Phase = rep.Phase
	if e := rep.Error; e != nil {
		out.ErrorType = e.Type
		out.Message = e.Message
		out.Traceback = e.Traceback
		out.Class = ClassOf(e.Type, e.Bases...)
		if e.Type == "Failed" && rep.Phase == "test" { // pytest.fail(): a test failure
			out.Class = languages.Assertion
		}
		if e.Type == "EarlyExit" && res.Status == sandbox.StatusSignaled {
			out.Message = fmt.Sprintf("%s: killed by signal %d", e.Message, res.Signal)
			out.ErrorType = fmt.Sprintf("Signal%d", res.Signal)
		}
	}
	return out
}
