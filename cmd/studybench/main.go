// Command studybench measures how well a self-repair study keeps the model
// busy: it runs a HumanEval study (164 tasks, 5 repair rounds by default)
// against the built-in simulator with a fixed latency per completion and
// prints the wall time divided by the ideal LLM-bound time, and the peak
// resident memory of the process.
//
// The ideal LLM-bound time is the larger of the model's total work spread
// over the concurrency (requests × latency ÷ concurrency) and the longest
// chain of requests one sample must make one after another (rounds ×
// latency): no schedule can beat it with that latency and concurrency.
// The sandbox's own bound (its busy time ÷ its size) is printed beside it:
// when it is larger, the machine, not the model, limits the study.
//
// Each sample count runs in its own process, so that peak memory is
// measured per study:
//
//	go run ./cmd/studybench                      # n = 5 and n = 20
//	go run ./cmd/studybench -samples 20 -tasks 40
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/agent/study"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/reports"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

type config struct {
	samples     string
	one         bool
	tasks       int
	rounds      int
	latency     time.Duration
	concurrency int
	sandboxes   int
	timeout     time.Duration
	feedback    string
	seed        uint64
}

func main() {
	var c config
	flag.StringVar(&c.samples, "samples", "5,20", "samples per task; each comma-separated count runs in its own process")
	flag.BoolVar(&c.one, "one", false, "run one study in this process (used by the parent)")
	flag.IntVar(&c.tasks, "tasks", 164, "HumanEval tasks (the first N)")
	flag.IntVar(&c.rounds, "rounds", 5, "repair rounds")
	flag.DurationVar(&c.latency, "latency", 500*time.Millisecond, "simulated latency per completion")
	flag.IntVar(&c.concurrency, "concurrency", 32, "model requests in flight")
	flag.IntVar(&c.sandboxes, "sandboxes", max(runtime.NumCPU(), 2)*2, "sandbox size")
	flag.DurationVar(&c.timeout, "timeout", 3*time.Second, "time limit per program")
	flag.StringVar(&c.feedback, "feedback", "traceback", "feedback mode")
	flag.Uint64Var(&c.seed, "seed", 1, "study seed")
	flag.Parse()
	var err error
	if c.one {
		err = runOne(c)
	} else {
		err = runAll(c)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "studybench:", err)
		os.Exit(1)
	}
}

// runAll runs each sample count in a child process.
func runAll(c config) error {
	fmt.Printf("study bench: %d HumanEval tasks, %d repair rounds, simulator latency %s, concurrency %d, %d sandboxes, %d CPUs\n",
		c.tasks, c.rounds, c.latency, c.concurrency, c.sandboxes, runtime.NumCPU())
	for _, s := range strings.Split(c.samples, ",") {
		args := []string{"-one", "-samples", strings.TrimSpace(s), "-tasks", strconv.Itoa(c.tasks), "-rounds", strconv.Itoa(c.rounds),
			"-latency", c.latency.String(), "-concurrency", strconv.Itoa(c.concurrency), "-sandboxes", strconv.Itoa(c.sandboxes),
			"-timeout", c.timeout.String(), "-feedback", c.feedback, "-seed", strconv.FormatUint(c.seed, 10)}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("samples %s: %w", s, err)
		}
	}
	return nil
}

