package reports

import "math"

// z95 is the 97.5th percentile of the standard normal distribution.
const z95 = 1.959963984540054

// wilson is the Wilson score interval at 95% for k successes in n trials
// (Wilson 1927): unlike the normal approximation it stays inside [0, 1]
// and is sensible for small n and for k = 0 or k = n. n = 0 gives NaNs.
func wilson(k, n int) (lo, hi float64) {
	if n <= 0 || k < 0 || k > n {
		return math.NaN(), math.NaN()
	}
	fn, p := float64(n), float64(k)/float64(n)
	z2 := z95 * z95
	den := 1 + z2/fn
	center := (p + z2/(2*fn)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn))
	lo, hi = max(0, center-half), min(1, center+half)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return lo, hi
}
