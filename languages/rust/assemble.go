package rust

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// The assembled program is one file, src/main.rs:
//
//	the solution program            (lines 1..n: its own line numbers)
//	each suite's tests, adapted     (their own lines, in order)
//	the names module                (what the tests may take from the solution)
//	fn main, the driver             (runs every test, prints the token last)
//
// The tests are the dataset's, changed only where a plain test harness
// would let the solution decide their verdict, and always on the lines
// they were on:
//
//   - #[test] (and #[should_panic], #[ignore]) attributes are removed and
//     the functions made pub(crate): the driver calls each by its path, in
//     a thread of its own named after it, as libtest does.
//   - Std macros (assert_eq!, vec!, ...) are called by their full path
//     (::std::assert_eq!): a macro_rules! of the solution, defined earlier
//     in the file, would otherwise replace them (textual scope).
//   - `use super::*;` becomes a glob import of the names module, which
//     re-exports only the prompt's imports and the names the reference
//     solution defines at top level: the tests see the solution's
//     functions and types, never a solution's item that shadows a
//     prelude name (a const None, a struct String).
//   - rand 0.4's gen_range(low, high) becomes rand 0.8's
//     gen_range(low..high), the same distribution: upstream pinned rand
//     0.4, Debian has 0.8 (HumanEval-X Rust/50).
//
// The names module also pins the signatures of the reference's functions
// that the tests call (const _: fn(Vec<f32>, f32) -> bool = f;): a
// whole-function answer that changes a return type to one with a lying
// PartialEq does not compile.

// isStdMacro reports whether name is a std macro a test may call; they
// are called by path.
func isStdMacro(name string) bool {
	switch name {
	case "assert", "assert_eq", "assert_ne", "debug_assert", "debug_assert_eq", "debug_assert_ne", "panic", "vec",
		"format", "print", "println", "eprint", "eprintln", "write", "writeln", "unreachable", "unimplemented", "todo",
		"matches", "dbg", "format_args", "concat", "stringify":
		return true
	}
	return false
}

// testFn is one test function of a suite.
type testFn struct {
	path        string // tests::test_f
	shouldPanic bool
	expected    string // should_panic(expected = "...")
	ignore      bool
	returns     bool // has a return type (a Result)
}

// adaptedSuite is a suite's test text as it is compiled.
type adaptedSuite struct {
	name   string
	text   string
	tests  []testFn
	idents map[string]bool // identifiers the text uses
}

