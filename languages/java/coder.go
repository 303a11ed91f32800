package java

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Coder writes Java the way a code model gets it wrong: its mutators
// (mutate.go) are line-based transforms of a task's reference completion,
// read with the masking scanner of source.go.
type Coder struct {
	exception *regexp.Regexp // exception names in feedback
	javacErr  *regexp.Regexp // javac's "error: ..." lines
	code      *regexp.Regexp // javac's diagnostic codes
	signature *regexp.Regexp // a method signature in a request
}

var _ languages.Coder = Coder{}

// NewCoder returns the Java coder.
func NewCoder() Coder {
	return Coder{
		exception: regexp.MustCompile(`\b((?:[a-z][a-z0-9_]*\.)*[A-Z][A-Za-z0-9]*(?:Exception|Error))\b`),
		javacErr:  regexp.MustCompile(`\berror: ([^\n]*)`),
		code:      regexp.MustCompile(`\b(?:compiler\.err|selfrepair)\.[a-z0-9.-]+[a-z0-9]`),
		signature: regexp.MustCompile(`(?m)^[ \t]*((?:(?:public|private|protected|static|final|synchronized)[ \t]+)*` +
			`(?:<[^>\n]*>[ \t]*)?[A-Za-z_][\w.]*(?:<[^\n(){};=]*>)?(?:\[\])*[ \t]+[a-z_]\w*[ \t]*\([^()\n]*\)` +
			`(?:[ \t]*throws[ \t]+[\w., ]+?)?)[ \t]*\{`),
	}
}

// Coder returns the Java coder.
func (Language) Coder() languages.Coder { return NewCoder() }

// simpleClass maps the simple names of the known exception types to their
// classes, for feedback that names them without their package.
func simpleClass(name string) (languages.Class, bool) {
	if strings.Contains(name, ".") {
		if _, ok := exceptionClass()[name]; ok || name == "java.lang.ArithmeticException" {
			return ClassOf(name, "by zero"), true
		}
		name = name[strings.LastIndexByte(name, '.')+1:]
	}
	if name == "ArithmeticException" {
		return languages.ZeroDivision, true
	}
	for full, c := range exceptionClass() {
		if strings.HasSuffix(full, "."+name) {
			return c, true
		}
	}
	return languages.OtherRuntime, false
}

// messageClass classifies a javac error message ("cannot find symbol").
func messageClass(msg string) languages.Class {
	switch {
	case strings.HasPrefix(msg, "cannot find symbol"),
		strings.Contains(msg, "might not have been initialized"),
		strings.Contains(msg, "is already defined"),
		strings.Contains(msg, "cannot be referenced from a static context"),
		strings.Contains(msg, "of the solution hides"):
		return languages.Name
	case strings.HasPrefix(msg, "package ") && strings.HasSuffix(msg, "does not exist"):
		return languages.Import
	case strings.HasPrefix(msg, "incompatible types"),
		strings.HasPrefix(msg, "bad operand type"),
		strings.Contains(msg, "cannot be applied to"),
		strings.HasPrefix(msg, "incomparable types"),
		strings.Contains(msg, "cannot be dereferenced"),
		strings.HasPrefix(msg, "array required, but"),
		strings.HasPrefix(msg, "unexpected type"):
		return languages.Type
	}
	return languages.Syntax
}

// Failure finds the last of Java's failure words in text: an exception
// type (the one that ended a run is printed last), a javac error line or
// a javac diagnostic code.
func (c Coder) Failure(text string) (languages.Class, int) {
	best, at := languages.Class(""), -1
	for _, loc := range c.exception.FindAllStringSubmatchIndex(text, -1) {
		if cl, ok := simpleClass(text[loc[2]:loc[3]]); loc[0] > at {
			if !ok {
				cl = languages.OtherRuntime
			}
			best, at = cl, loc[0]
		}
	}
	for _, loc := range c.javacErr.FindAllStringSubmatchIndex(text, -1) {
		if loc[0] > at {
			best, at = messageClass(text[loc[2]:loc[3]]), loc[0]
		}
	}
	for _, loc := range c.code.FindAllStringIndex(text, -1) {
		if loc[0] > at {
			best, at = CodeClass(text[loc[0]:loc[1]]), loc[0]
		}
	}
	return best, at
}

// Stub is the first method signature in the request (or a generic one)
// with a body that returns its type's default value.
func (c Coder) Stub(request string) string {
	sig := "public Object solution(Object... args)"
	if m := c.signature.FindStringSubmatch(request); m != nil {
		sig = strings.TrimSpace(m[1])
	}
	ret := returnType(sig[:strings.IndexByte(sig, '(')])
	if i := strings.LastIndexAny(ret, " \t"); i >= 0 {
		ret = ret[:i] // the method's name
	}
	body := "        // TODO: the task is not clear enough to implement.\n"
	if v := zeroValue(ret); v != "" {
		body += "        return " + v + ";\n"
	}
	return sig + " {\n" + body + "    }"
}

