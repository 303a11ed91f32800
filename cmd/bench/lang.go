package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// humanEvalX is the HumanEval-X dataset of a language.
func humanEvalX(lang string) string {
	if lang == "javascript" {
		return "humaneval-x/js"
	}
	return "humaneval-x/" + lang
}

// benchLanguage times HumanEval-X's canonical solutions in language lang
// two ways, with the same parallelism:
//
//	(a) the pooled sandbox, as evaluate runs them
//	(c) bare: the same jobs' build and run commands straight on the host,
//	    with the same toolchain: in the language image's file tree (chroot,
//	    in a mount namespace of its own per job, with a fresh /tmp and the
//	    job's files as /work), without a container, limits or supervisor
func benchLanguage(ctx context.Context, eng *sandbox.Engine, lang languages.Language, dataDir string, par, rounds int) error {
	ds, err := tasks.Load(humanEvalX(lang.Name()), dataDir)
	if err != nil {
		return err
	}
	samples := make([]tasks.Sample, len(ds.Tasks))
	jobs := make([]sandbox.Job, len(ds.Tasks))
	for i, t := range ds.Tasks {
		samples[i] = t.ReferenceSample()
		jobs[i] = lang.Job(t, t.Program(samples[i]), sandbox.Limits{})
		if jobs[i].Harness != nil {
			return fmt.Errorf("%s: its jobs run a harness in the sandbox's supervisor, which has no bare equivalent", lang.Name())
		}
	}
	fmt.Printf("\n%s: %s canonical solutions, %d samples, parallelism %d, best of %d\n", lang.Name(), ds.Name, len(samples), par, rounds)
	root, err := os.MkdirTemp("", "selfrepair-bench-root-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	if err := exportImage(ctx, lang.ImageRef(), root); err != nil {
		return err
	}
	bare, err := best(rounds, func() (time.Duration, int, error) { return runChroot(ctx, root, jobs, par) })
	if err != nil {
		return err
	}
	report("(c) bare build and run, same toolchain", bare, 0)
	pooled, err := best(rounds, func() (time.Duration, int, error) {
		sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: lang.ImageRef(), Isolation: sandbox.Pooled, Size: par, Preload: lang.Preload()})
		if err != nil {
			return 0, 0, err
		}
		defer sb.Close()
		if err := sb.Warm(ctx); err != nil {
			return 0, 0, err
		}
		start := time.Now()
		recs, err := evaluate.Run(ctx, evaluate.Options{Runner: sb, Language: lang, Dataset: ds, Samples: samples, Concurrency: par})
		if err != nil {
			return 0, 0, err
		}
		n := 0
		for _, r := range recs {
			if r.Passed {
				n++
			}
		}
		return time.Since(start), n, nil
	})
	if err != nil {
		return err
	}
	report("(a) pooled sandbox (warm)", pooled, bare.d)
	fmt.Printf("ratio %s (a)/(c) = %.2f   (target ≤ 1.0)\n", lang.Name(), float64(pooled.d)/float64(bare.d))
	return nil
}

// exportImage unpacks the file tree of image ref into dir.
func exportImage(ctx context.Context, ref, dir string) error {
	out, err := exec.CommandContext(ctx, "docker", "create", ref, "true").Output()
	if err != nil {
		return fmt.Errorf("docker create %s: %w", ref, err)
	}
	id := strings.TrimSpace(string(out))
	defer exec.Command("docker", "rm", id).Run()
	export := exec.CommandContext(ctx, "docker", "export", id)
	untar := exec.CommandContext(ctx, "tar", "-x", "-C", dir)
	pipe, err := export.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	if err := export.Start(); err != nil {
		return err
	}
	if err := untar.Run(); err != nil {
		return fmt.Errorf("unpack %s: %w", ref, err)
	}
	if err := export.Wait(); err != nil {
		return fmt.Errorf("docker export %s: %w", ref, err)
	}
	return os.MkdirAll(filepath.Join(dir, "work"), 0o755)
}

// chrootScript runs in a new mount namespace: $1 is the image's tree, $2
// the job's folder; the rest is the command to run in the tree.
const chrootScript = `set -e
mount --bind "$2" "$1/work"
mount -t proc proc "$1/proc"
mount -t tmpfs tmpfs "$1/tmp"
root=$1
shift 2
exec chroot "$root" "$@"`

// runChroot runs jobs in the tree at root, par at a time; a job passes
// when its build and run exit 0 and its output ends with its token.
func runChroot(ctx context.Context, root string, jobs []sandbox.Job, par int) (time.Duration, int, error) {
	if os.Geteuid() != 0 {
		return 0, 0, errors.New("the bare run needs root (chroot and mounts)")
	}
	dir, err := os.MkdirTemp("", "selfrepair-bench-jobs-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	var (
		mu     sync.Mutex
		passed int
		first  error
		wg     sync.WaitGroup
		sem    = make(chan struct{}, par)
	)
	for i, job := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ok, err := runJobChroot(ctx, root, filepath.Join(dir, fmt.Sprint(i)), job)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				passed++
			}
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	return time.Since(start), passed, first
}

func runJobChroot(ctx context.Context, root, jobDir string, job sandbox.Job) (bool, error) {
	for name, body := range job.Files {
		p := filepath.Join(jobDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return false, err
		}
		mode := os.FileMode(0o644)
		if slices.Contains(job.Executable, name) {
			mode = 0o755
		}
		if err := os.WriteFile(p, body, mode); err != nil {
			return false, err
		}
	}
	env := map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8"}
	maps.Copy(env, job.Env)
	// Build and run in one namespace: the build's output in /tmp stays
	// for the run, as in a sandbox job.
	script := "cd /work\n"
	if len(job.Build) > 0 {
		script += quote(job.Build) + " >&2 || exit 97\n"
	}
	script += "exec " + quote(job.Argv) + "\n"
	args := []string{"--mount", "--fork", "sh", "-c", chrootScript, "sh", root, jobDir, "env", "-i"}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		args = append(args, k+"="+env[k])
	}
	args = append(args, "sh", "-c", script)
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(cctx, "unshare", args...).Output()
	if err != nil {
		return false, nil
	}
	_, ok := languages.Completed(job, out)
	return ok, nil
}

// quote is argv as one sh command line.
func quote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
