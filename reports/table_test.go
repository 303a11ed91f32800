package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
)

// TestStudyNumbers: the numbers a study prints at its end, on a run
// directory written by hand.
func TestStudyNumbers(t *testing.T) {
	dir := t.TempDir()
	p := rundir.Params{Dataset: "d", Tasks: []string{"A", "B"}, Model: "m", Samples: 2, Rounds: 2, Feedback: prompt.Minimal,
		RepairStyle: prompt.Chat, FeedbackTests: rundir.HiddenTests, Concurrency: 1, TimeoutMS: 1}
	m, _ := json.Marshal(rundir.Manifest{Format: rundir.Format, Params: p, Dataset: rundir.DatasetInfo{Name: "d"}, Model: rundir.ModelInfo{Name: "m"}})
	os.WriteFile(filepath.Join(dir, rundir.ManifestFile), m, 0o644)
	// A: sample 0 passes at once; sample 1 fails (assertion), then passes.
	// B: sample 0 fails (name) twice, then passes; sample 1 fails 3 times.
	var lines []string
	add := func(task string, sample, round int, passed bool, class string) {
		status := "failed"
		if passed {
			status, class = "passed", "pass"
		}
		b, _ := json.Marshal(rundir.Attempt{TaskID: task, Sample: sample, Round: round, Verdict: rundir.Verdict{Passed: passed, Status: status, Failure: languages.Failure{Class: languages.Class(class)}}})
		lines = append(lines, string(b))
	}
	add("A", 0, 0, true, "")
	add("A", 1, 0, false, "assertion")
	add("B", 0, 0, false, "name")
	add("B", 1, 0, false, "assertion")
	add("A", 1, 1, true, "")
	add("B", 0, 1, false, "name")
	add("B", 1, 1, false, "timeout")
	add("B", 0, 2, true, "")
	add("B", 1, 2, false, "timeout")
	os.WriteFile(filepath.Join(dir, rundir.AttemptsFile), []byte(strings.Join(lines, "\n")+"\n"), 0o644)

	rep, err := Build(t.Context(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	sum := rep.Runs[0]
	if !sum.Complete || sum.Attempts != 9 {
		t.Fatalf("complete %v, attempts %d", sum.Complete, sum.Attempts)
	}
	rounds := []struct {
		attempts, passing int
		pass1, pass2      float64
	}{
		{4, 1, 0.25, 0.5}, // A: 1/2 → pass@1 .5, pass@2 1; B: 0
		{3, 2, 0.5, 0.5},  // A: 2/2; B: 0/2
		{2, 3, 0.75, 1},   // A: 2/2; B: 1/2 → pass@1 .5, pass@2 1
	}
	for r, w := range rounds {
		got := sum.PerRound[r]
		if got.Attempts != w.attempts || got.Passing != w.passing || got.PassAtK[0] != w.pass1 || got.PassAtK[1] != w.pass2 {
			t.Errorf("round %d: %+v, want %+v", r, got, w)
		}
	}
	var table strings.Builder
	if err := sum.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	want := `study complete: d, 2 tasks × 2 samples, up to 2 repair rounds, feedback minimal, model m
round   attempts       passing   pass@1   pass@2
0              4           1/4   0.2500   0.5000
1              3           2/4   0.5000   0.5000
2              2           3/4   0.7500   1.0000
repaired in the next round, by error class: name 1/2, assertion 1/2, timeout 0/1
9 attempts, 0 stalls, 0 from the response cache, 0+0 tokens
`
	if table.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", table.String(), want)
	}
}
