package python

import (
	"math/rand/v2"
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

// mutators is the table of mutators, by class.
func mutators() []mutator {
	return []mutator{
		{Class: languages.Syntax, Name: "drop-colon", Weight: 0.45, Apply: dropColon},
		{Class: languages.Syntax, Name: "unclosed-paren", Weight: 0.35, Apply: unclosedParen},
		{Class: languages.Syntax, Name: "bad-indent", Weight: 0.20, Apply: badIndent},
		{Class: languages.Name, Name: "misspelled-parameter", Weight: 0.5, Apply: misspellParameter},
		{Class: languages.Name, Name: "undefined-builtin", Weight: 0.25, Apply: undefinedBuiltin},
		{Class: languages.Name, Name: "undefined-helper", Weight: 0.25, Apply: undefinedHelper},
		{Class: languages.Assertion, Name: "wrong-return", Weight: 0.6, Apply: wrongReturn},
		{Class: languages.Assertion, Name: "flipped-comparison", Weight: 0.2, Apply: flipComparison},
		{Class: languages.Assertion, Name: "off-by-one-constant", Weight: 0.2, Apply: offByOneConstant},
		{Class: languages.Type, Name: "str-plus-value", Weight: 0.7, Apply: concatTypeError},
		{Class: languages.Type, Name: "wrong-type-return", Weight: 0.3, Apply: returnTypeError},
		{Class: languages.Index, Name: "range-past-end", Weight: 0.4, Apply: rangePastEnd},
		{Class: languages.Index, Name: "index-at-len", Weight: 0.6, Apply: indexAtLen},
		{Class: languages.Timeout, Name: "counter-never-advances", Weight: 0.4, Apply: dropIncrement},
		{Class: languages.Timeout, Name: "stuck-loop", Weight: 0.6, Apply: stuckLoop},
	}
}

// mutation is the state of one mutator run.
type mutation struct {
	e   *reading
	f   *function
	rng *rand.Rand
	own []bool // per body statement: not inside a nested def

	lines  []string         // the source, edited in place
	insert map[int][]string // new lines to insert before a line
	drop   map[int]bool
	fresh  map[string]bool // names introduced by this mutation
}

// Mutate returns the reference with a fault of class c, or ok false when
// no mutator of that class applies to this task. A mutator may panic on
// source it does not understand (the simulator counts that as not
// applying; TestMutatorsNeverPanic keeps the built-in datasets clear of it).
func (e *reading) Mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if e.fn == nil {
		return "", "", false
	}
	return languages.Mutate(rng, mutators(), c, func(apply func(*mutation) bool) (string, bool) {
		m := e.newMutation(rng)
		if !apply(m) {
			return "", false
		}
		return m.text(), true
	})
}

func (e *reading) newMutation(rng *rand.Rand) *mutation {
	return &mutation{
		e: e, f: e.fn, rng: rng, own: e.fn.own(),
		lines:  append([]string(nil), e.fn.src.lines...),
		insert: map[int][]string{},
		drop:   map[int]bool{},
		fresh:  map[string]bool{},
	}
}

func (m *mutation) text() string {
	var out []string
	for i, l := range m.lines {
		out = append(out, m.insert[i]...)
		if !m.drop[i] {
			out = append(out, l)
		}
	}
	out = append(out, m.insert[len(m.lines)]...)
	return strings.Join(out, "\n")
}

// stmt returns body statement k.
func (m *mutation) stmt(k int) stmt { return m.f.src.stmts[m.f.body[k]] }

func (m *mutation) keyword(k int) string { return m.f.src.keyword(m.stmt(k)) }

func (m *mutation) code(k int) string { return m.f.src.code(m.stmt(k)) }

// topLevel lists the body statements of the function itself at its base
// indentation: the ones that run on every call, up to an early return.
func (m *mutation) topLevel() []int {
	var out []int
	for k := range m.f.body {
		if m.own[k] && m.stmt(k).width == m.f.base {
			out = append(out, k)
		}
	}
	return out
}

