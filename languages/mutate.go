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

// Negate returns the comparison that holds exactly where op does not
// ("<" gives ">="), or op when it is not a comparison.
func Negate(op string) string {
	switch op {
	case "==":
		return "!="
	case "!=":
		return "=="
	case "===":
		return "!=="
	case "!==":
		return "==="
	case "<":
		return ">="
	case ">":
		return "<="
	case "<=":
		return ">"
	case ">=":
		return "<"
	}
	return op
}

// IntLiterals returns where the integer literals of a line of code are,
// as [start, end) byte offsets: runs of at most six digits that are not
// part of a name or of a number with a point. ident reports whether a byte
// may be part of a name. The line should have its strings and comments
// masked.
func IntLiterals(line string, ident func(byte) bool) [][2]int {
	var out [][2]int
	for i := 0; i < len(line); i++ {
		if line[i] < '0' || line[i] > '9' || i > 0 && (ident(line[i-1]) || line[i-1] == '.') {
			continue
		}
		j := i
		for j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		if j < len(line) && (ident(line[j]) || line[j] == '.') || j-i > 6 {
			i = j
			continue
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// OffByOne returns n off by one: one less half the time when n is at
// least 2, else one more.
func OffByOne(n int, rng *rand.Rand) int {
	if n >= 2 && rng.IntN(2) == 0 {
		return n - 1
	}
	return n + 1
}
