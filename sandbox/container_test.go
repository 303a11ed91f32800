package sandbox

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestEncodeJob: the judge's part of a job (the tests) is framed apart from
// the worker's, which never holds it; a preloaded harness is named, not sent.
func TestEncodeJob(t *testing.T) {
	h := &Harness{Source: "def serve(c, a): pass\ndef judge(c, a): return {}\n", Worker: "serve", Judge: "judge",
		Args: map[string]string{"test": "assert SECRET_TEST"}}
	job := Job{Files: map[string][]byte{"a.py": []byte("x")}, Argv: []string{"python3", "a.py"}, Harness: h,
		Env: map[string]string{"EXTRA": "1"}}
	for _, preloaded := range []bool{false, true} {
		data, err := encodeJob(job, DefaultLimits(), baseEnv(map[string]string{"PYTHONHASHSEED": "7"}), map[string]bool{sourceSHA(h.Source): preloaded})
		if err != nil {
			t.Fatal(err)
		}
		header, rest, _ := bytes.Cut(data, []byte("\n"))
		lens := strings.Fields(string(header))
		wlen, _ := strconv.Atoi(lens[0])
		jlen, _ := strconv.Atoi(lens[1])
		if wlen+jlen != len(rest) {
			t.Fatalf("header %q does not frame %d bytes", header, len(rest))
		}
		worker, judge := rest[:wlen], rest[wlen:]
		if bytes.Contains(worker, []byte("SECRET_TEST")) || !bytes.Contains(judge, []byte("SECRET_TEST")) {
			t.Errorf("the tests are in the worker's part or missing from the judge's")
		}
		var w wireJob
		if err := json.Unmarshal(worker, &w); err != nil {
			t.Fatal(err)
		}
		if w.Env["PYTHONHASHSEED"] != "7" || w.Env["EXTRA"] != "1" || w.Env["PATH"] == "" || len(w.Env) != 6 {
			t.Errorf("environment %v", w.Env)
		}
		if sent := w.Harness.Source != ""; sent == preloaded {
			t.Errorf("preloaded=%v but the harness source was sent=%v", preloaded, sent)
		}
	}
}
