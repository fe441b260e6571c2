"""Stage 3 (untrusted side): a pristine fork server whose children run student code.

Run as ``python -S -P -m grader.worker FD MODE`` by ``grader.launch``; FD is a Unix socket to
the trusted grader. (Or as ``... --listen SOCKET LOCK SECONDS MODE``: a blank server left for
the next grades, which forks a copy of itself for each one that connects; that copy then goes
on as below with the connection as its socket.) The fork server receives only public
material: one assignment's folder, its preamble and modules worth importing ahead. It imports
and runs those once, isolates itself (``sandbox.isolate_zygote``), and then only ever forks:
it never reads a submission, a task or a result.

For each submission (or each graded function, when the grader asks for that) the trusted
side asks for a child ("spawn") and receives that child's two pipe ends over the socket; the
server keeps spare children forked ahead (up to ``SPARES``, forked in a row), sandboxed and
waiting, so that forking is off the critical path; each child closes the pipe ends of the
others. The trusted side then talks to the child directly: it writes one task at a
time (the student's cell, the reference cells standing in for what it calls, the inputs), the
next only after the previous one ended, and reads the child's frames. So a child holds
nothing of another submission, nor of a function not yet graded, and comes from a server
that never held any of it. "end" kills the child.

A child's frames (length-prefixed JSON) are: ``ready`` (the isolation achieved), then per
task either one ``fatal`` frame or one frame per case in order, then the end frame.
"""
from __future__ import annotations

import binascii
import functools
import gc
import importlib
import io
import itertools
import json
import linecache
import marshal
import operator
import os
import signal
import socket
import struct
import sys
import traceback
from typing import Any, BinaryIO, Callable

HEADER = struct.Struct(">I")
END = json.dumps({"end": True}).encode()
CELL_FILENAME = "<graded cell>"
SUPPORT_FILENAME = "<reference>"
TASK_CAP = 192 * 1024 * 1024  # a 50 MiB notebook's graded cell, JSON-escaped, and its inputs
CONTROL_BYTES = 1 << 16
SUN_PATH_BYTES = 108
# Children forked ahead, in a row: after a fork the server copies each page it writes, so the
# fewer pages it writes between forks, the fewer it copies.
SPARES = 3
CLAIMED = b"claimed"  # what a server left for the next grades says to each one that claims it


def passing_frame(index: int, output: Any) -> bytes:
    """The bytes ``_run_case`` sends for case ``index`` when its result encodes as ``output``
    (plain data), its inputs came back as they were sent and it printed nothing: the grader
    recognises an expected result by them, without decoding it."""
    return json.dumps({"case": index, "output": output, "args_same": True, "stdout": ""},
                      allow_nan=False).encode()


def read_frame(stream: BinaryIO, max_bytes: int) -> bytes | None:
    """Read one frame; None at end of stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    if size > max_bytes:
        raise ValueError(f"frame of {size} bytes exceeds the cap")
    return stream.read(size)


# ----------------------------------------------------------------------------- fork server

def main(argv: list[str]) -> None:
    """Entry point: ``FD MODE`` (FD: the control socket), or ``--listen SOCKET LOCK SECONDS
    MODE`` for a server left for the next grade. Set up from the first control message, say
    hello, then serve."""
    lock = _take_lock(argv[2]) if argv[0] == "--listen" else None
    if argv[0] == "--listen" and lock is None:  # another one is waiting or starting
        return
    import site  # run with -S: only the builtins site adds (exit, quit, help...), no .pth file

    site.setquit()
    site.setcopyright()
    site.sethelper()
    # what every server needs, loaded while the grader reads the notebook: numpy (and the two
    # parts it loads lazily, at a cost of ~15 ms per child otherwise), the codec, the sandbox
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401

    from grader import codec, sandbox  # noqa: F401

    if lock is None:
        control = socket.socket(fileno=int(argv[0]))
    else:
        control = wait_for_claim(argv[1], float(argv[3]), lock)
        if control is None:
            return
    setup = control.recv(TASK_CAP)
    if not setup:  # a blank server the grader did not need
        return
    server = ForkServer(argv[-1], json.loads(setup))
    control.send(json.dumps(server.hello()).encode())
    try:
        server.serve(control)
    finally:
        server.close()


def _take_lock(path: str) -> int | None:
    """Hold the lock file ``path`` for as long as this blank server waits (with its pid in
    it, for people and tests); None when another server holds it."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def wait_for_claim(path: str, seconds: float, lock: int) -> socket.socket | None:
    """Listen on ``path``: each process of this user that connects gets a copy of this blank
    server, forked for it (told ``CLAIMED`` and the copy's pid), while this one goes on
    waiting; None once ``seconds`` pass without a claim. In a copy: its control socket."""
    listener = _listen(path)
    listener.settimeout(seconds)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the copies are reaped by the system
    while (control := _next_claim(listener)) is not None:
        pid = os.fork()
        if pid == 0:  # the copy: serves this claim only
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            listener.close()
            os.close(lock)
            return control
        control.send(CLAIMED + b" %d" % pid)
        control.close()
    os.unlink(path)  # we hold the lock: nobody else has bound it since
    return None


