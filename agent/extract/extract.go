// Package extract turns a language model's answer into code: [Code] finds
// the code in the answer's text, and [Program] joins code to a
// HumanEval-style completion prompt to make a whole program.
//
// Both are pure functions of their arguments.
package extract

import (
	"slices"
	"strings"
)

// Code returns the code in a model's answer text, in the language whose
// code blocks are tagged with tags (the info strings of its fences, such as
// "python" and "py"; compared case-insensitively).
//
// The rules, in order:
//
//  1. Reasoning is dropped: every <think>...</think> block, and any text
//     before a </think> that has no opening tag (templates that open the
//     reasoning in the prompt). The tags of a <think> left unclosed (an
//     answer cut while reasoning) are removed but its text is kept. If
//     nothing but reasoning remains, the reasoning's text is used.
//  2. Fenced blocks (``` or ~~~, three or more, closed by a like fence at
//     least as long, per CommonMark) are collected. An unclosed final
//     fence runs to the end of the text. An indented fence (inside a list)
//     has that indentation removed from its lines. Blank blocks are ignored.
//  3. If there are blocks, the result is the longest block tagged with
//     one of tags; failing that the longest untagged block; failing that the
//     longest block with another tag. Ties go to the earliest.
//  4. If there are none, the whole text is the code: prose around
//     unfenced code is not removed.
//
// The result has leading blank lines and trailing white space removed;
// the indentation of its first line is kept (an answer may be a function
// body). Line endings are normalised to "\n".
func Code(text string, tags ...string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = stripThink(text)
	var best *block
	bestTier := 0
	for _, b := range fences(text) {
		if strings.TrimSpace(b.body) == "" {
			continue
		}
		tier := 2
		switch {
		case b.tag == "":
			tier = 1
		case slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, b.tag) }):
			tier = 0
		}
		if best == nil || tier < bestTier || tier == bestTier && len(strings.TrimSpace(b.body)) > len(strings.TrimSpace(best.body)) {
			best, bestTier = &b, tier
		}
	}
	if best != nil {
		text = best.body
	}
	return trimBlank(text)
}

const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// stripThink removes reasoning from text (rule 1 of Code).
func stripThink(text string) string {
	s := text
	// A </think> before any <think>: the reasoning was opened by the prompt.
	if c := strings.Index(s, thinkClose); c >= 0 {
		if o := strings.Index(s, thinkOpen); o < 0 || c < o {
			s = s[c+len(thinkClose):]
		}
	}
	var out strings.Builder
	for {
		o := strings.Index(s, thinkOpen)
		if o < 0 {
			out.WriteString(s)
			break
		}
		out.WriteString(s[:o])
		s = s[o+len(thinkOpen):]
		c := strings.Index(s, thinkClose)
		if c < 0 {
			out.WriteString(s) // unclosed: keep the text, drop the tag
			break
		}
		s = s[c+len(thinkClose):]
	}
	if strings.TrimSpace(out.String()) == "" {
		return strings.NewReplacer(thinkOpen, "", thinkClose, "").Replace(text)
	}
	return out.String()
}

// block is a fenced code block.
type block struct {
	tag  string // normalised language tag, "" when untagged
	body string
}

// fences returns the fenced blocks of text, in order.
func fences(text string) []block {
	var (
		blocks []block
		open   bool
		fence  string // the opening fence's run of ` or ~
		indent int    // the opening fence's indentation
		tag    string
		lines  []string
	)
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if !open {
			run := fenceRun(trimmed)
			if run == "" {
				continue
			}
			info := strings.TrimSpace(trimmed[len(run):])
			if run[0] == '`' && strings.Contains(info, "`") {
				continue // inline code such as ```x```, not a fence
			}
			open, fence, indent, tag, lines = true, run, len(line)-len(trimmed), normTag(info), nil
			continue
		}
		if run := fenceRun(trimmed); run != "" && run[0] == fence[0] && len(run) >= len(fence) &&
			strings.TrimSpace(trimmed[len(run):]) == "" {
			blocks = append(blocks, block{tag: tag, body: strings.Join(lines, "\n")})
			open = false
			continue
		}
		lines = append(lines, dedent(line, indent))
	}
	if open {
		blocks = append(blocks, block{tag: tag, body: strings.Join(lines, "\n")})
	}
	return blocks
}

// fenceRun returns the leading run of three or more ` or ~ of s, or "".
func fenceRun(s string) string {
	if len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return ""
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return s[:n]
}

// dedent removes up to n leading spaces from line.
func dedent(line string, n int) string {
	i := 0
	for i < n && i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return line[i:]
}

// normTag returns the language of a fence's info string: its first word,
// lower-cased, without pandoc's "{." or a ":file" suffix.
func normTag(info string) string {
	if f := strings.Fields(info); len(f) > 0 {
		info = f[0]
	}
	info = strings.TrimLeft(strings.ToLower(info), "{.")
	if i := strings.IndexAny(info, ":,{}"); i >= 0 {
		info = info[:i]
	}
	return info
}

// trimBlank removes leading blank lines and trailing white space, keeping
// the first line's indentation.
func trimBlank(s string) string {
	s = strings.TrimRight(s, " \t\n")
	for {
		nl := strings.IndexByte(s, '\n')
		if nl < 0 || strings.TrimSpace(s[:nl]) != "" {
			break
		}
		s = s[nl+1:]
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}
