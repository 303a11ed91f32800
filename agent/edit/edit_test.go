package edit

import (
	"strings"
	"testing"
)

const calc = `def add(a, b):
    return a - b


def scale(xs, k):
    out = []
    for x in xs:
        out.append(x * k)
    return out


def greet(name):
    return 'hello, ' + name
`

const util = `def first(xs):
    if not xs:
        return None
    return xs[0]


def last(xs):
    if not xs:
        return None
    return xs[-1]
`

func repo() map[string]string {
	return map[string]string{
		"src/calc.py":        calc,
		"src/util.py":        util,
		"tests/test_calc.py": "from src.calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
	}
}

func isTest(p string) bool { return strings.HasPrefix(p, "tests/") }

// TestApplyAnswers applies real-looking model answers to a small
// repository: each gives the right files, or the right refusal for the
// model.
func TestApplyAnswers(t *testing.T) {
	fixedCalc := strings.Replace(calc, "return a - b", "return a + b", 1)
	cases := []struct {
		name    string
		answer  string
		opts    Options
		want    map[string]string // the changed files
		matches []Match           // per edit
		refusal []string          // per edit: a part of its refusal ("" when applied)
	}{
		{
			name:    "exact",
			answer:  "The subtraction should be an addition.\n\nsrc/calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": fixedCalc},
			matches: []Match{Exact},
		},
		{
			name:    "indentation-shifted",
			answer:  "src/calc.py\n```\n<<<<<<< SEARCH\nreturn a - b\n=======\nreturn a + b\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": fixedCalc},
			matches: []Match{Indentation},
		},
		{
			name:    "indentation-shifted-block",
			answer:  "`src/calc.py`\n```python\n<<<<<<< SEARCH\n  out = []\n  for x in xs:\n      out.append(x * k)\n=======\n  out = []\n  for x in xs:\n      out.append(x * k + 0)\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": strings.Replace(calc, "x * k)", "x * k + 0)", 1)},
			matches: []Match{Indentation},
		},
		{
			name:    "inconsistent-indentation-is-no-match",
			answer:  "src/calc.py\n```\n<<<<<<< SEARCH\n    out = []\nfor x in xs:\n=======\n    out = [0]\nfor x in xs:\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{},
			refusal: []string{"matches no lines of the file; the most similar lines are:\n    6|     out = []\n    7|     for x in xs:\n"},
		},
		{
			name:    "trailing-space",
			answer:  "src/calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):   \n    return a - b  \n=======\ndef add(a, b):\n    return a + b\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": fixedCalc},
			matches: []Match{TrailingSpace},
		},
		{
			name:    "curly-quotes",
			answer:  "src/calc.py\n```python\n<<<<<<< SEARCH\n    return \u2018hello, \u2019 + name\n=======\n    return \u2018hello, \u2019 + name.title()\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": strings.Replace(calc, "+ name\n", "+ name.title()\n", 1)},
			matches: []Match{Punctuation},
		},
		{
			name:    "ambiguous",
			answer:  "src/util.py\n```python\n<<<<<<< SEARCH\n    if not xs:\n        return None\n=======\n    if not xs:\n        raise ValueError(\"empty\")\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{},
			refusal: []string{"edit 1 (src/util.py): the SEARCH part matches 2 places (lines 2, 8): add lines around it"},
		},
		{
			name:    "missing",
			answer:  "src/calc.py\n```python\n<<<<<<< SEARCH\ndef add(x, y):\n    return x - y\n=======\ndef add(x, y):\n    return x + y\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{},
			refusal: []string{"edit 1 (src/calc.py): the SEARCH part matches no lines of the file; the most similar lines are:\n    1| def add(a, b):\n    2|     return a - b\n"},
		},
		{
			name: "several-blocks-one-fails",
			answer: "Two fixes.\n\nsrc/calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```\n\n" +
				"src/util.py\n```python\n<<<<<<< SEARCH\n    return xs[-1]\n=======\n    return xs[len(xs) - 1]\n>>>>>>> REPLACE\n```\n\n" +
				"src/util.py\n```python\n<<<<<<< SEARCH\n    return xs[1]\n=======\n    return xs[0]\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": fixedCalc, "src/util.py": strings.Replace(util, "xs[-1]", "xs[len(xs) - 1]", 1)},
			matches: []Match{Exact, Exact, ""},
			refusal: []string{"", "", "edit 3 (src/util.py): the SEARCH part matches no lines"},
		},
		{
			name:    "blocks-in-one-fence-and-a-later-block-on-the-result",
			answer:  "src/calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n<<<<<<< SEARCH\n    return a + b\n=======\n    return b + a\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/calc.py": strings.Replace(calc, "return a - b", "return b + a", 1)},
			matches: []Match{Exact, Exact},
		},
		{
			name:    "whole-file",
			answer:  "Here is the corrected file:\n\nsrc/calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n",
			want:    map[string]string{"src/calc.py": "def add(a, b):\n    return a + b\n"},
			matches: []Match{WholeFile},
		},
		{
			name:    "example-code-is-no-edit",
			answer:  "Run it like this:\n\n```sh\npython -m pytest\n```\n",
			want:    map[string]string{},
			matches: []Match{},
		},
		{
			name:    "test-file-edit",
			answer:  "tests/test_calc.py\n```python\n<<<<<<< SEARCH\n    assert add(1, 2) == 3\n=======\n    assert add(1, 2) == -1\n>>>>>>> REPLACE\n```\n",
			opts:    Options{IsTest: isTest},
			want:    map[string]string{},
			refusal: []string{"edit 1 (tests/test_calc.py): it is a test file, and the tests may not be changed"},
		},
		{
			name:    "test-file-edit-allowed",
			answer:  "tests/test_calc.py\n```python\n<<<<<<< SEARCH\n    assert add(1, 2) == 3\n=======\n    assert add(2, 2) == 4\n>>>>>>> REPLACE\n```\n",
			opts:    Options{IsTest: isTest, AllowTestEdits: true},
			want:    map[string]string{"tests/test_calc.py": "from src.calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n"},
			matches: []Match{Exact},
		},
		{
			name:    "new-file",
			answer:  "src/helpers.py\n```python\n<<<<<<< SEARCH\n=======\ndef double(x):\n    return 2 * x\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{"src/helpers.py": "def double(x):\n    return 2 * x\n"},
			matches: []Match{NewFile},
		},
		{
			name:    "empty-search-on-an-existing-file",
			answer:  "src/calc.py\n```python\n<<<<<<< SEARCH\n=======\nimport math\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{},
			refusal: []string{"the SEARCH part is empty, but the file exists"},
		},
		{
			name:    "outside-the-repository",
			answer:  "../etc/passwd\n```\n<<<<<<< SEARCH\nroot\n=======\nme\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{},
			refusal: []string{"edit 1 (../etc/passwd): the path is outside the repository"},
		},
		{
			name:    "no-such-file",
			answer:  "src/calc_utils.py\n```\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n",
			want:    map[string]string{},
			refusal: []string{"there is no such file"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			edits, err := Parse(c.answer)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			files := repo()
			got, outs := Apply(files, edits, c.opts)
			if len(got) != len(c.want) {
				t.Errorf("changed %d files, want %d: %v", len(got), len(c.want), keys(got))
			}
			for p, w := range c.want {
				if got[p] != w {
					t.Errorf("%s:\n%s\nwant:\n%s", p, got[p], w)
				}
			}
			n := max(len(c.matches), len(c.refusal))
			if len(outs) != n {
				t.Fatalf("%d outcomes, want %d: %+v", len(outs), n, outs)
			}
			for i, o := range outs {
				if i < len(c.matches) && o.Match != c.matches[i] {
					t.Errorf("edit %d: match %q, want %q (%v)", i+1, o.Match, c.matches[i], o.Err)
				}
				wantErr := ""
				if i < len(c.refusal) {
					wantErr = c.refusal[i]
				}
				switch {
				case wantErr == "" && o.Err != nil:
					t.Errorf("edit %d refused: %v", i+1, o.Err)
				case wantErr != "" && (o.Err == nil || !strings.Contains(o.Err.Error(), wantErr)):
					t.Errorf("edit %d: refusal %v, want one with %q", i+1, o.Err, wantErr)
				}
			}
			if files["src/calc.py"] != calc {
				t.Error("Apply changed its input")
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ answer, want string }{
		{"<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n", "line 1: a SEARCH block with no file path above it"},
		{"a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n", "line 4: a SEARCH block without its ======= divider"},
		{"a.py\n<<<<<<< SEARCH\nx\n=======\ny\n", "line 2: a SEARCH block without its >>>>>>> REPLACE line"},
		{"a.py\n<<<<<<< SEARCH\nx\n=======\ny\n=======\n>>>>>>> REPLACE\n", "line 6: a SEARCH block without its >>>>>>> REPLACE line"},
	} {
		if _, err := Parse(c.answer); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q): %v, want %q", c.answer, err, c.want)
		}
	}
}

