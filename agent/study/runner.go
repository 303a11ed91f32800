package study

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
)

// sandboxTries is how many times a program whose sandbox failed is judged
// (a Problem's Judge may itself retry) before the run stops.
const sandboxTries = 3

// runner runs one session of a study.
type runner struct {
	study    *Study
	env      Env
	p        rundir.Params
	mode     prompt.Mode
	style    prompt.Style
	log      *slog.Logger
	problems []Problem
	index    map[string]int
	samples  []*sample // task-major
	app      *appender

	mu        sync.Mutex // guards what follows
	judged    map[string]*judgement
	tasksLeft []int // per task, samples not finished
	prog      Progress
	start     time.Time
	startDone int // samples finished when the session started
}

// sample is the state of one sample between its attempts.
type sample struct {
	task, index int
	seq         int  // position in the study's order (task-major)
	next        int  // the next round
	done        bool // passed, or out of rounds
	passed      bool // the last attempt passed

	// What the next round is built from (nil once done).
	prev        []prompt.Message // the last request
	answer      string           // the last answer
	feedback    string           // the feedback on it
	history     []past           // every earlier attempt's code and verdict
	reflections []string

	cur *rundir.Attempt // between the model and the judge
}

type past struct {
	codeHash string
	verdict  rundir.Verdict
	visible  *rundir.Verdict
}

// judgement is a program's verdicts, shared by every attempt of the
// session that runs the same program on the same task.
type judgement struct {
	done    chan struct{}
	v       rundir.Verdict
	visible *rundir.Verdict
	err     error
}

func (r *runner) newAttempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.prog.NewAttempts
}

