package tasks

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// humanEvalX maps a humaneval-x/<name> dataset to its file's language
// part and the language the tasks are in.
var humanEvalX = map[string]struct{ file, language string }{
	"python": {"python", "python"},
	"go":     {"go", "go"},
	"js":     {"js", "javascript"},
	"cpp":    {"cpp", "cpp"},
	"java":   {"java", "java"},
	"rust":   {"rust", "rust"},
}

// trailingCheck is a test's last line calling check on the function.
var trailingCheck = regexp.MustCompile(`\n[ \t]*check\(([A-Za-z_][A-Za-z0-9_]*)\)[ \t;]*\n*$`)

// loadHumanEvalX loads humaneval-x/<lang> (THUDM/CodeGeeX's HumanEval-X):
// completion tasks whose program is the prompt, the completion and the
// tests, in the language's own terms (each language's package says how it
// assembles and runs them). Declaration is the prompt without its
// documentation; VisibleTest the task's example_test. Go's tasks also
// carry their test file's header (test_setup, in Setup) and the prompt's
// import block (import, in Imports). The Python tasks end their tests
// with check(<entry point>): that call is dropped and the entry point
// kept, as HumanEval's are.
func loadHumanEvalX(name, dataDir string) (*Dataset, error) {
	lang := strings.TrimPrefix(name, "humaneval-x/")
	x, ok := humanEvalX[lang]
	if !ok {
		return nil, fmt.Errorf("tasks: unknown dataset %q (HumanEval-X has %s)", name, strings.Join(humanEvalXNames(), ", "))
	}
	rel := path.Join("humaneval-x", "humaneval_"+x.file+".jsonl.gz")
	data, hash, err := readDataFile(name, dataDir, rel)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: name, Hash: hash}
	err = eachLine(data, func(n int, line []byte) error {
		var r struct {
			TaskID            string `json:"task_id"`
			Prompt            string `json:"prompt"`
			Declaration       string `json:"declaration"`
			CanonicalSolution string `json:"canonical_solution"`
			Test              string `json:"test"`
			ExampleTest       string `json:"example_test"`
			Import            string `json:"import"`
			TestSetup         string `json:"test_setup"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("%s:%d: invalid JSON: %v", rel, n, err)
		}
		t := Task{
			ID: r.TaskID, Prompt: r.Prompt, Declaration: r.Declaration, Reference: r.CanonicalSolution,
			Test: r.Test, VisibleTest: r.ExampleTest, Imports: r.Import, Setup: r.TestSetup,
			Style: Completion, Language: x.language,
		}
		if x.language == "python" {
			if m := trailingCheck.FindStringSubmatchIndex(t.Test); m != nil {
				t.EntryPoint = t.Test[m[2]:m[3]]
				t.Test = t.Test[:m[0]] + "\n"
			}
			if m := trailingCheck.FindStringSubmatchIndex(t.VisibleTest); m != nil {
				t.VisibleTest = t.VisibleTest[:m[0]] + "\n"
			}
		}
		ds.Tasks = append(ds.Tasks, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

func humanEvalXNames() []string {
	return []string{"humaneval-x/python", "humaneval-x/go", "humaneval-x/js", "humaneval-x/cpp", "humaneval-x/java", "humaneval-x/rust"}
}
