package extract

import (
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	const fn = "def add(a, b):\n    return a + b"
	py := []string{"python", "py", "python3", "py3"}
	tests := []struct {
		name, text string
		tags       []string
		want       string
	}{
		{"prose around a python block", "Here is the solution:\n\n```python\n" + fn + "\n```\n\nThis adds the two numbers.", py, fn},
		{"python beats longer bash", "Install first:\n```bash\npip install numpy scipy matplotlib pandas\n```\nThen:\n```python\n" + fn + "\n```", py, fn},
		{"python beats longer output", "```python\n" + fn + "\n```\nOutput:\n```text\n3\n7\n11\n13\n17\n19\n23\n29\n31\n```", py, fn},
		{"tag aliases", "```py\nx = 1\n```\n```Python3\n" + fn + "\n```", py, fn},
		{"lang alias asked", "```python\n" + fn + "\n```", []string{"py", "python"}, fn},
		{"tag with attributes", "```python title=\"add.py\"\n" + fn + "\n```", py, fn},
		{"pandoc tag", "```{.python}\n" + fn + "\n```", py, fn},
		{"tag with file", "```python:add.py\n" + fn + "\n```", py, fn},
		{"untagged beats other tag", "```\n" + fn + "\n```\n```json\n{\"a\": 1, \"b\": 2, \"result\": 3, \"note\": \"long\"}\n```", py, fn},
		{"other tag when nothing else", "```javascript\nfunction add(a, b) { return a + b }\n```", py, "function add(a, b) { return a + b }"},
		{"longest python block", "```python\n" + fn + "\n```\nUsage:\n```python\nprint(add(1, 2))\n```", py, fn},
		{"tie goes to the first", "```python\nx = 1\n```\n```python\ny = 2\n```", py, "x = 1"},
		{"blank tagged block skipped", "```python\n\n```\n```\n" + fn + "\n```", py, fn},
		{"go alias", "```golang\npackage main\n```\n```python\nprint(1)\n```", []string{"go", "golang"}, "package main"},
		{"tildes", "~~~python\n" + fn + "\n~~~", py, fn},
		{"longer fence holds a shorter one", "````python\ndef doc():\n    \"\"\"\n    ```\n    example\n    ```\n    \"\"\"\n````", py,
			"def doc():\n    \"\"\"\n    ```\n    example\n    ```\n    \"\"\""},
		{"closing fence with info is content", "```python\nx = 1\n```python\ny = 2\n```", py, "x = 1\n```python\ny = 2"},
		{"unclosed final fence", "Sure:\n```python\n" + fn + "\n\n", py, fn},
		{"unclosed after a closed one", "```python\nx = 1\n```\nFixed version:\n```python\n" + fn, py, fn},
		{"indented fence in a list", "1. Define it:\n   ```python\n   " + strings.ReplaceAll(fn, "\n", "\n   ") + "\n   ```\n2. Call it.", py, fn},
		{"inline triple backticks are not a fence", "Use ```add``` like this:\n```python\n" + fn + "\n```", py, fn},
		{"body only keeps indentation", "\n\n    return a + b  \n\n", py, "    return a + b"},
		{"no fence keeps prose", "The answer is\ndef f(): pass\n", py, "The answer is\ndef f(): pass"},
		{"CRLF", "```python\r\n" + strings.ReplaceAll(fn, "\n", "\r\n") + "\r\n```\r\n", py, fn},
		{"empty", "", py, ""},
		{"only white space", " \n\t\n", py, ""},

		{"think block dropped", "<think>\nMaybe:\n```python\ndef add(a, b):\n    return a - b  # wrong, and longer than the answer\n```\n</think>\n\n```python\n" + fn + "\n```", py, fn},
		{"think closed only (opened by the template)", "Okay, the user wants add.\n```python\ndef add(a, b): return 0 # draft draft draft\n```\n</think>\n\n```python\n" + fn + "\n```", py, fn},
		{"several think blocks", "<think>a</think>```python\nx = 1\n```<think>\n```python\nlonger = 'draft'\n```\n</think>", py, "x = 1"},
		{"unclosed think keeps its text", "<think>\nI will write:\n```python\n" + fn + "\n```\nthen check", py, fn},
		{"code only inside think", "<think>\n```python\n" + fn + "\n```\n</think>\n\n", py, fn},
		{"think then bare body", "<think>the body is one line</think>\n    return a + b\n", py, "    return a + b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.text, tt.tags...); got != tt.want {
				t.Errorf("Code(%q, %q)\n got %q\nwant %q", tt.text, tt.tags, got, tt.want)
			}
		})
	}
}
