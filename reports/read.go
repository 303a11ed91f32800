package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
)

// studyFormat is the prefix of a study run's manifest format.
const studyFormat = "selfrepair-study/"

// Pseudo-classes of attempts that have no error class.
const (
	classPass    = "pass"
	classUnknown = "unknown"
)

// outcomeOf is the attempt's outcome as one word: "pass", its error class, or
// for an attempt whose code was never judged its status
// ("prompt-too-long").
func outcomeOf(v *rundir.Verdict) string {
	switch {
	case v.Passed:
		return classPass
	case v.Class != "" && v.Class != languages.Pass:
		return string(v.Class)
	case v.Status != "":
		return v.Status
	}
	return classUnknown
}

// suitePassed reports whether the suite passed, and whether the attempt
// says (a passing attempt passed every suite; a failing one without suites
// failed them all).
func suitePassed(v *rundir.Verdict, suite string) bool {
	if v.Passed {
		return true
	}
	return v.Suites[languages.Suite(suite)]
}

// run is a run directory, read: its manifest and its attempts, grouped by
// sample.
type run struct {
	dir, name string
	m         rundir.Manifest
	// samples[t*n+s] are the attempts of sample s of task t (n = samples
	// per task), in round order: rounds 0..len-1.
	samples  [][]rundir.Attempt
	attempts int
	dropped  int // invalid or torn lines dropped at the end of attempts.jsonl
}

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
		return nil, fmt.Errorf("%s is %w (a file, not a directory)", dir, rundir.ErrNotRun)
	}
	b, err := os.ReadFile(filepath.Join(dir, rundir.ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is %w (no %s)", dir, rundir.ErrNotRun, rundir.ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &r.m); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", filepath.Join(dir, rundir.ManifestFile), err)
	}
	p := &r.m.Params
	switch {
	case !strings.HasPrefix(r.m.Format, studyFormat):
		return nil, fmt.Errorf("%s: format %q is not a study run's (%s1): %w", filepath.Join(dir, rundir.ManifestFile), r.m.Format, studyFormat, rundir.ErrNotRun)
	case p.Samples < 1 || p.Rounds < 0 || len(p.Tasks) == 0:
		return nil, fmt.Errorf("%s: params need tasks, samples ≥ 1 and rounds ≥ 0 (have %d tasks, %d samples, %d rounds)",
			filepath.Join(dir, rundir.ManifestFile), len(p.Tasks), p.Samples, p.Rounds)
	}
	path := filepath.Join(dir, rundir.AttemptsFile)
	if err := r.placeAll(ctx, path); err != nil {
		return nil, err
	}
	if r.attempts == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrEmptyRun)
	}
	return r, nil
}

// placeAll reads the attempts (rundir.ReadAttempts) and puts every one in
// its sample's place, checking that it belongs to the study and that no
// sample has a repeated or missing round.
func (r *run) placeAll(ctx context.Context, path string) error {
	p := &r.m.Params
	index := make(map[string]int, len(p.Tasks))
	for i, id := range p.Tasks {
		index[id] = i
	}
	r.samples = make([][]rundir.Attempt, len(p.Tasks)*p.Samples)
	dropped, err := rundir.ReadAttempts(ctx, r.dir, rundir.VerdictFields, func(n int, a *rundir.Attempt) error {
		t, ok := index[a.TaskID]
		if !ok || a.Sample < 0 || a.Sample >= p.Samples || a.Round < 0 || a.Round > p.Rounds {
			return fmt.Errorf("%s:%d: task %q sample %d round %d is not part of this study (%d tasks, %d samples, rounds 0..%d)",
				path, n, a.TaskID, a.Sample, a.Round, len(p.Tasks), p.Samples, p.Rounds)
		}
		s := &r.samples[t*p.Samples+a.Sample]
		if a.Round < len(*s) {
			return fmt.Errorf("%s:%d: task %s sample %d round %d is recorded twice", path, n, a.TaskID, a.Sample, a.Round)
		}
		if a.Round > len(*s) {
			return fmt.Errorf("%s:%d: task %s sample %d has round %d but not round %d", path, n, a.TaskID, a.Sample, a.Round, len(*s))
		}
		*s = append(*s, *a)
		r.attempts++
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w (no %s)", r.dir, ErrEmptyRun, rundir.AttemptsFile)
	}
	r.dropped = dropped
	return err
}
