package javascript

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// The mutators turn a reference solution into the kind of wrong answer a
// code model gives, each aimed at one error class. They are line-based
// transforms of the reference's text (a function's body and its closing
// brace), written so that the program really fails with the intended class
// when its tests run; TestMutationRealism measures how often it does.

// mutator is one way of making a faulty variant.
type mutator = languages.Mutator[*mutation]

// mutators is the table of mutators, by class.
func mutators() []mutator {
	return []mutator{
		{Class: languages.Syntax, Name: "unclosed-paren", Weight: 0.4, Apply: unclosedParen},
		{Class: languages.Syntax, Name: "missing-brace", Weight: 0.3, Apply: missingBrace},
		{Class: languages.Syntax, Name: "misspelled-keyword", Weight: 0.3, Apply: misspellKeyword},
		{Class: languages.Name, Name: "misspelled-parameter", Weight: 0.45, Apply: misspellParameter},
		{Class: languages.Name, Name: "python-len", Weight: 0.3, Apply: pythonLen},
		{Class: languages.Name, Name: "undefined-helper", Weight: 0.25, Apply: undefinedHelper},
		{Class: languages.Assertion, Name: "wrong-return", Weight: 0.6, Apply: wrongReturn},
		{Class: languages.Assertion, Name: "flipped-comparison", Weight: 0.2, Apply: flipComparison},
		{Class: languages.Assertion, Name: "off-by-one-constant", Weight: 0.2, Apply: offByOneConstant},
		{Class: languages.Type, Name: "const-reassigned", Weight: 0.5, Apply: constReassigned},
		{Class: languages.Type, Name: "bigint-mix", Weight: 0.3, Apply: bigintMix},
		{Class: languages.Type, Name: "destructure-number", Weight: 0.2, Apply: destructureNumber},
		{Class: languages.Index, Name: "read-past-end", Weight: 0.6, Apply: readPastEnd},
		{Class: languages.Index, Name: "loop-past-end", Weight: 0.4, Apply: loopPastEnd},
		{Class: languages.Timeout, Name: "stuck-loop", Weight: 0.6, Apply: stuckLoop},
		{Class: languages.Timeout, Name: "counter-never-advances", Weight: 0.4, Apply: dropIncrement},
	}
}

// mutation is the state of one mutator run.
type mutation struct {
	e      *reading
	rng    *rand.Rand
	lines  []string         // the reference, edited in place
	insert map[int][]string // new lines to insert before a line
	fresh  map[string]bool  // names introduced by this mutation
}

// Mutate returns the reference with a fault of class c, or ok false when
// no mutator of that class applies to this task.
func (e *reading) Mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if e.name == "" {
		return "", "", false
	}
	return languages.Mutate(rng, mutators(), c, func(apply func(*mutation) bool) (string, bool) {
		m := &mutation{e: e, rng: rng, lines: append([]string(nil), e.lines...), insert: map[int][]string{}, fresh: map[string]bool{}}
		if !apply(m) {
			return "", false
		}
		return m.text(), true
	})
}

func (m *mutation) text() string {
	out := languages.Insert(m.lines, m.insert)
	return strings.Join(out, "\n") + "\n"
}

// pick returns a random element of ks; ok is false when ks is empty.
func pick(rng *rand.Rand, ks []int) (int, bool) {
	if len(ks) == 0 {
		return 0, false
	}
	return ks[rng.IntN(len(ks))], true
}

// ownLines lists the lines of the function itself (not of a nested
// function, nor the closing brace) that hold code.
func (m *mutation) ownLines() []int {
	var out []int
	for i := range m.e.lines[:len(m.e.lines)-1] {
		if m.e.own[i] && strings.TrimSpace(m.e.masked[i]) != "" {
			out = append(out, i)
		}
	}
	return out
}

// topLines lists the lines of statements that run on every call, up to
// the first return, break-free: depth 1, in the function itself.
func (m *mutation) topLines() []int {
	var out []int
	for _, i := range m.ownLines() {
		if m.e.depth[i] != 1 || continuation(m.e.masked, i) {
			continue
		}
		out = append(out, i)
		if t := strings.TrimSpace(m.e.masked[i]); strings.HasPrefix(t, "return") || strings.HasPrefix(t, "throw") {
			break
		}
	}
	return out
}

// continuation reports whether line i continues the statement of the line
// before it.
func continuation(masked []string, i int) bool {
	if i == 0 {
		return false
	}
	return continues(masked[i-1], masked[i])
}

