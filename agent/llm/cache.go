package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// CacheEnv is the environment variable that overrides the default
// response cache directory.
const CacheEnv = "SELFREPAIR_CACHE"

// DefaultCacheDir is where responses are cached when no directory is
// given: $SELFREPAIR_CACHE, else selfrepair/responses in the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache on Linux).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(CacheEnv); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: %w (set %s)", err, CacheEnv)
	}
	return filepath.Join(base, "selfrepair", "responses"), nil
}

// Cache is an on-disk cache of model responses keyed by the full request
// ([CacheKey]): a study that is run again asks the model nothing it
// already asked. Each response is a file named by its key, written
// atomically; a file that cannot be read is a miss. Processes may share a
// cache.
type Cache struct{ dir string }

// OpenCache opens (creating it if needed) the cache in dir.
func OpenCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("response cache: %w", err)
	}
	return &Cache{dir: dir}, nil
}

// Dir returns the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Cached is a cached response: one completion.
type Cached struct {
	Key              string  `json:"key"`
	Content          string  `json:"content"`
	FinishReason     string  `json:"finish_reason,omitempty"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	LatencyMS        float64 `json:"latency_ms"`
}

// CacheKey is the key of a request to an endpoint: the hex SHA-256 of a
// canonical encoding of the endpoint's identity (its base URL without
// credentials, see [Endpoint]), the model, the messages and every sampling
// parameter (n, temperature, top_p, max_tokens, seed, stop).
func CacheKey(endpoint string, req Request) string {
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	k := struct {
		V           int       `json:"v"`
		Endpoint    string    `json:"endpoint"`
		Model       string    `json:"model"`
		Messages    []message `json:"messages"`
		N           int       `json:"n"`
		Temperature *string   `json:"temperature"`
		TopP        *string   `json:"top_p"`
		MaxTokens   int       `json:"max_tokens"`
		Seed        *int      `json:"seed"`
		Stop        []string  `json:"stop"`
	}{V: 1, Endpoint: endpoint, Model: req.Model, N: max(req.N, 1), Temperature: float(req.Temperature),
		TopP: float(req.TopP), MaxTokens: req.MaxTokens, Seed: req.Seed, Stop: req.Stop}
	k.Messages = make([]message, len(req.Messages))
	for i, m := range req.Messages {
		k.Messages[i] = message{m.Role, m.Content}
	}
	b, _ := json.Marshal(k) // plain strings and ints: it cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// float spells a sampling parameter exactly (and NaN without an error).
func float(p *float32) *string {
	if p == nil {
		return nil
	}
	s := strconv.FormatFloat(float64(*p), 'g', -1, 32)
	return &s
}

// Endpoint returns a base URL fit to identify an endpoint in a cache key
// or a manifest: without user information, query or fragment.
func Endpoint(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return u.String()
}

func (c *Cache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key+".json")
}

// Get returns the cached response of key.
func (c *Cache) Get(key string) (Cached, bool) {
	if len(key) < 3 {
		return Cached{}, false
	}
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return Cached{}, false
	}
	var e Cached
	if json.Unmarshal(b, &e) != nil || e.Key != key {
		return Cached{}, false
	}
	return e, true
}

// Put stores a response under its key (e.Key).
func (c *Cache) Put(e Cached) error {
	if len(e.Key) < 3 {
		return errors.New("response cache: empty key")
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	path := c.path(e.Key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("response cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("response cache: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("response cache: %w", err)
	}
	return nil
}

// Completer answers chat requests; *Client is one.
type Completer interface {
	Complete(ctx context.Context, req Request) (*Response, error)
}

// An Answer is one completion as a loop records it.
type Answer struct {
	Cached
	Hit      bool // it came from the cache
	Attempts int  // HTTP attempts made (0 for a hit)
}

// Ask answers req from the cache c (nil: no cache), under the endpoint's
// identity (see [CacheKey]), or else asks m and caches its first
// completion. A response that cannot be cached is logged, not an error.
func Ask(ctx context.Context, m Completer, c *Cache, identity string, req Request, log *slog.Logger) (*Answer, error) {
	var key string
	if c != nil {
		key = CacheKey(identity, req)
		if got, ok := c.Get(key); ok {
			return &Answer{Cached: got, Hit: true}, nil
		}
	}
	resp, err := m.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Choices) == 0 {
		return nil, errors.New("the model returned no completion")
	}
	got := Cached{
		Key: key, Content: resp.Choices[0].Content, FinishReason: resp.Choices[0].FinishReason,
		PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens,
		LatencyMS: float64(resp.Latency.Microseconds()) / 1000,
	}
	if c != nil {
		if err := c.Put(got); err != nil && log != nil {
			log.Warn("could not cache a response", "err", err)
		}
	}
	return &Answer{Cached: got, Attempts: resp.Attempts}, nil
}
