package golang

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A forgiving reader of Go source: enough structure (comments, literals,
// braces, top-level declarations, imports) to splice answers into prompts
// and assemble programs, even when the source does not compile.

// mask returns src with the contents of comments and of string and rune
// literals replaced by spaces (newlines kept), so that braces, keywords and
// identifiers can be found by position; the quotes and comment markers
// stay.
func mask(src string) string {
	b := []byte(src)
	for i := 0; i < len(b); {
		switch {
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			i += 2
			for i < len(b) && b[i] != '\n' {
				b[i] = ' '
				i++
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			i += 2
			for i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/') {
				if b[i] != '\n' {
					b[i] = ' '
				}
				i++
			}
			i += 2
		case b[i] == '"' || b[i] == '\'':
			q := b[i]
			i++
			for i < len(b) && b[i] != q && b[i] != '\n' {
				if b[i] == '\\' && i+1 < len(b) && b[i+1] != '\n' {
					b[i] = ' '
					i++
				}
				b[i] = ' '
				i++
			}
			i++
		case b[i] == '`':
			i++
			for i < len(b) && b[i] != '`' {
				if b[i] != '\n' {
					b[i] = ' '
				}
				i++
			}
			i++
		default:
			i++
		}
	}
	return string(b)
}

// depthAt returns the brace depth ({ and ( and [ counted apart: only
// braces) at the end of masked source.
func braceDepth(masked string) int {
	d := 0
	for i := 0; i < len(masked); i++ {
		switch masked[i] {
		case '{':
			d++
		case '}':
			d--
		}
	}
	return d
}

// A decl is a top-level declaration of a source: [start, end) in bytes,
// from the first byte of its first line to the byte after its last line's
// newline (or the end).
type decl struct {
	kind string // func, import, package, var, const, type
	name string // the function's name (not a method's); "" otherwise
	// doc is where its doc comment starts (start when it has none), start
	// where its keyword's line does; end is where the next declaration's
	// doc starts.
	doc, start, end int
	line            int // 1-based line of its keyword
}

var declHead = regexp.MustCompile(`^(func|import|package|var|const|type)\b`)

// funcName reads the name of a plain function declared on a masked line
// ("func Name(" or "func Name["); methods have none.
func funcName(line string) string {
	rest, ok := strings.CutPrefix(line, "func")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, " \t")
	n := 0
	for n < len(rest) && isIdentByte(rest[n], n > 0) {
		n++
	}
	if n == 0 {
		return ""
	}
	after := strings.TrimLeft(rest[n:], " \t")
	if !strings.HasPrefix(after, "(") && !strings.HasPrefix(after, "[") {
		return ""
	}
	return rest[:n]
}

func isIdentByte(c byte, notFirst bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || notFirst && c >= '0' && c <= '9'
}

// decls lists the top-level declarations of src: each starts on a line
// that begins, at column 0 and at brace and paren depth 0, with a
// declaration keyword, and runs until the next one's doc comment starts
// (blank lines and other comments between them belong to the earlier one).
func decls(src string) []decl {
	m := mask(src)
	var out []decl
	depth, line := 0, 1
	for i := 0; i < len(m); {
		j := strings.IndexByte(m[i:], '\n')
		end := len(m)
		if j >= 0 {
			end = i + j + 1
		}
		l := m[i:end]
		if depth == 0 {
			if k := declHead.FindStringSubmatch(l); k != nil {
				out = append(out, decl{kind: k[1], name: funcName(l), start: i, line: line})
			}
		}
		for _, c := range []byte(l) {
			switch c {
			case '{', '(':
				depth++
			case '}', ')':
				if depth > 0 {
					depth--
				}
			}
		}
		i, line = end, line+1
	}
	for k := range out {
		out[k].doc = docStart(src, out[k].start)
		if k > 0 && out[k].doc < out[k-1].start {
			out[k].doc = out[k].start // comments inside the one before
		}
	}
	for k := range out {
		if k+1 < len(out) {
			out[k].end = out[k+1].doc
		} else {
			out[k].end = len(src)
		}
	}
	return out
}

// docStart returns where the comment lines directly above offset at start
// (a declaration's doc comment) begin.
func docStart(src string, at int) int {
	for at > 0 {
		prev := strings.LastIndexByte(src[:at-1], '\n') + 1
		if !strings.HasPrefix(strings.TrimSpace(src[prev:at]), "//") {
			break
		}
		at = prev
	}
	return at
}

// An importSpec is one imported package.
type importSpec struct {
	name string // explicit name ("" for none; "_" or "." too)
	path string
	line int    // 1-based line of the spec in its source; 0 for none
	file string // the job's file that source is, when it is one
}

// local is the name the package is known by in the importing file.
func (s importSpec) local() string {
	if s.name != "" {
		return s.name
	}
	return path.Base(s.path)
}

func (s importSpec) String() string {
	if s.name != "" {
		return s.name + " " + strconv.Quote(s.path)
	}
	return strconv.Quote(s.path)
}

var importSpecRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*|\.)?\s*("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)

// parseImports reads the specs of an import declaration's text, which
// starts at line first of its source.
func parseImports(text string, first int) []importSpec {
	body := strings.TrimPrefix(strings.TrimLeft(text, " \t"), "import")
	var specs []importSpec
	for k, l := range strings.Split(body, "\n") {
		for _, part := range strings.Split(l, ";") {
			if i := strings.Index(part, "//"); i >= 0 {
				part = part[:i]
			}
			part = strings.TrimLeft(strings.TrimSpace(part), "(")
			m := importSpecRE.FindStringSubmatch(part)
			if m == nil {
				continue
			}
			p, err := strconv.Unquote(m[2])
			if err != nil {
				continue
			}
			specs = append(specs, importSpec{name: m[1], path: p, line: first + k})
		}
	}
	return specs
}

// stripped is a source without its package clause and import declarations
// (blanked, so that every other line keeps its number), with the imports
// it had.
type stripped struct {
	text    string
	imports []importSpec
	pkg     bool // it had a package clause
}

// strip blanks the package clause and the import declarations of src.
func strip(src string) stripped {
	var s stripped
	b := []byte(src)
	for _, d := range decls(src) {
		if d.kind != "import" && d.kind != "package" {
			continue
		}
		// Only the declaration itself, not the comments after it.
		end := declEnd(src, d)
		if d.kind == "import" {
			s.imports = append(s.imports, parseImports(src[d.start:end], d.line)...)
		} else {
			s.pkg = true
		}
		for i := d.start; i < end; i++ {
			if b[i] != '\n' {
				b[i] = 0
			}
		}
	}
	s.text = strings.ReplaceAll(string(b), "\x00", "")
	return s
}

// declEnd is where the code of an import or package declaration ends: at
// the end of the line that closes its parenthesis, or of its only line.
func declEnd(src string, d decl) int {
	m := mask(src[d.start:d.end])
	depth := 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '\n':
			if depth <= 0 {
				return d.start + i + 1
			}
		}
	}
	return d.end
}

// renameIdent replaces the identifier old by new in src wherever it is a
// name of its own (not inside comments or literals, and not a selector's
// field: x.old stays).
func renameIdent(src, old, new string) string {
	m := mask(src)
	var b strings.Builder
	last := 0
	for i := 0; i+len(old) <= len(m); i++ {
		if m[i:i+len(old)] != old || i > 0 && isIdentByte(m[i-1], true) ||
			i+len(old) < len(m) && isIdentByte(m[i+len(old)], true) {
			continue
		}
		if prev := strings.TrimRight(m[:i], " \t\n"); strings.HasSuffix(prev, ".") {
			continue
		}
		b.WriteString(src[last:i])
		b.WriteString(new)
		last = i + len(old)
		i += len(old) - 1
	}
	b.WriteString(src[last:])
	return b.String()
}

// usedPackages returns which of the names are used as package names in
// src (a Go file without imports): the X of selectors X.Sel that no
// declaration in the file resolves. When src does not parse, a name counts
// when "name." appears on a line that is not a // comment (the HumanEval-X
// harness's rule; the compiler then reports the syntax error first anyway).
func usedPackages(src string, names []string) map[string]bool {
	used := map[string]bool{}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.AllErrors)
	if err != nil || f == nil {
		m := mask(src)
		for _, n := range names {
			re := regexp.MustCompile(`(^|[^A-Za-z0-9_.])` + regexp.QuoteMeta(n) + `\s*\.`)
			if re.MatchString(m) {
				used[n] = true
			}
		}
		return used
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			// The parser's own resolution (Obj) is all a single file needs.
			if x, ok := sel.X.(*ast.Ident); ok && x.Obj == nil && slices.Contains(names, x.Name) {
				used[x.Name] = true
			}
		}
		return true
	})
	return used
}

// testFuncs lists the test functions a test source declares (func
// TestXxx(t *testing.T)), and every top-level name it declares.
func testFuncs(src string) (tests, names []string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package main\n"+src, parser.SkipObjectResolution)
	if err != nil {
		// Let the compiler report the error; the functions are found by
		// their lines meanwhile.
		for _, d := range decls(src) {
			if d.name != "" {
				names = append(names, d.name)
				if isTestName(d.name) {
					tests = append(tests, d.name)
				}
			}
		}
		return tests, names
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil {
				continue
			}
			names = append(names, d.Name.Name)
			if isTestName(d.Name.Name) && d.Type.Params.NumFields() == 1 && d.Type.Results == nil {
				tests = append(tests, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				}
			}
		}
	}
	return tests, names
}

// isTestName reports whether name is that of a test function, as go test
// finds them: Test followed by nothing or by a non-lower-case letter.
func isTestName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Test")
	return ok && (rest == "" || !(rest[0] >= 'a' && rest[0] <= 'z'))
}
