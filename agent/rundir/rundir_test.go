package rundir

import (
	"errors"
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
			var lines []string
			f, _ := os.Open(filepath.Join(dir, "run", "log.jsonl"))
			defer f.Close()
			ReadLines(f, func(n int, line []byte) error {
				lines = append(lines, string(line))
				return nil
			})
			if lines[len(lines)-1] != `{"b":2}` {
				t.Errorf("ReadLines: %q", lines)
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

func TestReadLinesSkipsALineInProgress(t *testing.T) {
	var got []string
	err := ReadLines(strings.NewReader("{\"a\":1}\n\n{\"a\":2}\n{\"a\":"), func(n int, line []byte) error {
		got = append(got, string(line))
		return nil
	})
	if err != nil || strings.Join(got, "|") != `{"a":1}|{"a":2}` {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run")
	d, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("manifest.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	// flock locks belong to open files: a second open fails in this
	// process as in another.
	_, err = Open(path, "manifest.json")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("second open: %v, want ErrLocked naming the holder", err)
	}
	if _, err := Create(path); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Create over a run: %v", err)
	}
	d.Close()
	d2, err := Open(path, "manifest.json")
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	d2.Close()
}

func TestOpenRefusesWhatIsNotARun(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	os.Mkdir(filepath.Join(tmp, "empty"), 0o755)
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(tmp, "missing"), "does not exist"},
		{file, "not a run directory"},
		{filepath.Join(tmp, "empty"), "not a run directory (no manifest.json)"},
	} {
		_, err := Open(tt.path, "manifest.json")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%s): %v, want %q", tt.path, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "empty", "lock")); err == nil {
		t.Error("Open left a lock file in a directory that is not a run")
	}
	if _, err := Create(file); err == nil {
		t.Error("Create over a file succeeded")
	}
}

func TestWriteFileReplaces(t *testing.T) {
	d, err := Create(filepath.Join(t.TempDir(), "run"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, content := range []string{"one\n", "two\n"} {
		if err := d.WriteFile("m.json", []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := d.ReadFile("m.json")
		if err != nil || string(got) != content {
			t.Fatalf("got %q, %v", got, err)
		}
	}
	entries, _ := os.ReadDir(d.Path())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