def _listen(path: str) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        os.unlink(path)  # left by a server that was killed (we hold the lock: none waits)
    except FileNotFoundError:
        pass
    at_socket_path(listener.bind, path)
    listener.listen(8)
    return listener


def at_socket_path(operation: Callable[[str], None], path: str) -> None:
    """``operation`` (a Unix socket's bind or connect) on ``path``, however long: a path that
    does not fit in sun_path (108 bytes, its final NUL included) is reached through a
    descriptor of its folder, ``/proc/self/fd/N/name``."""
    if len(os.fsencode(path)) < SUN_PATH_BYTES:
        operation(path)
        return
    folder, name = os.path.split(path)
    fd = os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        operation(f"/proc/self/fd/{fd}/{name}")
    finally:
        os.close(fd)


def peer_credentials(connection: socket.socket) -> tuple[int, int, int]:
    """pid, uid and gid of the process at the other end of a Unix socket."""
    return struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))


def _next_claim(listener: socket.socket) -> socket.socket | None:
    """The next connection of a process of this user; None when the wait is over."""
    while True:
        try:
            control, _ = listener.accept()
        except OSError:  # the time is up
            return None
        if peer_credentials(control)[1] == os.getuid():
            control.settimeout(None)
            return control
        control.close()


class ForkServer:
    """One assignment's warm, isolated fork server."""

    def __init__(self, mode: str, setup: dict) -> None:
        from grader import sandbox

        self.full = mode == "auto"
        self.children: dict[int, str | None] = {}
        self.spares: list[tuple[dict, int, list[int]]] = []  # limits, pid, pipe ends
        self.served = 0
        self.namespace, self.error = warm_up(setup)
        self.modules = ModuleState(setup["path"])
        needed = sandbox.needed_paths(setup["path"])
        self.layers = sandbox.isolate_zygote(sandbox.shared_libc(), needed) if self.full else []
        sandbox.compiled_filter()  # built once here; each child only attaches it
        self.own_root = "allowlist-root" in self.layers
        self.base = None if self.own_root else _mkdtemp(prefix="dnn-grader-zygote-")
        if self.own_root:
            _use_scratch(sandbox.SCRATCH)
        from grader import codec

        self.trusted = TrustedState(codec)  # taken once here, before any student code exists
        gc.freeze()  # children then leave the server's objects untouched: cheaper forks

    def hello(self) -> dict:
        return {"ready": True, "isolation": self.layers, "error": self.error}

    def serve(self, control: socket.socket) -> None:
        """Answer spawn and end requests until the trusted side closes the socket."""
        while True:
            message = control.recv(CONTROL_BYTES)
            if not message:
                return
            request = json.loads(message)
            if request.get("op") == "spawn":
                pid, fds = self.claim(request["limits"], control)
                socket.send_fds(control, [json.dumps({"pid": pid}).encode()], fds)
                for fd in fds:
                    os.close(fd)
                self.served += 1
                if not self.spares:  # none after the first child: one grade needs no other
                    for _ in range(min(self.served - 1, SPARES)):
                        self.spares.append((request["limits"],
                                            *self.fork(request["limits"], control)))
            elif request.get("op") == "end":
                self.end(int(request["pid"]))
            self.reap()

    def claim(self, limits: dict, control: socket.socket) -> tuple[int, list[int]]:
        """A child for ``limits``: the oldest spare (already sandboxed, waiting for its task)
        when the spares were forked for the same limits, else a new one."""
        if self.spares and self.spares[0][0] == limits:
            return self.spares.pop(0)[1:]
        self.drop_spares()
        return self.fork(limits, control)

    def drop_spares(self) -> None:
        """End the spares and close their pipe ends."""
        for _, pid, fds in self.spares:
            self.end(pid)
            for fd in fds:
                os.close(fd)
        self.spares = []

    def fork(self, limits: dict, control: socket.socket) -> tuple[int, list[int]]:
        """Fork one child; returns its pid and the trusted side's ends of its two pipes."""
        task_read, task_write = os.pipe()
        frame_read, frame_write = os.pipe()
        scratch = "/scratch" if self.own_root else _mkdtemp(dir=self.base)
        if not self.own_root:
            os.chmod(scratch, 0o777)
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                os.close(task_write)
                os.close(frame_read)
                for fd in [fd for spare in self.spares for fd in spare[2]]:
                    os.close(fd)  # no child holds another one's pipes
                child_main(task_read, frame_write, scratch, limits, self)
            finally:
                os._exit(0)
        os.close(task_read)
        os.close(frame_write)
        self.children[pid] = None if self.own_root else scratch
        return pid, [task_write, frame_read]

    def end(self, pid: int) -> None:
        if pid in self.children:
            kill_group(pid)

    def reap(self) -> None:
        """Collect children that have exited; remove the scratch they had on the host."""
        for pid in list(self.children):
            try:
                done = os.waitpid(pid, os.WNOHANG)[0] != 0
            except ChildProcessError:
                done = True
            if done:
                remove_tree(self.children.pop(pid))

    def close(self) -> None:
        self.drop_spares()
        for pid in list(self.children):
            kill_group(pid)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            remove_tree(self.children.pop(pid))
        remove_tree(self.base)


