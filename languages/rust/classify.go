package rust

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// tracebackLimit bounds Failure.Traceback.
const tracebackLimit = 4 << 10

// Classify turns a job's result into an outcome. A pass needs the driver's
// completion line, printed after every test passed, at the very end of
// the output, and a clean exit.
func (Language) Classify(job sandbox.Job, res *sandbox.Result) languages.Outcome {
	lay := parseLayout(job.Env[layoutEnv])
	src := string(job.Files[mainFile])
	built := res.BuildExitCode != nil && *res.BuildExitCode == 0
	phase := "test"
	if !built {
		phase = "load"
	}
	switch res.Status {
	case sandbox.StatusTimeout:
		out := languages.Failed(languages.Timeout, "Timeout", res.Message)
		out.Phase = phase
		return out
	case sandbox.StatusMemory:
		out := languages.Failed(languages.Memory, "MemoryError", "the memory limit was reached")
		out.Phase = phase
		return out
	case sandbox.StatusOutputLimit:
		out := languages.Failed(languages.OutputLimit, "OutputLimit", res.Message)
		out.Phase = phase
		return out
	}
	if res.BuildExitCode == nil {
		out := languages.Failed(languages.OtherRuntime, "NoVerdict", "the program was not built: "+res.Summary())
		out.Phase = "load"
		return out
	}
	if !built {
		return buildFailure(res.BuildOutput, *res.BuildExitCode, lay, src)
	}
	token := job.Env[languages.TokenEnv]
	_, completed := languages.Completed(job, res.Stdout)
	suites := lay.suites()
	passed := func(suite string) bool {
		line := []byte(suitePassedPrefix(suite) + token + "\n")
		return token != "" && (bytes.HasPrefix(res.Stdout, line) || bytes.Contains(res.Stdout, append([]byte("\n"), line...)))
	}
	if completed && res.Status == sandbox.StatusExited && res.ExitCode == 0 {
		out := languages.Passing()
		if len(suites) > 1 {
			out.Suites = map[languages.Suite]*languages.Outcome{}
			for _, s := range suites {
				p := languages.Passing()
				out.Suites[languages.Suite(s)] = &p
			}
		}
		return out
	}
	run := readRun(string(res.Stderr))
	died := processFailure(res, run)
	verdicts := map[string]languages.Outcome{}
	var first *languages.Outcome
	for _, s := range suites {
		var o languages.Outcome
		switch f, ok := run.failed[s]; {
		case passed(s):
			o = languages.Passing()
		case ok:
			o = f.outcome(lay, src)
		case run.last.suite == s:
			o = died // the process ended while this suite's test ran
		default:
			continue // never ran
		}
		o.Phase = "test"
		if o.Passed {
			o.Phase = ""
		}
		verdicts[s] = o
		if !o.Passed && first == nil {
			first = &o
		}
	}
	out := died
	if first != nil {
		out = *first
	}
	if out.Passed {
		// Every suite passed, yet the completion line is missing or not
		// last, or the exit was not clean.
		out = died
	}
	out.Phase = "test"
	if len(suites) > 1 && len(verdicts) > 0 {
		out.Suites = map[languages.Suite]*languages.Outcome{}
		for s, o := range verdicts {
			out.Suites[languages.Suite(s)] = &o
		}
	}
	return out
}

// suites are the names of the layout's suites, in order.
func (l layout) suites() []string {
	var out []string
	for _, r := range l {
		if r.name != "solution" && r.name != "driver" {
			out = append(out, r.name)
		}
	}
	return out
}

// ---- build failures ----

// diagnostic is one of rustc's JSON diagnostics.
type diagnostic struct {
	Message string `json:"message"`
	Code    *struct {
		Code string `json:"code"`
	} `json:"code"`
	Level string `json:"level"`
	Spans []struct {
		FileName    string `json:"file_name"`
		LineStart   int    `json:"line_start"`
		ColumnStart int    `json:"column_start"`
		IsPrimary   bool   `json:"is_primary"`
		Label       string `json:"label"`
	} `json:"spans"`
	Children []struct {
		Message string `json:"message"`
		Level   string `json:"level"`
	} `json:"children"`
	Rendered string `json:"rendered"`
}

func (d diagnostic) code() string {
	if d.Code != nil {
		return d.Code.Code
	}
	return ""
}

