// Package bugs turns repair datasets into small git repositories for
// repository mode (selfrepair fix): each task is a buggy program with its
// tests, laid out as a real project of its language, and the shell
// command that runs those tests at the repository's root.
//
// Two sets are known. "humanevalfix" is HumanEvalPack's HumanEvalFix
// (bigcode, OctoPack) in its six languages: the buggy_solution of each
// task with the task's tests, assembled from the `prompt` (with its
// documentation) as bigcode-evaluation-harness's humanevalpack task does,
// but split into a source file and a test file whose runner reports each
// test (pytest, node --test, go test -json, libtest). "quixbugs" is
// QuixBugs' Python and Java programs, laid out as upstream's repository
// is, with their pytest and JUnit 4 tests.
//
// The commands assume what repository mode gives them: the language's
// image (selfrepair/<lang>:bookworm), the repository copied to /work and
// run there with sh -c as an unprivileged user, a read-only root
// filesystem with /work and /tmp writable, HOME=/tmp, TMPDIR=/tmp,
// PATH=/usr/local/bin:/usr/bin:/bin, LANG=C.UTF-8 and no network. Any
// other variable a command needs it sets itself. Nothing is written into
// the repository but what the runner must write there (Cargo.lock, which
// the Rust repositories ignore).
package bugs

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
)

// The sets Load knows.
const (
	HumanEvalFix = "humanevalfix" // HumanEvalPack's HumanEvalFix, in six languages
	QuixBugs     = "quixbugs"     // QuixBugs, in Python
)

// A Task is a buggy repository made from a repair dataset.
type Task struct {
	ID       string            // the dataset's id: "Python/0", "Go/12", "quixbugs/python/bitcount", ...
	Set      string            // "humanevalfix" or "quixbugs"
	Language string            // the languages registry name: python, go, javascript, cpp, java, rust
	Files    map[string]string // every file of the buggy repository, by slash path
	Fixed    map[string]string // the files the reference fix changes, with their fixed content
	Tests    []string          // paths of the test files (a repair must not edit them)
	Test     string            // the test command (sh -c, at the root)
	BugType  string            // the dataset's bug label, when it has one
}

// Languages are the languages of a set, in the languages registry's
// names; nil for an unknown set.
func Languages(set string) []string {
	switch set {
	case HumanEvalFix:
		return []string{"python", "javascript", "go", "cpp", "java", "rust"}
	case QuixBugs:
		return []string{"python", "java"}
	}
	return nil
}

// Load reads the tasks of one language of a set from dataDir (the shared
// datasets folder: humanevalpack/ and quixbugs/ in it), in the dataset's
// order. set is "humanevalfix" (python, javascript, go, cpp, java, rust:
// 164 tasks each) or "quixbugs" (python and java: 40 programs each).
// Errors are one line.
func Load(dataDir, set, language string) ([]Task, error) {
	switch set {
	case HumanEvalFix:
		file, ok := humanEvalPackFiles[language]
		if !ok {
			return nil, fmt.Errorf("bugs: %s has no language %q (it has %s)", set, language, strings.Join(Languages(set), ", "))
		}
		return loadHumanEvalFix(filepath.Join(dataDir, "humanevalpack", "humanevalpack_"+file+".jsonl.gz"), language)
	case QuixBugs:
		switch language {
		case "python":
			return loadQuixBugsPython(filepath.Join(dataDir, "quixbugs"))
		case "java":
			return loadQuixBugsJava(filepath.Join(dataDir, "quixbugs"))
		}
		return nil, fmt.Errorf("bugs: %s has no language %q (it has python, java)", set, language)
	}
	return nil, fmt.Errorf("bugs: unknown set %q (known: %s, %s)", set, HumanEvalFix, QuixBugs)
}

// Defects are the tasks of a set and language whose buggy and fixed
// versions do not behave as a repair task in these repositories (the
// reference fails, or the buggy version passes), by id, with the reason:
// the data README's documented defects and those the verification in the
// images found. The map is the caller's.
func Defects(set, language string) map[string]string {
	return maps.Clone(defects[set+"/"+language])
}

// defects are Defects' answers, by set/language.
var defects = map[string]map[string]string{
	HumanEvalFix + "/cpp": {
		"CPP/23": "the buggy version passes: the tests call strlen with string literals, and overload resolution picks " +
			"the C library's strlen(const char*) over the task's strlen(string), which is never called",
	},
	HumanEvalFix + "/rust": {
		"Rust/32": "neither version compiles: the tests call rand 0.4's gen_range(a, b), and the image has rand 0.8 (gen_range(a..b)); " +
			"Debian has no rand 0.4",
		"Rust/50": "neither version compiles: the tests call rand 0.4's gen_range(a, b), and the image has rand 0.8 (gen_range(a..b)); " +
			"Debian has no rand 0.4",
	},
}

// readGzipJSONL decodes every JSON value of a gzipped JSON Lines file,
// calling fn with each one's number (from 1) and bytes.
func readGzipJSONL(path string, fn func(n int, raw json.RawMessage) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bugs: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("bugs: %s: %v", path, err)
	}
	dec := json.NewDecoder(gz)
	for n := 1; ; n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("bugs: %s: row %d: %v", path, n, err)
		}
		if err := fn(n, raw); err != nil {
			return err
		}
	}
}

// withNewline is s ending in exactly one newline, unless it is empty.
func withNewline(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return s + "\n"
}
