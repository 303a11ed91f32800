package reports

import (
	"fmt"
	"slices"
	"strings"
)

// The Markdown and the HTML report render one document, so that both
// show the same numbers in the same words. Its text is plain: each
// renderer escapes it for its format.

type document struct {
	title    string
	notice   string
	intro    []string
	sections []section
}

type section struct {
	level  int // 2 or 3 (Markdown heading level)
	id     string
	title  string
	defs   string   // the definitions its numbers use ("D1"), in the title
	notes  []string // paragraphs before the table
	table  *table
	charts []chart // HTML only
	after  []string
}

type table struct {
	head []string
	rows [][]string
}

// isText reports whether column i holds text (left-aligned) rather than
// numbers (right-aligned).
func (t *table) isText(i int) bool {
	switch t.head[i] {
	case "model", "feedback", "failure class", "failure message":
		return true
	}
	return i == 0
}

// chart is an SVG chart of the HTML report (the tables beside it hold its
// numbers).
type chart struct {
	svg string // built by svg.go, every text in it escaped
}

func roundHeads(first, last int) []string {
	var h []string
	for r := first; r <= last; r++ {
		h = append(h, fmt.Sprintf("R%d", r))
	}
	return h
}

// document lays out the report.
func (s *Summary) document() *document {
	d := &document{title: "Self-repair report", notice: s.Notice}
	names := make([]string, len(s.Runs))
	for i, r := range s.Runs {
		names[i] = r.Name
	}
	if len(s.Runs) == 1 {
		d.title = "Self-repair report: " + s.Runs[0].Name
	} else {
		d.title = "Self-repair report: " + strings.Join(names, ", ")
	}
	d.intro = append(d.intro, "Made by selfrepair report. Each table names the definition (D1–D10) its numbers use; the definitions are stated with the first table that uses them and in full at the end. Rates are in percent, gains in percentage points.")
	stated := map[string]bool{}
	defText := func(ids ...string) []string {
		var out []string
		for _, id := range ids {
			for _, df := range s.Definitions {
				if df.ID != id {
					continue
				}
				if stated[id] {
					out = append(out, fmt.Sprintf("%s (%s): see Definitions.", df.ID, df.Name))
				} else {
					out = append(out, fmt.Sprintf("%s (%s): %s Source: %s.", df.ID, df.Name, df.Text, df.Source))
					stated[id] = true
				}
			}
		}
		return out
	}
	if c := s.Comparison; c != nil {
		d.sections = append(d.sections, s.comparisonSections(c, defText)...)
	}
	for i, r := range s.Runs {
		level := 2
		if len(s.Runs) > 1 {
			level = 3
			d.sections = append(d.sections, section{level: 2, id: fmt.Sprintf("run-%d", i+1), title: "Run " + r.Name, notes: runIntro(r)})
		} else {
			d.intro = append(d.intro, runIntro(r)...)
		}
		d.sections = append(d.sections, runSections(r, i+1, level, defText)...)
	}
	defs := section{level: 2, id: "definitions", title: "Definitions"}
	for _, df := range s.Definitions {
		defs.notes = append(defs.notes, fmt.Sprintf("%s, %s: %s Source: %s.", df.ID, df.Name, df.Text, df.Source))
	}
	d.sections = append(d.sections, defs)
	return d
}

// runIntro describes a run's parameters and warnings.
func runIntro(r *Run) []string {
	sim := ""
	if r.Simulator {
		sim = " (SIMULATED: selfrepair's built-in simulator, not a real LLM)"
	}
	dataset := r.Dataset
	if r.Language != "" {
		dataset += " (" + r.Language + ")"
	}
	notes := []string{
		fmt.Sprintf("Run %s (%s): dataset %s, %d tasks; model %s%s; n = %d samples per task; R = %d repair rounds; feedback %s (%s), feedback tests %s; seed %d; status %s; %s attempts.",
			r.Name, r.Dir, dataset, r.Tasks, r.Model, sim, r.Samples, r.Rounds, r.Feedback, r.RepairStyle, r.FeedbackTests, r.Seed, r.Status, count(r.Attempts)),
	}
	if r.Feedback == "none" {
		notes = append(notes, "Feedback none: every round is a fresh resample of the first prompt, so this run is the resampling baseline.")
	}
	for _, w := range r.Warnings {
		notes = append(notes, "Warning: "+w+".")
	}
	return notes
}

