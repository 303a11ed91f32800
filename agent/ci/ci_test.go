package ci_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/selfrepair/selfrepair/agent/ci"
	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/session"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks/bugs"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want ci.Env
	}{
		{"none", map[string]string{"HOME": "/root"}, ci.Env{}},
		{"github pull request", map[string]string{"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc",
			"GITHUB_HEAD_REF": "feature", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_REF_NAME": "7/merge", "GITHUB_RUN_ID": "42",
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_STEP_SUMMARY": "/tmp/s", "GITHUB_OUTPUT": "/tmp/o"},
			ci.Env{Kind: ci.GitHub, Repo: "o/r", SHA: "abc", Ref: "feature", RunID: "42", PR: 7, RunURL: "https://github.com/o/r/actions/runs/42",
				StepSummary: "/tmp/s", Output: "/tmp/o"}},
		{"github push", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_REF_NAME": "main"},
			ci.Env{Kind: ci.GitHub, Repo: "o/r", Ref: "main"}},
		{"gitlab merge request", map[string]string{"GITLAB_CI": "true", "CI": "true", "CI_PROJECT_PATH": "g/p", "CI_COMMIT_SHA": "def",
			"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "fix-it", "CI_COMMIT_REF_NAME": "refs/merge-requests/3/head", "CI_JOB_ID": "9",
			"CI_JOB_URL": "https://gitlab.com/g/p/-/jobs/9", "CI_MERGE_REQUEST_IID": "3"},
			ci.Env{Kind: ci.GitLab, Repo: "g/p", SHA: "def", Ref: "fix-it", RunID: "9", PR: 3, RunURL: "https://gitlab.com/g/p/-/jobs/9"}},
		{"another CI", map[string]string{"CI": "true"}, ci.Env{Kind: ci.Generic}},
		{"CI=false", map[string]string{"CI": "false"}, ci.Env{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ci.Detect(getenv(c.env)); got != c.want {
				t.Errorf("Detect = %+v, want %+v", got, c.want)
			}
		})
	}
}

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestAnnotations(t *testing.T) {
	r := ci.Result{Fixed: true, Files: []string{"calc.py"}, Before: ci.Before{Failing: []rundir.TestFailure{
		{Test: "test_calc::test_add", Message: "assert -1 == 5, 100% wrong\nsecond line", File: "tests/test_calc.py", Line: 5},
		{Test: "(the test command)"},
	}}}
	want := "::error file=tests/test_calc.py,line=5,title=test_calc%3A%3Atest_add failed::assert -1 == 5, 100%25 wrong%0Asecond line\n" +
		"::error title=(the test command) failed::the test failed\n" +
		"::notice title=selfrepair::a patch makes the failing tests pass (fix.patch, calc.py)\n"
	if got := ci.Annotations(r); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// GitHub shows ten error annotations a step: nine tests, then the count
	// of the rest.
	r = ci.Result{}
	for range 25 {
		r.Before.Failing = append(r.Before.Failing, rundir.TestFailure{Test: "t", Message: "m"})
	}
	lines := strings.Split(strings.TrimSpace(ci.Annotations(r)), "\n")
	if len(lines) != 10 || lines[9] != "::error title=selfrepair::16 more failing tests: see the summary" {
		t.Errorf("%d annotations, the last %q", len(lines), lines[len(lines)-1])
	}
}