// compileErrors reads rustc's errors from its output, in order; other
// lines (a crash, the linker) come back as text.
func compileErrors(output []byte) (errs []diagnostic, other string) {
	var rest strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(output))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var d diagnostic
		if len(line) > 0 && line[0] == '{' && json.Unmarshal(line, &d) == nil && d.Level != "" {
			if strings.HasPrefix(d.Level, "error") && !strings.HasPrefix(d.Message, "aborting due to") {
				errs = append(errs, d)
			}
			continue
		}
		rest.Write(line)
		rest.WriteByte('\n')
	}
	return errs, rest.String()
}

// errorCodeClass sorts rustc's error codes: names that do not resolve,
// types that do not fit; the rest (syntax, borrowing, ...) is syntax.
func errorCodeClass(code string) (languages.Class, bool) {
	switch code {
	case "E0405", "E0412", "E0422", "E0423", "E0424", "E0425", "E0426", "E0432", "E0433", "E0434", "E0463",
		"E0531", "E0532", "E0599", "E0609", "E0610", "E0560", "E0559", "E0407", "E0428", "E0252", "E0254",
		"E0255", "E0260", "E0583", "E0603", "E0616", "E0624", "E0026":
		return languages.Name, true
	case "E0308", "E0277", "E0369", "E0368", "E0600", "E0604", "E0605", "E0606", "E0607", "E0608", "E0614",
		"E0618", "E0061", "E0060", "E0069", "E0282", "E0283", "E0284", "E0107", "E0053", "E0271", "E0615",
		"E0689", "E0620", "E0054", "E0023", "E0063", "E0029", "E0631", "E0593", "E0525", "E0057",
		"E0070", "E0067":
		return languages.Type, true
	}
	return "", false
}

// compileClass is the class of a compile error.
func compileClass(d diagnostic) languages.Class {
	if c, ok := errorCodeClass(d.code()); ok {
		return c
	}
	if strings.HasPrefix(d.Message, "cannot find ") {
		return languages.Name // macros and attributes have no code
	}
	return languages.Syntax
}

func buildFailure(output []byte, exit int, lay layout, src string) languages.Outcome {
	errs, other := compileErrors(output)
	if len(errs) == 0 {
		msg := firstLine(other)
		if msg == "" {
			msg = fmt.Sprintf("the compiler exited with status %d", exit)
		}
		out := languages.Failed(languages.Syntax, "error", msg)
		out.Traceback = bound(other)
		out.Phase = "load"
		return out
	}
	d := errs[0]
	typ := "error"
	if c := d.code(); c != "" {
		typ = c
	}
	out := languages.Failed(compileClass(d), typ, "")
	out.Phase = "load"
	msg := d.Message
	for _, s := range d.Spans {
		if !s.IsPrimary {
			continue
		}
		msg = fmt.Sprintf("%s:%d:%d: %s", s.FileName, s.LineStart, s.ColumnStart, msg)
		if s.FileName == mainFile {
			if r, n, ok := lay.find(s.LineStart); ok {
				text := strings.TrimSpace(unadapt(lineAt(src, s.LineStart)))
				switch r.name {
				case "solution":
					out.Line, out.LineText = n, text
				case "driver":
					msg += driverNote(d)
				default:
					out.TestLine, out.TestText = n, text
				}
			}
		}
		break
	}
	out.Message = oneLine(msg)
	var tb strings.Builder
	for _, e := range errs {
		if tb.Len()+len(e.Rendered) > tracebackLimit && tb.Len() > 0 {
			break
		}
		tb.WriteString(e.Rendered)
	}
	out.Traceback = bound(tb.String())
	return out
}

// driverNote explains an error that rustc finds in the names module: the
// tests need a name the program lacks, or a function with the prompt's
// signature.
func driverNote(d diagnostic) string {
	switch d.code() {
	case "E0432":
		return " (the tests use a name the program does not define)"
	case "E0308":
		return " (the tests need the function to keep the signature of the prompt)"
	}
	return ""
}

// ---- run failures ----

