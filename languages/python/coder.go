package python

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Coder writes Python the way a code model gets it wrong: its mutators
// (mutate.go) are line-based transforms of a reference solution, read by
// a small forgiving reader of Python source (source.go).
type Coder struct {
	exception *regexp.Regexp // exception names in feedback
	stubDef   *regexp.Regexp // a def line in a request
}

var _ languages.Coder = Coder{}

// NewCoder returns the Python coder.
func NewCoder() Coder {
	return Coder{
		exception: regexp.MustCompile(`\b([A-Z][A-Za-z]*(?:Error|Exception))\b`),
		stubDef:   regexp.MustCompile(`(?m)^[ \t]*def[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\([^\n]*\)[^\n:]*:`),
	}
}

// Coder returns the Python coder.
func (Language) Coder() languages.Coder { return NewCoder() }

// Read analyses t.
func (Coder) Read(t tasks.Task) languages.Reading { return read(t) }

// Failure finds the last exception name in text (the final exception of a
// traceback comes last), classified as ClassOf does; TimeoutError is a
// timeout.
func (c Coder) Failure(text string) (languages.Class, int) {
	locs := c.exception.FindAllStringIndex(text, -1)
	if locs == nil {
		return "", -1
	}
	loc := locs[len(locs)-1]
	name := text[loc[0]:loc[1]]
	if name == "TimeoutError" {
		return languages.Timeout, loc[0]
	}
	return ClassOf(name), loc[0]
}

// Stub is the first def line of the request (or a generic one) with an
// empty body.
func (c Coder) Stub(request string) string {
	def := "def solution(*args, **kwargs):"
	if m := c.stubDef.FindString(request); m != "" {
		def = strings.TrimSpace(m)
	}
	return def + "\n    # TODO: the task is not clear enough to implement.\n    pass"
}

// Keys is the def statement with its docstring, for a completion task.
func (e *reading) Keys() []string {
	if e.tail == "" {
		return nil
	}
	return []string{e.tail}
}

// Present turns a solution text in the task's style into the code a model
// shows: for Completion tasks either the body alone or the whole function
// (imports, def line, sometimes the docstring, body).
func (e *reading) Present(text string, rng *rand.Rand) string {
	body := strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n")
	if e.task.Style != tasks.Completion || e.prefix == "" {
		return body
	}
	if rng.Float64() >= 0.6 {
		return body
	}
	code := e.prefix
	if doc := strings.TrimRight(e.docstring, " \t\n"); doc != "" && rng.Float64() < 0.3 {
		code += doc + "\n"
	} else {
		code += e.bodyCode
	}
	return code + body
}
