package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Isolation says how containers are shared between jobs.
type Isolation string

const (
	// Pooled keeps warm containers and resets them between jobs; a container
	// whose job timed out, ran out of memory or left state is replaced.
	Pooled Isolation = "pooled"
	// Fresh runs every job in a container of its own, never used before
	// and removed after it; containers are started ahead of the jobs.
	Fresh Isolation = "fresh"
)

// ParseIsolation reads an isolation mode name.
func ParseIsolation(s string) (Isolation, error) {
	switch Isolation(s) {
	case Pooled, Fresh:
		return Isolation(s), nil
	}
	return "", fmt.Errorf("unknown isolation %q (want pooled or fresh)", s)
}

// Options configure a Sandbox.
type Options struct {
	Image     string
	Isolation Isolation // default Pooled
	Size      int       // jobs at once; default the number of CPUs
	// Spare are containers kept warm beyond Size, so that a job whose
	// container was just retired (after a timeout, or after every job in
	// fresh mode) need not wait for a new one to start; default 1, negative
	// for none.
	Spare  int
	Limits Limits // defaults for jobs, and the container limits of the pool (see Sandbox); zero fields take DefaultLimits
	// Env is added to the environment of every job: a language's seed of
	// its hashing (languages.Language.SeedEnv), say.
	Env   map[string]string
	RunID string // label of this run's containers; default random
	// Preload are trusted harness sources (Job.Harness.Source) loaded once
	// when a container starts, so that jobs using them start faster.
	Preload []string
	// Lease is how long the run's containers outlive this process if it
	// stops renewing their lease (see Sweep); default DefaultLease.
	Lease  time.Duration
	Logger *slog.Logger
}

// Sandbox runs jobs in containers of one image.
//
// Its warm containers are made with the sandbox's limits (Options.Limits,
// filled from DefaultLimits). A job's Timeout, BuildTimeout, OutputLimit,
// FileSize and OpenFiles apply per job, in a warm container too; its
// container limits (Memory, CPUs, Pids, ScratchSize) are fixed when a
// container is made, so a job whose container limits differ from the
// sandbox's runs in a cold container made for it and removed after it. That
// is slower, and logged (at Info, once per distinct set of limits): give the
// sandbox the limits its jobs use.
type Sandbox struct {
	eng    Backend
	opts   Options
	limits Limits
	labels map[string]string
	log    *slog.Logger

	slots chan struct{} // one per job running
	idle  chan *box     // warm pooled containers

	mu       sync.Mutex
	live     map[string]*box // every container we own
	warm     int             // pooled containers alive or starting
	failures int             // pooled starts that failed in a row
	startErr error           // the last of them
	closed   bool
	bg       sync.WaitGroup
	stop     context.CancelFunc
	bgCtx    context.Context
	records  []string                 // the lease records (see Sweep)
	offPool  map[containerLimits]bool // container limits of jobs run cold, logged once each
}

// New checks the engine and the image, removes containers that crashed runs
// left behind, takes the run's lease, and (pooled) starts warming
// containers.
func New(ctx context.Context, eng Backend, opts Options) (*Sandbox, error) {
	if opts.Isolation == "" {
		opts.Isolation = Pooled
	}
	if opts.Size <= 0 {
		opts.Size = max(runtime.NumCPU(), 2)
	}
	switch {
	case opts.Spare == 0:
		opts.Spare = 1
	case opts.Spare < 0:
		opts.Spare = 0
	}
	if opts.RunID == "" {
		opts.RunID = NewRunID()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if _, err := eng.Image(ctx, opts.Image); err != nil {
		return nil, err
	}
	if _, err := Sweep(ctx, eng, false); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	s := &Sandbox{
		eng:    eng,
		opts:   opts,
		limits: opts.Limits.withDefaults(DefaultLimits()),
		labels: map[string]string{
			labelTool:    "selfrepair",
			labelRun:     opts.RunID,
			labelOwner:   host + ":" + strconv.Itoa(os.Getpid()),
			labelCreated: time.Now().UTC().Format(time.RFC3339),
		},
		log:     opts.Logger,
		slots:   make(chan struct{}, opts.Size),
		idle:    make(chan *box, opts.Size+opts.Spare),
		live:    make(map[string]*box),
		offPool: make(map[containerLimits]bool),
	}
	s.bgCtx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := s.renewLease(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.keepLease(s.bgCtx)
	}()
	// The first container starts now, so that a broken image or engine is
	// one clear error here rather than jobs that never start.
	b, err := s.start(ctx, s.limits.container())
	if err != nil {
		s.Close()
		return nil, err
	}
	s.warm = 1
	s.idle <- b
	for range s.poolSize() - 1 {
		s.refill()
	}
	return s, nil
}

// NewRunID returns a fresh random run id.
func NewRunID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// poolSize is how many pooled containers are kept.
func (s *Sandbox) poolSize() int { return s.opts.Size + s.opts.Spare }

// RunID is the label value of this sandbox's containers.
func (s *Sandbox) RunID() string { return s.opts.RunID }

// Size is how many jobs run at once.
func (s *Sandbox) Size() int { return s.opts.Size }

// Limits are the limits a job gets when it sets none.
func (s *Sandbox) Limits() Limits { return s.limits }

func (s *Sandbox) spec(l containerLimits) containerSpec {
	return containerSpec{Image: s.opts.Image, Limits: l, Env: s.opts.Env, Labels: s.leaseLabels(time.Now()), Preload: s.opts.Preload}
}

// refill starts one pooled container in the background.
func (s *Sandbox) refill() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.warm++
	s.bg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.bg.Done()
		b, err := s.start(s.bgCtx, s.limits.container())
		s.mu.Lock()
		if err != nil {
			s.warm--
			s.failures++
			s.startErr = err
		} else {
			s.failures = 0
		}
		s.mu.Unlock()
		if err != nil {
			if s.bgCtx.Err() == nil {
				s.log.Warn("could not warm a sandbox container", "err", err)
			}
			return
		}
		s.idle <- b
	}()
}

