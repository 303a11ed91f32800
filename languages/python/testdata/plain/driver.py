# The fidelity test's plain runner: runs each program of progs.json as
# `python3 prog.py`, in a fresh interpreter, one at a time, and prints a
# JSON line per program: how it ended and its uncaught exception.
import json
import os
import resource
import subprocess
import sys

MARK = "\x1eSELFREPAIR-PLAIN "
END = "\x1eSELFREPAIR-PLAIN-END\n"


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def main():
    with open("progs.json") as f:
        job = json.load(f)
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(job["env"], PYTHONPATH=here)
    os.makedirs("p", exist_ok=True)
    for i, src in enumerate(job["progs"]):
        path = os.path.join("p", "prog%d.py" % i)
        with open(path, "w") as f:
            f.write(src)
        out = {"i": i}
        try:
            r = subprocess.run([sys.executable, "prog%d.py" % i], cwd="p", env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=job["timeout"],
                               preexec_fn=limit_memory)
            if r.returncode < 0:
                out["signal"] = -r.returncode
            else:
                out["exit"] = r.returncode
            err = r.stderr.decode("utf-8", "replace")
            out["ended"] = END in err
            err = err.replace(END, "")
            k = err.rfind(MARK)
            if k >= 0:
                out["exc"] = json.loads(err[k + len(MARK):].split("\n", 1)[0])
                err = err[:k]
            out["stderr"] = err[-1500:]
        except subprocess.TimeoutExpired:
            out["timeout"] = True
        os.unlink(path)
        print(json.dumps(out), flush=True)


main()
