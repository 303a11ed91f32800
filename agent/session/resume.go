package session

import (
	"cmp"
	"errors"
	"time"

	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// Overrides are what a resumed run may change of how it began: where and
// how fast the model is asked, and how its programs run. What defines the
// study (its parameters) cannot change. A nil or zero field keeps the
// run's own value.
type Overrides struct {
	BaseURL, APIKey string
	DataDir         string
	LLMTimeout      time.Duration
	Concurrency     int
	// With the in-process simulator only.
	SimLatency   *time.Duration
	SimFaultRate *float64
	Image        string
	Isolation    sandbox.Isolation
	Size         int
	Cache        *CacheSettings
}

// ErrSimOnly means a simulator setting was given for a run of another model.
var ErrSimOnly = errors.New("the simulator's latency and fault rate apply to runs of the in-process simulator only")

// DataDir is where the dataset of the run of manifest m is read from when
// it resumes: override if given, else where the run began.
func DataDir(m rundir.Manifest, override string) string { return cmp.Or(override, m.Dataset.DataDir) }

// Resume returns the settings of a session that resumes the run of
// manifest m in language lang, with the overrides o. A run that began
// with the in-process simulator gets it again, with its seed.
func Resume(m rundir.Manifest, lang languages.Language, o Overrides) (Settings, error) {
	p := m.Params
	var simInfo *rundir.SimInfo
	baseURL := cmp.Or(o.BaseURL, m.Model.Endpoint)
	if m.Model.Sim != nil && m.Model.Sim.InProcess {
		s := *m.Model.Sim
		if o.SimLatency != nil {
			s.LatencyMS = o.SimLatency.Milliseconds()
		}
		if o.SimFaultRate != nil {
			s.FaultRate = *o.SimFaultRate
		}
		simInfo, baseURL = &s, ""
	} else if o.SimLatency != nil || o.SimFaultRate != nil {
		return Settings{}, ErrSimOnly
	}
	iso, err := sandbox.ParseIsolation(string(cmp.Or(o.Isolation, sandbox.Isolation(m.Sandbox.Isolation), sandbox.Pooled)))
	if err != nil {
		return Settings{}, err
	}
	return Settings{
		Model: &ModelSettings{Name: p.Model, BaseURL: baseURL, APIKey: o.APIKey, Sim: simInfo, Dataset: p.Dataset,
			DataDir: DataDir(m, o.DataDir), Concurrency: cmp.Or(o.Concurrency, p.Concurrency),
			Timeout: o.LLMTimeout},
		Cache: o.Cache,
		Sandbox: SandboxSettings{Language: lang, Image: cmp.Or(o.Image, m.Sandbox.Image), Isolation: iso,
			Size:     cmp.Or(o.Size, m.Sandbox.Size),
			Limits:   sandbox.Limits{Timeout: time.Duration(p.TimeoutMS) * time.Millisecond, Memory: p.MemoryBytes},
			HashSeed: m.Sandbox.HashSeed, RunID: m.RunID},
	}, nil
}