// zeroValue is the value a stub returns for a type ("" for void).
func zeroValue(typ string) string {
	switch strings.TrimSpace(typ) {
	case "void", "":
		return ""
	case "boolean":
		return "false"
	case "int", "long", "short", "byte":
		return "0"
	case "double", "float":
		return "0.0"
	case "char":
		return "'\\0'"
	}
	return "null"
}

// reading is the Coder's analysis of one task.
type reading struct {
	task tasks.Task
	st   stub
	ok   bool // the prompt has an open method and the reference continues it
	sig  string
	// the stub's signature line, its indentation, return type and
	// parameters (name to type)
	indent string
	ret    string
	params []param
	tail   string // the stub's documentation and signature
	// taken are the identifiers of prompt and reference: names a mutation
	// must not introduce.
	taken map[string]bool
}

type param struct{ name, typ string }

// Read analyses t.
func (Coder) Read(t tasks.Task) languages.Reading { return read(t) }

func read(t tasks.Task) *reading {
	e := &reading{task: t, taken: map[string]bool{}}
	if t.Style != tasks.Completion || strings.TrimSpace(t.Reference) == "" {
		return e
	}
	prompt := t.Prompt
	st, ok := openStub(prompt)
	if !ok {
		return e
	}
	e.st = st
	m := mask(prompt)
	for _, md := range methods(prompt, m) {
		if md.close < 0 && md.name == st.name {
			e.sig = strings.TrimRight(prompt[md.start:md.open+1], " \t\n")
			e.ret = md.ret
			e.params = splitParams(md.params)
		}
	}
	e.indent = e.sig[:len(e.sig)-len(strings.TrimLeft(e.sig, " \t"))]
	e.tail = prompt[st.start:]
	if doc := strings.LastIndex(prompt[:st.start], "/**"); doc >= 0 {
		// The stub's own documentation: nothing but space between it and
		// the signature.
		if end := strings.Index(prompt[doc:st.start], "*/"); end >= 0 && strings.TrimSpace(prompt[doc+end+2:st.start]) == "" {
			e.tail = prompt[lineStart(prompt, doc):]
		}
	}
	all := prompt + t.Reference
	am := mask(all)
	for _, sp := range identifiers(am) {
		e.taken[am[sp[0]:sp[1]]] = true
	}
	// The reference must close the method and the class, as the canonical
	// completions do.
	e.ok = braceDepth(am) == 0 && e.sig != ""
	return e
}

// splitParams reads a parameter list: "List<Integer> l, int k".
func splitParams(s string) []param {
	var out []param
	depth, at := 0, 0
	add := func(p string) {
		p = strings.TrimSpace(p)
		p = strings.TrimPrefix(p, "final ")
		if i := strings.LastIndexAny(p, " \t"); i > 0 {
			out = append(out, param{name: strings.TrimSpace(p[i+1:]), typ: strings.TrimSpace(p[:i])})
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				add(s[at:i])
				at = i + 1
			}
		}
	}
	add(s[at:])
	return out
}

// Keys are the stub's documentation with its signature, and the task's
// declaration (the prompt without its documentation).
func (e *reading) Keys() []string {
	var keys []string
	if e.tail != "" {
		keys = append(keys, e.tail)
	}
	if d := strings.TrimSpace(e.task.Declaration); d != "" {
		keys = append(keys, d)
	}
	return keys
}

// Present turns a completion (the reference or a mutant of it) into the
// code a model shows: the completion itself, or the whole method (its
// signature, the body, its closing brace), sometimes in a class Solution
// with the prompt's imports (and then sometimes with the prompt's helper
// methods repeated, as chat models do).
func (e *reading) Present(text string, rng *rand.Rand) string {
	body := strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n")
	if !e.ok || rng.Float64() >= 0.45 {
		return body
	}
	// The completion up to the brace closing the method.
	prog := e.task.Prompt + text
	m := mask(prog)
	end := -1
	for _, md := range methods(prog, m) {
		if md.name == e.st.name && md.start == e.st.start {
			end = md.close
		}
	}
	off := len(e.task.Prompt)
	if end < off {
		return body
	}
	fn := e.sig + "\n" + strings.TrimRight(prog[off:end+1], " \t\n")
	if rng.Float64() < 0.5 {
		return dedent(fn, e.indent)
	}
	var b strings.Builder
	for _, l := range importLines(e.task.Prompt) {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	if rng.Float64() < 0.5 {
		b.WriteString("public ")
	}
	b.WriteString("class Solution {\n")
	if rng.Float64() < 0.5 {
		// The prompt's helpers, as the prompt has them.
		pm := mask(e.task.Prompt)
		for _, md := range methods(e.task.Prompt, pm) {
			if md.close >= 0 && e.st.helpers[md.name] {
				b.WriteString(e.task.Prompt[md.start:lineEnd(e.task.Prompt, md.close)] + "\n")
			}
		}
	}
	b.WriteString(fn + "\n}")
	return b.String()
}

// dedent removes ind from the start of every line that has it.
func dedent(s, ind string) string {
	if ind == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, ind)
	}
	return strings.Join(lines, "\n")
}
