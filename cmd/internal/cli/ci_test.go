package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/agent/ci"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// TestCIExitCodes: ci in a GitHub Actions job fixes a red repository
// (annotations on stdout, the summary in the step summary, exit 0), and
// refuses, in one line with exit 2, to run outside CI without --out or
// with a write token in its environment.
func TestCIExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	url := calcSim(t)
	for _, v := range []string{"CI", "GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "GL_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GH_ENTERPRISE_TOKEN"} {
		t.Setenv(v, "")
	}
	dir := repotest.New(t, buggy)
	args := func(extra ...string) []string {
		return append([]string{"ci", "--repo", dir, "--test", "python3 -m pytest -q", "--model", sim.DefaultModel,
			"--base-url", url, "--api-key", "k", "--no-cache", "--timeout", "20s"}, extra...)
	}

	code, _, errOut := run(t, args()...)
	if code != 2 || !strings.Contains(errOut, "not in a CI job") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("outside CI, no --out: exit %d, stderr %q", code, errOut)
	}

	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_TOKEN", "ghs_secret")
	code, _, errOut = run(t, args()...)
	if code != 2 || !strings.Contains(errOut, "(GITHUB_TOKEN)") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("with a token: exit %d, stderr %q", code, errOut)
	}
	t.Setenv("GITHUB_TOKEN", "")

	step := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", step)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errOut := run(t, args("--out", out)...)
	if code != 0 || !strings.Contains(stdout, "::error file=test_calc.py,line=5,") || !strings.Contains(stdout, "FIXED in round 0") {
		t.Errorf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, errOut)
	}
	for _, f := range []string{"fix.patch", "summary.md", "result.json", "run/manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if b, _ := os.ReadFile(step); !strings.HasPrefix(string(b), "## selfrepair: fixed") {
		t.Errorf("the step summary:\n%s", b)
	}

	// A green build: nothing to fix, exit 0, and it says so.
	green := repotest.New(t, map[string]string{"calc.py": calcFixed, "test_calc.py": buggy["test_calc.py"]})
	code, stdout, errOut = run(t, "ci", "--repo", green, "--test", "python3 -m pytest -q", "--model", sim.DefaultModel,
		"--base-url", url, "--api-key", "k", "--no-cache", "--timeout", "20s", "--out", filepath.Join(t.TempDir(), "out"))
	if code != 0 || !strings.Contains(stdout, "nothing to fix") {
		t.Errorf("a green build: exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, errOut)
	}
}

// TestPublishUsage: ci publish refuses, in one line with exit 2, a folder
// that is not ci's output, and a publish without a token.
func TestPublishUsage(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GH_TOKEN", "")
	out := t.TempDir()
	b, _ := json.Marshal(ci.Result{Schema: ci.Schema, Ending: "fixed", Fixed: true, Patch: ci.PatchFile, CI: ci.Env{Kind: ci.GitHub, Repo: "o/r", Ref: "main"}})
	os.WriteFile(filepath.Join(out, ci.ResultFile), b, 0o644)
	// Results with a token at hand, but nothing to publish.
	notFixed, noPatch := t.TempDir(), t.TempDir()
	b, _ = json.Marshal(ci.Result{Schema: ci.Schema, Ending: "rounds-exhausted", Patch: ci.PatchFile, CI: ci.Env{Kind: ci.GitHub, Repo: "o/r", Ref: "main"}})
	os.WriteFile(filepath.Join(notFixed, ci.ResultFile), b, 0o644)
	b, _ = json.Marshal(ci.Result{Schema: ci.Schema, Ending: "edit-failures", CI: ci.Env{Kind: ci.GitHub, Repo: "o/r", Ref: "main", PR: 7}})
	os.WriteFile(filepath.Join(noPatch, ci.ResultFile), b, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", t.TempDir(), "--open-pr"}, "is not the output of selfrepair ci"},
		{[]string{"--from", out, "--open-pr"}, "no GitHub token: set GITHUB_TOKEN"},
		{[]string{"--from", notFixed, "--open-pr"}, "nothing to publish: the fix ended rounds-exhausted (--on-failure publishes its best patch)"},
		{[]string{"--from", noPatch, "--comment"}, "nothing to publish: the fix ended edit-failures with no patch"},
		{[]string{"--from", out}, "give one of --open-pr, --comment, --suggest"},
		{[]string{"--from", out, "--open-pr", "--comment"}, "give one of --open-pr, --comment, --suggest"},
	} {
		code, _, errOut := run(t, append([]string{"ci", "publish"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errOut)
		}
	}
}

// TestPublishGitLabUsage: a GitLab result needs GitLab's token, and
// --suggest is GitHub's.
func TestPublishGitLabUsage(t *testing.T) {
	t.Setenv("GITLAB_TOKEN", "")
	t.Setenv("GL_TOKEN", "")
	out := t.TempDir()
	b, _ := json.Marshal(ci.Result{Schema: ci.Schema, Ending: "fixed", Fixed: true, Patch: ci.PatchFile, CI: ci.Env{Kind: ci.GitLab, Repo: "g/p", Ref: "main", PR: 3}})
	os.WriteFile(filepath.Join(out, ci.ResultFile), b, 0o644)
	for _, c := range []struct {
		flag, want string
	}{
		{"--open-pr", "no GitLab token: set GITLAB_TOKEN"},
		{"--suggest", "--suggest is for GitHub"},
	} {
		code, _, errOut := run(t, "ci", "publish", "--from", out, c.flag)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q", c.flag, code, errOut)
		}
	}
}
