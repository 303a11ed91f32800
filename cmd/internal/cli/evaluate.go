package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/reports"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// EvaluateOptions are the options of `evaluate`.
type EvaluateOptions struct {
	Dataset     string
	DataDir     string
	Samples     string
	Canonical   bool
	Out         string
	K           string
	Concurrency int
	Isolation   string
	Image       string
	Timeout     time.Duration
	Memory      string
	HashSeed    string
	Calibrate   string
	Factor      float64
}

// NewCmdEvaluate scores samples against a dataset's tests.
func NewCmdEvaluate(f *Factory, runF func(context.Context, *EvaluateOptions) error) *cobra.Command {
	o := &EvaluateOptions{}
	d := sandbox.DefaultLimits()
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Run samples (or the reference solutions) against a dataset's tests and print pass@k",
		Long: `Reads samples.jsonl as openai/human-eval does (task_id + completion, or solution for a whole
program), runs every sample's tests in the sandbox, writes one result line per sample and prints
pass@k (unbiased estimator) for every k up to the samples per task, or the ks given with -k.

Datasets: ` + strings.Join(tasks.Names(), ", ") + `, or a tasks .jsonl file (see tasks/README.md).
HumanEval is built in; the others are read from --data-dir (or $` + tasks.DataEnv + `).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Canonical == (o.Samples != "") {
				return &usageError{errors.New("give --samples FILE or --canonical")}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runEvaluate(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Dataset, "dataset", "humaneval", "dataset name or tasks .jsonl file")
	fl.StringVar(&o.DataDir, "data-dir", "", "folder holding the datasets (default $"+tasks.DataEnv+")")
	fl.StringVar(&o.Samples, "samples", "", "samples .jsonl (task_id + completion or solution)")
	fl.BoolVar(&o.Canonical, "canonical", false, "evaluate the dataset's reference solutions")
	fl.StringVar(&o.Out, "out", "", "results .jsonl (default SAMPLES_results.jsonl; none for --canonical)")
	fl.StringVarP(&o.K, "k", "k", "", "comma-separated ks for pass@k (default every k up to n)")
	fl.IntVar(&o.Concurrency, "concurrency", max(runtime.NumCPU(), 2)*2, "samples run at once (and pooled containers)")
	fl.StringVar(&o.Isolation, "isolation", string(sandbox.Pooled), "pooled (warm containers, reset between jobs) or fresh (one container per job)")
	fl.StringVar(&o.Image, "image", "", "sandbox image (default "+builtin.Language().ImageRef()+")")
	fl.DurationVar(&o.Timeout, "timeout", d.Timeout, "time limit per sample, in CPU time (a program that waits is stopped after twice that)")
	fl.StringVar(&o.Memory, "memory", units.BytesSize(float64(d.Memory)), "memory limit per sample")
	fl.StringVar(&o.HashSeed, "hash-seed", "", "PYTHONHASHSEED of the sandboxes (default random)")
	fl.StringVar(&o.Calibrate, "calibrate", "auto", "per-task time limits from the reference solutions' runtimes: auto (datasets with plus tests), always or never")
	fl.Float64Var(&o.Factor, "time-limit-factor", evaluate.DefaultCalibration().Factor, "calibrated limit = this × the reference's runtime (never below --timeout)")
	return cmd
}

func parseKs(s string) ([]int, error) {
	var ks []int
	for _, part := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("-k: %q is not a whole number ≥ 1", part)
		}
		ks = append(ks, k)
	}
	return ks, nil
}

func runEvaluate(ctx context.Context, f *Factory, o *EvaluateOptions) error {
	log := f.Logger()
	var ks []int
	if o.K != "" {
		var err error
		if ks, err = parseKs(o.K); err != nil {
			return &usageError{err}
		}
	}
	iso, err := sandbox.ParseIsolation(o.Isolation)
	if err != nil {
		return &usageError{err}
	}
	mem, err := units.RAMInBytes(o.Memory)
	if err != nil {
		return &usageError{fmt.Errorf("--memory: %w", err)}
	}
	if o.Calibrate != "auto" && o.Calibrate != "always" && o.Calibrate != "never" {
		return &usageError{fmt.Errorf("--calibrate: %q is not auto, always or never", o.Calibrate)}
	}
	ds, err := tasks.Load(o.Dataset, o.DataDir)
	if err != nil {
		return err
	}
	lang, err := f.Languages().Of(ds)
	if err != nil {
		return err
	}
	suites := scoringSuites(ds)
	var samples []tasks.Sample
	if o.Canonical {
		for _, t := range ds.Tasks {
			samples = append(samples, t.ReferenceSample())
		}
	} else {
		if samples, err = tasks.ReadSamples(o.Samples, ds); err != nil {
			return err
		}
		if o.Out == "" {
			o.Out = strings.TrimSuffix(strings.TrimSuffix(o.Samples, ".gz"), ".jsonl") + "_results.jsonl"
		}
	}
	if len(samples) == 0 {
		return errors.New("no samples to evaluate")
	}
	// Fail before the work, not after it, when the results cannot be written.
	var out *os.File
	if o.Out != "" {
		if out, err = os.CreateTemp(filepath.Dir(o.Out), "."+filepath.Base(o.Out)+".*"); err != nil {
			return fmt.Errorf("cannot write results to %s: %w", o.Out, errors.Unwrap(err))
		}
		defer os.Remove(out.Name())
		defer out.Close()
	}
	limits := sandbox.Limits{Timeout: o.Timeout, Memory: mem}
	sess, err := session.Open(ctx, session.Settings{
		Sandbox: session.SandboxSettings{Language: lang, Image: o.Image, Isolation: iso, Size: o.Concurrency, Limits: limits,
			HashSeed: o.HashSeed},
		Logger: log,
	})
	if err != nil {
		return imageHint(err, lang.Name())
	}
	defer sess.Close()

	var timeouts map[string]time.Duration
	if o.Calibrate == "always" || (o.Calibrate == "auto" && len(suites) > 1) {
		if timeouts, err = sess.TimeLimits(ctx, ds, suites, o.Timeout, o.Factor, calibrationProgress(log)); err != nil {
			return err
		}
	}
	start := time.Now()
	log.Info("evaluating", "dataset", ds.Name, "samples", len(samples), "isolation", iso, "concurrency", o.Concurrency)
	every := throttle{every: 2 * time.Second}
	recs, err := evaluate.Run(ctx, evaluate.Options{
		Runner: sess.Sandbox, Language: lang, Dataset: ds, Samples: samples, Concurrency: o.Concurrency, Limits: limits, Suites: suites, Timeouts: timeouts,
		Progress: func(done, total, passed int) {
			if every.due(done == total) {
				log.Info("progress", "done", fmt.Sprintf("%d/%d", done, total), "passed", passed)
			}
		},
	})
	if err != nil {
		return err
	}
	if out != nil {
		if err := writeRecords(out, recs); err != nil {
			return fmt.Errorf("cannot write results to %s: %w", o.Out, err)
		}
		if err := os.Rename(out.Name(), o.Out); err != nil {
			return fmt.Errorf("cannot write results to %s: %w", o.Out, err)
		}
	}
	return printSummary(f, ds.Name, recs, ks, suites, o.Out, time.Since(start))
}

// calibrationProgress logs the progress of the measuring of reference
// runtimes (session.TimeLimits).
func calibrationProgress(log *slog.Logger) func(done, total int) {
	every := throttle{every: 2 * time.Second}
	return func(done, total int) {
		if every.due(done == total) {
			log.Info("measuring reference runtimes (once per image and harness)", "done", fmt.Sprintf("%d/%d", done, total))
		}
	}
}

// scoringSuites are the suites of tests an attempt at ds is scored on:
// the base tests, and EvalPlus' plus tests when ds has them.
func scoringSuites(ds *tasks.Dataset) []languages.Suite {
	if hasPlus(ds) {
		return []languages.Suite{languages.Base, languages.Plus}
	}
	return []languages.Suite{languages.Base}
}

func hasPlus(ds *tasks.Dataset) bool {
	for _, t := range ds.Tasks {
		if t.PlusTest != "" {
			return true
		}
	}
	return false
}

func writeRecords(out *os.File, recs []evaluate.Record) error {
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Sync()
}

func printSummary(f *Factory, name string, recs []evaluate.Record, ks []int, suites []languages.Suite, outPath string, took time.Duration) error {
	counts, sandboxErrors := evaluate.Counts(recs, nil)
	passed := 0
	minN := -1
	for _, c := range counts {
		passed += c[1]
		if minN < 0 || c[0] < minN {
			minN = c[0]
		}
	}
	fmt.Fprintf(f.Out, "%s: %d samples of %d tasks, %d passed (%s)\n", name, len(recs), len(counts), passed, took.Round(time.Millisecond))
	if len(ks) == 0 {
		for k := 1; k <= minN; k++ {
			ks = append(ks, k)
		}
	}
	// With plus tests, pass@k is given on the base tests and on base + plus,
	// as EvalPlus does.
	views := []struct {
		label  string
		passed func(evaluate.Record) bool
	}{{"", nil}}
	if len(suites) > 1 {
		views = []struct {
			label  string
			passed func(evaluate.Record) bool
		}{
			{" (base tests)", func(r evaluate.Record) bool { return r.SuitePassed(languages.Base) }},
			{" (base + plus tests)", nil},
		}
	}
	for _, v := range views {
		counts, _ := evaluate.Counts(recs, v.passed)
		for _, k := range ks {
			if p, ok := reports.MeanPassAtK(counts, k); ok {
				fmt.Fprintf(f.Out, "pass@%d%s = %.4f\n", k, v.label, p)
			} else {
				fmt.Fprintf(f.Out, "pass@%d: no task has %d samples\n", k, k)
			}
		}
	}
	if outPath != "" {
		fmt.Fprintf(f.Out, "results: %s\n", outPath)
	}
	if sandboxErrors > 0 {
		return &exitError{code: ExitSandboxError, err: fmt.Errorf("%d sample(s) left out: %w", sandboxErrors, evaluate.ErrSandbox)}
	}
	return nil
}

// throttle lets progress be logged at most once per interval, from any
// goroutine, and always at the end.
type throttle struct {
	mu    sync.Mutex
	last  time.Time
	every time.Duration
}

func (t *throttle) due(final bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !final && time.Since(t.last) < t.every {
		return false
	}
	t.last = time.Now()
	return true
}
