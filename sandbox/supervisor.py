# selfrepair sandbox supervisor: runs inside every sandbox container.
#
# Processes:
#
#   docker-init (pid 1, reaps orphans)
#   ├─ supervisor  uid 0 with only CAP_SETUID, CAP_SETGID, CAP_KILL: reads jobs,
#   │              enforces the limits, resets the container between jobs
#   ├─ judge       uid JUDGE_UID, forked once at start: runs the trusted half of
#   │              a harness (the tests) for job after job
#   └─ worker      uid WORKER_UID, no capabilities, one per job: runs the
#                  untrusted code; forked before its job is read
#
# One fork per job, and none on the job's critical path: the next worker is
# forked while the host is busy with the previous result; it empties the
# writable directories (as the uid that wrote them) and waits for its job.
#
# What the untrusted worker can learn: only what it is sent. The tests (the
# judge's part of a job) never become Python objects in the supervisor: they
# are read into a buffer, handed to the judge and zeroed, and so is the
# judge's report on its way to the host, so a worker forked later finds no
# trace of them in the memory it inherits. Supervisor and judge are not
# dumpable and run as other users: the worker can neither ptrace nor signal
# them nor read their memory. After every job the supervisor kills every
# process of the worker's uid; processes that survive, or System V IPC
# objects, mark the container dirty and the host replaces it.
#
# Host protocol. In, on stdin, per job: "<worker bytes> <judge bytes>\n", the
# worker part (JSON: files, argv, env, limits, harness worker) and the judge
# part (JSON: harness judge and its args; empty for a plain program). Out, on
# stdout, one JSON line per event: {"ready": ...} at start, then one result
# per job, into which the judge's report is spliced as it came.
import base64
import json
import os
import shutil
import signal
import socket
import stat
import struct
import sys
import time

# Modules the zygote loads once so that every worker finds them warm: what
# the harnesses and most solutions import. Each one makes every fork dearer.
WARM = (
    "collections functools itertools math re typing heapq bisect string random "
    "resource runpy atexit pkgutil"
).split()

PR_SET_DUMPABLE = 4
PR_SET_NAME = 15

CFG = json.loads(sys.argv[1])
JUDGE_UID = CFG["judge_uid"]
WORKER_UID = CFG["worker_uid"]
WORKDIR = CFG["workdir"]
SCRATCH = CFG["scratch"]  # directories emptied before every job

# A job's time limit counts the CPU time it uses (its processes, the judge's
# tests and the supervisor's share, from the container's cgroup), so that a
# busy machine does not turn a slow but correct program into a timeout; it
# is checked every CPU_POLL seconds. A program that waits instead of working
# is stopped by the wall clock: twice the limit, and at most 10 s more.
CPU_POLL = 0.05
TIME_LIMIT_MESSAGE = "the time limit (%gs) was exceeded"


def wall_bound(limit):
    return limit + min(limit, 10.0)


# How long a job may take to start when it has no build step, and how long
# the judge may take to report once the worker is gone.
START_TIMEOUT = 30.0
JUDGE_GRACE = 1.0

# A worker's exit codes before its program starts: it could not read the
# job (120), start it (121) or unpack its files (122).
SETUP_EXITS = (120, 121, 122)

# Bounds on what the trusted side reads from the untrusted one.
STATUS_LIMIT = 1 << 16
JUDGE_CHANNEL_LIMIT = 16 << 20

# Trusted harness sources given at container start, loaded once: a job names
# one by its sha256 instead of sending and compiling it again.
HARNESSES = {}


def preload():
    import hashlib
    for src in CFG.get("preload") or []:
        HARNESSES[hashlib.sha256(src.encode()).hexdigest()] = load_harness(src)


def load_harness(src):
    ns = {"__name__": "selfrepair_harness"}
    exec(compile(src, "<harness>", "exec"), ns)
    return ns


def harness_namespace(h):
    ns = HARNESSES.get(h.get("sha"))
    return ns if ns is not None else load_harness(h["source"])


def prctl(option, arg):
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0)


class KernelFile:
    """The first of paths that opens, read again and again through one open
    descriptor: one pread per reading (cgroup and /proc files give their
    current contents at offset 0)."""

    def __init__(self, *paths):
        self.paths = paths
        self.fd = self.which = None
        self.opened = False

    def read(self):
        """The file's contents, or None when none of the paths can be read."""
        if not self.opened:
            self.opened = True
            for i, path in enumerate(self.paths):
                try:
                    self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    continue
                self.which = i
                break
        if self.fd is None:
            return None
        try:
            return os.pread(self.fd, 65536, 0)
        except OSError:
            return None


