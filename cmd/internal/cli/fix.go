package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/repo"
)

// Exit codes of fix.
const (
	ExitNotFixed = ExitError        // the tests still fail; the best patch so far is written
	ExitInfra    = ExitSandboxError // the engine, the image or the endpoint failed
)

// FixOptions are fix's flags.
type FixOptions struct {
	Repo, Test, Lang, Image string
	Setup                   string
	SetupNetwork            bool
	Rounds                  int
	MaxTokens               int
	WallTime                time.Duration
	Timeout                 time.Duration
	Memory                  int64
	AllowTestEdits          bool
	TestFiles               []string
	Patch, Out, Resume      string
	Apply                   bool
	Model, BaseURL, APIKey  string
	Seed                    uint64
	Cache                   string
	NoCache                 bool
	SnapshotMiB             int64
	Isolation               string
}

// NewCmdFix is `selfrepair fix`.
func NewCmdFix(f *Factory, runF func(context.Context, *FixOptions) error) *cobra.Command {
	o := &FixOptions{}
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Make a repository's failing tests pass: the model edits a copy in a container, the result is a patch",
		Long: `Copies the repository (--repo, default the current folder: its tracked files and the untracked ones git
does not ignore) into a container of its language's image (guessed from go.mod, package.json, Cargo.toml,
pom.xml, pyproject.toml, ..., or --lang, or --image), runs the test command (--test) there three times,
and asks the model to fix the tests that failed every time without breaking those that passed every
time (tests whose result varies are quarantined). Each round's SEARCH/REPLACE edits are applied to the
copy, with the test files restored, and the tests run again, until they pass or --rounds, --max-tokens
or --wall-time run out.

The best patch (most failing tests fixed, none broken) goes to --patch (default DIR/fix.diff); it
applies with git apply to the snapshot's commit. The user's tree is not written unless --apply, which
needs a clean tree and refuses a file changed since the snapshot. Every attempt is in the run directory
(--out, default runs/fix-TIME), in the study format; --resume DIR continues a fix that stopped.

Exit codes: 0 fixed, or nothing was failing (no model was asked); 1 not fixed (the best patch so far is
written); 2 usage error; 3 infrastructure error (engine, image, endpoint); 130 interrupted (resumable).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFixFlags(cmd, o); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runFix(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	addFixFlags(fl, o)
	fl.StringVar(&o.Patch, "patch", "", "write the patch here (default DIR/fix.diff)")
	fl.StringVar(&o.Out, "out", "", "run directory to create (default runs/fix-TIME)")
	fl.StringVar(&o.Resume, "resume", "", "continue the fix in this run directory")
	fl.BoolVar(&o.Apply, "apply", false, "apply a fixing patch to the working tree")
	return cmd
}

func runFix(ctx context.Context, f *Factory, o *FixOptions) error {
	cfg, err := fixConfig(f, o)
	if err != nil {
		return err
	}
	var res *fix.Result
	if o.Resume != "" {
		res, err = fix.Resume(ctx, o.Resume, cfg)
	} else {
		res, err = fix.Run(ctx, cfg)
	}
	if err != nil {
		return fixError(ctx, err)
	}
	printFix(f.Out, res)
	if res.Ending == fix.Fixed && res.NotApplied == "" || res.Ending == fix.NothingFailing {
		return nil
	}
	return &exitError{code: ExitNotFixed}
}

// printFix is fix's summary: what failed, what each round tried, what
// passes now, and where the patch is.
func printFix(w io.Writer, res *fix.Result) {
	fx := res.Fix
	if res.Ending == fix.NothingFailing {
		fmt.Fprintf(w, "nothing to fix: no test failed at every one of %d runs of `%s`", fix.BaselineRuns, fx.Test)
		if len(fx.Quarantined) > 0 {
			fmt.Fprintf(w, " (%d flaky, quarantined: %s)", len(fx.Quarantined), strings.Join(fx.Quarantined, ", "))
		}
		fmt.Fprintf(w, "\nrun: %s\n", res.Dir)
		return
	}
	fmt.Fprintf(w, "failing before: %d test(s): %s\n", len(fx.Targets), strings.Join(fx.Targets, ", "))
	fmt.Fprintf(w, "passing before: %d (guarded)", len(fx.Guards))
	if len(fx.Quarantined) > 0 {
		fmt.Fprintf(w, "; flaky, quarantined: %s", strings.Join(fx.Quarantined, ", "))
	}
	fmt.Fprintln(w)
	for _, a := range res.Attempts {
		fmt.Fprintf(w, "round %d: %s\n", a.Round, fix.RoundSummary(a, len(fx.Targets)))
	}
	switch res.Ending {
	case fix.Fixed:
		fmt.Fprintf(w, "FIXED in round %d: every failing test passes, none broken\n", res.BestRound)
	default:
		fmt.Fprintf(w, "NOT FIXED (%s)", res.Ending)
		if res.Best != nil {
			fmt.Fprintf(w, "; best: round %d, %d of %d failing tests pass", res.BestRound, res.Best.TargetsPassing, len(fx.Targets))
		}
		fmt.Fprintln(w)
	}
	if res.Patch != "" {
		fmt.Fprintf(w, "patch: %s (%s)\n", res.Patch, strings.Join(repoPaths(res.Patch), ", "))
	}
	switch {
	case res.Applied:
		fmt.Fprintln(w, "applied to the working tree")
	case res.NotApplied != "":
		fmt.Fprintln(w, res.NotApplied)
	}
	fmt.Fprintf(w, "run: %s (%d tokens)\n", res.Dir, res.Tokens)
}

func repoPaths(patchFile string) []string {
	b, err := os.ReadFile(patchFile)
	if err != nil {
		return nil
	}
	return repo.Paths(string(b))
}

// addFixFlags are the flags of a fix that fix and ci share.
func addFixFlags(fl *pflag.FlagSet, o *FixOptions) {
	d := fix.DefaultLimits()
	fl.StringVar(&o.Repo, "repo", ".", "a folder of the git repository to fix")
	fl.StringVar(&o.Test, "test", "", `the test command, run by sh -c at the repository's root (e.g. "python -m pytest -q")`)
	fl.StringVar(&o.Lang, "lang", "", "the repository's language: python, go, javascript, cpp, java, rust (default: guessed)")
	fl.StringVar(&o.Image, "image", "", "run the tests in this local image (default the language's selfrepair image)")
	fl.StringVar(&o.Setup, "setup", "", `run this once first (e.g. "npm ci"), in a container that becomes the image of the test runs`)
	fl.BoolVar(&o.SetupNetwork, "setup-network", false, "give the setup step the network (the tests never have one)")
	fl.IntVar(&o.Rounds, "rounds", 4, "repair rounds after the first answer")
	fl.IntVar(&o.MaxTokens, "max-tokens", 0, "stop when the fix has used this many tokens (0: no bound)")
	fl.DurationVar(&o.WallTime, "wall-time", 0, "stop after this long (0: no bound)")
	fl.DurationVar(&o.Timeout, "timeout", d.Timeout, "CPU time limit of one test run")
	fl.Int64Var(&o.Memory, "memory-mib", d.Memory>>20, "memory limit of one test run, MiB")
	fl.BoolVar(&o.AllowTestEdits, "allow-test-edits", false, "let the model edit test files")
	fl.StringSliceVar(&o.TestFiles, "test-files", nil, "more test files (paths or glob patterns) beside those named by the languages' conventions")
	fl.StringVar(&o.Model, "model", "", "model name")
	fl.StringVar(&o.BaseURL, "base-url", "", "OpenAI-compatible endpoint (default $OPENAI_BASE_URL, else "+llm.DefaultBaseURL+")")
	fl.StringVar(&o.APIKey, "api-key", "", "API key (default $OPENAI_API_KEY)")
	fl.Uint64Var(&o.Seed, "seed", 0, "seed of the requests")
	fl.StringVar(&o.Cache, "cache", "", "response cache directory (default $"+llm.CacheEnv+" or ~/.cache/selfrepair/responses)")
	fl.BoolVar(&o.NoCache, "no-cache", false, "neither read nor write the response cache")
	fl.Int64Var(&o.SnapshotMiB, "max-repo-mib", repo.DefaultLimit>>20, "refuse a repository whose files are larger than this, MiB")
	fl.StringVar(&o.Isolation, "isolation", string(sandbox.Pooled), "pooled or fresh containers")
}

