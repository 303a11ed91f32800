package llm

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Kind classifies an [Error].
type Kind int

const (
	// KindUnavailable: the endpoint kept failing in ways that may pass
	// (rate limits, 5xx, timeouts, connection errors, malformed responses)
	// and the Client gave up after its retries.
	KindUnavailable Kind = iota + 1
	// KindAuth: the endpoint refused the API key (HTTP 401/403).
	KindAuth
	// KindNotFound: the model is not served, or the base URL has no such
	// endpoint (HTTP 404).
	KindNotFound
	// KindTooLong: the prompt (plus max tokens) does not fit the model's
	// context. Only this request is at fault; others may succeed.
	KindTooLong
	// KindBadRequest: the endpoint rejected the request (other 4xx).
	KindBadRequest
)

func (k Kind) String() string {
	switch k {
	case KindUnavailable:
		return "unavailable"
	case KindAuth:
		return "auth"
	case KindNotFound:
		return "not-found"
	case KindTooLong:
		return "too-long"
	case KindBadRequest:
		return "bad-request"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Fatal reports whether errors of this kind are configuration errors that
// retrying cannot fix (wrong key, model or base URL, or a request the
// endpoint refuses). KindTooLong and KindUnavailable are not fatal:
// the former concerns one prompt, the latter may pass later.
func (k Kind) Fatal() bool {
	return k == KindAuth || k == KindNotFound || k == KindBadRequest
}

// reason says what went wrong when no usable HTTP status explains it.
type reason int

const (
	reasonStatus    reason = iota // the endpoint answered an error status
	reasonConnect                 // no response: refused, reset, DNS...
	reasonTimeout                 // the attempt exceeded Options.Timeout
	reasonMalformed               // 2xx with a body that is not a valid completion
	reasonLocal                   // the request could not be built or sent
)

// Error is the error of a failed [Client] call, unless the caller's
// context ended first: then the context's error is returned, wrapped.
// Its Error method gives one line a user can act on.
type Error struct {
	Kind     Kind
	Status   int    // HTTP status of the last response; 0 when none was usable
	URL      string // the endpoint's base URL
	Model    string // the requested model; "" for Models
	Message  string // the server's message, or what went wrong
	Attempts int    // HTTP attempts made, retries included
	Err      error  // the underlying error

	reason     reason
	path       string        // "/chat/completions" or "/models"
	timeout    time.Duration // per-attempt timeout, for reasonTimeout
	retryAfter time.Duration // from Retry-After on 429/503; < 0 when absent
}

func (e *Error) Error() string {
	var s string
	switch e.Kind {
	case KindAuth:
		s = fmt.Sprintf("the endpoint %s refused the API key (HTTP %d): check OPENAI_API_KEY", e.URL, e.Status)
	case KindNotFound:
		if e.Model != "" && strings.Contains(strings.ToLower(e.Message), "model") {
			s = fmt.Sprintf("model %q is not served by %s (HTTP 404): %s", e.Model, e.URL, e.Message)
		} else {
			s = fmt.Sprintf("%s has no %s endpoint (HTTP 404): check OPENAI_BASE_URL (usually ending in /v1)", e.URL, e.path)
		}
	case KindTooLong:
		s = fmt.Sprintf("the prompt is too long for model %q's context (HTTP %d): %s", e.Model, e.Status, e.Message)
	case KindBadRequest:
		if e.Status == 0 {
			s = fmt.Sprintf("invalid request for model %q: %s", e.Model, e.Message)
		} else {
			s = fmt.Sprintf("%s rejected the request for model %q (HTTP %d): %s", e.URL, e.Model, e.Status, e.Message)
		}
	default:
		switch e.reason {
		case reasonConnect:
			s = fmt.Sprintf("cannot reach %s: %s", e.URL, e.Message)
		case reasonTimeout:
			s = fmt.Sprintf("no response from %s within %s", e.URL, e.timeout)
		case reasonMalformed:
			s = fmt.Sprintf("malformed response from %s: %s", e.URL, e.Message)
		default:
			s = fmt.Sprintf("%s failed (HTTP %d): %s", e.URL, e.Status, e.Message)
		}
		if e.Attempts > 1 {
			s += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
		}
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// IsRetryable reports whether err is an [*Error] of kind KindUnavailable:
// a transient failure the Client already retried, which may pass later.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindUnavailable
}

// kindOf returns the Kind of err, or 0 when err is not an *Error.
func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// statusKind classifies an error response.
func statusKind(status int, msg, code string) Kind {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return KindAuth
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusTooManyRequests:
		return KindUnavailable
	case isContextLength(msg + " " + code):
		// Some servers report context overflows as 5xx; retrying won't help.
		return KindTooLong
	case status == http.StatusRequestTimeout || status == http.StatusConflict ||
		status == http.StatusTooEarly || status >= 500:
		return KindUnavailable
	}
	return KindBadRequest
}

// isContextLength recognises context overflow messages of OpenAI, vLLM,
// llama.cpp, TGI, SGLang and others.
func isContextLength(msg string) bool {
	msg = strings.ToLower(msg)
	for _, p := range []string{
		"context length", "context_length", "context window", "context size",
		"maximum context", "max_model_len", "too many tokens", "prompt is too long",
		"input is too long", "max_new_tokens",
	} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// connMessage names a connection failure in a few words.
func connMessage(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "no such host " + dnsErr.Name
		}
		return "DNS lookup failed: " + dnsErr.Err
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	msg := err.Error()
	if strings.HasSuffix(msg, "EOF") {
		return "connection closed by the server"
	}
	return msg
}

// oneLine squeezes a server message into one line of bounded length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const limit = 300
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
