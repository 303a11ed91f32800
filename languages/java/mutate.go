package java

import (
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// The mutators turn a reference completion into the kind of wrong answer a
// code model gives, each aimed at one error class, written so that the
// program really fails with that class when its tests run;
// TestMutationRealism measures how often it does. They edit the
// completion's text (the body of the open method, then the braces closing
// it and class Solution), found with the masking scanner.

// mutator is one way of making a faulty variant.
type mutator = languages.Mutator[*mutation]

// mutators is the table of mutators, by class.
func mutators() []mutator {
	return []mutator{
		{Class: languages.Syntax, Name: "missing-semicolon", Weight: 0.5, Apply: dropSemicolon},
		{Class: languages.Syntax, Name: "unclosed-paren", Weight: 0.3, Apply: unclosedParen},
		{Class: languages.Syntax, Name: "python-elif", Weight: 0.2, Apply: pythonElif},
		{Class: languages.Name, Name: "misspelled-variable", Weight: 0.5, Apply: misspellVariable},
		{Class: languages.Name, Name: "undefined-helper", Weight: 0.2, Apply: undefinedHelper},
		{Class: languages.Name, Name: "wrong-method-name", Weight: 0.3, Apply: wrongMethodName},
		{Class: languages.Assertion, Name: "wrong-return", Weight: 0.6, Apply: wrongReturn},
		{Class: languages.Assertion, Name: "flipped-comparison", Weight: 0.2, Apply: flipComparison},
		{Class: languages.Assertion, Name: "off-by-one-constant", Weight: 0.2, Apply: offByOneConstant},
		{Class: languages.Type, Name: "wrong-return-type", Weight: 0.5, Apply: returnTypeError},
		{Class: languages.Type, Name: "wrong-variable-type", Weight: 0.5, Apply: assignTypeError},
		{Class: languages.Index, Name: "loop-past-end", Weight: 0.4, Apply: loopPastEnd},
		{Class: languages.Index, Name: "index-at-length", Weight: 0.6, Apply: indexAtLength},
		{Class: languages.Timeout, Name: "for-without-update", Weight: 0.3, Apply: dropForUpdate},
		{Class: languages.Timeout, Name: "while-without-increment", Weight: 0.2, Apply: dropWhileIncrement},
		{Class: languages.Timeout, Name: "stuck-loop", Weight: 0.5, Apply: stuckLoop},
	}
}

// mutation is the state of one mutator run on the reference completion.
type mutation struct {
	e   *reading
	rng *rand.Rand
	src string // the reference
	m   string // its mask
	// base is the brace depth of the method's body in the program; depth
	// holds the depth before each byte of src, counted so.
	base  int
	depth []int
	end   int // the brace closing the method
	edits []edit
	fresh map[string]bool
}

// edit replaces src[from:to] with text.
type edit struct {
	from, to int
	text     string
}

// Mutate returns the reference with a fault of class c, or ok false when
// no mutator of that class applies to this task.
func (e *reading) Mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if !e.ok {
		return "", "", false
	}
	return languages.Mutate(rng, mutators(), c, func(apply func(*mutation) bool) (string, bool) {
		m := e.newMutation(rng)
		if m == nil || !apply(m) {
			return "", false
		}
		return m.text(), true
	})
}

func (e *reading) newMutation(rng *rand.Rand) *mutation {
	src := e.task.Reference
	m := mask(src)
	base := e.st.depth + 1
	ds := depths(m)
	end := -1
	for i := range m {
		if m[i] == '}' && ds[i]+base == base {
			end = i
			break
		}
	}
	if end < 0 {
		return nil
	}
	for i := range ds {
		ds[i] += base
	}
	return &mutation{e: e, rng: rng, src: src, m: m, base: base, depth: ds, end: end, fresh: map[string]bool{}}
}

func (m *mutation) text() string {
	sort.Slice(m.edits, func(i, j int) bool { return m.edits[i].from > m.edits[j].from })
	s := m.src
	for _, ed := range m.edits {
		s = s[:ed.from] + ed.text + s[ed.to:]
	}
	return s
}

