package sandbox_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
)

var pythonImage = python.New().ImageRef()

func engine(t *testing.T) *sandbox.Engine {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker")
	}
	eng, err := sandbox.NewEngine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func newSandbox(t *testing.T, eng *sandbox.Engine, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	if opts.Image == "" {
		opts.Image = pythonImage
	}
	sb, err := sandbox.New(context.Background(), eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if ids, err := eng.RunContainers(context.Background(), sb.RunID()); err != nil || len(ids) > 0 {
			t.Errorf("containers left after Close: %v %v", ids, err)
		}
	})
	return sb
}

func script(src string, limits sandbox.Limits) sandbox.Job {
	return python.New().FileJob("main.py", []byte(src), limits)
}

// TestResults: a job's Result says how it ended, in both isolation modes.
func TestResults(t *testing.T) {
	eng := engine(t)
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
			sb := newSandbox(t, eng, sandbox.Options{Isolation: iso, Size: 2})
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

// TestPooledReset: a pooled container serves job after job, and nothing a
// job leaves (files, processes, environment) reaches the next one.
func TestPooledReset(t *testing.T) {
	eng := engine(t)
	sb := newSandbox(t, eng, sandbox.Options{Isolation: sandbox.Pooled, Size: 1, Spare: -1})
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
		t.Fatalf("the pool used a new container (%s, then %s)", first.Container[:12], second.Container[:12])
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
		t.Errorf("after a timeout: %v, container %s then %s", err, to.Container[:12], next.Container[:12])
	}
}

// TestOtherLimitsRunFresh: a job whose container limits differ from the
// pool's gets a container of its own.
func TestOtherLimitsRunFresh(t *testing.T) {
	eng := engine(t)
	sb := newSandbox(t, eng, sandbox.Options{Size: 1})
	read := "print(open('/sys/fs/cgroup/memory/memory.limit_in_bytes').read().strip() if __import__('os').path.exists('/sys/fs/cgroup/memory/memory.limit_in_bytes') else open('/sys/fs/cgroup/memory.max').read().strip())"
	for _, mem := range []int64{512 << 20, 256 << 20} {
		res, err := sb.Run(context.Background(), script(read, sandbox.Limits{Memory: mem}))
		if err != nil || !res.OK() {
			t.Fatalf("%v %s", err, res.Stderr)
		}
		if got := strings.TrimSpace(string(res.Stdout)); got != fmt.Sprint(mem) {
			t.Errorf("memory limit %s, want %d", got, mem)
		}
	}
}

// TestBrokenImage: an image that cannot run the supervisor fails New with
// one clear error instead of jobs that never start; a missing one says so.
func TestBrokenImage(t *testing.T) {
	eng := engine(t)
	ctx := context.Background()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.Close()
	ref := "selfrepair/broken-test:latest"
	if err := eng.ImportImage(ctx, &buf, ref, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
	start := time.Now()
	_, err := sandbox.New(ctx, eng, sandbox.Options{Image: ref, Size: 2})
	if err == nil || !strings.Contains(err.Error(), "start") {
		t.Errorf("New with a broken image: %v", err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("New took %v to fail", took)
	}
	_, err = sandbox.New(ctx, eng, sandbox.Options{Image: "selfrepair/none:0"})
	if !errors.Is(err, sandbox.ErrImageMissing) {
		t.Errorf("New with a missing image: %v", err)
	}
}

// TestSweep: the containers of a run whose process died are found, left
// alone by a dry run and removed by a sweep; a live run's are not touched.
func TestSweep(t *testing.T) {
	if os.Getenv("SELFREPAIR_SWEEP_HELPER") == "1" {
		// The crashing run: start a pool, say its run id, wait to be killed.
		eng, err := sandbox.NewEngine(context.Background())
		if err != nil {
			os.Exit(1)
		}
		sb, err := sandbox.New(context.Background(), eng, sandbox.Options{Image: pythonImage, Size: 2, Spare: -1})
		if err != nil {
			os.Exit(1)
		}
		sb.Warm(context.Background())
		fmt.Println("run", sb.RunID())
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	eng := engine(t)
	ctx := context.Background()
	live := newSandbox(t, eng, sandbox.Options{Size: 1})
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweep$")
	cmd.Env = append(os.Environ(), "SELFREPAIR_SWEEP_HELPER=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var run string
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end) && run == ""; time.Sleep(100 * time.Millisecond) {
		if _, after, ok := strings.Cut(out.String(), "run "); ok {
			run = strings.Fields(after)[0]
		}
	}
	if run == "" {
		cmd.Process.Kill()
		t.Fatalf("the helper did not start: %s", out.String())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	ids, err := eng.RunContainers(ctx, run)
	if err != nil || len(ids) != 2 {
		t.Fatalf("the crashed run has %d containers, want 2 (%v)", len(ids), err)
	}
	orphans, err := sandbox.Sweep(ctx, eng, true)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, o := range orphans {
		if o.Run == run {
			found++
		}
		if o.Run == live.RunID() {
			t.Errorf("a live run's container is called an orphan")
		}
	}
	if found != 2 {
		t.Errorf("the dry run found %d of the crashed run's containers, want 2", found)
	}
	if ids, _ := eng.RunContainers(ctx, run); len(ids) != 2 {
		t.Errorf("the dry run removed containers")
	}
	if _, err := sandbox.Sweep(ctx, eng, false); err != nil {
		t.Fatal(err)
	}
	if ids, _ := eng.RunContainers(ctx, run); len(ids) != 0 {
		t.Errorf("the sweep left %v", ids)
	}
	if res, err := live.Run(ctx, script("print(1)", sandbox.Limits{})); err != nil || !res.OK() {
		t.Errorf("the live run lost its container: %v", err)
	}
}

// TestDoctor: on this machine every check passes.
func TestDoctor(t *testing.T) {
	eng := engine(t)
	for _, c := range sandbox.Doctor(context.Background(), eng, python.New().Recipe("")) {
		if !c.OK {
			t.Errorf("%s: %s", c.Name, c.Detail)
		}
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"pooled", "fresh"} {
		if iso, err := sandbox.ParseIsolation(s); err != nil || string(iso) != s {
			t.Errorf("ParseIsolation(%q) = %q, %v", s, iso, err)
		}
	}
	if _, err := sandbox.ParseIsolation("shared"); err == nil {
		t.Error("ParseIsolation(shared) did not fail")
	}
	r := python.New().Recipe("")
	r2 := r
	r2.Packages = slices.Concat(r.Packages, []string{"nodejs"})
	r3 := r
	r3.Ref = "other:tag"
	if r.Digest() == r2.Digest() || r.Digest() != r3.Digest() {
		t.Errorf("recipe digests: %s %s %s (packages change it, the name does not)", r.Digest(), r2.Digest(), r3.Digest())
	}
}

// TestSpareTakesOver: when a job's container is retired, the next job runs
// in a spare that was already warm, not in one started for it.
func TestSpareTakesOver(t *testing.T) {
	eng := engine(t)
	ctx := context.Background()
	sb := newSandbox(t, eng, sandbox.Options{Size: 1, Spare: 1})
	if err := sb.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := eng.RunContainers(ctx, sb.RunID())
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
