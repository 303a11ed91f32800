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

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/agent/extract"
	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Bounds of what a verdict keeps of the harness's report.
const (
	maxTraceback = 8 << 10
	maxMessage   = 4 << 10
)

// sandboxTries is how many times a program whose sandbox failed is tried
// (each try is evaluate.One's, which itself retries once) before the run
// stops.
const sandboxTries = 3

// runner runs one session of a study.
type runner struct {
	study   *Study
	env     Env
	p       rundir.Params
	mode    prompt.Mode
	style   prompt.Style
	log     *slog.Logger
	tasks   []tasks.Task
	suites  []languages.Suite // the suites each job runs: the scoring ones, then Visible for visible feedback
	index   map[string]int
	samples []*sample // task-major
	app     *appender

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
		Tasks: len(r.tasks), TasksDone: tasksDone, Samples: len(r.samples), SamplesDone: done,
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
// Parallel workers that judge it, record the attempt and, if the sample
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
	for range 2 * max(r.env.Parallel, 1) {
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
	t := r.tasks[sm.task]
	round := sm.next
	first := prompt.First(t, r.env.Language.Words())
	msgs := first
	if round > 0 {
		msgs = prompt.Next(r.style, r.mode, first, sm.prev, sm.answer, sm.feedback)
	}
	a := &rundir.Attempt{TaskID: t.ID, Sample: sm.index, Round: round, Seed: requestSeed(r.p.Seed, t.ID, sm.index, round), Messages: msgs}
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
		a.CacheHit, a.LLMAttempts, a.LLMMS = res.hit, res.attempts, res.LatencyMS
	}
	sm.cur = a
	return nil
}

