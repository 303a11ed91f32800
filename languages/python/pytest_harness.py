# selfrepair's pytest harness. The sandbox runs `serve` in the untrusted
# worker process, where pytest collects and runs the tests beside the
# solution, and `judge` in the trusted manager process.
#
# A plugin in the worker sends every test report to the judge as it happens,
# then pytest's exit status. The judge decides the verdict from those reports
# alone, never from pytest's exit status or output: a pass needs every expected
# test reported passed in its call phase and no failure anywhere, so a
# solution that ends the session early (pytest.exit(returncode=0), os._exit(0),
# SystemExit) gets "expected tests did not run", not a pass.
#
# Limits of this mode: the tests run in the solution's process, so a solution
# written to attack this harness could forge reports on the channel. Use the
# function-level harness (harness.py) when the tests can be kept apart.

MAX_TEXT = 2000
MAX_TRACE = 8000


def _text(value, limit):
    try:
        s = str(value)
    except BaseException:
        s = "<unprintable>"
    if len(s) > limit:
        s = s[: limit // 2] + "\n...\n" + s[-limit // 2:]
    return s


def _exception_info(exc):
    """Type and message of an exception; pytest's CollectError wraps the real one."""
    cause = getattr(exc, "__cause__", None)
    if type(exc).__name__ == "CollectError" and isinstance(cause, BaseException):
        exc = cause
    return type(exc).__name__, _text(exc, MAX_TEXT)


def serve(chan, argv):
    import pytest

    class Plugin:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(self, item, call):
            outcome = yield
            rep = outcome.get_result()
            if call.excinfo is not None:
                rep._selfrepair_exc = _exception_info(call.excinfo.value)

        @pytest.hookimpl(hookwrapper=True)
        def pytest_make_collect_report(self, collector):
            outcome = yield
            rep = outcome.get_result()
            call = getattr(rep, "call", None)
            excinfo = getattr(call, "excinfo", None)
            if excinfo is not None:
                rep._selfrepair_exc = _exception_info(excinfo.value)

        def _send(self, event, report):
            msg = {"event": event, "nodeid": str(report.nodeid), "when": str(getattr(report, "when", "collect")),
                   "outcome": str(report.outcome)}
            exc = getattr(report, "_selfrepair_exc", None)
            if exc:
                msg["type"], msg["message"] = exc
            if report.outcome != "passed" and report.longrepr is not None:
                crash = getattr(report.longrepr, "reprcrash", None)
                if crash is not None:
                    msg["crash"] = _text(getattr(crash, "message", ""), MAX_TEXT)
                msg["longrepr"] = _text(report.longrepr, MAX_TRACE)
            chan.send(msg)

        def pytest_runtest_logreport(self, report):
            self._send("test", report)

        def pytest_collectreport(self, report):
            if report.outcome != "passed":
                self._send("collect", report)

    args = list(argv)
    if "no:cacheprovider" not in args:
        args += ["-p", "no:cacheprovider"]
    code = pytest.main(args, plugins=[Plugin()])
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = -1
    chan.send({"event": "exit", "code": code})


def _str(msg, key, default=""):
    v = msg.get(key, default)
    return v if type(v) is str else default


def judge(chan, args):
    """Collects the worker's test reports; returns the verdict as plain data.

    args: expected (the test ids that must be seen passing; when empty, at
    least one test must pass).
    """
    expected = [str(x) for x in (args or {}).get("expected") or []]
    tests = {}  # nodeid -> outcome: passed, failed, skipped, error
    order = []
    failures = []  # (nodeid, phase, type, message, longrepr)
    collect_errors = []
    exit_code = None
    ended = None
    while True:
        try:
            msg = chan.recv()
        except (EOFError, OSError) as exc:
            ended = str(exc) or type(exc).__name__
            break
        except ValueError as exc:  # a malformed message
            ended = "bad message from the test process: %s" % exc
            break
        if type(msg) is not dict:
            continue
        event = msg.get("event")
        if event == "exit":
            code = msg.get("code")
            exit_code = code if type(code) is int else -1
            break
        nodeid, when, outcome = _str(msg, "nodeid"), _str(msg, "when"), _str(msg, "outcome")
        if event == "collect":
            if outcome == "failed":
                collect_errors.append((nodeid or "<collection>", "collect", _str(msg, "type", "CollectionError"),
                                       _str(msg, "message") or _str(msg, "crash"), _str(msg, "longrepr")))
            continue
        if event != "test" or not nodeid:
            continue
        if nodeid not in tests:
            order.append(nodeid)
            tests[nodeid] = "not-run"
        if outcome == "failed":
            tests[nodeid] = "failed" if when == "call" else "error"
            failures.append((nodeid, when, _str(msg, "type", "Failed"),
                             _str(msg, "message") or _str(msg, "crash"), _str(msg, "longrepr")))
        elif tests[nodeid] in ("failed", "error"):
            pass
        elif outcome == "skipped":
            tests[nodeid] = "skipped"
        elif outcome == "passed" and when == "call":
            tests[nodeid] = "passed"

    report = {"passed": False, "tests": {k: tests[k] for k in order}, "exit_code": exit_code}
    passed = [k for k in order if tests[k] == "passed"]
    missing = [k for k in expected if tests.get(k) != "passed"]

    def error(typ, message, phase, nodeid="", longrepr=""):
        report["error"] = {"type": typ, "message": message[:MAX_TEXT], "traceback": longrepr, "test": nodeid}
        report["phase"] = phase

    if failures:
        nodeid, when, typ, message, longrepr = failures[0]
        error(typ, "%s (%s): %s" % (nodeid, when, message) if message else "%s (%s) failed" % (nodeid, when),
              "test", nodeid, longrepr)
    elif collect_errors:
        nodeid, _, typ, message, longrepr = collect_errors[0]
        error(typ, "collecting %s: %s" % (nodeid, message) if message else "collecting %s failed" % nodeid,
              "collect", nodeid, longrepr)
    elif missing:
        error("TestsNotRun", "expected tests did not run: %s" % ", ".join(missing), "test")
    elif not expected and not passed:
        error("TestsNotRun", "no test ran", "test")
    elif exit_code is None:
        error("EarlyExit", "the test process ended before pytest finished (%s)" % ended, "test")
    elif exit_code != 0:
        error("PytestExit", "pytest exited with status %d" % exit_code, "test")
    else:
        report["passed"] = True
    if not report["passed"] and missing and "error" in report and report["error"]["type"] != "TestsNotRun":
        report["not_passed"] = missing
    return report
