package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/agent/edit"
	"github.com/selfrepair/selfrepair/languages"
)

// A Repo is a repository task: Fixed holds, for every file its fix
// changes, the file's content in the fixed version (the test double's
// answer key); Tests are the paths of its test files (used only to make the
// test-file-edit fault).
type Repo struct {
	Name  string
	Fixed map[string]string
	Tests []string
}

// The faults of answers to repository tasks, as the debug log names them.
const (
	faultWrongFix  = "wrong-fix"           // applies, but does not make the fixed version
	faultShifted   = "shifted-indentation" // the fix, indented 4 spaces off
	faultAmbiguous = "ambiguous"           // a SEARCH part that matches several places, or none
	faultTestEdit  = "test-file-edit"      // the fix plus an edit of a test file
	faultWholeFile = "whole-file"          // the fixed files, whole
)

// alreadyCorrect is the answer when every shown file is already fixed.
const alreadyCorrect = "The shown code already looks correct to me."

// maxDiffCells bounds the LCS table of a diff.
const maxDiffCells = 1 << 20

// shiftIndentation is how far the shifted-indentation fault moves lines.
const shiftIndentation = "    "

// repoTask is a Repo as the simulator keeps it.
type repoTask struct {
	name  string
	paths []string            // of fixed, sorted
	fixed map[string][]string // path → lines of the fixed version
	tests []string            // cleaned, sorted
}

