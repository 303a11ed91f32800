package reports_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/reports"
)

// handRun is 3 tasks × 2 samples × rounds 0..2 whose every number is
// worked out by hand in the tests below:
//
//	T0 s0  R0 pass
//	T0 s1  R0 assertion "m1"   R1 pass
//	T1 s0  R0 syntax "bad"     R1 assertion "m2"   R2 stall of R0 (its code, its verdict)
//	T1 s1  R0 name "x"         R1 stall of R0      R2 stall of R0 (same code, same failure)
//	T2 s0  R0 timeout          R1 pass
//	T2 s1  R0 assertion "m4"   R1 timeout          R2 pass
func handRun(t *testing.T) string {
	s := study{tasks: []string{"T0", "T1", "T2"}, samples: 2, rounds: 2}
	return writeRun(t, "hand", s, []att{
		// Lines interleave samples, as the study writes them.
		{task: "T0", sample: 0, round: 0, passed: true, pt: 100, ct: 50},
		{task: "T0", sample: 1, round: 0, class: "assertion", msg: "m1", pt: 100, ct: 60},
		{task: "T1", sample: 0, round: 0, class: "syntax", msg: "bad", code: "def f(:\n", pt: 100, ct: 30},
		{task: "T1", sample: 1, round: 0, class: "name", msg: "x", code: "print(x)\n", pt: 100, ct: 30},
		{task: "T2", sample: 0, round: 0, class: "timeout", status: "timeout", pt: 100, ct: 40},
		{task: "T2", sample: 1, round: 0, class: "assertion", msg: "m4", pt: 100, ct: 40},
		{task: "T0", sample: 1, round: 1, passed: true, pt: 200, ct: 40},
		{task: "T1", sample: 0, round: 1, class: "assertion", msg: "m2", pt: 250, ct: 30},
		{task: "T1", sample: 1, round: 1, class: "name", msg: "x", code: "print(x)\n", stall: true, pt: 220, ct: 30},
		{task: "T2", sample: 0, round: 1, passed: true, pt: 240, ct: 40},
		{task: "T2", sample: 1, round: 1, class: "timeout", status: "timeout", pt: 240, ct: 40},
		{task: "T1", sample: 0, round: 2, class: "syntax", msg: "bad", code: "def f(:\n", stall: true, stallOf: 0, pt: 300, ct: 30},
		{task: "T1", sample: 1, round: 2, class: "name", msg: "x", code: "print(x)\n", stall: true, pt: 340, ct: 30},
		{task: "T2", sample: 1, round: 2, passed: true, pt: 380, ct: 40},
	})
}

