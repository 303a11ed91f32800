package python

import (
	"strings"
)

// This file holds a small, forgiving reader of Python source text: enough
// structure (lines, logical statements, indentation, string and comment
// masking, function bodies) for the line-based mutators in mutate.go. It is
// not a parser: it never fails, and code it does not understand simply offers
// the mutators fewer places to act.

// maskByte replaces the contents of string literals in a masked line, so that
// searches for identifiers, operators and brackets only see code.
const maskByte = '\x01'

// source is Python text split into lines and logical statements.
type source struct {
	lines  []string // the text, without line ends
	masked []string // same lengths: string contents masked, comments blanked
	stmts  []stmt
}

// stmt is one logical statement: a line that starts a statement and the
// continuation lines that follow it (open brackets, backslashes, strings).
type stmt struct {
	first, last int    // line range, inclusive; last is the last non-blank line
	indent      string // leading whitespace of the first line
	width       int    // visual width of indent (tab stops of 8)
}

// keyword is the statement's first word ("if", "return", "x", ...).
func (s *source) keyword(st stmt) string {
	t := strings.TrimLeft(s.masked[st.first], " \t")
	if strings.HasPrefix(t, "@") {
		return "@"
	}
	return leadingIdent(t)
}

// code is the statement's masked text, lines joined by "\n", indentation
// of the first line removed.
func (s *source) code(st stmt) string {
	return strings.TrimLeft(strings.Join(s.masked[st.first:st.last+1], "\n"), " \t")
}

func leadingIdent(t string) string {
	i := 0
	for i < len(t) && isIdentByte(t[i], i > 0) {
		i++
	}
	return t[:i]
}

func isIdentByte(c byte, notFirst bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || notFirst && c >= '0' && c <= '9'
}

func indentWidth(ws string) int {
	w := 0
	for i := 0; i < len(ws); i++ {
		if ws[i] == '\t' {
			w += 8 - w%8
		} else {
			w++
		}
	}
	return w
}

func leadingSpace(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t\f"))]
}

// scan reads Python text.
func scan(text string) *source {
	s := &source{lines: strings.Split(text, "\n")}
	s.masked = make([]string, len(s.lines))
	var (
		inStr, triple, raw bool
		quote              byte
		depth              int
		backslash          bool // the previous line ended in a continuation backslash
		starts             = make([]bool, len(s.lines))
	)
	for i, line := range s.lines {
		m := []byte(line)
		starts[i] = !inStr && depth == 0 && !backslash
		backslash = false
		for j := 0; j < len(line); j++ {
			c := line[j]
			if inStr {
				switch {
				case c == '\\' && !raw:
					m[j] = maskByte
					if j+1 < len(line) {
						j++
						m[j] = maskByte
					} else if !triple {
						// An escaped line end continues a one-line string.
						backslash = true
					}
				case c == quote && !triple:
					inStr = false
				case c == quote && triple && strings.HasPrefix(line[j:], strings.Repeat(string(quote), 3)):
					inStr = false
					j += 2
				default:
					m[j] = maskByte
				}
				continue
			}
			switch c {
			case '#':
				for k := j; k < len(m); k++ {
					m[k] = ' '
				}
				j = len(line)
			case '\'', '"':
				// Mask a string prefix (r, b, f, u and pairs) glued to the quote.
				k := j
				for k > 0 && j-k < 2 && strings.IndexByte("rRbBfFuU", line[k-1]) >= 0 {
					k--
				}
				if k < j && (k == 0 || !isIdentByte(line[k-1], true)) {
					raw = strings.ContainsAny(line[k:j], "rR")
					for p := k; p < j; p++ {
						m[p] = maskByte
					}
				} else {
					raw = false
				}
				inStr, quote = true, c
				triple = strings.HasPrefix(line[j:], strings.Repeat(string(c), 3))
				if triple {
					j += 2
				}
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			case '\\':
				if j == len(line)-1 {
					backslash = true
				}
			}
		}
		if inStr && !triple && !backslash {
			inStr = false // an unterminated one-line string: broken source, move on
		}
		s.masked[i] = string(m)
	}
	// Statements: each start line with code on it, up to the next start.
	for i := range s.lines {
		if !starts[i] || strings.TrimSpace(s.masked[i]) == "" {
			continue
		}
		if n := len(s.stmts); n > 0 {
			s.stmts[n-1].last = s.lastCode(s.stmts[n-1].first, i-1)
		}
		ws := leadingSpace(s.lines[i])
		s.stmts = append(s.stmts, stmt{first: i, last: i, indent: ws, width: indentWidth(ws)})
	}
	if n := len(s.stmts); n > 0 {
		s.stmts[n-1].last = s.lastCode(s.stmts[n-1].first, len(s.lines)-1)
	}
	return s
}

// lastCode is the last line in [from, to] that is not blank (string
// continuation lines count as code).
func (s *source) lastCode(from, to int) int {
	for i := to; i > from; i-- {
		if strings.TrimSpace(s.lines[i]) != "" && strings.TrimSpace(s.masked[i]) != "" {
			return i
		}
	}
	return from
}

// identifiers returns the byte spans of the identifiers in a masked text.
func identifiers(m string) [][2]int {
	var out [][2]int
	for i := 0; i < len(m); {
		c := m[i]
		if isIdentByte(c, false) && c != maskByte {
			j := i + 1
			for j < len(m) && isIdentByte(m[j], true) {
				j++
			}
			out = append(out, [2]int{i, j})
			i = j
			continue
		}
		if c >= '0' && c <= '9' {
			// Skip a number whole (1e5, 0x1f, 3j) so its letters are not names.
			j := i + 1
			for j < len(m) && (isIdentByte(m[j], true) || m[j] == '.') {
				j++
			}
			i = j
			continue
		}
		i++
	}
	return out
}

