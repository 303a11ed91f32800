# selfrepair's Python test harness. The sandbox runs `serve` in the untrusted
# worker process (it holds the solution) and `judge` in the trusted manager
# process (it holds the tests). They talk over a pipe pair.
#
# The tests never run in the solution's process. Every name the tests take
# from the solution (the function under test, classes, helpers) is a proxy
# that calls into the worker; what comes back is decoded into plain Python
# values (int, str, list, tuple, dict, set, ...) of the exact builtin types,
# so every comparison, every assert and the final verdict happen in a process
# the solution cannot reach: no forged __eq__, no replaced builtins, no early
# exit, no re-execution with asserts compiled out, no printed marker counts.
# Builtins and modules are never taken from the solution.
import ast
import base64
import builtins
import decimal
import fractions
import importlib
import linecache
import sys
import traceback
import types

MAX_MESSAGE = 2000
SOLUTION_FILE = "solution.py"


# ---- value encoding (shared) ----

def encode(value, refs):
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if -(1 << 53) < value < (1 << 53) else {"t": "int", "v": str(value)}
    if t is float:
        return {"t": "float", "v": repr(value)}
    if t is list:
        return [encode(v, refs) for v in value]
    if t is tuple:
        return {"t": "tuple", "v": [encode(v, refs) for v in value]}
    if t is dict:
        return {"t": "dict", "v": [[encode(k, refs), encode(v, refs)] for k, v in value.items()]}
    if t is set or t is frozenset:
        return {"t": t.__name__, "v": [encode(v, refs) for v in value]}
    if t is bytes or t is bytearray:
        return {"t": t.__name__, "v": base64.b64encode(value).decode()}
    if t is complex:
        return {"t": "complex", "v": [repr(value.real), repr(value.imag)]}
    if t is fractions.Fraction:
        return {"t": "fraction", "v": str(value)}
    if t is decimal.Decimal:
        return {"t": "decimal", "v": str(value)}
    if t is types.ModuleType:
        return {"t": "module", "v": value.__name__}
    if (t is type or t is types.BuiltinFunctionType) and getattr(builtins, getattr(value, "__name__", ""), None) is value:
        return {"t": "builtin", "v": value.__name__}
    # Subclasses of plain types (namedtuple, IntEnum, ...) travel as their base
    # value, read with the base type's own methods.
    if isinstance(value, bool):
        return bool(int.__int__(value))
    if isinstance(value, int):
        return encode(int.__int__(value), refs)
    if isinstance(value, float):
        return encode(float.__float__(value), refs)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [encode(v, refs) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return [encode(v, refs) for v in list.__iter__(value)]
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k, refs), encode(dict.__getitem__(value, k), refs)]
                                   for k in dict.__iter__(value)]}
    return refs.add(value)


# ---- worker side (untrusted process) ----

class Refs:
    def __init__(self):
        self.objs = {}

    def add(self, obj):
        key = id(obj)
        self.objs[key] = obj
        return {"t": "ref", "v": key, "type": type(obj).__name__, "callable": callable(obj)}


