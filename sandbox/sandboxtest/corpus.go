package sandboxtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/reports"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// The hostile corpus (../shared/hostile, or $HOSTILE_CORPUS for another
// split of the same format) runs through the sandbox in both isolation
// modes. A case holds when the verdict is the expected one (or one also
// acceptable) and every host-side invariant it lists holds; see the
// corpus README for the verdicts and invariants.

// corpusLimits are the reference limits of the corpus but for a 6 s time
// limit (the verdicts hold for 5 to 30 s: seven cases run into it) and 256
// MiB of memory (they hold for 256 MiB to 2 GiB: filling it costs half the
// page faults, which are dear on this VM and dearer when it is busy).
func corpusLimits() sandbox.Limits {
	l := sandbox.DefaultLimits()
	l.Timeout = 6 * time.Second
	l.Memory = 256 << 20
	return l
}

type corpusCase struct {
	ID          string      `json:"id"`
	Class       string      `json:"class"`
	Language    string      `json:"language"`
	File        string      `json:"file"`
	Mode        string      `json:"mode"`
	Run         string      `json:"run"`
	Expected    string      `json:"expected_verdict"`
	Also        []string    `json:"also_acceptable"`
	MustNotPass bool        `json:"must_not_pass"`
	Invariants  []string    `json:"invariants"`
	Severity    string      `json:"severity"`
	Hostile     bool        `json:"hostile"`
	Task        *corpusTask `json:"task"`
	StdoutSHA   string      `json:"expected_stdout_sha256"`

	source []byte
}

type corpusTask struct {
	TaskID        string   `json:"task_id"`
	EntryPoint    string   `json:"entry_point"`
	Prompt        string   `json:"prompt"`
	Test          string   `json:"test"`
	SolutionFile  string   `json:"solution_filename"`
	TestFile      string   `json:"test_filename"`
	ExpectedTests []string `json:"expected_tests"`
	Command       string   `json:"command"`
}

func corpusDir(opts Options) string {
	if opts.CorpusDir != "" {
		return opts.CorpusDir
	}
	if d := os.Getenv("HOSTILE_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "hostile")
}

func loadCorpus(t *testing.T, dir string) []*corpusCase {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "corpus.jsonl"))
	if err != nil {
		t.Fatalf("hostile corpus: %v", err)
	}
	defer f.Close()
	var cases []*corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		c := &corpusCase{}
		if err := json.Unmarshal(sc.Bytes(), c); err != nil {
			t.Fatalf("corpus.jsonl:%d: %v", n, err)
		}
		if c.source, err = os.ReadFile(filepath.Join(dir, c.File)); err != nil {
			t.Fatalf("corpus.jsonl:%d: %v", n, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// host is the test's side of the corpus conventions: the canary, the
// egress sentinels and a stand-in for the runner's working-directory parent.
type host struct {
	canary   string
	workRoot string // the host directory a runner would keep case directories in
	tcp      string // sentinel addresses
	udp      string
	hits     atomic.Int64 // connections and datagrams the sentinels received
}

func newHost(t *testing.T) *host {
	b := make([]byte, 16)
	rand.Read(b)
	h := &host{canary: "HOSTILE-CANARY-" + hex.EncodeToString(b), workRoot: t.TempDir()}
	t.Setenv("HOSTILE_CANARY", h.canary)
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, dir := range []string{home, h.workRoot, os.TempDir()} {
		path := filepath.Join(dir, ".hostile-canary")
		if err := os.WriteFile(path, []byte(h.canary+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(path) })
	}
	ip := hostAddress(t)
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.hits.Add(1)
			c.Close()
		}
	}()
	pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			h.hits.Add(1)
		}
	}()
	h.tcp, h.udp = ln.Addr().String(), pc.LocalAddr().String()
	return h
}

// hostAddress is an address of this machine that a container with a network
// could reach (not loopback, which is the container's own).
func hostAddress(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() {
			return ipn.IP.String()
		}
	}
	return "127.0.0.1"
}

