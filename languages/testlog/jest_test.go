package testlog_test

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
)

// noJest is what TestJestJSON's job prints when the image has no jest.
const noJest = "(no jest in the image)"

func TestJestJSON(t *testing.T) {
	p := testlog.Instrument("jest")
	env := map[string]string{"FORCE_COLOR": "1"}
	for k, v := range p.Env {
		env[k] = v
	}
	out := run(t, "javascript", sandbox.Job{
		Files: map[string][]byte{
			"package.json": []byte(`{"name": "calc", "private": true}` + "\n"),
			"src/calc.js":  []byte("exports.add = (a, b) => a - b;\n"),
			"test/calc.test.js": []byte(`const { add } = require('../src/calc');

test('adds zero', () => { expect(add(1, 0)).toBe(1); });
test('adds', () => { expect(add(1, 2)).toBe(3); });
test('throws', () => { throw new Error('boom'); });
test.skip('later', () => {});
test.todo('someday');
describe('outer', () => {
  describe('inner', () => {
    test('nested', () => { expect([1]).toEqual([1]); });
  });
  test('fails inside', () => { expect([1, 2]).toEqual([1, 3]); });
});
`),
			"test/broken.test.js":  []byte("test('never', () => {\n  expect(1).toBe(1;\n});\n"),
			"test/missing.test.js": []byte("require('no-such-module');\n\ntest('never', () => {});\n"),
		},
		// Colours, as a CI that sets FORCE_COLOR gets them: the reader strips them.
		Env: env,
		// The report, on stdout; jest's own text is not read.
		Argv: []string{"sh", "-c", "command -v jest >/dev/null || { echo '" + noJest + "'; exit 0; }; " +
			p.Command + " >/dev/null 2>&1; cat /tmp/" + p.Report},
	})
	if strings.TrimSpace(string(out)) == noJest {
		t.Skip("the javascript image has no jest (Debian's jest in languages/javascript's Packages)")
	}
	log, err := p.Read(out, nil, nil, 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check(t, log, out, want{
		"test/calc.test.js::adds zero":              {testlog.Passed, ""},
		"test/calc.test.js::adds":                   {testlog.Failed, "Expected: 3\nReceived: -1"},
		"test/calc.test.js::throws":                 {testlog.Failed, "Error: boom"},
		"test/calc.test.js::later":                  {testlog.Skipped, ""},
		"test/calc.test.js::someday":                {testlog.Skipped, ""},
		"test/calc.test.js::outer > inner > nested": {testlog.Passed, ""},
		"test/calc.test.js::outer > fails inside":   {testlog.Failed, "toEqual"},
	}, 2)
	errs := strings.Join(log.Errors, "\n")
	for _, s := range []string{"test/broken.test.js: SyntaxError", "test/missing.test.js: Cannot find module 'no-such-module'"} {
		if !strings.Contains(errs, s) {
			t.Errorf("the errors do not say %q:\n%s", s, errs)
		}
	}
	for _, c := range log.Cases {
		if strings.Contains(c.Message, "\x1b[") {
			t.Errorf("%s: colour codes in %q", c.ID(), c.Message)
		}
	}
}
