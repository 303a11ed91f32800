// Package fix is repository mode: it makes a repository's failing tests
// pass. A snapshot of the repository (its files as git sees them) goes into
// a container of the language's image by copy, the test command runs there
// three times to find the tests that fail every time (the targets), pass
// every time (the guards) or vary (quarantined), and the model is asked for
// SEARCH/REPLACE edits (agent/edit) until the targets pass with no guard
// broken, or a bound is reached. The result is a patch that `git apply`
// accepts on the snapshot's commit; the user's tree is written only with
// Config.Apply.
//
// A fix lives in a run directory in the study format (agent/rundir): one
// attempt per round, with the answer, its edits and what became of them,
// and the graded test run, so that `selfrepair report` and the response
// cache work on it. The request of a round is a pure function of the
// snapshot, the baseline and the earlier attempts, so a fix that is killed
// and resumed records the same attempts as one that was not.
package fix

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/selfrepair/selfrepair/agent/edit"
	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/agent/study"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/repo"
)

// Endings of a fix (rundir.Fix.Ending).
const (
	Fixed           = "fixed"            // every target passes, no guard broken
	NothingFailing  = "nothing-failing"  // no test failed at every baseline run: no model was asked
	PartiallyFixed  = "partially-fixed"  // some targets pass with no guard broken, not all
	RoundsExhausted = "rounds-exhausted" // no round made a target pass
	Budget          = "budget"           // the token or wall-time budget ran out
	NoProgress      = "no-progress"      // two rounds in a row failed the same way
	EditFailures    = "edit-failures"    // three rounds in a row had no edit that applied
)

// BaselineRuns is how many times the test command runs before any repair.
const BaselineRuns = 3

// Config is what to fix and how.
type Config struct {
	Dir  string // a folder of the repository
	Test string // the test command, run by sh -c at the repository's root
	// Language picks the image and the failure classes; "" guesses it
	// from the repository (go.mod, package.json, Cargo.toml, ...).
	Language string
	Image    string // default the language's image
	// Setup runs once, in a container of the image with the snapshot,
	// before the baseline (installing dependencies, say); that container
	// is the image of the test runs. SetupNetwork gives it the network
	// (the tests never have one).
	Setup        string
	SetupNetwork bool
	Rounds       int // repair rounds after the first answer
	// MaxTokens bounds the tokens of the whole fix (prompt and completion);
	// 0 is no bound. WallTime bounds its time; 0 is no bound.
	MaxTokens int
	WallTime  time.Duration
	Limits    sandbox.Limits // of one test run; zero fields take DefaultLimits
	// TestFiles are more test files (paths, or path.Match patterns) beside
	// those the languages' conventions name (repo.IsTest).
	TestFiles []string
	// AllowTestEdits lets the model edit test files; they are restored
	// before every run otherwise.
	AllowTestEdits bool
	SnapshotLimit  int64 // bytes; default repo.DefaultLimit
	Seed           uint64
	Temperature    *float32
	Out            string // the run directory; default runs/fix-TIME
	Patch          string // where the patch goes; default Out/fix.diff
	Apply          bool   // apply a fixing patch to the user's tree
	Model          session.ModelSettings
	Cache          *session.CacheSettings
	Isolation      sandbox.Isolation
	Registry       *languages.Registry
	Logger         *slog.Logger
}

// DefaultLimits are the limits of a test run: a test suite needs more
// time, memory, processes and scratch space than one program. The JVM
// takes a quarter of the memory limit as its heap: 4 GiB gives 1 GiB, which
// QuixBugs' KNAPSACK test_9 (a 640 MB table) needs, as it has on the
// developer's machine.
func DefaultLimits() sandbox.Limits {
	return sandbox.Limits{
		Timeout:     2 * time.Minute,
		Memory:      4 << 30,
		CPUs:        float64(runtime.NumCPU()),
		Pids:        1024,
		OutputLimit: 4 << 20,
		FileSize:    256 << 20,
		OpenFiles:   1024, // the containers' hard limit
		ScratchSize: 1 << 30,
	}
}

// Result is how a fix ended.
type Result struct {
	Ending string
	Dir    string // the run directory
	Patch  string // the patch file; "" when no round improved on the baseline
	// Applied is set when the patch was applied to the user's tree;
	// NotApplied says why a fixing patch was not, with Config.Apply.
	Applied    bool
	NotApplied string
	Fix        rundir.Fix
	Best       *rundir.TestRun // the best round's tests; nil when none improved
	BestRound  int
	Rounds     int // rounds made, this session and earlier ones
	Tokens     int
	Attempts   []rundir.Attempt
}

// A UsageError is bad input: the user's to fix (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usage(format string, args ...any) error { return &UsageError{fmt.Errorf(format, args...)} }

