// Package sim is a simulated code model: an OpenAI-compatible HTTP server
// (a test double of a chat completions endpoint) that answers selfrepair's
// tasks the way a code model would.
//
// No real model is reachable from selfrepair's build machines, so `make demo`
// and the tests talk to this server exactly as to a real endpoint. It serves
//
//	POST /v1/chat/completions   non-streaming chat completions
//	GET  /v1/models             the simulated model ids
//	GET  /v1/models/{id}
//
// and marks every completion with system_fingerprint "selfrepair-sim".
//
// # Wire contract
//
// The task is recognised by its prompt text anywhere in a message (user
// messages first, in order; then system messages), with white space and
// line ends normalised: HumanEval's prompt (or, as the language's coder
// reads it, its function header and documentation), MBPP's problem text.
// A request is a first attempt when no assistant message follows the
// message holding the task; it is a repair attempt when one does and user
// (or tool) messages follow the last assistant message: those are the
// feedback. A first attempt is the task's reference solution with
// probability Options.FirstPass, or else a realistic faulty variant made by
// the coder of the task's language (languages.Coder) mutating the
// reference (a syntax, name, assertion, type, index or timeout failure). A
// repair attempt fixes the failure with its class's probability
// (Options.RepairRates), or else gives another faulty variant (half the
// time of the same class). The class comes from the feedback: an explicit
// "error class: <class>" line (or JSON "error_class": "<class>") wins; else
// the last of the language's own failure words in it (for Python an
// exception name such as SyntaxError, NameError or IndexError, classified
// as its judge does) or phrase "timed out"/"timeout", "memory limit",
// "output limit"; else "assert", "wrong answer" or "expected ... got" mean
// assertion. Feedback naming no class is repaired at the other-runtime
// rate. An unknown task gets the first language's generic stub, never an
// error.
//
// Answers are deterministic: choice i of a request is a pure function of
// Options.Seed, the model, the messages, the request's seed and temperature,
// and i. A caller that wants independent samples of one prompt sends a
// different seed per sample.
//
// Answers look like a chat model's: a block fenced with the language's
// info string (```python), often a sentence before it, sometimes one after,
// rarely a <think>...</think> preamble. The code inside is what the coder
// presents: for completion-style tasks (HumanEval) the whole function or
// its body alone; for program-style tasks (MBPP) the whole program.
//
// # Repository tasks
//
// Options.Repos are repository tasks (selfrepair fix), each known by the
// files of its fixed version. A request is one of them when a user message
// shows a file of its fix the way package edit reads a whole file: the path
// on a line and the content fenced below it (the latest user message showing
// a path wins). Of the tasks with shown files, the one whose shown files are
// fewest changed lines from its fixed version is the request's, ties going by
// name; files it does not show are not edited, and when every shown file is
// already fixed the answer says so with no edits. The request's first user
// message holds the task; first and repair attempts are told apart as above.
//
// The answer is a sentence and the fix as SEARCH/REPLACE blocks, one per
// hunk of a line diff between the shown and the fixed file, each with the
// context that makes its SEARCH part match one place. A first attempt is the
// fix with probability Options.FirstPass; else it has one of the faults
// models make, drawn uniformly among those the request allows: wrong-fix (a
// block that applies but makes other code), shifted-indentation (the blocks
// indented 4 spaces off, which edit.Apply's indentation matching recovers),
// ambiguous (a SEARCH part of one line that occurs several times in the
// file, or that occurs nowhere), test-file-edit (the fix and an edit of a
// shown test file) or whole-file (the fixed files whole, no blocks). A repair
// attempt is the fix with probability Options.RepoRepairRate (default 1).
//
// # Faults
//
// For tests and dry runs the server can add latency and inject faults at
// chosen rates: 429s with Retry-After, 500s, requests that never answer,
// malformed JSON and truncated bodies. Faults never change the answer: they
// are drawn from a hash of the seed, the request body and how many times the
// server has seen that body, so a retried request gets a fresh draw and in
// the end the same answer as a server without faults.
package sim

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// DefaultModel is the model id served when Options.Models is empty.
const DefaultModel = "selfrepair-sim"

