package javascript

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// dataDir is the shared datasets folder, seen from this package.
var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

var (
	sbOnce   sync.Once
	sbEngine *sandbox.Engine
	sbShared *sandbox.Sandbox
	sbErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if sbShared != nil {
		sbShared.Close()
	}
	if sbEngine != nil {
		sbEngine.Close()
	}
	os.Exit(code)
}

// checkImage fails the test with the command that builds the image when
// the engine lacks it, or has a stale one.
func checkImage(t *testing.T, eng *sandbox.Engine) {
	t.Helper()
	r := New().Recipe("")
	img, err := eng.Image(context.Background(), r.Ref)
	switch {
	case errors.Is(err, sandbox.ErrImageMissing):
		t.Fatalf("no %s image: build it with `selfrepair sandbox build javascript`", r.Ref)
	case err != nil:
		t.Fatalf("image %s: %v", r.Ref, err)
	case img.Labels[sandbox.LabelRecipe] != r.Digest():
		t.Fatalf("%s is stale (recipe %s, current %s): rebuild it with `selfrepair sandbox build javascript`",
			r.Ref, img.Labels[sandbox.LabelRecipe], r.Digest())
	}
}

// sharedSandbox is the package's one sandbox (pooled), made on first use
// and closed by TestMain. Docker tests are skipped under -short.
func sharedSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker and the " + New().ImageRef() + " image")
	}
	sbOnce.Do(func() {
		ctx := context.Background()
		sbEngine, sbErr = sandbox.NewEngine(ctx)
		if sbErr != nil {
			return
		}
		r := New().Recipe("")
		if img, err := sbEngine.Image(ctx, r.Ref); err != nil || img.Labels[sandbox.LabelRecipe] != r.Digest() {
			return // checkImage says what is wrong
		}
		sbShared, sbErr = sandbox.New(ctx, sbEngine, sandbox.Options{Image: r.Ref, Size: 2})
	})
	if sbErr != nil {
		t.Fatalf("sandbox: %v", sbErr)
	}
	checkImage(t, sbEngine)
	return sbShared
}

// judge runs program against t's suites in sb and classifies the result.
func judge(t *testing.T, sb *sandbox.Sandbox, task tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) (languages.Outcome, *sandbox.Result) {
	t.Helper()
	job := New().Job(task, program, limits, suites...)
	res, err := sb.Run(context.Background(), job)
	if err != nil {
		t.Fatalf("sandbox run: %v", err)
	}
	return New().Classify(job, res), res
}

// loadJS loads humaneval-x/js.
func loadJS(t *testing.T) []tasks.Task {
	t.Helper()
	ds, err := tasks.Load("humaneval-x/js", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return ds.Tasks
}

// runAll runs jobs in sb, at most sb.Size() at once, and returns their
// results in order.
func runAll(t *testing.T, sb *sandbox.Sandbox, jobs []sandbox.Job) []*sandbox.Result {
	t.Helper()
	results := make([]*sandbox.Result, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range sb.Size() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = sb.Run(context.Background(), jobs[i])
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("job %d: sandbox: %v", i, err)
		}
	}
	return results
}
