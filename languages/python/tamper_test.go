package python_test

import (
	"testing"

	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// TestVerdictCannotBeForged runs wrong solutions that attack the harness
// the ways the threat model names; none may pass. Each is wrong for the
// tests (f(1.0) must be 2.0), so only a forged verdict could pass it.
func TestVerdictCannotBeForged(t *testing.T) {
	sb := sharedSandbox(t)
	task := tasks.Task{ID: "Tamper/double", Prompt: "def f(x):\n    \"\"\"Return 2*x.\"\"\"\n", EntryPoint: "f", Style: tasks.Completion,
		Test:      "SECRET = 'TEST-SECRET-7f3a'\n\ndef check(candidate):\n    assert abs(candidate(1.0) - 2.0) < 1e-9\n    assert candidate(3) == 6\n",
		Reference: "    return 2 * x\n"}
	cases := map[string]string{
		"exit-0-at-import":    "import sys\nsys.exit(0)\ndef f(x):\n    return 0\n",
		"os-exit-in-function": "import os\ndef f(x):\n    os._exit(0)\n",
		"system-exit-0":       "def f(x):\n    raise SystemExit(0)\n",
		"atexit-marker":       "import atexit\natexit.register(lambda: print('PASSED'))\ndef f(x):\n    return 0\n",
		"always-equal": "class Yes:\n    def __eq__(self, o): return True\n    def __lt__(self, o): return True\n" +
			"    def __sub__(self, o): return self\n    def __abs__(self): return self\n    def __bool__(self): return True\n" +
			"def f(x):\n    return Yes()\n",
		"float-subclass": "class F(float):\n    def __eq__(self, o): return True\n    def __sub__(self, o): return F(0.0)\n" +
			"def f(x):\n    return F(99.0)\n",
		"replaced-builtins": "import builtins\nbuiltins.abs = lambda v: 0\nbuiltins.AssertionError = type('Nope', (Exception,), {})\n" +
			"def f(x):\n    return 0\n",
		"shadowed-builtin":    "def abs(v):\n    return 0\ndef f(x):\n    return 0\n",
		"lying-callable-flag": "import json\n_d = json.dumps\njson.dumps = lambda o, *a, **k: _d(o, *a, **k).replace('\"callable\":true', '\"callable\":false')\ndef abs(v):\n    return 0\ndef f(x):\n    return 0\n",
		"module-from-workdir": "import os, types\nwith open('/work/sr_pwn.py', 'w') as fh:\n    fh.write('import sys\\nframe = sys._getframe()\\n')\n" +
			"def f(x):\n    return types.ModuleType('sr_pwn')\n",
		"reexec-optimized": "import os, sys\nif sys.flags.optimize == 0 and getattr(sys.modules.get('__main__'), '__file__', None):\n" +
			"    os.execv(sys.executable, [sys.executable, '-O', sys.modules['__main__'].__file__])\ndef f(x):\n    return 0\n",
		"printed-markers": "import sys\nprint('ALL TESTS PASSED')\nprint('OK', file=sys.stderr)\ndef f(x):\n    return 0\n",
		"steal-tests": "import gc, os\ndef _find():\n    needle = ''.join(chr(c) for c in (84, 69, 83, 84, 45, 83, 69, 67, 82, 69, 84))\n" +
			"    for o in gc.get_objects():\n        for v in (o.values() if isinstance(o, dict) else (o if isinstance(o, (list, tuple)) else [])):\n" +
			"            if isinstance(v, str) and needle in v: return True\n" +
			"    for p in os.listdir('/proc'):\n        for n in ('cmdline', 'environ'):\n            try:\n" +
			"                if needle.encode() in open('/proc/%s/%s' % (p, n), 'rb').read(): return True\n" +
			"            except OSError: pass\n    return False\n" +
			"def f(x):\n    return 2 * x if _find() else 0\n",
		"write-report-file": "import os\nfor d in ('/work', '/tmp'):\n    open(os.path.join(d, 'report.json'), 'w').write('{\"passed\": true}')\ndef f(x):\n    return 0\n",
		"kill-the-judge": "import os, signal\nfor p in os.listdir('/proc'):\n    if p.isdigit() and int(p) != os.getpid():\n" +
			"        try: os.kill(int(p), signal.SIGKILL)\n        except OSError: pass\ndef f(x):\n    return 0\n",
		"garbage-on-channel": "import os\nfor fd in range(3, 10):\n    try: os.write(fd, b'\\x00\\x00\\x00\\x0e{\"ok\": true}  ')\n    except OSError: pass\ndef f(x):\n    return 0\n",
		// The wire is pickle: a frame that names os.system, or a reduce of
		// the solution's that does, must be refused by the judge's decoder.
		"pickle-gadget-on-channel": "import os, struct\n" +
			"evil = b'\\x80\\x04cposix\\nsystem\\n(Vtouch /tmp/pwned\\ntR.'\n" +
			"def f(x):\n    for fd in range(3, 12):\n        try: os.write(fd, struct.pack('>I', len(evil) + 4) + struct.pack('>I', len(evil)) + evil)\n        except OSError: pass\n    return 2 * x\n",
		"reduce-to-os-system": "import os\nclass Evil:\n    def __reduce__(self):\n        return (os.system, ('touch /tmp/pwned',))\n" +
			"    def __eq__(self, o): return True\ndef f(x):\n    return Evil()\n",
		"fake-stdlib-class": "class Decimal(float):\n    __module__ = 'decimal'\n    def __eq__(self, o): return True\n    def __sub__(self, o): return Decimal(0.0)\n" +
			"def f(x):\n    return Decimal(99.0)\n",
		"patched-pickle": "import pickle, copyreg, os\ncopyreg.dispatch_table[float] = lambda v: (os.system, ('true',))\n" +
			"pickle.Pickler.dispatch_table = copyreg.dispatch_table\ndef f(x):\n    return 2.5\n",
	}
	for name, program := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := sb.Run(t.Context(), python.New().Job(task, program, sandbox.Limits{}))
			if err != nil {
				t.Fatalf("sandbox: %v", err)
			}
			out := python.New().Classify(sandbox.Job{}, res)
			if out.Passed {
				t.Errorf("a wrong solution passed: %+v\nstdout: %s\nstderr: %s", out, res.Stdout, res.Stderr)
			}
			t.Logf("%s %s: %s", out.Class, out.ErrorType, out.Message)
		})
	}
	// The same harness passes a right solution, and a wrong one honestly.
	for program, want := range map[string]bool{task.Prompt + task.Reference: true, task.Prompt + "    return x\n": false} {
		res, err := sb.Run(t.Context(), python.New().Job(task, program, sandbox.Limits{}))
		if err != nil {
			t.Fatalf("sandbox: %v", err)
		}
		if out := python.New().Classify(sandbox.Job{}, res); out.Passed != want {
			t.Errorf("%q: passed=%v, want %v: %+v", program, out.Passed, want, out)
		}
	}
}
