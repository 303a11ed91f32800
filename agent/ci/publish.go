package ci

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/tasks/repo"
)

// BranchPrefix starts the name of every branch publish pushes; publish
// refuses to run on one, so that a workflow cannot fix its own fixes.
const BranchPrefix = "selfrepair/"

// A PullRequest is what publish asks a forge to open.
type PullRequest struct {
	Title, Body string
	Head, Base  string // branch names
	Draft       bool
}

// A Forge opens pull requests (GitHub) or merge requests (GitLab).
type Forge interface {
	// OpenPullRequest opens pr and returns its web address.
	OpenPullRequest(ctx context.Context, pr PullRequest) (string, error)
}

// A Commenter posts a comment on a pull (merge) request.
type Commenter interface {
	Comment(ctx context.Context, number int, body string) (string, error)
}

// A Reviewer reviews pull requests with suggestions on the lines their
// diff shows (GitHub).
type Reviewer interface {
	PullFiles(ctx context.Context, number int) ([]FileDiff, error)
	Review(ctx context.Context, number int, commit, body string, sugs []Suggestion) (string, error)
}

// PublishConfig is a publish of a ci output folder.
type PublishConfig struct {
	From   string // the ci output folder
	Dir    string // the repository's working tree, at the commit ci fixed
	Remote string // the git remote to push to; default origin
	// Base is the branch the pull request targets; default the branch ci
	// ran on (result.json's ci.ref).
	Base string
	// OnFailure publishes the best patch of a fix that did not end fixed.
	OnFailure bool
	Forge     Forge
	// PR is the pull request to comment on; default the one ci ran for.
	PR        int
	Commenter Commenter
	Reviewer  Reviewer
}

// bodyLimit is the most a pull request's body may hold on GitHub
// (65536 characters); the summary is cut to fit.
const bodyLimit = 65_000