// corpusRunner runs cases in one isolation mode, with one sandbox per image.
type corpusRunner struct {
	t        *testing.T
	host     *host
	iso      sandbox.Isolation
	eng      sandbox.Backend
	limits   sandbox.Limits
	boxes    map[string]*sandbox.Sandbox // by image
	control  *corpusCase
	usual    time.Duration     // how long the control takes when nothing else runs
	verdicts map[string]string // by case id
}

func newCorpusRunner(t *testing.T, eng sandbox.Backend, h *host, iso sandbox.Isolation, control *corpusCase) *corpusRunner {
	r := &corpusRunner{t: t, host: h, iso: iso, eng: eng, limits: corpusLimits(), boxes: map[string]*sandbox.Sandbox{}, control: control,
		verdicts: map[string]string{}}
	t.Cleanup(func() {
		for image, sb := range r.boxes {
			if err := sb.Close(); err != nil {
				t.Errorf("close %s sandbox: %v", image, err)
			}
			// No container of the run outlives it.
			ids, err := containers(context.Background(), eng, sb.RunID(), true)
			if err != nil || len(ids) > 0 {
				t.Errorf("%s sandbox left containers %v (%v)", image, ids, err)
			}
		}
	})
	start := time.Now()
	job, res := r.run(t, control)
	r.usual = time.Since(start)
	if v := verdict(control, job, res); v != "pass" {
		t.Fatalf("the control case gives %s, want pass: %s", v, res.Stderr)
	}
	return r
}

func (r *corpusRunner) sandbox(t *testing.T, image string) *sandbox.Sandbox {
	if sb, ok := r.boxes[image]; ok {
		return sb
	}
	ctx := context.Background()
	preload := append(python.New().Preload(), python.PytestPreload()...)
	sb, err := sandbox.New(ctx, r.eng, sandbox.Options{Image: image, Isolation: r.iso, Size: 2, Limits: r.limits, Preload: preload})
	if err != nil {
		t.Fatalf("sandbox %s: %v", image, err)
	}
	if err := sb.Warm(ctx); err != nil {
		t.Fatalf("sandbox %s: %v", image, err)
	}
	r.boxes[image] = sb
	return sb
}