// panicRecord is what the driver's panic hook writes.
type panicRecord struct {
	Thread  string `json:"thread"`
	Message string `json:"message"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	// frames are the backtrace's frames in mainFile that followed the
	// record: function and line.
	frames []frame
	report string // std's report of the panic, as printed
}

type frame struct {
	fn   string
	line int
}

type testRef struct {
	suite, path string
}

// failedTest is a test the driver reported failed, and the last panic in
// it.
type failedTest struct {
	testRef
	panic *panicRecord
}

// runEvents is what the driver and std wrote to stderr.
type runEvents struct {
	last     testRef // the last test started
	failed   map[string]failedTest
	overflow string // std's stack overflow report
	alloc    string // std's allocation failure report
	fatal    string // "fatal runtime error: ..."
}

var (
	frameSymbol   = regexp.MustCompile(`^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(.+)$`)
	frameLocation = regexp.MustCompile(`^\s+at (.+):(\d+):(\d+)$`)
	symbolHash    = regexp.MustCompile(`::h[0-9a-f]{16}$`)
	stdPanic      = regexp.MustCompile(`(?s)^thread '(.*?)' panicked at '(.*)', ([^\n]*?):(\d+):(\d+)\n`)
	assertEq      = regexp.MustCompile("(?s)^assertion failed: `\\(left (==|!=) right\\)`\\s*\\n\\s*left: `(.*)`,\\n\\s*right: `(.*?)`(?::\\s*(.*))?$")
	stdMacroPath  = regexp.MustCompile(`::std::([a-z_]+!)`)
	assertCall    = regexp.MustCompile(`\b(debug_)?assert(_eq|_ne)?!`)
)

func readRun(stderr string) runEvents {
	ev := runEvents{failed: map[string]failedTest{}}
	var cur *panicRecord
	var inTest testRef
	var last *panicRecord // the last record of the current test
	lines := strings.Split(stderr, "\n")
	inBacktrace := false
	fn := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "selfrepair-test "):
			f := strings.Fields(l)
			if len(f) >= 3 {
				inTest = testRef{f[1], f[2]}
				ev.last = inTest
				last = nil
			}
			inBacktrace = false
		case strings.HasPrefix(l, "selfrepair-panic "):
			var rec panicRecord
			if json.Unmarshal([]byte(strings.TrimPrefix(l, "selfrepair-panic ")), &rec) == nil {
				cur = &rec
				last = cur
				// std's report follows: the panic line (the message may
				// run over several lines), then maybe a backtrace.
				j := i + 1
				var rep strings.Builder
				for ; j < len(lines) && !strings.HasPrefix(lines[j], "selfrepair-"); j++ {
					if strings.HasPrefix(lines[j], "stack backtrace:") || strings.HasPrefix(lines[j], "note: ") {
						break
					}
					rep.WriteString(lines[j] + "\n")
				}
				rec.report = strings.TrimRight(rep.String(), "\n")
				i = j - 1
			}
			inBacktrace = false
		case strings.HasPrefix(l, "thread '") && strings.Contains(l, "' panicked at '"):
			// std's report with no record before it: the solution replaced
			// the driver's panic hook.
			if m := stdPanic.FindStringSubmatch(strings.Join(lines[i:], "\n") + "\n"); m != nil {
				n, _ := strconv.Atoi(m[4])
				c, _ := strconv.Atoi(m[5])
				cur = &panicRecord{Thread: m[1], Message: m[2], File: m[3], Line: n, Column: c, report: strings.TrimSpace(l)}
				last = cur
			}
			inBacktrace = false
		case strings.HasPrefix(l, "selfrepair-failed "):
			f := strings.Fields(l)
			if len(f) >= 3 {
				ft := failedTest{testRef: testRef{f[1], f[2]}, panic: last}
				if _, seen := ev.failed[f[1]]; !seen {
					ev.failed[f[1]] = ft
				}
			}
			inBacktrace = false
		case strings.HasPrefix(l, "stack backtrace:"):
			inBacktrace = cur != nil
		case strings.Contains(l, "has overflowed its stack"):
			ev.overflow = strings.TrimSpace(l)
		case strings.HasPrefix(l, "memory allocation of ") && strings.HasSuffix(l, " failed"):
			ev.alloc = l
		case strings.HasPrefix(l, "fatal runtime error: "):
			ev.fatal = strings.TrimPrefix(l, "fatal runtime error: ")
		case inBacktrace:
			if m := frameLocation.FindStringSubmatch(l); m != nil {
				if strings.HasSuffix(m[1], mainFile) && fn != "" {
					n, _ := strconv.Atoi(m[2])
					cur.frames = append(cur.frames, frame{fn, n})
				}
			} else if m := frameSymbol.FindStringSubmatch(l); m != nil {
				fn = symbolName(m[1])
			} else {
				inBacktrace = false
			}
		}
	}
	return ev
}

// symbolName shortens a backtrace symbol: rust::tests::test_f::h0123...
// is tests::test_f.
func symbolName(s string) string {
	s = symbolHash.ReplaceAllString(strings.TrimSpace(s), "")
	return strings.TrimPrefix(s, "rust::")
}

// outcome is the failure of a test the driver saw fail.
func (f failedTest) outcome(lay layout, src string) languages.Outcome {
	rec := f.panic
	if rec == nil {
		out := languages.Failed(languages.OtherRuntime, "Panic", "test "+f.path+" failed")
		return out
	}
	return rec.outcome(lay, src)
}

func (rec *panicRecord) outcome(lay layout, src string) languages.Outcome {
	class, typ := panicClass(rec.Message)
	out := languages.Failed(class, typ, "")
	place := ""
	inTests := false
	if rec.File == mainFile {
		place = fmt.Sprintf(" at %s:%d:%d", rec.File, rec.Line, rec.Column)
		if r, n, ok := lay.find(rec.Line); ok {
			text := strings.TrimSpace(unadapt(lineAt(src, rec.Line)))
			switch r.name {
			case "solution":
				out.Line, out.LineText = n, text
			case "driver":
			default:
				out.TestLine, out.TestText = n, text
				inTests = true
			}
		}
	} else if rec.File != "" {
		place = fmt.Sprintf(" at %s:%d:%d", rec.File, rec.Line, rec.Column)
	}
	// The backtrace names the lines the panic went through: the innermost
	// of the solution and of the tests.
	for _, fr := range rec.frames {
		r, n, ok := lay.find(fr.line)
		if !ok {
			continue
		}
		text := strings.TrimSpace(unadapt(lineAt(src, fr.line)))
		switch {
		case r.name == "solution" && out.Line == 0:
			out.Line, out.LineText = n, text
		case r.name != "solution" && r.name != "driver" && out.TestLine == 0:
			out.TestLine, out.TestText = n, text
		}
	}
	if class == languages.OtherRuntime && typ == "Panic" && rec.File == mainFile &&
		(inTests || assertCall.MatchString(lineAt(src, rec.Line))) {
		// An assert! with a message of its own says only that message.
		out.Class, out.ErrorType = languages.Assertion, "AssertionFailed"
	}
	out.Message = oneLine(rec.Message) + place
	if m := assertEq.FindStringSubmatch(rec.Message); m != nil {
		out.Actual, out.Expected = m[2], m[3]
		if m[1] == "!=" {
			out.Expected = "not " + m[3]
		}
		if out.TestLine != 0 {
			out.Call = assertedCall(src, lay, rec.Line, rec.Column)
		}
	}
	var tb strings.Builder
	report := rec.report
	if report == "" {
		report = fmt.Sprintf("thread '%s' panicked at '%s'%s", rec.Thread, rec.Message, place)
	}
	tb.WriteString(report)
	if len(rec.frames) > 0 {
		tb.WriteString("\nstack backtrace (" + mainFile + "):")
		for _, fr := range rec.frames {
			fmt.Fprintf(&tb, "\n  %s at %s:%d", fr.fn, mainFile, fr.line)
		}
	}
	out.Traceback = bound(tb.String())
	return out
}

// panicClass sorts a panic by its message, as std words them.
func panicClass(msg string) (languages.Class, string) {
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(msg, x) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(msg, "assertion failed"), msg == "test did not panic as expected",
		strings.HasPrefix(msg, "panic did not contain expected string"):
		return languages.Assertion, "AssertionFailed"
	case has("index out of bounds", "out of range for slice of length", "out of bounds of `", "is not a char boundary",
		"removal index (is", "insertion index (is", "swap_remove index (is", "slice index starts at",
		"range end index", "range start index", "begin <= end"):
		return languages.Index, "IndexOutOfBounds"
	case has("attempt to divide by zero", "attempt to calculate the remainder with a divisor of zero"):
		return languages.ZeroDivision, "DivideByZero"
	case strings.HasPrefix(msg, "attempt to ") && strings.HasSuffix(msg, "with overflow"):
		return languages.OtherRuntime, "ArithmeticOverflow"
	case has("called `Option::unwrap()` on a `None` value"):
		return languages.Attribute, "UnwrapNone"
	case strings.HasPrefix(msg, "called `Result::unwrap()` on an `Err` value"):
		if has("ParseIntError", "ParseFloatError", "ParseBoolError", "ParseCharError", "TryFromIntError",
			"Utf8Error", "CharTryFromError", "regex parse error", "Syntax(") {
			return languages.Value, "UnwrapErr"
		}
		return languages.OtherRuntime, "UnwrapErr"
	case has("no entry found for key"):
		return languages.Key, "KeyNotFound"
	case has("capacity overflow"):
		return languages.Memory, "CapacityOverflow"
	}
	return languages.OtherRuntime, "Panic"
}

