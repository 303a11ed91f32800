package golang

import (
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

// Classify turns a Job's result into an outcome. The limits come first;
// then a build that failed is the compiler's first error (phase load); a
// run passes only when its output ends with the job's token line, which
// the trusted driver prints after every test ran and passed. Each suite's
// verdict comes from the driver's marker lines (carrying the token), and
// a failure is the suite's first failed assertion or its panic, or how
// the process died.
func (Language) Classify(job sandbox.Job, res *sandbox.Result) languages.Outcome {
	c := newClassifier(job, res)
	switch res.Status {
	case sandbox.StatusTimeout:
		out := languages.Failed(languages.Timeout, "Timeout", res.Message)
		if len(job.Build) > 0 && res.BuildExitCode == nil {
			out.Phase = "load" // the build took too long
		}
		return out
	case sandbox.StatusMemory:
		return languages.Failed(languages.Memory, "OutOfMemory", "the memory limit was reached")
	case sandbox.StatusOutputLimit:
		return languages.Failed(languages.OutputLimit, "OutputLimit", res.Message)
	case sandbox.StatusSandboxError:
		return languages.Failed(languages.OtherRuntime, "SandboxError", res.Message)
	}
	if res.BuildExitCode != nil && *res.BuildExitCode != 0 {
		out := c.compileFailure(string(res.BuildOutput))
		out.Phase = "load"
		return out
	}
	return c.run()
}

// classifier reads one result.
type classifier struct {
	job      sandbox.Job
	res      *sandbox.Result
	man      manifest
	token    string
	stderr   string
	patterns patterns
}

// classPatterns are compiled once; never changed.
var classPatterns = newPatterns()

func newClassifier(job sandbox.Job, res *sandbox.Result) *classifier {
	c := &classifier{job: job, res: res, token: job.Env[languages.TokenEnv], stderr: string(res.Stderr), patterns: classPatterns}
	if data, ok := job.Files[manifestFile]; ok {
		json.Unmarshal(data, &c.man)
	}
	if len(c.man.Suites) == 0 {
		c.man.Suites = []suiteEntry{{languages.Base, suiteFile(languages.Base)}}
	}
	return c
}

// sourceLine is line n of the text a job file holds after its last line
// directive for itself (the program's or the tests' own numbering).
func (c *classifier) sourceLine(file string, n int) string {
	data, ok := c.job.Files[file]
	if !ok || n <= 0 {
		return ""
	}
	text := string(data)
	directive := lineDirective(file, 1)
	if i := strings.LastIndex(text, directive); i >= 0 {
		text = text[i+len(directive):]
	}
	if file == solutionFile && c.man.Program != "" {
		text = c.man.Program
	}
	lines := strings.Split(text, "\n")
	if n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// locate fills the failure's solution and test lines from a position
// (file, line) the compiler or a stack named.
func (c *classifier) locate(f *languages.Failure, file string, line int) bool {
	file = path.Base(file)
	if file == solutionFile {
		if f.Line == 0 {
			f.Line, f.LineText = line, c.sourceLine(file, line)
		}
		return true
	}
	for _, s := range c.man.Suites {
		if s.File == file {
			if f.TestLine == 0 {
				f.TestLine, f.TestText = line, c.sourceLine(file, line)
			}
			return true
		}
	}
	return false
}

// ---- build ----

var (
	compileErrorRE = regexp.MustCompile(`^(\S+?\.go):(\d+)(?::\d+)?: (.*)$`)
	workPrefixRE   = regexp.MustCompile(`(^|[\s\[(])` + regexp.QuoteMeta(workDir+"/"))
)

// short drops the job directory from paths in text: what the model sees
// names solution.go, as its own file.
func short(text string) string { return workPrefixRE.ReplaceAllString(text, "$1") }

// compileFailure is the compiler's first error.
func (c *classifier) compileFailure(output string) languages.Outcome {
	lines := strings.Split(strings.TrimRight(output, "\n"), "\n")
	out := languages.Failed(languages.Syntax, "CompileError", "")
	for i, l := range lines {
		m := compileErrorRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		c.locate(&out.Failure, m[1], n)
		out.Class, out.ErrorType = c.patterns.compileClass(m[3])
		out.Message = short(l)
		// The error and its own indented lines ("have (int, int)").
		end := i + 1
		for end < len(lines) && strings.HasPrefix(lines[end], "\t") {
			end++
		}
		out.Traceback = bound(short(strings.Join(lines[:end], "\n")))
		return out
	}
	out.Message = "the build failed"
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out.Message = short(strings.TrimSpace(l))
			break
		}
	}
	out.Traceback = bound(short(output))
	return out
}

