package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/selfrepair/selfrepair/agent/study"
	"github.com/selfrepair/selfrepair/reports"
)

// ReportOptions are the options of `report`.
type ReportOptions struct {
	Runs []string // run directories
	Out  string   // report directory (default: the run directory, for one run)
}

// NewCmdReport writes the report of one or more study runs.
func NewCmdReport(f *Factory, runF func(context.Context, *ReportOptions) error) *cobra.Command {
	o := &ReportOptions{}
	cmd := &cobra.Command{
		Use:   "report RUN_DIR... [--out DIR]",
		Short: "Report study runs: pass@k by round, repair rates by error class, transitions, tokens, charts",
		Long: `Reads study run directories (manifest.json, attempts.jsonl) and writes their report: report.md
(GitHub Markdown), report.html (one self-contained file with SVG charts), rounds.csv, attempts.csv and
summary.json. The fields, and the definitions of every number (cumulative pass@k by round, repair rate
by the class of the first failure, ...), are in reports/REPORTS.md.

One run: the report goes into its run directory (or --out). Several runs: a comparison, one row per
run, into --out (required); a run with --feedback none is the resampling baseline against which repair
is compared at a matched token budget.

A run made by the built-in simulated model is marked as such at the top of every output.
Exit codes: 0 done, 1 error, 2 usage error.`,
		Example: `  selfrepair report runs/qwen-cot
  selfrepair report runs/qwen-cot runs/qwen-minimal runs/qwen-resample --out reports/ablation`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{errors.New("give at least one run directory")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Runs = args
			if len(args) > 1 && o.Out == "" {
				return &usageError{errors.New("comparing several runs needs --out DIR for the report")}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runReport(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Out, "out", "", "directory to write the report into (default: the run directory, for one run)")
	return cmd
}

func runReport(ctx context.Context, f *Factory, o *ReportOptions) error {
	out := o.Out
	if out == "" {
		out = o.Runs[0]
	}
	s, err := reports.Write(ctx, o.Runs, out)
	if err != nil {
		return err
	}
	if s.Notice != "" {
		fmt.Fprintln(f.Out, s.Notice)
	}
	for _, r := range s.Runs {
		first, last := r.PerRound[0], r.PerRound[len(r.PerRound)-1]
		fmt.Fprintf(f.Out, "%s: pass@1 R0 %.1f%% → R%d %.1f%% (%+.1f pp); %d of %d tasks solved; %d attempts\n",
			reports.Escape([]byte(r.Name)), 100*first.CumulativePass[0], last.Round, 100*last.CumulativePass[0],
			100*(last.CumulativePass[0]-first.CumulativePass[0]), r.SolvedTasks, r.Tasks, r.Attempts)
		for _, w := range r.Warnings {
			fmt.Fprintf(f.Err, "selfrepair: warning: %s: %s\n", reports.Escape([]byte(r.Name)), w)
		}
	}
	printReportFiles(f.Out, out)
	return nil
}

// printReportFiles says where a report's files are.
func printReportFiles(w io.Writer, dir string) {
	var files []string
	for _, name := range []string{reports.MarkdownFile, reports.HTMLFile, reports.SummaryFile, reports.RoundsCSV, reports.AttemptsCSV} {
		files = append(files, filepath.Join(dir, name))
	}
	fmt.Fprintln(w, "report: "+strings.Join(files, ", "))
}

// reportStudy writes the report of a finished study into its run
// directory, prints the study's table from it and says where it is.
func reportStudy(ctx context.Context, f *Factory, st *study.Study) error {
	dir := st.Dir()
	s, err := reports.Write(ctx, []string{dir}, dir)
	if err != nil {
		return fmt.Errorf("the study finished, but its report could not be written (selfrepair report %s): %w", dir, err)
	}
	for _, r := range s.Runs {
		if err := r.WriteTable(f.Out); err != nil {
			return err
		}
		fmt.Fprintf(f.Out, "run directory: %s (run %s)\n", dir, st.Manifest().RunID)
		for _, w := range r.Warnings {
			fmt.Fprintf(f.Err, "selfrepair: warning: %s\n", w)
		}
	}
	printReportFiles(f.Out, dir)
	return nil
}
