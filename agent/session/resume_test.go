package session

import (
	"errors"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/sandbox"
)

// TestResume: a resumed run keeps what it began with unless an override
// changes what may change.
func TestResume(t *testing.T) {
	base := rundir.Manifest{
		RunID:   "r1",
		Params:  rundir.Params{Model: "m", Dataset: "humaneval", Concurrency: 8, TimeoutMS: 3000, MemoryBytes: 1 << 29},
		Dataset: rundir.DatasetInfo{DataDir: "/data"},
		Model:   rundir.ModelInfo{Name: "m", Endpoint: "http://llm:8000/v1"},
		Sandbox: rundir.SandboxInfo{Image: "img:1", Isolation: "fresh", Size: 6, HashSeed: "7"},
	}
	simRun := base
	simRun.Model = rundir.ModelInfo{Name: "m", Endpoint: "http://127.0.0.1:4321/v1", Sim: &rundir.SimInfo{InProcess: true, Seed: 3, LatencyMS: 10}}
	lat, rate := 250*time.Millisecond, 0.5
	for _, c := range []struct {
		name  string
		m     rundir.Manifest
		o     Overrides
		check func(t *testing.T, s Settings)
		err   error
	}{
		{"kept", base, Overrides{}, func(t *testing.T, s Settings) {
			if s.Model.BaseURL != "http://llm:8000/v1" || s.Model.Concurrency != 8 || s.Model.DataDir != "/data" || s.Model.Sim != nil {
				t.Errorf("model %+v", *s.Model)
			}
			sb := s.Sandbox
			if sb.Image != "img:1" || sb.Isolation != sandbox.Fresh || sb.Size != 6 || sb.HashSeed != "7" || sb.RunID != "r1" ||
				sb.Limits.Timeout != 3*time.Second || sb.Limits.Memory != 1<<29 {
				t.Errorf("sandbox %+v", sb)
			}
		}, nil},
		{"overridden", base, Overrides{BaseURL: "http://other/v1", Concurrency: 2, Image: "img:2", Isolation: sandbox.Pooled, Size: 3}, func(t *testing.T, s Settings) {
			if s.Model.BaseURL != "http://other/v1" || s.Model.Concurrency != 2 || s.Sandbox.Image != "img:2" ||
				s.Sandbox.Isolation != sandbox.Pooled || s.Sandbox.Size != 3 {
				t.Errorf("settings %+v %+v", *s.Model, s.Sandbox)
			}
		}, nil},
		{"simulator started again", simRun, Overrides{SimLatency: &lat}, func(t *testing.T, s Settings) {
			if s.Model.BaseURL != "" || s.Model.Sim == nil || s.Model.Sim.Seed != 3 || s.Model.Sim.LatencyMS != 250 {
				t.Errorf("model %+v sim %+v", *s.Model, s.Model.Sim)
			}
			if simRun.Model.Sim.LatencyMS != 10 {
				t.Error("the manifest was changed")
			}
		}, nil},
		{"simulator settings for another model", base, Overrides{SimFaultRate: &rate}, nil, ErrSimOnly},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Resume(c.m, nil, c.o)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if c.check != nil {
				c.check(t, s)
			}
		})
	}
}
