package rust

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// codeLines drops blank lines and the prompt's documentation comment.
func codeLines(s, prompt string) string {
	s = strings.ReplaceAll(s, strings.TrimSpace(prompt), "")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n")
}

// TestWholeFunctionAnswers checks, for every task, that an answer
// repeating the whole function (with or without the imports and the
// documentation) makes the program of prompt + completion, line for line.
func TestWholeFunctionAnswers(t *testing.T) {
	for _, task := range loadRust(t) {
		st, ok := openStub(completionPrefix(task))
		if !ok {
			t.Errorf("%s: no open function in the prompt", task.ID)
			continue
		}
		want := codeLines(New().Program(task, task.Reference), task.Prompt)
		for _, answer := range []string{
			st.sig + "\n" + task.Reference,
			strings.TrimSpace(st.header) + "\n\n" + st.sig + "\n" + task.Reference,
			st.sig + "\n    " + strings.TrimSpace(task.Prompt) + "\n" + task.Reference,
		} {
			if got := codeLines(New().Program(task, answer), task.Prompt); got != want {
				t.Errorf("%s: whole function\n%s\nmakes\n%s\nwant\n%s", task.ID, answer, got, want)
				break
			}
		}
	}
}

// TestEvaluateProgram checks that the program evaluate makes (prompt +
// completion, tasks.Task.Program) gets the declaration in front: the same
// file as Program's.
func TestEvaluateProgram(t *testing.T) {
	for _, task := range loadRust(t) {
		a := New().Job(task, task.Program(task.ReferenceSample()), sandbox.Limits{})
		b := New().Job(task, New().Program(task, task.Reference), sandbox.Limits{})
		if !bytes.Equal(a.Files[mainFile], b.Files[mainFile]) {
			t.Errorf("%s: evaluate's program assembles differently", task.ID)
		}
		if len(a.Build) == 0 || a.Argv[0] != "./prog" || a.Env[languages.TokenEnv] == "" || a.Env[languages.TokenEnv] == b.Env[languages.TokenEnv] {
			t.Errorf("%s: job %+v", task.ID, a)
		}
	}
}

// TestFileJob runs a plain program file with the crates.
func TestFileJob(t *testing.T) {
	sb := testSandbox(t, sandbox.Pooled)
	src := "use rand::Rng;\nuse regex::Regex;\nfn main() {\n    let n: u8 = rand::thread_rng().gen_range(0..1);\n" +
		"    println!(\"{} {} {:x}\", n, Regex::new(\"b+\").unwrap().replace(\"abbc\", \"-\"), md5::compute(\"a\"));\n}\n"
	res, err := sb.Run(t.Context(), New().FileJob("main.rs", []byte(src), sandbox.Limits{Timeout: 5 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || string(res.Stdout) != "0 a-c 0cc175b9c0f1b6a831c399e269772661\n" {
		t.Errorf("got %s %q\nbuild: %s\nstderr: %s", res.Summary(), res.Stdout, res.BuildOutput, res.Stderr)
	}
}
