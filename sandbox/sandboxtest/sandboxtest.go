// Package sandboxtest is the conformance suite of sandbox.Backend: the
// sandbox's behaviour (results, pooling, limits, broken images, the sweep,
// the doctor) and the hostile corpus, run through a sandbox.Sandbox over
// any backend. A backend's test calls Run:
//
//	func TestDocker(t *testing.T) {
//		sandboxtest.Run(t, newDocker, sandboxtest.Options{Parts: sandboxtest.Behaviour})
//	}
//
// The suite needs the language images (selfrepair/python, and for the
// corpus javascript and go) in the backend's store.
package sandboxtest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
)

// Part is a part of the suite.
type Part int

const (
	Behaviour Part = 1 << iota // results, pooling, limits, images, the sweep, the doctor
	Corpus                     // the hostile corpus
	All       = Behaviour | Corpus
)

// Options configure the suite.
type Options struct {
	Parts Part // default All
	// BrokenImage makes an image the backend holds that cannot run the
	// supervisor, removes it when t ends, and returns its name; nil skips
	// that check (a missing image is checked in any case).
	BrokenImage func(t *testing.T, b sandbox.Backend) string
	// CorpusDir holds corpus.jsonl; default $HOSTILE_CORPUS, else
	// ../../shared/hostile (from a test in the repository's sandbox
	// directory, the datasets beside the repository).
	CorpusDir string
}

// The on-engine contract the suite checks: the labels of a run's
// containers and of its lease records.
const (
	labelRun  = "io.selfrepair.run"
	labelRole = "io.selfrepair.role"
	roleLease = "lease"
)

// helperEnv starts the suite, in a process of the test binary, as the run
// that stops renewing its lease (see testSweep).
const helperEnv = "SELFREPAIR_SANDBOXTEST_HELPER"

// Run runs the parts of the suite opts selects, each test against a
// backend of its own from newBackend.
func Run(t *testing.T, newBackend func(t *testing.T) sandbox.Backend, opts Options) {
	if os.Getenv(helperEnv) == "sweep" {
		sweepHelper(t, newBackend(t))
		return
	}
	if opts.Parts == 0 {
		opts.Parts = All
	}
	if opts.Parts&Behaviour != 0 {
		for _, tc := range []struct {
			name string
			fn   func(t *testing.T, b sandbox.Backend, opts Options)
		}{
			{"Results", testResults},
			{"BuildStep", testBuildStep},
			{"PooledReset", testPooledReset},
			{"OtherLimitsRunFresh", testOtherLimitsRunFresh},
			{"BrokenImage", testBrokenImage},
			{"Sweep", testSweep},
			{"Doctor", testDoctor},
			{"SpareTakesOver", testSpareTakesOver},
			{"ArchiveAndCollect", testArchiveAndCollect},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.fn(t, newBackend(t), opts) })
		}
	}
	if opts.Parts&Corpus != 0 {
		t.Run("HostileCorpus", func(t *testing.T) { testHostileCorpus(t, newBackend, opts) })
	}
}

var pythonImage = python.New().ImageRef()