class Counter:
    """A number in a cgroup file: sources are (path, key or None for the
    whole file, scale), the first that opens counts."""

    def __init__(self, *sources):
        self.sources = sources
        self.file = KernelFile(*(path for path, _, _ in sources))

    def read(self):
        data = self.file.read()
        if data is None:
            return None
        _, key, scale = self.sources[self.file.which]
        try:
            if key is None:
                return int(data.split()[0]) * scale
            for line in data.split(b"\n"):
                name, _, value = line.partition(b" ")
                if name == key:
                    return int(value) * scale
        except (ValueError, IndexError):
            pass
        return None


# This container's cgroup counters (cgroup v2, else v1).
OOM_KILLS = Counter(("/sys/fs/cgroup/memory.events", b"oom_kill", 1),
                    ("/sys/fs/cgroup/memory/memory.oom_control", b"oom_kill", 1))
CPU_NS = Counter(("/sys/fs/cgroup/cpu.stat", b"usage_usec", 1000),
                 ("/sys/fs/cgroup/cpuacct/cpuacct.usage", None, 1),
                 ("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", None, 1))
TASKS = Counter(("/sys/fs/cgroup/pids.current", None, 1),
                ("/sys/fs/cgroup/pids/pids.current", None, 1))


# The System V IPC tables: a header line, then a line per object.
IPC_TABLES = {kind: KernelFile("/proc/sysvipc/" + kind) for kind in ("shm", "sem", "msg")}


def oom_kills():
    """Number of OOM kills in this container's memory cgroup so far, or None."""
    return OOM_KILLS.read()


def cpu_ns():
    """CPU time used by this container so far, in nanoseconds, or None."""
    return CPU_NS.read()


def only(keep):
    """True when the container holds no task but the processes keep (all
    single-threaded, and none of them reaped yet): then no process of a
    job is left, and /proc need not be searched."""
    n = TASKS.read()
    return n is not None and n == len(keep)


# ---- framing: 4-byte length + payload ----

def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def send(fd, obj):
    data = json.dumps(obj, separators=(",", ":")).encode()
    write_all(fd, struct.pack(">I", len(data)) + data)


def recv_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError("peer closed the channel")
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def recv(fd, limit=256 << 20):
    (n,) = struct.unpack(">I", recv_exact(fd, 4))
    if n > limit:
        raise ValueError("message too large")
    return json.loads(recv_exact(fd, n))


class Channel:
    """The harness's end of the pipe pair between trusted and untrusted side.
    limit bounds one message received (the trusted side takes less from the
    untrusted one than it would hold in memory)."""

    def __init__(self, rfd, wfd, limit=256 << 20):
        self.rfd, self.wfd, self.limit = rfd, wfd, limit

    def send(self, obj):
        send(self.wfd, obj)

    def recv(self):
        return recv(self.rfd, self.limit)

    def send_bytes(self, data):
        if len(data) < 1 << 16:
            write_all(self.wfd, struct.pack(">I", len(data)) + data)  # one write
        else:
            write_all(self.wfd, struct.pack(">I", len(data)))
            write_all(self.wfd, data)

    def recv_bytes(self):
        (n,) = struct.unpack(">I", recv_exact(self.rfd, 4))
        if n > self.limit:
            raise ValueError("message too large")
        return recv_exact(self.rfd, n)


class Frames:
    """Reassembles length-prefixed messages read from a non-blocking fd."""

    def __init__(self, fd, limit):
        self.fd, self.limit = fd, limit
        self.buf = bytearray()
        self.chunk = bytearray(1 << 16)
        self.eof = False

    def read(self):
        try:
            n = os.readv(self.fd, [self.chunk])
        except BlockingIOError:
            return
        if not n:
            self.eof = True
        self.buf += memoryview(self.chunk)[:n]
        scrub(self.chunk, n)

    def next(self):
        """The next whole payload (a bytearray), or None."""
        if len(self.buf) < 4:
            return None
        (n,) = struct.unpack(">I", self.buf[:4])
        if n > self.limit:
            raise ValueError("message too large")
        if len(self.buf) < 4 + n:
            return None
        payload = self.buf[4:4 + n]
        scrub(self.buf, 4 + n)
        del self.buf[:4 + n]
        return payload


def scrub(buf, n=None):
    """Overwrites a buffer that held trusted data before it is freed."""
    n = len(buf) if n is None else n
    buf[:n] = bytes(n)


