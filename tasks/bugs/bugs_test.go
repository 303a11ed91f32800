package bugs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// dataDir is the shared datasets folder, seen from this package.
var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

// sets are the sets and languages Load reads, with their task counts.
var sets = []struct {
	set, language string
	n             int
}{
	{HumanEvalFix, "python", 164}, {HumanEvalFix, "javascript", 164}, {HumanEvalFix, "go", 164},
	{HumanEvalFix, "cpp", 164}, {HumanEvalFix, "java", 164}, {HumanEvalFix, "rust", 164},
	{QuixBugs, "python", 40}, {QuixBugs, "java", 40},
}

func load(t *testing.T, set, language string) []Task {
	t.Helper()
	tasks, err := Load(dataDir, set, language)
	if err != nil {
		t.Fatal(err)
	}
	return tasks
}

func TestLoad(t *testing.T) {
	for _, s := range sets {
		t.Run(s.set+"/"+s.language, func(t *testing.T) {
			tasks := load(t, s.set, s.language)
			if len(tasks) != s.n {
				t.Fatalf("%d tasks, want %d", len(tasks), s.n)
			}
			ids := map[string]bool{}
			for _, task := range tasks {
				if ids[task.ID] {
					t.Errorf("%s: duplicate id", task.ID)
				}
				ids[task.ID] = true
				if task.Set != s.set || task.Language != s.language {
					t.Errorf("%s: set %q language %q", task.ID, task.Set, task.Language)
				}
				if task.Test == "" || len(task.Fixed) == 0 || len(task.Tests) == 0 {
					t.Errorf("%s: no test command, fix or test files", task.ID)
				}
				if s.set == HumanEvalFix && task.BugType == "" {
					t.Errorf("%s: no bug type", task.ID)
				}
				for name, fixed := range task.Fixed {
					buggy, ok := task.Files[name]
					if !ok {
						t.Errorf("%s: the fix changes %s, which the repository lacks", task.ID, name)
					} else if buggy == fixed {
						t.Errorf("%s: the fixed %s is the buggy one", task.ID, name)
					}
					if slices.Contains(task.Tests, name) {
						t.Errorf("%s: the fix changes the test file %s", task.ID, name)
					}
				}
				for _, name := range task.Tests {
					if _, ok := task.Files[name]; !ok {
						t.Errorf("%s: test file %s is not in the repository", task.ID, name)
					}
				}
				for name := range task.Files {
					if !validPath(name) {
						t.Errorf("%s: invalid path %q", task.ID, name)
					}
				}
			}
			for id := range Defects(s.set, s.language) {
				if !ids[id] {
					t.Errorf("defect %s is not a task", id)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct{ set, language, want string }{
		{HumanEvalFix, "cobol", `no language "cobol"`},
		{QuixBugs, "go", `no language "go"`},
		{"defects4j", "java", `unknown set "defects4j"`},
	} {
		_, err := Load(dataDir, c.set, c.language)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Load(%s, %s) = %v, want one line with %q", c.set, c.language, err, c.want)
		}
	}
	if _, err := Load(t.TempDir(), HumanEvalFix, "go"); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("Load of a missing file = %v, want a one-line error", err)
	}
}

// TestLayouts checks a few things of each language's layout that the
// images would only show as a failed run.
func TestLayouts(t *testing.T) {
	byID := map[string]Task{}
	for _, s := range sets {
		for _, task := range load(t, s.set, s.language) {
			byID[task.ID] = task
		}
	}
	for _, c := range []struct{ id, file, want string }{
		{"Python/0", "test_solution.py", "from solution import *\n"},
		{"Python/0", "test_solution.py", "\ndef test_check():\n    check(has_close_elements)\n"},
		{"Python/0", "solution.py", "from typing import *\n"},
		{"JavaScript/38", "test.js", "const { encodeCyclic, decodeCyclic } = require('./solution.js');"},
		{"JavaScript/0", "solution.js", "\nmodule.exports = { hasCloseElements };\n"},
		{"JavaScript/0", "test.js", "test(\"testHasCloseElements\", () => {\n"},
		{"Go/0", "solution_test.go", "import (\n\t\"testing\"\n\n\t\"github.com/stretchr/testify/assert\"\n)\n"},
		{"Go/0", "solution.go", "package main\n\n// Check if"},
		{"CPP/0", "test.cpp", "#include \"solution.hpp\"\n#undef NDEBUG\n"},
		{"Java/0", "Main.java", "import java.util.*;\nimport java.lang.*;\n\npublic class Main {"},
		{"Rust/0", "src/main.rs", "\n#[cfg(test)]\nmod tests;\n"},
		{"Rust/0", "src/tests.rs", "use super::*;\n\n#[test]\nfn test_has_close_elements() {\n"},
		{"quixbugs/python/bitcount", "python_testcases/test_bitcount.py", "\nfrom python_programs.bitcount import bitcount\n"},
		{"quixbugs/java/bitcount", "java_programs/BITCOUNT.java", "package java_programs;\n"},
		{"quixbugs/java/bitcount", "java_testcases/junit/BITCOUNT_TEST.java", "java_programs.BITCOUNT.bitcount("},
		{"quixbugs/java/bitcount", "java_testcases/junit/QuixFixOracleHelper.java", "package java_testcases.junit;"},
	} {
		task, ok := byID[c.id]
		if !ok {
			t.Errorf("no task %s", c.id)
			continue
		}
		if !strings.Contains(task.Files[c.file], c.want) {
			t.Errorf("%s: %s lacks %q:\n%s", c.id, c.file, c.want, task.Files[c.file])
		}
	}
	if f := byID["Go/0"].Fixed["solution.go"]; !strings.HasPrefix(f, "package main\n\nimport (\n\t\"math\"\n)\n\n") {
		t.Errorf("Go/0's fixed solution.go does not import math (its buggy one uses no package):\n%s", f)
	}
	for _, task := range byID {
		if task.Set == QuixBugs && strings.Contains(task.Files[task.Tests[len(task.Tests)-1]]+task.Files["conftest.py"], "use_correct") {
			t.Errorf("%s: its tests still choose the correct program", task.ID)
		}
		for name := range task.Files {
			if strings.HasPrefix(name, "correct_") {
				t.Errorf("%s: the repository holds %s", task.ID, name)
			}
		}
	}
}

func TestGoFile(t *testing.T) {
	code := "// uses strings. in a comment\nfunc F(s string) string {\n\tx := \"fmt.Sprint\"\n\treturn strings.ToUpper(s) + x + y.math.Pi\n}\n"
	got := goFile(code, []string{"math", "fmt"}, goHarnessImports)
	want := "package main\n\nimport (\n\t\"strings\"\n)\n\n" + code
	if got != want {
		t.Errorf("goFile =\n%s\nwant\n%s", got, want)
	}
}

func TestWrite(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	ctx := context.Background()
	var picks []Task
	for _, s := range sets {
		tasks := load(t, s.set, s.language)
		picks = append(picks, tasks[0], tasks[len(tasks)-1])
	}
	commits := map[string]string{}
	for _, task := range picks {
		dir := filepath.Join(t.TempDir(), "repo") // missing: Write makes it
		if err := task.Write(ctx, dir); err != nil {
			t.Fatal(err)
		}
		var want []string
		for name := range task.Files {
			want = append(want, name)
		}
		slices.Sort(want)
		files := strings.Split(repotest.Git(t, dir, "ls-files", "-z"), "\x00")
		files = slices.DeleteFunc(files, func(s string) bool { return s == "" })
		slices.Sort(files)
		if !slices.Equal(files, want) {
			t.Errorf("%s: git ls-files = %q, want %q", task.ID, files, want)
		}
		for _, name := range want {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil || string(data) != task.Files[name] {
				t.Errorf("%s: %s as written differs (%v)", task.ID, name, err)
			}
		}
		if st := repotest.Git(t, dir, "status", "--porcelain"); st != "" {
			t.Errorf("%s: the tree is not clean: %s", task.ID, st)
		}
		if b := repotest.Git(t, dir, "rev-parse", "--abbrev-ref", "HEAD"); b != "main" {
			t.Errorf("%s: branch %q, want main", task.ID, b)
		}
		if n := repotest.Git(t, dir, "rev-list", "--count", "HEAD"); n != "1" {
			t.Errorf("%s: %s commits, want 1", task.ID, n)
		}
		commits[task.ID] = repotest.Git(t, dir, "rev-parse", "HEAD")
	}

	// The same commit again, whatever the user's git is set to do.
	home := t.TempDir()
	config := "[user]\n\tname = Someone Else\n\temail = else@example.com\n[init]\n\tdefaultBranch = trunk\n" +
		"[commit]\n\tgpgsign = true\n[core]\n\tautocrlf = true\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("GIT_AUTHOR_NAME", "Someone Else")
	t.Setenv("GIT_COMMITTER_DATE", "2001-02-03T04:05:06Z")
	for _, task := range picks {
		dir := t.TempDir() // empty
		if err := task.Write(ctx, dir); err != nil {
			t.Fatal(err)
		}
		if c := repotest.Git(t, dir, "rev-parse", "HEAD"); c != commits[task.ID] {
			t.Errorf("%s: commit %s, and %s the first time", task.ID, c, commits[task.ID])
		}
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := picks[0].Write(ctx, dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Write into a directory that is not empty = %v", err)
	}
	bad := Task{ID: "bad", Files: map[string]string{"../escape": "x"}}
	if err := bad.Write(ctx, t.TempDir()); err == nil {
		t.Error("Write of a path outside the repository succeeded")
	}
}
