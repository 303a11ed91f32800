package tasks

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var dataDir = filepath.Join("..", "..", "shared", "datasets")

func mustLoad(t *testing.T, name string) *Dataset {
	t.Helper()
	ds, err := Load(name, dataDir)
	if err != nil {
		t.Fatalf("Load(%q): %v", name, err)
	}
	return ds
}

func TestCounts(t *testing.T) {
	tests := []struct {
		name  string
		count int
		first string
		last  string
	}{
		{"humaneval", 164, "HumanEval/0", "HumanEval/163"},
		{"mbpp", 974, "Mbpp/1", "Mbpp/974"},
		{"mbpp-test", 500, "Mbpp/11", "Mbpp/510"},
		{"mbpp-sanitized", 257, "Mbpp/11", ""},
		{"mbpp-sanitized-all", 427, "Mbpp/2", ""},
		{"humaneval-plus", 164, "HumanEval/0", "HumanEval/163"},
		{"mbpp-plus", 378, "Mbpp/2", "Mbpp/809"},
	}
	if got := strings.Join(Names(), ","); got != "humaneval,mbpp,mbpp-test,mbpp-sanitized,mbpp-sanitized-all,humaneval-plus,mbpp-plus,"+
		"humaneval-x/python,humaneval-x/go,humaneval-x/js,humaneval-x/cpp,humaneval-x/java,humaneval-x/rust" {
		t.Errorf("Names() = %s", got)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := mustLoad(t, tc.name)
			if len(ds.Tasks) != tc.count {
				t.Fatalf("%s: %d tasks, want %d", tc.name, len(ds.Tasks), tc.count)
			}
			if ds.Name != tc.name || len(ds.Hash) != 64 {
				t.Errorf("Name=%q Hash=%q", ds.Name, ds.Hash)
			}
			if ds.Tasks[0].ID != tc.first {
				t.Errorf("first id %q, want %q", ds.Tasks[0].ID, tc.first)
			}
			if tc.last != "" && ds.Tasks[len(ds.Tasks)-1].ID != tc.last {
				t.Errorf("last id %q, want %q", ds.Tasks[len(ds.Tasks)-1].ID, tc.last)
			}
			seen := map[string]bool{}
			for _, task := range ds.Tasks {
				if seen[task.ID] {
					t.Errorf("duplicate id %s", task.ID)
				}
				seen[task.ID] = true
				if task.Test == "" || task.Reference == "" || task.Prompt == "" || task.Language != "python" {
					t.Errorf("%s: empty field: %+v", task.ID, task)
				}
				if strings.HasPrefix(tc.name, "mbpp") {
					if task.Style != Program || task.EntryPoint != "" {
						t.Errorf("%s: style %q entry %q", task.ID, task.Style, task.EntryPoint)
					}
					for _, f := range []string{task.Prompt, task.Test, task.Reference, task.Setup, task.Imports} {
						if strings.Contains(f, "\r") {
							t.Errorf("%s: field contains \\r: %q", task.ID, f)
						}
					}
					first := strings.SplitN(task.Test, "\n", 2)[0]
					if !strings.HasSuffix(task.Prompt, "\n"+first) {
						t.Errorf("%s: prompt %q does not end in first test %q", task.ID, task.Prompt, first)
					}
				} else if task.Style != Completion || task.EntryPoint == "" {
					t.Errorf("%s: style %q entry %q", task.ID, task.Style, task.EntryPoint)
				}
			}
		})
	}
}

