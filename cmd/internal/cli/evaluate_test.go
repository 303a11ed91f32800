package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/cmd/internal/cli"
)

// run runs the command line in this process and returns its exit code,
// stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEvaluateBadInput: each mistake gets one clear line on stderr naming
// it, a non-zero exit, and no results file, half-written or not.
func TestEvaluateBadInput(t *testing.T) {
	good := writeFile(t, "samples.jsonl", `{"task_id": "HumanEval/0", "completion": "    return False\n"}`+"\n")
	unknownTask := writeFile(t, "unknown.jsonl", `{"task_id": "HumanEval/0", "completion": ""}`+"\n"+`{"task_id": "HumanEval/999", "completion": ""}`+"\n")
	malformed := writeFile(t, "bad.jsonl", `{"task_id": "HumanEval/0", "completion": ""}`+"\n"+`{"task_id": "HumanEval/1", "completion": `+"\n")
	missingField := writeFile(t, "nofield.jsonl", `{"task_id": "HumanEval/0"}`+"\n")
	outDir := t.TempDir()
	// Not a directory: unwritable even for root.
	notDir := writeFile(t, "file", "")
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr []string // each must appear
	}{
		{"unknown-dataset", nil, []string{"evaluate", "--dataset", "humaneval-xx", "--canonical"}, 1,
			[]string{`unknown dataset "humaneval-xx"`, "mbpp-sanitized"}},
		{"no-data-dir", map[string]string{"SELFREPAIR_DATA": ""}, []string{"evaluate", "--dataset", "mbpp", "--canonical"}, 1,
			[]string{"--data-dir", "SELFREPAIR_DATA"}},
		{"malformed-jsonl", nil, []string{"evaluate", "--samples", malformed}, 1, []string{malformed + ":2:", "invalid JSON"}},
		{"missing-completion", nil, []string{"evaluate", "--samples", missingField}, 1,
			[]string{missingField + ":1:", `neither "completion" nor "solution"`}},
		{"unknown-task", nil, []string{"evaluate", "--samples", unknownTask}, 1,
			[]string{unknownTask + ":2:", `"HumanEval/999" is not in humaneval`}},
		{"missing-samples-file", nil, []string{"evaluate", "--samples", filepath.Join(outDir, "nope.jsonl")}, 1,
			[]string{"nope.jsonl", "no such file"}},
		{"unwritable-output", nil, []string{"evaluate", "--samples", good, "--out", filepath.Join(notDir, "r.jsonl")}, 1,
			[]string{"cannot write results to " + filepath.Join(notDir, "r.jsonl")}},
		{"output-dir-missing", nil, []string{"evaluate", "--samples", good, "--out", filepath.Join(outDir, "no", "r.jsonl")}, 1,
			[]string{"cannot write results to"}},
		{"no-engine", map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(outDir, "docker.sock")},
			[]string{"evaluate", "--samples", good, "--out", filepath.Join(outDir, "r1.jsonl")}, 1,
			[]string{"no Docker engine answers", "docker.sock"}},
		{"image-missing", nil, []string{"evaluate", "--samples", good, "--image", "selfrepair/no-such-image:0",
			"--out", filepath.Join(outDir, "r2.jsonl")}, 1,
			[]string{"selfrepair/no-such-image:0", "image not found", "selfrepair sandbox build python"}},
		{"both-inputs", nil, []string{"evaluate", "--samples", good, "--canonical"}, 2, []string{"give --samples FILE or --canonical"}},
		{"bad-k", nil, []string{"evaluate", "--samples", good, "-k", "0,x"}, 2, []string{`-k: "0" is not a whole number`}},
		{"bad-memory", nil, []string{"evaluate", "--canonical", "--memory", "lots"}, 2, []string{"--memory"}},
		{"bad-isolation", nil, []string{"evaluate", "--canonical", "--isolation", "shared"}, 2, []string{`unknown isolation "shared"`}},
		{"unknown-flag", nil, []string{"evaluate", "--sample", good}, 2, []string{"unknown flag: --sample"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "no-engine" || c.name == "image-missing" {
				if testing.Short() {
					t.Skip("needs the engine's answer")
				}
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			code, stdout, stderr := run(t, c.args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, c.code, stderr)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "selfrepair: ") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q does not say %q", stderr, want)
				}
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			for _, dir := range []string{outDir, filepath.Dir(good)} {
				ents, _ := os.ReadDir(dir)
				for _, e := range ents {
					if strings.Contains(e.Name(), "results") || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "r") {
						t.Errorf("%s left in %s", e.Name(), dir)
					}
				}
			}
		})
	}
}

// TestEvaluateOtherToolsIDs: samples written with the task ids of other
// tools (LDB's and bigcode's MBPP/11, a bare number, MultiPL-E's names,
// lower case) evaluate, and the results carry the canonical ids.
func TestEvaluateOtherToolsIDs(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the sandbox")
	}
	data := filepath.Join("..", "..", "..", "..", "shared", "datasets")
	for _, c := range []struct {
		dataset string
		samples string
		want    []string // task_id and passed of each result line, in order
	}{
		{"mbpp-sanitized", `{"task_id": "MBPP/11", "solution": "def remove_Occ(s, ch):\n    return s.replace(ch, '', 1)[::-1].replace(ch, '', 1)[::-1]\n"}
{"task_id": "11", "solution": "def remove_Occ(s, ch):\n    return s\n"}
{"task_id": "mbpp_11_remove_occ", "solution": "def remove_Occ(s, ch):\n    return s.replace(ch, '')\n"}
`, []string{`"task_id":"Mbpp/11","sample":0,"passed":true`, `"task_id":"Mbpp/11","sample":1,"passed":false`, `"task_id":"Mbpp/11","sample":2,"passed":true`}},
		{"humaneval", `{"task_id": "humaneval/0", "completion": "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"}
{"task_id": "HumanEval_0_has_close_elements", "completion": "    return False\n"}
`, []string{`"task_id":"HumanEval/0","sample":0,"passed":true`, `"task_id":"HumanEval/0","sample":1,"passed":false`}},
	} {
		samples := writeFile(t, "samples.jsonl", c.samples)
		out := filepath.Join(t.TempDir(), "results.jsonl")
		code, _, stderr := run(t, "evaluate", "--dataset", c.dataset, "--data-dir", data, "--samples", samples, "--out", out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.dataset, code, stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(got)), "\n")
		if len(lines) != len(c.want) {
			t.Fatalf("%s: %d results, want %d:\n%s", c.dataset, len(lines), len(c.want), got)
		}
		for i, want := range c.want {
			if !strings.Contains(lines[i], want) {
				t.Errorf("%s: result %d is %s, want %s", c.dataset, i, lines[i], want)
			}
		}
	}
}
