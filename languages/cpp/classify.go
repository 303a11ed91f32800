package cpp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// maxTraceback bounds Failure.Traceback.
const maxTraceback = 4 << 10

// Phases of an outcome.
const (
	phaseLoad = "load" // the program did not compile
	phaseTest = "test"
)

// Classify turns a job's result into an outcome. A pass needs the job's
// token at the end of the output (languages.Completed), printed by the
// driver once every suite ran to its end, and each suite's own verdict
// line, which carries the token too.
func (Language) Classify(job sandbox.Job, res *sandbox.Result) languages.Outcome {
	lay := parseLayout(string(job.Files[sourceFile]))
	if len(job.Build) > 0 && (res.BuildExitCode == nil || *res.BuildExitCode != 0) {
		out := buildFailure(res, lay)
		out.Phase = phaseLoad
		return out
	}
	if out, ok := limited(res); ok {
		out.Phase = phaseTest
		return out
	}
	token := job.Env[languages.TokenEnv]
	_, completed := languages.Completed(job, res.Stdout)
	// What the build wrote comes first on stderr; the sandbox may count the
	// run's first lines as the build's when it reads them late, so the run
	// is read from both (a build that succeeds says little, if anything).
	stderr := string(res.BuildOutput) + string(res.Stderr)
	verdicts := suiteVerdicts(stderr, token)
	var outs []*languages.Outcome
	var first *languages.Outcome
	for _, p := range lay.parts {
		o := verdicts.outcome(p, stderr, lay, res)
		outs = append(outs, &o)
		if first == nil && !o.Passed {
			first = &o
		}
	}
	var out languages.Outcome
	switch {
	case first != nil:
		out = *first
	case completed && res.Status == sandbox.StatusExited && res.ExitCode == 0 && len(lay.parts) > 0:
		out = languages.Passing()
	default:
		out = ended(res, stderr, "the test driver did not finish")
		out.Phase = phaseTest
	}
	if len(lay.parts) > 1 {
		out.Suites = make(map[languages.Suite]*languages.Outcome, len(lay.parts))
		for i, p := range lay.parts {
			out.Suites[p.suite] = outs[i]
		}
	}
	return out
}

// driverNames are the names the driver gives the tests' namespaces and
// their mains, which diagnostics may show.
var driverNames = regexp.MustCompile(`selfrepair_[0-9a-f]{16}_[a-z]+::(selfrepair_tests_main)?`)

// clean shows the tests' code under the names the tests give it.
func clean(out *languages.Outcome) {
	for _, s := range []*string{&out.Message, &out.Traceback} {
		*s = driverNames.ReplaceAllStringFunc(*s, func(m string) string {
			if strings.HasSuffix(m, "selfrepair_tests_main") {
				return "main"
			}
			return ""
		})
	}
}

// limited is the outcome of a job a limit stopped: the limits come first,
// whatever the output says.
func limited(res *sandbox.Result) (languages.Outcome, bool) {
	switch res.Status {
	case sandbox.StatusTimeout:
		return languages.Failed(languages.Timeout, "Timeout", res.Message), true
	case sandbox.StatusMemory:
		return languages.Failed(languages.Memory, "MemoryError", "the memory limit was reached"), true
	case sandbox.StatusOutputLimit:
		return languages.Failed(languages.OutputLimit, "OutputLimit", res.Message), true
	}
	return languages.Outcome{}, false
}

// buildFailure is the outcome of a job whose program did not compile.
func buildFailure(res *sandbox.Result, lay layout) languages.Outcome {
	if out, ok := limited(res); ok {
		if res.Status == sandbox.StatusMemory {
			out.Message = "the compiler ran out of memory"
		}
		return out
	}
	out := CompileError(string(res.BuildOutput))
	if out.Class == "" {
		msg := "the compiler failed"
		if res.BuildExitCode != nil {
			msg = fmt.Sprintf("the compiler failed with status %d", *res.BuildExitCode)
		}
		out = languages.Failed(languages.Syntax, "CompileError", msg)
		out.Traceback = bounded(string(res.BuildOutput))
		return out
	}
	locate(&out, lay)
	clean(&out)
	return out
}

// locate fills the failing line of the solution or of the tests, given a
// failure whose LineText holds the file name (as CompileError and the
// runtime readers leave it).
func locate(out *languages.Outcome, lay layout) {
	file := out.LineText
	out.LineText = ""
	if out.Line == 0 {
		return
	}
	if file == solutionFile {
		out.LineText = lineText(lay.program, out.Line)
		return
	}
	for _, p := range lay.parts {
		if p.file == file {
			out.TestLine, out.TestText = out.Line, lineText(p.text, out.Line)
			break
		}
	}
	out.Line = 0
}

