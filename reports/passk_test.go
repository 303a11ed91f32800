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
		// Small results keep their relative accuracy too.
		if want > 0 && math.Abs(got-want)/want > 1e-12 {
			t.Errorf("PassAtK(%d,%d,%d) = %.17g, want %.17g (relative error %.2g)", n, c, k, got, want, math.Abs(got-want)/want)
		}
	}
}

// TestPassAtKExhaustive compares every (n, c, k) with n ≤ 40 with the
// exact value.
func TestPassAtKExhaustive(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for c := 0; c <= n; c++ {
			for k := 1; k <= n; k++ {
				if got, want := PassAtK(n, c, k), exactPassAtK(n, c, k); math.Abs(got-want) > 1e-12 {
					t.Fatalf("PassAtK(%d,%d,%d) = %.17g, want %.17g", n, c, k, got, want)
				}
			}
		}
	}
}

// TestPassAtKMonotoneRandom: one more correct sample, or one more try,
// never lowers pass@k, for n up to 1000 (fixed seed).
func TestPassAtKMonotoneRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		n := 1 + rng.IntN(1000)
		c, k := rng.IntN(n+1), 1+rng.IntN(n)
		p := PassAtK(n, c, k)
		if p < 0 || p > 1 || math.IsNaN(p) {
			t.Fatalf("PassAtK(%d,%d,%d) = %v", n, c, k, p)
		}
		if c < n {
			if q := PassAtK(n, c+1, k); q < p {
				t.Fatalf("PassAtK(%d,%d,%d) = %.17g < PassAtK(%d,%d,%d) = %.17g", n, c+1, k, q, n, c, k, p)
			}
		}
		if k < n {
			if q := PassAtK(n, c, k+1); q < p {
				t.Fatalf("PassAtK(%d,%d,%d) = %.17g < PassAtK(%d,%d,%d) = %.17g", n, c, k+1, q, n, c, k, p)
			}
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
