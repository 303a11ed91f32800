package golang

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// The mutators turn a reference solution (a completion: the function's
// body and closing brace) into the kind of wrong answer a code model
// gives, each aimed at one error class. They are line-based transforms of
// the reference's text, written so that the program really fails with
// the intended class when its tests run; TestMutationRealism measures how
// often it does.

// mutator is one way of making a faulty variant.
type mutator = languages.Mutator[*mutation]

// mutators is the table of mutators, by class.
func mutators() []mutator {
	return []mutator{
		{Class: languages.Syntax, Name: "unclosed-paren", Weight: 0.45, Apply: unclosedParen},
		{Class: languages.Syntax, Name: "missing-brace", Weight: 0.35, Apply: missingBrace},
		{Class: languages.Syntax, Name: "elif", Weight: 0.20, Apply: elif},
		{Class: languages.Name, Name: "misspelled-parameter", Weight: 0.45, Apply: misspellParameter},
		{Class: languages.Name, Name: "wrong-library-name", Weight: 0.30, Apply: wrongLibraryName},
		{Class: languages.Name, Name: "undefined-helper", Weight: 0.25, Apply: undefinedHelper},
		{Class: languages.Assertion, Name: "wrong-return", Weight: 0.6, Apply: wrongReturn},
		{Class: languages.Assertion, Name: "flipped-comparison", Weight: 0.2, Apply: flipComparison},
		{Class: languages.Assertion, Name: "off-by-one-constant", Weight: 0.2, Apply: offByOneConstant},
		{Class: languages.Type, Name: "wrong-return-type", Weight: 0.5, Apply: wrongReturnType},
		{Class: languages.Type, Name: "mixed-operands", Weight: 0.5, Apply: mixedOperands},
		{Class: languages.Index, Name: "index-at-len", Weight: 0.6, Apply: indexAtLen},
		{Class: languages.Index, Name: "loop-past-end", Weight: 0.4, Apply: loopPastEnd},
		{Class: languages.Timeout, Name: "counter-never-advances", Weight: 0.4, Apply: dropIncrement},
		{Class: languages.Timeout, Name: "stuck-loop", Weight: 0.6, Apply: stuckLoop},
	}
}

// mutation is the state of one mutator run on the reference's lines.
type mutation struct {
	e      *reading
	rng    *rand.Rand
	lines  []string // the reference, edited in place
	masked []string // the lines masked (see mask), as they were
	own    []bool   // per line: in the function itself, not a func literal in it
	body   int      // lines before the function's closing brace
	indent string   // of the body's first statement
	insert map[int][]string
	fresh  map[string]bool // names this mutation introduced
}

// Mutate returns the reference with a fault of class c, or ok false when
// no mutator of that class applies to this task.
func (e *reading) Mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if e.name == "" || strings.TrimSpace(e.task.Reference) == "" {
		return "", "", false
	}
	return languages.Mutate(rng, mutators(), c, func(apply func(*mutation) bool) (string, bool) {
		m, ok := e.newMutation(rng)
		if !ok || !apply(m) {
			return "", false
		}
		return m.text(), true
	})
}

func (e *reading) newMutation(rng *rand.Rand) (*mutation, bool) {
	ref := e.task.Reference
	m := &mutation{e: e, rng: rng, lines: strings.Split(ref, "\n"), insert: map[int][]string{}, fresh: map[string]bool{}}
	m.masked = strings.Split(mask(ref), "\n")
	// The closing brace of the function: the first line that brings the
	// depth (the stub's brace counted) to zero.
	depth := 1
	m.body = -1
	for i, l := range m.masked {
		depth += strings.Count(l, "{") - strings.Count(l, "}")
		if depth == 0 {
			m.body = i
			break
		}
	}
	if m.body < 0 {
		return nil, false
	}
	m.own = ownLines(m.masked[:m.body])
	for i := 0; i < m.body; i++ {
		if strings.TrimSpace(m.masked[i]) != "" {
			m.indent = indentOf(m.lines[i])
			break
		}
	}
	if m.indent == "" {
		m.indent = "    "
	}
	return m, true
}

