package sim

import (
	"math/rand/v2"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// Mutant is a faulty variant of a task's reference solution, made by one
// of the simulator's mutators.
type Mutant struct {
	Class languages.Class // the class of failure the mutator aims at
	How   string          // the mutator
	Text  string          // the answer in the task's style (a completion or a whole program)
}

// Mutants returns up to n distinct faulty variants of t's reference
// solution, drawn with seed from the mutators of the given classes (all
// the simulator's classes when none is given), round-robin by class, by
// the coder of t's language. A task whose reference the mutators cannot
// read has none.
func Mutants(coder languages.Coder, t tasks.Task, n int, seed uint64, classes ...languages.Class) []Mutant {
	e := newEntry(t, "", &language{coder: coder})
	if len(classes) == 0 {
		classes = faultyClasses()
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d7574616e7473))
	seen := map[string]bool{t.Reference: true}
	var out []Mutant
	for try := 0; len(out) < n && try < 8*n; try++ {
		c := classes[try%len(classes)]
		text, how, ok := e.mutate(c, rng)
		if !ok || seen[text] {
			continue
		}
		seen[text] = true
		out = append(out, Mutant{Class: c, How: how, Text: text})
	}
	return out
}
