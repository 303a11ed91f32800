package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// attempt is the per-attempt holder carried by the request context: the
// doer reads the body fields to force from it and records what the
// transport saw, which go-openai's errors do not carry (headers, and
// whether any response arrived at all).
type attempt struct {
	fields map[string]any // JSON body fields to set on the outgoing request

	status int         // status of the response, 0 if none arrived
	header http.Header // its headers
	err    error       // transport error, if no response arrived
}

type attemptKey struct{}

func withAttempt(ctx context.Context, a *attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// doer is the openai.HTTPDoer given to go-openai. It writes the attempt's
// fields into the JSON body (go-openai's request struct drops zero values
// such as temperature 0 through omitempty) and records the response status
// and headers in the attempt.
type doer struct{ client *http.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if a == nil {
		return d.client.Do(req)
	}
	if len(a.fields) > 0 && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if body, err = setFields(body, a.fields); err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := d.client.Do(req)
	if err != nil {
		a.err = err
		return nil, err
	}
	a.status, a.header = resp.StatusCode, resp.Header
	return resp, nil
}

// setFields sets top-level fields of a JSON object.
func setFields(body []byte, fields map[string]any) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	for k, v := range fields {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("request field %s: %w", k, err)
		}
		obj[k] = raw
	}
	return json.Marshal(obj)
}

// retryAfter parses Retry-After (delta-seconds or HTTP-date) and OpenAI's
// retry-after-ms. It returns a negative duration when neither is usable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return -1
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// serverMessage extracts the error message from a response body that
// go-openai could not decode as {"error": {"message": ...}}: vLLM's
// {"message": ...}, {"error": "..."}, FastAPI's {"detail": ...}, plain
// text, or an HTML error page.
func serverMessage(body []byte, status int) string {
	var v struct {
		Message any `json:"message"`
		Error   any `json:"error"`
		Detail  any `json:"detail"`
	}
	if json.Unmarshal(body, &v) == nil {
		for _, f := range []any{v.Message, v.Error, v.Detail} {
			if s := messageOf(f); s != "" {
				return oneLine(s)
			}
		}
	}
	text := strings.TrimSpace(string(body))
	if text == "" || strings.HasPrefix(text, "<") {
		return http.StatusText(status)
	}
	return oneLine(text)
}

func messageOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if s := messageOf(v["message"]); s != "" {
			return s
		}
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
