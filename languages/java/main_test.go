package java

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

// engine is the package's Docker engine, connected on first use; Docker
// tests are skipped under -short, and fail with how to build the image
// when it is missing.
func engine(t *testing.T) *sandbox.Engine {
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
		if _, err := sbEngine.Image(ctx, New().ImageRef()); errors.Is(err, sandbox.ErrImageMissing) {
			sbErr = errors.New("the image " + New().ImageRef() + " is missing: build it with `selfrepair sandbox build java`")
			return
		}
		sbShared, sbErr = sandbox.New(ctx, sbEngine, sandbox.Options{Image: New().ImageRef(), Size: 2})
	})
	if sbErr != nil {
		t.Fatalf("sandbox: %v", sbErr)
	}
	return sbEngine
}

// sharedSandbox is the package's one pooled sandbox, made on first use and
// closed by TestMain.
func sharedSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	engine(t)
	return sbShared
}

// judge runs program against the suites of task's tests in sb and
// classifies the result.
func judge(t *testing.T, sb *sandbox.Sandbox, task tasks.Task, program string, limits sandbox.Limits, suites ...languages.Suite) (languages.Outcome, *sandbox.Result) {
	t.Helper()
	l := New()
	job := l.Job(task, program, limits, suites...)
	res, err := sb.Run(context.Background(), job)
	if err != nil {
		t.Fatalf("sandbox run: %v", err)
	}
	return l.Classify(job, res), res
}
