package rust

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Coder writes Rust the way a code model gets it wrong: its mutators
// (mutate.go) are line-based transforms of a reference solution, read on
// masked source (comments and literals blanked) with a small lexer.
type Coder struct {
	words  []failureWord // rustc's and std's failure words in feedback
	stubFn *regexp.Regexp
}

// failureWord is a pattern of failure words and the class it means.
type failureWord struct {
	re    *regexp.Regexp
	class func(groups []string) languages.Class
}

var _ languages.Coder = Coder{}

// NewCoder returns the Rust coder.
func NewCoder() Coder {
	code := func(g []string) languages.Class {
		if class, ok := errorCodeClass(g[1]); ok {
			return class
		}
		return languages.Syntax
	}
	fixed := func(c languages.Class) func([]string) languages.Class {
		return func([]string) languages.Class { return c }
	}
	return Coder{
		words: []failureWord{
			{regexp.MustCompile(`error\[(E\d{4})\]`), code},
			{regexp.MustCompile(`\b(E\d{4}): `), code},
			{regexp.MustCompile(`\berror: ([^\n]*)`), func(g []string) languages.Class {
				if strings.Contains(g[1], "cannot find ") {
					return languages.Name
				}
				return languages.Syntax
			}},
			{regexp.MustCompile(`panicked at '([^\n]*)`), func(g []string) languages.Class {
				class, _ := panicClass(g[1])
				return class
			}},
			{regexp.MustCompile(`\b(AssertionFailed|IndexOutOfBounds|DivideByZero|UnwrapNone|KeyNotFound|StackOverflow)\b`),
				func(g []string) languages.Class { return errorTypeClass(g[1]) }},
			{regexp.MustCompile(`has overflowed its stack`), fixed(languages.Recursion)},
			{regexp.MustCompile(`memory allocation of \d+ bytes failed|\bMemoryError\b`), fixed(languages.Memory)},
			{regexp.MustCompile(`\bTimeout\b`), fixed(languages.Timeout)},
			{regexp.MustCompile(`\bOutputLimit\b`), fixed(languages.OutputLimit)},
		},
		stubFn: regexp.MustCompile(`(?m)^[ \t]*(?:pub(?:\([a-z]+\))? )?fn[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*(?:<[^>\n]*>)?[ \t]*\([^\n]*\)[^\n{;]*\{`),
	}
}

// errorTypeClass maps the error types Classify gives panics to their
// classes.
func errorTypeClass(typ string) languages.Class {
	switch typ {
	case "AssertionFailed":
		return languages.Assertion
	case "IndexOutOfBounds":
		return languages.Index
	case "DivideByZero":
		return languages.ZeroDivision
	case "UnwrapNone":
		return languages.Attribute
	case "KeyNotFound":
		return languages.Key
	case "StackOverflow":
		return languages.Recursion
	}
	return languages.OtherRuntime
}

// Coder returns the Rust coder.
func (Language) Coder() languages.Coder { return NewCoder() }

// Read analyses t.
func (Coder) Read(t tasks.Task) languages.Reading { return read(t) }

// Failure finds the last of rustc's or std's failure words in text: an
// error code (classified as Classify does), a syntax error, a panic
// message, a stack overflow, an allocation failure, a limit.
func (c Coder) Failure(text string) (languages.Class, int) {
	best, at := languages.Class(""), -1
	for _, w := range c.words {
		locs := w.re.FindAllStringSubmatchIndex(text, -1)
		if len(locs) == 0 {
			continue
		}
		loc := locs[len(locs)-1]
		if loc[0] <= at {
			continue
		}
		groups := make([]string, len(loc)/2)
		for g := range groups {
			if loc[2*g] >= 0 {
				groups[g] = text[loc[2*g]:loc[2*g+1]]
			}
		}
		best, at = w.class(groups), loc[0]
	}
	return best, at
}

// Stub is the request's first signature (or a generic one) with a body
// that compiles and fails when called.
func (c Coder) Stub(request string) string {
	sig := "fn solution() {"
	if m := c.stubFn.FindString(request); m != "" {
		sig = strings.TrimSpace(m)
	}
	return sig + "\n    // TODO: the task is not clear enough to implement.\n    todo!()\n}"
}

// Keys is the open function's signature with the documentation after it:
// the prompt without its imports.
func (e *reading) Keys() []string {
	if e.stub.name == "" {
		return nil
	}
	return []string{e.prefix[e.stub.start:]}
}

// Present turns a solution text in the task's style into the code a model
// shows: for a completion, either the text alone (the rest of the body,
// its closing brace and any helpers after it) or the whole function: the
// signature, sometimes the imports before it and the documentation
// after, then the text.
func (e *reading) Present(text string, rng *rand.Rand) string {
	body := strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n")
	if e.task.Style != tasks.Completion || e.stub.name == "" || rng.Float64() >= 0.4 {
		return body
	}
	var b strings.Builder
	if h := strings.TrimSpace(e.stub.header); h != "" && rng.Float64() < 0.5 {
		b.WriteString(h + "\n\n")
	}
	b.WriteString(e.stub.sig + "\n")
	if doc := strings.TrimSpace(e.prefix[e.stub.fn.body+1:]); doc != "" && rng.Float64() < 0.3 {
		b.WriteString("    " + doc + "\n")
	}
	b.WriteString(strings.TrimRight(text, " \t\n"))
	return strings.TrimLeft(b.String(), "\n")
}
