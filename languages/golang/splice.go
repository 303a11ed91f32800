package golang

import (
	"strings"
)

// splice returns the Go program for a HumanEval-X completion task whose
// prompt ends with the open stub of a function (its doc comment and its
// func line, the body left to the model), given the code a model answered.
//
// The rules:
//
//   - Whole function: if code declares the stub's function at column 0
//     ("func Name(" or "func Name["), the program is the prompt up to that
//     function's func line (its imports, helpers such as Go/10's
//     IsPalindrome, and the doc comment), followed by code without its
//     package clause and imports; the imports of code join the prompt's
//     import block. A helper of the prompt that code declares again is
//     dropped from the prompt (Go forbids two declarations; the answer's
//     comes later and wins, as in Python). Without an open stub in the
//     prompt, nothing is cut: the program is prompt, a newline, code.
//   - Completion: otherwise code is the rest of the stub's function (its
//     body and closing brace, perhaps more declarations after it): the
//     program is prompt + code, exactly HumanEval-X's prompt + completion.
//     When that leaves the function's brace open and code does not end
//     with a closing brace at column 0 (an answer that gave the body
//     alone), the closing brace is added; a brace missing inside code is
//     left for the compiler to report.
//
// Indentation never matters in Go. The program ends with a newline.
func splice(prompt, code string) string {
	code = strings.ReplaceAll(code, "\r\n", "\n")
	if prompt != "" && !strings.HasSuffix(prompt, "\n") {
		prompt += "\n"
	}
	stub, ok := openStub(prompt)
	var prog string
	switch {
	case ok && declares(code, stub.name):
		prog = replaceStub(prompt, stub, code)
	case !ok && stub.name != "" && declares(code, stub.name):
		prog = prompt + "\n" + code
	default:
		prog = prompt + code
		if !strings.HasSuffix(prog, "\n") {
			prog += "\n"
		}
		if ok && braceDepth(mask(prog)) == 1 && !closes(code) {
			prog += "}\n"
		}
	}
	if !strings.HasSuffix(prog, "\n") {
		prog += "\n"
	}
	return prog
}

// openStub finds the prompt's last top-level function declaration; ok
// reports whether its body is open at the end of the prompt (the stub to
// complete).
func openStub(prompt string) (stub decl, ok bool) {
	ds := decls(prompt)
	for k := len(ds) - 1; k >= 0; k-- {
		if ds[k].kind == "func" {
			stub = ds[k]
			break
		}
	}
	if stub.name == "" {
		return decl{}, false
	}
	return stub, braceDepth(mask(prompt[stub.start:])) == 1
}

// declares reports whether code declares function name at top level.
func declares(code, name string) bool {
	for _, d := range decls(code) {
		if d.kind == "func" && d.name == name {
			return true
		}
	}
	return false
}

// replaceStub puts the whole-function answer code in place of the
// prompt's stub.
func replaceStub(prompt string, stub decl, code string) string {
	head := prompt[:stub.start]
	answer := strip(code)
	redeclared := map[string]bool{}
	for _, d := range decls(answer.text) {
		if d.kind == "func" && d.name != "" {
			redeclared[d.name] = true
		}
	}
	// The prompt's declarations, less the helpers the answer declares
	// again, and its imports joined by the answer's.
	var b strings.Builder
	var imports []importSpec
	seen := map[string]bool{}
	addImports := func(specs []importSpec) {
		for _, s := range specs {
			if !seen[s.String()] {
				seen[s.String()] = true
				imports = append(imports, s)
			}
		}
	}
	ds := decls(head)
	if len(ds) > 0 {
		b.WriteString(head[:ds[0].doc]) // leading comments
	} else {
		b.WriteString(head)
	}
	importsAt := -1
	for _, d := range ds {
		switch {
		case d.kind == "import":
			addImports(parseImports(head[d.start:declEnd(head, d)], 0))
			if importsAt < 0 {
				importsAt = b.Len()
			}
			b.WriteString(head[declEnd(head, d):d.end])
		case d.kind == "func" && redeclared[d.name]:
			// Dropped with its doc comment; the stub's doc comment, which
			// follows the last declaration of head, stays.
			b.WriteString(head[docStart(head, d.end):d.end])
		default:
			b.WriteString(head[d.doc:d.end])
		}
	}
	addImports(answer.imports)
	body := b.String()
	block := importBlock(imports)
	if importsAt < 0 {
		importsAt = 0
		if len(ds) > 0 {
			importsAt = ds[0].doc
		}
		if block != "" && !strings.HasPrefix(body[importsAt:], "\n") {
			block += "\n"
		}
	}
	body = body[:importsAt] + block + body[importsAt:]
	return body + strings.TrimLeft(trimBlankLines(answer.text), "\n")
}

// importBlock writes an import declaration of specs ("" for none).
func importBlock(specs []importSpec) string {
	if len(specs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, s := range specs {
		b.WriteString("    " + s.String() + "\n")
	}
	b.WriteString(")\n")
	return b.String()
}

// trimBlankLines drops the lines that hold only spaces (a stripped
// package clause or import) at the start of s.
func trimBlankLines(s string) string {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			return s
		}
		s = s[i+1:]
	}
}

// closes reports whether the last line of code that is not blank is a
// closing brace at column 0: the end of a function.
func closes(code string) bool {
	lines := strings.Split(strings.TrimRight(mask(code), " \t\n"), "\n")
	return strings.HasPrefix(lines[len(lines)-1], "}")
}
