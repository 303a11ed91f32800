package cpp_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/cpp"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const testImage = "selfrepair/cpp:bookworm"

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

// sharedSandbox is the package's one pooled sandbox, made on first use and
// closed by TestMain. Docker tests are skipped under -short.
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
		if _, err := sbEngine.Image(ctx, testImage); errors.Is(err, sandbox.ErrImageMissing) {
			sbErr = errors.New("the image " + testImage + " is missing: build it with `selfrepair sandbox build cpp`")
			return
		}
		sbShared, sbErr = sandbox.New(ctx, sbEngine, sandbox.Options{Image: testImage, Size: 2})
	})
	if sbErr != nil {
		t.Fatalf("sandbox: %v", sbErr)
	}
	return sbShared
}

// judge runs program against t's suites in sb and classifies the result. A
// sandbox error fails the test (t.Errorf: judge runs in goroutines too) and
// gives an outcome of no class.
func judge(t *testing.T, sb *sandbox.Sandbox, task tasks.Task, program string, limits sandbox.Limits,
	suites ...languages.Suite) (languages.Outcome, *sandbox.Result) {
	t.Helper()
	lang := cpp.New()
	job := lang.Job(task, program, limits, suites...)
	res, err := sb.Run(context.Background(), job)
	if err != nil {
		t.Errorf("%s: sandbox run: %v", task.ID, err)
		return languages.Failed("sandbox-error", "", err.Error()), &sandbox.Result{}
	}
	return lang.Classify(job, res), res
}

// loadTasks loads humaneval-x/cpp.
func loadTasks(t *testing.T) []tasks.Task {
	t.Helper()
	ds, err := tasks.Load("humaneval-x/cpp", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return ds.Tasks
}

// parallel runs f(i) for i in [0, n) on workers goroutines.
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
