package sim

import (
	"math/rand/v2"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// entry is a loaded task with what the simulator derives from it.
type entry struct {
	task    tasks.Task
	dataset string
	full    string            // the normalised prompt
	keys    []string          // normalised texts that identify the task in a request, most specific first
	lang    *language         // nil: a language the server does not have
	reading languages.Reading // nil: answers are always the reference
}

// newEntry analyses a task with the coder of its language (nil when the
// simulator has none for it).
func newEntry(t tasks.Task, dataset string, l *language) *entry {
	e := &entry{task: t, dataset: dataset, full: normalize(t.Prompt), lang: l}
	e.keys = append(e.keys, e.full)
	if t.Style == tasks.Program {
		// MBPP: the prompt is the problem text and the first test; the
		// text alone identifies the task.
		if text := mbppText(t); text != "" && normalize(text) != e.full {
			e.keys = append(e.keys, normalize(text))
		}
	}
	if l == nil || strings.TrimSpace(t.Reference) == "" {
		return e
	}
	e.reading = l.coder.Read(t)
	for _, k := range e.reading.Keys() {
		if k := normalize(k); k != e.full && k != "" {
			e.keys = append(e.keys, k)
		}
	}
	return e
}

// mutate returns the reference with a fault of class c, or ok false when no
// mutator of that class applies to this task. A mutator that trips over
// source it does not understand counts as not applying: a server must not
// drop a request over an odd task file.
func (e *entry) mutate(c languages.Class, rng *rand.Rand) (text, how string, ok bool) {
	if e.reading == nil {
		return "", "", false
	}
	defer func() {
		if recover() != nil {
			text, how, ok = "", "", false
		}
	}()
	return e.reading.Mutate(c, rng)
}

// present turns a solution text in the task's style into the code a model
// shows.
func (e *entry) present(text string, rng *rand.Rand) string {
	if e.reading == nil {
		return strings.TrimLeft(strings.TrimRight(text, " \t\n"), "\n")
	}
	return e.reading.Present(text, rng)
}

// mbppText is an MBPP prompt without its trailing first test: the prompt is
// the text, "\n", and the first line(s) of Test.
func mbppText(t tasks.Task) string {
	p := t.Prompt
	for i := 0; i < len(p); i++ {
		if p[i] == '\n' && i+1 < len(p) && strings.HasPrefix(t.Test, p[i+1:]) {
			return p[:i]
		}
	}
	return ""
}

// normalize makes text comparable across line ends and spacing: every run
// of white space becomes one space, and the ends are trimmed.
func normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
