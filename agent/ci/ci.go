// Package ci runs a fix as a CI job after a red test step, and writes what
// a later job, the only one with a write token, publishes: the patch, a
// Markdown summary (also appended to GitHub's step summary), result.json
// and the run directory; in GitHub Actions it prints annotations for the
// failing tests and sets the step's outputs fixed, ending and patch.
//
// The model step must never see a repository token: Run refuses while
// one is in the environment (Tokens), unless told to go on; nothing of the
// environment reaches the prompts, the logs, the outputs or the sandbox,
// whose containers start with an environment of their own.
package ci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/tasks/repo"
)

// The files of Config.Out.
const (
	PatchFile   = "fix.patch"
	SummaryFile = "summary.md"
	ResultFile  = "result.json"
	RunDir      = "run"
)

// CI's bounds of a fix, where fix has none.
const (
	DefaultMaxTokens = 200_000
	DefaultWallTime  = 30 * time.Minute
)

// DefaultOut is Config.Out in a CI job when none is given.
const DefaultOut = "selfrepair-out"

// Config is a CI fix.
type Config struct {
	// Fix is the fix; Run sets its Out (Out/run) and Patch (Out/fix.patch),
	// and never applies the patch.
	Fix fix.Config
	// Out is the folder of what a later job publishes; new or empty.
	Out string
	Env Env
	// Getenv reads the environment for the token check (os.Getenv).
	Getenv func(string) string
	// AllowToken runs with a write token in the environment.
	AllowToken bool
	// Annotations receives GitHub's workflow commands (the standard
	// output, where the runner reads them); nil writes none.
	Annotations io.Writer
}

// Outcome is how a CI fix ended: the fix's result and what result.json
// says of it.
type Outcome struct {
	Fix    *fix.Result
	Result Result
}

// Run fixes cfg.Fix's repository and writes cfg.Out. An error is a
// *fix.UsageError for bad input, else an infrastructure failure.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	if cfg.Out == "" {
		return nil, &fix.UsageError{Err: errors.New("not in a CI job (no GITHUB_ACTIONS, GITLAB_CI or CI in the environment): give the output folder with --out")}
	}
	if set := Tokens(cfg.Getenv); len(set) > 0 && !cfg.AllowToken {
		return nil, &fix.UsageError{Err: fmt.Errorf("refusing to run with a repository token in the environment (%s): the model's job must not hold one; "+
			"publish from a later job that holds it, or give --allow-token", strings.Join(set, ", "))}
	}
	if err := emptyDir(cfg.Out); err != nil {
		return nil, &fix.UsageError{Err: err}
	}
	fc := cfg.Fix
	fc.Out, fc.Patch, fc.Apply = filepath.Join(cfg.Out, RunDir), filepath.Join(cfg.Out, PatchFile), false
	res, err := fix.Run(ctx, fc)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Fix: res, Result: newResult(res, cfg.Env)}
	b, err := json.MarshalIndent(o.Result, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfg.Out, ResultFile), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	var patch string
	if res.Patch != "" {
		p, err := os.ReadFile(res.Patch)
		if err != nil {
			return nil, err
		}
		patch = string(p)
	}
	summary := Summary(o.Result, res.Attempts, patch)
	if err := os.WriteFile(filepath.Join(cfg.Out, SummaryFile), []byte(summary), 0o644); err != nil {
		return nil, err
	}
	if cfg.Env.StepSummary != "" {
		if err := appendFile(cfg.Env.StepSummary, summary); err != nil {
			return nil, fmt.Errorf("the step summary: %w", err)
		}
	}
	if cfg.Env.Output != "" {
		out := fmt.Sprintf("fixed=%t\nending=%s\npatch=%s\n", o.Result.Fixed, o.Result.Ending, o.Result.Patch)
		if err := appendFile(cfg.Env.Output, out); err != nil {
			return nil, fmt.Errorf("the step's outputs: %w", err)
		}
	}
	if cfg.Annotations != nil && cfg.Env.Kind == GitHub {
		if _, err := io.WriteString(cfg.Annotations, Annotations(o.Result)); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// emptyDir makes dir, or accepts it empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("the output folder %s is not empty", dir)
	}
	return nil
}

func appendFile(name, s string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Schema names result.json's format.
const Schema = "selfrepair-ci/1"

// Result is result.json: how the fix ended, the tests before and after,
// the patch, and the cost. Its fields are stable (README, "CI").
type Result struct {
	Schema string `json:"schema"`
	// Ending is fix's: fixed, partially-fixed, rounds-exhausted, budget,
	// no-progress, edit-failures, nothing-failing.
	Ending string `json:"ending"`
	Fixed  bool   `json:"fixed"` // every failing test passes with the patch, none broken
	Test   string `json:"test"`  // the test command
	Commit string `json:"commit"`
	CI     Env    `json:"ci"`
	Before Before `json:"tests_before"`
	// After is the tests with the patch (the best round's); null when no
	// round improved on the build.
	After  *After   `json:"tests_after"`
	Rounds int      `json:"rounds"`
	Tokens int      `json:"tokens"`
	Patch  string   `json:"patch"` // PatchFile, or "" when there is none
	Files  []string `json:"files"` // the files the patch changes
	RunDir string   `json:"run_dir"`
}

// Before is the build's tests: those that failed at every run, how many
// passed at every run, and those whose result varied.
type Before struct {
	Failing     []rundir.TestFailure `json:"failing"`
	Passing     int                  `json:"passing"`
	Quarantined []string             `json:"quarantined"`
}

// After is the tests with the patch.
type After struct {
	Round   int      `json:"round"`
	Passing []string `json:"passing"` // the build's failing tests that pass
	Failing []string `json:"failing"` // ... that still fail
	Broken  []string `json:"broken"`  // tests that passed before and fail now
}

func newResult(res *fix.Result, env Env) Result {
	fx := res.Fix
	r := Result{
		Schema: Schema, Ending: res.Ending, Fixed: res.Ending == fix.Fixed, Test: fx.Test, Commit: fx.Commit, CI: env,
		Before: Before{Failing: orEmpty(failuresOf(fx)), Passing: len(fx.Guards), Quarantined: orEmpty(fx.Quarantined)},
		Rounds: res.Rounds, Tokens: res.Tokens, Files: []string{}, RunDir: RunDir,
	}
	if res.Patch != "" {
		r.Patch = PatchFile
		if b, err := os.ReadFile(res.Patch); err == nil {
			r.Files = orEmpty(repo.Paths(string(b)))
		}
	}
	if t := res.Best; t != nil {
		failing := map[string]bool{}
		for _, id := range t.Failing {
			failing[id] = true
		}
		a := &After{Round: res.BestRound, Passing: []string{}, Failing: orEmpty(t.Failing), Broken: orEmpty(t.Broken)}
		for _, id := range fx.Targets {
			if !failing[id] {
				a.Passing = append(a.Passing, id)
			}
		}
		r.After = a
	}
	return r
}

// failuresOf are the targets' failures; a run directory written before
// they were recorded has the targets alone.
func failuresOf(fx rundir.Fix) []rundir.TestFailure {
	if len(fx.Failures) == len(fx.Targets) {
		return fx.Failures
	}
	out := make([]rundir.TestFailure, len(fx.Targets))
	for i, id := range fx.Targets {
		out[i] = rundir.TestFailure{Test: id}
	}
	return out
}

// orEmpty is s, or an empty slice for nil: result.json has [] for none.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
