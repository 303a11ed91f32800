package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/tasks"
)

// newSim starts a simulator behind a real HTTP server and returns a
// go-openai client for it.
func newSim(t *testing.T, o Options) (*Server, *openai.Client, string) {
	t.Helper()
	if o.Languages == nil {
		o.Languages = builtin.Registry().Languages()
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, client(ts.URL, o.APIKey), ts.URL
}

func client(url, key string) *openai.Client {
	if key == "" {
		key = "unused"
	}
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = url + "/v1"
	return openai.NewClientWithConfig(cfg)
}

func humanEval(t *testing.T) *tasks.Dataset {
	t.Helper()
	ds, err := tasks.Load("humaneval", "")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// instruction wraps a prompt the way a repair loop might, with CRLF line ends.
func instruction(prompt string) string {
	return strings.ReplaceAll("Complete the following Python function. Answer with the code in a ```python block.\n\n```python\n"+prompt+"```\n", "\n", "\r\n")
}

func ask(t *testing.T, c *openai.Client, msgs []openai.ChatCompletionMessage, seed int) openai.ChatCompletionResponse {
	t.Helper()
	resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: DefaultModel, Messages: msgs, Seed: &seed, Temperature: 0.8,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func user(text string) openai.ChatCompletionMessage {
	return openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: text}
}

func assistant(text string) openai.ChatCompletionMessage {
	return openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: text}
}

// codeBlock returns the first fenced python block of an answer.
func codeBlock(t *testing.T, content string) string {
	t.Helper()
	_, rest, ok := strings.Cut(content, "```python\n")
	if !ok {
		t.Fatalf("no ```python block in %q", content)
	}
	code, _, ok := strings.Cut(rest, "\n```")
	if !ok {
		t.Fatalf("unterminated block in %q", content)
	}
	return code
}

// isReference reports whether code is the task's reference, in any of
// the forms its coder presents it in (for a completion, the body alone or
// the whole function).
func isReference(e *entry, code string) bool {
	code = strings.TrimSpace(code)
	for seed := range uint64(64) {
		if strings.TrimSpace(e.present(e.task.Reference, rand.New(rand.NewPCG(seed, 0)))) == code {
			return true
		}
	}
	return false
}

func TestModels(t *testing.T) {
	_, c, _ := newSim(t, Options{Models: []string{"sim-a", "sim-b"}})
	list, err := c.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Models) != 2 || list.Models[0].ID != "sim-a" || list.Models[1].OwnedBy != Owner || list.Models[0].Object != "model" {
		t.Fatalf("models: %+v", list.Models)
	}
	m, err := c.GetModel(context.Background(), "sim-b")
	if err != nil || m.ID != "sim-b" {
		t.Fatalf("GetModel: %+v, %v", m, err)
	}
	_, err = c.GetModel(context.Background(), "gpt-9")
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusNotFound {
		t.Fatalf("GetModel(unknown) = %v", err)
	}
}

func TestDefaultModel(t *testing.T) {
	_, c, _ := newSim(t, Options{})
	list, err := c.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Models) != 1 || list.Models[0].ID != DefaultModel || list.Models[0].OwnedBy != "selfrepair-simulator" {
		t.Fatalf("models: %+v", list.Models)
	}
}

func TestRecognisesHumanEvalTask(t *testing.T) {
	s, c, _ := newSim(t, Options{FirstPass: 1})
	ds := humanEval(t)
	for _, i := range []int{0, 10, 32, 38, 115, 163} {
		task := ds.Tasks[i]
		resp := ask(t, c, []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You are a careful Python programmer."},
			user(instruction(task.Prompt)),
		}, 7)
		if resp.SystemFingerprint != Fingerprint || resp.Object != "chat.completion" || resp.Model != DefaultModel ||
			!strings.HasPrefix(resp.ID, "chatcmpl-") || resp.Created != epoch {
			t.Errorf("%s: response header fields: %+v", task.ID, resp)
		}
		if len(resp.Choices) != 1 || resp.Choices[0].FinishReason != openai.FinishReasonStop || resp.Choices[0].Message.Role != "assistant" {
			t.Fatalf("%s: choices: %+v", task.ID, resp.Choices)
		}
		u := resp.Usage
		if u.PromptTokens <= 0 || u.CompletionTokens <= 0 || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
			t.Errorf("%s: usage %+v", task.ID, u)
		}
		if !isReference(s.entries[i], codeBlock(t, resp.Choices[0].Message.Content)) {
			t.Errorf("%s: the answer is not the reference:\n%s", task.ID, resp.Choices[0].Message.Content)
		}
	}
}

