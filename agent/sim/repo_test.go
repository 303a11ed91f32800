package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/selfrepair/selfrepair/agent/edit"
	"github.com/selfrepair/selfrepair/languages/builtin"
)

// A repoCase is a repository task with its buggy version.
type repoCase struct {
	repo  Repo
	buggy map[string]string // every file of the buggy version, tests included
	// ambiguous is what edit.Apply says of the ambiguous fault: the buggy
	// files have lines that occur twice (several places) or none (no lines).
	ambiguous string
}

var pyRepo = repoCase{
	repo: Repo{
		Name: "py",
		Fixed: map[string]string{
			"solution.py": `def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def mean(xs):
    total = 0
    for x in xs:
        total += x
    return total / len(xs)
`,
			"pkg/text.py": `def shout(s):
    return s.upper() + "!"
`,
		},
		Tests: []string{"test_solution.py"},
	},
	buggy: map[string]string{
		"solution.py": `def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x < hi:
        return hi
    return x


def mean(xs):
    total = 1
    for x in xs:
        total += x
    return total / len(xs)
`,
		"pkg/text.py": `def shout(s):
    return s.lower() + "!"
`,
		"test_solution.py": `from solution import clamp, mean
from pkg.text import shout


def test_clamp():
    assert clamp(5, 0, 3) == 3
    assert clamp(-1, 0, 3) == 0


def test_mean():
    assert mean([1, 2, 3]) == 2


def test_shout():
    assert shout("hi") == "HI!"
`,
	},
	ambiguous: "matches no lines",
}

var goRepo = repoCase{
	repo: Repo{
		Name: "go",
		Fixed: map[string]string{
			"calc.go": `package calc

// Max returns the larger of a and b.
func Max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Sum adds xs.
func Sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
`,
		},
		Tests: []string{"calc_test.go"},
	},
	buggy: map[string]string{
		"calc.go": `package calc

// Max returns the larger of a and b.
func Max(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// Sum adds xs.
func Sum(xs []int) int {
	s := 0
	for _, x := range xs[1:] {
		s += x
	}
	return s
}
`,
		"calc_test.go": `package calc

import "testing"

func TestMax(t *testing.T) {
	if got := Max(2, 3); got != 3 {
		t.Errorf("Max(2, 3) = %d, want 3", got)
	}
}
`,
	},
	ambiguous: "places",
}

// show is a request's message showing files the way the fix loop does.
func show(intro string, files map[string]string) string {
	var b strings.Builder
	b.WriteString(intro + "\n")
	for _, p := range slices.Sorted(maps.Keys(files)) {
		b.WriteString("\n" + p + "\n```" + fenceInfo(p) + "\n" + files[p] + "```\n")
	}
	return b.String()
}

func firstRequest(rc repoCase) []openai.ChatCompletionMessage {
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: "You fix bugs in repositories. Answer with SEARCH/REPLACE blocks."},
		user(show("The tests of this repository fail. Fix the code, not the tests.", rc.buggy)),
	}
}

// logBuffer collects the simulator's debug log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// last is the last "sim completion" line's attributes.
func (l *logBuffer) last(t *testing.T) map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(l.b.String()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil {
			t.Fatal(err)
		}
		if m["msg"] == "sim completion" {
			return m
		}
	}
	t.Fatal("no completion in the log")
	return nil
}

func newRepoSim(t *testing.T, o Options) (*openai.Client, *logBuffer) {
	t.Helper()
	var log logBuffer
	o.Logger = slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, c, _ := newSim(t, o)
	return c, &log
}

// applied is an answer applied to files as selfrepair fix would, test
// edits not allowed.
type applied struct {
	edits    []edit.Edit
	outcomes []edit.Outcome
	files    map[string]string // files after the edits
}

func apply(t *testing.T, rc repoCase, files map[string]string, answer string) applied {
	t.Helper()
	edits, err := edit.Parse(answer)
	if err != nil {
		t.Fatalf("edit.Parse: %v\n%s", err, answer)
	}
	changed, outs := edit.Apply(files, edits, edit.Options{
		IsTest: func(p string) bool { return slices.Contains(rc.repo.Tests, p) },
	})
	after := maps.Clone(files)
	maps.Copy(after, changed)
	return applied{edits, outs, after}
}

// fixed reports whether files are the repository's fixed version.
func (rc repoCase) fixed(files map[string]string) bool {
	for p, want := range rc.repo.Fixed {
		if files[p] != want {
			return false
		}
	}
	return true
}

