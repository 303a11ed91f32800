package python

import (
	"strings"

	"github.com/selfrepair/selfrepair/tasks"
)

// kind is what the mutators know of a value's type.
type kind uint8

const (
	kindUnknown kind = iota
	kindBool
	kindInt
	kindFloat
	kindStr
	kindList
	kindTuple
	kindDict
	kindSet
	kindNone
)

func (k kind) numeric() bool  { return k == kindInt || k == kindFloat || k == kindBool }
func (k kind) sequence() bool { return k == kindStr || k == kindList || k == kindTuple }

// literalKind guesses the type of a Python expression from its first token.
// m is the expression masked (see scan), so strings show as quotes around
// masked bytes.
func literalKind(m string) kind {
	t := strings.TrimSpace(m)
	if t == "" {
		return kindUnknown
	}
	switch word := leadingIdent(t); word {
	case "True", "False":
		return kindBool
	case "None":
		return kindNone
	case "set", "frozenset":
		return kindSet
	case "tuple":
		return kindTuple
	case "list", "sorted":
		return kindList
	case "dict":
		return kindDict
	case "str":
		return kindStr
	case "int", "len":
		return kindInt
	case "float":
		return kindFloat
	case "":
	default:
		return kindUnknown
	}
	c := t[0]
	switch {
	case c == '\'' || c == '"' || c == maskByte:
		return kindStr
	case c >= '0' && c <= '9' || c == '.' || (c == '-' || c == '+') && len(t) > 1 && (t[1] >= '0' && t[1] <= '9' || t[1] == '.'):
		i := 0
		if c == '-' || c == '+' {
			i = 1
		}
		j := i
		for j < len(t) && (isIdentByte(t[j], true) || t[j] == '.') {
			j++
		}
		num := strings.ToLower(t[i:j])
		switch {
		case strings.HasSuffix(num, "j"):
			return kindUnknown
		case strings.HasPrefix(num, "0x") || strings.HasPrefix(num, "0o") || strings.HasPrefix(num, "0b"):
			return kindInt
		case strings.ContainsAny(num, ".e"):
			return kindFloat
		}
		return kindInt
	case c == '[':
		return kindList
	case c == '(':
		end := closing(t, 0)
		if end < 0 {
			return kindUnknown
		}
		inner := t[1:end]
		if strings.TrimSpace(inner) == "" || topLevelIndex(inner, ',') >= 0 {
			return kindTuple
		}
		return literalKind(inner)
	case c == '{':
		end := closing(t, 0)
		if end < 0 {
			return kindUnknown
		}
		inner := t[1:end]
		if strings.TrimSpace(inner) == "" || topLevelIndex(inner, ':') >= 0 {
			return kindDict
		}
		return kindSet
	}
	return kindUnknown
}

// annotationKind reads a type annotation.
func annotationKind(a string) kind {
	a = strings.Trim(strings.TrimSpace(a), `'"`)
	switch leadingIdent(a) {
	case "int":
		return kindInt
	case "float":
		return kindFloat
	case "bool":
		return kindBool
	case "str":
		return kindStr
	case "list", "List":
		return kindList
	case "tuple", "Tuple":
		return kindTuple
	case "dict", "Dict":
		return kindDict
	case "set", "Set":
		return kindSet
	case "None":
		return kindNone
	}
	return kindUnknown
}

// inferFromTests reads the assert statements of test that call fn and
// guesses the kinds of fn's positional arguments and of its result.
func inferFromTests(test, fn string) (args []kind, ret kind) {
	src := scan(test)
	seen := 0
	for _, st := range src.stmts {
		if src.keyword(st) != "assert" || seen >= 12 {
			continue
		}
		m := src.code(st)
		call := findCall(m, fn)
		if call < 0 {
			continue
		}
		seen++
		open := call + len(fn)
		end := closing(m, open)
		if end < 0 {
			continue
		}
		for i, sp := range splitTop(m[open+1 : end]) {
			a := m[open+1+sp[0] : open+1+sp[1]]
			k := literalKind(a)
			if topLevelIndex(a, '=') >= 0 && !strings.Contains(a, "==") {
				k = kindUnknown // a keyword argument
			}
			for len(args) <= i {
				args = append(args, kindUnknown)
			}
			if args[i] == kindUnknown {
				args[i] = k
			}
		}
		if ret == kindUnknown {
			ret = resultKind(m, call, end)
		}
	}
	return args, ret
}

// resultKind guesses the kind of the value of the call m[call:end+1] from
// how the assert m uses it.
func resultKind(m string, call, end int) kind {
	before := strings.TrimSpace(strings.TrimPrefix(m[:call], "assert"))
	after := strings.TrimSpace(m[end+1:])
	switch before {
	case "":
		switch {
		case after == "" || strings.HasPrefix(after, ","):
			return kindBool
		case strings.HasPrefix(after, "=="):
			exp := after[2:]
			if c := topLevelIndex(exp, ','); c >= 0 {
				exp = exp[:c]
			}
			return literalKind(exp)
		case strings.HasPrefix(after, "is True"), strings.HasPrefix(after, "is False"), strings.HasPrefix(after, "is not True"):
			return kindBool
		case strings.HasPrefix(after, "is None"):
			return kindNone
		}
	case "not":
		return kindBool
	case "math.isclose(", "isclose(", "abs(":
		return kindFloat
	}
	return kindUnknown
}

