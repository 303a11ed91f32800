package solution

// RunningMax returns xs unchanged: wrong.
func RunningMax(xs []int) []int { return xs }
