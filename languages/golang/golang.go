// Package golang is the Go language (HumanEval-X's Go tasks): it builds a
// solution with its tests into one test binary, as go test would, runs it
// in the sandbox with a trusted test driver, and classifies the outcome
// from the compiler's first error, the failed assertion or the panic.
//
// The image holds Debian's Go toolchain with every standard package and
// testify precompiled into archives, and the driver (image/driver.go)
// compiled against them. A job calls the compiler and the linker directly
// with that importcfg: no go command, no build cache (a cache kept across
// the jobs of a pooled container would let one job poison the next one's
// build, and a fresh one costs seconds of recompiling testify), nothing
// written outside the job's directory.
package golang

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/script"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

//go:embed image/driver.go
var driverSource string

//go:embed image/setup.sh
var setupScript string

// In the image.
const (
	root      = "/usr/lib/selfrepair-go"
	importcfg = root + "/importcfg"
	toolDir   = root + "/tool" // a link to the toolchain's GOTOOLDIR
)

// In the job's directory.
const (
	workDir      = sandbox.WorkDir
	solutionFile = "solution.go"
	setupFile    = "setup.go"
	mainFile     = "selfrepair_main.go"
	manifestFile = "selfrepair.json"
	programName  = "prog"
	maxStackEnv  = "SELFREPAIR_GO_MAX_STACK"
)

// suiteFile is the file of a suite's tests: main_test.go for the base
// tests (HumanEval-X's own name), example_test.go for the visible ones.
func suiteFile(s languages.Suite) string {
	switch s {
	case languages.Base:
		return "main_test.go"
	case languages.Visible:
		return "example_test.go"
	}
	return string(s) + "_test.go"
}

// harnessImports are the packages the HumanEval-X harness imports for a
// solution that uses them (by name) without importing them.
func harnessImports() []string {
	return []string{"math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5"}
}

// Language is Go, as Debian bookworm's golang-go (Go 1.19) builds it.
type Language struct {
	script.Runtime
}

var _ languages.Language = Language{}

// New returns the Go language.
func New() Language {
	return Language{script.Runtime{
		Lang:     "go",
		Packages: Packages(),
		Env: map[string]string{"GOCACHE": "/tmp/go-cache", "GOPATH": "/tmp/go", "GOFLAGS": "-buildvcs=false",
			"CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GO111MODULE": "auto"},
		Exts: []string{".go"},
		Command: func(f string) ([]string, []string) {
			return []string{"go", "build", "-o", "prog", f}, []string{"./prog"}
		},
	}}
}

// Packages are the Debian packages of the Go image: the toolchain and the
// libraries HumanEval-X's tests import.
func Packages() []string {
	return []string{"golang-go", "golang-github-stretchr-testify-dev", "golang-github-go-openapi-inflect-dev"}
}

// Recipe is the image: the packages, and the archives and driver that
// setup.sh builds from them.
func (l Language) Recipe(ref string) sandbox.Recipe {
	r := l.Runtime.Recipe(ref)
	r.Files = map[string]string{
		root + "/src/driver/driver.go": driverSource,
		root + "/setup.sh":             setupScript,
	}
	r.Setup = []string{"sh " + root + "/setup.sh"}
	return r
}

// cacheSeed is the go command's build cache that setup.sh warms in the
// image: the standard library and testify as a test build compiles them.
const cacheSeed = root + "/gocache"

// RepoRun is how a repository's test runs start in the image: go test with
// its own GOCACHE, seeded from the image's warm one (else every run
// compiles the standard library and testify again, about 20 s here), and
// cgo off (the image has no C compiler). In an image without the seed the
// copy does nothing.
func (Language) RepoRun() (env map[string]string, prelude string) {
	return map[string]string{"GOCACHE": "/tmp/go-cache", "CGO_ENABLED": "0"},
		"if [ -d " + cacheSeed + " ]; then mkdir -p \"$GOCACHE\" && cp -R " + cacheSeed + "/. \"$GOCACHE\"/; fi"
}

// Preload is empty: Go jobs have no Python harness.
func (Language) Preload() []string { return nil }

// Words are the words prompts use for Go.
func (Language) Words() languages.Words {
	return languages.Words{Name: "Go", Version: "Go 1.19", Fence: "go", Aliases: []string{"golang"}, Header: "its signature"}
}