// DefaultFirstPass is the default probability that a first attempt is right.
// It is a placeholder, not a measurement: instruction-tuned models of 2024-25
// score about 0.6-0.9 pass@1 on HumanEval.
const DefaultFirstPass = 0.6

// DefaultRepairRates returns the default probability, per error class, that
// a repair attempt fixes a failure of that class.
//
// Source: "How Many Tries Does It Take? Iterative Self-Repair in LLM Code
// Generation Across Model Scales and Benchmarks" (arXiv:2604.10508, April
// 2026; seven models, HumanEval and MBPP-sanitized, up to four repair
// rounds). Two numbers come from it: assertion errors are repaired at about
// 45%, name errors at about 77% (a small sample: 13 cases). It reports syntax
// errors as repaired "at substantially higher rates" than assertion errors
// without a figure we could read. Every other value is a PLACEHOLDER chosen
// between those anchors (errors whose traceback points at the line rank
// nearer name errors; timeouts and memory, which give no line, rank below
// assertion errors), to be replaced by the study's per-class table.
func DefaultRepairRates() map[languages.Class]float64 {
	return map[languages.Class]float64{
		languages.Assertion:    0.45, // the study
		languages.Name:         0.77, // the study (n = 13)
		languages.Syntax:       0.85, // placeholder ("substantially higher" than assertion)
		languages.Type:         0.65, // placeholder
		languages.Value:        0.55, // placeholder
		languages.Index:        0.60, // placeholder
		languages.Key:          0.60, // placeholder
		languages.Attribute:    0.70, // placeholder
		languages.Import:       0.80, // placeholder
		languages.Recursion:    0.50, // placeholder
		languages.ZeroDivision: 0.65, // placeholder
		languages.OtherRuntime: 0.50, // placeholder; also feedback with no recognisable class
		languages.Timeout:      0.40, // placeholder
		languages.Memory:       0.40, // placeholder
		languages.OutputLimit:  0.50, // placeholder
	}
}

// DefaultFailureMix returns the default relative weights of the classes of
// faulty answers. PLACEHOLDER values: logic (assertion) failures dominate
// model failures on HumanEval and MBPP in the self-repair literature.
func DefaultFailureMix() map[languages.Class]float64 {
	return map[languages.Class]float64{
		languages.Assertion: 0.50,
		languages.Name:      0.10,
		languages.Syntax:    0.06,
		languages.Type:      0.12,
		languages.Index:     0.10,
		languages.Timeout:   0.12,
	}
}

// Options configure a Server.
type Options struct {
	// Seed makes a different, equally deterministic simulated model.
	Seed uint64
	// Models are the model ids served (default DefaultModel). The model is
	// part of every answer's seed.
	Models []string
	// APIKey, if set, is the Bearer token every request must carry.
	APIKey string
	// Datasets are the task sets to recognise, as named for tasks.Load
	// (default "humaneval"); DataDir is where they are read from.
	Datasets []string
	DataDir  string
	// Languages write the answers, each to the tasks in its language; the
	// first also answers requests whose task nobody recognised. At least
	// one is needed.
	Languages []languages.Language
	// FirstPass is the probability that a first attempt is the reference
	// solution (of a repository task, the fix). Zero means
	// DefaultFirstPass; a negative value means 0.
	FirstPass float64
	// Repos are the repository tasks the simulator knows, each by the
	// files of its fixed version.
	Repos []Repo
	// RepoRepairRate is the probability that a repair attempt of a
	// repository task is the fix. Zero means 1; a negative value means 0.
	RepoRepairRate float64
	// FailureMix weights the error classes of faulty answers (syntax, name,
	// assertion, type, index, timeout). Nil means DefaultFailureMix.
	FailureMix map[languages.Class]float64
	// RepairRates override DefaultRepairRates per class.
	RepairRates map[languages.Class]float64
	// Latency delays every completion; Jitter adds a uniform extra delay in
	// [0, Jitter).
	Latency, Jitter time.Duration
	// Faults are the rates of injected faults.
	Faults Faults
	// Logger gets a debug line per completion (nil: none).
	Logger *slog.Logger
}