def serve(chan, argv):
    refs = Refs()
    module = None

    def dec(v):
        return decode(v, lambda r: refs.objs[r["v"]])

    while True:
        try:
            req = chan.recv()
        except EOFError:
            return
        op = req.get("op")
        try:
            if op == "load":
                module = types.ModuleType("__main__")
                module.__builtins__ = builtins
                src = req["source"]
                linecache.cache[SOLUTION_FILE] = (len(src), None, src.splitlines(True), SOLUTION_FILE)
                sys.modules["__main__"] = module
                code = compile(src, SOLUTION_FILE, "exec", dont_inherit=True)
                exec(code, module.__dict__)
                reply = {"ok": None}
            elif op == "globals":
                found = {}
                for name in req["names"]:
                    if name in module.__dict__:
                        found[name] = encode(module.__dict__[name], refs)
                reply = {"ok": found}
            else:
                target = refs.objs[req["target"]]
                if op == "call":
                    args = [dec(a) for a in req["args"]]
                    kwargs = {k: dec(v) for k, v in req["kwargs"].items()}
                    value = target(*args, **kwargs)
                    reply = {"ok": encode(value, refs),
                             "mut": [encode(a, refs) if type(a) in (list, dict, set, bytearray) else None
                                     for a in args]}
                elif op == "getattr":
                    reply = {"ok": encode(getattr(target, req["name"]), refs)}
                elif op == "setattr":
                    setattr(target, req["name"], dec(req["value"]))
                    reply = {"ok": None}
                elif op == "unary":
                    fn = {"len": len, "bool": bool, "repr": repr, "str": str, "iter": iter,
                          "next": next, "hash": hash}[req["name"]]
                    reply = {"ok": encode(fn(target), refs)}
                elif op == "binary":
                    other = dec(req["other"])
                    fn = {"getitem": lambda a, b: a[b], "contains": lambda a, b: b in a}[req["name"]]
                    reply = {"ok": encode(fn(target, other), refs)}
                else:
                    reply = {"error": {"type": "RuntimeError", "message": "unknown op %r" % op}}
        except BaseException as exc:  # includes SystemExit and KeyboardInterrupt from the solution
            reply = {"error": describe(exc)}
        try:
            chan.send(reply)
        except (TypeError, ValueError, RecursionError) as exc:
            chan.send({"error": describe(exc)})


def describe(exc):
    """The final exception of the solution's traceback, as plain data."""
    tb = exc.__traceback__
    frames = [f for f in traceback.extract_tb(tb) if f.filename == SOLUTION_FILE]
    try:
        message = str(exc)
    except BaseException:
        message = "<unprintable>"
    info = {
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "message": message[:MAX_MESSAGE],
        "traceback": "".join(traceback.format_exception(type(exc), exc, tb))[-8000:],
    }
    if isinstance(exc, SyntaxError) and exc.filename == SOLUTION_FILE:
        info["line"] = exc.lineno or 0
        info["line_text"] = (exc.text or "").rstrip("\n")
        info["message"] = exc.msg or message
    elif frames:
        info["line"] = frames[-1].lineno
        info["line_text"] = (frames[-1].line or "")
    return info


# ---- judge side (trusted process) ----

class RemoteDied(Exception):
    pass


class Remote:
    """A proxy for an object that lives in the solution's process."""

    __slots__ = ("_conn", "_key", "_type", "_callable")

    def __init__(self, conn, key, typ, is_callable):
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_type", typ)
        object.__setattr__(self, "_callable", is_callable)

    def __call__(self, *args, **kwargs):
        return self._conn.call(self, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._conn.request({"op": "getattr", "target": self._key, "name": name})

    def __setattr__(self, name, value):
        self._conn.request({"op": "setattr", "target": self._key, "name": name,
                            "value": self._conn.enc(value)})

    def __len__(self):
        return self._conn.unary(self, "len")

    def __bool__(self):
        return bool(self._conn.unary(self, "bool"))

    def __iter__(self):
        it = self._conn.unary(self, "iter")
        while True:
            try:
                yield it._conn.unary(it, "next")
            except StopIteration:
                return

    def __next__(self):
        return self._conn.unary(self, "next")

    def __getitem__(self, key):
        return self._conn.request({"op": "binary", "name": "getitem", "target": self._key,
                                   "other": self._conn.enc(key)})

    def __contains__(self, item):
        return bool(self._conn.request({"op": "binary", "name": "contains", "target": self._key,
                                        "other": self._conn.enc(item)}))

    def __repr__(self):
        try:
            text = self._conn.unary(self, "repr")
        except Exception:
            text = None
        return text if type(text) is str else "<%s object from the solution>" % self._type

    __str__ = __repr__

    # Equality is decided here, never by the solution: a proxy equals only itself.
    def __eq__(self, other):
        return isinstance(other, Remote) and other._key == self._key

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._key)


