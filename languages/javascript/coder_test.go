package javascript

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
)

func TestCoderFailure(t *testing.T) {
	c := NewCoder()
	cases := []struct {
		text string
		want languages.Class
	}{
		{reportTypeError, languages.Index},
		{"TypeError: xs.sum is not a function", languages.Attribute},
		{"ReferenceError: total is not defined", languages.Name},
		{"test.js:7: SyntaxError: missing ) after argument list", languages.Syntax},
		{"SyntaxError: Unexpected token } in JSON at position 3", languages.Value},
		{"Assertion failed\nAssertion failed", languages.Assertion},
		{"TypeError: x is not a function\n...\nRangeError: Maximum call stack size exceeded", languages.Recursion},
		{"FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", languages.Memory},
	}
	for _, tc := range cases {
		got, at := c.Failure(tc.text)
		if got != tc.want || at < 0 {
			t.Errorf("Failure(%q) = %s at %d, want %s", tc.text, got, at, tc.want)
		}
	}
	if got, at := c.Failure("all good"); got != "" || at != -1 {
		t.Errorf("Failure of no failure = %q at %d", got, at)
	}
}

func TestCoderStub(t *testing.T) {
	c := NewCoder()
	req := "Complete this:\n```js\n/* doc */\nconst sortArray = (array, key) => {\n```"
	if got := c.Stub(req); !strings.HasPrefix(got, "const sortArray = (array, key) => {\n") || !strings.HasSuffix(got, "}") {
		t.Errorf("Stub = %q", got)
	}
	if got := c.Stub("function longest(strings) {\n"); !strings.HasPrefix(got, "function longest(strings) {\n") {
		t.Errorf("Stub = %q", got)
	}
	if got := c.Stub("write something"); !strings.HasPrefix(got, "const solution = ") {
		t.Errorf("Stub = %q", got)
	}
	for _, s := range []string{c.Stub(req), c.Stub("x")} {
		if m := mask(s); braceDepth(m) != 0 {
			t.Errorf("a stub that does not close: %q", s)
		}
	}
}

func TestReadingKeysAndPresent(t *testing.T) {
	for i, task := range loadJS(t) {
		e := read(task)
		keys := e.Keys()
		if len(keys) == 0 || !strings.Contains(task.Prompt, strings.TrimSpace(keys[len(keys)-1])) {
			t.Errorf("%s: keys %q", task.ID, keys)
		}
		for seed := range 5 {
			code := e.Present(task.Reference, seeded("present", i, seed))
			// The same code; comments may be repeated.
			if got := New().Program(task, code); strings.Join(strings.Fields(mask(got)), " ") != strings.Join(strings.Fields(mask(task.Prompt+task.Reference)), " ") {
				t.Errorf("%s: presented reference %q makes another program:\n%s", task.ID, code, got)
			}
		}
	}
}
