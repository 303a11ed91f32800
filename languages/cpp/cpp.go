// Package cpp is the C++ language: it compiles HumanEval-X's C++ programs
// (prompt, completion, tests) with g++ in the sandbox, runs their tests
// under a trusted driver that cannot be fooled by an early exit, and
// classifies the outcome from the compiler's first error or the run's end.
//
// A job is one source file compiled once (Job.Build) and run (Job.Argv):
// the program as HumanEval-X's harness builds it (its headers, then
// prompt + completion), each suite's tests unchanged but in a namespace of
// its own with their main renamed, and the driver (support/driver.cpp),
// which runs each suite in a child process and prints the job's token
// (languages.TokenLine) last, only when every suite's main returned.
//
// What the solution cannot do to the verdict: exit early with success
// (exit, _exit, quick_exit, _Exit, a global object's constructor, atexit,
// signal handlers: no token), #define assert, main or anything else the
// tests use (every macro it defines is undefined before the tests), replace
// what a failed assert calls or what the driver calls (static members of
// structs defined before it, raw system calls, library functions declared
// under names of their own), or shadow the tests' comparisons with global
// operators (the suites' namespaces block them).
//
// What it still can, deliberately (outside the threat model of
// languages.TokenEnv): read the token (its environment, its memory) and
// print it; read the tests (compiled into its own binary, and in
// /work/prog.cpp) to answer them; add declarations to namespace std (an
// operator== there, found by argument-dependent lookup), or interpose C
// library functions the tests call (rand, abs).
package cpp

import (
	_ "embed"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/script"
	"github.com/selfrepair/selfrepair/sandbox"
)

// The support files of the image: the precompiled prelude, the assert.h
// the tests get, and the test driver that Job appends to every program.
var (
	//go:embed support/selfrepair.h
	preludeSource string
	//go:embed support/assert.h
	assertSource string
	//go:embed support/driver.cpp
	driverSource string
)

// Where the support files live in the image.
const (
	libDir     = "/usr/local/lib/selfrepair/cpp"
	includeDir = libDir + "/include" // assert.h, searched before the C library's
	preludeH   = libDir + "/selfrepair.h"
)

// Language is C++17 as Debian bookworm's g++ 12 compiles it.
type Language struct {
	script.Runtime
}

var _ languages.Language = Language{}

// New returns the C++ language.
func New() Language {
	return Language{script.Runtime{
		Lang:     "cpp",
		Packages: Packages(),
		Exts:     []string{".cpp", ".cc", ".cxx", ".c++", ".C"},
		Command: func(f string) ([]string, []string) {
			build := append([]string{"g++"}, plainFlags()...)
			build = append(build, "-o", "prog", f)
			return append(build, linkFlags()...), []string{"./prog"}
		},
	}}
}

// Packages are the Debian packages of the C++ image: the compiler, and the
// libraries HumanEval-X's tasks use (boost::any in CPP/22 and CPP/137,
// OpenSSL's MD5 in CPP/162).
func Packages() []string { return []string{"g++", "libboost-dev", "libssl-dev"} }

// plainFlags compile a program file: the standard HumanEval-X's harnesses
// use (the data's README: C++11 and C++17 give the same verdicts; C++17
// accepts more of what models write), without optimisation as upstream,
// which also keeps undefined behaviour behaving as it did there. The
// first errors are all a verdict needs; more only risk the output limit.
func plainFlags() []string {
	return []string{"-std=c++17", "-O0", "-pipe", "-fdiagnostics-color=never", "-fmax-errors=10"}
}

// linkFlags link a program: gold is several times faster than ld.bfd here,
// and --as-needed keeps libcrypto out of the programs that do not use it.
func linkFlags() []string {
	return []string{"-fuse-ld=gold", "-Wl,--as-needed", "-lcrypto", "-lssl"}
}

// jobFlags compile a task's program: the plain flags, the assert.h of the
// driver, and the prelude (precompiled with the same flags in the image,
// which halves the compile time).
func jobFlags() []string {
	return append(plainFlags(), "-I"+includeDir, "-include", preludeH)
}

// Recipe is the image: the packages, the support files, and the prelude
// precompiled with the flags of the jobs; the image's build checks that a
// job compiled with those flags uses it (-Winvalid-pch, -H) and runs.
func (l Language) Recipe(ref string) sandbox.Recipe {
	r := l.Runtime.Recipe(ref)
	r.Files = map[string]string{
		preludeH:                 preludeSource,
		includeDir + "/assert.h": assertSource,
		libDir + "/smoke.cpp":    smokeProgram(),
	}
	pch := "g++ " + strings.Join(plainFlags(), " ") + " -I" + includeDir + " -x c++-header " + preludeH + " -o " + preludeH + ".gch"
	smoke := "d=$(mktemp -d) && cd $d && g++ " + strings.Join(jobFlags(), " ") + " -Winvalid-pch -H -o prog " + libDir + "/smoke.cpp " +
		strings.Join(linkFlags(), " ") + " 2>h && grep -q '^! " + preludeH + ".gch' h && SELFREPAIR_TOKEN=ok ./prog | grep -q 'completed ok$' && cd / && rm -rf $d " + libDir + "/smoke.cpp"
	r.Setup = []string{pch, smoke}
	return r
}

// Preload is empty: C++ jobs need no harness in the container.
func (Language) Preload() []string { return nil }

// Words are the words prompts use for C++.
func (Language) Words() languages.Words {
	return languages.Words{Name: "C++", Version: "C++17 (g++ 12.2)", Fence: "cpp",
		Aliases: []string{"c++", "cxx", "cc", "C++", "CPP", "hpp"}, Header: "its signature"}
}

// SeedEnv is nil: nothing in C++ hashes differently from run to run (the
// tests' rand() is never seeded, and so the same in every run).
func (Language) SeedEnv(string) map[string]string { return nil }

// smokeProgram is a job's source that the image's build compiles and runs
// with the jobs' flags: it proves the prelude is used and the driver works.
func smokeProgram() string {
	return assemble("int twice(int x) { return 2 * x; }\n",
		[]part{{languages.Base, suiteFile(languages.Base), "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (twice(2) == 4);\n}\n"}},
		"0123456789abcdef")
}