// A compileRule classes compiler messages matching re.
type compileRule struct {
	re    *regexp.Regexp
	class languages.Class
	code  string // the type checker's error code (go/types' names)
}

// patterns are the compiled regular expressions the classifier uses.
type patterns struct {
	compile []compileRule
	runtime []runtimeRule
}

// A runtimeRule classes panic and fatal error messages matching re.
type runtimeRule struct {
	re    *regexp.Regexp
	class languages.Class
}

func newPatterns() patterns {
	c := func(re string, class languages.Class, code string) compileRule {
		return compileRule{regexp.MustCompile(re), class, code}
	}
	r := func(re string, class languages.Class) runtimeRule {
		return runtimeRule{regexp.MustCompile(re), class}
	}
	return patterns{
		compile: []compileRule{
			c(`^syntax error`, languages.Syntax, "SyntaxError"),
			c(`^undefined: \w+\.\w+`, languages.Name, "UndeclaredImportedName"),
			c(`^undefined: `, languages.Name, "UndeclaredName"),
			c(` undefined \(type .* has no (field or )?method`, languages.Name, "MissingFieldOrMethod"),
			c(`^could not import |^package .* is not in (GOROOT|std)`, languages.Import, "BrokenImport"),
			c(`mismatched types`, languages.Type, "MismatchedTypes"),
			c(`^cannot use `, languages.Type, "IncompatibleAssign"),
			c(`^(too many|not enough) arguments in call`, languages.Type, "WrongArgCount"),
			c(`^(too many|not enough) return values`, languages.Type, "WrongResultCount"),
			c(`^assignment mismatch`, languages.Type, "WrongAssignCount"),
			c(`truncated to `, languages.Type, "TruncatedFloat"),
			c(` overflows `, languages.Type, "NumericOverflow"),
			c(`^non-boolean condition`, languages.Type, "InvalidCond"),
			c(`^cannot assign to `, languages.Type, "UnassignableOperand"),
			c(`^cannot range over `, languages.Type, "InvalidRangeExpr"),
			c(`^invalid argument: .* for len`, languages.Type, "InvalidLen"),
			c(`^invalid argument: .* for cap`, languages.Type, "InvalidCap"),
			c(`cannot call non-function`, languages.Type, "InvalidCall"),
			c(`cannot index `, languages.Type, "NonIndexableOperand"),
			c(`cannot slice `, languages.Type, "NonSliceableOperand"),
			c(`cannot indirect `, languages.Type, "InvalidIndirection"),
			c(`^first argument to append must be`, languages.Type, "InvalidAppend"),
			c(`^cannot convert `, languages.Type, "InvalidConversion"),
			c(`operator .* not defined on `, languages.Type, "UndefinedOp"),
			c(`multiple-value .* in single-value context`, languages.Type, "TooManyValues"),
			c(`is not a type`, languages.Type, "NotAType"),
			c(`is not an expression|used as value`, languages.Type, "NotAnExpr"),
			c(`declared (but|and) not used`, languages.Syntax, "UnusedVar"),
			c(`imported (but|and) not used`, languages.Syntax, "UnusedImport"),
			c(`redeclared in this block`, languages.Syntax, "DuplicateDecl"),
			c(`^no new variables`, languages.Syntax, "NoNewVar"),
			c(`^missing return`, languages.Syntax, "MissingReturn"),
		},
		runtime: []runtimeRule{
			r(`index out of range|slice bounds out of range`, languages.Index),
			r(`integer divide by zero`, languages.ZeroDivision),
			r(`nil pointer dereference`, languages.Attribute),
			r(`entry in nil map|^interface conversion|unhashable type|uncomparable type`, languages.Type),
			r(`^(makeslice|makechan|makemap): .* out of range|negative shift amount|^strconv\.`, languages.Value),
			r(`stack overflow|goroutine stack exceeds`, languages.Recursion),
			r(`out of memory`, languages.Memory),
		},
	}
}

// compileClass classes a compiler message (without its position).
func (p patterns) compileClass(msg string) (languages.Class, string) {
	for _, r := range p.compile {
		if r.re.MatchString(msg) {
			return r.class, r.code
		}
	}
	return languages.Syntax, "CompileError"
}

