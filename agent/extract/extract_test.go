package extract

import (
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	const fn = "def add(a, b):\n    return a + b"
	tests := []struct {
		name, text, lang, want string
	}{
		{"prose around a python block", "Here is the solution:\n\n```python\n" + fn + "\n```\n\nThis adds the two numbers.", "python", fn},
		{"python beats longer bash", "Install first:\n```bash\npip install numpy scipy matplotlib pandas\n```\nThen:\n```python\n" + fn + "\n```", "python", fn},
		{"python beats longer output", "```python\n" + fn + "\n```\nOutput:\n```text\n3\n7\n11\n13\n17\n19\n23\n29\n31\n```", "python", fn},
		{"tag aliases", "```py\nx = 1\n```\n```Python3\n" + fn + "\n```", "python", fn},
		{"lang alias asked", "```python\n" + fn + "\n```", "py", fn},
		{"tag with attributes", "```python title=\"add.py\"\n" + fn + "\n```", "python", fn},
		{"pandoc tag", "```{.python}\n" + fn + "\n```", "python", fn},
		{"tag with file", "```python:add.py\n" + fn + "\n```", "python", fn},
		{"untagged beats other tag", "```\n" + fn + "\n```\n```json\n{\"a\": 1, \"b\": 2, \"result\": 3, \"note\": \"long\"}\n```", "python", fn},
		{"other tag when nothing else", "```javascript\nfunction add(a, b) { return a + b }\n```", "python", "function add(a, b) { return a + b }"},
		{"longest python block", "```python\n" + fn + "\n```\nUsage:\n```python\nprint(add(1, 2))\n```", "python", fn},
		{"tie goes to the first", "```python\nx = 1\n```\n```python\ny = 2\n```", "python", "x = 1"},
		{"blank tagged block skipped", "```python\n\n```\n```\n" + fn + "\n```", "python", fn},
		{"go alias", "```golang\npackage main\n```\n```python\nprint(1)\n```", "go", "package main"},
		{"tildes", "~~~python\n" + fn + "\n~~~", "python", fn},
		{"longer fence holds a shorter one", "````python\ndef doc():\n    \"\"\"\n    ```\n    example\n    ```\n    \"\"\"\n````", "python",
			"def doc():\n    \"\"\"\n    ```\n    example\n    ```\n    \"\"\""},
		{"closing fence with info is content", "```python\nx = 1\n```python\ny = 2\n```", "python", "x = 1\n```python\ny = 2"},
		{"unclosed final fence", "Sure:\n```python\n" + fn + "\n\n", "python", fn},
		{"unclosed after a closed one", "```python\nx = 1\n```\nFixed version:\n```python\n" + fn, "python", fn},
		{"indented fence in a list", "1. Define it:\n   ```python\n   " + strings.ReplaceAll(fn, "\n", "\n   ") + "\n   ```\n2. Call it.", "python", fn},
		{"inline triple backticks are not a fence", "Use ```add``` like this:\n```python\n" + fn + "\n```", "python", fn},
		{"body only keeps indentation", "\n\n    return a + b  \n\n", "python", "    return a + b"},
		{"no fence keeps prose", "The answer is\ndef f(): pass\n", "python", "The answer is\ndef f(): pass"},
		{"CRLF", "```python\r\n" + strings.ReplaceAll(fn, "\n", "\r\n") + "\r\n```\r\n", "python", fn},
		{"empty", "", "python", ""},
		{"only white space", " \n\t\n", "python", ""},

		{"think block dropped", "<think>\nMaybe:\n```python\ndef add(a, b):\n    return a - b  # wrong, and longer than the answer\n```\n</think>\n\n```python\n" + fn + "\n```", "python", fn},
		{"think closed only (opened by the template)", "Okay, the user wants add.\n```python\ndef add(a, b): return 0 # draft draft draft\n```\n</think>\n\n```python\n" + fn + "\n```", "python", fn},
		{"several think blocks", "<think>a</think>```python\nx = 1\n```<think>\n```python\nlonger = 'draft'\n```\n</think>", "python", "x = 1"},
		{"unclosed think keeps its text", "<think>\nI will write:\n```python\n" + fn + "\n```\nthen check", "python", fn},
		{"code only inside think", "<think>\n```python\n" + fn + "\n```\n</think>\n\n", "python", fn},
		{"think then bare body", "<think>the body is one line</think>\n    return a + b\n", "python", "    return a + b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.text, tt.lang); got != tt.want {
				t.Errorf("Code(%q, %q)\n got %q\nwant %q", tt.text, tt.lang, got, tt.want)
			}
		})
	}
}

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
			if got := Program(tt.prompt, "f", tt.code); got != tt.want {
				t.Errorf("Program(%q, f, %q)\n got %q\nwant %q", tt.prompt, tt.code, got, tt.want)
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
