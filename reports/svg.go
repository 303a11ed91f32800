package reports

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Charts of the HTML report, drawn in Go as inline SVG: no script, no
// network. Every drawn mark (line, marker, bar, cell) is a path of class
// "mark", which the page's self-check counts. Every text is escaped
// (svgText).

const (
	chartW, chartH                 = 680, 330
	padL, padR, padT, padB         = 60, 170, 34, 48
	plotW, plotH                   = chartW - padL - padR, chartH - padT - padB
	heatCell, heatLabelW, heatTopH = 34, 120, 110
)

// seriesColors are for lines (runs, ks).
func seriesColors() []string {
	return []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e"}
}

// classColor is the colour of an outcome in every chart.
func classColor(class string) string {
	switch class {
	case classPass:
		return "#59a14f"
	case "syntax":
		return "#e15759"
	case "name":
		return "#f28e2b"
	case "assertion":
		return "#4e79a7"
	case "type":
		return "#b07aa1"
	case "value":
		return "#76b7b2"
	case "index":
		return "#edc948"
	case "key":
		return "#ff9da7"
	case "attribute":
		return "#9c755f"
	case "import":
		return "#d37295"
	case "recursion":
		return "#8cd17d"
	case "zero-division":
		return "#b6992d"
	case "other-runtime":
		return "#499894"
	case "timeout":
		return "#86bcb6"
	case "memory":
		return "#f1ce63"
	case "output-limit":
		return "#fabfd2"
	case "prompt-too-long":
		return "#79706e"
	}
	grays := []string{"#bab0ac", "#a0a0a0", "#d4d4d4", "#8c8c8c"}
	h := 0
	for _, c := range class {
		h = h*31 + int(c)
	}
	return grays[(h%len(grays)+len(grays))%len(grays)]
}

// svgText escapes text for SVG inside HTML.
func svgText(s string) string { return html.EscapeString(Escape([]byte(s))) }

func f1(x float64) string { return fmt.Sprintf("%.1f", x) }

// svgChart accumulates one chart.
type svgChart struct {
	b strings.Builder
}

func newChart(kind, title string, w, h int) *svgChart {
	c := &svgChart{}
	fmt.Fprintf(&c.b, `<svg class="chart" data-chart="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		kind, w, h, w, h, svgText(title))
	fmt.Fprintf(&c.b, `<title>%s</title>`, svgText(title))
	fmt.Fprintf(&c.b, `<text class="ctitle" x="%d" y="20">%s</text>`, padL, svgText(title))
	return c
}

func (c *svgChart) done() chart {
	c.b.WriteString("</svg>")
	return chart{svg: c.b.String()}
}

// axes draws the frame, the y axis from 0 to 100% and x ticks.
type axis struct {
	min, max float64
	ticks    []float64
	label    func(float64) string
	title    string
}

func (c *svgChart) axes(x, y axis) {
	b := &c.b
	for _, t := range y.ticks {
		py := yPos(y, t)
		fmt.Fprintf(b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/>`, padL, f1(py), padL+plotW, f1(py))
		fmt.Fprintf(b, `<text class="tick" x="%d" y="%s" text-anchor="end">%s</text>`, padL-6, f1(py+4), svgText(y.label(t)))
	}
	for _, t := range x.ticks {
		px := xPos(x, t)
		fmt.Fprintf(b, `<line class="axis" x1="%s" y1="%d" x2="%s" y2="%d"/>`, f1(px), padT+plotH, f1(px), padT+plotH+4)
		fmt.Fprintf(b, `<text class="tick" x="%s" y="%d" text-anchor="middle">%s</text>`, f1(px), padT+plotH+17, svgText(x.label(t)))
	}
	fmt.Fprintf(b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, padL, padT+plotH, padL+plotW, padT+plotH)
	fmt.Fprintf(b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, padL, padT, padL, padT+plotH)
	fmt.Fprintf(b, `<text class="atitle" x="%d" y="%d" text-anchor="middle">%s</text>`, padL+plotW/2, chartH-8, svgText(x.title))
	fmt.Fprintf(b, `<text class="atitle" transform="translate(14 %d) rotate(-90)" text-anchor="middle">%s</text>`, padT+plotH/2, svgText(y.title))
}

func xPos(a axis, v float64) float64 {
	if a.max == a.min {
		return padL + plotW/2
	}
	return padL + (v-a.min)/(a.max-a.min)*plotW
}

func yPos(a axis, v float64) float64 {
	if a.max == a.min {
		return padT + plotH/2
	}
	return padT + plotH - (v-a.min)/(a.max-a.min)*plotH
}

