// Package python runs Python solutions against their tests in the sandbox
// and classifies the outcome from the final exception.
package python

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

//go:embed harness.py
var harnessSource string

// Preload lists the harness sources a sandbox should load at start
// (sandbox.Options.Preload) to run this package's jobs fastest.
func Preload() []string { return []string{harnessSource} }

// Suite names one of a task's sets of tests.
type Suite string

const (
	Base    Suite = "base"    // Task.Test, after Task.Setup
	Plus    Suite = "plus"    // Task.PlusTest (EvalPlus' extra inputs)
	Visible Suite = "visible" // Task.VisibleTest (the examples a model may be shown)
)

// test is the code of a suite of t's tests, "" when t has none.
func (s Suite) test(t tasks.Task) string {
	switch s {
	case Base:
		return t.Test
	case Plus:
		return t.PlusTest
	case Visible:
		return t.VisibleTest
	}
	return ""
}

// Job builds the sandbox job that tests program (the whole solution
// program, e.g. prompt + completion) against the suites of task's tests
// (Base alone when none is named; a suite the task lacks is left out). Each
// suite runs in a namespace of its own, in the order given, and the
// outcome has a verdict for each (Outcome.Suites).
//
// The tests run in a trusted process apart from the solution (see
// harness.py): the verdict cannot be forged by the code under test.
func Job(t tasks.Task, program string, limits sandbox.Limits, suites ...Suite) sandbox.Job {
	source := program
	if t.Imports != "" {
		source = t.Imports + "\n" + program
	}
	if len(suites) == 0 {
		suites = []Suite{Base}
	}
	var run []map[string]string
	for _, s := range suites {
		if test := s.test(t); test != "" {
			run = append(run, map[string]string{"name": string(s), "setup": t.Setup, "test": test})
		}
	}
	args := map[string]any{
		"source":      source,
		"imports":     t.Imports,
		"suites":      run,
		"entry_point": t.EntryPoint,
	}
	if t.Reference != "" {
		// Trusted: decides which builtin names the tests take from the solution.
		args["reference"] = t.Program(t.ReferenceSample())
	}
	if t.Style == tasks.Completion {
		// The prompt is trusted dataset text: its helpers (HumanEval/32's
		// poly, /38's encode_cyclic) come from it, never from the solution.
		args["prelude"] = t.Prompt
	}
	return sandbox.Job{
		Harness: &sandbox.Harness{Source: harnessSource, Worker: "serve", Judge: "judge", Args: args},
		Env:     map[string]string{"PYTHONDONTWRITEBYTECODE": "1"},
		Limits:  limits,
	}
}

// Class is an error class: what kind of failure a solution had.
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

func exceptionClass() map[string]Class {
	return map[string]Class{
		"SyntaxError":         Syntax,
		"IndentationError":    Syntax,
		"TabError":            Syntax,
		"NameError":           Name,
		"UnboundLocalError":   Name,
		"AssertionError":      Assertion,
		"TypeError":           Type,
		"ValueError":          Value,
		"UnicodeError":        Value,
		"UnicodeDecodeError":  Value,
		"UnicodeEncodeError":  Value,
		"IndexError":          Index,
		"KeyError":            Key,
		"AttributeError":      Attribute,
		"ImportError":         Import,
		"ModuleNotFoundError": Import,
		"RecursionError":      Recursion,
		"ZeroDivisionError":   ZeroDivision,
		"MemoryError":         Memory,
	}
}

// ClassOf maps a Python exception type name to its class. When the type
// is not a known one, its builtin bases (most derived first: a
// JSONDecodeError is a ValueError) decide.
func ClassOf(exceptionType string, bases ...string) Class {
	for _, name := range append([]string{exceptionType}, bases...) {
		if c, ok := exceptionClass()[name]; ok {
			return c
		}
	}
	return OtherRuntime
}

// Outcome is a classified test run.
type Outcome struct {
	Passed    bool   `json:"passed"`
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
	Phase     string `json:"phase,omitempty"` // load (the solution did not load) or test
	// Suites has the verdict of each suite that ran (Job's suites), when the
	// solution loaded; the outcome itself is that of the first suite that
	// failed, or a pass when none did.
	Suites map[Suite]*Outcome `json:"suites,omitempty"`
}

// verdict is what harness.judge returns, for the whole job and per suite.
type verdict struct {
	Passed bool   `json:"passed"`
	Phase  string `json:"phase"`
	Error  *struct {
		Type      string   `json:"type"`
		Message   string   `json:"message"`
		Traceback string   `json:"traceback"`
		Bases     []string `json:"bases"`
		Line      int      `json:"line"`
		LineText  string   `json:"line_text"`
		TestLine  int      `json:"test_line"`
		TestText  string   `json:"test_line_text"`
		Call      string   `json:"call"`
		Expected  string   `json:"expected"`
		Actual    string   `json:"actual"`
	} `json:"error"`
	Suites map[Suite]*verdict `json:"suites"`
}