// TestSummaryLimit: a patch too large for GitHub's step summary is named,
// not shown, and the summary stays under the limit.
func TestSummaryLimit(t *testing.T) {
	r := ci.Result{Ending: fix.Fixed, Fixed: true, Test: "pytest", Commit: "0123456789abcdef", Patch: ci.PatchFile, Files: []string{"big.py"},
		Before: ci.Before{Failing: []rundir.TestFailure{{Test: "t|1", Message: "a | b"}}}, After: &ci.After{Passing: []string{"t|1"}}}
	small := ci.Summary(r, nil, "--- a/big.py\n+++ b/big.py\n@@ -1 +1 @@\n-x\n+y\n")
	if !strings.Contains(small, "````diff\n--- a/big.py") || !strings.Contains(small, "| `t¦1` | failed: a \\| b | passes |") {
		t.Errorf("summary:\n%s", small)
	}
	big := ci.Summary(r, nil, strings.Repeat("+x\n", 1<<20))
	if len(big) > ci.SummaryLimit || !strings.Contains(big, "too large to show here") {
		t.Errorf("%d bytes (limit %d):\n%.500s", len(big), ci.SummaryLimit, big)
	}
}

func TestRefusals(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	cfg := ci.Config{Out: out, Getenv: getenv(map[string]string{"GITHUB_TOKEN": "ghs_x", "GL_TOKEN": "y"})}
	_, err := ci.Run(context.Background(), cfg)
	var ue *fix.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "(GITHUB_TOKEN, GL_TOKEN)") {
		t.Errorf("with a token: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused run made %s", out)
	}
	cfg = ci.Config{Getenv: getenv(nil)}
	if _, err = ci.Run(context.Background(), cfg); !errors.As(err, &ue) || !strings.Contains(err.Error(), "give the output folder with --out") {
		t.Errorf("no --out outside CI: %v", err)
	}
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(out, "old"), nil, 0o644)
	cfg = ci.Config{Out: out, Getenv: getenv(nil)}
	if _, err = ci.Run(context.Background(), cfg); !errors.As(err, &ue) || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("a used --out: %v", err)
	}
}

var calc = map[string]string{
	"calc.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
	"test_calc.py": "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n" +
		"def test_mul():\n    assert mul(2, 3) == 6\n",
}

// planted is a token a CI job might hold; it must turn up nowhere.
// The test command looks for a part of it in its environment.
const (
	planted     = "ghp_PLANTEDtoken0123456789abcdefABCDEF"
	plantedPart = "PLANTEDtoken"
)

