package javascript

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/tasks"
)

func TestSplice(t *testing.T) {
	const prompt = "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nconst add = (a, b) => {\n"
	const helpers = "/* A helper. */\nconst double = (x) => {\n  return 2 * x\n}\n\n/* Use it. */\nconst quad = (x) => {\n"
	cases := []struct {
		name, prompt, code, want string
	}{
		{"body", prompt, "  return a + b\n}\n", prompt + "  return a + b\n}\n"},
		{"body-no-newline", prompt, "  return a + b\n}", prompt + "  return a + b\n}\n"},
		{"body-crlf", prompt, "  return a + b\r\n}\r\n", prompt + "  return a + b\n}\n"},
		{"body-without-brace", prompt, "  return a + b", prompt + "  return a + b\n}\n"},
		{"body-without-brace-nested", prompt, "  if (a) {\n    return a + b\n  }\n  return b", prompt + "  if (a) {\n    return a + b\n  }\n  return b\n}\n"},
		{"body-missing-inner-brace", prompt, "  if (a) {\n    return a + b\n  return b\n}\n", prompt + "  if (a) {\n    return a + b\n  return b\n}\n"},
		{"whole-const", prompt, "const add = (a, b) => {\n  return a + b\n}", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nconst add = (a, b) => {\n  return a + b\n}\n"},
		{"whole-function", prompt, "function add(a, b) {\n  return a + b;\n}\n", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nfunction add(a, b) {\n  return a + b;\n}\n"},
		{"whole-with-require", prompt, "const md5 = require('js-md5')\n\nconst add = (a, b) => a + b\n", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nconst md5 = require('js-md5')\n\nconst add = (a, b) => a + b\n"},
		{"whole-export", prompt, "export const add = (a, b) => {\n  return a + b\n}\n", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nconst add = (a, b) => {\n  return a + b\n}\n"},
		{"whole-export-default", prompt, "function add(a, b) {\n  return a + b\n}\nexport default add;\nexport { add }\nmodule.exports = add\n", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nfunction add(a, b) {\n  return a + b\n}\nmodule.exports = add\n"},
		{"whole-with-doc", prompt, "/* Add. */\nconst add = (a, b) => {\n  return a + b\n}\n", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\n/* Add. */\nconst add = (a, b) => {\n  return a + b\n}\n"},
		{"whole-leading-newlines", prompt, "\n\nconst add = (a, b) => a + b\n", "/* Add two numbers.\n  >>> add(1, 2)\n  3\n  */\nconst add = (a, b) => a + b\n"},
		{"whole-repeats-helper", helpers, "const double = (x) => {\n  return x + x\n}\n\nconst quad = (x) => {\n  return double(double(x))\n}\n",
			"/* A helper. */\nconst double = (x) => {\n  return 2 * x\n}\n\n/* Use it. */\nconst quad = (x) => {\n  return double(double(x))\n}\n"},
		{"whole-repeats-helper-one-line", helpers, "const double = (x) => 2 * x\nconst quad = (x) => double(double(x))\n",
			"/* A helper. */\nconst double = (x) => {\n  return 2 * x\n}\n\n/* Use it. */\nconst quad = (x) => double(double(x))\n"},
		{"whole-helper-as-function", helpers, "function double(x) {\n  return x * 2\n}\nfunction quad(x) {\n  return double(double(x))\n}\n",
			"/* A helper. */\nconst double = (x) => {\n  return 2 * x\n}\n\n/* Use it. */\nfunction quad(x) {\n  return double(double(x))\n}\n"},
		{"name-in-string-is-a-body", prompt, "  const s = 'const add = (a, b) => 1'\n  return a + b\n}\n", prompt + "  const s = 'const add = (a, b) => 1'\n  return a + b\n}\n"},
		{"name-in-comment-is-a-body", prompt, "  // const add = (a, b) => 1\n  return a + b\n}\n", prompt + "  // const add = (a, b) => 1\n  return a + b\n}\n"},
		{"other-function-is-a-body", prompt, "const sum = (a, b) => a + b\n", prompt + "const sum = (a, b) => a + b\n}\n"},
		{"prompt-without-stub", "// no function\n", "const add = (a, b) => a + b", "// no function\nconst add = (a, b) => a + b\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := splice(c.prompt, c.code); got != c.want {
				t.Errorf("splice:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestProgramOfCanonical(t *testing.T) {
	for _, task := range loadJS(t) {
		if got := New().Program(task, task.Reference); got != task.Prompt+task.Reference {
			t.Errorf("%s: the canonical program is not prompt + completion:\n%s", task.ID, got)
		}
		e := read(task)
		whole := e.stubLine + strings.TrimLeft(task.Reference, "\n")
		if got, want := New().Program(task, whole), task.Prompt+task.Reference; strings.TrimRight(got, "\n") != strings.TrimRight(want, "\n") {
			t.Errorf("%s: the whole function does not replace the stub:\n%s", task.ID, got)
		}
	}
	mbpp := tasks.Task{Style: tasks.Program}
	if got := New().Program(mbpp, "x"); got != "x" {
		t.Errorf("a program task's program: %q", got)
	}
}

func TestPromptStub(t *testing.T) {
	cases := []struct {
		prompt string
		name   string
		ok     bool
	}{
		{"/* doc */\nconst f = (a, b) => {\n", "f", true},
		{"/* doc */\nconst f = (a, b) => {\n\n  \n", "f", true},
		{"function g(a) {\n", "g", true},
		{"async function h(a) {\n", "h", true},
		{"let k = (s) => {\n", "k", true},
		{"const f = (a) => a\n", "", false},
		{"/* const f = (a) => { */\n", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		name, _, ok := stub(c.prompt)
		if name != c.name || ok != c.ok {
			t.Errorf("stub(%q) = %q, %v; want %q, %v", c.prompt, name, ok, c.name, c.ok)
		}
	}
}

func TestMask(t *testing.T) {
	cases := []struct{ src, want string }{
		{`a = 'x{y'`, "a = '\x01\x01\x01'"},
		{`a = "q\"(" + b`, "a = \"\x01\x01\x01\x01\" + b"},
		{"a = `t${b + '}'}` + c", "a = `\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01` + c"},
		{"x // c(\ny", "x      \ny"},
		{"x /* {\n } */ y", "x     \n      y"},
		{"r = /a[/]b\\//g.test(s)", "r = /\x01\x01\x01\x01\x01\x01\x01/g.test(s)"},
		{"n = a / b / c", "n = a / b / c"},
		{"return /x/.test(s)", "return /\x01/.test(s)"},
		{"f(x) / 2", "f(x) / 2"},
		{"'unterminated\nnext", "'\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\nnext"},
	}
	for _, c := range cases {
		if got := mask(c.src); got != c.want {
			t.Errorf("mask(%q) = %q, want %q", c.src, got, c.want)
		}
		if got := mask(c.src); len(got) != len(c.src) {
			t.Errorf("mask(%q) changed the length", c.src)
		}
	}
}

func TestStatementEnd(t *testing.T) {
	cases := []struct {
		src  string
		want string // the statement
	}{
		{"const a = 1\nconst b = 2\n", "const a = 1\n"},
		{"const a = 1; const b = 2\n", "const a = 1;"},
		{"const f = (x) => {\n  return x\n}\nconst g = 1\n", "const f = (x) => {\n  return x\n}\n"},
		{"const f = (x) =>\n  x + 1\nnext\n", "const f = (x) =>\n  x + 1\n"},
		{"const s = a\n  .map(f)\n  .join('')\nnext\n", "const s = a\n  .map(f)\n  .join('')\n"},
		{"function f() {\n}\n", "function f() {\n}\n"},
		{"const f = (x) => {\n  return x\n};\nnext\n", "const f = (x) => {\n  return x\n};\n"},
		{"x + 1 }\nnext\n", "x + 1 "},
	}
	for _, c := range cases {
		m := mask(c.src)
		if got := c.src[:statementEnd(m, 0)]; got != c.want {
			t.Errorf("statementEnd(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestInferFromTests(t *testing.T) {
	cases := []struct {
		test string
		args []kind
		ret  kind
	}{
		{"console.assert(f([1, 2], 0.5) === true)", []kind{kindArray, kindNumber}, kindBool},
		{"console.assert(JSON.stringify(f('ab')) === JSON.stringify(['a', 'b']))", []kind{kindString}, kindArray},
		{"console.assert(f(3) === 'x')", []kind{kindNumber}, kindString},
		{"console.assert(!f(3))", []kind{kindNumber}, kindBool},
		{"console.assert(f(3))", []kind{kindNumber}, kindBool},
		{"console.assert(Math.abs(f(1.33) - 0.33) < 1e-6)", []kind{kindNumber}, kindNumber},
		{"console.assert(f({a: 1}) === null)", []kind{kindObject}, kindNull},
		{"console.assert(g(1) === 1)", nil, kindUnknown},
		{"console.assert(true === f(-1))", []kind{kindNumber}, kindBool},
	}
	for _, c := range cases {
		args, ret := inferFromTests(c.test, "f")
		if ret != c.ret || len(args) != len(c.args) {
			t.Errorf("inferFromTests(%q) = %v, %v; want %v, %v", c.test, args, ret, c.args, c.ret)
			continue
		}
		for i := range args {
			if args[i] != c.args[i] {
				t.Errorf("inferFromTests(%q) = %v; want %v", c.test, args, c.args)
			}
		}
	}
}

func TestParams(t *testing.T) {
	cases := map[string][]string{
		"const f = (a, b) => {":           {"a", "b"},
		"const f = (a, b = 2, ...c) => {": {"a", "b", "c"},
		"const f = () => {":               nil,
		"const f = x => {":                {"x"},
		"function f(s, t) {":              {"s", "t"},
		"const f = async (n) => {":        {"n"},
	}
	for line, want := range cases {
		if got := params(line); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("params(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestStructure(t *testing.T) {
	body := "  let n = 0\n  xs.forEach((x) => {\n    if (x) {\n      n++\n    }\n  })\n  if (n) {\n    return n\n  }\n  return 0\n}"
	masked := strings.Split(mask(body), "\n")
	depth, own, end := structure(masked)
	wantOwn := []bool{true, true, false, false, false, false, true, true, true, true, true}
	wantDepth := []int{1, 1, 2, 3, 3, 2, 1, 2, 2, 1, 1}
	for i := range masked {
		if own[i] != wantOwn[i] || depth[i] != wantDepth[i] {
			t.Errorf("line %d %q: own %v depth %d, want %v %d", i, masked[i], own[i], depth[i], wantOwn[i], wantDepth[i])
		}
	}
	if end != 0 {
		t.Errorf("end depth %d, want 0", end)
	}
}