// closing returns the index of the bracket closing the one at m[open], or -1.
func closing(m string, open int) int {
	depth := 0
	for i := open; i < len(m); i++ {
		switch m[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop splits a masked text at the commas that are outside brackets,
// returning spans.
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
	if strings.TrimSpace(m[start:]) != "" {
		out = append(out, [2]int{start, len(m)})
	}
	return out
}

// function is a function body found in a source: the statements that the
// mutators may change.
type function struct {
	src    *source
	body   []int  // indexes into src.stmts, in order
	base   int    // width of the body's top-level statements
	indent string // their indentation
	unit   string // one level of indentation below them
	params []param
	ret    string // return annotation, "" if none
}

type param struct {
	name       string
	annotation string
}

// bodyFunction treats the whole of text as one function body (HumanEval's
// canonical solutions). sig is the def statement from the prompt, for the
// parameters.
func bodyFunction(text, sig string) *function {
	src := scan(text)
	if len(src.stmts) == 0 {
		return nil
	}
	f := &function{src: src, base: src.stmts[0].width, indent: src.stmts[0].indent}
	for i := range src.stmts {
		if src.stmts[i].width < f.base {
			f.base, f.indent = src.stmts[i].width, src.stmts[i].indent
		}
	}
	for i := range src.stmts {
		f.body = append(f.body, i)
	}
	f.params, f.ret = parseSignature(sig)
	f.unit = indentUnit(src, f, "")
	return f
}

// namedFunction finds `def name(` at any level of text and returns its body.
func namedFunction(text, name string) *function {
	src := scan(text)
	for i, st := range src.stmts {
		code := src.code(st)
		if src.keyword(st) != "def" || leadingIdent(strings.TrimLeft(code[3:], " \t")) != name {
			continue
		}
		f := &function{src: src}
		for j := i + 1; j < len(src.stmts) && src.stmts[j].width > st.width; j++ {
			f.body = append(f.body, j)
		}
		if len(f.body) == 0 {
			return nil // a one-line def
		}
		first := src.stmts[f.body[0]]
		f.base, f.indent = first.width, first.indent
		for _, j := range f.body {
			if src.stmts[j].width < f.base {
				return nil // inconsistent indentation: leave it alone
			}
		}
		f.params, f.ret = parseSignature(strings.Join(src.lines[st.first:st.last+1], "\n"))
		f.unit = indentUnit(src, f, st.indent)
		return f
	}
	return nil
}

// indentUnit guesses one indentation step: the body's indentation less the
// def's, or the first deeper statement's extra indentation.
func indentUnit(src *source, f *function, defIndent string) string {
	if defIndent != "" || f.indent != "" {
		if u, ok := strings.CutPrefix(f.indent, defIndent); ok && u != "" {
			return u
		}
	}
	for _, j := range f.body {
		if u, ok := strings.CutPrefix(src.stmts[j].indent, f.indent); ok && u != "" {
			return u
		}
	}
	if strings.Contains(f.indent, "\t") {
		return "\t"
	}
	return "    "
}

// parseSignature reads the parameters and the return annotation of a def
// statement (which may span lines).
func parseSignature(sig string) ([]param, string) {
	ss := scan(sig)
	m := strings.Join(ss.masked, "\n")
	orig := strings.Join(ss.lines, "\n")
	open := strings.IndexByte(m, '(')
	if open < 0 {
		return nil, ""
	}
	end := closing(m, open)
	if end < 0 {
		return nil, ""
	}
	var ps []param
	for _, sp := range splitTop(m[open+1 : end]) {
		a, b := open+1+sp[0], open+1+sp[1]
		text := strings.TrimSpace(orig[a:b])
		if eq := topLevelIndex(m[a:b], '='); eq >= 0 {
			text = strings.TrimSpace(orig[a : a+eq])
		}
		name, ann, _ := strings.Cut(text, ":")
		name = strings.TrimSpace(name)
		if name == "" || name == "*" || name == "/" || strings.HasPrefix(name, "*") {
			continue
		}
		ps = append(ps, param{name: name, annotation: strings.TrimSpace(ann)})
	}
	ret := ""
	if arrow := strings.Index(m[end:], "->"); arrow >= 0 {
		rest := orig[end+arrow+2:]
		if c := strings.LastIndexByte(rest, ':'); c >= 0 {
			rest = rest[:c]
		}
		ret = strings.TrimSpace(rest)
	}
	return ps, ret
}

// topLevelIndex is the index of the first c outside brackets in m, or -1.
func topLevelIndex(m string, c byte) int {
	depth := 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case c:
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// own reports, for each statement of the body, whether it belongs to the
// function itself rather than to a def or class nested in it.
func (f *function) own() []bool {
	out := make([]bool, len(f.body))
	var nested []int // widths of the enclosing nested defs
	for k, j := range f.body {
		st := f.src.stmts[j]
		for len(nested) > 0 && st.width <= nested[len(nested)-1] {
			nested = nested[:len(nested)-1]
		}
		out[k] = len(nested) == 0
		switch f.src.keyword(st) {
		case "def", "class", "async":
			nested = append(nested, st.width)
		}
	}
	return out
}

// names is every identifier that appears in text, strings and comments
// included (a conservative "taken" set for new names).
func names(texts ...string) map[string]bool {
	out := map[string]bool{}
	for _, t := range texts {
		for _, sp := range identifiers(t) {
			out[t[sp[0]:sp[1]]] = true
		}
	}
	return out
}