func TestBothCompletionForms(t *testing.T) {
	_, c, _ := newSim(t, Options{FirstPass: 1})
	task := humanEval(t).Tasks[0]
	forms := map[string]int{}
	for seed := range 40 {
		code := codeBlock(t, ask(t, c, []openai.ChatCompletionMessage{user(task.Prompt)}, seed).Choices[0].Message.Content)
		switch {
		case strings.Contains(code, "def "+task.EntryPoint+"("):
			forms["function"]++
		case strings.HasPrefix(code, "    "):
			forms["body"]++
		default:
			t.Fatalf("neither form:\n%s", code)
		}
	}
	if forms["function"] < 8 || forms["body"] < 8 {
		t.Errorf("forms over 40 seeds: %v", forms)
	}
}

func TestChoices(t *testing.T) {
	_, c, _ := newSim(t, Options{})
	resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: DefaultModel, N: 6, Temperature: 1,
		Messages: []openai.ChatCompletionMessage{user(humanEval(t).Tasks[3].Prompt)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 6 {
		t.Fatalf("%d choices", len(resp.Choices))
	}
	distinct := map[string]bool{}
	for i, ch := range resp.Choices {
		if ch.Index != i {
			t.Errorf("choice %d has index %d", i, ch.Index)
		}
		distinct[ch.Message.Content] = true
	}
	if len(distinct) < 3 {
		t.Errorf("only %d distinct answers among 6 choices", len(distinct))
	}
}

func TestDeterminism(t *testing.T) {
	_, c, _ := newSim(t, Options{Seed: 3})
	_, other, _ := newSim(t, Options{Seed: 3})
	prompt := humanEval(t).Tasks[12].Prompt
	msgs := []openai.ChatCompletionMessage{user(prompt)}
	a, b := ask(t, c, msgs, 5), ask(t, c, msgs, 5)
	if fmt.Sprint(a.Choices, a.ID, a.Usage) != fmt.Sprint(b.Choices, b.ID, b.Usage) {
		t.Fatal("the same request twice gave different answers")
	}
	if o := ask(t, other, msgs, 5); o.Choices[0].Message.Content != a.Choices[0].Message.Content {
		t.Fatal("two servers with the same seed disagree")
	}
	distinct := map[string]bool{}
	for seed := range 20 {
		distinct[ask(t, c, msgs, seed).Choices[0].Message.Content] = true
	}
	if len(distinct) < 10 {
		t.Errorf("20 seeds gave only %d distinct answers", len(distinct))
	}
	_, c9, _ := newSim(t, Options{Seed: 9})
	same := 0
	for seed := range 10 {
		if ask(t, c9, msgs, seed).Choices[0].Message.Content == ask(t, c, msgs, seed).Choices[0].Message.Content {
			same++
		}
	}
	if same > 6 {
		t.Errorf("server seeds 3 and 9 agree on %d of 10 answers", same)
	}
}

// rate measures over every HumanEval task and several sample seeds how often
// a conversation gets the reference.
func rate(t *testing.T, s *Server, c *openai.Client, conv func(e *entry) []openai.ChatCompletionMessage) (float64, int) {
	t.Helper()
	hits, n := 0, 0
	for _, e := range s.entries {
		for seed := range 3 {
			if isReference(e, codeBlock(t, ask(t, c, conv(e), seed).Choices[0].Message.Content)) {
				hits++
			}
			n++
		}
	}
	return float64(hits) / float64(n), n
}

// within checks p against want with a 3-sigma binomial bound (the draws
// are deterministic, so this never flakes).
func within(t *testing.T, what string, p, want float64, n int) {
	t.Helper()
	bound := 3 * math.Sqrt(want*(1-want)/float64(n))
	t.Logf("%s: %.3f over %d (configured %.2f ± %.3f)", what, p, n, want, bound)
	if math.Abs(p-want) > bound {
		t.Errorf("%s: %.3f, want %.2f ± %.3f", what, p, want, bound)
	}
}

func TestFirstPassRate(t *testing.T) {
	s, c, _ := newSim(t, Options{Seed: 11, FirstPass: 0.6})
	p, n := rate(t, s, c, func(e *entry) []openai.ChatCompletionMessage {
		return []openai.ChatCompletionMessage{user(instruction(e.task.Prompt))}
	})
	within(t, "first attempts right", p, 0.6, n)
}

func TestRepairRates(t *testing.T) {
	s, c, _ := newSim(t, Options{Seed: 5, RepairRates: map[languages.Class]float64{languages.Name: 0.8, languages.Assertion: 0.3}})
	for _, tc := range []struct {
		class    languages.Class
		feedback string
		want     float64
	}{
		{languages.Name, "Your code failed the tests:\nTraceback (most recent call last):\n  File \"<solution>\", line 4, in f\nNameError: name 'numbrs' is not defined\nPlease fix it.", 0.8},
		{languages.Assertion, "The tests failed.\nerror class: assertion\nassert candidate([1, 2]) == 3", 0.3},
		{languages.Timeout, "Execution timed out after 10s.", DefaultRepairRates()[languages.Timeout]},
	} {
		p, n := rate(t, s, c, func(e *entry) []openai.ChatCompletionMessage {
			return []openai.ChatCompletionMessage{
				user(instruction(e.task.Prompt)),
				assistant("```python\n    return None\n```"),
				user(tc.feedback),
			}
		})
		within(t, "repairs of "+string(tc.class), p, tc.want, n)
	}
}

func TestUnknownModel(t *testing.T) {
	_, c, _ := newSim(t, Options{})
	_, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "x", Messages: []openai.ChatCompletionMessage{user("hi")},
	})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if apiErr.HTTPStatusCode != http.StatusNotFound || apiErr.Code != "model_not_found" ||
		apiErr.Type != "invalid_request_error" || apiErr.Message != "The model `x` does not exist" {
		t.Fatalf("err = %+v", apiErr)
	}
}

