package llm

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCacheKey(t *testing.T) {
	temp, topP, seed := float32(0.8), float32(0.95), 42
	base := func() Request {
		t, p, s := temp, topP, seed
		return Request{
			Model:    "m",
			Messages: []Message{{Role: "system", Content: "sys"}, {Role: "user", Content: "task"}},
			N:        1, Temperature: &t, TopP: &p, MaxTokens: 512, Seed: &s, Stop: []string{"```\n"},
		}
	}
	key := CacheKey("http://host/v1", base())
	if len(key) != 64 {
		t.Fatalf("key %q is not a hex SHA-256", key)
	}
	if again := CacheKey("http://host/v1", base()); again != key {
		t.Fatal("the same request has two keys")
	}
	zero := float32(0)
	tests := []struct {
		name     string
		endpoint string
		change   func(*Request)
	}{
		{"endpoint", "http://other/v1", nil},
		{"model", "", func(r *Request) { r.Model = "m2" }},
		{"message content", "", func(r *Request) { r.Messages[1].Content = "task2" }},
		{"message role", "", func(r *Request) { r.Messages[1].Role = "assistant" }},
		{"message boundary", "", func(r *Request) {
			r.Messages = []Message{{Role: "system", Content: "systask"}, {Role: "user", Content: ""}}
		}},
		{"extra message", "", func(r *Request) { r.Messages = append(r.Messages, Message{Role: "user", Content: ""}) }},
		{"n", "", func(r *Request) { r.N = 2 }},
		{"temperature", "", func(r *Request) { r.Temperature = &zero }},
		{"temperature unset", "", func(r *Request) { r.Temperature = nil }},
		{"top_p", "", func(r *Request) { r.TopP = nil }},
		{"max tokens", "", func(r *Request) { r.MaxTokens = 0 }},
		{"seed", "", func(r *Request) { s := 43; r.Seed = &s }},
		{"seed unset", "", func(r *Request) { r.Seed = nil }},
		{"stop", "", func(r *Request) { r.Stop = nil }},
	}
	seen := map[string]string{key: "base"}
	for _, tt := range tests {
		r := base()
		if tt.change != nil {
			tt.change(&r)
		}
		ep := tt.endpoint
		if ep == "" {
			ep = "http://host/v1"
		}
		k := CacheKey(ep, r)
		if prev, ok := seen[k]; ok {
			t.Errorf("%s: same key as %s", tt.name, prev)
		}
		seen[k] = tt.name
	}
	// N below 1 means 1, as for the client.
	r := base()
	r.N = 0
	if CacheKey("http://host/v1", r) != key {
		t.Error("N=0 and N=1 have different keys")
	}
}

func TestEndpointDropsCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@api.example.com/v1?key=abc#frag": "https://api.example.com/v1",
		"http://127.0.0.1:8000/v1":                            "http://127.0.0.1:8000/v1",
	} {
		if got := Endpoint(in); got != want {
			t.Errorf("Endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCacheRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	key := CacheKey("e", Request{Model: "m"})
	if _, ok := c.Get(key); ok {
		t.Fatal("hit in an empty cache")
	}
	want := Cached{Key: key, Content: "```python\npass\n```", FinishReason: "stop", PromptTokens: 10, CompletionTokens: 3, LatencyMS: 12.5}
	if err := c.Put(want); err != nil {
		t.Fatal(err)
	}
	// Another process sharing the directory sees it.
	c2, _ := OpenCache(dir)
	got, ok := c2.Get(key)
	if !ok || got != want {
		t.Fatalf("got %+v, %v", got, ok)
	}
	// A damaged entry is a miss, not an error.
	path := filepath.Join(dir, key[:2], key+".json")
	if err := os.WriteFile(path, []byte(`{"key":"`+key+`","content":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(key); ok {
		t.Error("a truncated entry was a hit")
	}
	// An entry under the wrong name is a miss.
	other := CacheKey("e", Request{Model: "other"})
	os.MkdirAll(filepath.Join(dir, other[:2]), 0o755)
	b, _ := os.ReadFile(path)
	os.WriteFile(filepath.Join(dir, other[:2], other+".json"), b, 0o644)
	if _, ok := c.Get(other); ok {
		t.Error("an entry stored under another key was a hit")
	}
}
