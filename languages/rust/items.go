package rust

import "strings"

// item is a top-level item of a source text.
type item struct {
	kind  string // fn, struct, enum, union, trait, type, const, static, mod, use, impl, extern crate, extern, macro_rules
	name  string // "" for use, impl and extern blocks
	attrs []string
	// start is where the item's first attribute or keyword starts; end is
	// just past its last token (len(src) for an unclosed body).
	start, end int
	// kw is the offset of the item's keyword (after attributes,
	// visibility and qualifiers).
	kw int
	// For fn: the tokens of the signature from the name to the body's
	// opening brace (exclusive), and whether the body closes.
	sig    []token
	open   bool // a body that never closes (a prompt's stub)
	body   int  // offset of the body's opening brace, -1 if none
	pub    bool
	qualif []string // const, async, unsafe, extern
	toks   []token  // every token of the item
}

func (it item) hasAttr(prefix string) bool {
	for _, a := range it.attrs {
		if strings.HasPrefix(strings.ReplaceAll(a, " ", ""), prefix) {
			return true
		}
	}
	return false
}

// topItems lists the items at brace depth 0 of src. Tokens that start no
// item (statements of a function body, stray braces) are skipped.
func topItems(src string) []item {
	toks := lex(src)
	var out []item
	for i := 0; i < len(toks); {
		it, next, ok := parseItem(src, toks, i)
		if ok {
			out = append(out, it)
			i = next
			continue
		}
		// Skip a token; a bracket skips its whole group so that the inside
		// of a stray block is not read as top-level.
		if o := toks[i].text; toks[i].kind == tokPunct && (o == "{" || o == "(" || o == "[") {
			if j := matching(toks, i); j > 0 {
				i = j + 1
				continue
			}
		}
		i++
	}
	return out
}

func isVisibility(toks []token, i int) int {
	if i >= len(toks) || !toks[i].is("pub") {
		return i
	}
	i++
	if i < len(toks) && toks[i].is("(") {
		if j := matching(toks, i); j > 0 {
			return j + 1
		}
	}
	return i
}

// parseItem reads an item starting at toks[i]: its end token index, and
// ok false when toks[i] starts none.
func parseItem(src string, toks []token, i int) (item, int, bool) {
	it := item{start: toks[i].off, body: -1}
	j := i
	for j+1 < len(toks) && toks[j].is("#") && (toks[j+1].is("[") || toks[j+1].is("!")) {
		k := j + 1
		if toks[k].is("!") {
			k++
		}
		if k >= len(toks) || !toks[k].is("[") {
			break
		}
		e := matching(toks, k)
		if e < 0 {
			return item{}, 0, false
		}
		it.attrs = append(it.attrs, src[toks[k].end():toks[e].off])
		j = e + 1
	}
	if v := isVisibility(toks, j); v != j {
		it.pub = true
		j = v
	}
	for j < len(toks) {
		t := toks[j]
		if t.is("const") && j+1 < len(toks) && (toks[j+1].is("fn") || toks[j+1].is("unsafe") || toks[j+1].is("async") || toks[j+1].is("extern")) ||
			t.is("async") || t.is("unsafe") || t.is("default") {
			it.qualif = append(it.qualif, t.text)
			j++
			continue
		}
		if t.is("extern") && j+1 < len(toks) && toks[j+1].kind == tokLiteral {
			it.qualif = append(it.qualif, "extern")
			j += 2
			continue
		}
		break
	}
	if j >= len(toks) {
		return item{}, 0, false
	}
	kw := toks[j]
	it.kw = kw.off
	name := func(k int) string {
		if k < len(toks) && toks[k].kind == tokIdent {
			return toks[k].text
		}
		return ""
	}
	var end int
	switch {
	case kw.is("fn"):
		it.kind, it.name = "fn", name(j+1)
		k := j + 1
		depth := 0
	sig:
		for ; k < len(toks); k++ {
			switch {
			case toks[k].is("(") || toks[k].is("["):
				depth++
			case toks[k].is(")") || toks[k].is("]"):
				depth--
			case depth == 0 && (toks[k].is("{") || toks[k].is(";")):
				break sig
			}
		}
		it.sig = toks[j+1 : min(k, len(toks))]
		if k >= len(toks) || toks[k].is(";") {
			end = min(k, len(toks)-1)
			break
		}
		it.body = toks[k].off
		end = matching(toks, k)
		if end < 0 {
			it.open = true
			end = len(toks) - 1
		}
	case kw.is("struct") || kw.is("enum") || kw.is("union") || kw.is("trait") || kw.is("impl") || kw.is("mod"):
		it.kind = kw.text
		if it.kind != "impl" {
			it.name = name(j + 1)
		}
		end = blockOrSemi(toks, j+1)
		if end >= 0 && toks[end].is("}") {
			it.body = 0
		}
	case kw.is("extern") && j+1 < len(toks) && toks[j+1].is("crate"):
		it.kind = "extern crate"
		it.name = name(j + 2)
		if j+4 < len(toks) && toks[j+3].is("as") {
			it.name = name(j + 4)
		}
		end = semi(toks, j+1)
	case kw.is("extern") && j+1 < len(toks) && toks[j+1].is("{"):
		it.kind = "extern"
		end = matching(toks, j+1)
	case kw.is("use") || kw.is("type") || kw.is("const") || kw.is("static"):
		it.kind = kw.text
		if it.kind != "use" {
			k := j + 1
			if it.kind == "static" && name(k) == "mut" {
				k++
			}
			it.name = name(k)
		}
		end = semi(toks, j+1)
	case kw.is("macro_rules") && j+2 < len(toks) && toks[j+1].is("!"):
		it.kind, it.name = "macro_rules", name(j+2)
		k := j + 3
		if k < len(toks) && (toks[k].is("{") || toks[k].is("(") || toks[k].is("[")) {
			end = matching(toks, k)
			if end >= 0 && !toks[k].is("{") && end+1 < len(toks) && toks[end+1].is(";") {
				end++
			}
		} else {
			end = -1
		}
	default:
		return item{}, 0, false
	}
	if end < 0 {
		end = len(toks) - 1
		it.open = true
	}
	it.end = toks[end].end()
	it.toks = toks[i : end+1]
	return it, end + 1, true
}