func lineText(src string, n int) string {
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// gcc's diagnostics.
var (
	diagRE = regexp.MustCompile(`^([^:\s][^:]*):(\d+):(?:\d+:)? (fatal error|error): (.*)$`)
	// A linker error (gold): "/tmp/cc.o:prog.cpp:function main: error: undefined reference to 'f(int)'".
	linkRE = regexp.MustCompile(`^(?:[^:]*:)*\s*error: (.*)$`)
	// A line of a solution file named in an error's context ("required from here").
	contextRE = regexp.MustCompile(regexp.QuoteMeta(solutionFile) + `:(\d+):`)
)

// compileRule sorts a compiler error into a class, by its words.
type compileRule struct {
	re    *regexp.Regexp
	class languages.Class
	typ   string
}

// compileRules are tried in order; an error no rule matches is a syntax
// error. The words are g++ 12's.
var compileRules = func() []compileRule {
	r := func(expr string, c languages.Class, typ string) compileRule {
		return compileRule{regexp.MustCompile(expr), c, typ}
	}
	return []compileRule{
		r(`No such file or directory`, languages.Import, "MissingHeader"),
		r(`was not declared in this scope|has not been declared|was not declared|is not declared`, languages.Name, "UndeclaredName"),
		r(`undefined reference to|undefined symbol`, languages.Name, "UndefinedReference"),
		r(`does not name a type|is not a type\b|not a class, namespace, or enumeration|is not a namespace(-name)?\b|there are no arguments to .* that depend on a template parameter`,
			languages.Name, "UndeclaredName"),
		r(`is not a member of|has no member named|no member named`, languages.Name, "NoMember"),
		r(`cannot convert|invalid conversion|could not convert|conversion from .* to .* requested|no viable conversion|cannot bind|invalid initialization of|binding reference`,
			languages.Type, "InvalidConversion"),
		r(`no match for|invalid operands|invalid types .* for array subscript|ambiguous overload|operands to .* have different types`,
			languages.Type, "InvalidOperands"),
		r(`no matching function for call|no matching member function|too many arguments to|too few arguments to|cannot be used as a function|is ambiguous`,
			languages.Type, "NoMatchingFunction"),
		r(`which is of non-class type|return-statement with (a|no) value|void value not ignored|invalid use of void|lvalue required|incompatible types|discards qualifiers|assignment of read-only|invalid use of incomplete type|has incomplete type|inconsistent deduction|invalid cast|invalid static_cast|wrong type argument|cannot increment|cannot decrement|invalid argument type`,
			languages.Type, "TypeMismatch"),
		r(`\bexpected\b`, languages.Syntax, "ExpectedToken"),
		r(`redefinition of|conflicting declaration|previously defined|multiple definition`, languages.Syntax, "Redefinition"),
		r(`stray .* in program|missing terminating|unterminated`, languages.Syntax, "StrayCharacter"),
	}
}()

// CompileError reads the first error of g++'s output: its class (see
// compileRules), a rule's name as the error type, the error line as the
// message (file:line kept), and the line it names (Line, with the file's
// name in LineText until locate reads it; an error inside a library header
// is placed at the solution's line that led there). The class is empty
// when the output holds no error.
func CompileError(output string) languages.Outcome {
	text := strings.NewReplacer("\u2018", "'", "\u2019", "'").Replace(output)
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		var file, msg, kind string
		line := 0
		if m := diagRE.FindStringSubmatch(l); m != nil {
			file, kind, msg = m[1], m[3], m[4]
			line, _ = strconv.Atoi(m[2])
		} else if m := linkRE.FindStringSubmatch(l); m != nil && !strings.HasPrefix(l, "collect2:") {
			kind, msg = "error", m[1]
		} else {
			continue
		}
		out := languages.Failed(languages.Syntax, "CompileError", strings.TrimSpace(l))
		for _, r := range compileRules {
			if r.re.MatchString(msg) {
				out.Class, out.ErrorType = r.class, r.typ
				break
			}
		}
		if kind == "fatal error" && out.Class == languages.Syntax {
			out.ErrorType = "FatalError"
		}
		// An error in a library header (or the driver): the solution's line
		// named in its context, the last one before it.
		if file != solutionFile && !strings.HasSuffix(file, "test.cpp") {
			file, line = "", 0
			from := i - 1
			for from > 0 && !diagRE.MatchString(lines[from-1]) && !strings.Contains(lines[from-1], ": note: ") {
				from--
			}
			for j := i - 1; j >= max(from, 0); j-- {
				if m := contextRE.FindStringSubmatch(lines[j]); m != nil {
					file = solutionFile
					line, _ = strconv.Atoi(m[1])
					break
				}
			}
		}
		out.Line, out.LineText = line, file
		// The traceback: from the error's context ("In function ...") on.
		start := i
		for start > 0 && start > i-12 && !diagRE.MatchString(lines[start-1]) && lines[start-1] != "" &&
			!strings.HasPrefix(lines[start-1], " ") {
			start--
		}
		out.Traceback = bounded(strings.Join(lines[start:], "\n"))
		return out
	}
	return languages.Outcome{}
}

