package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages/builtin"
)

// TestLanguageStudies: a short study of the simulated model runs end to end
// in every language selfrepair judges, on HumanEval-X: the simulator
// answers in the language, wrong answers fail with their classes, repairs
// pass in later rounds, and the report names the language.
func TestLanguageStudies(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the sandbox")
	}
	for _, lang := range builtin.Registry().Languages() {
		dataset := "humaneval-x/" + lang.Name()
		if lang.Name() == "javascript" {
			dataset = "humaneval-x/js"
		}
		t.Run(lang.Name(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			code, stdout, stderr := run(t, "study", "--sim", "--dataset", dataset, "--data-dir", sharedData, "--tasks", "6",
				"--samples", "2", "--rounds", "2", "--seed", "3", "--no-cache", "--out", out)
			if code != 0 {
				t.Fatalf("study: exit %d: %s", code, stderr)
			}
			var r struct {
				Language string `json:"language"`
				Rounds   []struct {
					PassRate float64 `json:"pass_rate"`
					Classes  []struct {
						Class string `json:"class"`
						Count int    `json:"count"`
					} `json:"classes"`
				} `json:"per_round"`
			}
			b, err := os.ReadFile(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatalf("summary.json: %v", err)
			}
			if r.Language != lang.Name() || len(r.Rounds) != 3 {
				t.Fatalf("summary: language %q, %d rounds", r.Language, len(r.Rounds))
			}
			failed := map[string]int{}
			for _, row := range r.Rounds {
				for _, c := range row.Classes {
					if c.Class != "pass" {
						failed[c.Class] += c.Count
					}
				}
			}
			first, last := r.Rounds[0].PassRate, r.Rounds[len(r.Rounds)-1].PassRate
			t.Logf("%s: pass rate %.2f → %.2f; failures by class %v", lang.Name(), first, last, failed)
			if len(failed) < 2 || last <= first {
				t.Errorf("%s: failures %v, pass rate %.2f → %.2f: want wrong answers of several classes and repairs", lang.Name(), failed, first, last)
			}
			md, err := os.ReadFile(filepath.Join(out, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), dataset+" ("+lang.Name()+")") {
				t.Errorf("report.md does not name the language: %.300s", md)
			}
			if !strings.Contains(stdout, "round") {
				t.Errorf("no per-round table on stdout:\n%s", stdout)
			}
		})
	}
}
