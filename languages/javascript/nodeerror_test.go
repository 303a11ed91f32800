package javascript

import (
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/languages"
)

// Reports as node 18.20.4 prints them (the datasets' tests record real
// ones in the sandbox; these keep the parser's cases apart).
const (
	reportTypeError = `/work/test.js:7
  return xs[5].foo
               ^

TypeError: Cannot read properties of undefined (reading 'foo')
    at f (/work/test.js:7:16)
    at testF (/work/test.js:12:18)
    at Object.<anonymous> (/work/test.js:15:1)
    at Module._compile (node:internal/modules/cjs/loader:1364:14)
    at node:internal/main/run_main_module:28:49

Node.js v18.20.4
`
	reportString = `/work/test.js:3
  throw "bad thing"
  ^
bad thing
(Use ` + "`node --trace-uncaught ...`" + ` to show where the exception was thrown)

Node.js v18.20.4
`
	reportModule = `node:internal/modules/cjs/loader:1143
  throw err;
  ^

Error: Cannot find module 'lodash'
Require stack:
- /work/test.js
    at Module._resolveFilename (node:internal/modules/cjs/loader:1140:15)
    at f (/work/test.js:3:10)
    at testF (/work/test.js:7:18)
    at Object.<anonymous> (/work/test.js:9:1) {
  code: 'MODULE_NOT_FOUND',
  requireStack: [ '/work/test.js' ]
}

Node.js v18.20.4
`
	reportJSON = `undefined:1
{


SyntaxError: Unexpected end of JSON input
    at JSON.parse (<anonymous>)
    at f (/work/test.js:3:15)
    at Object.<anonymous> (/work/test.js:9:1)

Node.js v18.20.4
`
	reportSyntax = `/work/test.js:4
}
^

SyntaxError: Unexpected token '}'
    at internalCompileFunction (node:internal/vm:76:18)
    at wrapSafe (node:internal/modules/cjs/loader:1283:20)
    at checkSyntax (node:internal/main/check_syntax:72:3)

Node.js v18.20.4
`
	reportCoded = `/work/test.js:3
  const e = new Error("coded"); e.code = "E_X"; throw e
                                                ^

Error: coded
    at f (/work/test.js:3:13)
    at Object.<anonymous> (/work/test.js:9:1) {
  code: 'E_X'
}

Node.js v18.20.4
`
)

func TestParseNodeError(t *testing.T) {
	cases := []struct {
		name, text   string
		typ, code    string
		msg          string
		at           location
		frames       int
		caret        int
		noSourceLine bool
	}{
		{"type-error", "Assertion failed\n" + reportTypeError, "TypeError", "", "Cannot read properties of undefined (reading 'foo')", location{"/work/test.js", 7, 0}, 3, 15, false},
		{"thrown-string", reportString, "", "", "bad thing", location{"/work/test.js", 3, 0}, 0, 2, false},
		{"module", reportModule, "Error", "MODULE_NOT_FOUND", "Cannot find module 'lodash'", location{"node:internal/modules/cjs/loader", 1143, 0}, 3, 2, false},
		{"json", reportJSON, "SyntaxError", "", "Unexpected end of JSON input", location{"undefined", 1, 0}, 2, -1, false},
		{"syntax", reportSyntax, "SyntaxError", "", "Unexpected token '}'", location{"/work/test.js", 4, 0}, 0, 0, false},
		{"coded", reportCoded, "Error", "E_X", "coded", location{"/work/test.js", 3, 0}, 2, 48, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok := parseNodeError(c.text)
			if !ok {
				t.Fatalf("no report found")
			}
			if e.Type != c.typ || e.Code != c.code || e.Message != c.msg || e.At != c.at || len(e.Frames) != c.frames || e.Caret != c.caret {
				t.Errorf("got %+v", e)
			}
			if strings.Contains(e.Report, "node:internal/main") || strings.Contains(e.Report, "Node.js v") {
				t.Errorf("the report keeps node's own lines:\n%s", e.Report)
			}
		})
	}
	for _, s := range []string{"", "Assertion failed\n", "Error: printed by the program\n"} {
		if e, ok := parseNodeError(s); ok {
			t.Errorf("%q: found %+v", s, e)
		}
	}
}

func TestClassOf(t *testing.T) {
	cases := []struct {
		typ, code, msg, src string
		caret               int
		want                languages.Class
	}{
		{"ReferenceError", "", "x is not defined", "", -1, languages.Name},
		{"ReferenceError", "", "Cannot access 'w' before initialization", "", -1, languages.Name},
		{"TypeError", "", "Cannot read properties of undefined (reading 'foo')", "  return xs[5].foo", 15, languages.Index},
		{"TypeError", "", "Cannot read properties of undefined (reading '2')", "  return m[1][2]", 13, languages.Index},
		{"TypeError", "", "Cannot read properties of undefined (reading 'bar')", "  return v.foo.bar", 16, languages.Attribute},
		{"TypeError", "", "Cannot read properties of null (reading 'x')", "  return xs[0].x", 15, languages.Attribute},
		{"TypeError", "", "Cannot read properties of undefined (reading 'x')", "", -1, languages.Attribute},
		{"TypeError", "", "Cannot destructure property 'a' of 'undefined' as it is undefined.", "", -1, languages.Attribute},
		{"TypeError", "", "xs.sum is not a function", "", -1, languages.Attribute},
		{"TypeError", "", "numbers is not a function", "", -1, languages.Type},
		{"TypeError", "", "Assignment to constant variable.", "", -1, languages.Type},
		{"TypeError", "", "Cannot mix BigInt and other types, use explicit conversions", "", -1, languages.Type},
		{"TypeError", "", "n is not iterable", "", -1, languages.Type},
		{"RangeError", "", "Maximum call stack size exceeded", "", -1, languages.Recursion},
		{"RangeError", "", "Division by zero", "", -1, languages.ZeroDivision},
		{"RangeError", "", "Invalid string length", "", -1, languages.Memory},
		{"RangeError", "", "Invalid count value: -1", "", -1, languages.Value},
		{"RangeError", "", "Invalid array length", "", -1, languages.Value},
		{"SyntaxError", "", "Unexpected end of JSON input", "", -1, languages.Value},
		{"URIError", "", "URI malformed", "", -1, languages.Value},
		{"AssertionError", "ERR_ASSERTION", "Expected values to be strictly equal", "", -1, languages.Assertion},
		{"Error", "MODULE_NOT_FOUND", "Cannot find module 'lodash'", "", -1, languages.Import},
		{"Error", "", "no", "", -1, languages.OtherRuntime},
		{"MyError", "", "mine", "", -1, languages.OtherRuntime},
		{"", "", "bad thing", "", -1, languages.OtherRuntime},
	}
	for _, c := range cases {
		if got := ClassOf(c.typ, c.code, c.msg, c.src, c.caret); got != c.want {
			t.Errorf("ClassOf(%s, %q, %q) = %s, want %s", c.typ, c.code, c.msg, got, c.want)
		}
	}
}
