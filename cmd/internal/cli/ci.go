package cli

import (
	"context"
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
	return cmd
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