// newRepos checks and prepares the repository tasks, sorted by name.
func newRepos(rs []Repo) ([]*repoTask, error) {
	var out []*repoTask
	names := map[string]bool{}
	for _, r := range rs {
		switch {
		case r.Name == "":
			return nil, errors.New("sim: a repository task without a name")
		case names[r.Name]:
			return nil, fmt.Errorf("sim: two repository tasks are named %q", r.Name)
		case len(r.Fixed) == 0:
			return nil, fmt.Errorf("sim: repository task %q has no fixed files", r.Name)
		}
		names[r.Name] = true
		t := &repoTask{name: r.Name, fixed: map[string][]string{}}
		for p, text := range r.Fixed {
			cp, ok := edit.CleanPath(p)
			if !ok {
				return nil, fmt.Errorf("sim: repository task %q: file path %q is not inside the repository", r.Name, p)
			}
			if _, dup := t.fixed[cp]; dup {
				return nil, fmt.Errorf("sim: repository task %q: %q is given twice", r.Name, cp)
			}
			t.fixed[cp] = splitText(text)
			t.paths = append(t.paths, cp)
		}
		for _, p := range r.Tests {
			cp, ok := edit.CleanPath(p)
			if !ok {
				return nil, fmt.Errorf("sim: repository task %q: test path %q is not inside the repository", r.Name, p)
			}
			t.tests = append(t.tests, cp)
		}
		slices.Sort(t.paths)
		slices.Sort(t.tests)
		t.tests = slices.Compact(t.tests)
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *repoTask) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// splitText splits a file's content into lines without their line ends. A
// missing final newline is no difference.
func splitText(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

func joinText(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// repoRequest is a repository request as the simulator read it.
type repoRequest struct {
	task  *repoTask
	shown map[string]string // every file the request shows, path → content
	files []fileDiff        // the task's shown files that differ from their fixed version, by path
}

// fileDiff is a shown file and what its fix changes.
type fileDiff struct {
	path       string
	old, fixed []string
	hunks      []hunk
}

// recogniseRepo finds the repository task a request shows files of, or nil.
// A file is shown as its path on a line and its content fenced below it (the
// whole-file form of package edit); the latest user message showing a path
// wins. Among the tasks with shown files the one nearest its fixed version
// (fewest changed lines) is the request's, ties going by name.
func (s *Server) recogniseRepo(msgs []message) *repoRequest {
	if len(s.repos) == 0 {
		return nil
	}
	shown := map[string]string{}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].role != "user" {
			continue
		}
		edits, err := edit.Parse(msgs[i].text)
		if err != nil {
			continue // a message with a broken SEARCH block in it (say, quoted feedback)
		}
		for _, e := range edits {
			if p, ok := edit.CleanPath(e.Path); ok && e.Whole {
				if _, seen := shown[p]; !seen {
					shown[p] = e.Replace
				}
			}
		}
	}
	if len(shown) == 0 {
		return nil
	}
	var best *repoRequest
	bestCost := 0
	for _, t := range s.repos {
		var files []fileDiff
		cost, any := 0, false
		for _, p := range t.paths {
			text, ok := shown[p]
			if !ok {
				continue
			}
			any = true
			old := splitText(text)
			hs := diffLines(old, t.fixed[p])
			if len(hs) == 0 {
				continue
			}
			files = append(files, fileDiff{path: p, old: old, fixed: t.fixed[p], hunks: hs})
			cost += changedLines(hs)
		}
		if any && (best == nil || cost < bestCost) {
			best, bestCost = &repoRequest{task: t, shown: shown, files: files}, cost
		}
	}
	return best
}

// answerRepo answers a repository request: the fix as SEARCH/REPLACE blocks,
// or on a first attempt that fails (and a repair attempt that fails, when
// Options.RepoRepairRate is below 1) an answer with one of the faults models
// make.
func (s *Server) answerRepo(c conversation, rng *rand.Rand) (string, outcome) {
	r := c.repo
	if len(r.files) == 0 {
		return alreadyCorrect, outcome{class: languages.Pass}
	}
	rate := s.firstPass
	if c.repair {
		rate = s.repoRepair
	}
	if rng.Float64() < rate {
		return s.repoFix(c, rng), outcome{class: languages.Pass}
	}
	faults := []struct {
		name  string
		class languages.Class // what the answer's code does to the tests
		make  func(conversation, *rand.Rand) (string, bool)
	}{
		{faultWrongFix, languages.Assertion, wrongFix},
		{faultShifted, languages.Pass, shiftedFix},
		{faultAmbiguous, "", ambiguousEdit},
		{faultTestEdit, languages.Pass, testFileEdit},
		{faultWholeFile, languages.Pass, wholeFiles},
	}
	// The first of a random order that this request allows: uniform over
	// the faults it allows.
	for _, i := range rng.Perm(len(faults)) {
		if text, ok := faults[i].make(c, rng); ok {
			return text, outcome{class: faults[i].class, mutator: faults[i].name}
		}
	}
	return s.repoFix(c, rng), outcome{class: languages.Pass}
}

// repoFix is the correct answer: SEARCH/REPLACE blocks, or whole files when
// blocks cannot say it (an empty file, text that looks like edit markers).
func (s *Server) repoFix(c conversation, rng *rand.Rand) string {
	var bs []block
	for _, f := range c.repo.files {
		bs = append(bs, fileBlocks(f, nil, false)...)
	}
	text := intro(rng, c, "") + renderBlocks(bs)
	if !fixes(c.repo, text) {
		if whole, ok := wholeFiles(c, rng); ok {
			return whole
		}
	}
	return text
}

// intro is the sentence before the edits.
func intro(rng *rand.Rand, c conversation, form string) string {
	file := "`" + c.repo.files[0].path + "`"
	var ss []string
	switch {
	case form == faultWholeFile:
		ss = []string{
			"Here is the corrected " + file + " in full:",
			"The bug is in " + file + ". The whole corrected file:",
		}
	case c.repair:
		ss = []string{
			"Thanks for the feedback. The problem is in " + file + "; here is the corrected edit:",
			"You're right, my previous change was not enough. The fix in " + file + ":",
			"I see the problem now. Here is the corrected edit for " + file + ":",
		}
	default:
		ss = []string{
			"The bug is in " + file + ": it does not do what the tests expect. Here is the fix:",
			"The failing tests point at " + file + ". These edits fix it:",
			"I found the problem in " + file + "; this change should make the tests pass:",
			"Here is the fix for " + file + ":",
		}
	}
	return pickString(rng, ss) + "\n\n"
}

// wrongFix is the fix with one hunk done wrong: its new lines with an
// integer or a comparison changed, the old lines so changed, or a changed
// line left as it was. It applies, exactly. The integer or comparison
// changed is not one the fix changes, so that the wrong fix does not fix
// the bug by another way (xs[1:] made xs[0:] where the fix has xs).
func wrongFix(c conversation, rng *rand.Rand) (string, bool) {
	type at struct{ file, hunk int }
	var hs []at
	for i, f := range c.repo.files {
		for k := range f.hunks {
			hs = append(hs, at{i, k})
		}
	}
	pick := hs[rng.IntN(len(hs))]
	f := c.repo.files[pick.file]
	h := f.hunks[pick.hunk]
	old := f.old[h.start:h.end]
	var variants [][]string
	if l, ok := mutateLines(h.new, old, rng); ok {
		variants = append(variants, l)
	}
	if l, ok := mutateLines(old, h.new, rng); ok {
		variants = append(variants, l)
	}
	kept := slices.Clone(old) // the change left undone
	if len(old) == len(h.new) {
		var diff []int
		for i := range old {
			if old[i] != h.new[i] {
				diff = append(diff, i)
			}
		}
		if len(diff) > 0 {
			kept = slices.Clone(h.new)
			i := diff[rng.IntN(len(diff))]
			kept[i] = old[i]
		}
	}
	variants = append(variants, kept)
	rng.Shuffle(len(variants), func(i, j int) { variants[i], variants[j] = variants[j], variants[i] })
	// kept always differs from the fix (the diff is a shortest one: leaving
	// a line of it undone cannot make the fixed file), so one variant works.
	for _, v := range variants {
		var bs []block
		for i, g := range c.repo.files {
			var override map[int][]string
			if i == pick.file {
				override = map[int][]string{pick.hunk: v}
			}
			bs = append(bs, fileBlocks(g, override, false)...)
		}
		text := intro(rng, c, "") + renderBlocks(bs)
		changed, outs := edit.Apply(c.repo.shown, parse(text), edit.Options{})
		if allMatch(outs, edit.Exact) && !sameFiles(c.repo, changed) {
			return text, true
		}
	}
	return "", false
}

// shiftedFix is the fix with every line of its blocks indented 4 spaces
// more, or less where all of a block's lines have 4 to spare. The blocks
// have the context that makes them unique also ignoring indentation, so
// edit.Apply's indentation matching puts them right.
func shiftedFix(c conversation, rng *rand.Rand) (string, bool) {
	var bs []block
	for _, f := range c.repo.files {
		bs = append(bs, fileBlocks(f, nil, true)...)
	}
	for i, b := range bs {
		if b.whole {
			return "", false
		}
		left := canShiftLeft(b.search) && canShiftLeft(b.replace) && rng.IntN(2) == 0
		bs[i].search, bs[i].replace = shift(b.search, left), shift(b.replace, left)
	}
	text := intro(rng, c, "") + renderBlocks(bs)
	changed, outs := edit.Apply(c.repo.shown, parse(text), edit.Options{})
	if !allApplied(outs) || !fixesFiles(c.repo, changed) {
		return "", false
	}
	return text, true
}

func canShiftLeft(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, shiftIndentation) {
			return false
		}
	}
	return true
}

