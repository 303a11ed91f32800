// Package sandbox runs untrusted programs in hardened, single-purpose
// containers and reports what happened to them.
//
// A Job is files, a command and limits; a Result says how the job ended
// (exited, killed by a signal, timeout, out of memory, output limit, or a
// sandbox error that is never the program's fault). Containers come from a
// Backend; Engine, the Docker Engine, is the first, and Docker's types never
// leave its file (engine.go) and the image builder (image.go).
package sandbox

import (
	"encoding/json"
	"fmt"
	"time"
)

// Limits bound one job. Zero fields take the defaults of DefaultLimits.
type Limits struct {
	// Timeout bounds the run's time, counted in the CPU time the job uses
	// (so that a busy machine does not turn a slow, correct program into a
	// timeout); a program that waits rather than works is stopped by the
	// wall clock at twice Timeout, and at most 10 s after it.
	Timeout      time.Duration
	BuildTimeout time.Duration // wall clock for Job.Build, counted apart
	Memory       int64         // bytes of memory, swap included
	CPUs         float64       // CPU quota in cores
	Pids         int64         // processes and threads
	OutputLimit  int           // bytes kept of stdout and of stderr each
	FileSize     int64         // largest file the job may write
	OpenFiles    int64         // file descriptors per process
	ScratchSize  int64         // bytes of each writable directory (/work, /tmp)
}

// DefaultLimits are the reference limits the hostile corpus assumes.
func DefaultLimits() Limits {
	return Limits{
		Timeout:      10 * time.Second,
		BuildTimeout: 2 * time.Minute,
		Memory:       512 << 20,
		CPUs:         1,
		Pids:         128,
		OutputLimit:  1 << 20,
		FileSize:     64 << 20,
		OpenFiles:    256,
		ScratchSize:  64 << 20,
	}
}

// wallBound is when the wall clock stops a job that waits.
func (l Limits) wallBound() time.Duration { return l.Timeout + min(l.Timeout, 10*time.Second) }

// withDefaults fills the zero fields of l from d.
func (l Limits) withDefaults(d Limits) Limits {
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.BuildTimeout <= 0 {
		l.BuildTimeout = d.BuildTimeout
	}
	if l.Memory <= 0 {
		l.Memory = d.Memory
	}
	if l.CPUs <= 0 {
		l.CPUs = d.CPUs
	}
	if l.Pids <= 0 {
		l.Pids = d.Pids
	}
	if l.OutputLimit <= 0 {
		l.OutputLimit = d.OutputLimit
	}
	if l.FileSize <= 0 {
		l.FileSize = d.FileSize
	}
	if l.OpenFiles <= 0 {
		l.OpenFiles = d.OpenFiles
	}
	if l.ScratchSize <= 0 {
		l.ScratchSize = d.ScratchSize
	}
	return l
}

// containerLimits are the limits fixed when a container is made; a pooled
// container serves only jobs whose container limits match its own.
type containerLimits struct {
	Memory      int64
	CPUs        float64
	Pids        int64
	ScratchSize int64
}

func (l Limits) container() containerLimits {
	return containerLimits{Memory: l.Memory, CPUs: l.CPUs, Pids: l.Pids, ScratchSize: l.ScratchSize}
}

// Harness is a trusted Python program that runs beside the job's untrusted
// code, in a separate process of another user: Worker (a function name in
// Source) runs in the untrusted process, Judge in the trusted one, and they
// talk over a pipe. Judge's return value becomes Result.Report. Only Judge
// sees Args.
type Harness struct {
	Source string
	Worker string
	Judge  string
	Args   any
}

// Job is one program to run.
type Job struct {
	Files      map[string][]byte // relative paths below the working directory
	Executable []string          // which of Files get the executable bit
	Argv       []string          // the command; a `python3 file.py` runs in a warm interpreter
	Env        map[string]string // added to the minimal default environment
	Build      []string          // optional command run first, under Limits.BuildTimeout
	Harness    *Harness          // optional trusted harness (Argv is then passed to its worker)
	// Archive is a tar stream unpacked into the working directory before
	// Files are written (a repository's snapshot, say). It is sent as it
	// is, beside the job, never inside it; a job with a Harness has none.
	Archive []byte
	// Base is a folder of the image (a setup step's, BaseDir) copied into
	// the working directory first, before Archive and Files.
	Base string
	// Collect names files the job leaves in /tmp (bare names) that come
	// back in Result.Collected: a test runner's report, say. Only regular
	// files the program wrote are read, at most Limits.OutputLimit bytes
	// each.
	Collect []string
	Limits  Limits
}