# ---- the worker (untrusted side) ----

def drop_to(uid):
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def close_all_but(keep):
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def safe_path(name):
    if name.startswith("/") or ".." in name.split("/") or not name:
        raise ValueError("bad file name %r" % name)
    return os.path.join(WORKDIR, name)


class Zygote:
    """The process that forks workers and does nothing else.

    Forking makes every page of the parent copy-on-write, and on some
    virtual machines each later write to such a page, and each page-table
    entry copied, costs tens of microseconds. So the zygote is a fresh
    interpreter holding only what workers need (the warm modules and the
    preloaded harnesses), it writes almost nothing between forks, and the
    supervisor, which does the work of every job, never forks one."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        theirs.set_inheritable(True)
        source = own_source()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.execv(sys.executable, [sys.executable, "-s", "-B", "-c", source, sys.argv[1],
                                          "zygote", str(theirs.fileno())])
            finally:
                os._exit(124)
        theirs.close()
        self.sock = ours

    def fork(self, fds):
        """Asks for a worker holding fds; its pid and, later, its wait status
        come back on the socket."""
        socket.send_fds(self.sock, [b"F"], fds)

    def read(self):
        """The next number the zygote sends (a pid, then a wait status)."""
        data = b""
        while len(data) < 8:
            b = self.sock.recv(8 - len(data))
            if not b:
                raise EOFError("the zygote is gone")
            data += b
        return struct.unpack(">q", data)[0]


def own_source():
    """This program's text: the argument after -c on our command line."""
    with open("/proc/self/cmdline", "rb") as f:
        args = f.read().split(b"\0")
    return args[args.index(b"-c") + 1].decode()


STARTED = struct.pack(">I", 16) + b'{"started":true}'


def zygote_main(sock):
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    close_all_but({0, 1, 2, sock.fileno()})
    os.environ.clear()
    os.environ.update(CFG.get("env") or {})
    for m in WARM:
        try:
            __import__(m)
        except Exception:
            pass
    preload()
    for ns in HARNESSES.values():
        if callable(ns.get("warm")):
            ns["warm"]()  # a harness's own first-use work, done once here
    import gc
    gc.freeze()  # a collection in a worker would touch every inherited object
    while True:
        msg, fds, _, _ = socket.recv_fds(sock, 1, 5)
        if not msg:
            os._exit(0)
        pid = os.fork()
        if pid == 0:
            try:
                sock.close()
                worker(*fds)
            finally:
                os._exit(122)
        for fd in fds:
            os.close(fd)
        sock.sendall(struct.pack(">q", pid))
        _, status = os.waitpid(pid, 0)
        sock.sendall(struct.pack(">q", status))


class Worker:
    """The process that will run the next job, forked ahead of it."""

    def __init__(self, zygote):
        job_r, self.job_w = os.pipe()        # supervisor, then judge -> worker
        self.rpc_r, rpc_w = os.pipe()        # worker -> judge
        self.status_r, status_w = os.pipe()  # worker -> supervisor
        self.out_r, out_w = os.pipe()
        self.err_r, err_w = os.pipe()
        zygote.fork([job_r, rpc_w, status_w, out_w, err_w])
        for fd in (job_r, rpc_w, status_w, out_w, err_w):
            os.close(fd)
        self.zygote = zygote
        self.pid = None

    def close(self):
        for fd in (self.job_w, self.rpc_r, self.status_r, self.out_r, self.err_r):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass


