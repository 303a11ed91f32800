package ci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v75/github"
)

// GitHubRepo is a repository on GitHub (or GitHub Enterprise), through its
// REST API.
type GitHubRepo struct {
	client      *github.Client
	owner, name string
}

// DefaultGitHubAPI is GitHub's REST API; Actions sets $GITHUB_API_URL.
const DefaultGitHubAPI = "https://api.github.com"

// NewGitHub is the repository "owner/name" at the API apiURL (""
// for DefaultGitHubAPI), with token.
func NewGitHub(apiURL, repository, token string, hc *http.Client) (*GitHubRepo, error) {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("the repository %q is not owner/name", repository)
	}
	if token == "" {
		return nil, errors.New("no GitHub token: set GITHUB_TOKEN (the publish job's, with contents: write and pull-requests: write)")
	}
	c := github.NewClient(hc).WithAuthToken(token)
	if apiURL != "" && apiURL != DefaultGitHubAPI {
		u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("the API address %q: %w", apiURL, err)
		}
		c.BaseURL = u
	}
	return &GitHubRepo{client: c, owner: owner, name: name}, nil
}

// OpenPullRequest opens pr (pulls/create).
func (g *GitHubRepo) OpenPullRequest(ctx context.Context, pr PullRequest) (string, error) {
	p, _, err := g.client.PullRequests.Create(ctx, g.owner, g.name, &github.NewPullRequest{
		Title: github.Ptr(pr.Title), Body: github.Ptr(pr.Body), Head: github.Ptr(pr.Head), Base: github.Ptr(pr.Base), Draft: github.Ptr(pr.Draft),
	})
	if err != nil {
		return "", apiError("open the pull request", err)
	}
	return p.GetHTMLURL(), nil
}

// apiError is one line on a failed GitHub request: what was refused and
// what usually causes it.
func apiError(what string, err error) error {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return fmt.Errorf("GitHub: cannot %s: %w", what, err)
	}
	msg := er.Message
	for _, e := range er.Errors {
		msg += "; " + strings.TrimSpace(e.Field+" "+e.Code+" "+e.Message)
	}
	return refusal("GitHub", what, er.Response.StatusCode, msg, map[int]string{
		http.StatusUnauthorized:        "the token is not valid",
		http.StatusForbidden:           "the token lacks a permission: contents: write, pull-requests: write",
		http.StatusNotFound:            "no such repository, or the token cannot see it",
		http.StatusUnprocessableEntity: "GitHub refused the request's content",
	})
}

// refusal is one line on a forge's refusal: its status, its message, and
// the usual cause of that status when hints has one.
func refusal(forge, what string, status int, msg string, hints map[int]string) error {
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == "" {
		msg = http.StatusText(status)
	}
	if h := hints[status]; h != "" {
		msg += " (" + h + ")"
	}
	return fmt.Errorf("%s: cannot %s: %d %s", forge, what, status, msg)
}

// Comment posts body on the pull request (issues/create-comment).
func (g *GitHubRepo) Comment(ctx context.Context, number int, body string) (string, error) {
	c, _, err := g.client.Issues.CreateComment(ctx, g.owner, g.name, number, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return "", apiError("comment on the pull request", err)
	}
	return c.GetHTMLURL(), nil
}

// PullFiles lists the pull request's files and their diffs
// (pulls/list-files, every page).
func (g *GitHubRepo) PullFiles(ctx context.Context, number int) ([]FileDiff, error) {
	var out []FileDiff
	opt := &github.ListOptions{PerPage: 100}
	for {
		fs, resp, err := g.client.PullRequests.ListFiles(ctx, g.owner, g.name, number, opt)
		if err != nil {
			return nil, apiError("list the pull request's files", err)
		}
		for _, f := range fs {
			out = append(out, FileDiff{Path: f.GetFilename(), Patch: f.GetPatch()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// Review posts a review of the pull request at commit with body and the
// suggestions as its line comments (pulls/create-review, event COMMENT).
func (g *GitHubRepo) Review(ctx context.Context, number int, commit, body string, sugs []Suggestion) (string, error) {
	comments := make([]*github.DraftReviewComment, len(sugs))
	for i, s := range sugs {
		c := &github.DraftReviewComment{Path: github.Ptr(s.Path), Body: github.Ptr(s.Body()), Line: github.Ptr(s.End), Side: github.Ptr("RIGHT")}
		if s.Start < s.End {
			c.StartLine, c.StartSide = github.Ptr(s.Start), github.Ptr("RIGHT")
		}
		comments[i] = c
	}
	r, _, err := g.client.PullRequests.CreateReview(ctx, g.owner, g.name, number, &github.PullRequestReviewRequest{
		CommitID: github.Ptr(commit), Body: github.Ptr(body), Event: github.Ptr("COMMENT"), Comments: comments,
	})
	if err != nil {
		return "", apiError("review the pull request", err)
	}
	return r.GetHTMLURL(), nil
}
