// Package javascript is the JavaScript language, as Debian bookworm's
// nodejs runs it: HumanEval-X's JavaScript tasks are judged the way
// CodeGeeX judges them (prompt, completion and tests in one file, run with
// node; a pass prints nothing), by a trusted driver that proves the tests
// ran to their end with no failed console.assert.
package javascript

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/script"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Where the image keeps the trusted files (the root filesystem is
// read-only at run time, so no job can change them).
const (
	libDir       = "/usr/lib/selfrepair/javascript"
	driverPath   = libDir + "/driver.js"
	blobPath     = libDir + "/startup.blob"
	snapPath     = libDir + "/snapshot.js"
	hideJestPath = libDir + "/hidejest.js"
	modulesDir   = libDir + "/node_modules"
)

//go:embed driver.js
var driverSource string

//go:embed snapshot.js
var snapshotSource string

//go:embed hidejest.js
var hideJestSource string

// Language is JavaScript (Node.js 18).
type Language struct {
	script.Runtime
}

var _ languages.Language = Language{}

// New returns the JavaScript language.
func New() Language {
	return Language{script.Runtime{
		Lang:     "javascript",
		Packages: Packages(),
		Env:      map[string]string{"NODE_PATH": modulesDir},
		Exts:     []string{".js", ".mjs", ".cjs"},
		Command:  func(f string) ([]string, []string) { return nil, []string{"node", f} },
	}}
}

// Packages are the Debian packages of the JavaScript image: node, the
// md5 module that JavaScript/162's require('js-md5') resolves to, and
// jest (29.3.1, /usr/bin/jest), the test runner repository mode reads per
// test (testlog.Jest) when a repository's test command runs it. Jest's
// modules are moved off node's global module path when the image is built
// (hidejest.js): a program can require what node and md5 bring, not
// lodash, chalk, react and the ~790 other modules jest depends on.
func Packages() []string { return []string{"nodejs", "node-blueimp-md5", "jest"} }

// Recipe is the image: Debian's nodejs, the driver, a js-md5 shim on
// NODE_PATH, and a startup snapshot of node's bootstrap built in the image.
func (l Language) Recipe(ref string) sandbox.Recipe {
	r := l.Runtime.Recipe(ref)
	r.Files = map[string]string{
		driverPath:   driverSource,
		snapPath:     snapshotSource,
		hideJestPath: hideJestSource,
		// HumanEval-X's upstream used js-md5 from npm; Debian's
		// blueimp-md5 has the same md5(string) → hex API.
		modulesDir + "/js-md5/index.js": "module.exports = require('blueimp-md5');\n",
	}
	r.Setup = []string{
		// Debian's node is built without a startup snapshot, so every start
		// runs its whole bootstrap (about 100 ms of CPU here); a snapshot made
		// once halves that. It is only read at run time.
		"node --snapshot-blob " + blobPath + " --build-snapshot " + snapPath,
		"chmod 0644 " + blobPath,
		"node " + hideJestPath + " nodejs node-blueimp-md5 && rm " + hideJestPath,
		// Jest runs from its own folder; a program's require of one of its
		// modules fails as under a plain node.
		"jest --version >/dev/null && ! node -e \"require('lodash')\" 2>/dev/null",
		// Fail the build, not the first job, if the shim or the snapshot is broken.
		"NODE_PATH=" + modulesDir + " node --snapshot-blob " + blobPath + " -e \"if (require('js-md5')('') !== 'd41d8cd98f00b204e9800998ecf8427e') process.exit(1)\"",
	}
	return r
}

// The environment of a test job, besides languages.TokenEnv. The driver
// reads endEnv (and the token) and removes both from the program's
// environment; the classifier reads the other two from the job.
const (
	endEnv      = "SELFREPAIR_JS_END"      // name of the end function the last line calls
	testLineEnv = "SELFREPAIR_JS_TESTLINE" // line of the file where the tests start
	suitesEnv   = "SELFREPAIR_JS_SUITES"   // the suites run, in order
)

