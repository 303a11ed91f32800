// Package study runs self-repair studies: a model writes code for each
// task, the code's tests run in the sandbox, and every failing sample gets
// up to Rounds repair rounds, with feedback on its failure, until it
// passes.
//
// A study lives in a run directory (agent/rundir, whose SCHEMA.md is a
// public interface): manifest.json holds every parameter, attempts.jsonl
// one line per attempt. [Create] makes a run directory, [Open] opens one
// to resume it, [Study.Run] runs what is left; its numbers are the
// report's (package reports).
//
// # Determinism
//
// The request of an attempt is a pure function of the parameters, the
// task, the sample's index, the round and the sample's earlier attempts:
// every request carries its own seed, derived from the study seed, the
// task id, the sample index and the round, so its answer does not depend
// on how requests are batched or scheduled. Verdicts come from a sandbox
// whose hash seed (HashSeed, the language's SeedEnv) is derived from the
// study seed. A run that is
// interrupted and resumed therefore records the same attempts as one that
// was not (timing and provenance fields aside), and a run that is
// repeated with the response cache asks the model nothing.
//
// # Crash safety
//
// An attempt is recorded once it is complete: its line is appended with a
// single write and fsynced before the sample moves on (lines of
// concurrent samples are committed together). A crash loses at most the
// attempts in flight; [Open] drops a torn last line, and [Study.Run] asks
// the model again only for attempts that were never recorded (the
// response cache usually answers them). The directory is locked while it
// is open: a second process is refused.
//
// # Scheduling
//
// The run is a pipeline of two stages joined by priority queues:
// Concurrency workers ask the model, and twice the sandbox's size of
// workers judge the answers. A worker holds a request slot only while its
// request is in flight, never while code is tested, so the model is kept
// busy while other samples are in the sandbox. Both queues serve the
// sample in the deepest round first (then the study's order), so that long
// repair chains do not hold up the end of the run. A program already
// judged in this session for the same task is not run again (its verdict
// is reused and the attempt marked "reused"); an attempt whose code
// repeats an earlier attempt of its sample is a stall: it is not run again
// either, and its feedback says so.
package study

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Model is the language model a study asks; *llm.Client is one.
type Model = llm.Completer

// Sandbox runs the programs of a study; *sandbox.Sandbox is one.
type Sandbox interface {
	evaluate.Runner
	Size() int // jobs at once
}

// Env is what a run needs besides its parameters: the live model, sandbox
// and dataset.
type Env struct {
	Model         Model
	CacheIdentity string     // the endpoint's identity in the response cache's keys (llm.CacheKey)
	Cache         *llm.Cache // nil: no response cache

	// Concurrency is the model requests in flight (the client enforces
	// it); 0 means Params.Concurrency.
	Concurrency int

	Runner Sandbox // runs the programs

	Dataset  *tasks.Dataset     // must be the manifest's (same hash)
	Language languages.Language // the dataset's
	// Suites are the suites of tests an attempt is scored on (default
	// Base; Base and Plus for HumanEval+ and MBPP+). With feedback_tests
	// "visible", the same job also runs the task's visible examples.
	Suites []languages.Suite
	// Timeouts override Params.TimeoutMS per task id (evaluate.Calibrate).
	Timeouts map[string]time.Duration

	// Session describes this process (Tool, ImageID, Endpoint); Run fills
	// in the rest.
	Session rundir.Session
	// Progress, if set, is called after every recorded attempt, one call
	// at a time.
	Progress func(Progress)
	Logger   *slog.Logger
}

// Progress is a run's progress.
type Progress struct {
	Tasks, TasksDone     int
	Samples, SamplesDone int
	SamplesPassed        int // finished samples whose last attempt passed
	Attempts             int // recorded, earlier sessions included
	// This session's work.
	NewAttempts, Requests, CacheHits, Executions int
	PromptTokens, CompletionTokens               int
	Elapsed                                      time.Duration
	ETA                                          time.Duration // 0 while unknown
}

// Study is an open run directory.
type Study struct {
	dir *rundir.Dir
	m   rundir.Manifest
}