// newName returns the first candidate that is not a keyword, a global or a
// name the program already uses.
func (m *mutation) newName(cands ...string) (string, bool) {
	for _, c := range cands {
		if c != "" && !isKeyword(c) && !isGlobal(c) && !m.e.taken[c] && !m.fresh[c] {
			m.fresh[c] = true
			return c, true
		}
	}
	return "", false
}

// insertFirst inserts lines (without indentation) as the first statements
// of the body.
func (m *mutation) insertFirst(lines ...string) {
	for _, l := range lines {
		m.insert[0] = append(m.insert[0], m.e.indent+l)
	}
}

// param returns a parameter whose kind ok accepts.
func (m *mutation) param(ok func(kind) bool) (string, kind, bool) {
	var cands []int
	for i, p := range m.e.params {
		if ok(m.e.paramKinds[i]) && m.reads(p) {
			cands = append(cands, i)
		}
	}
	i, found := pick(m.rng, cands)
	if !found {
		return "", kindUnknown, false
	}
	return m.e.params[i], m.e.paramKinds[i], true
}

// reads reports whether the body uses name at all (a parameter it ignores
// may be shadowed, or be anything).
func (m *mutation) reads(name string) bool {
	for _, ml := range m.e.masked {
		for _, sp := range identifiers(ml) {
			if ml[sp[0]:sp[1]] == name {
				return true
			}
		}
	}
	return false
}

// ---- syntax ----

