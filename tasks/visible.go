package tasks

import (
	"regexp"
	"strings"
)

// example is one docstring example of a HumanEval prompt, turned into an assert.
type example struct {
	source string // the example as the prompt shows it (its lines trimmed and joined by "\n")
	call   string // the Python expression calling the function, with its name replaced by candidate
	want   string // the expected value, a Python literal
}

// assert is the example as a line of a check(candidate) function.
func (e example) assert() string {
	want := e.want
	if strings.Contains(want, "\n") {
		want = "(" + want + ")"
	}
	return "    assert " + e.call + " == " + want + "\n"
}

// humanEvalVisibleTest returns a HumanEval task's VisibleTest: the docstring examples of its prompt as asserts
// in a `def check(candidate):` function, like HumanEval's own tests; "" when the prompt shows no example in
// a form read here. Examples listed by visibleExclusions are left out.
func humanEvalVisibleTest(id, prompt, entry string) string {
	var b strings.Builder
	excluded := visibleExclusions()[id]
	seen := map[string]bool{}
	for _, ex := range docExamples(prompt, entry) {
		line := ex.assert()
		if excluded[ex.source] != "" || seen[line] {
			continue
		}
		seen[line] = true
		b.WriteString(line)
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n\ndef check(candidate):\n" + b.String() + "\n"
}

// visibleExclusions lists, by task id and example source, the docstring examples that are left out of
// VisibleTest and why: each contradicts the task's tests (the reference solution fails it), so showing its
// failure would steer a repair away from passing the hidden tests.
func visibleExclusions() map[string]map[string]string {
	const contradicts = "the docstring contradicts the tests"
	return map[string]map[string]string{
		"HumanEval/116": {
			// Known upstream problem: the tests sort by the number of ones and then by value.
			">>> sort_array([1, 5, 2, 3, 4]) == [1, 2, 3, 4, 5]":           contradicts + " (they expect [1, 2, 4, 3, 5])",
			">>> sort_array([-2, -3, -4, -5, -6]) == [-6, -5, -4, -3, -2]": contradicts + " (they expect [-4, -2, -6, -5, -3])",
		},
		"HumanEval/47": {
			">>> median([-10, 4, 6, 1000, 10, 20])\n15.0": "the docstring's median is wrong: the tests expect 8.0",
		},
		"HumanEval/130": {
			"tri(1) = 3":               "defines the Tribonacci term tri(1), not the function's result (a list)",
			"tri(2) = 1 + (2 / 2) = 2": "defines the Tribonacci term tri(2), not the function's result (a list)",
			"tri(4) = 3":               "defines the Tribonacci term tri(4), not the function's result (a list)",
		},
		"HumanEval/148": {
			`bf("Earth", "Mercury") ==> ("Venus")`: `("Venus") is the string "Venus"; the tests expect the 1-tuple ("Venus",)`,
		},
	}
}

// docExamples reads the examples of entry in a HumanEval prompt. It knows two forms:
//
//	>>> entry(args)          doctest: the expected value is on the following line(s), or the call is
//	expected                 followed by "== value" on the same line; no output line means None.
//	                         The call may be wrapped in a builtin, e.g. round(entry(args), 2).
//
//	entry(args) SEP value    SEP is one of ==> => -> ➞ == = returns, should return, # =>, # returns;
//	                         the line may start with "*", "-" or "for"; args may span lines.
//
// Arguments and values must be Python literals (numbers, strings, True/False/None, lists, tuples, dicts,
// sets, unary minus); "true"/"false" are read as True/False. A value may be followed by a comment, a
// period, or a parenthesised remark, and "expr = value" (a worked computation) yields value. Anything else
// (prose, names as arguments, malformed values) is not an example.
func docExamples(prompt, entry string) []example {
	lines := strings.Split(prompt, "\n")
	var out []example
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if expr, ok := strings.CutPrefix(trimmed, ">>>"); ok {
			j := i + 1
			var output []string
			for ; j < len(lines); j++ {
				l := strings.TrimSpace(lines[j])
				if end := strings.Index(l, `"""`); end >= 0 {
					if l = strings.TrimSpace(l[:end]); l != "" {
						output = append(output, l)
					}
					break
				}
				if l == "" || strings.HasPrefix(l, ">>>") {
					break
				}
				output = append(output, lines[j])
			}
			if ex, ok := doctestExample(expr, output, entry); ok {
				ex.source = strings.Join(append([]string{trimmed}, trimAll(output)...), "\n")
				out = append(out, ex)
			}
			i = j - 1
			continue
		}
		if ex, n, ok := inlineExample(lines[i:], entry); ok {
			out = append(out, ex)
			i += n - 1
		}
	}
	return out
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// doctestExample reads ">>> expr" and its output lines.
func doctestExample(expr string, output []string, entry string) (example, bool) {
	p := &pyParser{s: expr, entry: entry}
	call, ok := p.call(true)
	if !ok {
		return example{}, false
	}
	rest := strings.TrimSpace(expr[p.i:])
	if cmp, ok := strings.CutPrefix(rest, "=="); ok {
		if len(output) > 0 && !(len(output) == 1 && strings.TrimSpace(output[0]) == "True") {
			return example{}, false
		}
		want, ok := literalValue(cmp)
		return example{call: call, want: want}, ok
	}
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return example{}, false
	}
	if len(output) == 0 {
		return example{call: call, want: "None"}, true
	}
	want, ok := literalValue(strings.Join(output, "\n"))
	return example{call: call, want: want}, ok
}

