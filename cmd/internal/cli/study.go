package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/agent/study"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// StudyOptions are the options of `study`.
type StudyOptions struct {
	Config string
	Resume string
	Out    string

	Dataset string
	DataDir string
	Tasks   string

	Model        string
	BaseURL      string
	APIKey       string
	Sim          bool
	SimSeed      uint64
	SimLatency   time.Duration
	SimFaultRate float64

	Samples         int
	Rounds          int
	Feedback        string
	RepairStyle     string
	FeedbackTests   string
	TracebackBudget int
	Temperature     float64
	TopP            float64
	MaxTokens       int
	Seed            uint64

	Concurrency int
	LLMTimeout  time.Duration
	Sandboxes   int
	Isolation   string
	Image       string
	Timeout     time.Duration
	Memory      string
	Cache       string
	NoCache     bool

	// changed reports whether a flag was set (on the command line or in
	// the study file).
	changed func(name string) bool
	// Feedback and RepairStyle, parsed by check.
	mode  prompt.Mode
	style prompt.Style
}

// studyDefining are the flags that define a study: a resumed run keeps
// the values it was started with.
var studyDefining = []string{"dataset", "tasks", "model", "sim", "sim-seed", "samples", "rounds", "feedback",
	"repair-style", "feedback-tests", "traceback-budget", "temperature", "top-p", "max-tokens", "seed",
	"timeout", "memory", "out"}