func content(resp openai.ChatCompletionResponse) string { return resp.Choices[0].Message.Content }

func TestRepoCorrectAnswer(t *testing.T) {
	for _, rc := range []repoCase{pyRepo, goRepo} {
		t.Run(rc.repo.Name, func(t *testing.T) {
			c, log := newRepoSim(t, Options{FirstPass: 1, Repos: []Repo{goRepo.repo, pyRepo.repo}})
			for seed := range 5 {
				answer := content(ask(t, c, firstRequest(rc), seed))
				a := apply(t, rc, rc.buggy, answer)
				for _, o := range a.outcomes {
					if o.Err != nil || o.Match != edit.Exact {
						t.Fatalf("edit %d: %v, %v\n%s", o.Edit.Block, o.Match, o.Err, answer)
					}
				}
				if !rc.fixed(a.files) {
					t.Fatalf("the answer does not fix the repository:\n%s", answer)
				}
				if want := changedHunks(rc); len(a.edits) != want {
					t.Errorf("%d blocks, want one per hunk (%d):\n%s", len(a.edits), want, answer)
				}
				for _, want := range []string{"```" + fenceInfo(a.edits[0].Path) + "\n<<<<<<< SEARCH\n", "=======\n", ">>>>>>> REPLACE\n```\n"} {
					if !strings.Contains(answer, want) {
						t.Errorf("the answer has no %q:\n%s", want, answer)
					}
				}
				if m := log.last(t); m["task"] != "repo "+rc.repo.Name || m["answer"] != "pass" || m["attempt"] != "first" {
					t.Errorf("log: %v", m)
				}
			}
		})
	}
}

// changedHunks is how many hunks the fix of rc has.
func changedHunks(rc repoCase) int {
	n := 0
	for p, text := range rc.repo.Fixed {
		n += len(diffLines(splitText(rc.buggy[p]), splitText(text)))
	}
	return n
}

func TestRepoFaults(t *testing.T) {
	for _, rc := range []repoCase{pyRepo, goRepo} {
		t.Run(rc.repo.Name, func(t *testing.T) {
			c, log := newRepoSim(t, Options{FirstPass: -1, Repos: []Repo{rc.repo}})
			const n = 200
			seen := map[string]int{}
			for seed := range n {
				answer := content(ask(t, c, firstRequest(rc), seed))
				fault, _ := log.last(t)["mutator"].(string)
				seen[fault]++
				a := apply(t, rc, rc.buggy, answer)
				var refused []edit.Outcome
				matches := map[edit.Match]int{}
				for _, o := range a.outcomes {
					if o.Err != nil {
						refused = append(refused, o)
					} else {
						matches[o.Match]++
					}
				}
				fail := func(format string, args ...any) {
					t.Helper()
					t.Fatalf("%s (seed %d): %s\n%s", fault, seed, fmt.Sprintf(format, args...), answer)
				}
				switch fault {
				case faultWrongFix:
					if len(refused) > 0 || matches[edit.Exact] != len(a.outcomes) {
						fail("not every edit applies exactly: %v %v", matches, refused)
					}
					if rc.fixed(a.files) {
						fail("the wrong fix fixes the repository")
					}
					if maps.Equal(a.files, rc.buggy) && len(a.edits) == 0 {
						fail("no edits")
					}
				case faultShifted:
					if len(refused) > 0 || matches[edit.Indentation] != len(a.outcomes) {
						fail("not every edit applies by indentation: %v %v", matches, refused)
					}
					if !rc.fixed(a.files) {
						fail("the shifted fix does not fix the repository")
					}
				case faultAmbiguous:
					if len(a.outcomes) != 1 || len(refused) != 1 || !strings.Contains(refused[0].Err.Reason, rc.ambiguous) {
						fail("want one edit, refused as %q: %v", rc.ambiguous, refused)
					}
					if e := a.edits[0]; strings.Count(e.Search, "\n") != 1 && rc.ambiguous == "places" {
						fail("the ambiguous SEARCH part is not one line: %q", e.Search)
					}
				case faultTestEdit:
					if len(refused) != 1 || !slices.Contains(rc.repo.Tests, refused[0].Edit.Path) || !strings.Contains(refused[0].Err.Reason, "test file") {
						fail("want the test file's edit refused, and only it: %v", refused)
					}
					if !rc.fixed(a.files) {
						fail("the other edits do not fix the repository")
					}
					// Allowed, the test edit applies.
					if _, outs := edit.Apply(rc.buggy, a.edits, edit.Options{}); len(outs) != len(a.edits) || outs[len(outs)-1].Err != nil {
						fail("the test edit does not apply when test edits are allowed: %v", outs[len(outs)-1].Err)
					}
				case faultWholeFile:
					for _, e := range a.edits {
						if !e.Whole {
							fail("edit %d is not a whole file", e.Block)
						}
					}
					if len(refused) > 0 || !rc.fixed(a.files) {
						fail("the whole files do not fix the repository: %v", refused)
					}
				default:
					fail("unknown fault %q", fault)
				}
			}
			// Every fault is possible here: each is a fifth of the answers.
			for _, f := range []string{faultWrongFix, faultShifted, faultAmbiguous, faultTestEdit, faultWholeFile} {
				within(t, f, float64(seen[f])/n, 0.2, n)
			}
		})
	}
}

