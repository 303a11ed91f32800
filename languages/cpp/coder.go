package cpp

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Coder writes C++ the way a code model gets it wrong: its mutators
// (mutate.go) are line-based transforms of a reference solution, read by
// the small reader of source.go.
type Coder struct {
	failure *regexp.Regexp // failure words in feedback
	header  *regexp.Regexp // a function's signature in a request
}

var _ languages.Coder = Coder{}

// NewCoder returns the C++ coder.
func NewCoder() Coder {
	return Coder{
		failure: regexp.MustCompile("(?m)\\berror: [^\n]*|Assertion [`'][^\n]*' failed|terminate called after throwing an instance of '[^'\n]*'(?:\n\\s*what\\(\\):[^\n]*)?|" +
			`Segmentation fault(?: \([^)\n]*\))?|Floating point exception|undefined reference to|stack smashing detected|\bAborted\b|` +
			`\bstd::(?:out_of_range|invalid_argument|length_error|bad_alloc|bad_any_cast|logic_error|runtime_error)\b`),
		header: regexp.MustCompile(`(?m)^[ \t]*((?:[A-Za-z_][A-Za-z0-9_:<>, \t*&]*?[ \t*&]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\([^;{}()]*\))[ \t]*\{`),
	}
}

// Coder returns the C++ coder.
func (Language) Coder() languages.Coder { return NewCoder() }

// Read analyses t.
func (Coder) Read(t tasks.Task) languages.Reading { return read(t) }

// Failure finds the last of C++'s failure words in text (a compiler error,
// a failed assertion, an uncaught exception, a fatal signal), classified
// as Classify does.
func (c Coder) Failure(text string) (languages.Class, int) {
	locs := c.failure.FindAllStringIndex(text, -1)
	if locs == nil {
		return "", -1
	}
	loc := locs[len(locs)-1]
	w := text[loc[0]:loc[1]]
	switch {
	case strings.HasPrefix(w, "error: "):
		if out := CompileError("x.cpp:1:1: " + w); out.Class != "" {
			return out.Class, loc[0]
		}
		return languages.Syntax, loc[0]
	case strings.HasPrefix(w, "Assertion"):
		return languages.Assertion, loc[0]
	case strings.HasPrefix(w, "terminate called"):
		m := terminateRE.FindStringSubmatch(w)
		return ExceptionClass(m[1], m[2]), loc[0]
	case strings.HasPrefix(w, "std::"):
		return ExceptionClass(w, ""), loc[0]
	case strings.HasPrefix(w, "Segmentation fault"):
		m := faultRE.FindStringSubmatch(w)
		return faultClass(m[1], m[2]), loc[0]
	case w == "Floating point exception":
		return languages.ZeroDivision, loc[0]
	case w == "undefined reference to":
		return languages.Name, loc[0]
	case w == "stack smashing detected":
		return languages.Index, loc[0]
	}
	return languages.OtherRuntime, loc[0]
}

// Stub is the first function signature of the request (or a generic one)
// with a body that returns a default value.
func (c Coder) Stub(request string) string {
	sig, ret := "int solution()", "int"
	for _, m := range c.header.FindAllStringSubmatch(request, -1) {
		if notFunctions[m[2]] || m[2] == "main" {
			continue
		}
		sig = strings.TrimSpace(m[1])
		ret = strings.TrimSpace(sig[:strings.LastIndex(sig, m[2]+"(")])
		break
	}
	body := "    // TODO: the task is not clear enough to implement.\n"
	if ret != "void" {
		body += "    return {};\n"
	}
	return sig + " {\n" + body + "}"
}

// kind is what the coder knows of a type.
type kind int

const (
	kindOther kind = iota
	kindInt
	kindFloat
	kindBool
	kindChar
	kindString
	kindVector
	kindVoid
)

func (k kind) numeric() bool { return k == kindInt || k == kindFloat || k == kindChar }

// sequence reports whether values of the kind have .at() and .size().
func (k kind) sequence() bool { return k == kindString || k == kindVector }

// kindOf reads a type's text.
func kindOf(typ string) kind {
	t := strings.Join(strings.Fields(strings.NewReplacer("const", " ", "&", " ", "std::", "", "unsigned", " int ").Replace(typ)), " ")
	switch {
	case t == "void":
		return kindVoid
	case t == "bool":
		return kindBool
	case t == "char":
		return kindChar
	case t == "float" || t == "double" || t == "long double":
		return kindFloat
	case t == "int" || t == "long" || t == "long long" || t == "short" || t == "size_t" || t == "long int" ||
		t == "int int" || t == "int long" || t == "int long long" || t == "long long int":
		return kindInt
	case t == "string":
		return kindString
	case strings.HasPrefix(t, "vector<") || strings.HasPrefix(t, "vector <"):
		return kindVector
	}
	return kindOther
}

// A param is a parameter of the function under test.
type param struct {
	name, typ string
	kind      kind
}