// pick returns a random element of ks; ok is false when ks is empty.
func pick(rng *rand.Rand, ks []int) (int, bool) {
	if len(ks) == 0 {
		return 0, false
	}
	return ks[rng.IntN(len(ks))], true
}

// newName returns the first candidate that is not a keyword, a builtin or a
// name the program already uses.
func (m *mutation) newName(cands ...string) (string, bool) {
	for _, c := range cands {
		if c != "" && !isKeyword(c) && !isBuiltin(c) && !m.e.taken[c] && !m.fresh[c] {
			m.fresh[c] = true
			return c, true
		}
	}
	return "", false
}

// insertFirst inserts lines (without indentation) as the first statements
// of the body, after a docstring.
func (m *mutation) insertFirst(lines ...string) {
	at := m.stmt(0).first
	top := m.topLevel()
	if len(top) > 0 {
		k := top[0]
		if c := m.code(k); len(c) > 0 && (c[0] == '"' || c[0] == '\'' || c[0] == maskByte) && len(top) > 1 {
			at = m.stmt(top[1]).first // keep the docstring first
		} else {
			at = m.stmt(k).first
		}
	}
	for _, l := range lines {
		m.insert[at] = append(m.insert[at], m.f.indent+l)
	}
}

// firstParam returns the first parameter of a kind accepted by ok.
func (m *mutation) firstParam(ok func(kind) bool) (string, kind, bool) {
	var cands []int
	for i, p := range m.f.params {
		if i < len(m.e.paramKinds) && ok(m.e.paramKinds[i]) && p.name != "self" && p.name != "cls" {
			cands = append(cands, i)
		}
	}
	i, found := pick(m.rng, cands)
	if !found {
		return "", kindUnknown, false
	}
	return m.f.params[i].name, m.e.paramKinds[i], true
}

// ---- syntax ----

func compound(kw string) bool {
	switch kw {
	case "if", "elif", "else", "for", "while", "def", "try", "except", "finally", "with", "class":
		return true
	}
	return false
}

// dropColon removes the colon ending a compound statement's header.
func dropColon(m *mutation) bool {
	var cands []int
	for k := range m.f.body {
		st := m.stmt(k)
		if compound(m.keyword(k)) && strings.HasSuffix(strings.TrimRight(m.f.src.masked[st.last], " \t"), ":") {
			cands = append(cands, k)
		}
	}
	k, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	last := m.stmt(k).last
	i := strings.LastIndexByte(m.f.src.masked[last], ':')
	m.lines[last] = m.lines[last][:i] + m.lines[last][i+1:]
	return true
}

// unclosedParen removes the last closing parenthesis of a one-line statement.
func unclosedParen(m *mutation) bool {
	var cands []int
	for k := range m.f.body {
		st := m.stmt(k)
		if st.first == st.last && strings.Contains(m.f.src.masked[st.first], ")") {
			cands = append(cands, k)
		}
	}
	k, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	l := m.stmt(k).first
	i := strings.LastIndexByte(m.f.src.masked[l], ')')
	m.lines[l] = m.lines[l][:i] + m.lines[l][i+1:]
	return true
}

// badIndent indents a top-level simple statement by one more space.
func badIndent(m *mutation) bool {
	if strings.Contains(m.f.indent, "\t") {
		return false
	}
	widths := map[int]bool{0: true}
	for _, j := range m.f.body {
		widths[m.f.src.stmts[j].width] = true
	}
	if widths[m.f.base+1] {
		return false
	}
	var cands []int
	for i, k := range m.topLevel() {
		if i == 0 || compound(m.keyword(k)) || m.keyword(k) == "@" {
			continue
		}
		cands = append(cands, k)
	}
	k, ok := pick(m.rng, cands)
	if !ok {
		return false
	}
	l := m.stmt(k).first
	m.lines[l] = " " + m.lines[l]
	return true
}

// ---- name ----

