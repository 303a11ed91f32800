package ci

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Kind is a CI system.
type Kind string

const (
	GitHub  Kind = "github-actions"
	GitLab  Kind = "gitlab-ci"
	Generic Kind = "generic" // CI=true, and nothing more is known
	None    Kind = ""        // not in CI
)

// Env is the CI job the process runs in, as its environment tells.
type Env struct {
	Kind  Kind   `json:"kind"`
	Repo  string `json:"repository,omitempty"` // owner/name (GitHub), group/project (GitLab)
	SHA   string `json:"sha,omitempty"`
	Ref   string `json:"ref,omitempty"` // the branch, or a pull request's head branch
	RunID string `json:"run_id,omitempty"`
	// PR is the pull (merge) request the job runs for; 0 for none.
	PR     int    `json:"pull_request,omitempty"`
	RunURL string `json:"run_url,omitempty"`
	// StepSummary is the file GitHub shows as the step's summary
	// ($GITHUB_STEP_SUMMARY); "" elsewhere.
	StepSummary string `json:"-"`
	// Output is the file of the step's outputs ($GITHUB_OUTPUT); "" elsewhere.
	Output string `json:"-"`
}

// Detect reads the CI job from the environment (getenv is os.Getenv).
func Detect(getenv func(string) string) Env {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		e := Env{Kind: GitHub, Repo: getenv("GITHUB_REPOSITORY"), SHA: getenv("GITHUB_SHA"),
			Ref: cmp.Or(getenv("GITHUB_HEAD_REF"), getenv("GITHUB_REF_NAME")), RunID: getenv("GITHUB_RUN_ID"),
			StepSummary: getenv("GITHUB_STEP_SUMMARY"), Output: getenv("GITHUB_OUTPUT")}
		if m := pullRef.FindStringSubmatch(getenv("GITHUB_REF")); m != nil {
			e.PR, _ = strconv.Atoi(m[1])
		}
		if server := getenv("GITHUB_SERVER_URL"); server != "" && e.Repo != "" && e.RunID != "" {
			e.RunURL = strings.TrimSuffix(server, "/") + "/" + e.Repo + "/actions/runs/" + e.RunID
		}
		return e
	case getenv("GITLAB_CI") == "true":
		e := Env{Kind: GitLab, Repo: getenv("CI_PROJECT_PATH"), SHA: getenv("CI_COMMIT_SHA"),
			Ref:   cmp.Or(getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"), getenv("CI_COMMIT_REF_NAME")),
			RunID: getenv("CI_JOB_ID"), RunURL: getenv("CI_JOB_URL")}
		e.PR, _ = strconv.Atoi(getenv("CI_MERGE_REQUEST_IID"))
		return e
	case getenv("CI") != "" && getenv("CI") != "false" && getenv("CI") != "0":
		return Env{Kind: Generic}
	}
	return Env{}
}

// pullRef is GITHUB_REF in a pull request's workflow.
var pullRef = regexp.MustCompile(`^refs/pull/(\d+)/merge$`)

// tokenVars are the environment variables that carry a token able to
// write to a repository or open pull requests: the publish job's, never
// the model's. (GitLab's CI_JOB_TOKEN, in every GitLab job, cannot push.)
var tokenVars = [...]string{"GITHUB_TOKEN", "GH_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GH_ENTERPRISE_TOKEN", "GITLAB_TOKEN", "GL_TOKEN"}

// Tokens are the names of the environment variables set that carry a
// repository write token: GITHUB_TOKEN, GH_TOKEN, GITHUB_ENTERPRISE_TOKEN,
// GH_ENTERPRISE_TOKEN, GITLAB_TOKEN, GL_TOKEN.
func Tokens(getenv func(string) string) []string {
	var set []string
	for _, v := range tokenVars {
		if getenv(v) != "" {
			set = append(set, v)
		}
	}
	return slices.Clip(set)
}
