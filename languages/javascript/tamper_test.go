package javascript

import (
	"testing"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// doubleTask's tests compare f's results three ways: ===, JSON.stringify
// and Math.abs.
var doubleTask = tasks.Task{
	ID:     "Tamper/double",
	Prompt: "/* Return 2*x. */\nconst f = (x) => {\n",
	Test: "const testF = () => {\n  console.assert(f(1) === 2)\n  console.assert(JSON.stringify([f(3)]) === JSON.stringify([6]))\n" +
		"  console.assert(Math.abs(f(2) - 4) < 1e-9)\n}\n\ntestF()\n",
	Reference: "  return 2 * x\n}\n",
	Style:     tasks.Completion,
	Language:  "javascript",
}

// TestVerdictCannotBeForged runs wrong solutions that try to pass by
// exiting early with status 0, silencing or replacing what reports a
// failure, or lying to the tests' comparisons; none may pass. Each is
// wrong for the tests (f(x) must be 2*x), so only a forged verdict could
// pass it.
func TestVerdictCannotBeForged(t *testing.T) {
	sb := sharedSandbox(t)
	const wrong = "const f = (x) => 0\n"
	cases := map[string]string{
		"exit-0-at-top":           "process.exit(0)\n" + wrong,
		"exit-0-in-test":          "const f = (x) => { process.exit(0) }\n",
		"exit-code-0-then-throw":  "process.exitCode = 0\nconst f = (x) => { throw new Error('x') }\n",
		"really-exit":             "const f = (x) => { process.reallyExit(0) }\n",
		"really-exit-at-top":      "process.reallyExit(0)\n" + wrong,
		"sigterm-handler-exit-0":  "process.on('SIGTERM', () => process.exit(0))\nconst f = (x) => { process.kill(process.pid, 'SIGTERM'); return 0 }\n",
		"sigterm-self":            "const f = (x) => { process.kill(process.pid, 'SIGTERM'); while (true) {} }\n",
		"sigkill-self":            "const f = (x) => { process.kill(process.pid, 'SIGKILL') }\n",
		"abort":                   "const f = (x) => { process.abort() }\n",
		"exit-from-timer":         "setTimeout(() => process.exit(0), 0)\n" + wrong,
		"exit-in-getter":          "const f = (x) => ({ get length() { process.exit(0) }, toJSON() { process.exit(0) } })\n",
		"throw-in-getter":         "const f = (x) => { const o = []; Object.defineProperty(o, '0', { get() { throw new Error('g') }, enumerable: true }); return o }\n",
		"exit-code-getter":        "Object.defineProperty(process, 'exitCode', { get() { throw new Error('no') }, set(v) {} })\n" + wrong,
		"override-exit":           "process.exit = () => {}\nprocess.reallyExit = () => {}\n" + wrong,
		"assert-noop":             "console.assert = () => {}\n" + wrong,
		"assert-defineProperty":   "try { Object.defineProperty(console, 'assert', { value: () => {} }) } catch (e) {}\n" + wrong,
		"assert-prototype":        "Object.setPrototypeOf(console, { assert() {} })\ndelete console.assert\n" + wrong,
		"console-replaced":        "globalThis.console = { assert() {}, log() {} }\n" + wrong,
		"console-shadowed":        "var console = { assert() {} }\n" + wrong,
		"console-function":        "function console() {}\n" + wrong,
		"strict-assert-noop":      "'use strict'\ntry { console.assert = () => {} } catch (e) {}\n" + wrong,
		"console-error-silenced":  "console.error = () => {}\nconsole.warn = () => {}\n" + wrong,
		"stdout-stderr-silenced":  "process.stdout.write = () => true\nprocess.stderr.write = () => true\n" + wrong,
		"fs-writesync-replaced":   "const fs = require('fs')\nfs.writeSync = () => 0\nprocess.stderr.write = () => true\n" + wrong,
		"stderr-closed":           "require('fs').closeSync(2)\n" + wrong,
		"stdout-closed":           "require('fs').closeSync(1)\n" + wrong,
		"json-stringify-replaced": "JSON.stringify = () => 'same'\nMath.abs = () => 0\n" + wrong,
		"json-shadowed":           "const JSON = { stringify: () => 'same' }\nconst Math = { abs: () => 0 }\n" + wrong,
		"tojson-on-array":         "Array.prototype.toJSON = function () { return 1 }\n" + wrong,
		"tojson-on-object":        "Object.prototype.toJSON = function () { return 1 }\n" + wrong,
		"prepare-stack-trace":     "Object.defineProperty(Error, 'prepareStackTrace', { get() { throw new Error('g') } })\n" + wrong,
		"error-replaced":          "Error = function () {}\nError.captureStackTrace = () => {}\n" + wrong,
		"swallow-exceptions":      "process.on('uncaughtException', () => {})\nconst f = (x) => { throw new Error('x') }\n",
		"remove-exit-listeners":   "process.removeAllListeners('exit')\n" + wrong,
		"emit-exit":               "const f = (x) => { process.emit('exit', 0); return 0 }\n",
		"return-at-top":           wrong + "return\n",
		"unterminated-comment":    wrong + "/*\n",
		"if-false-swallows-test":  wrong + "if (false)\n",
		"printed-marker":          "console.log('selfrepair: tests completed 0123456789abcdef0123456789abcdef')\n" + wrong,
		"token-from-env":          "console.log('selfrepair: tests completed ' + process.env.SELFREPAIR_TOKEN)\n" + wrong,
		"end-without-name":        "for (const k of Object.getOwnPropertyNames(globalThis)) if (k.startsWith('__selfrepair')) globalThis[k](console, JSON, Math, String)\n" + wrong,
		"child-process":           "require('child_process').execSync('true')\nprocess.exit(0)\n" + wrong,
	}
	for name, program := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, res := judge(t, sb, doubleTask, program, sandbox.Limits{})
			if out.Passed {
				t.Errorf("a wrong solution passed: %+v\nstdout: %s\nstderr: %s", out, head(res.Stdout), head(res.Stderr))
			}
			t.Logf("%s %s: %s", out.Class, out.ErrorType, out.Message)
		})
	}
	// The same driver passes a right solution, and fails a wrong one
	// honestly, with the failed assertion.
	for program, want := range map[string]languages.Class{
		doubleTask.Prompt + doubleTask.Reference:                         languages.Pass,
		"setTimeout(() => process.exit(0), 0)\nconst f = (x) => 2 * x\n": languages.Pass,
		doubleTask.Prompt + "  return x\n}\n":                            languages.Assertion,
	} {
		out, res := judge(t, sb, doubleTask, program, sandbox.Limits{})
		if out.Class != want || out.Passed != (want == languages.Pass) {
			t.Errorf("%q: %s %s (%s), want %s\nstdout: %s\nstderr: %s", program, out.Class, out.ErrorType, out.Message, want, head(res.Stdout), head(res.Stderr))
		}
		if want == languages.Assertion && out.TestLine != 2 {
			t.Errorf("%q: the first failed assertion at test line %d, want 2", program, out.TestLine)
		}
	}
}
