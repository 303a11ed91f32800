package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/reports"
)

// mdTable is a table of report.md, its cells unescaped.
type mdTable struct {
	head []string
	rows [][]string
}

// parseMarkdown returns report.md's tables by "RUN / HEADING" (RUN is the
// level-2 heading above, empty for a report of one run), each heading's
// [Dn] tag left out.
func parseMarkdown(t *testing.T, md string) map[string]mdTable {
	t.Helper()
	tables := map[string]mdTable{}
	var part, heading string
	lines := strings.Split(md, "\n")
	tag := regexp.MustCompile(` \[D\d+\]$`)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "## "):
			h := tag.ReplaceAllString(unescapeMD(l[3:]), "")
			if strings.HasPrefix(h, "Run ") {
				part, heading = h, ""
			} else {
				part, heading = "", h
			}
		case strings.HasPrefix(l, "### "):
			heading = tag.ReplaceAllString(unescapeMD(l[4:]), "")
		case strings.HasPrefix(l, "|") && heading != "":
			var tb mdTable
			tb.head = splitRow(l)
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "| ---") {
				t.Fatalf("table %q without a separator", heading)
			}
			i += 2
			for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				row := splitRow(lines[i])
				if len(row) != len(tb.head) {
					t.Fatalf("%s / %s: row %q has %d cells, header %d", part, heading, lines[i], len(row), len(tb.head))
				}
				tb.rows = append(tb.rows, row)
			}
			key := part + " / " + heading
			if _, dup := tables[key]; dup {
				t.Fatalf("two tables %q", key)
			}
			tables[key] = tb
		}
	}
	return tables
}

// splitRow splits a table row at its unescaped pipes.
func splitRow(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(strings.TrimSuffix(l, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(l); i++ {
		switch {
		case l[i] == '\\' && i+1 < len(l):
			cur.WriteByte(l[i])
			cur.WriteByte(l[i+1])
			i++
		case l[i] == '|':
			cells = append(cells, unescapeMD(strings.TrimSpace(cur.String())))
			cur.Reset()
		default:
			cur.WriteByte(l[i])
		}
	}
	return append(cells, unescapeMD(strings.TrimSpace(cur.String())))
}

var mdEscape = regexp.MustCompile(`\\([[:punct:]])`)

func unescapeMD(s string) string { return mdEscape.ReplaceAllString(s, "$1") }

// num parses a number of a table cell ("12,345", "+3.5", "45.0").
func num(t *testing.T, cell string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(cell, "+"), ",", ""), 64)
	if err != nil {
		t.Fatalf("cell %q is not a number", cell)
	}
	return f
}

// pctIs reports whether cell shows the proportion p in percent to 0.1.
func pctIs(t *testing.T, cell string, p float64) bool {
	t.Helper()
	return math.Abs(num(t, cell)-100*p) <= 0.05+1e-9
}

func row(t *testing.T, tb mdTable, first string) []string {
	t.Helper()
	for _, r := range tb.rows {
		if r[0] == first {
			return r
		}
	}
	t.Fatalf("no row %q in %v", first, tb.rows)
	return nil
}

// js is summary.json, decoded without this package's types.
type js = map[string]any

func jget(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(js)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func jf(v any, path ...any) float64 { return jget(v, path...).(float64) }

func jlen(v any, path ...any) int { return len(jget(v, path...).([]any)) }

// TestMarkdownMatchesSummary: every number of report.md's tables is the
// number of summary.json it stands for, for a report of one run and a
// comparison of three (one of them resampling).
func TestMarkdownMatchesSummary(t *testing.T) {
	one := synthetic(t, "one", 12, 5, 3, "traceback", 1)
	cmpDirs := []string{synthetic(t, "cot", 10, 4, 3, "cot", 2), synthetic(t, "minimal", 10, 4, 2, "minimal", 3), synthetic(t, "resample", 10, 4, 3, "none", 4)}
	for _, tc := range []struct {
		name string
		dirs []string
	}{{"one", []string{one}}, {"three", cmpDirs}, {"hand", []string{handRun(t)}}} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			if _, err := reports.Write(context.Background(), tc.dirs, out); err != nil {
				t.Fatal(err)
			}
			md, _ := os.ReadFile(filepath.Join(out, reports.MarkdownFile))
			b, _ := os.ReadFile(filepath.Join(out, reports.SummaryFile))
			var sum js
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			tables := parseMarkdown(t, string(md))
			var runs []any
			if r, ok := sum["runs"]; ok {
				runs = r.([]any)
				checkComparison(t, tables, sum)
			} else {
				runs = []any{any(sum)}
			}
			for _, run := range runs {
				part := ""
				if len(runs) > 1 {
					part = "Run " + jget(run, "name").(string)
				}
				checkRunTables(t, tables, part, run)
			}
		})
	}
}

