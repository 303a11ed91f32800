// Package edit reads the edits in a language model's answer and applies
// them to a repository's files: SEARCH/REPLACE blocks (aider's edit-block
// format, the one with the best measured success), with whole-file
// replacement as the fallback.
//
// An answer edits a file with one or more blocks under its path:
//
//	src/parser.py
//	```python
//	<<<<<<< SEARCH
//	    return a - b
//	=======
//	    return a + b
//	>>>>>>> REPLACE
//	```
//
// or replaces it whole with a fenced block right under its path. Parse and
// Apply are pure functions of their arguments.
package edit

import (
	"fmt"
	"path"
	"strings"
)

// An Edit is one change an answer asks for.
type Edit struct {
	Path string // slash-separated, relative to the repository's root
	// Search is the text to replace; empty for a new file.
	Search  string
	Replace string
	// Whole is set when Replace is the file's whole new content.
	Whole bool
	Block int // 1-based: the edit's place among the answer's edits
	Line  int // 1-based line of the answer where it starts
}

// What marks a block's parts. Models write from five to nine marker
// characters; all are accepted.
func marker(line string, c byte, word string) bool {
	t := strings.TrimSpace(line)
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 5 || n > 9 {
		return false
	}
	rest := strings.TrimSpace(t[n:])
	return rest == word
}

func isSearch(line string) bool  { return marker(line, '<', "SEARCH") }
func isReplace(line string) bool { return marker(line, '>', "REPLACE") }
func isDivider(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) >= 5 && len(t) <= 9 && strings.Count(t, "=") == len(t)
}

// fence reports whether line opens or closes a code fence, and its info
// string.
func fence(line string) (info string, ok bool) {
	t := strings.TrimSpace(line)
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, f) {
			return strings.TrimSpace(strings.TrimLeft(t, f[:1])), true
		}
	}
	return "", false
}

// pathOf reads a file path from the line above a block: the path alone,
// perhaps in backticks or bold, or after "File:"; "" when the line is not
// one.
func pathOf(line string) string {
	t := strings.TrimSpace(line)
	t = strings.TrimLeft(t, "#")
	t = strings.TrimSpace(t)
	for _, p := range []string{"File:", "file:", "Filename:", "filename:", "Path:", "path:"} {
		t = strings.TrimSpace(strings.TrimPrefix(t, p))
	}
	t = strings.Trim(t, "`*\"'")
	t = strings.TrimSuffix(t, ":")
	t = strings.Trim(t, "`*\"'")
	if t == "" || strings.ContainsAny(t, " \t<>|") || strings.HasPrefix(t, "```") {
		return ""
	}
	// A path names a file: it has an extension or a folder, or is one of
	// the files that have neither.
	base := path.Base(t)
	if !strings.Contains(base, ".") && !strings.Contains(t, "/") && !knownBare[base] {
		return ""
	}
	return t
}

var knownBare = map[string]bool{"Makefile": true, "Dockerfile": true, "LICENSE": true, "Rakefile": true, "Gemfile": true}

// A ParseError is an answer's block that cannot be read.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse reads the edits of an answer, in order. A SEARCH/REPLACE block
// without a path above it edits the file of the block before it. A fenced
// block right under a path, with no markers in it, replaces that file
// whole; other fenced blocks (examples, a shell command) are no edits. The
// error is the first block that cannot be read: a SEARCH without its
// divider or REPLACE, or with no file to edit.
func Parse(answer string) ([]Edit, error) {
	lines := strings.Split(strings.ReplaceAll(answer, "\r\n", "\n"), "\n")
	var edits []Edit
	current := "" // the file the last block edited
	add := func(e Edit) {
		e.Block = len(edits) + 1
		edits = append(edits, e)
	}
	// above is the path on the nearest non-blank line above line i, skipping
	// a fence's opening line.
	above := func(i int) string {
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			t := strings.TrimSpace(lines[j])
			if t == "" {
				continue
			}
			if _, ok := fence(t); ok {
				continue
			}
			return pathOf(t)
		}
		return ""
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if isSearch(line) {
			p := above(i)
			if p == "" {
				p = current
			}
			if p == "" {
				return nil, &ParseError{i + 1, "a SEARCH block with no file path above it"}
			}
			start := i
			var search, replace []string
			j := i + 1
			for ; j < len(lines) && !isDivider(lines[j]); j++ {
				if isSearch(lines[j]) || isReplace(lines[j]) {
					return nil, &ParseError{j + 1, "a SEARCH block without its ======= divider"}
				}
				search = append(search, lines[j])
			}
			if j == len(lines) {
				return nil, &ParseError{start + 1, "a SEARCH block without its ======= divider"}
			}
			k := j + 1
			for ; k < len(lines) && !isReplace(lines[k]); k++ {
				if isSearch(lines[k]) || isDivider(lines[k]) {
					return nil, &ParseError{k + 1, "a SEARCH block without its >>>>>>> REPLACE line"}
				}
				replace = append(replace, lines[k])
			}
			if k == len(lines) {
				return nil, &ParseError{start + 1, "a SEARCH block without its >>>>>>> REPLACE line"}
			}
			add(Edit{Path: p, Search: joinLines(search), Replace: joinLines(replace), Line: start + 1})
			current = p
			i = k
			continue
		}
		if _, ok := fence(line); ok {
			// A fenced block: a whole file when a path stands right above it
			// and no marker inside it.
			end := len(lines)
			marked := false
			for j := i + 1; j < len(lines); j++ {
				if isSearch(lines[j]) {
					marked = true
					break
				}
				if info, ok := fence(lines[j]); ok && info == "" {
					end = j
					break
				}
			}
			if marked {
				continue // its blocks are read line by line
			}
			p := ""
			if i > 0 {
				p = pathOf(lines[i-1])
			}
			if p != "" && end < len(lines) {
				add(Edit{Path: p, Replace: joinLines(lines[i+1 : end]), Whole: true, Line: i + 1})
				current = p
			}
			i = end
		}
	}
	return edits, nil
}

// joinLines joins a block's lines into text ending in a newline ("" for no
// lines).
func joinLines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}
