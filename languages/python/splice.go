package python

import (
	"strings"
)

// splice returns the Python program for a HumanEval-style completion task
// whose prompt ends with the signature and docstring of function
// entryPoint, given the code a model answered (usually what agent/extract.Code read of the answer).
//
// The rules:
//
//   - Whole function: if code defines entryPoint at column 0
//     ("def name(" or "async def name("), the program is the prompt up to
//     that function's def line (its imports and helpers, such as
//     HumanEval/32's poly), followed by code: the prompt's stub is
//     replaced, so the program holds exactly the model's definition. If
//     the prompt's entryPoint is not its last top-level statement (or is
//     missing), nothing is cut: the program is prompt, a newline, code,
//     and the model's definition, coming later, wins.
//   - Indented body: otherwise, if code's first non-blank line is
//     indented, code is the function's body as it stands: the program is
//     prompt + code (for the canonical solutions this is exactly
//     openai/human-eval's prompt + completion).
//   - Dedented body: if that line is not indented, the body lost its
//     indentation and gets the prompt's body indentation (that of the line
//     after the signature; 4 spaces if none). When the other lines are
//     already indented as a body would be, only the first line lost it
//     (an answer passed through strip()) and only it is indented;
//     otherwise every non-blank line is. Lines inside multi-line strings
//     are indented too.
//
// Other indentation mistakes (say, a body at 8 spaces) are left for the
// tests to report. The program ends with a newline.
func splice(prompt, entryPoint, code string) string {
	code = strings.ReplaceAll(code, "\r\n", "\n")
	if prompt != "" && !strings.HasSuffix(prompt, "\n") {
		prompt += "\n"
	}
	var prog string
	if definesAt(code, entryPoint) >= 0 {
		if cut, ok := stubStart(prompt, entryPoint); ok {
			prog = prompt[:cut] + strings.TrimLeft(code, "\n")
		} else {
			prog = prompt + "\n" + code
		}
	} else {
		prog = prompt + reindent(code, bodyIndent(prompt, entryPoint))
	}
	if !strings.HasSuffix(prog, "\n") {
		prog += "\n"
	}
	return prog
}

// definesAt returns the index of the last line of src that starts, at
// column 0, the definition of function name; -1 if there is none.
func definesAt(src, name string) int {
	at := -1
	for i, line := range strings.Split(src, "\n") {
		if isDef(line, name) {
			at = i
		}
	}
	return at
}

func isDef(line, name string) bool {
	s, ok := strings.CutPrefix(line, "async")
	if ok {
		if s == strings.TrimLeft(s, " \t") {
			return false // "asyncdef"
		}
		s = strings.TrimLeft(s, " \t")
	}
	s, ok = strings.CutPrefix(s, "def")
	if !ok || s == strings.TrimLeft(s, " \t") {
		return false
	}
	s, ok = strings.CutPrefix(strings.TrimLeft(s, " \t"), name)
	return ok && strings.HasPrefix(strings.TrimLeft(s, " \t"), "(")
}

// stubStart returns the byte offset in prompt where the definition of
// name starts (decorators included) if that definition is the prompt's
// last top-level statement.
func stubStart(prompt, name string) (int, bool) {
	lines := strings.Split(prompt, "\n")
	def := definesAt(prompt, name)
	if def < 0 {
		return 0, false
	}
	// Every later line must belong to the function: indented, blank, or
	// inside a triple-quoted string (a docstring's unindented lines).
	inString := ""
	for _, line := range lines[def+1:] {
		if inString == "" && strings.TrimSpace(line) != "" && line[0] != ' ' && line[0] != '\t' {
			return 0, false
		}
		inString = scanTripleQuotes(line, inString)
	}
	start := def
	for start > 0 && strings.HasPrefix(lines[start-1], "@") {
		start--
	}
	off := 0
	for _, l := range lines[:start] {
		off += len(l) + 1
	}
	return off, true
}

// scanTripleQuotes returns the triple quote left open after line, given
// the one open before it ("" for none). It ignores other string syntax:
// good enough for docstrings.
func scanTripleQuotes(line, open string) string {
	for {
		if open != "" {
			i := strings.Index(line, open)
			if i < 0 {
				return open
			}
			line, open = line[i+3:], ""
			continue
		}
		d, s := strings.Index(line, `"""`), strings.Index(line, `'''`)
		switch {
		case d < 0 && s < 0:
			return ""
		case s < 0 || (d >= 0 && d < s):
			line, open = line[d+3:], `"""`
		default:
			line, open = line[s+3:], `'''`
		}
	}
}

// bodyIndent returns the indentation of the body of the prompt's function
// name: that of the first non-blank line after its signature.
func bodyIndent(prompt, name string) string {
	lines := strings.Split(prompt, "\n")
	def := definesAt(prompt, name)
	if def < 0 {
		return "    "
	}
	i := def
	for i < len(lines) && !strings.HasSuffix(strings.TrimSpace(codePart(lines[i])), ":") {
		i++ // a signature over several lines
	}
	for i++; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			if ind := indentOf(lines[i]); ind != "" {
				return ind
			}
			break
		}
	}
	return "    "
}

// reindent gives a dedented body (see Program) the indentation ind.
func reindent(code, ind string) string {
	lines := strings.Split(code, "\n")
	first := -1
	var rest []string // later lines that are code: not blank, not comments
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
		case first < 0:
			first = i
		case !strings.HasPrefix(t, "#"):
			rest = append(rest, l)
		}
	}
	if first < 0 || indentOf(lines[first]) != "" {
		return code
	}
	if stripped(lines[first], rest, width(ind)) {
		lines[first] = ind + lines[first]
		return strings.Join(lines, "\n")
	}
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = ind + l
		}
	}
	return strings.Join(lines, "\n")
}

// stripped reports whether only the first line of a body lost its
// indentation: the rest sits at body level (ind columns) or deeper, and
// if the first line opens a block, the line after it is deeper than
// body level (in a fully dedented body it would be at ind exactly).
func stripped(first string, rest []string, ind int) bool {
	if len(rest) == 0 {
		return false
	}
	for _, l := range rest {
		if width(indentOf(l)) < ind {
			return false
		}
	}
	opens := strings.HasSuffix(strings.TrimSpace(codePart(first)), ":")
	return !opens || width(indentOf(rest[0])) > ind
}

func indentOf(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

// width is the column an indentation reaches, tabs to multiples of 8 as
// in Python.
func width(ind string) int {
	w := 0
	for _, r := range ind {
		if r == '\t' {
			w += 8 - w%8
		} else {
			w++
		}
	}
	return w
}

// codePart returns line without a trailing comment, skipping # inside
// simple string literals.
func codePart(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return line[:i]
		}
	}
	return line
}