func TestHumanEvalX(t *testing.T) {
	for _, c := range []struct{ name, language, first string }{
		{"humaneval-x/python", "python", "Python/0"},
		{"humaneval-x/go", "go", "Go/0"},
		{"humaneval-x/js", "javascript", "JavaScript/0"},
		{"humaneval-x/cpp", "cpp", "CPP/0"},
		{"humaneval-x/java", "java", "Java/0"},
		{"humaneval-x/rust", "rust", "Rust/0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := mustLoad(t, c.name)
			if len(ds.Tasks) != 164 || ds.Tasks[0].ID != c.first || ds.Name != c.name || len(ds.Hash) != 64 {
				t.Fatalf("%d tasks, first %s, name %s", len(ds.Tasks), ds.Tasks[0].ID, ds.Name)
			}
			for _, task := range ds.Tasks {
				if task.Language != c.language || task.Style != Completion || task.Prompt == "" || task.Test == "" ||
					task.Reference == "" || task.Declaration == "" {
					t.Fatalf("%s: %+v", task.ID, task)
				}
				if c.language == "python" && (task.EntryPoint == "" || strings.Contains(task.Test, "\ncheck(")) {
					t.Errorf("%s: entry point %q, test ends %q", task.ID, task.EntryPoint, task.Test[max(0, len(task.Test)-60):])
				}
				if c.language == "go" && !strings.Contains(task.Setup, "package ") {
					t.Errorf("%s: test setup %q", task.ID, task.Setup)
				}
			}
		})
	}
	if _, err := Load("humaneval-x/cobol", dataDir); err == nil || !strings.Contains(err.Error(), "humaneval-x/go") {
		t.Errorf("unknown HumanEval-X language: %v", err)
	}
}

