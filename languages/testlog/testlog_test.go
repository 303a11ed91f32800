package testlog_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
)

// run runs job in the image of language lang and returns its stdout.
func run(t *testing.T, lang string, job sandbox.Job) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("runs test runners in Docker")
	}
	ctx := context.Background()
	rt, err := builtin.Registry().Runtime(lang)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: rt.ImageRef(), Size: 1, Spare: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	job.Limits = sandbox.Limits{Timeout: 90 * time.Second, BuildTimeout: 90 * time.Second}
	res, err := sb.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != sandbox.StatusExited {
		t.Fatalf("the runner ended %s: %s\n%s", res.Summary(), res.Stdout, res.Stderr)
	}
	return res.Stdout
}

// want is what a suite's log must say of its tests: status and a part of
// the failure's message, by test ID.
type want map[string]struct {
	status  testlog.Status
	message string
}

func check(t *testing.T, log testlog.Log, out []byte, w want, errors int) {
	t.Helper()
	got := map[string]testlog.Case{}
	for _, c := range log.Cases {
		got[c.ID()] = c
	}
	for id, x := range w {
		c, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s: not in the log (%d cases: %v)", id, len(got), ids(log))
		case c.Status != x.status || !strings.Contains(c.Message, x.message):
			t.Errorf("%s: %s %q, want %s with %q", id, c.Status, c.Message, x.status, x.message)
		}
	}
	if len(got) != len(w) {
		t.Errorf("%d cases %v, want %d", len(got), ids(log), len(w))
	}
	if len(log.Errors) != errors {
		t.Errorf("errors %q, want %d", log.Errors, errors)
	}
	if t.Failed() {
		t.Logf("the runner's output:\n%s", out)
	}
}

func ids(l testlog.Log) []string {
	var out []string
	for _, c := range l.Cases {
		out = append(out, c.ID()+"="+string(c.Status))
	}
	return out
}