// fixer is one session of a fix.
type fixer struct {
	cfg   Config
	dir   *rundir.Dir
	m     rundir.Manifest
	snap  *repo.Snapshot
	plan  testlog.Plan
	lang  languages.Language
	box   *session.Session // the sandbox
	setup string           // the image the setup step made, removed at the end
	eng   *sandbox.Engine  // the engine that holds it
	base0 string           // the folder of the setup's image the tests start from
	model *session.Session // the model, opened after the baseline
	base  baseline
	// failures are how the targets failed at the first baseline run.
	failures []rundir.TestFailure
	limits   sandbox.Limits
	files    map[string]string // the snapshot's text files
	paths    []string
	log      *slog.Logger
	start    time.Time
	attlog   *rundir.Log
}

// snapshotFile holds the snapshot's description in the run directory.
const snapshotFile = "snapshot.json"

// Run fixes the repository of cfg.Dir. An error is a *UsageError for bad
// input, else an infrastructure failure (engine, image, endpoint).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if strings.TrimSpace(cfg.Test) == "" {
		return nil, usage("no test command: give it with --test")
	}
	if cfg.Rounds < 0 {
		return nil, usage("rounds must not be negative (%d)", cfg.Rounds)
	}
	f := &fixer{cfg: cfg, log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), start: time.Now()}
	if cfg.Out == "" {
		cfg.Out = filepath.Join("runs", "fix-"+time.Now().Format("20060102-150405"))
		f.cfg.Out = cfg.Out
	}
	if err := rundir.CheckNew(cfg.Out); err != nil {
		return nil, &UsageError{err}
	}
	if cfg.Apply {
		if err := cleanTree(ctx, cfg.Dir); err != nil {
			return nil, err
		}
	}
	d, err := rundir.Create(cfg.Out)
	if err != nil {
		return nil, &UsageError{err}
	}
	f.dir = d
	defer f.close()
	f.snap, err = repo.Take(ctx, cfg.Dir, d.Path(), cfg.SnapshotLimit)
	var re *repo.Error
	if errors.As(err, &re) {
		os.RemoveAll(d.Path())
		return nil, &UsageError{err}
	}
	if err != nil {
		return nil, err
	}
	if err := f.saveSnapshot(); err != nil {
		return nil, err
	}
	if err := f.open(ctx); err != nil {
		return nil, err
	}
	f.log.Info("running the tests on the snapshot", "runs", BaselineRuns, "command", f.plan.Command, "image", f.box.Image)
	var runs []run
	for i := range BaselineRuns {
		r, err := f.test(ctx, nil)
		if err != nil {
			return nil, err
		}
		if i == 0 && r.exit == 127 && (len(r.log.Cases) == 0 || f.plan.Format == testlog.FormatExit) {
			return nil, usage("the test command was not found in image %s: %s", f.box.Image, firstLine(r.output))
		}
		runs = append(runs, r)
	}
	f.base = newBaseline(runs)
	f.base.markWhole(f.paths, f.isTest)
	f.failures = failures(runs[0], f.base.targets, f.paths)
	f.m = f.manifest()
	res := &Result{Dir: d.Path(), Fix: *f.m.Fix}
	f.log.Info("baseline", "targets", len(f.base.targets), "guards", len(f.base.guards), "quarantined", len(f.base.quarantined))
	if len(f.base.targets) == 0 {
		res.Ending = NothingFailing
		f.m.Fix.Ending, f.m.Status = NothingFailing, rundir.StatusComplete
		res.Fix = *f.m.Fix
		return res, f.writeManifest()
	}
	if err := f.writeManifest(); err != nil {
		return nil, err
	}
	return f.loop(ctx, runs[0], nil, res)
}

