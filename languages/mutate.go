package languages

import "math/rand/v2"

// A Mutator is one of a Coder's ways of making a faulty variant of a
// reference solution, aimed at one error class. S is the state of one try
// (the reference's text as it is being edited); Apply edits it and reports
// whether the mutator applies to this reference.
type Mutator[S any] struct {
	Class  Class
	Name   string
	Weight float64
	Apply  func(s S) bool
}

// Mutate draws one of table's mutators of class c, each as likely as its
// weight, and tries it; one that does not apply is set aside and another
// drawn. try runs one mutator's Apply on fresh state and returns the faulty
// text, and false when the mutator did not apply or changed nothing. It
// returns the text and the name of the mutator that made it, or ok false
// when none of class c applies.
func Mutate[S any](rng *rand.Rand, table []Mutator[S], c Class, try func(apply func(S) bool) (string, bool)) (text, how string, ok bool) {
	var cands []Mutator[S]
	for _, m := range table {
		if m.Class == c {
			cands = append(cands, m)
		}
	}
	for len(cands) > 0 {
		total := 0.0
		for _, m := range cands {
			total += m.Weight
		}
		x, i := rng.Float64()*total, 0
		for ; i < len(cands)-1 && x >= cands[i].Weight; i++ {
			x -= cands[i].Weight
		}
		if text, ok := try(cands[i].Apply); ok {
			return text, cands[i].Name, true
		}
		cands = append(cands[:i], cands[i+1:]...)
	}
	return "", "", false
}

// Insert returns lines with the lines of insert[i] put before line i.
func Insert(lines []string, insert map[int][]string) []string {
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		out = append(out, insert[i]...)
		out = append(out, l)
	}
	return out
}