// comparisonSections are the tables shaped like the 2026 study's: a row
// per run, a column per round.
func (s *Summary) comparisonSections(c *Comparison, defText func(...string) []string) []section {
	secs := []section{{level: 2, id: "comparison", title: "Comparison"}}

	head := append([]string{"run", "model", "feedback", "n"}, roundHeads(0, c.Rounds)...)
	head = append(head, "Δ (last − R0)")
	t := &table{head: head}
	for _, r := range s.Runs {
		row := []string{r.Name, r.Model, r.Feedback, fmt.Sprint(r.Samples)}
		for rd := 0; rd <= c.Rounds; rd++ {
			if rd < len(r.PerRound) {
				row = append(row, pct(r.PerRound[rd].CumulativePass[0]))
			} else {
				row = append(row, "")
			}
		}
		last := r.PerRound[len(r.PerRound)-1].CumulativePass[0]
		row = append(row, pp(last-r.PerRound[0].CumulativePass[0]))
		t.rows = append(t.rows, row)
	}
	secs = append(secs, section{level: 3, id: "cmp-pass", title: "Cumulative pass@1 by round (%)", defs: "D1", notes: defText("D1"), table: t,
		charts: []chart{passByRoundChart(s.Runs)}})

	var classes []string
	for _, r := range s.Runs {
		for _, f := range r.FirstFailure {
			if !slices.Contains(classes, f.Class) {
				classes = append(classes, f.Class)
			}
		}
	}
	sortClasses(classes)
	t = &table{head: append([]string{"run", "all"}, classes...)}
	for _, r := range s.Runs {
		row := []string{r.Name, firstFailureCell(r.FirstFailureTotal)}
		for _, c := range classes {
			cell := ""
			for _, f := range r.FirstFailure {
				if f.Class == c {
					cell = firstFailureCell(f)
				}
			}
			row = append(row, cell)
		}
		t.rows = append(t.rows, row)
	}
	secs = append(secs, section{level: 3, id: "cmp-first-failure", title: "Repair rate by class of the first failure (%, repaired/samples)", defs: "D2",
		notes: defText("D2"), table: t})

	sec := section{level: 3, id: "cmp-budget", title: "Pass rate at a matched token budget (%)", defs: "D8", notes: defText("D7", "D8"),
		charts: []chart{passVsTokensChart(s.Runs)}}
	if mb := c.MatchedBudget; mb != nil {
		head := []string{"run", "feedback"}
		for _, b := range mb.TokensPerSample {
			head = append(head, tokens(b)+" tokens/sample")
		}
		t := &table{head: head}
		for _, br := range mb.Runs {
			row := []string{br.Name, br.Feedback}
			for _, p := range br.PassRate {
				row = append(row, pct(p))
			}
			t.rows = append(t.rows, row)
		}
		sec.table = t
	} else {
		sec.notes = append(sec.notes, c.Note+".")
	}
	return append(secs, sec)
}

func firstFailureCell(f FirstFailureRepair) string {
	if f.Samples == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%d/%d)", pct(f.Rate), f.Repaired, f.Samples)
}