func TestAPIKey(t *testing.T) {
	_, good, url := newSim(t, Options{APIKey: "sk-sim"})
	msgs := []openai.ChatCompletionMessage{user("Write a haiku.")}
	if _, err := good.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: DefaultModel, Messages: msgs}); err != nil {
		t.Fatalf("right key: %v", err)
	}
	_, err := client(url, "sk-wrong").CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: DefaultModel, Messages: msgs})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusUnauthorized || apiErr.Code != "invalid_api_key" {
		t.Fatalf("wrong key: %v", err)
	}
	res, err := http.Get(url + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no key: %s", res.Status)
	}
}

func post(t *testing.T, url string, body any) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(url+"/v1/chat/completions", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, data
}

func TestBadRequests(t *testing.T) {
	_, _, url := newSim(t, Options{})
	msgs := []map[string]string{{"role": "user", "content": "hi"}}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"stream", map[string]any{"model": DefaultModel, "messages": msgs, "stream": true}, 400, "unsupported_parameter"},
		{"no messages", map[string]any{"model": DefaultModel, "messages": []any{}}, 400, "empty_array"},
		{"no model", map[string]any{"messages": msgs}, 400, "missing_required_parameter"},
		{"n too large", map[string]any{"model": DefaultModel, "messages": msgs, "n": 1000}, 400, "integer_out_of_range"},
		{"not JSON", json.RawMessage(`{`), 400, "invalid_json"},
	} {
		var raw []byte
		if r, ok := tc.body.(json.RawMessage); ok {
			raw = r
		} else {
			raw, _ = json.Marshal(tc.body)
		}
		res, err := http.Post(url+"/v1/chat/completions", "application/json", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct {
				Message, Type string
				Code          *string
			}
		}
		err = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if err != nil || res.StatusCode != tc.status || e.Error.Code == nil || *e.Error.Code != tc.code || e.Error.Message == "" {
			t.Errorf("%s: %s %+v (%v)", tc.name, res.Status, e, err)
		}
		if tc.name == "stream" && !strings.Contains(e.Error.Message, "Streaming is not supported") {
			t.Errorf("stream: message %q", e.Error.Message)
		}
	}
}