// checkFixFlags are the checks of the flags fix and ci share.
func checkFixFlags(cmd *cobra.Command, o *FixOptions) error {
	if o.Resume == "" && o.Test == "" {
		return &usageError{errors.New("give the test command with --test")}
	}
	if o.Resume == "" && o.Model == "" {
		return &usageError{errors.New("give --model")}
	}
	if o.NoCache && cmd.Flags().Changed("cache") {
		return &usageError{errors.New("give --cache or --no-cache, not both")}
	}
	if o.SetupNetwork && o.Setup == "" {
		return &usageError{errors.New("--setup-network needs --setup")}
	}
	return nil
}

// fixConfig is the fix the flags describe.
func fixConfig(f *Factory, o *FixOptions) (fix.Config, error) {
	iso, err := sandbox.ParseIsolation(o.Isolation)
	if err != nil {
		return fix.Config{}, &usageError{err}
	}
	var cache *session.CacheSettings
	if !o.NoCache {
		cache = &session.CacheSettings{Dir: o.Cache}
	}
	return fix.Config{
		Dir: o.Repo, Test: o.Test, Language: o.Lang, Image: o.Image, Setup: o.Setup, SetupNetwork: o.SetupNetwork, Rounds: o.Rounds, MaxTokens: o.MaxTokens,
		WallTime: o.WallTime, Limits: sandbox.Limits{Timeout: o.Timeout, Memory: o.Memory << 20},
		AllowTestEdits: o.AllowTestEdits, TestFiles: o.TestFiles, SnapshotLimit: o.SnapshotMiB << 20, Seed: o.Seed, Out: o.Out,
		Patch: o.Patch, Apply: o.Apply, Isolation: iso, Registry: f.Languages(), Logger: f.Logger(), Cache: cache,
		Model: session.ModelSettings{Name: o.Model, BaseURL: o.BaseURL, APIKey: o.APIKey, Concurrency: 1},
	}, nil
}

// fixError is the exit error of a fix that failed to run.
func fixError(ctx context.Context, err error) error {
	var ue *fix.UsageError
	switch {
	case ctx.Err() != nil:
		return err
	case errors.As(err, &ue):
		return &exitError{code: ExitUsage, err: err}
	}
	return &exitError{code: ExitInfra, err: err}
}
