package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math/rand/v2"
	"time"
)

type faultKind int

const (
	faultNone faultKind = iota
	faultRateLimit
	faultServerError
	faultHang
	faultMalformed
	faultTruncated
)

func (k faultKind) String() string {
	switch k {
	case faultRateLimit:
		return "rate-limit"
	case faultServerError:
		return "server-error"
	case faultHang:
		return "hang"
	case faultMalformed:
		return "malformed"
	case faultTruncated:
		return "truncated"
	}
	return "none"
}

// fault is what happens to one request before (or instead of) its answer.
type fault struct {
	kind  faultKind
	delay time.Duration
}

// drawFault draws the latency and fault of a request from the server seed,
// the body and how many times this body was seen before: reruns repeat,
// retries draw afresh.
func (s *Server) drawFault(body []byte) fault {
	key := sha256.Sum256(body)
	s.mu.Lock()
	if len(s.seen) >= maxSeen {
		clear(s.seen)
	}
	count := s.seen[key]
	s.seen[key] = count + 1
	s.mu.Unlock()

	h := newHasher("selfrepair-sim/fault/v1")
	h.u64(s.seed)
	h.bytes(key[:])
	h.u64(uint64(count))
	rng := h.rng()
	f := fault{delay: s.latency}
	if s.jitter > 0 {
		f.delay += time.Duration(rng.Int64N(int64(s.jitter)))
	}
	x := rng.Float64()
	for _, c := range []struct {
		kind faultKind
		p    float64
	}{
		{faultRateLimit, s.faults.RateLimit},
		{faultServerError, s.faults.ServerError},
		{faultHang, s.faults.Hang},
		{faultMalformed, s.faults.Malformed},
		{faultTruncated, s.faults.Truncated},
	} {
		if x < c.p {
			f.kind = c.kind
			break
		}
		x -= c.p
	}
	return f
}

// hasher derives deterministic random streams from length-prefixed inputs.
type hasher struct{ h hash.Hash }

func newHasher(domain string) *hasher {
	h := &hasher{sha256.New()}
	h.str(domain)
	return h
}

func (h *hasher) bytes(b []byte) {
	h.u64(uint64(len(b)))
	h.h.Write(b)
}

func (h *hasher) str(s string) { h.bytes([]byte(s)) }

func (h *hasher) u64(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	h.h.Write(b[:])
}

func (h *hasher) sum() [sha256.Size]byte {
	var out [sha256.Size]byte
	h.h.Sum(out[:0])
	return out
}

func (h *hasher) rng() *rand.Rand {
	s := h.sum()
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(s[0:8]), binary.LittleEndian.Uint64(s[8:16])))
}
