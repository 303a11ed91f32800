// Package session opens what a run works with, from its settings: the
// model (an OpenAI-compatible endpoint, or the simulator started in this
// process), the response cache, the sandbox on its engine in the
// language's image, and the tasks' calibrated time limits. The study and
// evaluate commands and cmd/studybench open their sessions with [Open].
package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Settings say what to open.
type Settings struct {
	Model   *ModelSettings  // nil: no model (an evaluation)
	Cache   *CacheSettings  // nil: no response cache
	Sandbox SandboxSettings // no sandbox when its Language is nil
	Logger  *slog.Logger
}

// ModelSettings say which model to ask.
type ModelSettings struct {
	Name    string
	BaseURL string // default $OPENAI_BASE_URL, else llm.DefaultBaseURL
	APIKey  string // default $OPENAI_API_KEY
	// Sim starts the simulated model in this process, knowing the tasks
	// of Dataset (read from DataDir).
	Sim              *rundir.SimInfo
	Dataset, DataDir string
	Concurrency      int           // requests in flight
	Timeout          time.Duration // of one HTTP request; 0: the client's default
}

// CacheSettings say where the response cache is.
type CacheSettings struct {
	Dir string // "" : $SELFREPAIR_CACHE or the user's cache directory
}

// SandboxSettings say how programs run.
type SandboxSettings struct {
	Language  languages.Language
	Image     string // default the language's
	Isolation sandbox.Isolation
	Size      int
	Limits    sandbox.Limits
	Spare     int    // warm containers beyond Size (sandbox.Options.Spare)
	HashSeed  string // seeds the language's hashing (Language.SeedEnv); "" leaves it random
	RunID     string
}

// Session is what a run works with; Close releases it.
type Session struct {
	// The model: its client, its base URL (without credentials), its
	// identity in cache keys, and the in-process simulator's settings.
	Client   *llm.Client
	URL      string
	Identity string
	Sim      *rundir.SimInfo

	Cache     *llm.Cache
	CacheInfo rundir.CacheInfo

	Language languages.Language
	Sandbox  *sandbox.Sandbox
	Image    string
	ImageID  string

	size    int // sandbox jobs at once
	log     *slog.Logger
	sniff   *simSniffer
	closers []func()
}