// Resume continues the fix in run directory dir, from the round after its
// last recorded attempt; cfg gives what may change (the endpoint, the
// cache, the logger), the rest comes from the manifest.
func Resume(ctx context.Context, dir string, cfg Config) (*Result, error) {
	d, err := rundir.Open(dir, rundir.ManifestFile)
	if err != nil {
		return nil, &UsageError{err}
	}
	f := &fixer{dir: d, log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), start: time.Now()}
	defer f.close()
	b, err := d.ReadFile(rundir.ManifestFile)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &f.m); err != nil || f.m.Fix == nil {
		return nil, usage("%s is not the run directory of a fix", dir)
	}
	if b, err = d.ReadFile(snapshotFile); err != nil {
		return nil, err
	}
	f.snap = new(repo.Snapshot)
	if err := json.Unmarshal(b, f.snap); err != nil {
		return nil, fmt.Errorf("%s: %w", snapshotFile, err)
	}
	p, fx := f.m.Params, f.m.Fix
	f.cfg = Config{
		Dir: fx.Repo, Test: fx.Test, Language: f.m.Dataset.Language, Image: cmp.Or(cfg.Image, f.m.Sandbox.Image),
		Setup: fx.Setup, SetupNetwork: fx.SetupNetwork, Rounds: p.Rounds, MaxTokens: fx.MaxTotalTokens, AllowTestEdits: fx.AllowTestEdits, TestFiles: fx.TestFiles, Seed: p.Seed,
		Temperature: p.Temperature, Out: dir, Patch: cfg.Patch, Apply: cfg.Apply, Model: cfg.Model, Cache: cfg.Cache,
		Isolation: cfg.Isolation, Registry: cfg.Registry, Logger: cfg.Logger, WallTime: cfg.WallTime,
		Limits: limitsOf(p),
	}
	f.cfg.Model.Name = p.Model
	if f.m.Status == rundir.StatusComplete {
		return nil, usage("the fix in %s is complete (%s): nothing to resume", dir, fx.Ending)
	}
	if err := f.open(ctx); err != nil {
		return nil, err
	}
	f.base = baseline{targets: fx.Targets, guards: fx.Guards, quarantined: fx.Quarantined}
	f.base.markWhole(f.paths, f.isTest)
	var past []rundir.Attempt
	if _, err := rundir.ReadAttempts(ctx, dir, rundir.AllFields, func(_ int, a *rundir.Attempt) error {
		past = append(past, *a)
		return nil
	}); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	// The baseline's first run is what round 0's request shows: run it
	// again only when that request is not recorded.
	var first run
	if len(past) == 0 {
		if first, err = f.test(ctx, nil); err != nil {
			return nil, err
		}
	}
	f.log.Info("resuming", "attempts", len(past))
	return f.loop(ctx, first, past, &Result{Dir: d.Path(), Fix: *fx})
}

func limitsOf(p rundir.Params) sandbox.Limits {
	l := DefaultLimits()
	if p.TimeoutMS > 0 {
		l.Timeout = time.Duration(p.TimeoutMS) * time.Millisecond
	}
	if p.MemoryBytes > 0 {
		l.Memory = p.MemoryBytes
	}
	return l
}

func (f *fixer) close() {
	if f.model != nil {
		f.model.Close()
	}
	if f.box != nil {
		f.box.Close()
	}
	if f.setup != "" {
		if err := f.eng.RemoveImage(context.Background(), f.setup); err != nil {
			f.log.Warn("could not remove the setup's image", "image", f.setup, "err", err)
		}
	}
	if f.eng != nil {
		f.eng.Close()
	}
	if f.attlog != nil {
		f.attlog.Close()
	}
	if f.dir != nil {
		f.dir.Close()
	}
}

func (f *fixer) saveSnapshot() error {
	b, err := json.MarshalIndent(f.snap, "", "  ")
	if err != nil {
		return err
	}
	return f.dir.WriteFile(snapshotFile, append(b, '\n'))
}

// open reads the snapshot's files, picks the language and starts the
// sandbox.
func (f *fixer) open(ctx context.Context) error {
	f.files = make(map[string]string, len(f.snap.Files))
	for _, file := range f.snap.Files {
		f.paths = append(f.paths, file.Path)
		if file.Mode&os.ModeSymlink != 0 || file.Size > 1<<20 {
			continue
		}
		b, err := f.snap.Read(file.Path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) < 0 {
			f.files[file.Path] = string(b)
		}
	}
	reg := f.cfg.Registry
	if reg == nil {
		return errors.New("fix: no language registry")
	}
	name := f.cfg.Language
	if name == "" {
		if name = Detect(f.paths); name == "" {
			return usage("cannot tell the language of the repository %s: name it with --lang", f.snap.Root)
		}
	}
	lang, err := reg.Language(name)
	if err != nil {
		return &UsageError{err}
	}
	f.lang = lang
	f.plan = Plan(lang, f.cfg.Test)
	f.limits = f.cfg.Limits
	def := DefaultLimits()
	f.limits.Timeout = cmp.Or(f.limits.Timeout, def.Timeout)
	f.limits.Memory = cmp.Or(f.limits.Memory, def.Memory)
	f.limits.CPUs = cmp.Or(f.limits.CPUs, def.CPUs)
	f.limits.Pids = cmp.Or(f.limits.Pids, def.Pids)
	f.limits.OutputLimit = cmp.Or(f.limits.OutputLimit, def.OutputLimit)
	f.limits.FileSize = cmp.Or(f.limits.FileSize, def.FileSize)
	f.limits.OpenFiles = cmp.Or(f.limits.OpenFiles, def.OpenFiles)
	f.limits.ScratchSize = cmp.Or(f.limits.ScratchSize, def.ScratchSize)
	if total := snapshotBytes(f.snap); f.limits.ScratchSize < 2*total+(256<<20) {
		f.limits.ScratchSize = 2*total + (256 << 20)
	}
	image := f.cfg.Image
	if f.cfg.Setup != "" {
		if image, err = f.runSetup(ctx, cmp.Or(image, lang.ImageRef())); err != nil {
			return err
		}
	}
	iso := cmp.Or(f.cfg.Isolation, sandbox.Pooled)
	box, err := session.Open(ctx, session.Settings{Logger: f.log, Sandbox: session.SandboxSettings{
		Language: lang, Image: image, Isolation: iso, Size: 1, Spare: -1, Limits: f.limits,
		RunID: f.m.RunID,
	}})
	if err != nil {
		return err
	}
	f.box = box
	return nil
}

