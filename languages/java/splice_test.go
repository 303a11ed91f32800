package java

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/tasks"
)

// dataDir is the shared datasets folder, seen from this package.
var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

func loadJava(t *testing.T) *tasks.Dataset {
	t.Helper()
	ds, err := tasks.Load("humaneval-x/java", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

const splicePrompt = `import java.util.*;
import java.lang.*;

class Solution {
    /**
    The square of the sum.
     */
    public int helper(int x) {
        return x * x;
    }

    /**
    Sum of a list, squared.
    >>> sumSquare(Arrays.asList(1, 2))
    9
     */
    public int sumSquare(List<Integer> xs) {
`

func TestSplice(t *testing.T) {
	head := strings.SplitAfter(splicePrompt, "    public int sumSquare")[0]
	head = strings.TrimSuffix(head, "    public int sumSquare")
	cases := []struct {
		name, code, want string
	}{
		{"completion", "        int s = 0;\n        for (int x : xs) s += x;\n        return helper(s);\n    }\n}",
			splicePrompt + "        int s = 0;\n        for (int x : xs) s += x;\n        return helper(s);\n    }\n}\n"},
		{"completion-newline", "        return 0;\n    }\n}\n", splicePrompt + "        return 0;\n    }\n}\n"},
		{"body-without-braces", "        return helper(xs.size());", splicePrompt + "        return helper(xs.size());\n}\n}\n"},
		{"body-one-brace", "        return 1;\n    }", splicePrompt + "        return 1;\n    }\n}\n"},
		{"recursive-body", "        if (xs.isEmpty()) return 0;\n        return sumSquare(xs.subList(1, xs.size()));\n    }\n}",
			splicePrompt + "        if (xs.isEmpty()) return 0;\n        return sumSquare(xs.subList(1, xs.size()));\n    }\n}\n"},
		{"whole-function", "public int sumSquare(List<Integer> xs) {\n    return helper(xs.stream().mapToInt(Integer::intValue).sum());\n}",
			head + "public int sumSquare(List<Integer> xs) {\n    return helper(xs.stream().mapToInt(Integer::intValue).sum());\n}\n}\n"},
		{"whole-function-with-import-and-helper", "import java.util.stream.*;\n\npublic int sumSquare(List<Integer> xs) {\n    return sq(xs.size());\n}\n\nprivate int sq(int v) { return v * v; }\n",
			strings.Replace(head, "import java.lang.*;\n", "import java.lang.*;\nimport java.util.stream.*;\n", 1) +
				"public int sumSquare(List<Integer> xs) {\n    return sq(xs.size());\n}\n\nprivate int sq(int v) { return v * v; }\n}\n"},
		{"whole-class", "import java.util.*;\n\npublic class Solution {\n    public int helper(int x) {\n        return 0;\n    }\n\n    public int sumSquare(List<Integer> xs) {\n        return helper(3);\n    }\n\n    public static void main(String[] args) {\n        System.out.println(new Solution().sumSquare(List.of()));\n    }\n}\n",
			head + "    public int sumSquare(List<Integer> xs) {\n        return helper(3);\n    }\n}\n"},
		{"whole-class-with-types", "class Solution {\n    public int sumSquare(List<Integer> xs) {\n        return new Box(xs.size()).v;\n    }\n}\n\npublic class Box {\n    int v;\n    Box(int v) { this.v = v; }\n}\n\npublic class Main {\n    public static void main(String[] a) {}\n}\n",
			head + "    public int sumSquare(List<Integer> xs) {\n        return new Box(xs.size()).v;\n    }\n}\n\nclass Box {\n    int v;\n    Box(int v) { this.v = v; }\n}\n"},
		{"completion-then-main", "        return 2;\n    }\n}\n\npublic class Main {\n    public static void main(String[] args) {\n        new Solution();\n    }\n}\n",
			splicePrompt + "        return 2;\n    }\n}\n\n"},
		{"crlf", "        return 3;\r\n    }\r\n}\r\n", splicePrompt + "        return 3;\n    }\n}\n"},
		{"call-in-string", "        String s = \"sumSquare(xs) {\";\n        return s.length();\n    }\n}",
			splicePrompt + "        String s = \"sumSquare(xs) {\";\n        return s.length();\n    }\n}\n"},
		{"declaration-in-comment", "        // public int sumSquare(List<Integer> xs) {\n        return 4;\n    }\n}",
			splicePrompt + "        // public int sumSquare(List<Integer> xs) {\n        return 4;\n    }\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := splice(splicePrompt, c.code); got != c.want {
				t.Errorf("splice:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestOpenStub(t *testing.T) {
	st, ok := openStub(splicePrompt)
	if !ok || st.name != "sumSquare" || st.depth != 1 || !st.helpers["helper"] || st.helpers["sumSquare"] {
		t.Fatalf("openStub = %+v, %v", st, ok)
	}
	if !strings.HasPrefix(splicePrompt[st.start:], "    public int sumSquare(") {
		t.Errorf("stub starts at %q", splicePrompt[st.start:])
	}
	if _, ok := openStub("class A {\n    int f() { return 1; }\n}\n"); ok {
		t.Errorf("a closed prompt has an open stub")
	}
}

// TestSpliceDataset checks that every canonical completion of HumanEval-X
// Java is spliced as HumanEval-X's prompt + completion, and that each
// task's stub is found.
func TestSpliceDataset(t *testing.T) {
	for _, task := range loadJava(t).Tasks {
		if _, ok := openStub(task.Prompt); !ok {
			t.Errorf("%s: no open stub", task.ID)
			continue
		}
		want := task.Prompt + task.Reference
		if !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if got := (Language{}).Program(task, task.Reference); got != want {
			t.Errorf("%s: the canonical completion is spliced differently:\n%s", task.ID, got)
		}
	}
}

func TestMask(t *testing.T) {
	src := "int a = 1; // c { \"\nString s = \"x}{\\\"\"; char c = '{';\n/* { */ String t = \"\"\"\n  }\n  \"\"\";\n"
	m := mask(src)
	if len(m) != len(src) {
		t.Fatalf("mask changed the length")
	}
	if strings.ContainsAny(m, "{}") {
		t.Errorf("braces left in comments or literals: %q", m)
	}
	if strings.Count(m, "\n") != strings.Count(src, "\n") {
		t.Errorf("lines lost: %q", m)
	}
	if !strings.Contains(m, "String s = \"") || !strings.Contains(m, "char c = '") {
		t.Errorf("code masked: %q", m)
	}
}

func TestMethods(t *testing.T) {
	src := `class A {
    @Override
    public <T extends Comparable<T>> List<T> sorted(List<T> xs) throws IllegalStateException {
        return xs.stream().sorted().collect(Collectors.toList());
    }
    int[] twice(int[] a) { return a; }
    public A() { this.x = f(1); }
    void g() {
        if (f(2)) { new Thread() { public void run() {} }; }
        Runnable r = () -> { h(3); };
    }
}`
	got := map[string]string{}
	for _, md := range methods(src, mask(src)) {
		got[md.name] = md.ret
	}
	want := map[string]string{"sorted": "List<T>", "twice": "int[]", "A": "", "g": "void", "run": "void"}
	for name, ret := range want {
		if r, ok := got[name]; !ok || r != ret {
			t.Errorf("%s: got %q (found %v), want %q", name, r, ok, ret)
		}
	}
	for _, name := range []string{"f", "h", "if", "Thread", "stream"} {
		if _, ok := got[name]; ok {
			t.Errorf("%s taken for a declaration", name)
		}
	}
}
