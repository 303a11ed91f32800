package cpp

import (
	"strings"

	"github.com/selfrepair/selfrepair/tasks"
)

// Program is the program an answer's code runs as: for a completion task
// HumanEval-X's prompt + completion, with the code spliced in by splice.
func (Language) Program(t tasks.Task, code string) string {
	if t.Style == tasks.Completion {
		return splice(t.Prompt, code)
	}
	return code
}

// A stub is what splice and the coder know of a completion prompt: its
// last function, whose body the prompt leaves open, and the functions
// before it (helpers such as CPP/10's is_palindrome).
type stub struct {
	fn      function
	helpers []string // names of the functions the prompt defines whole
	masked  string   // the prompt, masked
}

// stubOf finds the prompt's open function; ok is false when it has none.
func stubOf(prompt string) (stub, bool) {
	m := mask(prompt)
	fns := functions(m)
	if len(fns) == 0 || fns[len(fns)-1].end != len(m) {
		return stub{}, false
	}
	s := stub{fn: fns[len(fns)-1], masked: m}
	s.fn.name = prompt[s.fn.nameAt : s.fn.nameAt+len(s.fn.name)]
	for _, f := range fns[:len(fns)-1] {
		s.helpers = append(s.helpers, f.name)
	}
	return s, true
}

// splice returns the program for a HumanEval-X completion task whose prompt
// ends with the open function (signature and '{', maybe a comment) given
// the code of an answer (usually what agent/extract.Code read of it).
//
// The rules:
//
//   - Whole function: if code defines that function at its top level, the
//     program is the prompt up to the function's first line (its includes,
//     comments and helpers) followed by code: the prompt's stub is
//     replaced, and the program holds exactly the answer's definition.
//     Helpers the prompt defines are the prompt's: the answer's copies of
//     them are dropped (they would be redefinitions; CPP/38's tests call
//     the prompt's encode_cyclic).
//   - Body: otherwise code continues the open function, and the program is
//     prompt + code, HumanEval-X's own rule (for the canonical solutions
//     exactly upstream's program). When code leaves only that function
//     open (a body shown without its closing brace), the brace is added.
//
// Either way a main function the answer defines at its top level (a chat
// model's demonstration) is dropped: the tests bring their own. When the
// prompt has no open function, the program is prompt, newline, code. The
// program ends with a newline.
func splice(prompt, code string) string {
	code = strings.ReplaceAll(code, "\r\n", "\n")
	st, ok := stubOf(prompt)
	var prog string
	switch {
	case !ok:
		if prompt != "" && !strings.HasSuffix(prompt, "\n") {
			prompt += "\n"
		}
		prog = prompt + dropFunctions(code, "main")
	case definesTop(code, st.fn.name):
		prog = prompt[:st.fn.start] + dropFunctions(strings.TrimLeft(code, "\n"), append([]string{"main"}, st.helpers...)...)
	default:
		prog = prompt + code
		after := len(prompt)
		m := mask(prog)
		if depthAt(m) == 1 && depthAt(m[after:]) == 0 && !closesEarly(m[after:]) {
			// Only the prompt's function is open: the body lost its brace.
			if !strings.HasSuffix(prog, "\n") {
				prog += "\n"
			}
			prog += "}\n"
		} else {
			prog = dropFrom(prog, after, "main")
		}
	}
	if !strings.HasSuffix(prog, "\n") {
		prog += "\n"
	}
	return prog
}

// closesEarly reports whether a masked body goes below depth 0 (closes the
// open function) at some point.
func closesEarly(m string) bool {
	d := 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '{':
			d++
		case '}':
			d--
			if d < 0 {
				return true
			}
		}
	}
	return false
}

// definesTop reports whether src defines function name at its top level.
func definesTop(src, name string) bool {
	m := mask(src)
	for _, f := range functions(m) {
		if src[f.nameAt:f.nameAt+len(f.name)] == name && !qualified(m, f.nameAt) {
			return true
		}
	}
	return false
}

// qualified reports whether the name at i is qualified (A::f): a member
// defined outside its class, not the free function.
func qualified(m string, i int) bool {
	j := i
	for j > 0 && (m[j-1] == ' ' || m[j-1] == '\t') {
		j--
	}
	return j >= 2 && m[j-2:j] == "::"
}

// dropFunctions removes from src the top-level definitions of the named
// functions (each with the rest of its last line, when blank).
func dropFunctions(src string, names ...string) string { return dropFrom(src, 0, names...) }

// dropFrom removes the top-level definitions of the named functions that
// start at or after offset from.
func dropFrom(src string, from int, names ...string) string {
	m := mask(src)
	// In a body, the top level of src is not depth 0 until the open
	// function closes: read the functions after that point.
	base := 0
	if from > 0 {
		d := depthAt(m[:from])
		for i := from; i < len(m) && d > 0; i++ {
			switch m[i] {
			case '{':
				d++
			case '}':
				d--
			}
			base = i + 1
		}
		if d > 0 {
			return src
		}
	}
	var cuts [][2]int
	for _, f := range functions(m[base:]) {
		f = shifted(f, base)
		if f.start < from || qualified(m, f.nameAt) {
			continue
		}
		name := src[f.nameAt : f.nameAt+len(f.name)]
		for _, n := range names {
			if name == n {
				end := f.end
				if nl := strings.IndexByte(src[end:], '\n'); nl >= 0 && strings.TrimSpace(m[end:end+nl]) == "" {
					end += nl + 1
				}
				start := max(f.start, base, from)
				cuts = append(cuts, [2]int{start, end})
				break
			}
		}
	}
	if len(cuts) == 0 {
		return src
	}
	var b strings.Builder
	at := 0
	for _, c := range cuts {
		b.WriteString(src[at:c[0]])
		at = c[1]
	}
	b.WriteString(src[at:])
	return b.String()
}

// shifted moves f's offsets by d.
func shifted(f function, d int) function {
	f.start += d
	f.header += d
	f.nameAt += d
	f.lparen += d
	f.rparen += d
	f.open += d
	f.end += d
	return f
}
