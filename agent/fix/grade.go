package fix

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
)

// A run is one run of the test command, read into per-test results.
type run struct {
	log    testlog.Log
	exit   int
	status string // the sandbox's: exited, timeout, memory, ...
	output string // stdout then stderr, as the runner printed them
}

// statuses are a run's results by test id; a build or collection error
// (a failure outside any test) makes ExitCase fail, and a clean exit with
// no such error makes it pass.
func (r run) statuses() map[string]testlog.Status {
	st := make(map[string]testlog.Status, len(r.log.Cases)+1)
	for _, c := range r.log.Cases {
		// A test reported twice (a retry, or a fake line) counts as failed
		// if it ever failed.
		if st[c.ID()] != testlog.Failed {
			st[c.ID()] = c.Status
		}
	}
	if _, ok := st[testlog.ExitCase]; !ok {
		st[testlog.ExitCase] = testlog.Passed
		if r.exit != 0 || r.status != "exited" || len(r.log.Errors) > 0 {
			st[testlog.ExitCase] = testlog.Failed
		}
	}
	return st
}

// case_ finds a test's result in the run.
func (r run) case_(id string) (testlog.Case, bool) {
	for i := len(r.log.Cases) - 1; i >= 0; i-- {
		if c := r.log.Cases[i]; c.ID() == id && c.Status == testlog.Failed {
			return c, true
		}
	}
	for _, c := range r.log.Cases {
		if c.ID() == id {
			return c, true
		}
	}
	return testlog.Case{}, false
}

// A baseline is what the tests do before any repair: the tests that failed
// at every run (the targets), passed at every run (the guards), or did
// both (quarantined: never targets, never guards).
type baseline struct {
	targets, guards, quarantined []string
	// whole are the targets that name a test file of the repository: the
	// runner's name for a file that failed as a whole (see grown).
	whole map[string]bool
}

// markWhole finds the targets that name one of the repository's test
// files, as node --test names a file that did not load (/work/test.js, in
// sandbox.WorkDir) or
// pytest a module that did not import (tests.test_calc).
func (b *baseline) markWhole(paths []string, isTest func(string) bool) {
	tests := map[string]bool{}
	for _, p := range paths {
		if isTest(p) {
			tests[p] = true
		}
	}
	b.whole = map[string]bool{}
	for _, id := range b.targets {
		for _, p := range []string{strings.TrimPrefix(id, sandbox.WorkDir+"/"), strings.ReplaceAll(id, ".", "/") + ".py"} {
			if tests[p] {
				b.whole[id] = true
			}
		}
	}
}

// newBaseline classifies the tests of the baseline runs. ExitCase is a
// target only when no test failed at every run but the command did (a
// build error, say), and never a guard when tests were reported.
func newBaseline(runs []run) baseline {
	seen := map[string][]testlog.Status{}
	var order []string
	for _, r := range runs {
		for id, s := range r.statuses() {
			if _, ok := seen[id]; !ok {
				order = append(order, id)
			}
			seen[id] = append(seen[id], s)
		}
	}
	slices.Sort(order)
	var b baseline
	for _, id := range order {
		ss := seen[id]
		fails, passes := 0, 0
		for _, s := range ss {
			switch s {
			case testlog.Failed:
				fails++
			case testlog.Passed:
				passes++
			}
		}
		switch {
		case id == testlog.ExitCase:
		case fails == len(runs):
			b.targets = append(b.targets, id)
		case passes == len(runs):
			b.guards = append(b.guards, id)
		case fails > 0 || passes > 0:
			b.quarantined = append(b.quarantined, id)
		}
	}
	if len(b.targets) == 0 {
		fails := 0
		for _, r := range runs {
			if r.statuses()[testlog.ExitCase] == testlog.Failed {
				fails++
			}
		}
		switch {
		case fails == len(runs):
			b.targets = []string{testlog.ExitCase}
		case fails > 0:
			b.quarantined = append(b.quarantined, testlog.ExitCase)
		}
	}
	return b
}

