// Package python is the Python language: it runs solutions against their
// tests in the sandbox and classifies the outcome from the final exception.
package python

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/script"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

//go:embed harness.py
var harnessSource string

// Language is Python 3, as Debian bookworm's python3 runs it.
type Language struct {
	script.Runtime
}

var _ languages.Language = Language{}

// New returns the Python language.
func New() Language {
	return Language{script.Runtime{
		Lang:     "python",
		Packages: Packages(),
		Env:      map[string]string{"PYTHONDONTWRITEBYTECODE": "1"},
		Exts:     []string{".py"},
		Command:  func(f string) ([]string, []string) { return nil, []string{"python3", f} },
	}}
}

// Packages are the Debian packages of the Python image.
func Packages() []string { return []string{"python3-pytest"} }

// Preload lists the harness sources a sandbox should load at start
// (sandbox.Options.Preload) to run this package's jobs fastest.
func (Language) Preload() []string { return []string{harnessSource} }

// Words are the words prompts use for Python.
func (Language) Words() languages.Words {
	return languages.Words{Name: "Python", Version: "Python 3", Fence: "python",
		Aliases: []string{"py", "python3", "py3"}, Header: "its def line"}
}

// SeedEnv seeds Python's string hashing, and so the order of sets.
func (Language) SeedEnv(seed string) map[string]string {
	return map[string]string{"PYTHONHASHSEED": seed}
}

// Program is the program an answer's code runs as: for a completion task,
// the prompt with the code spliced in (see splice).
func (Language) Program(t tasks.Task, code string) string {
	if t.Style == tasks.Completion {
		return splice(t.Prompt, t.EntryPoint, code)
	}
	return code
}

// suiteTest is the code of a suite of t's tests, "" when t has none.
func suiteTest(s languages.Suite, t tasks.Task) string {
	switch s {
	case languages.Base:
		return t.Test
	case languages.Plus:
		return t.PlusTest
	case languages.Visible:
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
func (Language) Job(t tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) sandbox.Job {
	source := program
	if t.Imports != "" {
		source = t.Imports + "\n" + program
	}
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	var run []map[string]string
	for _, s := range suites {
		if test := suiteTest(s, t); test != "" {
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

func exceptionClass() map[string]languages.Class {
	return map[string]languages.Class{
		"SyntaxError":         languages.Syntax,
		"IndentationError":    languages.Syntax,
		"TabError":            languages.Syntax,
		"NameError":           languages.Name,
		"UnboundLocalError":   languages.Name,
		"AssertionError":      languages.Assertion,
		"TypeError":           languages.Type,
		"ValueError":          languages.Value,
		"UnicodeError":        languages.Value,
		"UnicodeDecodeError":  languages.Value,
		"UnicodeEncodeError":  languages.Value,
		"IndexError":          languages.Index,
		"KeyError":            languages.Key,
		"AttributeError":      languages.Attribute,
		"ImportError":         languages.Import,
		"ModuleNotFoundError": languages.Import,
		"RecursionError":      languages.Recursion,
		"ZeroDivisionError":   languages.ZeroDivision,
		"MemoryError":         languages.Memory,
	}
}

// ClassOf maps a Python exception type name to its class. When the type
// is not a known one, its builtin bases (most derived first: a
// JSONDecodeError is a ValueError) decide.
func ClassOf(exceptionType string, bases ...string) languages.Class {
	for _, name := range append([]string{exceptionType}, bases...) {
		if c, ok := exceptionClass()[name]; ok {
			return c
		}
	}
	return languages.OtherRuntime
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
	Suites map[languages.Suite]*verdict `json:"suites"`
}

// Classify turns a harness job's result into an outcome. A pass needs the
// trusted harness's own report that every test ran and passed.
func (Language) Classify(_ sandbox.Job, res *sandbox.Result) languages.Outcome {
	var v verdict
	if out, ok := languages.Unjudged(res, &v, "the solution"); ok {
		return out
	}
	out := v.outcome(res)
	if len(v.Suites) > 0 {
		out.Suites = make(map[languages.Suite]*languages.Outcome, len(v.Suites))
		for name, sv := range v.Suites {
			o := sv.outcome(res)
			out.Suites[name] = &o
		}
	}
	return out
}

func (v *verdict) outcome(res *sandbox.Result) languages.Outcome {
	if v.Passed {
		return languages.Passing()
	}
	out := languages.Failed(languages.OtherRuntime, "", "")
	out.Phase = v.Phase
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
