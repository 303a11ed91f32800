package java

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// maxTraceback bounds Failure.Traceback.
const maxTraceback = 4 << 10

// exceptionClass maps Java's exception types to classes. A type that is
// not here is classified by its superclasses (a solution's exception that
// extends IllegalArgumentException is a value error).
//
// A NullPointerException is "attribute": a member read or a call on null,
// Java's counterpart of Python's AttributeError on None (the commonest null
// dereference by far), so that repair statistics compare across languages.
// A NoSuchElementException (Optional.get, an iterator or a deque that is
// empty, Collections.max of nothing) is "key": a lookup of something that
// is not there.
func exceptionClass() map[string]languages.Class {
	return map[string]languages.Class{
		"java.lang.AssertionError":                  languages.Assertion,
		"java.lang.ArrayIndexOutOfBoundsException":  languages.Index,
		"java.lang.StringIndexOutOfBoundsException": languages.Index,
		"java.lang.IndexOutOfBoundsException":       languages.Index,
		"java.util.EmptyStackException":             languages.Index,
		"java.lang.NullPointerException":            languages.Attribute,
		"java.lang.StackOverflowError":              languages.Recursion,
		"java.util.NoSuchElementException":          languages.Key,
		"java.util.InputMismatchException":          languages.Value,
		"java.lang.NumberFormatException":           languages.Value,
		"java.lang.IllegalArgumentException":        languages.Value,
		"java.lang.NegativeArraySizeException":      languages.Value,
		"java.time.DateTimeException":               languages.Value,
		"java.lang.ClassCastException":              languages.Type,
		"java.lang.ArrayStoreException":             languages.Type,
		"java.lang.UnsupportedOperationException":   languages.Type,
		"java.lang.OutOfMemoryError":                languages.Memory,
	}
}

// ClassOf maps a Java exception type (its binary name, as
// Throwable.getClass().getName() gives it), its superclasses (most derived
// first) and its message to a class. An ArithmeticException is a division
// by zero when its message says so ("/ by zero", BigInteger's "divide by
// zero") and a value error otherwise (BigDecimal's non-terminating
// expansion, Math.addExact's overflow).
func ClassOf(typ, msg string, bases ...string) languages.Class {
	for _, name := range append([]string{typ}, bases...) {
		if name == "java.lang.ArithmeticException" {
			if l := strings.ToLower(msg); strings.Contains(l, "by zero") || strings.Contains(l, "division undefined") {
				return languages.ZeroDivision
			}
			return languages.Value
		}
		if c, ok := exceptionClass()[name]; ok {
			return c
		}
	}
	return languages.OtherRuntime
}

// typeCodes are javac's diagnostic codes of type mismatches.
func typeCodes() map[string]bool {
	return map[string]bool{
		"compiler.err.prob.found.req":                true, // incompatible types
		"compiler.err.cant.apply.symbol":             true, // method ... cannot be applied to given types
		"compiler.err.cant.apply.symbols":            true,
		"compiler.err.cant.apply.diamond.1":          true,
		"compiler.err.operator.cant.be.applied":      true, // bad operand type for unary operator
		"compiler.err.operator.cant.be.applied.1":    true, // bad operand types for binary operator
		"compiler.err.incomparable.types":            true,
		"compiler.err.cant.deref":                    true, // int cannot be dereferenced
		"compiler.err.array.req.but.found":           true,
		"compiler.err.illegal.initializer.for.type":  true,
		"compiler.err.type.found.req":                true, // unexpected type
		"compiler.err.not.within.bounds":             true,
		"compiler.err.void.not.allowed.here":         true,
		"compiler.err.abstract.cant.be.instantiated": true,
	}
}

// CodeClass maps a javac diagnostic code to a class: an unknown name
// (cannot find symbol; a variable read before it is set, Java's
// UnboundLocalError) is "name", a missing package "import", a type
// mismatch "type", anything else "syntax" (javac's other errors are about
// the program's form).
func CodeClass(code string) languages.Class {
	switch {
	case strings.HasPrefix(code, "compiler.err.cant.resolve"),
		code == "compiler.err.var.might.not.have.been.initialized",
		code == "compiler.err.var.not.initialized.in.default.constructor",
		code == "compiler.err.already.defined",
		code == "compiler.err.undef.label",
		code == "compiler.err.non-static.cant.be.ref",
		code == "compiler.err.not.def.public.cant.access",
		code == "compiler.err.report.access",
		code == "selfrepair.hides.jdk.type":
		return languages.Name
	case code == "compiler.err.doesnt.exist", code == "compiler.err.cant.access":
		return languages.Import
	case typeCodes()[code]:
		return languages.Type
	}
	return languages.Syntax
}