// runtimeClass classes a panic's value (its message, and its type when
// known) or a fatal error's message.
func (p patterns) runtimeClass(msg, typ string) languages.Class {
	if strings.Contains(typ, "strconv.NumError") {
		return languages.Value
	}
	for _, r := range p.runtime {
		if r.re.MatchString(msg) {
			return r.class
		}
	}
	return languages.OtherRuntime
}

// ---- run ----

// A marker is a line of the trusted driver in stdout.
type marker struct {
	at    int    // offset of the line in stdout
	kind  string // begin, end, panic
	suite languages.Suite
	pass  bool
	data  string // a panic's record
}

// markers finds the driver's lines: "selfrepair: KIND ARGS TOKEN\n". The
// token makes them unforgeable by the program (which runs after the driver
// took the token out of its environment).
func (c *classifier) markers(stdout string) []marker {
	if c.token == "" {
		return nil
	}
	var out []marker
	suffix := " " + c.token + "\n"
	for i := 0; ; {
		j := strings.Index(stdout[i:], "selfrepair: ")
		if j < 0 {
			return out
		}
		at := i + j
		end := strings.Index(stdout[at:], suffix)
		nl := strings.IndexByte(stdout[at:], '\n')
		if end < 0 || nl < end {
			i = at + len("selfrepair: ")
			continue
		}
		body := stdout[at+len("selfrepair: ") : at+end]
		i = at + end + len(suffix)
		kind, rest, _ := strings.Cut(body, " ")
		m := marker{at: at, kind: kind}
		switch kind {
		case "begin":
			m.suite = languages.Suite(rest)
		case "end":
			s, verdict, _ := strings.Cut(rest, " ")
			m.suite, m.pass = languages.Suite(s), verdict == "pass"
		case "panic":
			m.data = rest
		default:
			continue
		}
		out = append(out, m)
	}
}

// run classifies a test binary's run.
func (c *classifier) run() languages.Outcome {
	stdout, completed := languages.Completed(c.job, c.res.Stdout)
	multi := len(c.man.Suites) > 1
	if completed {
		out := languages.Passing()
		if multi {
			out.Suites = map[languages.Suite]*languages.Outcome{}
			for _, s := range c.man.Suites {
				p := languages.Passing()
				out.Suites[s.Name] = &p
			}
		}
		return out
	}
	text := string(stdout)
	ms := c.markers(text)
	began := map[languages.Suite]int{}
	ended := map[languages.Suite]*marker{}
	for i := range ms {
		switch m := &ms[i]; m.kind {
		case "begin":
			began[m.suite] = m.at
		case "end":
			ended[m.suite] = m
		}
	}
	var died *languages.Outcome // how the process ended, when a suite did not
	crash := func(phase string) *languages.Outcome {
		if died == nil {
			o := c.crash()
			o.Phase = phase
			died = &o
		}
		cp := *died
		return &cp
	}
	outcomes := make([]*languages.Outcome, len(c.man.Suites))
	for k, s := range c.man.Suites {
		at, ok := began[s.Name]
		switch {
		case !ok && len(began) == 0:
			// Nothing ran: the program died (or left) while it started.
			outcomes[k] = crash("load")
		case !ok:
			outcomes[k] = crash("test")
		case ended[s.Name] != nil && ended[s.Name].pass:
			p := languages.Passing()
			outcomes[k] = &p
		default:
			next := len(text)
			for _, m := range ms {
				if m.kind == "begin" && m.at > at && m.at < next {
					next = m.at
				}
			}
			o, ok := c.testFailure(text[at:next], ms, at, next)
			if !ok {
				o = *crash("test")
			}
			o.Phase = "test"
			outcomes[k] = &o
		}
	}
	// Every suite passed, yet the run did not end with the token: it was
	// stopped, or wrote after it, before the driver could finish.
	first := -1
	for k, o := range outcomes {
		if !o.Passed {
			first = k
			break
		}
	}
	if first < 0 {
		first = len(outcomes) - 1
		o := c.crash()
		o.Phase = "test"
		if o.Message == "" {
			o = languages.Failed(languages.OtherRuntime, "NoVerdict", "the tests did not complete")
		}
		outcomes[first] = &o
	}
	out := *outcomes[first]
	if multi {
		out.Suites = map[languages.Suite]*languages.Outcome{}
		for k, s := range c.man.Suites {
			out.Suites[s.Name] = outcomes[k]
		}
	}
	return out
}

