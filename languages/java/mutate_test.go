package java

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
)

// seeded is a random source that is a function of parts.
func seeded(parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return rand.New(rand.NewPCG(h.Sum64(), 0x6a617661))
}

// mutatorClasses are the classes of the mutators, in the table's order.
func mutatorClasses() []languages.Class {
	var cs []languages.Class
	for _, m := range mutators() {
		if !slices.Contains(cs, m.Class) {
			cs = append(cs, m.Class)
		}
	}
	return cs
}

// TestMutatorsNeverPanic runs every class's mutators with several seeds on
// every task, and each mutator alone on every task; a mutant always differs
// from the reference and keeps the braces balanced (the splice would
// otherwise add braces).
func TestMutatorsNeverPanic(t *testing.T) {
	ds := loadJava(t)
	applies := map[string]int{}
	for i, task := range ds.Tasks {
		e := read(task)
		if !e.ok {
			t.Errorf("%s: the coder cannot read the task", task.ID)
			continue
		}
		for _, c := range mutatorClasses() {
			for seed := range 4 {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s %s seed %d: panic: %v", task.ID, c, seed, r)
						}
					}()
					text, how, ok := e.Mutate(c, seeded("panic", i, seed))
					if !ok {
						return
					}
					if text == task.Reference {
						t.Errorf("%s %s: the mutant is the reference", task.ID, how)
					}
					if braceDepth(mask(task.Prompt+text)) != 0 {
						t.Errorf("%s %s: unbalanced braces:\n%s", task.ID, how, text)
					}
					// Shown as a model would show it, the mutant still makes
					// the program prompt + mutant.
					shown := e.Present(text, seeded("present", i, seed))
					if l := (Language{}); !sameTokens(l.Program(task, shown), l.Program(task, text)) {
						t.Errorf("%s %s: presented as\n%s\nspliced to\n%s", task.ID, how, shown, l.Program(task, shown))
					}
				}()
			}
		}
		for _, mu := range mutators() {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s %s: panic: %v", task.ID, mu.Name, r)
					}
				}()
				if m := e.newMutation(seeded("each", i)); m != nil && mu.Apply(m) {
					applies[mu.Name]++
				}
			}()
		}
	}
	var b strings.Builder
	for _, mu := range mutators() {
		fmt.Fprintf(&b, " %s=%d", mu.Name, applies[mu.Name])
	}
	t.Logf("%d tasks; tasks each mutator applies to:%s", len(ds.Tasks), b.String())
}

// TestPresent checks that every way Present shows the reference splices
// back into the program of prompt + reference, up to layout.
func TestPresent(t *testing.T) {
	l := Language{}
	for i, task := range loadJava(t).Tasks {
		e := read(task)
		want := l.Program(task, task.Reference)
		for seed := range 12 {
			shown := e.Present(task.Reference, seeded("present", i, seed))
			if got := l.Program(task, shown); !sameTokens(got, want) {
				t.Errorf("%s seed %d: presented as\n%s\nspliced to\n%s", task.ID, seed, shown, got)
			}
		}
	}
}

// sameTokens reports whether two programs have the same tokens outside
// comments, imports aside.
func sameTokens(a, b string) bool {
	return strings.Join(strings.Fields(mask(dropImports(a))), "") == strings.Join(strings.Fields(mask(dropImports(b))), "")
}

func TestMutantExamples(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("prints examples with -v")
	}
	ds := loadJava(t)
	for _, i := range []int{0, 12, 55, 87, 140} {
		e := read(ds.Tasks[i])
		for _, c := range mutatorClasses() {
			text, how, ok := e.Mutate(c, seeded("ex", i))
			if ok {
				t.Logf("%s %s %s:\n%s", ds.Tasks[i].ID, c, how, text)
			}
		}
	}
}
