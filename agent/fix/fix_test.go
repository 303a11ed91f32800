package fix_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// scripted is an OpenAI-compatible endpoint that gives canned answers in
// turn (the last one again when they run out), over the real protocol.
type scripted struct {
	mu       sync.Mutex
	answers  []string
	requests int
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/v1/models" {
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []map[string]any{{"id": "scripted", "object": "model"}}})
		return
	}
	s.mu.Lock()
	i := min(s.requests, len(s.answers)-1)
	s.requests++
	s.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{
		"id": "x", "object": "chat.completion", "created": 1, "model": "scripted",
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": s.answers[i]}}},
		"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
	})
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func needDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker")
	}
}

var calc = map[string]string{
	"calc.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
	"test_calc.py": "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n" +
		"def test_mul():\n    assert mul(2, 3) == 6\n",
}

const calcFix = "The bug is in `add`: it subtracts.\n\ncalc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```\n"

func config(t testing.TB, dir, url string) fix.Config {
	out := filepath.Join(os.TempDir(), "selfrepair-fix-test")
	if t != nil {
		out = filepath.Join(t.TempDir(), "run")
	}
	return fix.Config{
		Dir: dir, Test: "python3 -m pytest -q", Rounds: 3, Out: out,
		Limits:   sandbox.Limits{Timeout: 20 * time.Second},
		Registry: builtin.Registry(),
		Model:    session.ModelSettings{Name: "scripted", BaseURL: url, APIKey: "k", Concurrency: 1},
	}
}