// misspellParameter misspells a parameter where the function first reads it.
func misspellParameter(m *mutation) bool {
	params := map[string]bool{}
	for _, p := range m.f.params {
		params[p.name] = true
	}
	for _, k := range m.topLevel() {
		switch m.keyword(k) {
		case "elif", "else", "except", "finally", "def", "class", "@", "global", "nonlocal", "del", "import", "from":
			continue
		}
		st := m.stmt(k)
		if st.first != st.last {
			continue
		}
		ml := m.f.src.masked[st.first]
		assign := assignIndex(ml)
		for _, sp := range identifiers(ml) {
			name := ml[sp[0]:sp[1]]
			if !params[name] || sp[0] < assign || !isLoad(ml, sp) {
				continue
			}
			bad, ok := m.newName(misspellings(name)...)
			if !ok {
				return false
			}
			m.lines[st.first] = m.lines[st.first][:sp[0]] + bad + m.lines[st.first][sp[1]:]
			return true
		}
	}
	return false
}

// assignIndex is the index of the plain "=" of an assignment statement, or
// -1.
func assignIndex(ml string) int {
	depth := 0
	for i := 0; i < len(ml); i++ {
		switch ml[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '=':
			if depth != 0 {
				continue
			}
			if i+1 < len(ml) && ml[i+1] == '=' {
				i++
				continue
			}
			if i > 0 && strings.IndexByte("=!<>+-*/%&|^@:", ml[i-1]) >= 0 {
				continue
			}
			return i
		}
	}
	return -1
}