// processFailure is how the process itself ended without completing.
func processFailure(res *sandbox.Result, ev runEvents) languages.Outcome {
	var out languages.Outcome
	switch {
	case ev.overflow != "":
		out = languages.Failed(languages.Recursion, "StackOverflow", ev.overflow)
	case ev.alloc != "":
		out = languages.Failed(languages.Memory, "MemoryError", ev.alloc)
	case res.Status == sandbox.StatusSignaled:
		msg := fmt.Sprintf("the program was killed by signal %d (%s)", res.Signal, signalName(res.Signal))
		if ev.fatal != "" {
			msg = "fatal runtime error: " + ev.fatal + "; " + msg
		}
		out = languages.Failed(languages.OtherRuntime, fmt.Sprintf("Signal%d", res.Signal), msg)
	default:
		out = languages.Failed(languages.OtherRuntime, "EarlyExit",
			fmt.Sprintf("the program exited with status %d before the tests finished", res.ExitCode))
	}
	out.Phase = "test"
	out.Traceback = bound(stripDriverLines(string(res.Stderr)))
	return out
}

func signalName(sig int) string {
	switch sig {
	case 4:
		return "SIGILL"
	case 6:
		return "SIGABRT"
	case 7:
		return "SIGBUS"
	case 8:
		return "SIGFPE"
	case 9:
		return "SIGKILL"
	case 11:
		return "SIGSEGV"
	case 15:
		return "SIGTERM"
	}
	return "signal " + strconv.Itoa(sig)
}

