// Package tasks loads benchmark problems: HumanEval (embedded), MBPP (full and sanitized), HumanEval+ and
// MBPP+ (EvalPlus), and a generic JSONL format.
//
// # Test programs
//
// A task carries up to three test suites, all trusted code in the same format, run the same way:
//
//	Test         the base tests (HumanEval's check(candidate), MBPP's asserts)
//	PlusTest     EvalPlus' extra tests (humaneval-plus, mbpp-plus); "" when the task has none
//	VisibleTest  the examples the model may be shown; "" when the prompt has none
//
// A harness runs any of them (call it T) as it runs Test: Imports, then the solution program
// (Program(sample)), then Setup, then T, then "check(" + EntryPoint + ")" when EntryPoint is set:
//
//	Imports + "\n" + program + "\n" + Setup + "\n" + T [+ "\ncheck(" + EntryPoint + ")"]
//
// For Completion-style tasks every suite defines check(candidate); for Program-style tasks every suite is
// top-level code that calls the function by name. An attempt passes HumanEval+/MBPP+ (evalplus'
// "base + extra" score) when it passes both Test and PlusTest. The tests never need the reference solution
// from elsewhere: PlusTest embeds it and runs it in its own namespace to get each expected output.
//
// # Generic JSONL format
//
// Load accepts, instead of a built-in name, a path ending in ".jsonl" or ".jsonl.gz".
// The file holds one JSON object per line; blank lines are skipped. Fields:
//
//	task_id       string, required, unique within the file
//	prompt        string: text shown to the model; for "completion" style also the head of the program
//	test          string, required: test code (e.g. "def check(candidate): ..." or a list of asserts)
//	entry_point   string: function passed to the tests as check(candidate); empty for assert-list tests
//	test_imports  string: trusted code placed before the solution and run before the tests
//	test_setup    string: trusted code run after the solution, before the tests
//	reference     string: a correct answer in the task's style
//	style         "completion" or "program"; default "program" when entry_point is empty, else "completion"
//	language      string, default "python"
//	plus_test     string: extra hidden tests, same format as test (Task.PlusTest)
//	visible_test  string: tests the model may be shown, same format as test (Task.VisibleTest)
//
// Any other field is an error. Errors name the file and line, for example
//
//	tasks.jsonl:7: invalid JSON: ...
//	tasks.jsonl:9: task_id "x" repeated (first on line 3)
//	tasks.jsonl:4: missing "test"
//	tasks.jsonl:5: unknown field "foo"
package tasks

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Style says how a model's answer becomes a program.
type Style string

const (
	Completion Style = "completion" // program = Prompt + completion (HumanEval)
	Program    Style = "program"    // the answer is the whole program (MBPP)
)

// Task is one benchmark problem.
type Task struct {
	ID         string `json:"task_id"`
	Prompt     string `json:"prompt"`                 // text shown to the model; for Completion style also the head of the program
	EntryPoint string `json:"entry_point,omitempty"`  // function the tests receive as check(candidate); empty for assert-list tests
	Imports    string `json:"test_imports,omitempty"` // trusted code placed before the solution AND run before the tests (MBPP sanitized test_imports joined by "\n")
	Setup      string `json:"test_setup,omitempty"`   // trusted code run after the solution, before the tests (MBPP full test_setup_code)
	Test       string `json:"test"`                   // test code: HumanEval's `def check(candidate): ...`, or MBPP asserts joined by "\n"
	Reference  string `json:"reference"`              // a correct answer in this task's Style (HumanEval canonical_solution, MBPP code)
	Style      Style  `json:"style"`
	Language   string `json:"language"` // "python"
	// Declaration is, for HumanEval-X tasks, the prompt without its
	// documentation: the imports and the function's signature.
	Declaration string `json:"declaration,omitempty"`

	// PlusTest is EvalPlus' extra test code (humaneval-plus, mbpp-plus), run like Test: for Completion style a
	// `def check(candidate): ...`, for Program style top-level code calling the function by name. It embeds the
	// plus inputs and the reference solution, and asserts that the solution's output for each input equals
	// the reference's under evalplus' rules. "" when the task has no plus tests.
	PlusTest string `json:"plus_test,omitempty"`
	// VisibleTest holds the tests a model may be shown, in Test's format: for HumanEval the prompt's docstring
	// examples as `def check(candidate):` asserts, for MBPP the first assert of Test (the one in the prompt).
	// "" when there are none. Attempts are still scored on Test (and PlusTest).
	VisibleTest string `json:"visible_test,omitempty"`
}

