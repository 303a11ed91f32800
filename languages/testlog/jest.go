package testlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// JestReportFile is the name of the report file in /tmp that jest writes
// its results to (--json --outputFile).
const JestReportFile = "selfrepair-report.json"

// jestWorkDir is the sandbox's work folder, where a repository's files are:
// jest names a test file by its absolute path, a case's suite by the path
// below this folder.
const jestWorkDir = "/work/"

// ansiCode is a terminal escape sequence (colours, mostly), as chalk writes
// them into jest's messages.
var ansiCode = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

// Jest reads jest's --json results (jest --json --outputFile): a case per
// test of each test file, its suite the file's path in the work folder,
// its name the describe blocks' titles and its own joined by " > ", its
// message the first failure's (see jestMessage). Pending, todo and
// disabled tests are skipped. A test file that failed with no test
// failing (it did not parse, a module is missing, a hook failed) is an
// Error with jest's message, and so is a run that failed outside any file.
func Jest(data []byte) (Log, error) {
	type assertion struct {
		AncestorTitles  []string `json:"ancestorTitles"`
		Title           string   `json:"title"`
		Status          string   `json:"status"`
		FailureMessages []string `json:"failureMessages"`
	}
	type file struct {
		Name       string      `json:"name"`
		Status     string      `json:"status"`
		Message    string      `json:"message"`
		Assertions []assertion `json:"assertionResults"`
	}
	var root struct {
		TestResults  *[]file `json:"testResults"`
		RunExecError *struct {
			Message string `json:"message"`
		} `json:"runExecError"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		return Log{}, fmt.Errorf("jest json: %w", err)
	}
	if root.TestResults == nil {
		return Log{}, errors.New("jest json: no testResults")
	}
	var log Log
	for _, f := range *root.TestResults {
		suite := strings.TrimPrefix(f.Name, jestWorkDir)
		failed := false
		for _, a := range f.Assertions {
			c := Case{Suite: suite, Name: strings.Join(append(append([]string(nil), a.AncestorTitles...), a.Title), " > ")}
			switch a.Status {
			case "passed":
				c.Status = Passed
			case "pending", "skipped", "todo", "disabled":
				c.Status = Skipped
			default: // failed, or a status this reader does not know
				c.Status = Failed
				failed = true
				if len(a.FailureMessages) > 0 {
					c.Message = jestMessage(a.FailureMessages[0])
				} else if a.Status != "failed" {
					c.Message = fmt.Sprintf("jest reported the test %q", a.Status)
				}
			}
			log.Cases = append(log.Cases, c)
		}
		if f.Status == "failed" && !failed {
			msg := jestMessage(f.Message)
			if msg == "" {
				msg = "the test file failed to run"
			}
			log.Errors = append(log.Errors, suite+": "+msg)
		}
	}
	if e := root.RunExecError; e != nil && strings.TrimSpace(e.Message) != "" {
		log.Errors = append(log.Errors, jestMessage(e.Message))
	}
	return log, nil
}

// jestMessage is a jest failure message without colour codes, its
// heading (of a test file that failed to run) and the noise of jest's
// own modules: of its stack frames only those in the repository's files
// are kept, and of its code frames (the source lines around an error) the
// first.
func jestMessage(msg string) string {
	var keep []string
	codeFrames, inFrame := 0, false
	for _, l := range strings.Split(stripANSI(msg), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "● Test suite failed to run":
			continue
		case strings.HasPrefix(t, "at "):
			if !jestUserFrame(t) {
				continue
			}
		case jestCodeLine.MatchString(t):
			if !inFrame {
				codeFrames++
			}
			inFrame = true
			if codeFrames > 1 {
				continue
			}
		}
		if !jestCodeLine.MatchString(t) {
			inFrame = false
		}
		if t == "" && (len(keep) == 0 || keep[len(keep)-1] == "") {
			continue
		}
		keep = append(keep, strings.TrimRight(l, " "))
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// jestCodeLine is a line of a code frame: "  12 | code", "> 12 | code"
// or the caret line "     |     ^".
var jestCodeLine = regexp.MustCompile(`^(>\s*)?\d*\s*\|`)

// jestUserFrame reports whether a stack frame ("at f (file:line:col)" or
// "at file:line:col") is in the repository's files: below the work folder,
// or relative to jest's rootDir, and not in node_modules.
func jestUserFrame(frame string) bool {
	loc := strings.TrimPrefix(frame, "at ")
	if i := strings.LastIndex(loc, "("); i >= 0 {
		loc = strings.TrimSuffix(loc[i+1:], ")")
	}
	switch {
	case strings.Contains(loc, "node_modules/"), strings.HasPrefix(loc, "node:"), strings.HasPrefix(loc, "<"):
		return false
	case strings.HasPrefix(loc, "/"):
		return strings.HasPrefix(loc, jestWorkDir)
	}
	return !strings.HasPrefix(loc, "../")
}

func stripANSI(s string) string { return ansiCode.ReplaceAllString(s, "") }
