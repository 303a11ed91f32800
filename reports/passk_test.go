package reports

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactPassAtK is 1 - C(n-c,k)/C(n,k) computed exactly.
func exactPassAtK(n, c, k int) float64 {
	num := new(big.Int).Binomial(int64(n-c), int64(k))
	if n-c < k {
		num.SetInt64(0)
	}
	den := new(big.Int).Binomial(int64(n), int64(k))
	r := new(big.Rat).SetFrac(num, den)
	r.Sub(big.NewRat(1, 1), r)
	f, _ := r.Float64()
	return f
}

func TestPassAtKExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		n := 1 + rng.IntN(1000)
		c := rng.IntN(n + 1)
		k := 1 + rng.IntN(n)
		if rng.IntN(2) == 0 { // favour small k, the common case
			k = 1 + rng.IntN(min(n, 20))
		}
		got, want := PassAtK(n, c, k), exactPassAtK(n, c, k)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("PassAtK(%d,%d,%d) = %.17g, want %.17g", n, c, k, got, want)
		}
	}
}

func TestPassAtKEdges(t *testing.T) {
	cases := []struct {
		n, c, k int
		want    float64
	}{
		{10, 0, 1, 0}, {10, 0, 10, 0}, {1, 0, 1, 0},
		{10, 10, 1, 1}, {10, 10, 10, 1}, {1, 1, 1, 1},
		{10, 5, 6, 1}, {10, 9, 2, 1}, // n-c < k
		{10, 3, 10, 1}, {10, 1, 10, 1}, // k = n with c > 0
		{10, 1, 1, 0.1}, {200, 37, 1, 37.0 / 200},
		{4, 2, 2, 1 - 1.0/6},
		{10000, 1, 1, 1e-4}, {100000, 1, 10, 1e-4},
	}
	for _, tc := range cases {
		if got := PassAtK(tc.n, tc.c, tc.k); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("PassAtK(%d,%d,%d) = %.17g, want %.17g", tc.n, tc.c, tc.k, got, tc.want)
		}
	}
	// Small results keep their relative accuracy.
	if got := PassAtK(100000, 1, 1); math.Abs(got-1e-5)/1e-5 > 1e-12 {
		t.Errorf("PassAtK(100000,1,1) = %.17g", got)
	}
	for _, bad := range [][3]int{{10, 1, 11}, {10, 1, 0}, {10, 1, -1}, {10, 11, 1}, {10, -1, 1}, {0, 0, 1}} {
		if got := PassAtK(bad[0], bad[1], bad[2]); !math.IsNaN(got) {
			t.Errorf("PassAtK%v = %v, want NaN", bad, got)
		}
	}
	// Large n stays finite and in range.
	if got := PassAtK(50000, 25000, 1000); got != 1 && (got < 0 || got > 1 || math.IsNaN(got)) {
		t.Errorf("PassAtK(50000,25000,1000) = %v", got)
	}
}

func TestPassAtKMonotone(t *testing.T) {
	for _, n := range []int{1, 2, 5, 10, 50, 200} {
		for k := 1; k <= n; k++ {
			prev := -1.0
			for c := 0; c <= n; c++ {
				p := PassAtK(n, c, k)
				if p < prev || p < 0 || p > 1 {
					t.Fatalf("not monotone in c: PassAtK(%d,%d,%d) = %v after %v", n, c, k, p, prev)
				}
				prev = p
			}
		}
		for c := 0; c <= n; c++ {
			prev := -1.0
			for k := 1; k <= n; k++ {
				p := PassAtK(n, c, k)
				if p < prev {
					t.Fatalf("not monotone in k: PassAtK(%d,%d,%d) = %v after %v", n, c, k, p, prev)
				}
				prev = p
			}
		}
	}
}

func TestMeanPassAtK(t *testing.T) {
	counts := [][2]int{{10, 1}, {10, 10}, {10, 0}, {3, 1}}
	m, ok := MeanPassAtK(counts, 1)
	if want := (0.1 + 1 + 0 + 1.0/3) / 4; !ok || math.Abs(m-want) > 1e-15 {
		t.Errorf("k=1: %v %v, want %v", m, ok, want)
	}
	m, ok = MeanPassAtK(counts, 5) // {3,1} skipped
	if want := (0.5 + 1 + 0) / 3; !ok || math.Abs(m-want) > 1e-15 {
		t.Errorf("k=5: %v %v, want %v", m, ok, want)
	}
	if _, ok := MeanPassAtK(counts, 11); ok {
		t.Error("k=11: ok")
	}
	if _, ok := MeanPassAtK(nil, 1); ok {
		t.Error("nil: ok")
	}
}
