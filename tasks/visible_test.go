package tasks

import (
	"slices"
	"strings"
	"testing"
)

func TestDocExamples(t *testing.T) {
	tests := []struct {
		name   string
		prompt string
		want   []string // asserts, as in VisibleTest
	}{
		{"doctest", "def f(x):\n    \"\"\" Doc.\n    >>> f(1)\n    2\n    >>> f('a, b')\n    'a, b'\n    \"\"\"\n",
			[]string{"candidate(1) == 2", "candidate('a, b') == 'a, b'"}},
		{"doctest without output is None", "def f(x):\n    \"\"\"\n    >>> f([])\n\n    >>> f([1])\n    1\n    \"\"\"\n",
			[]string{"candidate([]) == None", "candidate([1]) == 1"}},
		{"doctest output before the closing quotes", "def f(x):\n    \"\"\"\n    >>> f(1)\n    True\"\"\"\n",
			[]string{"candidate(1) == True"}},
		{"doctest comparison", "def f(x):\n    \"\"\"\n    >>> f(1) == 2\n    >>> f(2) == 3 # two\n    >>> f(3) [3]\n    \"\"\"\n",
			[]string{"candidate(1) == 2", "candidate(2) == 3"}},
		{"doctest multi-line output", "def f(x):\n    \"\"\"\n    >>> f(2)\n    [\"a\",\n     \"b\"]\n    \"\"\"\n",
			[]string{"candidate(2) == ([\"a\",\n     \"b\"])"}},
		{"doctest wrapped in a builtin, with a comment", "def f(x):\n    \"\"\"\n    >>> round(f([1, 2]), 2) # note\n    -0.5\n    >>> g(f(1))\n    1\n    \"\"\"\n",
			[]string{"round(candidate([1, 2]), 2) == -0.5"}},
		{"doctest of a helper", "def g(x):\n    \"\"\"\n    >>> g(1)\n    1\n    \"\"\"\n\ndef f(x):\n    \"\"\"\n    >>> f(2)\n    3\n    \"\"\"\n",
			[]string{"candidate(2) == 3"}},
		{"doctest output that is not a literal", "def f(x):\n    \"\"\"\n    >>> f(1)\n    Traceback (most recent call last):\n    >>> f(x)\n    1\n    \"\"\"\n", nil},
		{"separators", `def f(*a):
    """
    f(1) ==> True
    f(2) => "x"
    f(3) ->[1]
    f(4) ➞ (1, 2)
    f(5) == {'a': 1}
    f(6) = -1
    f(7) returns 'a'
    f(8) should return 16.
    f(9)   # returns "d"
    f(10) # => 'No' (a remark in parentheses)
    f(11)==>0
    """
`, []string{"candidate(1) == True", `candidate(2) == "x"`, "candidate(3) == [1]", "candidate(4) == (1, 2)",
			"candidate(5) == {'a': 1}", "candidate(6) == -1", "candidate(7) == 'a'", "candidate(8) == 16",
			`candidate(9) == "d"`, "candidate(10) == 'No'", "candidate(11) == 0"}},
		{"line prefixes", "def f(x):\n    \"\"\"\n    * f(1) => 1\n    - f(2) => 2\n    for f(3) == 3\n    Then f(4) == 4\n    def f(5) -> 5\n    \"\"\"\n",
			[]string{"candidate(1) == 1", "candidate(2) == 2", "candidate(3) == 3"}},
		{"lenient booleans, remarks, worked computations", `def f(*a):
    """
    f(1) => true
    f(2) => false.
    f(3) -> 3 - 1 = 2
    f(4) == 1 + 9 = 10
    f(5) returns [1, 5] # because
    f(6) => [1] and more
    """
`, []string{"candidate(1) == True", "candidate(2) == False", "candidate(3) == 2", "candidate(4) == 10", "candidate(5) == [1, 5]"}},
		{"not literals", `def f(*a):
    """
    f(a) => False
    f(n) = 1 + n / 2
    f(1) == ""x"
    f(2) = f(1) + f(0)
    f(3) that returns 1
    f(4)
    f'x'
    """
`, nil},
		{"arguments", `def f(*a):
    """
    f([1, 2], (3,), {4: 'x', 'y': [5]}, {6, 7}, -8.5e-3, 0x1F, r'\d', "a\"b", True, None, 2j) == 0
    f() == 1
    f('a' 'b') == 'ab'
    f(b'x') == b'x'
    f(f'x') == 1
    """
`, []string{`candidate([1, 2], (3,), {4: 'x', 'y': [5]}, {6, 7}, -8.5e-3, 0x1F, r'\d', "a\"b", True, None, 2j) == 0`,
			"candidate() == 1", "candidate('a' 'b') == 'ab'", "candidate(b'x') == b'x'"}},
		{"multi-line arguments", "def f(g, k):\n    \"\"\"\n    f([\n      [1, 2],\n      [3]\n    ], 1) == [(0, 0)]\n    f(1, 2) == 3\n    \"\"\"\n",
			[]string{"candidate([\n      [1, 2],\n      [3]\n    ], 1) == [(0, 0)]", "candidate(1, 2) == 3"}},
		{"longer names", "def f(x):\n    \"\"\"\n    ff(1) == 2\n    x.f(1) == 2\n    f_g(1) == 3\n    \"\"\"\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, ex := range docExamples(tc.prompt, "f") {
				got = append(got, strings.TrimSuffix(strings.TrimPrefix(ex.assert(), "    assert "), "\n"))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestHumanEvalVisibleTest(t *testing.T) {
	prompt := "def f(x):\n    \"\"\"\n    >>> f(1)\n    1\n\n    f(1) == 1\n    >>> f(2)\n    4\n    \"\"\"\n"
	if got, want := humanEvalVisibleTest("X/1", prompt, "f"), "\n\ndef check(candidate):\n    assert candidate(1) == 1\n    assert candidate(2) == 4\n\n"; got != want {
		t.Errorf("got %q, want %q (duplicates dropped)", got, want)
	}
	if got := humanEvalVisibleTest("X/1", "def f(x):\n    \"\"\"Doc.\"\"\"\n", "f"); got != "" {
		t.Errorf("no examples: %q", got)
	}

	he := mustLoad(t, "humaneval")
	var none []string
	asserts := 0
	for _, task := range he.Tasks {
		if task.VisibleTest == "" {
			none = append(none, strings.TrimPrefix(task.ID, "HumanEval/"))
			continue
		}
		if !strings.HasPrefix(task.VisibleTest, "\n\ndef check(candidate):\n    assert ") {
			t.Errorf("%s: VisibleTest %q", task.ID, task.VisibleTest)
		}
		asserts += strings.Count(task.VisibleTest, "\n    assert ")
	}
	// These prompts show no example in a form read here (most use "Input: ... Output: ..." prose).
	wantNone := "38 41 50 68 78 80 81 83 84 94 105 107 112 115 116 120 122 129 133 142 143 147 149 160"
	if got := strings.Join(none, " "); got != wantNone {
		t.Errorf("tasks without VisibleTest: %s\nwant %s", got, wantNone)
	}
	if asserts != 398 {
		t.Errorf("%d visible asserts in all", asserts)
	}
	h32, _ := he.ByID("HumanEval/32")
	if !strings.Contains(h32.VisibleTest, "assert round(candidate([1, 2]), 2) == -0.5\n") {
		t.Errorf("HumanEval/32 VisibleTest = %q", h32.VisibleTest)
	}
}

// TestVisibleExclusions checks that every excluded example is one the prompt shows (the table is not stale).
func TestVisibleExclusions(t *testing.T) {
	he := mustLoad(t, "humaneval")
	for id, examples := range visibleExclusions() {
		task, ok := he.ByID(id)
		if !ok {
			t.Errorf("%s is not a HumanEval task", id)
			continue
		}
		var sources []string
		for _, ex := range docExamples(task.Prompt, task.EntryPoint) {
			sources = append(sources, ex.source)
		}
		for source, reason := range examples {
			if !slices.Contains(sources, source) || reason == "" {
				t.Errorf("%s: excluded example %q is not among the prompt's examples %q", id, source, sources)
			}
		}
	}
}

func TestVisibleTestMBPP(t *testing.T) {
	for _, name := range []string{"mbpp", "mbpp-test", "mbpp-sanitized", "mbpp-sanitized-all", "mbpp-plus"} {
		ds := mustLoad(t, name)
		for _, task := range ds.Tasks {
			if first := strings.SplitN(task.Test, "\n", 2)[0]; task.VisibleTest != first || !strings.HasSuffix(task.Prompt, "\n"+first) {
				t.Errorf("%s %s: VisibleTest %q, first test %q", name, task.ID, task.VisibleTest, first)
			}
		}
	}
}

func TestFingerprint(t *testing.T) {
	base := Task{
		ID: "a", Prompt: "def f():\n", EntryPoint: "f", Imports: "import math", Setup: "X = 1",
		Test: "def check(candidate): pass", Reference: "    return 1\n", Style: Completion, Language: "python",
		PlusTest: "def check(candidate): pass # plus", VisibleTest: "def check(candidate): pass # visible",
	}
	fp := base.Fingerprint()
	if len(fp) != 64 || fp != base.Fingerprint() {
		t.Fatalf("Fingerprint = %q", fp)
	}
	// Golden value: a change means every cached runtime is invalidated.
	if want := "2d6f858df42667a90c3e05b2977375c7a4c8358154b7217fa0c56dcb6616fc26"; fp != want {
		t.Errorf("Fingerprint = %s, want %s", fp, want)
	}
	same := []func(*Task){
		func(t *Task) { t.ID = "b" },
		func(t *Task) { t.PlusTest = "" },
		func(t *Task) { t.VisibleTest = "" },
	}
	for i, edit := range same {
		c := base
		edit(&c)
		if c.Fingerprint() != fp {
			t.Errorf("edit %d changed the fingerprint", i)
		}
	}
	differ := map[string]func(*Task){
		"prompt":      func(t *Task) { t.Prompt = "def f( ):\n" },
		"entry point": func(t *Task) { t.EntryPoint = "g" },
		"imports":     func(t *Task) { t.Imports = "" },
		"setup":       func(t *Task) { t.Setup = "X = 2" },
		"test":        func(t *Task) { t.Test = t.PlusTest },
		"reference":   func(t *Task) { t.Reference = "    return 2\n" },
		"style":       func(t *Task) { t.Style = Program },
		"language":    func(t *Task) { t.Language = "go" },
		"shifted":     func(t *Task) { t.Imports, t.Setup = "import math\nX = 1", "" },
	}
	for name, edit := range differ {
		c := base
		edit(&c)
		if c.Fingerprint() == fp {
			t.Errorf("changing the %s kept the fingerprint", name)
		}
	}
	// For Program style the prompt is not part of the program.
	p := base
	p.Style = Program
	q := p
	q.Prompt = "Write f."
	if p.Fingerprint() != q.Fingerprint() {
		t.Error("a Program-style prompt changed the fingerprint")
	}
}
