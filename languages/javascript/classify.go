package javascript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// maxTraceback bounds Failure.Traceback.
const maxTraceback = 4 << 10

// layout is what Classify needs to know of the job Job made.
type layout struct {
	job      sandbox.Job
	end      string // the end function's name, which also marks the driver's lines
	testLine int    // the line of each file where the tests start
	suites   []languages.Suite
}

func layoutOf(job sandbox.Job) layout {
	l := layout{job: job, end: job.Env[endEnv]}
	l.testLine, _ = strconv.Atoi(job.Env[testLineEnv])
	for _, s := range strings.Split(job.Env[suitesEnv], ",") {
		if s != "" {
			l.suites = append(l.suites, languages.Suite(s))
		}
	}
	return l
}

// report is what the driver says, on stderr, of a run that did not pass.
type report struct {
	Failures int    `json:"failures"`
	First    string `json:"first"` // file:line:column of the first failed console.assert
	Ended    bool   `json:"ended"` // the tests ran to their end
	Status   int    `json:"status"`
	Tampered string `json:"tampered"`
}

// run is one suite's node: its output and how it ended.
type run struct {
	suite          languages.Suite
	stdout, stderr []byte
	status         sandbox.Status // exited or signaled
	code           int            // exit code, or signal
	report         *report
}

// Classify reads the outcome of a result of a job made by Job. Limits come
// first; then a failed build (a syntax error: phase load); then each
// suite's run (phase test), which passes only when the driver printed the
// job's token last and nothing else was printed.
func (Language) Classify(job sandbox.Job, res *sandbox.Result) languages.Outcome {
	switch res.Status {
	case sandbox.StatusTimeout:
		return languages.Failed(languages.Timeout, "Timeout", res.Message)
	case sandbox.StatusMemory:
		return languages.Failed(languages.Memory, "MemoryError", "the memory limit was reached")
	case sandbox.StatusOutputLimit:
		return languages.Failed(languages.OutputLimit, "OutputLimit", res.Message)
	case sandbox.StatusSandboxError:
		return languages.Failed(languages.OtherRuntime, "SandboxError", res.Message)
	}
	l := layoutOf(job)
	if res.BuildExitCode != nil && *res.BuildExitCode != 0 {
		return l.buildFailure(res)
	}
	runs := l.runs(res)
	if len(runs) == 0 {
		return languages.Failed(languages.OtherRuntime, "NoVerdict", "the test driver produced no verdict")
	}
	var out *languages.Outcome
	suites := map[languages.Suite]*languages.Outcome{}
	for _, r := range runs {
		o := l.judge(r)
		suites[r.suite] = &o
		if out == nil && !o.Passed {
			out = &o
		}
	}
	final := languages.Passing()
	if out != nil {
		final = *out
	}
	// Like Python's, a verdict per suite that ran, whenever the program
	// loaded.
	final.Suites = suites
	if len(l.suites) > 1 {
		for _, s := range l.suites {
			if suites[s] == nil {
				o := languages.Failed(languages.OtherRuntime, "NoVerdict", "the suite did not run to a verdict")
				o.Phase = "test"
				suites[s] = &o
				if final.Passed {
					final = o
					final.Suites = suites
				}
			}
		}
	}
	return final
}

// runs splits the result into the runs of the suites: one node's, or
// those of several, each ended by a line of the shell that ran them.
func (l layout) runs(res *sandbox.Result) []run {
	stdout, stderr := res.Stdout, res.Stderr
	if len(l.suites) <= 1 {
		r := run{suite: languages.Base, stdout: stdout, stderr: stderr, status: res.Status, code: res.ExitCode}
		if len(l.suites) == 1 {
			r.suite = l.suites[0]
		}
		if res.Status == sandbox.StatusSignaled {
			r.code = res.Signal
		}
		r.report, r.stderr = l.driverReport(r.stderr)
		return []run{r}
	}
	var runs []run
	for _, s := range l.suites {
		outMark := []byte("\n" + l.end + " " + string(s) + " ")
		errMark := []byte("\n" + l.end + " " + string(s) + "\n")
		i, j := bytes.Index(stdout, outMark), bytes.Index(stderr, errMark)
		if i < 0 || j < 0 {
			break
		}
		rest := stdout[i+len(outMark):]
		n := bytes.IndexByte(rest, '\n')
		if n < 0 {
			break
		}
		code, err := strconv.Atoi(string(rest[:n]))
		if err != nil {
			break
		}
		r := run{suite: s, stdout: stdout[:i], stderr: stderr[:j], status: sandbox.StatusExited, code: code}
		if code > 128 {
			r.status, r.code = sandbox.StatusSignaled, code-128
		}
		r.report, r.stderr = l.driverReport(r.stderr)
		runs = append(runs, r)
		stdout, stderr = rest[n+1:], stderr[j+len(errMark):]
	}
	return runs
}

