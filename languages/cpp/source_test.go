package cpp

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

func TestMask(t *testing.T) {
	cases := []struct{ src, want string }{
		{`int a = 1; // { c`, `int a = 1;       `},
		{"x /* { \n } */ y", "x      \n      y"},
		{`s = "a{\"}"; c = '}';`, `s = "     "; c = ' ';`},
		{`n = 1'000'000; c = 'x';`, `n = 1'000'000; c = ' ';`},
		{`r = R"d(a ) " } )d"; b`, `r = R"            "; b`},
		{`u = u8"{"; w = L'{';`, `u = u8" "; w = L' ';`},
		{"#include <x{>\nint f() {", "             \nint f() {"},
		{"#define A \\\n {\nint", "           \n  \nint"},
		{"// a \\\n { \nx", "      \n   \nx"},
		{"  # if X /* \n { */ \ny", "            \n      \ny"},
		{`case'a': f();`, `case' ': f();`},
	}
	for _, c := range cases {
		if got := mask(c.src); got != c.want {
			t.Errorf("mask(%q)\n got %q\nwant %q", c.src, got, c.want)
		}
		if len(mask(c.src)) != len(c.src) {
			t.Errorf("mask(%q) changed the length", c.src)
		}
	}
}

func TestFunctions(t *testing.T) {
	src := `#include <vector>
using namespace std;
/* doc { */
template <typename T>
T twice(T x) { return 2 * x; }
int g(int a, int b = 3) const noexcept(true) { return a; }
struct S { int f() { return 1; } };
auto lam = [](int x) { return x; };
int Solution::h(int x) { return x; }
vector<int> open(vector<int> v){
    if (v.size()) {
`
	var names []string
	for _, f := range functions(mask(src)) {
		names = append(names, src[f.nameAt:f.nameAt+len(f.name)])
	}
	if want := []string{"twice", "g", "h", "open"}; !reflect.DeepEqual(names, want) {
		t.Errorf("functions: %v, want %v", names, want)
	}
	fns := functions(mask(src))
	if f := fns[0]; src[f.start:f.header] != "" || !strings.HasPrefix(src[f.header:], "template") {
		t.Errorf("twice starts at %q", src[f.header:f.header+10])
	}
	if f := fns[len(fns)-1]; f.end != len(src) {
		t.Errorf("the open function ends at %d, want %d", f.end, len(src))
	}
}

func TestDefinedMacros(t *testing.T) {
	src := "#define A 1\n  #  define B(x) x\n%:define C\n#def\\\nine D\n#/* c */define E\n" +
		"const char *s = \"#define F\";\n// #define G\n#define \\u00e9t 1\n#define __LINE__ 3\n#undef H\n#define A 2\n"
	want := []string{"A", "B", "C", "D", "E", "F", "\u00e9t", "G"}
	if got := definedMacros(src); !reflect.DeepEqual(got, want) {
		t.Errorf("definedMacros = %q, want %q", got, want)
	}
}

const (
	promptMean = `/*
The mean of a vector.
>>> mean({1, 2, 3})
2
*/
#include<stdio.h>
#include<vector>
using namespace std;
float mean(vector<float> xs){
`
	promptPalindrome = `#include<stdio.h>
#include<string>
using namespace std;
bool is_palindrome(string str){
    string s(str.rbegin(),str.rend());
    return s==str;
}
string make_palindrome(string str){
    /*
    Find the shortest palindrome.
    */
`
)