// Dataset is a named list of tasks.
type Dataset struct {
	Name  string
	Tasks []Task
	Hash  string // hex sha256 of the source file bytes as read (before gunzip); for mbpp-plus, of its two files' hashes (combinedHash)
}

//go:embed data/HumanEval.jsonl.gz
var humanEvalGz []byte

// DataEnv is the environment variable consulted by Load when dataDir is empty.
const DataEnv = "SELFREPAIR_DATA"

var builtins = []string{"humaneval", "mbpp", "mbpp-test", "mbpp-sanitized", "mbpp-sanitized-all", "humaneval-plus", "mbpp-plus"}

// Names returns the names of the built-in datasets, in order:
//
//	humaneval           embedded copy of HumanEval.jsonl.gz (164 tasks)
//	mbpp                full MBPP, all 974 tasks (file mbpp/mbpp.jsonl.gz)
//	mbpp-test           full MBPP, test split task_ids 11..510 (500 tasks)
//	mbpp-sanitized      sanitized MBPP test split: the 257 tasks with task_id 11..510 (file mbpp/sanitized-mbpp.json.gz)
//	mbpp-sanitized-all  all 427 sanitized tasks
//	humaneval-plus      HumanEval+ v0.1.10 (164 tasks, file evalplus/HumanEvalPlus-v0.1.10.jsonl.gz), with PlusTest
//	mbpp-plus           MBPP+ v0.2.0 (378 tasks, files evalplus/MbppPlus-v0.2.0.jsonl.gz and
//	                    evalplus/MbppPlus-OriginFmt-v0.2.0.jsonl.gz), with PlusTest
//	humaneval-x/LANG    HumanEval-X (164 tasks each; files humaneval-x/humaneval_LANG.jsonl.gz) for LANG
//	                    python, go, js, cpp, java and rust
func Names() []string {
	return append(append([]string(nil), builtins...), humanEvalXNames()...)
}

// Load loads a built-in dataset by name, or a generic JSONL file when name is a path ending in .jsonl or .jsonl.gz.
// dataDir is the directory holding the datasets (dataDir/mbpp/mbpp.jsonl.gz etc.); when it is empty, the
// environment variable SELFREPAIR_DATA is used. HumanEval is embedded and needs no dataDir.
func Load(name, dataDir string) (*Dataset, error) {
	if strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".jsonl.gz") {
		return loadJSONL(name)
	}
	if dataDir == "" {
		dataDir = os.Getenv(DataEnv)
	}
	switch name {
	case "humaneval":
		return loadHumanEval(humanEvalGz)
	case "mbpp":
		return loadMBPP(name, dataDir, 0, 0)
	case "mbpp-test":
		return loadMBPP(name, dataDir, 11, 510)
	case "mbpp-sanitized":
		return loadSanitized(name, dataDir, 11, 510)
	case "mbpp-sanitized-all":
		return loadSanitized(name, dataDir, 0, 0)
	case "humaneval-plus":
		return loadHumanEvalPlus(name, dataDir)
	case "mbpp-plus":
		return loadMBPPPlus(name, dataDir)
	}
	if strings.HasPrefix(name, "humaneval-x/") {
		return loadHumanEvalX(name, dataDir)
	}
	return nil, fmt.Errorf("tasks: unknown dataset %q (known: %s, or a path ending in .jsonl or .jsonl.gz)", name, strings.Join(Names(), ", "))
}

