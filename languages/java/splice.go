package java

import (
	"sort"
	"strings"
)

// stub is the method a HumanEval-X Java prompt leaves open for the
// completion: the prompt ends inside its body.
type stub struct {
	name  string
	start int // where its declaration's first line starts in the prompt
	depth int // brace depth of the declaration (1: a member of class Solution)
	// helpers are the names of the other methods the prompt defines
	// (HumanEval-X/32's poly, /38's encodeCyclic): trusted code that an
	// answer repeating them must not replace.
	helpers map[string]bool
}

// openStub finds the prompt's open method: the last method declaration
// whose body the prompt does not close. ok is false when there is none.
func openStub(prompt string) (stub, bool) {
	m := mask(prompt)
	ms := methods(prompt, m)
	st := stub{helpers: map[string]bool{}}
	found := false
	for _, md := range ms {
		if md.close < 0 {
			st.name, st.start, st.depth, found = md.name, md.start, md.depth, true
		}
	}
	if !found {
		return stub{}, false
	}
	for _, md := range ms {
		if md.close >= 0 && md.start < st.start {
			st.helpers[md.name] = true
		}
	}
	return st, true
}

// splice returns the Java program for a HumanEval-X completion task whose
// prompt ends inside the body of its open method (see openStub), given the
// code of an answer (what agent/extract.Code read of it). The rules:
//
//   - Whole function: if code declares a method of the stub's name, with a
//     body, at the top level or as a member of a top-level class (a chat
//     model's answer repeating the signature, maybe inside its own class
//     Solution, maybe with imports and helper methods or classes), the
//     program is the prompt up to the stub's declaration, then the members
//     of the answer's class (or the answer's top-level methods and fields),
//     then the brace closing class Solution, then the answer's other
//     top-level types. The answer's imports that the prompt lacks join the
//     prompt's. The prompt's own helper methods stay the prompt's: an
//     answer's method of a helper's name is left out (the tests call the
//     trusted helper, and Java allows no second definition), and so is an
//     answer's main(String[]) method (demo code that only clashes).
//   - Body: otherwise code continues the prompt (HumanEval-X's prompt +
//     completion, exactly, for a completion that closes the method and the
//     class as the canonical solutions do). A body that leaves braces open
//     (an answer showing the body alone, without the closing braces of the
//     method and the class) gets them, each on a line of its own.
//
// In both cases a top-level class Main that the answer declares (a
// demonstration, or the model continuing with the tests) is left out: the
// tests are class Main, and a second one only fails to compile. Helper
// classes of a whole-function answer lose "public": all of the program is
// one file, Main.java, where only class Main may be public. The program
// ends with a newline.
func splice(prompt, code string) string {
	code = strings.ReplaceAll(code, "\r\n", "\n")
	if prompt != "" && !strings.HasSuffix(prompt, "\n") {
		prompt += "\n"
	}
	st, ok := openStub(prompt)
	var prog string
	if ok {
		if p, whole := spliceWhole(prompt, st, code); whole {
			prog = p
		}
	}
	if prog == "" {
		prog = prompt + code
		if d := braceDepth(mask(prog)); d > 0 {
			prog = strings.TrimRight(prog, " \t\n") + "\n" + strings.Repeat("}\n", d)
		}
		prog = dropTypes(prog, len(prompt), func(t topType) bool { return t.name == "Main" })
	}
	if !strings.HasSuffix(prog, "\n") {
		prog += "\n"
	}
	return prog
}

// topType is a top-level type declaration (class, interface, enum, record).
type topType struct {
	kind, name  string
	start, open int // start: where its declaration starts (after the previous item)
	close       int // its closing brace, -1 if none
	public      int // the index of its "public" modifier, or -1
}

// topTypes lists the top-level type declarations of src (mask m) that
// start at or after from.
func topTypes(src, m string, from int) []topType {
	var out []topType
	ds := depths(m)
	for _, sp := range identifiers(m) {
		kind := m[sp[0]:sp[1]]
		if ds[sp[0]] != 0 || sp[0] < from {
			continue
		}
		switch kind {
		case "class", "interface", "enum", "record":
		default:
			continue
		}
		if prev, _ := prevToken(m, sp[0]); prev == "." || prev == "@" {
			continue // Foo.class, @interface
		}
		name, at := nextToken(m, sp[1])
		if name == "" || !isIdentStart(name[0]) {
			continue
		}
		open := strings.IndexByte(m[at:], '{')
		if open < 0 {
			continue
		}
		open += at
		first, header := declHeader(m, sp[0])
		t := topType{kind: kind, name: name, start: first, open: open, close: matching(m, open), public: -1}
		for _, w := range identifiers(header) {
			if header[w[0]:w[1]] == "public" {
				t.public = first + w[0]
			}
		}
		out = append(out, t)
	}
	return out
}

// dropTypes removes from src the top-level types that start at or after
// from and that drop selects, each with the rest of the line it ends on.
func dropTypes(src string, from int, drop func(topType) bool) string {
	m := mask(src)
	ts := topTypes(src, m, from)
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		if !drop(t) {
			continue
		}
		end := len(src)
		if t.close >= 0 {
			end = lineEnd(src, t.close)
		}
		src = src[:t.start] + src[end:]
	}
	return src
}

