package cpp

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// The mutators turn a reference solution (the body that completes the
// prompt's function) into the kind of wrong answer a code model gives,
// each aimed at one error class. They are line-based transforms of the
// reference's text, written so that the program really fails with the
// intended class when its tests run: TestMutationRealism measures how
// often it does.

// mutator is one way of making a faulty variant.
type mutator = languages.Mutator[*mutation]

// mutators is the table of mutators, by class.
func mutators() []mutator {
	return []mutator{
		{Class: languages.Syntax, Name: "missing-semicolon", Weight: 0.6, Apply: missingSemicolon},
		{Class: languages.Syntax, Name: "unclosed-paren", Weight: 0.4, Apply: unclosedParen},
		{Class: languages.Name, Name: "misspelled-variable", Weight: 0.5, Apply: misspellVariable},
		{Class: languages.Name, Name: "undefined-helper", Weight: 0.25, Apply: undefinedHelper},
		{Class: languages.Name, Name: "wrong-method", Weight: 0.25, Apply: wrongMethod},
		// Every return wrong fails any test of a returned value; a flipped
		// comparison or a constant off by one may not matter to the tests,
		// so they are rarer.
		{Class: languages.Assertion, Name: "wrong-return", Weight: 0.8, Apply: wrongReturn},
		{Class: languages.Assertion, Name: "flipped-comparison", Weight: 0.1, Apply: flipComparison},
		{Class: languages.Assertion, Name: "off-by-one-constant", Weight: 0.1, Apply: offByOneConstant},
		{Class: languages.Type, Name: "wrong-type-variable", Weight: 0.6, Apply: wrongTypeVariable},
		{Class: languages.Type, Name: "wrong-type-return", Weight: 0.4, Apply: wrongTypeReturn},
		{Class: languages.Index, Name: "at-past-end", Weight: 0.6, Apply: atPastEnd},
		{Class: languages.Index, Name: "loop-past-end", Weight: 0.4, Apply: loopPastEnd},
		{Class: languages.Timeout, Name: "stuck-loop", Weight: 0.6, Apply: stuckLoop},
		{Class: languages.Timeout, Name: "counter-never-advances", Weight: 0.4, Apply: dropIncrement},
	}
}

// mutation is the state of one mutator run.
type mutation struct {
	e      *reading
	rng    *rand.Rand
	lines  []string         // the reference's lines, edited in place
	insert map[int][]string // new lines to insert before a line
	fresh  map[string]bool  // names introduced by this mutation
}

// Mutate returns the reference with a fault of class c, or ok false when
// no mutator of that class applies to this task.
func (e *reading) Mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if !e.ok {
		return "", "", false
	}
	if c != languages.Syntax && c != languages.Name && c != languages.Type && cFunctions[e.st.fn.name] {
		// The tests' calls may reach the C library's function of that name
		// instead (CPP/23's strlen("x") calls C's strlen, not the task's
		// strlen(string)): a fault that shows only when the function runs
		// could pass.
		return "", "", false
	}
	return languages.Mutate(rng, mutators(), c, func(apply func(*mutation) bool) (string, bool) {
		m := &mutation{e: e, rng: rng, lines: append([]string(nil), e.lines...), insert: map[int][]string{}, fresh: map[string]bool{}}
		if !apply(m) {
			return "", false
		}
		text := m.text()
		return text, text != e.ref
	})
}

func (m *mutation) text() string {
	out := languages.Insert(m.lines, m.insert)
	return strings.Join(out, "\n")
}

// pick returns a random element of xs; ok is false when xs is empty.
func pick[T any](rng *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rng.IntN(len(xs))], true
}

// code is line i, masked and trimmed.
func (m *mutation) code(i int) string { return strings.TrimSpace(m.e.masked[i]) }

// body lists the lines inside the function's body (not its closing brace),
// that hold code.
func (m *mutation) body() []int {
	var out []int
	for i := range m.e.masked {
		if m.e.depth[i] >= 1 && m.code(i) != "" && !(m.e.depth[i] == 1 && strings.HasPrefix(m.code(i), "}")) {
			out = append(out, i)
		}
	}
	return out
}

