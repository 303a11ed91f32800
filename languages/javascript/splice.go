package javascript

import (
	"regexp"
	"strings"
)

// declRE matches a top-level declaration at the start of a masked line:
// const/let/var NAME =, function NAME(, class NAME; groups 1, 2 and 3 hold
// the name.
var declRE = regexp.MustCompile(`^(?:export\s+(?:default\s+)?)?(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=|(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|class\s+([A-Za-z_$][\w$]*)\b)`)

// exportRE is the export keyword a model may put before a declaration,
// and exportOnlyRE a line that only exports names: a CommonJS file (which
// node runs the program as) can have neither.
var (
	exportRE     = regexp.MustCompile(`^export\s+(?:default\s+)?`)
	exportOnlyRE = regexp.MustCompile(`^export\s+(?:default\s+[A-Za-z_$][\w$]*|\{[\w$\s,]*\})\s*;?\s*$`)
)

// declName returns the name a masked line declares at column 0, "" if it
// declares none.
func declName(ml string) string {
	m := declRE.FindStringSubmatch(ml)
	if m == nil {
		return ""
	}
	return m[1] + m[2] + m[3]
}

// stub finds the function a HumanEval-X prompt leaves open: its name and
// the offset of its declaration line, when that line is the last of the
// prompt that is not blank (HumanEval-X's prompts end with
// "const name = (args) => {").
func stub(prompt string) (name string, at int, ok bool) {
	m := mask(prompt)
	starts := lineStarts(m)
	for k := len(starts) - 1; k >= 0; k-- {
		end := len(m)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		line := m[starts[k]:end]
		if strings.TrimSpace(line) == "" {
			continue
		}
		if n := declName(line); n != "" && braceDepth(m[starts[k]:]) > 0 {
			return n, starts[k], true
		}
		return "", 0, false
	}
	return "", 0, false
}

// splice returns the program for a HumanEval-X JavaScript completion task
// whose prompt ends with the open declaration of a function, given the
// code a model answered.
//
// The rules:
//
//   - Whole function: if code declares that function at column 0 (const,
//     let or var NAME =, or function NAME(, maybe exported), the program is
//     the prompt up to the function's declaration line (its documentation
//     and helpers, such as JavaScript/32's poly) followed by code: the
//     prompt's stub is replaced. A helper of the prompt that code declares
//     again is dropped from code (a second const of a name is a syntax
//     error, and the tests, which call helpers too, must get the prompt's
//     own); an export keyword before a declaration is dropped (node runs
//     the program as a CommonJS file).
//   - Body: otherwise code is the function's body, and the program is
//     prompt + code (for the canonical solutions this is exactly
//     HumanEval-X's prompt + completion). When the body leaves the
//     function open and does not end with a closing brace of its own at
//     column 0 (an answer that gave the body alone, without the prompt's
//     closing brace), the brace is added.
//
// The program ends with a newline.
func splice(prompt, code string) string {
	code = strings.ReplaceAll(code, "\r\n", "\n")
	prog := ""
	name, at, ok := stub(prompt)
	if ok && declares(code, name) {
		head := prompt[:at]
		prog = head + strings.TrimLeft(dropDeclarations(code, topNames(head)), "\n")
	} else {
		prog = prompt + code
		if ok && braceDepth(mask(prog)) == 1 && !endsWithCloser(code) {
			prog = strings.TrimRight(prog, " \t\n") + "\n}\n"
		}
	}
	if !strings.HasSuffix(prog, "\n") {
		prog += "\n"
	}
	return prog
}

// declares reports whether code declares name at column 0.
func declares(code, name string) bool {
	for _, ml := range strings.Split(mask(code), "\n") {
		if declName(ml) == name {
			return true
		}
	}
	return false
}

// topNames are the names src declares at column 0.
func topNames(src string) map[string]bool {
	names := map[string]bool{}
	for _, ml := range strings.Split(mask(src), "\n") {
		if n := declName(ml); n != "" {
			names[n] = true
		}
	}
	return names
}

// dropDeclarations removes from code the top-level declarations of the
// given names, and the export keywords of the others.
func dropDeclarations(code string, names map[string]bool) string {
	m := mask(code)
	var b strings.Builder
	depth := 0
	for i := 0; i < len(code); {
		end := strings.IndexByte(code[i:], '\n')
		if end < 0 {
			end = len(code)
		} else {
			end += i + 1
		}
		if depth == 0 {
			if exportOnlyRE.MatchString(m[i:end]) {
				i = end
				continue
			}
			if n := declName(m[i:end]); n != "" {
				if names[n] {
					i = statementEnd(m, i)
					continue
				}
				if loc := exportRE.FindStringIndex(m[i:end]); loc != nil {
					b.WriteString(code[i+loc[1] : end])
					depth += braceDepth(m[i:end])
					i = end
					continue
				}
			}
		}
		b.WriteString(code[i:end])
		depth += braceDepth(m[i:end])
		i = end
	}
	return b.String()
}

// endsWithCloser reports whether the last line of code that is not blank
// is a closing brace at column 0: the answer closed the function itself.
func endsWithCloser(code string) bool {
	lines := strings.Split(strings.TrimRight(mask(code), " \t\n"), "\n")
	last := lines[len(lines)-1]
	return strings.HasPrefix(last, "}")
}
