package ci

import (
	"reflect"
	"strings"
	"testing"
)

// fixPatch is a git diff of two files: calc.py's change is on lines the
// pull request shows, util.py's is not.
const fixPatch = `diff --git a/calc.py b/calc.py
index 1111111..2222222 100644
--- a/calc.py
+++ b/calc.py
@@ -1,6 +1,7 @@
 def add(a, b):
-    return a - b
+    return a + b
 
 
 def mul(a, b):
+    # a product
     return a * b
diff --git a/util.py b/util.py
index 3333333..4444444 100644
--- a/util.py
+++ b/util.py
@@ -10,3 +10,3 @@ def helper():
     x = 1
-    y = 2
+    y = 3
     return x + y
`

func TestSuggestions(t *testing.T) {
	// The pull request changed add and mul (new side lines 1-7 of calc.py
	// shown) and util.py's line 30 only.
	pr := []FileDiff{
		{Path: "calc.py", Patch: "@@ -1,6 +1,7 @@\n def add(a, b):\n-    return a\n+    return a - b\n \n \n def mul(a, b):\n     return a * b\n+\n"},
		{Path: "util.py", Patch: "@@ -28,2 +28,3 @@\n z = 0\n+w = 1\n q = 2\n"},
	}
	sugs, rest := Suggestions(fixPatch, pr)
	want := []Suggestion{
		{Path: "calc.py", Start: 2, End: 2, Lines: []string{"    return a + b"}},
		{Path: "calc.py", Start: 5, End: 5, Lines: []string{"def mul(a, b):", "    # a product"}},
	}
	if !reflect.DeepEqual(sugs, want) {
		t.Errorf("suggestions %+v, want %+v", sugs, want)
	}
	if !strings.HasPrefix(rest, "diff --git a/util.py b/util.py\n") || !strings.Contains(rest, "-    y = 2\n+    y = 3\n") || strings.Contains(rest, "calc.py") {
		t.Errorf("rest:\n%s", rest)
	}
	if got := want[1].Body(); got != "```suggestion\ndef mul(a, b):\n    # a product\n```" {
		t.Errorf("body %q", got)
	}
	// A pull request that shows none of it: everything stays in the rest.
	sugs, rest = Suggestions(fixPatch, nil)
	if len(sugs) != 0 || rest != fixPatch {
		t.Errorf("with no pull request diff: %v\n%s", sugs, rest)
	}
}

func TestSuggestionFence(t *testing.T) {
	s := Suggestion{Lines: []string{"doc = '''", "```go", "'''"}}
	if got := s.Body(); got != "````suggestion\ndoc = '''\n```go\n'''\n````" {
		t.Errorf("%q", got)
	}
}
