package javascript

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
)

// location is a place in a file, as node's reports name it.
type location struct {
	File      string
	Line, Col int
}

// nodeError is node's report of an uncaught exception (or of a syntax
// error, from node --check): the source line it shows with a caret, the
// inspected exception and its stack.
type nodeError struct {
	Type    string // "TypeError"; "" when the value thrown is not an Error
	Code    string // ERR_X of "Error [ERR_X]: ...", or its code property
	Message string // the first line of its message (or of the value thrown)
	At      location
	Source  string // the line shown at At
	Caret   int    // byte offset of the caret in Source, -1 if none
	Frames  []location
	Report  string // the report as printed, less node's internal frames
}

var (
	headerRE  = regexp.MustCompile(`^(\S.*?):(\d+)$`)
	caretRE   = regexp.MustCompile(`^[ \t]*\^+[ \t]*$`)
	errLineRE = regexp.MustCompile(`^([A-Za-z_$][\w$]*)(?: \[([\w-]+)\])?(?:: (.*))?$`)
	frameRE   = regexp.MustCompile(`^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?(?: \{)?$`)
	codeRE    = regexp.MustCompile(`^\s+code: '([^']*)'`)
)

const trailerPrefix = "Node.js v"

// parseNodeError reads the report node prints last on stderr when an
// exception is not caught (followed by its "Node.js vX" line); ok is false
// when text ends with none.
func parseNodeError(text string) (e nodeError, ok bool) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	end := -1
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-3; i-- {
		if strings.HasPrefix(lines[i], trailerPrefix) {
			end = i
			break
		}
	}
	if end < 0 {
		return e, false
	}
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	// The header, the line it names and the caret under it; the exception
	// follows (after a blank line when it is an Error).
	start, body := -1, -1
	for i := end - 3; i >= 0; i-- {
		m := headerRE.FindStringSubmatch(lines[i])
		if m == nil || !(caretRE.MatchString(lines[i+2]) || strings.TrimSpace(lines[i+2]) == "") {
			continue
		}
		start, body = i, i+3
		e.At.File = m[1]
		e.At.Line, _ = strconv.Atoi(m[2])
		e.Source = lines[i+1]
		e.Caret = strings.IndexByte(lines[i+2], '^')
		if body < end && strings.TrimSpace(lines[body]) == "" {
			body++
		}
		break
	}
	if start < 0 {
		// No source shown: the exception is the last error line that a
		// frame follows.
		e.Caret = -1
		for i := end - 2; i >= 0; i-- {
			if errLineRE.MatchString(lines[i]) && frameRE.MatchString(lines[i+1]) {
				start, body = i, i
				break
			}
		}
		if start < 0 {
			return e, false
		}
	}
	value := lines[body:end]
	thrownValue := false
	for _, l := range value {
		if strings.HasPrefix(l, "(Use `node --trace-uncaught") {
			thrownValue = true
		}
	}
	first := ""
	if len(value) > 0 {
		first = value[0]
	}
	if m := errLineRE.FindStringSubmatch(first); m != nil && !thrownValue {
		e.Type, e.Code, e.Message = m[1], m[2], m[3]
	} else {
		e.Message = first
	}
	var report []string
	for _, l := range lines[start:end] {
		if m := frameRE.FindStringSubmatch(l); m != nil {
			if strings.HasPrefix(m[1], "node:") || m[1] == driverPath {
				continue
			}
			n, _ := strconv.Atoi(m[2])
			c, _ := strconv.Atoi(m[3])
			e.Frames = append(e.Frames, location{m[1], n, c})
		} else if m := codeRE.FindStringSubmatch(l); m != nil && e.Code == "" {
			e.Code = m[1]
		}
		report = append(report, l)
	}
	e.Report = strings.Join(report, "\n")
	return e, true
}

var (
	nullReadRE = regexp.MustCompile(`^Cannot (?:read|set) properties of (undefined|null)`)
	notFuncRE  = regexp.MustCompile(`^(.+) is not a function$`)
	memberRE   = regexp.MustCompile(`\.[A-Za-z_$][\w$]*$`)
)

// ClassOf maps an exception node reports to its class: typ is its name
// ("TypeError"), code its error code (MODULE_NOT_FOUND), msg its message,
// and src and caret the source line node shows and where its caret is
// (-1 for none), which tell an element read past the end of an array
// from a property read of null.
//
// JavaScript raises less than Python: reading past the end of an array or
// a missing key gives undefined, and a division by zero gives Infinity. So
// a TypeError of reading a property of undefined is an index error when
// the undefined came from an element access (xs[i].length, m[i][j]), and
// otherwise an attribute error, as Python's AttributeError on None is (the
// repair it needs is the same); calling a method that the value lacks
// (s.reverse()) is an attribute error too, as in Python. Division by zero
// raises only for BigInts. Other TypeErrors are type errors.
func ClassOf(typ, code, msg, src string, caret int) languages.Class {
	switch typ {
	case "":
		return languages.OtherRuntime
	case "ReferenceError":
		return languages.Name
	case "SyntaxError", "URIError":
		// At run time: JSON.parse, new RegExp, decodeURIComponent (a
		// program that does not compile fails its build step).
		return languages.Value
	case "AssertionError":
		return languages.Assertion
	case "RangeError":
		switch {
		case strings.HasPrefix(msg, "Maximum call stack size exceeded"):
			return languages.Recursion
		case strings.HasPrefix(msg, "Division by zero"):
			return languages.ZeroDivision
		case strings.HasPrefix(msg, "Invalid string length"), strings.HasPrefix(msg, "Array buffer allocation failed"):
			return languages.Memory
		}
		return languages.Value
	case "TypeError":
		if m := nullReadRE.FindStringSubmatch(msg); m != nil {
			if m[1] == "undefined" && elementAccess(src, caret) {
				return languages.Index
			}
			return languages.Attribute
		}
		if strings.HasPrefix(msg, "Cannot destructure") {
			return languages.Attribute
		}
		if m := notFuncRE.FindStringSubmatch(msg); m != nil && memberRE.MatchString(m[1]) {
			return languages.Attribute
		}
		return languages.Type
	}
	if code == "MODULE_NOT_FOUND" || code == "ERR_REQUIRE_ESM" || strings.HasPrefix(msg, "Cannot find module") {
		return languages.Import
	}
	return languages.OtherRuntime
}

// elementAccess reports whether the property read at byte caret of src is
// of the value of an element access: the expression before the caret (and
// its dot) ends with a closing bracket.
func elementAccess(src string, caret int) bool {
	if caret <= 0 || caret > len(src) {
		return false
	}
	before := strings.TrimRight(src[:caret], " \t")
	before = strings.TrimSuffix(before, "?.")
	before = strings.TrimSuffix(before, ".")
	return strings.HasSuffix(strings.TrimRight(before, " \t"), "]")
}