// runSetup runs the setup step on the snapshot in image, and returns the
// image it made.
func (f *fixer) runSetup(ctx context.Context, image string) (string, error) {
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		return "", err
	}
	f.eng = eng
	var buf bytes.Buffer
	if err := f.snap.Tar(&buf, nil); err != nil {
		return "", err
	}
	ref := "selfrepair-fix/setup:" + sandbox.NewRunID()
	f.log.Info("running the setup", "command", f.cfg.Setup, "network", f.cfg.SetupNetwork, "image", image)
	l := f.limits
	l.Timeout = max(l.Timeout, 10*time.Minute)
	res, err := sandbox.RunSetup(ctx, eng, sandbox.Setup{Image: image, Archive: buf.Bytes(), Command: f.cfg.Setup,
		Network: f.cfg.SetupNetwork, Ref: ref, Limits: l})
	switch {
	case errors.Is(err, sandbox.ErrImageMissing):
		return "", err
	case errors.Is(err, sandbox.ErrSetupFailed):
		return "", usage("the setup `%s` failed: %v: %s", f.cfg.Setup, strings.TrimPrefix(err.Error(), sandbox.ErrSetupFailed.Error()+": "),
			lastLineOf(string(res.Output)))
	case err != nil:
		return "", err
	}
	f.setup = ref
	f.base0 = sandbox.BaseDir
	f.log.Info("setup done", "took", res.Took.Round(time.Millisecond))
	return ref, nil
}

func lastLineOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func snapshotBytes(s *repo.Snapshot) int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Size
	}
	return n
}

// Detect guesses a repository's language from the files that mark its
// build (go.mod, package.json, Cargo.toml, pom.xml, pyproject.toml, ...),
// then from the extensions of its files; "" when it cannot tell.
func Detect(paths []string) string {
	markers := []struct{ file, lang string }{
		{"go.mod", "go"}, {"Cargo.toml", "rust"}, {"package.json", "javascript"}, {"pom.xml", "java"},
		{"build.gradle", "java"}, {"build.gradle.kts", "java"}, {"pyproject.toml", "python"}, {"setup.py", "python"},
		{"setup.cfg", "python"}, {"requirements.txt", "python"}, {"CMakeLists.txt", "cpp"},
	}
	for _, m := range markers {
		for _, p := range paths {
			if p == m.file {
				return m.lang
			}
		}
	}
	count := map[string]int{}
	exts := map[string]string{".py": "python", ".go": "go", ".js": "javascript", ".mjs": "javascript", ".java": "java",
		".rs": "rust", ".cpp": "cpp", ".cc": "cpp", ".hpp": "cpp", ".h": "cpp"}
	best := ""
	for _, p := range paths {
		if l := exts[filepath.Ext(p)]; l != "" {
			count[l]++
			if best == "" || count[l] > count[best] || count[l] == count[best] && l < best {
				best = l
			}
		}
	}
	return best
}

// A repoRunner is a language whose image prepares a repository's test
// runs: their environment, and a shell command run before the test
// command (a build cache warmed in the image, copied where the run may
// write).
type repoRunner interface {
	RepoRun() (env map[string]string, prelude string)
}

// Plan is how test runs a repository's test command in lang's image: the
// command instrumented for per-test results (testlog.Instrument), prepared
// as the language's image wants it when it has a way (a repoRunner).
func Plan(lang languages.Language, test string) testlog.Plan {
	plan := testlog.Instrument(test)
	if p, ok := lang.(repoRunner); ok {
		plan = prepared(plan, p)
	}
	return plan
}

// prepared is plan with the language's environment (the plan's own wins)
// and its prelude run first, its output and status aside.
func prepared(plan testlog.Plan, l repoRunner) testlog.Plan {
	env, prelude := l.RepoRun()
	merged := maps.Clone(env)
	maps.Copy(merged, plan.Env)
	plan.Env = merged
	if prelude != "" {
		plan.Command = "{ " + prelude + "; } >/dev/null 2>&1\n" + plan.Command
	}
	return plan
}

// TestJob is the sandbox job that runs plan's command on snap with
// changed laid over it (path → content), starting from the image's folder
// base ("" for none): what one round of a fix runs.
func TestJob(snap *repo.Snapshot, plan testlog.Plan, changed map[string][]byte, base string, limits sandbox.Limits) (sandbox.Job, error) {
	var buf bytes.Buffer
	if err := snap.Tar(&buf, changed); err != nil {
		return sandbox.Job{}, err
	}
	job := sandbox.Job{Archive: buf.Bytes(), Base: base, Argv: []string{"sh", "-c", plan.Command}, Env: plan.Env, Limits: limits}
	if plan.Report != "" {
		job.Collect = []string{plan.Report}
	}
	return job, nil
}

