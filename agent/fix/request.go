package fix

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/selfrepair/selfrepair/agent/edit"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages/testlog"
)

// Budgets of a request, in bytes (about four per token).
const (
	outputBudget = 12 << 10 // the failing tests' messages and output
	perTest      = 4 << 10  // of one test
	mapBudget    = 6 << 10  // the repository map
	filesBudget  = 48 << 10 // the files shown whole
	wholeFileMax = 24 << 10 // a file larger than this is shown around its lines
)

const systemPrompt = `You fix bugs in a software repository so that its failing tests pass, without breaking the tests that pass.

Edit the repository's source files with SEARCH/REPLACE blocks. Put each block under the path of the file it edits, in a fenced code block:

src/example.py
` + "```python" + `
<<<<<<< SEARCH
    return a - b
=======
    return a + b
>>>>>>> REPLACE
` + "```" + `

The SEARCH part must be the file's current lines, exactly and with a line or two of context, so that it occurs once in the file. To rewrite a whole file, write its path and then its whole new content in one fenced block with no markers. Do not edit the tests: test files are restored before the tests run. Say in a sentence what the bug is, then give the blocks.`

// view is what a request shows of the repository.
type view struct {
	cmd     string
	files   map[string]string // the repository as it is now (snapshot and edits)
	paths   []string          // every file, sorted
	isTest  func(string) bool
	targets []string
}

// first is the request of round 0: the failing tests, their output, the
// repository's map and the files that matter.
func (v view) first(r run) []prompt.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "The test command `%s` fails. These tests fail every time it runs:\n", v.cmd)
	for _, id := range v.targets {
		fmt.Fprintf(&b, "- %s\n", id)
	}
	b.WriteString("\n")
	v.writeFailures(&b, r, v.targets)
	b.WriteString("\nThe repository (files, and the names each defines):\n")
	b.WriteString(repoMap(v.paths, v.files, mapBudget))
	b.WriteString("\n")
	v.writeFiles(&b, r)
	b.WriteString("\nFix the code so that these tests pass.")
	return []prompt.Message{{Role: prompt.RoleSystem, Content: systemPrompt}, {Role: prompt.RoleUser, Content: b.String()}}
}

// feedback is the message on an answer: what became of its edits and, when
// the tests ran, how they did. r is nil when they did not run: no edit
// applied, or the edits led back to a state tested in round stallOf; same
// says the run failed as the round before it did.
func (v view) feedback(outcomes []rundir.EditResult, r *run, tr *rundir.TestRun, stallOf *int, same bool) string {
	var b strings.Builder
	if len(outcomes) == 0 {
		b.WriteString("Your answer had no edit I could read: give SEARCH/REPLACE blocks under the path of each file.\n")
	}
	for _, o := range outcomes {
		switch {
		case o.Error == "":
			fmt.Fprintf(&b, "- block %d (%s): applied.\n", o.Block, o.Path)
		case o.Path == "":
			fmt.Fprintf(&b, "- %s\n", o.Error)
		default:
			fmt.Fprintf(&b, "- block %d (%s): NOT applied: %s\n", o.Block, o.Path, o.Error)
		}
	}
	switch {
	case tr == nil:
		b.WriteString("\nNo edit could be applied, so the tests did not run again. The files are unchanged.\n")
	case stallOf != nil:
		fmt.Fprintf(&b, "\nWith your edits the code is the same as in round %d, which failed: %d of %d failing tests passed.\n",
			*stallOf, tr.TargetsPassing, len(v.targets))
	default:
		fmt.Fprintf(&b, "\nThe tests ran again: %d of %d failing tests pass now.", tr.TargetsPassing, len(v.targets))
		if tr.Void != "" {
			fmt.Fprintf(&b, " The run does not count: %s.", tr.Void)
		}
		if same {
			b.WriteString(" They fail exactly as before your edits.")
		}
		b.WriteString("\n")
		if len(tr.Failing) > 0 {
			b.WriteString("Still failing:\n")
			for _, id := range tr.Failing {
				fmt.Fprintf(&b, "- %s\n", id)
			}
		}
		if len(tr.Broken) > 0 {
			b.WriteString("These tests passed before your edits and fail now:\n")
			for _, id := range tr.Broken {
				fmt.Fprintf(&b, "- %s\n", id)
			}
		}
		b.WriteString("\n")
		v.writeFailures(&b, *r, append(append([]string(nil), tr.Failing...), tr.Broken...))
	}
	b.WriteString("\n")
	var shown run
	if r != nil {
		shown = *r
	}
	v.writeFiles(&b, shown)
	b.WriteString("\nFix the code so that the failing tests pass.")
	return b.String()
}

