package cmd_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

func TestZZ(t *testing.T) {
	ctx := context.Background()
	eng, _ := sandbox.NewEngine(ctx)
	sb, _ := sandbox.New(ctx, eng, sandbox.Options{Image: "selfrepair/python:bookworm", Size: 1, Preload: python.Preload()})
	defer sb.Close()
	ds, _ := tasks.Load("/tmp/rec.jsonl", "")
	tk := ds.Tasks[0]
	res, _ := sb.Run(ctx, python.Job(tk, tk.Program(tk.ReferenceSample()), sandbox.Limits{}))
	fmt.Println(string(res.Stderr)[:min(len(res.Stderr), 600)], string(res.Report)[:300])
}