// semi returns the index of the ';' ending an item whose tokens start at
// i, at bracket depth 0, or -1.
func semi(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].text {
		case "(", "[", "{":
			if toks[i].kind == tokPunct {
				depth++
			}
		case ")", "]", "}":
			if toks[i].kind == tokPunct {
				depth--
			}
		case ";":
			if depth == 0 && toks[i].kind == tokPunct {
				return i
			}
		}
	}
	return -1
}

// blockOrSemi returns the index of the token ending a struct-like item:
// the '}' closing its first block at depth 0, or the ';' before one.
func blockOrSemi(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		if toks[i].kind != tokPunct {
			continue
		}
		switch toks[i].text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ";":
			if depth == 0 {
				return i
			}
		case "{":
			if depth == 0 {
				return matching(toks, i)
			}
			depth++
		case "}":
			depth--
		}
	}
	return -1
}

// A useLeaf is one name a use item binds: use a::b::{c, d as e, self, *}.
type useLeaf struct {
	path []string // the full path, self resolved: a::b::c
	name string   // the name bound: c (e for "d as e"); "" for a glob
	glob bool
}

func (l useLeaf) String() string {
	p := strings.Join(l.path, "::")
	switch {
	case l.glob:
		return p + "::*"
	case len(l.path) == 0 || l.path[len(l.path)-1] != l.name:
		return p + " as " + l.name
	}
	return p
}

// useLeaves lists what the tokens of a use tree (after "use", before
// ";") bind; ok is false when they do not parse.
func useLeaves(toks []token) ([]useLeaf, bool) {
	var out []useLeaf
	var tree func(prefix []string, i int) (int, bool)
	tree = func(prefix []string, i int) (int, bool) {
		path := append([]string(nil), prefix...)
		if i < len(toks) && toks[i].is("::") {
			i++ // a leading ::
		}
		for i < len(toks) {
			t := toks[i]
			switch {
			case t.is("*"):
				out = append(out, useLeaf{path: path, glob: true})
				return i + 1, true
			case t.is("{"):
				i++
				for i < len(toks) && !toks[i].is("}") {
					var ok bool
					if i, ok = tree(path, i); !ok {
						return i, false
					}
					if i < len(toks) && toks[i].is(",") {
						i++
					}
				}
				if i >= len(toks) {
					return i, false
				}
				return i + 1, true
			case t.kind == tokIdent:
				seg := t.text
				i++
				if seg == "self" && len(path) > 0 && (i >= len(toks) || !toks[i].is("::")) {
					leaf := useLeaf{path: path, name: path[len(path)-1]}
					if i+1 < len(toks) && toks[i].is("as") {
						leaf.name = toks[i+1].text
						i += 2
					}
					out = append(out, leaf)
					return i, true
				}
				path = append(path, seg)
				if i < len(toks) && toks[i].is("::") {
					i++
					continue
				}
				leaf := useLeaf{path: path, name: seg}
				if i+1 < len(toks) && toks[i].is("as") {
					leaf.name = toks[i+1].text
					i += 2
				}
				out = append(out, leaf)
				return i, true
			default:
				return i, false
			}
		}
		return i, false
	}
	i, ok := tree(nil, 0)
	if !ok || i != len(toks) {
		return nil, false
	}
	return out, true
}

// leavesOf returns the leaves of a use item (or the name of an extern
// crate item).
func leavesOf(it item) ([]useLeaf, bool) {
	switch it.kind {
	case "extern crate":
		return []useLeaf{{path: []string{it.name}, name: it.name}}, true
	case "use":
		k := 0
		for k < len(it.toks) && !it.toks[k].is("use") {
			k++
		}
		if k >= len(it.toks)-1 {
			return nil, false
		}
		return useLeaves(it.toks[k+1 : len(it.toks)-1])
	}
	return nil, false
}
