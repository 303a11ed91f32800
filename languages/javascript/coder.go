package javascript

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Coder writes JavaScript the way a code model gets it wrong: its mutators
// (mutate.go) are line-based transforms of a reference solution, read with
// a small forgiving lexer (source.go).
type Coder struct {
	failure  *regexp.Regexp // node's error lines in feedback
	stubDecl *regexp.Regexp // a function's first line in a request
}

var _ languages.Coder = Coder{}

// NewCoder returns the JavaScript coder.
func NewCoder() Coder {
	return Coder{
		failure:  regexp.MustCompile(`(?m)\b(TypeError|ReferenceError|SyntaxError|RangeError|URIError|EvalError|AggregateError|AssertionError|Error)(?: \[[\w-]+\])?: ([^\n]*)|\bAssertion failed\b|JavaScript heap out of memory`),
		stubDecl: regexp.MustCompile(`(?m)^[ \t]*(?:const|let|var)[ \t]+[A-Za-z_$][\w$]*[ \t]*=[ \t]*(?:async[ \t]*)?(?:\([^()\n]*\)|[A-Za-z_$][\w$]*)[ \t]*=>[ \t]*\{|^[ \t]*(?:async[ \t]+)?function[ \t]*\*?[ \t]*[A-Za-z_$][\w$]*[ \t]*\([^()\n]*\)[ \t]*\{`),
	}
}

// Coder returns the JavaScript coder.
func (Language) Coder() languages.Coder { return NewCoder() }

// Read analyses t.
func (Coder) Read(t tasks.Task) languages.Reading { return read(t) }

// Failure finds the last of node's failure words in text: an error line
// ("TypeError: ..."), classified as ClassOf does (with the source line and
// caret node prints above it, when text has them), a console.assert's
// "Assertion failed", or V8's "JavaScript heap out of memory".
func (c Coder) Failure(text string) (languages.Class, int) {
	locs := c.failure.FindAllStringSubmatchIndex(text, -1)
	if locs == nil {
		return "", -1
	}
	loc := locs[len(locs)-1]
	switch whole := text[loc[0]:loc[1]]; {
	case whole == "Assertion failed":
		return languages.Assertion, loc[0]
	case whole == "JavaScript heap out of memory":
		return languages.Memory, loc[0]
	}
	typ, msg := text[loc[2]:loc[3]], text[loc[4]:loc[5]]
	if typ == "SyntaxError" && !strings.Contains(msg, "JSON") {
		// In feedback, a syntax error is the program's (node --check's).
		return languages.Syntax, loc[0]
	}
	src, caret := "", -1
	// node's report: the source line, the caret, a blank line, the error.
	above := strings.Split(strings.TrimRight(text[:loc[0]], "\n"), "\n")
	if n := len(above); n >= 2 && caretRE.MatchString(above[n-1]) {
		src, caret = above[n-2], strings.IndexByte(above[n-1], '^')
	}
	return ClassOf(typ, "", msg, src, caret), loc[0]
}

// Stub is the first function line of the request (or a generic one) with a
// body that returns nothing useful.
func (c Coder) Stub(request string) string {
	decl := "const solution = (...args) => {"
	if m := c.stubDecl.FindString(request); m != "" {
		decl = strings.TrimSpace(m)
	}
	return decl + "\n  // TODO: the task is not clear enough to implement.\n  return null;\n}"
}

// Keys are the function's documentation and first line, and its first
// line alone, for a completion task.
func (e *reading) Keys() []string {
	if e.stubLine == "" {
		return nil
	}
	line := strings.TrimSpace(e.stubLine)
	if e.doc == "" {
		return []string{line}
	}
	return []string{e.doc + e.stubLine, line}
}

// Present turns a solution text in the task's style into the code a model
// shows: for a completion task either the body alone (with the closing
// brace) or the whole function: its first line, sometimes the
// documentation and the prompt's helpers before it, then the body.
func (e *reading) Present(text string, rng *rand.Rand) string {
	body := strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n")
	if e.task.Style != tasks.Completion || e.stubLine == "" || rng.Float64() >= 0.6 {
		return body
	}
	code := ""
	if strings.TrimSpace(e.head) != "" && rng.Float64() < 0.5 {
		code = strings.TrimLeft(e.head, "\n")
	}
	if e.doc != "" && rng.Float64() < 0.3 {
		code += e.doc
	}
	return code + e.stubLine + body
}
