// Package rust is the Rust language, as HumanEval-X runs it: a solution is
// compiled with its task's tests by Debian bookworm's rustc 1.63 (edition
// 2021, cargo's debug profile, with the rand 0.8, regex 1 and md5 0.7
// crates every HumanEval-X declaration imports), and a trusted driver runs
// each test function and proves with a token that all of them ran and
// passed.
//
// The program is CodeGeeX's: declaration + prompt + completion (the prompt
// is the documentation, a comment inside the open function), then the
// test, a #[cfg(test)] module of #[test] functions. Upstream runs it with
// `cargo test` after a `fn main(){}`; here main is the driver's
// (assemble.go): it calls every test function, each in a thread of its
// own as libtest does, and prints languages.TokenLine last, only when all
// passed, from the process that started. A solution that exits (with
// status 0 or any other, from its function, from a panic hook, from
// .init_array before main) or aborts never prints it; libtest's summary
// lines mean nothing. The tests are compiled as the dataset wrote them,
// with the few changes that keep a solution from deciding their verdict
// (std macros called by path, only the reference's names imported,
// signatures pinned) and the one that runs rand 0.4's calls on rand 0.8.
//
// Classify reads rustc's first error from its JSON diagnostics (the error
// code decides the class: name, type, else syntax) and a failed run from
// the driver's panic records, std's reports and backtraces (the panic
// message decides: assertion, index, zero-division, key, value, attribute
// for unwrap on None, recursion for a stack overflow, other-runtime).
package rust