// ReadResult reads the result.json of a ci output folder.
func ReadResult(from string) (Result, error) {
	var r Result
	b, err := os.ReadFile(filepath.Join(from, ResultFile))
	if err != nil {
		return r, &fix.UsageError{Err: fmt.Errorf("%s is not the output of selfrepair ci: %w", from, err)}
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Schema != Schema {
		return r, &fix.UsageError{Err: fmt.Errorf("%s: not a %s result", filepath.Join(from, ResultFile), Schema)}
	}
	return r, nil
}

// Publishable is the result of cfg.From when it has a patch to publish:
// a fixed one, or with cfg.OnFailure any with a patch.
func Publishable(cfg PublishConfig) (Result, error) {
	r, err := ReadResult(cfg.From)
	if err != nil {
		return r, err
	}
	switch {
	case r.Patch == "":
		return r, &fix.UsageError{Err: fmt.Errorf("nothing to publish: the fix ended %s with no patch", r.Ending)}
	case !r.Fixed && !cfg.OnFailure:
		return r, &fix.UsageError{Err: fmt.Errorf("nothing to publish: the fix ended %s (--on-failure publishes its best patch)", r.Ending)}
	}
	return r, nil
}

// Comment posts the summary (which shows the patch) as a comment on the
// pull request; it returns the comment's address.
func Comment(ctx context.Context, cfg PublishConfig) (string, error) {
	_, n, err := reviewable(cfg)
	if err != nil {
		return "", err
	}
	body, err := summaryBody(cfg.From)
	if err != nil {
		return "", err
	}
	return cfg.Commenter.Comment(ctx, n, body)
}

// Suggest reviews the pull request: each change of the patch on lines the
// pull request's diff shows becomes a suggestion on them, and the review's
// body is the summary with the changes that fall elsewhere as a diff.
func Suggest(ctx context.Context, cfg PublishConfig) (string, error) {
	r, n, err := reviewable(cfg)
	if err != nil {
		return "", err
	}
	patch, err := os.ReadFile(filepath.Join(cfg.From, r.Patch))
	if err != nil {
		return "", err
	}
	files, err := cfg.Reviewer.PullFiles(ctx, n)
	if err != nil {
		return "", err
	}
	sugs, rest := Suggestions(string(patch), files)
	state := "the fix ended " + r.Ending
	if r.Fixed {
		state = "the failing tests pass with these changes"
	}
	body := fmt.Sprintf("selfrepair: %s (`%s`): %s.", state, r.Test, plural(len(sugs), "suggestion"))
	if rest != "" {
		body += "\n\nChanges outside this pull request's diff (suggestions can only go on its lines):\n\n````diff\n" + rest + "````\n"
	}
	if len(body) > bodyLimit {
		body = body[:bodyLimit] + "\n````\n\n… (cut: the whole patch is in the run's artifact)\n"
	}
	return cfg.Reviewer.Review(ctx, n, r.Commit, body, sugs)
}

// reviewable is the result of cfg.From and the pull request to comment on.
func reviewable(cfg PublishConfig) (Result, int, error) {
	r, err := Publishable(cfg)
	if err != nil {
		return r, 0, err
	}
	n := cmp.Or(cfg.PR, r.CI.PR)
	if n == 0 {
		return r, 0, &fix.UsageError{Err: errors.New("no pull request: ci did not run for one (give --pr)")}
	}
	return r, n, nil
}

// summaryBody is summary.md, cut to what a pull request's text may hold.
func summaryBody(from string) (string, error) {
	body, err := os.ReadFile(filepath.Join(from, SummaryFile))
	if err != nil {
		return "", err
	}
	if len(body) > bodyLimit {
		body = append(body[:bodyLimit:bodyLimit], "\n\n… (cut: the whole summary is in the run's artifact)\n"...)
	}
	return string(body), nil
}

// OpenPR commits the patch of cfg.From on a new branch of cfg.Dir, pushes
// it, and opens a draft pull request with the summary as its body; it
// returns the pull request's address. It publishes nothing unless the fix
// ended fixed (or cfg.OnFailure, and there is a patch).
func OpenPR(ctx context.Context, cfg PublishConfig) (string, error) {
	r, err := Publishable(cfg)
	if err != nil {
		return "", err
	}
	head, err := repo.Git(ctx, cfg.Dir, "rev-parse", "--abbrev-ref", "HEAD")
	if err != nil {
		return "", &fix.UsageError{Err: err}
	}
	if head = strings.TrimSpace(head); strings.HasPrefix(head, BranchPrefix) || strings.HasPrefix(r.CI.Ref, BranchPrefix) {
		return "", &fix.UsageError{Err: fmt.Errorf("refusing to publish from %s, a branch of selfrepair's own", cmp.Or(r.CI.Ref, head))}
	}
	base := cmp.Or(cfg.Base, r.CI.Ref)
	if base == "" || base == "HEAD" {
		return "", &fix.UsageError{Err: errors.New("no base branch: ci ran on none (give --base)")}
	}
	short := r.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	branch := BranchPrefix + "fix-" + cmp.Or(r.CI.RunID, short)
	patch, err := filepath.Abs(filepath.Join(cfg.From, r.Patch))
	if err != nil {
		return "", err
	}
	title := "selfrepair: fix " + plural(len(r.Before.Failing), "failing test")
	if !r.Fixed {
		title = fmt.Sprintf("selfrepair: %d of %s pass (%s)", len(r.After.Passing), plural(len(r.Before.Failing), "failing test"), r.Ending)
	}
	for _, args := range [][]string{
		{"checkout", "-q", "-b", branch, r.Commit},
		{"apply", "--index", "--whitespace=nowarn", patch},
		{"-c", "user.name=selfrepair", "-c", "user.email=selfrepair@users.noreply.github.com", "commit", "-q", "--no-verify", "-m",
			title + "\n\nThe patch of `selfrepair ci` (" + r.Test + "): " + strings.Join(r.Files, ", ") + "."},
		{"push", "-q", cmp.Or(cfg.Remote, "origin"), branch + ":refs/heads/" + branch},
	} {
		if _, err := repo.Git(ctx, cfg.Dir, args...); err != nil {
			return "", err
		}
	}
	body, err := summaryBody(cfg.From)
	if err != nil {
		return "", err
	}
	return cfg.Forge.OpenPullRequest(ctx, PullRequest{Title: title, Body: body, Head: branch, Base: base, Draft: true})
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
