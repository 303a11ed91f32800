// Command bench measures the sandbox against the way most harnesses run
// tests: it evaluates HumanEval's 164 reference solutions three ways in one
// run, with the same parallelism, and prints each wall time and the ratios.
//
//	(a) the pooled sandbox (warm containers, reset between jobs)
//	(b) a fresh container per sample (docker run style)
//	(c) a bare, unsandboxed python3 subprocess per sample on the host
//	    (openai/human-eval's way)
//
// Then repository mode's overhead per round (see benchFix), and, for every other language (-langs), HumanEval-X's canonical
// solutions in the pooled sandbox against the same compile and run done
// bare, with the same toolchain (see benchLanguage).
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	par := flag.Int("parallel", 4, "samples at once, for every way")
	image := flag.String("image", builtin.Language().ImageRef(), "sandbox image")
	rounds := flag.Int("rounds", 1, "repeat each way this many times; the best time counts")
	hostPython := flag.String("python", "/usr/bin/python3", "the host interpreter for (c); a real binary, not a pyenv shim; empty skips the HumanEval part")
	var others []string
	for _, l := range builtin.Registry().Languages() {
		if l.Name() != builtin.Default {
			others = append(others, l.Name())
		}
	}
	langs := flag.String("langs", strings.Join(others, ","), "the other languages to time on HumanEval-X (comma-separated; empty for none)")
	langRounds := flag.Int("lang-rounds", 1, "like -rounds, for the other languages")
	dataDir := flag.String("data-dir", "", "folder holding the datasets, for HumanEval-X (default $"+tasks.DataEnv+")")
	fixRounds := flag.Int("fix-rounds", 10, "repository mode: rounds timed per repository (0 skips it)")
	fixFiles := flag.Int("fix-files", 2000, "repository mode: source files added to make the larger repository")
	flag.Parse()
	ctx := context.Background()
	ds, err := tasks.Load("humaneval", "")
	if err != nil {
		return err
	}
	samples := make([]tasks.Sample, len(ds.Tasks))
	for i, t := range ds.Tasks {
		samples[i] = t.ReferenceSample()
	}
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		return err
	}
	defer eng.Close()

	if *hostPython != "" {
		if err := benchPython(ctx, eng, *image, *hostPython, ds, samples, *par, *rounds); err != nil {
			return err
		}
	}
	if *fixRounds > 0 {
		if err := benchFix(ctx, eng, *dataDir, cmp.Or(*hostPython, "/usr/bin/python3"), *fixFiles, *fixRounds); err != nil {
			return fmt.Errorf("repository mode: %w", err)
		}
	}
	for _, name := range strings.FieldsFunc(*langs, func(r rune) bool { return r == ',' }) {
		lang, err := builtin.Registry().Language(name)
		if err != nil {
			return err
		}
		if err := benchLanguage(ctx, eng, lang, *dataDir, *par, *langRounds); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// benchPython times HumanEval's reference solutions (a) pooled, (b) fresh
// and (c) bare.
func benchPython(ctx context.Context, eng *sandbox.Engine, image, hostPython string, ds *tasks.Dataset, samples []tasks.Sample, par, rounds int) error {
	if _, err := exec.LookPath(hostPython); err != nil {
		return fmt.Errorf("--python: %w", err)
	}
	fmt.Printf("HumanEval reference solutions: %d samples, parallelism %d, best of %d; host interpreter %s\n\n", len(samples), par, rounds, hostPython)
	bare, err := best(rounds, func() (time.Duration, int, error) { return runBare(ctx, hostPython, ds, samples, par) })
	if err != nil {
		return err
	}
	report("(c) bare python3 subprocess per sample", bare, 0)

	var cold time.Duration
	pooled, err := best(rounds, func() (time.Duration, int, error) {
		start := time.Now()
		sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: image, Isolation: sandbox.Pooled, Size: par, Preload: builtin.Language().Preload()})
		if err != nil {
			return 0, 0, err
		}
		defer sb.Close()
		// Warm the pool (a study pays this once), then time the evaluation.
		if err := sb.Warm(ctx); err != nil {
			return 0, 0, err
		}
		cold = time.Since(start)
		d, n, err := runSandbox(ctx, sb, ds, samples, par)
		cold += d
		return d, n, err
	})
	if err != nil {
		return err
	}
	report("(a) pooled sandbox (warm)", pooled, bare.d)
	fmt.Printf("    including pool start-up: %v\n", cold.Round(time.Millisecond))

	fresh, err := best(rounds, func() (time.Duration, int, error) {
		sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: image, Isolation: sandbox.Fresh, Size: par, Preload: builtin.Language().Preload()})
		if err != nil {
			return 0, 0, err
		}
		defer sb.Close()
		return runSandbox(ctx, sb, ds, samples, par)
	})
	if err != nil {
		return err
	}
	report("(b) fresh container per sample", fresh, bare.d)

	fmt.Printf("\nratio (a)/(c) = %.2f   (target ≤ 0.50)\n", float64(pooled.d)/float64(bare.d))
	fmt.Printf("ratio (b)/(c) = %.2f\n", float64(fresh.d)/float64(bare.d))
	fmt.Printf("ratio (a)/(b) = %.3f\n", float64(pooled.d)/float64(fresh.d))
	return nil
}