// panicRecord is what the driver prints of a panic it recovered.
type panicRecord struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Runtime bool   `json:"runtime"`
	Stack   string `json:"stack"`
}

var (
	failHeadRE = regexp.MustCompile(`(?m)^--- FAIL: (\S+)`)
	logLineRE  = regexp.MustCompile(`^    (\S+?\.go):(\d+): ?(.*)$`)
	assertRE   = regexp.MustCompile(`\b(assert|require)\.([A-Z]\w*)\(`)
)

// testFailure reads a failed suite's output (its part of stdout, from its
// begin marker up to the next suite's): the first panic the driver
// recovered, else the first failed test's first message. ok is false when
// the output says nothing (the process died first).
func (c *classifier) testFailure(chunk string, ms []marker, from, to int) (languages.Outcome, bool) {
	for _, m := range ms {
		if m.kind != "panic" || m.at < from || m.at >= to {
			continue
		}
		var p panicRecord
		if json.Unmarshal([]byte(m.data), &p) != nil {
			continue
		}
		return c.panicFailure(p), true
	}
	loc := failHeadRE.FindStringIndex(chunk)
	if loc == nil {
		return languages.Outcome{}, false
	}
	block := chunk[loc[0]:]
	if next := failHeadRE.FindStringIndex(block[loc[1]-loc[0]:]); next != nil {
		block = block[:loc[1]-loc[0]+next[0]]
	}
	if i := strings.Index(block, "\nselfrepair: "); i >= 0 {
		block = block[:i+1]
	}
	out := languages.Failed(languages.Assertion, "TestFailed", "")
	lines := strings.Split(block, "\n")
	var entry []string // the first message of the test, its continuation lines
	for i := 1; i < len(lines); i++ {
		m := logLineRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		c.locate(&out.Failure, m[1], n)
		entry = []string{m[3]}
		for j := i + 1; j < len(lines) && strings.HasPrefix(lines[j], "        "); j++ {
			entry = append(entry, strings.TrimPrefix(lines[j], "        "))
		}
		break
	}
	if len(entry) == 0 && (panicLineRE.MatchString(c.stderr) || fatalLineRE.MatchString(c.stderr)) {
		return languages.Outcome{}, false // the test died: its panic says why
	}
	fields := testifyFields(entry)
	if msg, ok := fields["Error"]; ok {
		out.Message = oneLine(msg)
		if v, ok := fieldValue(msg, "expected"); ok {
			out.Expected = v
		}
		if v, ok := fieldValue(msg, "actual"); ok {
			out.Actual = v
		}
		if m := assertRE.FindStringSubmatch(out.TestText); m != nil {
			out.ErrorType = m[1] + "." + m[2]
		} else {
			out.ErrorType = "assert"
		}
		if out.Expected != "" && out.Actual != "" {
			out.Message = strings.TrimSuffix(strings.TrimSpace(firstLine(msg)), ":") +
				": expected " + out.Expected + ", actual " + out.Actual
		}
	} else if len(entry) > 0 {
		out.Message = oneLine(strings.Join(entry, "\n"))
	}
	if out.Message == "" {
		out.Message = strings.TrimSpace(lines[0])
	}
	out.Call = callIn(out.TestText, c.man.Entry)
	out.Traceback = bound(short(strings.TrimRight(block, "\n")))
	return out, true
}

// testifyFields reads testify's report of a failed assertion: lines
// "\tName:\tvalue", later lines of a value indented under it.
func testifyFields(entry []string) map[string]string {
	fields := map[string]string{}
	name := ""
	for _, l := range entry {
		l = strings.TrimPrefix(l, "\t")
		key, value, ok := strings.Cut(l, "\t")
		if !ok {
			key, value = "", l
		}
		if k := strings.TrimSpace(key); strings.HasSuffix(k, ":") && !strings.HasPrefix(key, " ") {
			name = strings.TrimSuffix(k, ":")
			fields[name] = value
			continue
		}
		if name != "" && strings.TrimSpace(key) == "" {
			fields[name] += "\n" + strings.TrimLeft(value, " \t")
		}
	}
	return fields
}