// Classify turns a harness job's result into an outcome. A pass needs the
// trusted harness's own report that every test ran and passed.
func Classify(res *sandbox.Result) Outcome {
	var v verdict
	if out, ok := unjudged(res, &v, "the solution"); ok {
		return out
	}
	out := v.outcome(res)
	if len(v.Suites) > 0 {
		out.Suites = make(map[Suite]*Outcome, len(v.Suites))
		for name, sv := range v.Suites {
			o := sv.outcome(res)
			out.Suites[name] = &o
		}
	}
	return out
}

// unjudged is the outcome of a harness job whose verdict does not count:
// a limit fired (the limits come first, whatever the report says), or the
// trusted harness produced no report, which is then not a pass. Otherwise
// it decodes the report into v and ok is false.
func unjudged(res *sandbox.Result, v any, who string) (out Outcome, ok bool) {
	switch res.Status {
	case sandbox.StatusTimeout:
		return Outcome{Class: Timeout, ErrorType: "Timeout", Message: res.Message}, true
	case sandbox.StatusMemory:
		return Outcome{Class: Memory, ErrorType: "MemoryError", Message: "the memory limit was reached"}, true
	case sandbox.StatusOutputLimit:
		return Outcome{Class: OutputLimit, ErrorType: "OutputLimit", Message: res.Message}, true
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
	return Outcome{Class: OtherRuntime, ErrorType: "NoVerdict", Message: msg}, true
}

func (v *verdict) outcome(res *sandbox.Result) Outcome {
	if v.Passed {
		return Outcome{Passed: true, Class: Pass}
	}
	out := Outcome{Class: OtherRuntime, Phase: v.Phase}
	if e := v.Error; e != nil {
		out.ErrorType = e.Type
		out.Class = ClassOf(e.Type, e.Bases...)
		out.Message = e.Message
		out.Line, out.LineText = e.Line, strings.TrimSpace(e.LineText)
		out.TestLine, out.TestText = e.TestLine, strings.TrimSpace(e.TestText)
		out.Call, out.Expected, out.Actual = e.Call, e.Expected, e.Actual
		out.Traceback = e.Traceback
		if e.Type == "RemoteDied" {
			out.Message = diedMessage(res, e.Message)
			if res.Status == sandbox.StatusSignaled {
				out.ErrorType = fmt.Sprintf("Signal%d", res.Signal)
			} else {
				out.ErrorType = "EarlyExit"
			}
		}
	}
	return out
}

func diedMessage(res *sandbox.Result, msg string) string {
	switch res.Status {
	case sandbox.StatusSignaled:
		return fmt.Sprintf("%s: killed by signal %d", msg, res.Signal)
	case sandbox.StatusExited:
		return fmt.Sprintf("%s: it exited with status %d before the tests finished", msg, res.ExitCode)
	}
	return msg
}

// FinalException reads the final exception of a Python traceback printed on
// stderr: the exception line of the last "Traceback (most recent call
// last):" block (or of a bare SyntaxError report), with a message that may
// run over several lines, and the line of the innermost frame. The module
// path of the type is dropped (json.decoder.JSONDecodeError gives
// JSONDecodeError). ok is false when stderr holds no traceback.
func FinalException(stderr string) (typ, msg string, line int, ok bool) {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	start := -1
	for i, l := range lines {
		if l == "Traceback (most recent call last):" || (start == -1 && strings.HasPrefix(l, "  File \"")) {
			start = i
		}
	}
	if start == -1 {
		return "", "", 0, false
	}
	for i := start; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "  File \"") {
			if n, ok := frameLine(l); ok {
				line = n
			}
			continue
		}
		if i == start || l == "" || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			continue
		}
		// The first unindented line after the frames: "Type: message",
		// whose message runs to the end.
		name, rest, _ := strings.Cut(l, ":")
		if !isExceptionName(name) {
			return "", "", 0, false
		}
		msg = strings.TrimSpace(strings.Join(append([]string{rest}, lines[i+1:]...), "\n"))
		if j := strings.LastIndex(name, "."); j >= 0 {
			name = name[j+1:]
		}
		return name, msg, line, true
	}
	return "", "", 0, false
}

func frameLine(l string) (int, bool) {
	_, after, ok := strings.Cut(l, "\", line ")
	if !ok {
		return 0, false
	}
	n := 0
	for _, r := range after {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n, n > 0
}

func isExceptionName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
