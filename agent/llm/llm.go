// Package llm is a client for OpenAI-compatible Chat Completions endpoints
// (OpenAI, vLLM, Ollama, llama.cpp server, SGLang, ...).
//
// It wraps github.com/sashabaranov/go-openai behind small types of its own
// and adds what a benchmark harness needs from a flaky local server:
//
//   - retries with exponential backoff and full jitter on HTTP 429, 5xx,
//     per-attempt timeouts, connection errors and malformed or truncated
//     response bodies, honouring Retry-After on 429 and 503;
//   - no retry on other 4xx, which become an [*Error] whose message says
//     what to fix (API key, model name, base URL, prompt length);
//   - a limit on the HTTP requests in flight across all goroutines;
//   - n completions per request, falling back to n separate requests (and
//     remembering to) when the endpoint returns fewer choices than asked;
//   - sampling parameters sent exactly as given, temperature 0 included.
//
// [New] does not read the environment; [OptionsFromEnv] does, for callers
// that follow the OPENAI_BASE_URL / OPENAI_API_KEY convention.
package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// DefaultBaseURL is the base URL used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one chat message.
type Message struct {
	Role    string
	Content string
}

// Request is a chat completion request. Zero values of the optional fields
// are not sent, so the endpoint's defaults apply.
type Request struct {
	Model       string
	Messages    []Message
	N           int      // completions wanted; values below 1 mean 1
	Temperature *float32 // nil: not sent; a pointer to 0 sends 0
	TopP        *float32 // nil: not sent
	MaxTokens   int      // 0: not sent
	Seed        *int     // nil: not sent; the i-th completion requested separately gets Seed+i
	Stop        []string
}

// Response is the result of [Client.Complete].
type Response struct {
	Choices  []Choice      // exactly Request.N (at least 1), in a deterministic order
	Usage    Usage         // summed over all HTTP requests made
	Latency  time.Duration // wall time of the whole Complete call
	Attempts int           // HTTP attempts made, retries included
}

// Choice is one completion.
type Choice struct {
	Content      string
	FinishReason string // "stop", "length", ... as reported by the endpoint
}

// Usage counts tokens.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Options configure a [Client]. Zero values select the defaults.
type Options struct {
	BaseURL string // default DefaultBaseURL; for example "http://localhost:8000/v1"
	APIKey  string // sent as a bearer token when not empty

	Timeout     time.Duration // per HTTP attempt (a hung request is cut and retried); default 120s
	MaxRetries  int           // retries after the first attempt; default 6, negative for none
	Concurrency int           // HTTP requests in flight across all goroutines; default 8

	BackoffBase time.Duration // first backoff ceiling, doubled each retry; default 500ms
	BackoffMax  time.Duration // backoff ceiling, also caps Retry-After; default 30s

	HTTPClient *http.Client // default: a client with its own pooled transport
	Logger     *slog.Logger // retries and fallbacks are logged here; default: discarded
}

// OptionsFromEnv returns Options with BaseURL and APIKey taken from the
// environment variables OPENAI_BASE_URL and OPENAI_API_KEY.
func OptionsFromEnv() Options {
	return Options{BaseURL: os.Getenv("OPENAI_BASE_URL"), APIKey: os.Getenv("OPENAI_API_KEY")}
}

// Client talks to one endpoint. It is safe for concurrent use.
type Client struct {
	api         *openai.Client
	baseURL     string
	timeout     time.Duration
	maxRetries  int
	backoffBase time.Duration
	backoffMax  time.Duration
	sem         chan struct{}
	log         *slog.Logger

	// nSeparate is set once the endpoint returned fewer choices than asked
	// (or rejected n > 1): later calls request completions one at a time.
	nSeparate atomic.Bool

	// Seams for tests.
	rand  func() float64                                   // jitter in [0, 1)
	sleep func(ctx context.Context, d time.Duration) error // backoff wait
	now   func() time.Time                                 // for Retry-After dates
}

// New returns a Client for the endpoint in opts.
func New(opts Options) (*Client, error) {
	base := strings.TrimRight(cmp.Or(opts.BaseURL, DefaultBaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: invalid base URL %q: want http(s)://host[:port]/path", opts.BaseURL)
	}
	c := &Client{
		baseURL:     base,
		timeout:     cmp.Or(max(opts.Timeout, 0), 120*time.Second),
		maxRetries:  opts.MaxRetries,
		backoffBase: cmp.Or(max(opts.BackoffBase, 0), 500*time.Millisecond),
		backoffMax:  cmp.Or(max(opts.BackoffMax, 0), 30*time.Second),
		log:         opts.Logger,
		rand:        rand.Float64,
		sleep:       sleepCtx,
		now:         time.Now,
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 6
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 8
	}
	c.sem = make(chan struct{}, conc)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
		if tr, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = tr.Clone()
			tr.MaxIdleConnsPerHost = conc // keep a connection per request in flight
			hc.Transport = tr
		}
	}
	cfg := openai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = base
	cfg.HTTPClient = doer{client: hc}
	c.api = openai.NewClientWithConfig(cfg)
	return c, nil
}

