package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
)

// Run is the report of one run directory: one element of summary.json's
// "runs" (or, for a report of one run, summary.json itself). Its fields
// from run_id to repairs_by_class have the names and meanings of
// agent/study's summary.json, so a report's summary.json is a superset of
// the study's. See REPORTS.md for every field and the package
// documentation for the definitions (D1..D10) of the numbers.
type Run struct {
	Name string `json:"name"` // the run directory's base name (its path if two runs share one)
	Dir  string `json:"dir"`

	RunID         string `json:"run_id"`
	Status        string `json:"status"`   // the manifest's: running, complete, interrupted, failed
	Complete      bool   `json:"complete"` // every sample passed or ran out of rounds
	Dataset       string `json:"dataset"`
	Language      string `json:"language,omitempty"` // of the dataset's tasks; "" in runs that did not record it
	Model         string `json:"model"`
	Simulator     bool   `json:"simulator"` // the answers came from selfrepair's simulated model, not an LLM
	Feedback      string `json:"feedback"`
	RepairStyle   string `json:"repair_style"`
	FeedbackTests string `json:"feedback_tests"`
	Seed          uint64 `json:"seed"`
	Tasks         int    `json:"tasks"`
	Samples       int    `json:"samples"` // per task (n)
	Rounds        int    `json:"rounds"`  // repair rounds after round 0 (R)

	Attempts         int `json:"attempts"`
	Stalls           int `json:"stalls"`
	CacheHits        int `json:"cache_hits"`
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`

	PerRound []Round       `json:"per_round"`
	Repairs  []ClassRepair `json:"repairs_by_class"` // D3

	// Warnings say what the numbers do not cover (an unfinished run,
	// lines dropped from attempts.jsonl).
	Warnings []string `json:"warnings"`

	FirstFailure          []FirstFailureRepair `json:"repairs_by_first_failure"` // D2
	FirstFailureTotal     FirstFailureRepair   `json:"first_failures_repaired"`  // D2 over every class
	Transitions           Transitions          `json:"transitions"`              // D4
	Loops                 Loops                `json:"stalls_and_oscillations"`  // D6
	SolvedTasks           int                  `json:"solved_tasks"`             // tasks some sample passed by round R
	TokensPerSolved       *float64             `json:"tokens_per_solved_task"`   // D7; null when none was solved
	TokensPerSolvedSample *float64             `json:"tokens_per_solved_sample"` // D7; null when none was solved
	PassVsTokens          []TokenPoint         `json:"pass_vs_tokens"`           // D7 (pass@t)
	Visible               []VisibleRound       `json:"visible_vs_hidden"`        // D9; only with feedback_tests visible
	Suites                []string             `json:"suites"`                   // scoring suites recorded (base, plus), if any
	NeverSolved           []string             `json:"never_solved"`             // D10
	PerTask               []Task               `json:"per_task"`                 // D10

	classes           []string // every outcome seen, in report order
	unfinishedSamples int
}

// Round holds the numbers of one round r.
type Round struct {
	Round    int `json:"round"`
	Attempts int `json:"attempts"` // attempts made in round r
	// agent/study's definition: a sample's answer after round r is its
	// latest attempt of round ≤ r.
	Passing  int       `json:"passing"`   // samples whose answer after round r passes
	PassRate float64   `json:"pass_rate"` // passing ÷ (tasks × samples)
	PassAtK  []float64 `json:"pass_at_k"` // pass_at_k[k-1]: pass@k of the answers after round r

	Solved           int       `json:"solved"`                    // D1: samples passed by round r
	SolvedTasks      int       `json:"solved_tasks"`              // tasks with a sample passed by round r
	CumulativePass   []float64 `json:"cumulative_pass_at_k"`      // D1: [k-1] is pass@k by round r, k = 1..n
	Delta            []float64 `json:"delta_pass_at_k,omitempty"` // D1: cumulative_pass_at_k minus round r-1's (absent for round 0)
	SuitePass        []float64 `json:"suite_pass_rate,omitempty"` // D1 per suite (same order as the run's suites): fraction of samples that passed it by round r
	PassedAttempts   int       `json:"passed_attempts"`           // D5: attempts of round r that passed
	Classes          []Count   `json:"classes"`                   // D5: attempts of round r by outcome
	Stalls           int       `json:"stalls"`                    // D6: stalled attempts of round r
	PromptTokens     int       `json:"prompt_tokens"`             // D7: of round r's attempts
	CompletionTokens int       `json:"completion_tokens"`         // D7: of round r's attempts
	TokensPerSample  float64   `json:"cumulative_tokens_per_sample"`
}

// Count is how many attempts of a round had an outcome, and their share
// of the round's attempts.
type Count struct {
	Class string  `json:"class"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// ClassRepair is D3, the per-attempt repair rate of a class.
type ClassRepair struct {
	Class    string  `json:"class"`
	Failures int     `json:"failures"` // failing attempts of this class that have a next round
	Repaired int     `json:"repaired"` // of which the next attempt passed
	Rate     float64 `json:"rate"`     // repaired ÷ failures
	Low      float64 `json:"ci_low"`   // Wilson 95% interval
	High     float64 `json:"ci_high"`
}

// FirstFailureRepair is D2, the repair rate by the class of the first
// failure.
type FirstFailureRepair struct {
	Class    string  `json:"class"`
	Samples  int     `json:"samples"`  // samples whose round-0 attempt failed with this class
	Repaired int     `json:"repaired"` // of which passed by round R
	Rate     float64 `json:"rate"`     // repaired ÷ samples (NaN-free: 0 when samples is 0)
	Low      float64 `json:"ci_low"`   // Wilson 95% interval
	High     float64 `json:"ci_high"`
}

// Transitions is D4: Counts[i][j] attempts of outcome States[i] at some
// round r were followed by an attempt of outcome States[j] at r+1.
type Transitions struct {
	States []string `json:"states"`
	Counts [][]int  `json:"counts"`
}

// Loops is D6.
type Loops struct {
	Stalls              int `json:"stalls"`               // attempts flagged stall
	StalledSamples      int `json:"stalled_samples"`      // samples with a stall
	CodeOscillations    int `json:"code_oscillations"`    // attempts whose code recurs non-consecutively
	FailureOscillations int `json:"failure_oscillations"` // attempts whose failure recurs non-consecutively
	OscillatingSamples  int `json:"oscillating_samples"`  // samples with an oscillation of either kind
}

// TokenPoint is a point of the pass@t curve (D7): after round r, the
// tokens spent per sample and the cumulative pass rate.
type TokenPoint struct {
	Round           int     `json:"round"`
	TokensPerSample float64 `json:"tokens_per_sample"`
	PassRate        float64 `json:"pass_rate"` // D1 cumulative pass@1
}

// VisibleRound is D9 for one round.
type VisibleRound struct {
	Round         int       `json:"round"`
	VisiblePass   float64   `json:"visible_pass_rate"` // answers after round r that pass the visible tests
	HiddenPass    float64   `json:"hidden_pass_rate"`  // ... that pass the hidden (scoring) tests
	SuitePass     []float64 `json:"suite_pass_rate,omitempty"`
	VisibleOnly   int       `json:"visible_only"`    // answers that pass the visible tests but not the hidden ones
	HiddenOnly    int       `json:"hidden_only"`     // answers that pass the hidden tests but not the visible ones
	VisibleUnseen int       `json:"visible_unknown"` // answers without a visible verdict
}

// Task is D10 for one task.
type Task struct {
	TaskID      string `json:"task_id"`
	SolvedRound *int   `json:"solved_round"` // the first round some sample passed; null if none did
	Passing     int    `json:"samples_passing"`
	Attempts    int    `json:"attempts"`
	Tokens      int    `json:"tokens"`
	// For a task never solved: the most common outcome of its samples'
	// last attempts, and the message of one of them.
	FailureClass   string `json:"failure_class,omitempty"`
	FailureMessage string `json:"failure_message,omitempty"`
}

// canonicalClasses is the report order of outcomes: the error classes of
// languages.Classes (pass first), then the statuses of attempts never
// judged. Other classes follow, alphabetically.
func canonicalClasses() []string {
	var out []string
	for _, c := range languages.Classes() {
		out = append(out, string(c))
	}
	return append(out, rundir.StatusTooLong, classUnknown)
}

// sortClasses sorts outcome classes in report order.
func sortClasses(classes []string) {
	order := canonicalClasses()
	rank := func(c string) int {
		if i := slices.Index(order, c); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(classes, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
}

// keyKs are the ks worth a row in a table for n samples: 1, 2, 5, 10,
// 20, 50, ... and n.
func keyKs(n int) []int {
	var ks []int
	for base := 1; base <= n; base *= 10 {
		for _, m := range []int{1, 2, 5} {
			if k := base * m; k <= n {
				ks = append(ks, k)
			}
		}
	}
	if len(ks) == 0 || ks[len(ks)-1] != n {
		ks = append(ks, n)
	}
	return ks
}

// analyze computes every metric of a run.
func analyze(r *run) *Run {
	p := r.m.Params
	n, nt, rows := p.Samples, len(p.Tasks), p.Rounds+1
	out := &Run{
		Name: r.name, Dir: r.dir, RunID: r.m.RunID, Status: r.m.Status, Dataset: cmp.Or(r.m.Dataset.Name, p.Dataset),
		Language: r.m.Dataset.Language,
		Model:    cmp.Or(p.Model, r.m.Model.Name), Simulator: r.m.Model.Simulator, Feedback: string(p.Feedback), RepairStyle: string(p.RepairStyle),
		FeedbackTests: p.FeedbackTests, Seed: p.Seed, Tasks: nt, Samples: n, Rounds: p.Rounds, Attempts: r.attempts,
		Warnings: []string{}, FirstFailure: []FirstFailureRepair{}, Repairs: []ClassRepair{}, NeverSolved: []string{},
		Visible: []VisibleRound{}, Suites: []string{}, PassVsTokens: []TokenPoint{},
	}

	// Pass 1: per sample.
	firstPass := make([]int, len(r.samples)) // round of the first pass, or -1
	seen := map[string]bool{}
	suites := map[string]bool{}
	visible := p.FeedbackTests == "visible"
	complete := true
	for si, atts := range r.samples {
		firstPass[si] = -1
		for i := range atts {
			a := &atts[i]
			if a.Passed && firstPass[si] < 0 {
				firstPass[si] = a.Round
			}
			c := outcomeOf(&a.Verdict)
			seen[c] = true
			for s := range a.Suites {
				suites[string(s)] = true
			}
			if a.Visible != nil {
				visible = true
			}
			if a.CacheHit {
				out.CacheHits++
			}
			out.PromptTokens += a.PromptTokens
			out.CompletionTokens += a.CompletionTokens
		}
		if len(atts) == 0 || !p.Finished(&atts[len(atts)-1]) {
			complete = false
			out.unfinishedSamples++
		}
	}
	out.Complete = complete
	for c := range seen {
		out.classes = append(out.classes, c)
	}
	sortClasses(out.classes)
	for s := range suites {
		out.Suites = append(out.Suites, s)
	}
	slices.Sort(out.Suites)
	if out.unfinishedSamples > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the run is unfinished (status %q): %d of %d samples have not passed or run out of rounds; they count as failing from their last recorded round on",
			r.m.Status, out.unfinishedSamples, len(r.samples)))
	}
	if r.dropped > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d torn or invalid line(s) at the end of %s were dropped (a crash or a write in progress)", r.dropped, rundir.AttemptsFile))
	}

	// Pass 2: per round.
	latest := make([]*rundir.Attempt, len(r.samples))
	passedSuite := make([][]bool, len(out.Suites)) // [suite][sample]: passed by round r
	for i := range passedSuite {
		passedSuite[i] = make([]bool, len(r.samples))
	}
	cumTokens := 0
	for rd := range rows {
		rs := Round{Round: rd, Classes: []Count{}}
		classCount := map[string]int{}
		cumC := make([][2]int, nt)
		latC := make([][2]int, nt)
		for si, atts := range r.samples {
			t := si / n
			cumC[t][0]++
			latC[t][0]++
			if rd < len(atts) {
				a := &atts[rd]
				latest[si] = a
				rs.Attempts++
				if a.Passed {
					rs.PassedAttempts++
				}
				classCount[outcomeOf(&a.Verdict)]++
				if a.Stall {
					rs.Stalls++
				}
				rs.PromptTokens += a.PromptTokens
				rs.CompletionTokens += a.CompletionTokens
				for i, s := range out.Suites {
					if suitePassed(&a.Verdict, s) {
						passedSuite[i][si] = true
					}
				}
			}
			if l := latest[si]; l != nil && l.Passed {
				rs.Passing++
				latC[t][1]++
			}
			if firstPass[si] >= 0 && firstPass[si] <= rd {
				rs.Solved++
				cumC[t][1]++
			}
		}
		for t := range nt {
			if cumC[t][1] > 0 {
				rs.SolvedTasks++
			}
		}
		total := len(r.samples)
		rs.PassRate = float64(rs.Passing) / float64(total)
		for k := 1; k <= n; k++ {
			v, _ := MeanPassAtK(latC, k)
			rs.PassAtK = append(rs.PassAtK, v)
			v, _ = MeanPassAtK(cumC, k)
			rs.CumulativePass = append(rs.CumulativePass, v)
		}
		if rd > 0 {
			prev := out.PerRound[rd-1].CumulativePass
			for k := range rs.CumulativePass {
				rs.Delta = append(rs.Delta, rs.CumulativePass[k]-prev[k])
			}
		}
		for i := range out.Suites {
			c := 0
			for _, ok := range passedSuite[i] {
				if ok {
					c++
				}
			}
			rs.SuitePass = append(rs.SuitePass, float64(c)/float64(total))
		}
		for _, c := range out.classes {
			if classCount[c] > 0 {
				rs.Classes = append(rs.Classes, Count{Class: c, Count: classCount[c], Share: float64(classCount[c]) / float64(rs.Attempts)})
			}
		}
		cumTokens += rs.PromptTokens + rs.CompletionTokens
		rs.TokensPerSample = float64(cumTokens) / float64(total)
		out.Stalls += rs.Stalls
		out.PassVsTokens = append(out.PassVsTokens, TokenPoint{Round: rd, TokensPerSample: rs.TokensPerSample, PassRate: rs.CumulativePass[0]})
		if visible {
			out.Visible = append(out.Visible, visibleRound(rd, latest, out.Suites))
		}
		out.PerRound = append(out.PerRound, rs)
	}
	if cumTokens == 0 {
		out.PassVsTokens = []TokenPoint{}
		out.Warnings = append(out.Warnings, "no token counts were recorded: no pass-vs-tokens curve")
	}

	out.repairs(r, firstPass)
	out.transitions(r)
	out.loops(r)
	out.tasks(r, firstPass)
	if s := out.SolvedTasks; s > 0 {
		v := float64(out.PromptTokens+out.CompletionTokens) / float64(s)
		out.TokensPerSolved = &v
	}
	if s := out.PerRound[rows-1].Solved; s > 0 {
		v := float64(out.PromptTokens+out.CompletionTokens) / float64(s)
		out.TokensPerSolvedSample = &v
	}
	return out
}