// NewCmdStudy runs a self-repair study.
func NewCmdStudy(f *Factory, runF func(context.Context, *StudyOptions) error) *cobra.Command {
	o := &StudyOptions{}
	d := sandbox.DefaultLimits()
	cmd := &cobra.Command{
		Use:   "study",
		Short: "Run a self-repair study: sample code, test it, feed failures back for repair rounds",
		Long: `Asks a model for --samples answers per task, runs each answer's tests in the sandbox, and gives every
failing sample up to --rounds repair rounds with feedback on its failure (--feedback: none, minimal,
traceback, explain, cot, reflexion), stopping when it passes. Prints the pass rate and pass@k after
every round.

Everything goes to a run directory (--out, default runs/MODEL-FEEDBACK-TIME): manifest.json (every
parameter), attempts.jsonl (one line per attempt, appended crash-safely), summary.json. An
interrupted or crashed run continues exactly where it stopped with --resume DIR. Responses are
cached on disk by request (--cache, default $` + llm.CacheEnv + ` or ~/.cache/selfrepair/responses), so a
repeated study asks the model nothing. See agent/rundir/SCHEMA.md.

The endpoint is any OpenAI-compatible server (--base-url, --api-key; default $OPENAI_BASE_URL and
$OPENAI_API_KEY), or with --sim the built-in simulated model (agent/sim), started in this process:
a test double, not a real LLM, and the run is marked as simulated.

--config FILE reads the same settings from a YAML file whose keys are the flag names
(samples: 5, feedback: cot, tasks: [HumanEval/0, HumanEval/1], ...); flags override it.

Datasets: ` + strings.Join(tasks.Names(), ", ") + `, or a tasks .jsonl file.
Exit codes: 0 done, 1 error, 2 usage error, 130 interrupted (resumable).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if o.Config != "" {
				if o.Resume != "" {
					return &usageError{errors.New("give --config or --resume, not both: a resumed run keeps its settings")}
				}
				if err := applyStudyFile(cmd, o.Config); err != nil {
					return &usageError{err}
				}
			}
			o.changed = fl.Changed
			if err := o.check(); err != nil {
				return &usageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runStudy(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Config, "config", "", "study settings file (YAML; keys are these flags' names)")
	fl.StringVar(&o.Resume, "resume", "", "continue the run in this directory where it stopped")
	fl.StringVar(&o.Out, "out", "", "run directory to create (default runs/MODEL-FEEDBACK-TIME)")
	fl.StringVar(&o.Dataset, "dataset", "humaneval", "dataset name or tasks .jsonl file")
	fl.StringVar(&o.DataDir, "data-dir", "", "folder holding the datasets (default $"+tasks.DataEnv+")")
	fl.StringVar(&o.Tasks, "tasks", "", "a subset: a count (the first N tasks) or comma-separated task ids (default all)")
	fl.StringVar(&o.Model, "model", "", "model name (default with --sim: "+sim.DefaultModel+")")
	fl.StringVar(&o.BaseURL, "base-url", "", "OpenAI-compatible endpoint (default $OPENAI_BASE_URL, else "+llm.DefaultBaseURL+")")
	fl.StringVar(&o.APIKey, "api-key", "", "API key (default $OPENAI_API_KEY)")
	fl.BoolVar(&o.Sim, "sim", false, "use the built-in simulated model (started in this process; not a real LLM)")
	fl.Uint64Var(&o.SimSeed, "sim-seed", 0, "with --sim: the simulator's seed (another seed is another simulated model)")
	fl.DurationVar(&o.SimLatency, "sim-latency", 0, "with --sim: delay of every completion")
	fl.Float64Var(&o.SimFaultRate, "sim-fault-rate", 0, "with --sim: rate of injected faults (429, 500, hangs, malformed, truncated; equal parts)")
	fl.IntVar(&o.Samples, "samples", 5, "samples per task (round 0)")
	fl.IntVar(&o.Rounds, "rounds", 4, "repair rounds after round 0")
	fl.StringVar(&o.Feedback, "feedback", string(prompt.Traceback), "feedback mode: none, minimal, traceback, explain, cot, reflexion")
	fl.StringVar(&o.RepairStyle, "repair-style", string(prompt.Chat), "chat (the whole conversation) or single (a fresh prompt holding the last attempt)")
	fl.StringVar(&o.FeedbackTests, "feedback-tests", rundir.HiddenTests, "hidden (feedback from the scoring tests) or visible (only from the prompt's examples)")
	fl.IntVar(&o.TracebackBudget, "traceback-budget", prompt.DefaultTracebackBudget, "bytes of traceback in the feedback (head and tail kept)")
	fl.Float64Var(&o.Temperature, "temperature", 0.8, "sampling temperature")
	fl.Float64Var(&o.TopP, "top-p", 0, "nucleus sampling top_p (0: not sent)")
	fl.IntVar(&o.MaxTokens, "max-tokens", 0, "completion token limit (0: not sent)")
	fl.Uint64Var(&o.Seed, "seed", 0, "study seed: every request's seed and the sandbox's PYTHONHASHSEED derive from it")
	fl.IntVar(&o.Concurrency, "concurrency", 16, "model requests in flight")
	fl.DurationVar(&o.LLMTimeout, "llm-timeout", 0, "time limit of one HTTP request to the model (default 120s; 5s with --sim-fault-rate)")
	fl.IntVar(&o.Sandboxes, "sandboxes", max(runtime.NumCPU(), 2)*2, "programs tested at once (pooled containers)")
	fl.StringVar(&o.Isolation, "isolation", string(sandbox.Pooled), "pooled (warm containers, reset between jobs) or fresh (one container per job)")
	fl.StringVar(&o.Image, "image", "", "sandbox image (default "+builtin.Language().ImageRef()+")")
	fl.DurationVar(&o.Timeout, "timeout", 3*time.Second, "time limit of one program's tests, in CPU time; a task whose reference solution needs more gets 4× its runtime")
	fl.StringVar(&o.Memory, "memory", units.BytesSize(float64(d.Memory)), "memory limit of one program")
	fl.StringVar(&o.Cache, "cache", "", "response cache directory (default $"+llm.CacheEnv+" or ~/.cache/selfrepair/responses)")
	fl.BoolVar(&o.NoCache, "no-cache", false, "neither read nor write the response cache")
	return cmd
}

// check validates the options before any work.
func (o *StudyOptions) check() error {
	if o.Resume != "" {
		var set []string
		for _, name := range studyDefining {
			if o.changed(name) {
				set = append(set, "--"+name)
			}
		}
		if len(set) > 0 {
			return fmt.Errorf("%s cannot change a run being resumed: it keeps the settings it was started with", strings.Join(set, ", "))
		}
	} else {
		if o.Model == "" && !o.Sim {
			return errors.New("give --model (or --sim for the built-in simulated model)")
		}
		if o.Sim && o.changed("base-url") {
			return errors.New("--sim starts its own endpoint: drop --base-url")
		}
		var err error
		if o.mode, err = prompt.ParseMode(o.Feedback); err != nil {
			return fmt.Errorf("--feedback: %w", err)
		}
		if o.style, err = prompt.ParseStyle(o.RepairStyle); err != nil {
			return fmt.Errorf("--repair-style: %w", err)
		}
		if o.FeedbackTests != rundir.HiddenTests && o.FeedbackTests != rundir.VisibleTests {
			return fmt.Errorf("--feedback-tests: %q is neither hidden nor visible", o.FeedbackTests)
		}
	}
	switch {
	case o.Samples < 1:
		return fmt.Errorf("--samples must be at least 1")
	case o.Rounds < 0:
		return fmt.Errorf("--rounds must not be negative")
	case o.Temperature < 0 || o.Temperature > 2 || o.Temperature != o.Temperature:
		return fmt.Errorf("--temperature %v is not in [0, 2]", o.Temperature)
	case o.TopP < 0 || o.TopP > 1 || o.TopP != o.TopP:
		return fmt.Errorf("--top-p %v is not in [0, 1]", o.TopP)
	case o.MaxTokens < 0:
		return fmt.Errorf("--max-tokens must not be negative")
	case o.Concurrency < 1:
		return fmt.Errorf("--concurrency must be at least 1")
	case o.Sandboxes < 1:
		return fmt.Errorf("--sandboxes must be at least 1")
	case o.Timeout <= 0:
		return fmt.Errorf("--timeout must be positive")
	case o.LLMTimeout < 0 || o.SimLatency < 0:
		return fmt.Errorf("durations must not be negative")
	case o.SimFaultRate < 0 || o.SimFaultRate > 1 || o.SimFaultRate != o.SimFaultRate:
		return fmt.Errorf("--sim-fault-rate %v is not a probability", o.SimFaultRate)
	case o.TracebackBudget < 0:
		return fmt.Errorf("--traceback-budget must not be negative")
	case o.NoCache && o.changed("cache"):
		return fmt.Errorf("give --cache or --no-cache, not both")
	}
	if _, err := sandbox.ParseIsolation(o.Isolation); err != nil {
		return fmt.Errorf("--isolation: %w", err)
	}
	if _, err := units.RAMInBytes(o.Memory); err != nil {
		return fmt.Errorf("--memory: %w", err)
	}
	if !o.Sim && o.Resume == "" && (o.changed("sim-seed") || o.changed("sim-latency") || o.changed("sim-fault-rate")) {
		return errors.New("--sim-seed, --sim-latency and --sim-fault-rate need --sim")
	}
	return nil
}

// applyStudyFile sets the flags that the command line left unset from a
// YAML study file whose keys are flag names.
func applyStudyFile(cmd *cobra.Command, path string) error {
	fl := cmd.Flags()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	name := path // errors read path:line, as a compiler's do
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil // empty file
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping of settings (samples: 5, ...)", name, m.Line)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		if first, ok := seen[key]; ok {
			return fmt.Errorf("%s:%d: %s repeated (first on line %d)", name, k.Line, key, first)
		}
		seen[key] = k.Line
		f := fl.Lookup(key)
		if f == nil || key == "config" || key == "resume" || key == "help" {
			return fmt.Errorf("%s:%d: unknown key %q (keys are the flag names of selfrepair study, e.g. samples, feedback)", name, k.Line, key)
		}
		if fl.Changed(key) {
			continue // the command line wins
		}
		var val string
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				continue
			}
			val = v.Value
		case yaml.SequenceNode:
			if key != "tasks" {
				return fmt.Errorf("%s:%d: %s: want a single value, not a list", name, v.Line, key)
			}
			var items []string
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return fmt.Errorf("%s:%d: tasks: want a list of task ids", name, it.Line)
				}
				items = append(items, it.Value)
			}
			val = strings.Join(items, ",")
		default:
			return fmt.Errorf("%s:%d: %s: want a single value, not a mapping", name, v.Line, key)
		}
		if err := fl.Set(key, val); err != nil {
			return fmt.Errorf("%s:%d: %s: %q is not a valid %s", name, v.Line, key, val, typeName(f.Value.Type()))
		}
	}
	return nil
}

func typeName(t string) string {
	switch t {
	case "int", "uint64":
		return "whole number"
	case "float64":
		return "number"
	case "bool":
		return "boolean (true or false)"
	case "duration":
		return "duration (such as 3s or 500ms)"
	}
	return t
}

// selectTasks picks the tasks of --tasks: a count, or task ids.
func selectTasks(ds *tasks.Dataset, spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		ids := make([]string, len(ds.Tasks))
		for i, t := range ds.Tasks {
			ids[i] = t.ID
		}
		return ids, nil
	}
	if n, err := strconv.Atoi(spec); err == nil {
		if n < 1 || n > len(ds.Tasks) {
			return nil, fmt.Errorf("--tasks %d: want a count from 1 to %d (the tasks of %s)", n, len(ds.Tasks), ds.Name)
		}
		ids := make([]string, n)
		for i := range ids {
			ids[i] = ds.Tasks[i].ID
		}
		return ids, nil
	}
	var ids []string
	for _, id := range strings.Split(spec, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		id, err := ds.Resolve(id)
		if err != nil {
			return nil, fmt.Errorf("--tasks: %w", err)
		}
		if slices.Contains(ids, id) {
			return nil, fmt.Errorf("--tasks: %s given twice", id)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errors.New("--tasks: no task ids")
	}
	return ids, nil
}

// toolVersion names this build of selfrepair.
func toolVersion() string {
	v := "selfrepair"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v + " (unknown build)"
	}
	v += " " + bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev[:min(len(rev), 12)] + modified
	}
	return v + " " + bi.GoVersion
}

func runStudy(ctx context.Context, f *Factory, o *StudyOptions) error {
	if o.Resume != "" {
		return resumeStudy(ctx, f, o)
	}
	log := f.Logger()
	mode, style := o.mode, o.style
	mem, _ := units.RAMInBytes(o.Memory)
	ds, err := tasks.Load(o.Dataset, o.DataDir)
	if err != nil {
		return err
	}
	ids, err := selectTasks(ds, o.Tasks)
	if err != nil {
		return &usageError{err}
	}
	lang, err := f.Languages().Of(ds)
	if err != nil {
		return err
	}
	model := o.Model
	if o.Sim {
		model = cmp.Or(model, sim.DefaultModel)
	}
	temp := float32(o.Temperature)
	p := rundir.Params{
		Dataset: o.Dataset, Tasks: ids, Model: model, Samples: o.Samples, Rounds: o.Rounds,
		Feedback: mode, RepairStyle: style, FeedbackTests: o.FeedbackTests, TracebackBudget: o.TracebackBudget,
		Temperature: &temp, MaxTokens: o.MaxTokens, Seed: o.Seed, Concurrency: o.Concurrency,
		TimeoutMS: o.Timeout.Milliseconds(), MemoryBytes: mem,
	}
	if o.TopP > 0 {
		tp := float32(o.TopP)
		p.TopP = &tp
	}
	if err := p.Validate(); err != nil {
		return &usageError{err}
	}
	out := o.Out
	if out == "" {
		out = filepath.Join("runs", fmt.Sprintf("%s-%s-%s", safeName(model), mode, time.Now().Format("20060102-150405")))
	}
	if err := checkOut(out); err != nil {
		return err
	}
	var simInfo *rundir.SimInfo
	if o.Sim {
		simInfo = &rundir.SimInfo{InProcess: true, Seed: o.SimSeed, LatencyMS: o.SimLatency.Milliseconds(), FaultRate: o.SimFaultRate}
	}
	iso, _ := sandbox.ParseIsolation(o.Isolation)
	runID := sandbox.NewRunID()
	sess, err := session.Open(ctx, session.Settings{
		Model: &session.ModelSettings{Name: model, BaseURL: o.BaseURL, APIKey: o.APIKey, Sim: simInfo, Dataset: o.Dataset,
			DataDir: o.DataDir, Concurrency: o.Concurrency, Timeout: llmTimeout(o, simInfo)},
		Cache: cacheSettings(o),
		Sandbox: session.SandboxSettings{Language: lang, Image: o.Image, Isolation: iso, Size: o.Sandboxes,
			Limits: sandbox.Limits{Timeout: o.Timeout, Memory: mem}, HashSeed: study.HashSeed(o.Seed), RunID: runID},
		Logger: log,
	})
	if err != nil {
		return imageHint(err, lang.Name())
	}
	defer sess.Close()
	m := rundir.Manifest{
		RunID:  runID,
		Params: p,
		Dataset: rundir.DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tasks: len(ds.Tasks),
			DataDir: absDir(o.DataDir), Language: lang.Name()},
		Model: rundir.ModelInfo{Name: model, Endpoint: sess.URL, Simulator: sess.Simulator(), Sim: simInfo},
		Sandbox: rundir.SandboxInfo{Image: sess.Image, ImageID: sess.ImageID, Isolation: string(iso), Size: o.Sandboxes,
			HashSeed: study.HashSeed(o.Seed)},
		Cache: sess.CacheInfo,
	}
	st, err := study.Create(out, m)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("study", "dir", out, "dataset", ds.Name, "tasks", len(ids), "samples", o.Samples, "rounds", o.Rounds,
		"feedback", mode, "model", model, "simulator", sess.Simulator())
	return execStudy(ctx, f, log, st, ds, sess, o.Concurrency)
}

func resumeStudy(ctx context.Context, f *Factory, o *StudyOptions) error {
	log := f.Logger()
	st, err := study.Open(o.Resume)
	if err != nil {
		return err
	}
	defer st.Close()
	m := st.Manifest()
	p := m.Params
	if m.Status == rundir.StatusComplete {
		log.Info("the run is already complete")
		return reportStudy(ctx, f, st)
	}
	ds, err := tasks.Load(p.Dataset, session.DataDir(m, o.DataDir))
	if err != nil {
		return err
	}
	lang, err := f.Languages().Of(ds)
	if err != nil {
		return err
	}
	ov := session.Overrides{BaseURL: o.BaseURL, APIKey: o.APIKey, DataDir: o.DataDir, Image: o.Image, Cache: cacheSettings(o)}
	if o.changed("sim-latency") {
		ov.SimLatency = &o.SimLatency
	}
	if o.changed("sim-fault-rate") {
		ov.SimFaultRate = &o.SimFaultRate
	}
	if o.changed("concurrency") {
		ov.Concurrency = o.Concurrency
	}
	if o.changed("isolation") {
		if ov.Isolation, err = sandbox.ParseIsolation(o.Isolation); err != nil {
			return err
		}
	}
	if o.changed("sandboxes") || m.Sandbox.Size == 0 {
		ov.Size = o.Sandboxes
	}
	set, err := session.Resume(m, lang, ov)
	if errors.Is(err, session.ErrSimOnly) {
		return &usageError{errors.New("--sim-latency and --sim-fault-rate apply to runs of the in-process simulator only")}
	}
	if err != nil {
		return err
	}
	set.Model.Timeout, set.Logger = llmTimeout(o, set.Model.Sim), log
	sess, err := session.Open(ctx, set)
	if err != nil {
		return imageHint(err, lang.Name())
	}
	defer sess.Close()
	if m.Model.Sim == nil && !m.Model.Simulator && sess.Simulator() {
		log.Warn("this endpoint is the simulator, but the run began with another model endpoint")
	}
	log.Info("resuming study", "dir", o.Resume, "dataset", ds.Name, "model", p.Model, "simulator", sess.Simulator())
	return execStudy(ctx, f, log, st, ds, sess, set.Model.Concurrency)
}

func llmTimeout(o *StudyOptions, s *rundir.SimInfo) time.Duration {
	if o.LLMTimeout > 0 {
		return o.LLMTimeout
	}
	if s != nil && s.FaultRate > 0 {
		return 5 * time.Second // injected hangs end when the client gives up
	}
	return 0
}

// cacheSettings is the response cache of --cache and --no-cache.
func cacheSettings(o *StudyOptions) *session.CacheSettings {
	if o.NoCache {
		return nil
	}
	return &session.CacheSettings{Dir: o.Cache}
}

// execStudy runs the study with a progress display and prints its summary.
func execStudy(ctx context.Context, f *Factory, log *slog.Logger, st *study.Study, ds *tasks.Dataset, sess *session.Session, conc int) error {
	suites := scoringSuites(ds)
	// Each task's limit comes from its reference solution's runtime,
	// measured once per image (as EvalPlus does), never below --timeout: a
	// heavy task (MBPP/123, the plus tests) gets the time its reference
	// needs, so a correct answer never times out on a slower machine.
	m := st.Manifest()
	studied := &tasks.Dataset{Name: ds.Name, Hash: ds.Hash}
	for _, id := range m.Params.Tasks {
		if t, ok := ds.ByID(id); ok {
			studied.Tasks = append(studied.Tasks, t)
		}
	}
	timeouts, err := sess.TimeLimits(ctx, studied, suites, time.Duration(m.Params.TimeoutMS)*time.Millisecond,
		evaluate.DefaultCalibration().Factor, calibrationProgress(log))
	if err != nil {
		return err
	}
	pv := newProgressView(f.Err, log)
	err = st.Run(ctx, study.Env{
		Model: sess.Client, CacheIdentity: sess.Identity, Cache: sess.Cache, Concurrency: conc,
		Runner: sess.Sandbox, Dataset: ds, Language: sess.Language, Suites: suites, Timeouts: timeouts,
		Session:  rundir.Session{Tool: toolVersion(), ImageID: sess.ImageID, Endpoint: sess.URL},
		Progress: pv.update, Logger: log,
	})
	pv.finish()
	if err != nil {
		if ctx.Err() != nil {
			log.Info("stopped; everything recorded so far is kept", "resume", "selfrepair study --resume "+st.Dir())
			return ctx.Err()
		}
		log.Info("the run stopped; everything recorded so far is kept", "resume", "selfrepair study --resume "+st.Dir())
		return err
	}
	return reportStudy(ctx, f, st)
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, s)
}

// checkOut fails early, before any work, when out cannot be a new run.
func checkOut(out string) error {
	err := rundir.CheckNew(out)
	switch {
	case errors.Is(err, rundir.ErrHoldsRun):
		return fmt.Errorf("%s already holds a run: continue it with --resume %s, or choose another --out", out, out)
	case err != nil:
		return fmt.Errorf("%w: choose another --out", err)
	}
	return nil
}

func absDir(d string) string {
	if d == "" {
		return ""
	}
	if a, err := filepath.Abs(d); err == nil {
		return a
	}
	return d
}

// progressView shows a run's progress: a live line on a terminal, a log
// line every few seconds otherwise.
type progressView struct {
	w     io.Writer
	log   *slog.Logger
	tty   bool
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgressView(w io.Writer, log *slog.Logger) *progressView {
	v := &progressView{w: w, log: log}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			v.tty = true
		}
	}
	return v
}

func (v *progressView) update(p study.Progress) {
	v.mu.Lock()
	defer v.mu.Unlock()
	every := 5 * time.Second
	if v.tty {
		every = 100 * time.Millisecond
	}
	if time.Since(v.last) < every && p.SamplesDone < p.Samples {
		return
	}
	v.last = time.Now()
	eta := "?"
	switch {
	case p.SamplesDone == p.Samples:
		eta = "0s"
	case p.ETA > 0:
		eta = p.ETA.Round(time.Second).String()
	}
	if v.tty {
		fmt.Fprintf(v.w, "\r\x1b[Ktasks %d/%d · samples %d/%d done, %d passing · %d attempts (%d cached) · %s tokens · ETA %s",
			p.TasksDone, p.Tasks, p.SamplesDone, p.Samples, p.SamplesPassed, p.Attempts, p.CacheHits,
			humanCount(p.PromptTokens+p.CompletionTokens), eta)
		v.shown = true
		return
	}
	v.log.Info("progress", "tasks", fmt.Sprintf("%d/%d", p.TasksDone, p.Tasks),
		"samples", fmt.Sprintf("%d/%d", p.SamplesDone, p.Samples), "passing", p.SamplesPassed,
		"attempts", p.Attempts, "cached", p.CacheHits, "tokens", p.PromptTokens+p.CompletionTokens, "eta", eta)
}

func (v *progressView) finish() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tty && v.shown {
		fmt.Fprint(v.w, "\r\x1b[K")
	}
}

func humanCount(n int) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return strconv.Itoa(n)
}
