package reports_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Run directories for the tests, written in the format of
// agent/rundir/SCHEMA.md, with the fields a report ignores included, as the
// study writes them.

// study are the parameters of a fake run.
type study struct {
	tasks         []string
	samples       int
	rounds        int
	feedback      string // default traceback
	feedbackTests string // default hidden
	simulator     bool
	status        string // default complete
	dataset       string // default humaneval
}

// att is one attempt of a fake run.
type att struct {
	task          string
	sample, round int
	passed        bool
	class         string // error class; "" with passed means "pass"
	status        string // default passed or failed
	msg           string
	code          string // the code; its hash is code_hash (default: a code of its own)
	stall         bool
	stallOf       int
	pt, ct        int             // prompt and completion tokens
	suites        map[string]bool // nil: absent
	visible       *att            // the visible tests' verdict (passed, class, msg)
}

func (a att) line() map[string]any {
	class, status := a.class, a.status
	if a.passed {
		class = "pass"
	}
	if status == "" {
		status = "failed"
		if a.passed {
			status = "passed"
		}
	}
	code := a.code
	if code == "" {
		code = fmt.Sprintf("def f():  # %s %d %d\n    return %d\n", a.task, a.sample, a.round, a.round)
	}
	h := sha256.Sum256([]byte(code))
	m := map[string]any{
		"task_id": a.task, "sample": a.sample, "round": a.round, "seed": 12345,
		"messages": []map[string]string{{"role": "system", "content": "You are an expert."}, {"role": "user", "content": "Complete " + a.task}},
		"response": "```python\n" + code + "```", "finish_reason": "stop", "code": code, "code_hash": hex.EncodeToString(h[:]),
		"passed": a.passed, "status": status, "error_class": class,
		"prompt_tokens": a.pt, "completion_tokens": a.ct, "cache_hit": false, "llm_attempts": 1, "llm_ms": 12.5,
		"run_ms": 40.1, "exec_ms": 80.2, "time": "2026-04-20T10:00:00Z", "future_field": map[string]int{"x": 1},
	}
	if status == "prompt-too-long" {
		m["error_class"] = ""
		m["llm_error"] = "context length exceeded"
	}
	if a.msg != "" {
		m["message"] = a.msg
		m["error_type"] = "AssertionError"
		m["traceback"] = "Traceback (most recent call last):\n  ...\n" + a.msg
	}
	if a.stall {
		m["stall"] = true
		m["stall_of"] = a.stallOf
	}
	if a.suites != nil {
		m["suites"] = a.suites
	}
	if v := a.visible; v != nil {
		vc := v.class
		if v.passed {
			vc = "pass"
		}
		vs := "failed"
		if v.passed {
			vs = "passed"
		}
		m["visible"] = map[string]any{"passed": v.passed, "status": vs, "error_class": vc, "message": v.msg}
	}
	return m
}

func (s study) manifest() map[string]any {
	or := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	return map[string]any{
		"format": "selfrepair-study/1", "run_id": "abc123", "status": or(s.status, "complete"),
		"created": "2026-04-20T10:00:00Z", "updated": "2026-04-20T11:00:00Z",
		"sessions": []map[string]any{{"started": "2026-04-20T10:00:00Z", "status": "complete", "pid": 1, "tool": "selfrepair test", "attempts": 1}},
		"params": map[string]any{
			"dataset": or(s.dataset, "humaneval"), "tasks": s.tasks, "model": "test-model", "samples": s.samples, "rounds": s.rounds,
			"feedback": or(s.feedback, "traceback"), "repair_style": "chat", "feedback_tests": or(s.feedbackTests, "hidden"),
			"traceback_budget": 2000, "temperature": 0.8, "seed": 7, "concurrency": 4, "timeout_ms": 3000, "memory_bytes": 512 << 20,
		},
		"dataset": map[string]any{"name": or(s.dataset, "humaneval"), "hash": "ff", "tasks": 164},
		"model":   map[string]any{"name": "test-model", "endpoint": "http://127.0.0.1:1/v1", "simulator": s.simulator},
		"sandbox": map[string]any{"image": "selfrepair/python:bookworm", "isolation": "pooled", "size": 4, "hash_seed": "7"},
		"cache":   map[string]any{"enabled": true},
	}
}

// writeRun writes a run directory under t's temporary directory.
func writeRun(t testing.TB, name string, s study, atts []att) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWriteJSON(t, filepath.Join(dir, "manifest.json"), s.manifest())
	var buf bytes.Buffer
	for _, a := range atts {
		b, err := json.Marshal(a.line())
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "attempts.jsonl"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustWriteJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// synthetic writes a big random run: tasks × samples samples of up to
// rounds+1 attempts, with conversations that grow by round as a chat
// repair's do (several KB a line).
func synthetic(t testing.TB, name string, tasks, samples, rounds int, feedback string, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	ids := make([]string, tasks)
	for i := range ids {
		ids[i] = fmt.Sprintf("HumanEval/%d", i)
	}
	classes := []string{"assertion", "assertion", "assertion", "syntax", "name", "type", "index", "timeout", "value", "key"}
	prompt := strings.Repeat("def f(x):\n    \"\"\" Return x, doubled. >>> f(2)\n    4\n    \"\"\"\n", 12)
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWriteJSON(t, filepath.Join(dir, "manifest.json"), study{tasks: ids, samples: samples, rounds: rounds, feedback: feedback, simulator: true}.manifest())
	f, err := os.Create(filepath.Join(dir, "attempts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for ti, id := range ids {
		difficulty := rng.Float64()
		for s := range samples {
			var msgs []map[string]string
			msgs = append(msgs, map[string]string{"role": "system", "content": "You are an expert Python programmer."},
				map[string]string{"role": "user", "content": prompt})
			var hashes []string
			for r := 0; r <= rounds; r++ {
				code := fmt.Sprintf("def f(x):\n    return x * %d  # %d\n", rng.IntN(6), ti)
				h := sha256.Sum256([]byte(code))
				hash := hex.EncodeToString(h[:])
				a := att{task: id, sample: s, round: r, code: code, pt: 300 + 150*r, ct: 120 + rng.IntN(80)}
				a.passed = rng.Float64() > difficulty*(1-0.1*float64(r)) // repairs help a little
				if !a.passed {
					a.class = classes[rng.IntN(len(classes))]
					a.msg = fmt.Sprintf("f(%d): expected %d, got %d", r, 2*r, rng.IntN(9))
				}
				for q, old := range hashes {
					if old == hash {
						a.stall, a.stallOf = true, q
						break
					}
				}
				hashes = append(hashes, hash)
				line := a.line()
				line["messages"] = msgs
				if err := enc.Encode(line); err != nil {
					t.Fatal(err)
				}
				if a.passed {
					break
				}
				msgs = append(msgs, map[string]string{"role": "assistant", "content": "```python\n" + code + "```"},
					map[string]string{"role": "user", "content": "Traceback (most recent call last):\n" + strings.Repeat("  File \"solution.py\", line 2, in f\n", 20) + a.msg})
			}
		}
	}
	return dir
}
