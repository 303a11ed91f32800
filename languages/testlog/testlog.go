// Package testlog reads what test runners report into per-test results:
// JUnit XML (pytest --junitxml, Maven Surefire, Gradle, jest-junit), go
// test -json, TAP (node --test) and Rust's libtest text (cargo test).
// Repository mode grades a run by these results, not by an exit status
// alone. The readers are pure functions of the runner's output.
package testlog

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
)

// Status is a test's result.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed" // an assertion or any other error in the test
	Skipped Status = "skipped"
)

// A Case is one test's result.
type Case struct {
	Suite   string // the class, module, package or parent test; "" when the runner names none
	Name    string
	Status  Status
	Message string // the failure's message, first line first
	Output  string // what the runner printed for it, when it keeps that apart
}

// ID names the test uniquely within a run: "Suite::Name", or Name alone.
func (c Case) ID() string {
	if c.Suite == "" {
		return c.Name
	}
	return c.Suite + "::" + c.Name
}

// A Log is what a run reported.
type Log struct {
	Cases []Case
	// Errors are failures outside any test: a package that did not build,
	// a collection error, a crash between tests.
	Errors []string
}

// JUnit reads JUnit XML: <testsuites> or a single <testsuite>, their
// <testcase> elements and the <failure>, <error> and <skipped> in them.
func JUnit(data []byte) (Log, error) {
	type result struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		ClassName string   `xml:"classname,attr"`
		Name      string   `xml:"name,attr"`
		Failure   []result `xml:"failure"`
		Error     []result `xml:"error"`
		Skipped   *result  `xml:"skipped"`
		SystemOut string   `xml:"system-out"`
		SystemErr string   `xml:"system-err"`
	}
	type testsuite struct {
		Name   string      `xml:"name,attr"`
		Cases  []testcase  `xml:"testcase"`
		Suites []testsuite `xml:"testsuite"`
	}
	var root struct {
		XMLName xml.Name
		testsuite
	}
	if err := xml.Unmarshal(data, &root); err != nil {
		return Log{}, fmt.Errorf("junit xml: %w", err)
	}
	if root.XMLName.Local != "testsuites" && root.XMLName.Local != "testsuite" {
		return Log{}, fmt.Errorf("junit xml: the root is <%s>, not <testsuites> or <testsuite>", root.XMLName.Local)
	}
	var log Log
	var walk func(s testsuite)
	walk = func(s testsuite) {
		for _, tc := range s.Cases {
			c := Case{Suite: tc.ClassName, Name: tc.Name, Status: Passed, Output: strings.TrimSpace(tc.SystemOut + tc.SystemErr)}
			if c.Suite == "" {
				c.Suite = s.Name
			}
			bad := append(tc.Failure, tc.Error...)
			switch {
			case len(bad) > 0:
				c.Status = Failed
				c.Message = strings.TrimSpace(bad[0].Message)
				if text := strings.TrimSpace(bad[0].Text); text != "" {
					if c.Message == "" {
						c.Message = text
					} else if !strings.Contains(text, c.Message) {
						c.Message += "\n" + text
					} else {
						c.Message = text
					}
				}
			case tc.Skipped != nil:
				c.Status = Skipped
				c.Message = strings.TrimSpace(tc.Skipped.Message)
			}
			log.Cases = append(log.Cases, c)
		}
		for _, sub := range s.Suites {
			walk(sub)
		}
	}
	walk(root.testsuite)
	return log, nil
}

// GoTest reads go test -json's events, and the build errors go test
// writes beside them (2>&1). A package that did not build, or that failed
// with no test failing (it crashed outside a test), is an Error with its
// output.
func GoTest(data []byte) (Log, error) {
	type event struct {
		Action  string
		Package string
		Test    string
		Output  string
	}
	type key struct{ pkg, test string }
	var order []key
	status := map[key]string{}
	output := map[key]*strings.Builder{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, 16<<20)
	// go test writes a package's build errors as text on stderr, under a
	// "# package" line, and no event for it; mixed in, they are read too.
	var built []string // the build errors' blocks
	inBuild := false
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		// A line that is no event is text: build errors, or what go test
		// -x prints ("{" starts some of its lines too).
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			s := strings.TrimSpace(string(line))
			switch {
			case strings.HasPrefix(s, "# "):
				built = append(built, strings.TrimPrefix(s, "# ")+":")
				inBuild = true
			case inBuild && s != "":
				built[len(built)-1] += "\n" + s
			}
			continue
		}
		inBuild = false
		k := key{e.Package, e.Test}
		if _, ok := output[k]; !ok {
			output[k] = &strings.Builder{}
			order = append(order, k)
		}
		switch e.Action {
		case "output":
			output[k].WriteString(e.Output)
		case "pass", "fail", "skip":
			status[k] = e.Action
		}
	}
	if err := sc.Err(); err != nil {
		return Log{}, err
	}
	var log Log
	failedIn := map[string]bool{}
	for _, k := range order {
		if k.test == "" {
			continue
		}
		c := Case{Suite: k.pkg, Name: k.test, Output: output[k].String()}
		switch status[k] {
		case "pass":
			c.Status = Passed
		case "skip":
			c.Status = Skipped
		default: // fail, or never ended (the binary crashed or timed out)
			c.Status = Failed
			failedIn[k.pkg] = true
			c.Message = goFailure(c.Output)
		}
		log.Cases = append(log.Cases, c)
	}
	for _, k := range order {
		if k.test == "" && status[k] == "fail" && !failedIn[k.pkg] {
			log.Errors = append(log.Errors, strings.TrimSpace(k.pkg+": "+strings.TrimSpace(output[k].String())))
		}
	}
	log.Errors = append(log.Errors, built...)
	return log, nil
}