// shift indents lines 4 spaces more, or less (left); blank lines stay.
func shift(lines []string, left bool) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l) == "":
			out[i] = l
		case left:
			out[i] = strings.TrimPrefix(l, shiftIndentation)
		default:
			out[i] = shiftIndentation + l
		}
	}
	return out
}

// ambiguousEdit is one block whose SEARCH part is a single line that occurs
// more than once in the file (the line nearest a hunk), or where no line
// does, the first block of the fix with a word of one line misremembered,
// so that it matches nowhere. edit.Apply refuses either.
func ambiguousEdit(c conversation, rng *rand.Rand) (string, bool) {
	files := c.repo.files
	order := rng.Perm(len(files))
	for _, i := range order {
		f := files[i]
		h := f.hunks[rng.IntN(len(f.hunks))]
		count := map[string]int{}
		for _, l := range f.old {
			count[l]++
		}
		best, dist := -1, 0
		for d, l := range f.old {
			if strings.TrimSpace(l) == "" || count[l] < 2 {
				continue
			}
			x := 0
			switch {
			case d < h.start:
				x = h.start - d
			case d >= h.end:
				x = d - h.end + 1
			}
			if best < 0 || x < dist {
				best, dist = d, x
			}
		}
		if best < 0 {
			continue
		}
		line := f.old[best]
		var repl []string
		switch {
		case best < h.start:
			repl = append([]string{line}, h.new...)
		case best >= h.end:
			repl = append(slices.Clone(h.new), line)
		default:
			repl = slices.Clone(h.new)
		}
		text := intro(rng, c, "") + renderBlocks([]block{{path: f.path, search: []string{line}, replace: repl}})
		if refused(c.repo, text) {
			return text, true
		}
	}
	// No line occurs twice: misremember a line of the first block.
	for _, i := range order {
		f := files[i]
		b := fileBlocks(f, nil, false)[0]
		if b.whole {
			continue
		}
		for _, k := range rng.Perm(len(b.search)) {
			l, ok := misremember(b.search[k], rng)
			if !ok {
				continue
			}
			search := slices.Clone(b.search)
			search[k] = l
			text := intro(rng, c, "") + renderBlocks([]block{{path: f.path, search: search, replace: b.replace}})
			if refused(c.repo, text) {
				return text, true
			}
		}
	}
	return "", false
}

