package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/bugs"
	"github.com/selfrepair/selfrepair/tasks/repo"
)

// benchFix times what a round of repository mode adds to the tests' own
// time: the snapshot's tar stream, the job in a warm pooled container, the
// report collected and read. It runs the test command of a QuixBugs
// repository, and of the same repository with extra source files added
// (a larger one), rounds times each in the sandbox and bare on the host (in
// a copy of the snapshot, with hostPython's pytest), and prints the
// medians and their difference.
func benchFix(ctx context.Context, eng *sandbox.Engine, dataDir, hostPython string, extra, rounds int) error {
	ts, err := bugs.Load(dataDir, bugs.QuixBugs, "python")
	if err != nil {
		return err
	}
	// A program whose buggy version fails fast (bitcount's loops forever).
	task := ts[0]
	for _, t := range ts {
		if strings.HasSuffix(t.ID, "/sieve") {
			task = t
		}
	}
	if out, err := exec.Command(hostPython, "-c", "import pytest").CombinedOutput(); err != nil {
		return fmt.Errorf("the host's %s has no pytest (apt-get install python3-pytest): %s", hostPython, strings.TrimSpace(string(out)))
	}
	lang, err := builtin.Registry().Language(task.Language)
	if err != nil {
		return err
	}
	v, err := eng.Version(ctx)
	if err != nil {
		return err
	}
	// The storage driver matters. Measured here: python3 -m pytest
	// --version in a container took 0.30 s as the worker user under
	// fuse-overlayfs, 0.19 s as root, 0.20 s as the worker once the
	// container's / (0755, Docker's) lost its group bits; under overlay2
	// 0.14 s as either.
	fmt.Printf("\nrepository mode: overhead of a round over the same tests run on the host (%s, median of %d; %s %s, storage driver %s)\n",
		task.ID, rounds, v.Name, v.Version, v.Storage)
	for _, size := range []int{0, extra} {
		dir, err := os.MkdirTemp("", "selfrepair-bench-fix-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		t := task
		t.Files = make(map[string]string, len(task.Files)+size)
		for p, c := range task.Files {
			t.Files[p] = c
		}
		for i := range size {
			t.Files[fmt.Sprintf("pkg/m%02d/mod_%04d.py", i%50, i)] = strings.Repeat(fmt.Sprintf("def f%d(x):\n    return x + %d\n\n\n", i, i), 40)
		}
		if err := t.Write(ctx, dir); err != nil {
			return err
		}
		snap, err := repo.Take(ctx, dir, os.TempDir(), 0)
		if err != nil {
			return err
		}
		defer snap.Remove()
		var bytes int64
		for _, f := range snap.Files {
			bytes += f.Size
		}
		plan := fix.Plan(lang, t.Test)
		lim := fix.DefaultLimits()
		lim.ScratchSize = max(lim.ScratchSize, 2*bytes+256<<20)
		sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: lang.ImageRef(), Size: 1, Spare: -1, Limits: lim})
		if err != nil {
			return err
		}
		var boxed, own, host []time.Duration
		for range rounds {
			start := time.Now()
			job, err := fix.TestJob(snap, plan, nil, "", lim)
			if err != nil {
				sb.Close()
				return err
			}
			res, err := sb.Run(ctx, job)
			if err != nil {
				sb.Close()
				return err
			}
			log := fix.ReadTests(plan, res)
			boxed = append(boxed, time.Since(start))
			own = append(own, res.Run)
			if len(log.Cases) == 0 {
				sb.Close()
				return fmt.Errorf("%s: the sandboxed run reported no test: %s", t.ID, res.Stderr)
			}
			h, err := hostRun(ctx, snap.Dir, plan, hostPython)
			if err != nil {
				sb.Close()
				return err
			}
			host = append(host, h)
		}
		sb.Close()
		b, o, h := median(boxed), median(own), median(host)
		fmt.Printf("  %5d files, %6.1f MiB: round in the sandbox %7.1f ms (the command itself %6.1f ms), on the host %6.1f ms: overhead %6.1f ms (target < 500 ms)\n",
			len(snap.Files), float64(bytes)/(1<<20), ms(b), ms(o), ms(h), ms(b-h))
	}
	return nil
}

// hostRun runs the plan's command bare in dir, with the host's python
// first on PATH, and its report written beside.
func hostRun(ctx context.Context, dir string, plan testlog.Plan, python string) (time.Duration, error) {
	tmp, err := os.MkdirTemp("", "selfrepair-bench-host-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "sh", "-c", plan.Command)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + filepath.Dir(python) + ":/usr/bin:/bin", "HOME=" + tmp, "TMPDIR=" + tmp, "LANG=C.UTF-8"}
	for k, v := range plan.Env {
		cmd.Env = append(cmd.Env, k+"="+strings.ReplaceAll(v, "/tmp/", tmp+"/"))
	}
	start := time.Now()
	cmd.Run() // the tests fail: that is the point of a fix
	return time.Since(start), nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
