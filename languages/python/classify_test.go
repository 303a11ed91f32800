package python_test

import (
	"context"
	"flag"
	"os"
	"sync"
	"testing"

	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const testImage = "selfrepair/python:bookworm"

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

// sharedSandbox is the package's one sandbox, made on first use and closed
// by TestMain. Docker tests are skipped under -short.
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
		sbShared, sbErr = sandbox.New(ctx, sbEngine, sandbox.Options{Image: testImage, Size: 3})
	})
	if sbErr != nil {
		t.Fatalf("sandbox: %v", sbErr)
	}
	return sbShared
}

// runProgram runs program against task's tests and classifies the result.
func runProgram(t *testing.T, sb *sandbox.Sandbox, task tasks.Task, program string, limits sandbox.Limits) (python.Outcome, *sandbox.Result) {
	t.Helper()
	res, err := sb.Run(context.Background(), python.Job(task, program, limits))
	if err != nil {
		t.Fatalf("sandbox run: %v", err)
	}
	return python.Classify(res), res
}