// BaseURL returns the endpoint's base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// Complete asks for req.N completions of req.Messages.
//
// It first sends n in one request. If the endpoint returns fewer choices
// (many local servers ignore n) or rejects n > 1 with a 400, the missing
// completions are requested one per request, concurrently within the
// Concurrency limit, and the Client remembers to send separate requests
// from then on. Choices keep the order of the endpoint's indexes, then of
// the separate requests.
//
// Errors are [*Error], or the cancellation of ctx wrapped.
func (c *Client) Complete(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	n := max(req.N, 1)
	res := &Response{Choices: make([]Choice, 0, n)}

	rejectedN := false
	if n == 1 || !c.nSeparate.Load() {
		r, err := c.chat(ctx, req, n, req.Seed)
		res.Attempts += r.attempts
		switch {
		case err == nil:
			res.Choices = append(res.Choices, r.choices[:min(n, len(r.choices))]...)
			res.Usage.add(r.usage)
			if len(res.Choices) < n {
				c.nSeparate.Store(true)
				c.log.Info("llm: endpoint ignores n; requesting completions separately",
					"url", c.baseURL, "n", n, "got", len(res.Choices))
			}
		case n > 1 && kindOf(err) == KindBadRequest:
			// Some servers (llama.cpp) refuse n > 1.
			rejectedN = true
			c.log.Info("llm: endpoint rejected n; requesting completions separately",
				"url", c.baseURL, "n", n, "err", err)
		default:
			return nil, err
		}
	}
	if rejectedN {
		// Probe with one request: if n was not the problem, it fails alike
		// and the other n-1 are not sent.
		if err := c.separate(ctx, req, res, 1); err != nil {
			return nil, err
		}
		c.nSeparate.Store(true)
	}
	if len(res.Choices) < n {
		if err := c.separate(ctx, req, res, n); err != nil {
			return nil, err
		}
	}
	res.Latency = time.Since(start)
	return res, nil
}

// separate fills res.Choices up to n choices with one request per
// completion, the i-th completion seeded with Seed+i.
func (c *Client) separate(ctx context.Context, req Request, res *Response, n int) error {
	from := len(res.Choices)
	results := make([]chatResult, n-from)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for i := range results {
		seed := req.Seed
		if seed != nil {
			s := *seed + from + i
			seed = &s
		}
		wg.Go(func() {
			r, err := c.chat(ctx, req, 1, seed)
			results[i] = r
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		})
	}
	wg.Wait()
	for _, r := range results {
		res.Attempts += r.attempts
	}
	if firstErr != nil {
		return firstErr
	}
	for _, r := range results {
		res.Choices = append(res.Choices, r.choices[0])
		res.Usage.add(r.usage)
	}
	return nil
}

func (u *Usage) add(v Usage) {
	u.PromptTokens += v.PromptTokens
	u.CompletionTokens += v.CompletionTokens
}

type chatResult struct {
	choices  []Choice // at least one when err is nil
	usage    Usage
	attempts int
}

// errNoChoices marks a 2xx response without choices as malformed.
var errNoChoices = errors.New("response has no choices")

// chat makes one chat completion request for n choices, with retries.
func (c *Client) chat(ctx context.Context, req Request, n int, seed *int) (chatResult, error) {
	msgs := make([]openai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	oreq := openai.ChatCompletionRequest{Model: req.Model, Messages: msgs, Stop: req.Stop, Seed: seed}
	// Sampling fields are written into the body by the doer: go-openai
	// drops zero values (omitempty) and validates some of them client-side
	// for model names it knows, while we pass them through exactly.
	fields := map[string]any{}
	if req.Temperature != nil {
		fields["temperature"] = *req.Temperature
	}
	if req.TopP != nil {
		fields["top_p"] = *req.TopP
	}
	if req.MaxTokens > 0 {
		fields["max_tokens"] = req.MaxTokens
	}
	if n > 1 {
		fields["n"] = n
	}
	var r chatResult
	var err error
	r.attempts, err = c.retry(ctx, "/chat/completions", req.Model, fields, func(ctx context.Context) error {
		resp, err := c.api.CreateChatCompletion(ctx, oreq)
		if err != nil {
			return err
		}
		if len(resp.Choices) == 0 {
			return errNoChoices
		}
		slices.SortStableFunc(resp.Choices, func(a, b openai.ChatCompletionChoice) int { return cmp.Compare(a.Index, b.Index) })
		r.choices = make([]Choice, len(resp.Choices))
		for i, ch := range resp.Choices {
			r.choices[i] = Choice{Content: ch.Message.Content, FinishReason: string(ch.FinishReason)}
		}
		r.usage = Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
		return nil
	})
	return r, err
}

// Models lists the IDs of the models the endpoint serves (GET /models),
// so that callers can fail fast on an unknown model.
func (c *Client) Models(ctx context.Context) ([]string, error) {
	var ids []string
	_, err := c.retry(ctx, "/models", "", nil, func(ctx context.Context) error {
		list, err := c.api.ListModels(ctx)
		if err != nil {
			return err
		}
		ids = make([]string, len(list.Models))
		for i, m := range list.Models {
			ids[i] = m.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