// isLoad reports whether the identifier at sp in ml is read there (not an
// attribute, keyword argument, loop or lambda variable).
func isLoad(ml string, sp [2]int) bool {
	before := strings.TrimRight(ml[:sp[0]], " \t")
	if strings.HasSuffix(before, ".") {
		return false
	}
	for _, kw := range []string{"for", "lambda", "as", "def", "class", "import", "global", "nonlocal"} {
		if strings.HasSuffix(before, kw) && (len(before) == len(kw) || !isIdentByte(before[len(before)-len(kw)-1], true)) {
			return false
		}
	}
	after := strings.TrimLeft(ml[sp[1]:], " \t")
	if strings.HasPrefix(after, "=") && !strings.HasPrefix(after, "==") {
		return false
	}
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

// undefinedBuiltin replaces a builtin the function calls in a top-level
// statement with a name that is not defined in Python 3.
func undefinedBuiltin(m *mutation) bool {
	swaps := func(b string) []string {
		switch b {
		case "range":
			return []string{"xrange"}
		case "zip":
			return []string{"izip"}
		case "map":
			return []string{"imap"}
		case "filter":
			return []string{"ifilter"}
		case "str":
			return []string{"unicode"}
		case "len":
			return []string{"length", "size"}
		case "sorted":
			return []string{"sort_list", "sorted_list"}
		case "sum":
			return []string{"sum_of", "total_sum"}
		case "max":
			return []string{"maximum", "max_value"}
		case "min":
			return []string{"minimum", "min_value"}
		case "abs":
			return []string{"absolute", "abs_value"}
		case "reversed":
			return []string{"reverse", "reversed_list"}
		case "enumerate":
			return []string{"enum", "enumerated"}
		}
		return nil
	}
	for _, k := range m.topLevel() {
		switch m.keyword(k) {
		case "elif", "else", "except", "finally", "def", "class", "@":
			continue
		}
		st := m.stmt(k)
		if st.first != st.last {
			continue
		}
		ml := m.f.src.masked[st.first]
		for _, sp := range identifiers(ml) {
			name := ml[sp[0]:sp[1]]
			alts := swaps(name)
			if alts == nil || sp[1] >= len(ml) || ml[sp[1]] != '(' || !isLoad(ml, sp) || m.definesName(name) {
				continue
			}
			bad, ok := m.newName(alts...)
			if !ok {
				continue
			}
			m.lines[st.first] = m.lines[st.first][:sp[0]] + bad + m.lines[st.first][sp[1]:]
			return true
		}
	}
	return false
}

// definesName reports whether the function shadows a builtin: a parameter
// or an assignment of that name.
func (m *mutation) definesName(name string) bool {
	for _, p := range m.f.params {
		if p.name == name {
			return true
		}
	}
	for k := range m.f.body {
		ml := m.code(k)
		if a := assignIndex(ml); a >= 0 && strings.Contains(" "+ml[:a]+" ", " "+name+" ") {
			return true
		}
	}
	return false
}

// undefinedHelper makes the function first call a helper it never defines.
func undefinedHelper(m *mutation) bool {
	p, _, ok := m.firstParam(func(kind) bool { return true })
	if !ok {
		return false
	}
	helper, ok := m.newName("validate_input", "normalize_input", "preprocess", "clean_input", "parse_input")
	if !ok {
		return false
	}
	m.insertFirst(p + " = " + helper + "(" + p + ")")
	return true
}

// ---- assertion ----

// rewriteReturns wraps the value of every return statement of the function
// itself: return pre + value + post. It returns false when there is none
// (or the function is a generator).
func (m *mutation) rewriteReturns(pre, post string) bool {
	var rets []int
	for k := range m.f.body {
		if !m.own[k] {
			continue
		}
		switch m.keyword(k) {
		case "yield":
			return false
		case "return":
			if strings.TrimSpace(strings.TrimPrefix(m.code(k), "return")) != "" {
				rets = append(rets, k)
			}
		}
		if strings.Contains(" "+m.code(k), " yield ") {
			return false
		}
	}
	if len(rets) == 0 {
		return false
	}
	for _, k := range rets {
		st := m.stmt(k)
		first := m.lines[st.first]
		at := len(st.indent) + len("return")
		for at < len(first) && (first[at] == ' ' || first[at] == '\t') {
			at++
		}
		end := len(strings.TrimRight(m.f.src.masked[st.last], " \t;"))
		if st.first == st.last {
			m.lines[st.first] = first[:at] + pre + first[at:end] + post + first[end:]
			continue
		}
		m.lines[st.first] = first[:at] + pre + first[at:]
		last := m.lines[st.last]
		m.lines[st.last] = last[:end] + post + last[end:]
	}
	return true
}

// wrongReturn makes every return give a wrong value of the right type.
func wrongReturn(m *mutation) bool {
	switch m.e.retKind {
	case kindBool:
		return m.rewriteReturns("not (", ")")
	case kindInt:
		return m.rewriteReturns("(", ") + 1")
	case kindFloat:
		// Far enough off for tolerant comparisons (math.isclose, rel_tol).
		return m.rewriteReturns("(", ") * 1.5 + 1")
	case kindStr, kindList, kindTuple:
		return m.rewriteReturns("(", ")[:-1]")
	}
	return false
}

// comparisons finds the comparison operators in a masked line: positions
// and lengths.
func comparisons(ml string) [][2]int {
	var out [][2]int
	for i := 0; i < len(ml); i++ {
		c := ml[i]
		next := byte(0)
		if i+1 < len(ml) {
			next = ml[i+1]
		}
		prev := byte(0)
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
		case (c == '<' || c == '>') && next != c && prev != c && prev != '-' && next != '=':
			out = append(out, [2]int{i, 1})
		}
	}
	return out
}