func TestSplice(t *testing.T) {
	body := "    float s=0;\n    for (float x: xs) s+=x;\n    return s/xs.size();\n}\n"
	whole := "#include <vector>\nusing namespace std;\nfloat mean(vector<float> xs) {\n    return xs[0];\n}"
	head := promptMean[:strings.Index(promptMean, "float mean")]
	cases := []struct {
		name, prompt, code, want string
	}{
		{"body", promptMean, body, promptMean + body},
		{"body-no-brace", promptMean, "    return xs[0];", promptMean + "    return xs[0];\n}\n"},
		{"body-no-newline", promptMean, "    return 1;\n}", promptMean + "    return 1;\n}\n"},
		{"body-then-main", promptMean, "    return 1;\n}\nint main() {\n    printf(\"%f\", mean({1}));\n}\n",
			promptMean + "    return 1;\n}\n"},
		{"crlf", promptMean, "    return 1;\r\n}\r\n", promptMean + "    return 1;\n}\n"},
		{"whole", promptMean, whole, head + whole + "\n"},
		{"whole-leading-blank", promptMean, "\n\n" + whole, head + whole + "\n"},
		{"whole-const-ref", promptMean, "float mean(const vector<float>& xs)\n{\n    return 0;\n}\n",
			head + "float mean(const vector<float>& xs)\n{\n    return 0;\n}\n"},
		{"whole-with-main", promptMean, whole + "\n\nint main() {\n    return 0;\n}\n", head + whole + "\n\n"},
		{"whole-helper-repeated", promptPalindrome,
			"#include <string>\nbool is_palindrome(string str){ return true; }\nstring make_palindrome(string str){\n    return str;\n}\n",
			promptPalindrome[:strings.Index(promptPalindrome, "string make_palindrome")] +
				"#include <string>\nstring make_palindrome(string str){\n    return str;\n}\n"},
		{"qualified-is-a-body", promptMean, "float Stats::mean(vector<float> xs) { return 0; }\n",
			promptMean + "float Stats::mean(vector<float> xs) { return 0; }\n}\n"},
		{"name-in-comment", promptMean, "    // float mean(vector<float> xs) {\n    return 0;\n}\n",
			promptMean + "    // float mean(vector<float> xs) {\n    return 0;\n}\n"},
		{"no-open-function", "int helper();", "int f() { return 1; }", "int helper();\nint f() { return 1; }\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := splice(c.prompt, c.code); got != c.want {
				t.Errorf("splice\n got %q\nwant %q", got, c.want)
			}
		})
	}
	// Program is prompt + completion for the reference.
	task := tasks.Task{Prompt: promptMean, Reference: body, Style: tasks.Completion}
	if got := New().Program(task, body); got != task.Program(task.ReferenceSample()) {
		t.Errorf("Program(reference) = %q", got)
	}
}

func TestLayout(t *testing.T) {
	parts := []part{{languages.Base, "test.cpp", "int main(){\n    assert (f() == 1);\n}\n"},
		{languages.Visible, "example_test.cpp", "int main(){}\n"}}
	program := "#define assert(x) 1\nint f() { return 1; }"
	src := assemble(program, parts, "0123456789abcdef")
	if !strings.Contains(src, "\n#undef assert\n") {
		t.Errorf("the solution's assert is not undefined:\n%s", src)
	}
	l := parseLayout(src)
	if l.program != program || !reflect.DeepEqual(l.parts, parts) {
		t.Errorf("parseLayout = %+v", l)
	}
}

func TestCompileError(t *testing.T) {
	cases := []struct {
		output  string
		class   languages.Class
		typ     string
		line    int
		file    string
		message string
	}{
		{"solution.cpp: In function \u2018int f(std::vector<int>)\u2019:\nsolution.cpp:7:12: error: \u2018y\u2019 was not declared in this scope\n    7 |     return y;\n      |            ^\n",
			languages.Name, "UndeclaredName", 7, "solution.cpp", "solution.cpp:7:12: error: 'y' was not declared in this scope"},
		{"solution.cpp:5:13: error: cannot convert 'std::vector<int>' to 'int' in initialization\nsolution.cpp:9:1: error: expected ';' before '}' token\n",
			languages.Type, "InvalidConversion", 5, "solution.cpp", ""},
		{"solution.cpp:4:16: error: expected ';' before 'return'\n", languages.Syntax, "ExpectedToken", 4, "solution.cpp", ""},
		{"solution.cpp:1:10: fatal error: nothere.h: No such file or directory\ncompilation terminated.\n", languages.Import, "MissingHeader", 1, "solution.cpp", ""},
		{"test.cpp:3:13: error: no matching function for call to 'f(<brace-enclosed initializer list>)'\n", languages.Type, "NoMatchingFunction", 3, "test.cpp", ""},
		{"solution.cpp:6:11: error: 'class std::vector<int>' has no member named 'push'\n", languages.Name, "NoMember", 6, "solution.cpp", ""},
		{"/tmp/ccNmw2n8.o:prog.cpp:function main: error: undefined reference to 'foo(int)'\ncollect2: error: ld returned 1 exit status\n",
			languages.Name, "UndefinedReference", 0, "", "/tmp/ccNmw2n8.o:prog.cpp:function main: error: undefined reference to 'foo(int)'"},
		{"In file included from /usr/include/c++/12/algorithm:61,\n                 from /usr/local/lib/selfrepair/cpp/selfrepair.h:9:\n" +
			"/usr/include/c++/12/bits/stl_algo.h: In instantiation of 'void std::__sort(...)':\n" +
			"/usr/include/c++/12/bits/stl_algo.h:4852:18:   required from 'void std::sort(...)'\nsolution.cpp:12:9:   required from here\n" +
			"/usr/include/c++/12/bits/predefined_ops.h:45:23: error: no match for 'operator<' (operand types are 'S' and 'S')\n",
			languages.Type, "InvalidOperands", 12, "solution.cpp", ""},
		{"solution.cpp:3:1: error: 'vectr' does not name a type\n", languages.Name, "UndeclaredName", 3, "solution.cpp", ""},
		{"solution.cpp:8:5: error: request for member 'size' in 'n', which is of non-class type 'int'\n", languages.Type, "TypeMismatch", 8, "solution.cpp", ""},
		{"warning: only a warning\n", "", "", 0, "", ""},
	}
	for _, c := range cases {
		out := CompileError(c.output)
		if out.Class != c.class || out.ErrorType != c.typ || out.Line != c.line || out.LineText != c.file {
			t.Errorf("%q: got %s %s line %d %q, want %s %s line %d %q", c.output, out.Class, out.ErrorType, out.Line, out.LineText,
				c.class, c.typ, c.line, c.file)
		}
		if c.message != "" && out.Message != c.message {
			t.Errorf("%q: message %q, want %q", c.output, out.Message, c.message)
		}
	}
}