// TestCI: a red repository in a GitHub Actions job, with a write token in
// the environment (allowed): ci fixes it against the simulator, writes a
// patch that applies to a clean clone, summary.md (also in the step
// summary), result.json and annotations. The token is in no request to
// the model, no log line, no output file, and not in the test containers'
// environment (the test command fails when it is). A green build is
// nothing to fix.
func TestCI(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	t.Setenv("GITHUB_TOKEN", planted)
	var (
		mu   sync.Mutex
		seen bytes.Buffer // every request the model's endpoint got
	)
	srv, err := sim.New(sim.Options{Languages: builtin.Registry().Languages(),
		Repos: []sim.Repo{{Name: "calc", Fixed: map[string]string{"calc.py": strings.Replace(calc["calc.py"], "a - b", "a + b", 1)}, Tests: []string{"test_calc.py"}}}})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		r.Header.Write(&seen)
		seen.WriteString(r.URL.String() + "\n")
		seen.Write(body)
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	defer api.Close()
	var logs bytes.Buffer
	var outputs string // the step outputs' file of the last run
	run := func(t *testing.T, files map[string]string) (string, *ci.Outcome, string, string) {
		dir := repotest.New(t, files)
		out := filepath.Join(t.TempDir(), "out")
		summary := filepath.Join(t.TempDir(), "step-summary.md")
		outputs = filepath.Join(t.TempDir(), "outputs")
		var ann bytes.Buffer
		o, err := ci.Run(context.Background(), ci.Config{
			Fix: fix.Config{Dir: dir, Test: "! env | grep -q " + plantedPart + " && python3 -m pytest -q", Rounds: 3,
				Limits: sandbox.Limits{Timeout: 20 * time.Second}, Registry: builtin.Registry(),
				Model:  session.ModelSettings{Name: sim.DefaultModel, BaseURL: api.URL + "/v1", APIKey: "k", Concurrency: 1},
				Cache:  &session.CacheSettings{Dir: filepath.Join(out, "..", "cache")},
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))},
			Out: out, Env: ci.Detect(getenv(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary,
				"GITHUB_REF": "refs/pull/7/merge", "GITHUB_HEAD_REF": "main", "GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "octo/calc",
				"GITHUB_OUTPUT": outputs})),
			Getenv: os.Getenv, AllowToken: true, Annotations: &ann,
		})
		if err != nil {
			t.Fatal(err)
		}
		step, _ := os.ReadFile(summary)
		return dir, o, string(step), ann.String()
	}

	t.Run("red", func(t *testing.T) {
		dir, o, step, ann := run(t, calc)
		out := filepath.Dir(o.Fix.Dir)
		if !o.Result.Fixed || o.Result.Ending != fix.Fixed {
			t.Fatalf("ended %s (targets %v)", o.Result.Ending, o.Fix.Fix.Targets)
		}
		var rj ci.Result
		if b, err := os.ReadFile(filepath.Join(out, ci.ResultFile)); err != nil || json.Unmarshal(b, &rj) != nil {
			t.Fatalf("result.json: %v\n%s", err, b)
		}
		f := rj.Before.Failing
		if rj.Schema != ci.Schema || rj.Patch != ci.PatchFile || len(f) != 1 || f[0].Test != "test_calc::test_add" ||
			f[0].File != "test_calc.py" || f[0].Line != 5 || rj.After == nil || len(rj.After.Passing) != 1 || rj.Before.Passing != 1 {
			t.Errorf("result.json: %+v (before %+v, after %+v)", rj, rj.Before, rj.After)
		}
		clean := t.TempDir()
		repotest.Git(t, clean, "clone", "-q", dir, ".")
		repotest.Git(t, clean, "apply", filepath.Join(out, ci.PatchFile))
		md, _ := os.ReadFile(filepath.Join(out, ci.SummaryFile))
		if !strings.HasPrefix(string(md), "## selfrepair: fixed\n") || !strings.Contains(string(md), "| `test_calc::test_add` | failed: ") ||
			!strings.Contains(string(md), "+    return a + b") {
			t.Errorf("summary.md:\n%s", md)
		}
		if step != string(md) {
			t.Errorf("the step summary is not summary.md:\n%s", step)
		}
		if b, _ := os.ReadFile(outputs); string(b) != "fixed=true\nending=fixed\npatch=fix.patch\n" {
			t.Errorf("the step's outputs: %q", b)
		}
		if !strings.HasPrefix(ann, "::error file=test_calc.py,line=5,title=test_calc%3A%3Atest_add failed::assert") ||
			!strings.HasSuffix(ann, "::notice title=selfrepair::a patch makes the failing tests pass (fix.patch, calc.py)\n") {
			t.Errorf("annotations:\n%s", ann)
		}
		// The token: nowhere.
		filepath.WalkDir(filepath.Dir(out), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(planted)) {
					t.Errorf("the token is in %s", p)
				}
			}
			return nil
		})
		mu.Lock()
		defer mu.Unlock()
		for what, s := range map[string]string{"a request to the model": seen.String(), "the log": logs.String(), "the annotations": ann, "the step summary": step} {
			if strings.Contains(s, planted) {
				t.Errorf("the token is in %s", what)
			}
		}
		if seen.Len() == 0 || logs.Len() == 0 {
			t.Errorf("nothing seen: %d bytes of requests, %d of logs", seen.Len(), logs.Len())
		}
		publish(t, dir, out)
		publishGitLab(t, dir, out)
	})

	t.Run("green", func(t *testing.T) {
		green := map[string]string{"calc.py": strings.Replace(calc["calc.py"], "a - b", "a + b", 1), "test_calc.py": calc["test_calc.py"]}
		_, o, step, ann := run(t, green)
		out := filepath.Dir(o.Fix.Dir)
		if o.Result.Ending != fix.NothingFailing || o.Result.After != nil || o.Result.Patch != "" || ann != "" {
			t.Errorf("result %+v, annotations %q", o.Result, ann)
		}
		if !strings.HasPrefix(step, "## selfrepair: nothing to fix\n") {
			t.Errorf("summary:\n%s", step)
		}
		if _, err := os.Stat(filepath.Join(out, ci.PatchFile)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a patch for a green build: %v", err)
		}
	})
}