// Faults are per-request probabilities of injected faults on chat
// completions; they add up to at most 1.
type Faults struct {
	RateLimit   float64 // 429 with a Retry-After header
	ServerError float64 // 500
	Hang        float64 // no answer until the client gives up or the server closes
	Malformed   float64 // 200 whose body is not valid JSON
	Truncated   float64 // 200 whose body stops halfway through its declared length
	// RetryAfter is the delay the 429s ask for (default 1s).
	RetryAfter time.Duration
}

func (f Faults) total() float64 {
	return f.RateLimit + f.ServerError + f.Hang + f.Malformed + f.Truncated
}

// Server is the simulator: an http.Handler.
type Server struct {
	seed       uint64
	models     []string
	apiKey     string
	entries    []*entry
	repos      []*repoTask // by name
	firstPass  float64
	repoRepair float64
	mix        []classWeight
	repair     map[languages.Class]float64
	latency    time.Duration
	jitter     time.Duration
	faults     Faults
	log        *slog.Logger
	feedback   feedbackRules
	languages  []*language // the first answers unknown tasks
	mux        *http.ServeMux

	quit      chan struct{} // closed by Close: releases hung and delayed requests
	closeOnce sync.Once

	mu   sync.Mutex
	seen map[[sha256.Size]byte]int // times each request body was seen
}

// language is what the simulator uses of a language.
type language struct {
	name  string
	words languages.Words
	coder languages.Coder
}

// languageOf is the language of e's task, or the first language when e is
// nil or of a language the server does not have.
func (s *Server) languageOf(e *entry) *language {
	if e != nil && e.lang != nil {
		return e.lang
	}
	return s.languages[0]
}

type classWeight struct {
	class  languages.Class
	weight float64
}

// maxSeen bounds the memory of request bodies seen; past it the memory is
// cleared (retries of older requests then draw their faults afresh).
const maxSeen = 1 << 20

