package fix_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/bugs"
	"github.com/selfrepair/selfrepair/tasks/repo"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// dataDir is the shared datasets folder, seen from this package.
var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

// allEnv runs every task of TestBugs (make fix-all) when it is 1, or
// every task of the set/language pairs it lists (quixbugs/java,
// humanevalfix/rust) and no other; unset, a sample of each.
const allEnv = "SELFREPAIR_FIX_ALL"

// sample is how many tasks of each HumanEvalFix language make test fixes
// and of QuixBugs (make fix-all fixes every one).
func sample(set, lang string) int {
	switch {
	case set == bugs.QuixBugs && lang == "python":
		return 6
	case set == bugs.QuixBugs:
		return 2
	}
	return 1
}

// TestBugs: fix, against the simulator, fixes HumanEvalFix tasks in every
// language and QuixBugs programs; each patch applies with git apply to a
// clean clone and its tests pass there, and the user's tree is untouched.
func TestBugs(t *testing.T) {
	needDocker(t)
	only := os.Getenv(allEnv)
	all := only != ""
	var jobs []bugs.Task
	for _, set := range []string{bugs.HumanEvalFix, bugs.QuixBugs} {
		for _, lang := range bugs.Languages(set) {
			if all && only != "1" && !slices.Contains(strings.Split(only, ","), set+"/"+lang) {
				continue
			}
			ts, err := bugs.Load(dataDir, set, lang)
			if err != nil {
				t.Fatal(err)
			}
			defects := bugs.Defects(set, lang)
			var ok []bugs.Task
			for _, task := range ts {
				if _, bad := defects[task.ID]; !bad {
					ok = append(ok, task)
				}
			}
			n := len(ok)
			if !all {
				n = min(n, sample(set, lang))
			}
			// A spread of the tasks, the same every time: the middles of
			// n equal parts.
			for i := range n {
				jobs = append(jobs, ok[(2*i+1)*len(ok)/(2*n)])
			}
		}
	}
	repos := make([]sim.Repo, len(jobs))
	for i, task := range jobs {
		repos[i] = sim.Repo{Name: task.ID, Fixed: task.Fixed, Tests: task.Tests}
	}
	url := startSim(t, sim.Options{Repos: repos})
	var (
		mu     sync.Mutex
		counts = map[string][2]int{} // set/language → fixed, tried
		failed []string
	)
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, task := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			err := fixOne(t, task, url)
			mu.Lock()
			defer mu.Unlock()
			key := task.Set + "/" + task.Language
			c := counts[key]
			c[1]++
			if err == nil {
				c[0]++
			} else {
				failed = append(failed, fmt.Sprintf("%s: %v", task.ID, err))
			}
			counts[key] = c
			if all {
				// Progress of a long make fix-all (go test -v shows it as it comes).
				done := 0
				for _, c := range counts {
					done += c[1]
				}
				t.Logf("%d/%d %s: %s in %.1fs", done, len(jobs), task.ID, map[bool]string{true: "fixed", false: "NOT fixed"}[err == nil], time.Since(start).Seconds())
			}
		})
	}
	wg.Wait()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.Logf("%s: %d of %d fixed", k, counts[k][0], counts[k][1])
	}
	slices.Sort(failed)
	for _, f := range failed {
		t.Error(f)
	}
}

// fixOne fixes one task's repository and checks the patch on a clean clone.
func fixOne(t *testing.T, task bugs.Task, url string) error {
	ctx := context.Background()
	dir := t.TempDir()
	if err := task.Write(ctx, dir); err != nil {
		return err
	}
	before := repotest.TreeHash(t, dir)
	cfg := config(t, dir, url)
	cfg.Test, cfg.Language, cfg.TestFiles, cfg.Rounds = task.Test, task.Language, task.Tests, 4
	cfg.Model.Name = sim.DefaultModel
	// QuixBugs' buggy BITCOUNT takes 28 s to fail (every test hits JUnit's
	// timeout).
	cfg.Limits = sandbox.Limits{Timeout: 60 * time.Second}
	res, err := fix.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if res.Ending != fix.Fixed {
		return fmt.Errorf("%s after %d rounds (targets %v)", res.Ending, res.Rounds, res.Fix.Targets)
	}
	if repotest.TreeHash(t, dir) != before {
		return fmt.Errorf("the user's tree changed")
	}
	clean := t.TempDir()
	repotest.Git(t, clean, "clone", "-q", dir, ".")
	repotest.Git(t, clean, "apply", res.Patch)
	return passes(ctx, t, task, clean)
}

// passes runs the task's tests once on dir in the language's image.
func passes(ctx context.Context, t *testing.T, task bugs.Task, dir string) error {
	snap, err := repo.Take(ctx, dir, t.TempDir(), 0)
	if err != nil {
		return err
	}
	lang, err := builtin.Registry().Language(task.Language)
	if err != nil {
		return err
	}
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		return err
	}
	defer eng.Close()
	lim := fix.DefaultLimits()
	lim.Timeout = 30 * time.Second
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: lang.ImageRef(), Size: 1, Spare: -1, Limits: lim})
	if err != nil {
		return err
	}
	defer sb.Close()
	plan := fix.Plan(lang, task.Test)
	job, err := fix.TestJob(snap, plan, nil, "", lim)
	if err != nil {
		return err
	}
	res, err := sb.Run(ctx, job)
	if err != nil {
		return err
	}
	log := fix.ReadTests(plan, res)
	// Skipped tests are the runner's to skip (upstream marks some): the
	// clone passes when none fails and some ran.
	failing := 0
	for _, c := range log.Cases {
		if c.Status == testlog.Failed {
			failing++
		}
	}
	if !res.OK() || failing > 0 || len(log.Cases) == 0 {
		return fmt.Errorf("the patched clone fails its tests (%s, %d of %d tests not passing): %s", res.Summary(), failing,
			len(log.Cases), lastOf(string(res.Stdout)+string(res.Stderr)))
	}
	return nil
}

func lastOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return strings.Join(lines, "\n")
}