// Preload is nil: the sandbox preloads Python harnesses only.
func (Language) Preload() []string { return nil }

// Words are the words prompts use for JavaScript.
func (Language) Words() languages.Words {
	return languages.Words{Name: "JavaScript", Version: "Node.js 18", Fence: "javascript",
		Aliases: []string{"js", "node", "nodejs", "mjs", "cjs", "jsx", "ecmascript"}, Header: "its signature"}
}

// SeedEnv is nil: JavaScript's objects, Maps and Sets iterate in insertion
// order, whatever the hash seed.
func (Language) SeedEnv(string) map[string]string { return nil }

// Program is the program an answer's code runs as: for a completion task,
// the prompt with the code spliced in (see splice).
func (Language) Program(t tasks.Task, code string) string {
	if t.Style == tasks.Completion {
		return splice(t.Prompt, code)
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

// suiteFile is the file a suite's program is written to.
func suiteFile(s languages.Suite) string {
	if s == languages.Base {
		return "test.js"
	}
	return "test_" + string(s) + ".js"
}

// nodeArgv runs node from the image's startup snapshot.
func nodeArgv(args ...string) []string {
	return append([]string{"node", "--snapshot-blob", blobPath}, args...)
}

// Job builds the sandbox job that tests program (the prompt with the
// answer spliced in) against the suites of t's tests (Base alone when none
// is named; a suite the task lacks is left out).
//
// Each suite's file is HumanEval-X's: the program, a newline and the
// tests, with one line added at the end that calls the driver's end
// function (its name is fresh for every job). The build step checks the
// first file's syntax (node --check); the run step runs each file in a
// node of its own, with the trusted driver loaded first (driver.js). The
// program passes a suite when its node prints the job's token last (the
// driver does, on exit, only when the end function was called, no
// console.assert failed, nothing the tests use was tampered with and the
// exit status is 0) and nothing else on stdout or stderr: HumanEval-X's
// rule, a passing program prints nothing.
func (Language) Job(t tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) sandbox.Job {
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	end := "__selfrepair_end_" + languages.NewToken()
	suffix := "\n;" + end + "(console, JSON, Math, String)\n"
	files := map[string][]byte{}
	var names []string
	for _, s := range suites {
		test := suiteTest(s, t)
		if test == "" || slices.Contains(names, string(s)) {
			continue
		}
		names = append(names, string(s))
		files[suiteFile(s)] = []byte(program + "\n" + test + suffix)
	}
	if len(names) == 0 {
		// No tests to run: the program must still load and run to its end.
		names = []string{string(languages.Base)}
		files[suiteFile(languages.Base)] = []byte(program + "\n" + suffix)
	}
	job := sandbox.Job{
		Files: files,
		Env: map[string]string{
			"NODE_PATH":        modulesDir,
			languages.TokenEnv: languages.NewToken(),
			endEnv:             end,
			testLineEnv:        strconv.Itoa(strings.Count(program, "\n") + 2),
			suitesEnv:          strings.Join(names, ","),
		},
		Build:  nodeArgv("--check", suiteFile(languages.Suite(names[0]))),
		Limits: limits,
	}
	if len(names) == 1 {
		job.Argv = nodeArgv("--require", driverPath, suiteFile(languages.Suite(names[0])))
		return job
	}
	// Several suites: one node after the other, each one's output and exit
	// status ended by a line that names the job's end function.
	var sh strings.Builder
	for _, n := range names {
		f := suiteFile(languages.Suite(n))
		sh.WriteString(strings.Join(nodeArgv("--require", driverPath, f), " "))
		sh.WriteString("; s=$?; printf '\\n%s %s %d\\n' " + end + " " + n + " $s; printf '\\n%s %s\\n' " + end + " " + n + " >&2\n")
	}
	job.Argv = []string{"/bin/sh", "-c", sh.String()}
	return job
}