type timing struct {
	d      time.Duration
	passed int
	cpu    time.Duration // the whole machine's busy CPU time during the run
}

func best(rounds int, f func() (time.Duration, int, error)) (timing, error) {
	var b timing
	for i := 0; i < max(rounds, 1); i++ {
		cpu0 := busyCPU()
		d, n, err := f()
		if err != nil {
			return b, err
		}
		if i == 0 || d < b.d {
			b = timing{d, n, busyCPU() - cpu0}
		}
	}
	return b, nil
}

func report(name string, t timing, base time.Duration) {
	ratio := ""
	if base > 0 {
		ratio = fmt.Sprintf("  %.2f × (c)", float64(t.d)/float64(base))
	}
	fmt.Printf("%-42s %9v  %3d passed  machine CPU %6.1f ms/sample%s\n", name, t.d.Round(time.Millisecond), t.passed,
		float64(t.cpu.Microseconds())/1000/float64(max(t.passed, 1)), ratio)
}

func runSandbox(ctx context.Context, sb *sandbox.Sandbox, ds *tasks.Dataset, samples []tasks.Sample, par int) (time.Duration, int, error) {
	start := time.Now()
	recs, err := evaluate.Run(ctx, evaluate.Options{Runner: sb, Language: builtin.Language(), Dataset: ds, Samples: samples, Concurrency: par})
	if err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	n := 0
	for _, r := range recs {
		if r.Passed {
			n++
		}
	}
	return d, n, nil
}

// runBare runs each sample's assembled program (prompt + completion + test +
// check(entry_point), exactly as openai/human-eval builds it) with the host's
// python3, unsandboxed. Only the dataset's own reference solutions are run.
func runBare(ctx context.Context, python string, ds *tasks.Dataset, samples []tasks.Sample, par int) (time.Duration, int, error) {
	dir, err := os.MkdirTemp("", "selfrepair-bench-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	files := make([]string, len(samples))
	for i, s := range samples {
		t, _ := ds.ByID(s.TaskID)
		prog := t.Program(s) + "\n" + t.Test + "\n" + "check(" + t.EntryPoint + ")\n"
		files[i] = filepath.Join(dir, fmt.Sprintf("p%03d.py", i))
		if err := os.WriteFile(files[i], []byte(prog), 0o600); err != nil {
			return 0, 0, err
		}
	}
	start := time.Now()
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, par)
	for _, f := range files {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if exec.CommandContext(cctx, python, f).Run() == nil {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return time.Since(start), passed, nil
}

// busyCPU is the CPU time the whole machine has spent busy since boot, from
// /proc/stat (0 where that cannot be read): what a run costs, whichever
// process (engine, shim, container, harness) spends it.
func busyCPU() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	var busy int64
	for i, f := range fields[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return time.Duration(busy) * time.Second / 100 // USER_HZ
}
