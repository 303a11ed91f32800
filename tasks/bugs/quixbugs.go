package bugs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// quixBugsConftest is upstream's conftest.py without its --correct
// option: the repository has only the buggy programs, and its tests
// import them from python_programs. --runslow still enables knapsack's
// slow case.
const quixBugsConftest = `import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run slow tests")


def pytest_configure(config):
    pytest.run_slow = config.getoption("--runslow")
`

// quixBugsChoice is the block of an upstream test that imports the correct
// or the buggy program, as --correct says; group 1 is the buggy import.
var quixBugsChoice = regexp.MustCompile(`(?m)^if pytest\.use_correct:\n[ \t]+from correct_python_programs\.\S+ import .*\nelse:\n[ \t]+(from python_programs\.\S+ import .*\n)`)

// quixBugsSupport are the shared files of the Python programs that the
// repositories hold (upstream's conftest.py is replaced, and
// correct_python_programs/ left out).
var quixBugsSupport = []string{"python_testcases/load_testdata.py", "python_testcases/node.py", "python_programs/node.py"}

// loadQuixBugsPython reads quixbugs_python.jsonl.gz and its support file
// from dir. A program's repository is laid out as upstream's: the buggy
// python_programs/<name>.py (and its graph helpers), its pytest file in
// python_testcases/, its JSON cases in json_testcases/, and the shared
// files; Fixed holds the correct program at python_programs/<name>.py.
//
// The command runs that program's tests alone. Upstream verifies with
// pytest-timeout (20 s a test), which the python image lacks (Debian
// bookworm has it as python3-pytest-timeout): the buggy bitcount, sqrt and
// find_first_in_sorted never end some of their tests, so a run of those
// ends only at the caller's time limit.
func loadQuixBugsPython(dir string) ([]Task, error) {
	support, err := readSupport(filepath.Join(dir, "quixbugs_python_support.json"), quixBugsSupport)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "quixbugs_python.jsonl.gz")
	var out []Task
	err = readGzipJSONL(file, func(n int, raw json.RawMessage) error {
		var r struct {
			Name         string            `json:"name"`
			BuggyPath    string            `json:"buggy_path"`
			CorrectPath  string            `json:"correct_path"`
			TestPath     string            `json:"test_path"`
			JSONTestPath *string           `json:"json_testcases_path"`
			Files        map[string]string `json:"files"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("bugs: %s: row %d: %v", file, n, err)
		}
		t, err := quixBugsTask(r.Name, r.BuggyPath, r.CorrectPath, r.TestPath, r.JSONTestPath, r.Files, support)
		if err != nil {
			return fmt.Errorf("bugs: %s: row %d (%s): %v", file, n, r.Name, err)
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readSupport reads a support file of QuixBugs' shared files (path to
// content), which must hold every one of need.
func readSupport(file string, need []string) (map[string]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("bugs: %v", err)
	}
	var support struct {
		Files map[string]string `json:"files"`
	}
	if err := json.Unmarshal(data, &support); err != nil {
		return nil, fmt.Errorf("bugs: %s: %v", file, err)
	}
	for _, f := range need {
		if support.Files[f] == "" {
			return nil, fmt.Errorf("bugs: %s lacks %s", file, f)
		}
	}
	return support.Files, nil
}

// quixBugsTask makes one program's repository.
func quixBugsTask(name, buggyPath, correctPath, testPath string, jsonPath *string, files, support map[string]string) (Task, error) {
	want := "python_programs/" + name + ".py"
	if name == "" || buggyPath != want || files[buggyPath] == "" || files[correctPath] == "" || files[testPath] == "" {
		return Task{}, fmt.Errorf("want the buggy %s, the correct program and the tests", want)
	}
	test := files[testPath]
	loc := quixBugsChoice.FindStringSubmatchIndex(test)
	if loc == nil {
		return Task{}, fmt.Errorf("%s does not choose its program with pytest.use_correct", testPath)
	}
	test = test[:loc[0]] + test[loc[2]:loc[3]] + test[loc[1]:]
	t := Task{
		ID:       "quixbugs/python/" + name,
		Set:      QuixBugs,
		Language: "python",
		Files:    map[string]string{"conftest.py": quixBugsConftest, buggyPath: files[buggyPath], testPath: test},
		Fixed:    map[string]string{buggyPath: files[correctPath]},
		Tests:    []string{"conftest.py", testPath},
		Test:     "PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p no:cacheprovider " + testPath,
	}
	for _, f := range quixBugsSupport {
		t.Files[f] = support[f]
		if strings.HasPrefix(f, "python_testcases/") {
			t.Tests = append(t.Tests, f)
		}
	}
	if jsonPath != nil {
		if files[*jsonPath] == "" {
			return Task{}, fmt.Errorf("no %s", *jsonPath)
		}
		t.Files[*jsonPath] = files[*jsonPath]
		t.Tests = append(t.Tests, *jsonPath)
	}
	// The graph programs' old drivers (python_programs/<name>_test.py).
	for f, content := range files {
		if strings.HasPrefix(f, "python_programs/") && f != buggyPath {
			t.Files[f] = content
			t.Tests = append(t.Tests, f)
		}
	}
	slices.Sort(t.Tests)
	return t, nil
}

// quixBugsJavaSupport are the shared files of the Java programs that the
// repositories hold: the graph classes and the buggy side's oracle helper
// (correct_java_programs/ and crt_program/ are left out).
var quixBugsJavaSupport = []string{"java_programs/Node.java", "java_programs/WeightedEdge.java", "java_testcases/junit/QuixFixOracleHelper.java"}

// quixBugsJUnit is the class path of QuixBugs' JUnit 4 tests in the java
// image: Debian's junit4 and libhamcrest-java.
const quixBugsJUnit = "/usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar"

// loadQuixBugsJava reads quixbugs_java.jsonl.gz and its support file from
// dir. A program's repository is laid out as upstream's: the buggy
// java_programs/<C>.java with Node.java and WeightedEdge.java beside it,
// and its JUnit 4 test class in java_testcases/junit/ with the oracle
// helper; Fixed holds the correct program, moved into the package
// java_programs (upstream keeps it in correct_java_programs). The command
// compiles them and runs the test class with JUnitCore, as the data README
// says upstream's were verified.
func loadQuixBugsJava(dir string) ([]Task, error) {
	support, err := readSupport(filepath.Join(dir, "quixbugs_java_support.json"), quixBugsJavaSupport)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "quixbugs_java.jsonl.gz")
	var out []Task
	err = readGzipJSONL(file, func(n int, raw json.RawMessage) error {
		var r struct {
			Name        string            `json:"name"`
			ClassName   string            `json:"class_name"`
			BuggyPath   string            `json:"buggy_path"`
			CorrectPath string            `json:"correct_path"`
			TestPath    string            `json:"test_path"`
			TestClass   string            `json:"test_class"`
			Files       map[string]string `json:"files"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("bugs: %s: row %d: %v", file, n, err)
		}
		buggy, correct, test := r.Files[r.BuggyPath], r.Files[r.CorrectPath], r.Files[r.TestPath]
		if r.Name == "" || r.BuggyPath != "java_programs/"+r.ClassName+".java" || buggy == "" || correct == "" || test == "" || r.TestClass == "" {
			return fmt.Errorf("bugs: %s: row %d (%s): want the buggy java_programs/%s.java, the correct program, the tests and their class",
				file, n, r.Name, r.ClassName)
		}
		fixed, ok := strings.CutPrefix(correct, "package correct_java_programs;")
		if !ok {
			return fmt.Errorf("bugs: %s: row %d (%s): %s is not in the package correct_java_programs", file, n, r.Name, r.CorrectPath)
		}
		t := Task{
			ID:       "quixbugs/java/" + r.Name,
			Set:      QuixBugs,
			Language: "java",
			Files:    map[string]string{r.BuggyPath: buggy, r.TestPath: test},
			Fixed:    map[string]string{r.BuggyPath: "package java_programs;" + fixed},
			Tests:    []string{r.TestPath},
			Test: "javac -encoding UTF-8 -nowarn -d /tmp/classes -cp " + quixBugsJUnit + " java_programs/*.java java_testcases/junit/*.java" +
				" && java -cp /tmp/classes:" + quixBugsJUnit + " org.junit.runner.JUnitCore " + r.TestClass,
		}
		for _, f := range quixBugsJavaSupport {
			t.Files[f] = support[f]
			if strings.HasPrefix(f, "java_testcases/") {
				t.Tests = append(t.Tests, f)
			}
		}
		slices.Sort(t.Tests)
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