// Status says how a job ended.
type Status string

const (
	StatusExited       Status = "exited"       // the program exited by itself (ExitCode)
	StatusSignaled     Status = "signaled"     // killed by a signal no limit sent (Signal)
	StatusTimeout      Status = "timeout"      // the wall-clock limit fired
	StatusMemory       Status = "memory"       // the memory limit fired
	StatusOutputLimit  Status = "output-limit" // stdout or stderr passed its cap
	StatusSandboxError Status = "sandbox-error"
)

// Result is what a job did.
type Result struct {
	Status          Status
	ExitCode        int
	Signal          int
	Stdout, Stderr  []byte // raw bytes, at most Limits.OutputLimit each
	StdoutBytes     int64  // bytes the program wrote, kept or not
	StderrBytes     int64
	StdoutTruncated bool
	StderrTruncated bool
	Report          []byte // the harness's verdict (JSON), if the job had a harness
	// Collected are the files of Job.Collect the job left, by name.
	Collected    map[string][]byte
	HarnessError string // the harness itself failed
	// The build step's exit code, output (stdout and stderr, at the head of
	// the stderr cap) and time, when the job had one.
	BuildExitCode *int
	BuildOutput   []byte
	Build         time.Duration
	Message       string        // a one-line explanation for timeouts, memory, sandbox errors
	Run           time.Duration // from start of the run to its end
	CPU           time.Duration // CPU time the container used during the job (0 if unknown)
	Total         time.Duration // the whole job as the caller saw it
	Container     string        // id of the container that ran it
}

// OK reports whether the program exited with status 0 and no limit fired.
func (r *Result) OK() bool { return r.Status == StatusExited && r.ExitCode == 0 }

// Summary is a one-line description of how the job ended.
func (r *Result) Summary() string {
	switch r.Status {
	case StatusExited:
		return fmt.Sprintf("exited with status %d", r.ExitCode)
	case StatusSignaled:
		return fmt.Sprintf("killed by signal %d", r.Signal)
	case StatusTimeout:
		return "timed out"
	case StatusMemory:
		return "ran out of memory"
	case StatusOutputLimit:
		return "wrote more output than allowed"
	default:
		return "sandbox error: " + r.Message
	}
}

// MarshalJSON writes the result for people and tools: output as UTF-8 text
// (invalid bytes replaced, NULs escaped) beside the byte counts the program
// really wrote, and durations in milliseconds.
func (r *Result) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(struct {
		Status          Status          `json:"status"`
		ExitCode        int             `json:"exit_code"`
		Signal          int             `json:"signal,omitempty"`
		Message         string          `json:"message,omitempty"`
		Stdout          string          `json:"stdout"`
		Stderr          string          `json:"stderr"`
		StdoutBytes     int64           `json:"stdout_bytes"`
		StderrBytes     int64           `json:"stderr_bytes"`
		StdoutTruncated bool            `json:"stdout_truncated"`
		StderrTruncated bool            `json:"stderr_truncated"`
		Report          json.RawMessage `json:"report,omitempty"`
		BuildExitCode   *int            `json:"build_exit_code,omitempty"`
		BuildOutput     string          `json:"build_output,omitempty"`
		BuildMS         float64         `json:"build_ms,omitempty"`
		RunMS           float64         `json:"run_ms"`
		CPUMS           float64         `json:"cpu_ms"`
		TotalMS         float64         `json:"total_ms"`
	}{r.Status, r.ExitCode, r.Signal, r.Message, string(r.Stdout), string(r.Stderr), r.StdoutBytes, r.StderrBytes,
		r.StdoutTruncated, r.StderrTruncated, r.Report, r.BuildExitCode, string(r.BuildOutput), ms(r.Build),
		ms(r.Run), ms(r.CPU), ms(r.Total)})
}

// Error is a failure of the sandbox itself (the engine, the image, the
// supervisor), never of the program under test.
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "sandbox: " + e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