// stripDriverLines drops the driver's own lines from stderr.
func stripDriverLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "selfrepair-") {
			b.WriteString(l)
		}
	}
	return strings.Trim(b.String(), "\n")
}

// assertedCall is the first argument of the assert_eq! (or assert_ne!) at
// line:col of src: the call into the solution the test checked.
func assertedCall(src string, lay layout, line, col int) string {
	starts := lineStarts(src)
	if line < 1 || line > len(starts) {
		return ""
	}
	at := starts[line-1] + col - 1
	if at < 0 || at >= len(src) {
		return ""
	}
	toks := lex(src[at:min(len(src), at+8192)])
	for i := 0; i+2 < len(toks); i++ {
		if (toks[i].is("assert_eq") || toks[i].is("assert_ne")) && toks[i+1].is("!") && toks[i+2].is("(") {
			end := matching(toks, i+2)
			if end < 0 {
				return ""
			}
			args := splitTop(toks[i+3 : end])
			if len(args) < 2 || len(args[0]) == 0 {
				return ""
			}
			a := args[0]
			return oneLine(unadapt(src[at+a[0].off : at+a[len(a)-1].end()]))
		}
		if i > 4 {
			break
		}
	}
	return ""
}

// unadapt shows a line of the adapted tests as the dataset wrote it.
func unadapt(line string) string {
	line = stdMacroPath.ReplaceAllString(line, "$1")
	line = strings.ReplaceAll(line, "pub(crate) ", "")
	return strings.ReplaceAll(line, "crate::"+namesModule+"::*", "super::*")
}

// lineAt returns line n (1-based) of src.
func lineAt(src string, n int) string {
	starts := lineStarts(src)
	if n < 1 || n > len(starts) {
		return ""
	}
	end := len(src)
	if n < len(starts) {
		end = starts[n] - 1
	}
	return src[starts[n-1]:end]
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// oneLine folds s onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// bound cuts s to the traceback limit.
func bound(s string) string {
	if len(s) <= tracebackLimit {
		return s
	}
	return s[:tracebackLimit] + "\n[...]"
}
