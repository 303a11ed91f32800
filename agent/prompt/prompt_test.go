package prompt

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

func assertionFailure() Failure {
	return Failure{Failure: languages.Failure{
		Class: "assertion", ErrorType: "AssertionError",
		Message:  "add(2, 3): expected 5, got 6",
		TestLine: 4, TestText: "assert candidate(2, 3) == 5",
		Line: 2, LineText: "return a + b + 1",
		Traceback: "Traceback (most recent call last):\n  File \"test.py\", line 4, in check\n    assert candidate(2, 3) == 5\nAssertionError: add(2, 3): expected 5, got 6",
	}, RepeatOf: -1}
}

func TestFeedbackModes(t *testing.T) {
	f := assertionFailure()
	withCall := f
	withCall.Call, withCall.Expected, withCall.Actual = "add(2, 3)", "5", "6"
	repeat := f
	repeat.RepeatOf = 1
	timeout := Failure{Failure: languages.Failed(languages.Timeout, "Timeout", "the program ran longer than 3s").Failure, RepeatOf: -1}

	tests := []struct {
		name   string
		mode   Mode
		f      Failure
		o      Options
		want   []string // in this order
		absent []string
	}{
		{name: "none", mode: None, f: f, want: nil},
		{name: "minimal", mode: Minimal, f: f,
			want:   []string{"Your code failed the tests.", "error class: assertion\n", "AssertionError: add(2, 3): expected 5, got 6", "Fix the code", "complete corrected function"},
			absent: []string{"Traceback", "Failing test", "Failing line"}},
		{name: "traceback", mode: Traceback, f: f,
			want: []string{"error class: assertion\n", "AssertionError: add(2, 3)", "Failing test (line 4 of the tests): assert candidate(2, 3) == 5",
				"Failing line of your code (line 2): return a + b + 1", "Traceback (most recent call last):", "Fix the code"}},
		{name: "traceback with call details", mode: Traceback, f: withCall,
			want: []string{"Failing test", "Call: add(2, 3)\nExpected: 5\nGot: 6\n", "Traceback"}},
		{name: "explain", mode: Explain, f: f,
			want: []string{"error class: assertion", "Traceback", "First explain in a few sentences what is wrong"}},
		{name: "cot", mode: CoT, f: f,
			want: []string{"error class: assertion", "Traceback", "Think step by step"}},
		{name: "reflexion first", mode: Reflexion, f: f,
			want:   []string{"error class: assertion", "Traceback", `starting with "Reflection:"`},
			absent: []string{"reflections on your earlier attempts"}},
		{name: "reflexion keeps reflections", mode: Reflexion, f: f,
			o:    Options{Reflections: []string{"I added one too many.", "Off by one\nagain."}},
			want: []string{"Your reflections on your earlier attempts:\n1. I added one too many.\n2. Off by one again.\n", `starting with "Reflection:"`}},
		{name: "stall", mode: Minimal, f: repeat,
			want:   []string{"Your answer repeats your code of round 1", "error class: assertion"},
			absent: []string{"Your code failed the tests."}},
		{name: "timeout", mode: Traceback, f: timeout,
			want: []string{"error class: timeout\n", "Timeout: the program ran longer than 3s"}},
		{name: "program", mode: Minimal, f: f, o: Options{Program: true},
			want: []string{"complete corrected program"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Feedback(tt.mode, tt.f, tt.o)
			if tt.want == nil {
				if got != "" {
					t.Fatalf("want no feedback, got %q", got)
				}
				return
			}
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (or out of order) %q in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tt.absent {
				if strings.Contains(strings.ToLower(got), strings.ToLower(a)) {
					t.Errorf("unexpected %q in:\n%s", a, got)
				}
			}
		})
	}
}

func TestFeedbackBoundsTraceback(t *testing.T) {
	f := assertionFailure()
	var b strings.Builder
	b.WriteString("Traceback (most recent call last):\n")
	for i := range 500 {
		fmt.Fprintf(&b, "  File \"test.py\", line %d, in f\n    return f(n - 1)\n", i)
	}
	b.WriteString("RecursionError: maximum recursion depth exceeded")
	f.Traceback = b.String()
	f.Message = strings.Repeat("x", 50000)
	got := Feedback(Traceback, f, Options{TracebackBudget: 600})
	if len(got) > 3000 {
		t.Errorf("feedback is %d bytes with a 600-byte traceback budget and a 50 kB message", len(got))
	}
	for _, w := range []string{"Traceback (most recent call last):", "RecursionError: maximum recursion depth exceeded", "lines omitted"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q", w)
		}
	}
}