func (m *mutation) replace(from, to int, text string) {
	m.edits = append(m.edits, edit{from, to, text})
}

// inBody reports whether byte i is inside the method's body.
func (m *mutation) inBody(i int) bool { return i < m.end }

// bodyIndent is the indentation of the body's first statement.
func (m *mutation) bodyIndent() string {
	for _, l := range strings.Split(m.src[:m.end], "\n") {
		if strings.TrimSpace(l) != "" {
			return l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		}
	}
	return m.e.indent + "    "
}

// insertFirst puts lines (without indentation) before the body's first
// statement.
func (m *mutation) insertFirst(lines ...string) {
	at := 0
	for at < m.end && (m.src[at] == '\n' || strings.TrimSpace(m.src[at:lineEnd(m.src, at)]) == "") {
		at = lineEnd(m.src, at)
	}
	ind := m.bodyIndent()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(ind + l + "\n")
	}
	m.replace(at, at, b.String())
}

// newName returns the first candidate that is no keyword and no
// identifier of the program.
func (m *mutation) newName(cands ...string) (string, bool) {
	for _, c := range cands {
		if c != "" && !keyword(c) && !m.e.taken[c] && !m.fresh[c] {
			m.fresh[c] = true
			return c, true
		}
	}
	return "", false
}

// pick returns a random element of xs; ok is false when xs is empty.
func pick[T any](rng *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rng.IntN(len(xs))], true
}

// lines returns the [start, end) spans of the body's lines (end before the
// newline).
func (m *mutation) lines() [][2]int {
	var out [][2]int
	for at := 0; at < m.end; {
		e := lineEnd(m.src, at)
		stop := e
		if stop > 0 && m.src[stop-1] == '\n' {
			stop--
		}
		out = append(out, [2]int{at, min(stop, m.end)})
		at = e
	}
	return out
}

// parenDepth returns the depth of parentheses before byte i of the masked
// source, counted from the start of its line's statement (a for header
// keeps its semicolons inside parentheses).
func parenDepth(m string, i int) int {
	d := 0
	for k := lineStart(m, i); k < i; k++ {
		switch m[k] {
		case '(':
			d++
		case ')':
			d--
		}
	}
	return d
}

// braceKinds reports for each '{' of the masked reference whether it
// opens the body of a lambda or an anonymous class (whose returns are not
// the method's).
func braceKinds(m string) map[int]bool {
	inner := map[int]bool{}
	for i := 0; i < len(m); i++ {
		if m[i] != '{' {
			continue
		}
		prev, at := prevToken(m, i)
		switch {
		case prev == ">" && at > 0 && m[at-1] == '-':
			inner[i] = true
		case prev == ")":
			open := openingParen(m, at)
			if open <= 0 {
				continue
			}
			j := open
			if t, ti := prevToken(m, j); t == ">" {
				j = ti
				for j > 0 && m[j] != '<' {
					j--
				}
			}
			name, ni := prevToken(m, j)
			if name == "" || !isIdentStart(name[0]) {
				continue
			}
			if kw, _ := prevToken(m, ni); kw == "new" {
				inner[i] = true
			}
		}
	}
	return inner
}