// publish: ci publish's pull request from ci's output, in a clone of the
// repository's remote (a bare repository here), as a later job has it:
// the branch with the patch is pushed, and the one request to GitHub's
// API (a test server that validates it against GitHub's published REST
// description) opens a draft pull request from it to the branch ci ran
// on. An API refusal is one line.
func publish(t *testing.T, dir, out string) {
	ctx := context.Background()
	bare, clone := remote(t, dir)

	// The pull request ci ran for changed add's line; GitHub lists its diff.
	prFiles, _ := json.Marshal([]map[string]string{{"filename": "calc.py", "status": "modified",
		"patch": "@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a\n+    return a - b"}})
	var (
		requests []map[string]any // pulls/create's
		others   = map[string]map[string]any{}
		status   = http.StatusCreated
	)
	api := apiServer(t, "testdata/github-rest.json", "Authorization", "Bearer ghs_publish",
		func(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body map[string]any) {
			switch op {
			case "pulls/create":
				requests = append(requests, body)
				w.WriteHeader(status)
				if status != http.StatusCreated {
					io.WriteString(w, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for octo:selfrepair/fix-42."}]}`)
					return
				}
				io.WriteString(w, `{"number":8,"html_url":"https://github.com/octo/calc/pull/8","draft":true}`)
			case "issues/create-comment":
				others[op+" "+r.URL.Path] = body
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, `{"id":1,"html_url":"https://github.com/octo/calc/pull/7#issuecomment-1"}`)
			case "pulls/list-files":
				w.Write(prFiles)
			case "pulls/create-review":
				others[op+" "+r.URL.Path] = body
				io.WriteString(w, `{"id":2,"html_url":"https://github.com/octo/calc/pull/7#pullrequestreview-2"}`)
			}
		})
	gh, err := ci.NewGitHub(api.URL, "octo/calc", "ghs_publish", api.Client())
	if err != nil {
		t.Fatal(err)
	}
	url, err := ci.OpenPR(ctx, ci.PublishConfig{From: out, Dir: clone, Forge: gh})
	if err != nil || url != "https://github.com/octo/calc/pull/8" {
		t.Fatalf("OpenPR = %q, %v", url, err)
	}
	summary, _ := os.ReadFile(filepath.Join(out, ci.SummaryFile))
	if len(requests) != 1 || requests[0]["title"] != "selfrepair: fix 1 failing test" || requests[0]["head"] != "selfrepair/fix-42" ||
		requests[0]["base"] != "main" || requests[0]["draft"] != true || requests[0]["body"] != string(summary) {
		t.Errorf("the pull request: %v", requests)
	}
	// The pushed branch is the commit ci fixed with the patch on it.
	check := t.TempDir()
	repotest.Git(t, check, "clone", "-q", "--branch", "selfrepair/fix-42", bare, ".")
	if b, _ := os.ReadFile(filepath.Join(check, "calc.py")); !strings.Contains(string(b), "return a + b") {
		t.Errorf("the pushed calc.py:\n%s", b)
	}
	if msg := repotest.Git(t, check, "log", "-1", "--format=%an <%ae>%n%s"); !strings.HasPrefix(msg, "selfrepair <") {
		t.Errorf("the commit: %s", msg)
	}

	// --comment: the summary on the pull request ci ran for.
	if url, err := ci.Comment(ctx, ci.PublishConfig{From: out, Commenter: gh}); err != nil || !strings.HasSuffix(url, "#issuecomment-1") {
		t.Errorf("Comment = %q, %v", url, err)
	}
	if c := others["issues/create-comment /repos/octo/calc/issues/7/comments"]; c["body"] != string(summary) {
		t.Errorf("the comment: %v (all: %v)", c, others)
	}
	// Review suggestions: the fix's one change is on a line the pull
	// request shows, so it is a suggestion there, nothing left aside.
	if url, err := ci.Suggest(ctx, ci.PublishConfig{From: out, Reviewer: gh}); err != nil || !strings.HasSuffix(url, "#pullrequestreview-2") {
		t.Errorf("Suggest = %q, %v", url, err)
	}
	rv := others["pulls/create-review /repos/octo/calc/pulls/7/reviews"]
	var rj ci.Result
	b, _ := os.ReadFile(filepath.Join(out, ci.ResultFile))
	json.Unmarshal(b, &rj)
	if cs, _ := rv["comments"].([]any); rv["event"] != "COMMENT" || rv["commit_id"] != rj.Commit || len(cs) != 1 ||
		!reflect.DeepEqual(cs[0], map[string]any{"path": "calc.py", "line": 2.0, "side": "RIGHT", "body": "```suggestion\n    return a + b\n```"}) ||
		strings.Contains(rv["body"].(string), "outside this pull request") {
		t.Errorf("the review: %v", rv)
	}

	// GitHub refuses: one line, with the status and GitHub's reason.
	status = http.StatusUnprocessableEntity
	other, clone2 := remote(t, dir) // a fresh remote: the branch is new there
	_, err = ci.OpenPR(ctx, ci.PublishConfig{From: out, Dir: clone2, Remote: other, Forge: gh})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "422 Validation Failed; custom A pull request already exists") {
		t.Errorf("a refused pull request: %v", err)
	}
	// A branch of selfrepair's own is not published from.
	repotest.Git(t, clone2, "checkout", "-q", "selfrepair/fix-42")
	if _, err = ci.OpenPR(ctx, ci.PublishConfig{From: out, Dir: clone2, Remote: other, Forge: gh}); err == nil || !strings.Contains(err.Error(), "a branch of selfrepair's own") {
		t.Errorf("publishing from its own branch: %v", err)
	}
}