def warm_up(setup: dict) -> tuple[dict, str | None]:
    """Import what children inherit and run the assignment's preamble once. Returns the
    preamble's namespace and an error message when it failed."""
    for module in setup.get("warm", []):
        try:
            importlib.import_module(module)
        except Exception:
            pass  # a failed warm import only costs speed
    sys.path.insert(0, setup["path"])
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(setup["preamble"], "<preamble>", "exec"), namespace)
    except BaseException as exc:
        return namespace, f"the grader's setup failed: {_one_line(exc)}"
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.backends.backend_agg  # noqa: F401  (drawing then needs no import)
    return namespace, None


class ModuleState:
    """The namespaces graded code most often rebinds names in — numpy and its random and
    linalg modules, builtins, math, copy, matplotlib.pyplot and the assignment's helper
    modules — as the server had them, restored before each task of a child."""

    SHARED = ("numpy", "numpy.random", "numpy.linalg", "builtins", "math", "copy",
              "matplotlib.pyplot")

    def __init__(self, folder: str) -> None:
        names = [n for n in self.SHARED if n in sys.modules]
        names += [n for n, m in list(sys.modules.items())
                  if (getattr(m, "__file__", None) or "").startswith(folder + os.sep)]
        self.saved = [Snapshot(vars(sys.modules[n])) for n in names]

    def restore(self) -> None:
        for snapshot in self.saved:
            if not snapshot.holds(exact=False):
                snapshot.put_back()