// adaptTests rewrites a suite's test text (see above). rename maps
// top-level module names to the names they take (a second suite's mod
// tests); names is the module whose glob replaces use super::*; "" keeps
// it.
func adaptTests(text string, rename map[string]string, names string) adaptedSuite {
	toks := lex(text)
	type edit struct {
		start, end int
		with       string
	}
	var edits []edit
	replace := func(start, end int, with string) { edits = append(edits, edit{start, end, with}) }
	out := adaptedSuite{text: text, idents: map[string]bool{}}

	// Module nesting, by brace depth.
	type scope struct {
		name  string
		depth int
	}
	var mods []scope
	depth := 0
	pendingMod := ""
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokIdent {
			out.idents[t.text] = true
		}
		switch {
		case t.is("{"):
			depth++
			if pendingMod != "" {
				mods = append(mods, scope{pendingMod, depth})
				pendingMod = ""
			}
		case t.is("}"):
			if len(mods) > 0 && mods[len(mods)-1].depth == depth {
				mods = mods[:len(mods)-1]
			}
			depth--
		case t.is(";"):
			pendingMod = ""
		case t.is("mod") && i+1 < len(toks) && toks[i+1].kind == tokIdent && (i == 0 || !toks[i-1].is("::")):
			name := toks[i+1].text
			if to, ok := rename[name]; ok && len(mods) == 0 {
				replace(toks[i+1].off, toks[i+1].end(), to)
				name = to
			}
			pendingMod = name
			if i == 0 || !(toks[i-1].is("pub") || toks[i-1].is(")")) {
				replace(t.off, t.off, "pub(crate) ")
			}
		case t.is("use") && names != "" && len(mods) == 1 && mods[0].depth == depth && i+4 < len(toks) &&
			toks[i+1].is("super") && toks[i+2].is("::") && toks[i+3].is("*") && toks[i+4].is(";"):
			replace(toks[i+1].off, toks[i+3].end(), "crate::"+names+"::*")
			i += 4
		case t.kind == tokIdent && isStdMacro(t.text) && i+2 < len(toks) && toks[i+1].is("!") &&
			(toks[i+2].is("(") || toks[i+2].is("[") || toks[i+2].is("{")) && (i == 0 || !toks[i-1].is("::") && !toks[i-1].is(".")):
			replace(t.off, t.off, "::std::")
		case t.is("gen_range") && i > 0 && toks[i-1].is(".") && i+1 < len(toks) && toks[i+1].is("("):
			if comma, ok := twoArgs(toks, i+1); ok {
				replace(toks[comma].off, toks[comma].end(), "..")
			}
		case t.is("#") && i+3 < len(toks) && toks[i+1].is("["):
			e := matching(toks, i+1)
			if e < 0 {
				continue
			}
			attr := strings.ReplaceAll(text[toks[i+1].end():toks[e].off], " ", "")
			if attr != "test" {
				continue
			}
			// The function the attribute marks, past further attributes.
			tf := testFn{}
			k := e + 1
			blank := [][2]int{{t.off, toks[e].end()}}
			for k+1 < len(toks) && toks[k].is("#") && toks[k+1].is("[") {
				ae := matching(toks, k+1)
				if ae < 0 {
					break
				}
				a := text[toks[k+1].end():toks[ae].off]
				switch compact := strings.ReplaceAll(a, " ", ""); {
				case compact == "ignore" || strings.HasPrefix(compact, "ignore="):
					tf.ignore = true
					blank = append(blank, [2]int{toks[k].off, toks[ae].end()})
				case strings.HasPrefix(compact, "should_panic"):
					tf.shouldPanic = true
					tf.expected = expectedPanic(toks[k+1 : ae+1])
					blank = append(blank, [2]int{toks[k].off, toks[ae].end()})
				}
				k = ae + 1
			}
			fn := k
			for fn < len(toks) && !toks[fn].is("fn") && fn-k < 8 {
				fn++
			}
			if fn+1 >= len(toks) || !toks[fn].is("fn") || toks[fn+1].kind != tokIdent {
				continue
			}
			for _, b := range blank {
				replace(b[0], b[1], strings.Repeat(" ", b[1]-b[0]))
			}
			if !toks[k].is("pub") {
				replace(toks[k].off, toks[k].off, "pub(crate) ")
			}
			var path []string
			for _, m := range mods {
				path = append(path, m.name)
			}
			tf.path = strings.Join(append(path, toks[fn+1].text), "::")
			tf.returns = returnsValue(toks, fn+2)
			out.tests = append(out.tests, tf)
			i = e
		}
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	var b strings.Builder
	at := 0
	for _, e := range edits {
		if e.start < at {
			continue
		}
		b.WriteString(text[at:e.start])
		b.WriteString(e.with)
		at = e.end
	}
	b.WriteString(text[at:])
	out.text = b.String()
	return out
}

// twoArgs reports whether the call whose "(" is toks[open] has exactly two
// arguments, and returns the index of the comma between them.
func twoArgs(toks []token, open int) (int, bool) {
	end := matching(toks, open)
	if end < 0 {
		return 0, false
	}
	depth, comma := 0, -1
	for k := open + 1; k < end; k++ {
		switch {
		case toks[k].is("(") || toks[k].is("[") || toks[k].is("{"):
			depth++
		case toks[k].is(")") || toks[k].is("]") || toks[k].is("}"):
			depth--
		case depth == 0 && toks[k].is(","):
			if comma >= 0 {
				return 0, false
			}
			comma = k
		case depth == 0 && (toks[k].is("..") || toks[k].is("..=")):
			return 0, false
		}
	}
	return comma, comma > open+1 && comma < end-1
}

