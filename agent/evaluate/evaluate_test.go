package evaluate

import (
	"context"
	"testing"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

func TestCanonicalScratch(t *testing.T) {
	ctx := context.Background()
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: "selfrepair/python:latest", Size: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for _, name := range []string{"humaneval", "mbpp", "mbpp-sanitized-all"} {
		ds, err := tasks.Load(name, "../../../shared/datasets")
		if err != nil {
			t.Fatal(err)
		}
		var samples []tasks.Sample
		for _, tk := range ds.Tasks {
			samples = append(samples, tk.ReferenceSample())
		}
		recs, err := Run(ctx, Options{Runner: sb, Dataset: ds, Samples: samples, Concurrency: 4})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if r.Passed {
				n++
			} else {
				t.Logf("%s %s %s %s %s", r.TaskID, r.Status, r.ErrorType, r.Message, r.TestText)
			}
		}
		t.Logf("%s %d/%d", name, n, len(recs))
	}
}