// Fingerprint identifies the program that runs the task's Test against its reference solution: a hex
// sha256 over the trusted fields that make up that program (Language, Style, EntryPoint, Imports, the
// reference program Program(ReferenceSample()), which for Completion style includes the Prompt, Setup and
// Test). A cache of measured reference runtimes can be keyed by it: it changes whenever the program does,
// and is the same for equal programs whatever the task ID or dataset. PlusTest and VisibleTest are not part
// of it; to key the runtime of one of them, fingerprint a copy whose Test is that suite:
//
//	pt := t
//	pt.Test = t.PlusTest
//	key := pt.Fingerprint()
func (t Task) Fingerprint() string {
	h := sha256.New()
	for _, f := range []string{"selfrepair tasks fingerprint v1", t.Language, string(t.Style), t.EntryPoint,
		t.Imports, t.Program(t.ReferenceSample()), t.Setup, t.Test} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ByID returns the task with that id.
func (d *Dataset) ByID(id string) (Task, bool) {
	for _, t := range d.Tasks {
		if t.ID == id {
			return t, true
		}
	}
	return Task{}, false
}

// readSource reads a file, returning the decompressed content (if it ends in .gz) and the sha256 of the raw bytes.
func readSource(path string) (data []byte, hash string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(raw)
	data, err = maybeGunzip(path, raw)
	if err != nil {
		return nil, "", err
	}
	return data, hex.EncodeToString(sum[:]), nil
}

func maybeGunzip(path string, raw []byte) ([]byte, error) {
	if !strings.HasSuffix(path, ".gz") {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func readDataFile(name, dataDir, rel string) ([]byte, string, error) {
	path := filepath.Join(dataDir, rel)
	data, hash, err := readSource(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if dataDir == "" {
				return nil, "", fmt.Errorf("tasks: dataset %s needs file %s, but no data directory is set: --data-dir (or %s) must point at the datasets folder", name, rel, DataEnv)
			}
			return nil, "", fmt.Errorf("tasks: dataset %s: file %s not found: --data-dir (or %s) must point at the datasets folder (the one holding %s)", name, path, DataEnv, rel)
		}
		return nil, "", fmt.Errorf("tasks: dataset %s: %w", name, err)
	}
	return data, hash, nil
}

// crlf normalises line endings: "\r\n" and any lone "\r" (a few MBPP solutions end in one) become "\n".
// Python itself treats a lone "\r" as a line break, so this does not change the program.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func crlfAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = crlf(s)
	}
	return out
}

