package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// The files of a run directory that a report reads (the format
// selfrepair-study/1 of agent/study, described in agent/study/SCHEMA.md).
// This package cannot import agent/study (which imports it), so it decodes
// them into read-side types of its own that keep only what it needs and
// ignore every other field.
const (
	manifestFile = "manifest.json"
	attemptsFile = "attempts.jsonl"
	studyFormat  = "selfrepair-study/"
)

// manifest is what a report reads of manifest.json.
type manifest struct {
	Format  string `json:"format"`
	RunID   string `json:"run_id"`
	Status  string `json:"status"`
	Params  params `json:"params"`
	Dataset struct {
		Name string `json:"name"`
	} `json:"dataset"`
	Model struct {
		Name      string `json:"name"`
		Simulator bool   `json:"simulator"`
	} `json:"model"`
}

// params are the study's parameters (manifest.json "params").
type params struct {
	Dataset       string   `json:"dataset"`
	Tasks         []string `json:"tasks"`
	Model         string   `json:"model"`
	Samples       int      `json:"samples"`
	Rounds        int      `json:"rounds"`
	Feedback      string   `json:"feedback"`
	RepairStyle   string   `json:"repair_style"`
	FeedbackTests string   `json:"feedback_tests"`
	Seed          uint64   `json:"seed"`
}

// verdict is how tests judged an attempt's code.
type verdict struct {
	Passed     bool   `json:"passed"`
	Status     string `json:"status"`
	ErrorClass string `json:"error_class"`
	ErrorType  string `json:"error_type"`
	Message    string `json:"message"`
	// Suites has a verdict per scoring suite ("base", "plus") on datasets
	// with plus tests; absent when the program did not load or a limit
	// fired (then every suite failed), and on datasets without them.
	Suites map[string]bool `json:"suites"`
}

// attempt is what a report reads of one line of attempts.jsonl.
type attempt struct {
	TaskID string `json:"task_id"`
	Sample int    `json:"sample"`
	Round  int    `json:"round"`
	verdict
	// Visible is the verdict of the visible (example) tests, with
	// feedback_tests "visible".
	Visible          *verdict `json:"visible"`
	CodeHash         string   `json:"code_hash"`
	Stall            bool     `json:"stall"`
	StallOf          *int     `json:"stall_of"`
	PromptTokens     int      `json:"prompt_tokens"`
	CompletionTokens int      `json:"completion_tokens"`
	CacheHit         bool     `json:"cache_hit"`
}

// Pseudo-classes of attempts that have no error class.
const (
	classPass    = "pass"
	classUnknown = "unknown"
)

// class is the attempt's outcome as one word: "pass", its error class, or
// for an attempt whose code was never judged its status
// ("prompt-too-long").
func (v *verdict) class() string {
	switch {
	case v.Passed:
		return classPass
	case v.ErrorClass != "" && v.ErrorClass != classPass:
		return v.ErrorClass
	case v.Status != "":
		return v.Status
	}
	return classUnknown
}

// suitePassed reports whether the suite passed, and whether the attempt
// says (a passing attempt passed every suite; a failing one without suites
// failed them all).
func (v *verdict) suitePassed(suite string) bool {
	if v.Passed {
		return true
	}
	return v.Suites[suite]
}

// run is a run directory, read: its manifest and its attempts, grouped by
// sample.
type run struct {
	dir, name string
	m         manifest
	// samples[t*n+s] are the attempts of sample s of task t (n = samples
	// per task), in round order: rounds 0..len-1.
	samples  [][]attempt
	attempts int
	dropped  int // invalid or torn lines dropped at the end of attempts.jsonl
}

// ErrNotRun means a directory is not a run directory.
var ErrNotRun = errors.New("not a run directory")

// ErrEmptyRun means a run directory holds no attempts.
var ErrEmptyRun = errors.New("no attempts recorded")

