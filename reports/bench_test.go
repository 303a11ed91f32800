package reports_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/selfrepair/selfrepair/reports"
)

// BenchmarkReport: the whole report (read, compute, write every file) of
// a run of HumanEval's size: 164 tasks × 20 samples × rounds 0..5, with
// chat conversations in every line. The goal is well under 2 s.
func BenchmarkReport(b *testing.B) {
	dir := synthetic(b, "big", 164, 20, 5, "traceback", 1)
	st, err := os.Stat(filepath.Join(dir, "attempts.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	ctx := context.Background()
	var s *reports.Summary
	for b.Loop() {
		if s, err = reports.Write(ctx, []string{dir}, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Runs[0].Attempts), "attempts")
	b.ReportMetric(float64(st.Size())/(1<<20), "MiB-jsonl")
}
