package study_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/llm"
	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/agent/study"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/reports"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

const studySeed = 11

func params(ids []string, mode prompt.Mode) rundir.Params {
	temp := float32(0.8)
	return rundir.Params{
		Dataset: "humaneval", Tasks: ids, Model: sim.DefaultModel, Samples: 2, Rounds: 2,
		Feedback: mode, RepairStyle: prompt.Chat, FeedbackTests: rundir.HiddenTests,
		TracebackBudget: prompt.DefaultTracebackBudget, Temperature: &temp, Seed: studySeed,
		Concurrency: 8, TimeoutMS: 3000, MemoryBytes: 512 << 20,
	}
}

// runStudy runs a study of ids against a simulator with the given faults
// behind a real HTTP server, and returns its attempts. It may run on any
// goroutine.
func runStudy(sb *sandbox.Sandbox, ds *tasks.Dataset, dir string, p rundir.Params, faults sim.Faults) ([]rundir.Attempt, *reports.Run, error) {
	s, err := sim.New(sim.Options{Seed: 7, Faults: faults, Languages: builtin.Registry().Languages()})
	if err != nil {
		return nil, nil, err
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer s.Close() // releases hung requests first
	client, err := llm.New(llm.Options{BaseURL: ts.URL + "/v1", Timeout: time.Second, Concurrency: p.Concurrency,
		BackoffBase: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond})
	if err != nil {
		return nil, nil, err
	}
	st, err := study.Create(dir, rundir.Manifest{Params: p, Dataset: rundir.DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tasks: len(ds.Tasks)},
		Model: rundir.ModelInfo{Name: p.Model, Endpoint: ts.URL, Simulator: true}})
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	err = st.Run(context.Background(), study.Env{Model: client, CacheIdentity: "sim", Language: python.New(), Runner: sb, Dataset: ds})
	if err != nil {
		return nil, nil, err
	}
	var atts []rundir.Attempt
	if _, err := rundir.ReadAttempts(context.Background(), dir, rundir.AllFields, func(_ int, a *rundir.Attempt) error { atts = append(atts, *a); return nil }); err != nil {
		return nil, nil, err
	}
	rep, err := reports.Build(context.Background(), []string{dir})
	if err != nil {
		return nil, nil, err
	}
	return atts, rep.Runs[0], nil
}

// comparable drops the fields that differ between equivalent runs
// (timing and provenance) and sorts by task, sample and round.
func comparable(ids []string, atts []rundir.Attempt) []rundir.Attempt {
	out := slices.Clone(atts)
	for i := range out {
		a := &out[i]
		a.CacheHit, a.Reused, a.LLMAttempts, a.LLMMS, a.RunMS, a.ExecMS, a.Time = false, false, 0, 0, 0, 0, time.Time{}
	}
	slices.SortFunc(out, func(a, b rundir.Attempt) int {
		return cmp.Or(cmp.Compare(slices.Index(ids, a.TaskID), slices.Index(ids, b.TaskID)),
			cmp.Compare(a.Sample, b.Sample), cmp.Compare(a.Round, b.Round))
	})
	return out
}

func newSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	ctx := context.Background()
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: python.New().ImageRef(), Size: 4,
		Limits: sandbox.Limits{Timeout: 3 * time.Second}, Env: python.New().SeedEnv(study.HashSeed(studySeed)), Preload: python.New().Preload()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// TestFaultsChangeNothing is an acceptance test: a study against a
