package sandbox

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

//go:embed supervisor.py
var supervisorSource string

// In-container identities: the supervisor starts as root with only
// CAP_SETUID/CAP_SETGID (to become the others) and CAP_KILL (to reset the
// container), the trusted manager runs as judgeUID, and the untrusted
// program as workerUID with no capabilities.
const (
	judgeUID  = 10000
	workerUID = 10001
)

// WorkDir is the job's working directory in the container, where its
// files and archive are unpacked: the path runners print for its files.
const WorkDir = "/work"

// Labels on every container the sandbox makes.
const (
	labelTool    = "io.selfrepair.tool"
	labelRun     = "io.selfrepair.run"
	labelOwner   = "io.selfrepair.owner" // host:pid of the process that made it
	labelCreated = "io.selfrepair.created"
)

// baseEnv is the whole environment of a job unless Job.Env adds to it:
// nothing of the host's is passed on; extra is the sandbox's own
// (Options.Env).
func baseEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		"PATH":   "/usr/local/bin:/usr/bin:/bin",
		"HOME":   "/tmp",
		"TMPDIR": "/tmp",
		"LANG":   "C.UTF-8",
	}
	maps.Copy(env, extra)
	return env
}

// box is one running sandbox container with its supervisor.
type box struct {
	id     string
	limits containerLimits
	att    *Attached
	lines  chan []byte // result lines from the supervisor; closed at EOF
	diag   *tailBuffer // the supervisor's own stderr
	jobs   int
	env    map[string]string // every job's base environment
	loaded map[string]bool   // sha256 of the preloaded harness sources
}

// containerSpec is what a container is made from.
type containerSpec struct {
	Image   string
	Limits  containerLimits
	Env     map[string]string // added to every job's base environment
	Labels  map[string]string
	Preload []string // trusted harness sources loaded once at start
}

