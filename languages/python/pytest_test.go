package python_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
)

const pytestTests = `from solution import count_vowels


def test_basic():
    assert count_vowels("hello") == 2


def test_empty():
    assert count_vowels("") == 0


def test_upper():
    assert count_vowels("AEIOU xyz") == 5
`

var pytestExpected = []string{"test_solution.py::test_basic", "test_solution.py::test_empty", "test_solution.py::test_upper"}

func TestPytestJob(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker and the " + testImage + " image")
	}
	ctx := context.Background()
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: testImage, Size: 3, Preload: python.PytestPreload()})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { sb.Close() })

	cases := []struct {
		name     string
		solution string
		tests    string
		expected []string
		passed   bool
		class    languages.Class
		message  string // the outcome's message contains it
		tests2   map[string]string
	}{
		{
			name:     "pass",
			solution: "def count_vowels(text):\n    return sum(c in 'aeiouAEIOU' for c in text)\n",
			expected: pytestExpected, passed: true, class: languages.Pass,
			tests2: map[string]string{"test_solution.py::test_basic": "passed", "test_solution.py::test_upper": "passed"},
		},
		{
			name:     "one-failing-test",
			solution: "def count_vowels(text):\n    return sum(c in 'aeiou' for c in text)\n",
			expected: pytestExpected, class: languages.Assertion, message: "test_solution.py::test_upper",
			tests2: map[string]string{"test_solution.py::test_basic": "passed", "test_solution.py::test_upper": "failed"},
		},
		{
			name: "pytest-exit-0",
			solution: "import sys\n\ndef count_vowels(text):\n    if 'pytest' in sys.modules:\n" +
				"        import pytest\n        pytest.exit('environment check complete', returncode=0)\n    return 0\n",
			expected: pytestExpected, class: languages.OtherRuntime, message: "expected tests did not run: test_solution.py::test_basic",
		},
		{
			name:     "os-exit-0",
			solution: "import os\n\ndef count_vowels(text):\n    os._exit(0)\n",
			expected: pytestExpected, class: languages.OtherRuntime, message: "expected tests did not run",
		},
		{
			name:     "collection-error",
			solution: "def count_vowels(text) # no colon\n    return 0\n",
			expected: pytestExpected, class: languages.Syntax, message: "collecting test_solution.py",
		},
		{
			name:     "missing-expected-test",
			solution: "def count_vowels(text):\n    return sum(c in 'aeiouAEIOU' for c in text)\n",
			expected: append(append([]string(nil), pytestExpected...), "test_solution.py::test_other"),
			class:    languages.OtherRuntime, message: "expected tests did not run: test_solution.py::test_other",
		},
		{
			name:     "no-tests-expected-none-ran",
			solution: "def count_vowels(text):\n    return 0\n",
			tests:    "def helper():\n    pass\n",
			class:    languages.OtherRuntime, message: "no test ran",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tests := c.tests
			if tests == "" {
				tests = pytestTests
			}
			files := map[string][]byte{"solution.py": []byte(c.solution), "test_solution.py": []byte(tests)}
			job := python.PytestJob(files, []string{"-q", "test_solution.py"}, c.expected, sandbox.Limits{})
			res, err := sb.Run(ctx, job)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			out := python.ClassifyPytest(res)
			t.Logf("%s %s: %s", out.Class, out.ErrorType, out.Message)
			if out.Passed != c.passed || out.Class != c.class {
				t.Errorf("passed=%v class=%s, want passed=%v class=%s\nmessage: %s\nreport: %s\nstdout: %s\nstderr: %s",
					out.Passed, out.Class, c.passed, c.class, out.Message, res.Report, res.Stdout, res.Stderr)
			}
			if !strings.Contains(out.Message, c.message) {
				t.Errorf("message %q does not contain %q", out.Message, c.message)
			}
			if len(c.tests2) > 0 {
				var rep struct {
					Tests map[string]string `json:"tests"`
				}
				if err := json.Unmarshal(res.Report, &rep); err != nil {
					t.Fatalf("report: %v: %s", err, res.Report)
				}
				for id, want := range c.tests2 {
					if rep.Tests[id] != want {
						t.Errorf("report says %s %q, want %q: %s", id, rep.Tests[id], want, res.Report)
					}
				}
			}
		})
	}
}

// TestPytestClassifyLimits checks that limits come before the report.
func TestPytestClassifyLimits(t *testing.T) {
	for status, class := range map[sandbox.Status]languages.Class{
		sandbox.StatusTimeout: languages.Timeout, sandbox.StatusMemory: languages.Memory, sandbox.StatusOutputLimit: languages.OutputLimit,
	} {
		out := python.ClassifyPytest(&sandbox.Result{Status: status, Report: []byte(`{"passed": true}`)})
		if out.Passed || out.Class != class {
			t.Errorf("%s: got passed=%v class=%s", status, out.Passed, out.Class)
		}
	}
	out := python.ClassifyPytest(&sandbox.Result{Status: sandbox.StatusExited})
	if out.Passed || out.ErrorType != "NoVerdict" {
		t.Errorf("no report: got %+v", out)
	}
}