// suiteLine is the driver's line on a suite: name, verdict, token, and
// for a failure the report.
var suiteLine = regexp.MustCompile(`selfrepair: suite (\S+) (passed|failed) ([0-9a-f]+)(?: (\{.*\}))?$`)

// codeLine is a line Compile adds per error with --codes.
var codeLine = regexp.MustCompile(`(?m)^selfrepair: error (\S+) (.*):(\d+):(-?\d+)\n?`)

// Classify turns a job's result into an outcome. A pass needs the
// driver's completion line with the job's token, last on stdout.
func (Language) Classify(job sandbox.Job, res *sandbox.Result) languages.Outcome {
	lay := readLayout(job)
	built := len(job.Build) == 0 || res.BuildExitCode != nil && *res.BuildExitCode == 0
	switch res.Status {
	case sandbox.StatusTimeout, sandbox.StatusMemory, sandbox.StatusOutputLimit:
		out, _ := languages.Unjudged(res, nil, "the program")
		out.Phase = "test"
		if !built {
			out.Phase = "load"
		}
		return out
	case sandbox.StatusSandboxError:
		return languages.Failed(languages.OtherRuntime, "NoVerdict", "the sandbox failed: "+res.Message)
	}
	if !built {
		return compileOutcome(job, res, lay)
	}
	return runOutcome(job, res, lay)
}

// compileOutcome is the outcome of a program that did not compile: that
// of javac's first error.
func compileOutcome(job sandbox.Job, res *sandbox.Result, lay layout) languages.Outcome {
	text := string(res.BuildOutput)
	codes := codeLine.FindAllStringSubmatch(text, -1)
	human := codeLine.ReplaceAllString(text, "")
	out := languages.Failed(languages.Syntax, "", "")
	out.Phase = "load"
	out.Traceback = bound(strings.TrimRight(human, "\n"))
	if len(codes) == 0 {
		out.Class = languages.OtherRuntime
		out.ErrorType = "BuildFailed"
		out.Message = firstLine(human)
		if out.Message == "" {
			out.Message = fmt.Sprintf("the build failed with status %d", *res.BuildExitCode)
		}
		return out
	}
	c := codes[0]
	file, line := c[2], atoi(c[3])
	out.ErrorType, out.Class = c[1], CodeClass(c[1])
	out.Message = diagnostic(human, file, line)
	if out.Message == "" {
		out.Message = fmt.Sprintf("%s:%d: error: %s", file, line, c[1])
	}
	locate(&out.Failure, job, lay, file, line)
	return out
}

// diagnostic is javac's report of the error at file:line in its output, on
// one line: "Main.java:5: error: cannot find symbol (symbol: variable x,
// location: class Solution)".
func diagnostic(text, file string, line int) string {
	head := fmt.Sprintf("%s:%d: error: ", file, line)
	i := strings.Index(text, head)
	if i < 0 {
		return ""
	}
	lines := strings.Split(text[i:], "\n")
	msg := lines[0]
	var details []string
	for _, l := range lines[1:] {
		if l == "" || !strings.HasPrefix(l, "  ") {
			break // the next diagnostic, or the count
		}
		t := strings.TrimSpace(l)
		if k, v, ok := strings.Cut(t, ":"); ok && len(k) < 12 && !strings.ContainsAny(k, " ()") {
			details = append(details, k+": "+strings.TrimSpace(v))
		}
	}
	if len(details) > 0 {
		msg += " (" + strings.Join(details, ", ") + ")"
	}
	return msg
}

// locate fills the failure's line of the solution or of the tests, from a
// position in a job's file.
func locate(f *languages.Failure, job sandbox.Job, lay layout, file string, line int) {
	if file == mainFile && line >= lay.first && line <= lay.last {
		f.Line = line - lay.first + 1
		f.LineText = strings.TrimSpace(lineAt(job.Files[mainFile], line))
		return
	}
	for _, s := range lay.suites {
		if file == s.file() && line >= s.line {
			f.TestLine = line - s.line + 1
			f.TestText = strings.TrimSpace(lineAt(job.Files[file], line))
			return
		}
	}
}

// record is the driver's report of a failed suite.
type record struct {
	Type    string   `json:"type"`
	Bases   []string `json:"bases"`
	Message string   `json:"message"`
	Frames  []struct {
		Class  string `json:"class"`
		Method string `json:"method"`
		File   string `json:"file"`
		Line   int    `json:"line"`
	} `json:"frames"`
	Trace string `json:"trace"`
}