// TestRepoTestEditNeedsShownTest: with its test file not shown, a request
// never gets the test-file-edit fault.
func TestRepoTestEditNeedsShownTest(t *testing.T) {
	c, log := newRepoSim(t, Options{FirstPass: -1, Repos: []Repo{pyRepo.repo}})
	files := maps.Clone(pyRepo.buggy)
	delete(files, "test_solution.py")
	for seed := range 40 {
		ask(t, c, []openai.ChatCompletionMessage{user(show("Fix this.", files))}, seed)
		if f := log.last(t)["mutator"]; f == faultTestEdit {
			t.Fatalf("seed %d: a test-file edit with no test file shown", seed)
		}
	}
}

func TestRepoFirstPassRate(t *testing.T) {
	c, log := newRepoSim(t, Options{Seed: 2, FirstPass: 0.7, Repos: []Repo{pyRepo.repo, goRepo.repo}})
	right, n := 0, 0
	for seed := range 150 {
		for _, rc := range []repoCase{pyRepo, goRepo} {
			ask(t, c, firstRequest(rc), seed)
			if m := log.last(t); m["mutator"] == "" {
				right++
			}
			n++
		}
	}
	within(t, "first attempts right", float64(right)/float64(n), 0.7, n)
}

func TestRepoRepair(t *testing.T) {
	for _, rc := range []repoCase{pyRepo, goRepo} {
		t.Run(rc.repo.Name, func(t *testing.T) {
			c, log := newRepoSim(t, Options{FirstPass: -1, Repos: []Repo{rc.repo}})
			for seed := range 30 {
				first := firstRequest(rc)
				previous := content(ask(t, c, first, seed))
				msgs := append(first,
					assistant(previous),
					user("The tests still fail:\n\nFAILED test_solution.py::test_clamp - AssertionError: assert 5 == 3\nerror class: assertion\n"))
				answer := content(ask(t, c, msgs, seed))
				if m := log.last(t); m["attempt"] != "repair of assertion" || m["answer"] != "pass" || m["round"] != 1.0 {
					t.Errorf("seed %d: log %v", seed, m)
				}
				a := apply(t, rc, rc.buggy, answer)
				for _, o := range a.outcomes {
					if o.Err != nil || o.Match != edit.Exact {
						t.Fatalf("seed %d: edit %d: %v, %v\n%s", seed, o.Edit.Block, o.Match, o.Err, answer)
					}
				}
				if !rc.fixed(a.files) {
					t.Fatalf("seed %d: the repair does not fix the repository:\n%s", seed, answer)
				}
			}
		})
	}
}

// TestRepoRepairShowsCurrentFiles: feedback that shows the files as the
// last answer left them is what the repair edits (the latest message
// showing a path wins).
func TestRepoRepairShowsCurrentFiles(t *testing.T) {
	rc := pyRepo
	c, _ := newRepoSim(t, Options{Repos: []Repo{rc.repo}})
	half := maps.Clone(rc.buggy)
	half["pkg/text.py"] = rc.repo.Fixed["pkg/text.py"]
	half["solution.py"] = strings.Replace(rc.buggy["solution.py"], "total = 1", "total = 0", 1)
	msgs := append(firstRequest(rc),
		assistant("pkg/text.py\n```python\n<<<<<<< SEARCH\n    return s.lower() + \"!\"\n=======\n    return s.upper() + \"!\"\n>>>>>>> REPLACE\n```\n"),
		user(show("test_clamp still fails (AssertionError). The files now:", half)))
	for seed := range 10 {
		a := apply(t, rc, half, content(ask(t, c, msgs, seed)))
		if len(a.edits) != 1 || a.edits[0].Path != "solution.py" || !rc.fixed(a.files) {
			t.Fatalf("seed %d: want the one edit left, in solution.py: %+v", seed, a.edits)
		}
	}
	// Everything fixed: nothing to do.
	done := maps.Clone(rc.buggy)
	maps.Copy(done, rc.repo.Fixed)
	msgs[len(msgs)-1] = user(show("The tests time out on the CI machine. The files now:", done))
	if got := content(ask(t, c, msgs, 1)); got != alreadyCorrect {
		t.Errorf("fixed files: %q", got)
	}
}

