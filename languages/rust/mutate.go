package rust

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// The mutators turn a reference solution into the kind of wrong answer a
// code model gives, each aimed at one error class. They are line-based
// transforms of the reference's text, written so that the program really
// fails with the intended class when its tests run; TestMutationRealism
// measures how often it does.

// mutator is one way of making a faulty variant.
type mutator = languages.Mutator[*mutation]

func mutators() []mutator {
	return []mutator{
		{Class: languages.Syntax, Name: "missing-semicolon", Weight: 0.5, Apply: dropSemicolon},
		{Class: languages.Syntax, Name: "unclosed-paren", Weight: 0.3, Apply: unclosedParen},
		{Class: languages.Syntax, Name: "python-colon", Weight: 0.2, Apply: pythonColon},
		{Class: languages.Name, Name: "misspelled-variable", Weight: 0.5, Apply: misspellVariable},
		{Class: languages.Name, Name: "wrong-method", Weight: 0.3, Apply: wrongMethod},
		{Class: languages.Name, Name: "undefined-helper", Weight: 0.2, Apply: undefinedHelper},
		{Class: languages.Assertion, Name: "wrong-return", Weight: 0.6, Apply: wrongReturn},
		{Class: languages.Assertion, Name: "flipped-comparison", Weight: 0.2, Apply: flipComparison},
		{Class: languages.Assertion, Name: "off-by-one-constant", Weight: 0.2, Apply: offByOneConstant},
		{Class: languages.Type, Name: "wrong-type-return", Weight: 0.5, Apply: returnTypeError},
		{Class: languages.Type, Name: "str-plus-value", Weight: 0.5, Apply: strPlusValue},
		{Class: languages.Index, Name: "index-at-len", Weight: 0.6, Apply: indexAtLen},
		{Class: languages.Index, Name: "range-past-end", Weight: 0.4, Apply: rangePastEnd},
		{Class: languages.Timeout, Name: "stuck-loop", Weight: 0.6, Apply: stuckLoop},
		{Class: languages.Timeout, Name: "counter-never-advances", Weight: 0.4, Apply: dropIncrement},
	}
}

// runtime reports whether a class needs the tests to call the function.
func runtime(c languages.Class) bool {
	return c == languages.Assertion || c == languages.Index || c == languages.Timeout
}

// mutation is the state of one mutator run.
type mutation struct {
	e      *reading
	f      *fnInfo
	rng    *rand.Rand
	lines  []string         // the program, edited in place
	insert map[int][]string // new lines before a line
	fresh  map[string]bool
}

// Mutate returns the reference with a fault of class c, or ok false when
// no mutator of that class applies to this task (a fault that only shows
// when the tests call the function needs tests that call it).
func (e *reading) Mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if e.fn == nil || runtime(c) && !e.tested {
		return "", "", false
	}
	return languages.Mutate(rng, mutators(), c, func(apply func(*mutation) bool) (string, bool) {
		m := &mutation{e: e, f: e.fn, rng: rng, lines: append([]string(nil), e.lines...),
			insert: map[int][]string{}, fresh: map[string]bool{}}
		if !apply(m) {
			return "", false
		}
		text := m.text()
		return text, text != e.task.Reference
	})
}

// text is the mutated reference: the program without the prefix.
func (m *mutation) text() string {
	out := languages.Insert(m.lines, m.insert)
	prog := strings.Join(out, "\n")
	if len(prog) < len(m.e.prefix) {
		return m.e.task.Reference
	}
	return prog[len(m.e.prefix):]
}

// body lists the editable lines of the function's body, top to bottom.
func (m *mutation) body() []int {
	var out []int
	for i := max(m.f.open+1, m.e.editFrom); i < m.f.close && i < len(m.lines); i++ {
		out = append(out, i)
	}
	return out
}

// code is the masked, trimmed code of line i.
func (m *mutation) code(i int) string { return strings.TrimSpace(m.e.masked[i]) }

func (m *mutation) own(i int) bool { return m.f.owned[i] }