// eachLine calls fn for every non-blank line (1-based numbering) of data.
func eachLine(data []byte, fn func(lineNo int, line []byte) error) error {
	r := bufio.NewReader(bytes.NewReader(data))
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func loadHumanEval(raw []byte) (*Dataset, error) {
	sum := sha256.Sum256(raw)
	data, err := maybeGunzip("HumanEval.jsonl.gz", raw)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: "humaneval", Hash: hex.EncodeToString(sum[:])}
	err = eachLine(data, func(n int, line []byte) error {
		var r struct {
			TaskID            string `json:"task_id"`
			Prompt            string `json:"prompt"`
			CanonicalSolution string `json:"canonical_solution"`
			Test              string `json:"test"`
			EntryPoint        string `json:"entry_point"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("HumanEval.jsonl:%d: invalid JSON: %v", n, err)
		}
		ds.Tasks = append(ds.Tasks, Task{
			ID: r.TaskID, Prompt: r.Prompt, EntryPoint: r.EntryPoint, Test: r.Test,
			Reference: r.CanonicalSolution, Style: Completion, Language: "python",
			VisibleTest: humanEvalVisibleTest(r.TaskID, r.Prompt, r.EntryPoint),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

func mbppPrompt(text string, tests []string) string {
	p := crlf(text)
	if len(tests) > 0 {
		p += "\n" + tests[0]
	}
	return p
}

// firstTest is an MBPP task's VisibleTest: its first assert, which its prompt shows.
func firstTest(tests []string) string {
	if len(tests) == 0 {
		return ""
	}
	return tests[0]
}

func inRange(id, lo, hi int) bool { return lo == 0 && hi == 0 || id >= lo && id <= hi }

func loadMBPP(name, dataDir string, lo, hi int) (*Dataset, error) {
	const rel = "mbpp/mbpp.jsonl.gz"
	data, hash, err := readDataFile(name, dataDir, rel)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: name, Hash: hash}
	err = eachLine(data, func(n int, line []byte) error {
		var r struct {
			TaskID        int      `json:"task_id"`
			Text          string   `json:"text"`
			Code          string   `json:"code"`
			TestList      []string `json:"test_list"`
			TestSetupCode string   `json:"test_setup_code"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("%s:%d: invalid JSON: %v", rel, n, err)
		}
		if !inRange(r.TaskID, lo, hi) {
			return nil
		}
		tests := crlfAll(r.TestList)
		ds.Tasks = append(ds.Tasks, Task{
			ID:          "Mbpp/" + strconv.Itoa(r.TaskID),
			Prompt:      mbppPrompt(r.Text, tests),
			Setup:       crlf(r.TestSetupCode),
			Test:        strings.Join(tests, "\n"),
			VisibleTest: firstTest(tests),
			Reference:   crlf(r.Code),
			Style:       Program,
			Language:    "python",
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

func loadSanitized(name, dataDir string, lo, hi int) (*Dataset, error) {
	const rel = "mbpp/sanitized-mbpp.json.gz"
	data, hash, err := readDataFile(name, dataDir, rel)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		TaskID      int      `json:"task_id"`
		Prompt      string   `json:"prompt"`
		Code        string   `json:"code"`
		TestImports []string `json:"test_imports"`
		TestList    []string `json:"test_list"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %v", rel, err)
	}
	ds := &Dataset{Name: name, Hash: hash}
	for _, r := range rows {
		if !inRange(r.TaskID, lo, hi) {
			continue
		}
		tests := crlfAll(r.TestList)
		ds.Tasks = append(ds.Tasks, Task{
			ID:          "Mbpp/" + strconv.Itoa(r.TaskID),
			Prompt:      mbppPrompt(r.Prompt, tests),
			Imports:     strings.Join(crlfAll(r.TestImports), "\n"),
			Test:        strings.Join(tests, "\n"),
			VisibleTest: firstTest(tests),
			Reference:   crlf(r.Code),
			Style:       Program,
			Language:    "python",
		})
	}
	return ds, nil
}

// decodeStrict decodes exactly one JSON value from line into v, rejecting unknown fields when strict.
func decodeStrict(line []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

func jsonErr(where string, err error) error {
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Errorf("%s: unknown field %s", where, f)
	}
	return fmt.Errorf("%s: invalid JSON: %s", where, msg)
}

func loadJSONL(path string) (*Dataset, error) {
	data, hash, err := readSource(path)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	ds := &Dataset{Name: path, Hash: hash}
	first := map[string]int{}
	err = eachLine(data, func(n int, line []byte) error {
		where := fmt.Sprintf("%s:%d", path, n)
		var r struct {
			TaskID      *string `json:"task_id"`
			Prompt      string  `json:"prompt"`
			Test        *string `json:"test"`
			EntryPoint  string  `json:"entry_point"`
			TestImports string  `json:"test_imports"`
			TestSetup   string  `json:"test_setup"`
			Reference   string  `json:"reference"`
			Style       Style   `json:"style"`
			Language    string  `json:"language"`
			PlusTest    string  `json:"plus_test"`
			VisibleTest string  `json:"visible_test"`
		}
		if err := decodeStrict(line, &r, true); err != nil {
			return jsonErr(where, err)
		}
		if r.TaskID == nil || *r.TaskID == "" {
			return fmt.Errorf("%s: missing \"task_id\"", where)
		}
		id := *r.TaskID
		if prev, dup := first[id]; dup {
			return fmt.Errorf("%s: task_id %q repeated (first on line %d)", where, id, prev)
		}
		first[id] = n
		if r.Test == nil || *r.Test == "" {
			return fmt.Errorf("%s: missing \"test\"", where)
		}
		switch r.Style {
		case "":
			r.Style = Program
			if r.EntryPoint != "" {
				r.Style = Completion
			}
		case Completion, Program:
		default:
			return fmt.Errorf("%s: style %q is neither %q nor %q", where, r.Style, Completion, Program)
		}
		if r.Language == "" {
			r.Language = "python"
		}
		ds.Tasks = append(ds.Tasks, Task{
			ID: id, Prompt: r.Prompt, EntryPoint: r.EntryPoint, Imports: r.TestImports, Setup: r.TestSetup,
			Test: *r.Test, Reference: r.Reference, Style: r.Style, Language: r.Language,
			PlusTest: r.PlusTest, VisibleTest: r.VisibleTest,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}