// visibleRound is D9 for round rd, over the samples' latest answers.
func visibleRound(rd int, latest []*rundir.Attempt, suites []string) VisibleRound {
	v := VisibleRound{Round: rd}
	total := float64(len(latest))
	var vis, hid int
	suite := make([]int, len(suites))
	for _, a := range latest {
		if a == nil {
			continue
		}
		vp := a.Visible != nil && a.Visible.Passed
		if a.Visible == nil {
			v.VisibleUnseen++
		}
		if vp {
			vis++
		}
		if a.Passed {
			hid++
		}
		switch {
		case vp && !a.Passed:
			v.VisibleOnly++
		case !vp && a.Visible != nil && a.Passed:
			v.HiddenOnly++
		}
		for i, s := range suites {
			if suitePassed(&a.Verdict, s) {
				suite[i]++
			}
		}
	}
	v.VisiblePass, v.HiddenPass = float64(vis)/total, float64(hid)/total
	for _, c := range suite {
		v.SuitePass = append(v.SuitePass, float64(c)/total)
	}
	return v
}

// repairs computes D2 and D3.
func (out *Run) repairs(r *run, firstPass []int) {
	type tally struct{ n, k int }
	first := map[string]*tally{}
	per := map[string]*tally{}
	var all tally
	for si, atts := range r.samples {
		if len(atts) > 0 && !atts[0].Passed {
			c := outcomeOf(&atts[0].Verdict)
			if first[c] == nil {
				first[c] = &tally{}
			}
			first[c].n++
			all.n++
			if firstPass[si] >= 0 {
				first[c].k++
				all.k++
			}
		}
		for i := 0; i+1 < len(atts); i++ {
			if atts[i].Passed {
				continue
			}
			c := outcomeOf(&atts[i].Verdict)
			if per[c] == nil {
				per[c] = &tally{}
			}
			per[c].n++
			if atts[i+1].Passed {
				per[c].k++
			}
		}
	}
	for _, c := range out.classes {
		if t := first[c]; t != nil {
			out.FirstFailure = append(out.FirstFailure, firstFailure(c, t.k, t.n))
		}
		if t := per[c]; t != nil {
			lo, hi := wilson(t.k, t.n)
			out.Repairs = append(out.Repairs, ClassRepair{Class: c, Failures: t.n, Repaired: t.k, Rate: float64(t.k) / float64(t.n), Low: lo, High: hi})
		}
	}
	out.FirstFailureTotal = firstFailure("all", all.k, all.n)
}

