package prompt

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/selfrepair/selfrepair/languages"
)

// Failure is the failure an attempt's feedback is about.
type Failure struct {
	languages.Failure
	// RepeatOf is the round whose code this attempt repeats, or -1.
	RepeatOf int
}

// Options tune the feedback.
type Options struct {
	// TracebackBudget bounds the traceback in bytes (head and tail lines
	// are kept); 0 means DefaultTracebackBudget.
	TracebackBudget int
	// Program says the answer is a whole program rather than a function.
	Program bool
	// Fence is the code fence's info string the answer is asked in.
	Fence string
	// Reflections are the model's reflections so far (reflexion mode),
	// oldest first.
	Reflections []string
}

// DefaultTracebackBudget is the traceback budget when none is given.
const DefaultTracebackBudget = 2000

// maxMessage bounds the exception message and the values shown: a failed
// assertion on a large list can carry megabytes.
const maxMessage = 1000

// maxReflection bounds one reflection.
const maxReflection = 1000

// Feedback returns the user message that reports f to the model in mode m;
// it is empty in mode None.
func Feedback(m Mode, f Failure, o Options) string {
	if m == None {
		return ""
	}
	budget := o.TracebackBudget
	if budget <= 0 {
		budget = DefaultTracebackBudget
	}
	var b strings.Builder
	if f.RepeatOf >= 0 {
		fmt.Fprintf(&b, "Your answer repeats your code of round %d, which failed the tests the same way.\n\n", f.RepeatOf)
	} else {
		b.WriteString("Your code failed the tests.\n\n")
	}
	fmt.Fprintf(&b, "error class: %s\n", f.Class)
	if head := exceptionLine(f); head != "" {
		b.WriteString(head + "\n")
	}
	if m != Minimal {
		detail(&b, f, budget)
	}
	subject := "function"
	if o.Program {
		subject = "program"
	}
	answer := "answer with the complete corrected " + subject + " in one ```" + o.Fence + " code block."
	b.WriteString("\n")
	switch m {
	case Minimal, Traceback:
		b.WriteString("Fix the code and " + answer)
	case Explain:
		b.WriteString("First explain in a few sentences what is wrong with the code and why the test fails. Then " + answer)
	case CoT:
		b.WriteString("Think step by step: trace what the code does on the failing test, find the bug, then " + answer)
	case Reflexion:
		if len(o.Reflections) > 0 {
			b.WriteString("Your reflections on your earlier attempts:\n")
			for i, r := range o.Reflections {
				fmt.Fprintf(&b, "%d. %s\n", i+1, oneParagraph(r))
			}
			b.WriteString("\n")
		}
		b.WriteString("Write a short reflection, starting with \"Reflection:\", on why this attempt failed and what to do differently. Then " + answer)
	}
	return b.String()
}

// exceptionLine is "Type: message", message cut to maxMessage.
func exceptionLine(f Failure) string {
	msg := Truncate(strings.TrimSpace(f.Message), maxMessage)
	switch {
	case f.ErrorType != "" && msg != "":
		return f.ErrorType + ": " + msg
	case f.ErrorType != "":
		return f.ErrorType
	}
	return msg
}

// detail writes the failing lines, the call and the traceback.
func detail(b *strings.Builder, f Failure, budget int) {
	if f.TestLine > 0 && f.TestText != "" {
		fmt.Fprintf(b, "Failing test (line %d of the tests): %s\n", f.TestLine, cut(f.TestText))
	}
	if f.Call != "" {
		fmt.Fprintf(b, "Call: %s\n", cut(f.Call))
	}
	if f.Expected != "" {
		fmt.Fprintf(b, "Expected: %s\n", cut(f.Expected))
	}
	if f.Actual != "" {
		fmt.Fprintf(b, "Got: %s\n", cut(f.Actual))
	}
	if f.Line > 0 && f.LineText != "" {
		fmt.Fprintf(b, "Failing line of your code (line %d): %s\n", f.Line, cut(f.LineText))
	}
	if tb := strings.TrimSpace(f.Traceback); tb != "" {
		b.WriteString("\n" + Truncate(tb, budget) + "\n")
	}
}

// cut keeps one line of a value, at most maxMessage bytes.
func cut(s string) string {
	return Truncate(strings.TrimSpace(s), maxMessage)
}

func oneParagraph(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Reflection returns the reflection in an answer (reflexion mode): the
// text after "Reflection:" if there is one, else the answer's prose; in
// both cases without code blocks or <think> reasoning, and at most 1000
// bytes.
func Reflection(answer string) string {
	text := strings.ReplaceAll(answer, "\r\n", "\n")
	if i := strings.LastIndex(text, "</think>"); i >= 0 {
		text = text[i+len("</think>"):]
	}
	var prose []string
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if !inFence {
			prose = append(prose, line)
		}
	}
	text = strings.Join(prose, "\n")
	if i := strings.Index(strings.ToLower(text), "reflection:"); i >= 0 {
		text = text[i+len("reflection:"):]
	}
	return Truncate(oneParagraph(text), maxReflection)
}

// Truncate shortens s to at most budget bytes. A text of several lines
// keeps whole lines from its head (about a third of the budget) and its
// tail (the rest: a traceback's final exception is its last line), with a
// line saying how many lines were left out between them. When the first or
// last line alone is too long for its share, its head (or tail) is kept.
// Cuts fall on UTF-8 character boundaries. Budgets under 80 bytes keep the
// tail alone.
func Truncate(s string, budget int) string {
	if len(s) <= budget {
		return s
	}
	if budget <= 0 {
		return ""
	}
	const minBudget = 80
	if budget < minBudget {
		return tailBytes(s, budget)
	}
	lines := strings.Split(s, "\n")
	marker := func(omitted int) string {
		if omitted <= 0 {
			return "\n... (cut) ...\n"
		}
		return fmt.Sprintf("\n... (%d lines omitted) ...\n", omitted)
	}
	avail := budget - len(marker(len(lines)))
	headBudget := avail / 3
	tailBudget := avail - headBudget

	h, used := 0, 0 // lines[:h] are kept whole
	for h < len(lines) && used+len(lines[h])+1 <= headBudget {
		used += len(lines[h]) + 1
		h++
	}
	t := len(lines) // lines[t:] are kept whole
	used = 0
	for t > h && used+len(lines[t-1])+1 <= tailBudget {
		used += len(lines[t-1]) + 1
		t--
	}
	head, tail := strings.Join(lines[:h], "\n"), strings.Join(lines[t:], "\n")
	from, to := h, t // lines omitted entirely: lines[from:to]
	if h == 0 {
		head, from = headBytes(lines[0], headBudget), 1
	}
	if t == len(lines) {
		tail, to = tailBytes(lines[len(lines)-1], tailBudget), len(lines)-1
	}
	return head + marker(to-from) + tail
}

// headBytes is the longest prefix of s of at most n bytes ending on a
// character boundary.
func headBytes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// tailBytes is the longest suffix of s of at most n bytes starting on a
// character boundary.
func tailBytes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}
