package edit

import (
	"fmt"
	"path"
	"strings"
)

// Options say which edits Apply may make.
type Options struct {
	// IsTest reports whether a file is one of the tests, which edits may
	// not change unless AllowTestEdits is set. Nil: no file is.
	IsTest         func(path string) bool
	AllowTestEdits bool
}

// Match says how an edit was applied.
type Match string

// The ways of finding an edit's SEARCH text, tried in this order, and the
// edits that need none.
const (
	Exact Match = "exact"
	// TrailingSpace ignores whitespace at the ends of lines.
	TrailingSpace Match = "trailing-space"
	// Indentation ignores indentation, the same for every line; the
	// replacement is re-indented to the file's.
	Indentation Match = "indentation"
	// Punctuation also reads curly quotes, dashes, ellipses and
	// non-breaking spaces as their ASCII forms.
	Punctuation Match = "punctuation"
	NewFile     Match = "new-file"
	WholeFile   Match = "whole-file"
)

// An Outcome is what became of one edit: how it was applied, or why not.
type Outcome struct {
	Edit  Edit
	Match Match    // "" when it was not applied
	Err   *Refusal // nil when it was
}

// A Refusal says why an edit was not applied, in words for the model.
type Refusal struct {
	Block  int
	Path   string
	Reason string
	// Nearest are the file's lines most like the SEARCH text, numbered,
	// when it matched nowhere.
	Nearest string
}

func (r *Refusal) Error() string {
	s := fmt.Sprintf("edit %d (%s): %s", r.Block, r.Path, r.Reason)
	if r.Nearest != "" {
		s += "; the most similar lines are:\n" + r.Nearest
	}
	return s
}

// Apply applies edits to files (path → content), in order, each to a file
// as the edits before it left it. It returns the contents of the files it
// changed or made and each edit's outcome. An edit that cannot be applied
// (its SEARCH text matches nowhere or in more than one place, a test file,
// a path outside the repository) changes nothing; the others still apply.
func Apply(files map[string]string, edits []Edit, opts Options) (changed map[string]string, outcomes []Outcome) {
	changed = map[string]string{}
	content := func(p string) (string, bool) {
		if c, ok := changed[p]; ok {
			return c, true
		}
		c, ok := files[p]
		return c, ok
	}
	for _, e := range edits {
		refuse := func(format string, args ...any) {
			outcomes = append(outcomes, Outcome{Edit: e, Err: &Refusal{Block: e.Block, Path: e.Path, Reason: fmt.Sprintf(format, args...)}})
		}
		p, ok := CleanPath(e.Path)
		if !ok {
			refuse("the path is outside the repository")
			continue
		}
		e.Path = p
		if opts.IsTest != nil && opts.IsTest(p) && !opts.AllowTestEdits {
			refuse("it is a test file, and the tests may not be changed: change the code they test")
			continue
		}
		old, exists := content(p)
		switch {
		case e.Whole:
			changed[p] = e.Replace
			outcomes = append(outcomes, Outcome{Edit: e, Match: WholeFile})
			continue
		case strings.TrimSpace(e.Search) == "" && !exists:
			changed[p] = e.Replace
			outcomes = append(outcomes, Outcome{Edit: e, Match: NewFile})
			continue
		case strings.TrimSpace(e.Search) == "":
			refuse("the SEARCH part is empty, but the file exists: give the lines to replace")
			continue
		case !exists:
			refuse("there is no such file (to make one, leave the SEARCH part empty)")
			continue
		}
		text, how, r := replace(old, e.Search, e.Replace)
		if r != nil {
			r.Block, r.Path = e.Block, p
			outcomes = append(outcomes, Outcome{Edit: e, Err: r})
			continue
		}
		changed[p] = text
		outcomes = append(outcomes, Outcome{Edit: e, Match: how})
	}
	return changed, outcomes
}

