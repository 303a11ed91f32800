package study

import "testing"

func TestRequestSeeds(t *testing.T) {
	seen := map[int]bool{}
	for _, task := range []string{"HumanEval/1", "HumanEval/11", "HumanEval/2"} {
		for sample := range 20 {
			for round := range 6 {
				s := RequestSeed(1, task, sample, round)
				if s < 0 || s >= 1<<31 {
					t.Fatalf("seed %d out of range", s)
				}
				if seen[s] {
					t.Fatalf("seed %d repeated", s)
				}
				seen[s] = true
				if RequestSeed(1, task, sample, round) != s {
					t.Fatal("seed is not a function of its inputs")
				}
			}
		}
	}
	if RequestSeed(1, "T", 0, 0) == RequestSeed(2, "T", 0, 0) {
		t.Error("the study seed does not change request seeds")
	}
}
