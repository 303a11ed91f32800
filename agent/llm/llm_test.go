package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fake is an OpenAI-compatible test server. The i-th request (from 0) is
// answered by steps[i], or by the last step once they run out.
type fake struct {
	t     *testing.T
	srv   *httptest.Server
	steps []http.HandlerFunc

	mu     sync.Mutex
	bodies []map[string]any // decoded request bodies, in arrival order
	auth   []string         // Authorization headers
}

func newFake(t *testing.T, steps ...http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{t: t, steps: steps}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b)) // for the step to read again
		if len(b) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				f.t.Errorf("request body is not JSON: %v: %s", err, b)
			}
		}
	}
	f.mu.Lock()
	i := len(f.bodies)
	f.bodies = append(f.bodies, body)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	f.steps[min(i, len(f.steps)-1)](w, r)
}

func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func (f *fake) body(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[i]
}

func (f *fake) url() string { return f.srv.URL + "/v1" }

// ok answers a completion with the given contents and usage 10 prompt
// tokens, 5 completion tokens per choice.
func ok(contents ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		writeCompletion(w, contents...)
	}
}

func writeCompletion(w http.ResponseWriter, contents ...string) {
	type msg struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type choice struct {
		Index        int    `json:"index"`
		Message      msg    `json:"message"`
		FinishReason string `json:"finish_reason"`
	}
	resp := struct {
		ID      string         `json:"id"`
		Object  string         `json:"object"`
		Model   string         `json:"model"`
		Choices []choice       `json:"choices"`
		Usage   map[string]int `json:"usage"`
	}{ID: "chatcmpl-1", Object: "chat.completion", Model: "m"}
	for i, c := range contents {
		resp.Choices = append(resp.Choices, choice{Index: i, Message: msg{"assistant", c}, FinishReason: "stop"})
	}
	resp.Usage = map[string]int{"prompt_tokens": 10, "completion_tokens": 5 * len(contents), "total_tokens": 10 + 5*len(contents)}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// fail answers status with an OpenAI-style error body.
func fail(status int, message, code string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": message, "type": "invalid_request_error", "code": code,
		}})
	}
}

// raw answers status with body as is.
func raw(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// recorder is a fake sleep that records the waits without waiting.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *recorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.waits)
}

var testNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newClient returns a Client with tiny backoffs, jitter fixed at 0.5, a
// fixed clock and, when rec is not nil, a recording sleep.
func newClient(t *testing.T, opts Options, rec *recorder) *Client {
	t.Helper()
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 10 * time.Millisecond
	}
	if opts.BackoffMax == 0 {
		opts.BackoffMax = 5 * time.Second
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c.rand = func() float64 { return 0.5 }
	c.now = func() time.Time { return testNow }
	if rec != nil {
		c.sleep = rec.sleep
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func userRequest(n int) Request {
	return Request{Model: "m", N: n, Messages: []Message{{Role: RoleUser, Content: "write f"}}}
}

func TestCompleteSuccess(t *testing.T) {
	f := newFake(t, ok("def f(): pass"))
	c := newClient(t, Options{BaseURL: f.url() + "/", APIKey: "sk-test"}, nil)
	res, err := c.Complete(t.Context(), Request{
		Model:    "qwen",
		Messages: []Message{{Role: RoleSystem, Content: "be brief"}, {Role: RoleUser, Content: "write f"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Choice{{Content: "def f(): pass", FinishReason: "stop"}}
	if !slices.Equal(res.Choices, want) {
		t.Errorf("choices = %+v, want %+v", res.Choices, want)
	}
	if res.Usage != (Usage{PromptTokens: 10, CompletionTokens: 5}) {
		t.Errorf("usage = %+v", res.Usage)
	}
	if res.Attempts != 1 || res.Latency <= 0 {
		t.Errorf("attempts = %d, latency = %v", res.Attempts, res.Latency)
	}
	if f.auth[0] != "Bearer sk-test" {
		t.Errorf("Authorization = %q", f.auth[0])
	}
	b := f.body(0)
	msgs, _ := json.Marshal(b["messages"])
	if b["model"] != "qwen" || string(msgs) != `[{"content":"be brief","role":"system"},{"content":"write f","role":"user"}]` {
		t.Errorf("body = %v", b)
	}
}

// TestSamplingParams checks that parameters reach the wire exactly,
// temperature 0 included, and that unset ones are not sent.
func TestSamplingParams(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want map[string]any // expected values; nil means the field must be absent
	}{
		{"unset", Request{}, map[string]any{"temperature": nil, "top_p": nil, "max_tokens": nil, "seed": nil, "stop": nil, "n": nil}},
		{"zero temperature", Request{Temperature: ptr[float32](0), TopP: ptr[float32](0)}, map[string]any{"temperature": 0.0, "top_p": 0.0}},
		{"all", Request{Temperature: ptr[float32](0.8), TopP: ptr[float32](0.95), MaxTokens: 512, Seed: ptr(0), Stop: []string{"\nclass", "```"}},
			map[string]any{"temperature": 0.8, "top_p": 0.95, "max_tokens": 512.0, "seed": 0.0, "stop": []any{"\nclass", "```"}, "n": nil}},
		// gpt-5* and o1* names trigger go-openai's client-side checks, which must not apply.
		{"reasoning model name", Request{Model: "gpt-5-mini", Temperature: ptr[float32](0.2), MaxTokens: 100, N: 2},
			map[string]any{"model": "gpt-5-mini", "temperature": 0.2, "max_tokens": 100.0, "n": 2.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, ok("a", "b"))
			c := newClient(t, Options{BaseURL: f.url()}, nil)
			tt.req.Messages = []Message{{Role: RoleUser, Content: "x"}}
			if tt.req.Model == "" {
				tt.req.Model = "m"
			}
			if _, err := c.Complete(t.Context(), tt.req); err != nil {
				t.Fatal(err)
			}
			b := f.body(0)
			for k, want := range tt.want {
				got, present := b[k]
				if want == nil {
					if present {
						t.Errorf("%s = %v, want absent", k, got)
					}
					continue
				}
				if g, ok := got.(float64); ok {
					got = float64(float32(g)) // the client sends float32 values
					if w, ok := want.(float64); ok {
						want = float64(float32(w))
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) || !present {
					t.Errorf("%s = %v (present %v), want %v", k, got, present, want)
				}
			}
		})
	}
}

// hijack closes the connection after writing prefix, before a full response.
func hijack(prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString(prefix)
		buf.Flush()
		conn.Close()
	}
}

// TestRetriedThenSuccess covers each retryable failure followed by a
// success: the call succeeds, every attempt is counted, and the waits are
// Retry-After when given (capped) or the jittered backoff.
func TestRetriedThenSuccess(t *testing.T) {
	const base = 10 * time.Millisecond
	jitter := func(try int) time.Duration { return time.Duration(0.5 * float64(base<<try)) }
	tests := []struct {
		name  string
		steps []http.HandlerFunc
		waits []time.Duration
	}{
		{"429 Retry-After seconds", []http.HandlerFunc{fail(429, "Rate limit reached", "rate_limit_exceeded", "Retry-After", "2")}, []time.Duration{2 * time.Second}},
		{"429 Retry-After date", []http.HandlerFunc{fail(429, "slow down", "", "Retry-After", testNow.Add(3*time.Second).Format(http.TimeFormat))}, []time.Duration{3 * time.Second}},
		{"503 Retry-After capped", []http.HandlerFunc{raw(503, "overloaded"), fail(503, "overloaded", "", "Retry-After", "3600")}, []time.Duration{jitter(0), 5 * time.Second}},
		{"429 without Retry-After", []http.HandlerFunc{fail(429, "busy", "")}, []time.Duration{jitter(0)}},
		{"500 twice", []http.HandlerFunc{fail(500, "internal error", ""), fail(500, "internal error", "")}, []time.Duration{jitter(0), jitter(1)}},
		{"502 HTML page", []http.HandlerFunc{raw(502, "<html><body>Bad Gateway</body></html>")}, []time.Duration{jitter(0)}},
		{"malformed JSON", []http.HandlerFunc{raw(200, `{"choices": [{"message": {"content": "x"`+"\x00"+`}}]}`)}, []time.Duration{jitter(0)}},
		{"not a completion", []http.HandlerFunc{raw(200, `{"object": "chat.completion", "choices": []}`)}, []time.Duration{jitter(0)}},
		{"truncated body (Content-Length)", []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			io.WriteString(w, `{"id": "x", "choices": [{"index": 0, "mess`)
		}}, []time.Duration{jitter(0)}},
		{"connection closed mid-body", []http.HandlerFunc{hijack("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n{\"choices\": [")}, []time.Duration{jitter(0)}},
		{"connection closed before response", []http.HandlerFunc{hijack("")}, []time.Duration{jitter(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := append(slices.Clone(tt.steps), ok("fixed"))
			f := newFake(t, steps...)
			rec := &recorder{}
			c := newClient(t, Options{BaseURL: f.url(), BackoffBase: base}, rec)
			res, err := c.Complete(t.Context(), userRequest(1))
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if res.Choices[0].Content != "fixed" {
				t.Errorf("content = %q", res.Choices[0].Content)
			}
			if res.Attempts != len(steps) || f.count() != len(steps) {
				t.Errorf("attempts = %d, requests = %d, want %d", res.Attempts, f.count(), len(steps))
			}
			if got := rec.got(); !slices.Equal(got, tt.waits) {
				t.Errorf("waits = %v, want %v", got, tt.waits)
			}
		})
	}
}

// TestTimeoutRetried: a hung request is cut by Options.Timeout and retried.
func TestTimeoutRetried(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	// The hang after headers checks that reading the body is cut too.
	hangBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		io.WriteString(w, `{"choices": `)
		w.(http.Flusher).Flush()
		hang(w, r)
	}
	f := newFake(t, hang, hangBody, ok("late but fine"))
	c := newClient(t, Options{BaseURL: f.url(), Timeout: 150 * time.Millisecond}, &recorder{})
	start := time.Now()
	res, err := c.Complete(t.Context(), userRequest(1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 3 || res.Choices[0].Content != "late but fine" {
		t.Errorf("attempts = %d, choices = %+v", res.Attempts, res.Choices)
	}
	if el := time.Since(start); el < 300*time.Millisecond || el > 3*time.Second {
		t.Errorf("took %v, want about 2 timeouts of 150ms", el)
	}

	// Always hanging: the error names the timeout.
	f = newFake(t, hang)
	c = newClient(t, Options{BaseURL: f.url(), Timeout: 50 * time.Millisecond, MaxRetries: 1}, &recorder{})
	_, err = c.Complete(t.Context(), userRequest(1))
	want := fmt.Sprintf("no response from %s within 50ms (gave up after 2 attempts)", f.url())
	if err == nil || err.Error() != want || !IsRetryable(err) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestFatal: client errors are not retried and say what to fix.
func TestFatal(t *testing.T) {
	tests := []struct {
		name    string
		step    http.HandlerFunc
		kind    Kind
		message string // %s is the base URL
	}{
		{"401", fail(401, "Incorrect API key provided: sk-xx.", "invalid_api_key"), KindAuth,
			"the endpoint %s refused the API key (HTTP 401): check OPENAI_API_KEY"},
		{"403", raw(403, "Forbidden"), KindAuth,
			"the endpoint %s refused the API key (HTTP 403): check OPENAI_API_KEY"},
		{"404 OpenAI model", fail(404, "The model `gpt-9` does not exist or you do not have access to it.", "model_not_found"), KindNotFound,
			"model \"m\" is not served by %s (HTTP 404): The model `gpt-9` does not exist or you do not have access to it."},
		{"404 vLLM model", raw(404, `{"object":"error","message":"The model `+"`m`"+` does not exist.","type":"NotFoundError","param":null,"code":404}`), KindNotFound,
			"model \"m\" is not served by %s (HTTP 404): The model `m` does not exist."},
		{"404 wrong path", raw(404, "404 page not found\n"), KindNotFound,
			"%s has no /chat/completions endpoint (HTTP 404): check OPENAI_BASE_URL (usually ending in /v1)"},
		{"400 context vLLM", raw(400, `{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4488 in the messages, 512 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}`), KindTooLong,
			"the prompt is too long for model \"m\"'s context (HTTP 400): This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4488 in the messages, 512 in the completion). Please reduce the length of the messages or completion."},
		{"400 context OpenAI code", fail(400, "Your input exceeds the limit.", "context_length_exceeded"), KindTooLong,
			"the prompt is too long for model \"m\"'s context (HTTP 400): Your input exceeds the limit."},
		{"500 context llama.cpp", fail(500, "the request exceeds the available context size, try increasing it", "exceed_context_size_error"), KindTooLong,
			"the prompt is too long for model \"m\"'s context (HTTP 500): the request exceeds the available context size, try increasing it"},
		{"400 other", fail(400, "Invalid value for 'temperature': must be <= 2.", "invalid_value"), KindBadRequest,
			"%s rejected the request for model \"m\" (HTTP 400): Invalid value for 'temperature': must be <= 2."},
		{"422 FastAPI", raw(422, `{"detail":[{"loc":["body","messages"],"msg":"field required"}]}`), KindBadRequest,
			`%s rejected the request for model "m" (HTTP 422): [{"loc":["body","messages"],"msg":"field required"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.step, ok("never"))
			c := newClient(t, Options{BaseURL: f.url()}, &recorder{})
			_, err := c.Complete(t.Context(), userRequest(1))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if f.count() != 1 || e.Attempts != 1 {
				t.Errorf("requests = %d, attempts = %d, want 1 (no retry)", f.count(), e.Attempts)
			}
			if e.Kind != tt.kind || IsRetryable(err) {
				t.Errorf("kind = %v, retryable = %v, want %v", e.Kind, IsRetryable(err), tt.kind)
			}
			if e.Kind.Fatal() != (tt.kind != KindTooLong) {
				t.Errorf("Fatal() = %v", e.Kind.Fatal())
			}
			if want := strings.ReplaceAll(tt.message, "%s", f.url()); err.Error() != want {
				t.Errorf("message\n got %s\nwant %s", err, want)
			}
		})
	}
}

func TestGiveUp(t *testing.T) {
	f := newFake(t, fail(500, "CUDA out of memory", ""))
	rec := &recorder{}
	c := newClient(t, Options{BaseURL: f.url(), MaxRetries: 3, BackoffBase: 100 * time.Millisecond, BackoffMax: 300 * time.Millisecond}, rec)
	_, err := c.Complete(t.Context(), userRequest(1))
	want := f.url() + " failed (HTTP 500): CUDA out of memory (gave up after 4 attempts)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if !IsRetryable(err) || f.count() != 4 {
		t.Errorf("retryable = %v, requests = %d", IsRetryable(err), f.count())
	}
	// Full jitter (0.5 here) over 100ms, 200ms, then capped at 300ms.
	if got, want := rec.got(), []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}

	f = newFake(t, fail(500, "boom", ""))
	c = newClient(t, Options{BaseURL: f.url(), MaxRetries: -1}, &recorder{})
	if _, err := c.Complete(t.Context(), userRequest(1)); err == nil || f.count() != 1 {
		t.Errorf("MaxRetries -1: err = %v, requests = %d, want 1", err, f.count())
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/v1"
	l.Close()
	rec := &recorder{}
	c := newClient(t, Options{BaseURL: url, MaxRetries: 2}, rec)
	res, err := c.Complete(t.Context(), userRequest(1))
	want := "cannot reach " + url + ": connection refused (gave up after 3 attempts)"
	if res != nil || err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) || !IsRetryable(err) || len(rec.got()) != 2 {
		t.Errorf("errors.Is ECONNREFUSED = %v, retryable = %v, waits = %v", errors.Is(err, syscall.ECONNREFUSED), IsRetryable(err), rec.got())
	}
	if _, err := c.Models(t.Context()); err == nil || err.Error() != want {
		t.Errorf("Models: err = %v, want %q", err, want)
	}
}

// seeded answers n choices when honourN, else one choice, each naming the
// seed of the request plus the choice index.
func seeded(honourN bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			N    int  `json:"n"`
			Seed *int `json:"seed"`
		}
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		n := 1
		if honourN {
			n = max(body.N, 1)
		}
		var contents []string
		for i := range n {
			contents = append(contents, fmt.Sprintf("seed %d choice %d", *body.Seed, i))
		}
		writeCompletion(w, contents...)
	}
}

func TestN(t *testing.T) {
	req := userRequest(3)
	req.Seed = ptr(7)

	t.Run("honoured", func(t *testing.T) {
		f := newFake(t, seeded(true))
		c := newClient(t, Options{BaseURL: f.url()}, nil)
		for range 2 {
			res, err := c.Complete(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"seed 7 choice 0", "seed 7 choice 1", "seed 7 choice 2"}
			if got := contents(res); !slices.Equal(got, want) {
				t.Errorf("choices = %q, want %q", got, want)
			}
			if res.Usage != (Usage{10, 15}) || res.Attempts != 1 {
				t.Errorf("usage = %+v, attempts = %d", res.Usage, res.Attempts)
			}
		}
		if f.count() != 2 || f.body(0)["n"] != 3.0 {
			t.Errorf("requests = %d, n sent = %v", f.count(), f.body(0)["n"])
		}
	})

	for _, tt := range []struct {
		name  string
		first http.HandlerFunc // answer to the request with n = 3
	}{
		{"ignored", seeded(false)},
		{"rejected", fail(400, "Only one completion choice is allowed", "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.first, seeded(false))
			c := newClient(t, Options{BaseURL: f.url()}, nil)
			res, err := c.Complete(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"seed 7 choice 0", "seed 8 choice 0", "seed 9 choice 0"}
			if got := contents(res); !slices.Equal(got, want) {
				t.Errorf("choices = %q, want %q", got, want)
			}
			// Usage sums the three answered requests; the rejected one counts as an attempt.
			if res.Usage != (Usage{30, 15}) || res.Attempts != 3+btoi(tt.name == "rejected") {
				t.Errorf("usage = %+v, attempts = %d", res.Usage, res.Attempts)
			}
			// The Client remembers: the next call sends three n-less requests at once.
			before := f.count()
			res, err = c.Complete(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := contents(res); !slices.Equal(got, []string{"seed 7 choice 0", "seed 8 choice 0", "seed 9 choice 0"}) {
				t.Errorf("second call: choices = %q", got)
			}
			if f.count()-before != 3 || res.Attempts != 3 {
				t.Errorf("second call: requests = %d, attempts = %d, want 3", f.count()-before, res.Attempts)
			}
			for i := before; i < f.count(); i++ {
				if _, sent := f.body(i)["n"]; sent {
					t.Errorf("request %d sent n", i)
				}
			}
		})
	}

	t.Run("bad request not caused by n", func(t *testing.T) {
		f := newFake(t, fail(400, "Invalid value for 'temperature'", ""))
		c := newClient(t, Options{BaseURL: f.url()}, nil)
		_, err := c.Complete(t.Context(), req)
		if kindOf(err) != KindBadRequest || f.count() != 2 {
			t.Errorf("err = %v after %d requests, want the 400 after the n request and one probe", err, f.count())
		}
		if c.nSeparate.Load() {
			t.Error("the Client concluded that n is not supported")
		}
	})

	t.Run("one failure fails the call", func(t *testing.T) {
		var calls atomic.Int32
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 3 {
				fail(401, "bad key", "")(w, r)
				return
			}
			seeded(false)(w, r)
		})
		c := newClient(t, Options{BaseURL: f.url()}, nil)
		if _, err := c.Complete(t.Context(), req); kindOf(err) != KindAuth {
			t.Errorf("err = %v, want the 401", err)
		}
	})

	t.Run("choices sorted by index", func(t *testing.T) {
		f := newFake(t, raw(200, `{"choices":[{"index":1,"message":{"role":"assistant","content":"b"},"finish_reason":"length"},{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"stop"}]}`))
		c := newClient(t, Options{BaseURL: f.url()}, nil)
		res, err := c.Complete(t.Context(), userRequest(2))
		if err != nil {
			t.Fatal(err)
		}
		if want := []Choice{{"a", "stop"}, {"b", "length"}}; !slices.Equal(res.Choices, want) {
			t.Errorf("choices = %+v, want %+v", res.Choices, want)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func contents(res *Response) []string {
	var s []string
	for _, c := range res.Choices {
		s = append(s, c.Content)
	}
	return s
}

func TestConcurrencyLimit(t *testing.T) {
	const limit = 3
	var inFlight, peak atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		seeded(false)(w, r)
	})
	c := newClient(t, Options{BaseURL: f.url(), Concurrency: limit}, nil)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			req := userRequest(1 + i%3) // n > 1 fans out into separate requests too
			req.Seed = ptr(i)
			if _, err := c.Complete(t.Context(), req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != limit {
		t.Errorf("peak in flight = %d, want %d", p, limit)
	}
}

func TestCancel(t *testing.T) {
	t.Run("during backoff", func(t *testing.T) {
		seen := make(chan struct{}, 10)
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			seen <- struct{}{}
			fail(503, "loading model", "", "Retry-After", "30")(w, r)
		})
		c := newClient(t, Options{BaseURL: f.url(), BackoffMax: time.Minute}, nil) // real sleep
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-seen; cancel() }()
		start := time.Now()
		_, err := c.Complete(ctx, userRequest(1))
		if !errors.Is(err, context.Canceled) || kindOf(err) != 0 {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if el := time.Since(start); el > 2*time.Second || f.count() != 1 {
			t.Errorf("took %v with %d requests, want prompt return after 1", el, f.count())
		}
	})
	t.Run("during request", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c := newClient(t, Options{BaseURL: f.url(), Timeout: time.Minute}, nil)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Complete(ctx, userRequest(1))
		if err == nil || err.Error() != "llm: /chat/completions: context deadline exceeded" ||
			!errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second || f.count() != 1 {
			t.Errorf("err = %v after %v and %d requests", err, time.Since(start), f.count())
		}
	})
	t.Run("waiting for a slot", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			<-release
			writeCompletion(w, "x")
		})
		c := newClient(t, Options{BaseURL: f.url(), Concurrency: 1}, nil)
		go c.Complete(t.Context(), userRequest(1)) // holds the only slot
		for f.count() == 0 {
			time.Sleep(time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		res, err := c.Complete(ctx, userRequest(1))
		close(release)
		if !errors.Is(err, context.DeadlineExceeded) || res != nil || f.count() != 1 {
			t.Errorf("err = %v, requests = %d", err, f.count())
		}
	})
}

func TestModels(t *testing.T) {
	f := newFake(t, raw(503, "starting"), func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/models" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"object":"list","data":[{"id":"Qwen/Qwen2.5-Coder-7B-Instruct","object":"model","owned_by":"vllm"},{"id":"tiny","object":"model"}]}`)
	})
	c := newClient(t, Options{BaseURL: f.url()}, &recorder{})
	ids, err := c.Models(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Qwen/Qwen2.5-Coder-7B-Instruct", "tiny"}; !slices.Equal(ids, want) {
		t.Errorf("models = %q, want %q", ids, want)
	}

	f = newFake(t, raw(404, "404 page not found"))
	c = newClient(t, Options{BaseURL: f.srv.URL}, &recorder{})
	_, err = c.Models(t.Context())
	if want := f.srv.URL + " has no /models endpoint (HTTP 404): check OPENAI_BASE_URL (usually ending in /v1)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestNew(t *testing.T) {
	for _, u := range []string{"localhost:8000/v1", "ftp://x/v1", "http://", "::"} {
		if _, err := New(Options{BaseURL: u}); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
	c, err := New(Options{})
	if err != nil || c.BaseURL() != DefaultBaseURL || c.maxRetries != 6 || cap(c.sem) != 8 || c.timeout != 120*time.Second {
		t.Errorf("defaults: %v %+v", err, c)
	}
	t.Setenv("OPENAI_BASE_URL", "http://h:1/v1")
	t.Setenv("OPENAI_API_KEY", "k")
	if o := OptionsFromEnv(); o.BaseURL != "http://h:1/v1" || o.APIKey != "k" {
		t.Errorf("OptionsFromEnv = %+v", o)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		header map[string]string
		want   time.Duration
	}{
		{map[string]string{}, -1},
		{map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{map[string]string{"Retry-After": "0"}, 0},
		{map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond},
		{map[string]string{"Retry-After": "-3"}, -1},
		{map[string]string{"Retry-After": "soon"}, -1},
		{map[string]string{"Retry-After": testNow.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{map[string]string{"Retry-After": testNow.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{map[string]string{"Retry-After": "20", "Retry-After-Ms": "250"}, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		if got := retryAfter(h, testNow); got != tt.want {
			t.Errorf("retryAfter(%v) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