func firstFailure(class string, k, n int) FirstFailureRepair {
	f := FirstFailureRepair{Class: class, Samples: n, Repaired: k}
	if n > 0 {
		f.Rate = float64(k) / float64(n)
		f.Low, f.High = wilson(k, n)
	}
	return f
}

// transitions computes D4.
func (out *Run) transitions(r *run) {
	index := map[string]int{}
	counts := map[[2]string]int{}
	for _, atts := range r.samples {
		for i := 0; i+1 < len(atts); i++ {
			from, to := outcomeOf(&atts[i].Verdict), outcomeOf(&atts[i+1].Verdict)
			counts[[2]string{from, to}]++
			index[from], index[to] = 0, 0
		}
	}
	for c := range index {
		out.Transitions.States = append(out.Transitions.States, c)
	}
	sortClasses(out.Transitions.States)
	for i, c := range out.Transitions.States {
		index[c] = i
	}
	out.Transitions.Counts = make([][]int, len(index))
	for i := range out.Transitions.Counts {
		out.Transitions.Counts[i] = make([]int, len(index))
	}
	for ft, c := range counts {
		out.Transitions.Counts[index[ft[0]]][index[ft[1]]] = c
	}
	if out.Transitions.States == nil {
		out.Transitions.States = []string{}
	}
}

