package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportRun writes a small run directory (the format of
// agent/rundir/SCHEMA.md): 2 tasks × 1 sample × rounds 0..1; T0 passes at
// round 0, T1 fails with a name error and then passes.
func reportRun(t *testing.T, name, feedback string, simulator bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sim := "false"
	if simulator {
		sim = "true"
	}
	manifest := `{"format": "selfrepair-study/1", "run_id": "r1", "status": "complete",
  "params": {"dataset": "humaneval", "tasks": ["HumanEval/0", "HumanEval/1"], "model": "m", "samples": 1, "rounds": 1,
    "feedback": "` + feedback + `", "repair_style": "chat", "feedback_tests": "hidden", "seed": 1},
  "dataset": {"name": "humaneval"}, "model": {"name": "m", "simulator": ` + sim + `}}`
	attempts := `{"task_id": "HumanEval/0", "sample": 0, "round": 0, "passed": true, "status": "passed", "error_class": "pass", "code_hash": "a", "prompt_tokens": 100, "completion_tokens": 50}
{"task_id": "HumanEval/1", "sample": 0, "round": 0, "passed": false, "status": "failed", "error_class": "name", "message": "name 'x' is not defined", "code_hash": "b", "prompt_tokens": 100, "completion_tokens": 50}
{"task_id": "HumanEval/1", "sample": 0, "round": 1, "passed": true, "status": "passed", "error_class": "pass", "code_hash": "c", "prompt_tokens": 200, "completion_tokens": 50}
`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "attempts.jsonl"), []byte(attempts), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestReport: one run's report goes into its directory; a comparison into
// --out; the summary line gives the pass rate by round.
func TestReport(t *testing.T) {
	dir := reportRun(t, "qwen-cot", "cot", true)
	code, out, errOut := run(t, "report", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"SIMULATED MODEL", "qwen-cot: pass@1 R0 50.0% → R1 100.0% (+50.0 pp); 2 of 2 tasks solved; 3 attempts", "report: " + filepath.Join(dir, "report.md")} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout does not say %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"report.md", "report.html", "summary.json", "rounds.csv", "attempts.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	outDir := filepath.Join(t.TempDir(), "reports", "ablation")
	code, out, errOut = run(t, "report", dir, reportRun(t, "qwen-resample", "none", false), "--out", outDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "qwen-resample: pass@1") {
		t.Errorf("stdout:\n%s", out)
	}
	md, err := os.ReadFile(filepath.Join(outDir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| qwen\\-resample |") && !strings.Contains(string(md), "| qwen-resample |") {
		t.Errorf("the comparison has no row for qwen-resample:\n%s", md)
	}
}

// TestReportBadInput: each mistake is one line on stderr and a non-zero
// exit; a torn last line is only a warning.
func TestReportBadInput(t *testing.T) {
	notRun := t.TempDir()
	empty := reportRun(t, "empty", "cot", false)
	os.WriteFile(filepath.Join(empty, "attempts.jsonl"), nil, 0o644)
	good := reportRun(t, "good", "cot", false)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"no run", []string{"report"}, 2, []string{"give at least one run directory"}},
		{"two runs without --out", []string{"report", good, good}, 2, []string{"needs --out"}},
		{"not a run directory", []string{"report", notRun}, 1, []string{notRun + " is not a run directory (no manifest.json)"}},
		{"missing", []string{"report", filepath.Join(notRun, "nope")}, 1, []string{"nope", "does not exist"}},
		{"empty run", []string{"report", empty}, 1, []string{"no attempts recorded"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, errOut)
			}
			if lines := strings.Count(strings.TrimSpace(errOut), "\n") + 1; lines != 1 {
				t.Errorf("%d lines on stderr: %q", lines, errOut)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not say %q", errOut, w)
				}
			}
		})
	}

	torn := reportRun(t, "torn", "cot", false)
	f, _ := os.OpenFile(filepath.Join(torn, "attempts.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"task_id": "HumanEval/1", "sam`)
	f.Close()
	code, out, errOut := run(t, "report", torn)
	if code != 0 || !strings.Contains(errOut, "warning: torn: 1 torn or invalid line(s)") || !strings.Contains(out, "3 attempts") {
		t.Errorf("torn last line: exit %d\n%s\n%s", code, out, errOut)
	}
}
