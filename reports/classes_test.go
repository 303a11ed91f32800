package reports

import (
	"slices"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
)

// TestClassOrder: reports order outcomes as languages/python lists its
// error classes (this package cannot import it: agent/study imports both
// and a leaf package stays a leaf).
func TestClassOrder(t *testing.T) {
	var want []string
	for _, c := range languages.Classes() {
		want = append(want, string(c))
	}
	got := canonicalClasses()
	if !slices.Equal(got[:len(want)], want) {
		t.Errorf("canonicalClasses() = %v, want %v first", got, want)
	}
	mixed := []string{"zzz", "timeout", "pass", "aaa", "prompt-too-long", "syntax"}
	sortClasses(mixed)
	if w := []string{"pass", "syntax", "timeout", "prompt-too-long", "aaa", "zzz"}; !slices.Equal(mixed, w) {
		t.Errorf("sortClasses = %v, want %v", mixed, w)
	}
}
