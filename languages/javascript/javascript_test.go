package javascript

import (
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

func TestWordsAndRuntime(t *testing.T) {
	l := New()
	w := l.Words()
	if w.Fence != "javascript" || w.Name != "JavaScript" || !strings.Contains(w.Version, "18") || !strings.HasPrefix(w.Header, "its ") {
		t.Errorf("words %+v", w)
	}
	if l.Name() != "javascript" || l.ImageRef() != "selfrepair/javascript:bookworm" || l.SeedEnv("1") != nil || l.Preload() != nil {
		t.Errorf("runtime: %s %s", l.Name(), l.ImageRef())
	}
	job := l.FileJob("cpu_node_spin.js", []byte("for(;;){}"), sandbox.Limits{})
	if strings.Join(job.Argv, " ") != "node cpu_node_spin.js" || job.Build != nil || string(job.Files["cpu_node_spin.js"]) != "for(;;){}" {
		t.Errorf("file job %+v", job)
	}
	r := l.Recipe("")
	if r.Ref != l.ImageRef() || r.Files[driverPath] != driverSource || len(r.Setup) == 0 {
		t.Errorf("recipe %+v", r)
	}
}

func TestJobLayout(t *testing.T) {
	l := New()
	program := l.Program(meanTask, meanTask.Reference)
	job := l.Job(meanTask, program, sandbox.Limits{Timeout: time.Second})
	src := string(job.Files["test.js"])
	if !strings.HasPrefix(src, program+"\n"+meanTask.Test) || len(job.Files) != 1 {
		t.Errorf("test.js is not program + newline + test:\n%s", src)
	}
	end := job.Env[endEnv]
	if !strings.HasSuffix(src, "\n;"+end+"(console, JSON, Math, String)\n") || !strings.HasPrefix(end, "__selfrepair_end_") {
		t.Errorf("test.js does not end with the end call:\n%s", src)
	}
	if job.Env[languages.TokenEnv] == "" || job.Env["NODE_PATH"] != modulesDir || job.Env[testLineEnv] != "9" {
		t.Errorf("env %v", job.Env)
	}
	if job.Build[len(job.Build)-1] != "test.js" || job.Argv[len(job.Argv)-1] != "test.js" || job.Argv[0] != "node" {
		t.Errorf("build %v, argv %v", job.Build, job.Argv)
	}
	if job.Limits.Timeout != time.Second {
		t.Errorf("limits %+v", job.Limits)
	}
	again := l.Job(meanTask, program, sandbox.Limits{})
	if again.Env[languages.TokenEnv] == job.Env[languages.TokenEnv] || again.Env[endEnv] == end {
		t.Errorf("two jobs share a token or an end function")
	}

	// Two suites: two files, run one after the other.
	task := meanTask
	task.VisibleTest = "console.assert(mean([2]) === 2)\n"
	two := l.Job(task, program, sandbox.Limits{}, languages.Visible, languages.Base, languages.Plus)
	if len(two.Files) != 2 || two.Files["test_visible.js"] == nil || two.Env[suitesEnv] != "visible,base" || two.Argv[0] != "/bin/sh" {
		t.Errorf("two suites: files %d, env %v, argv %v", len(two.Files), two.Env, two.Argv)
	}
}

// TestClassifySplitsSuites classifies a made-up result of a two-suite job:
// each suite's output is read apart.
func TestClassifySplitsSuites(t *testing.T) {
	l := New()
	task := meanTask
	task.VisibleTest = "console.assert(mean([2]) === 2)\n"
	job := l.Job(task, l.Program(task, task.Reference), sandbox.Limits{}, languages.Visible, languages.Base)
	end, token := job.Env[endEnv], job.Env[languages.TokenEnv]
	zero := 0
	res := &sandbox.Result{Status: sandbox.StatusExited, BuildExitCode: &zero,
		Stdout: []byte(languages.TokenLine(token) + "\n" + end + " visible 0\n" + "\n" + end + " base 0\n"),
		Stderr: []byte("\n" + end + " visible\n" + "Assertion failed\n\n" + end +
			` {"failures":1,"first":"/work/test.js:10:11","ended":true,"status":0,"tampered":""}` + "\n" + "\n" + end + " base\n"),
	}
	out := l.Classify(job, res)
	v, b := out.Suites[languages.Visible], out.Suites[languages.Base]
	if v == nil || b == nil {
		t.Fatalf("suites %v", out.Suites)
	}
	if !v.Passed {
		t.Errorf("visible: %+v", v)
	}
	if b.Passed || b.Class != languages.Assertion || b.TestLine != 2 || b.TestText != "console.assert(mean([1, 2, 3]) === 2)" {
		t.Errorf("base: %+v", b)
	}
	if out.Passed || out.Class != languages.Assertion {
		t.Errorf("overall: %+v", out)
	}
	// A run cut short (the shell killed): the suites without a verdict fail.
	res.Stdout = []byte(languages.TokenLine(token) + "\n" + end + " visible 0\n")
	res.Stderr = []byte("\n" + end + " visible\n")
	out = l.Classify(job, res)
	if out.Passed || out.Suites[languages.Base] == nil || out.Suites[languages.Base].ErrorType != "NoVerdict" || !out.Suites[languages.Visible].Passed {
		t.Errorf("cut short: %+v", out)
	}
}