// newName returns the first candidate that the program does not use, that
// is not a keyword and not a name the standard library may declare.
func (m *mutation) newName(cands ...string) (string, bool) {
	for _, c := range cands {
		if c != "" && !isKeyword(c) && !isLibraryName(c) && !m.e.taken[c] && !m.fresh[c] {
			m.fresh[c] = true
			return c, true
		}
	}
	return "", false
}

// insertFirst inserts lines (without indentation) as the first statements
// of the body.
func (m *mutation) insertFirst(lines ...string) bool {
	body := m.body()
	if len(body) == 0 {
		return false
	}
	at := body[0]
	indent := indentOf(m.lines[at])
	if m.e.depth[at] != 1 || indent == "" {
		indent = "    "
	}
	for _, l := range lines {
		m.insert[at] = append(m.insert[at], indent+l)
	}
	return true
}

func indentOf(line string) string { return line[:len(line)-len(strings.TrimLeft(line, " \t"))] }

// firstParam returns a parameter of a kind accepted by ok.
func (m *mutation) firstParam(ok func(kind) bool) (param, bool) {
	var cands []param
	for _, p := range m.e.params {
		if ok(p.kind) {
			cands = append(cands, p)
		}
	}
	return pick(m.rng, cands)
}

// ---- syntax ----

