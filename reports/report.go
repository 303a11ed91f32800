package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Format is the format tag of a report's summary.json.
const Format = "selfrepair-report/1"

// The files a report writes.
const (
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
	AttemptsCSV  = "attempts.csv"
	RoundsCSV    = "rounds.csv"
	SummaryFile  = "summary.json"
)

// Summary is a report of one or more runs: summary.json of a comparison.
// (summary.json of a report of one run is that run's [Run] at the top
// level, with format, notice and definitions added.)
type Summary struct {
	Format string `json:"format"`
	// Notice warns that some runs were made by the simulated model.
	Notice      string       `json:"notice,omitempty"`
	Runs        []*Run       `json:"runs"`
	Comparison  *Comparison  `json:"comparison,omitempty"`
	Definitions []Definition `json:"definitions"`

	raw []*run // the runs as read, for attempts.csv
}

// Definition is one of the definitions D1..D10 of the package
// documentation, as every report states it.
type Definition struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Text   string `json:"text"`
	Source string `json:"source"`
}

// Comparison holds what only a comparison of several runs has.
type Comparison struct {
	Rounds int `json:"rounds"` // the most rounds of any run
	// MatchedBudget is D8; null unless the runs include one with feedback
	// "none" and another, whose token ranges overlap (Note says why not).
	MatchedBudget *MatchedBudget `json:"matched_budget"`
	Note          string         `json:"matched_budget_note,omitempty"`
}

// MatchedBudget is D8: every run's cumulative pass rate at the same
// budgets of tokens per sample.
type MatchedBudget struct {
	TokensPerSample []float64   `json:"tokens_per_sample"`
	Runs            []BudgetRun `json:"runs"`
}

// BudgetRun is one run's row of [MatchedBudget].
type BudgetRun struct {
	Name     string    `json:"name"`
	Feedback string    `json:"feedback"`
	PassRate []float64 `json:"pass_rate"` // PassRate[i] at TokensPerSample[i]
}

const paper = "arXiv:2604.10508 (2026), \"How Many Tries Does It Take? Iterative Self-Repair in LLM Code Generation Across Model Scales and Benchmarks\""

// definitions are the definitions of the package documentation, short.
func definitions() []Definition {
	return []Definition{
		{"D1", "cumulative pass by round", "A sample has passed by round r when some attempt of round ≤ r passed the hidden tests (round 0 = first draw, round i = i-th repair; a sample stops at its first pass; with feedback none every round is a fresh resample). pass@k by round r = mean over tasks of 1 − C(n−c,k)/C(n,k), n = samples per task, c = samples passed by round r. Δ = change from round r−1. Pass rate = pass@1.", "the 2026 study's cumulative pass rate by attempt (" + paper + "), with the unbiased pass@k estimator of Chen et al. (2021) for n samples"},
		{"D2", "repair rate by first failure", "Of the samples whose round-0 attempt failed with class X, the fraction that passed by the last round R. Wilson 95% interval; n = those samples.", "the 2026 study's repair rate by error type (" + paper + ")"},
		{"D3", "repair rate per attempt", "Of the failing attempts of class X at any round r that have a round r+1 (pooled over r), the fraction whose round r+1 passed. Wilson 95% interval; n = those attempts.", "selfrepair (the counts of agent/study's repairs_by_class)"},
		{"D4", "transitions", "Outcome (pass or error class) of a sample's attempt at round r against its attempt at round r+1, over samples that have round r+1, pooled over r.", "selfrepair"},
		{"D5", "outcomes per round", "The attempts made in round r by outcome (pass, error class, or prompt-too-long), as counts and shares of the round's attempts.", "selfrepair"},
		{"D6", "stalls and oscillations", "Stall: an attempt whose code equals an earlier attempt's of the same sample (flagged by the study, not run again). Oscillation: an attempt at round r whose code hash, or failure (class and message), equals that of a round q < r−1 while round r−1's differs.", "selfrepair"},
		{"D7", "tokens and pass@t", "Prompt + completion tokens as the endpoint counted them. Tokens per sample by round r = tokens of all attempts of round ≤ r ÷ (tasks × samples). pass@t = D1's pass rate against tokens per sample, rounds joined linearly. Tokens per solved task = all tokens ÷ tasks solved by round R.", "selfrepair, after pass@t of Olausson et al. (2023)"},
		{"D8", "matched token budget", "Each run's pass@t curve (D7) read by linear interpolation at the same tokens per sample, between the largest round-0 cost and the smallest total cost of the runs compared.", "selfrepair, after Olausson et al. (2023)"},
		{"D9", "visible against hidden tests", "With feedback_tests visible: each sample's answer after round r (its latest attempt of round ≤ r) judged by the visible tests, the hidden tests and each suite. Visible only = passes the visible tests, fails the hidden ones.", "selfrepair"},
		{"D10", "tasks", "A task is solved at the first round some sample of it passed (or never); samples passing = its samples passed by round R.", "selfrepair"},
	}
}