// goFailure is the message of a failed Go test: its output without the
// runner's own lines (=== RUN, --- FAIL).
func goFailure(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		keep = append(keep, t)
	}
	return strings.Join(keep, "\n")
}

var tapPoint = regexp.MustCompile(`^( *)(not ok|ok)\b(?: +\d+)?(?: +-)? *(.*?)(?: +# +(SKIP|TODO)\b.*)?$`)

// TAP reads the Test Anything Protocol (versions 13 and 14, with
// subtests indented four spaces, as node --test writes it). A test
// point's YAML block gives a failure its message (error:, or message:).
// A parent test whose children are listed is left out: its children are
// the tests.
func TAP(data []byte) (Log, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	type point struct {
		depth int
		c     Case
	}
	var points []point
	var stack []string // parent names by depth, from "# Subtest:" lines
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, "# Subtest: ") {
			d := (len(l) - len(t)) / 4
			if len(stack) > d {
				stack = stack[:d]
			}
			for len(stack) < d {
				stack = append(stack, "")
			}
			stack = append(stack, strings.TrimPrefix(t, "# Subtest: "))
			continue
		}
		m := tapPoint.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		d := len(m[1]) / 4
		c := Case{Name: m[3], Status: Passed}
		if d > 0 && d-1 < len(stack) {
			c.Suite = strings.Join(stack[:d], " > ")
		}
		switch {
		case m[4] == "SKIP" || m[4] == "TODO":
			c.Status = Skipped
		case m[2] == "not ok":
			c.Status = Failed
		}
		// The YAML block, indented below the point.
		if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "---" {
			var block []string
			j := i + 2
			for ; j < len(lines) && strings.TrimSpace(lines[j]) != "..."; j++ {
				block = append(block, lines[j])
			}
			if c.Status == Failed {
				c.Message = tapMessage(block)
			}
			i = j
		}
		points = append(points, point{d, c})
	}
	var log Log
	for k, p := range points {
		// A point followed by deeper ones that came before it is a parent:
		// TAP lists children first.
		parent := false
		for j := k - 1; j >= 0 && points[j].depth > p.depth; j-- {
			parent = true
		}
		if !parent {
			log.Cases = append(log.Cases, p.c)
		}
	}
	return log, nil
}

// tapMessage reads a failure's message from a test point's YAML block:
// the error: field (a literal block or one line), else message:.
func tapMessage(block []string) string {
	for _, field := range []string{"error:", "message:"} {
		for i, l := range block {
			t := strings.TrimSpace(l)
			if !strings.HasPrefix(t, field) {
				continue
			}
			v := strings.TrimSpace(strings.TrimPrefix(t, field))
			if v != "|-" && v != "|" && v != ">-" && v != "" {
				return strings.Trim(v, `'"`)
			}
			indent := len(l) - len(strings.TrimLeft(l, " "))
			var out []string
			for _, m := range block[i+1:] {
				if strings.TrimSpace(m) != "" && len(m)-len(strings.TrimLeft(m, " ")) <= indent {
					break
				}
				out = append(out, strings.TrimSpace(m))
			}
			return strings.TrimSpace(strings.Join(out, "\n"))
		}
	}
	return ""
}

var (
	libtestLine    = regexp.MustCompile(`^test (\S+) (?:- should panic )?\.\.\. (ok|FAILED|ignored)`)
	libtestSection = regexp.MustCompile(`^---- (\S+) stdout ----$`)
)