func build(t *testing.T, dirs ...string) *reports.Summary {
	t.Helper()
	s, err := reports.Build(context.Background(), dirs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func nearAll(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestCumulativePass: D1. By round 0 the tasks have c = 1, 0, 0 samples
// passed, by round 1 c = 2, 0, 1, by round 2 c = 2, 0, 2 (n = 2).
// pass@1 = mean(c/2); pass@2 = mean(1 if c > 0).
func TestCumulativePass(t *testing.T) {
	r := build(t, handRun(t)).Runs[0]
	want := []struct {
		passAtK, delta      []float64
		solved, solvedTasks int
		attempts, passedAtt int
	}{
		{[]float64{1.0 / 6, 1.0 / 3}, nil, 1, 1, 6, 1},
		{[]float64{0.5, 2.0 / 3}, []float64{1.0 / 3, 1.0 / 3}, 3, 2, 5, 2},
		{[]float64{2.0 / 3, 2.0 / 3}, []float64{1.0 / 6, 0}, 4, 2, 3, 1},
	}
	if len(r.PerRound) != len(want) {
		t.Fatalf("%d rounds, want %d", len(r.PerRound), len(want))
	}
	for i, w := range want {
		got := r.PerRound[i]
		if !nearAll(got.CumulativePass, w.passAtK) || !nearAll(got.Delta, w.delta) {
			t.Errorf("round %d: pass@k %v Δ %v, want %v Δ %v", i, got.CumulativePass, got.Delta, w.passAtK, w.delta)
		}
		if got.Solved != w.solved || got.SolvedTasks != w.solvedTasks || got.Attempts != w.attempts || got.PassedAttempts != w.passedAtt {
			t.Errorf("round %d: solved %d, tasks %d, attempts %d, passed %d; want %d %d %d %d", i, got.Solved, got.SolvedTasks,
				got.Attempts, got.PassedAttempts, w.solved, w.solvedTasks, w.attempts, w.passedAtt)
		}
		// With hidden feedback tests the study's latest-answer numbers
		// are the same.
		if !nearAll(got.PassAtK, w.passAtK) || got.Passing != w.solved || !near(got.PassRate, float64(w.solved)/6) {
			t.Errorf("round %d: study's pass@k %v passing %d rate %v", i, got.PassAtK, got.Passing, got.PassRate)
		}
	}
	if !r.Complete || r.Attempts != 14 || r.Stalls != 3 || r.SolvedTasks != 2 || !reflect.DeepEqual(r.NeverSolved, []string{"T1"}) {
		t.Errorf("complete %v attempts %d stalls %d solved tasks %d never %v", r.Complete, r.Attempts, r.Stalls, r.SolvedTasks, r.NeverSolved)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings: %v", r.Warnings)
	}
}

// TestClassMix: D5.
func TestClassMix(t *testing.T) {
	r := build(t, handRun(t)).Runs[0]
	want := [][]reports.Count{
		{{Class: "pass", Count: 1, Share: 1.0 / 6}, {Class: "syntax", Count: 1, Share: 1.0 / 6}, {Class: "name", Count: 1, Share: 1.0 / 6},
			{Class: "assertion", Count: 2, Share: 2.0 / 6}, {Class: "timeout", Count: 1, Share: 1.0 / 6}},
		{{Class: "pass", Count: 2, Share: 0.4}, {Class: "name", Count: 1, Share: 0.2}, {Class: "assertion", Count: 1, Share: 0.2},
			{Class: "timeout", Count: 1, Share: 0.2}},
		{{Class: "pass", Count: 1, Share: 1.0 / 3}, {Class: "syntax", Count: 1, Share: 1.0 / 3}, {Class: "name", Count: 1, Share: 1.0 / 3}},
	}
	for i, w := range want {
		got := r.PerRound[i].Classes
		if len(got) != len(w) {
			t.Fatalf("round %d: %+v, want %+v", i, got, w)
		}
		for j := range w {
			if got[j].Class != w[j].Class || got[j].Count != w[j].Count || !near(got[j].Share, w[j].Share) {
				t.Errorf("round %d: %+v, want %+v", i, got[j], w[j])
			}
		}
	}
}

// TestRepairRates: D2 (by the class of the round-0 failure) and D3 (per
// attempt), with Wilson intervals.
func TestRepairRates(t *testing.T) {
	r := build(t, handRun(t)).Runs[0]
	// Round-0 failures: T0s1 assertion (passes R1), T1s0 syntax (never),
	// T1s1 name (never), T2s0 timeout (R1), T2s1 assertion (R2).
	first := []struct {
		class    string
		n, k     int
		rate     float64
		low, hig float64
	}{
		{"syntax", 1, 0, 0, 0, 0.7935},
		{"name", 1, 0, 0, 0, 0.7935},
		{"assertion", 2, 2, 1, 0.3424, 1},
		{"timeout", 1, 1, 1, 0.2065, 1},
	}
	if len(r.FirstFailure) != len(first) {
		t.Fatalf("first failures %+v", r.FirstFailure)
	}
	for i, w := range first {
		g := r.FirstFailure[i]
		if g.Class != w.class || g.Samples != w.n || g.Repaired != w.k || !near(g.Rate, w.rate) ||
			math.Abs(g.Low-w.low) > 1e-4 || math.Abs(g.High-w.hig) > 1e-4 {
			t.Errorf("first failure %d: %+v, want %+v", i, g, w)
		}
	}
	if a := r.FirstFailureTotal; a.Samples != 5 || a.Repaired != 3 || !near(a.Rate, 0.6) {
		t.Errorf("all first failures: %+v, want 3/5", a)
	}
	// Failing attempts with a next round: T0s1 R0 assertion→pass, T1s0
	// R0 syntax→assertion, R1 assertion→syntax, T1s1 R0 name→name, R1
	// name→name, T2s0 R0 timeout→pass, T2s1 R0 assertion→timeout, R1
	// timeout→pass.
	per := []struct {
		class string
		n, k  int
	}{{"syntax", 1, 0}, {"name", 2, 0}, {"assertion", 3, 1}, {"timeout", 2, 2}}
	if len(r.Repairs) != len(per) {
		t.Fatalf("per attempt %+v", r.Repairs)
	}
	for i, w := range per {
		g := r.Repairs[i]
		if g.Class != w.class || g.Failures != w.n || g.Repaired != w.k || !near(g.Rate, float64(w.k)/float64(w.n)) {
			t.Errorf("per attempt %d: %+v, want %+v", i, g, w)
		}
	}
	// Wilson 95% for 1 of 3: [0.0615, 0.7923].
	if g := r.Repairs[2]; math.Abs(g.Low-0.0615) > 1e-4 || math.Abs(g.High-0.7923) > 1e-4 {
		t.Errorf("assertion interval [%v, %v], want [0.0615, 0.7923]", g.Low, g.High)
	}
}

// TestTransitions: D4; 14 attempts of 6 samples make 8 transitions.
func TestTransitions(t *testing.T) {
	tr := build(t, handRun(t)).Runs[0].Transitions
	want := map[[2]string]int{
		{"assertion", "pass"}: 1, {"syntax", "assertion"}: 1, {"assertion", "syntax"}: 1, {"name", "name"}: 2,
		{"timeout", "pass"}: 2, {"assertion", "timeout"}: 1,
	}
	if !reflect.DeepEqual(tr.States, []string{"pass", "syntax", "name", "assertion", "timeout"}) {
		t.Fatalf("states %v", tr.States)
	}
	total := 0
	for i, from := range tr.States {
		for j, to := range tr.States {
			if got := tr.Counts[i][j]; got != want[[2]string{from, to}] {
				t.Errorf("%s → %s: %d, want %d", from, to, got, want[[2]string{from, to}])
			}
			total += tr.Counts[i][j]
		}
	}
	if total != 8 {
		t.Errorf("%d transitions, want 8", total)
	}
}

// TestLoops: D6. T1s0's round 2 repeats round 0's code and failure, with
// round 1 different in between: a stall, a code and a failure
// oscillation. T1s1 writes the same code three times in a row: two
// stalls, no oscillation (the repeats are consecutive).
func TestLoops(t *testing.T) {
	r := build(t, handRun(t)).Runs[0]
	want := reports.Loops{Stalls: 3, StalledSamples: 2, CodeOscillations: 1, FailureOscillations: 1, OscillatingSamples: 1}
	if r.Loops != want {
		t.Errorf("%+v, want %+v", r.Loops, want)
	}
	for i, w := range []int{0, 1, 2} {
		if got := r.PerRound[i].Stalls; got != w {
			t.Errorf("round %d: %d stalls, want %d", i, got, w)
		}
	}
}

// TestTokens: D7. Round 0: prompt 6×100, completion 250; round 1: 1150
// and 180; round 2: 1020 and 100. Cumulative per sample (6 samples): 850/6,
// 2180/6, 3300/6. 3300 tokens over 2 solved tasks and 4 solved samples.
func TestTokens(t *testing.T) {
	r := build(t, handRun(t)).Runs[0]
	want := [][2]int{{600, 250}, {1150, 180}, {1020, 100}}
	cum := []float64{850.0 / 6, 2180.0 / 6, 3300.0 / 6}
	pass := []float64{1.0 / 6, 0.5, 2.0 / 3}
	for i, w := range want {
		g := r.PerRound[i]
		if g.PromptTokens != w[0] || g.CompletionTokens != w[1] || !near(g.TokensPerSample, cum[i]) {
			t.Errorf("round %d: %d+%d, %v per sample; want %v, %v", i, g.PromptTokens, g.CompletionTokens, g.TokensPerSample, w, cum[i])
		}
		p := r.PassVsTokens[i]
		if p.Round != i || !near(p.TokensPerSample, cum[i]) || !near(p.PassRate, pass[i]) {
			t.Errorf("pass@t point %d: %+v", i, p)
		}
	}
	if r.PromptTokens != 2770 || r.CompletionTokens != 530 {
		t.Errorf("tokens %d+%d, want 2770+530", r.PromptTokens, r.CompletionTokens)
	}
	if r.TokensPerSolved == nil || !near(*r.TokensPerSolved, 1650) || r.TokensPerSolvedSample == nil || !near(*r.TokensPerSolvedSample, 825) {
		t.Errorf("tokens per solved task %v, sample %v; want 1650, 825", r.TokensPerSolved, r.TokensPerSolvedSample)
	}
}

// TestTasks: D10.
func TestTasks(t *testing.T) {
	r := build(t, handRun(t)).Runs[0]
	zero, one := 0, 1
	want := []reports.Task{
		{TaskID: "T0", SolvedRound: &zero, Passing: 2, Attempts: 3, Tokens: 550},
		// T1's samples end in syntax and name, one each: the tie goes to
		// the first name.
		{TaskID: "T1", Passing: 0, Attempts: 6, Tokens: 1490, FailureClass: "name", FailureMessage: "x"},
		{TaskID: "T2", SolvedRound: &one, Passing: 2, Attempts: 5, Tokens: 1260},
	}
	if !reflect.DeepEqual(r.PerTask, want) {
		t.Errorf("tasks:\n%+v\nwant\n%+v", r.PerTask, want)
	}
}

// TestVisibleAndSuites: D9 and D1 per suite, on 1 task × 2 samples ×
// rounds 0..1 with feedback from the visible tests.
//
//	s0  R0 visible pass, hidden fail (base pass, plus fail): stops
//	s1  R0 syntax everywhere (no suites)   R1 pass everywhere
func TestVisibleAndSuites(t *testing.T) {
	s := study{tasks: []string{"T"}, samples: 2, rounds: 1, feedbackTests: "visible", dataset: "humaneval-plus"}
	dir := writeRun(t, "visible", s, []att{
		{task: "T", sample: 0, round: 0, class: "assertion", msg: "plus", suites: map[string]bool{"base": true, "plus": false}, visible: &att{passed: true}, pt: 10, ct: 10},
		{task: "T", sample: 1, round: 0, class: "syntax", msg: "bad", visible: &att{class: "syntax", msg: "bad"}, pt: 10, ct: 10},
		{task: "T", sample: 1, round: 1, passed: true, suites: map[string]bool{"base": true, "plus": true}, visible: &att{passed: true}, pt: 20, ct: 10},
	})
	r := build(t, dir).Runs[0]
	if !r.Complete {
		t.Error("not complete: s0 stopped when its visible tests passed, s1 ran out of rounds")
	}
	if !reflect.DeepEqual(r.Suites, []string{"base", "plus"}) {
		t.Fatalf("suites %v", r.Suites)
	}
	want := []reports.VisibleRound{
		{Round: 0, VisiblePass: 0.5, HiddenPass: 0, SuitePass: []float64{0.5, 0}, VisibleOnly: 1},
		{Round: 1, VisiblePass: 1, HiddenPass: 0.5, SuitePass: []float64{1, 0.5}, VisibleOnly: 1},
	}
	if !reflect.DeepEqual(r.Visible, want) {
		t.Errorf("visible:\n%+v\nwant\n%+v", r.Visible, want)
	}
	for i, w := range [][]float64{{0.5, 0}, {1, 0.5}} {
		if !nearAll(r.PerRound[i].SuitePass, w) {
			t.Errorf("round %d suites %v, want %v", i, r.PerRound[i].SuitePass, w)
		}
	}
	// D2: s0 failed round 0 (assertion, on plus) and never passed the
	// hidden tests; s1 failed with syntax and passed by round 1.
	if a := r.FirstFailureTotal; a.Samples != 2 || a.Repaired != 1 {
		t.Errorf("first failures %+v", a)
	}
}

// TestPromptTooLong: an attempt the model refused has the outcome
// prompt-too-long and ends its sample.
func TestPromptTooLong(t *testing.T) {
	dir := writeRun(t, "toolong", study{tasks: []string{"T"}, samples: 1, rounds: 3}, []att{
		{task: "T", sample: 0, round: 0, class: "value", msg: "v", pt: 10, ct: 10},
		{task: "T", sample: 0, round: 1, status: "prompt-too-long"},
	})
	r := build(t, dir).Runs[0]
	if !r.Complete {
		t.Error("not complete")
	}
	if c := r.PerRound[1].Classes; len(c) != 1 || c[0].Class != "prompt-too-long" || c[0].Count != 1 {
		t.Errorf("round 1 outcomes %+v", c)
	}
	if len(r.Repairs) != 1 || r.Repairs[0] != (reports.ClassRepair{Class: "value", Failures: 1, Repaired: 0, Rate: 0, Low: 0, High: r.Repairs[0].High}) {
		t.Errorf("per attempt %+v", r.Repairs)
	}
	if len(r.PerRound) != 4 || r.PerRound[3].Attempts != 0 || r.PerRound[3].Solved != 0 {
		t.Errorf("rounds %+v", r.PerRound)
	}
}

// TestTornAndUnfinished: a crash's leftovers at the end of attempts.jsonl
// are dropped and reported; an unfinished run says so.
func TestTornAndUnfinished(t *testing.T) {
	dir := writeRun(t, "torn", study{tasks: []string{"T0", "T1"}, samples: 1, rounds: 2, status: "running"}, []att{
		{task: "T0", sample: 0, round: 0, passed: true},
		{task: "T1", sample: 0, round: 0, class: "name"},
	})
	f, err := os.OpenFile(filepath.Join(dir, "attempts.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{\"task_id\": \"T1\", \"sample\": 0, \"rou\n{\"task_id\": \"T1\", \"sa")
	f.Close()
	r := build(t, dir).Runs[0]
	if r.Attempts != 2 || r.Complete {
		t.Errorf("attempts %d complete %v", r.Attempts, r.Complete)
	}
	w := strings.Join(r.Warnings, "\n")
	if !strings.Contains(w, "2 torn or invalid line(s)") || !strings.Contains(w, "unfinished") || !strings.Contains(w, "1 of 2 samples") {
		t.Errorf("warnings: %s", w)
	}
}

// TestBadRuns: each bad input is one clear error.
func TestBadRuns(t *testing.T) {
	good := study{tasks: []string{"T"}, samples: 1, rounds: 1}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	noManifest := t.TempDir()
	badManifest := t.TempDir()
	os.WriteFile(filepath.Join(badManifest, "manifest.json"), []byte("{"), 0o644)
	noAttempts := writeRun(t, "none", good, nil)
	os.Remove(filepath.Join(noAttempts, "attempts.jsonl"))
	onlyTorn := writeRun(t, "torn", good, nil)
	os.WriteFile(filepath.Join(onlyTorn, "attempts.jsonl"), []byte(`{"task_id": "T"`), 0o644)
	middle := writeRun(t, "middle", good, []att{{task: "T", round: 0, class: "name"}, {task: "T", round: 1, passed: true}})
	b, _ := os.ReadFile(filepath.Join(middle, "attempts.jsonl"))
	os.WriteFile(filepath.Join(middle, "attempts.jsonl"), append([]byte("not json\n"), b...), 0o644)
	tests := []struct {
		name, dir string
		want      []string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope"), []string{"nope", "does not exist"}},
		{"file", file, []string{"not a run directory", "a file"}},
		{"no manifest", noManifest, []string{"not a run directory", "no manifest.json"}},
		{"bad manifest", badManifest, []string{"manifest.json: invalid JSON"}},
		{"no attempts file", noAttempts, []string{"no attempts recorded"}},
		{"empty", writeRun(t, "empty", good, nil), []string{"no attempts recorded"}},
		{"only a torn line", onlyTorn, []string{"no attempts recorded"}},
		{"invalid line before valid ones", middle, []string{"attempts.jsonl:1: invalid JSON"}},
		{"unknown task", writeRun(t, "task", good, []att{{task: "X", round: 0}}), []string{`attempts.jsonl:1: task "X" sample 0 round 0 is not part of this study`}},
		{"round too high", writeRun(t, "round", good, []att{{task: "T", round: 0}, {task: "T", round: 2}}), []string{"round 2 is not part"}},
		{"repeated", writeRun(t, "rep", good, []att{{task: "T", round: 0}, {task: "T", round: 0}}), []string{"attempts.jsonl:2: task T sample 0 round 0 is recorded twice"}},
		{"gap", writeRun(t, "gap", good, []att{{task: "T", round: 1}}), []string{"has round 1 but not round 0"}},
		{"no tasks", writeRun(t, "notasks", study{samples: 1}, nil), []string{"params need tasks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reports.Build(context.Background(), []string{tt.dir})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error on several lines: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
		})
	}
}

// TestMatchedBudget: D8 on two runs with known curves. Repair: 1 task ×
// 1 sample, R0 fails (100 tokens), R1 passes (300 more): points (100, 0)
// and (400, 1). Resampling: R0 fails (100), R1 fails (100), R2 passes
// (100): (100, 0), (200, 0), (300, 1). Budgets from 100 to 300 in 4 steps.
func TestMatchedBudget(t *testing.T) {
	repair := writeRun(t, "repair", study{tasks: []string{"T"}, samples: 1, rounds: 2}, []att{
		{task: "T", round: 0, class: "name", pt: 60, ct: 40}, {task: "T", round: 1, passed: true, pt: 250, ct: 50},
	})
	resample := writeRun(t, "resample", study{tasks: []string{"T"}, samples: 1, rounds: 2, feedback: "none"}, []att{
		{task: "T", round: 0, class: "name", pt: 60, ct: 40}, {task: "T", round: 1, class: "name", pt: 60, ct: 40},
		{task: "T", round: 2, passed: true, pt: 60, ct: 40},
	})
	s := build(t, repair, resample)
	mb := s.Comparison.MatchedBudget
	if mb == nil {
		t.Fatalf("no matched budget: %s", s.Comparison.Note)
	}
	if !nearAll(mb.TokensPerSample, []float64{100, 150, 200, 250, 300}) {
		t.Errorf("budgets %v", mb.TokensPerSample)
	}
	// Repair at x: (x−100)/300. Resampling: 0 up to 200, then (x−200)/100.
	want := map[string][]float64{
		"repair":   {0, 50.0 / 300, 100.0 / 300, 150.0 / 300, 200.0 / 300},
		"resample": {0, 0, 0, 0.5, 1},
	}
	for _, br := range mb.Runs {
		if !nearAll(br.PassRate, want[br.Name]) {
			t.Errorf("%s: %v, want %v", br.Name, br.PassRate, want[br.Name])
		}
	}
	if s.Comparison.Rounds != 2 {
		t.Errorf("rounds %d", s.Comparison.Rounds)
	}
	// Without a resampling run there is no such comparison, and the
	// report says why.
	if c := build(t, repair, repair).Comparison; c.MatchedBudget != nil || !strings.Contains(c.Note, "feedback none") {
		t.Errorf("two repair runs: %+v", c)
	}
}

// TestNames: runs that share a directory name are told apart by path.
func TestNames(t *testing.T) {
	a := writeRun(t, "same", study{tasks: []string{"T"}, samples: 1, rounds: 0}, []att{{task: "T", passed: true}})
	s := build(t, a, a)
	if s.Runs[0].Name == "same" || s.Runs[0].Name != filepath.Clean(a) {
		t.Errorf("names %q, %q", s.Runs[0].Name, s.Runs[1].Name)
	}
}
