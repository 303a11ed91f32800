// Package prompt writes the messages of a self-repair study: the request
// for a task's first attempt, the feedback on a failed attempt in each
// feedback mode, and the request for the next attempt.
//
// Every function is a pure function of its arguments: a study that is
// resumed rebuilds exactly the messages it would have sent.
//
// # Feedback modes
//
//	none       no feedback: the next attempt is a fresh sample of the first
//	           request (the resampling baseline, with the same budget)
//	minimal    the error class and the final exception's message
//	traceback  also the failing test and solution lines, the failing call
//	           with its expected and actual values when the harness reports
//	           them, and the traceback truncated to a budget (head and tail
//	           kept)
//	explain    as traceback, and the model is asked to explain what is
//	           wrong before it fixes the code
//	cot        as traceback, and the model is asked to think step by step
//	reflexion  as traceback, and the model is asked to write a short
//	           reflection before the fix; the reflections of earlier rounds
//	           are repeated in every later feedback
//
// Every feedback but none starts with an explicit "error class: <class>"
// line, so that both models and the simulator (agent/sim) read the class
// the same way.
//
// # Repair styles
//
// In the chat style (the default) the next request is the whole
// conversation so far plus the model's last answer and the feedback on it.
// In the single style it is a fresh conversation holding only the first
// request, the last answer (as the assistant's turn, so that an endpoint
// sees a repair) and the feedback.
package prompt

import (
	"fmt"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Mode is a feedback mode.
type Mode string

// Feedback modes.
const (
	None      Mode = "none"
	Minimal   Mode = "minimal"
	Traceback Mode = "traceback"
	Explain   Mode = "explain"
	CoT       Mode = "cot"
	Reflexion Mode = "reflexion"
)

// Modes lists the feedback modes.
func Modes() []Mode { return []Mode{None, Minimal, Traceback, Explain, CoT, Reflexion} }

// ParseMode reads a feedback mode name.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown feedback mode %q (want %s)", s, joinModes())
}

func joinModes() string {
	names := make([]string, 0, len(Modes()))
	for _, m := range Modes() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// Style is how a repair request is built.
type Style string

// Repair styles.
const (
	Chat   Style = "chat"   // the whole conversation so far
	Single Style = "single" // a fresh conversation holding only the last attempt
)

// ParseStyle reads a repair style name.
func ParseStyle(s string) (Style, error) {
	switch Style(s) {
	case Chat, Single:
		return Style(s), nil
	}
	return "", fmt.Errorf("unknown repair style %q (want chat or single)", s)
}

// System is the system message of every request in language w.
func System(w languages.Words) string {
	return "You are an expert " + w.Name + " programmer. You write correct, efficient " + w.Version +
		" code and answer with it in a ```" + w.Fence + " code block."
}

// First returns the messages of a task's first attempt, in language w.
func First(t tasks.Task, w languages.Words) []Message {
	var user string
	if t.Style == tasks.Completion {
		user = "Complete the following " + w.Name + " function. Answer with the complete function, " + w.Header +
			" included, in one ```" + w.Fence + " code block.\n\n```" + w.Fence + "\n" +
			strings.TrimRight(t.Prompt, "\n") + "\n```"
	} else {
		user = "Solve the following task in " + w.Name + ".\n\n" + strings.TrimSpace(t.Prompt) +
			"\n\nAnswer with the complete program in one ```" + w.Fence + " code block."
	}
	return []Message{{Role: RoleSystem, Content: System(w)}, {Role: RoleUser, Content: user}}
}

// Next returns the messages of the attempt that follows one whose request
// was prev and whose answer was answer, given the feedback on it (from
// [Feedback]); first is the task's first request. In mode None the next
// attempt is a fresh sample of first.
func Next(s Style, m Mode, first, prev []Message, answer, feedback string) []Message {
	if m == None {
		return clone(first)
	}
	base := prev
	if s == Single {
		base = first
	}
	out := make([]Message, 0, len(base)+2)
	out = append(out, base...)
	return append(out, Message{Role: RoleAssistant, Content: answer}, Message{Role: RoleUser, Content: feedback})
}

func clone(ms []Message) []Message { return append([]Message(nil), ms...) }
