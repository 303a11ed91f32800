package cpp

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A small, forgiving reader of C++ source: enough to find a program's
// top-level functions and the macros it defines, never a parser.

// mask returns src with comments, the contents of string and character
// literals, line splices and preprocessor directives replaced by spaces
// (newlines kept, so offsets and line numbers stay), so that the braces,
// parentheses and semicolons left are code. The quotes of a literal stay.
func mask(src string) string {
	b := []byte(src)
	n := len(b)
	blank := func(i int) {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
	// splice reports whether a line splice (a backslash, maybe blanks, then
	// a newline: GCC accepts the blanks) starts at i, and where it ends.
	splice := func(i int) (int, bool) {
		if src[i] != '\\' {
			return 0, false
		}
		j := i + 1
		for j < n && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r') {
			j++
		}
		if j < n && src[j] == '\n' {
			return j + 1, true
		}
		return 0, false
	}
	// skipLine masks to the end of the line (a // comment or a directive),
	// following splices; block comments inside a directive may span lines.
	skipLine := func(i int, directive bool) int {
		for i < n && src[i] != '\n' {
			if j, ok := splice(i); ok {
				for ; i < j-1; i++ {
					blank(i)
				}
				i = j
				continue
			}
			if directive && strings.HasPrefix(src[i:], "/*") {
				end := strings.Index(src[i+2:], "*/")
				stop := n
				if end >= 0 {
					stop = i + 2 + end + 2
				}
				for ; i < stop; i++ {
					blank(i)
				}
				continue
			}
			if directive && (src[i] == '"' || src[i] == '\'') {
				i = skipQuoted(src, b, i, blank)
				continue
			}
			blank(i)
			i++
		}
		return i
	}
	lineStart := true
	for i := 0; i < n; {
		c := src[i]
		if c == '\n' {
			lineStart = true
			i++
			continue
		}
		if j, ok := splice(i); ok {
			for ; i < j-1; i++ {
				blank(i)
			}
			i = j
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
			i++
			continue
		}
		if lineStart && (c == '#' || strings.HasPrefix(src[i:], "%:")) {
			i = skipLine(i, true)
			continue
		}
		lineStart = false
		switch {
		case strings.HasPrefix(src[i:], "//"):
			i = skipLine(i, false)
			continue
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			stop := n
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			for ; i < stop; i++ {
				blank(i)
			}
			continue
		case c == '"':
			i = skipQuoted(src, b, i, blank)
			continue
		case c == '\'':
			// Digit separators (1'000) never get here: a number takes them.
			i = skipQuoted(src, b, i, blank)
			continue
		case isIdentStart(c) || c >= 0x80:
			j := i
			for j < n && (isIdentByte(src[j]) || src[j] >= 0x80) {
				j++
			}
			word := src[i:j]
			if j < n && src[j] == '"' && isRawPrefix(word) {
				i = skipRaw(src, b, j, blank)
				continue
			}
			if j < n && (src[j] == '"' || src[j] == '\'') && isPrefix(word) {
				i = skipQuoted(src, b, j, blank)
				continue
			}
			i = j
			continue
		case c >= '0' && c <= '9' || c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9':
			// A pp-number, digit separators and exponent signs included.
			j := i + 1
			for j < n {
				d := src[j]
				switch {
				case isIdentByte(d) || d == '.':
					j++
				case d == '\'' && j+1 < n && isIdentByte(src[j+1]):
					j += 2
				case (d == '+' || d == '-') && strings.IndexByte("eEpP", src[j-1]) >= 0:
					j++
				default:
					goto done
				}
			}
		done:
			i = j
			continue
		}
		i++
	}
	return string(b)
}

// skipQuoted masks the contents of the string or character literal whose
// opening quote is at i and returns the offset after it (an unterminated
// literal ends at the end of its line).
func skipQuoted(src string, b []byte, i int, blank func(int)) int {
	q := src[i]
	i++
	for i < len(src) && src[i] != q && src[i] != '\n' {
		if src[i] == '\\' && i+1 < len(src) {
			blank(i)
			i++
			if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				blank(i)
				i++
			}
		}
		blank(i)
		i++
	}
	if i < len(src) && src[i] == q {
		i++
	}
	return i
}