// job is the sandbox job for a case, and the sandbox to run it in.
func (r *corpusRunner) job(t *testing.T, c *corpusCase) (*sandbox.Sandbox, sandbox.Job) {
	lang, err := builtin.Registry().Runtime(c.Language)
	if err != nil {
		t.Fatal(err)
	}
	sb := r.sandbox(t, lang.ImageRef())
	var job sandbox.Job
	switch c.Mode {
	case "script":
		job = lang.FileJob(c.File, c.source, r.limits)
	case "humaneval", "gotest":
		l, err := builtin.Registry().Language(c.Language)
		if err != nil {
			t.Fatalf("mode %s: %v", c.Mode, err)
		}
		task := tasks.Task{ID: c.Task.TaskID, Prompt: c.Task.Prompt, EntryPoint: c.Task.EntryPoint, Test: c.Task.Test,
			Style: tasks.Program, Language: c.Language}
		if c.Mode == "humaneval" && c.Language != "python" {
			// The corpus's program for other languages ends with the call
			// (its README, Modes); Python's harness makes it itself.
			task.Test += "\n\ncheck(" + c.Task.EntryPoint + ");\n"
		}
		// gotest: the solution file and the test file, compiled into one
		// test binary as go test does (go.mod names no dependency).
		job = l.Job(task, l.Program(task, string(c.source)), r.limits)
	case "pytest":
		args := strings.Fields(c.Task.Command)
		if i := slices.Index(args, "pytest"); i >= 0 {
			args = args[i+1:]
		}
		files := map[string][]byte{c.Task.SolutionFile: c.source, c.Task.TestFile: []byte(c.Task.Test)}
		job = python.PytestJob(files, args, c.Task.ExpectedTests, r.limits)
	default:
		t.Fatalf("mode %s is not supported", c.Mode)
	}
	// The only variables a case may receive: the sentinels.
	if job.Env == nil {
		job.Env = map[string]string{}
	} else {
		job.Env = maps(job.Env)
	}
	job.Env["HOSTILE_EGRESS_TCP"] = r.host.tcp
	job.Env["HOSTILE_EGRESS_UDP"] = r.host.udp
	job.Env["HOSTILE_DNS_NAME"] = "sentinel.hostile.invalid"
	return sb, job
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (r *corpusRunner) run(t *testing.T, c *corpusCase) (sandbox.Job, *sandbox.Result) {
	sb, job := r.job(t, c)
	res, err := sb.Run(context.Background(), job)
	if err != nil {
		t.Fatalf("%s: sandbox error: %v", c.ID, err)
	}
	return job, res
}

// verdict runs case c and returns its verdict.
func (r *corpusRunner) verdict(t *testing.T, c *corpusCase) string {
	job, res := r.run(t, c)
	return verdict(c, job, res)
}

// verdict is the corpus verdict of the result of job.
func verdict(c *corpusCase, job sandbox.Job, res *sandbox.Result) string {
	switch res.Status {
	case sandbox.StatusTimeout:
		return "timeout"
	case sandbox.StatusMemory:
		return "memory-limit"
	case sandbox.StatusOutputLimit:
		return "output-limit"
	}
	if c.Mode != "script" {
		var out languages.Outcome
		if c.Mode == "pytest" {
			out = python.ClassifyPytest(res)
		} else if l, err := builtin.Registry().Language(c.Language); err == nil {
			out = l.Classify(job, res)
		}
		switch {
		case out.Passed:
			return "pass"
		case out.Class == languages.Assertion:
			return "fail-assertion"
		case out.Class == languages.Memory:
			return "memory-limit"
		}
		return "fail-error"
	}
	if res.Status == sandbox.StatusSignaled {
		if syscall.Signal(res.Signal) == syscall.SIGSYS {
			return "denied"
		}
		return "killed"
	}
	if res.ExitCode == 0 {
		return "pass"
	}
	if c.Language == "python" {
		typ, _, _, ok := python.FinalException(string(res.Stderr))
		switch {
		case !ok:
		case typ == "AssertionError":
			return "fail-assertion"
		case typ == "MemoryError":
			return "memory-limit"
		case typ == "PermissionError":
			return "denied"
		}
	}
	return "fail-error"
}

// hostSample is what the host looks like at one moment.
type hostSample struct {
	memAvail int64            // bytes
	procs    int              // processes on the host
	free     map[string]int64 // free bytes per filesystem
	inodes   map[string]int64 // free inodes per filesystem
	rss      int64            // this process's resident memory
}

// hostFilesystems are the filesystems whose free space a case must not eat.
func hostFilesystems() []string {
	var out []string
	for _, p := range []string{"/", os.TempDir(), "/var/lib/docker"} {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func sampleHost() hostSample {
	s := hostSample{free: map[string]int64{}, inodes: map[string]int64{}}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				s.memAvail = kb << 10
			}
		}
	}
	if ents, err := os.ReadDir("/proc"); err == nil {
		for _, e := range ents {
			if _, err := strconv.Atoi(e.Name()); err == nil {
				s.procs++
			}
		}
	}
	for _, p := range hostFilesystems() {
		var st syscall.Statfs_t
		if syscall.Statfs(p, &st) == nil {
			s.free[p] = int64(st.Bavail) * int64(st.Bsize)
			s.inodes[p] = int64(st.Ffree)
		}
	}
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				s.rss = kb << 10
			}
		}
	}
	return s
}

// watch samples the host until stop is closed and keeps the extremes.
type watch struct {
	before, worst hostSample
	done          chan struct{}
	stop          chan struct{}
}