var (
	// examplePrefix is what may precede the call on an inline example's line.
	examplePrefix = regexp.MustCompile(`^(?:[*-]|for)?$`)
	// exampleSeparator is what separates an inline example's call from its value.
	exampleSeparator = regexp.MustCompile(`^\s*(?:#\s*(?:=>|returns)|==>|=>|->|➞|==|=|should return|returns)\s*`)
	// lenientBool is a JSON/JavaScript-style boolean, read as Python's.
	lenientBool = regexp.MustCompile(`^(true|false)\b`)
)

// maxExampleLines bounds how many lines an inline example's call may span.
const maxExampleLines = 20

// inlineExample reads an "entry(args) SEP value" example starting on lines[0]; n is how many lines it spans.
func inlineExample(lines []string, entry string) (ex example, n int, ok bool) {
	line := lines[0]
	at := findCall(line, entry)
	if at < 0 || !examplePrefix.MatchString(strings.TrimSpace(line[:at])) {
		return example{}, 0, false
	}
	text := strings.Join(lines[:min(len(lines), maxExampleLines)], "\n")
	p := &pyParser{s: text, i: at, entry: entry}
	call, ok := p.call(false)
	if !ok {
		return example{}, 0, false
	}
	// The value is on the line where the call ends.
	lineStart := strings.LastIndex(text[:p.i], "\n") + 1
	lineEnd := len(text)
	if k := strings.IndexByte(text[p.i:], '\n'); k >= 0 {
		lineEnd = p.i + k
	}
	n = strings.Count(text[:lineStart], "\n") + 1
	sep := exampleSeparator.FindStringIndex(text[p.i:lineEnd])
	if sep == nil {
		return example{}, 0, false
	}
	value := strings.TrimSpace(text[p.i+sep[1] : lineEnd])
	if v, ok := strings.CutSuffix(value, "."); ok {
		if _, ok := literalPrefix(v); ok {
			value = v // "should return 16." ends a sentence: the value is 16, not the float 16.0
		}
	}
	source := strings.Join(trimAll(lines[:n]), "\n")
	if m := lenientBool.FindStringSubmatch(value); m != nil && allowedRemark(value[len(m[0]):]) {
		return example{source: source, call: call, want: strings.ToUpper(m[1][:1]) + m[1][1:]}, n, true
	}
	if want, ok := literalPrefix(value); ok {
		return example{source: source, call: call, want: want}, n, true
	}
	// A worked computation, "19 - 5 - 6 = 8": the value is after the last "=".
	if k := strings.LastIndex(value, "="); k >= 0 {
		if want, ok := literalPrefix(strings.TrimSpace(value[k+1:])); ok {
			return example{source: source, call: call, want: want}, n, true
		}
	}
	return example{}, 0, false
}

// findCall returns the index of the first "entry(" in line that is not part of a longer name, or -1.
func findCall(line, entry string) int {
	for off := 0; ; {
		k := strings.Index(line[off:], entry+"(")
		if k < 0 {
			return -1
		}
		k += off
		if k == 0 || !isNameByte(line[k-1]) && line[k-1] != '.' {
			return k
		}
		off = k + len(entry)
	}
}

// literalPrefix reads a Python literal at the start of s, followed only by an allowed remark.
func literalPrefix(s string) (string, bool) {
	p := &pyParser{s: s}
	if !p.value() || !allowedRemark(s[p.i:]) {
		return "", false
	}
	return strings.TrimSpace(s[:p.i]), true
}

// literalValue reads s as exactly one Python literal, optionally followed by a comment.
func literalValue(s string) (string, bool) {
	p := &pyParser{s: s}
	if !p.value() {
		return "", false
	}
	rest := strings.TrimSpace(s[p.i:])
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return "", false
	}
	return strings.TrimSpace(s[:p.i]), true
}

// allowedRemark reports whether s, following an example's value, is only a remark: nothing, a period,
// a comment, or a parenthesised phrase ("(the name should start with a letter)").
func allowedRemark(s string) bool {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "." || strings.HasPrefix(s, "#"):
		return true
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		inner := s[1 : len(s)-1]
		return strings.Contains(inner, " ") && strings.IndexFunc(inner, func(r rune) bool { return 'a' <= r && r <= 'z' }) >= 0
	}
	return false
}

func isNameByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// exampleWrappers are the builtins a doctest example may wrap the call in, e.g. round(f(x), 2).
// Only builtins: a harness takes any other name from the solution under test.
func exampleWrappers() map[string]bool {
	return map[string]bool{
		"abs": true, "bool": true, "float": true, "int": true, "len": true, "list": true, "max": true,
		"min": true, "round": true, "set": true, "sorted": true, "str": true, "sum": true, "tuple": true,
	}
}

// pyParser recognises the small subset of Python expressions that docstring examples use.
// Whitespace includes newlines: examples only span lines inside brackets.
type pyParser struct {
	s     string
	i     int
	entry string
}

var pyNumber = regexp.MustCompile(`^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?[jJ]?)`)

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) eat(c byte) bool {
	p.space()
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) name() string {
	p.space()
	start := p.i
	for p.i < len(p.s) && isNameByte(p.s[p.i]) && !(p.i == start && '0' <= p.s[p.i] && p.s[p.i] <= '9') {
		p.i++
	}
	return p.s[start:p.i]
}

// call reads entry(args), or with wrappers a builtin wrapper around it, and returns its text with the
// entry's name replaced by candidate. The arguments must be literals (or, in a wrapper, the call).
func (p *pyParser) call(wrappers bool) (string, bool) {
	p.space()
	start := p.i
	name := p.name()
	if name != p.entry && !(wrappers && exampleWrappers()[name]) || !p.eat('(') {
		return "", false
	}
	var b strings.Builder
	if name == p.entry {
		b.WriteString("candidate")
	} else {
		b.WriteString(name)
	}
	b.WriteString(p.s[start+len(name) : p.i])
	hasEntry := name == p.entry
	for first := true; ; first = false {
		p.space()
		if p.peek() == ')' {
			p.i++
			b.WriteByte(')')
			break
		}
		if !first {
			if !p.eat(',') {
				return "", false
			}
			b.WriteString(", ")
			p.space()
			if p.peek() == ')' {
				continue
			}
		}
		argStart := p.i
		if name != p.entry {
			if inner, ok := p.call(true); ok {
				hasEntry = true
				b.WriteString(inner)
				continue
			}
			p.i = argStart
		}
		if !p.value() {
			return "", false
		}
		b.WriteString(strings.TrimSpace(p.s[argStart:p.i]))
	}
	return b.String(), hasEntry
}

// value reads one literal: a number, string(s), True/False/None, or a list, tuple, dict or set of literals,
// with any number of unary signs.
func (p *pyParser) value() bool {
	p.space()
	switch c := p.peek(); {
	case c == '-' || c == '+':
		p.i++
		return p.value()
	case c == '[':
		p.i++
		return p.items(']', false)
	case c == '(':
		p.i++
		return p.items(')', false)
	case c == '{':
		p.i++
		return p.items('}', true)
	case c == '\'' || c == '"':
		return p.strings()
	case '0' <= c && c <= '9' || c == '.':
		m := pyNumber.FindString(p.s[p.i:])
		if m == "" {
			return false
		}
		p.i += len(m)
		return !isNameByte(p.peek())
	}
	start := p.i
	switch name := p.name(); name {
	case "True", "False", "None":
		return true
	default:
		// A string prefix (r"...", b'...'); f-strings are not literals.
		if len(name) <= 2 && strings.Trim(strings.ToLower(name), "rbu") == "" && (p.peek() == '\'' || p.peek() == '"') {
			return p.strings()
		}
	}
	p.i = start
	return false
}

// items reads comma-separated literals up to close; in braces, "key: value" pairs are allowed too.
func (p *pyParser) items(close byte, braces bool) bool {
	for first := true; ; first = false {
		if p.eat(close) {
			return true
		}
		if !first && !p.eat(',') {
			return false
		}
		if p.eat(close) {
			return true
		}
		if !p.value() {
			return false
		}
		if braces && p.eat(':') && !p.value() {
			return false
		}
	}
}

// strings reads one or more adjacent string literals.
func (p *pyParser) strings() bool {
	n := 0
	for {
		p.space()
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("rRbBuU", p.s[p.i]) >= 0 && p.i-start < 2 {
			p.i++
		}
		q := p.peek()
		if q != '\'' && q != '"' {
			p.i = start
			return n > 0
		}
		quote := string(q)
		if strings.HasPrefix(p.s[p.i:], strings.Repeat(quote, 3)) {
			quote = strings.Repeat(quote, 3)
		}
		p.i += len(quote)
		if !p.stringBody(quote) {
			return false
		}
		n++
	}
}

// stringBody reads a string literal's characters and its closing quote.
func (p *pyParser) stringBody(quote string) bool {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '\\':
			p.i += 2
		case c == '\n' && len(quote) == 1:
			return false
		case strings.HasPrefix(p.s[p.i:], quote):
			p.i += len(quote)
			return true
		default:
			p.i++
		}
	}
	return false
}