// container is the neutral spec of the container: the supervisor as its
// command, and every hardening setting the sandbox relies on.
func (s containerSpec) container() ContainerSpec {
	jobEnv := baseEnv(s.Env)
	supCfg, _ := json.Marshal(map[string]any{
		"judge_uid":  judgeUID,
		"worker_uid": workerUID,
		"workdir":    WorkDir,
		"scratch":    []string{WorkDir, "/tmp", "/dev/shm", "/dev/mqueue"},
		"preload":    s.Preload,
		"env":        jobEnv, // what workers start with
	})
	env := make([]string, 0, len(jobEnv))
	for k, v := range jobEnv {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	scratch := s.Limits.ScratchSize
	inodes := max(scratch/(8<<10), 1024)
	return ContainerSpec{
		Image:   s.Image,
		Cmd:     []string{"python3", "-s", "-B", "-c", supervisorSource, string(supCfg)},
		User:    "0:0",
		WorkDir: WorkDir,
		Env:     env,
		Labels:  s.Labels,
		Memory:  s.Limits.Memory,
		CPUs:    s.Limits.CPUs,
		Pids:    s.Limits.Pids,
		Ulimits: []Ulimit{{Name: "nofile", Soft: 1024, Hard: 1024}, {Name: "core", Soft: 0, Hard: 0}},
		ShmSize: scratch,
		Tmpfs: []Tmpfs{
			{Path: "/tmp", Size: scratch, Inodes: inodes, Mode: 0o1777},
			{Path: WorkDir, Size: scratch, Inodes: inodes, Mode: 0o700, UID: workerUID, GID: workerUID},
		},
		NoNetwork:       true,
		ReadOnlyRoot:    true,
		Init:            true,
		CapAdd:          []string{"SETUID", "SETGID", "KILL"},
		NoNewPrivileges: true,
		NoLogs:          true,
		PrivateIPC:      true,
	}
}

// startBox creates and starts a container and waits until its supervisor is ready.
func startBox(ctx context.Context, eng Backend, spec containerSpec) (*box, error) {
	att, err := eng.Start(ctx, spec.container())
	if err != nil {
		return nil, err
	}
	b := &box{id: att.ID, limits: spec.Limits, att: att, lines: make(chan []byte, 1), diag: &tailBuffer{max: 8 << 10},
		env: baseEnv(spec.Env), loaded: make(map[string]bool, len(spec.Preload))}
	for _, src := range spec.Preload {
		b.loaded[sourceSHA(src)] = true
	}
	go io.Copy(b.diag, att.Stderr)
	go func() {
		defer close(b.lines)
		r := bufio.NewReaderSize(att.Stdout, 1<<16)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 && line[len(line)-1] == '\n' {
				b.lines <- line
			}
			if err != nil {
				return
			}
		}
	}()
	var ready struct {
		Ready bool `json:"ready"`
		Clean bool `json:"clean"`
	}
	timer := time.NewTimer(60 * time.Second)
	defer timer.Stop()
	select {
	case line, ok := <-b.lines:
		if ok && json.Unmarshal(line, &ready) == nil && ready.Ready && ready.Clean {
			return b, nil
		}
		err = fmt.Errorf("the supervisor did not start: %s", b.diag.String())
	case <-timer.C:
		err = errors.New("the supervisor did not report ready within 60s")
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.destroy(context.WithoutCancel(ctx), eng)
	return nil, &Error{Op: "start sandbox container", Err: err}
}

func (b *box) destroy(ctx context.Context, eng Backend) error {
	b.att.Stdin.Close()
	return eng.Remove(ctx, b.id)
}

// wireJob is a job as the supervisor reads it.
type wireJob struct {
	Files          map[string]string   `json:"files"`
	Executable     []string            `json:"executable,omitempty"`
	Argv           []string            `json:"argv"`
	Env            map[string]string   `json:"env"`
	Rlimits        map[string][2]int64 `json:"rlimits"`
	Build          []string            `json:"build,omitempty"`
	TimeoutMS      int64               `json:"timeout_ms"`
	BuildTimeoutMS int64               `json:"build_timeout_ms"`
	OutputLimit    int                 `json:"output_limit"`
	Harness        *wireHarness        `json:"harness,omitempty"`
	Archive        bool                `json:"archive,omitempty"`
	Base           string              `json:"base,omitempty"`
	Collect        []string            `json:"collect,omitempty"`
}

// wireHarness names a harness and the function of it one side runs.
type wireHarness struct {
	SHA    string `json:"sha"`
	Source string `json:"source,omitempty"` // only when the container has not preloaded it
	Worker string `json:"worker,omitempty"`
}

// wireJudge is the judge's part of a job: the worker never receives it.
type wireJudge struct {
	SHA    string `json:"sha"`
	Source string `json:"source,omitempty"`
	Judge  string `json:"judge"`
	Args   any    `json:"args"`
}

type wireResult struct {
	Status          string            `json:"status"`
	ExitCode        *int              `json:"exit_code"`
	Signal          int               `json:"signal"`
	Stdout          string            `json:"stdout"`
	Stderr          string            `json:"stderr"`
	StdoutBytes     int64             `json:"stdout_bytes"`
	StderrBytes     int64             `json:"stderr_bytes"`
	StdoutTruncated bool              `json:"stdout_truncated"`
	StderrTruncated bool              `json:"stderr_truncated"`
	Report          json.RawMessage   `json:"report"`
	HarnessError    string            `json:"harness_error"`
	BuildExitCode   *int              `json:"build_exit_code"`
	BuildMS         float64           `json:"build_ms"`
	BuildOutput     int               `json:"build_output_bytes"`
	Message         string            `json:"message"`
	RunMS           float64           `json:"run_ms"`
	CPUMS           *float64          `json:"cpu_ms"`
	Clean           bool              `json:"clean"`
	Dirty           string            `json:"dirty"`
	Collected       map[string]string `json:"collected"`
}

func sourceSHA(src string) string {
	sum := sha256.Sum256([]byte(src))
	return hex.EncodeToString(sum[:])
}

func encodeJob(job Job, l Limits, env map[string]string, loaded map[string]bool) ([]byte, error) {
	w := wireJob{
		Files:          make(map[string]string, len(job.Files)),
		Executable:     job.Executable,
		Argv:           job.Argv,
		Env:            make(map[string]string, len(env)+len(job.Env)),
		Build:          job.Build,
		TimeoutMS:      l.Timeout.Milliseconds(),
		BuildTimeoutMS: l.BuildTimeout.Milliseconds(),
		OutputLimit:    l.OutputLimit,
		Archive:        len(job.Archive) > 0,
		Base:           job.Base,
		Collect:        job.Collect,
		Rlimits: map[string][2]int64{
			"fsize":  {l.FileSize, l.FileSize},
			"nofile": {l.OpenFiles, l.OpenFiles},
			"core":   {0, 0},
		},
	}
	for name, data := range job.Files {
		w.Files[name] = base64.StdEncoding.EncodeToString(data)
	}
	for k, v := range env {
		w.Env[k] = v
	}
	for k, v := range job.Env {
		w.Env[k] = v
	}
	var judge []byte
	if h := job.Harness; h != nil {
		if len(job.Archive) > 0 {
			return nil, errors.New("encode job: a job with a harness cannot have an archive")
		}
		sha := sourceSHA(h.Source)
		w.Harness = &wireHarness{SHA: sha, Worker: h.Worker}
		j := wireJudge{SHA: sha, Judge: h.Judge, Args: h.Args}
		if !loaded[sha] {
			w.Harness.Source, j.Source = h.Source, h.Source
		}
		var err error
		if judge, err = json.Marshal(j); err != nil {
			return nil, fmt.Errorf("encode job: %w", err)
		}
	}
	data, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode job: %w", err)
	}
	// The supervisor reads "<worker length> <judge length>[ <archive
	// length>]\n", then the parts; the archive (sent by the caller) last.
	header := strconv.Itoa(len(data)) + " " + strconv.Itoa(len(judge))
	if len(job.Archive) > 0 {
		header += " " + strconv.Itoa(len(job.Archive))
	}
	out := make([]byte, 0, len(data)+len(judge)+32)
	out = append(out, header+"\n"...)
	out = append(out, data...)
	return append(out, judge...), nil
}