// Build reads the run directories and computes their reports.
func Build(ctx context.Context, runDirs []string) (*Summary, error) {
	if len(runDirs) == 0 {
		return nil, fmt.Errorf("no run directories")
	}
	s := &Summary{Format: Format, Definitions: definitions()}
	for _, dir := range runDirs {
		r, err := loadRun(ctx, dir)
		if err != nil {
			return nil, err
		}
		s.raw = append(s.raw, r)
	}
	// Runs are named by their directory; by their path when two share a
	// name.
	for _, r := range s.raw {
		for _, o := range s.raw {
			if o != r && o.name == r.name {
				r.name = filepath.Clean(r.dir)
			}
		}
	}
	var simulated []string
	for _, r := range s.raw {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		run := analyze(r)
		s.Runs = append(s.Runs, run)
		if run.Simulator {
			simulated = append(simulated, run.Name)
		}
	}
	if len(simulated) > 0 {
		s.Notice = fmt.Sprintf("SIMULATED MODEL: %s made by selfrepair's built-in simulator (agent/sim), a test double, not a real LLM; %s nothing about any model.",
			plural(len(simulated), "run "+strings.Join(simulated, ", ")+" was", "runs "+strings.Join(simulated, ", ")+" were"),
			plural(len(simulated), "its numbers say", "their numbers say"))
	}
	if len(s.Runs) > 1 {
		s.Comparison = compare(s.Runs)
	}
	return s, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Write builds the report of the run directories and writes its files
// into outDir (made if missing): report.md, report.html, attempts.csv,
// rounds.csv and summary.json. Each file is replaced atomically. The study
// runner calls it with its own run directory as outDir.
func Write(ctx context.Context, runDirs []string, outDir string) (*Summary, error) {
	s, err := Build(ctx, runDirs)
	if err != nil {
		return nil, err
	}
	return s, s.WriteFiles(ctx, outDir)
}

// WriteFiles writes the report's files into dir (made if missing).
func (s *Summary) WriteFiles(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot make the report directory: %w", err)
	}
	files := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{SummaryFile, s.writeJSON},
		{MarkdownFile, s.writeMarkdown},
		{HTMLFile, s.writeHTML},
		{RoundsCSV, s.writeRoundsCSV},
		{AttemptsCSV, s.writeAttemptsCSV},
	}
	var buf bytes.Buffer
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf.Reset()
		if err := f.render(&buf); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, f.name), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic replaces path with data: a temporary file beside it,
// renamed over it, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// writeJSON renders summary.json: for one run, the run at the top level
// (a superset of agent/study's summary.json); for several, the Summary.
func (s *Summary) writeJSON(buf *bytes.Buffer) error {
	var v any = s
	if len(s.Runs) == 1 {
		v = struct {
			Format string `json:"format"`
			Notice string `json:"notice,omitempty"`
			*Run
			Definitions []Definition `json:"definitions"`
		}{s.Format, s.Notice, s.Runs[0], s.Definitions}
	}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// compare computes what a comparison adds to the runs' reports.
func compare(runs []*Run) *Comparison {
	c := &Comparison{}
	for _, r := range runs {
		c.Rounds = max(c.Rounds, r.Rounds)
	}
	resampling := slices.ContainsFunc(runs, func(r *Run) bool { return r.Feedback == "none" })
	repair := slices.ContainsFunc(runs, func(r *Run) bool { return r.Feedback != "none" })
	if !resampling || !repair {
		c.Note = "no matched-budget comparison: it needs a run with feedback none (resampling) and a run with repair feedback"
		return c
	}
	lo, hi := 0.0, -1.0
	for i, r := range runs {
		if len(r.PassVsTokens) == 0 {
			c.Note = fmt.Sprintf("no matched-budget comparison: run %s has no token counts", r.Name)
			return c
		}
		first, last := r.PassVsTokens[0].TokensPerSample, r.PassVsTokens[len(r.PassVsTokens)-1].TokensPerSample
		if i == 0 {
			lo, hi = first, last
		}
		lo, hi = max(lo, first), min(hi, last)
	}
	if lo > hi {
		c.Note = fmt.Sprintf("no matched-budget comparison: the runs share no budget (round 0 of one costs %.0f tokens per sample, more than all rounds of another)", lo)
		return c
	}
	mb := &MatchedBudget{}
	const steps = 4
	for i := range steps + 1 {
		b := lo + (hi-lo)*float64(i)/steps
		if i > 0 && b == mb.TokensPerSample[len(mb.TokensPerSample)-1] {
			continue
		}
		mb.TokensPerSample = append(mb.TokensPerSample, b)
	}
	for _, r := range runs {
		br := BudgetRun{Name: r.Name, Feedback: r.Feedback}
		for _, b := range mb.TokensPerSample {
			br.PassRate = append(br.PassRate, interpolate(r.PassVsTokens, b))
		}
		mb.Runs = append(mb.Runs, br)
	}
	c.MatchedBudget = mb
	return c
}

// interpolate reads the pass@t curve at x tokens per sample, joining its
// points linearly (x is within the curve's range).
func interpolate(pts []TokenPoint, x float64) float64 {
	if x <= pts[0].TokensPerSample {
		return pts[0].PassRate
	}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if x <= b.TokensPerSample {
			if b.TokensPerSample == a.TokensPerSample {
				return b.PassRate
			}
			f := (x - a.TokensPerSample) / (b.TokensPerSample - a.TokensPerSample)
			return a.PassRate + f*(b.PassRate-a.PassRate)
		}
	}
	return pts[len(pts)-1].PassRate
}
