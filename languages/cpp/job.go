package cpp

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// The source of a job is one file, whose parts diagnostics name apart
// (#line): the program (prompt and completion) as solution.cpp, each
// suite's tests as the file suiteFile names, and what the driver adds as
// selfrepair.cpp.
const (
	sourceFile   = "prog.cpp"
	solutionFile = "solution.cpp"
	driverFile   = "selfrepair.cpp"
)

// suiteFile is the name diagnostics give a suite's tests.
func suiteFile(s languages.Suite) string {
	switch s {
	case languages.Visible:
		return "example_test.cpp"
	case languages.Plus:
		return "plus_test.cpp"
	}
	return "test.cpp"
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

// A part is one suite of tests in a job's source.
type part struct {
	suite languages.Suite
	file  string
	text  string
}

// Job builds the sandbox job that tests program (the whole solution
// program, prompt and completion) against the suites of t's tests (Base
// alone when none is named; a suite the task lacks is left out): a compile
// step (Job.Build, under Limits.BuildTimeout) and a run of the tests.
//
// The source is the program, as HumanEval-X's harness has it after the
// headers it adds (the precompiled prelude), then each suite's tests,
// unchanged, each in a namespace of its own, then the trusted driver. In
// between, every macro the program defines is undefined (the tests see
// none of the solution's macros, so a #define of assert or main changes
// nothing) and the tests get an assert the solution cannot defeat. Each
// suite's main is renamed, and the driver calls it in a child process of
// its own; the job's token is printed only when every suite's main
// returned (see support/driver.cpp).
func (Language) Job(t tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) sandbox.Job {
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	var parts []part
	seen := map[languages.Suite]bool{}
	for _, s := range suites {
		if test := suiteTest(s, t); test != "" && !seen[s] {
			seen[s] = true
			parts = append(parts, part{s, suiteFile(s), test})
		}
	}
	// The names of the driver's namespaces and struct carry a word of their
	// own, so that the solution can neither name nor reopen them.
	nonce := languages.NewToken()[:16]
	build := append([]string{"g++"}, jobFlags()...)
	build = append(build, "-o", "prog", sourceFile)
	return sandbox.Job{
		Files:  map[string][]byte{sourceFile: []byte(assemble(program, parts, nonce))},
		Build:  append(build, linkFlags()...),
		Argv:   []string{"./prog"},
		Env:    map[string]string{languages.TokenEnv: languages.NewToken()},
		Limits: limits,
	}
}

// blockers are declarations of every overloadable operator that can be a
// non-member, for a type nobody has: in a suite's namespace they stop the
// lookup of an operator there, so the tests' comparisons never find an
// operator the solution declared in the global namespace (an == that
// always says true); the standard library's are found by their argument
// types' namespaces, as before.
func blockers() string {
	var b strings.Builder
	b.WriteString("struct selfrepair_blocker;")
	for _, op := range []string{"+", "-", "*", "/", "%", "^", "&", "|", "<", ">", "+=", "-=", "*=", "/=", "%=",
		"^=", "&=", "|=", "<<", ">>", ">>=", "<<=", "==", "!=", "<=", ">=", "&&", "||", ",", "->*"} {
		fmt.Fprintf(&b, " void operator%s(selfrepair_blocker&, selfrepair_blocker&);", op)
	}
	for _, op := range []string{"~", "!", "++", "--"} {
		fmt.Fprintf(&b, " void operator%s(selfrepair_blocker&);", op)
	}
	return b.String()
}

// assemble writes a job's source.
func assemble(program string, parts []part, nonce string) string {
	var b strings.Builder
	lines := 0 // lines of selfrepair.cpp written, for its #line directives
	driver := func(format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		lines += strings.Count(s, "\n")
		b.WriteString(s)
	}
	resume := func() { fmt.Fprintf(&b, "#line %d %q\n", lines+1, driverFile) }

	fmt.Fprintf(&b, "#line 1 %q\n", solutionFile)
	b.WriteString(program)
	if !strings.HasSuffix(program, "\n") {
		b.WriteString("\n")
	}
	// A blank line ends whatever a trailing backslash continues.
	b.WriteString("\n")
	driver("#line 1 %q\n", driverFile)
	// Undo what the solution may have changed for the code after it.
	driver("#pragma GCC reset_options\n#pragma pack()\n")
	for _, name := range definedMacros(program) {
		driver("#undef %s\n", name)
	}
	driver("#undef NDEBUG\n#undef main\n#include <assert.h>\n")
	// The tests' renamed mains return nothing, as main may.
	driver("#pragma GCC diagnostic ignored \"-Wreturn-type\"\n")
	for _, p := range parts {
		driver("namespace selfrepair_%s_%s { %s\n", nonce, p.suite, blockers())
		driver("#define main selfrepair_tests_main\n")
		fmt.Fprintf(&b, "#line 1 %q\n", p.file)
		b.WriteString(p.text)
		if !strings.HasSuffix(p.text, "\n") {
			b.WriteString("\n")
		}
		resume()
		driver("#undef main\n}\n")
	}
	resume()
	driver("%s", strings.ReplaceAll(driverSource, "NONCE", nonce))
	driver("static const selfrepair_%s_driver::suite selfrepair_%s_suites[] = {\n", nonce, nonce)
	for _, p := range parts {
		driver("\t{%q, &selfrepair_%s_%s::selfrepair_tests_main},\n", p.suite, nonce, p.suite)
	}
	if len(parts) == 0 {
		driver("\t{\"none\", nullptr},\n")
	}
	driver("};\nint main() { selfrepair_%s_driver::run(selfrepair_%s_suites, %d); }\n", nonce, nonce, len(parts))
	return b.String()
}

// A layout is what Classify reads back from a job's source: the program
// and the suites, in order.
type layout struct {
	program string
	parts   []part
}

var (
	layoutSuiteRE = regexp.MustCompile(`(?m)^namespace selfrepair_[0-9a-f]+_([a-z]+) \{[^\n]*\n#define main selfrepair_tests_main\n#line 1 "([^"]+)"\n`)
	layoutEndRE   = regexp.MustCompile(`\n#line \d+ "` + regexp.QuoteMeta(driverFile) + `"\n`)
)

// parseLayout reads a source made by assemble. The trailer is found from
// the end: the program may contain anything, the tests are trusted.
func parseLayout(src string) layout {
	head := fmt.Sprintf("#line 1 %q\n", solutionFile)
	start := strings.LastIndex(src, fmt.Sprintf("\n#line 1 %q\n", driverFile))
	if !strings.HasPrefix(src, head) || start < len(head)-1 {
		return layout{}
	}
	l := layout{program: strings.TrimSuffix(src[len(head):start], "\n")}
	trailer := src[start:]
	for _, m := range layoutSuiteRE.FindAllStringSubmatchIndex(trailer, -1) {
		text := trailer[m[1]:]
		if e := layoutEndRE.FindStringIndex(text); e != nil {
			text = text[:e[0]+1]
		}
		l.parts = append(l.parts, part{languages.Suite(trailer[m[2]:m[3]]), trailer[m[4]:m[5]], text})
	}
	return l
}