// expectedPanic reads should_panic(expected = "...").
func expectedPanic(toks []token) string {
	for k, t := range toks {
		if t.is("expected") && k+2 < len(toks) && toks[k+1].is("=") && toks[k+2].kind == tokLiteral {
			if s, err := strconv.Unquote(toks[k+2].text); err == nil {
				return s
			}
			return strings.Trim(toks[k+2].text, `"`)
		}
	}
	return ""
}

// returnsValue reports whether the function whose parameter list opens at
// toks[i] declares a return type.
func returnsValue(toks []token, i int) bool {
	for i < len(toks) && !toks[i].is("(") {
		i++ // generics
	}
	if i >= len(toks) {
		return false
	}
	e := matching(toks, i)
	return e > 0 && e+1 < len(toks) && toks[e+1].is("->")
}

// namesModule is the module the tests take the solution's names from: the
// reference's top-level imports (re-exported from where they come) and
// the reference's own names that the tests use, plus the signature pins.
const namesModule = "__selfrepair_names"

// reference is what the assembly learns from the task's reference
// program: its imports, its top-level names and its functions.
type reference struct {
	uses  []string        // the text of each top-level use and extern crate item
	names map[string]bool // names of its top-level items (functions, types, ...)
	fns   []item
}

func readReference(prog string) reference {
	r := reference{names: map[string]bool{}}
	for _, it := range topItems(prog) {
		switch it.kind {
		case "use":
			r.uses = append(r.uses, prog[it.start:it.end])
		case "fn", "struct", "enum", "union", "trait", "type", "const", "static", "mod":
			if it.name != "" && it.name != "main" {
				r.names[it.name] = true
			}
			if it.kind == "fn" {
				r.fns = append(r.fns, it)
			}
		}
	}
	return r
}

// names returns the names module's source (one line) for tests that use
// the identifiers in used.
func (r reference) namesModule(used map[string]bool) string {
	var b strings.Builder
	b.WriteString("#[allow(unused_imports, dead_code, non_snake_case, non_camel_case_types, deprecated)] mod " + namesModule + " {")
	for _, u := range r.uses {
		// Only the first "use" keyword of the item is made pub(crate).
		u = strings.Join(strings.Fields(u), " ")
		if k := strings.Index(u, "use "); k >= 0 && !strings.HasPrefix(strings.TrimSpace(u[:k]), "pub") {
			u = u[:k] + "pub(crate) " + u[k:]
		}
		b.WriteString(" " + u)
	}
	var pins []string
	want := map[string]bool{}
	for name := range r.names {
		if used[name] {
			want[name] = true
		}
	}
	for _, fn := range r.fns {
		if !used[fn.name] {
			continue
		}
		if pin, refs, ok := pinType(fn); ok {
			pins = append(pins, "const _: "+pin+" = "+fn.name+";")
			for _, n := range refs {
				if r.names[n] {
					want[n] = true
				}
			}
		}
	}
	if len(want) > 0 {
		names := make([]string, 0, len(want))
		for n := range want {
			names = append(names, n)
		}
		slices.Sort(names)
		b.WriteString(" pub(crate) use super::{" + strings.Join(names, ", ") + "};")
	}
	for _, p := range pins {
		b.WriteString(" " + p)
	}
	b.WriteString(" }\n")
	return b.String()
}

