package rust

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/tasks"
)

func TestLexAndMask(t *testing.T) {
	src := "fn f<'a>(s: &'a str) -> char { /* { /* nested */ } */ let c = '{'; let b = b'}'; let r = r#\"}\"#; // }\n    let x = \"a\\\"}\"; 'outer: loop { break 'outer; } 1..2; 1.5e-3 }"
	var texts []string
	for _, tok := range lex(src) {
		texts = append(texts, tok.text)
	}
	got := strings.Join(texts, " ")
	want := "fn f < 'a > ( s : & 'a str ) -> char { let c = '{' ; let b = b'}' ; let r = r#\"}\"# ; let x = \"a\\\"}\" ; 'outer : loop { break 'outer ; } 1 .. 2 ; 1.5e-3 }"
	if got != want {
		t.Errorf("lex:\n got %s\nwant %s", got, want)
	}
	m := mask(src)
	if len(m) != len(src) || strings.Count(m, "{") != 2 || strings.Count(m, "}") != 2 || strings.Count(m, "\n") != 1 {
		t.Errorf("mask kept braces of comments or literals: %q", m)
	}
}

func TestTopItems(t *testing.T) {
	src := "use std::{a, b::{self, c as d}};\n#[derive(Debug)]\npub enum E { A, B }\nconst N: usize = { 3 };\nstruct T(i32);\n" +
		"impl T { fn m(&self) {} }\npub(crate) fn f<'a>(x: &'a str) -> &'a str { x }\nmacro_rules! m { () => {} }\nextern crate md5;\nfn g() {\n    let y = 1;\n"
	var got []string
	for _, it := range topItems(src) {
		s := it.kind + ":" + it.name
		if it.open {
			s += "(open)"
		}
		got = append(got, s)
	}
	want := "use: enum:E const:N struct:T impl: fn:f macro_rules:m extern crate:md5 fn:g(open)"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, " "), want)
	}
	leaves, ok := leavesOf(topItems(src)[0])
	var ls []string
	for _, l := range leaves {
		ls = append(ls, l.String()+"="+l.name)
	}
	if !ok || strings.Join(ls, " ") != "std::a=a std::b=b std::b::c as d=d" {
		t.Errorf("leaves %v %v", ls, ok)
	}
}

func TestProgram(t *testing.T) {
	const decl = "\nuse std::collections::HashMap;\nuse rand::Rng;\n\nfn f(xs: Vec<i32>) -> i32{\n"
	const prompt = "\n/*\n Sum.\n*/\n"
	task := tasks.Task{ID: "Rust/x", Prompt: prompt, Declaration: decl, Style: tasks.Completion, Language: "rust"}
	const head = "\nuse std::collections::HashMap;\nuse rand::Rng;\n\n"
	cases := []struct {
		name, code, want string
	}{
		{"body", "    xs.iter().sum()\n}\n", decl + prompt + "    xs.iter().sum()\n}\n"},
		{"body gets a final newline", "    0\n}", decl + prompt + "    0\n}\n"},
		{"body with helpers after it", "    g(xs)\n}\n\nfn g(xs: Vec<i32>) -> i32 { 0 }\n", decl + prompt + "    g(xs)\n}\n\nfn g(xs: Vec<i32>) -> i32 { 0 }\n"},
		{"whole function replaces the stub", "fn f(xs: Vec<i32>) -> i32 {\n    xs.iter().sum()\n}", head + "fn f(xs: Vec<i32>) -> i32 {\n    xs.iter().sum()\n}\n"},
		{"duplicate imports dropped", "use std::collections::HashMap;\nuse std::collections::{HashMap, BTreeMap};\nuse rand::prelude::*;\n\nfn f(xs: Vec<i32>) -> i32 {\n    0\n}\n",
			head + "use std::collections::BTreeMap;\nuse rand::prelude::*;\n\nfn f(xs: Vec<i32>) -> i32 {\n    0\n}\n"},
		{"main and tests dropped", "fn f(xs: Vec<i32>) -> i32 {\n    0\n}\n\nfn main() {\n    println!(\"{}\", f(vec![]));\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n",
			head + "fn f(xs: Vec<i32>) -> i32 {\n    0\n}\n" + strings.Repeat("\n", 10)},
		{"helper only is whole too", "fn g() -> i32 { 1 }", head + "fn g() -> i32 { 1 }\n"},
		{"unclosed body stays a body", "    let y = 1;\n    y", decl + prompt + "    let y = 1;\n    y\n"},
		{"nested fn in a body", "    fn inner() -> i32 { 1 }\n    inner()\n}\n", decl + prompt + "    fn inner() -> i32 { 1 }\n    inner()\n}\n"},
		{"crlf", "    0\r\n}\r\n", decl + prompt + "    0\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := New().Program(task, c.code); got != c.want {
				t.Errorf("Program(%q)\n got %q\nwant %q", c.code, got, c.want)
			}
		})
	}
	// A prompt that already holds the declaration is completed as it is.
	full := task
	full.Prompt = decl + prompt
	if got := New().Program(full, "    0\n}\n"); got != decl+prompt+"    0\n}\n" {
		t.Errorf("prompt with declaration: %q", got)
	}
	prog := tasks.Task{Style: tasks.Program}
	if got := New().Program(prog, "fn main() {}"); got != "fn main() {}" {
		t.Errorf("program task: %q", got)
	}
}