func TestTruncate(t *testing.T) {
	lines := func(n int) string {
		var ls []string
		for i := range n {
			ls = append(ls, fmt.Sprintf("line %03d of the traceback", i))
		}
		return strings.Join(ls, "\n")
	}
	long := lines(100)
	tests := []struct {
		name     string
		s        string
		budget   int
		want     string   // exact, when set
		contains []string // else: in this order
	}{
		{name: "fits", s: "short\ntext", budget: 100, want: "short\ntext"},
		{name: "exactly", s: "abcd", budget: 4, want: "abcd"},
		{name: "zero budget", s: "abc", budget: 0, want: ""},
		{name: "small budget keeps the tail", s: "head\nmiddle\nFinalError: boom", budget: 16, want: "FinalError: boom"},
		{name: "head and tail lines", s: long, budget: 400,
			contains: []string{"line 000 of the traceback\n", "lines omitted) ...\n", "line 099 of the traceback"}},
		{name: "one long line", s: strings.Repeat("a", 300) + strings.Repeat("z", 300), budget: 200,
			contains: []string{"aaaa", "\n... (cut) ...\n", "zzzz"}},
		{name: "long last line", s: "Traceback:\n" + strings.Repeat("v", 1000), budget: 200,
			contains: []string{"Traceback:", "... (cut) ...", "vvvv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.s, tt.budget)
			if len(got) > tt.budget {
				t.Errorf("%d bytes, over the budget of %d", len(got), tt.budget)
			}
			if tt.contains == nil {
				if got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
				return
			}
			rest := got
			for _, w := range tt.contains {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (or out of order) %q in %q", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	// The omitted count is exact: kept whole lines + omitted = all lines.
	got := Truncate(long, 400)
	var omitted int
	for _, l := range strings.Split(got, "\n") {
		if _, err := fmt.Sscanf(l, "... (%d lines omitted) ...", &omitted); err == nil {
			break
		}
	}
	if kept := strings.Count(got, "of the traceback"); kept+omitted != 100 {
		t.Errorf("%d lines kept + %d omitted != 100", kept, omitted)
	}
}

func TestTruncateUTF8(t *testing.T) {
	s := strings.Repeat("é", 500) // 2 bytes each
	for budget := 1; budget < 300; budget += 7 {
		got := Truncate(s, budget)
		if !utf8.ValidString(got) || len(got) > budget {
			t.Fatalf("budget %d: %d bytes, valid UTF-8 %v", budget, len(got), utf8.ValidString(got))
		}
	}
}

func TestReflection(t *testing.T) {
	tests := []struct{ answer, want string }{
		{"Reflection: I forgot the empty list.\nIt must return 0.\n\n```python\ndef f(x):\n    return 0\n```\n", "I forgot the empty list. It must return 0."},
		{"The loop stopped one early.\n```python\ncode\n```\nDone.", "The loop stopped one early. Done."},
		{"<think>hmm, maybe the loop</think>Reflection: the bound was wrong\n```python\nx\n```", "the bound was wrong"},
		{"```python\nonly code\n```", ""},
	}
	for _, tt := range tests {
		if got := Reflection(tt.answer); got != tt.want {
			t.Errorf("Reflection(%q) = %q, want %q", tt.answer, got, tt.want)
		}
	}
}

// testWords are a language's words as the tests use them.
var testWords = languages.Words{Name: "Python", Version: "Python 3", Fence: "python", Header: "its def line"}

func TestNext(t *testing.T) {
	task := tasks.Task{ID: "T/0", Prompt: "def add(a, b):\n    \"\"\"Add.\"\"\"\n", EntryPoint: "add", Style: tasks.Completion}
	first := First(task, testWords)
	if len(first) != 2 || first[0].Role != RoleSystem || !strings.Contains(first[1].Content, task.Prompt) {
		t.Fatalf("first request: %+v", first)
	}
	mbpp := First(tasks.Task{ID: "M/1", Prompt: "Write a function to add.\nassert add(1, 2) == 3", Style: tasks.Program}, testWords)
	if !strings.Contains(mbpp[1].Content, "Write a function to add.\nassert add(1, 2) == 3") || !strings.Contains(mbpp[1].Content, "complete program") {
		t.Fatalf("program-style request: %q", mbpp[1].Content)
	}

	round1 := Next(Chat, Traceback, first, first, "answer 0", "feedback 0")
	round2 := Next(Chat, Traceback, first, round1, "answer 1", "feedback 1")
	if got := roles(round2); got != "system user assistant user assistant user" {
		t.Errorf("chat round 2 roles: %s", got)
	}
	if round2[2].Content != "answer 0" || round2[5].Content != "feedback 1" {
		t.Errorf("chat round 2: %+v", round2)
	}
	single := Next(Single, Traceback, first, round1, "answer 1", "feedback 1")
	if got := roles(single); got != "system user assistant user" || single[2].Content != "answer 1" || single[3].Content != "feedback 1" {
		t.Errorf("single round 2: %+v", single)
	}
	fresh := Next(Chat, None, first, round1, "answer 1", "")
	if roles(fresh) != roles(first) || fresh[1] != first[1] {
		t.Errorf("none: %+v", fresh)
	}
	fresh[1].Content = "changed"
	if first[1].Content == "changed" {
		t.Error("Next shares the first request's backing array")
	}
}

func roles(ms []Message) string {
	var rs []string
	for _, m := range ms {
		rs = append(rs, m.Role)
	}
	return strings.Join(rs, " ")
}

func TestParse(t *testing.T) {
	for _, m := range Modes() {
		if got, err := ParseMode(string(m)); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := ParseMode("verbose"); err == nil || !strings.Contains(err.Error(), "reflexion") {
		t.Errorf("ParseMode(verbose): %v", err)
	}
	if _, err := ParseStyle("thread"); err == nil {
		t.Error("ParseStyle(thread): no error")
	}
}
