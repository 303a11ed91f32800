package bugs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// The commit Write makes: always the same author, committer and date, so
// that the same files give the same commit id on any machine.
const (
	commitName  = "selfrepair"
	commitEmail = "selfrepair@localhost"
	commitDate  = "2024-01-01T00:00:00+00:00"
)

// Write writes t's Files under dir, which must be empty or missing, and
// makes it a git repository (branch main) whose one commit holds them all.
// The commit is reproducible: its author, committer, date and message are
// fixed and the user's and the system's git configuration are not read,
// so the same task always gives the same commit id. It runs the git
// command; ctx bounds it.
func (t Task) Write(ctx context.Context, dir string) error {
	names := make([]string, 0, len(t.Files))
	for name := range t.Files {
		if !validPath(name) {
			return fmt.Errorf("bugs: %s: invalid file path %q", t.ID, name)
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return fmt.Errorf("bugs: %s has no files", t.ID)
	}
	slices.Sort(names)
	entries, err := os.ReadDir(dir)
	switch {
	case os.IsNotExist(err):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("bugs: %v", err)
		}
	case err != nil:
		return fmt.Errorf("bugs: %v", err)
	case len(entries) > 0:
		return fmt.Errorf("bugs: %s is not empty", dir)
	}
	for _, name := range names {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("bugs: %v", err)
		}
		if err := os.WriteFile(full, []byte(t.Files[name]), 0o644); err != nil {
			return fmt.Errorf("bugs: %v", err)
		}
	}
	home, err := os.MkdirTemp("", "selfrepair-bugs-home-")
	if err != nil {
		return fmt.Errorf("bugs: %v", err)
	}
	defer os.RemoveAll(home)
	git := func(sub ...string) error {
		// No hooks, templates, signing or line-ending conversion, whatever
		// the machine's git is set to do.
		args := append([]string{"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
			"-c", "core.hooksPath=" + filepath.Join(home, "hooks")}, sub...)
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		cmd.Env = gitEnv(home)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("bugs: git %s: %v", sub[0], ctx.Err())
			}
			msg := strings.TrimSpace(out.String())
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			return fmt.Errorf("bugs: git %s in %s: %v: %s", sub[0], dir, err, msg)
		}
		return nil
	}
	if err := git("init", "-q", "--template="); err != nil {
		return err
	}
	if err := git(append([]string{"add", "-f", "--"}, names...)...); err != nil {
		return err
	}
	msg := fmt.Sprintf("%s: the buggy version of %s\n", t.Set, t.ID)
	return git("commit", "-q", "--no-verify", "-m", msg)
}

// gitEnv is the environment of Write's git commands: the process's,
// without any GIT_ variable, with a HOME of its own, no global or system
// configuration, and the fixed identity and date.
func gitEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+home,
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME="+commitName,
		"GIT_AUTHOR_EMAIL="+commitEmail,
		"GIT_AUTHOR_DATE="+commitDate,
		"GIT_COMMITTER_NAME="+commitName,
		"GIT_COMMITTER_EMAIL="+commitEmail,
		"GIT_COMMITTER_DATE="+commitDate,
	)
}

// validPath tells whether name is a file path a repository may hold: slash
// separated, relative, clean, and outside .git.
func validPath(name string) bool {
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || strings.Contains(name, "\\") ||
		name == ".." || strings.HasPrefix(name, "../") {
		return false
	}
	first, _, _ := strings.Cut(name, "/")
	return !strings.EqualFold(first, ".git")
}