// findCall returns the index of the first call "fn(" in m that is not an
// attribute or part of a longer name, or -1.
func findCall(m, fn string) int {
	for from := 0; ; {
		i := strings.Index(m[from:], fn+"(")
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || !isIdentByte(m[i-1], true) && m[i-1] != '.' {
			return i
		}
		from = i + 1
	}
}

// reading is the Python coder's analysis of a task: what its mutators
// change and how its answers are shown.
type reading struct {
	task       tasks.Task
	tail       string    // Completion style: the def statement and the docstring after it, a key of the task
	fn         *function // the function the mutators change; nil: they make nothing
	prefix     string    // Completion style, whole-function form: imports and the def statement
	docstring  string    // Completion style: the prompt's function body (docstring), for the whole-function form
	bodyCode   string    // Completion style: statements of the prompt's function body other than strings (e.g. HumanEval/115's import)
	taken      map[string]bool
	retKind    kind
	paramKinds []kind
}

// read analyses a task. It never fails: a task it cannot read gets a
// reading whose mutators make nothing.
func read(t tasks.Task) *reading {
	e := &reading{task: t}
	if strings.TrimSpace(t.Reference) == "" {
		return e
	}
	e.taken = names(t.Prompt, t.Reference, t.Test, t.Imports, t.Setup)
	var argKinds []kind
	switch t.Style {
	case tasks.Completion:
		sig, doc, imports := promptParts(t.Prompt, t.EntryPoint)
		if sig != "" {
			e.prefix = imports + sig
			e.docstring = doc
			e.bodyCode = nonStrings(doc)
			e.tail = sig + "\n" + doc
		}
		e.fn = bodyFunction(t.Reference, sig)
		argKinds, e.retKind = inferFromTests(t.Test, "candidate")
	default:
		name := t.EntryPoint
		if name == "" {
			name = testedFunction(t)
		}
		if name != "" {
			e.fn = namedFunction(t.Reference, name)
			argKinds, e.retKind = inferFromTests(t.Test, name)
			if t.EntryPoint != "" && strings.Contains(t.Test, "candidate(") {
				argKinds, e.retKind = inferFromTests(t.Test, "candidate") // check(candidate) tests
			}
		}
	}
	if e.fn == nil {
		return e
	}
	if e.retKind == kindUnknown {
		e.retKind = annotationKind(e.fn.ret)
	}
	e.paramKinds = make([]kind, len(e.fn.params))
	for i, p := range e.fn.params {
		if i < len(argKinds) {
			e.paramKinds[i] = argKinds[i]
		}
		if e.paramKinds[i] == kindUnknown {
			e.paramKinds[i] = annotationKind(p.annotation)
		}
	}
	return e
}

// testedFunction is the first function that the tests call and the
// reference defines.
func testedFunction(t tasks.Task) string {
	defined := map[string]bool{}
	ref := scan(t.Reference)
	for _, st := range ref.stmts {
		if ref.keyword(st) == "def" {
			defined[leadingIdent(strings.TrimLeft(ref.code(st)[3:], " \t"))] = true
		}
	}
	test := scan(t.Test)
	for _, st := range test.stmts {
		m := test.code(st)
		for _, sp := range identifiers(m) {
			name := m[sp[0]:sp[1]]
			if defined[name] && sp[1] < len(m) && m[sp[1]] == '(' {
				return name
			}
		}
	}
	return ""
}

// promptParts splits a completion prompt around the entry point's def: its
// signature (the def statement), the docstring lines after it, and the
// top-level imports before it (each with its line end).
func promptParts(prompt, entryPoint string) (sig, doc, imports string) {
	src := scan(prompt)
	for _, st := range src.stmts {
		kw := src.keyword(st)
		if st.width == 0 && (kw == "import" || kw == "from") {
			imports += strings.Join(src.lines[st.first:st.last+1], "\n") + "\n"
		}
		if kw != "def" || st.width != 0 {
			continue
		}
		if leadingIdent(strings.TrimLeft(src.code(st)[3:], " \t")) != entryPoint {
			continue
		}
		sig = strings.Join(src.lines[st.first:st.last+1], "\n") + "\n"
		doc = strings.Join(src.lines[st.last+1:], "\n")
		if imports != "" {
			imports += "\n\n"
		}
		return sig, doc, imports
	}
	return "", "", ""
}

// nonStrings returns the lines of the statements of text that are not
// string expressions.
func nonStrings(text string) string {
	src := scan(text)
	var b strings.Builder
	for _, st := range src.stmts {
		if c := src.code(st); c != "" && (c[0] == '"' || c[0] == '\'' || c[0] == maskByte) {
			continue
		}
		b.WriteString(strings.Join(src.lines[st.first:st.last+1], "\n") + "\n")
	}
	return b.String()
}