// writeFailures writes the messages and output of the given tests of r,
// normalised and cut to the budget, then the errors outside tests.
func (v view) writeFailures(b *strings.Builder, r run, ids []string) {
	budget := outputBudget
	b.WriteString("What the failing tests report:\n")
	shown := 0
	for _, id := range ids {
		c, ok := r.case_(id)
		text := ""
		switch {
		case id == testlog.ExitCase:
			text = lastLinesOf(r.output, 60)
		case ok:
			text = strings.TrimSpace(c.Message)
			if out := strings.TrimSpace(c.Output); out != "" && !strings.Contains(text, out) {
				text += "\n" + out
			}
		}
		if text == "" || budget <= 0 {
			continue
		}
		text = prompt.Truncate(normalize(text), min(perTest, budget))
		budget -= len(text)
		fmt.Fprintf(b, "%s:\n```\n%s\n```\n", id, text)
		shown++
	}
	for _, e := range r.log.Errors {
		if budget <= 0 {
			break
		}
		text := prompt.Truncate(normalize(e), min(perTest, budget))
		budget -= len(text)
		fmt.Fprintf(b, "outside any test:\n```\n%s\n```\n", text)
		shown++
	}
	if shown == 0 {
		fmt.Fprintf(b, "```\n%s\n```\n", prompt.Truncate(normalize(lastLinesOf(r.output, 60)), perTest))
	}
}

// writeFiles shows the files that matter, whole: the source files the
// failures point into, then the other source files and the failing tests'
// files, while the budget lasts; a large file is shown around the lines
// the failures name.
func (v view) writeFiles(b *strings.Builder, r run) {
	text := r.output
	for _, c := range r.log.Cases {
		text += "\n" + c.Message + "\n" + c.Output
	}
	text += "\n" + strings.Join(r.log.Errors, "\n")
	var named, source, tests []string
	for _, p := range v.paths {
		switch {
		case !isSource(p):
		case strings.Contains(text, p) || strings.Contains(text, path.Base(p)+":"):
			named = append(named, p)
		case v.isTest(p):
			if mentioned(text, v.targets, p) {
				tests = append(tests, p)
			}
		default:
			source = append(source, p)
		}
	}
	budget := filesBudget
	b.WriteString("The files (as they are now):\n")
	for _, p := range slices.Concat(named, source, tests) {
		content := v.files[p]
		if len(content) > wholeFileMax {
			window := around(content, lineNumbers(text, path.Base(p)))
			if window == "" || len(window) > budget {
				continue
			}
			budget -= len(window)
			fmt.Fprintf(b, "\n%s (only some lines; numbered):\n```\n%s```\n", p, window)
			continue
		}
		if len(content) > budget {
			continue
		}
		budget -= len(content)
		fmt.Fprintf(b, "\n%s\n```%s\n%s", p, fenceOf(p), content)
		if !strings.HasSuffix(content, "\n") {
			b.WriteString("\n")
		}
		b.WriteString("```\n")
	}
}

// mentioned reports whether a test file is named (by its base name without
// extension) in the failing tests' ids or the output.
func mentioned(text string, ids []string, p string) bool {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if strings.Contains(text, base) {
		return true
	}
	for _, id := range ids {
		if strings.Contains(id, base) || id == testlog.ExitCase {
			return true
		}
	}
	return false
}

// lineNumbers are the line numbers that follow "name:" in text.
func lineNumbers(text, name string) []int {
	re := regexp.MustCompile(regexp.QuoteMeta(name) + `"?(?:, line |:)(\d+)`)
	var ns []int
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		ns = append(ns, n)
	}
	return ns
}