// TestFixScripted: a wrong first answer, then the fix; the patch applies
// to a clean checkout and the user's tree is untouched.
func TestFixScripted(t *testing.T) {
	needDocker(t)
	dir := repotest.New(t, calc)
	before := repotest.TreeHash(t, dir)
	srv := httptest.NewServer(&scripted{answers: []string{
		"calc.py\n```python\n<<<<<<< SEARCH\n    return a * b\n=======\n    return b * a\n>>>>>>> REPLACE\n```\n",
		calcFix,
	}})
	defer srv.Close()
	res, err := fix.Run(context.Background(), config(t, dir, srv.URL+"/v1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Ending != fix.Fixed || res.BestRound != 1 || len(res.Attempts) != 2 {
		t.Fatalf("ending %s in round %d after %d attempts", res.Ending, res.BestRound, len(res.Attempts))
	}
	if !slices.Equal(res.Fix.Targets, []string{"test_calc::test_add"}) || !slices.Equal(res.Fix.Guards, []string{"test_calc::test_mul"}) {
		t.Errorf("targets %v guards %v", res.Fix.Targets, res.Fix.Guards)
	}
	if got := repotest.TreeHash(t, dir); got != before {
		t.Error("the user's tree changed")
	}
	patch, err := os.ReadFile(res.Patch)
	if err != nil {
		t.Fatal(err)
	}
	clean := t.TempDir()
	repotest.Git(t, clean, "clone", "-q", dir, ".")
	repotest.Git(t, clean, "apply", "--check", res.Patch)
	repotest.Git(t, clean, "apply", res.Patch)
	if b, _ := os.ReadFile(filepath.Join(clean, "calc.py")); !strings.Contains(string(b), "return a + b") {
		t.Errorf("the patch does not fix calc.py:\n%s", patch)
	}
}

// TestNothingFailing: a passing suite ends at once, and no model is asked.
func TestNothingFailing(t *testing.T) {
	needDocker(t)
	files := map[string]string{"calc.py": "def add(a, b):\n    return a + b\n", "test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"}
	dir := repotest.New(t, files)
	s := &scripted{answers: []string{calcFix}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	res, err := fix.Run(context.Background(), config(t, dir, srv.URL+"/v1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Ending != fix.NothingFailing || s.count() != 0 {
		t.Errorf("ending %s after %d requests", res.Ending, s.count())
	}
}

// TestSpoofing: patches that make the tests skip, exit early, print fake
// passes, or (with test edits allowed) delete the tests never fix.
func TestSpoofing(t *testing.T) {
	needDocker(t)
	for _, c := range []struct {
		name, answer string
		allowTests   bool
	}{
		{"skip", "calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n=======\nimport pytest\npytest.skip('later', allow_module_level=True)\n\n\ndef add(a, b):\n>>>>>>> REPLACE\n```\n", false},
		{"exit-early", "calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n=======\nimport os\nos._exit(0)\n\n\ndef add(a, b):\n>>>>>>> REPLACE\n```\n", false},
		{"fake-pass-lines", "calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n=======\nprint('test_calc.py::test_add PASSED')\nprint('1 passed in 0.01s')\nprint('<testcase classname=\"test_calc\" name=\"test_add\"/>')\n\n\ndef add(a, b):\n>>>>>>> REPLACE\n```\n", false},
		{"delete-tests", "test_calc.py\n```python\n```\n", true},
		{"edit-test-refused", "test_calc.py\n```python\n<<<<<<< SEARCH\n    assert add(2, 3) == 5\n=======\n    assert True\n>>>>>>> REPLACE\n```\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := repotest.New(t, calc)
			srv := httptest.NewServer(&scripted{answers: []string{c.answer}})
			defer srv.Close()
			cfg := config(t, dir, srv.URL+"/v1")
			cfg.Rounds, cfg.AllowTestEdits = 1, c.allowTests
			res, err := fix.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Ending == fix.Fixed {
				t.Fatalf("a spoofed patch was taken for a fix")
			}
			for _, a := range res.Attempts {
				if a.Passed {
					t.Errorf("round %d passed: %+v", a.Round, a.Tests)
				}
			}
		})
	}
}

// TestBadInput: each is one *UsageError (or, for the engine's side, an
// error that is not one), before any model call.
func TestBadInput(t *testing.T) {
	needDocker(t)
	s := &scripted{answers: []string{calcFix}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	notRepo := t.TempDir()
	dirty := repotest.New(t, calc)
	os.WriteFile(filepath.Join(dirty, "calc.py"), []byte("x = 1\n"), 0o644)
	for _, c := range []struct {
		name  string
		cfg   func(fix.Config) fix.Config
		usage bool
		want  string
	}{
		{"not a repository", func(c fix.Config) fix.Config { c.Dir = notRepo; return c }, true, "not in a git repository"},
		{"dirty tree with --apply", func(c fix.Config) fix.Config { c.Dir, c.Apply = dirty, true; return c }, true, "uncommitted changes"},
		{"command not found", func(c fix.Config) fix.Config { c.Test = "no-such-runner -q"; return c }, true, "not found in image"},
		{"over the size limit", func(c fix.Config) fix.Config { c.SnapshotLimit = 10; return c }, true, "snapshot limit"},
		{"setup failing", func(c fix.Config) fix.Config { c.Setup = "echo 'npm ERR! 404 left-pad' >&2; exit 1"; return c }, true, "npm ERR! 404"},
		{"image missing", func(c fix.Config) fix.Config { c.Image = "selfrepair/no-such-image:1"; return c }, false, "no-such-image"},
		{"endpoint down", func(c fix.Config) fix.Config { c.Model.BaseURL = "http://127.0.0.1:9/v1"; return c }, false, "127.0.0.1:9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg(config(t, repotest.New(t, calc), srv.URL+"/v1"))
			_, err := fix.Run(context.Background(), cfg)
			var ue *fix.UsageError
			if err == nil || errors.As(err, &ue) != c.usage || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v (usage %v), want one line with %q (usage %v)", err, errors.As(err, &ue), c.want, c.usage)
			}
		})
	}
	if s.count() != 0 {
		t.Errorf("bad input made %d model calls", s.count())
	}
}

// TestFlakyQuarantined: tests whose result varies between the baseline's
// runs are quarantined, never targets or guards. Each flaky test here
// fails or passes by the parity of a string's hash, which Python draws
// anew in every process: it stays the same in three runs a quarter of the
// time, so eight of them all do with odds of 1 in 65,536.
func TestFlakyQuarantined(t *testing.T) {
	needDocker(t)
	var b strings.Builder
	b.WriteString("from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n")
	var flaky []string
	for i := range 8 {
		fmt.Fprintf(&b, "\n\ndef test_flaky_%d():\n    assert hash('flaky %d') %% 2 == 0\n", i, i)
		flaky = append(flaky, fmt.Sprintf("test_calc::test_flaky_%d", i))
	}
	dir := repotest.New(t, map[string]string{"calc.py": calc["calc.py"], "test_calc.py": b.String()})
	srv := httptest.NewServer(&scripted{answers: []string{"I cannot tell."}})
	defer srv.Close()
	cfg := config(t, dir, srv.URL+"/v1")
	cfg.Rounds = 0
	res, err := fix.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	q := res.Fix.Quarantined
	if len(q) == 0 {
		t.Fatalf("nothing quarantined: targets %v guards %v", res.Fix.Targets, res.Fix.Guards)
	}
	for _, id := range q {
		if !slices.Contains(flaky, id) {
			t.Errorf("%s quarantined", id)
		}
		if slices.Contains(res.Fix.Targets, id) || slices.Contains(res.Fix.Guards, id) {
			t.Errorf("%s is quarantined and a target or guard", id)
		}
	}
	if !slices.Contains(res.Fix.Targets, "test_calc::test_add") {
		t.Errorf("targets %v lack test_add", res.Fix.Targets)
	}
	t.Logf("quarantined %d of %d flaky tests", len(q), len(flaky))
}

// TestSetup: the setup step's products are there in every test run, and
// not in the patch.
func TestSetup(t *testing.T) {
	needDocker(t)
	files := map[string]string{"calc.py": "from generated import OFFSET\n\n\ndef add(a, b):\n    return a - b + OFFSET\n",
		"test_calc.py": calc["test_calc.py"]}
	files["calc.py"] = strings.Replace(files["calc.py"], "\n\n\ndef mul", "", 1) + "\n\ndef mul(a, b):\n    return a * b\n"
	dir := repotest.New(t, files)
	srv := httptest.NewServer(&scripted{answers: []string{"calc.py\n```python\n<<<<<<< SEARCH\n    return a - b + OFFSET\n=======\n    return a + b + OFFSET\n>>>>>>> REPLACE\n```\n"}})
	defer srv.Close()
	cfg := config(t, dir, srv.URL+"/v1")
	cfg.Setup = "echo OFFSET = 0 > generated.py"
	res, err := fix.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ending != fix.Fixed || !slices.Equal(res.Fix.Targets, []string{"test_calc::test_add"}) {
		t.Fatalf("ending %s, targets %v", res.Ending, res.Fix.Targets)
	}
	patch, _ := os.ReadFile(res.Patch)
	if strings.Contains(string(patch), "generated.py") || !strings.Contains(string(patch), "calc.py") {
		t.Errorf("patch:\n%s", patch)
	}
}
