package languages_test

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

func TestRegistry(t *testing.T) {
	reg := builtin.Registry()
	for _, c := range []struct {
		file, lang, err string
	}{
		{"a.py", "python", ""},
		{"dir/b.mjs", "javascript", ""},
		{"main.go", "go", ""},
		{"run.sh", "shell", ""},
		{"prog.cpp", "cpp", ""},
		{"Main.java", "java", ""},
		{"main.rs", "rust", ""},
		{"main.rs", "rust", ""},
		{"x.rb", "", "cannot tell the language of x.rb"},
		{"Makefile", "", "cannot tell the language of Makefile"},
	} {
		rt, err := reg.ForFile(c.file)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ForFile(%s): error %v, want %q", c.file, err, c.err)
		case c.err == "" && (err != nil || rt.Name() != c.lang):
			t.Errorf("ForFile(%s) = %v, %v; want %s", c.file, rt, err, c.lang)
		}
	}
	if _, err := reg.Runtime("cobol"); err == nil || !strings.Contains(err.Error(), "known: cpp, go, java, javascript, python, rust, shell") {
		t.Errorf("unknown runtime: %v", err)
	}
	if _, err := reg.Language("shell"); err == nil || !strings.Contains(err.Error(), "cannot judge its tasks") {
		t.Errorf("a runtime that judges no tasks: %v", err)
	}
	if got := reg.Names(); strings.Join(got, " ") != "cpp go java javascript python rust shell" {
		t.Errorf("Names() = %v", got)
	}
}

func TestOf(t *testing.T) {
	reg := builtin.Registry()
	ds := func(langs ...string) *tasks.Dataset {
		d := &tasks.Dataset{Name: "d"}
		for _, l := range langs {
			d.Tasks = append(d.Tasks, tasks.Task{ID: "t", Language: l})
		}
		return d
	}
	for _, c := range []struct {
		ds   *tasks.Dataset
		want string // the language, or a part of the error
	}{
		{ds("python", "python"), "python"},
		{ds("python", "go"), "mixes languages (python and go)"},
		{ds("shell"), "cannot judge its tasks"},
		{ds("fortran"), `unknown language "fortran"`},
		{ds(), "has no tasks"},
	} {
		l, err := reg.Of(c.ds)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = l.Name()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("Of(%v) = %q, want %q", c.ds.Tasks, got, c.want)
		}
	}
}

// The default image of a runtime that shares another's is that one's,
// built from the same recipe.
func TestSharedImage(t *testing.T) {
	reg := builtin.Registry()
	sh, _ := reg.Runtime("shell")
	py, _ := reg.Runtime(builtin.Default)
	if sh.ImageRef() != py.ImageRef() || sh.Recipe("").Digest() != py.Recipe("").Digest() {
		t.Errorf("shell runs in %s (%s), the default language in %s (%s)", sh.ImageRef(), sh.Recipe("").Digest(), py.ImageRef(), py.Recipe("").Digest())
	}
	if !strings.HasSuffix(py.ImageRef(), ":"+languages.Release) {
		t.Errorf("image %s is not of release %s", py.ImageRef(), languages.Release)
	}
}

func TestCompleted(t *testing.T) {
	tok := languages.NewToken()
	if len(tok) != 32 || tok == languages.NewToken() {
		t.Fatalf("token %q is not 128 fresh random bits", tok)
	}
	job := sandbox.Job{Env: map[string]string{languages.TokenEnv: tok}}
	for _, c := range []struct {
		name, out, rest string
		job             sandbox.Job
		ok              bool
	}{
		{"completed", "hello\n" + languages.TokenLine(tok), "hello\n", job, true},
		{"output without newline", "partial" + languages.TokenLine(tok), "partial", job, true},
		{"nothing", "", "", job, false},
		{"exited early", "ok\n", "ok\n", job, false},
		{"another token", "x\n" + languages.TokenLine(languages.NewToken()), "", job, false},
		{"output after the token", languages.TokenLine(tok) + "late\n", "", job, false},
		{"no token in the job", languages.TokenLine(""), "", sandbox.Job{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rest, ok := languages.Completed(c.job, []byte(c.out))
			if ok != c.ok || ok && string(rest) != c.rest {
				t.Errorf("languages.Completed(%q) = %q, %v; want %q, %v", c.out, rest, ok, c.rest, c.ok)
			}
		})
	}
}
