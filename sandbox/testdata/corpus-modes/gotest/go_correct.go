package solution

// RunningMax returns the running maximum of xs.
func RunningMax(xs []int) []int {
	out := make([]int, 0, len(xs))
	for i, x := range xs {
		if i > 0 && out[i-1] > x {
			x = out[i-1]
		}
		out = append(out, x)
	}
	return out
}