// pinType returns the function pointer type of fn's signature (for<'a>
// fn(A, B) -> R), and the identifiers it mentions; ok is false for a
// signature a function pointer cannot name (type parameters, impl Trait,
// self, async).
func pinType(fn item) (string, []string, bool) {
	for _, q := range fn.qualif {
		if q != "const" {
			return "", nil, false
		}
	}
	sig := fn.sig
	if len(sig) < 3 || sig[0].kind != tokIdent {
		return "", nil, false
	}
	k := 1
	var lifetimes []string
	if sig[k].is("<") {
		e := k + 1
		for e < len(sig) && !sig[e].is(">") {
			switch {
			case sig[e].kind == tokLifetime:
				lifetimes = append(lifetimes, sig[e].text)
			case sig[e].is(","):
			default:
				return "", nil, false // a type or const parameter, or a bound
			}
			e++
		}
		if e >= len(sig) {
			return "", nil, false
		}
		k = e + 1
	}
	if k >= len(sig) || !sig[k].is("(") {
		return "", nil, false
	}
	close := matching(sig, k)
	if close < 0 {
		return "", nil, false
	}
	var params []string
	var refs []string
	for _, p := range splitTop(sig[k+1 : close]) {
		if len(p) == 0 {
			continue
		}
		colon := -1
		depth := 0
		for j, t := range p {
			switch {
			case t.is("(") || t.is("[") || t.is("{") || t.is("<"):
				depth++
			case t.is(")") || t.is("]") || t.is("}") || t.is(">"):
				depth--
			case t.is(">>"):
				depth -= 2
			case depth == 0 && t.is(":") && colon < 0:
				colon = j
			}
		}
		if colon < 0 || colon == len(p)-1 {
			return "", nil, false // self, or no type
		}
		ty := p[colon+1:]
		for _, t := range ty {
			if t.is("impl") || t.is("Self") {
				return "", nil, false
			}
			if t.kind == tokIdent {
				refs = append(refs, t.text)
			}
		}
		params = append(params, joinTokens(ty))
	}
	ret := ""
	rest := sig[close+1:]
	if len(rest) > 0 && rest[0].is("->") {
		end := len(rest)
		for j, t := range rest {
			if t.is("where") {
				end = j
				break
			}
		}
		ty := rest[1:end]
		for _, t := range ty {
			if t.is("impl") || t.is("Self") {
				return "", nil, false
			}
			if t.kind == tokIdent {
				refs = append(refs, t.text)
			}
		}
		ret = " -> " + joinTokens(ty)
	} else if len(rest) > 0 && !rest[0].is("where") {
		return "", nil, false
	}
	pin := "fn(" + strings.Join(params, ", ") + ")" + ret
	if len(lifetimes) > 0 {
		pin = "for<" + strings.Join(lifetimes, ", ") + "> " + pin
	}
	return pin, refs, true
}

// splitTop splits tokens at commas outside brackets.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for j, t := range toks {
		switch {
		case t.is("(") || t.is("[") || t.is("{") || t.is("<"):
			depth++
		case t.is(")") || t.is("]") || t.is("}") || t.is(">"):
			depth--
		case t.is(">>"):
			depth -= 2
		case t.is("->"):
		case depth == 0 && t.is(","):
			out = append(out, toks[start:j])
			start = j + 1
		}
	}
	return append(out, toks[start:])
}