func watchHost() *watch {
	w := &watch{before: sampleHost(), done: make(chan struct{}), stop: make(chan struct{})}
	w.worst = sampleHost()
	go func() {
		defer close(w.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			s := sampleHost()
			w.worst.memAvail = min(w.worst.memAvail, s.memAvail)
			w.worst.procs = max(w.worst.procs, s.procs)
			w.worst.rss = max(w.worst.rss, s.rss)
			for p, v := range s.free {
				w.worst.free[p] = min(w.worst.free[p], v)
			}
			for p, v := range s.inodes {
				w.worst.inodes[p] = min(w.worst.inodes[p], v)
			}
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *watch) end() { close(w.stop); <-w.done }

// hostileProcesses lists host processes whose argv or name mark them as a
// case's.
func hostileProcesses() []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		comm, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if bytes.Contains(cmd, []byte("HOSTILE")) || bytes.Contains(comm, []byte("HOSTILE")) {
			out = append(out, e.Name()+":"+strings.TrimSpace(string(comm)))
		}
	}
	return out
}

func kernelState() string {
	var b strings.Builder
	for _, p := range []string{"/proc/modules", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe"} {
		data, _ := os.ReadFile(p)
		b.Write(data)
	}
	return b.String()
}

// within retries check until it holds or d has passed.
func within(d time.Duration, check func() bool) bool {
	end := time.Now().Add(d)
	for {
		if check() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// probe lists what a job can find of earlier jobs in its container.
const probe = `import os
def ls(d):
    try: return sorted(os.listdir(d))
    except OSError as e: return [str(e)]
mine = os.getpid()
procs = []
for p in os.listdir("/proc"):
    if p.isdigit() and int(p) != mine:
        try: procs.append(open("/proc/%s/cmdline" % p, "rb").read().replace(b"\0", b" ").decode(errors="replace")[:200])
        except OSError: pass
print({"work": [f for f in ls("/work") if f != "probe.py"], "tmp": ls("/tmp"), "shm": ls("/dev/shm"), "procs": procs})
`

// nextRunClean checks that the container that ran a case (if it is kept)
// serves the next job clean: no file, process or output of the case.
func (r *corpusRunner) nextRunClean(t *testing.T, sb *sandbox.Sandbox, container string) {
	ctx := context.Background()
	job := python.New().FileJob("probe.py", []byte(probe), r.limits)
	// A retired container is removed in the background, so it may still be
	// listed while the probes go to its replacement: keep asking until it
	// is gone or a probe reaches it.
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
		ids, err := containers(ctx, r.eng, sb.RunID(), false)
		if err != nil {
			t.Errorf("next-run-clean: %v", err)
			return
		}
		if !slices.Contains(ids, container) {
			return // the container was replaced: nothing of it can be seen
		}
		res, err := sb.Run(ctx, job)
		if err != nil {
			t.Errorf("next-run-clean: probe: %v", err)
			return
		}
		if res.Container != container {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		out := string(res.Stdout)
		if !res.OK() || strings.Contains(out, "HOSTILE") || !strings.Contains(out, "'work': [], 'tmp': [], 'shm': []") {
			t.Errorf("next-run-clean: the next job in container %.12s found: %s %s", container, out, res.Stderr)
		}
		return
	}
	t.Errorf("next-run-clean: no probe reached container %.12s", container)
}

func (r *corpusRunner) runCase(t *testing.T, c *corpusCase) {
	ctx := context.Background()
	sb, job := r.job(t, c)
	kernel := kernelState()
	wall0, mono0 := time.Now().Round(0), time.Now()
	hits0 := r.host.hits.Load()
	w := watchHost()

	// runner-responsive: a control job started while the case runs.
	var control struct {
		wg      sync.WaitGroup
		verdict string
		took    time.Duration
		err     error
	}
	if slices.Contains(c.Invariants, "runner-responsive") {
		csb, cjob := r.job(t, r.control)
		control.wg.Add(1)
		go func() {
			defer control.wg.Done()
			time.Sleep(time.Second)
			start := time.Now()
			res, err := csb.Run(ctx, cjob)
			control.took, control.err = time.Since(start), err
			if err == nil {
				control.verdict = verdict(r.control, cjob, res)
			}
		}()
	}

	start := time.Now()
	res, err := sb.Run(ctx, job)
	took := time.Since(start)
	w.end()
	control.wg.Wait()
	if err != nil {
		t.Fatalf("sandbox error: %v", err)
	}
	got := verdict(c, job, res)
	r.verdicts[c.ID] = got
	t.Logf("verdict %s (%s after %v, cpu %v); stdout %d bytes, stderr %d bytes", got, res.Summary(), took.Round(time.Millisecond),
		res.CPU.Round(time.Millisecond), res.StdoutBytes, res.StderrBytes)
	if got != c.Expected && !slices.Contains(c.Also, got) {
		t.Errorf("verdict %s, want %s (or %v)\nstdout: %.2000s\nstderr: %.2000s", got, c.Expected, c.Also, res.Stdout, res.Stderr)
	}
	if c.MustNotPass && got == "pass" {
		t.Errorf("a tampering case passed")
	}
	captured := slices.Concat(res.Stdout, res.Stderr, res.Report)
	record, jerr := json.Marshal(res)

	for _, inv := range c.Invariants {
		name, arg, _ := strings.Cut(inv, ":")
		switch name {
		case "no-container-left":
			// A fresh container, or a pooled one the job left unclean, is
			// removed; a pooled container kept for the next job is checked
			// by next-run-clean. After the mode, none is left (cleanup).
			if r.iso == sandbox.Fresh && !within(10*time.Second, func() bool {
				ids, err := containers(ctx, r.eng, sb.RunID(), false)
				return err == nil && !slices.Contains(ids, res.Container)
			}) {
				t.Errorf("no-container-left: container %.12s still exists", res.Container)
			}
			if r.iso == sandbox.Pooled {
				r.nextRunClean(t, sb, res.Container)
			}
		case "no-process-left":
			if !within(5*time.Second, func() bool { return len(hostileProcesses()) == 0 }) {
				t.Errorf("no-process-left: %v", hostileProcesses())
			}
		case "cleanup-complete":
			// The job's files live in the container's tmpfs only: no host
			// directory was made. Nothing may have appeared in the runner's.
			if ents, _ := os.ReadDir(r.host.workRoot); len(ents) != 1 {
				t.Errorf("cleanup-complete: the host work root holds %d entries", len(ents))
			}
		case "no-breach-marker":
			if bytes.Contains(captured, []byte("HOSTILE-BREACH")) {
				t.Errorf("no-breach-marker: %s", lineWith(captured, "HOSTILE-BREACH"))
			}
		case "canary-absent":
			if bytes.Contains(captured, []byte(r.host.canary)) || bytes.Contains(record, []byte(r.host.canary)) {
				t.Errorf("canary-absent: the canary came back")
			}
		case "runner-responsive":
			if control.err != nil || control.verdict != "pass" || control.took > r.usual+5*time.Second {
				t.Errorf("runner-responsive: control %s after %v (usual %v): %v", control.verdict, control.took, r.usual, control.err)
			}
		case "runner-alive":
			// The runner produced a verdict (a sandbox error fails above).
		case "wall-bounded":
			bound := 10 * time.Second
			if c.Expected == "timeout" || slices.Contains(c.Also, "timeout") {
				bound += r.limits.Timeout // the timeout + 10 s, kill escalation included
			}
			if c.ID == "sleep_stdin_wait" {
				bound = 5 * time.Second
			}
			if took > bound {
				t.Errorf("wall-bounded: the verdict took %v, bound %v", took, bound)
			}
		case "cpu-bounded":
			if lim := time.Duration(float64(res.Total)*r.limits.CPUs*1.1) + 100*time.Millisecond; res.CPU > lim {
				t.Errorf("cpu-bounded: %v of CPU in %v of wall time", res.CPU, res.Total)
			}
		case "memory-bounded":
			if drop := w.before.memAvail - w.worst.memAvail; drop > r.limits.Memory+64<<20 {
				t.Errorf("memory-bounded: host available memory dropped by %d MiB", drop>>20)
			}
		case "pids-bounded":
			if rise := w.worst.procs - w.before.procs; int64(rise) > r.limits.Pids+16 {
				t.Errorf("pids-bounded: host processes rose by %d", rise)
			}
		case "disk-bounded", "inodes-bounded":
			for p, before := range w.before.free {
				if name == "disk-bounded" {
					if drop := before - w.worst.free[p]; drop > r.limits.ScratchSize+64<<20 {
						t.Errorf("disk-bounded: %s lost %d MiB", p, drop>>20)
					}
					if !within(30*time.Second, func() bool { return before-sampleHost().free[p] < 16<<20 }) {
						t.Errorf("disk-bounded: %s did not recover", p)
					}
				} else if drop := w.before.inodes[p] - w.worst.inodes[p]; drop > r.limits.ScratchSize/(8<<10)+1000 {
					t.Errorf("inodes-bounded: %s lost %d inodes", p, drop)
				}
			}
		case "output-capped":
			limit := r.limits.OutputLimit + 4<<10
			if len(res.Stdout) > limit || len(res.Stderr) > limit || !(res.StdoutTruncated || res.StderrTruncated) {
				t.Errorf("output-capped: stdout %d, stderr %d bytes kept, truncated %v/%v", len(res.Stdout), len(res.Stderr),
					res.StdoutTruncated, res.StderrTruncated)
			}
		case "output-complete":
			if res.StdoutTruncated || res.StderrTruncated || int64(len(res.Stdout)) != res.StdoutBytes {
				t.Errorf("output-complete: output truncated")
			}
			if c.StdoutSHA != "" {
				if sum := sha256.Sum256(res.Stdout); hex.EncodeToString(sum[:]) != c.StdoutSHA {
					t.Errorf("output-complete: stdout %q does not hash to %s", res.Stdout, c.StdoutSHA)
				}
			}
		case "runner-memory-bounded":
			if growth := w.worst.rss - w.before.rss; growth > 64<<20+2*int64(r.limits.OutputLimit) {
				t.Errorf("runner-memory-bounded: the runner grew by %d MiB", growth>>20)
			}
		case "host-log-bounded":
			log := filepath.Join("/var/lib/docker/containers", res.Container, res.Container+"-json.log")
			if st, err := os.Stat(log); err == nil && st.Size() > int64(r.limits.OutputLimit)+1<<20 {
				t.Errorf("host-log-bounded: %s holds %d bytes", log, st.Size())
			}
		case "report-valid":
			var back map[string]any
			if jerr != nil || !utf8.Valid(record) || json.Unmarshal(record, &back) != nil {
				t.Errorf("report-valid: %v", jerr)
			} else if back["stdout_bytes"].(float64) != float64(res.StdoutBytes) {
				t.Errorf("report-valid: byte counts lost")
			}
		case "control-chars-escaped":
			for _, view := range []string{reports.Escape(res.Stdout), reports.Escape(res.Stderr)} {
				if i := strings.IndexFunc(view, func(r rune) bool {
					return r == 0x1b || r == '\r' || r == 0x07 || r == 0 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
						(r >= 0x200b && r <= 0x200f)
				}); i >= 0 {
					t.Errorf("control-chars-escaped: %q survives escaping", view[i:min(i+8, len(view))])
				}
			}
		case "stderr-contains":
			if !bytes.Contains(res.Stderr, []byte(arg)) {
				t.Errorf("stderr-contains: %q not in stderr %.500s", arg, res.Stderr)
			}
		case "host-file-absent":
			cwd, _ := os.Getwd()
			for _, dir := range []string{r.host.workRoot, filepath.Dir(r.host.workRoot), cwd, os.TempDir(), "/tmp", os.Getenv("HOME")} {
				if _, err := os.Lstat(filepath.Join(dir, arg)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("host-file-absent: %s exists in %s", arg, dir)
				}
			}
		case "host-path-absent":
			cwd, _ := os.Getwd()
			for _, p := range []string{r.host.workRoot, cwd} {
				if bytes.Contains(captured, []byte(p)) {
					t.Errorf("host-path-absent: %s appears in the output", p)
				}
			}
		case "symlinks-not-followed":
			// No artifact is collected from the container: nothing to follow.
		case "test-file-unchanged":
			// The tests live on the host only in this process's memory; a
			// second run must give the same verdict.
			if again := r.verdict(t, c); again != got {
				t.Errorf("test-file-unchanged: a second run gives %s, the first %s", again, got)
			}
		case "next-run-clean":
			r.nextRunClean(t, sb, res.Container)
			cjob, ctl := r.run(t, r.control)
			if v := verdict(r.control, cjob, ctl); v != "pass" || bytes.Contains(ctl.Stdout, []byte("HOSTILE-BREACH")) {
				t.Errorf("next-run-clean: the control gives %s", v)
			}
		case "no-egress":
			if n := r.host.hits.Load() - hits0; n > 0 {
				t.Errorf("no-egress: the sentinels received %d connections or datagrams", n)
			}
		case "host-clock-unchanged":
			if skew := time.Now().Round(0).Sub(wall0) - time.Since(mono0); skew > 100*time.Millisecond || skew < -100*time.Millisecond {
				t.Errorf("host-clock-unchanged: the clock moved by %v", skew)
			}
		case "host-kernel-unchanged":
			if kernelState() != kernel {
				t.Errorf("host-kernel-unchanged: kernel state changed")
			}
		default:
			t.Errorf("unknown invariant %q: the test must learn to check it", inv)
		}
	}
}

func lineWith(b []byte, s string) string {
	for _, line := range bytes.Split(b, []byte("\n")) {
		if bytes.Contains(line, []byte(s)) {
			return string(line)
		}
	}
	return ""
}

// testHostileCorpus is acceptance 2 of the execution core: every case of
// the corpus, in both isolation modes, holds.
func testHostileCorpus(t *testing.T, newBackend func(t *testing.T) sandbox.Backend, opts Options) {
	dir := corpusDir(opts)
	cases := loadCorpus(t, dir)
	var control *corpusCase
	for _, c := range cases {
		if c.ID == "legit_humaneval_correct" {
			control = c
		}
	}
	if control == nil {
		t.Fatal("the corpus has no legit_humaneval_correct control")
	}
	h := newHost(t)
	for _, iso := range []sandbox.Isolation{sandbox.Pooled, sandbox.Fresh} {
		t.Run(string(iso), func(t *testing.T) {
			r := newCorpusRunner(t, newBackend(t), h, iso, control)
			var failed, critical, tamperPassed, controlsFailed []string
			for _, c := range cases {
				if !t.Run(c.ID, func(t *testing.T) { r.runCase(t, c) }) {
					failed = append(failed, c.ID)
					if c.Severity == "critical" {
						critical = append(critical, c.ID)
					}
					if !c.Hostile {
						controlsFailed = append(controlsFailed, c.ID)
					}
				}
			}
			for _, c := range cases {
				if c.MustNotPass && r.verdicts[c.ID] == "pass" {
					tamperPassed = append(tamperPassed, c.ID)
				}
			}
			t.Logf("%s: %d/%d cases hold; critical not holding: %v; tampering cases passed: %v; controls not holding: %v",
				iso, len(cases)-len(failed), len(cases), critical, tamperPassed, controlsFailed)
			fmt.Fprintf(os.Stderr, "hostile corpus (%s, %s): %d/%d hold\n", dir, iso, len(cases)-len(failed), len(cases))
		})
	}
}