def decode(v, ref):
    """Plain data from the wire; ref makes the object a {"t": "ref"} names."""
    if v is None or type(v) in (bool, int, str):
        return v
    if type(v) is float:
        return v
    if type(v) is list:
        return [decode(x, ref) for x in v]
    if type(v) is not dict:
        raise TypeError("unexpected value from the solution")
    t, x = v.get("t"), v.get("v")
    if t == "int":
        return int(x)
    if t == "float":
        return float(x)
    if t == "tuple":
        return tuple(decode(i, ref) for i in x)
    if t == "dict":
        return {decode(k, ref): decode(val, ref) for k, val in x}
    if t == "set":
        return {decode(i, ref) for i in x}
    if t == "frozenset":
        return frozenset(decode(i, ref) for i in x)
    if t == "bytes":
        return base64.b64decode(x)
    if t == "bytearray":
        return bytearray(base64.b64decode(x))
    if t == "complex":
        return complex(float(x[0]), float(x[1]))
    if t == "fraction":
        return fractions.Fraction(x)
    if t == "decimal":
        return decimal.Decimal(x)
    if t == "module":
        return trusted_module(str(x))
    if t == "builtin":
        b = getattr(builtins, str(x), None)
        if b is not None:
            return b
    if t == "ref" and ref is not None:
        return ref(v)
    raise TypeError("unexpected value from the solution")


def trusted_module(name):
    """The judge's own copy of a module the solution handed over by name.

    Only standard-library modules: anything else could be a file the
    solution wrote, and importing it would run its code in the judge."""
    if name.split(".")[0] not in sys.stdlib_module_names:
        raise TypeError("the solution passed module %r, which is not in the standard library" % name[:100])
    return importlib.import_module(name)


class SolutionError(Exception):
    """An exception raised inside the solution, re-raised in the tests."""


def remote_exception(info):
    name = str(info.get("type", "Exception"))
    message = str(info.get("message", ""))
    cls = getattr(builtins, name, None) if info.get("module") == "builtins" else None
    if not (isinstance(cls, type) and issubclass(cls, BaseException)) or cls in (SystemExit, KeyboardInterrupt,
                                                                                 GeneratorExit):
        cls = type(name, (SolutionError,), {})
    try:
        exc = cls(message)
    except Exception:
        exc = type(name, (SolutionError,), {})(message)
    exc._selfrepair_remote = info
    return exc


class Conn:
    def __init__(self, chan):
        self.chan = chan
        self.calls = 0

    def request(self, req, raw=False):
        try:
            self.chan.send(req)
            reply = self.chan.recv()
        except (EOFError, OSError):
            raise RemoteDied("the solution's process ended before it answered") from None
        if "error" in reply:
            raise remote_exception(reply["error"])
        return reply.get("ok") if raw else decode(reply.get("ok"), self.ref)

    def enc(self, value):
        return encode(value, self)

    def add(self, obj):
        if isinstance(obj, Remote):
            return {"t": "ref", "v": obj._key}
        raise TypeError("cannot pass a %s to the solution" % type(obj).__name__)

    def ref(self, v):
        return Remote(self, v["v"], str(v.get("type", "object")), bool(v.get("callable")))

    def unary(self, target, name):
        return self.request({"op": "unary", "name": name, "target": target._key})

    def call(self, target, args, kwargs):
        self.calls += 1
        req = {"op": "call", "target": target._key, "args": [self.enc(a) for a in args],
               "kwargs": {k: self.enc(v) for k, v in kwargs.items()}}
        try:
            self.chan.send(req)
            reply = self.chan.recv()
        except (EOFError, OSError):
            raise RemoteDied("the solution's process ended during a call") from None
        if "error" in reply:
            raise remote_exception(reply["error"])
        for arg, new in zip(args, reply.get("mut") or []):
            if new is None:
                continue
            new = decode(new, self.ref)
            if type(arg) is list and type(new) is list:
                arg[:] = new
            elif type(arg) in (dict, set) and type(new) is type(arg):
                arg.clear()
                arg.update(new)
            elif type(arg) is bytearray and type(new) is bytearray:
                arg[:] = new
        return decode(reply.get("ok"), self.ref)