func TestRepoRepairRate(t *testing.T) {
	c, log := newRepoSim(t, Options{FirstPass: -1, RepoRepairRate: -1, Repos: []Repo{pyRepo.repo}})
	msgs := append(firstRequest(pyRepo), assistant("No idea."), user("AssertionError"))
	for seed := range 10 {
		ask(t, c, msgs, seed)
		if m := log.last(t); m["mutator"] == "" || !strings.HasPrefix(m["attempt"].(string), "repair") {
			t.Fatalf("seed %d: a repair rate of 0 gave %v", seed, m)
		}
	}
}

func TestRepoDeterminism(t *testing.T) {
	c, _ := newRepoSim(t, Options{Seed: 4, FirstPass: 0.3, Repos: []Repo{pyRepo.repo, goRepo.repo}})
	other, _ := newRepoSim(t, Options{Seed: 4, FirstPass: 0.3, Repos: []Repo{goRepo.repo, pyRepo.repo}})
	distinct := map[string]bool{}
	for seed := range 20 {
		for _, rc := range []repoCase{pyRepo, goRepo} {
			a := content(ask(t, c, firstRequest(rc), seed))
			if b := content(ask(t, c, firstRequest(rc), seed)); a != b {
				t.Fatalf("%s, seed %d: the same request gave\n%s\nand\n%s", rc.repo.Name, seed, a, b)
			}
			if b := content(ask(t, other, firstRequest(rc), seed)); a != b {
				t.Fatalf("%s, seed %d: two servers with the same seed and tasks disagree", rc.repo.Name, seed)
			}
			distinct[a] = true
		}
	}
	if len(distinct) < 10 {
		t.Errorf("40 requests gave %d distinct answers", len(distinct))
	}
}

func TestRepoRecognition(t *testing.T) {
	// The tasks' fixed versions differ in two lines.
	fixed := func(start, op string) string {
		return "def f(xs):\n    out = " + start + "\n    for x in xs:\n        if x " + op + " 0:\n            out.append(x)\n    return out\n"
	}
	repos := []Repo{
		{Name: "pos", Fixed: map[string]string{"solution.py": fixed("list()", ">")}},
		{Name: "neg", Fixed: map[string]string{"solution.py": fixed("[]", "<")}},
		{Name: "nonzero-too", Fixed: map[string]string{"solution.py": fixed("[0]", "!=")}},
		{Name: "nonzero", Fixed: map[string]string{"solution.py": fixed("[0]", "!=")}},
		{Name: "other", Fixed: map[string]string{"lib/other.py": "x = 1\n"}},
	}
	c, log := newRepoSim(t, Options{FirstPass: 1, Repos: repos})
	tests := []struct {
		name  string
		files map[string]string
		want  string // the task; "" for none
		fixed string // the content of the task's file after the answer
	}{
		{"nearest", map[string]string{"solution.py": fixed("list()", ">=")}, "pos", fixed("list()", ">")},
		{"nearest, another", map[string]string{"solution.py": fixed("[]", "<=")}, "neg", fixed("[]", "<")},
		{"ties by name", map[string]string{"solution.py": fixed("[0]", "==")}, "nonzero", fixed("[0]", "!=")},
		{"ties among all", map[string]string{"solution.py": fixed("()", "==")}, "neg", fixed("[]", "<")},
		{"far from all", map[string]string{"solution.py": "def f(xs):\n    return [x for x in xs if x > 0]\n"}, "neg", fixed("[]", "<")},
		{"already fixed", map[string]string{"solution.py": fixed("list()", ">")}, "pos", ""},
		{"another path", map[string]string{"lib/other.py": "x = 2\n", "README.md": "# other\n"}, "other", "x = 1\n"},
		{"a shown task already fixed wins", map[string]string{"lib/other.py": "x = 2\n", "solution.py": fixed("list()", ">")}, "pos", ""},
		{"unknown path", map[string]string{"main.py": fixed("[]", "<=")}, "", ""},
		{"path in backticks", map[string]string{"`./solution.py`": fixed("list()", ">=")}, "pos", fixed("list()", ">")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer := content(ask(t, c, []openai.ChatCompletionMessage{user(show("Fix the bug.", tt.files))}, 3))
			task := log.last(t)["task"]
			switch {
			case tt.want == "":
				if task != "(unknown)" {
					t.Fatalf("task %v, want none", task)
				}
				return
			case task != "repo "+tt.want:
				t.Fatalf("task %v, want repo %s", task, tt.want)
			case tt.fixed == "":
				if answer != alreadyCorrect {
					t.Fatalf("answer %q, want %q", answer, alreadyCorrect)
				}
				return
			}
			shown := map[string]string{}
			for p, text := range tt.files {
				shown[strings.TrimPrefix(strings.Trim(p, "`"), "./")] = text
			}
			a := apply(t, repoCase{}, shown, answer)
			p := "solution.py"
			if tt.want == "other" {
				p = "lib/other.py"
			}
			if a.files[p] != tt.fixed {
				t.Fatalf("%s after the answer:\n%s\nwant\n%s\nanswer:\n%s", p, a.files[p], tt.fixed, answer)
			}
		})
	}
}

