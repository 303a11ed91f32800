package testlog

import (
	"strings"
	"testing"
)

func TestJest(t *testing.T) {
	l, err := Jest([]byte(`{"numTotalTests": 6, "testResults": [
{"name": "/work/src/a.test.js", "status": "failed", "message": "  ● fails\n...", "assertionResults": [
  {"ancestorTitles": [], "title": "passes", "fullName": "passes", "status": "passed", "failureMessages": []},
  {"ancestorTitles": ["outer", "inner"], "title": "fails", "fullName": "outer inner fails", "status": "failed",
   "failureMessages": ["Error: \u001b[2mexpect(\u001b[22m\u001b[31mreceived\u001b[39m\u001b[2m).\u001b[22mtoBe\u001b[2m(\u001b[22m\u001b[32mexpected\u001b[39m\u001b[2m)\u001b[22m\n\nExpected: \u001b[32m3\u001b[39m\nReceived: \u001b[31m-1\u001b[39m\n    at Object.<anonymous> (/work/src/a.test.js:3:41)\n    at Promise.then.completed (/usr/share/nodejs/jest-circus/build/utils.js:216:28)\n    at new Promise (<anonymous>)\n    at f (/work/node_modules/lib/index.js:1:1)", "second"]},
  {"ancestorTitles": [], "title": "later", "status": "pending", "failureMessages": []},
  {"ancestorTitles": [], "title": "someday", "status": "todo", "failureMessages": []},
  {"ancestorTitles": [], "title": "off", "status": "disabled", "failureMessages": []},
  {"ancestorTitles": [], "title": "odd", "status": "focused", "failureMessages": []}
]},
{"name": "/elsewhere/b.test.js", "status": "passed", "message": "", "assertionResults": [
  {"ancestorTitles": ["group"], "title": "ok", "status": "passed", "failureMessages": []}
]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Case{
		{Suite: "src/a.test.js", Name: "passes", Status: Passed},
		{Suite: "src/a.test.js", Name: "outer > inner > fails", Status: Failed,
			Message: "Error: expect(received).toBe(expected)\n\nExpected: 3\nReceived: -1\n    at Object.<anonymous> (/work/src/a.test.js:3:41)"},
		{Suite: "src/a.test.js", Name: "later", Status: Skipped},
		{Suite: "src/a.test.js", Name: "someday", Status: Skipped},
		{Suite: "src/a.test.js", Name: "off", Status: Skipped},
		{Suite: "src/a.test.js", Name: "odd", Status: Failed, Message: `jest reported the test "focused"`},
		{Suite: "/elsewhere/b.test.js", Name: "group > ok", Status: Passed},
	}
	if len(l.Cases) != len(want) || len(l.Errors) != 0 {
		t.Fatalf("%d cases, errors %q: %+v", len(l.Cases), l.Errors, l.Cases)
	}
	for i, w := range want {
		if l.Cases[i] != w {
			t.Errorf("case %d = %+v, want %+v", i, l.Cases[i], w)
		}
	}
}

func TestJestBrokenSuites(t *testing.T) {
	// A file that did not parse, one whose afterAll failed after its tests
	// passed, and a run that failed outside any file.
	l, err := Jest([]byte(`{"testResults": [
{"name": "/work/broken.test.js", "status": "failed", "assertionResults": [],
 "message": "  \u001b[1m● \u001b[22mTest suite failed to run\n\n    SyntaxError: /work/broken.test.js: Unexpected token (2:18)\n\n      1 | test('x', () => {\n    > 2 |   expect(1).toBe(1;\n        |                   ^\n\n      648 | } : internal\n    > 650 | }, descriptor)\n\n      at instantiate (../usr/share/nodejs/@babel/parser/lib/index.js:650:32)\n      at Object.<anonymous> (broken.test.js:2:3)\n"},
{"name": "/work/hook.test.js", "status": "failed", "message": "  ● Test suite failed to run\n\n    hook failed\n",
 "assertionResults": [{"ancestorTitles": [], "title": "t", "status": "passed", "failureMessages": []}]},
{"name": "/work/fails.test.js", "status": "failed", "message": "  ● t\n\n    boom\n",
 "assertionResults": [{"ancestorTitles": [], "title": "t", "status": "failed", "failureMessages": ["Error: boom"]}]}],
 "runExecError": {"message": "\u001b[31mcoverage threshold not met\u001b[39m", "stack": "..."}}`))
	if err != nil {
		t.Fatal(err)
	}
	wantErrors := []string{
		"broken.test.js: SyntaxError: /work/broken.test.js: Unexpected token (2:18)\n\n      1 | test('x', () => {\n    > 2 |   expect(1).toBe(1;\n        |                   ^\n\n      at Object.<anonymous> (broken.test.js:2:3)",
		"hook.test.js: hook failed",
		"coverage threshold not met",
	}
	if strings.Join(l.Errors, "\x00") != strings.Join(wantErrors, "\x00") {
		t.Errorf("errors:\n%q\nwant\n%q", l.Errors, wantErrors)
	}
	if len(l.Cases) != 2 || l.Cases[0].Status != Passed || l.Cases[1].Status != Failed || l.Cases[1].Message != "Error: boom" {
		t.Errorf("cases: %+v", l.Cases)
	}
}

func TestJestNotJest(t *testing.T) {
	for _, in := range []string{`not json`, `{"numTotalTests": 0}`, `[]`} {
		if _, err := Jest([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), "jest json: ") {
			t.Errorf("Jest(%q): %v", in, err)
		}
	}
	// No tests at all is no error of the reader's (the grade makes such a run void).
	if l, err := Jest([]byte(`{"numTotalTests": 0, "testResults": []}`)); err != nil || len(l.Cases)+len(l.Errors) != 0 {
		t.Errorf("no tests: %+v %v", l, err)
	}
}

func TestReadJest(t *testing.T) {
	p := Instrument("npx jest")
	l, err := p.Read(nil, []byte("Error: Could not find a config file"), nil, 1)
	if err != nil || len(l.Cases) != 0 || len(l.Errors) != 1 || !strings.Contains(l.Errors[0], "jest wrote no report:\nError: Could not find a config file") {
		t.Errorf("no report: %+v %v", l, err)
	}
	l, err = p.Read([]byte(`{"testResults": [{"name": "/work/a.test.js", "status": "passed", "assertionResults": [{"title": "t", "status": "passed"}]}]}`), nil, nil, 0)
	if err != nil || len(l.Cases) != 1 || l.Cases[0].ID() != "a.test.js::t" {
		t.Errorf("report: %+v %v", l, err)
	}
}
