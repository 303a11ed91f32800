package rust

import (
	"strings"

	"github.com/selfrepair/selfrepair/tasks"
)

// completionPrefix is the text a HumanEval-X Rust completion continues:
// the declaration (imports and the function's signature, its body left
// open), then the prompt (the documentation, a comment that ends up inside
// the body). This is CodeGeeX's order: main + declaration + prompt +
// completion + test. A task whose prompt already holds the declaration
// (or that has none) is completed after its prompt.
func completionPrefix(t tasks.Task) string {
	if t.Declaration == "" || strings.HasPrefix(t.Prompt, t.Declaration) {
		return t.Prompt
	}
	return t.Declaration + t.Prompt
}

// stub is the function a completion prefix leaves open.
type stub struct {
	name   string
	start  int    // where its item starts (attributes included)
	header string // the prefix before it: the imports
	sig    string // its signature, from "fn" (or "pub fn") to the opening brace included
	fn     item
}

// openStub finds the last top-level function of prefix whose body is left
// open; ok is false when there is none.
func openStub(prefix string) (stub, bool) {
	its := topItems(prefix)
	for i := len(its) - 1; i >= 0; i-- {
		it := its[i]
		if it.kind == "fn" && it.open && it.body >= 0 {
			return stub{name: it.name, start: it.start, header: prefix[:it.start],
				sig: strings.TrimSpace(prefix[it.start : it.body+1]), fn: it}, true
		}
	}
	return stub{}, false
}

// splice returns the program for a completion task whose prefix (see
// completionPrefix) leaves a function open, given the code a model
// answered.
//
// The rules:
//
//   - Body: code that closes the open function (its braces go below zero,
//     as the canonical solutions do) or defines no complete top-level
//     function is the function's body as it stands: the program is
//     prefix + code, exactly CodeGeeX's assembly.
//   - Whole function: code that never closes more braces than it opens and
//     defines at least one complete top-level function (the open one,
//     usually, with its signature, maybe with imports and helpers)
//     replaces the open stub: the program is the prefix up to the stub
//     (its imports) followed by code. From code are dropped what cannot
//     stand beside the prefix and the harness: an import of a name the
//     prefix already imports (Rust refuses a name imported twice), a
//     `fn main` (the harness has its own) and items marked #[cfg(test)]
//     (the harness brings the task's tests).
//
// The program ends with a newline.
func splice(prefix, code string) string {
	code = strings.ReplaceAll(code, "\r\n", "\n")
	prog := prefix + code
	if st, ok := openStub(prefix); ok && isWholeFunction(code) {
		prog = st.header
		if prog != "" && !strings.HasSuffix(prog, "\n") {
			prog += "\n"
		}
		prog += cleanAnswer(code, importedNames(st.header))
	}
	if !strings.HasSuffix(prog, "\n") {
		prog += "\n"
	}
	return prog
}

// isWholeFunction reports whether code is whole items rather than the
// rest of an open function's body: its braces never close more than they
// opened, and it defines a complete top-level function.
func isWholeFunction(code string) bool {
	depth := 0
	for _, t := range lex(code) {
		switch {
		case t.is("{"):
			depth++
		case t.is("}"):
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	for _, it := range topItems(code) {
		if it.kind == "fn" && !it.open && it.body >= 0 {
			return true
		}
	}
	return false
}

// importedNames are the names the use and extern crate items of src bind.
func importedNames(src string) map[string]bool {
	names := map[string]bool{}
	for _, it := range topItems(src) {
		leaves, _ := leavesOf(it)
		for _, l := range leaves {
			if !l.glob {
				names[l.name] = true
			}
		}
	}
	return names
}

// cleanAnswer drops from a whole-function answer the imports of names in
// taken, its fn main and its #[cfg(test)] items. Dropped text becomes
// blank lines, so that the answer's lines keep their numbers.
func cleanAnswer(code string, taken map[string]bool) string {
	type edit struct {
		start, end int
		with       string
	}
	var edits []edit
	for _, it := range topItems(code) {
		switch {
		case it.kind == "fn" && it.name == "main", it.hasAttr("cfg(test)"):
			edits = append(edits, edit{it.start, it.end, ""})
		case it.kind == "use" || it.kind == "extern crate":
			leaves, ok := leavesOf(it)
			if !ok {
				continue
			}
			var keep []string
			for _, l := range leaves {
				if l.glob || !taken[l.name] {
					keep = append(keep, l.String())
				}
			}
			if len(keep) == len(leaves) {
				continue
			}
			with := ""
			if len(keep) > 0 {
				with = "use " + strings.Join(keep, "; use ") + ";"
				if it.pub {
					with = "pub " + strings.ReplaceAll(with, "; use ", "; pub use ")
				}
			}
			edits = append(edits, edit{it.start, it.end, with})
		}
	}
	var b strings.Builder
	at := 0
	for _, e := range edits {
		b.WriteString(code[at:e.start])
		b.WriteString(e.with)
		b.WriteString(strings.Repeat("\n", strings.Count(code[e.start:e.end], "\n")))
		at = e.end
	}
	b.WriteString(code[at:])
	return strings.TrimLeft(b.String(), "\n")
}