// misremember changes one word of a line: a plural where there was none,
// or none where there was.
func misremember(line string, rng *rand.Rand) (string, bool) {
	type word struct{ lo, hi int }
	var ws []word
	for i := 0; i < len(line); {
		if !isIdentStart(line[i]) {
			i++
			continue
		}
		j := i
		for j < len(line) && isIdent(line[j]) {
			j++
		}
		if j-i >= 3 {
			ws = append(ws, word{i, j})
		}
		i = j
	}
	if len(ws) == 0 {
		return "", false
	}
	w := ws[rng.IntN(len(ws))]
	s := line[w.lo:w.hi]
	if strings.HasSuffix(s, "s") {
		s = s[:len(s)-1]
	} else {
		s += "s"
	}
	return line[:w.lo] + s + line[w.hi:], true
}

// testFileEdit is the fix plus a block that changes what a shown test file
// expects.
func testFileEdit(c conversation, rng *rand.Rand) (string, bool) {
	r := c.repo
	var tests []string
	for _, p := range r.task.tests {
		if _, fixed := r.task.fixed[p]; !fixed {
			if _, ok := r.shown[p]; ok {
				tests = append(tests, p)
			}
		}
	}
	if len(tests) == 0 {
		return "", false
	}
	p := tests[rng.IntN(len(tests))]
	old := splitText(r.shown[p])
	var assertive, mutable, any []int
	for i, l := range old {
		if strings.TrimSpace(l) == "" {
			continue
		}
		any = append(any, i)
		if len(mutations(l)) == 0 {
			continue
		}
		mutable = append(mutable, i)
		for _, w := range []string{"assert", "expect", "Error", "Fatal", "want", "check"} {
			if strings.Contains(l, w) {
				assertive = append(assertive, i)
				break
			}
		}
	}
	var h hunk
	switch {
	case len(assertive) > 0 || len(mutable) > 0:
		from := assertive
		if len(from) == 0 {
			from = mutable
		}
		i := from[rng.IntN(len(from))]
		l, _ := mutateLine(old[i], rng)
		h = hunk{start: i, end: i + 1, new: []string{l}}
	case len(any) > 0:
		i := any[rng.IntN(len(any))]
		l := old[i]
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		h = hunk{start: i, end: i + 1, new: []string{indent + commentMark(p) + l[len(indent):]}}
	default:
		return "", false
	}
	var bs []block
	for _, f := range r.files {
		bs = append(bs, fileBlocks(f, nil, false)...)
	}
	tb := fileBlocks(fileDiff{path: p, old: old, hunks: []hunk{h}}, nil, false)
	if len(tb) != 1 || tb[0].whole {
		return "", false
	}
	return intro(rng, c, "") + renderBlocks(append(bs, tb[0])), true
}

