package fix_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// startSim serves the simulator, knowing repos, on a local port; its URL.
func startSim(t *testing.T, o sim.Options) string {
	t.Helper()
	o.Languages = builtin.Registry().Languages()
	srv, err := sim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String() + "/v1"
}

var calcRepo = sim.Repo{Name: "calc", Fixed: map[string]string{"calc.py": strings.Replace(calc["calc.py"], "a - b", "a + b", 1)},
	Tests: []string{"test_calc.py"}}

// TestFixWithSim: whatever the simulated model's first answer (a wrong
// fix, shifted indentation, an ambiguous block, a test-file edit, a whole
// file), the fix ends fixed, and the patch makes the tests pass.
func TestFixWithSim(t *testing.T) {
	needDocker(t)
	url := startSim(t, sim.Options{Repos: []sim.Repo{calcRepo}, FirstPass: -1})
	dir := repotest.New(t, calc)
	for seed := range uint64(6) {
		cfg := config(t, dir, url)
		cfg.Model.Name, cfg.Seed = sim.DefaultModel, seed
		res, err := fix.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Ending != fix.Fixed || res.Patch == "" {
			t.Errorf("seed %d: %s after %d rounds", seed, res.Ending, res.Rounds)
			continue
		}
		clean := t.TempDir()
		repotest.Git(t, clean, "clone", "-q", dir, ".")
		repotest.Git(t, clean, "apply", res.Patch)
		if b, _ := os.ReadFile(filepath.Join(clean, "calc.py")); string(b) != calcRepo.Fixed["calc.py"] {
			t.Errorf("seed %d: the patched file is\n%s", seed, b)
		}
	}
}

// childEnv runs the test binary as a fix of the repository in it (see TestMain).
const childEnv = "SELFREPAIR_FIX_CHILD"

type childConfig struct {
	Dir, Out, URL string
	Seed          uint64
	Rounds        int
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		var c childConfig
		json.Unmarshal([]byte(spec), &c)
		cfg := fixConfig(c)
		if _, err := fix.Run(context.Background(), cfg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func fixConfig(c childConfig) fix.Config {
	cfg := config(nil, c.Dir, c.URL)
	cfg.Out, cfg.Seed, cfg.Rounds = c.Out, c.Seed, c.Rounds
	cfg.Model.Name = sim.DefaultModel
	cfg.Limits = sandbox.Limits{Timeout: 20 * time.Second}
	return cfg
}

// TestKillResume: a fix killed with SIGKILL after its first attempt, then
// resumed, records the same attempts as one that was not, and leaves no
// container behind.
func TestKillResume(t *testing.T) {
	needDocker(t)
	// Repairs fix half the time, so that the fix takes several rounds.
	url := startSim(t, sim.Options{Repos: []sim.Repo{calcRepo}, FirstPass: -1, RepoRepairRate: 0.3, Latency: 300 * time.Millisecond})
	dir := repotest.New(t, calc)
	seed := uint64(0)
	var whole *fix.Result
	for ; seed < 40; seed++ {
		c := childConfig{Dir: dir, Out: filepath.Join(t.TempDir(), "whole"), URL: url, Seed: seed, Rounds: 6}
		res, err := fix.Run(context.Background(), fixConfig(c))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Attempts) >= 3 {
			whole = res
			break
		}
	}
	if whole == nil {
		t.Fatal("no seed made a fix of three rounds")
	}
	c := childConfig{Dir: dir, Out: filepath.Join(t.TempDir(), "killed"), URL: url, Seed: seed, Rounds: 6}
	spec, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	attempts := filepath.Join(c.Out, rundir.AttemptsFile)
	deadline := time.Now().Add(2 * time.Minute)
	for lines(attempts) < 1 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the child recorded no attempt: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if n := lines(attempts); n >= len(whole.Attempts) {
		t.Fatalf("the child finished (%d attempts) before it was killed", n)
	}
	cfg := fixConfig(c)
	res, err := fix.Resume(context.Background(), c.Out, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ending != whole.Ending || len(res.Attempts) != len(whole.Attempts) {
		t.Fatalf("resumed: %s after %d attempts; uninterrupted: %s after %d", res.Ending, len(res.Attempts), whole.Ending, len(whole.Attempts))
	}
	for i := range res.Attempts {
		if a, b := same(res.Attempts[i]), same(whole.Attempts[i]); a != b {
			t.Errorf("attempt %d differs:\n%s\n%s", i, a, b)
		}
	}
	eng, err := sandbox.NewEngine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var m rundir.Manifest
	b, _ := os.ReadFile(filepath.Join(c.Out, rundir.ManifestFile))
	json.Unmarshal(b, &m)
	left, err := eng.List(context.Background(), "io.selfrepair.run")
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range left {
		if ci.Labels["io.selfrepair.owner"] != "" && strings.HasSuffix(ci.Labels["io.selfrepair.owner"], fmt.Sprintf(":%d", cmd.Process.Pid)) {
			t.Errorf("container %s of the killed fix is left", ci.ID)
		}
	}
}

// same is an attempt without its timing and provenance fields.
func same(a rundir.Attempt) string {
	a.CacheHit, a.Reused, a.LLMAttempts, a.LLMMS, a.RunMS, a.ExecMS, a.Time = false, false, 0, 0, 0, 0, time.Time{}
	b, _ := json.Marshal(a)
	return string(b)
}

func lines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<24)
	for s.Scan() {
		n++
	}
	return n
}
