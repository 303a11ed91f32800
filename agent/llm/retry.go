package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// retry runs call, one HTTP attempt at a time within the concurrency limit
// and the per-attempt timeout, until it succeeds, fails for good, runs out
// of retries or ctx ends. It returns the number of attempts made.
func (c *Client) retry(ctx context.Context, path, model string, fields map[string]any, call func(context.Context) error) (int, error) {
	for try := 0; ; try++ {
		if err := c.acquire(ctx); err != nil {
			return try, fmt.Errorf("llm: %s: %w", path, err)
		}
		a := &attempt{fields: fields}
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		err := call(withAttempt(actx, a))
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		<-c.sem
		if err == nil {
			return try + 1, nil
		}
		if ctx.Err() != nil {
			return try + 1, fmt.Errorf("llm: %s: %w", path, context.Cause(ctx))
		}
		e := c.classify(err, a, timedOut, path, model)
		e.Attempts = try + 1
		if e.Kind != KindUnavailable || try >= c.maxRetries {
			return try + 1, e
		}
		wait := c.backoff(try, e.retryAfter)
		c.log.Warn("llm: retrying", "url", c.baseURL, "path", path, "model", model,
			"attempt", try+1, "wait", wait, "err", e)
		if err := c.sleep(ctx, wait); err != nil {
			return try + 1, fmt.Errorf("llm: %s: %w (last error: %v)", path, err, e)
		}
	}
}

// acquire takes a slot of the concurrency limit.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// backoff is the wait before retry number try+1: Retry-After when the
// endpoint sent one, else full jitter over an exponentially growing
// ceiling; both capped at BackoffMax.
func (c *Client) backoff(try int, retryAfter time.Duration) time.Duration {
	if retryAfter >= 0 {
		return min(retryAfter, c.backoffMax)
	}
	ceiling := c.backoffBase
	for i := 0; i < try && ceiling < c.backoffMax; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.backoffMax)
	return time.Duration(c.rand() * float64(ceiling))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// classify turns a failed attempt into an *Error.
func (c *Client) classify(err error, a *attempt, timedOut bool, path, model string) *Error {
	e := &Error{URL: c.baseURL, Model: model, Err: err, path: path, timeout: c.timeout, retryAfter: -1}
	var (
		apiErr *openai.APIError
		reqErr *openai.RequestError
		code   string
	)
	switch {
	case errors.As(err, &apiErr):
		e.Status, e.Message = apiErr.HTTPStatusCode, oneLine(apiErr.Message)
		if s, ok := apiErr.Code.(string); ok {
			code = s
		}
	case errors.As(err, &reqErr):
		e.Status, e.Message = reqErr.HTTPStatusCode, serverMessage(reqErr.Body, reqErr.HTTPStatusCode)
	case timedOut:
		e.Kind, e.reason = KindUnavailable, reasonTimeout
		return e
	case a.status >= 200 && a.status < 300:
		e.Kind, e.reason, e.Message = KindUnavailable, reasonMalformed, oneLine(err.Error())
		return e
	case a.status != 0:
		// An error status whose body could not be read.
		e.Status, e.Message = a.status, oneLine(err.Error())
	case a.err != nil:
		e.Kind, e.reason, e.Message = KindUnavailable, reasonConnect, connMessage(a.err)
		return e
	default:
		// Failed before sending: the request could not be built.
		e.Kind, e.reason, e.Message = KindBadRequest, reasonLocal, oneLine(err.Error())
		return e
	}
	if e.Message == "" {
		e.Message = http.StatusText(e.Status)
	}
	e.Kind = statusKind(e.Status, e.Message, code)
	if e.Kind == KindUnavailable && (e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable) {
		e.retryAfter = retryAfter(a.header, c.now())
	}
	return e
}
