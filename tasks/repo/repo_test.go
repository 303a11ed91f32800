package repo

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// newRepo makes a git repository with one commit and then changes to its
// working tree of every kind a snapshot must see or leave out.
func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	repotest.Git(t, dir, "init", "-q")
	repotest.Write(t, dir, "src/calc.py", "def add(a, b):\n    return a - b\n")
	repotest.Write(t, dir, "README.md", "calc\n")
	repotest.Write(t, dir, "old.txt", "to be deleted\n")
	repotest.Write(t, dir, ".gitignore", "*.log\nbuild/\n")
	repotest.Write(t, dir, "run.sh", "#!/bin/sh\necho hi\n")
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("src/calc.py", filepath.Join(dir, "calc-link.py")); err != nil {
		t.Fatal(err)
	}
	repotest.Git(t, dir, "add", "-A")
	repotest.Git(t, dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first")
	// The working tree moves on: an uncommitted change, an untracked file,
	// ignored ones, a deleted file.
	repotest.Write(t, dir, "README.md", "calc, changed\n")
	repotest.Write(t, dir, "src/new_helper.py", "X = 1\n")
	repotest.Write(t, dir, "debug.log", "ignored\n")
	repotest.Write(t, dir, "build/out.bin", "ignored\n")
	if err := os.Remove(filepath.Join(dir, "old.txt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTake(t *testing.T) {
	dir := newRepo(t)
	before := repotest.TreeHash(t, dir)
	s, err := Take(context.Background(), filepath.Join(dir, "src"), t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range s.Files {
		got = append(got, f.Path)
	}
	want := []string{".gitignore", "README.md", "calc-link.py", "run.sh", "src/calc.py", "src/new_helper.py"}
	if !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if b, err := s.Read("README.md"); err != nil || string(b) != "calc, changed\n" {
		t.Errorf("README.md in the snapshot: %q %v; want the working tree's", b, err)
	}
	if f, _ := s.file("run.sh"); f.Mode != 0o755 {
		t.Errorf("run.sh mode %v", f.Mode)
	}
	if f, _ := s.file("calc-link.py"); f.Mode != fs.ModeSymlink {
		t.Errorf("calc-link.py mode %v", f.Mode)
	}
	if l, err := os.Readlink(filepath.Join(s.Dir, "calc-link.py")); err != nil || l != "src/calc.py" {
		t.Errorf("the link in the copy: %q %v", l, err)
	}
	if s.Commit == "" || s.Root != dir {
		t.Errorf("root %s commit %q", s.Root, s.Commit)
	}
	if repotest.TreeHash(t, dir) != before {
		t.Error("taking a snapshot changed the user's tree")
	}
	// The copy is private: changing the user's tree changes nothing in it.
	repotest.Write(t, dir, "src/calc.py", "changed after\n")
	if b, _ := s.Read("src/calc.py"); string(b) != "def add(a, b):\n    return a - b\n" {
		t.Errorf("the snapshot follows the tree: %q", b)
	}
}

func TestTakeRefuses(t *testing.T) {
	ctx := context.Background()
	var re *Error
	_, err := Take(ctx, t.TempDir(), t.TempDir(), 0)
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "is not in a git repository") {
		t.Errorf("not a repository: %v", err)
	}
	into := t.TempDir()
	_, err = Take(ctx, newRepo(t), into, 10)
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "over 0 MiB (the snapshot limit)") {
		t.Errorf("over the limit: %v", err)
	}
	if left, _ := os.ReadDir(into); len(left) != 0 {
		t.Errorf("a refused snapshot left %v", left)
	}
}

// TestDiffApplies: the patch of a change to the snapshot applies with git
// apply to a clean checkout of its commit and gives the changed files
// there, byte for byte.
func TestDiffApplies(t *testing.T) {
	ctx := context.Background()
	dir := repotest.New(t, map[string]string{
		"src/calc.py":    "def add(a, b):\n    return a - b\n",
		"src/util.py":    "def unused():\n    pass\n",
		"data.bin":       "\x00\x01\x02binary",
		"no-newline.txt": "last line",
	})
	s, err := Take(ctx, dir, t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string][]byte{
		"src/calc.py":        []byte("def add(a, b):\n    return a + b\n"),
		"src/util.py":        nil,
		"src/new dir/ünï.py": []byte("X = 1\n"),
		"data.bin":           []byte("\x00\x03binary"),
		"no-newline.txt":     []byte("last line, still none"),
	}
	patch, err := s.Diff(ctx, t.TempDir(), changed)
	if err != nil {
		t.Fatal(err)
	}
	if got := Paths(patch); !slices.Equal(got, []string{"data.bin", "no-newline.txt", "src/calc.py", "src/new dir/ünï.py", "src/util.py"}) {
		t.Errorf("Paths = %q", got)
	}
	clean := t.TempDir()
	repotest.Git(t, clean, "clone", "-q", dir, ".")
	pf := filepath.Join(t.TempDir(), "fix.diff")
	if err := os.WriteFile(pf, []byte(patch), 0o644); err != nil {
		t.Fatal(err)
	}
	repotest.Git(t, clean, "apply", "--check", pf)
	repotest.Git(t, clean, "apply", pf)
	for p, want := range changed {
		b, err := os.ReadFile(filepath.Join(clean, filepath.FromSlash(p)))
		if want == nil {
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s still there after the patch", p)
			}
			continue
		}
		if err != nil || string(b) != string(want) {
			t.Errorf("%s after git apply: %q %v, want %q", p, b, err, want)
		}
	}
	if d, _ := s.Diff(ctx, t.TempDir(), map[string][]byte{"src/calc.py": []byte("def add(a, b):\n    return a - b\n")}); d != "" {
		t.Errorf("no change gives a patch:\n%s", d)
	}
}

func TestModified(t *testing.T) {
	dir := newRepo(t)
	s, err := Take(context.Background(), dir, t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"src/calc.py", "README.md", "src/new_helper.py", "old.txt", "run.sh"}
	if got, err := s.Modified(paths); err != nil || len(got) != 0 {
		t.Fatalf("nothing changed, Modified = %v %v", got, err)
	}
	repotest.Write(t, dir, "src/calc.py", "edited by the user\n")
	os.Remove(filepath.Join(dir, "run.sh"))
	repotest.Write(t, dir, "old.txt", "back again\n")
	got, err := s.Modified(paths)
	if err != nil || !slices.Equal(got, []string{"src/calc.py", "old.txt", "run.sh"}) {
		t.Errorf("Modified = %v %v", got, err)
	}
}

func TestIsTest(t *testing.T) {
	for p, want := range map[string]bool{
		"test_parser.py": true, "tests/helpers.py": true, "pkg/parser_test.go": true, "src/app.test.js": true,
		"src/test/java/FooTest.java": true, "conftest.py": true, "test.js": true, "testdata/in.txt": true,
		"src/parser.py": false, "main.go": false, "src/lib.rs": false, "contest.py": false, "latest.py": false,
		"src/main/java/Foo.java": false, "attest/x.go": false,
	} {
		if got := IsTest(p); got != want {
			t.Errorf("IsTest(%q) = %v, want %v", p, got, want)
		}
	}
}
