package sandbox_test

import (
	"slices"
	"testing"

	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
)

func TestParse(t *testing.T) {
	for _, s := range []string{"pooled", "fresh"} {
		if iso, err := sandbox.ParseIsolation(s); err != nil || string(iso) != s {
			t.Errorf("ParseIsolation(%q) = %q, %v", s, iso, err)
		}
	}
	if _, err := sandbox.ParseIsolation("shared"); err == nil {
		t.Error("ParseIsolation(shared) did not fail")
	}
	r := python.New().Recipe("")
	r2 := r
	r2.Packages = slices.Concat(r.Packages, []string{"nodejs"})
	r3 := r
	r3.Ref = "other:tag"
	if r.Digest() == r2.Digest() || r.Digest() != r3.Digest() {
		t.Errorf("recipe digests: %s %s %s (packages change it, the name does not)", r.Digest(), r2.Digest(), r3.Digest())
	}
}