class Snapshot:
    """A namespace's bindings at one moment, and a check of them that runs in C (the common
    case: nothing was rebound) using only functions bound when this module was loaded.

    Where the interpreter keeps a modification tag in each dict (``dict_tag_reader``), a
    check first reads that one integer: while it is the one seen when the bindings last
    matched, the dict has not changed since, so no value is read (nor copied on write in a
    fresh child)."""

    def __init__(self, space: Any, names: Any = None) -> None:
        self.space = space
        self.saved = dict(space) if names is None else {n: space[n] for n in names}
        self.names, self.values = tuple(self.saved), tuple(self.saved.values())
        reader = dict_tag_reader()
        self.tag = None if reader is None else reader(space)
        self.seen = None if self.tag is None else self.tag.value

    def holds(self, exact: bool) -> bool:
        """Whether every saved name is still bound to the same object (and, when ``exact``,
        no name that is not a dunder was added)."""
        tag = self.tag
        if tag is not None and tag.value == self.seen:
            return True
        if not self.same():
            return False
        as_saved = not self.added()
        if as_saved and tag is not None:  # the tag is trusted again only for an exact match
            self.seen = tag.value
        return as_saved or not exact

    def same(self, _all=all, _map=map, _is=operator.is_, _repeat=itertools.repeat) -> bool:
        """Whether every saved name is still bound to the same object (read in full)."""
        return _all(_map(_is, _map(self.space.get, self.names, _repeat(self)), self.values))

    def added(self, _len=len, _any=any) -> bool:
        """Whether the namespace gained a name that is not a dunder."""
        saved = self.saved
        return _len(self.space) != _len(saved) and _any(
            name not in saved and name[:2] != "__" for name in self.space)

    def put_back(self) -> None:
        """Bind every saved name again and drop the names added since."""
        space, saved = self.space, self.saved
        for name in [n for n in space if n not in saved]:
            del space[name]
        for name, value in saved.items():
            if space.get(name, self) is not value:
                space[name] = value
        if self.tag is not None:
            self.seen = self.tag.value


@functools.cache
def dict_tag_reader() -> Any:
    """A function giving, for a namespace (a dict or a class's mapping proxy), a live view of
    its dict's modification tag, or None where this interpreter has no usable one.

    CPython 3.11 to 3.13 keep in every dict a 64-bit ``ma_version_tag`` (PEP 509) right after
    the object header and the item count, set from a global counter by every change (adding,
    rebinding, deleting, clearing...): a dict whose tag is the one seen before has not changed.
    The layout and that behaviour are checked here on a probe dict before being relied on; any
    other interpreter (or a build with another layout) gets None: bindings are then compared
    in full every time."""
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return None
    import ctypes
    import types

    head = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)
    tag_at = head + ctypes.sizeof(ctypes.c_ssize_t)

    def reader(space: Any) -> Any:
        if isinstance(space, types.MappingProxyType):
            space = next(d for d in gc.get_referents(space) if isinstance(d, dict))
        if type(space) is not dict:
            raise TypeError("only a plain dict has a modification tag")
        return ctypes.c_uint64.from_address(id(space) + tag_at)

    probe: dict = {}
    changes = [lambda d: d.__setitem__("a", 1), lambda d: d.__setitem__("a", 2),
               lambda d: d.update(b=3), lambda d: d.setdefault("c", 4), lambda d: d.pop("a"),
               lambda d: d.__delitem__("b"), lambda d: d.popitem(), lambda d: d.update(e=5),
               lambda d: d.clear()]
    tag = reader(probe)
    for change in changes:
        before = tag.value
        change(probe)
        if tag.value == before or ctypes.c_ssize_t.from_address(id(probe) + head).value \
                != len(probe):
            return None
    return reader


def _use_scratch(folder: str) -> None:
    """Point temporary files and library caches at the child's scratch folder (``tempfile``,
    when it is imported later, reads TMPDIR)."""
    os.environ.update(TMPDIR=folder, HOME=folder, MPLCONFIGDIR=folder)
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = folder


def _mkdtemp(**where: str) -> str:
    import tempfile  # only without an allowlist root: the fork server starts sooner

    return tempfile.mkdtemp(**where)


def kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def remove_tree(folder: str | None) -> None:
    """Delete ``folder`` however deep it is (``rm -rf`` walks with no path-length or
    recursion limit); never raises."""
    if not folder:
        return
    try:
        os.rmdir(folder)  # the usual case: the child left nothing
    except FileNotFoundError:
        return
    except OSError:
        import subprocess

        try:
            subprocess.run(["rm", "-rf", "--", folder], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        except (OSError, subprocess.SubprocessError):
            pass


# ----------------------------------------------------------------------------- child

class CappedText(io.TextIOBase):
    """A stdout replacement keeping only the first ``cap`` characters."""

    def __init__(self, cap: int):
        self.cap, self.parts, self.size = cap, [], 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.size < self.cap:
            self.parts.append(str(text)[: self.cap - self.size])
            self.size += len(self.parts[-1])
        return len(text)

    def take(self) -> str:
        text, self.parts, self.size = "".join(self.parts), [], 0
        return text


def child_main(task_fd: int, frame_fd: int, scratch: str, limits: dict,
               server: ForkServer) -> None:
    """Sandbox this process, then run tasks as they come (each in a fresh namespace), one
    frame per test case and an end frame per task."""
    from grader import codec, sandbox

    _silence_std_streams()
    layers = sandbox.enter_child(sandbox.Limits(**limits), server.layers, server.full, scratch)
    if not server.own_root:
        _use_scratch(scratch)
    send = _frame_sender(frame_fd)
    send(json.dumps({"ready": True, "isolation": layers}).encode())
    _rehearse(codec)
    trusted = server.trusted
    install_guard()
    tasks = os.fdopen(task_fd, "rb")
    captured = CappedText(limits["output_chars"])
    sys.stdout = sys.stderr = captured
    while (payload := read_frame(tasks, TASK_CAP)) is not None:
        server.modules.restore()  # what an earlier cell rebound (np.dot...) is undone
        task, namespace = json.loads(payload), dict(server.namespace)
        del payload
        fatal = {"fatal": "setup", "error": server.error} if server.error else _prepare(task,
                                                                                     namespace)
        if fatal:
            fatal["stdout"] = captured.take()
            pending = [json.dumps(fatal).encode()]
        else:
            function, pending = namespace[task["function"]], []
            for index, case in enumerate(task["cases"]):
                send(*pending)  # the previous case's frame, before this one runs (it may not end)
                pending = [_run_case(function, index, case, captured, codec, trusted)]
        captured.take()
        send(*pending, END)


def _rehearse(codec: Any) -> None:
    """Run the grader's own steps once on dummy data while the child waits for its task, so
    the copy-on-write faults of a first use are not paid on the clock."""
    import numpy as np

    sample = codec.to_plain((np.zeros((2, 2)), {"W1": np.ones(3)}, [1.0, 2], "x"))
    json.loads(json.dumps({"case": 0, "output": codec.to_plain(codec.from_plain(sample))}))
    np.random.seed(0)
    compile("def f(x):\n    return x", CELL_FILENAME, "exec")


def _frame_sender(fd: int, _write=os.write, _pack=HEADER.pack):
    """A writer bound to this child's frame pipe, made before any student code exists: its
    frames go out in one write (a task's last frame and its end frame wake the grader once)."""
    def send(*payloads: bytes, _fd=fd, _write=_write, _pack=_pack, _join=b"".join) -> None:
        view = memoryview(_join([part for p in payloads for part in (_pack(len(p)), p)]))
        while view:
            view = view[_write(_fd, view):]
    return send


def _silence_std_streams() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


GUARDED_EVENTS = frozenset({
    "sys.addaudithook", "sys.setprofile", "sys.settrace", "sys._current_frames",
    "sys._current_exceptions", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
})
ENCODER_NUMPY_NAMES = ("ndarray", "generic", "asarray", "ascontiguousarray")
GUARDED_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
GUARDED_MODULES = frozenset({"__main__", "grader.worker", "grader.codec", "json", "json.encoder",
                             "json.decoder"})


def install_guard(_events=GUARDED_EVENTS, _attributes=GUARDED_ATTRIBUTES,
                  _modules=GUARDED_MODULES) -> None:
    """An audit hook refusing what could reach into the grader's code in this process:
    profile/trace hooks (code run between the call and the snapshot of its result), heap
    walks, ctypes, replacing the code or defaults of a function the snapshot runs through,
    more audit hooks. Audit hooks cannot be removed; this one looks nothing up in modules
    or builtins a student could patch."""
    def guard(event: str, args: tuple, _events=_events, _attributes=_attributes,
              _modules=_modules, _refuse=PermissionError) -> None:
        if event in _events or event[:7] == "ctypes.":
            raise _refuse(f"{event} is not allowed in graded code")
        if event == "object.__setattr__" and args[1] in _attributes \
                and args[0].__module__ in _modules:
            raise _refuse(f"setting {args[1]} of the grader's functions is not allowed")
    sys.addaudithook(guard)


class TrustedState:
    """Identity of everything the result snapshot runs through, taken before student code.

    If graded code rebinds a name the encoder looks up (a codec or json function, one of the
    numpy names it uses, a builtin) and leaves it so, the snapshot would run the student's code: such a
    case is reported as tampering instead of being encoded.
    """

    def __init__(self, codec: Any) -> None:
        import binascii
        import builtins
        import json.encoder
        import math

        import numpy

        strict = [vars(m) for m in (codec, json, json.encoder, binascii, math,
                                    sys.modules[__name__])]
        strict.append(json.JSONEncoder.__dict__)
        self.strict = [Snapshot(space) for space in strict]
        self.lenient = [Snapshot(vars(builtins)), Snapshot(vars(numpy), ENCODER_NUMPY_NAMES)]

    def intact(self) -> bool:
        for snapshot in self.strict:  # a new global could shadow a builtin
            if not snapshot.holds(exact=True):
                return False
        for snapshot in self.lenient:
            if not snapshot.holds(exact=False):
                return False
        return True


def _prepare(task: dict, namespace: dict, _load=marshal.loads, _decode=binascii.a2b_base64,
             _exec=exec) -> dict | None:
    """Execute the student cell, then the stand-in reference cells (compiled by the grader;
    what loads and runs them is bound here, out of the cell's reach); a fatal frame on
    error."""
    lines = task["cell"].splitlines(keepends=True)
    linecache.cache[CELL_FILENAME] = (len(task["cell"]), None, lines, CELL_FILENAME)
    try:
        code = compile(task["cell"], CELL_FILENAME, "exec")
    except SyntaxError as exc:
        return {"fatal": "syntax",
                "error": f"SyntaxError in the graded cell, line {exc.lineno}: {exc.msg}"}
    except (ValueError, MemoryError, RecursionError) as exc:
        return {"fatal": "syntax", "error": f"the graded cell cannot be compiled: {_one_line(exc)}"}
    try:
        exec(code, namespace)
    except BaseException as exc:
        return {"fatal": "cell", "error": f"running the graded cell raised {_one_line(exc)}",
                "traceback": _student_traceback(exc)}
    if not callable(namespace.get(task["function"])):
        return {"fatal": "missing",
                "error": f"the graded cell does not define a function {task['function']}()"}
    for code in task["support"]:
        _exec(_load(_decode(code)), namespace)
    return None


def _run_case(function: Any, index: int, case: dict, captured: CappedText, codec: Any,
              trusted: TrustedState, _gc_disable=gc.disable) -> bytes:
    import numpy as np

    args = codec.from_plain(case["args"])
    np.random.seed(case["seed"])
    frame: dict[str, Any] = {"case": index}
    try:
        output = function(*args)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included
        _gc_disable()
        frame.update(error=_one_line(exc), traceback=_student_traceback(exc),
                     kind=type(exc).__name__)
    else:
        _gc_disable()  # no finalizer of the student's may run while the result is read
        if not trusted.intact():
            return json.dumps({"tampered": "graded code replaced a function the grader "
                                           "uses to read results"}).encode()
        frame.update(_snapshot(output, args, case["args"], codec))
    frame["stdout"] = captured.take()
    try:
        return json.dumps(frame, allow_nan=False).encode()
    except (ValueError, TypeError) as exc:
        return json.dumps({"case": index, "error": f"result not serializable: {exc}",
                           "kind": "CodecError"}).encode()


def _snapshot(output: Any, args: tuple, received: Any, codec: Any) -> dict:
    """The returned value and the inputs after the call, encoded in one pass; inputs that
    encode as they were received are not sent back (``args_same``)."""
    try:
        both = codec.to_plain((output, args))["__tuple__"]
    except (codec.CodecError, RecursionError) as exc:
        return {"error": f"the return value cannot be graded: {exc}", "kind": "CodecError"}
    if both[1] == received:  # plain data on both sides: no method of the student's runs
        return {"output": both[0], "args_same": True}
    return {"output": both[0], "args_after": both[1]}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def _student_traceback(exc: BaseException) -> str:
    """Traceback lines that point into the student's cell only."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == CELL_FILENAME]
    return "\n".join(f"line {f.lineno}, in {f.name}: {f.line}" for f in frames[-3:])


if __name__ == "__main__":
    main(sys.argv[1:])
