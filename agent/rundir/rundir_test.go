package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLogRecovers(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string // the log after recovery
		dropped int64
		err     string
	}{
		{name: "empty", content: "", want: ""},
		{name: "whole lines", content: "{\"a\":1}\n{\"a\":2}\n", want: "{\"a\":1}\n{\"a\":2}\n"},
		{name: "torn last line", content: "{\"a\":1}\n{\"a\":2}\n{\"a\":", want: "{\"a\":1}\n{\"a\":2}\n", dropped: 5},
		{name: "valid last line without its newline", content: "{\"a\":1}\n{\"a\":2}", want: "{\"a\":1}\n", dropped: 7},
		{name: "zeros after a crash", content: "{\"a\":1}\n\x00\x00\x00\x00", want: "{\"a\":1}\n", dropped: 4},
		{name: "trailing invalid lines", content: "{\"a\":1}\n{\"a\n\x00\x00\n", want: "{\"a\":1}\n", dropped: 7},
		{name: "blank lines kept", content: "{\"a\":1}\n\n{\"a\":2}\n", want: "{\"a\":1}\n\n{\"a\":2}\n"},
		{name: "corrupt middle", content: "{\"a\":1}\n{oops\n{\"a\":2}\n", err: "log.jsonl:2: not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "log.jsonl"), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := Create(filepath.Join(dir, "run"))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			// Put the log in the run directory.
			if err := os.Rename(filepath.Join(dir, "log.jsonl"), filepath.Join(dir, "run", "log.jsonl")); err != nil {
				t.Fatal(err)
			}
			l, err := d.OpenLog("log.jsonl")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want %q", err, tt.err)
				}
				got, _ := os.ReadFile(filepath.Join(dir, "run", "log.jsonl"))
				if string(got) != tt.content {
					t.Errorf("a corrupt log was changed: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Dropped() != tt.dropped {
				t.Errorf("dropped %d bytes, want %d", l.Dropped(), tt.dropped)
			}
			if err := l.Append([]byte(`{"b":1}`), []byte(`{"b":2}`)); err != nil {
				t.Fatal(err)
			}
			l.Close()
			got, _ := os.ReadFile(filepath.Join(dir, "run", "log.jsonl"))
			if want := tt.want + "{\"b\":1}\n{\"b\":2}\n"; string(got) != want {
				t.Errorf("log is %q, want %q", got, want)
			}
		})
	}
}

func TestAppendRefusesNewlines(t *testing.T) {
	d, err := Create(filepath.Join(t.TempDir(), "run"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := d.OpenLog("log.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append([]byte("{}\n{}")); err == nil {
		t.Fatal("a line with a newline was appended")
	}
}

// TestReadAttempts: what a crash or a write in progress leaves at the end
// is dropped; an invalid line before valid ones is an error.
func TestReadAttempts(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		tasks      string // the task ids read, with their line numbers
		dropped    int
		err        string
	}{
		{"whole", "{\"task_id\":\"a\"}\n\n{\"task_id\":\"b\"}\n", "a@1 b@3", 0, ""},
		{"line in progress", "{\"task_id\":\"a\"}\n{\"task_id\":", "a@1", 1, ""},
		{"torn tail", "{\"task_id\":\"a\"}\n{\"task_\n{\"ta\n", "a@1", 2, ""},
		{"invalid in the middle", "{\"task_id\":\"a\"}\nnot json\n{\"task_id\":\"b\"}\n", "", 0, "attempts.jsonl:2: invalid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, AttemptsFile), []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			var got []string
			dropped, err := ReadAttempts(t.Context(), dir, AllFields, func(n int, a *Attempt) error {
				got = append(got, fmt.Sprintf("%s@%d", a.TaskID, n))
				return nil
			})
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case strings.Join(got, " ") != tt.tasks || dropped != tt.dropped:
				t.Errorf("read %q, dropped %d; want %q, %d", got, dropped, tt.tasks, tt.dropped)
			}
		})
	}
	if _, err := ReadAttempts(t.Context(), t.TempDir(), AllFields, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no attempts file: %v", err)
	}
}