// fieldValue reads "key: value" (testify pads the key: "actual  : x")
// from the lines of msg.
func fieldValue(msg, key string) (string, bool) {
	for _, l := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// callIn returns the call of function name in a test line, if any:
// "HasCloseElements([]float64{1.0, 2.0}, 0.5)".
func callIn(line, name string) string {
	if name == "" {
		return ""
	}
	for i := 0; i+len(name) < len(line); i++ {
		if !strings.HasPrefix(line[i:], name+"(") || i > 0 && isIdentByte(line[i-1], true) {
			continue
		}
		m := mask(line)
		depth := 0
		for j := i + len(name); j < len(m); j++ {
			switch m[j] {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth--
				if depth == 0 {
					return line[i : j+1]
				}
			}
		}
		return ""
	}
	return ""
}

// panicFailure is a panic the driver recovered in a test.
func (c *classifier) panicFailure(p panicRecord) languages.Outcome {
	class := c.patterns.runtimeClass(p.Message, p.Type)
	out := languages.Failed(class, p.Type, p.Message)
	if p.Message == "unexpected call to os.Exit(0) during test" {
		out.ErrorType = "EarlyExit"
		out.Message = "os.Exit(0) was called during the tests"
	}
	frames := parseFrames(afterPanicFrame(p.Stack))
	header := "panic: " + p.Message + " [recovered]"
	out.Traceback = bound(header + "\n\n" + c.renderFrames(&out.Failure, frames))
	out.Call = callIn(out.TestText, c.man.Entry)
	return out
}

// afterPanicFrame drops the frames of a stack taken in a deferred
// recover up to and including the runtime's panic call, leaving the
// frame that panicked first.
func afterPanicFrame(stack string) string {
	lines := strings.Split(stack, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], "panic(") && strings.Contains(lines[i+1], "runtime/panic.go") {
			return strings.Join(lines[i+2:], "\n")
		}
	}
	return stack
}

// A frame of a goroutine's stack.
type frame struct {
	fn   string
	file string
	line int
}

var frameFileRE = regexp.MustCompile(`^\t(\S+):(\d+)`)

// ownFrames matches a frame of the program's or the tests' files.
var ownFrames = regexp.MustCompile(`(?m)^\t` + regexp.QuoteMeta(workDir) + `/(` + regexp.QuoteMeta(solutionFile) + `|` +
	regexp.QuoteMeta(setupFile) + `|\w+_test\.go):`)

// goroutineOf returns the goroutine of a traceback that ran code of the
// job's own files (the program's or the tests'), else the first one.
func goroutineOf(traceback string) string {
	blocks := strings.Split(traceback, "\n\ngoroutine ")
	for i, b := range blocks {
		if ownFrames.MatchString(b) {
			if i > 0 {
				b = "goroutine " + b
			}
			return b
		}
	}
	return blocks[0]
}

// parseFrames reads the frames of a stack, up to the end of its first
// goroutine (a blank line).
func parseFrames(stack string) []frame {
	var out []frame
	lines := strings.Split(stack, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "goroutine ") {
			continue
		}
		if strings.TrimSpace(l) == "" {
			if len(out) > 0 {
				break
			}
			continue
		}
		if i+1 < len(lines) {
			if m := frameFileRE.FindStringSubmatch(lines[i+1]); m != nil {
				n, _ := strconv.Atoi(m[2])
				out = append(out, frame{fn: l, file: m[1], line: n})
				i++
			}
		}
	}
	return out
}

// renderFrames writes the frames a model needs (the program's and the
// tests', and the library calls between them; not the driver's, nor the
// testing package's), fills the failure's lines from the first of the
// program and of the tests, and folds a recursion's repeated frames.
func (c *classifier) renderFrames(f *languages.Failure, frames []frame) string {
	var b strings.Builder
	shown, folded := 0, 0
	var last frame
	// A stack overflow stops a function in its prologue, at its func
	// line: the line to blame is the call below it.
	if len(frames) > 1 && path.Base(frames[0].file) == solutionFile && path.Base(frames[1].file) == solutionFile &&
		strings.HasPrefix(c.sourceLine(solutionFile, frames[0].line), "func ") && f.Line == 0 {
		f.Line, f.LineText = frames[1].line, c.sourceLine(solutionFile, frames[1].line)
	}
	for _, fr := range frames {
		name := fr.fn
		if strings.HasPrefix(name, "selfrepair/driver.") || strings.HasPrefix(name, "testing.") ||
			strings.HasPrefix(name, "created by testing.") || strings.HasPrefix(name, "runtime.goexit") ||
			path.Base(fr.file) == mainFile {
			continue
		}
		c.locate(f, fr.file, fr.line)
		if fr.file == last.file && fr.line == last.line && funcOf(fr.fn) == funcOf(last.fn) {
			folded++
			continue
		}
		if folded > 0 {
			fmt.Fprintf(&b, "\t... %d more calls of %s\n", folded, funcOf(last.fn))
			folded = 0
		}
		last = fr
		if shown == 30 {
			b.WriteString("...additional frames elided...\n")
			break
		}
		shown++
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", short(name), short(fr.file), fr.line)
	}
	if folded > 0 {
		fmt.Fprintf(&b, "\t... %d more calls of %s\n", folded, funcOf(last.fn))
	}
	return strings.TrimRight(b.String(), "\n")
}