func TestParsePaths(t *testing.T) {
	for _, c := range []struct{ above, want string }{
		{"src/calc.py", "src/calc.py"},
		{"`src/calc.py`", "src/calc.py"},
		{"**src/calc.py**", "src/calc.py"},
		{"File: src/calc.py", "src/calc.py"},
		{"### src/calc.py", "src/calc.py"},
		{"src/calc.py:", "src/calc.py"},
		{"Makefile", "Makefile"},
		{"Here is the fix:", ""},
		{"fix", ""},
	} {
		edits, err := Parse(c.above + "\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n")
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%q: read as path %q", c.above, edits[0].Path)
		case c.want != "" && (err != nil || edits[0].Path != c.want):
			t.Errorf("%q: %v %v, want path %q", c.above, edits, err, c.want)
		}
	}
}

// FuzzApply: no answer makes Parse or Apply panic, and a file changes only
// through an edit that was applied to it.
func FuzzApply(f *testing.F) {
	f.Add("src/calc.py\n```\n<<<<<<< SEARCH\n  return a - b\n=======\n  return a + b\n>>>>>>> REPLACE\n```\n")
	f.Add("src/util.py\n<<<<<<< SEARCH\n\n=======\n\n>>>>>>> REPLACE\n")
	f.Add("x.py\n```\n```\n")
	f.Fuzz(func(t *testing.T, answer string) {
		edits, err := Parse(answer)
		if err != nil {
			return
		}
		changed, outs := Apply(repo(), edits, Options{IsTest: isTest})
		applied := map[string]bool{}
		for _, o := range outs {
			if (o.Match == "") == (o.Err == nil) {
				t.Fatalf("outcome with match %q and refusal %v", o.Match, o.Err)
			}
			if o.Err == nil {
				applied[o.Edit.Path] = true
			}
		}
		for p := range changed {
			if !applied[p] {
				t.Fatalf("%s changed with no edit applied to it", p)
			}
		}
	})
}