// Libtest reads what Rust's test harness prints (cargo test): a line per
// test, and each failed test's output in its "---- name stdout ----"
// section. A test binary that crashed is an Error with its last lines.
func Libtest(data []byte) (Log, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var log Log
	index := map[string]int{}
	for _, l := range lines {
		if m := libtestLine.FindStringSubmatch(l); m != nil {
			c := Case{Name: m[1], Status: Passed}
			if i := strings.LastIndex(m[1], "::"); i >= 0 {
				c.Suite, c.Name = m[1][:i], m[1][i+2:]
			}
			switch m[2] {
			case "FAILED":
				c.Status = Failed
			case "ignored":
				c.Status = Skipped
			}
			index[m[1]] = len(log.Cases)
			log.Cases = append(log.Cases, c)
		}
	}
	for i := 0; i < len(lines); i++ {
		m := libtestSection.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		var out []string
		j := i + 1
		for ; j < len(lines) && !libtestSection.MatchString(lines[j]) && lines[j] != "failures:"; j++ {
			out = append(out, lines[j])
		}
		if k, ok := index[m[1]]; ok {
			text := strings.TrimSpace(strings.Join(out, "\n"))
			log.Cases[k].Output = text
			log.Cases[k].Message = rustPanic(text)
		}
		i = j - 1
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "error: test failed") || strings.Contains(l, "process didn't exit successfully") {
			if !hasFailed(log.Cases) {
				log.Errors = append(log.Errors, strings.TrimSpace(l))
			}
		}
	}
	return log, nil
}

// rustPanic is the message of a panic in a test's output: from "panicked
// at" to the note that follows it.
func rustPanic(out string) string {
	i := strings.Index(out, "panicked at")
	if i < 0 {
		return out
	}
	msg := out[i:]
	if j := strings.Index(msg, "\nnote: "); j >= 0 {
		msg = msg[:j]
	}
	return strings.TrimSpace(msg)
}

func hasFailed(cs []Case) bool {
	for _, c := range cs {
		if c.Status == Failed {
			return true
		}
	}
	return false
}

// unittestLine is a test's line in unittest's verbose output (Python
// 3.11: "test_add (test_calc.TestCalc.test_add) ... FAIL"; before 3.11
// the parenthesis held the class alone).
var (
	unittestResult  = regexp.MustCompile(` \.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)$`)
	unittestHead    = regexp.MustCompile(`^(\w+) \(([\w.]+)\)`)
	unittestSection = regexp.MustCompile(`^(FAIL|ERROR): (\w+) \(([\w.]+)\)`)
)

// Unittest reads what Python's unittest prints with -v (on stderr): a line
// per test, and each failure's traceback in its section. A module that
// cannot be imported is an error, as unittest reports it (a failing test
// named after the module, "unittest.loader._FailedTest").
func Unittest(data []byte) (Log, error) {
	var l Log
	lines := strings.Split(string(data), "\n")
	index := map[string]int{}
	suite := func(name, where string) string {
		// 3.11 writes the test's full id; older ones the class alone.
		return strings.TrimSuffix(where, "."+name)
	}
	var head []string // a test's line, when its output came between the name and the result
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := unittestSection.FindStringSubmatch(line); m != nil {
			id := suite(m[2], m[3]) + "::" + m[2]
			var tb []string
			j := i + 1
			for ; j < len(lines); j++ {
				if strings.HasPrefix(lines[j], "=====") || strings.HasPrefix(lines[j], "-----") && j > i+1 {
					break
				}
				if !strings.HasPrefix(lines[j], "-----") {
					tb = append(tb, lines[j])
				}
			}
			i = j - 1
			text := strings.TrimSpace(strings.Join(tb, "\n"))
			if k, ok := index[id]; ok {
				l.Cases[k].Output = text
				l.Cases[k].Message = lastNonEmpty(tb)
			} else if strings.Contains(m[3], "_FailedTest") || strings.HasPrefix(m[3], "unittest.loader") {
				l.Errors = append(l.Errors, text)
			}
			continue
		}
		if head == nil {
			if m := unittestHead.FindStringSubmatch(line); m != nil {
				head = m
			}
		}
		if head == nil {
			continue
		}
		r := unittestResult.FindStringSubmatch(line)
		if r == nil {
			if !unittestHead.MatchString(line) || line == head[0] {
				continue
			}
			head = unittestHead.FindStringSubmatch(line)
			continue
		}
		name, where := head[1], head[2]
		head = nil
		c := Case{Suite: suite(name, where), Name: name}
		switch {
		case r[1] == "ok", r[1] == "expected failure":
			c.Status = Passed
		case strings.HasPrefix(r[1], "skipped"):
			c.Status = Skipped
			c.Message = strings.Trim(strings.TrimPrefix(r[1], "skipped"), " '\"")
		default:
			c.Status = Failed
		}
		if strings.Contains(where, "_FailedTest") || strings.HasPrefix(where, "unittest.loader") {
			continue // reported in its section, as an error
		}
		index[c.ID()] = len(l.Cases)
		l.Cases = append(l.Cases, c)
	}
	if len(l.Cases) == 0 && len(l.Errors) == 0 && !strings.Contains(string(data), "Ran ") {
		return l, fmt.Errorf("unittest: no test results in the output")
	}
	return l, nil
}

func lastNonEmpty(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}