// finish judges the answer in sm.cur, records the attempt and moves the
// sample on.
func (r *runner) finish(ctx context.Context, sm *sample) error {
	t := r.tasks[sm.task]
	a := sm.cur
	sm.cur = nil
	if a.Status != rundir.StatusTooLong {
		if err := r.judgeAttempt(ctx, t, sm, a); err != nil {
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
		a.Feedback = prompt.Feedback(r.mode, failure(v, a.StallOf), prompt.Options{
			TracebackBudget: r.p.TracebackBudget, Program: t.Style != tasks.Completion, Fence: r.env.Language.Words().Fence,
			Reflections: reflections,
		})
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
func (r *runner) judgeAttempt(ctx context.Context, t tasks.Task, sm *sample, a *rundir.Attempt) error {
	a.Code = extract.Code(a.Response, r.env.Language.Words().Fence)
	a.CodeHash = hashText(a.Code)
	for i, h := range sm.history {
		if h.codeHash == a.CodeHash {
			a.Stall, a.StallOf = true, &i
			a.Verdict, a.Visible = h.verdict, h.visible
			return nil
		}
	}
	program := r.env.Language.Program(t, a.Code)
	j, reused, run, total, err := r.judge(ctx, t, program)
	if err != nil {
		return err
	}
	a.Verdict, a.Visible, a.Reused, a.RunMS, a.ExecMS = j.v, j.visible, reused, run, total
	return nil
}

// response is a completion as the loop sees it.
type response struct {
	Cached
	hit      bool
	attempts int
}

// complete asks the model (or the cache) for one completion.
func (r *runner) complete(ctx context.Context, req llm.Request) (*response, error) {
	var key string
	if r.env.Cache != nil {
		key = CacheKey(r.env.Endpoint, req)
		if c, ok := r.env.Cache.Get(key); ok {
			return &response{Cached: c, hit: true}, nil
		}
	}
	resp, err := r.env.Model.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Choices) == 0 {
		return nil, errors.New("the model returned no completion")
	}
	c := Cached{
		Key: key, Content: resp.Choices[0].Content, FinishReason: resp.Choices[0].FinishReason,
		PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens,
		LatencyMS: float64(resp.Latency.Microseconds()) / 1000,
	}
	if r.env.Cache != nil {
		if err := r.env.Cache.Put(c); err != nil {
			r.log.Warn("could not cache a response", "err", err)
		}
	}
	return &response{Cached: c, attempts: resp.Attempts}, nil
}

// judge returns the verdicts of program on t's tests. A program already
// judged (or being judged) in this session is not run again: reused is
// true.
func (r *runner) judge(ctx context.Context, t tasks.Task, program string) (j *judgement, reused bool, runMS, totalMS float64, err error) {
	key := t.ID + "\x00" + hashText(program)
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

	var rec evaluate.Record
	rec, j.err = r.execute(ctx, t, program)
	if j.err != nil {
		r.mu.Lock()
		delete(r.judged, key)
		r.mu.Unlock()
		close(j.done)
		return nil, false, 0, 0, j.err
	}
	scoring := r.suites
	if r.p.FeedbackTests == rundir.VisibleTests {
		scoring = r.suites[:len(r.suites)-1]
		v := verdictOf(rec, languages.Visible)
		j.visible = &v
	}
	j.v = verdictOf(rec, scoring...)
	close(j.done)
	return j, false, rec.RunMS, rec.TotalMS, nil
}

// execute runs program against the suites of t's tests in the sandbox, in
// one job. A sandbox failure is never a verdict: it is retried, and if it
// persists the run stops.
func (r *runner) execute(ctx context.Context, t tasks.Task, program string) (evaluate.Record, error) {
	limits := sandbox.Limits{Timeout: time.Duration(r.p.TimeoutMS) * time.Millisecond, Memory: r.p.MemoryBytes}
	if d, ok := r.env.Timeouts[t.ID]; ok {
		limits.Timeout = d
	}
	for try := 1; ; try++ {
		rec := evaluate.One(ctx, r.env.Runner, r.env.Language, t, tasks.Sample{TaskID: t.ID, Solution: program}, limits, r.suites...)
		if err := ctx.Err(); err != nil {
			return rec, err
		}
		r.mu.Lock()
		r.prog.Executions++
		r.mu.Unlock()
		if rec.Status != evaluate.StatusSandboxError {
			return rec, nil
		}
		if try == sandboxTries {
			return rec, fmt.Errorf("the sandbox failed %d times running task %s: %s", 2*try, t.ID, rec.Message)
		}
		r.log.Warn("the sandbox failed; retrying", "task", t.ID, "err", rec.Message)
		select {
		case <-time.After(time.Duration(try) * time.Second):
		case <-ctx.Done():
			return rec, ctx.Err()
		}
	}
}

// verdictOf is rec's verdict on the given suites of tests: it passes when
// each of them does, and otherwise says how the first that failed did. A
// limit that fired, or a solution that did not load, fails them all alike.
func verdictOf(rec evaluate.Record, suites ...languages.Suite) rundir.Verdict {
	out := rec.Outcome
	if out == nil {
		out = &languages.Outcome{Passed: rec.Passed, Class: rec.ErrorClass, ErrorType: rec.ErrorType, Message: rec.Message}
	}
	status := rec.Status
	if len(out.Suites) > 0 {
		var failed *languages.Outcome
		for _, s := range suites {
			if o := out.Suites[s]; o != nil && !o.Passed {
				failed = o
				break
			}
		}
		if failed == nil {
			out, status = &languages.Outcome{Passed: true, Class: languages.Pass}, evaluate.StatusPassed
		} else {
			out, status = failed, evaluate.StatusFailed
		}
	}
	v := rundir.Verdict{
		Passed: out.Passed, Status: status, ErrorClass: string(out.Class), ErrorType: out.ErrorType,
		Message: prompt.Truncate(out.Message, maxMessage), Line: out.Line, LineText: out.LineText,
		TestLine: out.TestLine, TestText: out.TestText, Call: out.Call, Expected: out.Expected, Actual: out.Actual,
		Traceback: prompt.Truncate(out.Traceback, maxTraceback),
	}
	if len(suites) > 1 && len(rec.Outcome.Suites) > 0 {
		v.Suites = make(map[languages.Suite]bool, len(suites))
		for _, s := range suites {
			if o := rec.Outcome.Suites[s]; o != nil {
				v.Suites[s] = o.Passed
			}
		}
	}
	return v
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