func runOne(c config) error {
	ctx := context.Background()
	n, err := strconv.Atoi(c.samples)
	if err != nil || n < 1 {
		return fmt.Errorf("-samples %q: want one count with -one", c.samples)
	}
	ds, err := tasks.Load("humaneval", "")
	if err != nil {
		return err
	}
	var ids []string
	for _, t := range ds.Tasks[:min(c.tasks, len(ds.Tasks))] {
		ids = append(ids, t.ID)
	}
	mode, err := prompt.ParseMode(c.feedback)
	if err != nil {
		return err
	}

	sess, err := session.Open(ctx, session.Settings{
		Model: &session.ModelSettings{Name: sim.DefaultModel, Sim: &rundir.SimInfo{InProcess: true, LatencyMS: c.latency.Milliseconds()},
			Dataset: "humaneval", Concurrency: c.concurrency},
		Sandbox: session.SandboxSettings{Language: builtin.Language(), Size: c.sandboxes,
			Limits: sandbox.Limits{Timeout: c.timeout}, HashSeed: study.HashSeed(c.seed)},
	})
	if err != nil {
		return err
	}
	defer sess.Close()
	sb := sess.Sandbox
	if err := sb.Warm(ctx); err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "studybench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	temp := float32(0.8)
	p := rundir.Params{
		Dataset: "humaneval", Tasks: ids, Model: sim.DefaultModel, Samples: n, Rounds: c.rounds, Feedback: mode,
		RepairStyle: prompt.Chat, FeedbackTests: rundir.HiddenTests, TracebackBudget: prompt.DefaultTracebackBudget,
		Temperature: &temp, Seed: c.seed, Concurrency: c.concurrency, TimeoutMS: c.timeout.Milliseconds(), MemoryBytes: 512 << 20,
	}
	st, err := study.Create(filepath.Join(tmp, "run"), rundir.Manifest{Params: p,
		Dataset: rundir.DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tasks: len(ds.Tasks), Language: sess.Language.Name()},
		Model:   rundir.ModelInfo{Name: p.Model, Endpoint: sess.URL, Simulator: true}})
	if err != nil {
		return err
	}
	defer st.Close()

	start := time.Now()
	err = st.Run(ctx, study.Env{Model: sess.Client, CacheIdentity: "bench", Language: sess.Language, Runner: sb, Dataset: ds})
	if err != nil {
		return err
	}
	wall := time.Since(start)

	// The work actually done, from the attempts.
	requests, chain, executed := 0, 0, 0
	var busy time.Duration
	perSample := map[string]int{}
	_, err = rundir.ReadAttempts(ctx, st.Dir(), rundir.AllFields, func(_ int, a *rundir.Attempt) error {
		requests++
		k := a.TaskID + "/" + strconv.Itoa(a.Sample)
		perSample[k]++
		chain = max(chain, perSample[k])
		if !a.Stall && !a.Reused {
			executed++
			busy += time.Duration(a.ExecMS * float64(time.Millisecond))
		}
		return nil
	})
	if err != nil {
		return err
	}
	llmIdeal := max(time.Duration(float64(requests)*float64(c.latency)/float64(c.concurrency)), time.Duration(chain)*c.latency)
	sandboxBound := busy / time.Duration(c.sandboxes)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	rep, err := reports.Build(ctx, []string{st.Dir()})
	if err != nil {
		return err
	}
	sum := rep.Runs[0]
	last := sum.PerRound[len(sum.PerRound)-1]
	fmt.Printf("\nn=%d: %d samples, %d requests (longest chain %d), %d programs run (%d verdicts reused), pass@1 %.3f → %.3f\n",
		n, len(ids)*n, requests, chain, executed, requests-executed, sum.PerRound[0].PassAtK[0], last.PassAtK[0])
	fmt.Printf("  wall %s, ideal LLM-bound %s: ratio %.3f (target ≤ 1.15)\n", wall.Round(time.Millisecond), llmIdeal.Round(time.Millisecond),
		wall.Seconds()/llmIdeal.Seconds())
	fmt.Printf("  sandbox busy %s over %d sandboxes: bound %s; wall ÷ max(bounds) %.3f\n", busy.Round(time.Millisecond), c.sandboxes,
		sandboxBound.Round(time.Millisecond), wall.Seconds()/cmp.Or(max(llmIdeal, sandboxBound), 1).Seconds())
	fmt.Printf("  peak RSS %.1f MB (target ≤ 150 MB at n=20)\n", float64(ru.Maxrss)/1024)
	return nil
}
