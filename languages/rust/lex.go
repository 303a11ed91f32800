package rust

import "strings"

// A small forgiving lexer of Rust source: enough to find items, braces,
// attributes and macro calls outside comments and literals. It never
// fails: text it does not understand becomes punctuation.

type tokKind int

const (
	tokIdent    tokKind = iota // identifiers and keywords (r#raw too)
	tokLifetime                // 'a, and loop labels
	tokLiteral                 // string, char and byte literals
	tokNumber
	tokPunct
)

type token struct {
	kind tokKind
	text string
	off  int // byte offset in the source
}

func (t token) end() int { return t.off + len(t.text) }

func (t token) is(text string) bool { return t.kind != tokLiteral && t.text == text }

// multiPunct are the punctuation tokens of more than one byte, longest
// first.
var multiPunct = []string{"<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||",
	"+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>", ".."}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// lex splits src into tokens, dropping whitespace and comments.
func lex(src string) []token {
	var toks []token
	scan(src, func(kind tokKind, start, end int) {
		toks = append(toks, token{kind, src[start:end], start})
	}, nil)
	return toks
}

// mask returns src with the contents of comments and literals replaced by
// spaces (newlines kept, quotes of literals kept), so that line-based code
// can search it without tripping over braces or keywords in text.
func mask(src string) string {
	b := []byte(src)
	blank := func(start, end int) {
		for i := start; i < end; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	scan(src, func(kind tokKind, start, end int) {
		if kind == tokLiteral {
			// Keep the delimiters: a masked "..." is still an expression.
			open := strings.IndexAny(src[start:end], `"'`)
			if open >= 0 && end-start-open >= 2 {
				blank(start+open+1, end-1)
			}
		}
	}, blank)
	return string(b)
}

// scan calls tok for every token of src and comment (when not nil) for
// every comment.
func scan(src string, tok func(kind tokKind, start, end int), comment func(start, end int)) {
	n := len(src)
	for i := 0; i < n; {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < n && src[i+1] == '/':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = n - i
			}
			if comment != nil {
				comment(i, i+j)
			}
			i += j
		case c == '/' && i+1 < n && src[i+1] == '*':
			j, depth := i+2, 1
			for j < n && depth > 0 {
				switch {
				case src[j] == '/' && j+1 < n && src[j+1] == '*':
					depth++
					j += 2
				case src[j] == '*' && j+1 < n && src[j+1] == '/':
					depth--
					j += 2
				default:
					j++
				}
			}
			if comment != nil {
				comment(i, j)
			}
			i = j
		case c == '"':
			j := quoted(src, i+1, '"')
			tok(tokLiteral, i, j)
			i = j
		case c == '\'':
			if j, ok := charLiteral(src, i); ok {
				tok(tokLiteral, i, j)
				i = j
				continue
			}
			j := i + 1
			for j < n && isIdentByte(src[j]) {
				j++
			}
			tok(tokLifetime, i, j)
			i = j
		case (c == 'b' || c == 'r') && i+1 < n && (src[i+1] == '"' || src[i+1] == '#' || src[i+1] == '\'' || (c == 'b' && src[i+1] == 'r')):
			if j, ok := prefixedLiteral(src, i); ok {
				tok(tokLiteral, i, j)
				i = j
				continue
			}
			j := i + 1
			if c == 'r' && src[j] == '#' && j+1 < n && isIdentStart(src[j+1]) {
				j++ // a raw identifier, r#match
			}
			for j < n && isIdentByte(src[j]) {
				j++
			}
			tok(tokIdent, i, j)
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < n && isIdentByte(src[j]) {
				j++
			}
			tok(tokIdent, i, j)
			i = j
		case c >= '0' && c <= '9':
			j := number(src, i)
			tok(tokNumber, i, j)
			i = j
		default:
			l := 1
			for _, p := range multiPunct {
				if strings.HasPrefix(src[i:], p) {
					l = len(p)
					break
				}
			}
			tok(tokPunct, i, i+l)
			i += l
		}
	}
}

// quoted returns the end of a literal whose body starts at i and that
// closes with q, honouring backslash escapes.
func quoted(src string, i int, q byte) int {
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
		case q:
			return i + 1
		default:
			i++
		}
	}
	return len(src)
}

// charLiteral reads a char literal at i ('a', '\n', '\u{1F600}'); ok is
// false for a lifetime or label.
func charLiteral(src string, i int) (int, bool) {
	n := len(src)
	if i+1 >= n {
		return 0, false
	}
	if src[i+1] == '\\' {
		return quoted(src, i+1, '\''), true
	}
	// One UTF-8 character, then the closing quote.
	j := i + 2
	for j < n && src[j]&0xC0 == 0x80 {
		j++
	}
	if j < n && src[j] == '\'' && src[i+1] != '\'' {
		return j + 1, true
	}
	return 0, false
}

// prefixedLiteral reads b"..", b'.', r"..", r#".."#, br".." at i.
func prefixedLiteral(src string, i int) (int, bool) {
	n := len(src)
	j := i
	if src[j] == 'b' {
		j++
		if j < n && src[j] == '\'' {
			if end, ok := charLiteral(src, j); ok {
				return end, true
			}
			return 0, false
		}
		if j < n && src[j] == '"' {
			return quoted(src, j+1, '"'), true
		}
	}
	if j >= n || src[j] != 'r' {
		return 0, false
	}
	j++
	hashes := 0
	for j < n && src[j] == '#' {
		hashes++
		j++
	}
	if j >= n || src[j] != '"' {
		return 0, false // r#ident, or an identifier starting with r/b
	}
	closing := "\"" + strings.Repeat("#", hashes)
	k := strings.Index(src[j+1:], closing)
	if k < 0 {
		return n, true
	}
	return j + 1 + k + len(closing), true
}

// number reads a numeric literal: digits, a fraction when a digit follows
// the dot (so 0..n stays a range), an exponent, a suffix.
func number(src string, i int) int {
	n := len(src)
	j := i
	hex := strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0b") || strings.HasPrefix(src[i:], "0o")
	for j < n && (isIdentByte(src[j])) {
		if !hex && (src[j] == 'e' || src[j] == 'E') && j+1 < n && (src[j+1] == '+' || src[j+1] == '-') {
			j += 2
			continue
		}
		j++
	}
	if !hex && j+1 < n && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
		j++
		for j < n && isIdentByte(src[j]) {
			if (src[j] == 'e' || src[j] == 'E') && j+1 < n && (src[j+1] == '+' || src[j+1] == '-') {
				j += 2
				continue
			}
			j++
		}
	} else if !hex && j+1 < n && src[j] == '.' && src[j+1] != '.' && !isIdentStart(src[j+1]) {
		j++ // "1." is a float literal
	}
	return j
}

// lineOf returns the 1-based line of byte offset off in src.
func lineOf(src string, off int) int {
	return strings.Count(src[:min(off, len(src))], "\n") + 1
}

// lineStarts returns the byte offset where each line of src starts.
func lineStarts(src string) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// matching returns the index of the token closing the bracket at toks[i],
// or -1.
func matching(toks []token, i int) int {
	open, close := toks[i].text, closer(toks[i].text)
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].is(open):
			depth++
		case toks[j].is(close):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func closer(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	case "{":
		return "}"
	}
	return ""
}
