package evaluate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Calibration sets each task's time limit from its reference solution's own
// runtime in the sandbox, as EvalPlus does: Factor times that runtime, and
// never less than Floor. So no reference solution times out, and a
// verdict does not move with the speed of the machine: a slower machine
// measures longer runtimes and grants longer limits.
type Calibration struct {
	Floor    time.Duration // the least limit (the job's default timeout)
	Factor   float64       // the limit is Factor × the reference's runtime
	Max      time.Duration // how long a reference may run while it is measured
	Suites   []languages.Suite
	Language languages.Language // the tasks' (its harness is part of the cache key)
	Image    string             // the sandbox image id: runtimes are kept per image
	Cache    string             // the directory keeping measured runtimes ("" = none)
	Workers  int
	// Progress, if set, is called after every measured task.
	Progress func(done, total int)
}

// DefaultCalibration is EvalPlus' rule (4 × the reference's runtime) with
// the sandbox's default timeout as the floor.
func DefaultCalibration() Calibration {
	return Calibration{Floor: sandbox.DefaultLimits().Timeout, Factor: 4, Max: 10 * time.Minute, Workers: 2}
}

// CacheDir is where measured runtimes are kept by default.
func CacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "selfrepair", "runtimes")
}

// Calibrate returns the time limit of each task of ds. Runtimes measured
// before (for the same task content, suites and image) come from the
// cache; the others are measured now, in the sandbox r, and kept. A
// reference solution that does not pass is an error: its task cannot be
// scored.
func Calibrate(ctx context.Context, r Runner, ds *tasks.Dataset, c Calibration) (map[string]time.Duration, error) {
	cache := c.cacheFile()
	known := map[string]float64{} // task fingerprint -> runtime in ms
	if cache != "" {
		if data, err := os.ReadFile(cache); err == nil {
			if err := json.Unmarshal(data, &known); err != nil {
				known = map[string]float64{} // a damaged cache is measured again
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("calibration cache: %w", err)
		}
	}
	var todo []tasks.Task
	for _, t := range ds.Tasks {
		if _, ok := known[runtimeKey(t, c.Suites)]; !ok {
			todo = append(todo, t)
		}
	}
	var (
		mu      sync.Mutex
		failed  []string
		wg      sync.WaitGroup
		done    int
		workers = max(c.Workers, 1)
		next    = make(chan tasks.Task)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				limits := sandbox.Limits{Timeout: c.Max}
				rec, _ := One(ctx, r, c.Language, t, t.ReferenceSample(), limits, c.Suites...)
				mu.Lock()
				if rec.Passed {
					known[runtimeKey(t, c.Suites)] = rec.RunMS
				} else if ctx.Err() == nil {
					failed = append(failed, fmt.Sprintf("%s (%s: %s)", t.ID, rec.Status, rec.Message))
				}
				done++
				if c.Progress != nil {
					c.Progress(done, len(todo))
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range todo {
		select {
		case next <- t:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cache != "" && len(todo) > 0 {
		if err := writeJSON(cache, known); err != nil {
			return nil, fmt.Errorf("calibration cache: %w", err)
		}
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("%d reference solution(s) do not pass, so their time limits cannot be set: %s",
			len(failed), strings.Join(failed, "; "))
	}
	limits := make(map[string]time.Duration, len(ds.Tasks))
	for _, t := range ds.Tasks {
		ref := time.Duration(known[runtimeKey(t, c.Suites)] * float64(time.Millisecond))
		limits[t.ID] = max(c.Floor, time.Duration(c.Factor*float64(ref)))
	}
	return limits, nil
}

// runtimeKey identifies what a runtime was measured on: the task's trusted
// content and the tests of the suites that ran.
func runtimeKey(t tasks.Task, suites []languages.Suite) string {
	for _, s := range suites {
		switch s {
		case languages.Plus:
			t.Test += "\x00plus\x00" + t.PlusTest
		case languages.Visible:
			t.Test += "\x00visible\x00" + t.VisibleTest
		}
	}
	return t.Fingerprint()
}

// cacheFile keeps the runtimes of one image, harness and set of suites.
func (c Calibration) cacheFile() string {
	if c.Cache == "" {
		return ""
	}
	key := c.Image + "\x00" + strings.Join(c.Language.Preload(), "\x00")
	for _, s := range c.Suites {
		key += "\x00" + string(s)
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.Cache, hex.EncodeToString(sum[:8])+".json")
}

// writeJSON replaces path with v, atomically.
func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