// driverReport takes the driver's report out of a run's stderr.
func (l layout) driverReport(stderr []byte) (*report, []byte) {
	mark := []byte("\n" + l.end + " {")
	i := bytes.Index(stderr, mark)
	if l.end == "" || i < 0 {
		return nil, stderr
	}
	line := stderr[i+1:]
	n := bytes.IndexByte(line, '\n')
	if n < 0 {
		n = len(line)
	}
	var r report
	if json.Unmarshal(line[len(l.end)+1:n], &r) != nil {
		return nil, stderr
	}
	rest := append(append([]byte(nil), stderr[:i]...), line[min(n+1, len(line)):]...)
	return &r, rest
}

// source returns the text of a suite's file.
func (l layout) source(file string) string {
	return string(l.job.Files[path.Base(file)])
}

// place fills the solution's and the tests' lines of out from a location
// in a suite's file: lines before testLine are the program's (the prompt
// and the answer), the others the tests'.
func (l layout) place(out *languages.Outcome, at location, file string) bool {
	if path.Base(at.File) != file || at.Line < 1 || l.job.Files[file] == nil {
		return false
	}
	src := l.source(file)
	if at.Line < l.testLine {
		if out.Line == 0 {
			out.Line, out.LineText = at.Line, strings.TrimSpace(lineAt(src, at.Line))
		}
		return true
	}
	if last := strings.Count(strings.TrimRight(src, "\n"), "\n") + 1; at.Line >= last {
		return false // the driver's line
	}
	if out.TestLine == 0 {
		out.TestLine, out.TestText = at.Line-l.testLine+1, strings.TrimSpace(lineAt(src, at.Line))
	}
	return true
}

// buildFailure is the outcome of a program that node --check refused.
func (l layout) buildFailure(res *sandbox.Result) languages.Outcome {
	text := string(res.BuildOutput)
	out := languages.Failed(languages.Syntax, "SyntaxError", firstLine(text))
	out.Phase = "load"
	file := suiteFile(languages.Base)
	if len(l.suites) > 0 {
		file = suiteFile(l.suites[0])
	}
	e, ok := parseNodeError(text)
	if !ok {
		out.Class, out.ErrorType = languages.OtherRuntime, "BuildError"
		out.Traceback = l.traceback(text)
		return out
	}
	if e.Type != "" {
		out.ErrorType = e.Type
	}
	if e.Type != "SyntaxError" {
		out.Class = ClassOf(e.Type, e.Code, e.Message, e.Source, e.Caret)
	}
	out.Message = fmt.Sprintf("%s:%d: %s", path.Base(e.At.File), e.At.Line, e.Message)
	l.place(&out, e.At, file)
	out.Traceback = l.traceback(e.Report)
	return out
}

