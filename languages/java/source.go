package java

import (
	"strings"
)

// maskByte replaces the contents of comments and literals in a masked
// source (see mask): it is no character of Java's syntax.
const maskByte = '\x00'

// mask returns src with comments blanked to spaces and the contents of
// string, character and text-block literals replaced by maskByte (newlines
// and quotes kept), so that braces, parentheses, semicolons and
// identifiers can be found by plain scanning. The result has the length of src, byte for byte. An
// unterminated literal or comment runs to the end of its line (a string)
// or of the source (a comment, a text block).
func mask(src string) string {
	b := []byte(src)
	n := len(b)
	fill := func(from, to int, c byte) {
		for k := from; k < to && k < n; k++ {
			if b[k] != '\n' {
				b[k] = c
			}
		}
	}
	blank := func(from, to int) { fill(from, to, maskByte) }
	for i := 0; i < n; {
		switch {
		case b[i] == '/' && i+1 < n && b[i+1] == '/':
			j := i
			for j < n && b[j] != '\n' {
				j++
			}
			fill(i, j, ' ')
			i = j
		case b[i] == '/' && i+1 < n && b[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			end := n
			if j >= 0 {
				end = i + 2 + j + 2
			}
			fill(i, end, ' ')
			i = end
		case b[i] == '"' && i+2 < n && b[i+1] == '"' && b[i+2] == '"':
			// A text block: """ to the next unescaped """.
			j := i + 3
			for j < n && !(b[j] == '"' && j+2 < n && b[j+1] == '"' && b[j+2] == '"') {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+3, n)
			blank(i+3, min(j, n))
			i = end
		case b[i] == '"' || b[i] == '\'':
			q := b[i]
			j := i + 1
			for j < n && b[j] != q && b[j] != '\n' {
				if b[j] == '\\' && j+1 < n && b[j+1] != '\n' {
					j++
				}
				j++
			}
			blank(i+1, j)
			if j < n && b[j] == q {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return string(b)
}

// isIdentStart and isIdentByte are Java's identifier characters (ASCII;
// other letters count as identifier characters too).
func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// identifiers returns the [start, end) spans of the identifiers and
// keywords of a masked line or source.
func identifiers(m string) [][2]int {
	var out [][2]int
	for i := 0; i < len(m); {
		c := m[i]
		if isIdentStart(c) && c != maskByte {
			j := i + 1
			for j < len(m) && isIdentByte(m[j]) && m[j] != maskByte {
				j++
			}
			out = append(out, [2]int{i, j})
			i = j
			continue
		}
		if c >= '0' && c <= '9' {
			// A number (and its suffix or exponent) is no identifier.
			for i < len(m) && (isIdentByte(m[i]) || m[i] == '.') && m[i] != maskByte {
				i++
			}
			continue
		}
		i++
	}
	return out
}

// matching returns the index of the bracket closing the one at open in a
// masked source, or -1. Only brackets of its own kind count: a brace pair
// still matches around an unclosed parenthesis (code with a syntax error).
func matching(m string, open int) int {
	var want byte
	switch m[open] {
	case '(':
		want = ')'
	case '[':
		want = ']'
	case '{':
		want = '}'
	default:
		return -1
	}
	depth := 0
	for i := open; i < len(m); i++ {
		switch m[i] {
		case m[open]:
			depth++
		case want:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// braceDepth returns the depth of curly braces at the end of a masked
// source (negative when it closes more than it opens).
func braceDepth(m string) int {
	d := 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '{':
			d++
		case '}':
			d--
		}
	}
	return d
}

// depths returns the curly-brace depth before each byte of a masked source.
func depths(m string) []int {
	out := make([]int, len(m)+1)
	d := 0
	for i := 0; i < len(m); i++ {
		out[i] = d
		switch m[i] {
		case '{':
			d++
		case '}':
			d--
		}
	}
	out[len(m)] = d
	return out
}

// prevToken returns the token that ends before i in a masked source,
// skipping white space (an identifier, or one punctuation byte), and its
// start; "" at the start of the source.
func prevToken(m string, i int) (string, int) {
	j := i
	for j > 0 && isSpace(m[j-1]) {
		j--
	}
	if j == 0 {
		return "", 0
	}
	if c := m[j-1]; isIdentByte(c) && c != maskByte {
		k := j - 1
		for k > 0 && isIdentByte(m[k-1]) && m[k-1] != maskByte {
			k--
		}
		return m[k:j], k
	}
	return m[j-1 : j], j - 1
}

// nextNonSpace returns the index of the first byte at or after i that is
// not white space, or len(m).
func nextNonSpace(m string, i int) int {
	for i < len(m) && isSpace(m[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// lineStart returns the index of the start of the line holding byte i.
func lineStart(s string, i int) int { return strings.LastIndexByte(s[:i], '\n') + 1 }

// lineEnd returns the index just past the newline ending the line that
// holds byte i (len(s) on the last line without one).
func lineEnd(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// lineCount is the number of lines of s: a last line without a newline
// counts.
func lineCount(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// primitive reports whether word is a primitive type or void.
func primitive(word string) bool {
	switch word {
	case "boolean", "byte", "char", "short", "int", "long", "float", "double", "void":
		return true
	}
	return false
}

// keyword reports whether word is a Java keyword or literal, which is no
// type name (primitive types are keywords too, see primitive).
func keyword(word string) bool {
	switch word {
	case "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
		"continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
		"for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
		"new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
		"super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
		"volatile", "while", "true", "false", "null", "var", "yield", "record", "sealed", "permits":
		return true
	}
	return false
}

// method is a method (or constructor) declaration with a body.
type method struct {
	name   string
	start  int // start of the line where the declaration starts (its first modifier, annotation or type)
	nameAt int
	open   int // the body's opening brace
	close  int // the body's closing brace, -1 when it is not closed
	params string
	ret    string // the return type ("" for a constructor)
	depth  int    // brace depth of the declaration
}

// methods lists the method and constructor declarations with a body in
// src, given its mask m: an identifier after a type or a modifier (not
// after return, new, a dot or an operator, which make calls and instance
// creations), then a parameter list, an optional throws clause and a
// brace.
func methods(src, m string) []method {
	var out []method
	ds := depths(m)
	for _, sp := range identifiers(m) {
		name := m[sp[0]:sp[1]]
		if keyword(name) {
			continue
		}
		p := nextNonSpace(m, sp[1])
		if p >= len(m) || m[p] != '(' {
			continue
		}
		prev, _ := prevToken(m, sp[0])
		switch {
		case prev == ">" || prev == "]":
		case prev != "" && isIdentStart(prev[0]) && (!keyword(prev) || primitive(prev) || modifier(prev)):
		default:
			continue
		}
		end := matching(m, p)
		if end < 0 {
			continue
		}
		q := nextNonSpace(m, end+1)
		if word, _ := nextToken(m, q); word == "throws" {
			for q < len(m) && m[q] != '{' && m[q] != ';' && m[q] != '(' && m[q] != ')' && m[q] != '}' && m[q] != '=' {
				q++
			}
		}
		if q >= len(m) || m[q] != '{' {
			continue
		}
		first, header := declHeader(m, sp[0])
		if strings.ContainsAny(header, "=;(") && !strings.Contains(header, "@") {
			continue
		}
		out = append(out, method{
			name: name, start: lineStart(src, first), nameAt: sp[0], open: q, close: matching(m, q),
			params: src[p+1 : end], ret: returnType(header), depth: ds[sp[0]],
		})
	}
	return out
}

// modifier reports whether word is a modifier of a method.
func modifier(word string) bool {
	switch word {
	case "public", "private", "protected", "static", "final", "abstract", "synchronized", "native", "strictfp", "default":
		return true
	}
	return false
}

// declHeader returns where the declaration whose name is at nameAt starts
// (after the previous ';', '{' or '}') and its masked text up to the name:
// annotations, modifiers, type parameters and return type.
func declHeader(m string, nameAt int) (int, string) {
	i := nameAt
	for i > 0 && m[i-1] != ';' && m[i-1] != '{' && m[i-1] != '}' {
		i--
	}
	first := nextNonSpace(m, i)
	return first, m[first:nameAt]
}

// returnType is the type in a method's header: what is left after its
// annotations, modifiers and type parameters.
func returnType(header string) string {
	h := strings.TrimSpace(header)
	for h != "" {
		switch {
		case h[0] == '@':
			// An annotation, with its arguments.
			j := 1
			for j < len(h) && (isIdentByte(h[j]) || h[j] == '.') {
				j++
			}
			if k := nextNonSpace(h, j); k < len(h) && h[k] == '(' {
				if e := matching(h, k); e > 0 {
					j = e + 1
				}
			}
			h = strings.TrimSpace(h[j:])
		case h[0] == '<':
			e := closingAngle(h, 0)
			if e < 0 {
				return h
			}
			h = strings.TrimSpace(h[e+1:])
		default:
			w, _ := nextToken(h, 0)
			if !modifier(w) {
				return h
			}
			h = strings.TrimSpace(h[len(w):])
		}
	}
	return ""
}

// closingAngle returns the index of the '>' closing the '<' at open.
func closingAngle(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// nextToken returns the token that starts at or after i in a masked
// source (an identifier or one other byte) and its index; "" at the end.
func nextToken(m string, i int) (string, int) {
	i = nextNonSpace(m, i)
	if i >= len(m) {
		return "", i
	}
	if isIdentStart(m[i]) && m[i] != maskByte {
		j := i + 1
		for j < len(m) && isIdentByte(m[j]) && m[j] != maskByte {
			j++
		}
		return m[i:j], i
	}
	return m[i : i+1], i
}

// openingParen returns the index of the '(' that the ')' at close closes
// in a masked source, or -1.
func openingParen(m string, close int) int {
	depth := 0
	for i := close; i >= 0; i-- {
		switch m[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
