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
	hint := ""
	switch er.Response.StatusCode {
	case http.StatusUnauthorized:
		hint = " (the token is not valid)"
	case http.StatusForbidden:
		hint = " (the token lacks a permission: contents: write, pull-requests: write)"
	case http.StatusNotFound:
		hint = " (no such repository, or the token cannot see it)"
	case http.StatusUnprocessableEntity:
		hint = " (GitHub refused the request's content)"
	}
	return fmt.Errorf("GitHub: cannot %s: %d %s%s", what, er.Response.StatusCode, msg, hint)
}
