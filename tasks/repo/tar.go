package repo

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Tar writes the snapshot's files, with changed laid over them (path →
// new content; nil deletes the file), as a tar stream to w: what a
// container unpacks to hold the repository. Files are read from the
// snapshot's copy as they are written, so memory does not grow with the
// repository.
func (s *Snapshot) Tar(w io.Writer, changed map[string][]byte) error {
	tw := tar.NewWriter(w)
	// Files carry the time of the copy, as a checkout would: build tools
	// that compare times see sources newer than nothing they built. Whole
	// seconds: a header rounds to the nearest one, and a time up to half a
	// second ahead makes tar warn of a time stamp in the future.
	mtime := time.Now().Truncate(time.Second)
	done := make(map[string]bool, len(changed))
	for _, f := range s.Files {
		if c, ok := changed[f.Path]; ok {
			done[f.Path] = true
			if c == nil {
				continue
			}
			if err := writeEntry(tw, f.Path, int64(f.Mode.Perm()), c, mtime); err != nil {
				return err
			}
			continue
		}
		if f.Mode&os.ModeSymlink != 0 {
			target, err := os.Readlink(filepath.Join(s.Dir, filepath.FromSlash(f.Path)))
			if err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			if err := tw.WriteHeader(&tar.Header{Name: f.Path, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}); err != nil {
				return err
			}
			continue
		}
		in, err := os.Open(filepath.Join(s.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		err = tw.WriteHeader(&tar.Header{Name: f.Path, Typeflag: tar.TypeReg, Mode: int64(f.Mode.Perm()), Size: f.Size, ModTime: mtime})
		if err == nil {
			_, err = io.CopyN(tw, in, f.Size)
		}
		in.Close()
		if err != nil {
			return fmt.Errorf("snapshot: %s: %w", f.Path, err)
		}
	}
	for _, p := range sortedKeys(changed) {
		if c := changed[p]; !done[p] && c != nil {
			if err := writeEntry(tw, p, 0o644, c, mtime); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, name string, mode int64, data []byte, mtime time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(data)), ModTime: mtime}); err != nil {
		return err
	}
	_, err := io.Copy(tw, bytes.NewReader(data))
	return err
}

// testName is a file name of tests in the languages' conventions:
// test_x.py, x_test.py, conftest.py, x_test.go, x.test.js, x.spec.ts,
// test.js, XTest.java, XTests.java, test.cpp, x_test.cc, ...
var testName = regexp.MustCompile(`^(test[_.-].*|.*[_.-](test|tests|spec)\.[a-z]+|conftest\.py|test\.[a-z]+|.*Tests?\.(java|kt|scala|cs))$`)

// testDirs are folders that hold only tests (and their data).
var testDirs = map[string]bool{"test": true, "tests": true, "__tests__": true, "testdata": true, "spec": true,
	"testcases": true, "python_testcases": true, "json_testcases": true, "java_testcases": true}

// IsTest reports whether a file is one of a repository's tests, by the
// languages' conventions for test files and folders (src/test/ of Maven,
// tests/ of cargo and pytest, ...): what repository mode never lets a
// repair change.
func IsTest(p string) bool {
	dir, name := path.Split(p)
	if testName.MatchString(name) {
		return true
	}
	for _, d := range strings.Split(strings.Trim(dir, "/"), "/") {
		if testDirs[d] {
			return true
		}
	}
	return false
}
