// Package rundir is the run directory: the schema of its files (see
// SCHEMA.md: the manifest, the attempts and their verdicts), the one reader
// of its attempts, and what keeps it safe for one writer at a time and
// against crashes.
//
// A Dir is locked (flock) for as long as it is open, so that a second
// process that opens it gets [ErrLocked] at once; the lock dies with the
// process that holds it, so a crashed run can be opened again. Files are
// replaced atomically ([Dir.WriteFile]: a temporary file, fsync, rename,
// fsync of the directory). Logs are append-only JSON Lines files
// ([Dir.OpenLog]): each [Log.Append] is one write(2) of whole lines followed
// by fsync, and opening a log drops what a crash may have left at its end:
// a last line without its newline, and trailing lines that are not valid
// JSON.
package rundir

import (
	"bufio"
	"bytes"
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

// ErrLocked means another process holds the directory.
var ErrLocked = errors.New("in use by another process")

// ErrNotRun means a directory is not a run directory.
var ErrNotRun = errors.New("not a run directory")

// lockFile is the name of the lock file in a run directory.
const lockFile = "lock"

// Dir is an open, locked run directory.
type Dir struct {
	path string
	lock *os.File
}

// Create makes path a new run directory and locks it. The directory may
// exist if it is empty.
func Create(path string) (*Dir, error) {
	if err := CheckNew(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create run directory: %w", err)
	}
	d, err := lock(path)
	if err != nil {
		return nil, err
	}
	// Again under the lock: another process may have made a run here.
	if err := CheckNew(path); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// ErrHoldsRun means the path of a new run directory holds a run.
var ErrHoldsRun = errors.New("already holds a run")

// CheckNew says whether path can be made a new run directory: it is
// missing, or empty but for a lock (a Create that crashed). A path that
// holds a run gives an error wrapping ErrHoldsRun.
func CheckNew(path string) error {
	entries, err := os.ReadDir(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot use %s as a run directory: %w", path, err)
	}
	for _, e := range entries {
		if e.Name() == ManifestFile {
			return fmt.Errorf("%s %w", path, ErrHoldsRun)
		}
	}
	for _, e := range entries {
		if e.Name() != lockFile {
			return fmt.Errorf("%s already exists and is not empty", path)
		}
	}
	return nil
}

// Open locks an existing run directory, which must hold the file marker.
func Open(path, marker string) (*Dir, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist", path)
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("%s: %w (it is a file)", path, ErrNotRun)
	}
	if _, err := os.Stat(filepath.Join(path, marker)); err != nil {
		return nil, fmt.Errorf("%s: %w (no %s)", path, ErrNotRun, marker)
	}
	return lock(path)
}

// lock takes the directory's lock without waiting.
func lock(path string) (*Dir, error) {
	f, err := os.OpenFile(filepath.Join(path, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			owner, _ := os.ReadFile(filepath.Join(path, lockFile))
			if o := strings.TrimSpace(string(owner)); o != "" {
				return nil, fmt.Errorf("%s: %w (%s)", path, ErrLocked, o)
			}
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	owner := "pid " + strconv.Itoa(os.Getpid())
	if host != "" {
		owner += " on " + host
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(owner+"\n"), 0)
	}
	return &Dir{path: path, lock: f}, nil
}

// Path returns the directory's path.
func (d *Dir) Path() string { return d.path }

// Close releases the lock.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close()
	d.lock = nil
	return err
}

// ReadFile reads the file name of the directory.
func (d *Dir) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(d.path, name))
}

// WriteFile replaces the file name of the directory with data atomically:
// after a crash the file holds either its old or its new content.
func (d *Dir) WriteFile(name string, data []byte) error {
	f, err := os.CreateTemp(d.path, "."+name+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(d.path, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(d.path)
}

func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Log is an append-only JSON Lines file.
type Log struct {
	f       *os.File
	dropped int64
	failed  error
}

// OpenLog opens (creating it if needed) the log name for appending, after
// dropping what a crash may have left at its end: a last line without its
// newline (a torn write) and trailing lines that are not valid JSON. A
// line that is not valid JSON followed by valid ones is corruption, not a
// torn write: OpenLog refuses it.
func (d *Dir) OpenLog(name string) (*Log, error) {
	path := filepath.Join(d.path, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	good, size, err := validPrefix(f, name)
	if err != nil {
		f.Close()
		return nil, err
	}
	if good < size {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return &Log{f: f, dropped: size - good}, nil
}

// validPrefix returns the length of the longest prefix of the file made
// of whole lines with valid JSON (blank lines allowed), and the file's
// size.
func validPrefix(f *os.File, name string) (good, size int64, err error) {
	r := bufio.NewReaderSize(f, 1<<16)
	var off int64
	badAt, badLine := int64(-1), 0
	for n := 1; ; n++ {
		line, rerr := r.ReadBytes('\n')
		off += int64(len(line))
		if rerr == io.EOF {
			// A last line without its newline is torn, valid or not.
			return good, off, nil
		}
		if rerr != nil {
			return 0, 0, rerr
		}
		body := bytes.TrimSpace(line)
		switch {
		case len(body) == 0:
			if badAt < 0 {
				good = off
			}
		case json.Valid(body):
			if badAt >= 0 {
				return 0, 0, fmt.Errorf("%s:%d: not valid JSON, and valid lines follow it: the file is corrupt", name, badLine)
			}
			good = off
		default:
			if badAt < 0 {
				badAt, badLine = off, n
			}
		}
	}
}

// Dropped returns how many bytes OpenLog dropped from the log's end.
func (l *Log) Dropped() int64 { return l.dropped }

// Append writes lines, each a JSON value without a newline, with one
// write and fsyncs the file. After a failed Append every later Append
// fails: the log may end with a torn line, which the next OpenLog drops.
func (l *Log) Append(lines ...[]byte) error {
	if l.failed != nil {
		return l.failed
	}
	n := 0
	for _, line := range lines {
		n += len(line) + 1
	}
	buf := make([]byte, 0, n)
	for _, line := range lines {
		if bytes.IndexByte(line, '\n') >= 0 {
			return errors.New("rundir: a log line holds a newline")
		}
		buf = append(append(buf, line...), '\n')
	}
	if _, err := l.f.Write(buf); err != nil {
		l.failed = fmt.Errorf("cannot append to %s: %w", l.f.Name(), err)
		return l.failed
	}
	if err := l.f.Sync(); err != nil {
		l.failed = fmt.Errorf("cannot sync %s: %w", l.f.Name(), err)
		return l.failed
	}
	return nil
}

// Close closes the log.
func (l *Log) Close() error { return l.f.Close() }
