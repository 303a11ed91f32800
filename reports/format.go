package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Number formats shared by the Markdown and the HTML report (and parsed
// back by the tests, which compare them with summary.json).

// pct is a proportion in percent, to 0.1.
func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) }

// pp is a difference of proportions in percentage points, signed.
func pp(x float64) string {
	s := strconv.FormatFloat(100*x, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// interval is a Wilson interval in percent.
func interval(lo, hi float64) string { return "[" + pct(lo) + ", " + pct(hi) + "]" }

// count is a whole number with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// tokens is a token count, rounded to a whole number.
func tokens(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return count(int(math.Round(x)))
}

// share is a count and its share: "12 (30.0%)".
func share(n int, s float64) string { return fmt.Sprintf("%d (%s%%)", n, pct(s)) }

// mdText makes text safe in Markdown, table cells included: control
// characters escaped (Escape), line breaks and tabs made spaces, and every
// character Markdown or GitHub would interpret (emphasis, code, links,
// HTML, tables, entities, math, mentions) escaped with a backslash.
func mdText(s string) string {
	s = Escape([]byte(s))
	var b strings.Builder
	b.Grow(len(s))
	prev := ' '
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			r = ' '
		case strings.ContainsRune("\\`*_[]<>|&~$", r),
			// A mention (@name) or a reference (#12) only after a non-word.
			(r == '@' || r == '#') && !unicode.IsLetter(prev) && !unicode.IsDigit(prev):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// truncate shortens s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