// loops computes D6.
func (out *Run) loops(r *run) {
	l := &out.Loops
	for _, atts := range r.samples {
		stalled, osc := false, false
		for i := range atts {
			a := &atts[i]
			if a.Stall {
				l.Stalls++
				stalled = true
			}
			if i < 2 || a.Status == "prompt-too-long" {
				continue
			}
			prev := &atts[i-1]
			if h := a.CodeHash; h != "" && prev.CodeHash != h {
				for q := range i - 1 {
					if atts[q].CodeHash == h {
						l.CodeOscillations++
						osc = true
						break
					}
				}
			}
			if f, ok := failureKey(a); ok {
				if pf, _ := failureKey(prev); pf != f {
					for q := range i - 1 {
						if qf, ok := failureKey(&atts[q]); ok && qf == f {
							l.FailureOscillations++
							osc = true
							break
						}
					}
				}
			}
		}
		if stalled {
			l.StalledSamples++
		}
		if osc {
			l.OscillatingSamples++
		}
	}
}

// failureKey identifies a failure: its class and message.
func failureKey(a *rundir.Attempt) (string, bool) {
	if a.Passed || a.Status == "prompt-too-long" {
		return "", false
	}
	return outcomeOf(&a.Verdict) + "\x00" + a.Message, true
}