// ReadTests reads the per-test results of a TestJob's result; a report
// that cannot be read is no evidence (an error outside any test).
func ReadTests(plan testlog.Plan, res *sandbox.Result) testlog.Log {
	code := res.ExitCode
	if res.Status != sandbox.StatusExited {
		// Stopped by a limit or a signal, the command did not exit: its
		// exit code (0) is no clean exit.
		code = -1
	}
	log, err := plan.Read(res.Collected[plan.Report], res.Stdout, res.Stderr, code)
	if err != nil {
		return testlog.Log{Errors: []string{err.Error()}}
	}
	return log
}

// test runs the test command on the snapshot with changed laid over it;
// the test files are the snapshot's unless test edits are allowed.
func (f *fixer) test(ctx context.Context, changed map[string]string) (run, error) {
	over := make(map[string][]byte, len(changed))
	for p, c := range changed {
		if f.cfg.AllowTestEdits || !f.isTest(p) {
			over[p] = []byte(c)
		}
	}
	job, err := TestJob(f.snap, f.plan, over, f.base0, f.limits)
	if err != nil {
		return run{}, err
	}
	var res *sandbox.Result
	for try := 1; try <= 3; try++ {
		if res, err = f.box.Sandbox.Run(ctx, job); err == nil || ctx.Err() != nil {
			break
		}
		f.log.Warn("the sandbox failed; retrying", "err", err)
	}
	if err != nil {
		return run{}, err
	}
	r := newRun(f.plan, res)
	f.log.Debug("test run", "status", res.Status, "exit", res.ExitCode, "tests", len(r.log.Cases), "errors", len(r.log.Errors),
		"output", lastLinesOf(r.output, 5))
	return r, nil
}

// newRun is a run of plan's command that ended as res.
func newRun(plan testlog.Plan, res *sandbox.Result) run {
	r := run{exit: res.ExitCode, status: string(res.Status), output: string(res.Stdout) + string(res.Stderr), log: ReadTests(plan, res)}
	if res.Status != sandbox.StatusExited {
		r.output += "\n" + res.Summary() + ": " + res.Message
	}
	return r
}

// isTest reports whether a file is one of the tests.
func (f *fixer) isTest(p string) bool {
	if repo.IsTest(p) {
		return true
	}
	for _, pat := range f.cfg.TestFiles {
		if ok, _ := path.Match(pat, p); ok || pat == p {
			return true
		}
	}
	return false
}

// manifest is the run's manifest after the baseline.
func (f *fixer) manifest() rundir.Manifest {
	name := filepath.Base(f.snap.Root)
	l := f.limits
	return rundir.Manifest{
		Format: rundir.Format, RunID: f.box.Sandbox.RunID(), Status: rundir.StatusRunning,
		Created: time.Now().UTC(), Updated: time.Now().UTC(),
		Params: rundir.Params{
			Dataset: "repository", Tasks: []string{name}, Model: f.cfg.Model.Name, Samples: 1, Rounds: f.cfg.Rounds,
			Feedback: prompt.Traceback, RepairStyle: prompt.Chat, FeedbackTests: rundir.HiddenTests,
			Temperature: f.cfg.Temperature, Seed: f.cfg.Seed, Concurrency: 1,
			TimeoutMS: l.Timeout.Milliseconds(), MemoryBytes: l.Memory,
		},
		Dataset: rundir.DatasetInfo{Name: "repository:" + name, Hash: f.snap.Commit, Tasks: 1, Language: f.lang.Name()},
		Sandbox: rundir.SandboxInfo{Image: f.box.Image, ImageID: f.box.ImageID, Isolation: string(cmp.Or(f.cfg.Isolation, sandbox.Pooled)), Size: 1},
		Fix: &rundir.Fix{
			Repo: f.snap.Root, Commit: f.snap.Commit, Test: f.cfg.Test, Runner: f.plan.Runner, Command: f.plan.Command,
			Targets: f.base.targets, Guards: f.base.guards, Quarantined: f.base.quarantined, Failures: f.failures,
			SnapshotLimit: cmp.Or(f.cfg.SnapshotLimit, repo.DefaultLimit), AllowTestEdits: f.cfg.AllowTestEdits, TestFiles: f.cfg.TestFiles,
			MaxTotalTokens: f.cfg.MaxTokens, Setup: f.cfg.Setup, SetupNetwork: f.cfg.SetupNetwork,
		},
	}
}

func (f *fixer) writeManifest() error {
	f.m.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(f.m, "", "  ")
	if err != nil {
		return err
	}
	return f.dir.WriteFile(rundir.ManifestFile, append(b, '\n'))
}