// Create makes a new run directory at path for the study described by m
// (its Params, Dataset, Model, Sandbox, Cache, and RunID if it is set) and
// writes its manifest. It fails if path exists and is not empty.
func Create(path string, m rundir.Manifest) (*Study, error) {
	if err := m.Params.Validate(); err != nil {
		return nil, err
	}
	d, err := rundir.Create(path)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if m.RunID == "" {
		m.RunID = sandbox.NewRunID()
	}
	m.Format, m.Status, m.Error = rundir.Format, rundir.StatusRunning, ""
	m.Created, m.Updated, m.Sessions = now, now, nil
	s := &Study{dir: d, m: m}
	if err := s.writeManifest(); err != nil {
		d.Close()
		return nil, err
	}
	return s, nil
}

// Open opens the run directory at path to resume it.
func Open(path string) (*Study, error) {
	d, err := rundir.Open(path, rundir.ManifestFile)
	if err != nil {
		return nil, err
	}
	b, err := d.ReadFile(rundir.ManifestFile)
	if err != nil {
		d.Close()
		return nil, err
	}
	var m rundir.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		d.Close()
		return nil, fmt.Errorf("%s/%s: %w: %v", path, rundir.ManifestFile, rundir.ErrNotRun, err)
	}
	if m.Format != rundir.Format {
		d.Close()
		return nil, fmt.Errorf("%s/%s: %w (format %q, want %q)", path, rundir.ManifestFile, rundir.ErrNotRun, m.Format, rundir.Format)
	}
	if err := m.Params.Validate(); err != nil {
		d.Close()
		return nil, fmt.Errorf("%s/%s: %w", path, rundir.ManifestFile, err)
	}
	return &Study{dir: d, m: m}, nil
}

// Manifest returns the run's manifest as it stands.
func (s *Study) Manifest() rundir.Manifest { return s.m }

// Dir returns the run directory's path.
func (s *Study) Dir() string { return s.dir.Path() }

// Close releases the run directory.
func (s *Study) Close() error { return s.dir.Close() }

func (s *Study) writeManifest() error {
	s.m.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(s.m, "", "  ")
	if err != nil {
		return err
	}
	if err := s.dir.WriteFile(rundir.ManifestFile, append(b, '\n')); err != nil {
		return fmt.Errorf("cannot write the manifest: %w", err)
	}
	return nil
}

// HashSeed is the hash seed a study's sandbox should use: derived
// from the study seed, so that verdicts are reproducible.
func HashSeed(seed uint64) string { return fmt.Sprint(seed % (1 << 32)) }

// RequestSeed is the seed of the request for a sample's round: a pure
// function of the study seed, the task, the sample and the round, in
// [0, 2^31) so that every endpoint accepts it.
func RequestSeed(seed uint64, taskID string, sample, round int) int {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte("selfrepair-study/seed/v1\x00"))
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	binary.LittleEndian.PutUint64(b[:], uint64(len(taskID)))
	h.Write(b[:])
	h.Write([]byte(taskID))
	binary.LittleEndian.PutUint64(b[:], uint64(sample))
	h.Write(b[:])
	binary.LittleEndian.PutUint64(b[:], uint64(round))
	h.Write(b[:])
	return int(binary.LittleEndian.Uint32(h.Sum(nil)) & 0x7fffffff)
}

func hashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Run runs what is left of the study: every sample not yet finished, from
// its next round. When ctx is
// cancelled it stops at once: the attempts in flight are dropped, the
// manifest says "interrupted", and Run returns ctx's error; the run can
// be resumed. A model or sandbox failure that retries did not fix stops
// the run the same way, with status "failed".
func (s *Study) Run(ctx context.Context, env Env) error {
	r, err := s.prepare(env)
	if err != nil {
		return err
	}
	attempts, err := s.dir.OpenLog(rundir.AttemptsFile)
	if err != nil {
		return err
	}
	if n := attempts.Dropped(); n > 0 {
		r.log.Warn("dropped the torn end of attempts.jsonl left by a crash", "bytes", n)
	}
	if err := r.load(ctx); err != nil {
		attempts.Close()
		return err
	}
	sess := env.Session
	sess.Started, sess.Status, sess.PID = time.Now().UTC(), rundir.StatusRunning, os.Getpid()
	sess.Ended, sess.Error, sess.Attempts = nil, "", 0
	s.m.Sessions = append(s.m.Sessions, sess)
	s.m.Status, s.m.Error = rundir.StatusRunning, ""
	if err := s.writeManifest(); err != nil {
		attempts.Close()
		return err
	}
	if len(s.m.Sessions) > 1 {
		first := s.m.Sessions[0]
		if first.ImageID != "" && sess.ImageID != "" && first.ImageID != sess.ImageID {
			r.log.Warn("the sandbox image changed since the run began: verdicts may differ", "was", first.ImageID, "now", sess.ImageID)
		}
	}

	r.app = newAppender(attempts)
	runErr := r.run(ctx)
	r.app.close()
	if err := attempts.Close(); runErr == nil {
		runErr = err
	}

	now := time.Now().UTC()
	cur := &s.m.Sessions[len(s.m.Sessions)-1]
	cur.Ended, cur.Attempts = &now, r.newAttempts()
	switch {
	case runErr == nil:
		cur.Status, s.m.Status = rundir.StatusComplete, rundir.StatusComplete
	case ctx.Err() != nil:
		cur.Status, s.m.Status = rundir.StatusInterrupted, rundir.StatusInterrupted
	default:
		cur.Status, s.m.Status = rundir.StatusFailed, rundir.StatusFailed
		cur.Error, s.m.Error = runErr.Error(), runErr.Error()
	}
	if err := s.writeManifest(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return runErr
	}
	return nil
}

// prepare checks env against the manifest and sets up a runner.
func (s *Study) prepare(env Env) (*runner, error) {
	p := s.m.Params
	switch {
	case env.Model == nil:
		return nil, errors.New("study: no model")
	case env.Runner == nil:
		return nil, errors.New("study: no sandbox")
	case env.Dataset == nil:
		return nil, errors.New("study: no dataset")
	case env.Language == nil:
		return nil, errors.New("study: no language")
	}
	if s.m.Dataset.Hash != "" && env.Dataset.Hash != s.m.Dataset.Hash {
		return nil, fmt.Errorf("dataset %s changed since the run began (hash %.12s…, now %.12s…): it cannot be resumed with these tasks",
			env.Dataset.Name, s.m.Dataset.Hash, env.Dataset.Hash)
	}
	byID := make(map[string]tasks.Task, len(env.Dataset.Tasks))
	for _, t := range env.Dataset.Tasks {
		byID[t.ID] = t
	}
	r := &runner{
		study:  s,
		env:    env,
		p:      p,
		mode:   p.Feedback,
		style:  p.RepairStyle,
		log:    env.Logger,
		judged: map[string]*judgement{},
		index:  map[string]int{},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	for i, id := range p.Tasks {
		t, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("task %s is not in dataset %s", id, env.Dataset.Name)
		}
		timeout := time.Duration(p.TimeoutMS) * time.Millisecond
		if d, ok := env.Timeouts[id]; ok {
			timeout = d
		}
		pr, err := newTaskProblem(t, env.Language, env.Runner, env.Suites, p.FeedbackTests == rundir.VisibleTests, timeout, p.MemoryBytes)
		if err != nil {
			return nil, err
		}
		r.problems = append(r.problems, pr)
		r.index[id] = i
	}
	r.samples = make([]*sample, len(r.problems)*p.Samples)
	for i := range r.samples {
		r.samples[i] = &sample{task: i / p.Samples, index: i % p.Samples, seq: i}
	}
	r.tasksLeft = make([]int, len(r.problems))
	for i := range r.tasksLeft {
		r.tasksLeft[i] = p.Samples
	}
	return r, nil
}

// failure is the feedback's view of a verdict.
func failure(v rundir.Verdict, stallOf *int) prompt.Failure {
	f := prompt.Failure{Failure: v.Failure, RepeatOf: -1}
	if stallOf != nil {
		f.RepeatOf = *stallOf
	}
	return f
}
