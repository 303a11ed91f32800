package reports

import (
	"bytes"
	"strings"
)

// writeMarkdown renders report.md: GitHub-flavoured Markdown, fit for a
// pull-request comment or an appendix. Every text is escaped (mdText).
func (s *Summary) writeMarkdown(buf *bytes.Buffer) error {
	d := s.document()
	if d.notice != "" {
		buf.WriteString("> **" + mdText(d.notice) + "**\n\n")
	}
	buf.WriteString("# " + mdText(d.title) + "\n\n")
	for _, p := range d.intro {
		buf.WriteString(mdText(p) + "\n\n")
	}
	for _, sec := range d.sections {
		title := sec.title
		if sec.defs != "" {
			title += " [" + sec.defs + "]"
		}
		buf.WriteString(strings.Repeat("#", sec.level) + " " + mdText(title) + "\n\n")
		for _, p := range sec.notes {
			buf.WriteString(mdText(p) + "\n\n")
		}
		if sec.table != nil {
			writeMarkdownTable(buf, sec.table)
		}
		for _, p := range sec.after {
			buf.WriteString(mdText(p) + "\n\n")
		}
	}
	return nil
}

func writeMarkdownTable(buf *bytes.Buffer, t *table) {
	row := func(cells []string) {
		buf.WriteString("|")
		for _, c := range cells {
			if c == "" {
				c = " "
			}
			buf.WriteString(" " + mdText(c) + " |")
		}
		buf.WriteString("\n")
	}
	row(t.head)
	buf.WriteString("|")
	for i := range t.head {
		if t.isText(i) {
			buf.WriteString(" --- |")
		} else {
			buf.WriteString(" ---: |")
		}
	}
	buf.WriteString("\n")
	for _, r := range t.rows {
		row(r)
	}
	buf.WriteString("\n")
}
