package golang

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Coder writes Go the way a code model gets it wrong: its mutators
// (mutate.go) are line-based transforms of a task's reference solution,
// read with the forgiving reader of source.go.
type Coder struct {
	failure *regexp.Regexp    // the failure words, one group per rule
	classes []languages.Class // the class of each group
	stub    *regexp.Regexp    // a func line in a request
}

var _ languages.Coder = Coder{}

// failureWords are the compiler's, the runtime's and testify's own words
// for a failure, by class.
func failureWords() []failureWord {
	return []failureWord{
		{languages.Syntax, `syntax error|declared (?:but|and) not used|missing return|redeclared in this block|no new variables on left side`},
		{languages.Name, `undefined: [\w.]+|has no field or method`},
		{languages.Import, `could not import`},
		{languages.Type, `cannot use .* as .* value|cannot use .* as type|mismatched types|(?:too many|not enough) (?:arguments in call|return values)|cannot convert|truncated to|non-boolean condition|cannot range over|interface conversion|assignment to entry in nil map|operator . not defined on|cannot index|invalid argument`},
		{languages.Index, `index out of range|slice bounds out of range`},
		{languages.ZeroDivision, `integer divide by zero`},
		{languages.Attribute, `nil pointer dereference`},
		{languages.Recursion, `stack overflow|goroutine stack exceeds`},
		{languages.Value, `strconv\.\w+: parsing`},
		{languages.Assertion, `Error Trace:|Not equal:|Should be (?:true|false)|--- FAIL: `},
		{languages.OtherRuntime, `panic: |fatal error: `},
	}
}

// failureWord is a regular expression of one class's failure words.
type failureWord struct {
	class languages.Class
	re    string
}

// NewCoder returns the Go coder.
func NewCoder() Coder {
	var alts []string
	var classes []languages.Class
	for _, w := range failureWords() {
		alts = append(alts, "("+w.re+")")
		classes = append(classes, w.class)
	}
	return Coder{
		failure: regexp.MustCompile(strings.Join(alts, "|")),
		classes: classes,
		stub:    regexp.MustCompile(`(?m)^[ \t]*func[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\([^\n]*\)[^\n{]*\{`),
	}
}

// Coder returns the Go coder.
func (Language) Coder() languages.Coder { return NewCoder() }

// Read analyses t.
func (Coder) Read(t tasks.Task) languages.Reading { return read(t) }

// Failure finds the last of Go's failure words in text (the compiler's
// first error, a panic's message, testify's report) and its class.
func (c Coder) Failure(text string) (languages.Class, int) {
	locs := c.failure.FindAllStringSubmatchIndex(text, -1)
	if locs == nil {
		return "", -1
	}
	loc := locs[len(locs)-1]
	for g := range c.classes {
		if loc[2+2*g] >= 0 {
			return c.classes[g], loc[0]
		}
	}
	return languages.OtherRuntime, loc[0]
}

// Stub is the first func line of the request (or a generic one) with a
// body that says it is not done.
func (c Coder) Stub(request string) string {
	head := "func Solution() {"
	if m := c.stub.FindString(request); m != "" {
		head = strings.TrimSpace(m)
	}
	return head + "\n\t// TODO: the task is not clear enough to implement.\n\tpanic(\"not implemented\")\n}\n"
}

// A param is a parameter of the function under test.
type param struct{ name, typ string }

// reading is a task as the mutators see it.
type reading struct {
	task     tasks.Task
	name     string  // the function under test; "" when the prompt has no open stub
	funcLine string  // its func line, with the newline
	doc      string  // its doc comment
	imports  string  // the prompt's import declarations
	params   []param // its parameters
	result   string  // its one unnamed result's type; "" otherwise
	taken    map[string]bool
}

func read(t tasks.Task) *reading {
	e := &reading{task: t, taken: map[string]bool{}}
	stub, ok := openStub(t.Prompt)
	if !ok || t.Style != tasks.Completion {
		return e
	}
	e.name = stub.name
	e.funcLine = t.Prompt[stub.start:]
	e.doc = t.Prompt[stub.doc:stub.start]
	for _, d := range decls(t.Prompt) {
		if d.kind == "import" {
			e.imports += t.Prompt[d.start:declEnd(t.Prompt, d)]
		}
	}
	src := "package p\n" + e.funcLine + "}\n"
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil || len(f.Decls) == 0 {
		e.name = ""
		return e
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok {
		e.name = ""
		return e
	}
	text := func(n ast.Node) string { return src[n.Pos()-1 : n.End()-1] }
	for _, field := range fd.Type.Params.List {
		for _, n := range field.Names {
			e.params = append(e.params, param{n.Name, text(field.Type)})
		}
	}
	if r := fd.Type.Results; r != nil && len(r.List) == 1 && len(r.List[0].Names) == 0 {
		e.result = text(r.List[0].Type)
	}
	for _, w := range identRE.FindAllString(mask(t.Prompt+"\n"+t.Reference+"\n"+t.Test), -1) {
		e.taken[w] = true
	}
	return e
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// Keys is the stub's doc comment and func line: the task's own text
// without the prompt's imports and helpers.
func (e *reading) Keys() []string {
	if e.name == "" {
		return nil
	}
	return []string{e.doc + e.funcLine}
}

// Present turns a solution text in the task's style (a completion: the
// body and the closing brace) into the code a model shows: the body and
// brace alone, or the whole function, sometimes with its doc comment, the
// prompt's imports, a package clause.
func (e *reading) Present(text string, rng *rand.Rand) string {
	body := strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n")
	if e.name == "" || rng.Float64() < 0.4 {
		return body
	}
	var b strings.Builder
	if e.imports != "" && rng.Float64() < 0.5 {
		if rng.Float64() < 0.4 {
			b.WriteString("package main\n\n")
		}
		b.WriteString(strings.TrimRight(e.imports, "\n") + "\n\n")
	}
	if rng.Float64() < 0.3 {
		b.WriteString(e.doc)
	}
	b.WriteString(e.funcLine)
	b.WriteString(body)
	return b.String()
}