// SeedEnv is nil: Go randomises map iteration in every run, and no
// environment variable fixes it.
func (Language) SeedEnv(string) map[string]string { return nil }

// Program is the program an answer's code runs as: the prompt with the
// code spliced in (see splice).
func (Language) Program(t tasks.Task, code string) string {
	if t.Style == tasks.Completion {
		return splice(t.Prompt, code)
	}
	return code
}

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

// manifest tells Classify how Job laid the job out.
type manifest struct {
	Entry   string       `json:"entry,omitempty"` // the function under test
	Program string       `json:"program"`         // as it was given (solution.go lacks its imports)
	Suites  []suiteEntry `json:"suites"`
}

// suiteEntry is a suite of the job, with the file of its tests.
type suiteEntry struct {
	Name languages.Suite `json:"name"`
	File string          `json:"file"`
}

// Job builds the sandbox job that tests program (the whole solution
// program, e.g. prompt + completion) against the suites of t's tests (Base
// alone when none is named; a suite the task lacks is left out), all in
// one test binary, suite after suite in the order given.
//
// The assembly is HumanEval-X's: the package clause and imports of the
// test setup, the program without its imports, the tests. Each piece is a
// file of its own (solution.go, main_test.go, example_test.go) whose line
// directives keep the program's and the tests' own line numbers; imports
// are per file, each file importing the packages it uses by name among the
// program's imports, the setup's and the harness's list (harnessImports()).
// An import nobody uses is dropped (the harness drops the prompt's, which
// the reference solutions do not always use). A function main of the
// program is renamed main_: go test does not run it either.
//
// The build step compiles the package and links it with the trusted
// driver; the run step runs the binary, which prints the job's token last
// only when every test ran to its end and passed (see image/driver.go).
func (Language) Job(t tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) sandbox.Job {
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	setup := strip(t.Setup)
	prog := strip(program)
	for i := range prog.imports {
		prog.imports[i].file = solutionFile
	}
	text := prog.text
	if declares(text, "main") {
		text = renameIdent(text, "main", "main_")
	}
	// A go:linkname directive would let the program bind a name to the
	// driver's unexported state (its token): it stays a plain comment.
	text = strings.ReplaceAll(text, "//go:linkname", "// go:linkname")
	files := map[string][]byte{}
	var names []string
	add := func(name, content string) {
		files[name] = []byte(content)
		names = append(names, name)
	}
	taskImports := strip(t.Imports).imports // the prompt's import block, which some prompts lack (Go/65)
	add(solutionFile, goFile(solutionFile, text, pick(text, prog.imports, taskImports, setup.imports, harnessSpecs())))
	if strings.TrimSpace(setup.text) != "" {
		add(setupFile, goFile(setupFile, setup.text, pick(setup.text, setup.imports, prog.imports, harnessSpecs())))
	}
	m := manifest{Program: program}
	if stub, ok := openStub(t.Prompt); ok {
		m.Entry = stub.name
	}
	declared := map[string]bool{}
	var tests []string
	for _, s := range suites {
		test := suiteTest(s, t)
		if test == "" || slices.ContainsFunc(m.Suites, func(e suiteEntry) bool { return e.Name == s }) {
			continue
		}
		// A whole test file (go test's layout) brings its own package
		// clause and imports: the clause goes, the imports are candidates.
		own := strip(test)
		for i := range own.imports {
			own.imports[i].file = suiteFile(s)
		}
		test = own.text
		funcs, decl := testFuncs(test)
		if len(funcs) == 0 {
			continue
		}
		// A later suite's names (the examples' TestX is the tests' TestX)
		// get the suite's name as a suffix; testing still reports TestX.
		rename := map[string]string{}
		for _, n := range decl {
			if declared[n] {
				rename[n] = n + "_" + string(s)
				test = renameIdent(test, n, rename[n])
			}
			declared[n] = true
		}
		file := suiteFile(s)
		add(file, goFile(file, test, pick(test, setup.imports, own.imports, prog.imports, harnessSpecs())))
		for _, f := range funcs {
			ident := f
			if r, ok := rename[f]; ok {
				ident = r
			}
			tests = append(tests, fmt.Sprintf("\t\t{Suite: %q, Name: %q, F: %s},\n", s, f, ident))
		}
		m.Suites = append(m.Suites, suiteEntry{s, file})
	}
	add(mainFile, "package main\n\nimport selfrepair_driver \"selfrepair/driver\"\n\nfunc main() {\n"+
		"\tselfrepair_driver.Main([]selfrepair_driver.Test{\n"+strings.Join(tests, "")+"\t})\n}\n")
	data, _ := json.Marshal(m)
	files[manifestFile] = data

	token := languages.NewToken()
	env := map[string]string{languages.TokenEnv: token, maxStackEnv: fmt.Sprint(maxStack(limits))}
	return sandbox.Job{
		Files:  files,
		Build:  []string{"/bin/sh", "-c", buildScript(names)},
		Argv:   []string{"./" + programName},
		Env:    env,
		Limits: limits,
	}
}

