package ci

import (
	"regexp"
	"strconv"
	"strings"
)

// A Suggestion replaces lines Start..End (1-based, inclusive) of a file
// of the pull request's head with Lines: a GitHub review comment with a
// suggestion block, on the diff's right side.
type Suggestion struct {
	Path       string
	Start, End int
	Lines      []string
}

// Body is the review comment: the suggestion block.
func (s Suggestion) Body() string {
	fence := "```"
	for strings.Contains(strings.Join(s.Lines, "\n"), fence) {
		fence += "`"
	}
	text := strings.Join(s.Lines, "\n")
	if len(s.Lines) > 0 {
		text += "\n"
	}
	return fence + "suggestion\n" + text + fence
}

// A FileDiff is one file of a pull request's diff, as GitHub lists it:
// its path and its unified diff hunks.
type FileDiff struct {
	Path, Patch string
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@`)

// Suggestions splits patch (a unified diff of the commit ci fixed) into
// suggestions on the lines the pull request's diff shows (GitHub takes a
// review comment only there: added and context lines, right side); the
// changes that fall elsewhere are returned as the rest of the patch, for
// the review's body.
func Suggestions(patch string, pr []FileDiff) (sugs []Suggestion, rest string) {
	shown := map[string]map[int]bool{}
	for _, f := range pr {
		shown[f.Path] = newSideLines(f.Patch)
	}
	var restB strings.Builder
	for _, fp := range splitFiles(patch) {
		lines := shown[fp.path]
		for _, h := range fp.hunks {
			// A hunk becomes suggestions when every one of its changes
			// lands on lines the pull request shows; else it stays whole.
			gs := h.groups()
			ok := lines != nil
			for _, g := range gs {
				ok = ok && g.ok
				for n := g.start; n <= g.end && ok; n++ {
					ok = lines[n]
				}
			}
			if ok {
				for _, g := range gs {
					sugs = append(sugs, Suggestion{Path: fp.path, Start: g.start, End: g.end, Lines: g.lines})
				}
				continue
			}
			if !strings.Contains(restB.String(), fp.header) {
				restB.WriteString(fp.header)
			}
			restB.WriteString(h.text)
		}
	}
	return sugs, restB.String()
}

// newSideLines are the line numbers of the new side a diff shows.
func newSideLines(patch string) map[int]bool {
	lines := map[int]bool{}
	n := 0
	for _, l := range strings.Split(patch, "\n") {
		if m := hunkHeader.FindStringSubmatch(l); m != nil {
			n, _ = strconv.Atoi(m[2])
			continue
		}
		if n > 0 && (strings.HasPrefix(l, "+") || strings.HasPrefix(l, " ")) {
			lines[n] = true
			n++
		}
	}
	return lines
}

type filePatch struct {
	path, header string
	hunks        []hunk
}

type hunk struct {
	oldStart int
	body     []string // the hunk's lines after its header
	text     string   // the hunk as it is, header included
}

// splitFiles reads a git diff into its files' hunks.
func splitFiles(patch string) []filePatch {
	var files []filePatch
	var cur *filePatch
	var h *hunk
	for _, l := range strings.SplitAfter(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "diff --git "):
			files = append(files, filePatch{header: l})
			cur, h = &files[len(files)-1], nil
		case cur == nil:
		case h == nil && strings.HasPrefix(l, "+++ "):
			cur.path = strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(l, "+++ ")), "b/")
			cur.header += l
		case strings.HasPrefix(l, "@@"):
			m := hunkHeader.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			start, _ := strconv.Atoi(m[1])
			cur.hunks = append(cur.hunks, hunk{oldStart: start, text: l})
			h = &cur.hunks[len(cur.hunks)-1]
		case h != nil:
			h.body = append(h.body, strings.TrimSuffix(l, "\n"))
			h.text += l
		default:
			cur.header += l
		}
	}
	return files
}

// A group is one run of changed lines in a hunk, as a suggestion: the old
// lines start..end it replaces and the lines that replace them. A pure
// insertion takes the line before it along (or, at the top of a file, the
// line after it); ok is false when there is no such line.
type group struct {
	start, end int
	lines      []string
	ok         bool
}

func (h hunk) groups() []group {
	var (
		out      []group
		g        *group
		old      = h.oldStart
		prev     string // the last context line
		prevN    int    // its number; 0 for none yet
		inserted = func() bool { return g.end < g.start }
	)
	finish := func(next string, nextN int) {
		if g == nil {
			return
		}
		g.ok = true
		switch {
		case !inserted():
		case prevN > 0:
			g.start, g.end, g.lines = prevN, prevN, append([]string{prev}, g.lines...)
		case nextN > 0:
			g.start, g.end, g.lines = nextN, nextN, append(g.lines, next)
		default:
			g.ok = false
		}
		out = append(out, *g)
		g = nil
	}
	for _, l := range h.body {
		switch {
		case strings.HasPrefix(l, " "):
			finish(l[1:], old)
			prev, prevN = l[1:], old
			old++
		case strings.HasPrefix(l, "-"):
			if g == nil {
				g = &group{start: old, end: old - 1}
			}
			g.end = old
			old++
		case strings.HasPrefix(l, "+"):
			if g == nil {
				g = &group{start: old, end: old - 1}
			}
			g.lines = append(g.lines, l[1:])
		}
	}
	finish("", 0)
	return out
}