// bounded keeps the head of s, at most maxTraceback bytes, whole lines.
func bounded(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) <= maxTraceback {
		return s
	}
	cut := strings.LastIndexByte(s[:maxTraceback], '\n')
	if cut < 0 {
		cut = maxTraceback
	}
	return s[:cut] + "\n..."
}

// boundedTail keeps the tail of s, at most maxTraceback bytes.
func boundedTail(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) <= maxTraceback {
		return s
	}
	cut := strings.IndexByte(s[len(s)-maxTraceback:], '\n')
	if cut < 0 {
		return "..." + s[len(s)-maxTraceback:]
	}
	return "...\n" + s[len(s)-maxTraceback+cut+1:]
}

// A verdictLine is what the driver said of a suite.
type verdictLine struct {
	start, end int    // the offsets in stderr of the suite's start line and of its verdict line (-1 if none)
	what       string // passed, exit, signal, lost, error
	n          int
}

type verdicts map[languages.Suite]*verdictLine

// suiteLineRE is a driver's line: "selfrepair: suite NAME TOKEN WHAT[ N]".
var suiteLineRE = regexp.MustCompile(`selfrepair: suite ([a-z]+) ([0-9a-f]+) (start|passed|exit|signal|lost|error)(?: (\d+))?\n`)

// suiteVerdicts reads the driver's lines that carry token (the solution
// cannot write those).
func suiteVerdicts(stderr, token string) verdicts {
	vs := verdicts{}
	if token == "" {
		return vs
	}
	for _, m := range suiteLineRE.FindAllStringSubmatchIndex(stderr, -1) {
		if stderr[m[4]:m[5]] != token {
			continue
		}
		s := languages.Suite(stderr[m[2]:m[3]])
		what := stderr[m[6]:m[7]]
		v := vs[s]
		if what == "start" {
			if v == nil {
				vs[s] = &verdictLine{start: m[1], end: -1}
			}
			continue
		}
		if v == nil || v.end >= 0 {
			continue
		}
		v.end, v.what = m[0], what
		if m[8] >= 0 {
			v.n, _ = strconv.Atoi(stderr[m[8]:m[9]])
		}
	}
	return vs
}

// outcome is the verdict on one suite.
func (vs verdicts) outcome(p part, stderr string, lay layout, res *sandbox.Result) languages.Outcome {
	v := vs[p.suite]
	if v == nil {
		// The driver never started this suite: the program ended before
		// (in a global object's constructor, or in an earlier suite that
		// took the driver down).
		out := ended(res, stderr, "the "+string(p.suite)+" tests never ran")
		out.Phase = phaseTest
		return out
	}
	if v.what == "passed" {
		return languages.Passing()
	}
	end := v.end
	if end < 0 {
		end = len(stderr)
	}
	segment := suiteLineRE.ReplaceAllString(stderr[v.start:end], "")
	out := runtimeFailure(segment, v)
	out.Phase = phaseTest
	locate(&out, lay)
	clean(&out)
	return out
}

// How a failing run tells what happened, in the words of glibc, libstdc++,
// a shell, and the driver's signal handler.
var (
	assertRE    = regexp.MustCompile("(?m)^(?:[^:\n]*: )?([^:\n]+):(\\d+): ([^\n]*?): Assertion `(.*)' failed\\.$")
	terminateRE = regexp.MustCompile(`terminate called after throwing an instance of '([^'\n]*)'(?:\n\s*what\(\):\s*([^\n]*))?`)
	faultRE     = regexp.MustCompile(`(Segmentation fault|Floating point exception|Bus error|Illegal instruction)(?: \(([^)\n]*)\))?`)
	glibcRE     = regexp.MustCompile(`(?m)^(\*\*\* stack smashing detected \*\*\*.*|(?:free|malloc|realloc|double free|munmap_chunk|corrupted)[^\n]*)$`)
)