def defined_names(source):
    """Names a trusted program binds at top level (functions, classes, assignments)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                out |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return out


def global_names(code):
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= global_names(c)
    return names


class Failure(Exception):
    def __init__(self, phase, exc, test_source):
        self.phase, self.exc, self.test_source = phase, exc, test_source


def judge(chan, args):
    """Runs the tests against the solution; returns the verdict as plain data.

    args: source (the solution program), prelude (trusted code run first in the
    tests' namespace, e.g. a HumanEval prompt's helpers), imports, setup, test,
    entry_point (when set, the tests end with check(entry_point)).
    """
    conn = Conn(chan)
    report = {"passed": False}
    ns = {"__name__": "__main__", "__builtins__": builtins}
    phase = "load"
    try:
        try:
            conn.request({"op": "load", "source": args["source"]})
        except RemoteDied as exc:
            raise Failure("load", exc, None)
        except BaseException as exc:
            raise Failure("load", exc, None)
        phase = "prelude"
        if args.get("imports"):
            exec(compile(args["imports"], "<imports>", "exec"), ns)
        if args.get("prelude"):
            try:
                exec(compile(args["prelude"], "<prompt>", "exec"), ns)
            except Exception as exc:  # a prompt need not be runnable on its own
                report["prelude_error"] = "%s: %s" % (type(exc).__name__, exc)
        test_src = "\n".join(s for s in (args.get("setup"), args.get("test")) if s)
        if args.get("entry_point"):
            test_src += "\n\ncheck(candidate)\n"
        phase = "test"
        code = compile(test_src, "test.py", "exec")
        names = {n for n in global_names(code) if n not in ns}
        wanted = {n for n in names if not hasattr(builtins, n)}
        # A builtin name comes from the solution only when the task is about
        # it (MBPP/126 tests a function named sum): when the trusted reference
        # solution defines it at top level, or it is the entry point. Nothing
        # the solution says decides this.
        shadowing = (names - wanted) & (defined_names(args.get("reference", "")) | {args.get("entry_point")})
        if args.get("entry_point"):
            wanted.add(args["entry_point"])
        linecache.cache["test.py"] = (len(test_src), None, test_src.splitlines(True), "test.py")
        try:
            found = conn.request({"op": "globals", "names": sorted(wanted | shadowing)}, raw=True)
            found = {str(k): decode(v, conn.ref) for k, v in dict(found).items()}
        except BaseException as exc:
            raise Failure("load", exc, test_src)
        for name, value in found.items():
            if name in wanted or name in shadowing:
                ns[name] = value
        if args.get("entry_point"):
            cand = found.get(args["entry_point"])
            if cand is None:
                ns["candidate"] = _missing(args["entry_point"])
            else:
                ns["candidate"] = cand
        try:
            exec(code, ns)
        except BaseException as exc:
            raise Failure("test", exc, test_src)
        report["passed"] = True
    except Failure as f:
        report["phase"] = f.phase
        report["error"] = explain(f.exc, f.test_source)
    except BaseException as exc:
        report["phase"] = phase
        report["error"] = explain(exc, None)
    report["calls"] = conn.calls
    return report


def _missing(name):
    def missing(*args, **kwargs):
        raise NameError("name %r is not defined" % name)
    return missing


def explain(exc, test_source):
    info = getattr(exc, "_selfrepair_remote", None)
    out = {}
    if isinstance(exc, RemoteDied):
        out = {"type": "RemoteDied", "module": "selfrepair", "message": str(exc)}
    elif info is not None:
        out = dict(info)
        out["in_solution"] = True
    else:
        try:
            message = str(exc)
        except BaseException:
            message = "<unprintable>"
        out = {"type": type(exc).__name__, "module": type(exc).__module__, "message": message[:MAX_MESSAGE],
               "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-8000:]}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "test.py"]
    if frames:
        out["test_line"] = frames[-1].lineno
        out["test_line_text"] = frames[-1].line or ""
    return out