// flipComparison negates a comparison in a condition or a return.
func flipComparison(m *mutation) bool {
	type site struct{ line, at, n int }
	var cands []site
	for k := range m.f.body {
		st := m.stmt(k)
		switch m.keyword(k) {
		case "if", "elif", "return":
		default:
			continue
		}
		if !m.own[k] || st.first != st.last {
			continue
		}
		for _, c := range comparisons(m.f.src.masked[st.first]) {
			cands = append(cands, site{st.first, c[0], c[1]})
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

// offByOneConstant moves an integer constant in a condition, loop or
// return by one.
func offByOneConstant(m *mutation) bool {
	type site struct{ line, a, b int }
	var cands []site
	for k := range m.f.body {
		st := m.stmt(k)
		switch m.keyword(k) {
		case "if", "elif", "return", "for":
		default:
			continue
		}
		if !m.own[k] || st.first != st.last {
			continue
		}
		ml := m.f.src.masked[st.first]
		for _, sp := range languages.IntLiterals(ml, func(c byte) bool { return isIdentByte(c, true) }) {
			cands = append(cands, site{st.first, sp[0], sp[1]})
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

// concatTypeError makes the function first mix a string and a non-string.
func concatTypeError(m *mutation) bool {
	p, k, ok := m.firstParam(func(k kind) bool { return k != kindUnknown && k != kindNone })
	if !ok {
		return false
	}
	if k == kindStr {
		v, ok := m.newName("size", "n_chars", "length", "total")
		if !ok {
			return false
		}
		m.insertFirst(v + " = " + p + " + 1")
		return true
	}
	if m.rng.IntN(2) == 0 {
		m.insertFirst(`print("Input: " + ` + p + ")")
		return true
	}
	v, ok := m.newName("label", "description", "message", "key_str")
	if !ok {
		return false
	}
	m.insertFirst(v + ` = "value: " + ` + p)
	return true
}

// returnTypeError makes every return apply an operation its value's type
// does not support.
func returnTypeError(m *mutation) bool {
	switch k := m.e.retKind; {
	case k.numeric():
		return m.rewriteReturns("len(", ")")
	case k == kindStr || k == kindList || k == kindTuple || k == kindDict || k == kindSet:
		return m.rewriteReturns("(", ") + 1")
	}
	return false
}

// ---- index ----

// rangePastEnd makes a `for i in range(len(xs))` loop that indexes xs run
// one step past the end.
func rangePastEnd(m *mutation) bool {
	type site struct{ line, at int }
	var cands []site
	for k := range m.f.body {
		st := m.stmt(k)
		if !m.own[k] || m.keyword(k) != "for" || st.first != st.last {
			continue
		}
		ml := m.f.src.masked[st.first]
		r := strings.Index(ml, " range(")
		if r < 0 {
			continue
		}
		open := r + len(" range")
		end := closing(ml, open)
		if end < 0 || !strings.HasPrefix(strings.TrimSpace(ml[end+1:]), ":") {
			continue
		}
		args := splitTop(ml[open+1 : end])
		if len(args) == 0 || len(args) > 2 {
			continue
		}
		lastArg := ml[open+1+args[len(args)-1][0] : open+1+args[len(args)-1][1]]
		seq, ok := lenOf(strings.TrimSpace(lastArg))
		if !ok || !m.loopIndexes(k, seq) {
			continue
		}
		cands = append(cands, site{st.first, open + 1 + args[len(args)-1][0] + len(strings.TrimRight(lastArg, " \t"))})
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	l := m.lines[s.line]
	m.lines[s.line] = l[:s.at] + " + 1" + l[s.at:]
	return true
}

// lenOf reads "len(name)".
func lenOf(s string) (string, bool) {
	inner, ok := strings.CutPrefix(s, "len(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", false
	}
	name := strings.TrimSpace(strings.TrimSuffix(inner, ")"))
	return name, name != "" && leadingIdent(name) == name
}

// loopIndexes reports whether the loop at body statement k reads seq[...]
// outside any inner loop (which may not run on the extra step) and cannot
// leave early.
func (m *mutation) loopIndexes(k int, seq string) bool {
	w := m.stmt(k).width
	found := false
	inner := -1 // width of the inner loop being skipped, or -1
	for j := k + 1; j < len(m.f.body) && m.stmt(j).width > w; j++ {
		switch m.keyword(j) {
		case "break", "return", "raise", "try":
			return false
		}
		if inner >= 0 && m.stmt(j).width > inner {
			continue
		}
		inner = -1
		c := m.code(j)
		switch m.keyword(j) {
		case "for":
			inner = m.stmt(j).width
			if in := strings.Index(c, " in "); in >= 0 {
				c = c[in+len(" in "):] // the iterable is still evaluated
			}
		case "while":
			inner = m.stmt(j).width
		}
		if strings.Contains(" "+c, " "+seq+"[") || strings.Contains(c, "("+seq+"[") {
			found = true
		}
	}
	return found
}

// indexAtLen makes the function first read the element at len(xs).
func indexAtLen(m *mutation) bool {
	p, _, ok := m.firstParam(kind.sequence)
	if !ok {
		return false
	}
	v, ok := m.newName("last", "last_item", "end_item", "final")
	if !ok {
		return false
	}
	m.insertFirst(v + " = " + p + "[len(" + p + ")]")
	return true
}

// ---- timeout ----

// dropIncrement removes the statement that advances a while loop's counter.
func dropIncrement(m *mutation) bool {
	type site struct{ k, inc, children int }
	var cands []site
	for k := range m.f.body {
		if !m.own[k] || m.keyword(k) != "while" {
			continue
		}
		cond := m.code(k)
		w := m.stmt(k).width
		if k+1 >= len(m.f.body) || m.stmt(k+1).width <= w {
			continue // a one-line loop
		}
		var children []int
		exits := false
		for j := k + 1; j < len(m.f.body) && m.stmt(j).width > w; j++ {
			switch m.keyword(j) {
			case "break", "return", "raise", "try", "yield":
				exits = true
			}
			if m.stmt(j).width == m.stmt(k+1).width {
				children = append(children, j)
			}
		}
		if exits {
			continue
		}
		assigns := map[string]int{}
		inc := map[string]int{}
		for j := k + 1; j < len(m.f.body) && m.stmt(j).width > w; j++ {
			c := m.code(j)
			v := leadingIdent(c)
			rest := strings.TrimLeft(c[len(v):], " \t")
			if v == "" || !strings.Contains(rest, "=") || strings.HasPrefix(rest, "==") {
				continue
			}
			assigns[v]++
			for _, op := range []string{"+=", "-=", "//=", "/=", ">>="} {
				if strings.HasPrefix(rest, op) {
					inc[v] = j
				}
			}
		}
		for _, sp := range identifiers(cond) {
			v := cond[sp[0]:sp[1]]
			if j, ok := inc[v]; ok && assigns[v] == 1 && isChild(children, j) {
				cands = append(cands, site{k, j, len(children)})
				break
			}
		}
	}
	if len(cands) == 0 {
		return false
	}
	s := cands[m.rng.IntN(len(cands))]
	st := m.stmt(s.inc)
	for l := st.first; l <= st.last; l++ {
		m.drop[l] = true
	}
	if s.children == 1 {
		m.insert[st.first] = append(m.insert[st.first], st.indent+"pass")
	}
	return true
}

func isChild(children []int, j int) bool {
	for _, c := range children {
		if c == j {
			return true
		}
	}
	return false
}

// stuckLoop makes the function first run a loop whose counter never
// advances (`i + 1` written for `i += 1`).
func stuckLoop(m *mutation) bool {
	v, ok := m.newName("i", "idx", "step", "attempts", "count_")
	if !ok {
		return false
	}
	bound := strconv.Itoa(3 + m.rng.IntN(8))
	m.insertFirst(v+" = 0", "while "+v+" < "+bound+":", m.f.unit+v+" + 1")
	return true
}

// ---- names ----

func isKeyword(s string) bool {
	switch s {
	case "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
		"def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
		"is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
		"match", "case", "type", "_":
		return true
	}
	return false
}

func isBuiltin(s string) bool {
	switch s {
	case "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes",
		"callable", "chr", "classmethod", "compile", "complex", "copyright", "credits", "delattr", "dict", "dir",
		"divmod", "enumerate", "eval", "exec", "exit", "filter", "float", "format", "frozenset", "getattr",
		"globals", "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter",
		"len", "license", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open",
		"ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round", "set", "setattr",
		"slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "vars", "zip", "__import__",
		"__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__",
		"Exception", "BaseException", "ValueError", "TypeError", "KeyError", "IndexError", "NameError",
		"NotImplemented", "Ellipsis", "StopIteration", "ZeroDivisionError", "AssertionError", "RuntimeError":
		return true
	}
	return false
}
