package evaluate_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// countingRunner counts the jobs it runs.
type countingRunner struct {
	evaluate.Runner
	jobs atomic.Int64
}

func (c *countingRunner) Run(ctx context.Context, job sandbox.Job) (*sandbox.Result, error) {
	c.jobs.Add(1)
	return c.Runner.Run(ctx, job)
}

// TestPlusSuitesAndCalibration: on HumanEval+ a sample is scored on the base
// and the plus tests apart, and time limits come from the reference
// solutions' runtimes, measured once and then read from the cache.
func TestPlusSuitesAndCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("Docker test")
	}
	ctx := context.Background()
	full, err := tasks.Load("humaneval-plus", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ds := &tasks.Dataset{Name: full.Name, Hash: full.Hash}
	for _, id := range []string{"HumanEval/0", "HumanEval/2", "HumanEval/13", "HumanEval/53"} {
		task, _ := full.ByID(id)
		ds.Tasks = append(ds.Tasks, task)
	}
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: python.New().ImageRef(), Size: 2, Preload: python.New().Preload()})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	runner := &countingRunner{Runner: sb}

	cal := evaluate.DefaultCalibration()
	cal.Language = python.New()
	cal.Suites, cal.Image, cal.Cache, cal.Floor = []languages.Suite{languages.Base, languages.Plus}, "test-image", t.TempDir(), time.Second
	limits, err := evaluate.Calibrate(ctx, runner, ds, cal)
	if err != nil {
		t.Fatal(err)
	}
	if n := runner.jobs.Load(); n != int64(len(ds.Tasks)) {
		t.Errorf("calibration ran %d jobs, want %d", n, len(ds.Tasks))
	}
	for _, task := range ds.Tasks {
		if limits[task.ID] < cal.Floor {
			t.Errorf("%s: limit %v below the floor", task.ID, limits[task.ID])
		}
	}
	again, err := evaluate.Calibrate(ctx, runner, ds, cal)
	if err != nil || runner.jobs.Load() != int64(len(ds.Tasks)) {
		t.Errorf("the second calibration ran jobs (%d) or failed: %v", runner.jobs.Load(), err)
	}
	for id, d := range limits {
		if again[id] != d {
			t.Errorf("%s: %v then %v", id, d, again[id])
		}
	}

	// HumanEval/53 add: the base tests add naturals only, the plus inputs
	// negative numbers too.
	add, _ := ds.ByID("HumanEval/53")
	samples := []tasks.Sample{
		{TaskID: add.ID, Completion: add.Reference},
		{TaskID: add.ID, Completion: "    return abs(x) + abs(y)\n", Index: 1},
		{TaskID: add.ID, Completion: "    return x - y\n", Index: 2},
	}
	recs, err := evaluate.Run(ctx, evaluate.Options{Runner: sb, Language: python.New(), Dataset: ds, Samples: samples, Concurrency: 2,
		Suites: []languages.Suite{languages.Base, languages.Plus}, Timeouts: limits})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ base, plus, passed bool }{{true, true, true}, {true, false, false}, {false, false, false}}
	for i, r := range recs {
		if r.SuitePassed(languages.Base) != want[i].base || r.SuitePassed(languages.Plus) != want[i].plus || r.Passed != want[i].passed {
			t.Errorf("sample %d: base %v plus %v passed %v, want %+v (%s: %s)", i, r.SuitePassed(languages.Base),
				r.SuitePassed(languages.Plus), r.Passed, want[i], r.ErrorType, r.Message)
		}
	}
}
