package bugs

import (
	"bytes"
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
	"sync/atomic"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages/builtin"
)

// runTimeout bounds one run of a repository's tests in its image.
const runTimeout = 60 * time.Second

// maxContainers is how many test runs go at once (the machine has 2 cores).
const maxContainers = 2

// A run is how a repository's test command ended in its image.
type run struct {
	code     int  // the exit status (-1 when killed)
	timedOut bool // stopped at runTimeout
	output   string
}

func (r run) passed() bool { return !r.timedOut && r.code == 0 }

func (r run) String() string {
	if r.timedOut {
		return fmt.Sprintf("timed out after %v", runTimeout)
	}
	return fmt.Sprintf("exit %d", r.code)
}

// tail is the end of the run's output.
func (r run) tail() string {
	const n = 3000
	if len(r.output) > n {
		return "…" + r.output[len(r.output)-n:]
	}
	return r.output
}

var containerSeq atomic.Int64

// runInImage copies the repository at dir into a container of image, as
// repository mode does (read-only root, /work and /tmp writable, uid
// 10001, no network, a minimal environment), and runs command at /work.
// /work is made by cd rather than -w: Docker 20.10 gives a -w directory
// mode 0755, which takes the tmpfs's mode=1777 away.
func runInImage(t *testing.T, image, dir, command string) run {
	t.Helper()
	name := fmt.Sprintf("selfrepair-bugs-test-%d-%d", os.Getpid(), containerSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", "run", "--rm", "--name", name, "--network", "none", "--read-only",
		"--tmpfs", "/tmp:exec,mode=1777", "--tmpfs", "/work:exec,mode=1777", "-u", "10001:10001",
		"-e", "HOME=/tmp", "-e", "TMPDIR=/tmp", "-e", "LANG=C.UTF-8", "-e", "PATH=/usr/local/bin:/usr/bin:/bin",
		"-v", dir+":/src:ro", image, "sh", "-c", "cd /work && cp -r /src/. /work && "+command)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r := run{output: out.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.timedOut, r.code = true, -1
		// Killing the client leaves the container running.
		if out, err := exec.Command("docker", "rm", "-f", name).CombinedOutput(); err != nil && !strings.Contains(string(out), "No such container") {
			t.Logf("docker rm -f %s: %v: %s", name, err, out)
		}
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
		if r.code == 125 { // docker run's own failure
			t.Fatalf("docker run: %s", r.output)
		}
	case err != nil:
		t.Fatalf("docker run: %v", err)
	}
	return r
}

// sample is the tasks the test runs: all of them, or n spread over the
// set, the same every time.
func sample(tasks []Task, n int, all bool) []Task {
	if all || len(tasks) <= n {
		return tasks
	}
	var out []Task
	for i := range n {
		// 1, the middle one, the last one (for n = 3).
		k := 1 + i*(len(tasks)-2)/(n-1)
		out = append(out, tasks[k])
	}
	return out
}

// fixedVersion is t with its fix applied.
func fixedVersion(t Task) Task {
	t.Files = maps.Clone(t.Files)
	maps.Copy(t.Files, t.Fixed)
	return t
}

// TestReferencesInImages writes the buggy and the fixed repository of
// some tasks of every set and language (3 each; SELFREPAIR_BUGS_ALL=1: all
// of them) and runs their test commands in the languages' images: the
// fixed version must pass and the buggy one fail, except the Defects.
// It needs Docker and the images (make images); -short skips it.
func TestReferencesInImages(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker and the language images")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("needs Docker")
	}
	all := os.Getenv("SELFREPAIR_BUGS_ALL") == "1"
	reg := builtin.Registry()
	type group struct {
		set, language, image string
		tasks                []Task
		defects              map[string]string
	}
	var groups []group
	for _, s := range sets {
		lang, err := reg.Language(s.language)
		if err != nil {
			t.Fatal(err)
		}
		image := lang.ImageRef()
		if out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", image).CombinedOutput(); err != nil {
			t.Fatalf("the image %s is missing (make images): %s", image, bytes.TrimSpace(out))
		}
		groups = append(groups, group{s.set, s.language, image, sample(load(t, s.set, s.language), 2, all), Defects(s.set, s.language)})
	}

	type count struct{ tasks, good, defects, bad int }
	var mu sync.Mutex
	counts := map[string]*count{}
	var found []string // defects seen, and tasks that misbehave
	sem := make(chan struct{}, maxContainers)
	t.Run("tasks", func(t *testing.T) {
		for _, g := range groups {
			key := g.set + "/" + g.language
			counts[key] = &count{}
			for _, task := range g.tasks {
				t.Run(task.ID, func(t *testing.T) {
					t.Parallel()
					sem <- struct{}{}
					defer func() { <-sem }()
					results := map[string]run{}
					for _, v := range []struct {
						name string
						task Task
					}{{"fixed", fixedVersion(task)}, {"buggy", task}} {
						dir := filepath.Join(t.TempDir(), v.name) // made by Write, 0755: the container's user reads it
						if err := v.task.Write(context.Background(), dir); err != nil {
							t.Fatal(err)
						}
						results[v.name] = runInImage(t, g.image, dir, task.Test)
					}
					fixed, buggy := results["fixed"], results["buggy"]
					good := fixed.passed() && !buggy.passed()
					mu.Lock()
					defer mu.Unlock()
					c := counts[key]
					c.tasks++
					reason, defect := g.defects[task.ID]
					switch {
					case defect:
						c.defects++
						found = append(found, fmt.Sprintf("%s (fixed: %v, buggy: %v): a defect: %s", task.ID, fixed, buggy, reason))
						if good {
							t.Logf("%s is listed as a defect but behaves as a repair task now (fixed passes, buggy fails)", task.ID)
						}
					case good:
						c.good++
					default:
						c.bad++
						found = append(found, fmt.Sprintf("%s (fixed: %v, buggy: %v): NOT A DEFECT", task.ID, fixed, buggy))
						if !fixed.passed() {
							t.Errorf("the fixed version fails (%v):\n%s", fixed, fixed.tail())
						}
						if buggy.passed() {
							t.Errorf("the buggy version passes:\n%s", buggy.tail())
						}
					}
				})
			}
		}
	})
	keys := slices.Sorted(maps.Keys(counts))
	for _, k := range keys {
		c := counts[k]
		t.Logf("%s: %d tasks: %d fixed pass and buggy fail, %d known defects, %d misbehave", k, c.tasks, c.good, c.defects, c.bad)
	}
	slices.Sort(found)
	for _, f := range found {
		t.Log(f)
	}
}
