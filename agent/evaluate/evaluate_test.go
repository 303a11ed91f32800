package evaluate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/selfrepair/selfrepair/agent/evaluate"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

var dataDir = filepath.Join("..", "..", "..", "shared", "datasets")

// TestReferenceSolutionsPass is acceptance 1: every reference solution of
// HumanEval, MBPP (974) and sanitized MBPP (427) passes in the pooled
// sandbox, under five PYTHONHASHSEED values, with no verdict changing.
func TestReferenceSolutionsPass(t *testing.T) {
	if testing.Short() {
		t.Skip("Docker test")
	}
	ctx := context.Background()
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var sets []*tasks.Dataset
	for _, name := range []string{"humaneval", "mbpp", "mbpp-sanitized-all"} {
		ds, err := tasks.Load(name, dataDir)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, ds)
	}
	want := map[string]int{"humaneval": 164, "mbpp": 974, "mbpp-sanitized-all": 427}
	for _, seed := range []string{"0", "1", "2", "3", "4"} {
		t.Run("seed="+seed, func(t *testing.T) {
			sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: python.New().ImageRef(), Size: 4,
				Env: python.New().SeedEnv(seed), Preload: python.New().Preload()})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			for _, ds := range sets {
				samples := make([]tasks.Sample, len(ds.Tasks))
				for i, tk := range ds.Tasks {
					samples[i] = tk.ReferenceSample()
				}
				recs, err := evaluate.Run(ctx, evaluate.Options{Runner: sb, Language: python.New(), Dataset: ds, Samples: samples, Concurrency: 4})
				if err != nil {
					t.Fatal(err)
				}
				passed := 0
				for _, r := range recs {
					if r.Passed {
						passed++
						continue
					}
					t.Errorf("%s: reference solution %s: %s %s: %s (test line %d: %s)", ds.Name, r.TaskID, r.Status, r.ErrorType, r.Message, r.TestLine, r.TestText)
				}
				if passed != want[ds.Name] {
					t.Errorf("%s: %d of %d reference solutions passed, want %d", ds.Name, passed, len(recs), want[ds.Name])
				}
				t.Log(fmt.Sprintf("%s: %d/%d passed", ds.Name, passed, len(recs)))
			}
		})
	}
}
