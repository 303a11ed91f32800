package rust

import (
	"context"
	"errors"
	"flag"
	"os"
	"sync"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const testImage = "selfrepair/rust:bookworm"

// The package's sandboxes: one pooled, shared by every test, and one
// fresh, made on first use; TestMain closes them.
var (
	sbMu     sync.Mutex
	sbEngine *sandbox.Engine
	sbPooled *sandbox.Sandbox
	sbFresh  *sandbox.Sandbox
	sbErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
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

// testSandbox returns the package's sandbox of the given isolation, made
// on first use. Docker tests are skipped under -short.
func testSandbox(t *testing.T, iso sandbox.Isolation) *sandbox.Sandbox {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker and the " + testImage + " image")
	}
	sbMu.Lock()
	defer sbMu.Unlock()
	ctx := context.Background()
	if sbEngine == nil && sbErr == nil {
		sbEngine, sbErr = sandbox.NewEngine(ctx)
		if sbErr == nil {
			if _, err := sbEngine.Image(ctx, testImage); errors.Is(err, sandbox.ErrImageMissing) {
				sbErr = errors.New("the image " + testImage + " is missing: build it with `selfrepair sandbox build rust`")
			}
		}
	}
	if sbErr != nil {
		t.Fatal(sbErr)
	}
	p := &sbPooled
	if iso == sandbox.Fresh {
		p = &sbFresh
	}
	if *p == nil {
		sb, err := sandbox.New(ctx, sbEngine, sandbox.Options{Image: testImage, Isolation: iso, Size: 2})
		if err != nil {
			t.Fatalf("sandbox: %v", err)
		}
		*p = sb
	}
	return *p
}

// loadRust loads humaneval-x/rust.
func loadRust(t *testing.T) []tasks.Task {
	t.Helper()
	ds, err := tasks.Load("humaneval-x/rust", "../../../shared/datasets")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Tasks) != 164 {
		t.Fatalf("loaded %d tasks, want 164", len(ds.Tasks))
	}
	return ds.Tasks
}

// runJob runs job and classifies its result.
func runJob(t *testing.T, sb *sandbox.Sandbox, job sandbox.Job) (languages.Outcome, *sandbox.Result) {
	t.Helper()
	res, err := sb.Run(context.Background(), job)
	if err != nil {
		t.Fatalf("sandbox run: %v", err)
	}
	return New().Classify(job, res), res
}

// runAll runs jobs, two at a time (the machine's cores), and classifies
// them.
func runAll(t *testing.T, sb *sandbox.Sandbox, jobs []sandbox.Job) ([]languages.Outcome, []*sandbox.Result) {
	t.Helper()
	outs := make([]languages.Outcome, len(jobs))
	ress := make([]*sandbox.Result, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, sb.Size())
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := sb.Run(context.Background(), job)
			if err != nil {
				errs[i] = err
				return
			}
			ress[i] = res
			outs[i] = New().Classify(job, res)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("sandbox run: %v", err)
		}
	}
	return outs, ress
}
