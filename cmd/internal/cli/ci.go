package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/selfrepair/selfrepair/agent/ci"
	"github.com/selfrepair/selfrepair/agent/fix"
)

// CIOptions are ci's flags: fix's, but --out is ci's output folder (the
// run directory and the patch go in it) and nothing is applied.
type CIOptions struct {
	Fix        FixOptions
	Out        string
	AllowToken bool
}

// NewCmdCI is `selfrepair ci`.
func NewCmdCI(f *Factory, runF func(context.Context, *CIOptions) error) *cobra.Command {
	o := &CIOptions{}
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "In a CI job whose tests failed: fix them as fix does, and write a patch, a summary and result.json for a later job to publish",
		Long: `Runs fix on the repository (--repo, default the current folder) with CI's bounds (--max-tokens, --wall-time),
and writes to --out (default ` + ci.DefaultOut + ` in a CI job; outside one, give it):

  ` + ci.PatchFile + `    the best patch (when a round improved on the build)
  ` + ci.SummaryFile + `   what failed, what each round tried, what passes now, the patch
  ` + ci.ResultFile + `  the ending, the tests before and after, rounds and tokens (schema ` + ci.Schema + `)
  ` + ci.RunDir + `/         the run directory, as fix writes it

The CI is told from the environment (GitHub Actions, GitLab CI, or CI=true). In GitHub Actions the summary is
also appended to $GITHUB_STEP_SUMMARY, and the failing tests get error annotations (GitHub shows ten).

The model's job must not hold a repository token: ci refuses to run while GITHUB_TOKEN, GH_TOKEN,
GITHUB_ENTERPRISE_TOKEN, GH_ENTERPRISE_TOKEN, GITLAB_TOKEN or GL_TOKEN is set, unless --allow-token.

Exit codes: 0 fixed, or nothing was failing (no model was asked); 1 not fixed (the best patch so far is
written); 2 usage error; 3 infrastructure error (engine, image, endpoint); 130 interrupted.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFixFlags(cmd, &o.Fix); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCI(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	addFixFlags(fl, &o.Fix)
	fl.Lookup("max-tokens").DefValue = fmt.Sprint(ci.DefaultMaxTokens)
	o.Fix.MaxTokens = ci.DefaultMaxTokens
	fl.Lookup("wall-time").DefValue = ci.DefaultWallTime.String()
	o.Fix.WallTime = ci.DefaultWallTime
	fl.StringVar(&o.Out, "out", "", "the output folder, new or empty (default "+ci.DefaultOut+" in a CI job)")
	fl.BoolVar(&o.AllowToken, "allow-token", false, "run even with a repository token in the environment")
	cmd.AddCommand(NewCmdCIPublish(f, nil))
	return cmd
}

// PublishOptions are ci publish's flags.
type PublishOptions struct {
	From, Repo, Remote, Base         string
	OpenPR, Comment, Suggest, OnFail bool
	PR                               int
}

// NewCmdCIPublish is `selfrepair ci publish`.
func NewCmdCIPublish(f *Factory, runF func(context.Context, *PublishOptions) error) *cobra.Command {
	o := &PublishOptions{}
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "From a later job that holds the token: publish what selfrepair ci wrote (a draft pull request, a comment, review suggestions)",
		Long: `Reads only the files of selfrepair ci's output folder (--from; the model is not asked again), and publishes
through GitHub's REST API ($GITHUB_API_URL, default ` + ci.DefaultGitHubAPI + `) with $GITHUB_TOKEN (or $GH_TOKEN), or, when
ci ran in GitLab CI, GitLab's ($CI_API_V4_URL, default ` + ci.DefaultGitLabAPI + `) with $GITLAB_TOKEN (or $GL_TOKEN), one way:

  --open-pr   check out the commit ci fixed in the repository (--repo, default the current folder) on a new
              branch, ` + ci.BranchPrefix + `fix-RUN, commit the patch, push the branch to --remote (default origin), and open
              a draft pull (merge) request to the branch ci ran on (or --base), the summary as its body
  --comment   post the summary (with the patch) on the pull (merge) request ci ran for (or --pr)
  --suggest   GitHub: review that pull request: each change of the patch on lines its diff shows
              becomes a suggestion there; the other changes go in the review's text as a diff

It publishes only a fix that ended fixed, unless --on-failure, and refuses to run on a branch of its own.

Exit codes: 0 published; 1 the push or the API request failed; 2 usage error (nothing to publish, no token,
not ci's output).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.From == "" {
				return &usageError{errors.New("give selfrepair ci's output folder with --from")}
			}
			if n := btoi(o.OpenPR) + btoi(o.Comment) + btoi(o.Suggest); n != 1 {
				return &usageError{errors.New("give one of --open-pr, --comment, --suggest")}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPublish(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.From, "from", "", "the output folder of selfrepair ci")
	fl.StringVar(&o.Repo, "repo", ".", "the repository's working tree")
	fl.StringVar(&o.Remote, "remote", "origin", "the git remote to push the branch to")
	fl.StringVar(&o.Base, "base", "", "the branch the pull request targets (default the branch ci ran on)")
	fl.BoolVar(&o.OpenPR, "open-pr", false, "push the patch on a new branch and open a draft pull request")
	fl.BoolVar(&o.Comment, "comment", false, "post the summary and the patch as a comment on the pull request")
	fl.BoolVar(&o.Suggest, "suggest", false, "review the pull request with the patch as suggestions on its lines")
	fl.IntVar(&o.PR, "pr", 0, "the pull request to comment on (default the one ci ran for)")
	fl.BoolVar(&o.OnFail, "on-failure", false, "publish the best patch of a fix that did not end fixed")
	return cmd
}

func runPublish(ctx context.Context, f *Factory, o *PublishOptions) error {
	r, err := ci.ReadResult(o.From)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	cfg := ci.PublishConfig{From: o.From, Dir: o.Repo, Remote: o.Remote, Base: o.Base, OnFailure: o.OnFail, PR: o.PR}
	if _, err := ci.Publishable(cfg); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if r.CI.Kind == ci.GitLab {
		if o.Suggest {
			return &exitError{code: ExitUsage, err: errors.New("--suggest is for GitHub: on GitLab give --open-pr or --comment")}
		}
		gl, err := ci.NewGitLab(os.Getenv("CI_API_V4_URL"), cmp.Or(r.CI.Repo, os.Getenv("CI_PROJECT_PATH")), cmp.Or(os.Getenv("GITLAB_TOKEN"), os.Getenv("GL_TOKEN")), nil)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		cfg.Forge, cfg.Commenter = gl, gl
	} else {
		gh, err := ci.NewGitHub(os.Getenv("GITHUB_API_URL"), cmp.Or(r.CI.Repo, os.Getenv("GITHUB_REPOSITORY")), cmp.Or(os.Getenv("GITHUB_TOKEN"), os.Getenv("GH_TOKEN")), nil)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		cfg.Forge, cfg.Commenter, cfg.Reviewer = gh, gh, gh
	}
	var url string
	switch {
	case o.OpenPR:
		url, err = ci.OpenPR(ctx, cfg)
	case o.Comment:
		url, err = ci.Comment(ctx, cfg)
	default:
		url, err = ci.Suggest(ctx, cfg)
	}
	var ue *fix.UsageError
	switch {
	case errors.As(err, &ue):
		return &exitError{code: ExitUsage, err: err}
	case err != nil:
		return &exitError{code: ExitError, err: err}
	}
	fmt.Fprintf(f.Out, "published: %s\n", url)
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func runCI(ctx context.Context, f *Factory, o *CIOptions) error {
	cfg, err := fixConfig(f, &o.Fix)
	if err != nil {
		return err
	}
	env := ci.Detect(os.Getenv)
	out := o.Out
	if out == "" && env.Kind != ci.None {
		out = ci.DefaultOut
	}
	res, err := ci.Run(ctx, ci.Config{Fix: cfg, Out: out, Env: env, Getenv: os.Getenv, AllowToken: o.AllowToken, Annotations: f.Out})
	if err != nil {
		return fixError(ctx, err)
	}
	printFix(f.Out, res.Fix)
	fmt.Fprintf(f.Out, "out: %s (%s, %s)\n", out, ci.SummaryFile, ci.ResultFile)
	if res.Result.Fixed || res.Result.Ending == fix.NothingFailing {
		return nil
	}
	return &exitError{code: ExitNotFixed}
}