func commentMark(p string) string {
	switch path.Ext(p) {
	case ".py", ".sh", ".rb", ".pl", ".r", ".R", ".toml", ".yaml", ".yml":
		return "# "
	}
	return "// "
}

// wholeFiles is every changed file's fixed version, whole, under its path;
// not when a file has a line that would end its fence.
func wholeFiles(c conversation, rng *rand.Rand) (string, bool) {
	var bs []block
	for _, f := range c.repo.files {
		for _, l := range f.fixed {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				return "", false
			}
		}
		bs = append(bs, block{path: f.path, replace: f.fixed, whole: true})
	}
	return intro(rng, c, faultWholeFile) + renderBlocks(bs), true
}

// parse is edit.Parse of an answer the simulator wrote.
func parse(text string) []edit.Edit {
	es, _ := edit.Parse(text)
	return es
}

// fixes reports whether an answer, applied to the shown files, makes the
// fixed version.
func fixes(r *repoRequest, text string) bool {
	changed, outs := edit.Apply(r.shown, parse(text), edit.Options{})
	return allApplied(outs) && fixesFiles(r, changed)
}

// refused reports whether edit.Apply refuses every edit of an answer.
func refused(r *repoRequest, text string) bool {
	_, outs := edit.Apply(r.shown, parse(text), edit.Options{})
	for _, o := range outs {
		if o.Err == nil {
			return false
		}
	}
	return len(outs) > 0
}

func allApplied(outs []edit.Outcome) bool {
	for _, o := range outs {
		if o.Err != nil {
			return false
		}
	}
	return len(outs) > 0
}

func allMatch(outs []edit.Outcome, m edit.Match) bool {
	for _, o := range outs {
		if o.Err != nil || o.Match != m {
			return false
		}
	}
	return len(outs) > 0
}

// fixesFiles reports whether every changed file is as its fix has it.
func fixesFiles(r *repoRequest, changed map[string]string) bool {
	for _, f := range r.files {
		text, ok := changed[f.path]
		if !ok || !slices.Equal(splitText(text), f.fixed) {
			return false
		}
	}
	return true
}

// sameFiles reports whether the files after an answer are all as their fix
// has them.
func sameFiles(r *repoRequest, changed map[string]string) bool {
	for _, f := range r.files {
		text, ok := changed[f.path]
		if !ok {
			text = r.shown[f.path]
		}
		if !slices.Equal(splitText(text), f.fixed) {
			return false
		}
	}
	return true
}

// A block is one edit of an answer: SEARCH and REPLACE lines, or the whole
// file.
type block struct {
	path            string
	search, replace []string
	whole           bool
}

// renderBlocks writes blocks as package edit reads them, each under its
// path, fenced with the info string of the file's language.
func renderBlocks(bs []block) string {
	var b strings.Builder
	for i, bl := range bs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(bl.path + "\n```" + fenceInfo(bl.path) + "\n")
		if bl.whole {
			b.WriteString(joinText(bl.replace))
		} else {
			b.WriteString("<<<<<<< SEARCH\n")
			b.WriteString(joinText(bl.search))
			b.WriteString("=======\n")
			b.WriteString(joinText(bl.replace))
			b.WriteString(">>>>>>> REPLACE\n")
		}
		b.WriteString("```\n")
	}
	return b.String()
}

