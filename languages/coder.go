package languages

import (
	"math/rand/v2"

	"github.com/selfrepair/selfrepair/tasks"
)

// A Coder makes one language's answers for a simulated code model
// (agent/sim): it reads a task's reference solution and writes faulty
// variants of it in the language's own terms, each aimed at an error
// class, so that the program really fails with that class when judged.
type Coder interface {
	// Read analyses a task whose reference solution is in the language.
	// It never fails: a task it cannot read gets a Reading that makes no
	// faulty variants.
	Read(t tasks.Task) Reading
	// Failure finds the language's own words for a failure in feedback
	// text (an exception name, a compiler's or runtime's message): the
	// class of the last one and where it starts, or at -1 when there is
	// none.
	Failure(text string) (class Class, at int)
	// Stub is the code of an answer to a task nobody recognised, given the
	// request's text: a skeleton of the function it names, or a generic one.
	Stub(request string) string
}

// A Reading is a Coder's analysis of one task.
type Reading interface {
	// Keys are texts, besides the whole prompt, that identify the task in
	// a request (for a completion task, the function's header and
	// documentation without what precedes them).
	Keys() []string
	// Mutate returns the reference solution with a fault of class c made
	// by one of the coder's mutators, and the mutator's name; ok is false
	// when none of class c applies to the task.
	Mutate(c Class, rng *rand.Rand) (text, how string, ok bool)
	// Present turns a solution in the task's style into the code a model
	// shows (for a completion task: its body alone, or the whole function).
	Present(text string, rng *rand.Rand) string
}