func (s *Sandbox) start(ctx context.Context, l containerLimits) (*box, error) {
	b, err := startBox(ctx, s.eng, s.spec(l))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		go b.destroy(context.Background(), s.eng)
		return nil, errors.New("sandbox closed")
	}
	s.live[b.id] = b
	return b, nil
}

func (s *Sandbox) discard(b *box) {
	s.mu.Lock()
	delete(s.live, b.id)
	s.bg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.bg.Done()
		if err := b.destroy(context.Background(), s.eng); err != nil {
			s.log.Warn("could not remove a sandbox container", "container", short(b.id), "err", err)
		}
	}()
}

// Run runs one job and reports what it did. An error is a failure of the
// sandbox, never of the program.
func (s *Sandbox) Run(ctx context.Context, job Job) (*Result, error) {
	if len(job.Argv) == 0 && job.Harness == nil {
		return nil, errors.New("sandbox: job has no command")
	}
	l := job.Limits.withDefaults(s.limits)
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.slots }()

	// Jobs with the sandbox's own container limits take a warm container;
	// others get one made for them.
	warm := l.container() == s.limits.container()
	var b *box
	var err error
	if warm {
		b, err = s.warmBox(ctx)
	} else {
		s.noteOffPool(l.container())
		b, err = s.start(ctx, l.container())
	}
	if err != nil {
		return nil, err
	}
	res, reusable, err := b.run(ctx, s.eng, job, l)
	if warm && s.opts.Isolation == Pooled && reusable && err == nil {
		s.idle <- b
		return res, nil
	}
	s.discard(b)
	if warm {
		s.mu.Lock()
		s.warm--
		s.mu.Unlock()
		s.refill()
	}
	return res, err
}

// noteOffPool logs, once per distinct set, container limits that differ
// from the pool's.
func (s *Sandbox) noteOffPool(l containerLimits) {
	s.mu.Lock()
	seen := s.offPool[l]
	s.offPool[l] = true
	s.mu.Unlock()
	if seen {
		return
	}
	p := s.limits.container()
	s.log.Info("a job's container limits differ from the sandbox's: such jobs run in cold containers made for them",
		"memory", l.Memory, "cpus", l.CPUs, "pids", l.Pids, "scratch", l.ScratchSize,
		"pool_memory", p.Memory, "pool_cpus", p.CPUs, "pool_pids", p.Pids, "pool_scratch", p.ScratchSize)
}

// Warm waits until every warm container has started and is idle (or
// fails as a job would): a caller that times jobs calls it first, so that
// container start-up is not counted.
func (s *Sandbox) Warm(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		failing := s.failures >= maxStartFailures
		err := s.startErr
		s.mu.Unlock()
		switch {
		case len(s.idle) >= s.poolSize():
			return nil
		case failing:
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// maxStartFailures is how many pooled starts may fail in a row, with no
// container left, before jobs get the error instead of waiting.
const maxStartFailures = 3

// warmBox takes an idle pooled container, waiting for one if all are busy or starting.
func (s *Sandbox) warmBox(ctx context.Context) (*box, error) {
	for {
		select {
		case b := <-s.idle:
			return b, nil
		default:
		}
		s.mu.Lock()
		short := s.warm < s.poolSize()
		failing := s.failures >= maxStartFailures && s.warm == 0
		err := s.startErr
		s.mu.Unlock()
		if failing {
			return nil, err
		}
		if short {
			s.refill()
		}
		select {
		case b := <-s.idle:
			return b, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
			// a refill may have failed: look again
		}
	}
}

// Close removes every container of this sandbox and waits for background work.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	boxes := make([]*box, 0, len(s.live))
	for _, b := range s.live {
		boxes = append(boxes, b)
	}
	s.live = map[string]*box{}
	s.mu.Unlock()
	s.stop()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, b := range boxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.destroy(context.Background(), s.eng); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		}()
	}
	wg.Wait()
	s.bg.Wait()
	// Containers that were being created when we closed.
	if _, err := s.sweepRun(context.Background()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Sandbox) sweepRun(ctx context.Context) (int, error) {
	list, err := s.eng.List(ctx, labelRun+"="+s.opts.RunID)
	if err != nil {
		return 0, err
	}
	for _, c := range list {
		if err := s.eng.Remove(ctx, c.ID); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}
