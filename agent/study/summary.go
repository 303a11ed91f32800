package study

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/reports"
)

// Summary is a run's result (summary.json).
type Summary struct {
	RunID     string      `json:"run_id"`
	Complete  bool        `json:"complete"` // every sample passed or ran out of rounds
	Dataset   string      `json:"dataset"`
	Model     string      `json:"model"`
	Simulator bool        `json:"simulator"`
	Feedback  prompt.Mode `json:"feedback"`
	// FeedbackTests says which tests the feedback came from: hidden or visible.
	FeedbackTests string `json:"feedback_tests"`
	Tasks         int    `json:"tasks"`
	Samples       int    `json:"samples"` // per task
	Rounds        int    `json:"rounds"`  // repair rounds after round 0

	Attempts         int `json:"attempts"`
	Stalls           int `json:"stalls"`
	CacheHits        int `json:"cache_hits"`
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`

	PerRound []RoundStats   `json:"per_round"`
	Repairs  []ClassRepairs `json:"repairs_by_class"`
}

// RoundStats are the results after a round. A sample's answer after round
// r is its latest attempt of round r or earlier (a sample stops once it
// passes), so the pass rates never fall from one round to the next
// (except with feedback_tests "visible", where a sample stops when its
// visible tests pass, whatever the hidden ones say).
type RoundStats struct {
	Round    int     `json:"round"`
	Attempts int     `json:"attempts"`  // attempts made in this round
	Passing  int     `json:"passing"`   // samples whose answer passes
	PassRate float64 `json:"pass_rate"` // passing / (tasks × samples)
	// PassAtK[k-1] is pass@k for k = 1..samples: the unbiased estimator
	// averaged over tasks.
	PassAtK []float64 `json:"pass_at_k"`
}

// ClassRepairs says how often a failure of one error class was repaired
// in the next round.
type ClassRepairs struct {
	Class    string `json:"class"`
	Failures int    `json:"failures"` // failing attempts that got a repair round
	Repaired int    `json:"repaired"` // of which the next attempt passed
}

// Summary summarises the attempts recorded so far.
func (s *Study) Summary() (*Summary, error) {
	return summarize(s.m, s.Dir())
}

// Summarize reads the summary of the run in dir from its manifest and
// attempts (no lock needed).
func Summarize(dir string) (*Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", ManifestFile, err)
	}
	return summarize(m, dir)
}

// light is what a summary reads of an attempt.
type light struct {
	TaskID     string `json:"task_id"`
	Sample     int    `json:"sample"`
	Round      int    `json:"round"`
	Passed     bool   `json:"passed"`
	Status     string `json:"status"`
	ErrorClass string `json:"error_class"`
	Visible    *struct {
		Passed bool `json:"passed"`
	} `json:"visible"`
	Stall            bool `json:"stall"`
	CacheHit         bool `json:"cache_hit"`
	PromptTokens     int  `json:"prompt_tokens"`
	CompletionTokens int  `json:"completion_tokens"`
}

// cell is one attempt of one sample in the summary's table.
type cell struct {
	seen, passed bool
	class        uint8 // index in classes
}

func summarize(m Manifest, dir string) (*Summary, error) {
	p := m.Params
	sum := &Summary{
		RunID: m.RunID, Dataset: m.Dataset.Name, Model: p.Model, Simulator: m.Model.Simulator, Feedback: p.Feedback,
		FeedbackTests: p.FeedbackTests,
		Tasks:         len(p.Tasks), Samples: p.Samples, Rounds: p.Rounds,
	}
	index := make(map[string]int, len(p.Tasks))
	for i, id := range p.Tasks {
		index[id] = i
	}
	rows := p.Rounds + 1
	table := make([]cell, len(p.Tasks)*p.Samples*rows)
	finished := make([]bool, len(p.Tasks)*p.Samples)
	classes := []string{""}
	classIndex := map[string]uint8{"": 0}
	f, err := os.Open(filepath.Join(dir, AttemptsFile))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if f != nil {
		defer f.Close()
		err = rundir.ReadLines(f, func(n int, line []byte) error {
			var a light
			if err := json.Unmarshal(line, &a); err != nil {
				return fmt.Errorf("%s:%d: %v", AttemptsFile, n, err)
			}
			ti, ok := index[a.TaskID]
			if !ok || a.Sample < 0 || a.Sample >= p.Samples || a.Round < 0 || a.Round >= rows {
				return fmt.Errorf("%s:%d: task %s sample %d round %d is not part of this study", AttemptsFile, n, a.TaskID, a.Sample, a.Round)
			}
			ci, ok := classIndex[a.ErrorClass]
			if !ok && len(classes) < math.MaxUint8 {
				ci = uint8(len(classes))
				classIndex[a.ErrorClass] = ci
				classes = append(classes, a.ErrorClass)
			}
			si := ti*p.Samples + a.Sample
			table[si*rows+a.Round] = cell{seen: true, passed: a.Passed, class: ci}
			full := Attempt{Round: a.Round, Verdict: Verdict{Passed: a.Passed, Status: a.Status}}
			if a.Visible != nil {
				full.Visible = &Verdict{Passed: a.Visible.Passed}
			}
			if p.finished(&full) {
				finished[si] = true
			}
			sum.Attempts++
			if a.Stall {
				sum.Stalls++
			}
			if a.CacheHit {
				sum.CacheHits++
			}
			sum.PromptTokens += a.PromptTokens
			sum.CompletionTokens += a.CompletionTokens
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sum.Complete = true
	for _, done := range finished {
		sum.Complete = sum.Complete && done
	}

	repairs := map[uint8]*ClassRepairs{}
	for si := range finished {
		for r := 0; r+1 < rows; r++ {
			c, next := table[si*rows+r], table[si*rows+r+1]
			if c.seen && !c.passed && next.seen {
				cr := repairs[c.class]
				if cr == nil {
					cr = &ClassRepairs{Class: classes[c.class]}
					repairs[c.class] = cr
				}
				cr.Failures++
				if next.passed {
					cr.Repaired++
				}
			}
		}
	}
	for _, cr := range repairs {
		sum.Repairs = append(sum.Repairs, *cr)
	}
	order := map[string]int{}
	for i, c := range languages.Classes() {
		order[string(c)] = i + 1
	}
	slices.SortFunc(sum.Repairs, func(a, b ClassRepairs) int {
		oa, ob := cmp.Or(order[a.Class], math.MaxInt), cmp.Or(order[b.Class], math.MaxInt)
		return cmp.Or(cmp.Compare(oa, ob), strings.Compare(a.Class, b.Class))
	})

	latest := make([]bool, len(finished)) // the sample's answer passes, as of round r
	for r := 0; r < rows; r++ {
		rs := RoundStats{Round: r}
		counts := make([][2]int, len(p.Tasks))
		for si := range finished {
			c := table[si*rows+r]
			if c.seen {
				rs.Attempts++
				latest[si] = c.passed
			}
			counts[si/p.Samples][0]++
			if latest[si] {
				counts[si/p.Samples][1]++
				rs.Passing++
			}
		}
		if n := len(finished); n > 0 {
			rs.PassRate = float64(rs.Passing) / float64(n)
		}
		for k := 1; k <= p.Samples; k++ {
			v, _ := reports.MeanPassAtK(counts, k)
			rs.PassAtK = append(rs.PassAtK, v)
		}
		sum.PerRound = append(sum.PerRound, rs)
	}
	return sum, nil
}
