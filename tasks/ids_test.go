package tasks

import (
	"strings"
	"testing"
)

// TestResolve: the spellings other tools write (LDB's and bigcode's
// MBPP/11, MultiPL-E's mbpp_11_remove_occ, bare numbers, any case) name the
// dataset's own id; an unknown id names the nearest ones.
func TestResolve(t *testing.T) {
	he := mustLoad(t, "humaneval")
	mbpp := mustLoad(t, "mbpp-sanitized")
	plus := mustLoad(t, "humaneval-plus")
	mixed := &Dataset{Name: "mixed.jsonl", Tasks: []Task{{ID: "A/1"}, {ID: "B/1"}, {ID: "b/2x"}, {ID: "toy"}}}
	tests := []struct {
		ds   *Dataset
		in   string
		want string // "" = an error
		says string // the error must contain it
	}{
		{he, "HumanEval/0", "HumanEval/0", ""},
		{he, "humaneval/0", "HumanEval/0", ""},
		{he, "HUMANEVAL_163", "HumanEval/163", ""},
		{he, "HumanEval_0_has_close_elements", "HumanEval/0", ""},
		{he, "human-eval/12", "HumanEval/12", ""},
		{he, "HumanEvalPlus/7", "HumanEval/7", ""},
		{he, "42", "HumanEval/42", ""},
		{he, " HumanEval/5 ", "HumanEval/5", ""},
		{he, "HumanEval/164", "", "HumanEval/164\" is not in humaneval (nearest: HumanEval/16"},
		{he, "Mbpp/3", "", "is not in humaneval"},
		{he, "HumanEval/3b", "", "nearest: HumanEval/3"},
		{mbpp, "Mbpp/11", "Mbpp/11", ""},
		{mbpp, "MBPP/11", "Mbpp/11", ""},
		{mbpp, "mbpp_11_remove_occ", "Mbpp/11", ""},
		{mbpp, "11", "Mbpp/11", ""},
		{mbpp, "MbppPlus/12", "Mbpp/12", ""},
		{mbpp, "mbpp/1", "", "nearest: Mbpp/1"}, // 1 is a prompt task, not in the test split
		{plus, "HumanEval_10_make_palindrome", "HumanEval/10", ""},
		{mixed, "1", "", "is not in mixed.jsonl"}, // two prefixes: a bare number is ambiguous
		{mixed, "a/1", "A/1", ""},
		{mixed, "B_1", "B/1", ""},
		{mixed, "B/2X", "b/2x", ""},
		{mixed, "TOY", "toy", ""},
		{mixed, "toys", "", "nearest: toy"},
	}
	for _, tt := range tests {
		got, err := tt.ds.Resolve(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("%s.Resolve(%q) = %q, %v; want %q", tt.ds.Name, tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s.Resolve(%q) = %q, %v; want an error saying %q", tt.ds.Name, tt.in, got, err, tt.says)
		}
	}
}

// TestReadSamplesCanonicalIDs: samples written with other tools' ids carry
// the canonical id, and count as samples of the same task.
func TestReadSamplesCanonicalIDs(t *testing.T) {
	mbpp := mustLoad(t, "mbpp-sanitized")
	path := writeFile(t, "s.jsonl", `{"task_id": "MBPP/11", "solution": "a"}
{"task_id": "11", "solution": "b"}
{"task_id": "mbpp_11_remove_occ", "solution": "c"}
{"task_id": "Mbpp/12", "solution": "d"}
`)
	ss, err := ReadSamples(path, mbpp)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id    string
		index int
	}{{"Mbpp/11", 0}, {"Mbpp/11", 1}, {"Mbpp/11", 2}, {"Mbpp/12", 0}}
	for i, s := range ss {
		if s.TaskID != want[i].id || s.Index != want[i].index {
			t.Errorf("sample %d: %s #%d, want %s #%d", i, s.TaskID, s.Index, want[i].id, want[i].index)
		}
	}
	bad := writeFile(t, "bad.jsonl", `{"task_id": "Mbpp/9999", "solution": "a"}`+"\n")
	if _, err := ReadSamples(bad, mbpp); err == nil || !strings.Contains(err.Error(), bad+":1: task_id \"Mbpp/9999\" is not in mbpp-sanitized (nearest: ") {
		t.Errorf("unknown id: %v", err)
	}
}
