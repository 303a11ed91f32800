package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/cmd/internal/cli"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// step is a step of a workflow's job or of a composite action (the keys
// GitHub's workflow syntax allows that these files use; an unknown key is
// an error).
type step struct {
	Name            string            `yaml:"name"`
	ID              string            `yaml:"id"`
	If              string            `yaml:"if"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	Shell           string            `yaml:"shell"`
	With            map[string]string `yaml:"with"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError bool              `yaml:"continue-on-error"`
}

type action struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
		Required    bool   `yaml:"required"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		RunsOn      string            `yaml:"runs-on"`
		Needs       string            `yaml:"needs"`
		If          string            `yaml:"if"`
		Timeout     int               `yaml:"timeout-minutes"`
		Permissions map[string]string `yaml:"permissions"`
		Outputs     map[string]string `yaml:"outputs"`
		Steps       []step            `yaml:"steps"`
	} `yaml:"jobs"`
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// expr evaluates the few GitHub expressions the action and the workflow
// use: names, 'strings', ==, !=, &&, ||, !, always(), looked up in vals.
func expr(s string, vals map[string]string) string {
	s = strings.TrimSpace(s)
	for _, op := range []string{"||", "&&"} {
		if parts := strings.Split(s, op); len(parts) > 1 {
			for _, p := range parts {
				v := expr(p, vals)
				if op == "||" && truthy(v) || op == "&&" && !truthy(v) {
					return v
				}
			}
			return expr(parts[len(parts)-1], vals)
		}
	}
	for _, op := range []string{"==", "!="} {
		if a, b, ok := strings.Cut(s, op); ok {
			return fmt.Sprint((expr(a, vals) == expr(b, vals)) == (op == "=="))
		}
	}
	switch {
	case strings.HasPrefix(s, "!"):
		return fmt.Sprint(!truthy(expr(s[1:], vals)))
	case s == "always()":
		return "true"
	case strings.HasPrefix(s, "'"):
		return strings.Trim(s, "'")
	}
	return vals[s]
}

func truthy(v string) bool { return v != "" && v != "false" && v != "0" }

var exprRe = regexp.MustCompile(`\$\{\{(.*?)\}\}`)

// expand replaces every ${{ }} in s.
func expand(s string, vals map[string]string) string {
	return exprRe.ReplaceAllStringFunc(s, func(m string) string { return expr(exprRe.FindStringSubmatch(m)[1], vals) })
}

// runner runs a job's steps as GitHub's runner would, in dir: run steps
// with bash -eo pipefail, the selfrepair action's steps with its inputs,
// other actions as no-ops (checkout: dir is the checkout).
type runner struct {
	t       *testing.T
	dir     string
	path    string // PATH
	act     action
	uploads bool // check that what is uploaded is there
}

func (r *runner) steps(steps []step, scope map[string]string) {
	for _, s := range steps {
		if s.If != "" && !truthy(expr(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s.If), "${{"), "}}"), scope)) {
			continue
		}
		switch {
		case s.Uses == "selfrepair/selfrepair@v1":
			inner := map[string]string{}
			for k, v := range scope {
				inner[k] = v
			}
			for name, in := range r.act.Inputs {
				inner["inputs."+name] = in.Default
			}
			for k, v := range s.With {
				inner["inputs."+k] = expand(v, scope)
			}
			r.steps(r.act.Runs.Steps, inner)
			for name, o := range r.act.Outputs {
				scope["steps."+s.ID+".outputs."+name] = expand(o.Value, inner)
			}
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			if _, err := os.Stat(filepath.Join(r.dir, expand(s.With["path"], scope))); err != nil && r.uploads {
				r.t.Errorf("%s: nothing to upload: %v", s.Name, err)
			}
		case s.Uses != "":
		default:
			outputs := filepath.Join(r.t.TempDir(), "output")
			os.WriteFile(outputs, nil, 0o644)
			cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(s.Run, scope))
			cmd.Dir = r.dir
			cmd.Env = append(os.Environ(), "PATH="+r.path, "GITHUB_OUTPUT="+outputs, "GITHUB_PATH="+filepath.Join(r.t.TempDir(), "path"),
				"GITHUB_STEP_SUMMARY="+filepath.Join(r.t.TempDir(), "summary"), "GITHUB_ACTIONS=true")
			for k, v := range s.Env {
				cmd.Env = append(cmd.Env, k+"="+expand(v, scope))
			}
			out, err := cmd.CombinedOutput()
			outcome := "success"
			if err != nil {
				outcome = "failure"
			}
			r.t.Logf("step %q: %s\n%s", s.Name, outcome, tailOf(string(out), 6))
			if s.ID != "" {
				scope["steps."+s.ID+".outcome"] = outcome
				b, _ := os.ReadFile(outputs)
				for _, l := range strings.Split(string(b), "\n") {
					if k, v, ok := strings.Cut(l, "="); ok {
						scope["steps."+s.ID+".outputs."+k] = v
					}
				}
			}
			scope["last.outcome"] = outcome
		}
	}
}

func tailOf(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// TestActionCommands: action.yml and the example workflow are valid YAML
// of the shapes GitHub reads, and every selfrepair command their steps run
// exists with the flags it is given (the steps run with a selfrepair that
// records its arguments, checked against the command line's own tree).
func TestActionCommands(t *testing.T) {
	var act action
	readYAML(t, filepath.Join("..", "..", "..", "action.yml"), &act)
	var wf workflow
	readYAML(t, filepath.Join("..", "..", "..", "agent", "ci", "workflows", "github.yml"), &wf)
	if act.Runs.Using != "composite" || len(wf.Jobs) != 2 || wf.Jobs["publish"].Needs != "fix" ||
		wf.Jobs["fix"].Permissions["contents"] != "read" || wf.Jobs["publish"].Permissions["pull-requests"] != "write" {
		t.Fatalf("action %+v, workflow %+v", act.Runs.Using, wf)
	}
	for _, s := range act.Runs.Steps {
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("the action's step %q: a composite action's run step needs shell: bash", s.Name)
		}
	}
	for name, j := range wf.Jobs {
		if j.Timeout == 0 || j.RunsOn == "" {
			t.Errorf("job %s: runs-on %q, timeout-minutes %d", name, j.RunsOn, j.Timeout)
		}
	}
	bin, calls := stubs(t)
	r := &runner{t: t, dir: t.TempDir(), path: bin + ":/usr/bin:/bin", act: act}
	for _, mode := range []string{"fix", "publish"} {
		for _, image := range []string{"", "myorg/ci:1"} {
			r.steps([]step{{Uses: "selfrepair/selfrepair@v1", ID: "x", With: map[string]string{"mode": mode, "test": "pytest -q", "model": "m", "image": image}}},
				map[string]string{})
		}
	}
	checkCalls(t, calls, "selfrepair sandbox build", "selfrepair ci", "selfrepair ci publish")
}

// stubs is a folder of programs that stand in for selfrepair (recording
// each call's arguments in calls) and the tools around it.
func stubs(t *testing.T) (bin, calls string) {
	bin = t.TempDir()
	calls = filepath.Join(bin, "calls")
	os.WriteFile(filepath.Join(bin, "selfrepair"), []byte("#!/bin/sh\nprintf '%s\\0' \"$@\" >> "+calls+"\nprintf '\\n' >> "+calls+"\n"), 0o755)
	for _, tool := range []string{"docker", "mmdebstrap", "go", "apt-get", "git", "sudo"} {
		os.WriteFile(filepath.Join(bin, tool), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	}
	return bin, calls
}

// checkCalls: every recorded selfrepair call names a command that exists
// with flags it has, and the commands want are among them.
func checkCalls(t *testing.T, calls string, want ...string) {
	t.Helper()
	b, _ := os.ReadFile(calls)
	var argvs [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		argvs = append(argvs, strings.Split(strings.TrimSuffix(line, "\x00"), "\x00"))
	}
	seen := map[string]bool{}
	for _, argv := range argvs {
		root := cli.NewCmdRoot(&cli.Factory{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
		cmd, rest, err := root.Find(argv)
		if err != nil || cmd == root {
			t.Errorf("selfrepair %q: no such command (%v)", argv, err)
			continue
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Errorf("selfrepair %q: %v", argv, err)
		}
		seen[cmd.CommandPath()] = true
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("nothing runs %s (calls: %q)", w, argvs)
		}
	}
}

// TestGitLabTemplate: the GitLab template is YAML of the shape GitLab
// reads (its anchors resolved), its jobs keep the guards (the fix only
// after a failed test job, never on selfrepair's branches or for bots; the
// publish job alone in the token's environment, only after the fix
// succeeded, artifacts kept even on failure), and every selfrepair command
// their scripts run exists with the flags given.
func TestGitLabTemplate(t *testing.T) {
	type job struct {
		Stage       string            `yaml:"stage"`
		Image       string            `yaml:"image"`
		Services    []string          `yaml:"services"`
		Variables   map[string]string `yaml:"variables"`
		Needs       []string          `yaml:"needs"`
		Environment string            `yaml:"environment"`
		Timeout     string            `yaml:"timeout"`
		Rules       []map[string]string
		Script      []string `yaml:"script"`
		Artifacts   struct {
			When     string   `yaml:"when"`
			Paths    []string `yaml:"paths"`
			ExpireIn string   `yaml:"expire_in"`
		} `yaml:"artifacts"`
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "agent", "ci", "workflows", "gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("not a YAML mapping: %v", err)
	}
	raw := map[string]*yaml.Node{}
	for i := 0; i+1 < len(doc.Content[0].Content); i += 2 {
		raw[doc.Content[0].Content[i].Value] = doc.Content[0].Content[i+1]
	}
	var stages []string
	raw["stages"].Decode(&stages)
	jobs := map[string]job{}
	for name, n := range raw {
		if name == "stages" || name == "variables" || strings.HasPrefix(name, ".") {
			continue
		}
		var j job
		if err := n.Decode(&j); err != nil {
			t.Fatalf("job %s: %v", name, err)
		}
		if !slices.Contains(stages, j.Stage) {
			t.Errorf("job %s: stage %q is not in %v", name, j.Stage, stages)
		}
		jobs[name] = j
	}
	fixJob, pub := jobs["selfrepair"], jobs["selfrepair-publish"]
	lastRule := func(j job) string { return j.Rules[len(j.Rules)-1]["when"] }
	if len(fixJob.Rules) < 2 || fixJob.Rules[0]["when"] != "never" || !strings.Contains(fixJob.Rules[0]["if"], "selfrepair") ||
		lastRule(fixJob) != "on_failure" || fixJob.Artifacts.When != "always" || fixJob.Timeout == "" || fixJob.Environment != "" {
		t.Errorf("the fix job: %+v", fixJob)
	}
	if !slices.Equal(pub.Needs, []string{"selfrepair"}) || pub.Environment != "selfrepair-publish" || lastRule(pub) != "on_success" ||
		pub.Rules[0]["when"] != "never" || pub.Timeout == "" {
		t.Errorf("the publish job: %+v", pub)
	}
	bin, calls := stubs(t)
	for _, name := range []string{"selfrepair", "selfrepair-publish"} {
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", strings.Join(jobs[name].Script, "\n"))
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "SELFREPAIR_TEST=" + raw["variables"].Content[1].Value,
			"SELFREPAIR_MODEL=m", "SELFREPAIR_BASE_URL=http://127.0.0.1:9/v1", "SELFREPAIR_API_KEY=k", "GITLAB_TOKEN=t",
			"CI_SERVER_HOST=gitlab.example", "CI_PROJECT_PATH=g/p"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("job %s's script: %v\n%s", name, err, out)
		}
	}
	checkCalls(t, calls, "selfrepair sandbox build", "selfrepair ci", "selfrepair ci publish")
}

// TestWorkflowFixJob runs the example workflow's first job as GitHub's
// runner would, on a repository whose tests fail, with the real selfrepair
// and the simulator as the model: the tests step fails, the action builds
// nothing (the image is current), ci fixes the tests, the output is there
// to upload, and the job's output says fixed, so the publish job runs.
func TestWorkflowFixJob(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	var act action
	readYAML(t, filepath.Join("..", "..", "..", "action.yml"), &act)
	var wf workflow
	readYAML(t, filepath.Join("..", "..", "..", "agent", "ci", "workflows", "github.yml"), &wf)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "selfrepair"), "../../../cmd/selfrepair")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	url := calcSim(t)
	for _, v := range []string{"GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "GL_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GH_ENTERPRISE_TOKEN"} {
		t.Setenv(v, "")
	}
	t.Setenv("SELFREPAIR_CACHE", t.TempDir())
	// The runner's python3 is Debian's (/usr/bin), as on ubuntu-latest.
	r := &runner{t: t, dir: repotest.New(t, buggy), path: bin + ":/usr/bin:" + os.Getenv("PATH"), act: act, uploads: true}
	scope := map[string]string{"vars.SELFREPAIR_MODEL": sim.DefaultModel, "vars.SELFREPAIR_BASE_URL": url,
		"secrets.SELFREPAIR_API_KEY": "k", "github.sha": "HEAD"}
	job := wf.Jobs["fix"]
	r.steps(job.Steps, scope)
	if scope["steps.tests.outcome"] != "failure" || scope["last.outcome"] != "failure" {
		t.Errorf("the tests step %q, the job's last step %q: both should fail", scope["steps.tests.outcome"], scope["last.outcome"])
	}
	if got := expand(job.Outputs["fixed"], scope); got != "true" {
		t.Errorf("the job's output fixed = %q (scope %v)", got, scope)
	}
	var res struct {
		Fixed bool `json:"fixed"`
	}
	b, _ := os.ReadFile(filepath.Join(r.dir, "selfrepair-out", "result.json"))
	if json.Unmarshal(b, &res) != nil || !res.Fixed {
		t.Errorf("result.json: %s", b)
	}
	scope["needs.fix.outputs.fixed"] = expand(job.Outputs["fixed"], scope)
	if publish := expand(wf.Jobs["publish"].If, scope); publish != "true" {
		t.Errorf("the publish job's condition is %q", publish)
	}
}