// ownLines marks the lines that start in the function itself rather than
// in a function literal inside it.
func ownLines(masked []string) []bool {
	own := make([]bool, len(masked))
	var stack []bool // per open brace: it opened a func literal's body
	inLit := func() bool {
		for _, lit := range stack {
			if lit {
				return true
			}
		}
		return false
	}
	pending := false // a func keyword whose body has not opened yet
	for i, l := range masked {
		own[i] = !inLit()
		for j := 0; j < len(l); j++ {
			switch c := l[j]; {
			case c == '{':
				stack = append(stack, pending)
				pending = false
			case c == '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			case c == 'f' && strings.HasPrefix(l[j:], "func") && (j == 0 || !isIdentByte(l[j-1], true)) &&
				(j+4 == len(l) || !isIdentByte(l[j+4], true)):
				pending = true
			}
		}
	}
	return own
}

func indentOf(line string) string { return line[:len(line)-len(strings.TrimLeft(line, " \t"))] }

func (m *mutation) text() string {
	out := languages.Insert(m.lines, m.insert)
	return strings.Join(out, "\n")
}

// ownBody lists the lines of the function itself that hold code.
func (m *mutation) ownBody() []int {
	var out []int
	for i := 0; i < m.body; i++ {
		if m.own[i] && strings.TrimSpace(m.masked[i]) != "" {
			out = append(out, i)
		}
	}
	return out
}

// insertFirst inserts statements at the start of the body.
func (m *mutation) insertFirst(lines ...string) {
	for _, l := range lines {
		m.insert[0] = append(m.insert[0], m.indent+l)
	}
}

// newName returns the first candidate that the task does not use and Go
// does not predeclare.
func (m *mutation) newName(cands ...string) (string, bool) {
	for _, c := range cands {
		if c != "" && !m.e.taken[c] && !m.fresh[c] && !isKeyword(c) && !isPredeclared(c) {
			m.fresh[c] = true
			return c, true
		}
	}
	return "", false
}

func pickLine(rng *rand.Rand, xs []int) (int, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	return xs[rng.IntN(len(xs))], true
}

// ---- syntax ----

