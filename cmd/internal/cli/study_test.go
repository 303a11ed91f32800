package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/rundir"
	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/reports"
	"github.com/selfrepair/selfrepair/sandbox"
)

// TestStudyHelperProcess is not a test: it is the study process that the
// tests below start (and kill) as a real subprocess.
func TestStudyHelperProcess(t *testing.T) {
	if os.Getenv("SELFREPAIR_STUDY_HELPER") != "1" {
		t.Skip("the study subprocess of TestStudyKillResume")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Main(args, os.Stdin, os.Stdout, os.Stderr))
}

// startStudy starts `selfrepair ARGS` as a subprocess; its output goes to
// files in dir named after tag.
func startStudy(t *testing.T, dir, tag string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestStudyHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "SELFREPAIR_STUDY_HELPER=1")
	var err error
	if cmd.Stdout, err = os.Create(filepath.Join(dir, tag+".out")); err != nil {
		t.Fatal(err)
	}
	if cmd.Stderr, err = os.Create(filepath.Join(dir, tag+".err")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func readOutput(dir, tag string) string {
	out, _ := os.ReadFile(filepath.Join(dir, tag+".out"))
	errOut, _ := os.ReadFile(filepath.Join(dir, tag+".err"))
	return string(out) + string(errOut)
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// killWhen SIGKILLs the process once ready() holds; it fails the test if
// the process ends first.
func killWhen(t *testing.T, cmd *exec.Cmd, what string, ready func() bool) {
	t.Helper()
	signalWhen(t, cmd, syscall.SIGKILL, what, ready)
}

// signalWhen sends sig to the process once ready() holds and returns how
// it exited; it fails the test if the process ends first.
func signalWhen(t *testing.T, cmd *exec.Cmd, sig syscall.Signal, what string, ready func() bool) error {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for !ready() {
		select {
		case err := <-exited:
			t.Fatalf("the study ended (%v) before %s", err, what)
			return err
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("timed out waiting for %s", what)
			return nil
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return <-exited
}

func waitStudy(t *testing.T, cmd *exec.Cmd, dir, tag string) {
	t.Helper()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v\n%s", tag, err, readOutput(dir, tag))
	}
}

// attemptLines reads attempts.jsonl as generic records.
func attemptLines(t *testing.T, run string) []map[string]any {
	t.Helper()
	var out []map[string]any
	_, err := rundir.ReadAttempts(context.Background(), run, rundir.AllFields, func(_ int, a *rundir.Attempt) error {
		b, _ := json.Marshal(a)
		var m map[string]any
		json.Unmarshal(b, &m)
		out = append(out, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// comparableAttempts drops timing and provenance fields and sorts by task,
// sample and round.
func comparableAttempts(recs []map[string]any, order []string) []map[string]any {
	for _, r := range recs {
		for _, k := range []string{"time", "llm_ms", "llm_attempts", "run_ms", "exec_ms", "cache_hit", "reused"} {
			delete(r, k)
		}
	}
	slices.SortFunc(recs, func(a, b map[string]any) int {
		return cmp.Or(cmp.Compare(slices.Index(order, a["task_id"].(string)), slices.Index(order, b["task_id"].(string))),
			cmp.Compare(a["sample"].(float64), b["sample"].(float64)), cmp.Compare(a["round"].(float64), b["round"].(float64)))
	})
	return recs
}

func readManifest(t *testing.T, run string) rundir.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(run, rundir.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m rundir.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStudyKillResume is an acceptance test. A study against the built-in
// simulator runs uninterrupted; the same study is killed (SIGKILL) before
// its first attempt, after 5 and after 15 attempts, stopped with SIGTERM
// after 20 (exit 130, its containers removed), and resumed each time.
// The uninterrupted run is complete and consistent (every sample has its
// rounds up to its first pass or the last round, the pass rates never
// fall, the manifest says simulator); the resumed run recorded exactly the
// same attempts, none missing, none twice; a second process is refused
// while one runs; no container of either run is left.
func TestStudyKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("Docker test")
	}
	tmp := t.TempDir()
	common := []string{"study", "--sim", "--tasks", "8", "--samples", "2", "--rounds", "3", "--seed", "5",
		"--feedback", "traceback", "--sim-latency", "100ms", "--concurrency", "8", "--sandboxes", "4"}
	ref, killed := filepath.Join(tmp, "ref"), filepath.Join(tmp, "killed")
	refCmd := startStudy(t, tmp, "ref", append(common, "--out", ref, "--cache", filepath.Join(tmp, "cache-ref"))...)

	cmd := startStudy(t, tmp, "k1", append(common, "--out", killed, "--cache", filepath.Join(tmp, "cache-killed"))...)
	killWhen(t, cmd, "the manifest was written", func() bool {
		_, err := os.Stat(filepath.Join(killed, rundir.ManifestFile))
		return err == nil
	})
	attempts := filepath.Join(killed, rundir.AttemptsFile)
	cmd = startStudy(t, tmp, "k2", "study", "--resume", killed)
	killWhen(t, cmd, "5 attempts", func() bool { return countLines(attempts) >= 5 })
	// k2 may have written more than 5 before it died: k3 holds the run once
	// it has added to what is there.
	before := countLines(attempts)
	cmd = startStudy(t, tmp, "k3", "study", "--resume", killed)
	for countLines(attempts) <= before {
		time.Sleep(5 * time.Millisecond)
	}
	// While it runs, a second process is refused.
	var out, errOut bytes.Buffer
	if code := Main([]string{"study", "--resume", killed}, nil, &out, &errOut); code != ExitError ||
		!strings.Contains(errOut.String(), "in use by another process") {
		t.Errorf("a second process on the run: exit %d, %q", code, errOut.String())
	}
	killWhen(t, cmd, "15 attempts", func() bool { return countLines(attempts) >= 15 })
	cmd = startStudy(t, tmp, "k4", "study", "--resume", killed)
	err := signalWhen(t, cmd, syscall.SIGTERM, "20 attempts", func() bool { return countLines(attempts) >= 20 })
	if cmd.ProcessState.ExitCode() != ExitInterrupted {
		t.Errorf("SIGTERM: %v, want exit code %d\n%s", err, ExitInterrupted, readOutput(tmp, "k4"))
	}
	ctx := context.Background()
	eng, err := sandbox.NewEngine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	km := readManifest(t, killed)
	if km.Status != rundir.StatusInterrupted {
		t.Errorf("after SIGTERM the manifest says %s", km.Status)
	}
	if ids, err := eng.RunContainers(ctx, km.RunID); err != nil || len(ids) > 0 {
		t.Errorf("SIGTERM left containers %v (%v)", ids, err)
	}
	cmd = startStudy(t, tmp, "k5", "study", "--resume", killed)
	waitStudy(t, cmd, tmp, "k5")
	waitStudy(t, refCmd, tmp, "ref")

	// The uninterrupted run.
	m := readManifest(t, ref)
	if m.Status != rundir.StatusComplete || !m.Model.Simulator || m.Model.Sim == nil || !m.Model.Sim.InProcess {
		t.Errorf("manifest: status %s, model %+v", m.Status, m.Model)
	}
	if out := readOutput(tmp, "ref"); !strings.Contains(out, "SIMULATED") || !strings.Contains(out, "run directory: "+ref) {
		t.Errorf("the output does not say simulated or give the run directory:\n%s", out)
	}
	// The study writes its report when it finishes, and says where.
	if out := readOutput(tmp, "ref"); !strings.Contains(out, "report: "+filepath.Join(ref, "report.md")) {
		t.Errorf("the output does not say where the report is:\n%s", out)
	}
	if md, err := os.ReadFile(filepath.Join(ref, "report.md")); err != nil || !strings.Contains(string(md), "SIMULATED") {
		t.Errorf("report.md of the finished study: %v\n%.300s", err, md)
	}
	var sum reports.Run
	b, _ := os.ReadFile(filepath.Join(ref, rundir.SummaryFile))
	if err := json.Unmarshal(b, &sum); err != nil || !sum.Complete || !sum.Simulator || len(sum.PerRound) != 4 {
		t.Fatalf("summary.json: %v %+v", err, sum)
	}
	for r := 1; r < len(sum.PerRound); r++ {
		if sum.PerRound[r].PassRate < sum.PerRound[r-1].PassRate {
			t.Errorf("the pass rate fell from round %d to %d: %+v", r-1, r, sum.PerRound)
		}
	}
	refRecs := attemptLines(t, ref)
	last := map[string]map[string]any{}
	for _, r := range refRecs {
		k := fmt.Sprintf("%s/%v", r["task_id"], r["sample"])
		if prev := last[k]; prev == nil && r["round"].(float64) != 0 || prev != nil && (prev["passed"] == true || r["round"].(float64) != prev["round"].(float64)+1) {
			t.Errorf("%s: round %v after %v", k, r["round"], prev)
		}
		last[k] = r
	}
	if len(last) != 16 {
		t.Errorf("%d samples recorded, want 16", len(last))
	}
	for k, r := range last {
		if r["passed"] != true && r["round"].(float64) != 3 {
			t.Errorf("%s ends at round %v without passing", k, r["round"])
		}
	}
	if sum.Attempts != len(refRecs) {
		t.Errorf("summary counts %d attempts, the file %d", sum.Attempts, len(refRecs))
	}

	// The killed and resumed run.
	km = readManifest(t, killed)
	// The first process may die before it records its session.
	if km.Status != rundir.StatusComplete || len(km.Sessions) < 4 || len(km.Sessions) > 5 {
		t.Errorf("resumed manifest: status %s, %d sessions", km.Status, len(km.Sessions))
	}
	order := m.Params.Tasks
	a, bb := comparableAttempts(refRecs, order), comparableAttempts(attemptLines(t, killed), order)
	if len(a) != len(bb) {
		t.Errorf("%d attempts uninterrupted, %d killed and resumed", len(a), len(bb))
	}
	for i := range min(len(a), len(bb)) {
		if !reflect.DeepEqual(a[i], bb[i]) {
			ja, _ := json.Marshal(a[i])
			jb, _ := json.Marshal(bb[i])
			t.Fatalf("attempt %d differs:\nuninterrupted %s\nresumed       %s", i, ja, jb)
		}
	}

	for _, run := range []rundir.Manifest{m, km} {
		if ids, err := eng.RunContainers(ctx, run.RunID); err != nil || len(ids) > 0 {
			t.Errorf("run %s left containers %v (%v)", run.RunID, ids, err)
		}
	}
}

// TestStudyBadInput: each bad input is one line on stderr and a non-zero
// exit, before any work, and leaves no run directory behind.
func TestStudyBadInput(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	s, err := sim.New(sim.Options{Models: []string{"sim-a"}, APIKey: "right-key", Languages: builtin.Registry().Languages()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer s.Close()
	tmp := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknownKey := write("unknown.yaml", "model: sim-a\nsamples: 2\nsampels: 3\n")
	badType := write("type.yaml", "model: sim-a\nsamples: five\n")
	badYAML := write("syntax.yaml", "model: [sim-a\n")
	badList := write("list.yaml", "model:\n  - a\n  - b\n")
	notRun := filepath.Join(tmp, "not-a-run")
	os.Mkdir(notRun, 0o755)
	aRun := filepath.Join(tmp, "a-run")
	os.Mkdir(aRun, 0o755)
	write("a-run/"+rundir.ManifestFile, "{}")
	out := filepath.Join(tmp, "out")
	endpoint := []string{"--base-url", ts.URL + "/v1", "--out", out, "--no-cache"}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unreachable endpoint", []string{"--model", "m", "--base-url", "http://127.0.0.1:1/v1", "--out", out}, ExitError, "cannot reach http://127.0.0.1:1/v1"},
		{"wrong key", append([]string{"--model", "sim-a", "--api-key", "wrong"}, endpoint...), ExitError, "refused the API key"},
		{"unknown model", append([]string{"--model", "gpt-9", "--api-key", "right-key"}, endpoint...), ExitError, `model "gpt-9" is not served by ` + ts.URL + "/v1 (it serves: sim-a)"},
		{"study file: unknown key", []string{"--config", unknownKey}, ExitUsage, `unknown.yaml:3: unknown key "sampels"`},
		{"study file: type error", []string{"--config", badType}, ExitUsage, `type.yaml:2: samples: "five" is not a valid whole number`},
		{"study file: syntax", []string{"--config", badYAML}, ExitUsage, "syntax.yaml: line"},
		{"study file: a list", []string{"--config", badList}, ExitUsage, "list.yaml:2: model: want a single value, not a list"},
		{"study file: missing", []string{"--config", filepath.Join(tmp, "none.yaml")}, ExitUsage, "no such file"},
		{"resume: not a run", []string{"--resume", notRun}, ExitError, "not a run directory (no manifest.json)"},
		{"resume: missing", []string{"--resume", filepath.Join(tmp, "missing")}, ExitError, "does not exist"},
		{"resume: bad manifest", []string{"--resume", aRun}, ExitError, "not a run directory"},
		{"resume: changing the study", []string{"--resume", aRun, "--samples", "3"}, ExitUsage, "--samples cannot change a run being resumed"},
		{"out holds a run", []string{"--sim", "--out", aRun, "--no-cache"}, ExitError, "already holds a run: continue it with --resume"},
		{"no model", []string{"--out", out}, ExitUsage, "give --model"},
		{"bad feedback mode", []string{"--sim", "--feedback", "loud", "--out", out}, ExitUsage, `unknown feedback mode "loud"`},
		{"bad task id", []string{"--sim", "--tasks", "HumanEval/0,HumanEval/999", "--out", out}, ExitUsage, `task_id "HumanEval/999" is not in humaneval (nearest: HumanEval/163`},
		{"sim and base url", []string{"--sim", "--base-url", "http://x/v1", "--out", out}, ExitUsage, "drop --base-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"study"}, tt.args...), nil, &stdout, &stderr)
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			if code != tt.code || len(lines) != 1 || !strings.HasPrefix(lines[0], "selfrepair: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant one line with %q", code, tt.code, stderr.String(), tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a run directory was left behind")
				os.RemoveAll(out)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(aRun, rundir.ManifestFile)); string(b) != "{}" {
		t.Errorf("a failed resume changed the manifest: %q", b)
	}
}

// TestStudyFile: a study file sets what the command line does not; the
// command line wins.
func TestStudyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.yaml")
	os.WriteFile(path, []byte(`# a study
model: qwen2.5-coder-7b
samples: 7
rounds: 2
feedback: cot
temperature: 0.2
tasks: [HumanEval/0, HumanEval/3]
timeout: 5s
no-cache: true
`), 0o644)
	var got *StudyOptions
	cmd := NewCmdStudy(&Factory{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, func(_ context.Context, o *StudyOptions) error {
		got = o
		return nil
	})
	cmd.SetArgs([]string{"--config", path, "--samples", "3", "--out", "runs/x"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Model": "qwen2.5-coder-7b", "Samples": 3, "Rounds": 2, "Feedback": "cot", "Temperature": 0.2,
		"Tasks": "HumanEval/0,HumanEval/3", "Timeout": 5 * time.Second, "NoCache": true, "Out": "runs/x",
	}
	v := reflect.ValueOf(got).Elem()
	for field, w := range want {
		if g := v.FieldByName(field).Interface(); !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %v, want %v", field, g, w)
		}
	}
}
