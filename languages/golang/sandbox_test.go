package golang_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const testImage = "selfrepair/go:bookworm"

// dataDir is the shared datasets folder, seen from this package.
var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

// The package's sandboxes, made on first use and closed by TestMain: one
// pooled (the default) and one fresh, for the tests that compare them.
var (
	sbOnce   sync.Once
	sbEngine *sandbox.Engine
	sbPooled *sandbox.Sandbox
	sbErr    error

	freshOnce sync.Once
	sbFresh   *sandbox.Sandbox
	freshErr  error

	// What the package's jobs cost, reported by TestMain.
	jobCount atomic.Int64
	jobCPU   atomic.Int64 // the containers' CPU time, ns
)

func TestMain(m *testing.M) {
	flag.Parse()
	start := time.Now()
	code := m.Run()
	if n := jobCount.Load(); n > 0 {
		fmt.Printf("golang tests: %d sandbox jobs, %v of container CPU (%v a job), %v in all\n", n,
			time.Duration(jobCPU.Load()).Round(time.Millisecond), (time.Duration(jobCPU.Load()) / time.Duration(n)).Round(time.Millisecond),
			time.Since(start).Round(time.Millisecond))
	}
	for _, sb := range []*sandbox.Sandbox{sbPooled, sbFresh} {
		if sb != nil {
			sb.Close()
		}
	}
	if sbEngine != nil {
		sbEngine.Close()
	}
	os.Exit(code)
}

// sharedSandbox is the package's pooled sandbox. Docker tests are skipped
// under -short.
func sharedSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker and the " + testImage + " image")
	}
	sbOnce.Do(func() {
		ctx := context.Background()
		sbEngine, sbErr = sandbox.NewEngine(ctx)
		if sbErr != nil {
			return
		}
		img, err := sbEngine.Image(ctx, testImage)
		switch {
		case errors.Is(err, sandbox.ErrImageMissing):
			sbErr = errors.New("the image " + testImage + " is missing: build it with `selfrepair sandbox build go`")
			return
		case err != nil:
			sbErr = err
			return
		case img.Labels[sandbox.LabelRecipe] != golang.New().Recipe("").Digest():
			sbErr = errors.New("the image " + testImage + " is stale: rebuild it with `selfrepair sandbox build go`")
			return
		}
		sbPooled, sbErr = sandbox.New(ctx, sbEngine, sandbox.Options{Image: testImage, Size: 2})
	})
	if sbErr != nil {
		t.Fatalf("sandbox: %v", sbErr)
	}
	return sbPooled
}

// freshSandbox is the package's sandbox of one container per job.
func freshSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sharedSandbox(t)
	freshOnce.Do(func() {
		sbFresh, freshErr = sandbox.New(context.Background(), sbEngine, sandbox.Options{Image: testImage, Size: 2, Isolation: sandbox.Fresh})
	})
	if freshErr != nil {
		t.Fatalf("fresh sandbox: %v", freshErr)
	}
	return sbFresh
}

// judge runs program against task's suites in sb and classifies the
// result.
func judge(t *testing.T, sb *sandbox.Sandbox, task tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) (languages.Outcome, *sandbox.Result) {
	t.Helper()
	lang := golang.New()
	job := lang.Job(task, program, limits, suites...)
	res, err := sb.Run(context.Background(), job)
	if err != nil {
		t.Fatalf("sandbox run: %v", err)
	}
	jobCount.Add(1)
	jobCPU.Add(int64(res.CPU))
	return lang.Classify(job, res), res
}

// humanEvalX loads humaneval-x/go.
func humanEvalX(t *testing.T) *tasks.Dataset {
	t.Helper()
	ds, err := tasks.Load("humaneval-x/go", dataDir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return ds
}

// parallel runs f(i) for i in [0, n) on up to workers goroutines.
func parallel(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