// unclosedParen removes the last closing parenthesis of a line.
func unclosedParen(m *mutation) bool {
	var cands []int
	for _, i := range m.ownBody() {
		if strings.Contains(m.masked[i], ")") {
			cands = append(cands, i)
		}
	}
	i, ok := pickLine(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndexByte(m.masked[i], ')')
	m.lines[i] = m.lines[i][:j] + m.lines[i][j+1:]
	return true
}

var blockHeadRE = regexp.MustCompile(`^\s*(?:\}\s*else\s+)?(?:if|for|switch)\b.*\{\s*$`)

// missingBrace removes the opening brace of an if, for or switch.
func missingBrace(m *mutation) bool {
	var cands []int
	for _, i := range m.ownBody() {
		if blockHeadRE.MatchString(m.masked[i]) {
			cands = append(cands, i)
		}
	}
	i, ok := pickLine(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.LastIndexByte(m.masked[i], '{')
	m.lines[i] = strings.TrimRight(m.lines[i][:j], " \t") + m.lines[i][j+1:]
	return true
}

var elseIfRE = regexp.MustCompile(`\}\s*else\s+if\b`)

// elif writes an else-if the Python way.
func elif(m *mutation) bool {
	var cands []int
	for _, i := range m.ownBody() {
		if elseIfRE.MatchString(m.masked[i]) {
			cands = append(cands, i)
		}
	}
	i, ok := pickLine(m.rng, cands)
	if !ok {
		return false
	}
	loc := elseIfRE.FindStringIndex(m.masked[i])
	m.lines[i] = m.lines[i][:loc[0]] + "} elif" + m.lines[i][loc[1]:]
	return true
}

// ---- name ----

// uses finds where identifier name is read in masked line l: not a
// selector's field, not a composite literal's key, not assigned.
func uses(l, name string) []int {
	var out []int
	for i := 0; i+len(name) <= len(l); i++ {
		if l[i:i+len(name)] != name || i > 0 && (isIdentByte(l[i-1], true) || l[i-1] == '.') ||
			i+len(name) < len(l) && isIdentByte(l[i+len(name)], true) {
			continue
		}
		after := strings.TrimLeft(l[i+len(name):], " \t")
		if strings.HasPrefix(after, ":") || strings.HasPrefix(after, "=") && !strings.HasPrefix(after, "==") ||
			strings.HasPrefix(after, ",") && strings.Contains(after, ":=") {
			continue
		}
		out = append(out, i)
	}
	return out
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
		k := len(b) / 2
		b[k-1], b[k] = b[k], b[k-1]
		out = append(out, string(b))
	}
	return append(out, name+"List", name+"1", "input"+strings.ToUpper(name[:1])+name[1:])
}

var funcRE = regexp.MustCompile(`\bfunc\b`)

// misspellParameter misspells a parameter where the function first reads
// it.
func misspellParameter(m *mutation) bool {
	for _, i := range m.ownBody() {
		if funcRE.MatchString(m.masked[i]) {
			continue // a func literal's parameters may shadow the function's
		}
		for _, p := range m.e.params {
			at := uses(m.masked[i], p.name)
			if len(at) == 0 {
				continue
			}
			bad, ok := m.newName(misspellings(p.name)...)
			if !ok {
				return false
			}
			m.lines[i] = m.lines[i][:at[0]] + bad + m.lines[i][at[0]+len(p.name):]
			return true
		}
	}
	return false
}

// libraryNames are names of the standard library's functions and the
// names a model used to other languages writes for them.
func libraryNames() map[string][]string {
	return map[string][]string{
		"strings.ToUpper":    {"strings.Upper", "strings.UpperCase"},
		"strings.ToLower":    {"strings.Lower", "strings.LowerCase"},
		"strings.Contains":   {"strings.Includes"},
		"strings.Index":      {"strings.IndexOf", "strings.Find"},
		"strings.HasPrefix":  {"strings.StartsWith"},
		"strings.HasSuffix":  {"strings.EndsWith"},
		"strings.TrimSpace":  {"strings.Strip", "strings.Trimmed"},
		"strings.Split":      {"strings.SplitString"},
		"strings.Join":       {"strings.Concat"},
		"strings.Fields":     {"strings.Words"},
		"strings.Repeat":     {"strings.Times"},
		"strings.Replace":    {"strings.ReplaceAllOf"},
		"strings.ReplaceAll": {"strings.ReplaceEvery"},
		"strconv.Itoa":       {"strconv.ToString", "strconv.IntToString"},
		"strconv.Atoi":       {"strconv.ParseInteger", "strconv.ToInt"},
		"sort.Ints":          {"sort.SortInts"},
		"sort.Strings":       {"sort.SortStrings"},
		"sort.Slice":         {"sort.SortSlice", "sort.SortBy"},
		"sort.Float64s":      {"sort.SortFloats"},
		"math.Abs":           {"math.Absolute"},
		"math.Sqrt":          {"math.SquareRoot"},
		"math.Pow":           {"math.Power"},
		"math.Max":           {"math.Maximum"},
		"math.Min":           {"math.Minimum"},
		"math.Floor":         {"math.FloorDiv"},
		"math.Ceil":          {"math.Ceiling"},
		"math.Round":         {"math.RoundHalf"},
		"fmt.Sprintf":        {"fmt.Format"},
		"fmt.Sprint":         {"fmt.ToString"},
		"len":                {"length", "size"},
		"append":             {"push"},
	}
}

var qualifiedCallRE = regexp.MustCompile(`\b([a-z]+\.[A-Z]\w*|len|append)\(`)

// wrongLibraryName calls a standard function by a name it does not have.
func wrongLibraryName(m *mutation) bool {
	names := libraryNames()
	type site struct{ line, at, n int }
	var cands []site
	for _, i := range m.ownBody() {
		for _, loc := range qualifiedCallRE.FindAllStringSubmatchIndex(m.masked[i], -1) {
			name := m.masked[i][loc[2]:loc[3]]
			if loc[2] > 0 && m.masked[i][loc[2]-1] == '.' {
				continue
			}
			if _, ok := names[name]; ok && !(!strings.Contains(name, ".") && m.e.declares(name)) {
				cands = append(cands, site{i, loc[2], loc[3] - loc[2]})
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	name := m.lines[s.line][s.at : s.at+s.n]
	alts := names[name]
	bad := alts[m.rng.IntN(len(alts))]
	if !strings.Contains(bad, ".") {
		var ok bool
		if bad, ok = m.newName(alts...); !ok {
			return false
		}
	}
	m.lines[s.line] = m.lines[s.line][:s.at] + bad + m.lines[s.line][s.at+s.n:]
	return true
}

// declares reports whether the task declares name itself (a parameter, a
// variable or a function that shadows a builtin).
func (e *reading) declares(name string) bool {
	for _, p := range e.params {
		if p.name == name {
			return true
		}
	}
	n := regexp.QuoteMeta(name)
	decl := regexp.MustCompile(`\b` + n + `\s*(:=|,[^=]*:=)|\bvar\s+` + n + `\b|\bfunc\s+` + n + `\b`)
	return decl.MatchString(mask(e.task.Prompt + "\n" + e.task.Reference))
}

// undefinedHelper makes the function first pass a parameter through a
// helper it never defines.
func undefinedHelper(m *mutation) bool {
	if len(m.e.params) == 0 {
		return false
	}
	p := m.e.params[m.rng.IntN(len(m.e.params))]
	helper, ok := m.newName("validateInput", "normalizeInput", "preprocess", "cleanInput", "parseInput")
	if !ok {
		return false
	}
	m.insertFirst(p.name + " = " + helper + "(" + p.name + ")")
	return true
}

// ---- assertion ----

var returnRE = regexp.MustCompile(`^(\s*return\b)(.*)$`)

// returns lists the function's own return statements with a value, each
// on one line; ok is false when one spans lines or returns nothing.
func (m *mutation) returns() (lines []int, ok bool) {
	for _, i := range m.ownBody() {
		r := returnRE.FindStringSubmatch(m.masked[i])
		if r == nil {
			continue
		}
		value := strings.TrimSpace(r[2])
		if value == "" || !balanced(value) {
			return nil, false
		}
		lines = append(lines, i)
	}
	return lines, len(lines) > 0
}

// balanced reports whether a masked expression closes every bracket it
// opens.
func balanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		if depth < 0 {
			return false
		}
	}
	return depth == 0
}

// rewriteReturns wraps the value of the given return lines: return pre +
// value + post.
func (m *mutation) rewriteReturns(lines []int, pre, post string) {
	for _, i := range lines {
		r := returnRE.FindStringSubmatchIndex(m.masked[i])
		start := r[4]
		for start < len(m.lines[i]) && (m.lines[i][start] == ' ' || m.lines[i][start] == '\t') {
			start++
		}
		end := len(strings.TrimRight(m.masked[i], " \t;"))
		m.lines[i] = m.lines[i][:start] + pre + m.lines[i][start:end] + post + m.lines[i][end:]
	}
}

func isInt(t string) bool {
	switch t {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "rune", "byte":
		return true
	}
	return false
}

func isFloat(t string) bool { return t == "float64" || t == "float32" }

// wrongReturn makes every return give a wrong value of the right type.
func wrongReturn(m *mutation) bool {
	lines, ok := m.returns()
	if !ok {
		return false
	}
	switch t := m.e.result; {
	case t == "bool":
		m.rewriteReturns(lines, "!(", ")")
	case isInt(t):
		m.rewriteReturns(lines, "(", ") + 1")
	case isFloat(t):
		// Far enough off for tolerant comparisons.
		m.rewriteReturns(lines, "(", ")*1.5 + 1")
	case t == "string":
		m.rewriteReturns(lines, "(", ") + \"x\"")
	case t == "[]int" || t == "[]float64" || t == "[]string":
		// An element in front: tests that compare only a prefix see it.
		zero := "0"
		if t == "[]string" {
			zero = `"?"`
		}
		m.rewriteReturns(lines, "append("+t+"{"+zero+"}, ", "...)")
	default:
		return false
	}
	return true
}

var comparisonRE = regexp.MustCompile(`[^<>=!]([<>]=?|[=!]=)[^<>=]`)

var ifRE = regexp.MustCompile(`^\s*(?:\}\s*else\s+)?if\b`)

// flipComparison negates a comparison in an if condition or a return.
func flipComparison(m *mutation) bool {
	type site struct{ line, at, n int }
	var cands []site
	for _, i := range m.ownBody() {
		l := m.masked[i]
		if !ifRE.MatchString(l) && !returnRE.MatchString(l) {
			continue
		}
		for _, loc := range comparisonRE.FindAllStringSubmatchIndex(l, -1) {
			if strings.Contains(l[:loc[2]], "<-") {
				continue
			}
			cands = append(cands, site{i, loc[2], loc[3] - loc[2]})
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

var intLiteralRE = regexp.MustCompile(`(^|[^\w.])(\d{1,6})($|[^\w.])`)
var forRE = regexp.MustCompile(`^\s*for\b`)

// offByOneConstant moves an integer constant of a condition, a loop or a
// return by one.
func offByOneConstant(m *mutation) bool {
	type site struct{ line, a, b int }
	var cands []site
	for _, i := range m.ownBody() {
		l := m.masked[i]
		if !ifRE.MatchString(l) && !returnRE.MatchString(l) && !forRE.MatchString(l) {
			continue
		}
		for _, loc := range intLiteralRE.FindAllStringSubmatchIndex(l, -1) {
			if arrayLength(l, loc[4], loc[5]) {
				continue // [2]int{...}: a wrong length is a type error
			}
			cands = append(cands, site{i, loc[4], loc[5]})
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

// arrayLength reports whether the literal l[a:b] is the length of an
// array type: "[2]int", not an index "xs[2]".
func arrayLength(l string, a, b int) bool {
	if a == 0 || l[a-1] != '[' || b >= len(l) || l[b] != ']' {
		return false
	}
	return b+1 < len(l) && (isIdentByte(l[b+1], false) || l[b+1] == '[' || l[b+1] == '*')
}

// ---- type ----

// wrongReturnType makes the first return give a value of another type.
func wrongReturnType(m *mutation) bool {
	lines, ok := m.returns()
	if !ok {
		return false
	}
	lines = lines[:1]
	switch t := m.e.result; {
	case isInt(t):
		m.rewriteReturns(lines, "float64(", ")")
	case isFloat(t):
		m.rewriteReturns(lines, "fmt.Sprint(", ")")
	case t == "bool":
		m.rewriteReturns(lines, "len(fmt.Sprint(", "))")
	case t == "string" || strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "map["):
		m.rewriteReturns(lines, "len(", ")")
	default:
		return false
	}
	return true
}

// mixedOperands makes the function first add a string and a parameter of
// another type (or a number to a string).
func mixedOperands(m *mutation) bool {
	var cands []param
	for _, p := range m.e.params {
		if !strings.HasPrefix(p.typ, "func") && !strings.HasPrefix(p.typ, "...") && p.typ != "interface{}" {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return false
	}
	p := cands[m.rng.IntN(len(cands))]
	label, ok := m.newName("label", "description", "message", "keyStr")
	if !ok {
		return false
	}
	expr := `"value: " + ` + p.name
	if p.typ == "string" {
		expr = p.name + " + 1"
	}
	m.insertFirst(label+" := "+expr, "_ = "+label)
	return true
}

// ---- index ----

// indexAtLen makes the function first read the element at len(p) of a
// slice or string parameter.
func indexAtLen(m *mutation) bool {
	var cands []param
	for _, p := range m.e.params {
		if strings.HasPrefix(p.typ, "[]") || p.typ == "string" {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return false
	}
	p := cands[m.rng.IntN(len(cands))]
	last, ok := m.newName("last", "lastItem", "endItem", "final")
	if !ok {
		return false
	}
	m.insertFirst(last+" := "+p.name+"[len("+p.name+")]", "_ = "+last)
	return true
}

var countedLoopRE = regexp.MustCompile(`^(\s*for\s+(\w+)\s*:=\s*0\s*;\s*(\w+)\s*)<(\s*len\((\w+)\)\s*;\s*(\w+)\s*\+\+\s*\{\s*)$`)

// loopPastEnd makes a loop over the indexes of a slice that it indexes
// run one step past the end.
func loopPastEnd(m *mutation) bool {
	var cands []int
	for _, i := range m.ownBody() {
		g := countedLoopRE.FindStringSubmatch(m.masked[i])
		if g == nil || g[2] != g[3] || g[2] != g[6] {
			continue
		}
		if end, ok := m.blockEnd(i); ok && m.plainLoop(i, end) && m.indexes(i, end, g[5], g[2]) {
			cands = append(cands, i)
		}
	}
	i, ok := pickLine(m.rng, cands)
	if !ok {
		return false
	}
	j := strings.Index(m.masked[i], "<")
	m.lines[i] = m.lines[i][:j] + "<=" + m.lines[i][j+1:]
	return true
}

// blockEnd is the line that closes the block opened at the end of line i.
func (m *mutation) blockEnd(i int) (int, bool) {
	depth := 0
	for j := i; j < m.body; j++ {
		depth += strings.Count(m.masked[j], "{") - strings.Count(m.masked[j], "}")
		if depth <= 0 {
			return j, j > i
		}
	}
	return 0, false
}

var exitRE = regexp.MustCompile(`\b(break|return|goto|panic|os\.Exit)\b`)

// plainLoop reports whether the loop body between lines i and end can
// neither leave early nor change its counter.
func (m *mutation) plainLoop(i, end int) bool {
	for j := i + 1; j < end; j++ {
		if exitRE.MatchString(m.masked[j]) {
			return false
		}
	}
	return true
}

// indexes reports whether the loop body between lines i and end indexes
// seq with the counter, outside any inner block that may not run.
func (m *mutation) indexes(i, end int, seq, counter string) bool {
	want := seq + "[" + counter + "]"
	depth := 0
	for j := i + 1; j < end; j++ {
		l := m.masked[j]
		if depth == 0 && strings.Contains(l, want) {
			k := strings.Index(l, want)
			if k == 0 || !isIdentByte(l[k-1], true) && l[k-1] != '.' {
				return true
			}
		}
		depth += strings.Count(l, "{") - strings.Count(l, "}")
	}
	return false
}

// ---- timeout ----

var incLoopRE = regexp.MustCompile(`^(\s*for\s+(\w+)\s*:=\s*[^;]+;[^;]+;\s*)(\w+)\s*(\+\+|--)(\s*\{\s*)$`)

// dropIncrement removes the post statement of a counted loop whose body
// never changes the counter itself and cannot leave early.
func dropIncrement(m *mutation) bool {
	var cands []int
	for _, i := range m.ownBody() {
		g := incLoopRE.FindStringSubmatch(m.masked[i])
		if g == nil || g[2] != g[3] {
			continue
		}
		end, ok := m.blockEnd(i)
		if !ok || !m.plainLoop(i, end) {
			continue
		}
		changed := regexp.MustCompile(`\b` + regexp.QuoteMeta(g[2]) + `\s*(\+\+|--|[-+*/]?=[^=])`)
		safe := true
		for j := i + 1; j < end; j++ {
			if changed.MatchString(m.masked[j]) {
				safe = false
			}
		}
		if safe {
			cands = append(cands, i)
		}
	}
	i, ok := pickLine(m.rng, cands)
	if !ok {
		return false
	}
	g := incLoopRE.FindStringSubmatchIndex(m.masked[i])
	m.lines[i] = m.lines[i][:g[6]] + m.lines[i][g[9]:]
	return true
}

// stuckLoop makes the function first run a loop whose counter never
// advances (a for with its post statement forgotten).
func stuckLoop(m *mutation) bool {
	v, ok := m.newName("i", "idx", "step", "attempts", "count")
	if !ok {
		return false
	}
	bound := strconv.Itoa(3 + m.rng.IntN(8))
	m.insertFirst("for "+v+" := 0; "+v+" < "+bound+"; {", "}")
	return true
}

// ---- names ----

func isKeyword(s string) bool {
	switch s {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func", "go",
		"goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct", "switch", "type", "var":
		return true
	}
	return false
}

func isPredeclared(s string) bool {
	switch s {
	case "bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8", "int16", "int32", "int64",
		"rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "any", "comparable",
		"true", "false", "iota", "nil", "append", "cap", "close", "complex", "copy", "delete", "imag", "len", "make",
		"new", "panic", "print", "println", "real", "recover", "min", "max", "clear",
		"math", "strings", "strconv", "sort", "fmt", "bytes", "regexp", "time", "rand", "md5", "unicode", "os":
		return true
	}
	return false
}