// runOutcome reads the driver's suite lines (they carry the token, which
// the solution does not know) and its completion line.
func runOutcome(job sandbox.Job, res *sandbox.Result, lay layout) languages.Outcome {
	stdout, completed := languages.Completed(job, res.Stdout)
	token := job.Env[languages.TokenEnv]
	verdicts := map[languages.Suite]*languages.Outcome{}
	if token != "" {
		for _, l := range strings.Split(string(stdout), "\n") {
			m := suiteLine.FindStringSubmatch(l)
			if m == nil || m[3] != token {
				continue
			}
			s := languages.Suite(m[1])
			if _, seen := verdicts[s]; seen {
				continue
			}
			o := languages.Passing()
			if m[2] == "failed" {
				o = recordOutcome(m[4], job, lay)
			}
			verdicts[s] = &o
		}
	}
	var first *languages.Outcome // the first suite that failed
	suites := map[languages.Suite]*languages.Outcome{}
	for _, s := range lay.suites {
		o, ok := verdicts[s.name]
		if !ok {
			// The suite that was running when the program ended.
			d := died(res)
			o = &d
		}
		suites[s.name] = o
		if !o.Passed && first == nil {
			first = o
		}
		if !ok {
			break // later suites never ran
		}
	}
	var out languages.Outcome
	switch {
	case first != nil:
		out = *first
	case completed:
		out = languages.Passing()
	default:
		out = died(res)
	}
	if len(lay.suites) > 1 {
		out.Suites = suites
	}
	return out
}

// recordOutcome is the outcome of a failed suite from the driver's report.
func recordOutcome(js string, job sandbox.Job, lay layout) languages.Outcome {
	var r record
	if err := json.Unmarshal([]byte(js), &r); err != nil || r.Type == "" {
		o := languages.Failed(languages.OtherRuntime, "NoVerdict", "the test driver's report is unreadable")
		o.Phase = "test"
		return o
	}
	out := languages.Failed(ClassOf(r.Type, r.Message, r.Bases...), r.Type, firstLine(r.Message))
	out.Phase = "test"
	out.Traceback = bound(strings.TrimRight(r.Trace, "\n"))
	// The innermost frame of the solution gives its line, unless the tests'
	// own code threw (their frame comes first); the innermost frame of the
	// tests gives theirs.
	inTests := false
	for _, f := range r.Frames {
		var probe languages.Failure
		locate(&probe, job, lay, f.File, f.Line)
		switch {
		case probe.TestLine > 0 && out.TestLine == 0:
			out.TestLine, out.TestText = probe.TestLine, probe.TestText
			inTests = true
		case probe.Line > 0 && out.Line == 0 && !inTests:
			out.Line, out.LineText = probe.Line, probe.LineText
		}
	}
	return out
}

// died is the outcome of a program that ended before the driver reported
// on the suite it ran: an early exit (System.exit, Runtime.halt) or a
// signal. Status 0 is no pass: the tests did not finish. (What stderr says
// only picks the class of a failure, never makes a pass.)
func died(res *sandbox.Result) languages.Outcome {
	var out languages.Outcome
	if res.Status == sandbox.StatusSignaled {
		out = languages.Failed(languages.OtherRuntime, "Signal"+strconv.Itoa(res.Signal),
			fmt.Sprintf("the program was killed by signal %d before the tests finished", res.Signal))
	} else {
		out = languages.Failed(languages.OtherRuntime, "EarlyExit",
			fmt.Sprintf("the program exited with status %d before the tests finished", res.ExitCode))
		// The JVM itself failed: the heap still full when the driver
		// reported (a solution that keeps its garbage in a static field).
		if err := string(res.Stderr); strings.Contains(err, "java.lang.OutOfMemoryError") {
			out.Class, out.ErrorType = languages.Memory, "java.lang.OutOfMemoryError"
		}
	}
	out.Phase = "test"
	out.Traceback = bound(strings.TrimRight(tail(string(res.Stderr), maxTraceback), "\n"))
	return out
}

func lineAt(src []byte, n int) string {
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// bound keeps the head of a traceback, at most maxTraceback bytes.
func bound(s string) string {
	if len(s) <= maxTraceback {
		return s
	}
	cut := strings.LastIndexByte(s[:maxTraceback], '\n')
	if cut < maxTraceback/2 {
		cut = maxTraceback
	}
	return s[:cut] + "\n..."
}

// tail keeps the last n bytes of s, from a line start.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
