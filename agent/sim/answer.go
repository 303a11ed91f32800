package sim

import (
	"context"
	"encoding/hex"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/selfrepair/selfrepair/languages"
)

// message is a request message reduced to what the simulator reads.
type message struct {
	role, name, text string
}

// conversation is what the simulator understood of a request.
type conversation struct {
	entry    *entry          // the task; nil if none was recognised
	repo     *repoRequest    // the repository task; nil if none was recognised
	repair   bool            // an earlier answer and feedback on it follow the task
	failure  languages.Class // the class the feedback reports (repair)
	named    bool            // the feedback named a class
	round    int             // earlier answers after the task
	taskText string          // the message that holds the task (or the first user message)
}

// outcome describes an answer, for the log.
type outcome struct {
	class   languages.Class // pass, or the class the answer was made to fail with
	mutator string
}

// minKey is the shortest prompt text recognised: shorter texts match by
// accident.
const minKey = 24

// recognise finds the task in the messages: user messages first, then the
// others; in one message the longest matching prompt text wins.
func (s *Server) recognise(msgs []message) (*entry, int) {
	var order []int
	for i, m := range msgs {
		if m.role == "user" {
			order = append(order, i)
		}
	}
	for i, m := range msgs {
		if m.role != "user" && m.role != "assistant" {
			order = append(order, i)
		}
	}
	for _, i := range order {
		hay := normalize(msgs[i].text)
		var best *entry
		bestLen := minKey - 1
		for _, e := range s.entries {
			for _, k := range e.keys {
				if len(k) > bestLen && strings.Contains(hay, k) {
					best, bestLen = e, len(k)
				}
			}
		}
		if best != nil {
			return best, i
		}
	}
	return nil, -1
}

// read works out the task and whether the request is a repair attempt. A
// repository task's request starts at its first user message.
func (s *Server) read(msgs []message) conversation {
	var (
		e  *entry
		at = -1
	)
	repo := s.recogniseRepo(msgs)
	if repo == nil {
		e, at = s.recognise(msgs)
	}
	if at < 0 {
		at = 0
		for i, m := range msgs {
			if m.role == "user" {
				at = i
				break
			}
		}
	}
	c := conversation{entry: e, repo: repo, taskText: msgs[at].text}
	lastAnswer := -1
	for i := at + 1; i < len(msgs); i++ {
		if msgs[i].role == "assistant" {
			lastAnswer = i
			c.round++
		}
	}
	if lastAnswer < 0 {
		return c
	}
	var feedback []string
	for _, m := range msgs[lastAnswer+1:] {
		if m.role == "user" || m.role == "tool" {
			feedback = append(feedback, m.text)
		}
	}
	if len(feedback) > 0 {
		c.repair = true
		c.failure, c.named = s.feedback.classify(strings.Join(feedback, "\n"), s.languageOf(e).coder)
	}
	return c
}