// unclosedParen removes the last closing parenthesis of a line whose
// parentheses balance.
func unclosedParen(m *mutation) bool {
	var cands []int
	for i, ml := range m.e.masked {
		if n := strings.Count(ml, ")"); n > 0 && n == strings.Count(ml, "(") {
			cands = append(cands, i)
		}
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndexByte(m.e.masked[i], ')')
	m.lines[i] = m.lines[i][:j] + m.lines[i][j+1:]
	return true
}

// missingBrace drops a line that only closes an inner block (the
// function's own closing brace stays, so the answer still looks closed).
func missingBrace(m *mutation) bool {
	var cands []int
	for i, ml := range m.e.masked[:len(m.e.masked)-1] {
		if t := strings.TrimSpace(ml); (t == "}" || t == "};") && m.e.depth[i] > 1 {
			cands = append(cands, i)
		}
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.lines[i] = ""
	return true
}

// keywordTypo is how a model misspells a keyword, "" for one it does not.
func keywordTypo(w string) string {
	switch w {
	case "return":
		return "retrun"
	case "const":
		return "cosnt"
	case "let":
		return "lte"
	case "else":
		return "esle"
	}
	return ""
}

// misspellKeyword misspells return (before a name, a number or a string,
// so that two expressions meet), const or let.
func misspellKeyword(m *mutation) bool {
	type site struct{ line, at int }
	var cands []site
	for i, ml := range m.e.masked {
		for _, sp := range identifiers(ml) {
			w := ml[sp[0]:sp[1]]
			if keywordTypo(w) == "" || sp[0] > 0 && ml[sp[0]-1] == '.' {
				continue
			}
			rest := strings.TrimLeft(ml[sp[1]:], " \t")
			switch w {
			case "return":
				if rest == "" || !(isIdentByte(rest[0], true) || rest[0] == '\'' || rest[0] == '"') || strings.HasPrefix(rest, "in ") || strings.HasPrefix(rest, "instanceof ") {
					continue
				}
			case "const", "let":
				if identAt(rest, 0) == "" {
					continue
				}
			case "else":
				if !strings.HasPrefix(rest, "{") {
					continue
				}
			}
			cands = append(cands, site{i, sp[0]})
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	l := m.lines[s.line]
	w := identAt(m.e.masked[s.line], s.at)
	m.lines[s.line] = l[:s.at] + keywordTypo(w) + l[s.at+len(w):]
	return true
}

// ---- name ----

// isRead reports whether the identifier at sp in masked line ml is read
// there (not a property, an object key, a declaration or an assignment's
// target).
func isRead(ml string, sp [2]int) bool {
	before := strings.TrimRight(ml[:sp[0]], " \t")
	if strings.HasSuffix(before, ".") && !strings.HasSuffix(before, "...") {
		return false
	}
	for _, kw := range []string{"const", "let", "var", "function", "class"} {
		if strings.HasSuffix(before, kw) && (len(before) == len(kw) || !isIdentByte(before[len(before)-len(kw)-1], true)) {
			return false
		}
	}
	after := strings.TrimLeft(ml[sp[1]:], " \t")
	switch {
	case strings.HasPrefix(after, "=>"):
		return false
	case strings.HasPrefix(after, "=") && !strings.HasPrefix(after, "=="):
		return false
	case strings.HasPrefix(after, ":") && !strings.Contains(before, "?"):
		return false
	}
	return true
}

// misspellParameter misspells a parameter where the function first reads
// it, in a statement that runs on every call.
func misspellParameter(m *mutation) bool {
	params := map[string]bool{}
	for _, p := range m.e.params {
		params[p] = true
	}
	for _, i := range m.topLines() {
		ml := m.e.masked[i]
		for _, sp := range identifiers(ml) {
			name := ml[sp[0]:sp[1]]
			if !params[name] || !isRead(ml, sp) {
				continue
			}
			bad, ok := m.newName(misspellings(name)...)
			if !ok {
				return false
			}
			m.lines[i] = m.lines[i][:sp[0]] + bad + m.lines[i][sp[1]:]
			return true
		}
	}
	return false
}

// misspellings are names a model plausibly writes instead of name.
func misspellings(name string) []string {
	var out []string
	if strings.HasSuffix(name, "s") && len(name) > 2 {
		out = append(out, strings.TrimSuffix(name, "s"))
	} else {
		out = append(out, name+"s")
	}
	if len(name) >= 4 {
		b := []byte(name)
		i := len(b) / 2
		b[i-1], b[i] = b[i], b[i-1]
		out = append(out, string(b))
	}
	return append(out, name+"List", name+"1", "input"+strings.ToUpper(name[:1])+name[1:])
}

var lengthRE = regexp.MustCompile(`([A-Za-z_$][\w$]*)\.length\b`)

// pythonLen writes Python's len(xs) for xs.length, where the function
// first reads a length in a statement that runs on every call.
func pythonLen(m *mutation) bool {
	if m.e.taken["len"] {
		return false
	}
	for _, i := range m.topLines() {
		ml := m.e.masked[i]
		loc := lengthRE.FindStringSubmatchIndex(ml)
		if loc == nil || loc[0] > 0 && (ml[loc[0]-1] == '.' || isIdentByte(ml[loc[0]-1], true)) {
			continue
		}
		l := m.lines[i]
		m.lines[i] = l[:loc[0]] + "len(" + l[loc[2]:loc[3]] + ")" + l[loc[1]:]
		return true
	}
	return false
}

// undefinedHelper makes the function first pass a parameter through a
// helper it never defines.
func undefinedHelper(m *mutation) bool {
	p, _, ok := m.param(func(kind) bool { return true })
	if !ok {
		return false
	}
	helper, ok := m.newName("validateInput", "normalizeInput", "preprocess", "cleanInput", "parseInput")
	if !ok {
		return false
	}
	m.insertFirst(p + " = " + helper + "(" + p + ");")
	return true
}

// ---- assertion ----

// span is where an own return statement's value is: from line, col to
// endLine, endCol (exclusive), in the reference's lines.
type span struct{ line, col, endLine, endCol int }

// returns lists the own return statements with a value (which may run
// over several lines); ok is false when there is none.
func (m *mutation) returns() (rets []span, ok bool) {
	text := strings.Join(m.e.masked, "\n")
	starts := lineStarts(text)
	for _, i := range m.ownLines() {
		ml := m.e.masked[i]
		for _, sp := range identifiers(ml) {
			if ml[sp[0]:sp[1]] != "return" || sp[0] > 0 && ml[sp[0]-1] == '.' {
				continue
			}
			if before := ml[:sp[0]]; braceDepth(before) > 0 || strings.Contains(before, "=>") || strings.Contains(before, "function") {
				continue // a nested function's, on the same line
			}
			start := sp[1]
			for start < len(ml) && (ml[start] == ' ' || ml[start] == '\t') {
				start++
			}
			if start == len(ml) || ml[start] == ';' || ml[start] == '}' {
				continue // a bare return
			}
			off := starts[i] + start
			end := off + len(strings.TrimRight(text[off:statementEnd(text, off)], " \t\n;"))
			if end <= off {
				continue
			}
			el := i
			for el+1 < len(starts) && starts[el+1] <= end {
				el++
			}
			rets = append(rets, span{i, start, el, end - starts[el]})
		}
	}
	return rets, len(rets) > 0
}

// rewriteReturns wraps the value of every own return: pre + value + post.
func (m *mutation) rewriteReturns(pre, post string) bool {
	rets, ok := m.returns()
	if !ok {
		return false
	}
	for k := len(rets) - 1; k >= 0; k-- {
		r := rets[k]
		l := m.lines[r.endLine]
		m.lines[r.endLine] = l[:r.endCol] + post + l[r.endCol:]
		l = m.lines[r.line]
		m.lines[r.line] = l[:r.col] + pre + l[r.col:]
	}
	return true
}

// wrongReturn makes every return give a wrong value.
func wrongReturn(m *mutation) bool {
	switch m.e.retKind {
	case kindBool:
		return m.rewriteReturns("!(", ")")
	case kindArray:
		// Drop the first element (of a copy: the input may be returned).
		return m.rewriteReturns("[].concat(", ").slice(1)")
	case kindNumber, kindString, kindUnknown, kindNull:
		// A different number, or a longer string.
		return m.rewriteReturns("(", ") + 1")
	}
	return false
}

// comparisons finds the comparison operators in a masked line: positions
// and lengths.
func comparisons(ml string) [][2]int {
	var out [][2]int
	for i := 0; i < len(ml); i++ {
		c := ml[i]
		next, prev := byte(0), byte(0)
		if i+1 < len(ml) {
			next = ml[i+1]
		}
		if i > 0 {
			prev = ml[i-1]
		}
		switch {
		case (c == '=' || c == '!') && next == '=' && prev != '=' && prev != '<' && prev != '>' && prev != '!':
			n := 2
			if i+2 < len(ml) && ml[i+2] == '=' {
				n = 3
			}
			out = append(out, [2]int{i, n})
			i += n - 1
		case (c == '<' || c == '>') && next == '=' && prev != c:
			out = append(out, [2]int{i, 2})
			i++
		case (c == '<' || c == '>') && next != c && prev != c && prev != '=' && next != '=':
			out = append(out, [2]int{i, 1})
		}
	}
	return out
}

// flipComparison negates a comparison in an if condition or a return.
func flipComparison(m *mutation) bool {
	type site struct{ line, at, n int }
	var cands []site
	for _, i := range m.ownLines() {
		ml := m.e.masked[i]
		t := strings.TrimSpace(ml)
		if !strings.HasPrefix(t, "if ") && !strings.HasPrefix(t, "if(") && !strings.HasPrefix(t, "return ") && !strings.HasPrefix(t, "} else if") {
			continue
		}
		for _, c := range comparisons(ml) {
			cands = append(cands, site{i, c[0], c[1]})
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + languages.Negate(l[s.at:s.at+s.n]) + l[s.at+s.n:]
	return true
}

// offByOneConstant moves an integer constant in a condition, a loop or a
// return by one.
func offByOneConstant(m *mutation) bool {
	type site struct{ line, a, b int }
	var cands []site
	for _, i := range m.ownLines() {
		ml := m.e.masked[i]
		t := strings.TrimSpace(ml)
		if !strings.HasPrefix(t, "if") && !strings.HasPrefix(t, "for") && !strings.HasPrefix(t, "while") && !strings.HasPrefix(t, "return ") {
			continue
		}
		for _, sp := range languages.IntLiterals(ml, func(c byte) bool { return isIdentByte(c, true) }) {
			cands = append(cands, site{i, sp[0], sp[1]})
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	l := m.lines[s.line]
	n, err := strconv.Atoi(l[s.a:s.b])
	if err != nil {
		return false
	}
	n = languages.OffByOne(n, m.rng)
	m.lines[s.line] = l[:s.a] + strconv.Itoa(n) + l[s.b:]
	return true
}

// ---- type ----

var assignOpRE = regexp.MustCompile(`^\s*(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=[^=>]|^\s*(?:\+\+|--)`)

// constReassigned declares with const a variable that the function later
// assigns to (a for loop's counter, an accumulator): node's "Assignment to
// constant variable".
func constReassigned(m *mutation) bool {
	type site struct{ line, at int }
	var cands []site
	for _, i := range m.ownLines() {
		ml := m.e.masked[i]
		for _, sp := range identifiers(ml) {
			if ml[sp[0]:sp[1]] != "let" {
				continue
			}
			rest := ml[sp[1]:]
			name := identAt(strings.TrimLeft(rest, " \t"), 0)
			after := strings.TrimLeft(strings.TrimLeft(rest, " \t")[len(name):], " \t")
			if name == "" || !strings.HasPrefix(after, "=") || strings.HasPrefix(after, "==") {
				continue // let without a value cannot be const
			}
			if strings.Contains(after, ",") && !strings.Contains(ml[:sp[0]], "for") {
				continue // let a = 1, b: the others are declared too
			}
			if m.assignedLater(name, i, sp[1]) {
				cands = append(cands, site{i, sp[0]})
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + "const" + l[s.at+len("let"):]
	return true
}

// assignedLater reports whether name is assigned to (or incremented) after
// its declaration at line i, offset from, in a line of the function
// itself.
func (m *mutation) assignedLater(name string, line, from int) bool {
	for i := line; i < len(m.e.masked); i++ {
		ml := m.e.masked[i]
		start := 0
		if i == line {
			start = from + 1
		}
		for _, sp := range identifiers(ml) {
			if sp[0] < start || ml[sp[0]:sp[1]] != name || sp[0] > 0 && ml[sp[0]-1] == '.' {
				continue
			}
			before := strings.TrimRight(ml[:sp[0]], " \t")
			if strings.HasSuffix(before, "let") || strings.HasSuffix(before, "const") || strings.HasSuffix(before, "var") {
				return false // declared again: another variable
			}
			if assignOpRE.MatchString(ml[sp[1]:]) || strings.HasSuffix(before, "++") || strings.HasSuffix(before, "--") {
				return true
			}
		}
	}
	return false
}

// bigintMix makes the function first subtract a BigInt from a parameter:
// node's "Cannot mix BigInt and other types".
func bigintMix(m *mutation) bool {
	p, _, ok := m.param(func(kind) bool { return true })
	if !ok {
		return false
	}
	v, ok := m.newName("offset", "delta", "shift", "step")
	if !ok {
		return false
	}
	m.insertFirst("const " + v + " = " + p + " - 1n;")
	return true
}

// destructureNumber makes the function destructure a number parameter as
// if it were an array: "is not iterable".
func destructureNumber(m *mutation) bool {
	p, _, ok := m.param(func(k kind) bool { return k == kindNumber || k == kindBool })
	if !ok {
		return false
	}
	v, ok := m.newName("first", "head", "lead")
	if !ok {
		return false
	}
	m.insertFirst("const [" + v + "] = " + p + ";")
	return true
}

// ---- index ----

// readPastEnd makes the function first call a method of the element at
// xs.length: undefined, as every read past the end is.
func readPastEnd(m *mutation) bool {
	p, k, ok := m.param(kind.sequence)
	if !ok {
		return false
	}
	v, ok := m.newName("last", "lastItem", "final", "tail")
	if !ok {
		return false
	}
	method := "toString"
	if k == kindString {
		method = "toLowerCase"
	}
	m.insertFirst("const " + v + " = " + p + "[" + p + ".length]." + method + "();")
	return true
}

var forLengthRE = regexp.MustCompile(`^\s*for\s*\(\s*(?:let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*0\s*;\s*([A-Za-z_$][\w$]*)\s*<\s*([A-Za-z_$][\w$]*)\.length\s*;`)

// loopPastEnd makes a `for (let i = 0; i < xs.length; ...)` loop whose body
// reads a property or an element of xs[i] run one step past the end.
func loopPastEnd(m *mutation) bool {
	type site struct{ line, at int }
	var cands []site
	for _, i := range m.ownLines() {
		ml := m.e.masked[i]
		g := forLengthRE.FindStringSubmatchIndex(ml)
		if g == nil || ml[g[2]:g[3]] != ml[g[4]:g[5]] {
			continue
		}
		idx, seq := ml[g[2]:g[3]], ml[g[6]:g[7]]
		if m.derefsInLoop(i, seq+"["+idx+"]") {
			cands = append(cands, site{i, strings.Index(ml[g[4]:], "<") + g[4]})
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + "<=" + l[s.at+1:]
	return true
}

// derefsInLoop reports whether the loop opening at line i reads a property
// or an element of elem in its body, with no way out before the extra
// step (break, return, throw).
func (m *mutation) derefsInLoop(i int, elem string) bool {
	d := m.e.depth[i]
	found := false
	for j := i; j < len(m.e.masked); j++ {
		if j > i && m.e.depth[j] <= d && !strings.HasPrefix(strings.TrimSpace(m.e.masked[j]), "}") {
			break
		}
		ml := m.e.masked[j]
		for _, w := range []string{"break", "return", "throw", "continue"} {
			for _, sp := range identifiers(ml) {
				if ml[sp[0]:sp[1]] == w {
					return false
				}
			}
		}
		for from := 0; ; {
			k := strings.Index(ml[from:], elem)
			if k < 0 {
				break
			}
			k += from
			after := ml[k+len(elem):]
			if (k == 0 || !isIdentByte(ml[k-1], true)) && (strings.HasPrefix(after, ".") || strings.HasPrefix(after, "[")) {
				found = true
			}
			from = k + len(elem)
		}
		if j > i && m.e.depth[j] <= d {
			break
		}
	}
	return found
}

// ---- timeout ----

// stuckLoop makes the function first run a loop whose counter never
// advances (`i + 1;` written for `i += 1;`).
func stuckLoop(m *mutation) bool {
	v, ok := m.newName("i", "idx", "step", "attempts", "count")
	if !ok {
		return false
	}
	bound := strconv.Itoa(3 + m.rng.IntN(8))
	m.insertFirst("let "+v+" = 0;", "while ("+v+" < "+bound+") {", "  "+v+" + 1;", "}")
	return true
}

var forIncRE = regexp.MustCompile(`^(\s*for\s*\(\s*let\s+([A-Za-z_$][\w$]*)\s*=[^;]*;[^;]*;)\s*(?:[A-Za-z_$][\w$]*\s*(?:\+\+|--|[-+]=\s*\d+)|(?:\+\+|--)\s*[A-Za-z_$][\w$]*)\s*\)`)

// dropIncrement removes the step of a for loop whose body cannot leave it
// (no break, return or throw) and does not change its counter.
func dropIncrement(m *mutation) bool {
	var cands []int
	for _, i := range m.ownLines() {
		ml := m.e.masked[i]
		g := forIncRE.FindStringSubmatchIndex(ml)
		if g == nil {
			continue
		}
		if m.loopExits(i, ml[g[4]:g[5]]) {
			continue
		}
		cands = append(cands, i)
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	g := forIncRE.FindStringSubmatchIndex(m.e.masked[i])
	l := m.lines[i]
	m.lines[i] = l[:g[3]] + " )" + l[g[1]:]
	return true
}

// loopExits reports whether the body of the loop at line i may leave it
// or assign its counter.
func (m *mutation) loopExits(i int, counter string) bool {
	d := m.e.depth[i]
	for j := i + 1; j < len(m.e.masked) && m.e.depth[j] > d; j++ {
		ml := m.e.masked[j]
		for _, sp := range identifiers(ml) {
			switch w := ml[sp[0]:sp[1]]; {
			case w == "break" || w == "return" || w == "throw":
				return true
			case w == counter && (assignOpRE.MatchString(ml[sp[1]:]) || strings.HasSuffix(strings.TrimRight(ml[:sp[0]], " \t"), "++") || strings.HasSuffix(strings.TrimRight(ml[:sp[0]], " \t"), "--")):
				return true
			}
		}
	}
	// A one-line body.
	if m.e.depth[min(i+1, len(m.e.depth)-1)] <= d {
		return true
	}
	return false
}

// ---- names ----

func isKeyword(s string) bool {
	switch s {
	case "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
		"export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new",
		"null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
		"with", "yield", "let", "static", "enum", "await", "implements", "package", "protected", "interface",
		"private", "public", "async", "of", "get", "set", "undefined", "arguments", "eval":
		return true
	}
	return false
}

// isGlobal reports whether s names a global of node (which a misspelling
// must not hit, or it would not be undefined).
func isGlobal(s string) bool {
	switch s {
	case "Array", "ArrayBuffer", "BigInt", "Boolean", "Buffer", "DataView", "Date", "Error", "EvalError",
		"Function", "Infinity", "Intl", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy",
		"RangeError", "ReferenceError", "Reflect", "RegExp", "Set", "String", "Symbol", "SyntaxError",
		"TypeError", "URIError", "URL", "WeakMap", "WeakSet", "atob", "btoa", "clearInterval", "clearTimeout",
		"console", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "exports",
		"fetch", "global", "globalThis", "isFinite", "isNaN", "module", "parseFloat", "parseInt", "performance",
		"process", "queueMicrotask", "require", "setImmediate", "setInterval", "setTimeout", "structuredClone",
		"unescape", "__dirname", "__filename", "crypto", "navigator", "name", "length", "event", "self":
		return true
	}
	return false
}
