package golang

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const (
	promptPlain = "import (\n    \"math\"\n)\n\n// Doc of F.\n// >>> F(1)\nfunc F(x int) int {\n"
	// Go/10's shape: a helper before the stub.
	promptHelper = "import (\n    \"strings\"\n)\n\n// Test if given string is a palindrome.\nfunc IsPal(s string) bool {\n    return s == \"\"\n}\n" +
		"// Doc of Make.\nfunc Make(s string) string {\n"
	// Go/65's shape: no import block.
	promptNoImports = "\n// Doc of G.\nfunc G(x int, shift int) string {\n"
)

func TestSplice(t *testing.T) {
	cases := []struct {
		name, prompt, code, want string
	}{
		{"completion", promptPlain, "    return int(math.Abs(float64(x)))\n}\n",
			promptPlain + "    return int(math.Abs(float64(x)))\n}\n"},
		{"completion-without-final-newline", promptPlain, "    return x\n}", promptPlain + "    return x\n}\n"},
		{"completion-with-more-functions", promptPlain, "    return x\n}\n\nfunc main() {}\n",
			promptPlain + "    return x\n}\n\nfunc main() {}\n"},
		{"body-without-closing-brace", promptPlain, "    return x\n", promptPlain + "    return x\n}\n"},
		{"body-dedented", promptPlain, "return x", promptPlain + "return x\n}\n"},
		{"brace-in-string-does-not-count", promptPlain, "    return len(\"}\")\n", promptPlain + "    return len(\"}\")\n}\n"},
		{"crlf", promptPlain, "    return x\r\n}\r\n", promptPlain + "    return x\n}\n"},
		{"whole-function", promptPlain, "func F(x int) int {\n    return x\n}\n",
			"import (\n    \"math\"\n)\n\n// Doc of F.\n// >>> F(1)\nfunc F(x int) int {\n    return x\n}\n"},
		{"whole-function-with-package-and-imports", promptPlain,
			"package main\n\nimport (\n\t\"sort\"\n\t\"math\"\n)\n\nfunc F(x int) int {\n    return sort.SearchInts(nil, x)\n}\n",
			"import (\n    \"math\"\n    \"sort\"\n)\n\n// Doc of F.\n// >>> F(1)\nfunc F(x int) int {\n    return sort.SearchInts(nil, x)\n}\n"},
		{"whole-function-single-import", promptPlain, "import \"strconv\"\n\nfunc F(x int) int {\n    return len(strconv.Itoa(x))\n}\n",
			"import (\n    \"math\"\n    \"strconv\"\n)\n\n// Doc of F.\n// >>> F(1)\nfunc F(x int) int {\n    return len(strconv.Itoa(x))\n}\n"},
		{"whole-function-with-main", promptPlain, "func F(x int) int { return x }\n\nfunc main() { println(F(1)) }\n",
			"import (\n    \"math\"\n)\n\n// Doc of F.\n// >>> F(1)\nfunc F(x int) int { return x }\n\nfunc main() { println(F(1)) }\n"},
		{"whole-function-redeclares-helper", promptHelper,
			"func IsPal(s string) bool {\n    return true\n}\n\nfunc Make(s string) string {\n    return s\n}\n",
			"import (\n    \"strings\"\n)\n\n// Doc of Make.\nfunc IsPal(s string) bool {\n    return true\n}\n\nfunc Make(s string) string {\n    return s\n}\n"},
		{"whole-function-keeps-helper", promptHelper, "func Make(s string) string {\n    return strings.Repeat(s, 2)\n}\n",
			promptHelper[:strings.Index(promptHelper, "func Make")] + "func Make(s string) string {\n    return strings.Repeat(s, 2)\n}\n"},
		{"whole-function-no-prompt-imports", promptNoImports, "import \"strconv\"\n\nfunc G(x int, shift int) string {\n\treturn strconv.Itoa(x)\n}\n",
			"import (\n    \"strconv\"\n)\n\n// Doc of G.\nfunc G(x int, shift int) string {\n\treturn strconv.Itoa(x)\n}\n"},
		{"whole-function-with-doc", promptNoImports, "// G shifts.\nfunc G(x int, shift int) string {\n\treturn \"\"\n}\n",
			"\n// Doc of G.\n// G shifts.\nfunc G(x int, shift int) string {\n\treturn \"\"\n}\n"},
		{"method-of-same-name-is-a-completion", promptPlain, "    return x\n}\n\nfunc (T) F(x int) int { return x }\n",
			promptPlain + "    return x\n}\n\nfunc (T) F(x int) int { return x }\n"},
		{"indented-func-is-not-whole", promptPlain, "    func F(x int) int {\n", promptPlain + "    func F(x int) int {\n"},
		{"closed-prompt", "func F(x int) int {\n    return 1\n}\n", "func F(x int) int {\n    return 2\n}\n",
			"func F(x int) int {\n    return 1\n}\n\nfunc F(x int) int {\n    return 2\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := splice(c.prompt, c.code); got != c.want {
				t.Errorf("splice:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	src := "a := \"}{\" // }\nb := '}' /* { \n } */ `{\n}` + x\n"
	m := mask(src)
	if len(m) != len(src) || strings.Count(m, "\n") != strings.Count(src, "\n") {
		t.Fatalf("mask changed the shape: %q", m)
	}
	if strings.ContainsAny(m, "{}") {
		t.Errorf("braces left in %q", m)
	}
	if braceDepth(mask("func f() {\n\tif x {\n\t}\n")) != 1 {
		t.Error("depth")
	}
}

func TestStrip(t *testing.T) {
	src := "package main\n\nimport \"fmt\"\nimport (\n\t\"strings\" // why\n\tm \"math\"\n\t_ \"embed\"; \"sort\"\n)\n\nfunc F() {}\n"
	s := strip(src)
	if !s.pkg {
		t.Error("package clause not seen")
	}
	want := []importSpec{{path: "fmt", line: 3}, {path: "strings", line: 5}, {name: "m", path: "math", line: 6},
		{name: "_", path: "embed", line: 7}, {path: "sort", line: 7}}
	if len(s.imports) != len(want) {
		t.Fatalf("imports %+v, want %+v", s.imports, want)
	}
	for i := range want {
		if s.imports[i] != want[i] {
			t.Errorf("import %d: %+v, want %+v", i, s.imports[i], want[i])
		}
	}
	if got := strings.Split(s.text, "\n"); len(got) != strings.Count(src, "\n")+1 || got[9] != "func F() {}" {
		t.Errorf("lines moved: %q", s.text)
	}
	if strings.Contains(s.text, "import") || strings.Contains(s.text, "package") {
		t.Errorf("left: %q", s.text)
	}
}

func TestRenameIdent(t *testing.T) {
	src := "func main() {\n\tx.main = 1 // main\n\tmain()\n\ts := \"main\"\n\tmainly()\n}\n"
	want := "func main_() {\n\tx.main = 1 // main\n\tmain_()\n\ts := \"main\"\n\tmainly()\n}\n"
	if got := renameIdent(src, "main", "main_"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPick(t *testing.T) {
	text := "func F(s string) string {\n\tstrings := []string{s}\n\t_ = strings\n\treturn fmt.Sprint(math.Pi, m.Pi)\n}\n// sort.Ints in a comment\n"
	got := pick(text, []importSpec{{name: "m", path: "math", line: 2}, {name: "_", path: "embed"}}, harnessSpecs())
	want := []importSpec{{name: "_", path: "embed"}, {name: "m", path: "math", line: 2}, {path: "math"}, {path: "fmt"}}
	if len(got) != len(want) {
		t.Fatalf("pick: %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pick %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// A source that does not parse falls back to the harness's textual rule.
	bad := "func F( {\n\treturn strconv.Itoa(1)\n// sort.Ints\n"
	got = pick(bad, harnessSpecs())
	if len(got) != 1 || got[0].path != "strconv" {
		t.Errorf("pick of unparsable source: %+v", got)
	}
}

func TestTestFuncs(t *testing.T) {
	tests, names := testFuncs("func TestA(t *testing.T) {}\nfunc Testing(t *testing.T) {}\nfunc TestB(t *testing.T) {}\nfunc helper() {}\nvar seed = 1\n")
	if strings.Join(tests, ",") != "TestA,TestB" || strings.Join(names, ",") != "TestA,Testing,TestB,helper,seed" {
		t.Errorf("tests %v, names %v", tests, names)
	}
	tests, _ = testFuncs("func TestA(t *testing.T) {\n\tx := \n}\n")
	if strings.Join(tests, ",") != "TestA" {
		t.Errorf("unparsable: %v", tests)
	}
}

func TestMaxStack(t *testing.T) {
	for mem, want := range map[int64]int64{0: 64 << 20, 512 << 20: 64 << 20, 256 << 20: 32 << 20, 100 << 20: 8 << 20, 64 << 30: 1 << 30} {
		if got := maxStack(limitsWithMemory(mem)); got != want {
			t.Errorf("memory %d: %d, want %d", mem, got, want)
		}
	}
}

func limitsWithMemory(m int64) sandbox.Limits { return sandbox.Limits{Memory: m} }

// TestSpliceReferences checks that every HumanEval-X Go reference, as a
// completion, is spliced as the dataset defines it (prompt + completion),
// and as a whole function gives a program that declares it once.
func TestSpliceReferences(t *testing.T) {
	ds, err := tasks.Load("humaneval-x/go", filepath.Join("..", "..", "..", "shared", "datasets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range ds.Tasks {
		if got := splice(task.Prompt, task.Reference); got != task.Prompt+task.Reference {
			t.Errorf("%s: the completion is not prompt + completion", task.ID)
		}
		stub, ok := openStub(task.Prompt)
		if !ok {
			t.Errorf("%s: no open stub in the prompt", task.ID)
			continue
		}
		whole := splice(task.Prompt, task.Prompt[stub.start:]+task.Reference)
		n := 0
		for _, d := range decls(whole) {
			if d.kind == "func" && d.name == stub.name {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: the whole function is declared %d times:\n%s", task.ID, n, whole)
		}
	}
}