// state is where the loop stands between rounds.
type state struct {
	round     int
	msgs      []prompt.Message  // the next request
	changed   map[string]string // every edit so far, by file
	tokens    int
	best      *rundir.TestRun
	bestRound int
	bestFiles map[string]string
	lastSig   string                     // the failure signature of the last tested round
	lastRound int                        // and its round (-1: none)
	noEdits   int                        // rounds in a row with no edit applied
	judged    map[string]*rundir.Attempt // by code hash: the repository's states already tested
	ending    string
}

// loop runs the rounds left; past are the attempts of earlier sessions,
// replayed to rebuild the state.
func (f *fixer) loop(ctx context.Context, first run, past []rundir.Attempt, res *Result) (*Result, error) {
	name := f.m.Params.Tasks[0]
	v := view{cmd: f.cfg.Test, files: f.files, paths: f.paths, isTest: f.isTest, targets: f.base.targets}
	st := &state{changed: map[string]string{}, judged: map[string]*rundir.Attempt{}, lastRound: -2}
	for i := range past {
		a := &past[i]
		if a.Round != st.round {
			return nil, fmt.Errorf("%s: round %d out of order (next round %d): the file is corrupt", rundir.AttemptsFile, a.Round, st.round)
		}
		f.advance(st, v, a)
	}
	if st.msgs == nil && len(past) == 0 {
		st.msgs = v.first(first)
	}
	var err error
	if f.attlog, err = f.dir.OpenLog(rundir.AttemptsFile); err != nil {
		return nil, err
	}
	res.Attempts = past
	for st.ending == "" && st.round <= f.cfg.Rounds {
		if f.cfg.MaxTokens > 0 && st.tokens >= f.cfg.MaxTokens || f.cfg.WallTime > 0 && time.Since(f.start) >= f.cfg.WallTime {
			st.ending = Budget
			break
		}
		if f.model == nil {
			if f.model, err = session.Open(ctx, session.Settings{Model: &f.cfg.Model, Cache: f.cfg.Cache, Logger: f.log}); err != nil {
				return nil, err
			}
			f.m.Model = rundir.ModelInfo{Name: f.cfg.Model.Name, Endpoint: f.model.URL, Simulator: f.model.Simulator(), Sim: f.model.Sim}
			f.m.Cache = f.model.CacheInfo
		}
		a, err := f.round(ctx, st, v, name)
		if err != nil {
			f.m.Status, f.m.Error = rundir.StatusInterrupted, err.Error()
			if ctx.Err() == nil {
				f.m.Status = rundir.StatusFailed
			}
			f.writeManifest()
			return nil, err
		}
		line, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		if err := f.attlog.Append(line); err != nil {
			return nil, err
		}
		res.Attempts = append(res.Attempts, *a)
		f.advance(st, v, a)
	}
	if st.ending == "" {
		st.ending = RoundsExhausted
		if st.best != nil {
			st.ending = PartiallyFixed
		}
	}
	res.Ending, res.Best, res.BestRound, res.Rounds, res.Tokens = st.ending, st.best, st.bestRound, st.round, st.tokens
	if st.best != nil {
		if err := f.writePatch(ctx, st.bestFiles, res); err != nil {
			return nil, err
		}
	}
	f.m.Fix.Ending, f.m.Fix.Patch, f.m.Status = st.ending, res.Patch, rundir.StatusComplete
	res.Fix = *f.m.Fix
	if err := f.writeManifest(); err != nil {
		return nil, err
	}
	if res.Ending == Fixed && f.cfg.Apply {
		if err := f.apply(ctx, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// round asks the model for the state's next request and judges the answer.
func (f *fixer) round(ctx context.Context, st *state, v view, name string) (*rundir.Attempt, error) {
	seed := study.RequestSeed(f.cfg.Seed, name, 0, st.round)
	a := &rundir.Attempt{TaskID: name, Round: st.round, Seed: seed, Messages: st.msgs}
	f.log.Info("asking the model", "round", st.round)
	req := llm.Request{Model: f.cfg.Model.Name, Messages: toLLM(st.msgs), N: 1, Temperature: f.cfg.Temperature, Seed: &a.Seed}
	ans, err := llm.Ask(ctx, f.model.Client, f.model.Cache, f.model.Identity, req, f.log)
	if err != nil {
		return nil, err
	}
	a.Response, a.FinishReason = ans.Content, ans.FinishReason
	a.PromptTokens, a.CompletionTokens = ans.PromptTokens, ans.CompletionTokens
	a.CacheHit, a.LLMAttempts, a.LLMMS = ans.Hit, ans.Attempts, ans.LatencyMS

	changed, outs, perr := f.edits(st, a.Response)
	a.Edits = results(outs)
	if perr != nil {
		a.Edits = append(a.Edits, rundir.EditResult{Error: perr.Error()})
	}
	applied := false
	for _, o := range outs {
		applied = applied || o.Err == nil
	}
	a.Code = f.describe(changed)
	a.CodeHash = hashText(a.Code)
	var r *run
	switch prev := st.judged[a.CodeHash]; {
	case !applied:
		a.Verdict = rundir.Verdict{Status: "failed", Failure: languages.Failure{Class: languages.Syntax, ErrorType: "EditFailed",
			Message: "no edit of the answer could be applied"}}
	case prev != nil:
		// The edits lead to a state already tested: its verdict stands.
		a.Stall, a.StallOf = true, &prev.Round
		a.Verdict, a.Tests = prev.Verdict, prev.Tests
	default:
		f.log.Info("running the tests", "round", st.round)
		got, err := f.test(ctx, changed)
		if err != nil {
			return nil, err
		}
		r = &got
		tr := f.base.grade(got)
		a.Tests = &tr
		a.Verdict = f.verdict(got, tr)
	}
	if a.Tests != nil && fixed(*a.Tests, len(f.base.targets)) {
		a.Time = time.Now().UTC()
		return a, nil
	}
	if st.round < f.cfg.Rounds {
		fv := v
		fv.files = merged(f.files, changed)
		same := a.Tests != nil && st.lastRound == st.round-1 && st.lastSig == sigOf(a)
		a.Feedback = fv.feedback(a.Edits, r, a.Tests, a.StallOf, same)
	}
	a.Time = time.Now().UTC()
	return a, nil
}

// edits parses the answer and applies its edits to the files as the
// earlier rounds left them: the files changed since the snapshot, after.
func (f *fixer) edits(st *state, answer string) (map[string]string, []edit.Outcome, error) {
	es, perr := edit.Parse(answer)
	now := merged(f.files, st.changed)
	got, outs := edit.Apply(now, es, edit.Options{IsTest: f.isTest, AllowTestEdits: f.cfg.AllowTestEdits})
	changed := make(map[string]string, len(st.changed)+len(got))
	for p, c := range st.changed {
		changed[p] = c
	}
	for p, c := range got {
		if orig, ok := f.files[p]; ok && orig == c {
			delete(changed, p)
			continue
		}
		changed[p] = c
	}
	return changed, outs, perr
}

// advance moves the state past attempt a.
func (f *fixer) advance(st *state, v view, a *rundir.Attempt) {
	changed, _, _ := f.edits(st, a.Response)
	st.changed = changed
	st.tokens += a.PromptTokens + a.CompletionTokens
	st.round = a.Round + 1
	if a.Tests == nil {
		st.noEdits++
	} else {
		st.noEdits = 0
		if !a.Stall {
			st.judged[a.CodeHash] = a
		}
		if better(a.Tests, st.best) {
			st.best, st.bestRound, st.bestFiles = a.Tests, a.Round, changed
		}
	}
	switch {
	case a.Tests != nil && fixed(*a.Tests, len(f.base.targets)):
		st.best, st.bestRound, st.bestFiles = a.Tests, a.Round, changed
		st.ending = Fixed
	case st.noEdits >= 3:
		st.ending = EditFailures
	case a.Tests != nil && st.lastRound == a.Round-1 && st.lastSig == sigOf(a):
		st.ending = NoProgress
	}
	if a.Tests != nil {
		st.lastSig, st.lastRound = sigOf(a), a.Round
	}
	st.msgs = nil
	if a.Feedback != "" {
		st.msgs = prompt.Next(prompt.Chat, prompt.Traceback, nil, a.Messages, a.Response, a.Feedback)
	}
	if st.ending == "" && st.msgs == nil {
		st.ending = RoundsExhausted
	}
}

// sigOf is the failure signature of a tested attempt, to tell when a
// repair made no progress: its failing and broken tests, and the first
// line of its message.
func sigOf(a *rundir.Attempt) string {
	if a.Tests == nil {
		return ""
	}
	msg, _, _ := strings.Cut(a.Message, "\n")
	return strings.Join(a.Tests.Failing, "\x00") + "\x01" + strings.Join(a.Tests.Broken, "\x00") + "\x02" + a.Tests.Void + "\x03" + normalize(msg)
}

// verdict is the attempt's verdict from a graded run: passed when it fixes
// the repository, else the failure of the first target still failing (or
// guard broken), classified by the language.
func (f *fixer) verdict(r run, tr rundir.TestRun) rundir.Verdict {
	if fixed(tr, len(f.base.targets)) {
		return rundir.Verdict{Passed: true, Status: "passed", Failure: languages.Failure{Class: languages.Pass}}
	}
	status := "failed"
	switch r.status {
	case string(sandbox.StatusTimeout), string(sandbox.StatusMemory), string(sandbox.StatusOutputLimit):
		status = r.status
	}
	var id, text string
	for _, t := range append(append([]string(nil), tr.Failing...), tr.Broken...) {
		if c, ok := r.case_(t); ok && c.Status == testlog.Failed {
			id, text = t, strings.TrimSpace(c.Message+"\n"+c.Output)
			break
		}
	}
	if text == "" {
		text = strings.Join(r.log.Errors, "\n")
	}
	if text == "" {
		text = lastLinesOf(r.output, 40)
	}
	v := rundir.Verdict{Status: status}
	v.Class = f.classify(status, text)
	v.ErrorType = id
	v.Message = prompt.Truncate(firstLine(text), 4<<10)
	if tr.Void != "" {
		v.Message = tr.Void
	}
	v.Traceback = prompt.Truncate(normalize(text), 8<<10)
	return v
}

// classify is the class of a failure from its text, in the language's
// words.
func (f *fixer) classify(status, text string) languages.Class {
	switch status {
	case string(sandbox.StatusTimeout):
		return languages.Timeout
	case string(sandbox.StatusMemory):
		return languages.Memory
	case string(sandbox.StatusOutputLimit):
		return languages.OutputLimit
	}
	if c, at := f.lang.Coder().Failure(text); at >= 0 {
		return c
	}
	if strings.Contains(strings.ToLower(text), "assert") {
		return languages.Assertion
	}
	return languages.OtherRuntime
}

// describe is an attempt's code: the changed files, in path order, as one
// text (what its hash identifies).
func (f *fixer) describe(changed map[string]string) string {
	var b strings.Builder
	for _, p := range sortedKeys(changed) {
		fmt.Fprintf(&b, "=== %s\n%s\n", p, changed[p])
	}
	return b.String()
}

// writePatch writes the patch of the best round.
func (f *fixer) writePatch(ctx context.Context, files map[string]string, res *Result) error {
	over := make(map[string][]byte, len(files))
	for p, c := range files {
		if f.cfg.AllowTestEdits || !f.isTest(p) {
			over[p] = []byte(c)
		}
	}
	patch, err := f.snap.Diff(ctx, f.dir.Path(), over)
	if err != nil {
		return err
	}
	out := cmp.Or(f.cfg.Patch, filepath.Join(f.dir.Path(), "fix.diff"))
	if err := os.WriteFile(out, []byte(patch), 0o644); err != nil {
		return fmt.Errorf("cannot write the patch: %w", err)
	}
	res.Patch = out
	return nil
}

// apply applies the patch to the user's tree with git apply, unless a file
// it changes was modified since the snapshot.
func (f *fixer) apply(ctx context.Context, res *Result) error {
	patch, err := os.ReadFile(res.Patch)
	if err != nil {
		return err
	}
	mod, err := f.snap.Modified(repo.Paths(string(patch)))
	if err != nil {
		return err
	}
	if len(mod) > 0 {
		res.NotApplied = fmt.Sprintf("not applied: %s changed since the snapshot; the patch is in %s", strings.Join(mod, ", "), res.Patch)
		return nil
	}
	abs, err := filepath.Abs(res.Patch)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "git", "-C", f.snap.Root, "apply", "--whitespace=nowarn", abs)
	if out, err := cmd.CombinedOutput(); err != nil {
		res.NotApplied = fmt.Sprintf("git apply failed: %s; the patch is in %s", firstLine(string(out)), res.Patch)
		return nil
	}
	res.Applied = true
	return nil
}

// cleanTree refuses a repository whose tracked files have uncommitted
// changes: --apply writes to them.
func cleanTree(ctx context.Context, dir string) error {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no")
	out, err := cmd.Output()
	if err != nil {
		return usage("%s is not in a git repository", dir)
	}
	if len(bytes.TrimSpace(out)) > 0 {
		return usage("the working tree of %s has uncommitted changes: commit or stash them to use --apply (or leave --apply out and apply the patch yourself)", dir)
	}
	return nil
}

func merged(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for p, c := range base {
		out[p] = c
	}
	for p, c := range over {
		out[p] = c
	}
	return out
}

func toLLM(msgs []prompt.Message) []llm.Message {
	out := make([]llm.Message, len(msgs))
	for i, m := range msgs {
		out[i] = llm.Message{Role: m.Role, Content: m.Content}
	}
	return out
}

func hashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// RoundSummary is one line on a round: its edits and what its tests did.
func RoundSummary(a rundir.Attempt, targets int) string {
	applied, refused := 0, 0
	for _, e := range a.Edits {
		if e.Error == "" {
			applied++
		} else {
			refused++
		}
	}
	s := fmt.Sprintf("%d edit(s) applied", applied)
	if refused > 0 {
		s += fmt.Sprintf(", %d refused", refused)
	}
	switch t := a.Tests; {
	case t == nil:
		s += "; tests not run"
	case t.Void != "":
		s += "; the run does not count: " + t.Void
	default:
		s += fmt.Sprintf("; %d of %d failing tests pass", t.TargetsPassing, targets)
		if len(t.Broken) > 0 {
			s += fmt.Sprintf(", %d broken", len(t.Broken))
		}
	}
	if a.Stall {
		s += " (a state already tested)"
	}
	return s
}
