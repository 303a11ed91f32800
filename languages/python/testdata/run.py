"""Runs Python programs for the simulator's realism test and reports how each
ended: "" (passed), the final exception's type name, or "Timeout".

Reads JSON lines {"id", "program", "timeout"} on stdin and writes JSON lines
{"id", "type"} on stdout. Every program runs in a fresh namespace of this one
interpreter (the programs are the benchmark's own references and mutants of
them), with stdin and stdout replaced and a SIGALRM-based wall-clock limit.
"""
import io
import json
import resource
import signal
import sys


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _disarm():
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        except _Timeout:
            pass


def _run(src, timeout):
    try:
        code = compile(src, "<solution>", "exec")
    except SyntaxError as e:  # IndentationError and TabError too
        return type(e).__name__
    except Exception as e:  # e.g. ValueError for NUL bytes
        return type(e).__name__
    namespace = {"__name__": "__sim__"}
    saved = sys.stdout, sys.stdin
    sys.stdout, sys.stdin = io.StringIO(), io.StringIO()
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout, 0.05)
        exec(code, namespace)
        return ""
    except _Timeout:
        return "Timeout"
    except BaseException as e:  # SystemExit included
        return type(e).__name__
    finally:
        _disarm()
        sys.stdout, sys.stdin = saved


def main():
    try:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGALRM, _alarm)
    limit = sys.getrecursionlimit()
    out = sys.stdout
    for line in sys.stdin:
        job = json.loads(line)
        try:
            result = _run(job["program"], job["timeout"])
        except _Timeout:
            _disarm()
            result = "Timeout"
        sys.setrecursionlimit(limit)
        out.write(json.dumps({"id": job["id"], "type": result}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
