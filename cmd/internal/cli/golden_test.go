package cli_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/tasks"
)

var update = flag.Bool("update", false, "record the golden files of TestGolden* anew")

// sharedData is the datasets folder beside the project's root.
var sharedData = filepath.Join("..", "..", "..", "..", "shared", "datasets")

// The golden tests hold the behaviour a user relies on fixed across
// reshapings of the code: the attempts a study records, the results
// evaluate writes, the report of a fixed run directory. A change that
// moves them must be a fix, recorded with -update and named in its commit.

// TestGoldenStudy: a simulated study records the same attempts (timing
// and provenance aside) and prints the same table.
func TestGoldenStudy(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the sandbox")
	}
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := run(t, "study", "--sim", "--dataset", "humaneval", "--tasks", "40", "--samples", "3",
		"--rounds", "3", "--seed", "1", "--no-cache", "--out", out)
	if code != 0 {
		t.Fatalf("study: exit %d: %s", code, stderr)
	}
	// What differs between identical runs: timing, the response cache, a
	// verdict reused from a concurrent attempt, the run's id and place.
	// Lines of concurrent samples are recorded in the order they finish:
	// compared sorted.
	attempts := normalizeJSONL(t, filepath.Join(out, "attempts.jsonl"),
		"cache_hit", "reused", "llm_attempts", "llm_ms", "run_ms", "exec_ms", "time")
	lines := strings.SplitAfter(string(attempts), "\n")
	slices.Sort(lines)
	attempts = []byte(strings.Join(lines, ""))
	stdout = strings.ReplaceAll(stdout, out, "RUN")
	stdout = regexp.MustCompile(`\(run [0-9a-f]+\)`).ReplaceAllString(stdout, "(run ID)")
	golden(t, "study-attempts.jsonl", attempts)
	if *update {
		// The fixed run directory of TestGoldenReport.
		for _, f := range []string{"manifest.json", "attempts.jsonl"} {
			b, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "run/"+f, b)
		}
	}
	golden(t, "study-stdout.txt", []byte(stdout))
}

// TestGoldenEvaluate: evaluate gives the same results for the reference
// solutions of HumanEval and MBPP and for the simulator's wrong answers.
func TestGoldenEvaluate(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the sandbox")
	}
	for _, c := range []struct {
		dataset string
		mutants int // per task; 0: the reference solutions
	}{
		{"humaneval", 0},
		{"mbpp", 0},
		{"humaneval", 3},
		{"mbpp-sanitized", 1},
	} {
		name := fmt.Sprintf("evaluate-%s-%d.jsonl", c.dataset, c.mutants)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			results := filepath.Join(dir, "results.jsonl")
			args := []string{"evaluate", "--dataset", c.dataset, "--data-dir", sharedData, "--hash-seed", "1", "--out", results}
			if c.mutants == 0 {
				args = append(args, "--canonical")
			} else {
				args = append(args, "--samples", writeMutants(t, dir, c.dataset, c.mutants))
			}
			code, stdout, stderr := run(t, args...)
			if code != 0 {
				t.Fatalf("evaluate: exit %d: %s", code, stderr)
			}
			golden(t, name, normalizeJSONL(t, results, "run_ms", "total_ms"))
			stdout = strings.ReplaceAll(stdout, results, "RESULTS")
			stdout = regexp.MustCompile(`passed \([0-9.]+m?s\)`).ReplaceAllString(stdout, "passed (TIME)")
			golden(t, strings.TrimSuffix(name, ".jsonl")+"-stdout.txt", []byte(stdout))
		})
	}
}

// TestGoldenReport: the report of a fixed run directory (recorded by
// TestGoldenStudy) is byte for byte the same.
func TestGoldenReport(t *testing.T) {
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"manifest.json", "attempts.jsonl"} {
		if err := os.WriteFile(filepath.Join(runDir, f), readGolden(t, "run/"+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outDir := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := run(t, "report", runDir, "--out", outDir)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	clean := func(b []byte) []byte {
		b = bytes.ReplaceAll(b, []byte(runDir), []byte("RUN"))
		return bytes.ReplaceAll(b, []byte(outDir), []byte("OUT"))
	}
	golden(t, "report-stdout.txt", clean([]byte(stdout)))
	for _, f := range []string{"report.md", "report.html", "summary.json", "rounds.csv", "attempts.csv"} {
		b, err := os.ReadFile(filepath.Join(outDir, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "report-"+f, clean(b))
	}
}

// writeMutants writes a samples file of n of the simulator's wrong answers
// per task of dataset, drawn with a fixed seed.
func writeMutants(t *testing.T, dir, dataset string, n int) string {
	t.Helper()
	ds, err := tasks.Load(dataset, sharedData)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, task := range ds.Tasks {
		for _, m := range sim.Mutants(builtin.Language().Coder(), task, n, 7) {
			line := map[string]string{"task_id": task.ID}
			if task.Style == tasks.Completion {
				line["completion"] = m.Text
			} else {
				line["solution"] = m.Text
			}
			if err := enc.Encode(line); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(dir, "samples.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// normalizeJSONL reads a JSON-lines file and drops the given keys of every
// line (the keys that stay keep their order: encoding/json sorts them).
func normalizeJSONL(t *testing.T, path string, drop ...string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, k := range drop {
			delete(m, k)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// golden compares got with testdata/golden/NAME.gz, or records it there
// with -update. A difference names the first line that differs.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".gz")
	if *update {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(got)
		zw.Close()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readGolden(t, name)
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from the golden file at line %d (%d lines, want %d):\ngot:  %.2000s\nwant: %.2000s",
				name, i+1, len(gl), len(wl), g, w)
			return
		}
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "golden", name+".gz"))
	if err != nil {
		t.Fatalf("%v (record it with go test -run TestGolden -update)", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