// loadRun reads the run directory dir. Like the study's resume, it drops
// what a crash may leave at the end of attempts.jsonl (a last line without
// its newline, and trailing lines that are not valid JSON); an invalid line
// followed by valid ones is an error.
func loadRun(ctx context.Context, dir string) (*run, error) {
	r := &run{dir: dir, name: filepath.Base(filepath.Clean(dir))}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run directory %s: %w", dir, fs.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is %w (a file, not a directory)", dir, ErrNotRun)
	}
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is %w (no %s)", dir, ErrNotRun, manifestFile)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &r.m); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", filepath.Join(dir, manifestFile), err)
	}
	p := &r.m.Params
	switch {
	case !strings.HasPrefix(r.m.Format, studyFormat):
		return nil, fmt.Errorf("%s: format %q is not a study run's (%s1): %w", filepath.Join(dir, manifestFile), r.m.Format, studyFormat, ErrNotRun)
	case p.Samples < 1 || p.Rounds < 0 || len(p.Tasks) == 0:
		return nil, fmt.Errorf("%s: params need tasks, samples ≥ 1 and rounds ≥ 0 (have %d tasks, %d samples, %d rounds)",
			filepath.Join(dir, manifestFile), len(p.Tasks), p.Samples, p.Rounds)
	}
	path := filepath.Join(dir, attemptsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (no %s)", dir, ErrEmptyRun, attemptsFile)
	}
	if err != nil {
		return nil, err
	}
	lines, torn := splitLines(data)
	if torn {
		r.dropped++
	}
	decoded, errs, err := decodeLines(ctx, lines)
	if err != nil {
		return nil, err
	}
	// Trailing invalid lines are what a crash left; any other is an error.
	last := len(lines)
	for last > 0 && errs[last-1] != nil {
		last--
	}
	for i := range last {
		if errs[i] != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, lines[i].n, errs[i])
		}
	}
	r.dropped += len(lines) - last
	if err := r.place(path, lines[:last], decoded[:last]); err != nil {
		return nil, err
	}
	if r.attempts == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrEmptyRun)
	}
	return r, nil
}

// line is one non-blank line of attempts.jsonl and its 1-based number.
type line struct {
	n    int
	body []byte
}

// splitLines returns the non-blank lines of data; torn reports a last line
// without its newline (a write in progress, or cut by a crash), which is
// left out.
func splitLines(data []byte) (lines []line, torn bool) {
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return lines, len(bytes.TrimSpace(data)) > 0
		}
		if body := bytes.TrimSpace(data[:i]); len(body) > 0 {
			lines = append(lines, line{n, body})
		}
		data = data[i+1:]
	}
	return lines, false
}

// decodeLines decodes the lines in parallel (a big run has tens of
// megabytes of conversations that JSON decoding must scan through).
func decodeLines(ctx context.Context, lines []line) ([]attempt, []error, error) {
	out := make([]attempt, len(lines))
	errs := make([]error, len(lines))
	const chunk = 256
	workers := min(runtime.GOMAXPROCS(0), (len(lines)+chunk-1)/chunk)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for start := range next {
				for i := start; i < min(start+chunk, len(lines)); i++ {
					if err := json.Unmarshal(lines[i].body, &out[i]); err != nil {
						errs[i] = fmt.Errorf("invalid JSON: %w", err)
					}
				}
			}
		})
	}
	var err error
	for start := 0; start < len(lines); start += chunk {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- start
	}
	close(next)
	wg.Wait()
	return out, errs, err
}

// place puts every attempt in its sample's place, checking that it belongs
// to the study and that no sample has a repeated or missing round.
func (r *run) place(path string, lines []line, atts []attempt) error {
	p := &r.m.Params
	index := make(map[string]int, len(p.Tasks))
	for i, id := range p.Tasks {
		index[id] = i
	}
	r.samples = make([][]attempt, len(p.Tasks)*p.Samples)
	for i := range atts {
		a := &atts[i]
		t, ok := index[a.TaskID]
		if !ok || a.Sample < 0 || a.Sample >= p.Samples || a.Round < 0 || a.Round > p.Rounds {
			return fmt.Errorf("%s:%d: task %q sample %d round %d is not part of this study (%d tasks, %d samples, rounds 0..%d)",
				path, lines[i].n, a.TaskID, a.Sample, a.Round, len(p.Tasks), p.Samples, p.Rounds)
		}
		s := &r.samples[t*p.Samples+a.Sample]
		if a.Round < len(*s) {
			return fmt.Errorf("%s:%d: task %s sample %d round %d is recorded twice", path, lines[i].n, a.TaskID, a.Sample, a.Round)
		}
		if a.Round > len(*s) {
			return fmt.Errorf("%s:%d: task %s sample %d has round %d but not round %d", path, lines[i].n, a.TaskID, a.Sample, a.Round, len(*s))
		}
		*s = append(*s, *a)
		r.attempts++
	}
	return nil
}
