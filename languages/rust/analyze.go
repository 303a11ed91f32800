package rust

import (
	"regexp"
	"strings"

	"github.com/selfrepair/selfrepair/tasks"
)

// reading is the coder's analysis of a task: the reference program
// (completion prefix + reference), masked and split into lines, and the
// function the mutators change.
type reading struct {
	task   tasks.Task
	prefix string
	stub   stub
	lines  []string // the reference program's lines
	masked []string // the same, comments and literals blanked
	// editFrom is the first line of the reference itself: mutations
	// change the reference, never the prompt.
	editFrom int
	fn       *fnInfo
	tested   bool            // the tests call fn
	taken    map[string]bool // every identifier of the program and tests
}

// kind is what a mutator knows of a type.
type kind int

const (
	kindOther kind = iota
	kindBool
	kindInt
	kindFloat
	kindString // String
	kindStr    // &str
	kindVec
	kindOption
	kindMap
	kindTuple
)

type param struct {
	name string
	ty   string
	kind kind
}

// fnInfo is a function of the reference program.
type fnInfo struct {
	name        string
	params      []param
	ret         string
	retKind     kind
	open, close int    // lines of the body's braces
	depth       []int  // per line (of the program): brace depth at its start, 1 inside the body
	owned       []bool // per line: not inside a closure or a nested fn
}

func kindOf(ty string) kind {
	t := strings.Join(strings.Fields(ty), "")
	t = strings.TrimPrefix(t, "&mut")
	t = strings.TrimPrefix(t, "&")
	if strings.HasPrefix(t, "'") {
		if i := strings.IndexAny(t, "abcdefghijklmnopqrstuvwxyz_"); i > 0 {
			j := i
			for j < len(t) && isIdentByte(t[j]) {
				j++
			}
			t = t[j:]
		}
	}
	switch {
	case t == "bool":
		return kindBool
	case t == "i8" || t == "i16" || t == "i32" || t == "i64" || t == "i128" || t == "isize" ||
		t == "u8" || t == "u16" || t == "u32" || t == "u64" || t == "u128" || t == "usize":
		return kindInt
	case t == "f32" || t == "f64":
		return kindFloat
	case t == "String":
		if strings.HasPrefix(strings.TrimSpace(ty), "&") {
			return kindStr
		}
		return kindString
	case t == "str":
		return kindStr
	case strings.HasPrefix(t, "Vec<") || strings.HasPrefix(t, "["):
		return kindVec
	case strings.HasPrefix(t, "Option<"):
		return kindOption
	case strings.HasPrefix(t, "HashMap<"):
		return kindMap
	case strings.HasPrefix(t, "("):
		return kindTuple
	}
	return kindOther
}

var identRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// read analyses t. It never fails: a task it cannot read gets a reading
// that makes no faulty variants.
func read(t tasks.Task) *reading {
	e := &reading{task: t, taken: map[string]bool{}}
	if t.Style != tasks.Completion {
		e.prefix = ""
	} else {
		e.prefix = completionPrefix(t)
		e.stub, _ = openStub(e.prefix)
	}
	prog := e.prefix + t.Reference
	e.lines = strings.Split(prog, "\n")
	e.masked = strings.Split(mask(prog), "\n")
	e.editFrom = strings.Count(e.prefix, "\n")
	if e.prefix != "" && !strings.HasSuffix(e.prefix, "\n") {
		e.editFrom++
	}
	for _, s := range []string{prog, t.Test, t.VisibleTest} {
		for _, tok := range lex(s) {
			if tok.kind == tokIdent {
				e.taken[tok.text] = true
			}
		}
	}
	testIdents := map[string]bool{}
	for _, tok := range lex(t.Test) {
		if tok.kind == tokIdent {
			testIdents[tok.text] = true
		}
	}
	// The function to change: the open stub when the tests call it, else
	// the first function of the reference they call.
	var pick *item
	its := topItems(prog)
	refStart := len(e.prefix)
	for i := range its {
		it := &its[i]
		if it.kind != "fn" || it.open || it.body < 0 || it.end <= refStart {
			continue
		}
		if it.name == e.stub.name && testIdents[it.name] {
			pick = it
			break
		}
		if pick == nil && testIdents[it.name] {
			pick = it
		}
	}
	if pick == nil {
		for i := range its {
			if its[i].kind == "fn" && its[i].name == e.stub.name && !its[i].open {
				pick = &its[i]
			}
		}
	}
	if pick == nil {
		return e
	}
	e.tested = testIdents[pick.name]
	e.fn = e.analyseFn(prog, *pick)
	return e
}

// analyseFn reads a function's signature and the shape of its body.
func (e *reading) analyseFn(prog string, it item) *fnInfo {
	f := &fnInfo{name: it.name}
	sig := it.sig
	k := 1
	if k < len(sig) && sig[k].is("<") {
		for k < len(sig) && !sig[k].is(">") {
			k++
		}
		k++
	}
	if k < len(sig) && sig[k].is("(") {
		if c := matching(sig, k); c > 0 {
			for _, p := range splitTop(sig[k+1 : c]) {
				colon := -1
				for j, t := range p {
					if t.is(":") {
						colon = j
						break
					}
				}
				if colon < 1 {
					continue
				}
				name := ""
				for _, t := range p[:colon] {
					if t.kind == tokIdent && t.text != "mut" {
						name = t.text
					}
				}
				ty := joinTokens(p[colon+1:])
				f.params = append(f.params, param{name: name, ty: ty, kind: kindOf(ty)})
			}
			rest := sig[c+1:]
			if len(rest) > 1 && rest[0].is("->") {
				end := len(rest)
				for j, t := range rest {
					if t.is("where") {
						end = j
						break
					}
				}
				f.ret = joinTokens(rest[1:end])
				f.retKind = kindOf(f.ret)
			}
		}
	}
	masked := mask(prog)
	f.open = lineOf(prog, it.body) - 1
	f.close = lineOf(prog, it.end-1) - 1
	n := len(e.lines)
	f.depth = make([]int, n+1)
	f.owned = make([]bool, n+1)
	// Blocks from the body's brace on: foreign ones are closures' and
	// nested functions' bodies, whose returns are not the function's.
	var stack []bool
	line := f.open
	foreign := 0
	for o := it.body; o < it.end && o < len(masked); o++ {
		switch masked[o] {
		case '{':
			isForeign := len(stack) > 0 && foreignBlock(masked[:o])
			stack = append(stack, isForeign)
			if isForeign {
				foreign++
			}
		case '}':
			if len(stack) > 0 {
				if stack[len(stack)-1] {
					foreign--
				}
				stack = stack[:len(stack)-1]
			}
		case '\n':
			line++
			if line < len(f.depth) {
				f.depth[line] = len(stack)
				f.owned[line] = foreign == 0
			}
		}
	}
	return f
}

var (
	closureHead = regexp.MustCompile(`(\|[^|;{}]*\||\|\||\bmove)\s*(->[^;{}]*)?$`)
	fnHead      = regexp.MustCompile(`\bfn\b[^;{}]*$`)
)

// foreignBlock reports whether the block whose brace ends before opens a
// closure's or a nested function's body.
func foreignBlock(before string) bool {
	start := strings.LastIndexAny(before, ";{}")
	seg := before[start+1:]
	return closureHead.MatchString(strings.TrimRight(seg, " \t\n")) || fnHead.MatchString(seg)
}