// own reports whether byte i belongs to the method itself: not inside a
// lambda's or an anonymous class's body.
func (m *mutation) own(i int, inner map[int]bool) bool {
	var stack []bool
	for k := 0; k < i; k++ {
		switch m.m[k] {
		case '{':
			stack = append(stack, inner[k])
		case '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	for _, in := range stack {
		if in {
			return false
		}
	}
	return true
}

// returns lists the method's own return statements with a value: the
// [start, end) of the value (up to the semicolon).
func (m *mutation) returns() [][2]int {
	inner := braceKinds(m.m)
	var out [][2]int
	for _, sp := range identifiers(m.m[:m.end]) {
		if m.m[sp[0]:sp[1]] != "return" || !m.own(sp[0], inner) {
			continue
		}
		from := nextNonSpace(m.m, sp[1])
		end := statementEnd(m.m, from)
		if end < 0 || end <= from {
			continue
		}
		out = append(out, [2]int{from, end})
	}
	return out
}

// statementEnd returns the index of the semicolon ending the expression
// that starts at i (outside brackets), or -1.
func statementEnd(m string, i int) int {
	depth := 0
	for k := i; k < len(m); k++ {
		switch m[k] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth < 0 {
				return -1
			}
		case ';':
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// ---- syntax ----

// dropSemicolon removes the semicolon ending a statement's line.
func dropSemicolon(m *mutation) bool {
	var cands []int
	for _, l := range m.lines() {
		t := strings.TrimRight(m.m[l[0]:l[1]], " \t")
		if strings.HasSuffix(t, ";") {
			at := l[0] + len(t) - 1
			if parenDepth(m.m, at) == 0 {
				cands = append(cands, at)
			}
		}
	}
	at, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(at, at+1, "")
	return true
}

// unclosedParen removes the last closing parenthesis of a line whose
// parentheses balance.
func unclosedParen(m *mutation) bool {
	var cands []int
	for _, l := range m.lines() {
		t := m.m[l[0]:l[1]]
		if !strings.Contains(t, ")") || strings.Count(t, "(") != strings.Count(t, ")") || parenDepth(m.m, l[0]) != 0 {
			continue
		}
		cands = append(cands, l[0]+strings.LastIndexByte(t, ')'))
	}
	at, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(at, at+1, "")
	return true
}

// elseIf finds "else if" in a masked source.
var elseIf = regexp.MustCompile(`\belse\s+if\b`)

// pythonElif writes Python's elif for an "else if".
func pythonElif(m *mutation) bool {
	locs := elseIf.FindAllStringIndex(m.m[:m.end], -1)
	loc, ok := pick(m.rng, locs)
	if !ok {
		return false
	}
	m.replace(loc[0], loc[1], "elif")
	return true
}

// ---- name ----

// declared lists the parameters and the local variables the body declares
// (a name after a type, before '=', ';', ',' or a for-each ':'), with
// where each is declared (-1 for a parameter).
func (m *mutation) declared() map[string]int {
	out := map[string]int{}
	for _, p := range m.e.params {
		out[p.name] = -1
	}
	for _, sp := range identifiers(m.m[:m.end]) {
		name := m.m[sp[0]:sp[1]]
		if keyword(name) {
			continue
		}
		prev, _ := prevToken(m.m, sp[0])
		if !(prev == ">" || prev == "]" || prev != "" && isIdentStart(prev[0]) && (!keyword(prev) || primitive(prev) || prev == "var")) {
			continue
		}
		next, ni := nextToken(m.m, sp[1])
		switch {
		case next == "=" && !strings.HasPrefix(m.m[ni:], "=="), next == ";", next == ",", next == ":" && !strings.HasPrefix(m.m[ni:], "::"):
			if _, ok := out[name]; !ok {
				out[name] = sp[0]
			}
		}
	}
	return out
}

// misspellings are names a model plausibly writes instead of name.
func misspellings(name string) []string {
	var out []string
	if strings.Contains(name, "_") {
		parts := strings.Split(name, "_")
		camel := parts[0]
		for _, p := range parts[1:] {
			if p != "" {
				camel += strings.ToUpper(p[:1]) + p[1:]
			}
		}
		out = append(out, camel)
	} else if i := strings.IndexFunc(name, func(r rune) bool { return r >= 'A' && r <= 'Z' }); i > 0 {
		out = append(out, name[:i]+"_"+strings.ToLower(name[i:i+1])+name[i+1:])
	}
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
	return append(out, name+"1", name+"List", "input"+strings.ToUpper(name[:1])+name[1:])
}

// misspellVariable misspells a read of a parameter or local variable.
func misspellVariable(m *mutation) bool {
	decl := m.declared()
	var cands [][2]int
	for _, sp := range identifiers(m.m[:m.end]) {
		name := m.m[sp[0]:sp[1]]
		at, ok := decl[name]
		if !ok || at == sp[0] || sp[0] < at {
			continue
		}
		if prev, _ := prevToken(m.m, sp[0]); prev == "." {
			continue
		}
		if next, _ := nextToken(m.m, sp[1]); next == "(" {
			continue
		}
		cands = append(cands, sp)
	}
	sp, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	bad, ok := m.newName(misspellings(m.m[sp[0]:sp[1]])...)
	if !ok {
		return false
	}
	m.replace(sp[0], sp[1], bad)
	return true
}

// undefinedHelper makes the method first pass a parameter through a
// helper it never defines.
func undefinedHelper(m *mutation) bool {
	p, ok := pick(m.rng, m.e.params)
	if !ok {
		return false
	}
	helper, ok := m.newName("validateInput", "normalize", "preprocess", "sanitizeInput", "parseInput")
	if !ok {
		return false
	}
	m.insertFirst(p.name + " = " + helper + "(" + p.name + ");")
	return true
}

// methodSwaps are JDK calls and the names a model writes for them, that
// no JDK type of the receiver has (a List has no length(), a String no
// size()).
func methodSwaps() []struct{ from, to string } {
	return []struct{ from, to string }{
		{".size()", ".length()"},
		{".length()", ".size()"},
		{".isEmpty()", ".empty()"},
		{".equals(", ".equal("},
		{".toCharArray()", ".toChars()"},
		{".charAt(", ".getChar("},
		{".substring(", ".substr("},
		{".toUpperCase()", ".upper()"},
		{".toLowerCase()", ".lower()"},
		{".add(", ".append("},
		{".append(", ".add("},
		{"Math.max(", "Math.maximum("},
		{"Math.min(", "Math.minimum("},
		{"Math.abs(", "Math.absolute("},
		{"Integer.parseInt(", "Integer.parse("},
		{"Collections.sort(", "Collections.order("},
	}
}

// wrongMethodName calls a JDK method by a name it does not have.
func wrongMethodName(m *mutation) bool {
	type site struct {
		at  int
		old string
		to  string
	}
	var cands []site
	body := m.m[:m.end]
	for _, s := range methodSwaps() {
		for i := 0; ; {
			j := strings.Index(body[i:], s.from)
			if j < 0 {
				break
			}
			at := i + j
			if s.from[0] != '.' && at > 0 && (isIdentByte(body[at-1]) || body[at-1] == '.') {
				i = at + 1
				continue
			}
			cands = append(cands, site{at, s.from, s.to})
			i = at + len(s.from)
		}
	}
	// An array's length field: written as a method.
	for _, sp := range identifiers(body) {
		if body[sp[0]:sp[1]] == "length" && sp[0] > 0 && body[sp[0]-1] == '.' {
			if next, _ := nextToken(body, sp[1]); next != "(" {
				cands = append(cands, site{sp[0] - 1, ".length", ".length()"})
			}
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(s.at, s.at+len(s.old), s.to)
	return true
}

// ---- type ----

// kindOf sorts a Java type for the mutators.
func kindOf(typ string) string {
	t := strings.TrimSpace(typ)
	switch t {
	case "int", "long", "short", "byte", "Integer", "Long":
		return "int"
	case "double", "float", "Double", "Float":
		return "float"
	case "boolean", "Boolean":
		return "bool"
	case "String":
		return "string"
	case "char", "Character":
		return "char"
	}
	switch {
	case strings.HasPrefix(t, "List<"), strings.HasPrefix(t, "ArrayList<"):
		return "list"
	case strings.HasPrefix(t, "Map<"), strings.HasPrefix(t, "Set<"):
		return "collection"
	case strings.HasPrefix(t, "Optional<"):
		return "optional"
	case strings.HasSuffix(t, "[]"):
		return "array"
	}
	return ""
}

// returnTypeError makes one return statement give a value of another type.
func returnTypeError(m *mutation) bool {
	var wrap func(string) string
	switch kindOf(m.e.ret) {
	case "int", "float", "char":
		wrap = func(x string) string { return "String.valueOf(" + x + ")" }
	case "bool":
		wrap = func(x string) string { return "(" + x + ") ? 1 : 0" }
	case "string":
		wrap = func(x string) string { return "(" + x + ").length()" }
	case "list", "collection":
		wrap = func(x string) string { return "(" + x + ").size()" }
	case "optional":
		wrap = func(x string) string { return "(" + x + ").isPresent()" }
	default:
		return false
	}
	r, ok := pick(m.rng, m.returns())
	if !ok {
		return false
	}
	m.replace(r[0], r[1], wrap(m.src[r[0]:r[1]]))
	return true
}

// assignTypeError makes the method first store a parameter in a variable
// of a type it cannot convert to.
func assignTypeError(m *mutation) bool {
	p, ok := pick(m.rng, m.e.params)
	if !ok {
		return false
	}
	if kindOf(p.typ) == "string" {
		v, ok := m.newName("count", "number", "value", "n0")
		if !ok {
			return false
		}
		m.insertFirst("int " + v + " = " + p.name + ";")
		return true
	}
	v, ok := m.newName("text", "str", "label", "s0")
	if !ok {
		return false
	}
	m.insertFirst("String " + v + " = " + p.name + ";")
	return true
}

// ---- assertion ----

// wrongReturn makes every return of the method give a wrong value of the
// right type.
func wrongReturn(m *mutation) bool {
	rets := m.returns()
	if len(rets) == 0 {
		return false
	}
	var wrap func(string) string
	switch kindOf(m.e.ret) {
	case "int":
		wrap = func(x string) string { return "(" + x + ") + 1" }
	case "float":
		// Far enough off for tolerant comparisons.
		wrap = func(x string) string { return "(" + x + ") * 1.5 + 1" }
	case "bool":
		wrap = func(x string) string { return "!(" + x + ")" }
	case "string":
		wrap = func(x string) string { return "(" + x + ") + \" \"" }
	case "list":
		// The last element lost: return a copy without it.
		v, ok := m.newName("out", "res", "values", "items")
		if !ok {
			return false
		}
		typ := m.e.ret
		for _, r := range rets {
			x := m.src[r[0]:r[1]]
			stmt := m.src[:r[1]+1]
			start := strings.LastIndex(stmt[:r[0]], "return")
			m.replace(start, r[1]+1, "{ "+typ+" "+v+" = "+x+"; return new ArrayList<>("+v+".subList(0, Math.max(0, "+v+".size() - 1))); }")
		}
		return true
	default:
		return false
	}
	for _, r := range rets {
		m.replace(r[0], r[1], wrap(m.src[r[0]:r[1]]))
	}
	return true
}

// comparison finds a comparison operator written with spaces around it.
var comparison = regexp.MustCompile(` (==|!=|<=|>=|<|>) `)

// conditions lists the [start, end) spans of the method's if conditions
// and returned values.
func (m *mutation) conditions() [][2]int {
	out := m.returns()
	for _, sp := range identifiers(m.m[:m.end]) {
		if m.m[sp[0]:sp[1]] != "if" {
			continue
		}
		p := nextNonSpace(m.m, sp[1])
		if p < len(m.m) && m.m[p] == '(' {
			if e := matching(m.m, p); e > 0 && e < m.end {
				out = append(out, [2]int{p + 1, e})
			}
		}
	}
	return out
}

// flipComparison negates a comparison of a condition or a returned value.
func flipComparison(m *mutation) bool {
	type site struct{ at, n int }
	var cands []site
	for _, c := range m.conditions() {
		for _, loc := range comparison.FindAllStringSubmatchIndex(m.m[c[0]:c[1]], -1) {
			cands = append(cands, site{c[0] + loc[2], loc[3] - loc[2]})
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(s.at, s.at+s.n, languages.Negate(m.src[s.at:s.at+s.n]))
	return true
}

// offByOneConstant moves an integer constant of a condition or a returned
// value by one.
func offByOneConstant(m *mutation) bool {
	var cands [][2]int
	for _, c := range m.conditions() {
		s := m.m[c[0]:c[1]]
		for _, sp := range languages.IntLiterals(s, isIdentByte) {
			cands = append(cands, [2]int{c[0] + sp[0], c[0] + sp[1]})
		}
	}
	sp, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	n, err := strconv.Atoi(m.src[sp[0]:sp[1]])
	if err != nil {
		return false
	}
	n = languages.OffByOne(n, m.rng)
	m.replace(sp[0], sp[1], strconv.Itoa(n))
	return true
}

// ---- index ----

// loopHeader reads a counting for loop's header: "for (int i = 0; i <
// xs.size(); i++)".
var loopHeader = regexp.MustCompile(`\bfor\s*\(\s*int\s+([A-Za-z_]\w*)\s*=[^;]*;\s*([A-Za-z_]\w*)\s*(<)\s*([A-Za-z_]\w*)\.(size\(\)|length\(\)|length)\s*;\s*([A-Za-z_]\w*)\s*(\+\+|\+=\s*1)\s*\)\s*\{`)

// loopBody returns the [open, close] braces of the body of the loop whose
// header match ends (at its '{') at open.
func (m *mutation) loopBody(open int) (int, int, bool) {
	close := matching(m.m, open)
	return open, close, close > 0 && close < m.end
}

// exits reports whether masked code can leave a loop early.
func exits(code string) bool {
	for _, sp := range identifiers(code) {
		switch code[sp[0]:sp[1]] {
		case "break", "return", "continue", "throw", "try":
			return true
		}
	}
	return false
}

// loopPastEnd makes a counting loop that indexes its sequence run one
// step past the end (i <= xs.size()).
func loopPastEnd(m *mutation) bool {
	var cands []int
	for _, loc := range loopHeader.FindAllStringSubmatchIndex(m.m[:m.end], -1) {
		v, cv, seq, kind := m.m[loc[2]:loc[3]], m.m[loc[4]:loc[5]], m.m[loc[8]:loc[9]], m.m[loc[10]:loc[11]]
		if cv != v || m.m[loc[12]:loc[13]] != v {
			continue
		}
		open, close, ok := m.loopBody(loc[1] - 1)
		if !ok || exits(m.m[open:close]) {
			continue
		}
		body := m.m[open:close]
		var use string
		switch kind {
		case "size()":
			use = seq + ".get(" + v + ")"
		case "length()":
			use = seq + ".charAt(" + v + ")"
		default:
			use = seq + "[" + v + "]"
		}
		if strings.Contains(body, use) {
			cands = append(cands, loc[6])
		}
	}
	at, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(at, at+1, "<=")
	return true
}

// indexAtLength makes the method first read the element at the length of
// a sequence parameter.
func indexAtLength(m *mutation) bool {
	var cands []param
	for _, p := range m.e.params {
		switch kindOf(p.typ) {
		case "list", "string", "array":
			cands = append(cands, p)
		}
	}
	p, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	v, ok := m.newName("last", "lastItem", "endItem", "tail")
	if !ok {
		return false
	}
	switch kindOf(p.typ) {
	case "list":
		m.insertFirst("var " + v + " = " + p.name + ".get(" + p.name + ".size());")
	case "string":
		m.insertFirst("char " + v + " = " + p.name + ".charAt(" + p.name + ".length());")
	default:
		m.insertFirst("var " + v + " = " + p.name + "[" + p.name + ".length];")
	}
	return true
}

// ---- timeout ----

// grows reports whether masked code adds to a collection or a builder (an
// endless loop of it ends out of memory, not out of time).
func grows(code string) bool {
	for _, call := range []string{".add(", ".addAll(", ".append(", ".put(", ".push(", ".offer(", ".insert(", "+= \""} {
		if strings.Contains(code, call) {
			return true
		}
	}
	return false
}

// assigns reports whether masked code assigns to v.
func assigns(code, v string) bool {
	for _, sp := range identifiers(code) {
		if code[sp[0]:sp[1]] != v {
			continue
		}
		if prev, _ := prevToken(code, sp[0]); prev == "." {
			continue
		}
		rest := strings.TrimLeft(code[sp[1]:], " \t")
		if strings.HasPrefix(rest, "++") || strings.HasPrefix(rest, "--") ||
			len(rest) > 1 && rest[1] == '=' && strings.IndexByte("+-*/%&|^", rest[0]) >= 0 ||
			strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") {
			return true
		}
		before := strings.TrimRight(code[:sp[0]], " \t")
		if strings.HasSuffix(before, "++") || strings.HasSuffix(before, "--") {
			return true
		}
	}
	return false
}

// forHeader reads a for loop's update: "for (...; ...; i++) {".
var forHeader = regexp.MustCompile(`\bfor\s*\(\s*(?:int|long)\s+([A-Za-z_]\w*)\s*=[^;]*;[^;]*;\s*(([A-Za-z_]\w*)\s*(?:\+\+|--|[+-]=\s*\w+)|(?:\+\+|--)([A-Za-z_]\w*))\s*\)\s*\{`)

// dropForUpdate removes the update of a counting for loop whose body
// neither changes the counter nor leaves early.
func dropForUpdate(m *mutation) bool {
	var cands [][2]int
	for _, loc := range forHeader.FindAllStringSubmatchIndex(m.m[:m.end], -1) {
		v := m.m[loc[2]:loc[3]]
		u := ""
		if loc[6] >= 0 {
			u = m.m[loc[6]:loc[7]]
		} else {
			u = m.m[loc[8]:loc[9]]
		}
		if u != v {
			continue
		}
		open, close, ok := m.loopBody(loc[1] - 1)
		if !ok {
			continue
		}
		body := m.m[open:close]
		if exits(body) || grows(body) || assigns(body, v) {
			continue
		}
		cands = append(cands, [2]int{loc[4], loc[5]})
	}
	c, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(c[0], c[1], "")
	return true
}

// increment reads a statement that steps a counter: "i++;", "i += 2;".
var increment = regexp.MustCompile(`^\s*(?:([A-Za-z_]\w*)\s*(?:\+\+|--|[+-]=\s*[\w.()]+)|(?:\+\+|--)([A-Za-z_]\w*))\s*;\s*$`)

// dropWhileIncrement removes the statement that steps a while loop's
// counter.
func dropWhileIncrement(m *mutation) bool {
	var cands [][2]int
	for _, sp := range identifiers(m.m[:m.end]) {
		if m.m[sp[0]:sp[1]] != "while" {
			continue
		}
		p := nextNonSpace(m.m, sp[1])
		if p >= len(m.m) || m.m[p] != '(' {
			continue
		}
		ce := matching(m.m, p)
		if ce < 0 {
			continue
		}
		open := nextNonSpace(m.m, ce+1)
		if open >= m.end || m.m[open] != '{' {
			continue
		}
		close := matching(m.m, open)
		if close < 0 || close > m.end {
			continue
		}
		body := m.m[open+1 : close]
		if exits(body) || grows(body) {
			continue
		}
		cond := m.m[p+1 : ce]
		// One statement at the loop's own level steps a variable of the
		// condition, and nothing else assigns it.
		for at := lineEnd(m.m, open); at < close; at = lineEnd(m.m, at) {
			l := m.m[at:min(lineEnd(m.m, at), close)]
			mm := increment.FindStringSubmatch(l)
			if mm == nil || m.depth[at] != m.depth[open]+1 {
				continue
			}
			v := mm[1] + mm[2]
			if !containsIdent(cond, v) {
				continue
			}
			rest := m.m[open+1:at] + m.m[lineEnd(m.m, at):close]
			if assigns(rest, v) {
				continue
			}
			cands = append(cands, [2]int{at, lineEnd(m.m, at)})
		}
	}
	c, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.replace(c[0], c[1], "")
	return true
}

func containsIdent(code, name string) bool {
	for _, sp := range identifiers(code) {
		if code[sp[0]:sp[1]] == name {
			return true
		}
	}
	return false
}

// stuckLoop makes the method first run a loop whose counter never
// advances (i =+ 1 written for i += 1: it sets i to 1).
func stuckLoop(m *mutation) bool {
	v, ok := m.newName("attempts", "tries", "step", "spin", "k0")
	if !ok {
		return false
	}
	bound := strconv.Itoa(3 + m.rng.IntN(8))
	m.insertFirst("int "+v+" = 0;", "while ("+v+" < "+bound+") {", "    "+v+" =+ 1;", "}")
	return true
}