// legend draws one entry per name, right of the plot.
func (c *svgChart) legend(names, colors []string, lines bool) {
	for i, n := range names {
		y := padT + 8 + i*18
		if lines {
			fmt.Fprintf(&c.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2.5"/>`, padL+plotW+12, y, padL+plotW+30, y, colors[i])
		} else {
			fmt.Fprintf(&c.b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`, padL+plotW+14, y-6, colors[i])
		}
		fmt.Fprintf(&c.b, `<text class="legend" x="%d" y="%d">%s</text>`, padL+plotW+36, y+4, svgText(truncate(n, 20)))
	}
}

// line draws a polyline with a marker at each point; tip is each point's
// tooltip.
func (c *svgChart) line(pts [][2]float64, color string, tip func(i int) string) {
	var d strings.Builder
	for i, p := range pts {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&d, "%s%s %s ", cmd, f1(p[0]), f1(p[1]))
	}
	fmt.Fprintf(&c.b, `<path class="mark line" d="%s" stroke="%s"/>`, strings.TrimSpace(d.String()), color)
	for i, p := range pts {
		fmt.Fprintf(&c.b, `<path class="mark dot" d="M%s %s m-3.5 0 a3.5 3.5 0 1 0 7 0 a3.5 3.5 0 1 0 -7 0" fill="%s"><title>%s</title></path>`,
			f1(p[0]), f1(p[1]), color, svgText(tip(i)))
	}
}

// rect draws a filled rectangle as a path.
func (c *svgChart) rect(x, y, w, h float64, fill, tip string) {
	fmt.Fprintf(&c.b, `<path class="mark bar" d="M%s %sh%sv%sh%sz" fill="%s"><title>%s</title></path>`,
		f1(x), f1(y), f1(w), f1(h), f1(-w), fill, svgText(tip))
}

func percentAxis(title string) axis {
	return axis{min: 0, max: 1, ticks: []float64{0, 0.25, 0.5, 0.75, 1}, label: func(v float64) string { return pct(v)[:len(pct(v))-2] + "%" }, title: title}
}

func roundAxis(maxRound int) axis {
	a := axis{min: 0, max: float64(max(maxRound, 1)), label: func(v float64) string { return fmt.Sprintf("R%d", int(v)) }, title: "round (0 = first draw, i = i-th repair)"}
	step := max(1, (maxRound+9)/10)
	for r := 0; r <= maxRound; r += step {
		a.ticks = append(a.ticks, float64(r))
	}
	return a
}

// niceAxis is an axis from 0 to at least hi with round ticks.
func niceAxis(hi float64, title string) axis {
	if hi <= 0 {
		hi = 1
	}
	raw := hi / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	a := axis{min: 0, max: math.Ceil(hi/step) * step, title: title, label: func(v float64) string { return tokens(v) }}
	for v := 0.0; v <= a.max+step/2; v += step {
		a.ticks = append(a.ticks, v)
	}
	return a
}

// passByRoundChart: cumulative pass@1 (D1) by round, a line per run.
func passByRoundChart(runs []*Run) chart {
	maxR := 0
	for _, r := range runs {
		maxR = max(maxR, len(r.PerRound)-1)
	}
	c := newChart("pass-by-round", "Cumulative pass@1 by round (D1)", chartW, chartH)
	x, y := roundAxis(maxR), percentAxis("pass@1")
	c.axes(x, y)
	colors := seriesColors()
	var names, cols []string
	for i, r := range runs {
		col := colors[i%len(colors)]
		var pts [][2]float64
		for _, rd := range r.PerRound {
			pts = append(pts, [2]float64{xPos(x, float64(rd.Round)), yPos(y, rd.CumulativePass[0])})
		}
		c.line(pts, col, func(i int) string {
			return fmt.Sprintf("%s R%d: %s%%", r.Name, i, pct(r.PerRound[i].CumulativePass[0]))
		})
		names, cols = append(names, r.Name), append(cols, col)
	}
	c.legend(names, cols, true)
	return c.done()
}

// passAtKChart: cumulative pass@k (D1) by round of one run, a line per k.
func passAtKChart(r *Run) chart {
	c := newChart("pass-at-k", "Cumulative pass@k by round (D1): "+r.Name, chartW, chartH)
	x, y := roundAxis(len(r.PerRound)-1), percentAxis("pass@k")
	c.axes(x, y)
	colors := seriesColors()
	var names, cols []string
	for i, k := range keyKs(r.Samples) {
		col := colors[i%len(colors)]
		var pts [][2]float64
		for _, rd := range r.PerRound {
			pts = append(pts, [2]float64{xPos(x, float64(rd.Round)), yPos(y, rd.CumulativePass[k-1])})
		}
		c.line(pts, col, func(i int) string {
			return fmt.Sprintf("pass@%d R%d: %s%%", k, i, pct(r.PerRound[i].CumulativePass[k-1]))
		})
		names, cols = append(names, fmt.Sprintf("pass@%d", k)), append(cols, col)
	}
	c.legend(names, cols, true)
	return c.done()
}

// classBarsChart: each round's attempts stacked by outcome (D5).
func classBarsChart(r *Run) chart {
	c := newChart("classes", "Outcomes of each round's attempts (D5): "+r.Name, chartW, chartH)
	most := 0
	for _, rd := range r.PerRound {
		most = max(most, rd.Attempts)
	}
	y := niceAxis(float64(most), "attempts")
	y.label = func(v float64) string { return count(int(v)) }
	n := len(r.PerRound)
	slot := float64(plotW) / float64(n)
	x := axis{min: -0.5, max: float64(n) - 0.5, label: func(v float64) string { return fmt.Sprintf("R%d", int(math.Round(v))) }, title: "round"}
	for i := range n {
		x.ticks = append(x.ticks, float64(i))
	}
	c.axes(x, y)
	for i, rd := range r.PerRound {
		base := 0
		for _, cc := range rd.Classes {
			top := yPos(y, float64(base+cc.Count))
			bottom := yPos(y, float64(base))
			c.rect(padL+float64(i)*slot+slot*0.15, top, slot*0.7, bottom-top, classColor(cc.Class),
				fmt.Sprintf("R%d %s: %d (%s%%)", rd.Round, cc.Class, cc.Count, pct(cc.Share)))
			base += cc.Count
		}
	}
	var cols []string
	for _, cl := range r.classes {
		cols = append(cols, classColor(cl))
	}
	c.legend(r.classes, cols, false)
	return c.done()
}

// transitionChart: the transition matrix (D4) as a heatmap, each cell
// shaded by its share of its row.
func transitionChart(r *Run) chart {
	tr := r.Transitions
	var from []int // the rows: outcomes followed by another attempt
	for i := range tr.States {
		if rowTotal(tr.Counts[i]) > 0 {
			from = append(from, i)
		}
	}
	n := len(tr.States)
	w, h := heatLabelW+n*heatCell+20, heatTopH+len(from)*heatCell+40
	c := newChart("transitions", "Transitions round r → r+1 (D4): "+r.Name, max(w, 360), h)
	fmt.Fprintf(&c.b, `<text class="atitle" x="%d" y="%d">to (round r+1)</text>`, heatLabelW, 40)
	fmt.Fprintf(&c.b, `<text class="atitle" x="8" y="%d">from (round r)</text>`, heatTopH-8)
	for j, s := range tr.States {
		x := heatLabelW + j*heatCell + heatCell/2
		fmt.Fprintf(&c.b, `<text class="tick" transform="translate(%d %d) rotate(-60)">%s</text>`, x, heatTopH-4, svgText(truncate(s, 16)))
	}
	for row, i := range from {
		from := tr.States[i]
		total := rowTotal(tr.Counts[i])
		y := heatTopH + row*heatCell
		fmt.Fprintf(&c.b, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, heatLabelW-6, y+heatCell/2+4, svgText(truncate(from, 16)))
		for j, to := range tr.States {
			v := tr.Counts[i][j]
			frac := 0.0
			if total > 0 {
				frac = float64(v) / float64(total)
			}
			x := heatLabelW + j*heatCell
			c.rect(float64(x), float64(y), heatCell-2, heatCell-2, heat(frac), fmt.Sprintf("%s → %s: %d (%s%% of %s)", from, to, v, pct(frac), from))
			if v > 0 {
				cls := "cell"
				if frac > 0.55 {
					cls = "cell light"
				}
				fmt.Fprintf(&c.b, `<text class="%s" x="%d" y="%d" text-anchor="middle">%d</text>`, cls, x+heatCell/2-1, y+heatCell/2+3, v)
			}
		}
	}
	return c.done()
}

// heat is a colour from white (0) to dark blue (1).
func heat(f float64) string {
	lerp := func(a, b int) int { return a + int(math.Round(float64(b-a)*f)) }
	return fmt.Sprintf("#%02x%02x%02x", lerp(0xf4, 0x1f), lerp(0xf6, 0x4e), lerp(0xf8, 0x8a))
}

// passVsTokensChart: pass@t (D7), a line per run.
func passVsTokensChart(runs []*Run) chart {
	c := newChart("pass-vs-tokens", "Cumulative pass rate against tokens per sample (D7)", chartW, chartH)
	hi := 0.0
	for _, r := range runs {
		if n := len(r.PassVsTokens); n > 0 {
			hi = max(hi, r.PassVsTokens[n-1].TokensPerSample)
		}
	}
	x, y := niceAxis(hi, "tokens per sample (prompt + completion, cumulative)"), percentAxis("pass@1")
	c.axes(x, y)
	colors := seriesColors()
	var names, cols []string
	for i, r := range runs {
		if len(r.PassVsTokens) == 0 {
			continue
		}
		col := colors[i%len(colors)]
		var pts [][2]float64
		for _, p := range r.PassVsTokens {
			pts = append(pts, [2]float64{xPos(x, p.TokensPerSample), yPos(y, p.PassRate)})
		}
		c.line(pts, col, func(i int) string {
			p := r.PassVsTokens[i]
			return fmt.Sprintf("%s R%d: %s tokens/sample, %s%%", r.Name, p.Round, tokens(p.TokensPerSample), pct(p.PassRate))
		})
		names, cols = append(names, r.Name+" ("+r.Feedback+")"), append(cols, col)
	}
	c.legend(names, cols, true)
	return c.done()
}