// remote is a bare repository holding dir's HEAD as main, and a clone of
// it, as a publish job checks the repository out.
func remote(t *testing.T, dir string) (bare, clone string) {
	bare, clone = t.TempDir(), t.TempDir()
	repotest.Git(t, bare, "init", "-q", "--bare", "--initial-branch=main")
	repotest.Git(t, dir, "push", "-q", bare, "HEAD:refs/heads/main")
	repotest.Git(t, clone, "clone", "-q", bare, ".")
	return bare, clone
}

// apiServer serves the operations of the OpenAPI document file on a local
// port until the test ends: every request must be one of them, as the
// document describes it (path, parameters, body), and carry the token in
// header; handle answers it (the JSON content type is set).
func apiServer(t *testing.T, file, header, token string, handle func(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body map[string]any)) *httptest.Server {
	doc, err := openapi3.NewLoader().LoadFromFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		router routers.Router
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		route, params, err := router.FindRoute(r)
		if err == nil {
			err = openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route})
		}
		if err != nil {
			t.Errorf("%s %s: not as %s describes it: %v", r.Method, r.URL.RawPath, file, err)
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		if got := r.Header.Get(header); got != token {
			t.Errorf("%s: %s %q", route.Operation.OperationID, header, got)
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		w.Header().Set("Content-Type", "application/json")
		handle(w, r, route.Operation.OperationID, params, body)
	}))
	t.Cleanup(srv.Close)
	// The document's server is this one: its base path (GitLab's /api/v4) stays.
	u, _ := url.Parse(doc.Servers[0].URL)
	doc.Servers = openapi3.Servers{{URL: srv.URL + u.Path}}
	if router, err = gorillamux.NewRouter(doc); err != nil {
		t.Fatal(err)
	}
	return srv
}

