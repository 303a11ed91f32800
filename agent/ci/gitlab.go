package ci

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// GitLabProject is a project on GitLab, through its REST API (v4).
type GitLabProject struct {
	client  *gitlab.Client
	project string // group/project
}

// DefaultGitLabAPI is GitLab.com's API; GitLab CI sets $CI_API_V4_URL.
const DefaultGitLabAPI = "https://gitlab.com/api/v4"

// NewGitLab is the project "group/project" at the API apiURL (""
// for DefaultGitLabAPI), with token.
func NewGitLab(apiURL, project, token string, hc *http.Client) (*GitLabProject, error) {
	if !strings.Contains(project, "/") || strings.HasPrefix(project, "/") || strings.HasSuffix(project, "/") {
		return nil, fmt.Errorf("the project %q is not group/project", project)
	}
	if token == "" {
		return nil, errors.New("no GitLab token: set GITLAB_TOKEN (a project access token with the api scope, Developer role)")
	}
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(cmp.Or(apiURL, DefaultGitLabAPI)), gitlab.WithHTTPClient(cmp.Or(hc, http.DefaultClient)))
	if err != nil {
		return nil, fmt.Errorf("GitLab: %w", err)
	}
	return &GitLabProject{client: c, project: project}, nil
}

// OpenPullRequest opens a merge request (POST /projects/:id/merge_requests);
// a draft's title starts with "Draft: ", as GitLab marks drafts.
func (g *GitLabProject) OpenPullRequest(ctx context.Context, pr PullRequest) (string, error) {
	title := pr.Title
	if pr.Draft {
		title = "Draft: " + title
	}
	mr, _, err := g.client.MergeRequests.CreateMergeRequest(g.project, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr(title), Description: gitlab.Ptr(pr.Body), SourceBranch: gitlab.Ptr(pr.Head), TargetBranch: gitlab.Ptr(pr.Base),
		RemoveSourceBranch: gitlab.Ptr(true),
	}, gitlab.WithContext(ctx))
	if err != nil {
		return "", gitlabError("open the merge request", err)
	}
	return mr.WebURL, nil
}

// Comment posts a note on the merge request
// (POST /projects/:id/merge_requests/:merge_request_iid/notes).
func (g *GitLabProject) Comment(ctx context.Context, number int, body string) (string, error) {
	n, _, err := g.client.Notes.CreateMergeRequestNote(g.project, int64(number), &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr(body)},
		gitlab.WithContext(ctx))
	if err != nil {
		return "", gitlabError("comment on the merge request", err)
	}
	return fmt.Sprintf("note %d on !%d", n.ID, number), nil
}

// gitlabError is one line on a failed GitLab request.
func gitlabError(what string, err error) error {
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return fmt.Errorf("GitLab: cannot %s: %w", what, err)
	}
	refused := "GitLab refused the request's content"
	return refusal("GitLab", what, er.Response.StatusCode, er.Message, map[int]string{
		http.StatusUnauthorized:        "the token is not valid",
		http.StatusForbidden:           "the token lacks the api scope or the Developer role",
		http.StatusNotFound:            "no such project, or the token cannot see it",
		http.StatusConflict:            refused,
		http.StatusUnprocessableEntity: refused,
	})
}