// New makes a server, loading its datasets.
func New(o Options) (*Server, error) {
	s := &Server{
		seed:     o.Seed,
		models:   slices.Clone(o.Models),
		apiKey:   o.APIKey,
		latency:  o.Latency,
		jitter:   o.Jitter,
		faults:   o.Faults,
		log:      o.Logger,
		feedback: newFeedbackRules(),
		quit:     make(chan struct{}),
		seen:     map[[sha256.Size]byte]int{},
	}
	if len(s.models) == 0 {
		s.models = []string{DefaultModel}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case o.FirstPass == 0:
		s.firstPass = DefaultFirstPass
	case o.FirstPass < 0:
		s.firstPass = 0
	case o.FirstPass > 1 || math.IsNaN(o.FirstPass):
		return nil, fmt.Errorf("sim: first-pass probability %v is not in [0, 1]", o.FirstPass)
	default:
		s.firstPass = o.FirstPass
	}
	switch r := o.RepoRepairRate; {
	case r == 0:
		s.repoRepair = 1
	case r < 0:
		s.repoRepair = 0
	case r > 1 || math.IsNaN(r):
		return nil, fmt.Errorf("sim: repository repair rate %v is not in [0, 1]", r)
	default:
		s.repoRepair = r
	}
	repos, err := newRepos(o.Repos)
	if err != nil {
		return nil, err
	}
	s.repos = repos
	s.repair = DefaultRepairRates()
	for c, p := range o.RepairRates {
		if !knownClass(c) {
			return nil, fmt.Errorf("sim: repair rate for unknown error class %q", c)
		}
		if p < 0 || p > 1 || math.IsNaN(p) {
			return nil, fmt.Errorf("sim: repair rate %v for %s is not a probability", p, c)
		}
		s.repair[c] = p
	}
	mix := o.FailureMix
	if mix == nil {
		mix = DefaultFailureMix()
	}
	for _, c := range faultyClasses() {
		if w := mix[c]; w > 0 {
			s.mix = append(s.mix, classWeight{c, w})
		}
	}
	for c, w := range mix {
		if !isFaulty(c) {
			return nil, fmt.Errorf("sim: failure mix: the simulator does not make %q failures (it makes %v)", c, faultyClasses())
		}
		if w < 0 || math.IsNaN(w) {
			return nil, fmt.Errorf("sim: failure mix: weight %v for %s is negative", w, c)
		}
	}
	if len(s.mix) == 0 && s.firstPass < 1 {
		return nil, errors.New("sim: the failure mix gives no class a positive weight")
	}
	f := o.Faults
	for _, r := range []float64{f.RateLimit, f.ServerError, f.Hang, f.Malformed, f.Truncated} {
		if r < 0 || r > 1 || math.IsNaN(r) {
			return nil, fmt.Errorf("sim: fault rate %v is not a probability", r)
		}
	}
	if f.total() > 1+1e-9 {
		return nil, fmt.Errorf("sim: fault rates add up to %v, above 1", f.total())
	}
	if s.faults.RetryAfter <= 0 {
		s.faults.RetryAfter = time.Second
	}
	if o.Latency < 0 || o.Jitter < 0 {
		return nil, errors.New("sim: negative latency")
	}
	if len(o.Languages) == 0 {
		return nil, errors.New("sim: no languages to write answers in")
	}
	byName := map[string]*language{}
	for _, l := range o.Languages {
		sl := &language{name: l.Name(), words: l.Words(), coder: l.Coder()}
		s.languages = append(s.languages, sl)
		byName[sl.name] = sl
	}
	datasets := o.Datasets
	if len(datasets) == 0 {
		datasets = []string{"humaneval"}
	}
	for _, name := range datasets {
		ds, err := tasks.Load(name, o.DataDir)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		for _, t := range ds.Tasks {
			s.entries = append(s.entries, newEntry(t, ds.Name, byName[t.Language]))
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/v1/chat/completions", s.handleChat)
	s.mux.HandleFunc("/v1/models", s.handleModels)
	s.mux.HandleFunc("/v1/models/{model...}", s.handleModel)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "",
			fmt.Sprintf("Unknown request URL: %s %s. The simulator serves /v1/chat/completions and /v1/models.", r.Method, r.URL.Path))
	})
	return s, nil
}

func knownClass(c languages.Class) bool {
	for _, k := range languages.Classes() {
		if k == c && c != languages.Pass {
			return true
		}
	}
	return false
}

// FailureClasses returns the error classes of the simulator's faulty
// answers: the classes Options.FailureMix may weight.
func FailureClasses() []languages.Class { return faultyClasses() }

// faultyClasses are the classes the mutators aim at.
func faultyClasses() []languages.Class {
	return []languages.Class{languages.Syntax, languages.Name, languages.Assertion, languages.Type, languages.Index, languages.Timeout}
}

func isFaulty(c languages.Class) bool {
	for _, k := range faultyClasses() {
		if k == c {
			return true
		}
	}
	return false
}

// Models returns the model ids the server answers for.
func (s *Server) Models() []string { return append([]string(nil), s.models...) }

// Tasks returns how many tasks the server recognises.
func (s *Server) Tasks() int { return len(s.entries) }

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Selfrepair-Simulator", "1")
	s.mux.ServeHTTP(w, r)
}

// Close releases the requests that hang or wait out their latency; later
// injected hangs end at once. It does not stop a listener: see Serve.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.quit) })
	return nil
}

// Serve answers requests on ln until ctx is done, then shuts down: it
// closes the server (see Close), and requests still running get up to five
// seconds to finish. It returns nil after a shutdown caused by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		select {
		case <-ctx.Done():
		case <-stopped:
			done <- nil
			return
		}
		s.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- hs.Shutdown(sctx)
	}()
	err := hs.Serve(ln)
	close(stopped)
	serr := <-done
	if errors.Is(err, http.ErrServerClosed) {
		return serr
	}
	return err
}