func TestRuntimeFailure(t *testing.T) {
	cases := []struct {
		segment string
		v       verdictLine
		class   languages.Class
		typ     string
		line    int
	}{
		{"prog: test.cpp:5: int main(): Assertion `f(1) == 2' failed.\n", verdictLine{what: "signal", n: 6}, languages.Assertion, "AssertionFailure", 5},
		{"terminate called after throwing an instance of 'std::out_of_range'\n  what():  vector::_M_range_check: __n (which is 3) >= this->size() (which is 3)\n",
			verdictLine{what: "signal", n: 6}, languages.Index, "std::out_of_range", 0},
		{"terminate called after throwing an instance of 'std::invalid_argument'\n  what():  stoi\n", verdictLine{what: "signal", n: 6}, languages.Value, "std::invalid_argument", 0},
		{"terminate called after throwing an instance of 'std::out_of_range'\n  what():  stoi\n", verdictLine{what: "signal", n: 6}, languages.Value, "std::out_of_range", 0},
		{"terminate called after throwing an instance of 'char const*'\n", verdictLine{what: "signal", n: 6}, languages.OtherRuntime, "char const*", 0},
		{"terminate called after throwing an instance of 'boost::wrapexcept<boost::bad_any_cast>'\n  what():  boost::bad_any_cast: failed conversion using boost::any_cast\n",
			verdictLine{what: "signal", n: 6}, languages.Type, "boost::wrapexcept<boost::bad_any_cast>", 0},
		{"terminate called after throwing an instance of 'std::out_of_range'\n  what():  map::at\n", verdictLine{what: "signal", n: 6}, languages.Key, "std::out_of_range", 0},
		{"terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n", verdictLine{what: "signal", n: 6}, languages.Memory, "std::bad_alloc", 0},
		{"Segmentation fault (stack overflow: the recursion is too deep or never ends)\n", verdictLine{what: "signal", n: 11}, languages.Recursion, "SIGSEGV", 0},
		{"Segmentation fault (null pointer dereference: invalid read or write at address 0x0)\n", verdictLine{what: "signal", n: 11}, languages.Attribute, "SIGSEGV", 0},
		{"Segmentation fault (invalid read or write at address 0x7ffd0000)\n", verdictLine{what: "signal", n: 11}, languages.OtherRuntime, "SIGSEGV", 0},
		{"Floating point exception (integer division by zero)\n", verdictLine{what: "signal", n: 8}, languages.ZeroDivision, "SIGFPE", 0},
		{"free(): invalid pointer\n", verdictLine{what: "signal", n: 6}, languages.OtherRuntime, "SIGABRT", 0},
		{"*** stack smashing detected ***: terminated\n", verdictLine{what: "signal", n: 6}, languages.Index, "SIGABRT", 0},
		{"", verdictLine{what: "exit", n: 0}, languages.OtherRuntime, "EarlyExit", 0},
		{"", verdictLine{what: "signal", n: 8}, languages.ZeroDivision, "SIGFPE", 0},
		{"", verdictLine{what: "signal", n: 9}, languages.OtherRuntime, "SIGKILL", 0},
	}
	for _, c := range cases {
		out := runtimeFailure(c.segment, &c.v)
		if out.Class != c.class || out.ErrorType != c.typ || out.Line != c.line {
			t.Errorf("%q %+v: got %s %s line %d, want %s %s line %d", c.segment, c.v, out.Class, out.ErrorType, out.Line, c.class, c.typ, c.line)
		}
	}
}