func TestFields(t *testing.T) {
	he := mustLoad(t, "humaneval")
	h0, ok := he.ByID("HumanEval/0")
	if !ok || h0.EntryPoint != "has_close_elements" || !strings.Contains(h0.Prompt, "def has_close_elements") ||
		!strings.Contains(h0.Test, "def check(candidate)") {
		t.Errorf("HumanEval/0 = %+v", h0)
	}
	if _, ok := he.ByID("HumanEval/164"); ok {
		t.Error("HumanEval/164 found")
	}
	if p := h0.Program(h0.ReferenceSample()); p != h0.Prompt+h0.Reference {
		t.Errorf("HumanEval/0 reference program = %q", p)
	}

	full := mustLoad(t, "mbpp")
	for id, wantSetup := range map[string]bool{"Mbpp/367": true, "Mbpp/927": true, "Mbpp/1": false} {
		task, ok := full.ByID(id)
		if !ok || (task.Setup != "") != wantSetup {
			t.Errorf("%s: ok=%v Setup=%q", id, ok, task.Setup)
		}
	}
	m1, _ := full.ByID("Mbpp/1")
	if !strings.HasPrefix(m1.Prompt, "Write a function to find the minimum cost path") ||
		!strings.HasSuffix(m1.Prompt, "\nassert min_cost([[1, 2, 3], [4, 8, 2], [1, 5, 3]], 2, 2) == 8") ||
		strings.Count(m1.Test, "assert ") != 3 || !strings.HasPrefix(m1.Reference, "R = 3\nC = 3\ndef min_cost") {
		t.Errorf("Mbpp/1 = %+v", m1)
	}
	if rs := m1.ReferenceSample(); rs.Solution != m1.Reference || rs.Completion != "" || m1.Program(rs) != m1.Reference {
		t.Errorf("Mbpp/1 reference sample %+v", rs)
	}
	// A completion on a program-style task is the whole program.
	if p := m1.Program(Sample{TaskID: "Mbpp/1", Completion: "x = 1"}); p != "x = 1" {
		t.Errorf("program-style completion: %q", p)
	}

	san := mustLoad(t, "mbpp-sanitized-all")
	withImports := 0
	for _, task := range san.Tasks {
		if task.Imports != "" {
			withImports++
		}
		if task.Setup != "" {
			t.Errorf("%s: sanitized task has Setup", task.ID)
		}
	}
	if withImports != 13 {
		t.Errorf("%d sanitized tasks with imports, want 13", withImports)
	}
	if m82, ok := san.ByID("Mbpp/82"); !ok || m82.Imports != "import math" {
		t.Errorf("Mbpp/82 Imports = %q", m82.Imports)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("nope", dataDir); err == nil || !strings.Contains(err.Error(), "mbpp-sanitized-all") {
		t.Errorf("unknown name: %v", err)
	}
	empty := t.TempDir()
	_, err := Load("mbpp", empty)
	if err == nil || !strings.Contains(err.Error(), "mbpp.jsonl.gz") || !strings.Contains(err.Error(), "--data-dir") ||
		!strings.Contains(err.Error(), "SELFREPAIR_DATA") {
		t.Errorf("missing file: %v", err)
	}
	t.Setenv(DataEnv, "")
	if _, err := Load("mbpp-sanitized", ""); err == nil || !strings.Contains(err.Error(), "--data-dir") {
		t.Errorf("no data dir: %v", err)
	}
	t.Setenv(DataEnv, dataDir)
	if ds, err := Load("mbpp-sanitized", ""); err != nil || len(ds.Tasks) != 257 {
		t.Errorf("via %s: %v", DataEnv, err)
	}
	if _, err := Load("humaneval", empty); err != nil {
		t.Errorf("humaneval needs no data dir: %v", err)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if strings.HasSuffix(name, ".gz") {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		zw.Write([]byte(content))
		zw.Close()
		f.Close()
		return path
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGenericJSONL(t *testing.T) {
	good := `{"task_id": "a", "prompt": "def f():\n", "test": "def check(candidate): assert candidate() == 1", "entry_point": "f", "reference": "    return 1\n", "plus_test": "def check(candidate): assert candidate() != 2", "visible_test": "def check(candidate): pass"}

{"task_id": "b", "prompt": "Write g.", "test": "assert g() == 2", "reference": "def g(): return 2", "test_imports": "import math", "test_setup": "X = 1"}
{"task_id": "c", "test": "assert True", "style": "completion", "language": "go"}
`
	for _, name := range []string{"tasks.jsonl", "tasks.jsonl.gz"} {
		ds, err := Load(writeFile(t, name, good), "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ds.Tasks) != 3 || len(ds.Hash) != 64 {
			t.Fatalf("%s: %d tasks", name, len(ds.Tasks))
		}
		a, b, c := ds.Tasks[0], ds.Tasks[1], ds.Tasks[2]
		if a.Style != Completion || a.Language != "python" || a.EntryPoint != "f" || a.Reference != "    return 1\n" ||
			a.PlusTest != "def check(candidate): assert candidate() != 2" || a.VisibleTest != "def check(candidate): pass" {
			t.Errorf("a = %+v", a)
		}
		if b.Style != Program || b.Imports != "import math" || b.Setup != "X = 1" || b.PlusTest != "" || b.VisibleTest != "" {
			t.Errorf("b = %+v", b)
		}
		if c.Style != Completion || c.Language != "go" {
			t.Errorf("c = %+v", c)
		}
	}

	bad := []struct {
		name, content, want string
	}{
		{"invalid json", "{\"task_id\": \"a\", \"test\": \"t\"}\n\n{\"task_id\": \n", `tasks.jsonl:3: invalid JSON: `},
		{"trailing data", `{"task_id": "a", "test": "t"} {}`, `tasks.jsonl:1: invalid JSON: `},
		{"not an object", `["a"]`, `tasks.jsonl:1: invalid JSON: `},
		{"repeated", "{\"task_id\": \"x\", \"test\": \"t\"}\n{\"task_id\": \"y\", \"test\": \"t\"}\n{\"task_id\": \"x\", \"test\": \"t\"}\n", `tasks.jsonl:3: task_id "x" repeated (first on line 1)`},
		{"missing test", "\n{\"task_id\": \"a\"}\n", `tasks.jsonl:2: missing "test"`},
		{"missing task_id", `{"test": "t"}`, `tasks.jsonl:1: missing "task_id"`},
		{"unknown field", `{"task_id": "a", "test": "t", "canonical_solution": "x"}`, `tasks.jsonl:1: unknown field "canonical_solution"`},
		{"bad style", `{"task_id": "a", "test": "t", "style": "diff"}`, `tasks.jsonl:1: style "diff"`},
		{"wrong type", `{"task_id": 5, "test": "t"}`, `tasks.jsonl:1: invalid JSON: `},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "tasks.jsonl", tc.content)
			_, err := Load(path, "")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path[:len(path)-len("tasks.jsonl")]+tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.jsonl"), ""); err == nil || !strings.Contains(err.Error(), "none.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadSamplesGeneration reads CodeGeeX's HumanEval-X samples, whose
// completion is called "generation".
func TestReadSamplesGeneration(t *testing.T) {
	hx := mustLoad(t, "humaneval-x/java")
	ss, err := ReadSamples(writeFile(t, "g.jsonl", `{"task_id": "Java/3", "prompt": "ignored", "generation": "        return false;\n    }\n}\n"}`+"\n"), hx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].TaskID != "Java/3" || ss[0].Completion != "        return false;\n    }\n}\n" || ss[0].Solution != "" {
		t.Errorf("samples %+v", ss)
	}
	both := writeFile(t, "b.jsonl", `{"task_id": "Java/3", "generation": "a", "completion": "b"}`+"\n")
	if _, err := ReadSamples(both, hx); err == nil || !strings.Contains(err.Error(), both+":1: both \"completion\" and \"generation\"") {
		t.Errorf("both set: %v", err)
	}
}

func TestReadSamples(t *testing.T) {
	he := mustLoad(t, "humaneval")
	long := strings.Repeat("x", 150<<10)
	content := `{"task_id": "HumanEval/0", "completion": "    return True\n", "extra": 1}
{"task_id": "HumanEval/1", "completion": ""}

{"task_id": "HumanEval/0", "solution": "def has_close_elements(a, b): return True"}
{"task_id": "HumanEval/0", "completion": "` + long + `"}
`
	for _, name := range []string{"samples.jsonl", "samples.jsonl.gz"} {
		ss, err := ReadSamples(writeFile(t, name, content), he)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ss) != 4 {
			t.Fatalf("%d samples", len(ss))
		}
		want := []struct {
			id          string
			index, line int
		}{{"HumanEval/0", 0, 1}, {"HumanEval/1", 0, 2}, {"HumanEval/0", 1, 4}, {"HumanEval/0", 2, 5}}
		for i, w := range want {
			if ss[i].TaskID != w.id || ss[i].Index != w.index || ss[i].Line != w.line {
				t.Errorf("sample %d = %s/%d/%d, want %+v", i, ss[i].TaskID, ss[i].Index, ss[i].Line, w)
			}
		}
		if len(ss[3].Completion) != len(long) {
			t.Errorf("long completion has %d bytes", len(ss[3].Completion))
		}
		h0, _ := he.ByID("HumanEval/0")
		if p := h0.Program(ss[0]); p != h0.Prompt+"    return True\n" {
			t.Errorf("Program = %q", p)
		}
		if p := h0.Program(ss[2]); p != "def has_close_elements(a, b): return True" {
			t.Errorf("Program(solution) = %q", p)
		}
		h1, _ := he.ByID("HumanEval/1")
		if p := h1.Program(ss[1]); p != h1.Prompt {
			t.Errorf("empty completion Program = %q", p)
		}
	}

	bad := []struct {
		name, content, want string
	}{
		{"invalid json", "{\"task_id\": \"HumanEval/0\", \"completion\": \"\"}\n{oops\n", `samples.jsonl:2: invalid JSON: `},
		{"missing task_id", `{"completion": "x"}`, `samples.jsonl:1: missing "task_id"`},
		{"neither", `{"task_id": "HumanEval/0"}`, `samples.jsonl:1: neither "completion" nor "solution"`},
		{"both", `{"task_id": "HumanEval/0", "completion": "", "solution": "x"}`, `samples.jsonl:1: both "completion" and "solution"`},
		{"unknown task", "\n\n{\"task_id\": \"HumanEval/999\", \"completion\": \"x\"}", `samples.jsonl:3: task_id "HumanEval/999" is not in humaneval`},
		{"unknown task after long line", `{"task_id": "HumanEval/0", "completion": "` + long + "\"}\n" + `{"task_id": "Mbpp/2", "solution": "x"}`, `samples.jsonl:2: task_id "Mbpp/2" is not in humaneval`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "samples.jsonl", tc.content)
			_, err := ReadSamples(path, he)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path[:len(path)-len("samples.jsonl")]+tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	if _, err := ReadSamples(filepath.Join(t.TempDir(), "none.jsonl"), he); err == nil {
		t.Error("missing samples file: no error")
	}
}
