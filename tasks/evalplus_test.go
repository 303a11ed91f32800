package tasks

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// plusInputs reads the input count from a PlusTest's first line.
func plusInputs(t *testing.T, plus string) int {
	t.Helper()
	m := regexp.MustCompile(`^# EvalPlus plus tests: (\d+) inputs\.`).FindStringSubmatch(plus)
	if m == nil {
		t.Fatalf("PlusTest does not start with its input count: %.100q", plus)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestHumanEvalPlus(t *testing.T) {
	ds := mustLoad(t, "humaneval-plus")
	he := mustLoad(t, "humaneval")
	for i, task := range ds.Tasks {
		orig := he.Tasks[i]
		if task.ID != orig.ID || task.EntryPoint != orig.EntryPoint || task.Test != orig.Test {
			t.Errorf("%s: id, entry point or base test differ from HumanEval's", task.ID)
		}
		if (task.Prompt != orig.Prompt) != (task.ID == "HumanEval/115") {
			t.Errorf("%s: prompt differs from HumanEval's: %v", task.ID, task.Prompt != orig.Prompt)
		}
		if task.VisibleTest != humanEvalVisibleTest(task.ID, task.Prompt, task.EntryPoint) {
			t.Errorf("%s: VisibleTest is not the prompt's examples", task.ID)
		}
		if task.PlusTest == "" || !strings.Contains(task.PlusTest, "\ndef check(candidate):\n") ||
			strings.Contains(task.PlusTest, "_plus_run") {
			t.Errorf("%s: PlusTest is not a check(candidate) function", task.ID)
		}
		if n := plusInputs(t, task.PlusTest); n < 2 || n > 1000 {
			t.Errorf("%s: %d plus inputs", task.ID, n)
		}
	}
	tests := []struct {
		id, want string
		inputs   int
	}{
		{"HumanEval/0", "    atol = 0\n", 0},
		{"HumanEval/2", "    atol = 1e-06\n", 0},
		{"HumanEval/3", "", 898},
		{"HumanEval/32", "return abs(_plus_poly(*inp, out)) <= atol", 788},
		{"HumanEval/32", "    atol = 0.0001\n", 0},
		{"HumanEval/14", "exp = _plus_ref(*_plus_copy.deepcopy(inp))", 0},
		{"HumanEval/115", "", 0},
	}
	for _, tc := range tests {
		task, ok := ds.ByID(tc.id)
		if !ok {
			t.Fatalf("%s missing", tc.id)
		}
		if !strings.Contains(task.PlusTest, tc.want) {
			t.Errorf("%s: PlusTest lacks %q", tc.id, tc.want)
		}
		if tc.inputs > 0 && plusInputs(t, task.PlusTest) != tc.inputs {
			t.Errorf("%s: %d plus inputs, want %d", tc.id, plusInputs(t, task.PlusTest), tc.inputs)
		}
	}
	if h115, _ := ds.ByID("HumanEval/115"); !strings.HasPrefix(h115.Prompt, "import math\n") {
		t.Errorf("HumanEval/115 prompt = %.60q", h115.Prompt)
	}
	if h32, _ := ds.ByID("HumanEval/32"); strings.Contains(h32.PlusTest, "_plus_ref") {
		t.Error("HumanEval/32's oracle needs no reference output")
	}
}

func TestMBPPPlus(t *testing.T) {
	ds := mustLoad(t, "mbpp-plus")
	sanitized := mustLoad(t, "mbpp-sanitized-all")
	withPlus, withImports := 0, 0
	for _, task := range ds.Tasks {
		san, ok := sanitized.ByID(task.ID)
		if !ok {
			t.Errorf("%s is not a sanitized MBPP task", task.ID)
			continue
		}
		if task.Test != san.Test {
			t.Errorf("%s: Test differs from sanitized MBPP's", task.ID)
		}
		if task.VisibleTest != strings.SplitN(task.Test, "\n", 2)[0] || !strings.HasSuffix(task.Prompt, "\n"+task.VisibleTest) {
			t.Errorf("%s: VisibleTest %q is not the prompt's assert", task.ID, task.VisibleTest)
		}
		if strings.Contains(task.Prompt, "https://") || strings.Contains(task.Prompt, `"""`) {
			t.Errorf("%s: prompt %q", task.ID, task.Prompt)
		}
		if task.Imports != "" {
			withImports++
			if task.Imports != "import math" {
				t.Errorf("%s: Imports %q", task.ID, task.Imports)
			}
		}
		if task.PlusTest == "" {
			continue
		}
		withPlus++
		if strings.Contains(task.PlusTest, "\ndef check(") || !regexp.MustCompile(`\n_plus_run\(\w+\)\n$`).MatchString(task.PlusTest) {
			t.Errorf("%s: PlusTest does not end by calling _plus_run(entry point): %q", task.ID, task.PlusTest[max(0, len(task.PlusTest)-80):])
		}
	}
	if len(ds.Tasks) != 378 || withPlus != 377 || withImports != 10 {
		t.Errorf("%d tasks, %d with PlusTest, %d with Imports; want 378, 377, 10", len(ds.Tasks), withPlus, withImports)
	}
	tests := []struct {
		id   string
		want []string
	}{
		{"Mbpp/2", []string{"exact = set(out) == set(exp)", "inputs = [[tuple(lst) for lst in inp] for inp in inputs]", "_plus_run(similar_elements)\n"}},
		{"Mbpp/737", []string{"exp = _plus_ref(*_plus_copy.deepcopy(inp)) is not None", "exp == (out is not None)"}},
		{"Mbpp/581", []string{"_plus_surface_Area(*inp)"}},
		{"Mbpp/558", []string{"_plus_digit_distance_nums(*inp)"}},
		{"Mbpp/124", []string{"complex(inp[1])"}},
		{"Mbpp/580", []string{"all_tuples(inp)"}},
		{"Mbpp/82", []string{"    atol = 0.0001\n"}},
		{"Mbpp/404", []string{"Infinity"}},
	}
	for _, tc := range tests {
		task, _ := ds.ByID(tc.id)
		for _, w := range tc.want {
			if !strings.Contains(task.PlusTest, w) {
				t.Errorf("%s: PlusTest lacks %q", tc.id, w)
			}
		}
	}
	m793, _ := ds.ByID("Mbpp/793")
	m752, _ := ds.ByID("Mbpp/752")
	if m793.PlusTest != "" || m793.Test == "" {
		t.Errorf("Mbpp/793 (plus_input {}) PlusTest = %.80q", m793.PlusTest)
	}
	if want := "Write a function to find the nth jacobsthal number.  0, 1, 1, 3, 5, 11, 21, 43, 85, 171, 341, 683, 1365, 2731, ...\nassert jacobsthal_num(5) == 11"; m752.Prompt != want {
		t.Errorf("Mbpp/752 prompt = %q", m752.Prompt)
	}
}

func TestEvalPlusErrors(t *testing.T) {
	good := `{"task_id": "HumanEval/0", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "test": "def check(candidate):\n    assert candidate(1) == 1\n", "atol": 0, "base_input": [[1]], "plus_input": [[2], [NaN], [-Infinity]]}`
	tests := []struct {
		name, content, want string
	}{
		{"good", good + "\n", ""},
		{"invalid JSON", good + "\n{\"task_id\": \n", "HumanEvalPlus-v0.1.10.jsonl.gz:2: invalid JSON"},
		{"missing member", "\n" + strings.Replace(good, `"atol": 0, `, "", 1), `HumanEvalPlus-v0.1.10.jsonl.gz:2: missing "atol"`},
		{"wrong type", strings.Replace(good, `"atol": 0`, `"atol": "x"`, 1), `HumanEvalPlus-v0.1.10.jsonl.gz:1: invalid JSON in "atol"`},
		{"bad plus_input", strings.Replace(good, `[[2], [NaN], [-Infinity]]`, `7`, 1), "HumanEvalPlus-v0.1.10.jsonl.gz:1: HumanEval/0: plus_input: "},
		{"bad entry point", strings.Replace(good, `"entry_point": "f"`, `"entry_point": "f()"`, 1), `:1: HumanEval/0: entry_point "f()" is not a Python identifier`},
		{"negative atol", strings.Replace(good, `"atol": 0`, `"atol": -1`, 1), `:1: HumanEval/0: atol -1 is not`},
		{"repeated", good + "\n" + good, `HumanEvalPlus-v0.1.10.jsonl.gz:2: task_id "HumanEval/0" repeated (first on line 1)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "evalplus"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeDataFile(t, dir, humanEvalPlusFile, tc.content)
			ds, err := Load("humaneval-plus", dir)
			if tc.want == "" {
				if err != nil || len(ds.Tasks) != 1 || plusInputs(t, ds.Tasks[0].PlusTest) != 3 {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v does not contain %q", err, tc.want)
			}
		})
	}
	if _, err := Load("mbpp-plus", t.TempDir()); err == nil || !strings.Contains(err.Error(), mbppPlusFile) {
		t.Errorf("missing MBPP+ file: %v", err)
	}
}

// writeDataFile writes content gzipped to dir/rel.
func writeDataFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	raw, err := os.ReadFile(writeFile(t, "x.gz", content))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, rel), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMBPPPlusErrors(t *testing.T) {
	row := func(id int, shown string) string {
		return `{"task_id": "Mbpp/` + strconv.Itoa(id) + `", "prompt": "\"\"\"\nWrite f.\n` + shown + `\n\"\"\"\n", "entry_point": "f", "canonical_solution": "def f(x): return x", "atol": 0, "base_input": [[1]], "plus_input": [[2]]}`
	}
	origin := func(id int) string {
		return `{"task_id": ` + strconv.Itoa(id) + `, "code": "", "prompt": "", "source_file": "", "test_imports": [], "test_list": ["assert f(1) == 1", "assert f(2) == 2"], "test": ""}`
	}
	tests := []struct {
		name, data, origin, want string
	}{
		{"good", row(2, "assert f(1) == 1") + "\n" + row(3, "assert f(1) == 1"), origin(2) + "\n" + origin(3), ""},
		{"not in OriginFmt", row(2, "assert f(1) == 1") + "\n" + row(4, "assert f(1) == 1"), origin(2) + "\n" + origin(3),
			"MbppPlus-v0.2.0.jsonl.gz:2: Mbpp/4 is not in evalplus/MbppPlus-OriginFmt-v0.2.0.jsonl.gz"},
		{"only in OriginFmt", row(2, "assert f(1) == 1"), origin(2) + "\n" + origin(3) + "\n" + origin(5),
			"MbppPlus-OriginFmt-v0.2.0.jsonl.gz:2: Mbpp/3 is not in evalplus/MbppPlus-v0.2.0.jsonl.gz"},
		{"prompt assert", row(2, "assert f(2) == 2"), origin(2), `MbppPlus-v0.2.0.jsonl.gz:1: Mbpp/2: the prompt's assert "assert f(2) == 2" is not the first assert of`},
		{"prompt format", row(2, "f(1) == 1"), origin(2), `MbppPlus-v0.2.0.jsonl.gz:1: Mbpp/2: prompt`},
		{"repeated", row(2, "assert f(1) == 1") + "\n" + row(2, "assert f(1) == 1"), origin(2), `MbppPlus-v0.2.0.jsonl.gz:2: task_id "Mbpp/2" repeated (first on line 1)`},
		{"repeated in OriginFmt", row(2, "assert f(1) == 1"), origin(2) + "\n\n" + origin(2), "MbppPlus-OriginFmt-v0.2.0.jsonl.gz:3: task_id 2 repeated (first on line 1)"},
		{"bad OriginFmt", row(2, "assert f(1) == 1"), `{"task_id": 2, "test_list": "x"}`, "MbppPlus-OriginFmt-v0.2.0.jsonl.gz:1: invalid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeDataFile(t, dir, mbppPlusFile, tc.data)
			writeDataFile(t, dir, mbppPlusOriginFile, tc.origin)
			ds, err := Load("mbpp-plus", dir)
			if tc.want == "" {
				if err != nil || len(ds.Tasks) != 2 || ds.Tasks[1].Prompt != "Write f.\nassert f(1) == 1" || ds.Tasks[1].PlusTest == "" {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v does not contain %q", err, tc.want)
			}
		})
	}
}

func TestMBPPPlusPromptText(t *testing.T) {
	tests := []struct {
		prompt, text, shown string
		ok                  bool
	}{
		{"\"\"\"\nWrite f.\nassert f(1) == 2\n\"\"\"\n", "Write f.", "assert f(1) == 2", true},
		{"\"\"\"\nWrite f. \nLine two.\nassert f(1) == 2\n\"\"\"\n", "Write f. \nLine two.", "assert f(1) == 2", true},
		{"\"\"\"\r\nWrite f. \r\nassert f(1)\r\n\"\"\"\r\n", "Write f.", "assert f(1)", true},
		{"Write f.\nassert f(1) == 2\n", "", "", false},
		{"\"\"\"\nWrite f.\n\"\"\"\n", "", "", false},
	}
	for _, tc := range tests {
		text, shown, err := mbppPlusPromptText(tc.prompt)
		if (err == nil) != tc.ok || text != tc.text || shown != tc.shown {
			t.Errorf("mbppPlusPromptText(%q) = %q, %q, %v", tc.prompt, text, shown, err)
		}
	}
}

func TestJSONMembers(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		err  string
	}{
		{`{}`, map[string]string{}, ""},
		{` {"a": 1, "b" : [1, "x]", {"c": NaN}], "d": -Infinity, "e": "q\"}"} `,
			map[string]string{"a": "1", "b": `[1, "x]", {"c": NaN}]`, "d": "-Infinity", "e": `"q\"}"`}, ""},
		{`{"a\u0062": true}`, map[string]string{"ab": "true"}, ""},
		{`[]`, nil, "want '{'"},
		{`{"a": 1`, nil, "want ',' or '}'"},
		{`{"a": [1, 2`, nil, "unterminated"},
		{`{"a": 1, "a": 2}`, nil, `"a" repeated`},
		{`{"a": 1} x`, nil, "unexpected data"},
		{`{a: 1}`, nil, "want a string"},
		{`{"a": }`, nil, "want a value"},
	}
	for _, tc := range tests {
		got, err := jsonMembers([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("jsonMembers(%s) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("jsonMembers(%s) = %q, %v", tc.in, got, err)
			continue
		}
		for k, v := range tc.want {
			if string(got[k]) != v {
				t.Errorf("jsonMembers(%s)[%q] = %s, want %s", tc.in, k, got[k], v)
			}
		}
	}
}

func TestJSONArrayLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{`[]`, 0, true},
		{` [ ] `, 0, true},
		{`{}`, 0, true},
		{`[[1, "a,b"], [NaN], {"k": [1, 2]}]`, 3, true},
		{`[1]`, 1, true},
		{`{"a": 1}`, 0, false},
		{`[1, 2`, 0, false},
		{`"x"`, 0, false},
		{`[1] 2`, 0, false},
	}
	for _, tc := range tests {
		got, err := jsonArrayLen([]byte(tc.in))
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("jsonArrayLen(%s) = %d, %v", tc.in, got, err)
		}
	}
}

func TestPyString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{`a"b\c`, `"a\"b\\c"`},
		{"x\ny\r\tz\x00\x7f", `"x\ny\r\tz\x00\x7f"`},
		{"é€😀", `"\u00e9\u20ac\U0001f600"`},
		{"'''", `"'''"`},
		{"bad\xff", `"bad\ufffd"`},
	}
	for _, tc := range tests {
		if got := pyString(tc.in); got != tc.want {
			t.Errorf("pyString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestMBPPPlusDeserializer(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{3, ""},
		{2, "inputs = [[tuple(lst) for lst in inp] for inp in inputs]"},
		{259, "inputs = [[[tuple(lst) for lst in lst_lst] for lst_lst in inp] for inp in inputs]\ninputs = [[tuple(lst) for lst in inp] for inp in inputs]"},
		{252, "inputs = [[complex(inp[0])] for inp in inputs]"},
	}
	for _, tc := range tests {
		if got := mbppPlusDeserializer(tc.n); got != tc.want {
			t.Errorf("mbppPlusDeserializer(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