// skipRaw masks a raw string literal whose quote is at i: R"delim(...)delim".
func skipRaw(src string, b []byte, i int, blank func(int)) int {
	open := strings.IndexByte(src[i+1:], '(')
	if open < 0 || open > 16 || strings.ContainsAny(src[i+1:i+1+open], " ()\\\t\v\f\n") {
		return skipQuoted(src, b, i, blank) // not a valid raw string: GCC errors anyway
	}
	delim := ")" + src[i+1:i+1+open] + "\""
	body := i + 1 + open + 1
	end := strings.Index(src[body:], delim)
	stop := len(src)
	if end >= 0 {
		stop = body + end + len(delim) - 1
	}
	for j := i + 1; j < stop; j++ {
		blank(j)
	}
	if stop < len(src) {
		return stop + 1
	}
	return stop
}

func isPrefix(w string) bool {
	switch w {
	case "L", "u", "U", "u8":
		return true
	}
	return false
}

func isRawPrefix(w string) bool {
	switch w {
	case "R", "LR", "uR", "UR", "u8R":
		return true
	}
	return false
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// identifiers returns the spans of the identifiers (and keywords) of a
// masked text.
func identifiers(m string) [][2]int {
	var out [][2]int
	for i := 0; i < len(m); {
		c := m[i]
		switch {
		case isIdentStart(c):
			j := i
			for j < len(m) && isIdentByte(m[j]) {
				j++
			}
			if i == 0 || !(m[i-1] >= '0' && m[i-1] <= '9') {
				out = append(out, [2]int{i, j})
			}
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(m) && (isIdentByte(m[j]) || m[j] == '.') {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return out
}

// closing returns the offset of the bracket that closes the one at open in
// a masked text, or -1.
func closing(m string, open int) int {
	var stack []byte
	for i := open; i < len(m); i++ {
		switch c := m[i]; c {
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 || pair(stack[len(stack)-1]) != c {
				return -1
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i
			}
		}
	}
	return -1
}

// opening returns the offset of the bracket that opens the one closing at
// end, or -1.
func opening(m string, end int) int {
	depth := 0
	want := m[end]
	open := byte('(')
	switch want {
	case ']':
		open = '['
	case '}':
		open = '{'
	}
	for i := end; i >= 0; i-- {
		switch m[i] {
		case want:
			depth++
		case open:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func pair(c byte) byte {
	switch c {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// depthAt returns the brace depth of a masked text at its end.
func depthAt(m string) int {
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

// A function is a function definition at the top level of a source.
type function struct {
	name   string
	start  int // the start of the line of its first token
	header int // its first token (a template<...>, its return type, ...)
	nameAt int
	lparen int // its parameter list's parentheses
	rparen int
	open   int // the '{' of its body
	end    int // after the '}' closing it; len(src) when it is left open
}

// notFunctions are words before a parenthesis that, followed by a block,
// do not make a function definition.
var notFunctions = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "catch": true, "return": true,
	"sizeof": true, "alignof": true, "decltype": true, "noexcept": true, "throw": true,
	"__attribute__": true, "alignas": true, "static_assert": true,
}

// functions lists the function definitions at brace depth 0 of a masked
// text, in order.
func functions(m string) []function {
	var out []function
	depth := 0
	last := 0 // after the last ';', '{' or '}' at depth 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case ';':
			if depth == 0 {
				last = i + 1
			}
		case '}':
			depth--
			if depth <= 0 {
				depth = 0
				last = i + 1
			}
		case '{':
			if depth == 0 {
				if f, ok := definition(m, last, i); ok {
					if c := closing(m, i); c >= 0 {
						f.end = c + 1
					} else {
						f.end = len(m)
					}
					out = append(out, f)
				}
				last = i + 1
			}
			depth++
		}
	}
	return out
}

// definition reads the declaration from offset from to the '{' at open as a
// function's head: ... name ( params ) [qualifiers] {.
func definition(m string, from, open int) (function, bool) {
	// An initializer (= {...}, a lambda) is no definition: look for '=' or
	// ';' outside parentheses (default arguments are inside).
	depth := 0
	for i := from; i < open; i++ {
		switch m[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '=', ';':
			if depth == 0 {
				return function{}, false
			}
		}
	}
	end := open - 1
	for {
		for end >= from && m[end] != ')' {
			if c := m[end]; c == ';' || c == '}' || c == '{' || c == '(' {
				return function{}, false
			}
			end--
		}
		if end < from {
			return function{}, false
		}
		lp := opening(m, end)
		if lp < from {
			return function{}, false
		}
		j := lp
		for j > from && (m[j-1] == ' ' || m[j-1] == '\t' || m[j-1] == '\n' || m[j-1] == '\r') {
			j--
		}
		k := j
		for k > from && isIdentByte(m[k-1]) {
			k--
		}
		name := m[k:j]
		if name == "" || name[0] >= '0' && name[0] <= '9' {
			return function{}, false
		}
		if skip := notFunctions[name]; skip {
			if name == "noexcept" || name == "throw" || name == "__attribute__" || name == "decltype" || name == "alignas" {
				end = k - 1 // a qualifier after the parameters: look further back
				continue
			}
			return function{}, false
		}
		header := from
		for header < k && strings.IndexByte(" \t\r\n", m[header]) >= 0 {
			header++
		}
		start := strings.LastIndexByte(m[:header], '\n') + 1
		return function{name: name, start: start, header: header, nameAt: k, lparen: lp, rparen: end, open: open}, true
	}
}

// lineOf returns the 1-based line of offset i in s.
func lineOf(s string, i int) int { return strings.Count(s[:i], "\n") + 1 }

// defineRE finds a #define directive's macro name in a text whose comments
// and line splices are gone. It runs over literals too, on purpose: see
// definedMacros.
var defineRE = regexp.MustCompile(`(?:#|%:)[ \t]*define[ \t]+([A-Za-z_$\x{80}-\x{10FFFF}][A-Za-z0-9_$\x{80}-\x{10FFFF}]*)`)

// ucnRE is a universal character name (\u00e9), which may spell an
// identifier.
var ucnRE = regexp.MustCompile(`\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}`)

// spliceRE is a line splice as GCC reads it.
var spliceRE = regexp.MustCompile(`\\[ \t\r]*\n`)

// unUndefinable are the names #undef refuses or that only the compiler
// defines: the solution cannot redefine them in a way that matters to the
// tests.
var unUndefinable = map[string]bool{
	"defined": true, "__VA_ARGS__": true, "__VA_OPT__": true, "_Pragma": true,
	"__has_include": true, "__has_include_next": true, "__has_cpp_attribute": true,
	"__has_attribute": true, "__has_builtin": true, "__has_c_attribute": true,
	"__LINE__": true, "__FILE__": true, "__COUNTER__": true, "__DATE__": true, "__TIME__": true,
	"__TIMESTAMP__": true, "__INCLUDE_LEVEL__": true, "__BASE_FILE__": true, "__FILE_NAME__": true,
	"__cplusplus": true,
}

// definedMacros returns the names of the macros src may #define, in order
// and without repeats: every name a #define directive can name, found with
// the line splices joined, universal character names decoded, and comments
// both removed and kept (in case this reader and the compiler ever differ
// on where a comment is). It errs on the side of too many names: the
// driver #undefs them all after the solution, and the tests use no macro
// but assert.
func definedMacros(src string) []string {
	joined := spliceRE.ReplaceAllString(strings.ReplaceAll(src, "\r\n", "\n"), "")
	joined = ucnRE.ReplaceAllStringFunc(joined, func(u string) string {
		var r rune
		for _, c := range u[2:] {
			r = r*16 + hexVal(c)
		}
		if !utf8.ValidRune(r) {
			return u
		}
		return string(r)
	})
	seen := map[string]bool{}
	var names []string
	for _, text := range []string{uncomment(joined), joined} {
		for _, m := range defineRE.FindAllStringSubmatch(text, -1) {
			if name := m[1]; !seen[name] && !unUndefinable[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	return names
}

func hexVal(c rune) rune {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// uncomment replaces the comments of src by a space each (as the
// preprocessor does), keeping literals.
func uncomment(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); {
		switch {
		case strings.HasPrefix(src[i:], "//"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i += j
		case strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			b.WriteByte(' ')
			if j < 0 {
				return b.String()
			}
			i += 2 + j + 2
		case src[i] == '"' || src[i] == '\'':
			j := i + 1
			for j < len(src) && src[j] != src[i] && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j < len(src) {
				j++
			}
			b.WriteString(src[i:min(j, len(src))])
			i = min(j, len(src))
		default:
			b.WriteByte(src[i])
			i++
		}
	}
	return b.String()
}