// simulator that answers 20% of requests with a fault (429, 500, hang,
// malformed or truncated body) records the same attempts as one against a
// simulator without faults.
func TestFaultsChangeNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("Docker test")
	}
	ds, err := tasks.Load("humaneval", "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range ds.Tasks[20:30] {
		ids = append(ids, tk.ID)
	}
	sb := newSandbox(t)
	p := params(ids, prompt.CoT)
	var clean, faulty []rundir.Attempt
	var cleanErr, faultyErr error
	var wg sync.WaitGroup
	wg.Go(func() { clean, _, cleanErr = runStudy(sb, ds, filepath.Join(t.TempDir(), "clean"), p, sim.Faults{}) })
	wg.Go(func() {
		faulty, _, faultyErr = runStudy(sb, ds, filepath.Join(t.TempDir(), "faulty"), p, sim.Faults{
			RateLimit: 0.04, ServerError: 0.04, Hang: 0.04, Malformed: 0.04, Truncated: 0.04, RetryAfter: 20 * time.Millisecond})
	})
	wg.Wait()
	if cleanErr != nil || faultyErr != nil {
		t.Fatalf("without faults: %v; with faults: %v", cleanErr, faultyErr)
	}
	retried := 0
	for _, a := range faulty {
		retried += a.LLMAttempts - 1
	}
	if retried == 0 {
		t.Fatal("no request of the faulty run was retried: the faults were not injected")
	}
	t.Logf("%d attempts; the faulty run retried %d HTTP requests", len(clean), retried)
	a, b := comparable(ids, clean), comparable(ids, faulty)
	if len(a) != len(b) {
		t.Fatalf("%d attempts without faults, %d with", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			ja, _ := json.Marshal(a[i])
			jb, _ := json.Marshal(b[i])
			t.Fatalf("attempt %d differs:\nwithout faults %s\nwith faults    %s", i, ja, jb)
		}
	}
}