// errBoxLost means the container ended while it held a job.
var errBoxLost = errors.New("the sandbox container ended unexpectedly")

// run sends one job and waits for its result. reusable says whether the
// container may take another job.
func (b *box) run(ctx context.Context, eng Backend, job Job, l Limits) (res *Result, reusable bool, err error) {
	data, err := encodeJob(job, l, b.env, b.loaded)
	if err != nil {
		return nil, true, err
	}
	b.jobs++
	start := time.Now()
	backstop := l.wallBound() + 15*time.Second
	if len(job.Build) > 0 {
		backstop += l.BuildTimeout
	}
	// The archive's transfer counts too, at 8 MiB/s or better.
	backstop += time.Duration(len(job.Archive)>>23) * time.Second
	timer := time.NewTimer(backstop)
	defer timer.Stop()
	// The job is sent while its result is awaited: a container that stops
	// reading its input is stopped by the same bounds as one that does not
	// answer.
	sent := make(chan error, 1)
	go func() {
		if _, err := b.att.Stdin.Write(data); err != nil {
			sent <- &Error{Op: "send job", Err: err}
			return
		}
		if len(job.Archive) > 0 {
			if _, err := b.att.Stdin.Write(job.Archive); err != nil {
				sent <- &Error{Op: "send job's archive", Err: err}
				return
			}
		}
		sent <- nil
	}()
	for {
		select {
		case err := <-sent:
			if err != nil {
				return nil, false, err
			}
			sent = nil
			continue
		case line, ok := <-b.lines:
			if !ok {
				return b.lost(ctx, eng, start)
			}
			if sent != nil {
				// The supervisor reads the whole job before it answers.
				if err := <-sent; err != nil {
					return nil, false, err
				}
			}
			return b.result(line, start)
		case <-timer.C:
			// The supervisor itself did not answer: kill the whole container.
			return &Result{Status: StatusTimeout, Message: "the sandbox did not answer in time and was killed",
				Total: time.Since(start), Run: time.Since(start), Container: b.id}, false, nil
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// result reads the supervisor's answer to a job sent at start.
func (b *box) result(line []byte, start time.Time) (*Result, bool, error) {
	var w wireResult
	if err := json.Unmarshal(line, &w); err != nil {
		return nil, false, &Error{Op: "read result", Err: err}
	}
	res, err := w.result()
	if err != nil {
		return nil, false, err
	}
	res.Total = time.Since(start)
	res.Container = b.id
	return res, w.Clean && res.Status != StatusTimeout && res.Status != StatusMemory, nil
}

// lost explains a container that died during a job.
func (b *box) lost(ctx context.Context, eng Backend, start time.Time) (*Result, bool, error) {
	st, err := eng.State(context.WithoutCancel(ctx), b.id)
	if err == nil && st.OOMKilled {
		return &Result{Status: StatusMemory, Message: "the container ran out of memory",
			Total: time.Since(start), Container: b.id}, false, nil
	}
	return nil, false, &Error{Op: "run job", Err: fmt.Errorf("%w (exit code %d): %s", errBoxLost, st.ExitCode, b.diag.String())}
}

func (w *wireResult) result() (*Result, error) {
	r := &Result{
		Status:          Status(w.Status),
		Signal:          w.Signal,
		StdoutBytes:     w.StdoutBytes,
		StderrBytes:     w.StderrBytes,
		StdoutTruncated: w.StdoutTruncated,
		StderrTruncated: w.StderrTruncated,
		HarnessError:    w.HarnessError,
		BuildExitCode:   w.BuildExitCode,
		Message:         w.Message,
		Run:             time.Duration(w.RunMS * float64(time.Millisecond)),
	}
	if w.CPUMS != nil {
		r.CPU = time.Duration(*w.CPUMS * float64(time.Millisecond))
	}
	if w.ExitCode != nil {
		r.ExitCode = *w.ExitCode
	} else if r.Status == StatusExited {
		r.ExitCode = -1
	}
	if len(w.Report) > 0 && string(w.Report) != "null" {
		r.Report = []byte(w.Report)
	}
	var err error
	if r.Stdout, err = base64.StdEncoding.DecodeString(w.Stdout); err != nil {
		return nil, &Error{Op: "read result", Err: err}
	}
	if r.Stderr, err = base64.StdEncoding.DecodeString(w.Stderr); err != nil {
		return nil, &Error{Op: "read result", Err: err}
	}
	for name, b64 := range w.Collected {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, &Error{Op: "read result", Err: err}
		}
		if r.Collected == nil {
			r.Collected = make(map[string][]byte, len(w.Collected))
		}
		r.Collected[name] = data
	}
	if w.BuildExitCode != nil {
		n := min(max(w.BuildOutput, 0), len(r.Stderr))
		r.BuildOutput, r.Stderr = r.Stderr[:n:n], r.Stderr[n:]
		r.StderrBytes -= int64(n)
		r.Build = time.Duration(w.BuildMS * float64(time.Millisecond))
	}
	switch r.Status {
	case StatusExited, StatusSignaled, StatusTimeout, StatusMemory, StatusOutputLimit:
	default:
		return nil, &Error{Op: "run job", Err: fmt.Errorf("supervisor: %s", w.Message)}
	}
	if r.Status == StatusTimeout && r.Message == "" {
		r.Message = "the time limit fired"
	}
	if r.Status == StatusOutputLimit && r.Message == "" {
		r.Message = "output passed the limit of " + strconv.Itoa(len(r.Stdout)) + " bytes"
	}
	return r, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

func hostFromEnv() string { return os.Getenv("DOCKER_HOST") }