def quietly(argv, stdin, why):
    """Runs a tool of the job's set-up (cp, tar) as the worker, its output
    kept in memory rather than written to the job's pipes: nobody reads
    those yet (the supervisor is still feeding the archive), and a tool
    that writes more than a pipe holds would wait for ever. True when it
    succeeded; else why and the start of its output go to stderr."""
    out = os.memfd_create("selfrepair-setup", os.MFD_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        try:
            if stdin is not None:
                os.dup2(stdin, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, st = os.waitpid(pid, 0)
    if st != 0:
        os.write(2, why + b"\n" + os.pread(out, 4096, 0))
    os.close(out)
    return st == 0


def worker(job_r, rpc_w, status_w, out_w, err_w):
    try:
        # The zygote holds only 0-2 (/dev/null) and its socket, which the
        # caller closed: the fds to drop are known.
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.close(out_w)
        os.close(err_w)
        drop_to(WORKER_UID)
        os.setsid()
        os.nice(5)  # the supervisor and the judge come first when the CPU is short
        try:
            fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            os.write(fd, b"1000")  # the OOM killer takes untrusted code first
            os.close(fd)
        except OSError:
            pass
        # Empty what an earlier job left in the scratch directories (as the
        # same uid that wrote it), before this job's data arrives.
        dirty = wipe_scratch()
        if dirty:
            send(status_w, {"dirty": dirty})
            os._exit(119)
        msg = recv(job_r)
    except BaseException:
        os._exit(120)
    try:
        base = msg.get("base")
        if base:
            # The image's prepared folder (a setup step's), copied as this
            # uid: the job may change its copy, never the image.
            if not quietly(["cp", "-R", "--preserve=mode,timestamps,links", "--", base + "/.", WORKDIR + "/"], None,
                           b"sandbox: cannot copy the job's base folder"):
                os._exit(122)
        if msg.get("archive"):
            # A tar stream follows the message on the same pipe: tar unpacks
            # it, as this uid, into the working directory.
            if not quietly(["tar", "-x", "-p", "--no-same-owner", "-f", "-", "-C", WORKDIR], job_r,
                           b"sandbox: cannot unpack the job's archive"):
                os._exit(122)
        for name, b64 in msg.get("files", {}).items():
            path = safe_path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(base64.b64decode(b64))
            if name in msg.get("executable", []):
                os.chmod(path, 0o755)
        os.chdir(WORKDIR)
        env = msg.get("env", {})
        for k in [k for k in os.environ if k not in env]:
            del os.environ[k]
        for k, v in env.items():
            if os.environ.get(k) != v:
                os.environ[k] = v
        import resource
        for name, (soft, hard) in msg.get("rlimits", {}).items():
            resource.setrlimit(getattr(resource, "RLIMIT_" + name.upper()), (soft, hard))
        build = msg.get("build")
        if build:
            # The build writes to a pipe of its own, relayed to stderr and
            # counted: the supervisor learns exactly how many of stderr's
            # first bytes are the build's, however late it reads them (the
            # program starts writing right after).
            out_r, out_w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(out_r)
                os.dup2(out_w, 1)
                os.dup2(out_w, 2)
                os.close(out_w)
                try:
                    os.execvpe(build[0], build, env)
                except OSError as exc:
                    os.write(2, ("build: cannot run %s: %s\n" % (build[0], exc.strerror)).encode())
                    os._exit(127)
            os.close(out_w)
            wrote = 0
            while True:
                chunk = os.read(out_r, 1 << 16)
                if not chunk:
                    break
                write_all(2, chunk)
                wrote += len(chunk)
            os.close(out_r)
            _, status = os.waitpid(pid, 0)
            send(status_w, {"built": os.waitstatus_to_exitcode(status), "bytes": wrote})
            if status != 0:
                os._exit(1)
        # random reseeds itself after a fork (os.register_at_fork): no two
        # workers share the zygote's state.
        harness = msg.get("harness")
        argv = msg.get("argv", [])
        write_all(status_w, STARTED)
        os.close(status_w)
        if harness:
            ns = harness_namespace(harness)
            ns[harness["worker"]](Channel(job_r, rpc_w), argv)
            flush_and_exit(0)
        os.close(rpc_w)
        os.close(job_r)
    except BaseException as exc:
        try:
            os.write(2, ("sandbox: cannot start the job: %s\n" % exc).encode())
        finally:
            os._exit(121)
    run_argv(argv, env)


def flush_and_exit(code):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def run_argv(argv, env):
    """exec argv; a plain `python3 script.py ...` runs in this warm interpreter."""
    prog = os.path.basename(argv[0])
    if (prog in ("python3", "python") and len(argv) >= 2 and not argv[1].startswith("-")
            and os.path.isfile(argv[1]) and env.get("PYTHONHASHSEED") in (None, os.environ.get("PYTHONHASHSEED"))):
        run_python(argv[1:])
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)  # an exec'd program starts with default dispositions
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as exc:
        os.write(2, ("sandbox: cannot run %s: %s\n" % (argv[0], exc.strerror)).encode())
        os._exit(127)


def run_python(args):
    import atexit
    import runpy
    sys.argv = list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
    code = 0
    try:
        runpy.run_path(args[0], run_name="__main__")
    except SystemExit as exc:
        c = exc.code
        if c is None:
            code = 0
        elif isinstance(c, int):
            code = c & 0xFF
        else:
            try:
                sys.stderr.write(str(c) + "\n")
            except Exception:
                pass
            code = 1
    except BaseException:
        try:
            sys.excepthook(*sys.exc_info())
        except BaseException:
            pass
        code = 1
    threading = sys.modules.get("threading")
    try:
        if threading is not None:
            threading._shutdown()  # wait for the script's threads, as python3 would
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    flush_and_exit(code)


# ---- the judge (trusted side of a harness) ----

class Judge:
    """The long-lived process that runs harness judges, one job at a time."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                ours.close()
                judge_main(theirs)
            finally:
                os._exit(123)
        theirs.close()
        self.sock = ours

    def submit(self, seq, part, fds):
        """Hands the judge its part of job seq and its ends of the worker's channel."""
        socket.send_fds(self.sock, [struct.pack(">II", seq, len(part))], fds)
        self.sock.sendall(part)


def reply_prefix(seq):
    """How the judge's reply to job seq starts: the rest are the result's
    report fields, spliced into the result line unparsed."""
    return b'{"seq":%d,' % seq


def judge_main(sock):
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    close_all_but({0, 1, 2, sock.fileno()})
    drop_to(JUDGE_UID)
    prctl(PR_SET_DUMPABLE, 0)  # setuid made us dumpable again
    prctl(PR_SET_NAME, b"sr-judge")
    os.chdir("/")
    preload()
    while True:
        head, fds, _, _ = socket.recv_fds(sock, 8, 2)
        if not head:
            os._exit(0)
        while len(head) < 8:
            more = sock.recv(8 - len(head))
            if not more:
                os._exit(0)
            head += more
        seq, n = struct.unpack(">II", head)
        part = bytearray(n)
        view = memoryview(part)
        while view:
            got = sock.recv_into(view)
            if not got:
                os._exit(0)
            view = view[got:]
        cmd_w, rpc_r = fds
        try:
            job = json.loads(part)
            ns = harness_namespace(job)
            out = {"seq": seq, "report": ns[job["judge"]](Channel(rpc_r, cmd_w, JUDGE_CHANNEL_LIMIT), job.get("args"))}
        except BaseException as exc:  # the harness itself failed
            out = {"seq": seq, "harness_error": "%s: %s" % (type(exc).__name__, exc)}
        finally:
            for fd in fds:
                try:
                    os.close(fd)  # closing cmd_w tells the worker to finish
                except OSError:
                    pass
        try:
            data = json.dumps(out, separators=(",", ":")).encode()
        except (TypeError, ValueError) as exc:
            data = json.dumps({"seq": seq, "harness_error": "unencodable report: %s" % exc}).encode()
        sock.sendall(struct.pack(">I", len(data)) + data)
        scrub(part)
        del job, out, data, part, view


# ---- the supervisor ----

class Output:
    def __init__(self, fd, cap):
        self.fd, self.cap = fd, cap
        self.buf = bytearray()
        self.total = 0
        self.eof = False

    def read(self):
        """Reads what is there; True when it read something."""
        try:
            b = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return False
        if not b:
            self.eof = True
            return False
        self.total += len(b)
        room = self.cap - len(self.buf)
        if room > 0:
            self.buf += b[:room]
        return True

    @property
    def over(self):
        return self.total > self.cap

    def encode(self):
        return base64.b64encode(bytes(self.buf)).decode()


def read_job(fd):
    """The next job from the host: (worker part as bytes, judge part as a
    bytearray), or None when the host is done."""
    header = b""
    while not header.endswith(b"\n"):
        b = os.read(fd, 1)
        if not b:
            return None
        header += b
    sizes = [int(x) for x in header.split()]
    wlen, jlen = sizes[0], sizes[1]
    alen = sizes[2] if len(sizes) > 2 else 0  # an archive follows both parts
    wpart = recv_exact(fd, wlen) if wlen else b""
    jpart = bytearray(jlen)
    view = memoryview(jpart)
    while view:
        n = os.readv(fd, [view])
        if not n:
            return None
        view = view[n:]
    return wpart, jpart, alen


def forward(src, dst, n):
    """Copies n bytes from src to dst in chunks; once dst is closed (the
    worker is gone) the rest is read and dropped, so that the next job's
    header is where the host put it."""
    broken = dst is None
    while n > 0:
        b = os.read(src, min(n, 1 << 20))
        if not b:
            raise EOFError("the host closed the stream inside an archive")
        n -= len(b)
        if not broken:
            try:
                write_all(dst, b)
            except (BrokenPipeError, OSError):
                broken = True


def collect(names, cap):
    """The files the job left in /tmp under names, as base64, read after
    every process of the worker's uid is gone: only regular files of the
    worker's own (never through a link), at most cap bytes each."""
    import stat
    got = {}
    for name in names:
        if not name or "/" in name or name in (".", ".."):
            continue
        try:
            fd = os.open(os.path.join("/tmp", name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != WORKER_UID:
                continue
            data = bytearray()
            while len(data) < cap:
                b = os.read(fd, min(cap - len(data), 1 << 20))
                if not b:
                    break
                data += b
            got[name] = base64.b64encode(bytes(data)).decode()
        finally:
            os.close(fd)
    return got


def run_job(seq, w, wpart, jpart, judge, inp=None, alen=0):
    import select
    t_start = time.monotonic()
    oom_before, cpu_before = oom_kills(), cpu_ns()
    job = json.loads(wpart)
    timeout = job.get("timeout_ms", 10000) / 1000.0
    cap = job.get("output_limit", 1 << 20)
    has_build = bool(job.get("build"))
    harness = len(jpart) > 0
    result = {"status": "exited", "exit_code": None, "signal": 0}
    outs = [Output(w.out_r, cap), Output(w.err_r, cap)]
    status = Frames(w.status_r, STATUS_LIMIT)
    reply = Frames(judge.sock.fileno(), 1 << 30) if harness else None
    for fd in (w.out_r, w.err_r, w.status_r):
        os.set_blocking(fd, False)
    zfd = w.zygote.sock.fileno()
    w.pid = w.zygote.read()

    try:
        sent = False
        write_all(w.job_w, struct.pack(">I", len(wpart)) + wpart)
        sent = True
        if harness:
            judge.submit(seq, jpart, [w.job_w, w.rpc_r])
    except BrokenPipeError:
        pass  # the worker is gone; its status says why
    finally:
        if alen:
            # The worker unpacks the archive as it arrives.
            forward(inp, w.job_w if sent else None, alen)
        scrub(jpart)
        os.close(w.job_w)
        os.close(w.rpc_r)
        w.job_w = w.rpc_r = None

    deadline = t_start + (job.get("build_timeout_ms", 120000) / 1000.0 if has_build else START_TIMEOUT)
    started = None
    cpu_start = None  # the container's CPU time when the job started
    wstatus = None
    report = None
    judge_done = not harness
    ended = None  # why the loop stopped early: timeout, output-limit, dirty
    if harness:
        os.set_blocking(judge.sock.fileno(), False)
    while True:
        now = time.monotonic()
        if now >= deadline:
            ended = "timeout"
            if started is not None and cpu_start is not None:
                # The same words whichever bound fired (CPU time, or the
                # wall-clock bound of a program that waits): the message is
                # fed back to models, and must not depend on machine load.
                result["message"] = TIME_LIMIT_MESSAGE % timeout
            break
        if cpu_start is not None and not (judge_done and harness):
            used = (cpu_ns() - cpu_start) / 1e9
            if used >= timeout:
                ended = "timeout"
                result["message"] = TIME_LIMIT_MESSAGE % timeout
                break
        fds = [o.fd for o in outs if not o.eof]
        if not status.eof:
            fds.append(w.status_r)
        if wstatus is None:
            fds.append(zfd)
        if not judge_done:
            fds.append(judge.sock.fileno())
        wait = deadline - now
        if cpu_start is not None:
            wait = min(wait, CPU_POLL)
        r, _, _ = select.select(fds, [], [], wait)
        for o in outs:
            if o.fd in r:
                o.read()
        if any(o.over for o in outs):
            ended = "output-limit"
            break
        if w.status_r in r:
            status.read()
            try:
                while True:
                    msg = status.next()
                    if msg is None:
                        break
                    msg = json.loads(msg)
                    if "dirty" in msg:
                        ended = "dirty"
                        result["message"] = "the container was not clean: " + str(msg["dirty"])
                    if "built" in msg:
                        result["build_exit_code"] = msg["built"]
                        result["build_ms"] = (time.monotonic() - t_start) * 1000
                        # The build has exited: what it wrote is all in the
                        # pipe, and it comes before the program's output,
                        # which may follow it already.
                        wrote = msg.get("bytes", 0)
                        while outs[1].total < wrote and not outs[1].eof and not outs[1].over and outs[1].read():
                            pass
                        result["build_output_bytes"] = min(wrote, len(outs[1].buf))
                        deadline = time.monotonic() + START_TIMEOUT
                    if msg.get("started"):
                        started = time.monotonic()
                        cpu_start = cpu_ns()
                        deadline = started + (wall_bound(timeout) if cpu_start is not None else timeout)
            except ValueError:
                status.eof = True
            if ended:
                break
        if not judge_done and judge.sock.fileno() in r:
            reply.read()
            report = reply.next()
            if report is not None or reply.eof:
                judge_done = True
        if wstatus is None and zfd in r:
            wstatus = w.zygote.read()
        if judge_done and wstatus is not None:
            break
        if judge_done and harness and wstatus is None:
            # The verdict is in; the worker only has to notice its channel closed.
            deadline = min(deadline, time.monotonic() + 0.2)

    if ended == "timeout" and started is None and has_build and "build_exit_code" not in result:
        result["status"] = "timeout"
        result["message"] = "build exceeded its time limit"
    elif ended == "dirty":
        result["status"] = "error"
    elif ended == "timeout" and judge_done and harness:
        pass  # the verdict came in time; the worker lingered and is killed below
    elif ended in ("timeout", "output-limit"):
        result["status"] = ended
    kill_workers(w.pid, {1, os.getpid(), judge.pid, w.zygote.pid})
    if wstatus is None:
        wstatus = w.zygote.read()
    drain(outs)
    if job.get("collect"):
        result["collected"] = collect(job["collect"], cap)
    if result["status"] == "exited":
        fill_exit(result, wstatus)
        if judge_done and harness and ended == "timeout":
            result["exit_code"] = 0  # ended by us after the verdict, not by itself
        if has_build and result.get("build_exit_code", 0) != 0:
            result["message"] = "build failed"
        elif started is None and result["exit_code"] in SETUP_EXITS:
            # The worker died setting the job up (its message on stderr):
            # the sandbox failed, not the program, which never ran.
            result["status"] = "error"
            why = bytes(outs[1].buf[result.get("build_output_bytes", 0):]).decode(errors="replace")
            result["message"] = "the job could not be set up (worker exit %d): %s" % (
                result["exit_code"], "; ".join(l.strip() for l in why.splitlines() if l.strip())[:400] or "no message")
    if harness and not judge_done:
        # The worker is gone: the judge sees its channel close and reports.
        end = time.monotonic() + JUDGE_GRACE
        while report is None and not reply.eof and time.monotonic() < end:
            r, _, _ = select.select([judge.sock.fileno()], [], [], end - time.monotonic())
            if r:
                reply.read()
                report = reply.next()
    if harness and (report is None or not report.startswith(reply_prefix(seq))):
        result["judge_lost"] = True
        report = None
    os.set_blocking(judge.sock.fileno(), True)
    finish(result, outs, t_start, started, oom_before, cpu_before)
    return result, report


def reap(pid):
    """The wait status of a child that has ended, else None."""
    try:
        p, st = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return -1
    return st if p else None


def drain(outs):
    """Reads what the killed processes left in the output pipes."""
    for o in outs:
        while not o.eof and not o.over:
            before = o.total
            o.read()
            if o.total == before:
                break


def fill_exit(result, status):
    if status is None or status == -1:
        result["exit_code"] = None
        return
    if os.WIFSIGNALED(status):
        result["status"] = "signaled"
        result["signal"] = os.WTERMSIG(status)
    else:
        result["exit_code"] = os.WEXITSTATUS(status)


def finish(result, outs, t_start, started, oom_before, cpu_before):
    oom_after, cpu_after = oom_kills(), cpu_ns()
    if oom_before is not None and oom_after is not None and oom_after > oom_before:
        if result["status"] in ("exited", "signaled"):
            result["status"] = "memory"
        result["oom"] = True
    end = time.monotonic()
    result["stdout"] = outs[0].encode()
    result["stderr"] = outs[1].encode()
    result["stdout_bytes"] = outs[0].total
    result["stderr_bytes"] = outs[1].total
    result["stdout_truncated"] = outs[0].over
    result["stderr_truncated"] = outs[1].over
    result["run_ms"] = round(((end - started) if started else 0) * 1000, 3)
    result["total_ms"] = round((end - t_start) * 1000, 3)
    if cpu_before is not None and cpu_after is not None:
        result["cpu_ms"] = round((cpu_after - cpu_before) / 1e6, 3)


# ---- reset between jobs ----

def zombie(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def leftovers(keep):
    return [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in keep and not zombie(p)]


def real_uid(pid):
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def kill_workers(group=None, keep=None):
    """SIGKILL to every process of the worker's uid (the judge and the
    zygote are of other uids): first the worker's process group at once (a
    fork bomb's processes are in it), then any other one found in /proc,
    until none is found: a process forked meanwhile shows up in the next
    pass. Nothing to do when only the processes keep are left."""
    if keep is not None and only(keep):
        return
    if group:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    for _ in range(2000):
        found = False
        for p in os.listdir("/proc"):
            if p.isdigit() and real_uid(p) == WORKER_UID and not zombie(p):
                found = True
                try:
                    os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            return


def reset(helpers):
    """Kills every process of the job; returns None when the container is
    clean, else the reason."""
    keep = {1, os.getpid()} | helpers
    for _ in range(2000):
        if only(keep) or not leftovers(keep):
            break
        kill_workers()
        time.sleep(0.0005)
    else:
        return "processes survived: %s" % " ".join(leftovers(keep))
    for kind, table in IPC_TABLES.items():
        data = table.read()
        if data is not None and data.count(b"\n") > 1:
            return "System V IPC objects left (%s)" % kind
    return None


def wipe(path):
    """Removes everything below path that this uid can remove."""
    def onerror(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
        except OSError:
            pass
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                os.unlink(p)
        except OSError:
            pass

    try:
        entries = os.listdir(path)
    except OSError:
        return
    for e in entries:
        p = os.path.join(path, e)
        try:
            if stat.S_ISDIR(os.lstat(p).st_mode):
                shutil.rmtree(p, onerror=onerror)
            else:
                os.unlink(p)
        except OSError:
            pass


def wipe_scratch():
    """Runs in the worker: empties the scratch dirs; the reason if it cannot."""
    for d in SCRATCH:
        wipe(d)
    for d in SCRATCH:
        try:
            left = os.listdir(d)
        except OSError:
            continue
        if left:
            return "%s holds %s" % (d, " ".join(sorted(left)[:5]))
    return None


def result_line(seq, result, reply):
    """The result as one JSON line, the fields of the judge's reply spliced
    in unparsed, in a buffer the caller scrubs after writing it."""
    line = bytearray(json.dumps(result, separators=(",", ":")).encode())
    if reply is not None:
        line[-1:] = b","
        line += memoryview(reply)[len(reply_prefix(seq)):]
        scrub(reply)
    line += b"\n"
    return line


def main():
    # `python3 -c` puts the working directory (/work, writable by the job) on
    # the import path: the trusted side must never import from there.
    sys.path[:] = [p for p in sys.path if p and os.path.isabs(p) and not p.startswith((WORKDIR, "/tmp", "/dev"))]
    if sys.argv[2:3] == ["zygote"]:
        zygote_main(socket.socket(fileno=int(sys.argv[3])))
        return
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_NAME, b"sr-supervisor")
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    inp, out = os.dup(0), os.dup(1)
    os.dup2(os.open(os.devnull, os.O_RDWR), 0)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)

    def emit(obj):
        write_all(out, (json.dumps(obj, separators=(",", ":")) + "\n").encode())

    judge = Judge()
    zygote = Zygote()
    dirty = reset({judge.pid, zygote.pid})
    emit({"ready": True, "python": sys.version.split()[0], "oom_counter": oom_kills() is not None,
          "clean": dirty is None, "dirty": dirty})
    if dirty:
        return
    w = Worker(zygote)
    seq = 0
    while True:
        seq += 1
        try:
            job = read_job(inp)
        except (OSError, ValueError):
            job = None
        if job is None:
            return  # the host is done with us
        wpart, jpart, alen = job
        try:
            result, report = run_job(seq, w, wpart, jpart, judge, inp, alen)
        except Exception as exc:
            # The judge may still be busy with this job: the container is done.
            result = {"status": "error", "message": "supervisor: %s: %s" % (type(exc).__name__, exc), "judge_lost": True}
            report = None
        w.close()
        t_reset = time.monotonic()
        dirty = reset({judge.pid, zygote.pid})
        if dirty is None and (result.get("judge_lost") or reap(judge.pid) is not None or reap(zygote.pid) is not None):
            dirty = "the judge or the zygote did not survive the job"
        result["reset_ms"] = round((time.monotonic() - t_reset) * 1000, 3)
        result["clean"] = dirty is None
        if dirty:
            result["dirty"] = dirty
        line = result_line(seq, result, report)
        try:
            write_all(out, line)
        finally:
            scrub(line)
        del result, report, line, job, jpart
        if dirty:
            return
        w = Worker(zygote)


if __name__ == "__main__":
    main()
