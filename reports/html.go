package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"strings"
)

// The HTML report is one self-contained file: tables, inline SVG charts, a
// style sheet and a small self-check script, with a Content Security
// Policy that allows only that style sheet and that script (by hash) and
// no network at all. Text from attempts is escaped twice over: control
// characters by Escape, markup by html/template.

const pageCSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d1d1f}
h1{font-size:24px}h2{font-size:20px;margin-top:36px;border-bottom:1px solid #ddd}h3{font-size:16px;margin-top:26px}
.notice{background:#fff3cd;border:2px solid #d39e00;padding:10px 14px;font-weight:600;margin-bottom:12px}
.warn{color:#8a4b00}.def{color:#555;font-size:13px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0 12px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
td.text{text-align:left}td.text:last-child{white-space:normal;max-width:420px}
thead th{background:#f6f8fa}
svg.chart{display:block;margin:10px 0;max-width:100%;height:auto}
svg .grid{stroke:#e5e5e5}svg .axis{stroke:#444}
svg .tick,svg .legend{font-size:11px;fill:#333}svg .atitle{font-size:12px;fill:#333}
svg .ctitle{font-size:13px;font-weight:600;fill:#111}
svg .line{fill:none;stroke-width:2.5}svg .cell{font-size:10px;fill:#111}svg .cell.light{fill:#fff}
nav ul{columns:2}
`

// pageJS checks that every chart drew something and says so on <body>
// (data-charts="N ok", or "N bad:KINDS"), for the headless-browser test.
const pageJS = `
(function () {
  var charts = document.querySelectorAll('svg.chart'), bad = [];
  charts.forEach(function (svg) {
    var drawn = 0;
    svg.querySelectorAll('path.mark').forEach(function (p) {
      var d = (p.getAttribute('d') || '').trim(), b = p.getBBox();
      if (d !== '' && (b.width > 0 || b.height > 0)) drawn++;
    });
    svg.setAttribute('data-drawn', String(drawn));
    if (drawn === 0) bad.push(svg.getAttribute('data-chart'));
  });
  document.body.setAttribute('data-charts', charts.length + (bad.length ? ' bad:' + bad.join(',') : ' ok'));
})();
`

func cspHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Notice}}[SIMULATED] {{end}}{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
{{if .Notice}}<div class="notice" role="alert">{{.Notice}}</div>
{{end}}<h1>{{.Title}}</h1>
{{range .Intro}}<p>{{.}}</p>
{{end}}<nav><ul>{{range .Sections}}{{if eq .Level 2}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}{{end}}</ul></nav>
{{range .Sections}}<section id="{{.ID}}">
{{if eq .Level 2}}<h2>{{.Title}}</h2>{{else}}<h3>{{.Title}}</h3>{{end}}
{{range .Notes}}<p class="{{if .Warn}}warn{{else}}def{{end}}">{{.Text}}</p>
{{end}}{{range .Charts}}{{.}}
{{end}}{{with .Table}}<div class="scroll"><table>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Text}} class="text"{{end}}>{{.V}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{end}}{{range .After}}<p>{{.}}</p>
{{end}}</section>
{{end}}<script>{{.JS}}</script>
</body>
</html>
`

type htmlPage struct {
	CSP, Title, Notice string
	CSS                template.CSS
	JS                 template.JS
	Intro              []string
	Sections           []htmlSection
}

type htmlSection struct {
	Level     int
	ID, Title string
	Notes     []htmlNote
	Charts    []template.HTML
	Table     *htmlTable
	After     []string
}

type htmlNote struct {
	Text string
	Warn bool
}

type htmlTable struct {
	Head []string
	Rows [][]htmlCell
}

type htmlCell struct {
	V    string
	Text bool // text, left-aligned (and wrapped in a last column)
}

// esc escapes control and invisible characters; html/template escapes
// the markup.
func esc(s string) string { return Escape([]byte(s)) }

// writeHTML renders report.html.
func (s *Summary) writeHTML(buf *bytes.Buffer) error {
	d := s.document()
	p := htmlPage{
		Title: esc(d.title), Notice: esc(d.notice), CSS: template.CSS(pageCSS), JS: template.JS(pageJS),
		CSP: "default-src 'none'; style-src " + cspHash(pageCSS) + "; script-src " + cspHash(pageJS) + "; base-uri 'none'; form-action 'none'",
	}
	for _, t := range d.intro {
		p.Intro = append(p.Intro, esc(t))
	}
	for _, sec := range d.sections {
		title := sec.title
		if sec.defs != "" {
			title += " [" + sec.defs + "]"
		}
		hs := htmlSection{Level: sec.level, ID: sec.id, Title: esc(title)}
		for _, n := range sec.notes {
			hs.Notes = append(hs.Notes, htmlNote{Text: esc(n), Warn: strings.HasPrefix(n, "Warning:")})
		}
		for _, c := range sec.charts {
			hs.Charts = append(hs.Charts, template.HTML(c.svg)) // built by svg.go, which escapes every text
		}
		if t := sec.table; t != nil {
			ht := &htmlTable{}
			for _, h := range t.head {
				ht.Head = append(ht.Head, esc(h))
			}
			for _, r := range t.rows {
				var row []htmlCell
				for i, c := range r {
					row = append(row, htmlCell{V: esc(c), Text: t.isText(i)})
				}
				ht.Rows = append(ht.Rows, row)
			}
			hs.Table = ht
		}
		for _, a := range sec.after {
			hs.After = append(hs.After, esc(a))
		}
		p.Sections = append(p.Sections, hs)
	}
	tmpl, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return err
	}
	return tmpl.Execute(buf, p)
}
