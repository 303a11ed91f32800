package javascript

import (
	"strings"
)

// maskByte stands for the contents of strings, template literals and
// regular expressions in masked source.
const maskByte = '\x01'

// mask returns src with the contents of its string, template and regular
// expression literals replaced by maskByte (their delimiters kept) and its
// comments by spaces, newlines everywhere kept: brackets, keywords and
// operators of the code can then be found by plain byte search, at the
// same offsets as in src. It is a forgiving lexer: an unterminated literal
// runs to the end of its line (a template or block comment, to the end).
func mask(src string) string {
	b := []byte(src)
	var prev byte // the last significant byte of code, for telling a regex from a division
	prevWord := ""
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			stop := len(b)
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			for ; i < stop; i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
		case c == '\'' || c == '"':
			i = maskQuoted(b, i, c)
			prev, prevWord = c, ""
		case c == '`':
			i = maskTemplate(b, i)
			prev, prevWord = '`', ""
		case c == '/' && regexAllowed(prev, prevWord):
			i = maskRegex(b, i)
			prev, prevWord = '/', ""
		case isIdentByte(c, true):
			j := i
			for j < len(b) && isIdentByte(b[j], true) {
				j++
			}
			prev, prevWord = b[j-1], src[i:j]
			i = j
		default:
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				prev, prevWord = c, ""
			}
			i++
		}
	}
	return string(b)
}

// maskQuoted masks the string literal opening at i and returns the offset
// after it.
func maskQuoted(b []byte, i int, quote byte) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			b[i] = maskByte
			if i+1 < len(b) && b[i+1] != '\n' {
				i++
				b[i] = maskByte
			}
			continue
		case quote:
			return i + 1
		case '\n':
			return i
		}
		b[i] = maskByte
	}
	return i
}

// maskTemplate masks the template literal opening at i, substitutions
// included, and returns the offset after it.
func maskTemplate(b []byte, i int) int {
	depth := 0 // braces open inside a ${ } substitution
	for i++; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\':
			b[i] = maskByte
			if i+1 < len(b) && b[i+1] != '\n' {
				i++
				b[i] = maskByte
			}
			continue
		case c == '`' && depth == 0:
			return i + 1
		case c == '$' && i+1 < len(b) && b[i+1] == '{':
			depth++
			b[i], b[i+1] = maskByte, maskByte
			i++
			continue
		case c == '{' && depth > 0:
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == '\n':
			continue
		}
		b[i] = maskByte
	}
	return i
}

// maskRegex masks the regular expression literal opening at i and returns
// the offset after it (its flags are left as code: they are letters).
func maskRegex(b []byte, i int) int {
	class := false
	for i++; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\':
			b[i] = maskByte
			if i+1 < len(b) && b[i+1] != '\n' {
				i++
				b[i] = maskByte
			}
			continue
		case c == '\n':
			return i
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == '/' && !class:
			return i + 1
		}
		b[i] = maskByte
	}
	return i
}

// regexAllowed reports whether a slash after the byte prev (the last of
// the word prevWord, if it ended one) starts a regular expression rather
// than a division.
func regexAllowed(prev byte, prevWord string) bool {
	if prevWord != "" {
		switch prevWord {
		case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
			return true
		}
		return false
	}
	switch prev {
	case ')', ']', '}', '\'', '"', '`', '/':
		return false
	}
	return true
}

func isIdentByte(c byte, digits bool) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || digits && c >= '0' && c <= '9'
}

// identAt returns the identifier starting at i of s, "" if none does.
func identAt(s string, i int) string {
	if i >= len(s) || !isIdentByte(s[i], false) || i > 0 && isIdentByte(s[i-1], true) {
		return ""
	}
	j := i
	for j < len(s) && isIdentByte(s[j], true) {
		j++
	}
	return s[i:j]
}

// identifiers lists the identifiers of a masked line: [start, end) pairs.
func identifiers(ml string) [][2]int {
	var out [][2]int
	for i := 0; i < len(ml); i++ {
		if !isIdentByte(ml[i], false) || i > 0 && isIdentByte(ml[i-1], true) {
			continue
		}
		j := i
		for j < len(ml) && isIdentByte(ml[j], true) {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// closing returns the offset of the bracket that closes the one at open in
// masked text m, or -1.
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

// braceDepth is the depth of braces open at the end of masked text m.
func braceDepth(m string) int {
	return strings.Count(m, "{") - strings.Count(m, "}")
}

// statementEnd returns the offset just after the statement of masked text
// m that starts at start: at the first newline or semicolon outside any
// bracket that the statement does not continue past (the line ends with an
// operator, or the next one starts with one), or at a bracket that closes
// one the statement is in.
func statementEnd(m string, start int) int {
	depth := 0
	for i := start; i < len(m); i++ {
		switch c := m[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth < 0 {
				return i // the bracket closes what the statement is in
			}
		case ';':
			if depth == 0 {
				if j := strings.IndexByte(m[i:], '\n'); j >= 0 && strings.TrimSpace(m[i+1:i+j]) == "" {
					return i + j + 1
				}
				return i + 1
			}
		case '\n':
			if depth == 0 && !continues(m[start:i], m[i+1:]) {
				return i + 1
			}
		}
	}
	return len(m)
}

// continues reports whether a statement whose text so far is before goes
// on past the newline to after.
func continues(before, after string) bool {
	b := strings.TrimRight(before, " \t\r")
	if b == "" {
		return true
	}
	if strings.HasSuffix(b, "=>") || strings.ContainsRune("=,(+-*/%&|^!?:<>.[{", rune(b[len(b)-1])) {
		return true
	}
	a := strings.TrimLeft(after, " \t\r\n")
	return a != "" && strings.ContainsRune(".?:+-*/%&|^,=)]}>", rune(a[0])) && !strings.HasPrefix(a, "++") && !strings.HasPrefix(a, "--")
}

// lineStarts returns the offsets where the lines of s start.
func lineStarts(s string) []int {
	starts := []int{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineAt returns line n (1-based) of s without its newline, "" when s has
// no such line.
func lineAt(s string, n int) string {
	if n < 1 {
		return ""
	}
	for i := 1; i < n; i++ {
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return s
}

func indentOf(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}
