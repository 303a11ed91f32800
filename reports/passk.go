package reports

import "math"

// PassAtK is the unbiased estimator of pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"):
// 1 - C(n-c, k)/C(n, k) for n samples of which c are correct. It is computed as a product, 1 - prod_{i=n-c+1}^{n} (1 - k/i),
// which neither overflows nor cancels for n up to many thousands (the product is summed in log space with log1p
// and the final 1 - exp taken with expm1, so small results keep their relative accuracy).
// Returns NaN if k > n or k < 1 or c > n or c < 0.
func PassAtK(n, c, k int) float64 {
	if k < 1 || k > n || c < 0 || c > n {
		return math.NaN()
	}
	if c == 0 {
		return 0
	}
	if n-c < k {
		return 1
	}
	fk := float64(k)
	sum := 0.0 // log of prod_{i=n-c+1}^{n} (1 - k/i); every factor is positive since i > n-c >= k
	for i := n - c + 1; i <= n; i++ {
		sum += math.Log1p(-fk / float64(i))
	}
	return -math.Expm1(sum)
}

// MeanPassAtK averages PassAtK over tasks (counts[i] = [n, c]); tasks with n < k are skipped; ok=false if none qualify.
// Tasks with an invalid count (c < 0 or c > n) are skipped too.
func MeanPassAtK(counts [][2]int, k int) (mean float64, ok bool) {
	total, m := 0.0, 0
	for _, nc := range counts {
		p := PassAtK(nc[0], nc[1], k)
		if math.IsNaN(p) {
			continue
		}
		total += p
		m++
	}
	if m == 0 {
		return 0, false
	}
	return total / float64(m), true
}