// containers lists the ids of a run's containers; records says whether
// its lease records count.
func containers(ctx context.Context, b sandbox.Backend, run string, records bool) ([]string, error) {
	list, err := b.List(ctx, labelRun+"="+run)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range list {
		if records || c.Labels[labelRole] != roleLease {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// newSandbox opens a sandbox that t closes, checking that no container of
// its run (lease records included) outlives Close.
func newSandbox(t *testing.T, b sandbox.Backend, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	if opts.Image == "" {
		opts.Image = pythonImage
	}
	sb, err := sandbox.New(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if ids, err := containers(context.Background(), b, sb.RunID(), true); err != nil || len(ids) > 0 {
			t.Errorf("containers left after Close: %v %v", ids, err)
		}
	})
	return sb
}

func script(src string, limits sandbox.Limits) sandbox.Job {
	return python.New().FileJob("main.py", []byte(src), limits)
}

// testResults: a job's Result says how it ended, in both isolation modes.
func testResults(t *testing.T, b sandbox.Backend, _ Options) {
	short := sandbox.Limits{Timeout: 2 * time.Second, OutputLimit: 1 << 16}
	cases := []struct {
		name      string
		src       string
		limits    sandbox.Limits
		status    sandbox.Status
		exitCode  int
		signal    int
		stdout    string
		truncated bool
	}{
		{"exit-0", "print('hello')", short, sandbox.StatusExited, 0, 0, "hello\n", false},
		{"exit-3", "import sys; print('x'); sys.exit(3)", short, sandbox.StatusExited, 3, 0, "x\n", false},
		{"exception", "raise ValueError('v')", short, sandbox.StatusExited, 1, 0, "", false},
		{"signal", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", short, sandbox.StatusSignaled, 0, 11, "", false},
		{"timeout", "import time\nprint('start', flush=True)\ntime.sleep(60)", short, sandbox.StatusTimeout, 0, 0, "start\n", false},
		{"cpu-timeout", "print('start', flush=True)\nwhile True: pass", short, sandbox.StatusTimeout, 0, 0, "start\n", false},
		{"memory", "a = []\nwhile True: a.append(bytearray(1 << 24))", sandbox.Limits{Memory: 128 << 20}, sandbox.StatusMemory, 0, 9, "", false},
		{"output-limit", "import sys\nwhile True: sys.stdout.write('y' * 4096)", short, sandbox.StatusOutputLimit, 0, 0, "", true},
		{"exec-binary", "import os; os.execvp('sh', ['sh', '-c', 'echo shell; exit 7'])", short, sandbox.StatusExited, 7, 0, "shell\n", false},
	}
	for _, iso := range []sandbox.Isolation{sandbox.Pooled, sandbox.Fresh} {
		t.Run(string(iso), func(t *testing.T) {
			sb := newSandbox(t, b, sandbox.Options{Isolation: iso, Size: 2})
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					res, err := sb.Run(context.Background(), script(c.src, c.limits))
					if err != nil {
						t.Fatal(err)
					}
					if res.Status != c.status || res.ExitCode != c.exitCode || res.Signal != c.signal {
						t.Errorf("%s (status %s, exit %d, signal %d), want %s exit %d signal %d\nstderr: %s", res.Summary(), res.Status,
							res.ExitCode, res.Signal, c.status, c.exitCode, c.signal, res.Stderr)
					}
					if c.stdout != "" && string(res.Stdout) != c.stdout {
						t.Errorf("stdout %q, want %q", res.Stdout, c.stdout)
					}
					if res.StdoutTruncated != c.truncated || (c.truncated && (len(res.Stdout) != c.limits.OutputLimit || res.StdoutBytes <= int64(len(res.Stdout)))) {
						t.Errorf("truncated=%v, %d bytes kept of %d", res.StdoutTruncated, len(res.Stdout), res.StdoutBytes)
					}
					// A program that works is stopped when its CPU time reaches the
					// limit; one that sleeps by the wall clock, at twice the limit.
					lim := c.limits.Timeout
					if c.name == "timeout" && (res.Run < 2*lim || res.Run > 2*lim+time.Second) ||
						c.name == "cpu-timeout" && (res.Run < lim || res.Run > 2*lim+time.Second) {
						t.Errorf("timed out after %v with a %v limit", res.Run, lim)
					}
					if c.name == "exception" && !strings.Contains(string(res.Stderr), "ValueError: v") {
						t.Errorf("stderr %q lacks the traceback", res.Stderr)
					}
				})
			}
		})
	}
}

