package reports

import (
	"math"
	"testing"
)

// TestWilson against values of the Wilson score interval at 95% worked
// out from its formula (0 of 10 → [0, 0.2775] is the textbook example).
func TestWilson(t *testing.T) {
	tests := []struct {
		k, n    int
		lo, hi  float64
		comment string
	}{
		{0, 10, 0, 0.2775, "none"},
		{10, 10, 0.7225, 1, "all"},
		{5, 10, 0.2366, 0.7634, "half"},
		{1, 1, 0.2065, 1, "one of one"},
		{0, 1, 0, 0.7935, "none of one"},
		{45, 100, 0.35614, 0.54755, "the 2026 study's assertion rate"},
		{1, 3, 0.0615, 0.7923, "one of three"},
	}
	for _, tt := range tests {
		lo, hi := wilson(tt.k, tt.n)
		if math.Abs(lo-tt.lo) > 5e-5 || math.Abs(hi-tt.hi) > 5e-5 {
			t.Errorf("wilson(%d, %d) (%s) = [%.4f, %.4f], want [%.4f, %.4f]", tt.k, tt.n, tt.comment, lo, hi, tt.lo, tt.hi)
		}
		if p := float64(tt.k) / float64(tt.n); lo > p || hi < p {
			t.Errorf("wilson(%d, %d) = [%v, %v] does not hold %v", tt.k, tt.n, lo, hi, p)
		}
	}
	for _, bad := range [][2]int{{0, 0}, {3, 2}, {-1, 2}} {
		if lo, hi := wilson(bad[0], bad[1]); !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("wilson%v = [%v, %v], want NaN", bad, lo, hi)
		}
	}
}