func TestSuiteVerdicts(t *testing.T) {
	tok := "00112233445566778899aabbccddeeff"
	stderr := "junk\nselfrepair: suite base " + tok + " start\nprog: test.cpp:3: int main(): Assertion `x' failed.\n" +
		"selfrepair: suite base " + tok + " signal 6\n" +
		"selfrepair: suite visible ffffffffffffffffffffffffffffffff start\nselfrepair: suite visible ffffffffffffffffffffffffffffffff passed\n" +
		"selfrepair: suite visible " + tok + " start\nselfrepair: suite visible " + tok + " exit 0\n"
	vs := suiteVerdicts(stderr, tok)
	if b := vs[languages.Base]; b == nil || b.what != "signal" || b.n != 6 ||
		!strings.Contains(stderr[b.start:b.end], "Assertion") {
		t.Errorf("base: %+v", b)
	}
	if v := vs[languages.Visible]; v == nil || v.what != "exit" || v.n != 0 {
		t.Errorf("visible: %+v (a line without the token must not count)", v)
	}
}

func TestCoderFailure(t *testing.T) {
	c := NewCoder()
	cases := []struct {
		text  string
		class languages.Class
	}{
		{"error class: name\nUndeclaredName: solution.cpp:3:5: error: 'foo' was not declared in this scope", languages.Name},
		{"prog: test.cpp:5: int main(): Assertion `f(1) == 2' failed.", languages.Assertion},
		{"terminate called after throwing an instance of 'std::out_of_range'\n  what():  vector::_M_range_check", languages.Index},
		{"Segmentation fault (stack overflow: the recursion is too deep or never ends)", languages.Recursion},
		{"solution.cpp:2:1: error: expected ';' before '}' token", languages.Syntax},
		{"error: cannot convert 'std::string' to 'int' in return", languages.Type},
		{"Floating point exception (integer division by zero)", languages.ZeroDivision},
	}
	for _, k := range cases {
		if got, at := c.Failure(k.text); got != k.class || at < 0 {
			t.Errorf("Failure(%q) = %s at %d, want %s", k.text, got, at, k.class)
		}
	}
	if _, at := c.Failure("all good"); at != -1 {
		t.Errorf("Failure found words in a text without any")
	}
}

func TestCoderStub(t *testing.T) {
	c := NewCoder()
	cases := map[string]string{
		"Complete this:\n```cpp\n#include<vector>\nvector<int> f(vector<int> xs, int k){\n```": "vector<int> f(vector<int> xs, int k) {\n    // TODO: the task is not clear enough to implement.\n    return {};\n}",
		"void g(int x) {":         "void g(int x) {\n    // TODO: the task is not clear enough to implement.\n}",
		"Write something clever.": "int solution() {\n    // TODO: the task is not clear enough to implement.\n    return {};\n}",
	}
	for req, want := range cases {
		if got := c.Stub(req); got != want {
			t.Errorf("Stub(%q)\n got %q\nwant %q", req, got, want)
		}
	}
}

func TestReading(t *testing.T) {
	task := tasks.Task{ID: "T/1", Prompt: promptPalindrome, Style: tasks.Completion, Language: "cpp",
		Reference: "    return str+string(str.rbegin(),str.rend());\n}\n"}
	e := read(task)
	if !e.ok || e.ret != kindString || len(e.params) != 1 || e.params[0].name != "str" || e.params[0].kind != kindString {
		t.Fatalf("read: ok=%v ret=%v params=%+v", e.ok, e.ret, e.params)
	}
	if keys := e.Keys(); len(keys) != 2 || keys[0] != "string make_palindrome(string str){" || !strings.Contains(keys[1], "shortest palindrome") {
		t.Errorf("Keys = %q", keys)
	}
	for seed := range 20 {
		code := e.Present(task.Reference, seeded(seed))
		prog := splice(task.Prompt, code)
		if strings.Count(prog, "bool is_palindrome") != 1 || strings.Count(prog, "string make_palindrome") != 1 ||
			depthAt(mask(prog)) != 0 {
			t.Errorf("seed %d: Present gave %q, spliced into\n%s", seed, code, prog)
		}
	}
}

func seeded(seed int) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 7)) }

// TestProgramOfReferences checks, on every task of humaneval-x/cpp, that
// the coder reads the prompt and that the program of the reference
// completion is HumanEval-X's prompt + completion.
func TestProgramOfReferences(t *testing.T) {
	ds, err := tasks.Load("humaneval-x/cpp", filepath.Join("..", "..", "..", "shared", "datasets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range ds.Tasks {
		want := task.Program(task.ReferenceSample())
		if !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if got := New().Program(task, task.Reference); got != want {
			t.Errorf("%s: Program(reference) differs from prompt + reference:\n%s", task.ID, got)
		}
		e := read(task)
		if !e.ok || len(e.params) == 0 || e.retType == "" {
			t.Errorf("%s: read: ok=%v return %q params %+v", task.ID, e.ok, e.retType, e.params)
		}
	}
}
