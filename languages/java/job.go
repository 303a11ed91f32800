package java

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// mainFile is the file of the program and the first suite's tests: the
// file HumanEval-X's harness compiles.
const mainFile = "Main.java"

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

// layout says where a job's parts are: the program's lines in Main.java
// and, per suite, the class of its tests, its file and the line where its
// tests start. Job writes it into the build and run commands, and Classify
// reads it back from them.
type layout struct {
	first, last int // the program's lines in Main.java
	suites      []suiteAt
}

type suiteAt struct {
	name  languages.Suite
	class string
	line  int // first line of the tests in the class's file (class + ".java")
}

func (s suiteAt) file() string { return s.class + ".java" }

// Job builds the sandbox job that tests program (the whole solution
// program: for a completion task, prompt + completion as Program makes it)
// against the suites of t's tests, Base alone when none is named; a suite
// the task lacks is left out.
//
// The first suite is compiled as HumanEval-X's harness compiles it: the
// file Main.java holding the program, a newline and the tests (class Main).
// Each further suite goes into a file of its own, after the program's
// imports, its class Main renamed (Main_visible). The build step compiles
// them all at once (Compile: javac, which also refuses a program whose
// types hide JDK types the tests name); the run step runs every suite's
// main in one JVM under the trusted driver, which reports each suite and
// prints the job's token last only when all passed.
func (Language) Job(t tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) sandbox.Job {
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	var head strings.Builder
	if t.Imports != "" {
		head.WriteString(strings.TrimRight(t.Imports, "\n") + "\n")
	}
	lay := layout{first: lineCount(head.String()) + 1}
	head.WriteString(program)
	lay.last = lay.first + lineCount(program) - 1
	head.WriteString("\n")
	if t.Setup != "" {
		head.WriteString(strings.TrimRight(t.Setup, "\n") + "\n")
	}
	imports := strings.Join(importLines(program), "\n")
	if t.Imports != "" {
		imports = strings.TrimRight(t.Imports, "\n") + "\n" + imports
	}
	files := map[string][]byte{}
	var names []string
	for _, s := range suites {
		test := suiteTest(s, t)
		if strings.TrimSpace(test) == "" {
			continue
		}
		var src string
		at := suiteAt{name: s, class: "Main"}
		if len(lay.suites) == 0 {
			src = head.String()
		} else {
			at.class = "Main_" + string(s)
			test = renameClass(test, "Main", at.class)
			src = imports + "\n"
			if t.Setup != "" {
				src += strings.TrimRight(t.Setup, "\n") + "\n"
			}
		}
		at.line = strings.Count(src, "\n") + 1
		src += test
		if !strings.HasSuffix(src, "\n") {
			src += "\n"
		}
		files[at.file()] = []byte(src)
		names = append(names, at.file())
		lay.suites = append(lay.suites, at)
	}
	if len(lay.suites) == 0 {
		// A task without tests still compiles and runs its program.
		files[mainFile] = []byte(head.String())
		names = append(names, mainFile)
	}
	var tests []string
	for _, s := range lay.suites {
		tests = append(tests, s.file()+":"+strconv.Itoa(s.line))
	}
	build := append(compileCommand(), "--codes")
	if len(tests) > 0 {
		build = append(build, "--tests", strings.Join(tests, ","))
	}
	build = append(append(build, "--"), append(javacOptions(classDir), names...)...)
	run := append(runCommand(classDir), "selfrepair.Driver", lay.programArg())
	for _, s := range lay.suites {
		run = append(run, fmt.Sprintf("%s=%s:%d", s.name, s.class, s.line))
	}
	return sandbox.Job{
		Files:  files,
		Build:  build,
		Argv:   run,
		Env:    map[string]string{languages.TokenEnv: languages.NewToken()},
		Limits: limits,
	}
}

func (l layout) programArg() string {
	return fmt.Sprintf("program=%s:%d:%d", mainFile, l.first, l.last)
}

// readLayout reads a job's layout back from its driver's arguments.
func readLayout(job sandbox.Job) layout {
	var lay layout
	at := -1
	for i, a := range job.Argv {
		if a == "selfrepair.Driver" {
			at = i
		}
	}
	if at < 0 {
		return lay
	}
	for _, a := range job.Argv[at+1:] {
		name, spec, ok := strings.Cut(a, "=")
		if !ok {
			continue
		}
		parts := strings.Split(spec, ":")
		if name == "program" && len(parts) == 3 {
			lay.first, _ = strconv.Atoi(parts[1])
			lay.last, _ = strconv.Atoi(parts[2])
			continue
		}
		if len(parts) == 2 {
			n, _ := strconv.Atoi(parts[1])
			lay.suites = append(lay.suites, suiteAt{name: languages.Suite(name), class: parts[0], line: n})
		}
	}
	return lay
}

// renameClass renames the identifier from to to in Java source src,
// outside comments and literals.
func renameClass(src, from, to string) string {
	m := mask(src)
	var b strings.Builder
	at := 0
	for _, sp := range identifiers(m) {
		if m[sp[0]:sp[1]] != from {
			continue
		}
		if prev, _ := prevToken(m, sp[0]); prev == "." {
			continue // a member of another type
		}
		b.WriteString(src[at:sp[0]])
		b.WriteString(to)
		at = sp[1]
	}
	b.WriteString(src[at:])
	return b.String()
}