// publishGitLab: the same output published to GitLab, whose test API
// server validates each request against the documented operations: the
// branch is pushed and a draft merge request opened from it; --comment
// is a note on the merge request; a refusal is one line.
func publishGitLab(t *testing.T, dir, out string) {
	ctx := context.Background()
	_, clone := remote(t, dir)
	got := map[string]map[string]any{}
	status := http.StatusCreated
	api := apiServer(t, "testdata/gitlab-rest.json", "Private-Token", "glpat-publish",
		func(w http.ResponseWriter, r *http.Request, op string, params map[string]string, body map[string]any) {
			// The project's path is URL-encoded in the request's path, as GitLab's documentation says.
			got[op+" "+params["id"]] = body
			w.WriteHeader(status)
			switch {
			case status != http.StatusCreated:
				io.WriteString(w, `{"message":["Another open merge request already exists for this source branch: !3"]}`)
			case op == "createMergeRequest":
				io.WriteString(w, `{"id":30,"iid":3,"web_url":"https://gitlab.example/octo/calc/-/merge_requests/3"}`)
			default:
				io.WriteString(w, `{"id":31,"body":"x"}`)
			}
		})
	gl, err := ci.NewGitLab(api.URL+"/api/v4", "octo/calc", "glpat-publish", api.Client())
	if err != nil {
		t.Fatal(err)
	}
	url, err := ci.OpenPR(ctx, ci.PublishConfig{From: out, Dir: clone, Forge: gl})
	if err != nil || url != "https://gitlab.example/octo/calc/-/merge_requests/3" {
		t.Fatalf("OpenPR on GitLab = %q, %v", url, err)
	}
	summary, _ := os.ReadFile(filepath.Join(out, ci.SummaryFile))
	mr := got["createMergeRequest octo%2Fcalc"]
	if mr["title"] != "Draft: selfrepair: fix 1 failing test" || mr["source_branch"] != "selfrepair/fix-42" || mr["target_branch"] != "main" ||
		mr["description"] != string(summary) {
		t.Errorf("the merge request: %v (all: %v)", mr, got)
	}
	if _, err := ci.Comment(ctx, ci.PublishConfig{From: out, Commenter: gl, PR: 3}); err != nil {
		t.Errorf("Comment on GitLab: %v", err)
	}
	if n := got["createMergeRequestNote octo%2Fcalc"]; n["body"] != string(summary) {
		t.Errorf("the note: %v", n)
	}
	status = http.StatusConflict
	other, clone2 := remote(t, dir) // a fresh remote: the branch is new there
	_, err = ci.OpenPR(ctx, ci.PublishConfig{From: out, Dir: clone2, Remote: other, Forge: gl})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "GitLab: cannot open the merge request: 409") {
		t.Errorf("a refused merge request: %v", err)
	}
}