// judge is the outcome of one suite's run.
func (l layout) judge(r run) languages.Outcome {
	rest, completed := languages.Completed(l.job, r.stdout)
	exited0 := r.status == sandbox.StatusExited && r.code == 0
	if completed && exited0 && len(rest) == 0 && len(r.stderr) == 0 {
		return languages.Passing()
	}
	file := suiteFile(r.suite)
	stderr := string(r.stderr)
	out := languages.Failed(languages.OtherRuntime, "", "")
	out.Phase = "test"
	e, uncaught := parseNodeError(stderr)
	rep := r.report
	failures := 0
	if rep != nil {
		failures = rep.Failures
	} else if !completed {
		failures = strings.Count("\n"+stderr, "\nAssertion failed")
	}
	switch {
	case failures > 0:
		// Asserts that fail do not stop the tests; what stopped them came
		// after the first one, which is the failure.
		out.Class, out.ErrorType = languages.Assertion, "AssertionError"
		out.Message = "console.assert failed"
		if rep != nil && rep.First != "" {
			if at, ok := parseLocation(rep.First); ok {
				l.place(&out, at, file)
				if out.TestLine > 0 {
					if call := assertCall(l.source(file), at); call != "" {
						out.Message = "Assertion failed: " + call
					}
				}
			}
		}
		if failures > 1 {
			out.Message += fmt.Sprintf(" (%d assertions failed)", failures)
		}
		out.Traceback = l.traceback(stderr)
	case uncaught:
		out.ErrorType = e.Type
		if e.Type == "" {
			out.ErrorType = "Uncaught"
		}
		out.Class = ClassOf(e.Type, e.Code, e.Message, e.Source, e.Caret)
		out.Message = e.Message
		if e.Type == "SyntaxError" && path.Base(e.At.File) == file && !inFile(e.Frames, file) {
			// The file did not compile (a suite's file that the build step
			// did not check): what node --check would have said.
			out.Class, out.Phase = languages.Syntax, "load"
			out.Message = fmt.Sprintf("%s:%d: %s", file, e.At.Line, e.Message)
		}
		// The innermost frames of the solution and of the tests.
		l.place(&out, e.At, file)
		for _, f := range e.Frames {
			l.place(&out, f, file)
		}
		out.Traceback = l.traceback(e.Report)
	case rep != nil && rep.Tampered != "":
		out.ErrorType, out.Message = "Tampering", rep.Tampered
	case r.status == sandbox.StatusSignaled:
		out.ErrorType = fmt.Sprintf("Signal%d", r.code)
		out.Message = fmt.Sprintf("node was killed by signal %d", r.code)
		if strings.Contains(stderr, "JavaScript heap out of memory") {
			out.Class, out.ErrorType, out.Message = languages.Memory, "MemoryError", "JavaScript heap out of memory"
		}
		out.Traceback = l.traceback(stderr)
	case !completed && (rep == nil || !rep.Ended):
		out.ErrorType = "EarlyExit"
		out.Message = fmt.Sprintf("node exited with status %d before the tests finished", r.code)
		out.Traceback = l.traceback(stderr)
	case !exited0:
		out.ErrorType = "ExitStatus"
		out.Message = fmt.Sprintf("the tests ran, but node exited with status %d", r.code)
		out.Traceback = l.traceback(stderr)
	default:
		// HumanEval-X's rule: a passing program prints nothing.
		out.ErrorType = "UnexpectedOutput"
		where, what := "stdout", string(rest)
		if len(r.stderr) > 0 {
			where, what = "stderr", stderr
		}
		out.Message = fmt.Sprintf("the tests passed, but the program wrote to %s (a passing program prints nothing): %s", where, firstLine(what))
		out.Traceback = l.traceback(what)
	}
	return out
}

// inFile reports whether a frame is in file.
func inFile(frames []location, file string) bool {
	for _, f := range frames {
		if path.Base(f.File) == file {
			return true
		}
	}
	return false
}

var locationRE = regexp.MustCompile(`^(.*):(\d+):(\d+)$`)

func parseLocation(s string) (location, bool) {
	m := locationRE.FindStringSubmatch(s)
	if m == nil {
		return location{}, false
	}
	n, _ := strconv.Atoi(m[2])
	c, _ := strconv.Atoi(m[3])
	return location{m[1], n, c}, true
}

// assertCall returns the console.assert(...) call that starts at at in
// src, on one line.
func assertCall(src string, at location) string {
	starts := lineStarts(src)
	if at.Line > len(starts) || at.Col < 1 {
		return ""
	}
	off := starts[at.Line-1] + at.Col - 1
	// V8 points at the call's property (assert) or its object (console).
	lineStart := starts[at.Line-1]
	i := strings.LastIndex(src[lineStart:min(off+len("assert"), len(src))], "console")
	if i < 0 {
		return ""
	}
	off = lineStart + i
	m := mask(src)
	open := strings.IndexByte(m[off:], '(')
	if open < 0 {
		return ""
	}
	end := closing(m, off+open)
	if end < 0 {
		return ""
	}
	return strings.Join(strings.Fields(src[off:end+1]), " ")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// traceback is s without the lines that name the driver's end function
// (node shows the source line of a syntax error at the end of the file),
// at most maxTraceback bytes of it.
func (l layout) traceback(s string) string {
	if l.end != "" && strings.Contains(s, l.end) {
		lines := strings.Split(s, "\n")
		kept := lines[:0]
		for _, line := range lines {
			if !strings.Contains(line, l.end) {
				kept = append(kept, line)
			}
		}
		s = strings.Join(kept, "\n")
	}
	return bound(s)
}

// bound keeps at most maxTraceback bytes of s: its head and its tail.
func bound(s string) string {
	s = strings.Trim(s, "\n")
	if len(s) <= maxTraceback {
		return s
	}
	return s[:maxTraceback/2] + "\n...\n" + s[len(s)-maxTraceback/2:]
}