func checkComparison(t *testing.T, tables map[string]mdTable, sum js) {
	tb := tables[" / Cumulative pass@1 by round (%)"]
	if len(tb.rows) != jlen(sum, "runs") {
		t.Fatalf("comparison rows %v", tb.rows)
	}
	for i := range jlen(sum, "runs") {
		run := jget(sum, "runs", i)
		r := row(t, tb, jget(run, "name").(string))
		rounds := jlen(run, "per_round")
		for rd := range rounds {
			if !pctIs(t, r[4+rd], jf(run, "per_round", rd, "cumulative_pass_at_k", 0)) {
				t.Errorf("comparison %s R%d: %s", r[0], rd, r[4+rd])
			}
		}
		delta := jf(run, "per_round", rounds-1, "cumulative_pass_at_k", 0) - jf(run, "per_round", 0, "cumulative_pass_at_k", 0)
		if !pctIs(t, r[len(r)-1], delta) {
			t.Errorf("comparison %s Δ %s, want %v", r[0], r[len(r)-1], delta)
		}
	}
	if jget(sum, "comparison", "matched_budget") == nil {
		return
	}
	tb = tables[" / Pass rate at a matched token budget (%)"]
	for i := range jlen(sum, "comparison", "matched_budget", "runs") {
		br := jget(sum, "comparison", "matched_budget", "runs", i)
		r := row(t, tb, jget(br, "name").(string))
		for j := range jlen(br, "pass_rate") {
			if !pctIs(t, r[2+j], jf(br, "pass_rate", j)) {
				t.Errorf("budget %s %d: %s", r[0], j, r[2+j])
			}
			budget := jf(sum, "comparison", "matched_budget", "tokens_per_sample", j)
			if h := tb.head[2+j]; math.Abs(num(t, strings.Fields(h)[0])-budget) > 0.5 {
				t.Errorf("budget heading %q, want %v", h, budget)
			}
		}
	}
	tb = tables[" / Repair rate by class of the first failure (%, repaired/samples)"]
	for i := range jlen(sum, "runs") {
		run := jget(sum, "runs", i)
		r := row(t, tb, jget(run, "name").(string))
		for j := range jlen(run, "repairs_by_first_failure") {
			f := jget(run, "repairs_by_first_failure", j)
			col := indexOf(tb.head, jget(f, "class").(string))
			want := fmt.Sprintf("(%d/%d)", int(jf(f, "repaired")), int(jf(f, "samples")))
			if fields := strings.Fields(r[col]); len(fields) != 2 || fields[1] != want || !pctIs(t, fields[0], jf(f, "rate")) {
				t.Errorf("first failure %s %s: %q, want %v %s", r[0], jget(f, "class"), r[col], jf(f, "rate"), want)
			}
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func checkRunTables(t *testing.T, tables map[string]mdTable, part string, run any) {
	get := func(h string) mdTable {
		tb, ok := tables[part+" / "+h]
		if !ok {
			t.Fatalf("no table %q / %q", part, h)
		}
		return tb
	}
	rounds := jlen(run, "per_round")
	n := int(jf(run, "samples"))

	tb := get("Cumulative pass@k by round (%)")
	gain := get("Gain of each round (percentage points)")
	for _, r := range tb.rows {
		k, _ := strconv.Atoi(strings.TrimPrefix(r[0], "pass@"))
		if k < 1 || k > n {
			t.Fatalf("row %q", r[0])
		}
		for rd := range rounds {
			if !pctIs(t, r[1+rd], jf(run, "per_round", rd, "cumulative_pass_at_k", k-1)) {
				t.Errorf("%s pass@%d R%d: %s", part, k, rd, r[1+rd])
			}
			if rd > 0 && !pctIs(t, row(t, gain, r[0])[rd], jf(run, "per_round", rd, "delta_pass_at_k", k-1)) {
				t.Errorf("%s gain pass@%d R%d", part, k, rd)
			}
		}
	}
	if tb.rows[0][0] != "pass@1" || tb.rows[len(tb.rows)-1][0] != fmt.Sprintf("pass@%d", n) {
		t.Errorf("pass@k rows %v", tb.rows)
	}

	tb = get("Outcomes of each round's attempts (count and % of the round's attempts)")
	for rd := range rounds {
		if int(num(t, row(t, tb, "attempts")[1+rd])) != int(jf(run, "per_round", rd, "attempts")) {
			t.Errorf("%s attempts R%d", part, rd)
		}
		for j := range jlen(run, "per_round", rd, "classes") {
			c := jget(run, "per_round", rd, "classes", j)
			want := fmt.Sprintf("%d (%.1f%%)", int(jf(c, "count")), 100*jf(c, "share"))
			if got := row(t, tb, jget(c, "class").(string))[1+rd]; got != want {
				t.Errorf("%s R%d %s: %q, want %q", part, rd, jget(c, "class"), got, want)
			}
		}
	}

	checkRate := func(tb mdTable, items any, nKey, kKey string) {
		for j := range len(items.([]any)) {
			it := jget(items, j)
			r := row(t, tb, jget(it, "class").(string))
			lo, hi := jf(it, "ci_low"), jf(it, "ci_high")
			ci := strings.Split(strings.Trim(r[4], "[]"), ", ")
			if int(num(t, r[1])) != int(jf(it, nKey)) || int(num(t, r[2])) != int(jf(it, kKey)) || !pctIs(t, r[3], jf(it, "rate")) ||
				!pctIs(t, ci[0], lo) || !pctIs(t, ci[1], hi) {
				t.Errorf("%s %v: %v", part, it, r)
			}
		}
	}
	tb = get("Repair rate by class of the first failure")
	checkRate(tb, jget(run, "repairs_by_first_failure"), "samples", "repaired")
	checkRate(tb, []any{jget(run, "first_failures_repaired")}, "samples", "repaired")
	checkRate(get("Repair rate per attempt"), jget(run, "repairs_by_class"), "failures", "repaired")

	if states := jget(run, "transitions", "states").([]any); len(states) > 0 {
		tb = get("Transitions from round r to round r+1 (attempts)")
		seen := 0
		for i, from := range states {
			total := 0.0
			for j := range states {
				total += jf(run, "transitions", "counts", i, j)
			}
			if total == 0 {
				continue
			}
			seen++
			r := row(t, tb, from.(string))
			for j, to := range states {
				if tb.head[1+j] != to || num(t, r[1+j]) != jf(run, "transitions", "counts", i, j) {
					t.Errorf("%s transition %s → %s: %s", part, from, to, r[1+j])
				}
			}
		}
		if seen != len(tb.rows) {
			t.Errorf("%s: %d transition rows, want %d", part, len(tb.rows), seen)
		}
	}

	tb = get("Stalls and oscillations")
	for i, key := range []string{"stalls", "stalled_samples", "code_oscillations", "failure_oscillations", "oscillating_samples"} {
		if num(t, tb.rows[0][i]) != jf(run, "stalls_and_oscillations", key) {
			t.Errorf("%s %s: %s", part, key, tb.rows[0][i])
		}
	}

	tb = get("Tokens by round")
	for rd := range rounds {
		r := tb.rows[rd]
		p := jget(run, "per_round", rd)
		if num(t, r[0]) != float64(rd) || num(t, r[1]) != jf(p, "attempts") || num(t, r[2]) != jf(p, "prompt_tokens") ||
			num(t, r[3]) != jf(p, "completion_tokens") || math.Abs(num(t, r[4])-jf(p, "cumulative_tokens_per_sample")) > 0.5 ||
			!pctIs(t, r[5], jf(p, "cumulative_pass_at_k", 0)) {
			t.Errorf("%s tokens R%d: %v", part, rd, r)
		}
	}

	tb = get("Tasks")
	if len(tb.rows) != jlen(run, "per_task") {
		t.Fatalf("%s: %d task rows", part, len(tb.rows))
	}
	for i, r := range tb.rows {
		task := jget(run, "per_task", i)
		solved := "never"
		if s := jget(task, "solved_round"); s != nil {
			solved = strconv.Itoa(int(s.(float64)))
		}
		if r[0] != jget(task, "task_id") || r[1] != solved || r[2] != fmt.Sprintf("%d/%d", int(jf(task, "samples_passing")), n) ||
			num(t, r[3]) != jf(task, "attempts") || num(t, r[4]) != jf(task, "tokens") {
			t.Errorf("%s task row %v, summary %v", part, r, task)
		}
	}
}

// hostile is text an attempt could carry that must not act in any
// output: markup, script, Markdown table breaks, terminal escapes, bidi
// overrides, mentions, spreadsheet formulas.
const hostile = "<script>alert('x')</script> | **bold** [link](http://evil) \x1b[31mred\x1b[0m \u202eevil @admin #1 `code` &amp;\nnext line"

// TestEscaping: hostile text in messages, error classes and task ids is
// inert in every output, and the tables keep their shape.
func TestEscaping(t *testing.T) {
	cls := `"><svg onload=alert(1)>`
	task := "T|<b>\x07"
	dir := writeRun(t, "hostile", study{tasks: []string{task}, samples: 3, rounds: 1, simulator: true}, []att{
		{task: task, round: 0, class: cls, msg: hostile},
		{task: task, round: 1, class: "=cmd|' /C calc'!A0", msg: "=HYPERLINK(\"http://evil\")"},
		{task: task, sample: 1, round: 0, class: "value", msg: hostile},
		{task: task, sample: 1, round: 1, class: "value", msg: hostile},
		{task: task, sample: 2, round: 0, class: "value", msg: hostile},
		{task: task, sample: 2, round: 1, class: "value", msg: hostile},
	})
	out := t.TempDir()
	if _, err := reports.Write(context.Background(), []string{dir}, out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{reports.MarkdownFile, reports.HTMLFile, reports.SummaryFile, reports.RoundsCSV, reports.AttemptsCSV} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		bad := "\x1b\x07\u202e"
		if name == reports.SummaryFile {
			bad = "\x1b\x07" // JSON escapes control characters; its strings are the recorded text
		}
		if bytes.ContainsAny(b, bad) {
			t.Errorf("%s holds a raw control or bidi character", name)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, reports.MarkdownFile))
	for _, bad := range []string{"<script>", "<b>", "<svg", "**bold**", "[link]", " @admin", " #1", "`code`", "&amp;", "|' /C"} {
		if regexp.MustCompile(`(^|[^\\])` + regexp.QuoteMeta(bad)).Match(md) {
			t.Errorf("report.md holds %q unescaped", bad)
		}
	}
	tables := parseMarkdown(t, string(md)) // fails on a row with the wrong number of cells
	tasks := tables[" / Tasks"]
	if len(tasks.rows) != 1 || tasks.rows[0][0] != `T|<b>\x07` {
		t.Errorf("task row %q", tasks.rows)
	}
	if msg := tasks.rows[0][6]; tasks.rows[0][5] != "value" || !strings.HasPrefix(msg, "<script>alert('x')</script> | **bold**") {
		t.Errorf("failure message cell %q", msg)
	}

	page, _ := os.ReadFile(filepath.Join(out, reports.HTMLFile))
	if n := bytes.Count(page, []byte("<script")); n != 1 {
		t.Errorf("report.html has %d script elements, want 1 (its own)", n)
	}
	for _, bad := range []string{"<svg onload", "<b>", "alert('x')</script>"} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("report.html holds %q unescaped", bad)
		}
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")) && !bytes.Contains(page, []byte("&lt;script&gt;alert(&#39;x&#39;)")) {
		t.Errorf("report.html does not show the message escaped")
	}

	f, _ := os.Open(filepath.Join(out, reports.AttemptsCSV))
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := indexOf(recs[0], "message")
	if got := recs[2][col]; got != `'=HYPERLINK("http://evil")` {
		t.Errorf("formula message in attempts.csv: %q", got)
	}
	if got := recs[1][col]; !strings.Contains(got, `\x1b[31m`) || !strings.Contains(got, "\n") {
		t.Errorf("message in attempts.csv: %q", got)
	}
}

// TestSimulatorNotice: a run of the simulated model says so at the top of
// every output; a run of a real model says nothing of the kind.
func TestSimulatorNotice(t *testing.T) {
	for _, sim := range []bool{true, false} {
		dir := writeRun(t, "run", study{tasks: []string{"T"}, samples: 1, rounds: 0, simulator: sim}, []att{{task: "T", passed: true}})
		out := t.TempDir()
		if _, err := reports.Write(context.Background(), []string{dir}, out); err != nil {
			t.Fatal(err)
		}
		read := func(name string) string { b, _ := os.ReadFile(filepath.Join(out, name)); return string(b) }
		md, page, sum := read(reports.MarkdownFile), read(reports.HTMLFile), read(reports.SummaryFile)
		firstLine := func(s string) string { return strings.SplitN(s, "\n", 2)[0] }
		checks := []struct {
			what string
			has  bool
		}{
			{"report.md first line", strings.Contains(firstLine(md), "SIMULATED MODEL")},
			{"report.html title", strings.Contains(page, "<title>[SIMULATED]")},
			{"report.html banner before the heading", strings.Index(page, `class="notice"`) >= 0 && strings.Index(page, `class="notice"`) < strings.Index(page, "<h1>")},
			{"summary.json notice", strings.HasPrefix(sum, "{\n  \"format\": \"selfrepair-report/1\",\n  \"notice\": \"SIMULATED MODEL")},
			{"rounds.csv first column", strings.HasPrefix(read(reports.RoundsCSV), "simulator,") && strings.HasPrefix(strings.SplitN(read(reports.RoundsCSV), "\n", 3)[1], "true,")},
			{"attempts.csv first column", strings.HasPrefix(strings.SplitN(read(reports.AttemptsCSV), "\n", 3)[1], "true,")},
		}
		for _, c := range checks {
			if c.has != sim {
				t.Errorf("simulator %v: %s says simulated: %v", sim, c.what, c.has)
			}
		}
	}
}

// TestCSVColumns: the CSVs have their documented columns, one row per
// attempt and per run and round.
func TestCSVColumns(t *testing.T) {
	out := t.TempDir()
	s, err := reports.Write(context.Background(), []string{handRun(t)}, out)
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string {
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	att := read(reports.AttemptsCSV)
	wantAtt := "simulator,run,task_id,sample,round,passed,outcome,status,error_class,error_type,message,stall,stall_of,code_hash,prompt_tokens,completion_tokens,cache_hit,visible_passed,visible_outcome,base_passed,plus_passed"
	if strings.Join(att[0], ",") != wantAtt || len(att) != 1+14 {
		t.Errorf("attempts.csv: header %v, %d rows", att[0], len(att)-1)
	}
	// Sorted by task, sample, round: T1 s0's stall is row 1+2+3+... = the 6th.
	if r := att[6]; r[2] != "T1" || r[3] != "0" || r[4] != "2" || r[11] != "true" || r[12] != "0" || r[6] != "syntax" {
		t.Errorf("stall row %v", r)
	}
	rounds := read(reports.RoundsCSV)
	head := strings.Join(rounds[0], ",")
	if !strings.HasPrefix(head, "simulator,run,round,attempts,passed_attempts,solved,solved_tasks,pass_rate,delta_pass_rate,passing,stalls,prompt_tokens,completion_tokens,tokens_per_sample,pass_at_1,pass_at_2,delta_pass_at_1,delta_pass_at_2,class_pass,class_syntax") || len(rounds) != 4 {
		t.Errorf("rounds.csv: %s; %d rows", head, len(rounds)-1)
	}
	r1 := rounds[2]
	col := func(name string) string { return r1[indexOf(rounds[0], name)] }
	if col("round") != "1" || col("solved") != "3" || col("pass_rate") != "0.5" || col("class_pass") != "2" || col("class_timeout") != "1" || col("prompt_tokens") != "1150" {
		t.Errorf("rounds.csv round 1: %v", r1)
	}
	_ = s
}

// TestWriteReplacesFiles: writing a report again replaces its files and
// leaves no temporary file.
func TestWriteReplacesFiles(t *testing.T) {
	dir := handRun(t)
	for range 2 {
		if _, err := reports.Write(context.Background(), []string{dir}, dir); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "attempts.csv attempts.jsonl manifest.json report.html report.md rounds.csv summary.json" {
		t.Errorf("files: %s", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := reports.Write(ctx, []string{dir}, t.TempDir()); err == nil {
		t.Error("a cancelled context wrote a report")
	}
}