// ListenAndServe listens on addr (host:port) and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return s.Serve(ctx, ln)
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.apiKey == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.apiKey)) == 1 {
		return true
	}
	msg := "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
	if ok {
		msg = "Incorrect API key provided. This is the selfrepair simulator: use the key it was started with."
	}
	writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "", msg)
	return false
}

func (s *Server) hasModel(id string) bool {
	for _, m := range s.models {
		if m == id {
			return true
		}
	}
	return false
}

func modelNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", "",
		fmt.Sprintf("The model `%s` does not exist", id))
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", "",
		"Method not allowed: use "+allow+".")
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, http.MethodGet)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	list := modelList{Object: "list"}
	for _, id := range s.models {
		list.Data = append(list.Data, model{ID: id, Object: "model", Created: epoch, OwnedBy: Owner})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, http.MethodGet)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("model")
	if !s.hasModel(id) {
		modelNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, model{ID: id, Object: "model", Created: epoch, OwnedBy: Owner})
}

// maxBody bounds a request body.
const maxBody = 16 << 20

// maxChoices bounds n.
const maxChoices = 128

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large", "",
				fmt.Sprintf("The request body is larger than %d bytes.", maxBody))
		}
		return // the client went away
	}
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "",
			"We could not parse the JSON body of your request: "+err.Error())
		return
	}
	switch {
	case req.Stream:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "unsupported_parameter", "stream",
			"Streaming is not supported by the selfrepair simulator: send stream=false.")
		return
	case req.Model == "":
		writeError(w, http.StatusBadRequest, "invalid_request_error", "missing_required_parameter", "model",
			"You must provide a model parameter.")
		return
	case !s.hasModel(req.Model):
		modelNotFound(w, req.Model)
		return
	case len(req.Messages) == 0:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "empty_array", "messages",
			"'messages' must contain at least one message.")
		return
	}
	n := 1
	if req.N != nil {
		n = *req.N
	}
	if n < 1 || n > maxChoices {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "integer_out_of_range", "n",
			fmt.Sprintf("n must be between 1 and %d, got %d.", maxChoices, n))
		return
	}

	f := s.drawFault(body)
	if f.kind != faultNone {
		s.log.Debug("sim fault", "fault", f.kind.String(), "delay", f.delay)
	}
	if !s.wait(r.Context(), f.delay) {
		return // the client gave up
	}
	switch f.kind {
	case faultRateLimit:
		secs := int(math.Ceil(s.faults.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", fmt.Sprint(max(secs, 1)))
		w.Header().Set("Retry-After-Ms", fmt.Sprint(s.faults.RetryAfter.Milliseconds()))
		writeError(w, http.StatusTooManyRequests, "requests", "rate_limit_exceeded", "",
			"Rate limit reached for requests (simulated fault). Please try again later.")
		return
	case faultServerError:
		writeError(w, http.StatusInternalServerError, "server_error", "", "",
			"The server had an error while processing your request (simulated fault).")
		return
	case faultHang:
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			panic(http.ErrAbortHandler) // close the connection without an answer
		}
	}

	resp := s.complete(&req, n)
	b, err := json.Marshal(resp)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", "", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch f.kind {
	case faultMalformed:
		cut := len(b) / 3
		bad := append(append([]byte(nil), b[:cut]...), "\x00<!-- upstream reset -->}{"...)
		w.Header().Set("Content-Length", fmt.Sprint(len(bad)))
		w.Write(bad)
	case faultTruncated:
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		w.Write(b[:len(b)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		// Returning short of the declared length makes net/http close the
		// connection: the client reads an unexpected EOF.
	default:
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		w.Write(b)
	}
}

// wait sleeps d unless the client goes away (false) or the server closes.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.quit:
		return true
	case <-ctx.Done():
		return false
	}
}