// around shows the lines of content near the given lines (numbered), 30
// either side.
func around(content string, lines []int) string {
	if len(lines) == 0 {
		return ""
	}
	all := strings.SplitAfter(content, "\n")
	keep := make([]bool, len(all))
	for _, n := range lines {
		for i := max(n-31, 0); i < min(n+30, len(all)); i++ {
			keep[i] = true
		}
	}
	var b strings.Builder
	gap := false
	for i, l := range all {
		if !keep[i] {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteString("...\n")
		}
		gap = false
		fmt.Fprintf(&b, "%5d  %s", i+1, l)
		if !strings.HasSuffix(l, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// sourceExt are the extensions of the files a request may show whole.
var sourceExt = map[string]string{
	".py": "python", ".go": "go", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
	".java": "java", ".rs": "rust", ".c": "c", ".h": "cpp", ".cc": "cpp", ".cpp": "cpp", ".hpp": "cpp", ".hh": "cpp",
	".kt": "kotlin", ".rb": "ruby", ".sh": "sh", ".toml": "toml", ".json": "json", ".mod": "",
}

func isSource(p string) bool {
	_, ok := sourceExt[path.Ext(p)]
	return ok && path.Ext(p) != ".json"
}

func fenceOf(p string) string { return sourceExt[path.Ext(p)] }

// symbolRe finds a file's top-level names, by its extension.
var symbolRe = map[string]*regexp.Regexp{
	".py":   regexp.MustCompile(`(?m)^(?:async\s+)?(?:def|class)\s+(\w+)`),
	".go":   regexp.MustCompile(`(?m)^(?:func(?:\s+\([^)]*\))?|type)\s+(\w+)`),
	".js":   regexp.MustCompile(`(?m)^(?:export\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+(\w+)`),
	".java": regexp.MustCompile(`(?m)^\s*(?:public\s+|private\s+|protected\s+)?(?:static\s+|final\s+|abstract\s+)*(?:class|interface|enum|record)\s+(\w+)`),
	".rs":   regexp.MustCompile(`(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?(?:fn|struct|enum|trait|mod|impl)\s+(\w+)`),
	".cpp":  regexp.MustCompile(`(?m)^[A-Za-z_][\w:<>,\s\*&]*?\s+\**&?(\w+)\s*\([^;]*$`),
}

func symbols(p, content string) []string {
	ext := path.Ext(p)
	switch ext {
	case ".mjs", ".cjs", ".ts":
		ext = ".js"
	case ".cc", ".hpp", ".h", ".hh", ".c":
		ext = ".cpp"
	}
	re := symbolRe[ext]
	if re == nil {
		return nil
	}
	var names []string
	for _, m := range re.FindAllStringSubmatch(content, 40) {
		if !slices.Contains(names, m[1]) && m[1] != "main" || ext == ".go" && m[1] == "main" {
			names = append(names, m[1])
		}
	}
	return names
}

// repoMap lists the repository's files, each source file with its
// top-level names, within budget bytes; what does not fit is counted.
func repoMap(paths []string, files map[string]string, budget int) string {
	var b strings.Builder
	for i, p := range paths {
		line := p
		if isSource(p) {
			if names := symbols(p, files[p]); len(names) > 0 {
				line += ": " + strings.Join(names, ", ")
			}
		}
		if b.Len()+len(line)+1 > budget {
			fmt.Fprintf(&b, "... and %d more files\n", len(paths)-i)
			break
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// What normalize replaces: times, temporary paths and addresses, which
// differ from run to run and mean nothing to a repair.
var (
	durationRe = regexp.MustCompile(`\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds)\b`)
	tmpPathRe  = regexp.MustCompile(`/tmp/[^\s:'"()]+`)
	addressRe  = regexp.MustCompile(`\b0x[0-9a-fA-F]{6,}\b`)
)

// normalize takes out of test output what changes between runs of the
// same code.
func normalize(s string) string {
	s = durationRe.ReplaceAllString(s, "<time>")
	s = tmpPathRe.ReplaceAllString(s, "/tmp/…")
	return addressRe.ReplaceAllString(s, "0x…")
}

func lastLinesOf(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// results records the outcomes of an answer's edits.
func results(outs []edit.Outcome) []rundir.EditResult {
	rs := make([]rundir.EditResult, len(outs))
	for i, o := range outs {
		rs[i] = rundir.EditResult{Path: o.Edit.Path, Block: o.Edit.Block, Match: string(o.Match)}
		if o.Err != nil {
			rs[i].Error = o.Err.Error()
		}
	}
	return rs
}