// runtimeFailure reads what a failed suite wrote (segment, its stderr) and
// how its process ended. Line and LineText carry a position for locate.
func runtimeFailure(segment string, v *verdictLine) languages.Outcome {
	tb := boundedTail(segment)
	if m := assertRE.FindAllStringSubmatch(segment, -1); m != nil {
		a := m[len(m)-1]
		out := languages.Failed(languages.Assertion, "AssertionFailure", fmt.Sprintf("%s:%s: %s: Assertion `%s' failed.", a[1], a[2], a[3], a[4]))
		out.Line, _ = strconv.Atoi(a[2])
		out.LineText = a[1]
		out.Traceback = tb
		return out
	}
	if m := terminateRE.FindAllStringSubmatch(segment, -1); m != nil {
		t := m[len(m)-1]
		out := languages.Failed(ExceptionClass(t[1], t[2]), t[1], t[2])
		if t[2] == "" {
			out.Message = "uncaught exception of type " + t[1]
		}
		out.Traceback = tb
		return out
	}
	if m := faultRE.FindAllStringSubmatch(segment, -1); m != nil {
		f := m[len(m)-1]
		out := languages.Failed(faultClass(f[1], f[2]), signalName(f[1]), strings.TrimSpace(f[0]))
		out.Traceback = tb
		return out
	}
	if m := glibcRE.FindAllString(segment, -1); m != nil {
		msg := m[len(m)-1]
		c := languages.OtherRuntime
		if strings.HasPrefix(msg, "*** stack smashing") {
			c = languages.Index // a write past the end of a local array
		}
		out := languages.Failed(c, "SIGABRT", msg)
		out.Traceback = tb
		return out
	}
	var out languages.Outcome
	switch v.what {
	case "signal":
		out = languages.Failed(signalClass(v.n), signalNumber(v.n), fmt.Sprintf("the program was killed by signal %d (%s)", v.n, signalNumber(v.n)))
	case "exit":
		out = languages.Failed(languages.OtherRuntime, "EarlyExit",
			fmt.Sprintf("the program exited with status %d before its tests finished", v.n))
	default:
		out = languages.Failed(languages.OtherRuntime, "NoVerdict", "the test driver lost the tests' process")
	}
	out.Traceback = tb
	return out
}

// ended is the outcome of a run whose driver gave no verdict of its own:
// it never reached the tests (a global object's constructor ended the
// program), or it was ended itself.
func ended(res *sandbox.Result, stderr, what string) languages.Outcome {
	v := &verdictLine{what: "lost"}
	switch res.Status {
	case sandbox.StatusSignaled:
		v.what, v.n = "signal", res.Signal
	case sandbox.StatusExited:
		v.what, v.n = "exit", res.ExitCode
	}
	out := runtimeFailure(suiteLineRE.ReplaceAllString(stderr, ""), v)
	switch out.ErrorType {
	case "NoVerdict":
		out.Message = what
	case "EarlyExit":
		out.Message = fmt.Sprintf("%s: the program exited with status %d before", what, v.n)
	}
	out.Line, out.LineText = 0, ""
	clean(&out)
	return out
}

// ExceptionClass maps an uncaught C++ exception (its demangled type and
// what()) to its class.
func ExceptionClass(typ, what string) languages.Class {
	switch strings.TrimPrefix(typ, "std::") {
	case "out_of_range":
		switch {
		case strings.HasPrefix(what, "sto"):
			return languages.Value // stoi of a number too big
		case strings.Contains(what, "map::at") || strings.Contains(what, "Map_base::at"):
			return languages.Key // a map's at() of a missing key
		}
		return languages.Index
	case "invalid_argument", "length_error", "domain_error", "range_error", "overflow_error",
		"underflow_error", "bad_optional_access", "regex_error", "__cxx11::regex_error", "future_error":
		return languages.Value
	case "bad_alloc", "bad_array_new_length":
		return languages.Memory
	case "bad_cast", "bad_any_cast", "bad_typeid", "bad_variant_access", "bad_function_call", "boost::bad_any_cast":
		return languages.Type
	case "logic_error":
		if strings.Contains(what, "construction from null") {
			return languages.Value
		}
	}
	if strings.Contains(typ, "bad_any_cast") || strings.Contains(typ, "bad_get") {
		return languages.Type // boost's, thrown as boost::wrapexcept<boost::bad_any_cast>
	}
	return languages.OtherRuntime
}

// faultClass maps a fatal signal's report to its class. A null pointer
// dereference is an attribute error: what reading a member of None is in
// Python (and in HumanEval's C++, most often an element of an empty
// vector, whose data pointer is null).
func faultClass(what, detail string) languages.Class {
	switch {
	case what == "Floating point exception":
		return languages.ZeroDivision
	case strings.HasPrefix(detail, "stack overflow"):
		return languages.Recursion
	case strings.HasPrefix(detail, "null pointer"):
		return languages.Attribute
	}
	return languages.OtherRuntime
}

func signalName(what string) string {
	switch what {
	case "Segmentation fault":
		return "SIGSEGV"
	case "Floating point exception":
		return "SIGFPE"
	case "Bus error":
		return "SIGBUS"
	}
	return "SIGILL"
}

func signalClass(n int) languages.Class {
	if n == 8 {
		return languages.ZeroDivision
	}
	return languages.OtherRuntime
}

func signalNumber(n int) string {
	names := map[int]string{1: "SIGHUP", 2: "SIGINT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
		9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS"}
	if s, ok := names[n]; ok {
		return s
	}
	return "signal " + strconv.Itoa(n)
}