func TestAdaptTests(t *testing.T) {
	test := "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n #[test]\n    // doc\n    fn test_f() {\n        assert_eq!(f(vec![1]), 1);\n" +
		"        let n = rng.gen_range(0, 21);\n        assert!(x, \"{}\", y);\n        my_assert!(z);\n    }\n\n    #[test]\n    #[should_panic(expected = \"boom\")]\n    fn test_g() -> Result<(), String> { Ok(()) }\n}\n"
	a := adaptTests(test, map[string]string{"tests": "tests_visible"}, namesModule)
	want := "\n#[cfg(test)]\npub(crate) mod tests_visible {\n    use crate::__selfrepair_names::*;\n\n        \n    // doc\n    pub(crate) fn test_f() {\n" +
		"        ::std::assert_eq!(f(::std::vec![1]), 1);\n        let n = rng.gen_range(0.. 21);\n        ::std::assert!(x, \"{}\", y);\n        my_assert!(z);\n    }\n\n" +
		"    " + strings.Repeat(" ", len("#[test]")) + "\n    " + strings.Repeat(" ", len(`#[should_panic(expected = "boom")]`)) + "\n    pub(crate) fn test_g() -> Result<(), String> { Ok(()) }\n}\n"
	if a.text != want {
		t.Errorf("adapted:\n%s\nwant:\n%s", a.text, want)
	}
	if strings.Count(a.text, "\n") != strings.Count(test, "\n") {
		t.Errorf("line count changed")
	}
	if len(a.tests) != 2 || a.tests[0].path != "tests_visible::test_f" || a.tests[1].path != "tests_visible::test_g" ||
		!a.tests[1].shouldPanic || a.tests[1].expected != "boom" || !a.tests[1].returns || a.tests[0].returns {
		t.Errorf("tests %+v", a.tests)
	}
	// A test text commented out (HumanEval-X Rust/32) has no tests.
	if a := adaptTests("/*\n#[cfg(test)]\nmod tests {\n #[test]\n fn t() {}\n}\n*/\n", nil, namesModule); len(a.tests) != 0 {
		t.Errorf("commented out: %+v", a.tests)
	}
}

func TestPinType(t *testing.T) {
	cases := map[string]string{
		"fn f(numbers:Vec<f32>, threshold: f32) -> bool{":                              "fn(Vec<f32>, f32) -> bool",
		"fn compare_one<'a>(a:&'a dyn Any, b:&'a dyn Any) -> RtnType<String,f64,i32>{": "for<'a> fn(&'a dyn Any, &'a dyn Any) -> RtnType<String,f64,i32>",
		"fn g(mut a:i32,mut b:i32) -> i32{":                                            "fn(i32, i32) -> i32",
		"fn h(lst: Vec<&str>) -> &str {":                                               "fn(Vec<&str>) -> &str",
		"fn u(m: HashMap<char, Vec<Vec<i32>>>) {":                                      "fn(HashMap<char,Vec<Vec<i32>>>)",
		"fn v((a, b): (i32, i32)) -> (i32,i32) {":                                      "fn((i32,i32)) -> (i32,i32)",
		"fn generic<T: Ord>(x: T) -> T {":                                              "",
		"fn imp(x: impl Into<String>) {":                                               "",
		"async fn a() {":                                                               "",
	}
	for sig, want := range cases {
		its := topItems(sig + "}")
		if len(its) != 1 {
			t.Errorf("%s: %d items", sig, len(its))
			continue
		}
		got, _, ok := pinType(its[0])
		if got != want || ok != (want != "") {
			t.Errorf("pinType(%s) = %q, %v; want %q", sig, got, ok, want)
		}
	}
}

func TestLayout(t *testing.T) {
	l := layout{{"solution", 1, 10}, {"base", 11, 20}, {"driver", 21, 30}}
	back := parseLayout(l.String())
	if back.String() != "solution=1-10,base=11-20,driver=21-30" {
		t.Fatalf("round trip: %s", back)
	}
	if r, n, ok := back.find(12); !ok || r.name != "base" || n != 2 {
		t.Errorf("find(12) = %v %d %v", r, n, ok)
	}
	if _, _, ok := back.find(31); ok {
		t.Errorf("find past the end")
	}
	if s := back.suites(); len(s) != 1 || s[0] != "base" {
		t.Errorf("suites %v", s)
	}
}