// runSections are the tables of one run.
func runSections(r *Run, index, level int, defText func(...string) []string) []section {
	id := func(s string) string { return fmt.Sprintf("r%d-%s", index, s) }
	last := len(r.PerRound) - 1
	var secs []section

	t := &table{head: append([]string{"k"}, roundHeads(0, last)...)}
	for _, k := range keyKs(r.Samples) {
		row := []string{fmt.Sprintf("pass@%d", k)}
		for _, rd := range r.PerRound {
			row = append(row, pct(rd.CumulativePass[k-1]))
		}
		t.rows = append(t.rows, row)
	}
	notes := defText("D1")
	if len(keyKs(r.Samples)) < r.Samples {
		notes = append(notes, "Every k up to n is in summary.json and rounds.csv.")
	}
	secs = append(secs, section{level: level, id: id("pass"), title: "Cumulative pass@k by round (%)", defs: "D1", notes: notes, table: t,
		charts: []chart{passAtKChart(r)}})

	if last > 0 {
		t := &table{head: append([]string{"k"}, roundHeads(1, last)...)}
		for _, k := range keyKs(r.Samples) {
			row := []string{fmt.Sprintf("pass@%d", k)}
			for _, rd := range r.PerRound[1:] {
				row = append(row, pp(rd.Delta[k-1]))
			}
			t.rows = append(t.rows, row)
		}
		secs = append(secs, section{level: level, id: id("gain"), title: "Gain of each round (percentage points)", defs: "D1",
			notes: defText("D1"), table: t})
	}

	if len(r.Suites) > 0 {
		t := &table{head: append([]string{"suite"}, roundHeads(0, last)...)}
		for i, su := range r.Suites {
			row := []string{su}
			for _, rd := range r.PerRound {
				row = append(row, pct(rd.SuitePass[i]))
			}
			t.rows = append(t.rows, row)
		}
		secs = append(secs, section{level: level, id: id("suites"), title: "Samples passed by round, per test suite (%)", defs: "D1",
			notes: append(defText("D1"), "The fraction of samples some attempt of which, by round r, passed the suite (a sample stops when it passes every suite, or with feedback tests visible, the visible tests)."), table: t})
	}

	t = &table{head: append([]string{"outcome"}, roundHeads(0, last)...)}
	row := []string{"attempts"}
	for _, rd := range r.PerRound {
		row = append(row, fmt.Sprint(rd.Attempts))
	}
	t.rows = append(t.rows, row)
	for _, c := range r.classes {
		row := []string{c}
		for _, rd := range r.PerRound {
			cell := "0"
			for _, cc := range rd.Classes {
				if cc.Class == c {
					cell = share(cc.Count, cc.Share)
				}
			}
			row = append(row, cell)
		}
		t.rows = append(t.rows, row)
	}
	secs = append(secs, section{level: level, id: id("classes"), title: "Outcomes of each round's attempts (count and % of the round's attempts)", defs: "D5",
		notes: defText("D5"), table: t, charts: []chart{classBarsChart(r)}})

	t = &table{head: []string{"first failure", "samples", fmt.Sprintf("repaired by R%d", r.Rounds), "rate %", "95% CI"}}
	for _, f := range append([]FirstFailureRepair{r.FirstFailureTotal}, r.FirstFailure...) {
		if f.Samples == 0 {
			continue
		}
		t.rows = append(t.rows, []string{f.Class, fmt.Sprint(f.Samples), fmt.Sprint(f.Repaired), pct(f.Rate), interval(f.Low, f.High)})
	}
	secs = append(secs, section{level: level, id: id("first-failure"), title: "Repair rate by class of the first failure", defs: "D2",
		notes: defText("D2"), table: t})

	t = &table{head: []string{"class", "failures with a next round", "passed next round", "rate %", "95% CI"}}
	for _, c := range r.Repairs {
		t.rows = append(t.rows, []string{c.Class, fmt.Sprint(c.Failures), fmt.Sprint(c.Repaired), pct(c.Rate), interval(c.Low, c.High)})
	}
	secs = append(secs, section{level: level, id: id("per-attempt"), title: "Repair rate per attempt", defs: "D3", notes: defText("D3"), table: t})

	tr := r.Transitions
	if len(tr.States) > 0 {
		t = &table{head: append([]string{"from \\ to"}, tr.States...)}
		for i, from := range tr.States {
			if rowTotal(tr.Counts[i]) == 0 {
				continue // an outcome that ends its sample (pass, mostly)
			}
			row := []string{from}
			for j := range tr.States {
				row = append(row, fmt.Sprint(tr.Counts[i][j]))
			}
			t.rows = append(t.rows, row)
		}
		secs = append(secs, section{level: level, id: id("transitions"), title: "Transitions from round r to round r+1 (attempts)", defs: "D4",
			notes: defText("D4"), table: t, charts: []chart{transitionChart(r)}})
	}

	l := r.Loops
	t = &table{head: []string{"stalls", "stalled samples", "code oscillations", "failure oscillations", "oscillating samples"},
		rows: [][]string{{fmt.Sprint(l.Stalls), fmt.Sprint(l.StalledSamples), fmt.Sprint(l.CodeOscillations), fmt.Sprint(l.FailureOscillations), fmt.Sprint(l.OscillatingSamples)}}}
	secs = append(secs, section{level: level, id: id("loops"), title: "Stalls and oscillations", defs: "D6", notes: defText("D6"), table: t})

	t = &table{head: []string{"round", "attempts", "prompt tokens", "completion tokens", "tokens/sample (cumulative)", "pass rate %"}}
	for _, rd := range r.PerRound {
		t.rows = append(t.rows, []string{fmt.Sprint(rd.Round), fmt.Sprint(rd.Attempts), count(rd.PromptTokens), count(rd.CompletionTokens),
			tokens(rd.TokensPerSample), pct(rd.CumulativePass[0])})
	}
	var after []string
	if r.TokensPerSolved != nil {
		after = append(after, fmt.Sprintf("Tokens per solved task: %s (%d tasks solved). Tokens per solved sample: %s.", tokens(*r.TokensPerSolved), r.SolvedTasks, tokens(*r.TokensPerSolvedSample)))
	} else {
		after = append(after, "No task was solved: no tokens per solved task.")
	}
	sec := section{level: level, id: id("tokens"), title: "Tokens by round", defs: "D7", notes: defText("D7"), table: t, after: after}
	if len(r.PassVsTokens) > 0 {
		sec.charts = []chart{passVsTokensChart([]*Run{r})}
	}
	secs = append(secs, sec)

	if len(r.Visible) > 0 {
		head := []string{"round", "visible %", "hidden %"}
		for _, su := range r.Suites {
			head = append(head, su+" %")
		}
		head = append(head, "visible only", "hidden only", "no visible verdict")
		t = &table{head: head}
		for _, v := range r.Visible {
			row := []string{fmt.Sprint(v.Round), pct(v.VisiblePass), pct(v.HiddenPass)}
			for _, sp := range v.SuitePass {
				row = append(row, pct(sp))
			}
			row = append(row, fmt.Sprint(v.VisibleOnly), fmt.Sprint(v.HiddenOnly), fmt.Sprint(v.VisibleUnseen))
			t.rows = append(t.rows, row)
		}
		secs = append(secs, section{level: level, id: id("visible"), title: "Visible against hidden tests (answers after each round)", defs: "D9",
			notes: defText("D9"), table: t})
	}

	t = &table{head: []string{"task", "solved at round", "samples passing", "attempts", "tokens", "failure class", "failure message"}}
	for _, task := range r.PerTask {
		solved := "never"
		if task.SolvedRound != nil {
			solved = fmt.Sprint(*task.SolvedRound)
		}
		t.rows = append(t.rows, []string{task.TaskID, solved, fmt.Sprintf("%d/%d", task.Passing, r.Samples), fmt.Sprint(task.Attempts),
			count(task.Tokens), task.FailureClass, truncate(task.FailureMessage, 120)})
	}
	notes = defText("D10")
	if len(r.NeverSolved) == 0 {
		notes = append(notes, fmt.Sprintf("Every task was solved (%d of %d).", r.SolvedTasks, r.Tasks))
	} else {
		notes = append(notes, fmt.Sprintf("Never solved (%d of %d tasks): %s.", len(r.NeverSolved), r.Tasks, strings.Join(r.NeverSolved, ", ")))
	}
	secs = append(secs, section{level: level, id: id("tasks"), title: "Tasks", defs: "D10", notes: notes, table: t})
	return secs
}

func rowTotal(row []int) int {
	t := 0
	for _, v := range row {
		t += v
	}
	return t
}
