package sandbox

import (
	"bytes"
	"context"
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

// A Committer is a Backend that saves containers as images: what a setup
// step needs.
type Committer interface {
	Backend
	Commit(ctx context.Context, id, ref string, labels map[string]string) error
	RemoveImage(ctx context.Context, ref string) error
}

// BaseDir is where a setup step's folder is in the image it makes: a job
// with Job.Base set to it starts from a copy of that folder.
const BaseDir = "/var/lib/selfrepair/base"

// Setup is a step that prepares an image for a run's jobs: the archive is
// unpacked into BaseDir, Command runs there (sh -c) once, and the container
// becomes the image Ref. It is the only step that may have a network; it
// runs as root with the few capabilities package managers use.
type Setup struct {
	Image   string
	Archive []byte
	Command string
	Network bool
	Ref     string
	Labels  map[string]string
	Limits  Limits // Timeout bounds the wall time; Memory, CPUs, Pids
}

// SetupResult is how a setup step ended.
type SetupResult struct {
	ExitCode int
	Output   []byte // its stdout and stderr, the last OutputLimit bytes
	Took     time.Duration
}

// ErrSetupFailed means the setup command did not exit 0 (or did not end in
// time): no image was made.
var ErrSetupFailed = errors.New("the setup command failed")

// RunSetup runs a setup step and commits its container as s.Ref. A command
// that fails (or times out) is ErrSetupFailed, with its output in the result.
func RunSetup(ctx context.Context, eng Committer, s Setup) (*SetupResult, error) {
	l := s.Limits.withDefaults(DefaultLimits())
	host, _ := os.Hostname()
	labels := map[string]string{labelTool: "selfrepair", labelOwner: host + ":" + strconv.Itoa(os.Getpid()),
		labelCreated: time.Now().UTC().Format(time.RFC3339)}
	maps.Copy(labels, s.Labels)
	env := baseEnv(nil)
	env["SELFREPAIR_SETUP"] = s.Command
	envList := make([]string, 0, len(env))
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	sort.Strings(envList)
	script := "set -e; mkdir -p " + BaseDir + "; cd " + BaseDir + "; tar -x -p --no-same-owner -f -; exec sh -c \"$SELFREPAIR_SETUP\" </dev/null"
	spec := ContainerSpec{
		Image: s.Image, Cmd: []string{"sh", "-c", script}, Env: envList, User: "0:0", WorkDir: "/", Labels: labels,
		Memory: l.Memory, CPUs: l.CPUs, Pids: l.Pids,
		Ulimits:         []Ulimit{{Name: "nofile", Soft: 4096, Hard: 4096}, {Name: "core", Soft: 0, Hard: 0}},
		NoNetwork:       !s.Network,
		Init:            true,
		CapAdd:          []string{"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID"},
		NoNewPrivileges: true,
	}
	start := time.Now()
	att, err := eng.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	defer eng.Remove(context.WithoutCancel(ctx), att.ID)
	out := &tailBuffer{max: l.OutputLimit}
	var wg sync.WaitGroup
	wg.Go(func() { io.Copy(out, att.Stdout) })
	wg.Go(func() { io.Copy(out, att.Stderr) })
	// tar reads whole records of 20 blocks: pad the archive to one, so that
	// it finds the end without waiting for more (stdin stays open).
	archive := s.Archive
	if r := len(archive) % (20 * 512); r != 0 || len(archive) == 0 {
		archive = append(append([]byte(nil), archive...), make([]byte, 20*512-r)...)
	}
	if _, err := io.Copy(att.Stdin, bytes.NewReader(archive)); err != nil {
		return nil, &Error{Op: "send the setup's files", Err: err}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(l.Timeout)
	defer timer.Stop()
	res := &SetupResult{}
	select {
	case <-done:
	case <-timer.C:
		eng.Remove(context.WithoutCancel(ctx), att.ID)
		<-done
		res.ExitCode, res.Output, res.Took = -1, []byte(out.String()), time.Since(start)
		return res, fmt.Errorf("%w: it did not end within %v", ErrSetupFailed, l.Timeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	att.Stdin.Close()
	res.Output, res.Took = []byte(out.String()), time.Since(start)
	var st ContainerState
	for {
		if st, err = eng.State(ctx, att.ID); err != nil {
			return nil, err
		}
		if !st.Running {
			break
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-timer.C:
			return res, fmt.Errorf("%w: it did not end within %v", ErrSetupFailed, l.Timeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	res.ExitCode = st.ExitCode
	if st.OOMKilled {
		return res, fmt.Errorf("%w: it ran out of memory (%d MiB)", ErrSetupFailed, l.Memory>>20)
	}
	if st.ExitCode != 0 {
		return res, fmt.Errorf("%w: it exited with status %s", ErrSetupFailed, strconv.Itoa(st.ExitCode))
	}
	if err := eng.Commit(ctx, att.ID, s.Ref, s.Labels); err != nil {
		return nil, err
	}
	return res, nil
}