// complete answers a chat request with n choices.
func (s *Server) complete(req *chatRequest, n int) *chatResponse {
	msgs := make([]message, len(req.Messages))
	base := newHasher("selfrepair-sim/answer/v1")
	base.u64(s.seed)
	base.str(req.Model)
	if req.Temperature != nil {
		base.u64(1)
		base.u64(math.Float64bits(*req.Temperature))
	} else {
		base.u64(0)
	}
	if req.Seed != nil {
		base.u64(1)
		base.u64(uint64(*req.Seed))
	} else {
		base.u64(0)
	}
	base.u64(uint64(len(msgs)))
	promptTokens := 3
	for i, m := range req.Messages {
		msgs[i] = message{role: m.Role, name: m.Name, text: m.text()}
		base.str(m.Role)
		base.str(m.Name)
		base.str(msgs[i].text)
		promptTokens += 4 + tokens(msgs[i].text)
	}
	sum := base.sum()
	conv := s.read(msgs)

	limit := req.MaxCompletionTokens
	if limit == 0 {
		limit = req.MaxTokens
	}
	resp := &chatResponse{
		ID:                "chatcmpl-sim-" + hex.EncodeToString(sum[:12]),
		Object:            "chat.completion",
		Created:           epoch,
		Model:             req.Model,
		SystemFingerprint: Fingerprint,
		Usage:             usage{PromptTokens: promptTokens},
	}
	for i := range n {
		h := newHasher("selfrepair-sim/choice/v1")
		h.bytes(sum[:])
		h.u64(uint64(i))
		content, out := s.answer(conv, h.rng())
		finish := "stop"
		if limit > 0 && tokens(content) > limit {
			content = cutUTF8(content, 4*limit)
			finish = "length"
		}
		resp.Choices = append(resp.Choices, chatChoice{
			Index:        i,
			Message:      responseMessage{Role: "assistant", Content: content},
			FinishReason: finish,
		})
		resp.Usage.CompletionTokens += tokens(content)
		if s.log.Enabled(context.Background(), slog.LevelDebug) {
			task := "(unknown)"
			switch {
			case conv.repo != nil:
				task = "repo " + conv.repo.task.name
			case conv.entry != nil:
				task = conv.entry.task.ID
			}
			attempt := "first"
			switch {
			case conv.repair && conv.named:
				attempt = "repair of " + string(conv.failure)
			case conv.repair:
				attempt = "repair (feedback names no class)"
			}
			s.log.Debug("sim completion", "model", req.Model, "task", task, "choice", i, "attempt", attempt,
				"round", conv.round, "answer", string(out.class), "mutator", out.mutator)
		}
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens + resp.Usage.CompletionTokens
	return resp
}

func cutUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// answer makes one choice's content.
func (s *Server) answer(c conversation, rng *rand.Rand) (string, outcome) {
	if c.repo != nil {
		return s.answerRepo(c, rng)
	}
	e := c.entry
	if e == nil || strings.TrimSpace(e.task.Reference) == "" {
		return s.stub(c, rng), outcome{class: "", mutator: "stub"}
	}
	var (
		text = e.task.Reference
		out  = outcome{class: languages.Pass}
	)
	fail := false
	var prefer languages.Class
	if c.repair {
		rate, ok := s.repair[c.failure]
		if !ok {
			rate = s.repair[languages.OtherRuntime]
		}
		fail = rng.Float64() >= rate
		if rng.Float64() < 0.5 {
			prefer = c.failure // the same mistake again
		}
	} else {
		fail = rng.Float64() >= s.firstPass
	}
	if fail {
		if mutated, class, how, ok := s.faulty(e, prefer, rng); ok {
			text, out = mutated, outcome{class: class, mutator: how}
		}
	}
	code := e.present(text, rng)
	return decorate(rng, code, c, s.languageOf(e)), out
}

// faulty makes a faulty variant: of class prefer if a mutator of it
// applies, else of a class drawn from the failure mix.
func (s *Server) faulty(e *entry, prefer languages.Class, rng *rand.Rand) (text string, class languages.Class, how string, ok bool) {
	if isFaulty(prefer) {
		if text, how, ok := e.mutate(prefer, rng); ok {
			return text, prefer, how, true
		}
	}
	mix := append([]classWeight(nil), s.mix...)
	for len(mix) > 0 {
		total := 0.0
		for _, cw := range mix {
			total += cw.weight
		}
		x, i := rng.Float64()*total, 0
		for ; i < len(mix)-1 && x >= mix[i].weight; i++ {
			x -= mix[i].weight
		}
		if text, how, ok := e.mutate(mix[i].class, rng); ok {
			return text, mix[i].class, how, true
		}
		mix = append(mix[:i], mix[i+1:]...)
	}
	return "", "", "", false
}

// stub is the answer to an unknown task: a skeleton from the coder of the
// recognised task's language, or of the first language.
func (s *Server) stub(c conversation, rng *rand.Rand) string {
	l := s.languageOf(c.entry)
	code := l.coder.Stub(c.taskText)
	return pickString(rng, []string{
		"I could not work out a complete implementation from the description. Here is a starting point:",
		"Here is a skeleton for the function:",
	}) + "\n\n```" + l.words.Fence + "\n" + code + "\n```\n"
}

// decorate wraps code the way a chat model answers: sometimes a reasoning
// preamble, often a sentence before, sometimes one after, the code in a
// block fenced with the language's info string.
func decorate(rng *rand.Rand, code string, c conversation, l *language) string {
	var b strings.Builder
	if rng.Float64() < 0.04 {
		b.WriteString("<think>\n")
		if c.repair {
			b.WriteString(pickString(rng, thoughtsRepair(c.failure)))
		} else {
			b.WriteString(pickString(rng, thoughtsFirst()))
		}
		b.WriteString("\n</think>\n\n")
	}
	intro := 0.6
	if c.repair {
		intro = 0.9
	}
	if rng.Float64() < intro {
		if c.repair {
			b.WriteString(pickString(rng, introsRepair(c.failure)))
		} else {
			b.WriteString(pickString(rng, introsFirst(l.words.Name)))
		}
		b.WriteString("\n\n")
	}
	b.WriteString("```" + l.words.Fence + "\n")
	b.WriteString(code)
	b.WriteString("\n```")
	if rng.Float64() < 0.3 {
		b.WriteString("\n\n")
		b.WriteString(pickString(rng, outros()))
	}
	b.WriteString("\n")
	return b.String()
}

func pickString(rng *rand.Rand, ss []string) string { return ss[rng.IntN(len(ss))] }

func introsFirst(language string) []string {
	return []string{
		"Here is the implementation:",
		"Here's a solution:",
		"Sure! Here is the function:",
		"The following implementation solves the problem:",
		"Here is a " + language + " implementation.",
		"Below is a straightforward solution.",
	}
}

func outros() []string {
	return []string{
		"The function handles the edge cases described in the docstring.",
		"It passes the examples given in the prompt.",
		"Let me know if you need anything else.",
		"The approach is simple and runs in linear time for typical inputs.",
		"This keeps the original signature unchanged.",
	}
}

func introsRepair(c languages.Class) []string {
	generic := []string{
		"Thanks for the feedback. Here is the corrected code:",
		"You're right, there was a bug. Here is the fixed version:",
		"I see the problem. Corrected implementation:",
	}
	switch c {
	case languages.Syntax:
		return append(generic, "The previous version had a syntax error. Here is the corrected code:")
	case languages.Name:
		return append(generic, "The error was caused by an undefined name. Fixed version:")
	case languages.Assertion:
		return append(generic, "The logic was wrong for some inputs. Here is a corrected implementation:")
	case languages.Type:
		return append(generic, "There was a type mismatch. Here's the fix:")
	case languages.Index:
		return append(generic, "The code indexed past the end of the sequence. Corrected:")
	case languages.Timeout:
		return append(generic, "The loop never terminated. Here is a version that does:")
	}
	return generic
}

func thoughtsFirst() []string {
	return []string{
		"Let me read the task carefully. I need to handle the examples in the docstring and the edge cases, then return the result.",
		"The task is a small function. I'll iterate over the input, build the result, and check it against the examples.",
	}
}

func thoughtsRepair(c languages.Class) []string {
	return []string{
		"The tests failed (" + string(c) + "). Let me look at the previous code again and find the line that caused it.",
		"The feedback shows a " + string(c) + " failure. I'll fix that part and keep the rest.",
	}
}