// joinTokens writes tokens back as source, a space where two words would
// otherwise run together.
func joinTokens(toks []token) string {
	var b strings.Builder
	for j, t := range toks {
		if j > 0 {
			prev := toks[j-1]
			if (prev.kind == tokIdent || prev.kind == tokLifetime || prev.kind == tokNumber) && (t.kind == tokIdent || t.kind == tokNumber || t.kind == tokLifetime) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// region is a range of lines of the assembled file.
type region struct {
	name        string // "solution", a suite's name, or "driver"
	first, last int    // 1-based, inclusive
}

// layout says which lines of the assembled file are whose.
type layout []region

func (l layout) String() string {
	parts := make([]string, len(l))
	for i, r := range l {
		parts[i] = fmt.Sprintf("%s=%d-%d", r.name, r.first, r.last)
	}
	return strings.Join(parts, ",")
}

func parseLayout(s string) layout {
	var l layout
	for _, part := range strings.Split(s, ",") {
		name, span, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		a, b, _ := strings.Cut(span, "-")
		first, err1 := strconv.Atoi(a)
		last, err2 := strconv.Atoi(b)
		if err1 == nil && err2 == nil {
			l = append(l, region{name, first, last})
		}
	}
	return l
}

// find returns the region holding line and the line's number within it.
func (l layout) find(line int) (region, int, bool) {
	for _, r := range l {
		if line >= r.first && line <= r.last {
			return r, line - r.first + 1, true
		}
	}
	return region{}, 0, false
}

// suiteText is one suite to assemble: its name and test code.
type suiteText struct {
	name, test string
}

// assemble returns the file that runs program against the suites, and
// its layout. refProg is the task's reference program ("" when it has
// none: the tests then keep their own imports).
func assemble(program, refProg string, suites []suiteText) (string, layout) {
	if !strings.HasSuffix(program, "\n") {
		program += "\n"
	}
	var b strings.Builder
	b.WriteString(program)
	lines := strings.Count(program, "\n")
	lay := layout{{"solution", 1, lines}}
	names := ""
	var ref reference
	if refProg != "" {
		ref = readReference(refProg)
		names = namesModule
	}
	used := map[string]bool{}
	var adapted []adaptedSuite
	taken := map[string]bool{}
	for _, s := range suites {
		rename := map[string]string{}
		for _, it := range topItems(s.test) {
			if it.kind == "mod" && taken[it.name] {
				rename[it.name] = it.name + "_" + s.name
			}
		}
		a := adaptTests(s.test, rename, names)
		a.name = s.name
		for _, it := range topItems(a.text) {
			if it.kind == "mod" {
				taken[it.name] = true
			}
		}
		for id := range a.idents {
			used[id] = true
		}
		text := a.text
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		b.WriteString(text)
		n := strings.Count(text, "\n")
		lay = append(lay, region{s.name, lines + 1, lines + n})
		lines += n
		adapted = append(adapted, a)
	}
	driver := ""
	if names != "" {
		driver = ref.namesModule(used)
	}
	driver += mainFunc(adapted)
	b.WriteString(driver)
	lay = append(lay, region{"driver", lines + 1, lines + strings.Count(driver, "\n")})
	return b.String(), lay
}

// mainFunc is the driver: it runs each suite's tests in order, each in a
// thread of its own (libtest's way: a panic fails that test only), stops
// a suite at its first failure, prints a suite's line when all of its
// tests passed and, after the last suite, the completion line, if every
// test passed and it still is the process that started (a fork of the
// solution's cannot print it). Everything is called by its full path: no
// item of the solution can stand in for it.
func mainFunc(suites []adaptedSuite) string {
	var b strings.Builder
	b.WriteString("fn main() {\n")
	fmt.Fprintf(&b, "    let __selfrepair_token = ::std::env::var(%q).unwrap_or_default();\n", languages.TokenEnv)
	fmt.Fprintf(&b, "    ::std::env::remove_var(%q);\n", languages.TokenEnv)
	b.WriteString("    let __selfrepair_pid = ::std::process::id();\n")
	b.WriteString("    ::selfrepair_driver::install();\n")
	b.WriteString("    let mut __selfrepair_ok = true;\n")
	for _, s := range suites {
		b.WriteString("    {\n        let mut __selfrepair_suite = true;\n")
		for _, t := range s.tests {
			panics := "::std::option::Option::None"
			if t.shouldPanic {
				panics = "::std::option::Option::Some(" + strconv.Quote(t.expected) + ")"
			}
			fmt.Fprintf(&b, "        __selfrepair_suite = __selfrepair_suite && ::selfrepair_driver::run(&::selfrepair_driver::Test { suite: %s, path: %s, run: || ::selfrepair_driver::Report::check(%s()), should_panic: %s, ignore: %t });\n",
				strconv.Quote(s.name), strconv.Quote(t.path), t.path, panics, t.ignore)
		}
		fmt.Fprintf(&b, "        if __selfrepair_suite { ::std::println!(\"{}{}\", %q, __selfrepair_token); } else { __selfrepair_ok = false; }\n    }\n",
			suitePassedPrefix(s.name))
	}
	b.WriteString("    if !__selfrepair_ok || ::std::process::id() != __selfrepair_pid { ::std::process::exit(101); }\n")
	fmt.Fprintf(&b, "    ::std::println!(\"{}{}\", %q, __selfrepair_token);\n", strings.TrimSuffix(languages.TokenLine(""), "\n"))
	b.WriteString("}\n")
	return b.String()
}

// suitePassedPrefix is the start of the line the driver prints, the token
// after it, when every test of suite passed.
func suitePassedPrefix(suite string) string { return "selfrepair: suite " + suite + " passed " }