// fenceInfo is the info string of a file's fence.
func fenceInfo(p string) string {
	switch path.Ext(p) {
	case ".py":
		return "python"
	case ".go":
		return "go"
	case ".js":
		return "javascript"
	case ".cpp", ".cc", ".hpp", ".h":
		return "cpp"
	case ".java":
		return "java"
	case ".rs":
		return "rust"
	}
	return ""
}

// fileBlocks are the blocks that make f's hunks, in order, each written
// against the file as the blocks before it leave it (edit.Apply applies
// them so). override replaces a hunk's new lines by its own. Each SEARCH
// part has one line of context above and below, more until it matches
// exactly one place of the file; strict also until it matches one place
// ignoring indentation. A file without a line to search for is given whole.
func fileBlocks(f fileDiff, override map[int][]string, strict bool) []block {
	cur := slices.Clone(f.old)
	var bs []block
	off := 0
	for k, h := range f.hunks {
		repl := h.new
		if o, ok := override[k]; ok {
			repl = o
		}
		pos, del := h.start+off, h.end-h.start
		lo, hi := 0, 0
		for n := 1; ; n++ {
			lo, hi = max(pos-n, 0), min(pos+del+n, len(cur))
			if lo == 0 && hi == len(cur) || !blank(cur[lo:hi]) && unique(cur, cur[lo:hi], strict) {
				break
			}
		}
		if blank(cur[lo:hi]) {
			// Nothing to search for: the whole file, as the hunks make it.
			return []block{{path: f.path, replace: target(f, override), whole: true}}
		}
		bs = append(bs, block{
			path:    f.path,
			search:  slices.Clone(cur[lo:hi]),
			replace: slices.Concat(cur[lo:pos], repl, cur[pos+del:hi]),
		})
		cur = slices.Concat(cur[:pos], repl, cur[pos+del:])
		off += len(repl) - del
	}
	return bs
}

// target is f's old lines with its hunks (or their overrides) made.
func target(f fileDiff, override map[int][]string) []string {
	out := slices.Clone(f.old)
	off := 0
	for k, h := range f.hunks {
		repl := h.new
		if o, ok := override[k]; ok {
			repl = o
		}
		pos := h.start + off
		out = slices.Concat(out[:pos], repl, out[pos+h.end-h.start:])
		off += len(repl) - (h.end - h.start)
	}
	return out
}

func blank(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}

// unique reports whether w occurs once in lines: exactly, and when strict
// also with the lines' indentation ignored.
func unique(lines, w []string, strict bool) bool {
	n := 0
	for i := 0; i+len(w) <= len(lines); i++ {
		same := true
		for k := range w {
			a, b := lines[i+k], w[k]
			if strict {
				a, b = strings.TrimSpace(a), strings.TrimSpace(b)
			}
			if a != b {
				same = false
				break
			}
		}
		if same {
			if n++; n > 1 {
				return false
			}
		}
	}
	return n == 1
}

// A hunk of a diff: old lines [start, end) become new.
type hunk struct {
	start, end int
	new        []string
}

func changedLines(hs []hunk) int {
	n := 0
	for _, h := range hs {
		n += h.end - h.start + len(h.new)
	}
	return n
}

// diffLines is a shortest line diff from a to b (a longest common
// subsequence between their common start and end), as hunks in order. A
// middle too long for the LCS table is one hunk.
func diffLines(a, b []string) []hunk {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, m := len(am), len(bm)
	if n == 0 && m == 0 {
		return nil
	}
	if n == 0 || m == 0 || (n+1)*(m+1) > maxDiffCells {
		return []hunk{{start: pre, end: pre + n, new: slices.Clone(bm)}}
	}
	// t[i*w+j] is the length of an LCS of am[i:] and bm[j:].
	w := m + 1
	t := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	var hs []hunk
	var cur *hunk
	flush := func() {
		if cur != nil {
			hs = append(hs, *cur)
			cur = nil
		}
	}
	for i, j := 0, 0; i < n || j < m; {
		if i < n && j < m && am[i] == bm[j] {
			flush()
			i++
			j++
			continue
		}
		if cur == nil {
			cur = &hunk{start: pre + i, end: pre + i}
		}
		if j < m && (i == n || t[i*w+j+1] >= t[(i+1)*w+j]) {
			cur.new = append(cur.new, bm[j])
			j++
		} else {
			i++
			cur.end = pre + i
		}
	}
	flush()
	return hs
}

