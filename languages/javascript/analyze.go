package javascript

import (
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/tasks"
)

// kind is what the mutators know of a value's type.
type kind uint8

const (
	kindUnknown kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
	kindNull
)

func (k kind) sequence() bool { return k == kindString || k == kindArray }

// literalKind guesses the type of a JavaScript expression, masked, from its
// first token.
func literalKind(m string) kind {
	t := strings.TrimSpace(m)
	if t == "" {
		return kindUnknown
	}
	switch identAt(t, 0) {
	case "true", "false":
		return kindBool
	case "null", "undefined":
		return kindNull
	case "":
	default:
		return kindUnknown
	}
	c := t[0]
	switch {
	case c == '\'' || c == '"' || c == '`':
		return kindString
	case c >= '0' && c <= '9' || c == '.' || (c == '-' || c == '+') && len(t) > 1 && (t[1] >= '0' && t[1] <= '9' || t[1] == '.'):
		return kindNumber
	case c == '[':
		return kindArray
	case c == '{':
		return kindObject
	case c == '!':
		return kindBool
	}
	return kindUnknown
}

// splitTop splits masked text at its top-level commas: [start, end) pairs.
func splitTop(m string) [][2]int {
	var out [][2]int
	depth, start := 0, 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, [2]int{start, i})
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(m[start:]) != "" || len(out) > 0 {
		out = append(out, [2]int{start, len(m)})
	}
	return out
}

// inferFromTests reads the kinds of the arguments of the first call of fn
// in test, and the kind of the values its results are compared with.
func inferFromTests(test, fn string) (args []kind, ret kind) {
	m := mask(test)
	for from := 0; ; {
		i := findCall(m[from:], fn)
		if i < 0 {
			break
		}
		i += from
		open := i + len(fn)
		for m[open] != '(' {
			open++
		}
		end := closing(m, open)
		if end < 0 {
			break
		}
		if args == nil {
			inner := m[open+1 : end]
			for _, sp := range splitTop(inner) {
				args = append(args, literalKind(inner[sp[0]:sp[1]]))
			}
		}
		if ret == kindUnknown {
			ret = resultKind(m, i, end+1)
		}
		if args != nil && ret != kindUnknown {
			break
		}
		from = end + 1
	}
	return args, ret
}

// resultKind is the kind of what the call m[call:end] is compared with:
// "f(x) === v", "JSON.stringify(f(x)) === JSON.stringify(v)", "!f(x)" or a
// bare console.assert(f(x)).
func resultKind(m string, call, end int) kind {
	const js = "JSON.stringify("
	if strings.HasSuffix(m[:call], js) {
		// Compared as JSON: the kind of the other side's value.
		close := end
		if close < len(m) && m[close] == ')' {
			close++
		}
		rest := strings.TrimLeft(m[close:], " \t\n")
		for _, op := range []string{"===", "!==", "==", "!="} {
			if strings.HasPrefix(rest, op) {
				rest = strings.TrimLeft(rest[len(op):], " \t\n")
				rest = strings.TrimPrefix(rest, js)
				return literalKind(rest)
			}
		}
		return kindUnknown
	}
	before := strings.TrimRight(m[:call], " \t\n")
	if strings.HasSuffix(before, "!") || strings.HasSuffix(before, "console.assert(") && strings.HasPrefix(strings.TrimLeft(m[end:], " \t\n"), ")") {
		return kindBool
	}
	rest := strings.TrimLeft(m[end:], " \t\n")
	for _, op := range []string{"===", "!==", "==", "!="} {
		if strings.HasPrefix(rest, op) {
			return literalKind(rest[len(op):])
		}
	}
	for _, op := range []string{"===", "!==", "==", "!="} {
		if strings.HasSuffix(before, op) {
			b := strings.TrimRight(strings.TrimSuffix(before, op), " \t\n")
			if strings.HasSuffix(b, "true") || strings.HasSuffix(b, "false") {
				return kindBool
			}
		}
	}
	if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "<") || strings.HasPrefix(rest, ">") {
		return kindNumber
	}
	return kindUnknown
}

// findCall returns the offset of the first call of fn in masked m, or -1.
func findCall(m, fn string) int {
	for from := 0; ; {
		i := strings.Index(m[from:], fn)
		if i < 0 {
			return -1
		}
		i += from
		j := i + len(fn)
		for j < len(m) && (m[j] == ' ' || m[j] == '\t') {
			j++
		}
		if (i == 0 || !isIdentByte(m[i-1], true) && m[i-1] != '.') && j < len(m) && m[j] == '(' {
			return i
		}
		from = i + len(fn)
	}
}

// paramsRE reads the parameters of a stub line: "= (a, b) =>",
// "= a =>" or "function f(a, b)".
var paramsRE = regexp.MustCompile(`(?:=\s*(?:async\s*)?\(([^()]*)\)\s*=>|=\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>|function\s*\*?\s*[A-Za-z_$][\w$]*\s*\(([^()]*)\))`)

// params are the parameter names of a stub line (defaults and
// destructuring patterns are left out).
func params(stubLine string) []string {
	m := paramsRE.FindStringSubmatch(stubLine)
	if m == nil {
		return nil
	}
	list := m[1] + m[2] + m[3]
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if i := strings.IndexByte(p, '='); i >= 0 {
			p = strings.TrimSpace(p[:i])
		}
		p = strings.TrimPrefix(p, "...")
		if identAt(p, 0) == p && p != "" {
			out = append(out, p)
		}
	}
	return out
}