// funcOf is the function of a frame line ("main.F(0x1, ...)" gives main.F).
func funcOf(fn string) string {
	if i := strings.LastIndexByte(fn, '('); i > 0 {
		return fn[:i]
	}
	return fn
}

var (
	panicLineRE = regexp.MustCompile(`(?m)^panic: (.*?)( \[recovered\])?$`)
	fatalLineRE = regexp.MustCompile(`(?m)^fatal error: (.*)$`)
	stackLimRE  = regexp.MustCompile(`(?m)^runtime: (goroutine stack exceeds \d+-byte limit)$`)
)

// crash is how the process ended without finishing a suite: a fatal
// error or an unrecovered panic on stderr, else its exit.
func (c *classifier) crash() languages.Outcome {
	stderr := c.stderr
	if loc := fatalLineRE.FindStringSubmatchIndex(stderr); loc != nil {
		msg := stderr[loc[2]:loc[3]]
		if m := stackLimRE.FindStringSubmatch(stderr); m != nil {
			msg += ": " + m[1]
		}
		out := languages.Failed(c.patterns.runtimeClass(msg, ""), "fatal error", msg)
		rest := stderr[loc[1]:]
		if g := strings.Index(rest, "\ngoroutine "); g >= 0 {
			rest = rest[g+1:]
		}
		out.Traceback = bound("fatal error: " + msg + "\n\n" + c.renderFrames(&out.Failure, parseFrames(goroutineOf(rest))))
		return out
	}
	if loc := panicLineRE.FindStringSubmatchIndex(stderr); loc != nil {
		msg := stderr[loc[2]:loc[3]]
		out := languages.Failed(c.patterns.runtimeClass(msg, ""), panicType(msg), msg)
		if msg == "test executed panic(nil) or runtime.Goexit" {
			out.ErrorType = "Goexit"
			out.Message = "the test stopped early: runtime.Goexit or panic(nil)"
		}
		rest := stderr[loc[1]:]
		if g := strings.Index(rest, "\ngoroutine "); g >= 0 {
			rest = rest[g+1:]
		}
		out.Traceback = bound("panic: " + msg + "\n\n" + c.renderFrames(&out.Failure, parseFrames(rest)))
		out.Call = callIn(out.TestText, c.man.Entry)
		return out
	}
	res := c.res
	switch {
	case res.Status == sandbox.StatusSignaled:
		return languages.Failed(languages.OtherRuntime, fmt.Sprintf("Signal%d", res.Signal),
			fmt.Sprintf("the program was killed by signal %d before its tests finished", res.Signal))
	case res.Status == sandbox.StatusExited:
		out := languages.Failed(languages.OtherRuntime, "EarlyExit",
			fmt.Sprintf("the program exited with status %d before its tests finished", res.ExitCode))
		if tail := strings.TrimSpace(stderr); tail != "" {
			out.Traceback = bound(short(tail))
		}
		return out
	}
	return languages.Failed(languages.OtherRuntime, "NoVerdict", "the tests did not complete: "+res.Summary())
}

// panicType names the type of an unrecovered panic's value from its
// message where the runtime's own message tells it.
func panicType(msg string) string {
	switch {
	case strings.Contains(msg, "index out of range") || strings.Contains(msg, "slice bounds out of range"):
		return "runtime.boundsError"
	case strings.HasPrefix(msg, "interface conversion"):
		return "*runtime.TypeAssertionError"
	case strings.HasPrefix(msg, "runtime error: "):
		return "runtime.Error"
	}
	return "panic"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// bound keeps at most maxTraceback bytes of s (at a line's end).
func bound(s string) string {
	if len(s) <= maxTraceback {
		return s
	}
	cut := strings.LastIndexByte(s[:maxTraceback], '\n')
	if cut < 0 {
		cut = maxTraceback
	}
	return s[:cut] + "\n..."
}