func TestUnknownTask(t *testing.T) {
	_, c, _ := newSim(t, Options{})
	resp := ask(t, c, []openai.ChatCompletionMessage{user("Write a function:\n\ndef frobnicate(xs: list) -> int:\n    \"\"\"Frobnicate xs.\"\"\"\n")}, 1)
	code := codeBlock(t, resp.Choices[0].Message.Content)
	if !strings.HasPrefix(code, "def frobnicate(xs: list) -> int:") || !strings.Contains(code, "pass") {
		t.Fatalf("stub: %q", code)
	}
	resp = ask(t, c, []openai.ChatCompletionMessage{user("Tell me a joke."), assistant("No."), user("Please?")}, 1)
	if !strings.Contains(codeBlock(t, resp.Choices[0].Message.Content), "pass") {
		t.Fatal("generic stub expected")
	}
}

func TestMaxTokens(t *testing.T) {
	_, c, _ := newSim(t, Options{FirstPass: 1})
	resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: DefaultModel, MaxTokens: 8, Messages: []openai.ChatCompletionMessage{user(humanEval(t).Tasks[0].Prompt)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ch := resp.Choices[0]
	if ch.FinishReason != openai.FinishReasonLength || len(ch.Message.Content) > 32 || resp.Usage.CompletionTokens > 8 {
		t.Fatalf("finish %q, %d bytes, usage %+v", ch.FinishReason, len(ch.Message.Content), resp.Usage)
	}
}

func TestMBPPRecognisedByText(t *testing.T) {
	if !haveMBPP() {
		t.Skip("no MBPP data")
	}
	s, c, _ := newSim(t, Options{Datasets: []string{"mbpp-sanitized"}, DataDir: dataDir(), FirstPass: 1})
	e := s.entries[0]
	text := mbppText(e.task)
	resp := ask(t, c, []openai.ChatCompletionMessage{user("You are an expert Python programmer, and here is your task: " + text +
		" Your code should pass these tests:\n\n" + e.task.Test)}, 2)
	code := codeBlock(t, resp.Choices[0].Message.Content)
	if strings.TrimSpace(code) != strings.TrimSpace(e.task.Reference) {
		t.Fatalf("%s: got\n%s\nwant the reference\n%s", e.task.ID, code, e.task.Reference)
	}
}

func TestRepairKeepsTask(t *testing.T) {
	// A later message that quotes another task's prompt must not change the
	// task: the first user message holds it.
	s, c, _ := newSim(t, Options{RepairRates: map[languages.Class]float64{languages.Syntax: 1}})
	ds := humanEval(t)
	resp := ask(t, c, []openai.ChatCompletionMessage{
		user(instruction(ds.Tasks[5].Prompt)),
		assistant("```python\n    return [\n```"),
		user("SyntaxError: '[' was never closed\nFor reference, an unrelated example:\n" + ds.Tasks[9].Prompt),
	}, 4)
	if !isReference(s.entries[5], codeBlock(t, resp.Choices[0].Message.Content)) {
		t.Fatalf("the repair is not task 5's reference:\n%s", resp.Choices[0].Message.Content)
	}
}

func TestFeedbackClassify(t *testing.T) {
	r, coder := newFeedbackRules(), builtin.Language().Coder()
	for text, want := range map[string]languages.Class{
		"Traceback (most recent call last):\n  File \"x\", line 1\nValueError: bad\n\nDuring handling...\nKeyError: 'a'": languages.Key,
		"  File \"<solution>\", line 3\n    if x\n        ^\nSyntaxError: expected ':'":                                  languages.Syntax,
		"IndentationError: unexpected indent":                           languages.Syntax,
		"UnboundLocalError: cannot access local variable 'x'":           languages.Name,
		"The program timed out after 10 s.":                             languages.Timeout,
		"Timeout":                                                       languages.Timeout,
		"error class: index\nTypeError mentioned in passing":            languages.Index,
		`{"error_class": "zero-division"}`:                              languages.ZeroDivision,
		"AssertionError\n":                                              languages.Assertion,
		"Failed: assert candidate(3) == 4":                              languages.Assertion,
		"IndexError: list index out of range":                           languages.Index,
		"TypeError: can only concatenate str (not \"int\") to str":      languages.Type,
		"ModuleNotFoundError: No module named 'numpy'":                  languages.Import,
		"RecursionError: maximum recursion depth exceeded":              languages.Recursion,
		"the memory limit was reached":                                  languages.Memory,
		"Traceback ...\nValueError: x\n... then the run timed out":      languages.Timeout,
		"Traceback ...\nMyCustomError: boom":                            languages.OtherRuntime,
		"ZeroDivisionError: division by zero":                           languages.ZeroDivision,
		"AttributeError: 'list' object has no attribute 'push'":         languages.Attribute,
		"Something went wrong.":                                         languages.OtherRuntime,
		"NameError: name 'x' is not defined\nerror_class = not-a-class": languages.Name,
	} {
		if got, _ := r.classify(text, coder); got != want {
			t.Errorf("classify(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	for name, o := range map[string]Options{
		"first pass > 1":   {FirstPass: 1.5},
		"repair rate":      {RepairRates: map[languages.Class]float64{languages.Name: 2}},
		"unknown class":    {RepairRates: map[languages.Class]float64{"nope": 0.5}},
		"mix class":        {FailureMix: map[languages.Class]float64{languages.Memory: 1}},
		"fault sum":        {Faults: Faults{RateLimit: 0.6, Hang: 0.6}},
		"negative latency": {Latency: -time.Second},
		"unknown dataset":  {Datasets: []string{"nope"}},
		"no languages":     {},
	} {
		if name != "no languages" {
			o.Languages = builtin.Registry().Languages()
		}
		if _, err := New(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// faultOf names what an error from go-openai shows of an injected fault.
func faultOf(err error) string {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode == 429:
		return "rate-limit"
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode == 500:
		return "server-error"
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode == 500:
		return "server-error"
	case errors.Is(err, context.DeadlineExceeded):
		return "hang"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated"
	case errors.As(err, &syntaxErr):
		return "malformed"
	}
	return "other: " + err.Error()
}

func TestFaults(t *testing.T) {
	ds := humanEval(t)
	_, clean, _ := newSim(t, Options{Seed: 1})
	for _, tc := range []struct {
		kind   string
		faults Faults
	}{
		{"rate-limit", Faults{RateLimit: 0.5}},
		{"server-error", Faults{ServerError: 0.5}},
		{"hang", Faults{Hang: 0.5}},
		{"malformed", Faults{Malformed: 0.5}},
		{"truncated", Faults{Truncated: 0.5}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			_, c, _ := newSim(t, Options{Seed: 1, Faults: tc.faults})
			seen := 0
			for i := range 6 {
				msgs := []openai.ChatCompletionMessage{user(ds.Tasks[i].Prompt)}
				want := ask(t, clean, msgs, i).Choices[0].Message.Content
				var got string
				for attempt := 0; ; attempt++ {
					if attempt == 30 {
						t.Fatalf("request %d: no answer after 30 attempts", i)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
					seed := i
					resp, err := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
						Model: DefaultModel, Messages: msgs, Seed: &seed, Temperature: 0.8,
					})
					cancel()
					if err == nil {
						got = resp.Choices[0].Message.Content
						break
					}
					if f := faultOf(err); f != tc.kind {
						t.Fatalf("request %d: %s, want a %s fault", i, f, tc.kind)
					}
					seen++
				}
				if got != want {
					t.Fatalf("request %d: the answer after retries differs from the fault-free one", i)
				}
			}
			if seen == 0 {
				t.Fatalf("no %s fault in 6 requests at rate 0.5", tc.kind)
			}
			t.Logf("%d %s faults before 6 answers", seen, tc.kind)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	_, _, url := newSim(t, Options{Faults: Faults{RateLimit: 1, RetryAfter: 1500 * time.Millisecond}})
	res, _ := post(t, url, map[string]any{"model": DefaultModel, "messages": []map[string]string{{"role": "user", "content": "hi"}}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "2" || res.Header.Get("Retry-After-Ms") != "1500" {
		t.Fatalf("%s, Retry-After %q, Retry-After-Ms %q", res.Status, res.Header.Get("Retry-After"), res.Header.Get("Retry-After-Ms"))
	}
}

func TestLatency(t *testing.T) {
	_, c, _ := newSim(t, Options{Latency: 80 * time.Millisecond, Jitter: 40 * time.Millisecond})
	start := time.Now()
	ask(t, c, []openai.ChatCompletionMessage{user("hi")}, 1)
	if d := time.Since(start); d < 80*time.Millisecond || d > 2*time.Second {
		t.Fatalf("took %s", d)
	}
}

// trackedServer serves s over HTTP and reports handler calls that ended.
func trackedServer(t *testing.T, s *Server) (*httptest.Server, *atomic.Int32, chan struct{}) {
	var started atomic.Int32
	done := make(chan struct{}, 16)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		defer func() { done <- struct{}{} }()
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, &started, done
}

func waitDone(t *testing.T, done chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatalf("%s: the handler did not return", what)
	}
}

func TestHangEndsWhenClientGivesUp(t *testing.T) {
	s, err := New(Options{Faults: Faults{Hang: 1}, Languages: builtin.Registry().Languages()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, started, done := trackedServer(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = client(ts.URL, "").CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model: DefaultModel, Messages: []openai.ChatCompletionMessage{user("hi")},
	})
	if !errors.Is(err, context.DeadlineExceeded) || started.Load() != 1 {
		t.Fatalf("err = %v, %d handler calls", err, started.Load())
	}
	waitDone(t, done, "client gone")
}

func TestHangEndsOnClose(t *testing.T) {
	s, err := New(Options{Faults: Faults{Hang: 1}, Languages: builtin.Registry().Languages()})
	if err != nil {
		t.Fatal(err)
	}
	ts, started, done := trackedServer(t, s)
	errc := make(chan error, 1)
	go func() {
		_, err := client(ts.URL, "").CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: DefaultModel, Messages: []openai.ChatCompletionMessage{user("hi")},
		})
		errc <- err
	}()
	for started.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	s.Close()
	waitDone(t, done, "server closed")
	if err := <-errc; err == nil {
		t.Fatal("a hung request got an answer")
	}
}

func TestServeShutsDown(t *testing.T) {
	s, err := New(Options{Faults: Faults{Hang: 1}, Languages: builtin.Registry().Languages()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	res, err := http.Get(url + "/v1/models")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /v1/models: %v %v", res, err)
	}
	res.Body.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := client(url, "").CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: DefaultModel, Messages: []openai.ChatCompletionMessage{user("hi")},
		})
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if err := <-errc; err == nil {
		t.Fatal("the hung request got an answer")
	}
}

// dataDir is the shared datasets folder, seen from this package.
func dataDir() string { return filepath.Join("..", "..", "..", "shared", "datasets") }

func haveMBPP() bool {
	_, err := os.Stat(filepath.Join(dataDir(), "mbpp", "sanitized-mbpp.json.gz"))
	return err == nil
}
