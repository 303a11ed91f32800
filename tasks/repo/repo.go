// Package repo takes a repository for repository mode: a private copy of
// its files as git sees them (a snapshot), the patch of a change to that
// copy as git writes it, and the check that the user's tree still holds
// what the snapshot saw before a patch is applied to it. It uses the git
// command.
package repo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultLimit is the largest snapshot Take makes unless told otherwise.
const DefaultLimit = 512 << 20

// A Snapshot is a private copy of a repository's files at one moment: the
// tracked ones and the untracked ones git does not ignore, as they are in
// the working tree (uncommitted changes included).
type Snapshot struct {
	Root   string // the repository's top folder
	Commit string // HEAD when the snapshot was taken; "" before the first commit
	Dir    string // the copy
	Files  []File // by path
}

// A File is one file of a snapshot.
type File struct {
	Path   string      // slash-separated, relative to the root
	Mode   fs.FileMode // the permission bits (0o755 for an executable), or fs.ModeSymlink
	Size   int64
	SHA256 string // of the content (of the target, for a link)
}

// An Error is a repository that cannot be taken, in one line for the user.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Take copies the repository holding dir into a new folder under into
// (the snapshot's Dir). A file that cannot be read, or a snapshot over
// limit bytes (DefaultLimit when 0), is an error: *Error when it is the
// repository's (not one, too large), another when it is the machine's.
func Take(ctx context.Context, dir, into string, limit int64) (*Snapshot, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	root, err := Git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &Error{Msg: fmt.Sprintf("%s is not in a git repository", dir)}
		}
		return nil, err
	}
	root = strings.TrimSpace(root)
	commit := ""
	if out, err := Git(ctx, root, "rev-parse", "--verify", "-q", "HEAD"); err == nil {
		commit = strings.TrimSpace(out)
	}
	list, err := Git(ctx, root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, fmt.Errorf("list the files of %s: %w", root, err)
	}
	paths := map[string]bool{}
	for _, p := range strings.Split(list, "\x00") {
		if p != "" {
			paths[p] = true
		}
	}
	s := &Snapshot{Root: root, Commit: commit}
	if s.Dir, err = os.MkdirTemp(into, "snapshot-"); err != nil {
		return nil, err
	}
	var total int64
	for _, p := range sortedKeys(paths) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := copyFile(filepath.Join(root, filepath.FromSlash(p)), filepath.Join(s.Dir, filepath.FromSlash(p)))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errDir) {
			continue // deleted in the working tree, or a submodule: not in the snapshot
		}
		if err != nil {
			os.RemoveAll(s.Dir)
			return nil, fmt.Errorf("copy %s: %w", p, err)
		}
		f.Path = p
		total += f.Size
		if total > limit {
			os.RemoveAll(s.Dir)
			return nil, &Error{Msg: fmt.Sprintf("the repository's files are over %d MiB (the snapshot limit): raise the limit or run in a smaller folder", limit>>20)}
		}
		s.Files = append(s.Files, f)
	}
	return s, nil
}

var errDir = errors.New("a folder")