// reading is the analysis of a task for its mutators.
type reading struct {
	task   tasks.Task
	name   string // the function under test
	params []string
	// paramKinds and retKind are read from the tests.
	paramKinds []kind
	retKind    kind
	head       string // the prompt before the function's documentation: helpers
	doc        string // the function's documentation comment, with its newline
	stubLine   string // the function's first line, with its newline
	// lines are the reference's (a body and the closing brace), masked
	// the same.
	lines, masked []string
	depth         []int  // brace depth at the start of each line (1 in the body)
	own           []bool // the line starts in the function itself, not in a nested one
	indent        string
	taken         map[string]bool // identifiers of the program and the tests
}

// read analyses t; a task it cannot read gets a reading that makes no
// faulty variants (name is "").
func read(t tasks.Task) *reading {
	e := &reading{task: t}
	if t.Style != tasks.Completion {
		return e
	}
	name, at, ok := stub(t.Prompt)
	if !ok {
		return e
	}
	e.stubLine = t.Prompt[at:]
	e.head = t.Prompt[:at]
	if strings.HasSuffix(strings.TrimRight(e.head, " \t\n"), "*/") {
		trimmed := strings.TrimRight(e.head, " \t\n")
		if i := strings.LastIndex(trimmed, "/*"); i >= 0 && strings.TrimSpace(trimmed[i:]) != "" {
			lineStart := strings.LastIndexByte(trimmed[:i], '\n') + 1
			if strings.TrimSpace(trimmed[lineStart:i]) == "" {
				e.doc, e.head = e.head[lineStart:], e.head[:lineStart]
			}
		}
	}
	ref := strings.ReplaceAll(t.Reference, "\r\n", "\n")
	ref = strings.TrimRight(ref, " \t\n")
	if ref == "" {
		return e
	}
	e.lines = strings.Split(ref, "\n")
	e.masked = strings.Split(mask(t.Prompt + ref)[len(t.Prompt):], "\n")
	var d int
	e.depth, e.own, d = structure(e.masked)
	if d != 0 {
		return e // not a body that closes the function
	}
	e.name = name
	e.params = params(e.stubLine)
	e.indent = "  "
	for i, l := range e.lines {
		if strings.TrimSpace(e.masked[i]) != "" && e.depth[i] == 1 {
			if ind := indentOf(l); ind != "" {
				e.indent = ind
			}
			break
		}
	}
	e.taken = map[string]bool{}
	all := mask(t.Prompt + ref + "\n" + t.Test)
	for _, sp := range identifiers(all) {
		e.taken[all[sp[0]:sp[1]]] = true
	}
	args, ret := inferFromTests(t.Test, name)
	e.paramKinds = make([]kind, len(e.params))
	copy(e.paramKinds, args)
	e.retKind = ret
	if e.retKind == kindUnknown {
		e.retKind = returnedKind(e.masked, e.own)
	}
	return e
}

// returnedKind guesses the kind of what the function returns from its own
// return statements' literals.
func returnedKind(masked []string, own []bool) kind {
	for i, ml := range masked {
		t := strings.TrimSpace(ml)
		if !own[i] || !strings.HasPrefix(t, "return ") {
			continue
		}
		if k := literalKind(strings.TrimSuffix(t[len("return "):], ";")); k != kindUnknown && k != kindNull {
			return k
		}
	}
	return kindUnknown
}

// structure reads the masked lines of a function's body (and its closing
// brace): the brace depth at the start of each line (1 in the body), and
// whether the line starts in the function itself rather than in a nested
// function; end is the depth after the last line (0 when the body closes
// the function).
func structure(masked []string) (depth []int, own []bool, end int) {
	// Each open brace: whether it opened a function's body.
	stack := []bool{true}
	text := strings.Join(masked, "\n")
	pos := 0
	for _, ml := range masked {
		depth = append(depth, len(stack))
		first := pos + len(ml) - len(strings.TrimLeft(ml, " \t"))
		lineOwn := true
		for i := pos; i < pos+len(ml); i++ {
			if i == first {
				lineOwn = countTrue(stack) == 1
			}
			switch text[i] {
			case '{':
				stack = append(stack, opensFunction(text[:i]))
			case '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
		if first >= pos+len(ml) {
			lineOwn = countTrue(stack) == 1
		}
		own = append(own, lineOwn)
		pos += len(ml) + 1
	}
	return depth, own, len(stack)
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// opensFunction reports whether a brace after masked text before opens a
// function's body: after "=>", or after the parameters of a function or a
// method (a parenthesis not of if, for, while, switch, catch or with).
func opensFunction(before string) bool {
	b := strings.TrimRight(before, " \t\n")
	if strings.HasSuffix(b, "=>") {
		return true
	}
	if !strings.HasSuffix(b, ")") {
		return false
	}
	depth := 0
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				w := strings.TrimRight(b[:i], " \t\n")
				j := len(w)
				for j > 0 && isIdentByte(w[j-1], true) {
					j--
				}
				switch w[j:] {
				case "if", "for", "while", "switch", "catch", "with":
					return false
				}
				return true
			}
		}
	}
	return false
}