// testBuildStep: a job's build step runs first under its own limit; its
// output and time are reported apart from the program's, and a failed
// build stops the job.
func testBuildStep(t *testing.T, b sandbox.Backend, _ Options) {
	lim := sandbox.Limits{Timeout: 2 * time.Second, BuildTimeout: 5 * time.Second, OutputLimit: 1 << 16}
	cases := []struct {
		name, build      string
		exit, buildExit  int
		buildOut, stderr string
		status           sandbox.Status
	}{
		{"ok", "echo compiling >&2; echo note; sleep 0.2", 0, 0, "compiling\nnote\n", "run-err\n", sandbox.StatusExited},
		{"fails", "echo 'main.c:3: error: x' >&2; exit 4", 1, 4, "main.c:3: error: x\n", "", sandbox.StatusExited},
		{"too-long", "sleep 30", 0, 0, "", "", sandbox.StatusTimeout},
	}
	for _, iso := range []sandbox.Isolation{sandbox.Pooled, sandbox.Fresh} {
		t.Run(string(iso), func(t *testing.T) {
			sb := newSandbox(t, b, sandbox.Options{Isolation: iso, Size: 1})
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					l := lim
					if c.name == "too-long" {
						l.BuildTimeout = time.Second
					}
					res, err := sb.Run(context.Background(), sandbox.Job{
						Build:  []string{"sh", "-c", c.build},
						Argv:   []string{"sh", "-c", "echo run-out; echo run-err >&2"},
						Limits: l,
					})
					if err != nil {
						t.Fatal(err)
					}
					if res.Status != c.status {
						t.Fatalf("%s, want status %s (%s)", res.Summary(), c.status, res.Message)
					}
					if c.status == sandbox.StatusTimeout {
						if res.Message != "build exceeded its time limit" {
							t.Errorf("message %q", res.Message)
						}
						return
					}
					if res.ExitCode != c.exit || res.BuildExitCode == nil || *res.BuildExitCode != c.buildExit {
						t.Errorf("exit %d, build exit %v; want %d, %d", res.ExitCode, res.BuildExitCode, c.exit, c.buildExit)
					}
					if string(res.BuildOutput) != c.buildOut || string(res.Stderr) != c.stderr {
						t.Errorf("build output %q, stderr %q; want %q, %q", res.BuildOutput, res.Stderr, c.buildOut, c.stderr)
					}
					if c.name == "ok" && (string(res.Stdout) != "run-out\n" || res.Build < 200*time.Millisecond) {
						t.Errorf("stdout %q, build %v", res.Stdout, res.Build)
					}
					if c.name == "fails" && (len(res.Stdout) != 0 || res.Message != "build failed") {
						t.Errorf("a failed build ran the program (stdout %q) or says %q", res.Stdout, res.Message)
					}
				})
			}
		})
	}
}

// testPooledReset: a pooled container serves job after job, and nothing a
// job leaves (files, processes, environment) reaches the next one.
func testPooledReset(t *testing.T, b sandbox.Backend, _ Options) {
	sb := newSandbox(t, b, sandbox.Options{Isolation: sandbox.Pooled, Size: 1, Spare: -1})
	dirty := `import os, subprocess
for d in ("/work", "/tmp", "/dev/shm"):
    open(os.path.join(d, "left-behind"), "w").write("x")
os.makedirs("/tmp/deep/er", exist_ok=True)
os.chmod("/tmp/deep", 0o500)
os.environ["LEFT"] = "1"
subprocess.Popen(["sleep", "600"], start_new_session=True)
print(os.getpid())
`
	look := `import os
left = [os.path.join(d, f) for d in ("/work", "/tmp", "/dev/shm") for f in os.listdir(d) if f != "main.py"]
procs = [open("/proc/%s/cmdline" % p).read() for p in os.listdir("/proc") if p.isdigit()]
print(left, "LEFT" in os.environ, any(p.startswith("sleep") for p in procs))
`
	first, err := sb.Run(context.Background(), script(dirty, sandbox.Limits{}))
	if err != nil || !first.OK() {
		t.Fatalf("first job: %v %s", err, first.Stderr)
	}
	second, err := sb.Run(context.Background(), script(look, sandbox.Limits{}))
	if err != nil || !second.OK() {
		t.Fatalf("second job: %v %s", err, second.Stderr)
	}
	if second.Container != first.Container {
		t.Fatalf("the pool used a new container (%.12s, then %.12s)", first.Container, second.Container)
	}
	if got := strings.TrimSpace(string(second.Stdout)); got != "[] False False" {
		t.Errorf("the next job found %s", got)
	}
	// A job that times out takes its container with it (a spare takes over).
	to, err := sb.Run(context.Background(), script("while True: pass", sandbox.Limits{Timeout: time.Second}))
	if err != nil || to.Status != sandbox.StatusTimeout {
		t.Fatalf("timeout job: %v %v", err, to)
	}
	next, err := sb.Run(context.Background(), script("print(1)", sandbox.Limits{}))
	if err != nil || !next.OK() || next.Container == to.Container {
		t.Errorf("after a timeout: %v, container %.12s then %.12s", err, to.Container, next.Container)
	}
}