// top reports whether line i is a statement of the body itself.
func (m *mutation) top(i int) bool { return m.f.owned[i] && m.f.depth[i] == 1 }

func indentOf(line string) string { return line[:len(line)-len(strings.TrimLeft(line, " \t"))] }

// balanced reports whether a masked line opens and closes as many
// brackets as it closes, never closing one it did not open.
func balanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// firstStatement is the line before which new first statements go: the
// body's first code line.
func (m *mutation) firstStatement() (int, bool) {
	for _, i := range m.body() {
		if m.code(i) == "" {
			continue
		}
		if !m.top(i) {
			return 0, false
		}
		return i, true
	}
	return 0, false
}

// insertFirst inserts lines as the first statements of the body.
func (m *mutation) insertFirst(lines ...string) bool {
	at, ok := m.firstStatement()
	if !ok {
		return false
	}
	ind := indentOf(m.lines[at])
	if ind == "" {
		ind = "    "
	}
	for _, l := range lines {
		m.insert[at] = append(m.insert[at], ind+l)
	}
	return true
}

func pick[T any](rng *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rng.IntN(len(xs))], true
}

// newName returns the first candidate no identifier of the task uses.
func (m *mutation) newName(cands ...string) (string, bool) {
	for _, c := range cands {
		if c != "" && !isKeyword(c) && !m.e.taken[c] && !m.fresh[c] {
			m.fresh[c] = true
			return c, true
		}
	}
	return "", false
}

// ---- syntax ----

var statementStart = regexp.MustCompile(`^(let|for|while|if|return|loop|match)\b|^[A-Za-z_][A-Za-z0-9_]*\s*(=[^=]|\+=|-=|\*=|/=|\.|\()`)