// TestResumeAfterATornWrite: a run that crashed halfway through writing
// an attempt is resumed: the torn line is dropped and the run ends with the
// attempts of a run that never crashed.
func TestResumeAfterATornWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("Docker test")
	}
	ds, err := tasks.Load("humaneval", "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range ds.Tasks[56:62] { // no task whose tests draw random inputs (32, 38, 50, 53)
		ids = append(ids, tk.ID)
	}
	sb := newSandbox(t)
	p := params(ids, prompt.Explain)
	full := filepath.Join(t.TempDir(), "full")
	want, _, err := runStudy(sb, ds, full, p, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	// The crashed run: its manifest says running, and its attempts stop
	// in the middle of a line.
	crashed := filepath.Join(t.TempDir(), "crashed")
	os.Mkdir(crashed, 0o755)
	m, _ := os.ReadFile(filepath.Join(full, rundir.ManifestFile))
	m = []byte(strings.Replace(string(m), `"status": "complete"`, `"status": "running"`, 1))
	os.WriteFile(filepath.Join(crashed, rundir.ManifestFile), m, 0o644)
	lines, _ := os.ReadFile(filepath.Join(full, rundir.AttemptsFile))
	cut := 0
	for range len(want) / 2 {
		cut += strings.IndexByte(string(lines[cut:]), '\n') + 1
	}
	torn := lines[:cut+(strings.IndexByte(string(lines[cut:]), '\n'))/2]
	os.WriteFile(filepath.Join(crashed, rundir.AttemptsFile), torn, 0o644)

	st, err := study.Open(crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ := sim.New(sim.Options{Seed: 7, Languages: builtin.Registry().Languages()})
	ts := httptest.NewServer(s)
	defer ts.Close()
	client, _ := llm.New(llm.Options{BaseURL: ts.URL + "/v1"})
	if err := st.Run(context.Background(), study.Env{Model: client, CacheIdentity: "sim", Language: python.New(), Runner: sb, Dataset: ds}); err != nil {
		t.Fatal(err)
	}
	var got []rundir.Attempt
	if _, err := rundir.ReadAttempts(context.Background(), crashed, rundir.AllFields, func(_ int, a *rundir.Attempt) error { got = append(got, *a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d attempts after the resume, want %d", len(got), len(want))
	}
	if !reflect.DeepEqual(comparable(ids, got), comparable(ids, want)) {
		t.Error("the resumed run recorded other attempts than the run that never crashed")
	}
	if st.Manifest().Status != rundir.StatusComplete {
		t.Errorf("status %s", st.Manifest().Status)
	}
}

// TestStudyModes runs each feedback mode and repair style on a few tasks:
// every sample has its rounds up to its first pass (or the last round),
// the feedback shown is the one the mode asks for, and the next request
// holds it.
func TestStudyModes(t *testing.T) {
	if testing.Short() {
		t.Skip("Docker test")
	}
	ds, err := tasks.Load("humaneval", "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range ds.Tasks[40:46] {
		ids = append(ids, tk.ID)
	}
	sb := newSandbox(t)
	type run struct {
		mode  prompt.Mode
		style prompt.Style
	}
	runs := []run{{prompt.None, prompt.Chat}, {prompt.Minimal, prompt.Chat}, {prompt.Reflexion, prompt.Single}}
	var wg sync.WaitGroup
	for _, r := range runs {
		dir := filepath.Join(t.TempDir(), "run")
		wg.Go(func() {
			p := params(ids, r.mode)
			p.RepairStyle, p.Rounds = r.style, 3
			name := fmt.Sprintf("%s/%s", r.mode, r.style)
			atts, sum, err := runStudy(sb, ds, dir, p, sim.Faults{})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			checkRun(t, name, p, atts, sum)
		})
	}
	wg.Wait()
}

func checkRun(t *testing.T, name string, p rundir.Params, atts []rundir.Attempt, sum *reports.Run) {
	t.Helper()
	byKey := map[string]rundir.Attempt{}
	for _, a := range atts {
		k := fmt.Sprintf("%s/%d/%d", a.TaskID, a.Sample, a.Round)
		if _, dup := byKey[k]; dup {
			t.Errorf("%s: %s recorded twice", name, k)
		}
		byKey[k] = a
	}
	failures := 0
	for _, id := range p.Tasks {
		for s := range p.Samples {
			for r := 0; r <= p.Rounds; r++ {
				a, ok := byKey[fmt.Sprintf("%s/%d/%d", id, s, r)]
				if !ok {
					t.Errorf("%s: %s sample %d has no round %d", name, id, s, r)
					break
				}
				if a.Status == "" || a.Class == "" || a.CodeHash == "" || a.Response == "" || len(a.Messages) < 2 {
					t.Errorf("%s: %s/%d/%d incomplete: %+v", name, id, s, r, a)
				}
				if a.Passed || r == p.Rounds {
					if next, ok := byKey[fmt.Sprintf("%s/%d/%d", id, s, r+1)]; ok {
						t.Errorf("%s: %s sample %d went on after round %d: %+v", name, id, s, r, next.Status)
					}
					if a.Feedback != "" {
						t.Errorf("%s: feedback after the last attempt of a sample", name)
					}
					break
				}
				failures++
				next := byKey[fmt.Sprintf("%s/%d/%d", id, s, r+1)]
				switch {
				case p.Feedback == prompt.None:
					if a.Feedback != "" || len(next.Messages) != 2 {
						t.Errorf("%s: resampling round %d has feedback or history", name, r+1)
					}
				case !strings.HasPrefix(a.Feedback, "Your ") || !strings.Contains(a.Feedback, "error class: "+string(a.Class)+"\n"):
					t.Errorf("%s: feedback %q does not name class %s", name, a.Feedback, a.Class)
				case next.Messages[len(next.Messages)-1].Content != a.Feedback:
					t.Errorf("%s: the next request does not end with the feedback", name)
				case p.RepairStyle == prompt.Single && len(next.Messages) != 4:
					t.Errorf("%s: single-style request has %d messages", name, len(next.Messages))
				case p.RepairStyle == prompt.Chat && len(next.Messages) != 2+2*(r+1):
					t.Errorf("%s: chat request of round %d has %d messages", name, r+1, len(next.Messages))
				}
				if a.Stall != (a.StallOf != nil) {
					t.Errorf("%s: stall flag and stall_of disagree", name)
				}
			}
		}
	}
	if failures == 0 {
		t.Errorf("%s: no sample failed: nothing was repaired", name)
	}
	if p.Feedback == prompt.Reflexion {
		kept := 0
		for _, a := range atts {
			if strings.Contains(a.Feedback, "Your reflections on your earlier attempts:\n1. ") {
				kept++
			}
		}
		if kept == 0 {
			t.Errorf("%s: no feedback repeats an earlier reflection", name)
		}
	}
	if !sum.Complete || len(sum.PerRound) != p.Rounds+1 {
		t.Errorf("%s: summary %+v", name, sum)
		return
	}
	for r := 1; r < len(sum.PerRound); r++ {
		if sum.PerRound[r].PassRate < sum.PerRound[r-1].PassRate {
			t.Errorf("%s: pass rate fell from round %d to %d", name, r-1, r)
		}
	}
	if sum.Attempts != len(atts) {
		t.Errorf("%s: summary counts %d attempts, file has %d", name, sum.Attempts, len(atts))
	}
}
