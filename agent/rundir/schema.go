package rundir

import (
	"errors"
	"fmt"
	"time"

	"github.com/selfrepair/selfrepair/agent/prompt"
	"github.com/selfrepair/selfrepair/languages"
)

// Format is the manifest's format tag.
const Format = "selfrepair-study/1"

// Files of a run directory.
const (
	ManifestFile = "manifest.json"
	AttemptsFile = "attempts.jsonl"
	SummaryFile  = "summary.json"
)

// Run statuses (Manifest.Status).
const (
	StatusRunning     = "running"
	StatusComplete    = "complete"
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
)

// Attempt statuses beyond those of agent/evaluate (passed, failed,
// timeout, memory, output-limit; sandbox-error is never recorded).
const (
	// StatusTooLong: the endpoint refused the request because the prompt
	// does not fit the model's context; the sample ends there.
	StatusTooLong = "prompt-too-long"
)

// Attempt is one line of attempts.jsonl: one request to the model and the
// verdict on the code it answered. See SCHEMA.md.
type Attempt struct {
	TaskID string `json:"task_id"`
	Sample int    `json:"sample"`
	Round  int    `json:"round"`
	Seed   int    `json:"seed"`

	Messages     []prompt.Message `json:"messages"`
	Response     string           `json:"response"`
	FinishReason string           `json:"finish_reason,omitempty"`
	Code         string           `json:"code"`
	CodeHash     string           `json:"code_hash"`

	Verdict
	// Visible is the verdict of the visible (example) tests, when the
	// feedback comes from them (feedback_tests "visible").
	Visible *Verdict `json:"visible,omitempty"`

	Stall      bool   `json:"stall,omitempty"`
	StallOf    *int   `json:"stall_of,omitempty"`
	Feedback   string `json:"feedback,omitempty"`
	Reflection string `json:"reflection,omitempty"`
	LLMError   string `json:"llm_error,omitempty"`

	// Repository mode (selfrepair fix): what became of each edit of the
	// answer, and the tests the edited repository was judged by (nil when
	// no edit applied, so the tests did not run).
	Edits []EditResult `json:"edits,omitempty"`
	Tests *TestRun     `json:"tests,omitempty"`

	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`

	// Provenance and timing: they differ between runs that are otherwise
	// identical.
	CacheHit    bool      `json:"cache_hit"`
	Reused      bool      `json:"reused,omitempty"`
	LLMAttempts int       `json:"llm_attempts"`
	LLMMS       float64   `json:"llm_ms"`
	RunMS       float64   `json:"run_ms"`
	ExecMS      float64   `json:"exec_ms"`
	Time        time.Time `json:"time"`
}

// EditResult is what became of one edit of an answer in repository mode.
type EditResult struct {
	Path  string `json:"path"`
	Block int    `json:"block"`
	Match string `json:"match,omitempty"` // how it was applied (agent/edit.Match); "" when refused
	Error string `json:"error,omitempty"` // why it was refused
}

// TestRun is one run of a repository's test command, graded against its
// baseline (see Fix).
type TestRun struct {
	ExitCode int `json:"exit_code"`
	Passed   int `json:"passed"` // tests that passed, of every test reported
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	// TargetsPassing counts the targets (the tests that failed at every
	// baseline run) that pass now; Failing lists those that do not, and
	// Broken the guards (tests that passed at every baseline run) that
	// fail now.
	TargetsPassing int      `json:"targets_passing"`
	Failing        []string `json:"failing,omitempty"`
	Broken         []string `json:"broken,omitempty"`
	// Void says why the run counts for nothing (it exited non-zero and no
	// failing test was reported, or it reported no test at all).
	Void string `json:"void,omitempty"`
}

// Fix is what a repository-mode run (selfrepair fix) knows of its
// repository: where it is, the test command, and the baseline.
type Fix struct {
	Repo    string `json:"repo"`   // the repository's top folder
	Commit  string `json:"commit"` // HEAD at the snapshot
	Test    string `json:"test"`   // the test command, as the user gave it
	Runner  string `json:"runner"` // the runner recognised in it, "" when none
	Command string `json:"command"`
	// The baseline: the tests that failed at every run (targets), passed
	// at every run (guards), or did both (quarantined: neither).
	Targets     []string `json:"targets"`
	Guards      []string `json:"guards"`
	Quarantined []string `json:"quarantined,omitempty"`
	// Failures are how the targets failed at the first baseline run.
	Failures []TestFailure `json:"failures,omitempty"`
	// The ending, once the run is over: fixed, partially-fixed,
	// rounds-exhausted, budget, no-progress, edit-failures, nothing-failing.
	Ending string `json:"ending,omitempty"`
	Patch  string `json:"patch,omitempty"` // the best patch's file
	// Limits of a test run.
	SnapshotLimit  int64    `json:"snapshot_limit"`
	AllowTestEdits bool     `json:"allow_test_edits,omitempty"`
	TestFiles      []string `json:"test_files,omitempty"` // test files named beside the conventions
	MaxTotalTokens int      `json:"max_total_tokens,omitempty"`
	// The setup step, run once before the baseline (again on resume).
	Setup        string `json:"setup,omitempty"`
	SetupNetwork bool   `json:"setup_network,omitempty"`
}

// A TestFailure is how one test failed: its first message line, and the
// place in the repository the failure points to first (File is "" when it
// names none).
type TestFailure struct {
	Test    string `json:"test"`
	Message string `json:"message,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// Verdict is how the tests judged some code.
type Verdict struct {
	Passed bool   `json:"passed"`
	Status string `json:"status"`
	// How the code failed: its class, the final exception and message, the
	// failing lines, the failing call and the expected and actual values
	// when a failed assert of the tests compared them, the traceback.
	languages.Failure
	// Suites has the verdict of each scoring suite (base, plus), when the
	// dataset has more than one: passed is true when all of them are.
	Suites map[languages.Suite]bool `json:"suites,omitempty"`
}

// Manifest is manifest.json: everything needed to understand, reproduce
// and resume a run. See SCHEMA.md.
type Manifest struct {
	Format   string    `json:"format"`
	RunID    string    `json:"run_id"`
	Status   string    `json:"status"`
	Error    string    `json:"error,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Sessions []Session `json:"sessions"`

	Params  Params      `json:"params"`
	Dataset DatasetInfo `json:"dataset"`
	Model   ModelInfo   `json:"model"`
	Sandbox SandboxInfo `json:"sandbox"`
	Cache   CacheInfo   `json:"cache"`
	// Fix is set for a repository-mode run (selfrepair fix).
	Fix *Fix `json:"fix,omitempty"`
}

// Params are the parameters that define a study: a resumed run keeps them.
type Params struct {
	Dataset         string       `json:"dataset"`
	Tasks           []string     `json:"tasks"`
	Model           string       `json:"model"`
	Samples         int          `json:"samples"`
	Rounds          int          `json:"rounds"`
	Feedback        prompt.Mode  `json:"feedback"`
	RepairStyle     prompt.Style `json:"repair_style"`
	FeedbackTests   string       `json:"feedback_tests"`
	TracebackBudget int          `json:"traceback_budget"`
	Temperature     *float32     `json:"temperature,omitempty"`
	TopP            *float32     `json:"top_p,omitempty"`
	MaxTokens       int          `json:"max_tokens,omitempty"`
	Seed            uint64       `json:"seed"`
	Concurrency     int          `json:"concurrency"`
	TimeoutMS       int64        `json:"timeout_ms"`
	MemoryBytes     int64        `json:"memory_bytes"`
}

// Feedback test suites (Params.FeedbackTests).
const (
	HiddenTests  = "hidden"
	VisibleTests = "visible"
)

// Session is one process's part of a run.
type Session struct {
	Started  time.Time  `json:"started"`
	Ended    *time.Time `json:"ended,omitempty"`
	Status   string     `json:"status"`
	Error    string     `json:"error,omitempty"`
	PID      int        `json:"pid"`
	Tool     string     `json:"tool"`
	ImageID  string     `json:"image_id,omitempty"`
	Endpoint string     `json:"endpoint,omitempty"`
	Attempts int        `json:"attempts"`
}

// DatasetInfo identifies the dataset.
type DatasetInfo struct {
	Name    string `json:"name"`
	Hash    string `json:"hash"`
	Tasks   int    `json:"tasks"`
	DataDir string `json:"data_dir,omitempty"`
	// Language is the language of its tasks (languages.Language.Name).
	Language string `json:"language,omitempty"`
}

// ModelInfo identifies the model and its endpoint.
type ModelInfo struct {
	Name      string   `json:"name"`
	Endpoint  string   `json:"endpoint"`
	Simulator bool     `json:"simulator"`
	Sim       *SimInfo `json:"sim,omitempty"`
}

// SimInfo describes a simulator started inside the study's process.
type SimInfo struct {
	InProcess bool    `json:"in_process"`
	Seed      uint64  `json:"seed"`
	LatencyMS int64   `json:"latency_ms,omitempty"`
	FaultRate float64 `json:"fault_rate,omitempty"`
}

// SandboxInfo identifies the sandbox.
type SandboxInfo struct {
	Image     string `json:"image"`
	ImageID   string `json:"image_id"`
	Isolation string `json:"isolation"`
	Size      int    `json:"size"`
	HashSeed  string `json:"hash_seed"`
}

// CacheInfo says where the response cache is.
type CacheInfo struct {
	Dir     string `json:"dir,omitempty"`
	Enabled bool   `json:"enabled"`
}

// Validate checks the parameters.
func (p Params) Validate() error {
	var errs []error
	if p.Samples < 1 {
		errs = append(errs, fmt.Errorf("samples must be at least 1, not %d", p.Samples))
	}
	if p.Rounds < 0 {
		errs = append(errs, fmt.Errorf("rounds must not be negative (%d)", p.Rounds))
	}
	if len(p.Tasks) == 0 {
		errs = append(errs, errors.New("no tasks"))
	}
	if p.Model == "" {
		errs = append(errs, errors.New("no model"))
	}
	if _, err := prompt.ParseMode(string(p.Feedback)); err != nil {
		errs = append(errs, err)
	}
	if _, err := prompt.ParseStyle(string(p.RepairStyle)); err != nil {
		errs = append(errs, err)
	}
	if p.FeedbackTests != HiddenTests && p.FeedbackTests != VisibleTests {
		errs = append(errs, fmt.Errorf("unknown feedback tests %q (want hidden or visible)", p.FeedbackTests))
	}
	if p.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency must be at least 1, not %d", p.Concurrency))
	}
	if p.TimeoutMS <= 0 {
		errs = append(errs, errors.New("the time limit must be positive"))
	}
	seen := map[string]bool{}
	for _, id := range p.Tasks {
		if seen[id] {
			errs = append(errs, fmt.Errorf("task %s listed twice", id))
			break
		}
		seen[id] = true
	}
	return errors.Join(errs...)
}

// Finished reports whether a sample of the study ends with attempt a:
// it passed (its visible tests, with feedback_tests visible), its prompt
// did not fit, or it was the last round.
func (p Params) Finished(a *Attempt) bool {
	switch {
	case a.Status == StatusTooLong, a.Round >= p.Rounds:
		return true
	case a.Visible != nil:
		return a.Visible.Passed
	}
	return a.Passed
}