// logBuffer is a slog handler's output that tests may read while the
// sandbox writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testOtherLimitsRunFresh: a job whose container limits differ from the
// pool's gets a container of its own, and the sandbox says so once per
// distinct set of limits; a job that changes only per-job limits (time,
// output) runs in a warm container.
func testOtherLimitsRunFresh(t *testing.T, b sandbox.Backend, _ Options) {
	ctx := context.Background()
	logs := &logBuffer{}
	sb := newSandbox(t, b, sandbox.Options{Size: 1, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err := sb.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	warm, err := containers(ctx, b, sb.RunID(), false)
	if err != nil {
		t.Fatal(err)
	}
	read := "print(open('/sys/fs/cgroup/memory/memory.limit_in_bytes').read().strip() if __import__('os').path.exists('/sys/fs/cgroup/memory/memory.limit_in_bytes') else open('/sys/fs/cgroup/memory.max').read().strip())"
	pool := sb.Limits().Memory
	for _, mem := range []int64{pool, 256 << 20, 256 << 20, 192 << 20} {
		res, err := sb.Run(ctx, script(read, sandbox.Limits{Memory: mem}))
		if err != nil || !res.OK() {
			t.Fatalf("%v %s", err, res.Stderr)
		}
		if got := strings.TrimSpace(string(res.Stdout)); got != fmt.Sprint(mem) {
			t.Errorf("memory limit %s, want %d", got, mem)
		}
		if inPool := slices.Contains(warm, res.Container); inPool != (mem == pool) {
			t.Errorf("a job with %d bytes of memory ran in a warm container: %v (pool: %d)", mem, inPool, pool)
		}
	}
	res, err := sb.Run(ctx, script("print('x' * 100)", sandbox.Limits{Timeout: 3 * time.Second, OutputLimit: 10}))
	if err != nil || res.Status != sandbox.StatusOutputLimit || len(res.Stdout) != 10 {
		t.Errorf("a job with its own time and output limits: %v %v", err, res)
	} else if !slices.Contains(warm, res.Container) {
		t.Errorf("a job with its own time and output limits did not run in a warm container")
	}
	if n := strings.Count(logs.String(), "container limits differ"); n != 2 {
		t.Errorf("%d notes of other container limits, want 2 (one per distinct set):\n%s", n, logs)
	}
}

// testBrokenImage: an image that cannot run the supervisor fails New with
// one clear error instead of jobs that never start; a missing one says so.
func testBrokenImage(t *testing.T, b sandbox.Backend, opts Options) {
	ctx := context.Background()
	if opts.BrokenImage != nil {
		ref := opts.BrokenImage(t, b)
		start := time.Now()
		_, err := sandbox.New(ctx, b, sandbox.Options{Image: ref, Size: 2})
		if err == nil || !strings.Contains(err.Error(), "start") {
			t.Errorf("New with a broken image: %v", err)
		}
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("New took %v to fail", took)
		}
	}
	_, err := sandbox.New(ctx, b, sandbox.Options{Image: "selfrepair/none:0"})
	if !errors.Is(err, sandbox.ErrImageMissing) {
		t.Errorf("New with a missing image: %v", err)
	}
}

// The lease of the run that stops renewing in testSweep.
const (
	helperLease   = 6 * time.Second
	helperWorkers = 2
)

// sweepHelper is the run that stops renewing: it starts a pool with a
// short lease, says its run id and waits to be stopped and killed.
func sweepHelper(t *testing.T, b sandbox.Backend) {
	sb, err := sandbox.New(context.Background(), b, sandbox.Options{Image: pythonImage, Size: helperWorkers, Spare: -1, Lease: helperLease})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("run", sb.RunID())
	time.Sleep(time.Minute)
	t.Fatal("the helper was not killed")
}

// testSweep: a run holds its containers while it renews its lease; once it
// stops (its process is stopped: for the lease that is a crash) and the
// lease expires, a dry run finds its containers and leaves them, and a
// sweep removes them, lease records included, although the process still
// exists. A live run's containers are not touched. Containers made before
// leases are judged by their owner's host:pid.
func testSweep(t *testing.T, b sandbox.Backend, _ Options) {
	ctx := context.Background()
	live := newSandbox(t, b, sandbox.Options{Size: 1})
	top, _, _ := strings.Cut(t.Name(), "/")
	cmd := exec.Command(os.Args[0], "-test.run=^"+top+"$")
	cmd.Env = append(os.Environ(), helperEnv+"=sweep")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var run string
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end) && run == ""; time.Sleep(100 * time.Millisecond) {
		if _, after, ok := strings.Cut(out.String(), "run "); ok {
			run = strings.Fields(after)[0]
		}
	}
	if run == "" {
		t.Fatalf("the helper did not start: %s", out.String())
	}
	t.Cleanup(func() {
		// Whatever the test left of the helper's run.
		ids, _ := containers(context.Background(), b, run, true)
		for _, id := range ids {
			b.Remove(context.Background(), id)
		}
	})
	isOrphan := func(orphans []sandbox.Orphan, run string) int {
		n := 0
		for _, o := range orphans {
			if o.Run == run {
				n++
			}
		}
		return n
	}
	// Past its first lease, the helper's run is held by the renewals.
	time.Sleep(helperLease + helperLease/2)
	orphans, err := sandbox.Sweep(ctx, b, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := isOrphan(orphans, run); n > 0 {
		t.Fatalf("%d containers of a run that renews its lease are called orphans", n)
	}
	if n := isOrphan(orphans, live.RunID()); n > 0 {
		t.Errorf("a live run's containers are called orphans")
	}
	// The helper stops renewing; its process lives on.
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	ids, err := containers(ctx, b, run, false)
	if err != nil || len(ids) != helperWorkers {
		t.Fatalf("the stopped run has %d containers, want %d (%v)", len(ids), helperWorkers, err)
	}
	all, err := containers(ctx, b, run, true)
	if err != nil || len(all) <= len(ids) {
		t.Fatalf("the stopped run has no lease record: %v %v", all, err)
	}
	if orphans, err = sandbox.Sweep(ctx, b, true); err != nil || isOrphan(orphans, run) > 0 {
		t.Errorf("a run whose lease has not expired is called orphaned: %v", err)
	}
	found := 0
	for end := time.Now().Add(2 * helperLease); time.Now().Before(end) && found == 0; time.Sleep(200 * time.Millisecond) {
		if orphans, err = sandbox.Sweep(ctx, b, true); err != nil {
			t.Fatal(err)
		}
		found = isOrphan(orphans, run)
	}
	if left, _ := containers(ctx, b, run, true); found != len(left) || len(left) < len(all) {
		t.Errorf("the dry run found %d of the expired run's %d containers and records (%d before it)", found, len(left), len(all))
	}

	// Containers of before leases: a gone local owner's go, a live one's stay.
	hostname, _ := os.Hostname()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	legacy := func(owner string) string {
		id, err := b.Create(ctx, sandbox.ContainerSpec{Image: pythonImage, Cmd: []string{"true"}, User: "0:0", Memory: 16 << 20, Pids: 1,
			NoNetwork: true, ReadOnlyRoot: true, NoNewPrivileges: true, NoLogs: true, PrivateIPC: true,
			Labels: map[string]string{"io.selfrepair.tool": "selfrepair", labelRun: sandbox.NewRunID(), "io.selfrepair.owner": owner}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Remove(context.Background(), id) })
		return id
	}
	goneID := legacy(hostname + ":" + strconv.Itoa(gone.Process.Pid))
	aliveID := legacy(hostname + ":" + strconv.Itoa(os.Getpid()))

	if _, err := sandbox.Sweep(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	if left, _ := containers(ctx, b, run, true); len(left) != 0 {
		t.Errorf("the sweep left %v", left)
	}
	exists := func(id string) bool {
		st, err := b.List(ctx, "io.selfrepair.tool=selfrepair")
		return err == nil && slices.ContainsFunc(st, func(c sandbox.ContainerInfo) bool { return c.ID == id })
	}
	if exists(goneID) {
		t.Errorf("the sweep left a container of before leases whose owner is gone")
	}
	if !exists(aliveID) {
		t.Errorf("the sweep removed a container of before leases whose owner lives")
	}
	if res, err := live.Run(ctx, script("print(1)", sandbox.Limits{})); err != nil || !res.OK() {
		t.Errorf("the live run lost its container: %v", err)
	}
}

// testDoctor: every check passes.
func testDoctor(t *testing.T, b sandbox.Backend, _ Options) {
	for _, c := range sandbox.Doctor(context.Background(), b, python.New().Recipe("")) {
		if !c.OK {
			t.Errorf("%s: %s", c.Name, c.Detail)
		}
	}
}

// testSpareTakesOver: when a job's container is retired, the next job runs
// in a spare that was already warm, not in one started for it.
func testSpareTakesOver(t *testing.T, b sandbox.Backend, _ Options) {
	ctx := context.Background()
	sb := newSandbox(t, b, sandbox.Options{Size: 1, Spare: 1})
	if err := sb.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := containers(ctx, b, sb.RunID(), false)
	if err != nil || len(before) != 2 {
		t.Fatalf("%d warm containers, want 2 (%v)", len(before), err)
	}
	to, err := sb.Run(ctx, script("while True: pass", sandbox.Limits{Timeout: time.Second}))
	if err != nil || to.Status != sandbox.StatusTimeout {
		t.Fatalf("timeout job: %v %v", err, to)
	}
	next, err := sb.Run(ctx, script("print(1)", sandbox.Limits{}))
	if err != nil || !next.OK() {
		t.Fatalf("next job: %v", err)
	}
	if next.Container == to.Container || !slices.Contains(before, next.Container) {
		t.Errorf("the next job ran in %.12s: not the warm spare (%v)", next.Container, before)
	}
}

// tarOf is a tar stream of files (path → content; a content starting with
// "->" is a symbolic link to the rest), modes 0o644, or 0o755 for ".sh".
func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		data := files[name]
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}
		if strings.HasSuffix(name, ".sh") {
			h.Mode = 0o755
		}
		if target, ok := strings.CutPrefix(data, "->"); ok {
			h = &tar.Header{Name: name, Mode: 0o777, Linkname: target, Typeflag: tar.TypeSymlink}
			data = ""
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noisyTar is an archive of n small files dated a day ahead.
func noisyTar(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	ahead := time.Now().Add(24 * time.Hour)
	for i := range n {
		data := []byte("x\n")
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%04d", i), Mode: 0o644, Size: int64(len(data)), ModTime: ahead}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testArchiveAndCollect: a job's archive is unpacked into its working
// directory (modes and links kept, Files written over it), however large
// and however much tar says while unpacking it; a broken archive fails
// that job alone; Collect brings back the regular
// files the job left in /tmp and nothing a link points to.
func testArchiveAndCollect(t *testing.T, b sandbox.Backend, _ Options) {
	lim := sandbox.Limits{Timeout: 5 * time.Second, OutputLimit: 1 << 16, ScratchSize: 256 << 20}
	files := map[string]string{
		"src/a.txt": "from the archive\n",
		"run.sh":    "#!/bin/sh\necho ran\n",
		"link":      "->src/a.txt",
		"over.txt":  "old\n",
	}
	// Enough data that the stream spans many pipe buffers and reads.
	big := strings.Repeat("0123456789abcdef", 1<<12)
	for i := range 600 {
		files[fmt.Sprintf("many/%03d.dat", i)] = big
	}
	job := sandbox.Job{
		Archive: tarOf(t, files),
		Files:   map[string][]byte{"over.txt": []byte("new\n")},
		Argv: []string{"sh", "-c", `cat src/a.txt; ./run.sh; readlink link; cat over.txt; ls many | wc -l; cat many/599.dat | wc -c
echo '<testsuite/>' > /tmp/report.xml; ln -s /etc/passwd /tmp/evil; mkdir /tmp/dir`},
		Collect: []string{"report.xml", "evil", "dir", "missing", "../etc/passwd"},
		Limits:  lim,
	}
	if len(job.Archive) < 32<<20 {
		t.Fatalf("the archive is only %d bytes", len(job.Archive))
	}
	for _, iso := range []sandbox.Isolation{sandbox.Pooled, sandbox.Fresh} {
		t.Run(string(iso), func(t *testing.T) {
			sb := newSandbox(t, b, sandbox.Options{Isolation: iso, Size: 1, Limits: lim})
			ctx := context.Background()
			res, err := sb.Run(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			want := "from the archive\nran\nsrc/a.txt\nnew\n600\n65536\n"
			if !res.OK() || string(res.Stdout) != want {
				t.Fatalf("%s\nstdout %q, want %q\nstderr %s", res.Summary(), res.Stdout, want, res.Stderr)
			}
			if len(res.Collected) != 1 || string(res.Collected["report.xml"]) != "<testsuite/>\n" {
				t.Errorf("collected %q, want report.xml alone", res.Collected)
			}
			broken := sandbox.Job{Archive: []byte(strings.Repeat("not a tar ", 1000)), Argv: []string{"true"}, Limits: lim}
			// The sandbox failed, not the program: an error, not an exit code.
			if res, err := sb.Run(ctx, broken); err == nil || !strings.Contains(err.Error(), "cannot unpack the job's archive") {
				t.Errorf("a broken archive: error %v, result %v", err, res)
			}
			// tar warns of every file's time stamp in the future: more
			// than a pipe holds, written while the archive still arrives.
			res, err = sb.Run(ctx, sandbox.Job{Archive: noisyTar(t, 3000), Argv: []string{"sh", "-c", "ls | wc -l"}, Limits: lim})
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() || string(res.Stdout) != "3000\n" || len(res.Stderr) > 0 {
				t.Errorf("an archive tar warns about: %s, stdout %q, stderr %.200q", res.Summary(), res.Stdout, res.Stderr)
			}
			// The next job starts clean, and the stream is still in step.
			res, err = sb.Run(ctx, sandbox.Job{Argv: []string{"sh", "-c", "ls -A /work /tmp | grep -v :$ | grep . || echo clean"}, Limits: lim})
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() || string(res.Stdout) != "clean\n" {
				t.Errorf("after the archive jobs: %s %q %q", res.Summary(), res.Stdout, res.Stderr)
			}
		})
	}
}
