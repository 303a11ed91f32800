package reports

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
)

// csvText makes text from attempts safe in a CSV cell: control characters
// escaped (Escape), and a leading character that would make a spreadsheet
// run the cell as a formula (= + - @) preceded by an apostrophe.
func csvText(s string) string {
	s = Escape([]byte(s))
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		s = "'" + s
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func btoa(b bool) string { return strconv.FormatBool(b) }

// attemptsColumns are the columns of attempts.csv.
func attemptsColumns() []string {
	return []string{"simulator", "run", "task_id", "sample", "round", "passed", "outcome", "status", "error_class", "error_type",
		"message", "stall", "stall_of", "code_hash", "prompt_tokens", "completion_tokens", "cache_hit",
		"visible_passed", "visible_outcome", "base_passed", "plus_passed"}
}

// writeAttemptsCSV renders attempts.csv: one row per attempt, in run, task,
// sample and round order.
func (s *Summary) writeAttemptsCSV(buf *bytes.Buffer) error {
	w := csv.NewWriter(buf)
	w.Write(attemptsColumns())
	row := make([]string, 0, len(attemptsColumns()))
	for i, r := range s.raw {
		name, sim := csvText(s.Runs[i].Name), btoa(s.Runs[i].Simulator)
		for _, atts := range r.samples {
			for j := range atts {
				a := &atts[j]
				stallOf, vis, visOut, base, plus := "", "", "", "", ""
				if a.StallOf != nil {
					stallOf = itoa(*a.StallOf)
				}
				if a.Visible != nil {
					vis, visOut = btoa(a.Visible.Passed), csvText(outcomeOf(a.Visible))
				}
				if len(s.Runs[i].Suites) > 0 {
					base, plus = btoa(suitePassed(&a.Verdict, "base")), btoa(suitePassed(&a.Verdict, "plus"))
				}
				row = append(row[:0], sim, name, csvText(a.TaskID), itoa(a.Sample), itoa(a.Round), btoa(a.Passed),
					csvText(outcomeOf(&a.Verdict)), csvText(a.Status), csvText(string(a.Class)), csvText(a.ErrorType), csvText(a.Message),
					btoa(a.Stall), stallOf, csvText(a.CodeHash), itoa(a.PromptTokens), itoa(a.CompletionTokens), btoa(a.CacheHit),
					vis, visOut, base, plus)
				w.Write(row)
			}
		}
	}
	w.Flush()
	return w.Error()
}

// roundsColumns are the columns of rounds.csv for runs of at most n
// samples per task and these outcome classes.
func roundsColumns(n int, classes []string) []string {
	cols := []string{"simulator", "run", "round", "attempts", "passed_attempts", "solved", "solved_tasks", "pass_rate", "delta_pass_rate",
		"passing", "stalls", "prompt_tokens", "completion_tokens", "tokens_per_sample"}
	for k := 1; k <= n; k++ {
		cols = append(cols, "pass_at_"+itoa(k))
	}
	for k := 1; k <= n; k++ {
		cols = append(cols, "delta_pass_at_"+itoa(k))
	}
	for _, c := range classes {
		cols = append(cols, "class_"+c)
	}
	return cols
}

// roundsClasses are the class columns of rounds.csv: every error class
// (languages.Classes) and every other outcome of the runs.
func (s *Summary) roundsClasses() []string {
	classes := canonicalClasses()
	for _, r := range s.Runs {
		for _, c := range r.classes {
			if !slices.Contains(classes, c) {
				classes = append(classes, c)
			}
		}
	}
	sortClasses(classes)
	return classes
}

// writeRoundsCSV renders rounds.csv: one row per run and round.
func (s *Summary) writeRoundsCSV(buf *bytes.Buffer) error {
	n := 0
	for _, r := range s.Runs {
		n = max(n, r.Samples)
	}
	classes := s.roundsClasses()
	w := csv.NewWriter(buf)
	w.Write(roundsColumns(n, classes))
	for _, r := range s.Runs {
		for _, rd := range r.PerRound {
			delta := ""
			if len(rd.Delta) > 0 {
				delta = ftoa(rd.Delta[0])
			}
			row := []string{btoa(r.Simulator), csvText(r.Name), itoa(rd.Round), itoa(rd.Attempts), itoa(rd.PassedAttempts), itoa(rd.Solved),
				itoa(rd.SolvedTasks), ftoa(rd.CumulativePass[0]), delta, itoa(rd.Passing), itoa(rd.Stalls), itoa(rd.PromptTokens),
				itoa(rd.CompletionTokens), ftoa(rd.TokensPerSample)}
			for k := range n {
				row = append(row, "")
				if k < len(rd.CumulativePass) {
					row[len(row)-1] = ftoa(rd.CumulativePass[k])
				}
			}
			for k := range n {
				row = append(row, "")
				if k < len(rd.Delta) {
					row[len(row)-1] = ftoa(rd.Delta[k])
				}
			}
			counts := map[string]int{}
			for _, c := range rd.Classes {
				counts[c.Class] = c.Count
			}
			for _, c := range classes {
				row = append(row, itoa(counts[c]))
			}
			w.Write(row)
		}
	}
	w.Flush()
	return w.Error()
}