// dropSemicolon removes the semicolon ending a let statement that another
// statement follows.
func dropSemicolon(m *mutation) bool {
	body := m.body()
	var cands []int
	for k, i := range body {
		c := m.code(i)
		if !strings.HasPrefix(c, "let ") || !strings.HasSuffix(c, ";") || !balanced(c) {
			continue
		}
		for _, j := range body[k+1:] {
			if n := m.code(j); n != "" {
				if statementStart.MatchString(n) {
					cands = append(cands, i)
				}
				break
			}
		}
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndexByte(m.e.masked[i], ';')
	m.lines[i] = m.lines[i][:j] + m.lines[i][j+1:]
	return true
}

// unclosedParen removes the last closing parenthesis of a one-line
// statement.
func unclosedParen(m *mutation) bool {
	var cands []int
	for _, i := range m.body() {
		c := m.code(i)
		if strings.Contains(c, ")") && balanced(c) && (strings.HasSuffix(c, ";") || strings.HasSuffix(c, "{")) {
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

// pythonColon writes an if or while header the Python way: a colon where
// the block's brace belongs.
func pythonColon(m *mutation) bool {
	var cands []int
	for _, i := range m.body() {
		c := m.code(i)
		if (strings.HasPrefix(c, "if ") || strings.HasPrefix(c, "while ")) && strings.HasSuffix(c, "{") && balanced(c+"}") {
			cands = append(cands, i)
		}
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndexByte(m.e.masked[i], '{')
	m.lines[i] = strings.TrimRight(m.lines[i][:j], " \t") + ":" + m.lines[i][j+1:]
	return true
}

// ---- name ----

// uses returns the positions on line i where identifier name is read.
func (m *mutation) uses(i int, name string) []int {
	ml := m.e.masked[i]
	var out []int
	for _, sp := range identRe.FindAllStringIndex(ml, -1) {
		if ml[sp[0]:sp[1]] != name {
			continue
		}
		before := strings.TrimRight(ml[:sp[0]], " \t")
		after := strings.TrimLeft(ml[sp[1]:], " \t")
		if strings.HasSuffix(before, ".") || strings.HasSuffix(before, "::") || strings.HasSuffix(before, "'") ||
			strings.HasPrefix(after, "!") || strings.HasPrefix(after, "::") ||
			strings.HasPrefix(after, ":") || strings.HasSuffix(before, "let") || strings.HasSuffix(before, "mut") ||
			strings.HasSuffix(before, "for") || strings.HasSuffix(before, "|") || strings.HasSuffix(before, "fn") {
			continue
		}
		if strings.HasPrefix(after, "=") && !strings.HasPrefix(after, "==") && !strings.HasPrefix(after, "=>") {
			continue // an assignment: a read elsewhere is more telling
		}
		out = append(out, sp[0])
	}
	return out
}

var letName = regexp.MustCompile(`^let\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)\b`)

// misspellVariable misspells a parameter or local variable where the
// function reads it.
func misspellVariable(m *mutation) bool {
	type site struct {
		line, at int
		name     string
	}
	var cands []site
	declared := map[string]int{} // local name -> line of its let
	for _, p := range m.f.params {
		if p.name != "" && p.name != "_" {
			declared[p.name] = m.f.open
		}
	}
	body := m.body()
	for _, i := range body {
		if mm := letName.FindStringSubmatch(m.code(i)); mm != nil && mm[1] != "_" {
			if _, seen := declared[mm[1]]; !seen {
				declared[mm[1]] = i
			}
		}
	}
	for name, at := range declared {
		for _, i := range body {
			if i <= at {
				continue
			}
			if us := m.uses(i, name); len(us) > 0 {
				cands = append(cands, site{i, us[0], name})
				break
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	// Map order is random: sort for reproducible picks.
	sortSites := func(a, b site) bool { return a.line < b.line || a.line == b.line && a.at < b.at }
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && sortSites(cands[j], cands[j-1]); j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}
	s := cands[m.rng.IntN(len(cands))]
	bad, ok := m.newName(misspellings(s.name)...)
	if !ok {
		return false
	}
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + bad + l[s.at+len(s.name):]
	return true
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
	return append(out, name+"_list", name+"1", "input_"+name)
}

// methodSlips are method names a model brings from other languages in
// place of std's name, none of which std has.
func methodSlips(name string) []string {
	switch name {
	case "len":
		return []string{"length"}
	case "push":
		return []string{"push_back", "append_item"}
	case "to_string":
		return []string{"toString"}
	case "is_empty":
		return []string{"isEmpty"}
	case "contains":
		return []string{"includes"}
	case "to_uppercase":
		return []string{"upper"}
	case "to_lowercase":
		return []string{"lower"}
	case "trim":
		return []string{"strip"}
	case "abs":
		return []string{"absolute"}
	case "chars":
		return []string{"characters"}
	case "push_str":
		return []string{"append_str"}
	case "sqrt":
		return []string{"square_root"}
	case "iter":
		return []string{"iterate"}
	case "collect":
		return []string{"to_list"}
	case "unwrap":
		return []string{"get_value"}
	case "starts_with":
		return []string{"startswith"}
	case "ends_with":
		return []string{"endswith"}
	case "to_vec":
		return []string{"to_array"}
	case "pow":
		return []string{"power"}
	}
	return nil
}

var methodCall = regexp.MustCompile(`\.([a-z_]+)\(`)

// wrongMethod calls a method std does not have in place of one it has.
func wrongMethod(m *mutation) bool {
	type site struct{ line, at, n int }
	var cands []site
	var alts [][]string
	for _, i := range m.body() {
		for _, sp := range methodCall.FindAllStringSubmatchIndex(m.e.masked[i], -1) {
			name := m.e.masked[i][sp[2]:sp[3]]
			if a := methodSlips(name); a != nil {
				cands = append(cands, site{i, sp[2], sp[3] - sp[2]})
				alts = append(alts, a)
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	k := m.rng.IntN(len(cands))
	s := cands[k]
	bad, ok := m.newName(alts[k]...)
	if !ok {
		return false
	}
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + bad + l[s.at+s.n:]
	return true
}

// undefinedHelper makes the function first pass a parameter through a
// helper it never defines.
func undefinedHelper(m *mutation) bool {
	var ps []param
	for _, p := range m.f.params {
		if p.name != "" && p.name != "_" {
			ps = append(ps, p)
		}
	}
	p, ok := pick(m.rng, ps)
	if !ok {
		return false
	}
	helper, ok := m.newName("validate_input", "normalize_input", "preprocess", "clean_input", "parse_input")
	if !ok {
		return false
	}
	return m.insertFirst("let " + p.name + " = " + helper + "(" + p.name + ");")
}

// ---- returns ----

// returnSite is an expression the function returns: on one line, from
// byte start to end.
type returnSite struct{ line, start, end int }

// returns lists the function's own return points that sit on one line:
// `return X;` statements and a one-line tail expression.
func (m *mutation) returns() []returnSite {
	var out []returnSite
	body := m.body()
	for _, i := range body {
		c := m.e.masked[i]
		t := strings.TrimSpace(c)
		if !m.own(i) || !strings.HasPrefix(t, "return ") || !strings.HasSuffix(t, ";") || !balanced(t) {
			continue
		}
		start := strings.Index(c, "return ") + len("return ")
		end := strings.LastIndexByte(c, ';')
		if strings.TrimSpace(c[start:end]) != "" {
			out = append(out, returnSite{i, start, end})
		}
	}
	// The tail: the last code line, when the statement before it ended.
	var codeLines []int
	for _, i := range body {
		if m.code(i) != "" {
			codeLines = append(codeLines, i)
		}
	}
	if n := len(codeLines); n > 0 {
		i := codeLines[n-1]
		t := m.code(i)
		prevEnded := n == 1
		if n > 1 {
			p := m.code(codeLines[n-2])
			prevEnded = strings.HasSuffix(p, ";") || strings.HasSuffix(p, "{") || strings.HasSuffix(p, "}")
		}
		if m.top(i) && prevEnded && balanced(t) && !strings.HasPrefix(t, "return") && !strings.HasPrefix(t, "}") &&
			!strings.HasSuffix(t, ";") && !strings.HasSuffix(t, "}") && !strings.HasSuffix(t, ",") &&
			!strings.HasPrefix(t, "if ") && !strings.HasPrefix(t, "match ") && !strings.HasPrefix(t, "for ") &&
			!strings.HasPrefix(t, "while ") && !strings.HasPrefix(t, "loop") && !strings.HasPrefix(t, ".") {
			c := m.e.masked[i]
			start := len(indentOf(c))
			out = append(out, returnSite{i, start, len(strings.TrimRight(c, " \t"))})
		}
	}
	return out
}

// rewrite replaces the returned expressions at sites (right to left on a
// line, so that offsets hold) with wrap(expression).
func (m *mutation) rewrite(sites []returnSite, wrap func(string) string) {
	for k := len(sites) - 1; k >= 0; k-- {
		s := sites[k]
		l := m.lines[s.line]
		m.lines[s.line] = l[:s.start] + wrap(strings.TrimSpace(l[s.start:s.end])) + l[s.end:]
	}
}

// wrongValue returns a wrapper making a value of the function's return
// type wrong but of the same type.
func (m *mutation) wrongValue() (func(string) string, bool) {
	switch m.f.retKind {
	case kindBool:
		return func(x string) string { return "!(" + x + ")" }, true
	case kindInt:
		return func(x string) string { return "(" + x + ") + 1" }, true
	case kindFloat:
		// Far enough off for tolerant comparisons.
		return func(x string) string { return "(" + x + ") + 1.0" }, true
	case kindString:
		return func(x string) string { return "(" + x + ") + \"_\"" }, true
	case kindStr:
		return func(x string) string { return "if (" + x + ").is_empty() { \"_\" } else { \"\" }" }, true
	case kindVec:
		return func(x string) string { return "{ let mut v = " + x + "; v.push(Default::default()); v }" }, true
	case kindOption:
		return func(x string) string { return "(" + x + ").and(None)" }, true
	case kindMap:
		return func(x string) string { return "{ let mut map = " + x + "; map.clear(); map }" }, true
	case kindTuple:
		inner := strings.TrimSuffix(strings.TrimPrefix(strings.Join(strings.Fields(m.f.ret), ""), "("), ")")
		first, _, _ := strings.Cut(inner, ",")
		switch kindOf(first) {
		case kindInt:
			return func(x string) string { return "{ let mut t = " + x + "; t.0 += 1; t }" }, true
		case kindFloat:
			return func(x string) string { return "{ let mut t = " + x + "; t.0 += 1.0; t }" }, true
		}
	}
	return nil, false
}

// wrongReturn makes every return give a wrong value of the right type.
func wrongReturn(m *mutation) bool {
	wrap, ok := m.wrongValue()
	sites := m.returns()
	if !ok || len(sites) == 0 {
		return false
	}
	m.rewrite(sites, wrap)
	return true
}

var comparison = regexp.MustCompile(`==|!=|<=|>=| < | > `)

func negate(op string) string {
	switch op {
	case "==":
		return "!="
	case "!=":
		return "=="
	case "<=":
		return ">"
	case ">=":
		return "<"
	case " < ":
		return " >= "
	case " > ":
		return " <= "
	}
	return op
}

// flipComparison negates a comparison in an if condition.
func flipComparison(m *mutation) bool {
	type site struct{ line, at, n int }
	var cands []site
	for _, i := range m.body() {
		c := m.code(i)
		if !strings.HasPrefix(c, "if ") && !strings.HasPrefix(c, "} else if ") || !strings.HasSuffix(c, "{") {
			continue
		}
		for _, sp := range comparison.FindAllStringIndex(m.e.masked[i], -1) {
			cands = append(cands, site{i, sp[0], sp[1] - sp[0]})
		}
	}
	s, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + negate(l[s.at:s.at+s.n]) + l[s.at+s.n:]
	return true
}

var intLiteral = regexp.MustCompile(`\b\d+\b`)

// offByOneConstant moves an integer constant of an if condition by one.
func offByOneConstant(m *mutation) bool {
	type site struct{ line, a, b int }
	var cands []site
	for _, i := range m.body() {
		ml := m.e.masked[i]
		c := strings.TrimSpace(ml)
		if !strings.HasPrefix(c, "if ") || !strings.HasSuffix(c, "{") || strings.Contains(c, "[") {
			continue
		}
		for _, sp := range intLiteral.FindAllStringIndex(ml, -1) {
			if sp[0] > 0 && (ml[sp[0]-1] == '.' || isIdentByte(ml[sp[0]-1])) || sp[1] < len(ml) && (ml[sp[1]] == '.' || isIdentByte(ml[sp[1]])) {
				continue
			}
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
	m.lines[s.line] = l[:s.a] + strconv.Itoa(n+1) + l[s.b:]
	return true
}

// ---- type ----

// returnTypeError makes one return give a value of another type.
func returnTypeError(m *mutation) bool {
	s, ok := pick(m.rng, m.returns())
	if !ok {
		return false
	}
	var wrap func(string) string
	switch m.f.retKind {
	case kindInt:
		wrap = func(x string) string { return "(" + x + ") as f64" }
	case kindFloat:
		wrap = func(x string) string { return "(" + x + ") as i64" }
	case kindBool:
		wrap = func(x string) string { return "(" + x + ") as i32" }
	case kindString, kindStr:
		wrap = func(x string) string { return "(" + x + ").len()" }
	default:
		if m.f.ret == "" {
			return false
		}
		wrap = func(x string) string { return "Some(" + x + ")" }
	}
	m.rewrite([]returnSite{s}, wrap)
	return true
}

// strPlusValue builds a label the way other languages concatenate: a
// string literal plus a parameter, which Rust's &str does not support.
func strPlusValue(m *mutation) bool {
	var ps []param
	for _, p := range m.f.params {
		if p.name != "" && p.name != "_" {
			ps = append(ps, p)
		}
	}
	p, ok := pick(m.rng, ps)
	if !ok {
		return false
	}
	v, ok := m.newName("label", "description", "message", "key_str")
	if !ok {
		return false
	}
	return m.insertFirst("let " + v + " = \"value: \" + " + p.name + ";")
}

// ---- index ----

// indexAtLen reads a sequence parameter one past its end first thing.
func indexAtLen(m *mutation) bool {
	var ps []param
	for _, p := range m.f.params {
		if p.name != "" && (p.kind == kindVec || p.kind == kindStr || p.kind == kindString) {
			ps = append(ps, p)
		}
	}
	p, ok := pick(m.rng, ps)
	if !ok {
		return false
	}
	v, ok := m.newName("last", "last_item", "end_item", "final_item")
	if !ok {
		return false
	}
	if p.kind == kindVec {
		return m.insertFirst("let " + v + " = &" + p.name + "[" + p.name + ".len()];")
	}
	return m.insertFirst("let " + v + " = &" + p.name + "[" + p.name + ".len().." + p.name + ".len() + 1];")
}

var forRange = regexp.MustCompile(`^for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+\(?[^.;{}]*\.\.([A-Za-z_][A-Za-z0-9_]*)\.len\(\)\)?\s*\{$`)

// rangePastEnd makes a `for i in a..v.len()` loop that indexes v[i] run
// one step past the end.
func rangePastEnd(m *mutation) bool {
	var cands []int
	body := m.body()
	for k, i := range body {
		mm := forRange.FindStringSubmatch(m.code(i))
		if mm == nil {
			continue
		}
		idx := regexp.MustCompile(`\b` + regexp.QuoteMeta(mm[2]) + `\[` + regexp.QuoteMeta(mm[1]) + `\]`)
		d := m.f.depth[i]
		for _, j := range body[k+1:] {
			if m.f.depth[j] <= d && m.code(j) != "" {
				break
			}
			if idx.MatchString(m.e.masked[j]) {
				cands = append(cands, i)
				break
			}
		}
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndex(m.e.masked[i], ".len()")
	m.lines[i] = m.lines[i][:j+len(".len()")] + " + 1" + m.lines[i][j+len(".len()"):]
	return true
}

// ---- timeout ----

// stuckLoop starts the function with a loop whose counter never moves:
// `i + 1;` where `i += 1;` was meant.
func stuckLoop(m *mutation) bool {
	v, ok := m.newName("i", "idx", "step", "attempts", "counter")
	if !ok {
		return false
	}
	bound := strconv.Itoa(3 + m.rng.IntN(8))
	return m.insertFirst("let mut "+v+" = 0;", "while "+v+" < "+bound+" {", "    "+v+" + 1;", "}")
}

var increment = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=)\s*[A-Za-z0-9_]+\s*;$`)
var growth = regexp.MustCompile(`\+=|-=|\*=|\.push|\.insert|\.extend|\.append|\.remove|\.pop|\bbreak\b|\breturn\b`)

// dropIncrement removes the statement that advances a while loop's
// counter, in a loop that does nothing else that grows or ends it.
func dropIncrement(m *mutation) bool {
	var cands []int
	body := m.body()
	for k, i := range body {
		c := m.code(i)
		if !m.own(i) || !strings.HasPrefix(c, "while ") || !strings.HasSuffix(c, "{") {
			continue
		}
		d := m.f.depth[i]
		inc, others := -1, false
		for _, j := range body[k+1:] {
			if m.f.depth[j] <= d {
				break
			}
			cj := m.code(j)
			if mm := increment.FindStringSubmatch(cj); mm != nil && m.f.depth[j] == d+1 &&
				regexp.MustCompile(`\b`+mm[1]+`\b`).MatchString(c) && inc < 0 {
				inc = j
				continue
			}
			if growth.MatchString(cj) {
				others = true
			}
		}
		if inc >= 0 && !others {
			cands = append(cands, inc)
		}
	}
	i, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	m.lines[i] = indentOf(m.lines[i])
	return true
}

func isKeyword(s string) bool {
	switch s {
	case "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl",
		"in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
		"struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
		"abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
		"yield", "try", "union", "_":
		return true
	}
	return false
}