// TestRepoKeepsDatasetTasks: a server with repository tasks still answers
// HumanEval.
func TestRepoKeepsDatasetTasks(t *testing.T) {
	c, log := newRepoSim(t, Options{FirstPass: 1, Repos: []Repo{pyRepo.repo}})
	task := humanEval(t).Tasks[2]
	ask(t, c, []openai.ChatCompletionMessage{user(instruction(task.Prompt))}, 1)
	if got := log.last(t)["task"]; got != task.ID {
		t.Errorf("task %v, want %s", got, task.ID)
	}
}

func TestRepoOptionsValidation(t *testing.T) {
	ok := map[string]string{"a.py": "x = 1\n"}
	for _, o := range []Options{
		{Repos: []Repo{{Fixed: ok}}},
		{Repos: []Repo{{Name: "a", Fixed: ok}, {Name: "a", Fixed: ok}}},
		{Repos: []Repo{{Name: "a"}}},
		{Repos: []Repo{{Name: "a", Fixed: map[string]string{"../a.py": ""}}}},
		{Repos: []Repo{{Name: "a", Fixed: map[string]string{"/a.py": ""}}}},
		{Repos: []Repo{{Name: "a", Fixed: map[string]string{"a.py": "", "./a.py": ""}}}},
		{Repos: []Repo{{Name: "a", Fixed: ok, Tests: []string{"../t.py"}}}},
		{RepoRepairRate: 1.5},
	} {
		o.Languages = builtin.Registry().Languages()
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestDiffLines(t *testing.T) {
	tests := []struct {
		a, b    string
		changed int
	}{
		{"", "", 0},
		{"a\nb\n", "a\nb", 0},
		{"a\r\nb\r\n", "a\nb\n", 0},
		{"", "a\n", 1},
		{"a\n", "", 1},
		{"a\nb\nc\n", "a\nx\nc\n", 2},
		{"a\nb\nc\nd\ne\n", "b\nc\nd\ne\nf\n", 2},
		{"a\nb\nc\nd\ne\nf\n", "a\nB\nc\nd\nE\nf\n", 4},
		{"x\na\nb\n", "a\nb\nx\n", 2},
	}
	for _, tt := range tests {
		a, b := splitText(tt.a), splitText(tt.b)
		hs := diffLines(a, b)
		if got := changedLines(hs); got != tt.changed {
			t.Errorf("diff %q → %q: %d changed lines, want %d", tt.a, tt.b, got, tt.changed)
		}
		if got := target(fileDiff{old: a, hunks: hs}, nil); !slices.Equal(got, b) {
			t.Errorf("diff %q → %q: the hunks make %q", tt.a, tt.b, got)
		}
	}
}

// TestWrongFixLeavesTheFixAlone: a wrong fix does not change what the fix
// changes, which could fix the bug another way.
func TestWrongFixLeavesTheFixAlone(t *testing.T) {
	tests := []struct {
		lines, other []string
		want         []string // the possible results; nil: none
	}{
		{[]string{"\tfor _, x := range xs[1:] {"}, []string{"\tfor _, x := range xs {"}, nil},
		{[]string{"    if x > hi:"}, []string{"    if x < hi:"}, nil},
		{[]string{"    if x > hi + 1:"}, []string{"    if x < hi + 1:"}, []string{"    if x > hi + 0:", "    if x > hi + 2:"}},
		{[]string{"a = 1", "b = 2"}, []string{"a = 1", "b = 3"}, []string{"a = 0", "a = 2"}},
		{[]string{"if n < 2:", "    return n"}, []string{"return n"}, []string{"if n < 1:", "if n < 3:", "if n <= 2:"}},
	}
	for _, tt := range tests {
		for seed := range uint64(20) {
			got, ok := mutateLines(tt.lines, tt.other, rand.New(rand.NewPCG(seed, 1)))
			if !ok {
				if tt.want != nil {
					t.Errorf("mutateLines(%q, %q): none", tt.lines, tt.other)
				}
				break
			}
			if tt.want == nil || !slices.ContainsFunc(got, func(l string) bool { return slices.Contains(tt.want, l) }) {
				t.Errorf("mutateLines(%q, %q) = %q, want a line of %q", tt.lines, tt.other, got, tt.want)
			}
		}
	}
}

func TestMutations(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"if x < lo:", []string{"<"}},
		{"for i in range(10):", []string{"10"}},
		{"def f(x) -> int:", nil},
		{"v := <-ch", nil},
		{"a <<= 2; b >= c; d == e; f != g", []string{"2", ">=", "==", "!="}},
		{"x1 = y.5 + 3.25 + 0x1f", nil},
		{"if a === b && c => d", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range mutations(tt.line) {
			got = append(got, tt.line[m.lo:m.hi])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("mutations(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestFileBlocks: the blocks of a diff, and the same blocks shifted 4
// spaces, make the fixed file under edit.Apply, whatever the diff's shape.
func TestFileBlocks(t *testing.T) {
	tests := []struct{ name, old, fixed string }{
		{"one line", "a\nb\nc\n", "a\nB\nc\n"},
		{"neighbouring hunks", "a\nb\nc\nd\ne\n", "A\nb\nC\nd\nE\n"},
		{"first line", "a\nb\n", "x\nb\n"},
		{"last line", "a\nb\n", "a\nx\n"},
		{"insert at the start", "a\nb\n", "x\na\nb\n"},
		{"insert at the end", "a\nb\n", "a\nb\nx\n"},
		{"delete a line", "a\nb\nc\n", "a\nc\n"},
		{"delete everything", "a\nb\n", ""},
		{"an empty file", "", "a\n"},
		{"a blank file", "\n\n", "a\n"},
		{"repeated lines", "if x:\n    return 1\nif y:\n    return 1\nif z:\n    return 1\n", "if x:\n    return 1\nif y:\n    return 2\nif z:\n    return 1\n"},
		{"repeated blocks", "}\n}\n}\nx\n}\n}\n}\n", "}\n}\n}\ny\n}\n}\n}\n"},
		{"repeated at other indents", "def f():\n    if a:\n        return b\n    if a:\n            return b\n", "def f():\n    if a:\n        return c\n    if a:\n            return b\n"},
		{"blank context", "a\n\n\n\nb\n", "a\n\nx\n\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, fixed := splitText(tt.old), splitText(tt.fixed)
			f := fileDiff{path: "f.py", old: old, fixed: fixed, hunks: diffLines(old, fixed)}
			for _, strict := range []bool{false, true} {
				bs := fileBlocks(f, nil, strict)
				if strict {
					for i, b := range bs {
						if !b.whole {
							bs[i].search, bs[i].replace = shift(b.search, false), shift(b.replace, false)
						}
					}
				}
				text := renderBlocks(bs)
				changed, outs := edit.Apply(map[string]string{"f.py": tt.old}, parse(text), edit.Options{})
				for _, o := range outs {
					if o.Err != nil || !strict && o.Match != edit.Exact && o.Match != edit.WholeFile {
						t.Errorf("strict %v: edit %d: %v %v\n%s", strict, o.Edit.Block, o.Match, o.Err, text)
					}
				}
				if got := changed["f.py"]; !slices.Equal(splitText(got), fixed) {
					t.Errorf("strict %v: the blocks make %q, want %q\n%s", strict, got, tt.fixed, text)
				}
			}
		})
	}
}
