"""Stage 3 (untrusted side): a warm zygote that forks sandboxed children to run student code.

Run as ``python -m grader.worker MODE``. The zygote holds no secrets: it only ever receives
the student's cells, the reference cells standing in for the functions each one calls, and
test inputs. It speaks length-prefixed JSON frames on stdin/stdout: one job (a submission)
in, one reply out.

A job's tasks (one per graded function, dependencies first) run in one forked child, fed
one task at a time: the child only receives a task when the previous one has ended, so
code of one function never sees the reference cells sent for a later one, and a frame is
only ever credited to the task in progress. A crash, a timeout (killing the whole process
group) or an output overflow ends that task; the remaining tasks go to a fresh child.
"""
from __future__ import annotations

import gc
import importlib
import io
import json
import linecache
import os
import select
import signal
import struct
import sys
import tempfile
import time
import traceback
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
END = json.dumps({"end": True}).encode()
END_FRAME = HEADER.pack(len(END)) + END
CELL_FILENAME = "<graded cell>"


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: BinaryIO, max_bytes: int) -> bytes | None:
    """Read one frame; None at end of stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    if size > max_bytes:
        raise ValueError(f"frame of {size} bytes exceeds the cap")
    return stream.read(size)


def split_frames(data: bytes) -> list[bytes]:
    """Cut a byte stream of frames into payloads (a truncated tail is dropped)."""
    frames, pos = [], 0
    while pos + HEADER.size <= len(data):
        (size,) = HEADER.unpack_from(data, pos)
        pos += HEADER.size
        if pos + size > len(data):
            break
        frames.append(data[pos:pos + size])
        pos += size
    return frames


# ----------------------------------------------------------------------------- zygote

def serve(mode: str) -> None:
    """Zygote loop: one job in, one reply out, until stdin closes.

    ``mode`` "auto" applies every isolation layer the system allows; "rlimits" only limits.
    """
    import numpy.linalg  # noqa: F401  (warm: children inherit imported modules; numpy
    import numpy.random  # noqa: F401   loads these two lazily, at a cost of ~15 ms per child)

    from grader import codec, sandbox  # noqa: F401  (warm for the children)

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the parent's pipe
    scratch = tempfile.mkdtemp(prefix="dnn-grader-scratch-")
    own_tmp = tempfile.mkdtemp(prefix="dnn-grader-zygote-")
    libc = sandbox.Libc()
    layers = sandbox.isolate_zygote(libc, scratch, runtime_paths()) if mode == "auto" else []
    if "read-only-fs" in layers:
        sandbox.writable_tmpfs(libc, own_tmp)  # for libraries' caches; children cannot write
    os.environ.update(TMPDIR=own_tmp, MPLCONFIGDIR=own_tmp)
    tempfile.tempdir = own_tmp
    view = sandbox.View(libc, scratch, layers)
    preambles, reaper = Preambles(), Reaper()
    while True:
        frame = read_frame(stdin, 256 * 1024 * 1024)
        if frame is None:
            return
        job: dict = {}
        try:
            job = json.loads(frame)
            _warm(job.get("warm", []))
            preamble = preambles.get(job["path"], job["preamble"])
            job_layers = view.prepare(job["path"], job["limits"]["hide"],
                                      job["limits"]["scratch_mb"])
            gc.freeze()  # children then leave the zygote's objects untouched: cheaper forks
            reply = run_job(job, scratch, job_layers, mode == "auto", preamble, reaper)
        except Exception as exc:  # a broken job must not take the zygote down
            reply = _worker_error(exc, len(job.get("tasks", [])))
        write_frame(stdout, json.dumps(reply).encode())


def _warm(modules: list[str]) -> None:
    """Import public libraries once so children inherit them (a failure only costs speed)."""
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:
            pass


def _worker_error(exc: Exception, count: int) -> dict:
    fatal = {"fatal": "worker", "error": f"the grading worker failed: {_one_line(exc)}"}
    task = {"frames": [json.dumps(fatal)], "ending": "worker error", "seconds": 0.0}
    return {"tasks": [task] * count}


def runtime_paths() -> list[str]:
    """Folders a child must still read after dropping privileges: Python and the grader."""
    import site

    import grader
    return [sys.prefix, sys.base_prefix, *site.getsitepackages(),
            os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))]


class Preambles:
    """Each assignment's preamble, executed once in the zygote and inherited by children.

    Helper modules of different assignments may share a name (``testCases``), so the modules
    a preamble imported from its assignment folder are kept aside and restored per child.
    """

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], tuple[dict, dict, str | None]] = {}

    def get(self, path: str, source: str) -> tuple[dict, dict, str | None]:
        """(namespace, assignment modules, error message or None) for this preamble."""
        key = (path, source)
        if key not in self._done:
            before = set(sys.modules)
            namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
            sys.path.insert(0, path)
            error = None
            try:
                exec(compile(source, "<preamble>", "exec"), namespace)
            except BaseException as exc:
                error = f"the grader's setup failed: {_one_line(exc)}"
            finally:
                sys.path.remove(path)
            local = [name for name in set(sys.modules) - before
                     if (getattr(sys.modules[name], "__file__", None) or "").startswith(path)]
            self._done[key] = (namespace, {name: sys.modules.pop(name) for name in local}, error)
        return self._done[key]


def run_job(job: dict, scratch: str, layers: list[str], full: bool,
            preamble: tuple[dict, dict, str | None], reaper: "Reaper") -> dict:
    """Run every task of ``job``; one reply entry per task, in order."""
    limits, tasks = job["limits"], job["tasks"]
    replies: list[dict] = []
    while len(replies) < len(tasks):
        pid, to_child, from_child = _spawn(job, scratch, layers, full, preamble)
        try:
            while len(replies) < len(tasks):
                started = time.monotonic()
                deadline = started + limits["wall_seconds"]
                sent = _send(to_child, tasks[len(replies)], deadline)
                data, ending = _collect(from_child, pid, deadline,
                                        limits["result_mb"] * 1024 * 1024) if sent else (b"", None)
                if not sent:
                    _kill_group(pid)
                finished = ending == "end"
                replies.append({
                    "frames": [f.decode("utf-8", "replace") for f in split_frames(data)],
                    "ending": "done" if finished else ending or _exit_status(pid),
                    "seconds": round(time.monotonic() - started, 4)})
                if not finished:
                    break
        finally:
            os.close(to_child)
            os.close(from_child)
            reaper.finish(pid, scratch)
    return {"tasks": replies}


def _spawn(job: dict, scratch: str, layers: list[str], full: bool,
           preamble: tuple[dict, dict, str | None]) -> tuple[int, int, int]:
    """Fork a child; returns its pid, the task pipe to it and the frame pipe from it."""
    task_read, task_write = os.pipe()
    frame_read, frame_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(task_write)
        os.close(frame_read)
        try:
            child_main(job, task_read, frame_write, scratch, layers, full, preamble)
        finally:
            os._exit(0)
    os.close(task_read)
    os.close(frame_write)
    return pid, task_write, frame_read


def _send(fd: int, task: dict, deadline: float) -> bool:
    """Hand one task to the child; False when it is gone or does not read it in time."""
    view = memoryview(HEADER.pack(len(payload := json.dumps(task).encode())) + payload)
    os.set_blocking(fd, False)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            return False
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            continue
        except OSError:
            return False
    return True


def _collect(fd: int, pid: int, deadline: float, cap: int) -> tuple[bytes, str | None]:
    """Read the child's frames until the task's end frame, end of stream, deadline or cap."""
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _kill_group(pid)
            return b"".join(chunks), "timeout"
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks), None
        size += len(chunk)
        if size > cap:
            _kill_group(pid)
            return b"".join(chunks), "overflow"
        chunks.append(chunk)
        if chunk.endswith(END_FRAME):
            return b"".join(chunks)[: -len(END_FRAME)], "end"


def _exit_status(pid: int) -> str:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit {os.WEXITSTATUS(status)}"


class Reaper:
    """Children whose results are in but whose exit may still be in progress.

    Each is killed at once and reaped without blocking the next job; at most ``limit`` stay
    pending before the oldest is waited for.
    """

    def __init__(self, limit: int = 32) -> None:
        self.limit, self.pending = limit, []

    def finish(self, pid: int, scratch: str) -> None:
        _kill_group(pid)
        self.pending = [p for p in self.pending + [pid] if not self._reaped(p, os.WNOHANG)]
        while len(self.pending) > self.limit:
            self._reaped(self.pending.pop(0), 0)
        _empty(scratch)

    @staticmethod
    def _reaped(pid: int, flags: int) -> bool:
        try:
            return os.waitpid(pid, flags)[0] != 0
        except ChildProcessError:
            return True


def _empty(folder: str) -> None:
    """Remove what a child left in the scratch folder (when it had no tmpfs of its own)."""
    import shutil

    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
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


def child_main(job: dict, task_fd: int, frame_fd: int, scratch: str, layers: list[str],
               full: bool, preamble: tuple[dict, dict, str | None]) -> None:
    """Sandbox this process, then run tasks as they arrive, one frame per test case."""
    from grader import codec, sandbox

    tasks = os.fdopen(task_fd, "rb")
    out = os.fdopen(frame_fd, "wb", buffering=0)
    _silence_std_streams()
    limits = sandbox.Limits(**job["limits"])
    layers = sandbox.apply(limits, layers, full)
    os.chdir(scratch)
    sys.path[:0] = [job["path"]]
    base, modules, error = preamble
    sys.modules.update(modules)
    write_frame(out, json.dumps({"ready": True, "isolation": layers}).encode())
    captured = CappedText(limits.output_chars)
    sys.stdout = sys.stderr = captured
    while (payload := read_frame(tasks, limits.result_mb * 1024 * 1024)) is not None:
        task, namespace = json.loads(payload), dict(base)
        fatal = {"fatal": "setup", "error": error} if error else _prepare(task, namespace)
        if fatal:
            fatal["stdout"] = captured.take()
            write_frame(out, json.dumps(fatal).encode())
        else:
            for index, case in enumerate(task["cases"]):
                write_frame(out, _run_case(namespace[task["function"]], index, case, captured,
                                           codec))
        write_frame(out, END)


def _silence_std_streams() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _prepare(job: dict, namespace: dict) -> dict | None:
    """Execute the student cell and the stand-in reference cells; a fatal frame on error."""
    lines = job["cell"].splitlines(keepends=True)
    linecache.cache[CELL_FILENAME] = (len(job["cell"]), None, lines, CELL_FILENAME)
    try:
        code = compile(job["cell"], CELL_FILENAME, "exec")
    except SyntaxError as exc:
        return {"fatal": "syntax",
                "error": f"SyntaxError in the graded cell, line {exc.lineno}: {exc.msg}"}
    try:
        exec(code, namespace)
    except BaseException as exc:
        return {"fatal": "cell", "error": f"running the graded cell raised {_one_line(exc)}",
                "traceback": _student_traceback(exc)}
    if not callable(namespace.get(job["function"])):
        return {"fatal": "missing",
                "error": f"the graded cell does not define a function {job['function']}()"}
    for source in job["support"]:
        exec(compile(source, "<reference>", "exec"), namespace)
    return None


def _run_case(function: Any, index: int, case: dict, captured: CappedText, codec: Any) -> bytes:
    import numpy as np

    args = codec.from_plain(case["args"])
    np.random.seed(case["seed"])
    frame: dict[str, Any] = {"case": index}
    try:
        output = function(*args)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included
        frame.update(error=_one_line(exc), traceback=_student_traceback(exc),
                     kind=type(exc).__name__)
    else:
        try:
            frame.update(output=codec.to_plain(output), args_after=codec.to_plain(args))
        except (codec.CodecError, RecursionError) as exc:
            frame.update(error=f"the return value cannot be graded: {exc}", kind="CodecError")
    frame["stdout"] = captured.take()
    try:
        return json.dumps(frame, allow_nan=False).encode()
    except (ValueError, TypeError) as exc:
        return json.dumps({"case": index, "error": f"result not serializable: {exc}",
                           "kind": "CodecError"}).encode()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def _student_traceback(exc: BaseException) -> str:
    """Traceback lines that point into the student's cell only."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == CELL_FILENAME]
    return "\n".join(f"line {f.lineno}, in {f.name}: {f.line}" for f in frames[-3:])


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "auto")