// spliceWhole is the whole-function rule of splice; whole is false when
// code does not declare the stub's method.
func spliceWhole(prompt string, st stub, code string) (string, bool) {
	m := mask(code)
	var fn *method
	ms := methods(code, m)
	for i := range ms {
		if ms[i].name == st.name && ms[i].depth <= 1 && ms[i].close >= 0 {
			fn = &ms[i]
			break
		}
	}
	if fn == nil {
		return "", false
	}
	types := topTypes(code, m, 0)
	// The answer's class holding the method (when it is a member of one)
	// gives its members; else the answer's top-level text does.
	var host *topType
	for i := range types {
		if t := &types[i]; t.open < fn.nameAt && (t.close < 0 || fn.nameAt < t.close) {
			host = t
		}
	}
	var members string
	var others []topType
	if host != nil {
		end := len(code)
		if host.close >= 0 {
			end = host.close
		}
		members = code[host.open+1 : end]
	} else {
		// Top-level methods and fields: everything but imports, a
		// package line and the top-level types.
		var b strings.Builder
		at := 0
		for _, t := range types {
			b.WriteString(code[at:t.start])
			at = len(code)
			if t.close >= 0 {
				at = lineEnd(code, t.close)
			}
		}
		if at < len(code) {
			b.WriteString(code[at:])
		}
		members = dropImports(b.String())
	}
	for _, t := range types {
		if host != nil && t.start == host.start || t.name == "Main" {
			continue
		}
		others = append(others, t)
	}
	members = dropMethods(members, func(md method) bool {
		return md.depth == 0 && (st.helpers[md.name] || md.name == "main" && st.name != "main")
	})

	var b strings.Builder
	head := prompt[:st.start]
	imports := newImports(prompt, code)
	if len(imports) > 0 {
		at := importsEnd(head)
		head = head[:at] + strings.Join(imports, "\n") + "\n" + head[at:]
	}
	b.WriteString(head)
	b.WriteString(strings.Trim(members, "\n"))
	b.WriteString("\n")
	for d := st.depth; d > 0; d-- {
		b.WriteString("}\n")
	}
	for _, t := range others {
		end := len(code)
		if t.close >= 0 {
			end = t.close + 1
		}
		text := code[t.start:end]
		if t.public >= 0 {
			p := t.public - t.start
			text = text[:p] + strings.TrimLeft(text[p+len("public"):], " \t")
		}
		b.WriteString("\n" + text + "\n")
	}
	return b.String(), true
}

// dropMethods removes the methods of src (with their whole lines) that
// drop selects; depth is counted from src's own top level.
func dropMethods(src string, drop func(method) bool) string {
	m := mask(src)
	ms := methods(src, m)
	sort.Slice(ms, func(i, j int) bool { return ms[i].start > ms[j].start })
	for _, md := range ms {
		if md.close < 0 || !drop(md) {
			continue
		}
		src = src[:md.start] + src[lineEnd(src, md.close):]
	}
	return src
}

// importLines returns the import statements ("import ...;", normalised
// to single spaces) of a source's top level, in order.
func importLines(src string) []string {
	m := mask(src)
	ds := depths(m)
	var out []string
	for _, sp := range identifiers(m) {
		if m[sp[0]:sp[1]] != "import" || ds[sp[0]] != 0 {
			continue
		}
		if prev, _ := prevToken(m, sp[0]); prev != "" && prev != ";" && prev != "}" {
			continue
		}
		end := strings.IndexByte(m[sp[0]:], ';')
		if end < 0 {
			continue
		}
		out = append(out, strings.Join(strings.Fields(src[sp[0]:sp[0]+end+1]), " "))
	}
	return out
}

// newImports are the import statements of code that prompt lacks.
func newImports(prompt, code string) []string {
	have := map[string]bool{}
	for _, l := range importLines(prompt) {
		have[l] = true
	}
	var out []string
	for _, l := range importLines(code) {
		if !have[l] {
			have[l] = true
			out = append(out, l)
		}
	}
	return out
}

// importsEnd is where new imports go in a prompt's head: after the line
// of its last import (or package) statement, else at the start.
func importsEnd(head string) int {
	m := mask(head)
	ds := depths(m)
	at := 0
	for _, sp := range identifiers(m) {
		w := m[sp[0]:sp[1]]
		if (w == "import" || w == "package") && ds[sp[0]] == 0 {
			if end := strings.IndexByte(m[sp[0]:], ';'); end >= 0 {
				at = lineEnd(head, sp[0]+end)
			}
		}
	}
	return at
}

// dropImports removes the import and package statements of a source's
// top level, with the rest of their lines.
func dropImports(src string) string {
	m := mask(src)
	ds := depths(m)
	var cuts [][2]int
	for _, sp := range identifiers(m) {
		w := m[sp[0]:sp[1]]
		if (w == "import" || w == "package") && ds[sp[0]] == 0 {
			if end := strings.IndexByte(m[sp[0]:], ';'); end >= 0 {
				cuts = append(cuts, [2]int{lineStart(src, sp[0]), lineEnd(src, sp[0]+end)})
			}
		}
	}
	for i := len(cuts) - 1; i >= 0; i-- {
		src = src[:cuts[i][0]] + src[cuts[i][1]:]
	}
	return src
}