// grade judges a run by SWE-bench's rules: it fixes the repository when
// every target passes and no guard fails; a target skipped or missing has
// failed, a guard missing is broken, a non-zero exit with no failing test
// reported voids the run, and so does a run that reported no test.
func (b baseline) grade(r run) rundir.TestRun {
	st := r.statuses()
	tr := rundir.TestRun{ExitCode: r.exit}
	for _, c := range r.log.Cases {
		switch c.Status {
		case testlog.Passed:
			tr.Passed++
		case testlog.Failed:
			tr.Failed++
		case testlog.Skipped:
			tr.Skipped++
		}
	}
	grown := b.grown(r)
	for _, id := range b.targets {
		s, reported := st[id]
		if !reported && grown && b.whole[id] {
			s = testlog.Passed
		}
		if s == testlog.Passed {
			tr.TargetsPassing++
		} else {
			tr.Failing = append(tr.Failing, id)
		}
	}
	for _, id := range b.guards {
		if st[id] != testlog.Passed {
			tr.Broken = append(tr.Broken, id)
		}
	}
	onlyExit := len(b.targets) == 1 && b.targets[0] == testlog.ExitCase
	switch {
	case r.status != "exited":
		tr.Void = "the tests did not finish: " + r.status
	case len(r.log.Cases) == 0 && !onlyExit:
		tr.Void = "no test was reported"
	case r.exit != 0 && tr.Failed == 0 && len(r.log.Errors) == 0 && !onlyExit:
		tr.Void = fmt.Sprintf("the command exited with status %d and reported no failing test", r.exit)
	}
	if tr.Void != "" && tr.TargetsPassing > 0 {
		// A void run passes nothing.
		tr.Failing = append([]string(nil), b.targets...)
		tr.TargetsPassing = 0
	}
	return tr
}

// grown reports whether r ran tests that took the place of a target that
// failed as a whole: a test file that did not load or a module that did not
// import, which the runner names as one failing test (node --test names
// the file, pytest the module). Once it loads, its tests are reported
// under their own names and the file's name is gone. Such a target, when
// missing, passes only if no test failed and some test passed that the
// baseline never reported (the test files are the snapshot's at every
// run, so new tests can only be theirs).
func (b baseline) grown(r run) bool {
	known := make(map[string]bool, len(b.targets)+len(b.guards)+len(b.quarantined))
	for _, ids := range [][]string{b.targets, b.guards, b.quarantined} {
		for _, id := range ids {
			known[id] = true
		}
	}
	grown := false
	for _, c := range r.log.Cases {
		switch {
		case c.Status == testlog.Failed:
			return false
		case c.Status == testlog.Passed && !known[c.ID()]:
			grown = true
		}
	}
	return grown
}

// fixed reports whether a graded run fixes the repository.
func fixed(tr rundir.TestRun, targets int) bool {
	return tr.Void == "" && tr.TargetsPassing == targets && len(tr.Broken) == 0
}

// better reports whether a is a better repair than b: no guard broken, then
// more targets passing.
func better(a, b *rundir.TestRun) bool {
	if b == nil {
		return a.Void == "" && len(a.Broken) == 0 && a.TargetsPassing > 0
	}
	if a.Void != "" || len(a.Broken) > 0 {
		return false
	}
	return a.TargetsPassing > b.TargetsPassing
}

// failures are how the targets failed in r: each one's first message line
// and the first place in the repository (one of paths) its output names.
func failures(r run, targets, paths []string) []rundir.TestFailure {
	var out []rundir.TestFailure
	for _, id := range targets {
		tf := rundir.TestFailure{Test: id}
		text := r.output
		if c, ok := r.case_(id); ok && id != testlog.ExitCase {
			text = c.Message + "\n" + c.Output
			tf.Message = firstLine(c.Message)
		} else {
			tf.Message = firstLine(lastLinesOf(r.output, 1))
		}
		tf.File, tf.Line = locate(text, paths)
		out = append(out, tf)
	}
	return out
}

// locate finds the first place in text that names one of paths with a line
// number, as runners print them: path:12 (Go, pytest, Rust, node, C++),
// File "path", line 12 (Python), or the base name alone (Name.java:12 in
// a Java stack trace) when one path has it. The repository may be named as
// it is in the container (under sandbox.WorkDir).
func locate(text string, paths []string) (string, int) {
	text = strings.ReplaceAll(text, sandbox.WorkDir+"/", "")
	best, file, line := -1, "", 0
	try := func(prefix, name, p string) {
		re := regexp.MustCompile(prefix + regexp.QuoteMeta(name) + `"?(?:, line |:)(\d+)`)
		if m := re.FindStringSubmatchIndex(text); m != nil && (best < 0 || m[0] < best) {
			n, _ := strconv.Atoi(text[m[2]:m[3]])
			best, file, line = m[0], p, n
		}
	}
	for _, p := range paths {
		try(`(?:^|[\s("'])`, p, p)
	}
	if best >= 0 {
		return file, line
	}
	count := map[string]int{}
	for _, p := range paths {
		count[path.Base(p)]++
	}
	for _, p := range paths {
		if count[path.Base(p)] == 1 {
			try(`(?:^|[\s(])`, path.Base(p), p)
		}
	}
	return file, line
}