// buildScript compiles the files into package main and links the test
// binary: the compiler and linker of the toolchain, called directly, as
// go test would but without the go command's start-up, its build cache
// and its checks of what is stale. Both run without garbage collection
// (GOGC=off): a quarter less CPU for the compiler and a tenth for the
// linker on these programs, for a few more MB at peak (the linker's
// 100 MB are mostly its mapped inputs). -s -w leave out the
// symbol table and DWARF, not the line tables that tracebacks use.
func buildScript(files []string) string {
	return "GOGC=off " + toolDir + "/compile -p main -importcfg " + importcfg + " -pack -complete -nolocalimports -o main.a " +
		strings.Join(files, " ") + " && GOGC=off " +
		toolDir + "/link -importcfg " + importcfg + " -s -w -o " + programName + " main.a"
}

// maxStack is the goroutine stack limit of a job: an eighth of its memory,
// so that endless recursion ends as Go's stack overflow well before the
// memory limit (the stack doubles as it grows, and the old copy lives
// while the new one is filled); at most go test's own 1 GB.
func maxStack(l sandbox.Limits) int64 {
	mem := l.Memory
	if mem <= 0 {
		mem = sandbox.DefaultLimits().Memory
	}
	n := int64(1 << 20)
	for n*2 <= mem/8 && n < 1<<30 {
		n *= 2
	}
	return n
}

func harnessSpecs() []importSpec {
	paths := harnessImports()
	specs := make([]importSpec, len(paths))
	for i, p := range paths {
		specs[i] = importSpec{path: p}
	}
	return specs
}

// pick chooses the imports of a file whose code (without imports) is
// text among the candidates, earlier lists first: the blank and dot
// imports of the first list, and one package per name that text uses.
func pick(text string, lists ...[]importSpec) []importSpec {
	var out []importSpec
	byName := map[string]importSpec{}
	var names []string
	for k, list := range lists {
		for _, s := range list {
			switch n := s.local(); {
			case n == "_" || n == ".":
				if k == 0 && !slices.Contains(out, s) {
					out = append(out, s)
				}
			case byName[n] == (importSpec{}):
				byName[n] = s
				names = append(names, n)
			}
		}
	}
	used := usedPackages("package main\n"+text, names)
	for _, n := range names {
		if used[n] {
			out = append(out, byName[n])
		}
	}
	return out
}

// goFile writes a file of package main: its imports, then text after a
// line directive, so that its lines keep their numbers. An import that
// came from a line of text is marked with that line, so that the
// compiler's complaint about it points there.
func goFile(name, text string, imports []importSpec) string {
	var b strings.Builder
	b.WriteString("package main\n\n")
	if len(imports) > 0 {
		b.WriteString("import (\n")
		for _, s := range imports {
			b.WriteString("\t")
			if s.line > 0 && s.file == name {
				b.WriteString(lineDirective(name, s.line))
			}
			b.WriteString(s.String() + "\n")
		}
		b.WriteString(")\n\n")
	}
	b.WriteString(lineDirective(name, 1))
	b.WriteString(text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// lineDirective makes the position of the next character line n, column
// 1, of the job's file name (an absolute path: testify reports only the
// callers whose file names have a directory).
func lineDirective(name string, n int) string {
	return fmt.Sprintf("/*line %s:%d:1*/", path.Join(workDir, name), n)
}
