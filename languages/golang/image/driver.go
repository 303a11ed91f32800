//go:build ignore

// This file is compiled in the sandbox image (see the Recipe), not in
// this module: it imports testing/internal/testdeps, as go test's own
// generated main does, which only the compiler invoked directly allows.

// Package driver is selfrepair's trusted test driver for Go: it runs the
// test functions of a task's suites with package testing, as `go test`
// would, and prints the job's token last, only when every test ran to its
// end and passed. It is compiled into the sandbox image; each job's main
// function calls Main.
package driver

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/internal/testdeps"
)

// A Test is one test function of a suite.
type Test struct {
	Suite string
	Name  string
	F     func(*testing.T)
}

// These are read when this package initialises, before any package of the
// solution does: the token leaves the environment before untrusted code
// runs, and the output goes to the process's own stdout even if the
// solution replaces os.Stdout.
var (
	token    = os.Getenv(tokenEnv)
	maxStack = os.Getenv("SELFREPAIR_GO_MAX_STACK")
	stdout   = os.NewFile(1, "stdout")
	mu       sync.Mutex
)

const tokenEnv = "SELFREPAIR_TOKEN"

func init() {
	// /proc/self/environ shows the process's initial environment block,
	// which os.Unsetenv does not touch (Go copied it): the token's bytes
	// there are overwritten too. Best effort: a failure leaves them.
	scrubEnviron(tokenEnv)
	os.Unsetenv(tokenEnv)
	os.Unsetenv("SELFREPAIR_GO_MAX_STACK")
	if n, err := strconv.Atoi(maxStack); err == nil && n > 0 {
		// Below the memory limit, so that endless recursion is a stack
		// overflow rather than an out-of-memory kill.
		debug.SetMaxStack(n)
	}
}

// scrubEnviron overwrites the value of the variable name in the initial
// environment block (between env_start and env_end of /proc/self/stat),
// through /proc/self/mem.
func scrubEnviron(name string) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return
	}
	// The fields after the command name, which is in parentheses and may
	// hold anything: f[0] is field 3, env_start and env_end are 50 and 51.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 49 {
		return
	}
	start, err1 := strconv.ParseInt(f[47], 10, 64)
	end, err2 := strconv.ParseInt(f[48], 10, 64)
	if err1 != nil || err2 != nil || end <= start || end-start > 1<<20 {
		return
	}
	mem, err := os.OpenFile("/proc/self/mem", os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer mem.Close()
	env := make([]byte, end-start)
	if _, err := mem.ReadAt(env, start); err != nil {
		return
	}
	key := []byte(name + "=")
	for at := 0; at < len(env); {
		n := bytes.IndexByte(env[at:], 0)
		if n < 0 {
			n = len(env) - at
		}
		if bytes.HasPrefix(env[at:at+n], key) {
			mem.WriteAt(bytes.Repeat([]byte{'0'}, n-len(key)), start+int64(at+len(key)))
		}
		at += n + 1
	}
}

func say(format string, args ...any) {
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(stdout, "selfrepair: "+format+" "+token+"\n", args...)
}

// Main runs the tests, suite by suite in the order given, and exits.
func Main(tests []Test) {
	if token == "" {
		fmt.Fprintln(os.Stderr, "selfrepair: no token: not a judged run")
		os.Exit(3)
	}
	os.Args = os.Args[:1]
	testing.Init()
	if !resetFlags() {
		fmt.Fprintln(os.Stderr, "selfrepair: the testing flags are gone")
		os.Exit(3)
	}
	flag.Parse()
	r := &run{tests: tests, ok: make([]bool, len(tests))}
	internal := make([]testing.InternalTest, len(tests))
	for i, t := range tests {
		internal[i] = testing.InternalTest{Name: t.Name, F: r.guard(i)}
	}
	code := testing.MainStart(testdeps.TestDeps{}, internal, nil, nil, nil).Run()
	all := code == 0
	for _, ok := range r.ok {
		all = all && ok
	}
	if !all {
		os.Exit(1)
	}
	mu.Lock()
	fmt.Fprintf(stdout, "selfrepair: tests completed %s\n", token)
	os.Exit(0)
}

// run is the state of Main's tests.
type run struct {
	tests []Test
	ok    []bool // test i returned by itself and did not fail
}

// resetFlags sets every testing flag to its default, whatever the
// solution's initialisers did to them, and makes os.Exit(0) during a test
// panic (as go test does).
func resetFlags() bool {
	found := false
	flag.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "test.") {
			found = true
			f.Value.Set(f.DefValue)
		}
	})
	return found && flag.Set("test.paniconexit0", "true") == nil
}

// guard runs test i, announcing its suite's start and, after its last
// test, its verdict; it recovers a panic so that later suites still run.
func (r *run) guard(i int) func(*testing.T) {
	t := r.tests[i]
	first := i == 0 || r.tests[i-1].Suite != t.Suite
	last := i == len(r.tests)-1 || r.tests[i+1].Suite != t.Suite
	return func(tt *testing.T) {
		if first {
			say("begin %s", t.Suite)
		}
		returned := false
		defer func() {
			if p := recover(); p != nil {
				report(p)
				tt.Fail()
			}
			// A test that called runtime.Goexit did not return: not passed.
			r.ok[i] = returned && !tt.Failed()
			if last {
				verdict := "pass"
				for j := i; j >= 0 && r.tests[j].Suite == t.Suite; j-- {
					if !r.ok[j] {
						verdict = "fail"
					}
				}
				say("end %s %s", t.Suite, verdict)
			}
		}()
		t.F(tt)
		returned = true
	}
}

// report prints a recovered panic: its value, its type and the stack of
// the goroutine that panicked.
func report(r any) {
	msg := ""
	switch v := r.(type) {
	case error:
		msg = v.Error()
	case fmt.Stringer:
		msg = v.String()
	default:
		msg = fmt.Sprint(v)
	}
	_, isRuntime := r.(runtime.Error)
	rec, _ := json.Marshal(struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		Runtime bool   `json:"runtime"`
		Stack   string `json:"stack"`
	}{fmt.Sprintf("%T", r), msg, isRuntime, string(debug.Stack())})
	say("panic %s", rec)
}