// mutateLines changes an integer or a comparison in one of lines. When
// other has as many lines, line i of it is line i's counterpart, and the
// part where the two differ (and next to it) is left alone.
func mutateLines(lines, other []string, rng *rand.Rand) ([]string, bool) {
	type at struct {
		line int
		m    mutation
	}
	var can []at
	for i, l := range lines {
		lo, hi := -2, -2 // the part to leave alone: none
		if len(other) == len(lines) && l != other[i] {
			lo, hi = differing(l, other[i])
		}
		for _, m := range mutations(l) {
			if m.hi < lo || m.lo > hi {
				can = append(can, at{i, m})
			}
		}
	}
	if len(can) == 0 {
		return nil, false
	}
	a := can[rng.IntN(len(can))]
	out := slices.Clone(lines)
	out[a.line] = a.m.apply(lines[a.line], rng)
	return out, true
}

// differing is the part of a that b does not share: a without the longest
// start and end the two have in common.
func differing(a, b string) (lo, hi int) {
	for lo < len(a) && lo < len(b) && a[lo] == b[lo] {
		lo++
	}
	s := 0
	for s < len(a)-lo && s < len(b)-lo && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return lo, len(a) - s
}

// mutateLine changes one integer literal (by one) or comparison operator
// (< and <=, > and >=, == and !=) of a line.
func mutateLine(line string, rng *rand.Rand) (string, bool) {
	ms := mutations(line)
	if len(ms) == 0 {
		return line, false
	}
	return ms[rng.IntN(len(ms))].apply(line, rng), true
}

// apply makes the mutation m of line.
func (m mutation) apply(line string, rng *rand.Rand) string {
	repl := m.repl
	if m.number {
		v, _ := strconv.Atoi(line[m.lo:m.hi])
		if v > 0 && rng.IntN(2) == 0 {
			v--
		} else {
			v++
		}
		repl = strconv.Itoa(v)
	}
	return line[:m.lo] + repl + line[m.hi:]
}

// A mutation is a part of a line that can be changed: an integer literal
// (number) or a comparison operator and what it becomes.
type mutation struct {
	lo, hi int
	number bool
	repl   string
}

var comparisons = map[string]string{"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}

func mutations(line string) []mutation {
	var ms []mutation
	opChar := func(i int) bool { return i >= 0 && i < len(line) && strings.IndexByte("<>=!-", line[i]) >= 0 }
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c >= '0' && c <= '9' && (i == 0 || !isIdent(line[i-1]) && line[i-1] != '.'):
			j := i
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if (j == len(line) || !isIdent(line[j]) && line[j] != '.') && j-i <= 9 {
				ms = append(ms, mutation{lo: i, hi: j, number: true})
			}
			i = j
			continue
		case isIdent(c):
			for i < len(line) && isIdent(line[i]) {
				i++
			}
			continue
		}
		if i+2 <= len(line) {
			if r, ok := comparisons[line[i:i+2]]; ok && !opChar(i-1) && !opChar(i+2) {
				ms = append(ms, mutation{lo: i, hi: i + 2, repl: r})
				i += 2
				continue
			}
		}
		if r, ok := comparisons[line[i:i+1]]; ok && !opChar(i-1) && !opChar(i+1) {
			ms = append(ms, mutation{lo: i, hi: i + 1, repl: r})
		}
		i++
	}
	return ms
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