// TestCIBugs: ci in a GitHub Actions job on red repositories as fix gets
// them (a HumanEvalFix and a QuixBugs Python task): against the simulator
// it writes a patch that applies to a clean clone and gives the fixed
// files, a summary of the failing tests (also in the step summary),
// result.json saying fixed, and an error annotation in the test file for
// each failing test.
func TestCIBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	dataDir := filepath.Join("..", "..", "..", "shared", "datasets")
	var jobs []bugs.Task
	for _, c := range []struct{ set, id string }{{bugs.HumanEvalFix, "Python/2"}, {bugs.QuixBugs, "quixbugs/python/gcd"}} {
		ts, err := bugs.Load(dataDir, c.set, "python")
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range ts {
			if task.ID == c.id {
				jobs = append(jobs, task)
			}
		}
	}
	if len(jobs) != 2 {
		t.Fatalf("found %d of the 2 tasks", len(jobs))
	}
	repos := make([]sim.Repo, len(jobs))
	for i, task := range jobs {
		repos[i] = sim.Repo{Name: task.ID, Fixed: task.Fixed, Tests: task.Tests}
	}
	srv, err := sim.New(sim.Options{Languages: builtin.Registry().Languages(), Repos: repos})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(srv)
	defer api.Close()
	for _, task := range jobs {
		t.Run(task.ID, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			if err := task.Write(ctx, dir); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			step := filepath.Join(t.TempDir(), "step-summary.md")
			var ann bytes.Buffer
			o, err := ci.Run(ctx, ci.Config{
				Fix: fix.Config{Dir: dir, Test: task.Test, Language: task.Language, TestFiles: task.Tests, Rounds: 4,
					Limits: sandbox.Limits{Timeout: 60 * time.Second}, Registry: builtin.Registry(),
					Model: session.ModelSettings{Name: sim.DefaultModel, BaseURL: api.URL + "/v1", APIKey: "k", Concurrency: 1}},
				Out: out, Env: ci.Detect(getenv(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": step, "GITHUB_REF_NAME": "main"})),
				Getenv: getenv(nil), Annotations: &ann,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !o.Result.Fixed {
				t.Fatalf("ended %s", o.Result.Ending)
			}
			clean := t.TempDir()
			repotest.Git(t, clean, "clone", "-q", dir, ".")
			repotest.Git(t, clean, "apply", filepath.Join(out, ci.PatchFile))
			for p, want := range task.Fixed {
				if b, _ := os.ReadFile(filepath.Join(clean, p)); string(b) != want {
					t.Errorf("%s after the patch:\n%s", p, b)
				}
			}
			md, _ := os.ReadFile(filepath.Join(out, ci.SummaryFile))
			if s, _ := os.ReadFile(step); string(s) != string(md) || !strings.HasPrefix(string(md), "## selfrepair: fixed\n") {
				t.Errorf("summary.md:\n%s\nstep summary:\n%s", md, s)
			}
			fs := o.Result.Before.Failing
			lines := strings.Split(strings.TrimSpace(ann.String()), "\n")
			if len(fs) == 0 || len(lines) != min(len(fs), 10)+1 {
				t.Fatalf("%d failing tests, annotations:\n%s", len(fs), ann.String())
			}
			for i, f := range fs[:min(len(fs), 9)] {
				if !strings.Contains(string(md), "| `"+f.Test+"` | failed") || !slices.Contains(task.Tests, f.File) || f.Line == 0 ||
					!strings.HasPrefix(lines[i], fmt.Sprintf("::error file=%s,line=%d,", f.File, f.Line)) {
					t.Errorf("failure %+v, annotation %q (tests %v)", f, lines[i], task.Tests)
				}
			}
		})
	}
}

// TestAPIErrors: each refusal of GitHub's or GitLab's API is one line with
// its status, the forge's message and what usually causes it.
func TestAPIErrors(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   string
	}{
		{401, `{"message":"Bad credentials"}`, "401 Bad credentials (the token is not valid)"},
		{403, `{"message":"Resource not accessible by integration"}`, "403 Resource not accessible by integration (the token lacks a permission"},
		{404, `{"message":"Not Found"}`, "404 Not Found (no such repository, or the token cannot see it)"},
		{422, `{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"base","code":"invalid"}]}`,
			"422 Validation Failed; base invalid (GitHub refused"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(c.status)
			io.WriteString(w, c.body)
		}))
		gh, err := ci.NewGitHub(srv.URL, "o/r", "t", srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		_, err = gh.OpenPullRequest(context.Background(), ci.PullRequest{Title: "t", Head: "h", Base: "b"})
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "GitHub: cannot open the pull request: "+c.want) {
			t.Errorf("GitHub %d: %v", c.status, err)
		}
		gl, err := ci.NewGitLab(srv.URL, "g/p", "t", srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		_, err = gl.Comment(context.Background(), 1, "b")
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), fmt.Sprintf("GitLab: cannot comment on the merge request: %d", c.status)) {
			t.Errorf("GitLab %d: %v", c.status, err)
		}
		srv.Close()
	}
}