// reading is the coder's analysis of a task.
type reading struct {
	task    tasks.Task
	ok      bool // a completion task whose prompt ends with an open function
	st      stub
	header  string // the function's signature, to its '{'
	ret     kind
	retType string
	params  []param
	ref     string   // the reference completion
	lines   []string // its lines
	masked  []string // its lines, masked (read after the prompt)
	depth   []int    // brace depth at the start of each line: 1 in the function's body
	taken   map[string]bool
}

func read(t tasks.Task) *reading {
	e := &reading{task: t, ref: t.Reference, taken: map[string]bool{}}
	if t.Style != tasks.Completion {
		return e
	}
	st, ok := stubOf(t.Prompt)
	if !ok || strings.TrimSpace(t.Reference) == "" {
		return e
	}
	e.st, e.ok = st, true
	f := st.fn
	e.header = t.Prompt[f.start : f.open+1]
	e.retType = strings.TrimSpace(spaces(st.masked[f.header:f.nameAt]))
	e.ret = kindOf(e.retType)
	for _, p := range splitTop(t.Prompt[f.lparen+1 : f.rparen]) {
		p = strings.TrimSpace(p)
		if i := strings.IndexByte(p, '='); i >= 0 {
			p = strings.TrimSpace(p[:i])
		}
		j := len(p)
		for j > 0 && isIdentByte(p[j-1]) {
			j--
		}
		if j == len(p) || j == 0 {
			continue
		}
		e.params = append(e.params, param{name: p[j:], typ: strings.TrimSpace(p[:j]), kind: kindOf(p[:j])})
	}
	whole := t.Prompt + t.Reference
	m := mask(whole)
	for _, sp := range identifiers(m) {
		e.taken[whole[sp[0]:sp[1]]] = true
	}
	for _, sp := range identifiers(mask(t.Test + "\n" + t.VisibleTest)) {
		e.taken[(t.Test + "\n" + t.VisibleTest)[sp[0]:sp[1]]] = true
	}
	e.lines = strings.Split(t.Reference, "\n")
	body := m[len(t.Prompt):]
	e.masked = strings.Split(body, "\n")
	d := depthAt(m[:len(t.Prompt)])
	for _, ml := range e.masked {
		e.depth = append(e.depth, d)
		d += depthAt(ml)
	}
	return e
}

// spaces turns every run of white space into one space.
func spaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// splitTop splits a parameter list at its top-level commas.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '<', '[', '{':
			depth++
		case ')', '>', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

// Keys are the function's signature and the prompt's documentation.
func (e *reading) Keys() []string {
	if !e.ok {
		return nil
	}
	keys := []string{strings.TrimSpace(e.header)}
	if doc := e.doc(); len(doc) >= 24 {
		keys = append(keys, doc)
	}
	return keys
}

// doc is the prompt's first block comment (HumanEval-X's C++ docstring).
func (e *reading) doc() string {
	p := e.task.Prompt
	i := strings.Index(p, "/*")
	if i < 0 {
		return ""
	}
	j := strings.Index(p[i:], "*/")
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(p[i : i+j+2])
}

// includes are the prompt's #include and using lines.
func (e *reading) includes() string {
	var b strings.Builder
	for _, l := range strings.Split(e.task.Prompt[:e.st.fn.start], "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#include") || strings.HasPrefix(t, "using namespace") || strings.HasPrefix(t, "typedef") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// helpers is the prompt's code between its includes and the function: the
// helper functions the answer may repeat.
func (e *reading) helpers() string {
	if len(e.st.helpers) == 0 {
		return ""
	}
	fns := functions(e.st.masked)
	first := fns[0].start
	return e.task.Prompt[first:e.st.fn.start]
}

// Present turns a solution text in the task's style (for completion tasks
// a body continuing the prompt's signature) into the code a model shows:
// the body alone (sometimes without its closing brace), or the whole
// function with the prompt's includes (sometimes with the documentation,
// or the prompt's helpers repeated).
func (e *reading) Present(text string, rng *rand.Rand) string {
	body := strings.TrimRight(text, " \t\n")
	if !e.ok {
		return strings.TrimLeft(body, "\n")
	}
	if rng.Float64() < 0.4 {
		if rng.Float64() < 0.5 && strings.HasSuffix(body, "}") {
			open := mask(e.task.Prompt + body)
			if depthAt(open) == 0 {
				return strings.TrimRight(strings.TrimSuffix(body, "}"), " \t\n")
			}
		}
		return body
	}
	var b strings.Builder
	b.WriteString(e.includes())
	if h := e.helpers(); h != "" && rng.Float64() < 0.5 {
		b.WriteString(h)
	}
	if doc := e.doc(); doc != "" && rng.Float64() < 0.3 && !strings.Contains(e.header, doc) {
		b.WriteString(doc + "\n")
	}
	b.WriteString(strings.TrimRight(e.header, " \t") + "\n")
	b.WriteString(strings.TrimLeft(body, "\n"))
	return b.String()
}
