package python_test

import (
	"testing"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

func TestExploreTamper(t *testing.T) {
	sb := sharedSandbox(t)
	task := tasks.Task{ID: "x", Prompt: "def f(x):\n", EntryPoint: "f", Style: tasks.Completion,
		Test: "def check(candidate):\n    assert abs(candidate(1.0) - 2.0) < 1e-9\n"}
	progs := map[string]string{
		"syspath": "import sys, os\ndef f(x):\n    return [sys.path, os.getcwd(), oct(os.stat('/work').st_mode), os.getuid()]\n",
		"callable": `import json
_orig = json.dumps
def _dumps(obj, *a, **k):
    return _orig(obj, *a, **k).replace('"callable":true', '"callable":false')
json.dumps = _dumps
def abs(x):
    return 0
def f(x):
    return 0.0
`,
		"module": `import os, types
os.chmod("/work", 0o777)
with open("/work/sr_pwn.py", "w") as fh:
    fh.write("import sys\nf = sys._getframe()\nwhile f is not None:\n    if f.f_code.co_name == 'judge' and 'report' in f.f_locals:\n        f.f_locals['report']['passed'] = True\n    f = f.f_back\n")
os.chmod("/work/sr_pwn.py", 0o644)
def f(x):
    return types.ModuleType("sr_pwn")
`,
	}
	for name, p := range progs {
		out, res := runProgram(t, sb, task, p, sandbox.Limits{})
		t.Logf("%s: %+v\nstdout=%s stderr=%s", name, out, res.Stdout, res.Stderr)
	}
}