// CleanPath is p, a path an edit names, as a clean slash path inside the
// repository; false when it leaves the repository or names none.
func CleanPath(p string) (string, bool) {
	p = strings.ReplaceAll(strings.TrimSpace(p), "\\", "/")
	if p == "" || path.IsAbs(p) {
		return "", false
	}
	p = path.Clean(p)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// replace finds search in text, in the ways of the Match constants, and
// puts repl in its place.
func replace(text, search, repl string) (string, Match, *Refusal) {
	lines := splitLines(text)
	want := splitLines(search)
	for _, how := range []Match{Exact, TrailingSpace, Indentation, Punctuation} {
		var hits []window
		for i := 0; i+len(want) <= len(lines); i++ {
			if w, ok := matchAt(lines[i:i+len(want)], want, how); ok {
				w.start = i
				hits = append(hits, w)
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			w := hits[0]
			out := append([]string(nil), lines[:w.start]...)
			out = append(out, adapt(splitLines(repl), w, how, lines[w.start:w.start+len(want)])...)
			out = append(out, lines[w.start+len(want):]...)
			return strings.Join(out, ""), how, nil
		default:
			var at []string
			for _, w := range hits {
				at = append(at, fmt.Sprint(w.start+1))
			}
			return "", "", &Refusal{Reason: fmt.Sprintf("the SEARCH part matches %d places (lines %s): add lines around it so that it matches one", len(hits), strings.Join(at, ", "))}
		}
	}
	return "", "", &Refusal{Reason: "the SEARCH part matches no lines of the file", Nearest: nearest(lines, want)}
}

// A window is a match: where it starts, and the indentation the file has
// where the SEARCH text has its own.
type window struct {
	start          int
	file, searched string // indentation prefixes
}

// matchAt reports whether the file's lines have equals the SEARCH lines,
// in the way how.
func matchAt(have, want []string, how Match) (window, bool) {
	var w window
	indentSet := false
	for k := range want {
		a, b := strings.TrimRight(have[k], "\n"), strings.TrimRight(want[k], "\n")
		switch how {
		case Exact:
			if a != b {
				return w, false
			}
			continue
		case TrailingSpace:
			if strings.TrimRight(a, " \t\r") != strings.TrimRight(b, " \t\r") {
				return w, false
			}
			continue
		case Punctuation:
			a, b = ascii(a), ascii(b)
		}
		ta, tb := strings.TrimSpace(a), strings.TrimSpace(b)
		if ta != tb {
			return w, false
		}
		if ta == "" {
			continue // blank lines carry no indentation
		}
		ia, ib := a[:len(a)-len(strings.TrimLeft(a, " \t"))], b[:len(b)-len(strings.TrimLeft(b, " \t"))]
		if !indentSet {
			// The prefixes that differ: the indentations without the
			// longest ending they share.
			n := 0
			for n < len(ia) && n < len(ib) && ia[len(ia)-1-n] == ib[len(ib)-1-n] {
				n++
			}
			w.file, w.searched = ia[:len(ia)-n], ib[:len(ib)-n]
			indentSet = true
		}
		if !strings.HasPrefix(ia, w.file) || !strings.HasPrefix(ib, w.searched) || ia[len(w.file):] != ib[len(w.searched):] {
			return w, false
		}
	}
	return w, true
}

// adapt makes the replacement's lines fit where they go: re-indented as
// the file is indented there, and in ASCII punctuation when the SEARCH
// text matched only with it and the file's lines there have none else.
func adapt(repl []string, w window, how Match, replaced []string) []string {
	fuzzy := how == Indentation || how == Punctuation
	plain := how == Punctuation && strings.Join(replaced, "") == ascii(strings.Join(replaced, ""))
	out := make([]string, len(repl))
	for i, l := range repl {
		if plain {
			l = ascii(l)
		}
		if fuzzy && strings.TrimSpace(l) != "" && strings.HasPrefix(l, w.searched) {
			l = w.file + l[len(w.searched):]
		}
		out[i] = l
	}
	// The replacement ends as the file did: a last line without a
	// newline stays without one.
	if n := len(out); n > 0 && len(replaced) > 0 && !strings.HasSuffix(replaced[len(replaced)-1], "\n") {
		out[n-1] = strings.TrimSuffix(out[n-1], "\n")
	}
	return out
}

// ascii writes the Unicode punctuation models put in code as ASCII.
var asciiReplacer = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'",
	"\u201c", "\"", "\u201d", "\"", "\u201e", "\"", "\u201f", "\"",
	"\u2013", "-", "\u2014", "-", "\u2212", "-", "\u2026", "...",
	"\u00a0", " ", "\u2009", " ", "\u202f", " ",
)

func ascii(s string) string { return asciiReplacer.Replace(s) }

// splitLines splits text into lines that keep their newlines.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	ls := strings.SplitAfter(text, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// nearest shows the file's lines most like want: the window of as many
// lines whose lines are, on the whole, most alike (by their pairs of
// letters), numbered; "" when nothing is alike at all.
func nearest(lines, want []string) string {
	n := len(want)
	if n == 0 || len(lines) == 0 {
		return ""
	}
	if n > len(lines) {
		n = len(lines)
	}
	best, at := 0.0, -1
	for i := 0; i+n <= len(lines); i++ {
		score := 0.0
		for k := 0; k < n; k++ {
			score += similarity(ascii(strings.TrimSpace(lines[i+k])), ascii(strings.TrimSpace(want[k])))
		}
		if score > best {
			best, at = score, i
		}
	}
	if at < 0 || best/float64(n) < 0.3 {
		return ""
	}
	var b strings.Builder
	for k := at; k < at+n; k++ {
		fmt.Fprintf(&b, "%5d| %s\n", k+1, strings.TrimRight(lines[k], "\n"))
	}
	return b.String()
}

// similarity is the Dice coefficient of two strings' pairs of bytes: 1 for
// equal strings, 0 for strings with no pair in common.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	pairs := map[string]int{}
	for i := 0; i+1 < len(a); i++ {
		pairs[a[i:i+2]]++
	}
	common := 0
	for i := 0; i+1 < len(b); i++ {
		if pairs[b[i:i+2]] > 0 {
			pairs[b[i:i+2]]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b)-2)
}