// Open opens what s asks for; on an error, nothing stays open.
func Open(ctx context.Context, s Settings) (_ *Session, err error) {
	ss := &Session{log: cmp.Or(s.Logger, slog.New(slog.DiscardHandler)), Language: s.Sandbox.Language}
	defer func() {
		if err != nil {
			ss.Close()
		}
	}()
	if s.Model != nil {
		if err := ss.openModel(ctx, *s.Model); err != nil {
			return nil, err
		}
	}
	if s.Cache != nil {
		if err := ss.openCache(s.Cache.Dir); err != nil {
			return nil, err
		}
	}
	if s.Sandbox.Language != nil {
		if err := ss.openSandbox(ctx, s.Sandbox); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// Close releases everything the session opened, last opened first.
func (s *Session) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// Simulator reports whether the model is selfrepair's simulator: started
// here, or an endpoint that answered as one.
func (s *Session) Simulator() bool { return s.Sim != nil || s.sniff != nil && s.sniff.seen.Load() }

// simSniffer notices responses of the simulator (header X-Selfrepair-Simulator).
type simSniffer struct {
	base http.RoundTripper
	seen atomic.Bool
}

func (s *simSniffer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(req)
	if err == nil && resp.Header.Get("X-Selfrepair-Simulator") != "" {
		s.seen.Store(true)
	}
	return resp, err
}

// openModel starts the simulator if asked, makes the client and checks
// that the endpoint serves the model: a wrong URL, key or model is one
// error here rather than hundreds of failed requests.
func (s *Session) openModel(ctx context.Context, m ModelSettings) error {
	base := m.BaseURL
	if m.Sim != nil {
		faults := sim.Faults{RetryAfter: 200 * time.Millisecond}
		if r := m.Sim.FaultRate / 5; r > 0 {
			faults.RateLimit, faults.ServerError, faults.Hang, faults.Malformed, faults.Truncated = r, r, r, r, r
		}
		srv, err := sim.New(sim.Options{
			Seed: m.Sim.Seed, Models: []string{m.Name}, Datasets: []string{m.Dataset}, DataDir: m.DataDir,
			Languages: []languages.Language{s.Language},
			Latency:   time.Duration(m.Sim.LatencyMS) * time.Millisecond, Faults: faults,
		})
		if err != nil {
			return err
		}
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("cannot start the simulator: %w", err)
		}
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.Serve(sctx, ln)
		}()
		s.closers = append(s.closers, func() { cancel(); <-done })
		base = "http://" + ln.Addr().String() + "/v1"
		s.Sim = m.Sim
		s.Identity = fmt.Sprintf("selfrepair-sim (in process, seed %d)", m.Sim.Seed)
		s.log.Info("using the SIMULATED code model (agent/sim, a test double, not a real LLM)", "url", base, "model", m.Name)
	}
	base = cmp.Or(base, os.Getenv("OPENAI_BASE_URL"), llm.DefaultBaseURL)
	key := cmp.Or(m.APIKey, os.Getenv("OPENAI_API_KEY"))
	if m.Sim != nil {
		key = cmp.Or(m.APIKey, "unused")
	}
	s.URL = llm.Endpoint(base)
	s.Identity = cmp.Or(s.Identity, s.URL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = m.Concurrency
	s.sniff = &simSniffer{base: tr}
	hc := &http.Client{Transport: s.sniff}
	var err error
	s.Client, err = llm.New(llm.Options{BaseURL: base, APIKey: key, Timeout: m.Timeout, Concurrency: m.Concurrency,
		HTTPClient: hc, Logger: s.log})
	if err != nil {
		return err
	}
	// Fail fast: a client that gives up soon, for the model list.
	pre, err := llm.New(llm.Options{BaseURL: base, APIKey: key, Timeout: min(cmp.Or(m.Timeout, 30*time.Second), 30*time.Second),
		MaxRetries: 2, HTTPClient: hc})
	if err != nil {
		return err
	}
	ids, err := pre.Models(ctx)
	var le *llm.Error
	switch {
	case errors.As(err, &le) && le.Kind == llm.KindNotFound:
		s.log.Debug("the endpoint lists no models; the first request will tell", "url", s.URL)
	case err != nil:
		return err
	case !slices.Contains(ids, m.Name):
		served := ids
		if len(served) > 8 {
			served = append(served[:8:8], "…")
		}
		return fmt.Errorf("model %q is not served by %s (it serves: %s)", m.Name, s.URL, strings.Join(served, ", "))
	}
	return nil
}

func (s *Session) openCache(dir string) error {
	if dir == "" {
		var err error
		if dir, err = llm.DefaultCacheDir(); err != nil {
			return err
		}
	}
	c, err := llm.OpenCache(dir)
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	s.Cache, s.CacheInfo = c, rundir.CacheInfo{Dir: dir, Enabled: true}
	return nil
}

// openSandbox connects to the engine and starts the sandbox.
func (s *Session) openSandbox(ctx context.Context, o SandboxSettings) error {
	if o.Language == nil {
		return errors.New("session: no language")
	}
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, func() { eng.Close() })
	s.Image = cmp.Or(o.Image, o.Language.ImageRef())
	info, err := eng.Image(ctx, s.Image)
	if err != nil {
		return err
	}
	s.ImageID = info.ID
	var env map[string]string
	if o.HashSeed != "" {
		env = o.Language.SeedEnv(o.HashSeed)
	}
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: s.Image, Isolation: o.Isolation, Size: o.Size, Spare: o.Spare,
		Limits: o.Limits, Env: env, RunID: o.RunID, Preload: o.Language.Preload(), Logger: s.log})
	if err != nil {
		return err
	}
	s.Sandbox, s.size = sb, o.Size
	s.closers = append(s.closers, func() {
		if err := sb.Close(); err != nil {
			s.log.Warn("could not remove every sandbox container", "err", err)
		}
	})
	return nil
}

// TimeLimits are the time limits of ds's tasks that have a reference
// solution: factor times the reference's runtime in this sandbox on the
// given suites, never less than floor (evaluate.Calibrate: as EvalPlus
// does, so that a correct answer never times out on a slower machine).
// Runtimes are measured once per image and harness, and kept; progress,
// if set, is called after each task measured.
func (s *Session) TimeLimits(ctx context.Context, ds *tasks.Dataset, suites []languages.Suite, floor time.Duration, factor float64,
	progress func(done, total int)) (map[string]time.Duration, error) {
	measured := &tasks.Dataset{Name: ds.Name, Hash: ds.Hash}
	for _, t := range ds.Tasks {
		if t.Reference != "" {
			measured.Tasks = append(measured.Tasks, t)
		}
	}
	if len(measured.Tasks) == 0 {
		return nil, nil
	}
	cal := evaluate.DefaultCalibration()
	cal.Language, cal.Floor, cal.Factor, cal.Suites = s.Language, floor, factor, suites
	cal.Image, cal.Cache, cal.Workers, cal.Progress = s.ImageID, evaluate.CacheDir(), s.size, progress
	return evaluate.Calibrate(ctx, s.Sandbox, measured, cal)
}