// missingSemicolon drops the semicolon ending a statement whose next line
// starts with a word or a closing brace (so that the two cannot read as one
// statement).
func missingSemicolon(m *mutation) bool {
	body := m.body()
	var cands []int
	for k, i := range body {
		c := m.code(i)
		if !strings.HasSuffix(c, ";") || strings.HasSuffix(c, ";;") || strings.Count(c, "(") != strings.Count(c, ")") {
			continue
		}
		if strings.HasPrefix(c, "for") && strings.Contains(c, "(") {
			continue
		}
		if k+1 >= len(body) {
			continue
		}
		next := m.code(body[k+1])
		if next == "" || !(isIdentStart(next[0]) || next[0] == '}') || strings.HasPrefix(next, "else") {
			continue
		}
		cands = append(cands, i)
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndexByte(m.e.masked[i], ';')
	m.lines[i] = m.lines[i][:j] + m.lines[i][j+1:]
	return true
}

// unclosedParen removes the last closing parenthesis of a line whose
// parentheses balance.
func unclosedParen(m *mutation) bool {
	var cands []int
	for _, i := range m.body() {
		c := m.code(i)
		if n := strings.Count(c, ")"); n > 0 && n == strings.Count(c, "(") {
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

// ---- name ----

// misspellVariable misspells one use of a parameter (or, failing that, of
// a local variable) in the body.
func misspellVariable(m *mutation) bool {
	params := map[string]bool{}
	for _, p := range m.e.params {
		params[p.name] = true
	}
	type site struct {
		line, a, b int
	}
	var ps, locals []site
	seen := map[string]int{}
	for _, i := range m.body() {
		ml := m.e.masked[i]
		for _, sp := range identifiers(ml) {
			name := ml[sp[0]:sp[1]]
			seen[name]++
			if isKeyword(name) || isLibraryName(name) || member(ml, sp[0]) || strings.HasPrefix(ml[sp[1]:], "(") {
				continue
			}
			switch {
			case params[name]:
				ps = append(ps, site{i, sp[0], sp[1]})
			case seen[name] > 1 && len(name) >= 2 && m.declared(name):
				locals = append(locals, site{i, sp[0], sp[1]})
			}
		}
	}
	cands := ps
	if len(cands) == 0 {
		cands = locals
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	name := m.lines[s.line][s.a:s.b]
	bad, ok := m.newName(misspellings(name)...)
	if !ok {
		return false
	}
	m.lines[s.line] = m.lines[s.line][:s.a] + bad + m.lines[s.line][s.b:]
	return true
}

// declared reports whether the body declares a variable name (a word
// before it on its line, as in "int name" or "string a, name").
func (m *mutation) declared(name string) bool {
	for _, i := range m.body() {
		ml := m.e.masked[i]
		for _, sp := range identifiers(ml) {
			if ml[sp[0]:sp[1]] != name {
				continue
			}
			before := strings.TrimRight(ml[:sp[0]], " \t*&")
			if before != "" && (isIdentByte(before[len(before)-1]) || before[len(before)-1] == '>' || before[len(before)-1] == ',') {
				return true
			}
		}
	}
	return false
}

// member reports whether the identifier at i follows . or -> or ::.
func member(ml string, i int) bool {
	b := strings.TrimRight(ml[:i], " \t")
	return strings.HasSuffix(b, ".") || strings.HasSuffix(b, "->") || strings.HasSuffix(b, "::")
}

// misspellings are names a model plausibly writes instead of name.
func misspellings(name string) []string {
	var out []string
	if strings.HasSuffix(name, "s") && len(name) > 3 {
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
	return append(out, name+"_list", name+"1", "input_"+name)
}

// undefinedHelper makes the function first pass a parameter through a
// helper it never defines.
func undefinedHelper(m *mutation) bool {
	p, ok := m.firstParam(func(k kind) bool { return k != kindOther })
	if !ok {
		return false
	}
	helper, ok := m.newName("validate_input", "normalize_input", "preprocess_input", "clean_input", "parse_input")
	if !ok {
		return false
	}
	return m.insertFirst(p.name + " = " + helper + "(" + p.name + ");")
}

// wrongMethods are member functions a model borrows from another language,
// for ones the standard library has.
var wrongMethods = map[string]string{
	"push_back": "push", "size": "len", "length": "len", "substr": "substring", "find": "indexOf",
	"empty": "isEmpty", "back": "last", "begin": "start", "insert": "add", "erase": "remove_at",
}

// wrongMethod calls a member function that no standard container has.
func wrongMethod(m *mutation) bool {
	type site struct {
		line, a, b int
		to         string
	}
	var cands []site
	for _, i := range m.body() {
		ml := m.e.masked[i]
		for _, sp := range identifiers(ml) {
			to, ok := wrongMethods[ml[sp[0]:sp[1]]]
			if ok && member(ml, sp[0]) && strings.HasPrefix(ml[sp[1]:], "(") && !strings.HasSuffix(strings.TrimRight(ml[:sp[0]], " \t"), "::") {
				cands = append(cands, site{i, sp[0], sp[1], to})
			}
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.lines[s.line] = m.lines[s.line][:s.a] + s.to + m.lines[s.line][s.b:]
	return true
}

// ---- assertion ----

// A ret is a return statement of the function, on one line: the span of
// its value.
type ret struct {
	line, a, b int
}

// returns finds the function's return statements with a value, each on one
// line; ok is false when one runs over several lines or sits in a lambda.
func (m *mutation) returns() ([]ret, bool) {
	var out []ret
	for _, i := range m.body() {
		ml := m.e.masked[i]
		if strings.Contains(ml, "](") || strings.Contains(ml, "] (") {
			return nil, false // a lambda: its returns are not the function's
		}
		for _, sp := range identifiers(ml) {
			if ml[sp[0]:sp[1]] != "return" {
				continue
			}
			end := statementEnd(ml, sp[1])
			if end < 0 {
				return nil, false
			}
			a := sp[1]
			for a < end && (ml[a] == ' ' || ml[a] == '\t') {
				a++
			}
			if a == end {
				continue
			}
			b := end
			for b > a && (ml[b-1] == ' ' || ml[b-1] == '\t') {
				b--
			}
			out = append(out, ret{i, a, b})
		}
	}
	return out, len(out) > 0
}

// statementEnd is the offset of the ';' that ends the statement starting
// at i in a masked line, or -1.
func statementEnd(ml string, i int) int {
	depth := 0
	for ; i < len(ml); i++ {
		switch ml[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ';':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// rewriteReturns rewrites the value of every return statement with f
// (which returns false to give up).
func (m *mutation) rewriteReturns(f func(value string) (string, bool)) bool {
	rets, ok := m.returns()
	if !ok {
		return false
	}
	// Right to left, so that spans on one line stay valid.
	for k := len(rets) - 1; k >= 0; k-- {
		r := rets[k]
		l := m.lines[r.line]
		v, ok := f(l[r.a:r.b])
		if !ok {
			return false
		}
		m.lines[r.line] = l[:r.a] + v + l[r.b:]
	}
	return true
}

// wrongReturn makes every return give a wrong value of the right type.
func wrongReturn(m *mutation) bool {
	switch m.e.ret {
	case kindBool:
		return m.rewriteReturns(func(v string) (string, bool) { return "!(" + v + ")", true })
	case kindInt, kindChar:
		return m.rewriteReturns(func(v string) (string, bool) { return "(" + v + ") + 1", true })
	case kindFloat:
		// Far enough off for tolerant comparisons.
		return m.rewriteReturns(func(v string) (string, bool) { return "(" + v + ") * 1.5 + 1", true })
	case kindString:
		return m.rewriteReturns(func(v string) (string, bool) {
			if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "'") {
				return "", false
			}
			return "string(" + v + ") + \"_\"", true
		})
	case kindVector:
		// The value dropped: every call answers an empty vector.
		return m.rewriteReturns(func(v string) (string, bool) { return "{}", true })
	}
	return false
}

// comparisons finds the comparison operators in a masked line: positions
// and lengths (not shifts, not template brackets guessed from spacing).
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
			out = append(out, [2]int{i, 2})
			i++
		case (c == '<' || c == '>') && next == '=' && prev != c:
			out = append(out, [2]int{i, 2})
			i++
		case (c == '<' || c == '>') && next != c && prev != c && prev != '-' && next != '=' && !templateBracket(ml, i):
			out = append(out, [2]int{i, 1})
		}
	}
	return out
}

// templateBracket guesses whether the < or > at i is a template's bracket:
// vector<int>, a >  closing one.
func templateBracket(ml string, i int) bool {
	if ml[i] == '<' {
		j := i
		for j > 0 && isIdentByte(ml[j-1]) {
			j--
		}
		switch ml[j:i] {
		case "vector", "map", "set", "pair", "list", "deque", "queue", "stack", "priority_queue", "unordered_map",
			"unordered_set", "greater", "less", "array", "tuple", "function", "static_cast", "numeric_limits":
			return true
		}
		return false
	}
	open := strings.LastIndexByte(ml[:i], '<')
	return open >= 0 && templateBracket(ml, open) && !strings.ContainsAny(ml[open:i], "()")
}

// flipComparison negates a comparison in a condition of an if or a return.
func flipComparison(m *mutation) bool {
	type site struct{ line, at, n int }
	var cands []site
	for _, i := range m.body() {
		c := m.code(i)
		if !strings.HasPrefix(c, "if") && !strings.HasPrefix(c, "else if") && !strings.HasPrefix(c, "return") {
			continue
		}
		for _, cmp := range comparisons(m.e.masked[i]) {
			cands = append(cands, site{i, cmp[0], cmp[1]})
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + languages.Negate(l[s.at:s.at+s.n]) + l[s.at+s.n:]
	return true
}

// offByOneConstant moves an integer constant in a condition or a return
// by one.
func offByOneConstant(m *mutation) bool {
	type site struct{ line, a, b int }
	var cands []site
	for _, i := range m.body() {
		c := m.code(i)
		if !strings.HasPrefix(c, "if") && !strings.HasPrefix(c, "else if") && !strings.HasPrefix(c, "return") {
			continue
		}
		ml := m.e.masked[i]
		for _, sp := range languages.IntLiterals(ml, isIdentByte) {
			cands = append(cands, site{i, sp[0], sp[1]})
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
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

// wrongTypeVariable makes the function first copy a parameter into a
// variable of a type it does not convert to.
func wrongTypeVariable(m *mutation) bool {
	p, ok := m.firstParam(func(k kind) bool { return k != kindOther && k != kindVoid })
	if !ok {
		return false
	}
	if p.kind.numeric() || p.kind == kindBool {
		v, ok := m.newName("text", "label", "str_value", "as_text")
		return ok && m.insertFirst("string "+v+" = "+p.name+";")
	}
	v, ok := m.newName("count", "n", "total", "value", "len_")
	return ok && m.insertFirst("int "+v+" = "+p.name+";")
}

// wrongTypeReturn makes one return give a value of another type.
func wrongTypeReturn(m *mutation) bool {
	rets, ok := m.returns()
	if !ok {
		return false
	}
	k := m.e.ret
	var cands []ret
	for _, r := range rets {
		// A braced list has no size() to take.
		if k.numeric() || k == kindBool || (k == kindString || k == kindVector) && !strings.HasPrefix(m.lines[r.line][r.a:r.b], "{") {
			cands = append(cands, r)
		}
	}
	r, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	l := m.lines[r.line]
	v := "(" + l[r.a:r.b] + ").size()"
	if k.numeric() || k == kindBool {
		v = "to_string(" + l[r.a:r.b] + ")"
	}
	m.lines[r.line] = l[:r.a] + v + l[r.b:]
	return true
}

// ---- index ----

// atPastEnd makes the function first read the element one past the end of
// a string or vector parameter with at(), which throws.
func atPastEnd(m *mutation) bool {
	p, ok := m.firstParam(kind.sequence)
	if !ok {
		return false
	}
	v, ok := m.newName("last", "last_item", "end_item", "final_item")
	return ok && m.insertFirst("auto "+v+" = "+p.name+".at("+p.name+".size());")
}

// loopPastEnd makes a loop over a container's indices run one step past
// its end, reading with at(): `for (...; i<=xs.size(); ...)` and xs.at(i).
func loopPastEnd(m *mutation) bool {
	type site struct{ line, cmp, end int }
	var cands []site
	body := m.body()
	for k, i := range body {
		ml := m.e.masked[i]
		c := m.code(i)
		if !strings.HasPrefix(c, "for") {
			continue
		}
		open := strings.IndexByte(ml, '(')
		if open < 0 {
			continue
		}
		cl := closing(ml, open)
		if cl < 0 {
			continue
		}
		parts := strings.Split(ml[open+1:cl], ";")
		if len(parts) != 3 {
			continue
		}
		cond := parts[1]
		lt := strings.Index(cond, "<")
		if lt < 0 || strings.Contains(cond, "<=") || strings.Contains(cond, "<<") {
			continue
		}
		v := strings.TrimSpace(cond[:lt])
		rhs := strings.TrimSpace(cond[lt+1:])
		seq := ""
		for _, suffix := range []string{".size()", ".length()"} {
			if s, ok := strings.CutSuffix(rhs, suffix); ok && leadingIdent(s) == s {
				seq = s
			}
		}
		if seq == "" || leadingIdent(v) != v || v == "" {
			continue
		}
		// The loop's body: the block after it, or its one statement.
		end := k + 1
		if strings.HasSuffix(c, "{") || k+1 < len(body) && strings.HasPrefix(m.code(body[k+1]), "{") {
			d := m.e.depth[i]
			for end = k + 1; end < len(body) && !(m.e.depth[body[end]] == d+1 && strings.HasPrefix(m.code(body[end]), "}")); end++ {
			}
			if end >= len(body) {
				continue
			}
		} else if !strings.HasSuffix(c, ")") || k+1 >= len(body) {
			continue
		} else {
			end = k + 2
		}
		uses, exits := 0, false
		for _, j := range body[k+1 : min(end, len(body))] {
			bc := " " + m.e.masked[j]
			if strings.Contains(bc, " break") || strings.Contains(bc, "return") || strings.Contains(bc, "continue") {
				exits = true
			}
			uses += strings.Count(bc, seq+"["+v+"]")
		}
		if exits || uses == 0 {
			continue
		}
		cands = append(cands, site{k, open + 1 + len(parts[0]) + 1 + lt, end})
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	i := body[s.line]
	ml := m.e.masked[i]
	open := strings.IndexByte(ml, '(')
	parts := strings.Split(ml[open+1:closing(ml, open)], ";")
	lt := strings.Index(parts[1], "<")
	v := strings.TrimSpace(parts[1][:lt])
	rhs := strings.TrimSpace(parts[1][lt+1:])
	seq := rhs[:strings.IndexByte(rhs, '.')]
	m.lines[i] = m.lines[i][:s.cmp] + "<=" + m.lines[i][s.cmp+1:]
	for _, j := range body[s.line+1 : min(s.end, len(body))] {
		m.lines[j] = strings.ReplaceAll(m.lines[j], seq+"["+v+"]", seq+".at("+v+")")
	}
	return true
}

// leadingIdent is the identifier that s starts with.
func leadingIdent(s string) string {
	j := 0
	for j < len(s) && isIdentByte(s[j]) {
		j++
	}
	if j > 0 && s[0] >= '0' && s[0] <= '9' {
		return ""
	}
	return s[:j]
}

// ---- timeout ----

// stuckLoop makes the function first run a loop whose counter never
// advances (`i + 1;` written for `i += 1;`).
func stuckLoop(m *mutation) bool {
	v, ok := m.newName("tries", "attempts", "step", "iteration", "round_")
	if !ok {
		return false
	}
	bound := strconv.Itoa(3 + m.rng.IntN(8))
	return m.insertFirst("int "+v+" = 0;", "while ("+v+" < "+bound+") {", "    "+v+" + 1;", "}")
}

// dropIncrement removes what advances a loop's counter: the increment of a
// for loop's header, or the statement of a while loop's body that
// increments a variable of its condition. Loops that can leave early
// (break, return, goto) are left alone.
func dropIncrement(m *mutation) bool {
	body := m.body()
	type site struct {
		line, a, b int // the span to remove
		drop       bool
	}
	var cands []site
	for k, i := range body {
		ml := m.e.masked[i]
		c := m.code(i)
		isFor, isWhile := strings.HasPrefix(c, "for"), strings.HasPrefix(c, "while")
		if !isFor && !isWhile {
			continue
		}
		open := strings.IndexByte(ml, '(')
		if open < 0 {
			continue
		}
		cl := closing(ml, open)
		if cl < 0 {
			continue
		}
		// The loop's body lines: a block, or the one next statement.
		var inner []int
		rest := strings.TrimSpace(ml[cl+1:])
		switch {
		case rest == "{" || rest == "" && k+1 < len(body) && m.code(body[k+1]) == "{":
			d := m.e.depth[i]
			j := k + 1
			for ; j < len(body) && !(m.e.depth[body[j]] == d+1 && strings.HasPrefix(m.code(body[j]), "}")); j++ {
				inner = append(inner, body[j])
			}
			if j >= len(body) {
				continue
			}
		case rest == "" && k+1 < len(body):
			inner = []int{body[k+1]}
		default:
			continue
		}
		exits := false
		for _, j := range inner {
			bc := " " + m.e.masked[j] + " "
			for _, w := range []string{" break", "return", "goto ", "exit("} {
				if strings.Contains(bc, w) {
					exits = true
				}
			}
		}
		if exits {
			continue
		}
		if isFor {
			parts := strings.Split(ml[open+1:cl], ";")
			if len(parts) != 3 || strings.TrimSpace(parts[2]) == "" || strings.TrimSpace(parts[1]) == "" {
				continue
			}
			v := counterOf(parts[2])
			if v == "" || !strings.Contains(parts[1], v) || assigns(m, inner, v) {
				continue
			}
			a := open + 1 + len(parts[0]) + 1 + len(parts[1]) + 1
			cands = append(cands, site{i, a, cl, false})
			continue
		}
		cond := ml[open+1 : cl]
		for _, j := range inner {
			st := m.code(j)
			v := counterOf(strings.TrimSuffix(st, ";"))
			if v != "" && strings.HasSuffix(st, ";") && strings.Count(st, ";") == 1 && containsWord(cond, v) && !m.reassigned(inner, v, j) {
				cands = append(cands, site{j, 0, len(m.lines[j]), true})
			}
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	if s.drop {
		m.lines[s.line] = indentOf(m.lines[s.line])
		return true
	}
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.a] + l[s.b:]
	return true
}

// counterOf reads an increment statement ("i++", "++i", "i+=1", "i=i+1",
// "n/=10", "n=n/10", "i--"): the variable it changes, or "".
func counterOf(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"++", "--"} {
		if v, ok := strings.CutPrefix(s, p); ok && leadingIdent(v) == v {
			return v
		}
		if v, ok := strings.CutSuffix(s, p); ok && leadingIdent(strings.TrimSpace(v)) == strings.TrimSpace(v) {
			return strings.TrimSpace(v)
		}
	}
	v := leadingIdent(s)
	if v == "" {
		return ""
	}
	rest := strings.TrimSpace(s[len(v):])
	for _, op := range []string{"+=", "-=", "/=", "*=", ">>="} {
		if strings.HasPrefix(rest, op) {
			return v
		}
	}
	if r, ok := strings.CutPrefix(rest, "="); ok && !strings.HasPrefix(r, "=") {
		r = strings.TrimSpace(r)
		if strings.HasPrefix(r, v) && len(r) > len(v) && strings.ContainsAny(r[len(v):len(v)+1], "+-/* ") {
			return v
		}
	}
	return ""
}

// assigns reports whether lines change variable v.
func assigns(m *mutation, lines []int, v string) bool {
	for _, j := range lines {
		if counterOf(strings.TrimSuffix(m.code(j), ";")) == v {
			return true
		}
		ml := m.e.masked[j]
		for _, sp := range identifiers(ml) {
			if ml[sp[0]:sp[1]] == v {
				after := strings.TrimLeft(ml[sp[1]:], " \t")
				if strings.HasPrefix(after, "=") && !strings.HasPrefix(after, "==") || strings.HasPrefix(after, "++") ||
					strings.HasPrefix(after, "--") || len(after) > 1 && strings.IndexByte("+-*/%", after[0]) >= 0 && after[1] == '=' {
					return true
				}
			}
		}
	}
	return false
}

// reassigned reports whether a line of lines other than skip changes v.
func (m *mutation) reassigned(lines []int, v string, skip int) bool {
	var others []int
	for _, j := range lines {
		if j != skip {
			others = append(others, j)
		}
	}
	return assigns(m, others, v)
}

func containsWord(s, w string) bool {
	for _, sp := range identifiers(s) {
		if s[sp[0]:sp[1]] == w {
			return true
		}
	}
	return false
}

// ---- names ----

func isKeyword(s string) bool {
	switch s {
	case "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
		"char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
		"constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
		"do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
		"friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
		"nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
		"requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
		"switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
		"union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq":
		return true
	}
	return false
}

// cFunctions are C library functions (not templates) that a task's
// function may share a name with.
var cFunctions = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`strlen strcmp strncmp strcpy strcat strchr strrchr strstr strdup atoi atol atof
		abs labs fabs pow sqrt cbrt floor ceil round trunc exp log log2 log10 fmod toupper tolower isalpha isdigit
		isalnum isspace isupper islower ispunct puts printf rand`) {
		m[w] = true
	}
	return m
}()

// isLibraryName reports whether the headers of a HumanEval-X program (the
// C library's and the standard library's, with `using namespace std`) may
// declare s: a misspelling must not land on one.
func isLibraryName(s string) bool { return libraryNames[s] }

var libraryNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		abs labs llabs fabs div ldiv atoi atol atoll atof strtol strtoul strtod strtof rand srand malloc calloc
		realloc free exit abort atexit quick_exit system getenv qsort bsearch min max swap sort stable_sort find
		find_if count count_if reverse unique fill copy move remove replace transform accumulate iota lower_bound
		upper_bound binary_search equal mismatch search partition merge includes rotate shuffle sample clamp
		gcd lcm next prev distance advance begin end size data empty pow sqrt cbrt floor ceil round trunc exp
		exp2 log log2 log10 sin cos tan asin acos atan atan2 sinh cosh tanh fmod remainder hypot y0 y1 yn j0 j1 jn
		gamma lgamma tgamma erf erfc modf frexp ldexp isnan isinf fmin fmax fdim nan signbit copysign nearbyint
		rint lround llround printf scanf puts gets getchar putchar fopen fclose fgets fputs fprintf sprintf
		snprintf sscanf remove rename tmpfile perror getc putc ungetc feof ferror fflush stdin stdout stderr
		strlen strcpy strncpy strcat strncat strcmp strncmp strchr strrchr strstr strtok memcpy memmove memset
		memcmp memchr strdup index rindex bzero bcopy ffs strsep cin cout cerr clog endl ends flush ws hex dec
		oct fixed left right boolalpha showpos setw string vector map set list deque queue stack pair tuple
		array bitset less greater plus minus multiplies divides modulus negate hash get ref function iterator
		numeric_limits exception time clock difftime tolower toupper isalpha isdigit isalnum isspace isupper
		islower ispunct isxdigit to_string stoi stol stoll stoul stof stod ios ostream istream iostream
		stringstream sstream basic_string allocator make_pair tie ignore random errno signal raise kill
		sleep read write open close select link unlink access stat wait format locale byte nullptr_t size_t
		ptrdiff_t max_element min_element minmax reverse_copy unique_copy replace_if remove_if all_of any_of
		none_of for_each generate nth_element partial_sort is_sorted make_heap push_heap pop_heap sort_heap
		fill_n copy_n adjacent_find search_n set_union set_intersection set_difference partial_sum
		adjacent_difference inner_product istringstream ostringstream getline pi e y x`) {
		m[w] = true
	}
	return m
}()
