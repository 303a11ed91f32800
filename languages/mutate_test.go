package languages

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestIntLiterals(t *testing.T) {
	ident := func(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for _, c := range []struct {
		line string
		want []string
	}{
		{"if n > 10 && m < 2:", []string{"10", "2"}},
		{"x2 = a1 + 3", []string{"3"}},
		{"return 1.5 + .5 + 7.", nil},
		{"n = 1234567 + 123456", []string{"123456"}},
		{"a[0] = b[len_1]", []string{"0"}},
		{"", nil},
	} {
		var got []string
		for _, sp := range IntLiterals(c.line, ident) {
			got = append(got, c.line[sp[0]:sp[1]])
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("IntLiterals(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

func TestNegate(t *testing.T) {
	for op, want := range map[string]string{"==": "!=", "!=": "==", "===": "!==", "!==": "===", "<": ">=", ">": "<=", "<=": ">", ">=": "<", "+": "+"} {
		if got := Negate(op); got != want {
			t.Errorf("Negate(%q) = %q, want %q", op, got, want)
		}
		if want != op && Negate(want) != op {
			t.Errorf("Negate(Negate(%q)) = %q", op, Negate(want))
		}
	}
}

func TestOffByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[int]bool{}
	for range 64 {
		seen[OffByOne(5, rng)] = true
		if got := OffByOne(1, rng); got != 2 {
			t.Fatalf("OffByOne(1) = %d, want 2", got)
		}
	}
	if !seen[4] || !seen[6] || len(seen) != 2 {
		t.Errorf("OffByOne(5) gave %v, want 4 and 6", seen)
	}
}

func TestMutate(t *testing.T) {
	type state struct{}
	table := []Mutator[*state]{
		{Class: Syntax, Name: "never", Weight: 0.9, Apply: func(*state) bool { return false }},
		{Class: Syntax, Name: "always", Weight: 0.1, Apply: func(*state) bool { return true }},
		{Class: Name, Name: "other-class", Weight: 1, Apply: func(*state) bool { return true }},
	}
	try := func(apply func(*state) bool) (string, bool) {
		s := &state{}
		return "changed", apply(s)
	}
	for seed := range uint64(20) {
		text, how, ok := Mutate(rand.New(rand.NewPCG(seed, 0)), table, Syntax, try)
		if !ok || how != "always" || text != "changed" {
			t.Fatalf("seed %d: %q %q %v: a mutator that does not apply must give way to one that does", seed, text, how, ok)
		}
	}
	if _, _, ok := Mutate(rand.New(rand.NewPCG(1, 0)), table, Index, try); ok {
		t.Error("a class with no mutator made a mutant")
	}
}
