package fix

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/languages/rust"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
)

// TestGoRunsWarm: a Go repository's go test, prepared as fix prepares it in
// the go image, finds the standard library and testify in the build cache
// the image warmed: only the repository's own package is compiled.
func TestGoRunsWarm(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	// As HumanEvalFix's Go repositories run (GOPATH mode, testify from
	// Debian), with -x: the go command prints every compile it runs.
	res := runPrepared(t, golang.New(), "GO111MODULE=off GOPATH=/usr/share/gocode go test -x -count=1 .", map[string][]byte{
		"calc.go": []byte("package calc\n\nimport \"strings\"\n\nfunc Up(s string) string { return strings.ToUpper(s) }\n"),
		"calc_test.go": []byte("package calc\n\nimport (\n\t\"testing\"\n\n\t\"github.com/stretchr/testify/assert\"\n)\n\n" +
			"func TestUp(t *testing.T) { assert.Equal(t, \"A\", Up(\"a\")) }\n"),
	})
	var compiled []string
	for _, l := range strings.Split(string(res.Stderr), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasSuffix(f[0], "/compile") {
			for i := range f[:len(f)-1] {
				if f[i] == "-p" {
					compiled = append(compiled, f[i+1])
				}
			}
		}
	}
	// The package itself, as "_/work" (GOPATH mode outside GOPATH), and
	// the test's generated main; a cold cache compiles fmt, testify and
	// some 60 more.
	slices.Sort(compiled)
	if !slices.Equal(compiled, []string{"_/work", "main"}) {
		t.Errorf("compiled %v, want the repository's package and the test main alone\n%.3000s", compiled, res.Stderr)
	}
}

// TestRustRunsWarm: a Rust repository's cargo test, prepared as fix
// prepares it in the rust image, takes its crates from the image's
// registry offline and finds them built in the target directory the image
// warmed: cargo compiles the repository's package alone.
func TestRustRunsWarm(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	// A repository as a user has it: no .cargo of its own.
	res := runPrepared(t, rust.New(), "cargo test", map[string][]byte{
		"Cargo.toml": []byte("[package]\nname = \"calc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n" + rust.CargoDependencies),
		"src/lib.rs": []byte("pub fn up(s: &str) -> bool { regex::Regex::new(\"^[A-Z]+$\").unwrap().is_match(s) }\n\n" +
			"#[cfg(test)]\nmod tests {\n    #[test]\n    fn upper() { assert!(super::up(\"AB\")); }\n}\n"),
	})
	var compiled []string
	for _, l := range strings.Split(string(res.Stderr), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Compiling" {
			compiled = append(compiled, f[1])
		}
	}
	// Cold, cargo compiles regex, rand, md5 and their dependencies (ten
	// crates) first.
	if !slices.Equal(compiled, []string{"calc"}) {
		t.Errorf("compiled %v, want the repository's package alone\n%.3000s", compiled, res.Stderr)
	}
}

// runPrepared runs command on files in lang's image, prepared as fix
// prepares a repository's test command there, and checks that its one
// test passed.
func runPrepared(t *testing.T, lang languages.Language, command string, files map[string][]byte) *sandbox.Result {
	t.Helper()
	ctx := context.Background()
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: lang.ImageRef(), Size: 1, Spare: -1, Limits: DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	plan := Plan(lang, command)
	res, err := sb.Run(ctx, sandbox.Job{Files: files, Argv: []string{"sh", "-c", plan.Command}, Env: plan.Env, Limits: DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	log, err := plan.Read(res.Collected[plan.Report], res.Stdout, res.Stderr, res.ExitCode)
	if err != nil || len(log.Cases) != 1 || log.Cases[0].Status != testlog.Passed {
		t.Fatalf("%s: cases %v, err %v\n%.2000s", res.Summary(), log.Cases, err, res.Stderr)
	}
	return res
}