func TestJUnitFromPytest(t *testing.T) {
	out := run(t, "python", sandbox.Job{
		Files: map[string][]byte{"test_calc.py": []byte(`import pytest


def test_pass():
    assert 1 + 1 == 2


def test_fail():
    assert [1, 2] == [1, 3], "lists differ"


@pytest.mark.skip(reason="not today")
def test_skip():
    pass


def test_error():
    raise KeyError("k")


class TestGroup:
    def test_in_class(self):
        assert True
`)},
		Argv: []string{"sh", "-c", "python3 -m pytest -q -p no:cacheprovider --junitxml=report.xml >/dev/null 2>&1; cat report.xml"},
	})
	log, err := testlog.JUnit(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check(t, log, out, want{
		"test_calc::test_pass":               {testlog.Passed, ""},
		"test_calc::test_fail":               {testlog.Failed, "lists differ"},
		"test_calc::test_skip":               {testlog.Skipped, "not today"},
		"test_calc::test_error":              {testlog.Failed, "KeyError"},
		"test_calc.TestGroup::test_in_class": {testlog.Passed, ""},
	}, 0)
}

func TestGoTestJSON(t *testing.T) {
	out := run(t, "go", sandbox.Job{
		Files: map[string][]byte{
			"go.mod":  []byte("module calc\n\ngo 1.19\n"),
			"calc.go": []byte("package calc\n\nfunc Add(a, b int) int { return a - b }\n"),
			"calc_test.go": []byte(`package calc

import "testing"

func TestPass(t *testing.T) {}

func TestFail(t *testing.T) {
	if got := Add(1, 2); got != 3 {
		t.Errorf("Add(1, 2) = %d, want 3", got)
	}
}

func TestSkip(t *testing.T) { t.Skip("not today") }

func TestParent(t *testing.T) {
	t.Run("child", func(t *testing.T) {})
}
`),
			"broken/broken.go": []byte("package broken\n\nfunc F( {\n"),
		},
		Env: map[string]string{"GOCACHE": "/tmp/go-cache", "GOPATH": "/tmp/go", "HOME": "/tmp", "GOFLAGS": "-mod=mod",
			"CGO_ENABLED": "0", "GOPROXY": "off"},
		Argv: []string{"sh", "-c", "go test -json -count=1 ./... 2>&1"},
	})
	log, err := testlog.GoTest(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check(t, log, out, want{
		"calc::TestPass":         {testlog.Passed, ""},
		"calc::TestFail":         {testlog.Failed, "Add(1, 2) = -1, want 3"},
		"calc::TestSkip":         {testlog.Skipped, ""},
		"calc::TestParent":       {testlog.Passed, ""},
		"calc::TestParent/child": {testlog.Passed, ""},
	}, 1)
	if len(log.Errors) == 1 && !strings.Contains(log.Errors[0], "calc/broken") {
		t.Errorf("the package that does not build: %q", log.Errors[0])
	}
}

func TestTAPFromNode(t *testing.T) {
	out := run(t, "javascript", sandbox.Job{
		Files: map[string][]byte{"calc.test.js": []byte(`const test = require('node:test');
const assert = require('node:assert');

test('adds', () => assert.strictEqual(1 + 1, 2));
test('fails', () => assert.strictEqual(1 + 1, 3));
test('skipped', { skip: 'not today' }, () => {});
test('parent', async (t) => {
  await t.test('child ok', () => {});
  await t.test('child fails', () => { throw new Error('boom'); });
});
`)},
		Argv: []string{"sh", "-c", "node --test --test-reporter=tap calc.test.js; true"},
	})
	log, err := testlog.TAP(out)
	if err != nil {
		t.Fatal(err)
	}
	check(t, log, out, want{
		"adds":                {testlog.Passed, ""},
		"fails":               {testlog.Failed, "Expected values to be strictly equal"},
		"skipped":             {testlog.Skipped, ""},
		"parent::child ok":    {testlog.Passed, ""},
		"parent::child fails": {testlog.Failed, "boom"},
	}, 0)
}

func TestLibtestFromCargo(t *testing.T) {
	out := run(t, "rust", sandbox.Job{
		Files: map[string][]byte{
			"Cargo.toml": []byte("[package]\nname = \"calc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
			"src/lib.rs": []byte(`pub fn add(a: i32, b: i32) -> i32 { a - b }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_zero() { assert_eq!(add(1, 0), 1); }

    #[test]
    fn adds() { assert_eq!(add(1, 2), 3, "one and two"); }

    #[test]
    #[ignore]
    fn later() {}

    #[test]
    #[should_panic]
    fn panics() { panic!("expected") }
}
`),
		},
		Env:  map[string]string{"CARGO_HOME": "/tmp/cargo", "CARGO_TARGET_DIR": "/tmp/target", "HOME": "/tmp"},
		Argv: []string{"sh", "-c", "cargo test --offline 2>&1; true"},
	})
	log, err := testlog.Libtest(out)
	if err != nil {
		t.Fatal(err)
	}
	check(t, log, out, want{
		"tests::adds_zero": {testlog.Passed, ""},
		"tests::adds":      {testlog.Failed, "one and two"},
		"tests::later":     {testlog.Skipped, ""},
		"tests::panics":    {testlog.Passed, ""},
	}, 0)
}

func TestUnittestFromPython(t *testing.T) {
	out := run(t, "python", sandbox.Job{
		Files: map[string][]byte{"test_calc.py": []byte(`import unittest


class TestCalc(unittest.TestCase):
    def test_pass(self):
        self.assertEqual(1 + 1, 2)

    def test_fail(self):
        self.assertEqual([1, 2], [1, 3], "lists differ")

    def test_noisy(self):
        print("some output")
        self.assertTrue(True)

    @unittest.skip("not today")
    def test_skip(self):
        pass

    def test_error(self):
        raise KeyError("k")
`), "test_broken.py": []byte("import no_such_module\n")},
		Argv: []string{"sh", "-c", "python3 -m unittest -v 2>&1"},
	})
	log, err := testlog.Unittest(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check(t, log, out, want{
		"test_calc.TestCalc::test_pass":  {testlog.Passed, ""},
		"test_calc.TestCalc::test_fail":  {testlog.Failed, "lists differ"},
		"test_calc.TestCalc::test_noisy": {testlog.Passed, ""},
		"test_calc.TestCalc::test_skip":  {testlog.Skipped, "not today"},
		"test_calc.TestCalc::test_error": {testlog.Failed, "KeyError"},
	}, 1)
}