import (
	_ "embed"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/script"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

//go:embed driver.rs
var driverSource string

// libDir holds, in the image, the prebuilt crates and the driver.
const libDir = "/usr/lib/selfrepair-rust"

// mainFile is the file a test job compiles (cargo's src/main.rs:
// compiler and panic messages name it).
const mainFile = "src/main.rs"

// layoutEnv carries the assembled file's layout from Job to Classify.
const layoutEnv = "SELFREPAIR_RUST_LAYOUT"

// Language is Rust, as Debian bookworm's rustc runs it.
type Language struct {
	script.Runtime
}

var _ languages.Language = Language{}

// New returns the Rust language.
func New() Language {
	return Language{script.Runtime{
		Lang:     "rust",
		Packages: Packages(),
		Exts:     []string{".rs"},
		Command: func(f string) ([]string, []string) {
			return append(append([]string{"rustc"}, compileFlags(false)...), "-o", "prog", f), []string{"./prog"}
		},
	}}
}

// Packages are the Debian packages of the Rust image: the compiler, cargo
// (only to build the crates when the image is made), the crates'
// sources, and lld, which links in half the time of ld.bfd.
func Packages() []string {
	return []string{"rustc", "cargo", "librust-rand-dev", "librust-regex-dev", "librust-md5-dev", "lld"}
}

// compileFlags are rustc's flags for every program: cargo's dev profile
// (opt-level 0, debug assertions and overflow checks on, as `cargo test`
// builds) with line tables for backtraces, the prebuilt crates, and
// what makes it fast without changing what the program does: std linked
// dynamically, lld, one codegen unit. driver adds the test driver crate.
func compileFlags(driver bool) []string {
	flags := []string{"--edition=2021", "-C", "prefer-dynamic", "-C", "link-arg=-fuse-ld=lld",
		"-C", "codegen-units=1", "-C", "debuginfo=1", "-L", "dependency=" + libDir + "/deps",
		"--extern", "rand=" + libDir + "/librand.rlib", "--extern", "regex=" + libDir + "/libregex.rlib",
		"--extern", "md5=" + libDir + "/libmd5.rlib"}
	if driver {
		flags = append(flags, "--extern", "selfrepair_driver="+libDir+"/libselfrepair_driver.rlib")
	}
	return flags
}

// testFlags compile a test job: cfg(test) on (as under cargo test),
// warnings off (they change nothing and fill the output), diagnostics as
// JSON for the classifier.
func testFlags() []string {
	return append(compileFlags(true), "--crate-name", "rust", "--crate-type", "bin", "--cfg", "test",
		"-A", "warnings", "--error-format=json", "-o", "prog", mainFile)
}

// cargoManifest builds the crates as upstream declared them.
const cargoManifest = `[package]
name = "selfrepair-crates"
version = "0.1.0"
edition = "2021"

` + CargoDependencies + `
[profile.dev]
debug = 0
`

// CargoDependencies is the dependencies table of a Cargo.toml for the
// crates HumanEval-X's Rust declarations import, as the image's Debian
// registry has them: rand 0.8 in place of the 0.4 Debian lacks, and regex
// without perf-literal, whose aho-corasick and memchr Debian packages as
// optional (they only make some searches faster).
const CargoDependencies = `[dependencies]
rand = "0.8"
regex = { version = "1", default-features = false, features = ["std", "unicode", "perf-cache", "perf-dfa", "perf-inline"] }
md5 = "0.7"
`

// CargoConfig is a cargo configuration (.cargo/config.toml) that serves
// crates from the image's Debian registry, offline.
const CargoConfig = `[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "/usr/share/cargo/registry"

[net]
offline = true
`

// probe is compiled and run when the image is built, with the flags of a
// test job: a broken toolchain fails the build, not the first study.
const probe = `use rand::Rng; use regex::Regex;
fn main() {
    let n: u32 = rand::thread_rng().gen_range(1..2);
    assert_eq!(n, 1);
    assert!(Regex::new("^a+$").unwrap().is_match("aaa"));
    assert_eq!(format!("{:x}", md5::compute(b"")), "d41d8cd98f00b204e9800998ecf8427e");
    ::selfrepair_driver::install();
    println!("ok");
}
`

// Recipe is the image: the packages, then the crates built once with
// cargo (offline, from Debian's registry) and kept as rlibs, and the test
// driver built into one, so that a job calls rustc directly: no cargo at
// run time (it needs a writable target directory and takes a second to
// start), and nothing to write but the program itself.
func (l Language) Recipe(ref string) sandbox.Recipe {
	r := l.Runtime.Recipe(ref)
	r.Files = map[string]string{
		libDir + "/driver.rs":          driverSource,
		libDir + "/cargo/config.toml":  CargoConfig,
		libDir + "/crates/Cargo.toml":  cargoManifest,
		libDir + "/crates/src/main.rs": "fn main() {}\n",
		libDir + "/probe/" + mainFile:  probe,
		libDir + "/warm/Cargo.toml":    warmManifest,
		libDir + "/warm/" + mainFile:   "fn main() {}\n",
	}
	quote := func(args []string) string {
		q := make([]string, len(args))
		for i, a := range args {
			q[i] = "'" + a + "'"
		}
		return strings.Join(q, " ")
	}
	r.Setup = []string{
		"export CARGO_HOME=" + libDir + "/cargo CARGO_TARGET_DIR=/tmp/selfrepair-crates; cd " + libDir + "/crates; " +
			"cargo build --offline --quiet; mkdir -p " + libDir + "/deps; " +
			"for f in $CARGO_TARGET_DIR/debug/deps/lib*.rlib; do n=$(basename $f); n=${n%%-*}; " +
			"case $n in librand|libregex|libmd5) cp $f " + libDir + "/$n.rlib;; *) cp $f " + libDir + "/deps/;; esac; done; " +
			"rm -rf $CARGO_TARGET_DIR " + libDir + "/crates/Cargo.lock",
		"rustc --edition=2021 --crate-type=rlib --crate-name=selfrepair_driver -C debuginfo=1 -o " +
			libDir + "/libselfrepair_driver.rlib " + libDir + "/driver.rs",
		"cd " + libDir + "/probe && rustc " + quote(testFlags()) + " && ./prog && rm -f prog",
		"cd " + libDir + "/warm && CARGO_HOME=" + libDir + "/cargo CARGO_TARGET_DIR=" + targetSeed +
			" cargo test --offline --quiet --no-run && rm -rf Cargo.lock " + targetSeed + "/debug/incremental",
	}
	return r
}

// warmManifest is a cargo project with the crates of CargoDependencies and
// cargo's default profiles: `cargo test --no-run` on it in the image
// leaves targetSeed holding those crates as a repository's `cargo test`
// builds them.
const warmManifest = `[package]
name = "selfrepair-warm"
version = "0.1.0"
edition = "2021"

` + CargoDependencies

// targetSeed is the warm cargo target directory of the image.
const targetSeed = libDir + "/target"

// RepoRun is how a repository's test runs start in the image: cargo's home
// in /tmp, configured to take crates from the image's Debian registry
// (there is no network), and the target directory, unless the run names
// its own or the repository has one, seeded from the image's warm one
// (cp -p: cargo calls a dependency stale when its files are newer than
// what was built from them). Registry crates' artifacts do not depend on
// where the project is, so a repository using those crates with the
// default profile builds only itself: a cargo test of a small crate using
// regex took ~6 s here without the seed, ~1.6 s with it.
func (Language) RepoRun() (env map[string]string, prelude string) {
	return map[string]string{"CARGO_HOME": "/tmp/cargo"},
		"mkdir -p \"$CARGO_HOME\" && cp " + libDir + "/cargo/config.toml \"$CARGO_HOME\"/; " +
			"t=${CARGO_TARGET_DIR:-target}; if [ -d " + targetSeed + " ] && [ ! -e \"$t\" ]; then mkdir -p \"$t\" && cp -Rp " + targetSeed + "/. \"$t\"/; fi"
}

// Preload is nil: Rust jobs have no Python harness.
func (Language) Preload() []string { return nil }

// Words are the words prompts use for Rust.
func (Language) Words() languages.Words {
	return languages.Words{Name: "Rust", Version: "Rust 1.63", Fence: "rust", Aliases: []string{"rs"},
		Header: "its signature"}
}

// SeedEnv is nil: Rust's HashMap seeds itself from the OS at random, and
// std has no knob to fix it (HumanEval-X's tests do not depend on it).
func (Language) SeedEnv(string) map[string]string { return nil }

// Program is the program an answer's code runs as: for a completion task,
// the declaration and prompt with the code spliced in (see splice).
func (Language) Program(t tasks.Task, code string) string {
	if t.Style != tasks.Completion {
		return code
	}
	return splice(completionPrefix(t), code)
}

// suiteTest is the code of a suite of t's tests, "" when t has none
// (HumanEval-X Rust's example_test is the string "None").
func suiteTest(s languages.Suite, t tasks.Task) string {
	var test string
	switch s {
	case languages.Base:
		test = t.Test
	case languages.Plus:
		test = t.PlusTest
	case languages.Visible:
		test = t.VisibleTest
	}
	if strings.TrimSpace(test) == "None" {
		return ""
	}
	return test
}

// Job builds the sandbox job that compiles program with the suites of t's
// tests (Base alone when none is named; a suite the task lacks is left
// out) and runs them, each suite in order, with a verdict for each
// (Outcome.Suites). The build step compiles (Limits.BuildTimeout, wall
// clock); the run (Limits.Timeout of CPU time) runs the driver.
//
// A program that is a completion task's prompt followed by the code (as
// tasks.Task.Program makes it) gets the task's declaration in front, as
// CodeGeeX assembles it.
func (Language) Job(t tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) sandbox.Job {
	program = strings.ReplaceAll(program, "\r\n", "\n")
	if t.Style == tasks.Completion && t.Declaration != "" && !strings.HasPrefix(t.Prompt, t.Declaration) &&
		strings.HasPrefix(program, t.Prompt) && !strings.HasPrefix(program, t.Declaration) {
		program = t.Declaration + program
	}
	if len(suites) == 0 {
		suites = []languages.Suite{languages.Base}
	}
	var run []suiteText
	for _, s := range suites {
		if test := suiteTest(s, t); test != "" {
			run = append(run, suiteText{string(s), test})
		}
	}
	ref := ""
	if strings.TrimSpace(t.Reference) != "" {
		ref = t.Reference
		if t.Style == tasks.Completion {
			ref = completionPrefix(t) + t.Reference
		}
	}
	src, lay := assemble(program, ref, run)
	return sandbox.Job{
		Files: map[string][]byte{mainFile: []byte(src)},
		// The compiler does not see the token: env!() would read it.
		Build: append([]string{"env", "-u", languages.TokenEnv, "rustc"}, testFlags()...),
		Argv:  []string{"./prog"},
		Env: map[string]string{
			languages.TokenEnv: languages.NewToken(),
			// Full: with std linked dynamically the short format shows no
			// frames. Only the first panic prints one (see driver.rs).
			"RUST_BACKTRACE": "full",
			layoutEnv:        lay.String(),
		},
		Limits: limits,
	}
}