// tasks computes D10.
func (out *Run) tasks(r *run, firstPass []int) {
	n := out.Samples
	last := out.Rounds
	for t := range out.Tasks {
		task := Task{TaskID: r.m.Params.Tasks[t]}
		solved := math.MaxInt
		finals := map[string]int{}
		example := map[string]*rundir.Attempt{}
		for s := range n {
			si := t*n + s
			atts := r.samples[si]
			task.Attempts += len(atts)
			for i := range atts {
				task.Tokens += atts[i].PromptTokens + atts[i].CompletionTokens
			}
			if fp := firstPass[si]; fp >= 0 && fp <= last {
				task.Passing++
				solved = min(solved, fp)
			} else if len(atts) > 0 {
				a := &atts[len(atts)-1]
				c := outcomeOf(&a.Verdict)
				finals[c]++
				if example[c] == nil {
					example[c] = a
				}
			}
		}
		if solved != math.MaxInt {
			task.SolvedRound = &solved
			out.SolvedTasks++
		} else {
			out.NeverSolved = append(out.NeverSolved, task.TaskID)
			best := ""
			for c, k := range finals {
				if best == "" || k > finals[best] || k == finals[best] && c < best {
					best = c
				}
			}
			if best != "" {
				task.FailureClass, task.FailureMessage = best, example[best].Message
			}
		}
		out.PerTask = append(out.PerTask, task)
	}
}