// copyFile copies a regular file or a symbolic link (as a link), keeping
// its executable bit, and describes it.
func copyFile(from, to string) (File, error) {
	fi, err := os.Lstat(from)
	if err != nil {
		return File{}, err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return File{}, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(from)
		if err != nil {
			return File{}, err
		}
		sum := sha256.Sum256([]byte(target))
		return File{Mode: fs.ModeSymlink, Size: int64(len(target)), SHA256: hex.EncodeToString(sum[:])}, os.Symlink(target, to)
	}
	if fi.IsDir() {
		return File{}, errDir
	}
	if !fi.Mode().IsRegular() {
		return File{}, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	mode := fs.FileMode(0o644)
	if fi.Mode()&0o111 != 0 {
		mode = 0o755
	}
	in, err := os.Open(from)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return File{Mode: mode, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, err
}

// Read returns the content of a file of the snapshot.
func (s *Snapshot) Read(p string) ([]byte, error) {
	if _, ok := s.file(p); !ok {
		return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	return os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(p)))
}

func (s *Snapshot) file(p string) (File, bool) {
	i := sort.Search(len(s.Files), func(i int) bool { return s.Files[i].Path >= p })
	if i < len(s.Files) && s.Files[i].Path == p {
		return s.Files[i], true
	}
	return File{}, false
}

// Remove deletes the snapshot's copy.
func (s *Snapshot) Remove() error { return os.RemoveAll(s.Dir) }

// Diff returns the patch that turns the snapshot's files into changed
// (path → new content; nil content deletes the file), as git diff writes
// it: `git apply` accepts it on a clean checkout of the snapshot's commit
// when the snapshot had no uncommitted changes to those files. Only the
// changed files are written (into a scratch repository under into), so its
// cost does not grow with the repository.
func (s *Snapshot) Diff(ctx context.Context, into string, changed map[string][]byte) (string, error) {
	scratch, err := os.MkdirTemp(into, "diff-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(scratch)
	if _, err := Git(ctx, scratch, "init", "-q"); err != nil {
		return "", err
	}
	var news []string
	for _, p := range sortedKeys(changed) {
		if _, ok := s.file(p); !ok {
			news = append(news, p)
			continue
		}
		if _, err := copyFile(filepath.Join(s.Dir, filepath.FromSlash(p)), filepath.Join(scratch, filepath.FromSlash(p))); err != nil {
			return "", err
		}
	}
	if _, err := Git(ctx, scratch, "add", "-A"); err != nil {
		return "", err
	}
	for _, p := range sortedKeys(changed) {
		full := filepath.Join(scratch, filepath.FromSlash(p))
		if changed[p] == nil {
			if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
			continue
		}
		mode := fs.FileMode(0o644)
		if f, ok := s.file(p); ok && f.Mode == 0o755 {
			mode = 0o755
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", err
		}
		os.Remove(full) // a link becomes a file
		if err := os.WriteFile(full, changed[p], mode); err != nil {
			return "", err
		}
	}
	if len(news) > 0 {
		if _, err := Git(ctx, scratch, append([]string{"add", "-N", "--"}, news...)...); err != nil {
			return "", err
		}
	}
	return Git(ctx, scratch, "-c", "core.quotePath=false", "diff", "--binary", "--no-color", "--no-ext-diff", "--full-index")
}

// Modified lists the files among paths that are not in the repository's
// working tree as the snapshot saw them (changed, made or deleted since):
// what applying a patch to the user's tree must not overwrite.
func (s *Snapshot) Modified(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		full := filepath.Join(s.Root, filepath.FromSlash(p))
		f, known := s.file(p)
		fi, err := os.Lstat(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if known {
				out = append(out, p)
			}
			continue
		case err != nil:
			return nil, err
		case !known:
			out = append(out, p) // made since
			continue
		}
		var sum [32]byte
		if fi.Mode()&fs.ModeSymlink != 0 {
			t, err := os.Readlink(full)
			if err != nil {
				return nil, err
			}
			sum = sha256.Sum256([]byte(t))
		} else {
			b, err := os.ReadFile(full)
			if err != nil {
				return nil, err
			}
			sum = sha256.Sum256(b)
		}
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			out = append(out, p)
		}
	}
	return out, nil
}

// Paths lists the files a patch made by Diff touches.
func Paths(patch string) []string {
	seen := map[string]bool{}
	for _, l := range strings.Split(patch, "\n") {
		if rest, ok := strings.CutPrefix(l, "diff --git a/"); ok {
			if i := strings.Index(rest, " b/"); i >= 0 {
				seen[path.Clean(rest[:i])] = true
			}
		}
	}
	return sortedKeys(seen)
}

// Git runs the git command in dir and returns its output; an error carries
// git's own first line. The user's global and system configuration do not
// apply (the repository's own does).
func Git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	// The user's configuration may not change what a patch looks like.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(strings.SplitN(stderr.String(), "\n", 2)[0])
		if errors.Is(err, exec.ErrNotFound) {
			return "", errors.New("git is not installed: apt-get install -y git (as root)")
		}
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, msg)
	}
	return string(out), nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
