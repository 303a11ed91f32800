package ci

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/selfrepair/selfrepair/agent/fix"
	"github.com/selfrepair/selfrepair/agent/rundir"
)

// SummaryLimit bounds the summary: GitHub refuses a step summary over
// 1 MiB. A patch that does not fit is left to the patch file.
const SummaryLimit = 1<<20 - 4<<10

// maxRows is how many tests the summary's table lists.
const maxRows = 50

// Summary is summary.md: what failed, what each round tried, which tests
// pass now, and the patch.
func Summary(r Result, attempts []rundir.Attempt, patch string) string {
	var b strings.Builder
	short := r.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	where := fmt.Sprintf("`%s` at `%s`", code(r.Test), short)
	switch {
	case r.Ending == fix.NothingFailing:
		fmt.Fprintf(&b, "## selfrepair: nothing to fix\n\nNo test failed at every one of %d runs of %s", fix.BaselineRuns, where)
		if len(r.Before.Quarantined) > 0 {
			fmt.Fprintf(&b, " (%d flaky, quarantined: %s)", len(r.Before.Quarantined), codes(r.Before.Quarantined))
		}
		b.WriteString("; no model was asked.\n")
		return b.String()
	case r.Fixed:
		b.WriteString("## selfrepair: fixed\n\nThe failing tests pass with the patch below, and no passing test breaks.\n\n")
	case r.After != nil:
		fmt.Fprintf(&b, "## selfrepair: partly fixed (%s)\n\n%d of %d failing tests pass with the patch below, and no passing test breaks.\n\n",
			r.Ending, len(r.After.Passing), len(r.Before.Failing))
	default:
		fmt.Fprintf(&b, "## selfrepair: not fixed (%s)\n\nNo round made a failing test pass.\n\n", r.Ending)
	}
	fmt.Fprintf(&b, "%s: %d test(s) failed at each of %d runs, %d passed at each", where, len(r.Before.Failing), fix.BaselineRuns, r.Before.Passing)
	if len(r.Before.Quarantined) > 0 {
		fmt.Fprintf(&b, ", %d flaky (quarantined: %s)", len(r.Before.Quarantined), codes(r.Before.Quarantined))
	}
	b.WriteString(".\n\n| Test | Before | With the patch |\n| --- | --- | --- |\n")
	passing := map[string]bool{}
	if r.After != nil {
		for _, id := range r.After.Passing {
			passing[id] = true
		}
	}
	for i, f := range r.Before.Failing {
		if i == maxRows {
			fmt.Fprintf(&b, "| … and %d more | | |\n", len(r.Before.Failing)-maxRows)
			break
		}
		before := "failed"
		if f.Message != "" {
			before += ": " + f.Message
		}
		if f.File != "" {
			before += fmt.Sprintf(" (%s:%d)", f.File, f.Line)
		}
		after := "fails"
		if passing[f.Test] {
			after = "passes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", code(f.Test), cell(before), after)
	}
	if r.After != nil && len(r.After.Broken) > 0 {
		fmt.Fprintf(&b, "\nBroken by the best round: %s.\n", codes(r.After.Broken))
	}
	if len(attempts) > 0 {
		b.WriteString("\nRounds:\n")
		for _, a := range attempts {
			fmt.Fprintf(&b, "- round %d: %s\n", a.Round, fix.RoundSummary(a, len(r.Before.Failing)))
		}
	}
	if patch != "" {
		if !strings.HasSuffix(patch, "\n") {
			patch += "\n"
		}
		block := fmt.Sprintf("\n<details><summary>%s (%s)</summary>\n\n````diff\n%s````\n\n</details>\n", PatchFile, strings.Join(r.Files, ", "), patch)
		if b.Len()+len(block)+256 > SummaryLimit {
			block = fmt.Sprintf("\nThe patch (%s, %d KiB) is too large to show here: see %s.\n", strings.Join(r.Files, ", "), len(patch)>>10, PatchFile)
		}
		b.WriteString(block)
	}
	fmt.Fprintf(&b, "\n%d rounds, %d tokens", r.Rounds, r.Tokens)
	if r.CI.RunURL != "" {
		fmt.Fprintf(&b, " · [the run](%s)", r.CI.RunURL)
	}
	b.WriteString("\n")
	return b.String()
}

// cell is s fit for a Markdown table cell: one line, no bare pipe, cut.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// code is s fit for a code span in a table cell.
func code(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(cell(s), "`", "'"), `\|`, "¦")
}

func codes(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = "`" + code(id) + "`"
	}
	return strings.Join(q, ", ")
}

// maxAnnotations is how many error annotations GitHub shows for a step.
const maxAnnotations = 10

// Annotations are GitHub's workflow commands for the build's failing
// tests (an error at the place each failure points to), the last one
// counting those beyond GitHub's ten, and a notice when the patch fixes
// them.
func Annotations(r Result) string {
	var b strings.Builder
	fs := r.Before.Failing
	for i, f := range fs {
		if i == maxAnnotations-1 && len(fs) > maxAnnotations {
			fmt.Fprintf(&b, "::error title=%s::%s\n", property("selfrepair"), message(fmt.Sprintf("%d more failing tests: see the summary", len(fs)-i)))
			break
		}
		props := "title=" + property(f.Test+" failed")
		if f.File != "" {
			props = fmt.Sprintf("file=%s,line=%d,%s", property(f.File), f.Line, props)
		}
		fmt.Fprintf(&b, "::error %s::%s\n", props, message(cmp.Or(f.Message, "the test failed")))
	}
	if r.Fixed {
		fmt.Fprintf(&b, "::notice title=%s::%s\n", property("selfrepair"),
			message(fmt.Sprintf("a patch makes the failing tests pass (%s, %s)", PatchFile, strings.Join(r.Files, ", "))))
	}
	return b.String()
}

// message escapes a workflow command's message, property a property's
// value, as the runner (actions/toolkit's command.ts) reads them.
func message(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func property(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
