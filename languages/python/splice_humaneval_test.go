package python

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/agent/extract"
)

type heTask struct {
	ID         string `json:"task_id"`
	Prompt     string `json:"prompt"`
	EntryPoint string `json:"entry_point"`
	Canonical  string `json:"canonical_solution"`
	Test       string `json:"test"`
}

func loadHumanEval(t *testing.T) []heTask {
	t.Helper()
	f, err := os.Open("../../tasks/data/HumanEval.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var tasks []heTask
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var task heTask
		if err := json.Unmarshal(sc.Bytes(), &task); err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, task)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 164 {
		t.Fatalf("loaded %d tasks, want 164", len(tasks))
	}
	return tasks
}

// pyCheck parses each program with Python and, when run is set, executes
// it with its task's tests (check(entry_point)) in a fresh namespace. It
// returns "" for a program that passed, else Python's complaint.
const pyCheck = `
import ast, json, sys
out = []
for line in sys.stdin:
    job = json.loads(line)
    try:
        ast.parse(job["program"])
        if job["run"]:
            ns = {"__name__": "candidate"}
            exec(compile(job["program"] + "\n\n" + job["test"], "program.py", "exec"), ns)
            ns["check"](ns[job["entry_point"]])
        out.append("")
    except BaseException as e:
        out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))
`

type pyJob struct {
	Program    string `json:"program"`
	Test       string `json:"test"`
	EntryPoint string `json:"entry_point"`
	Run        bool   `json:"run"`
}

// python runs pyCheck over jobs in one python3 process.
func runHost(t *testing.T, jobs []pyJob) []string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, j := range jobs {
		enc.Encode(j)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", pyCheck)
	cmd.Stdin = &in
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var res []string
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(jobs) {
		t.Fatalf("python3 output %q: %v", out, err)
	}
	return res
}

// signature returns the prompt's def line(s) of the entry point.
func signature(t *testing.T, task heTask) string {
	lines := strings.Split(task.Prompt, "\n")
	i := definesAt(task.Prompt, task.EntryPoint)
	if i < 0 {
		t.Fatalf("%s: no def %s in the prompt", task.ID, task.EntryPoint)
	}
	j := i
	for !strings.HasSuffix(strings.TrimSpace(lines[j]), ":") {
		j++
	}
	return strings.Join(lines[i:j+1], "\n") + "\n"
}

// TestHumanEvalCanonical: Program of a canonical solution (an indented
// body) is exactly openai/human-eval's prompt + completion, and it passes
// its tests.
func TestHumanEvalCanonical(t *testing.T) {
	tasks := loadHumanEval(t)
	var jobs []pyJob
	for _, task := range tasks {
		got := splice(task.Prompt, task.EntryPoint, task.Canonical)
		if want := task.Prompt + task.Canonical; got != want {
			t.Errorf("%s: splice(prompt, %s, canonical) != prompt + canonical", task.ID, task.EntryPoint)
		}
		jobs = append(jobs, pyJob{got, task.Test, task.EntryPoint, true})
	}
	for i, res := range runHost(t, jobs) {
		if res != "" {
			t.Errorf("%s: %s", tasks[i].ID, res)
		}
	}
}

// TestHumanEvalWholeFunction: a whole-function answer (the prompt's def
// line and the canonical body, as a model writes it, also inside a fenced
// reply) becomes a program that keeps the prompt's imports and helpers,
// holds the model's function verbatim and only it, and passes the tests.
func TestHumanEvalWholeFunction(t *testing.T) {
	tasks := loadHumanEval(t)
	var jobs []pyJob
	for _, task := range tasks {
		fn := signature(t, task) + task.Canonical
		reply := "Here is the implementation:\n\n```python\n" + fn + "```\n\nIt runs in linear time."
		code := extract.Code(reply, New().Words().Tags()...)
		if code != strings.TrimRight(fn, " \t\n") {
			t.Errorf("%s: Code(reply) = %q, want the function", task.ID, code)
		}
		prog := splice(task.Prompt, task.EntryPoint, code)
		if !strings.Contains(prog, code) {
			t.Errorf("%s: program does not contain the model's function", task.ID)
		}
		defs := 0
		for _, line := range strings.Split(prog, "\n") {
			if isDef(line, task.EntryPoint) {
				defs++
			}
		}
		if defs != 1 {
			t.Errorf("%s: program defines %s %d times, want once", task.ID, task.EntryPoint, defs)
		}
		stub := task.Prompt[:strings.Index(task.Prompt, signature(t, task))]
		if !strings.HasPrefix(prog, stub) {
			t.Errorf("%s: program lost the prompt's head", task.ID)
		}
		// HumanEval/115's prompt imports math inside the stub, which the
		// whole-function answer replaces: it can only be parsed.
		jobs = append(jobs, pyJob{prog, task.Test, task.EntryPoint, task.ID != "HumanEval/115"})
	}
	for i, res := range runHost(t, jobs) {
		if res != "" {
			t.Errorf("%s: %s\n%s", tasks[i].ID, res, jobs[i].Program)
		}
	}
}

// TestHumanEvalDedentedBody: a canonical body that lost its indentation,
// all of it or only its first line (an answer passed through strip()), is
// re-indented into a program that passes the tests.
func TestHumanEvalDedentedBody(t *testing.T) {
	tasks := loadHumanEval(t)
	var jobs []pyJob
	var ids []string
	for _, task := range tasks {
		lines := strings.Split(task.Canonical, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(l, "    ")
		}
		dedented := strings.Join(lines, "\n")
		stripped := strings.TrimLeft(task.Canonical, " \n")

		// Only the first line was stripped: the rest is kept as is.
		prog := splice(task.Prompt, task.EntryPoint, stripped)
		if want := task.Prompt + "    " + stripped; prog != want {
			t.Errorf("%s: stripped first line:\n got %q\nwant %q", task.ID, prog, want)
		}
		jobs = append(jobs, pyJob{prog, task.Test, task.EntryPoint, true})
		ids = append(ids, task.ID+" stripped")

		prog = splice(task.Prompt, task.EntryPoint, dedented)
		if !strings.HasPrefix(prog, task.Prompt) {
			t.Errorf("%s: dedented body: program does not start with the prompt", task.ID)
		}
		jobs = append(jobs, pyJob{prog, task.Test, task.EntryPoint, true})
		ids = append(ids, task.ID+" dedented")
	}
	for i, res := range runHost(t, jobs) {
		if res != "" {
			t.Errorf("%s: %s\n%s", ids[i], res, jobs[i].Program)
		}
	}
}
