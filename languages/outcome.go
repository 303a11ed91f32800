package languages

import (
	"encoding/json"
	"fmt"

	"github.com/selfrepair/selfrepair/sandbox"
)

// Class is an error class: what kind of failure a solution had. Every
// language sorts its failures into these.
type Class string

const (
	Pass         Class = "pass"
	Syntax       Class = "syntax"
	Name         Class = "name"
	Assertion    Class = "assertion"
	Type         Class = "type"
	Value        Class = "value"
	Index        Class = "index"
	Key          Class = "key"
	Attribute    Class = "attribute"
	Import       Class = "import"
	Recursion    Class = "recursion"
	ZeroDivision Class = "zero-division"
	OtherRuntime Class = "other-runtime"
	Timeout      Class = "timeout"
	Memory       Class = "memory"
	OutputLimit  Class = "output-limit"
)

// Classes lists every class in a stable order (for reports).
func Classes() []Class {
	return []Class{Pass, Syntax, Name, Assertion, Type, Value, Index, Key, Attribute, Import,
		Recursion, ZeroDivision, OtherRuntime, Timeout, Memory, OutputLimit}
}

// Suite names one of a task's sets of tests.
type Suite string

const (
	Base    Suite = "base"    // Task.Test, after Task.Setup
	Plus    Suite = "plus"    // Task.PlusTest (EvalPlus' extra inputs)
	Visible Suite = "visible" // Task.VisibleTest (the examples a model may be shown)
)

// Failure is how a program failed its tests: the one record of a failure
// from a language's classification to the attempt recorded and the
// feedback built from it. A passing program's Class is Pass and the rest
// is empty.
type Failure struct {
	Class     Class  `json:"error_class"`
	ErrorType string `json:"error_type,omitempty"` // the final exception's type, or the limit
	Message   string `json:"message,omitempty"`
	Line      int    `json:"line,omitempty"` // failing line of the solution
	LineText  string `json:"line_text,omitempty"`
	TestLine  int    `json:"test_line,omitempty"` // failing line of the tests
	TestText  string `json:"test_line_text,omitempty"`
	Call      string `json:"call,omitempty"`     // the failing test's last call into the solution, e.g. "f([1, 2])"
	Expected  string `json:"expected,omitempty"` // what a failed comparison wanted (a repr)
	Actual    string `json:"actual,omitempty"`   // what the solution gave (a repr)
	Traceback string `json:"traceback,omitempty"`
}

// Outcome is a classified test run.
type Outcome struct {
	Passed bool `json:"passed"`
	Failure
	Phase string `json:"phase,omitempty"` // load (the solution did not load) or test
	// Suites has the verdict of each suite that ran (Job's suites), when the
	// solution loaded; the outcome itself is that of the first suite that
	// failed, or a pass when none did.
	Suites map[Suite]*Outcome `json:"suites,omitempty"`
}

// Passing is the outcome of a program that passed.
func Passing() Outcome { return Outcome{Passed: true, Failure: Failure{Class: Pass}} }

// Failed is the outcome of a program that failed with class c, error type
// typ and message msg.
func Failed(c Class, typ, msg string) Outcome {
	return Outcome{Failure: Failure{Class: c, ErrorType: typ, Message: msg}}
}

// Unjudged is the outcome of a harness job whose verdict does not count:
// a limit fired (the limits come first, whatever the report says), or the
// trusted harness produced no report, which is then not a pass. Otherwise
// it decodes the report into v and ok is false.
func Unjudged(res *sandbox.Result, v any, who string) (out Outcome, ok bool) {
	switch res.Status {
	case sandbox.StatusTimeout:
		return Failed(Timeout, "Timeout", res.Message), true
	case sandbox.StatusMemory:
		return Failed(Memory, "MemoryError", "the memory limit was reached"), true
	case sandbox.StatusOutputLimit:
		return Failed(OutputLimit, "OutputLimit", res.Message), true
	}
	if res.Report != nil && json.Unmarshal(res.Report, v) == nil {
		return Outcome{}, false
	}
	msg := "the test harness produced no verdict"
	if res.HarnessError != "" {
		msg += ": " + res.HarnessError
	}
	if res.Status == sandbox.StatusSignaled {
		msg = fmt.Sprintf("%s was killed by signal %d", who, res.Signal)
	}
	return Failed(OtherRuntime, "NoVerdict", msg), true
}
