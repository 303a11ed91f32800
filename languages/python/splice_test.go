package python

import "testing"

func TestProgram(t *testing.T) {
	const prompt = "from typing import List\n\n\ndef helper(x):\n    return x\n\n\ndef f(xs: List[int]) -> int:\n    \"\"\" Sum.\n    >>> f([1])\n    1\n    \"\"\"\n"
	const head = "from typing import List\n\n\ndef helper(x):\n    return x\n\n\n"
	tests := []struct {
		name, prompt, code, want string
	}{
		{"indented body", prompt, "    return sum(xs)\n", prompt + "    return sum(xs)\n"},
		{"body gets a final newline", prompt, "    return sum(xs)", prompt + "    return sum(xs)\n"},
		{"dedented body", prompt, "total = 0\nfor x in xs:\n    total += x\nreturn total", prompt + "    total = 0\n    for x in xs:\n        total += x\n    return total\n"},
		{"dedented compound body", prompt, "for x in xs:\n    return x\n\nreturn 0\n", prompt + "    for x in xs:\n        return x\n\n    return 0\n"},
		{"dedented single block", prompt, "if xs:\n    return sum(xs)", prompt + "    if xs:\n        return sum(xs)\n"},
		{"stripped first line", prompt, "total = 0\n    for x in xs:\n        total += x\n    return total", prompt + "    total = 0\n    for x in xs:\n        total += x\n    return total\n"},
		{"stripped first line opening a block", prompt, "for x in xs:\n        return x\n    return 0", prompt + "    for x in xs:\n        return x\n    return 0\n"},
		{"stripped first line, comment after", prompt, "total = sum(xs)\n# done\n    return total", prompt + "    total = sum(xs)\n# done\n    return total\n"},
		{"whole function replaces the stub", prompt, "def f(xs: List[int]) -> int:\n    return sum(xs)\n", head + "def f(xs: List[int]) -> int:\n    return sum(xs)\n"},
		{"whole function with imports and helpers", prompt, "\nimport math\n\ndef g(x):\n    return x\n\ndef f(xs):\n    return math.fsum(xs)",
			head + "import math\n\ndef g(x):\n    return x\n\ndef f(xs):\n    return math.fsum(xs)\n"},
		{"async whole function", "def f():\n    \"\"\"Doc.\"\"\"\n", "async def f():\n    return 1", "async def f():\n    return 1\n"},
		{"decorated stub is cut with its decorator", "import functools\n\n@functools.cache\ndef f(n):\n    \"\"\"Doc.\"\"\"\n", "def f(n):\n    return n", "import functools\n\ndef f(n):\n    return n\n"},
		{"docstring with unindented lines", "def f():\n    \"\"\"\nExample:\n  f() == 1\n\"\"\"\n", "def f():\n    return 1\n", "def f():\n    return 1\n"},
		{"stub not last: no cut", "def f():\n    \"\"\"Doc.\"\"\"\n\n\nX = 1\n", "def f():\n    return X\n", "def f():\n    \"\"\"Doc.\"\"\"\n\n\nX = 1\n\ndef f():\n    return X\n"},
		{"other function name is not a whole function", prompt, "def f_helper(x):\n    return x\nreturn f_helper(sum(xs))", prompt + "    def f_helper(x):\n        return x\n    return f_helper(sum(xs))\n"},
		{"indented def is a body", prompt, "    def inner():\n        return 1\n    return inner()", prompt + "    def inner():\n        return 1\n    return inner()\n"},
		{"prompt without final newline", "def f():\n    \"\"\"Doc.\"\"\"", "return 1", "def f():\n    \"\"\"Doc.\"\"\"\n    return 1\n"},
		{"tab-indented prompt", "def f():\n\t\"\"\"Doc.\"\"\"\n", "x = 1\nreturn x", "def f():\n\t\"\"\"Doc.\"\"\"\n\tx = 1\n\treturn x\n"},
		{"multi-line signature", "def f(a,\n      b):\n  \"\"\"Two-space body.\"\"\"\n", "return a + b", "def f(a,\n      b):\n  \"\"\"Two-space body.\"\"\"\n  return a + b\n"},
		{"empty code", prompt, "", prompt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splice(tt.prompt, "f", tt.code); got != tt.want {
				t.Errorf("splice(%q, f, %q)\n got %q\nwant %q", tt.prompt, tt.code, got, tt.want)
			}
		})
	}
}

func TestIsDef(t *testing.T) {
	for line, want := range map[string]bool{
		"def f(x):":          true,
		"def  f (x):":        true,
		"async def f():":     true,
		"async  def\tf():":   true,
		"def f_x(x):":        false,
		"def g(x):":          false,
		"    def f(x):":      false,
		"asyncdef f():":      false,
		"deff(x):":           false,
		"# def f(x):":        false,
		"def f":              false,
		"define f(x) = 1":    false,
		"def f(x): return 1": true,
	} {
		if got := isDef(line, "f"); got != want {
			t.Errorf("isDef(%q) = %v, want %v", line, got, want)
		}
	}
}