// load reads the attempts recorded so far into the samples' states.
func (r *runner) load(ctx context.Context) error {
	count := 0
	_, err := rundir.ReadAttempts(ctx, r.study.Dir(), rundir.AllFields, func(n int, a *rundir.Attempt) error {
		ti, ok := r.index[a.TaskID]
		if !ok || a.Sample < 0 || a.Sample >= r.p.Samples {
			return fmt.Errorf("%s:%d: task %s sample %d is not part of this study", rundir.AttemptsFile, n, a.TaskID, a.Sample)
		}
		sm := r.samples[ti*r.p.Samples+a.Sample]
		if sm.done || a.Round != sm.next {
			return fmt.Errorf("%s:%d: task %s sample %d: round %d out of order (next round %d): the file is corrupt",
				rundir.AttemptsFile, n, a.TaskID, a.Sample, a.Round, sm.next)
		}
		r.advance(sm, a)
		count++
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	done, passed := 0, 0
	for _, sm := range r.samples {
		if sm.done {
			done++
			r.tasksLeft[sm.task]--
			if sm.passed {
				passed++
			}
		}
	}
	tasksDone := 0
	for _, left := range r.tasksLeft {
		if left == 0 {
			tasksDone++
		}
	}
	r.prog = Progress{
		Tasks: len(r.problems), TasksDone: tasksDone, Samples: len(r.samples), SamplesDone: done,
		SamplesPassed: passed, Attempts: count,
	}
	r.startDone = done
	if count > 0 {
		r.log.Info("resuming", "attempts", count, "samples done", fmt.Sprintf("%d/%d", done, len(r.samples)))
	}
	return nil
}

// advance moves a sample past its recorded attempt a.
func (r *runner) advance(sm *sample, a *rundir.Attempt) {
	sm.next = a.Round + 1
	sm.passed = a.Passed
	if r.p.Finished(a) {
		sm.done = true
		sm.prev, sm.answer, sm.feedback, sm.history, sm.reflections = nil, "", "", nil, nil
		return
	}
	sm.prev, sm.answer, sm.feedback = a.Messages, a.Response, a.Feedback
	sm.history = append(sm.history, past{codeHash: a.CodeHash, verdict: a.Verdict, visible: a.Visible})
	if a.Reflection != "" {
		sm.reflections = append(sm.reflections, a.Reflection)
	}
}

// run runs every unfinished sample in two stages joined by priority
// queues: Concurrency workers ask the model (a worker holds a request slot
// only while its request is in flight) and hand the answer to twice
// the sandbox's size of workers that judge it, record the attempt and, if the sample
// goes on, queue its next round for the model. Both queues serve the
// deepest round first.
func (r *runner) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.start = time.Now()
	conc := r.env.Concurrency
	if conc <= 0 {
		conc = r.p.Concurrency
	}
	ready, judging := newQueue(), newQueue()
	left := 0
	for _, sm := range r.samples {
		if !sm.done {
			ready.push(sm)
			left++
		}
	}
	if left == 0 {
		return nil
	}
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
		mu       sync.Mutex // guards left
	)
	fail := func(err error) {
		// Once ctx is done, errors are its consequences.
		if ctx.Err() != nil {
			return
		}
		once.Do(func() {
			firstErr = err
			cancel(err)
		})
	}
	for range conc {
		wg.Go(func() {
			for sm := ready.pop(ctx); sm != nil; sm = ready.pop(ctx) {
				if err := r.ask(ctx, sm); err != nil {
					fail(err)
					return
				}
				judging.push(sm)
			}
		})
	}
	for range 2 * max(r.env.Runner.Size(), 1) {
		wg.Go(func() {
			for sm := judging.pop(ctx); sm != nil; sm = judging.pop(ctx) {
				if err := r.finish(ctx, sm); err != nil {
					fail(err)
					return
				}
				if !sm.done {
					ready.push(sm)
					continue
				}
				mu.Lock()
				left--
				last := left == 0
				mu.Unlock()
				if last {
					ready.close()
					judging.close()
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// ask makes the request of a sample's next round and keeps the answer in
// sm.cur.
func (r *runner) ask(ctx context.Context, sm *sample) error {
	pr := r.problems[sm.task]
	round := sm.next
	first := pr.First()
	msgs := first
	if round > 0 {
		msgs = prompt.Next(r.style, r.mode, first, sm.prev, sm.answer, sm.feedback)
	}
	a := &rundir.Attempt{TaskID: pr.ID(), Sample: sm.index, Round: round, Seed: RequestSeed(r.p.Seed, pr.ID(), sm.index, round), Messages: msgs}
	req := llm.Request{
		Model: r.p.Model, Messages: toLLM(msgs), N: 1, Temperature: r.p.Temperature, TopP: r.p.TopP,
		MaxTokens: r.p.MaxTokens, Seed: &a.Seed,
	}
	res, err := r.complete(ctx, req)
	if err != nil {
		var le *llm.Error
		if !errors.As(err, &le) || le.Kind != llm.KindTooLong || ctx.Err() != nil {
			return err
		}
		// This prompt does not fit the model: the sample ends here.
		a.Status, a.LLMError = rundir.StatusTooLong, err.Error()
	} else {
		a.Response, a.FinishReason = res.Content, res.FinishReason
		a.PromptTokens, a.CompletionTokens = res.PromptTokens, res.CompletionTokens
		a.CacheHit, a.LLMAttempts, a.LLMMS = res.Hit, res.Attempts, res.LatencyMS
	}
	sm.cur = a
	return nil
}

// finish judges the answer in sm.cur, records the attempt and moves the
// sample on.
func (r *runner) finish(ctx context.Context, sm *sample) error {
	pr := r.problems[sm.task]
	a := sm.cur
	sm.cur = nil
	if a.Status != rundir.StatusTooLong {
		if err := r.judgeAttempt(ctx, pr, sm, a); err != nil {
			return err
		}
	}
	reflections := sm.reflections
	if r.mode == prompt.Reflexion && a.Round > 0 && a.Response != "" {
		a.Reflection = prompt.Reflection(a.Response)
		if a.Reflection != "" {
			reflections = append(reflections[:len(reflections):len(reflections)], a.Reflection)
		}
	}
	if !r.p.Finished(a) && r.mode != prompt.None {
		v := a.Verdict
		if a.Visible != nil {
			v = *a.Visible
		}
		o := pr.Feedback()
		o.TracebackBudget, o.Reflections = r.p.TracebackBudget, reflections
		a.Feedback = prompt.Feedback(r.mode, failure(v, a.StallOf), o)
	}
	a.Time = time.Now().UTC()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.app.append(a); err != nil {
		return err
	}
	r.advance(sm, a)
	r.recorded(sm, a)
	return nil
}

// judgeAttempt extracts the code of a's answer and sets a's verdicts:
// reused from an earlier attempt of the sample with the same code (a
// stall), or from the tests.
func (r *runner) judgeAttempt(ctx context.Context, pr Problem, sm *sample, a *rundir.Attempt) error {
	a.Code = pr.Code(a.Response)
	a.CodeHash = hashText(a.Code)
	for i, h := range sm.history {
		if h.codeHash == a.CodeHash {
			a.Stall, a.StallOf = true, &i
			a.Verdict, a.Visible = h.verdict, h.visible
			return nil
		}
	}
	program := pr.Program(a.Code)
	j, reused, run, total, err := r.judge(ctx, pr, program)
	if err != nil {
		return err
	}
	a.Verdict, a.Visible, a.Reused, a.RunMS, a.ExecMS = j.v, j.visible, reused, run, total
	return nil
}

// complete asks the model (or the cache) for one completion.
func (r *runner) complete(ctx context.Context, req llm.Request) (*llm.Answer, error) {
	return llm.Ask(ctx, r.env.Model, r.env.Cache, r.env.CacheIdentity, req, r.log)
}

// judge returns the verdicts of program on pr's tests. A program already
// judged (or being judged) in this session for the same problem is not run
// again: reused is true.
func (r *runner) judge(ctx context.Context, pr Problem, program string) (j *judgement, reused bool, runMS, totalMS float64, err error) {
	key := pr.ID() + "\x00" + hashText(program)
	r.mu.Lock()
	if j, ok := r.judged[key]; ok {
		r.mu.Unlock()
		select {
		case <-j.done:
		case <-ctx.Done():
			return nil, false, 0, 0, ctx.Err()
		}
		if j.err != nil {
			return nil, false, 0, 0, j.err
		}
		return j, true, 0, 0, nil
	}
	j = &judgement{done: make(chan struct{})}
	r.judged[key] = j
	r.mu.Unlock()

	var got Judgement
	got, j.err = r.execute(ctx, pr, program)
	if j.err != nil {
		r.mu.Lock()
		delete(r.judged, key)
		r.mu.Unlock()
		close(j.done)
		return nil, false, 0, 0, j.err
	}
	j.v, j.visible = got.Verdict, got.Visible
	close(j.done)
	return j, false, got.RunMS, got.TotalMS, nil
}

// execute judges program. A sandbox failure is never a verdict: it is
// retried, and if it persists the run stops.
func (r *runner) execute(ctx context.Context, pr Problem, program string) (Judgement, error) {
	for try := 1; ; try++ {
		j, err := pr.Judge(ctx, program)
		if cerr := ctx.Err(); cerr != nil {
			return j, cerr
		}
		r.mu.Lock()
		r.prog.Executions++
		r.mu.Unlock()
		if err == nil {
			return j, nil
		}
		if try == sandboxTries {
			return j, fmt.Errorf("the sandbox failed %d times running task %s: %w", 2*try, pr.ID(), err)
		}
		r.log.Warn("the sandbox failed; retrying", "task", pr.ID(), "err", err)
		select {
		case <-time.After(time.Duration(try) * time.Second):
		case <-ctx.Done():
			return j, ctx.Err()
		}
	}
}

func toLLM(msgs []prompt.Message) []llm.Message {
	out := make([]llm.Message, len(msgs))
	for i, m := range msgs {
		out[i] = llm.Message{Role: m.Role, Content: m.Content}
	}
	return out
}

// recorded updates the progress after attempt a of sm was recorded.
func (r *runner) recorded(sm *sample, a *rundir.Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &r.prog
	p.Attempts++
	p.NewAttempts++
	if a.CacheHit {
		p.CacheHits++
	} else {
		p.Requests++
	}
	p.PromptTokens += a.PromptTokens
	p.CompletionTokens += a.CompletionTokens
	if sm.done {
		p.SamplesDone++
		if sm.passed {
			p.SamplesPassed++
		}
		r.tasksLeft[sm.task]--
		if r.tasksLeft[sm.task] == 0 {
			p.TasksDone++
		}
	}
	p.Elapsed = time.Since(r.start)
	p.ETA = 0
	if done := p.SamplesDone - r.startDone; done > 0 {
		left := p.Samples - p.SamplesDone
		p.ETA = time.Duration(float64(p.Elapsed) / float64(done) * float64(left))
	}
	if r.env.Progress != nil {
		r.env.Progress(*p)
	}
}

// appender commits attempt lines: lines of concurrent samples are
// written together, with one write and one fsync.
type appender struct {
	log  *rundir.Log
	reqs chan appendReq
	done chan struct{}
}

type appendReq struct {
	line []byte
	done chan error
}

func newAppender(log *rundir.Log) *appender {
	a := &appender{log: log, reqs: make(chan appendReq), done: make(chan struct{})}
	go a.loop()
	return a
}

func (a *appender) loop() {
	defer close(a.done)
	for req := range a.reqs {
		batch := []appendReq{req}
	more:
		for len(batch) < 256 {
			select {
			case req, ok := <-a.reqs:
				if !ok {
					break more
				}
				batch = append(batch, req)
			default:
				break more
			}
		}
		lines := make([][]byte, len(batch))
		for i, b := range batch {
			lines[i] = b.line
		}
		err := a.log.Append(lines...)
		for _, b := range batch {
			b.done <- err
		}
	}
}

// append records an attempt durably.
func (a *appender) append(at *rundir.Attempt) error {
	line, err := json.Marshal(at)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	a.reqs <- appendReq{line: line, done: done}
	return <-done
}

// close waits for the commits in progress; call it once no append runs.
func (a *appender) close() {
	close(a.reqs)
	<-a.done
}
