"""Stage 3 (trusted side): pristine fork servers, a child per submission, strict frames.

Each ``Worker`` is a fresh interpreter (``python -P -m grader.worker``) set up for one
assignment with public material only, started with an allowlisted environment. For each
submission (or each graded function, ``per_function``) the server forks a child and hands
this process the child's pipes. Tasks go to that child one at a time, the next only once the
previous one has ended, and its frames are read and validated here: one ``ready`` frame
first, then per task one ``fatal`` frame or one frame per case in order, then the end frame.
Anything else (a duplicate, an unsolicited or malformed frame, bytes after the end) is
tampering and the function scores nothing. Sizes, counts and texts are capped before anything is decoded.
"""
from __future__ import annotations

import base64
import functools
import json
import marshal
import os
import queue
import select
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from grader import launch
from grader.sandbox import Limits
from grader.worker import END, HEADER, SUPPORT_FILENAME

STARTUP_SECONDS = 120.0
CONTROL_SECONDS = 10.0
MAX_TOKENS = 1_500_000  # JSON punctuation per frame: bounds what decoding may allocate
TEXT_CAP = 4000
TEXT_FIELDS = ("stdout", "error", "traceback", "kind")


@dataclass
class Task:
    """One graded function to run: the student's cell, its stand-ins and its cases.
    ``fixed``: ``fixed_part(function, support, cases)``, when the caller encoded it once for
    every submission (a plan does); ``passing``: per case, the frame an expected result sends
    (``worker.passing_frame``) and its output as plain data, when known."""

    function: str
    cell: str
    support: list[str]
    cases: list[dict]
    fixed: bytes | None = field(default=None, repr=False, compare=False)
    passing: list[tuple[bytes, Any] | None] = field(default_factory=list, repr=False,
                                                    compare=False)

    def payload(self) -> bytes:
        """The task as the child reads it: one JSON object."""
        fixed = self.fixed or fixed_part(self.function, self.support, self.cases)
        return b'{"cell": ' + json.dumps(self.cell).encode() + b", " + fixed[1:]


def fixed_part(function: str, support: list[str], cases: list[dict]) -> bytes:
    """The JSON object of a task's parts that are the same for every submission; the
    support cells (the grader's own code) travel compiled, so that no child compiles them."""
    compiled = [base64.b64encode(marshal.dumps(compile(source, SUPPORT_FILENAME, "exec")))
                .decode("ascii") for source in support]
    return json.dumps({"function": function, "support": compiled, "cases": cases}).encode()


@dataclass
class Job:
    """One submission: its tasks (dependencies first) and how to run them."""

    path: str
    preamble: str
    tasks: list[Task]
    limits: Limits
    warm: list[str] = field(default_factory=list)

    @property
    def setup(self) -> tuple:
        """What a fork server is prepared with: public material only."""
        return (self.path, self.preamble, tuple(self.warm))


@dataclass
class RunResult:
    """What came back from one function: per-case frames, or a fatal error, and how it
    ended ("done", "timeout", "overflow", "ended early", "tampered" or "worker lost")."""

    cases: dict[int, dict]
    fatal: dict | None
    ending: str
    isolation: list[str]
    seconds: float


class Worker:
    """One fork server, prepared for one assignment.

    Without ``setup`` the server starts blank (interpreter and numpy loading) and waits for
    ``configure``: started early, it is ready about when the grader knows the assignment.
    """

    def __init__(self, setup: tuple | None, isolation: str = "auto",
                 per_function: bool = False, started: launch.Started | None = None) -> None:
        """``started``: a blank server of this isolation mode already started, to use."""
        started = started or launch.start(isolation)
        self.setup, self.per_function, self.mode = None, per_function, started.mode
        self._proc, self._sock = started.process, started.control
        self.error: str | None = None
        self._isolation: list[str] = []
        self._greeted = False
        if setup is not None:
            self.configure(setup)

    def configure(self, setup: tuple) -> None:
        """Prepare the (blank) server for ``setup``: the assignment folder, preamble, warm."""
        self.setup = setup
        try:
            path, preamble, warm = setup
            self._sock.send(json.dumps({"path": path, "preamble": preamble,
                                        "warm": list(warm)}).encode())
        except OSError as exc:
            self._fail(exc)

    @property
    def isolation(self) -> list[str]:
        """The layers the fork server achieved (waits for its hello)."""
        self._greet()
        return self._isolation

    def _fail(self, exc: Exception) -> None:
        self.error = f"the grading worker could not start ({exc})"
        self._greeted = True

    def _greet(self) -> None:
        """Wait for the server's hello (it starts while the grader builds its plan)."""
        if self._greeted:
            return
        self._greeted = True
        try:
            self._sock.settimeout(STARTUP_SECONDS)
            hello = json.loads(self._sock.recv(1 << 16) or b"null")
            self._sock.settimeout(CONTROL_SECONDS)
            self._isolation = [str(layer) for layer in hello["isolation"]]
            if hello.get("error"):
                self.error = str(hello["error"])[:TEXT_CAP]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._fail(exc)

    def run(self, job: Job, per_function: bool | None = None) -> list[RunResult]:
        """Run the tasks of ``job`` in order, in one child forked for this submission alone
        (``per_function``, default the worker's: a child for every task). A task is only sent
        once the previous one has ended; after a crash, timeout or tampering the rest go to a
        fresh child."""
        per_function = self.per_function if per_function is None else per_function
        self._greet()
        if self.error:
            kind = "worker" if not self.alive else "setup"
            failed = RunResult({}, {"fatal": kind, "error": self.error}, "done", self.isolation, 0.0)
            return [failed] * len(job.tasks)
        limits = replace(job.limits, hide=_in_view(job.limits.hide, self._view_roots))
        results: list[RunResult] = []
        child, isolation = None, None
        for task in job.tasks:
            if child is None:
                try:
                    child, isolation = self._spawn(limits), None
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    self.close()
                    failed = _failed_run(f"the grading worker stopped unexpectedly ({exc})")
                    return results + [failed] * (len(job.tasks) - len(results))
            result = run_child(task, limits, child[1], child[2], isolation)
            results.append(result)
            isolation = result.isolation
            if result.ending != "done" or per_function:
                self._finish(child)
                child = None
        if child is not None:
            self._finish(child)
        return results

    def run_task(self, task: Task, limits: Limits) -> RunResult:
        """Run one task in a child of its own."""
        return self.run(Job("", "", [task], limits), per_function=True)[0]

    @functools.cached_property
    def _view_roots(self) -> tuple[str, ...]:
        from grader import sandbox

        return tuple(r.rstrip("/") for r in
                     sandbox.allowlist(sandbox.needed_paths(self.setup[0])))

    def _finish(self, child: tuple[int, int, int]) -> None:
        pid, task_fd, frame_fd = child
        os.close(task_fd)
        os.close(frame_fd)
        self._end(pid)

    def _spawn(self, limits: Limits) -> tuple[int, int, int]:
        """A child from the server: its pid, the task pipe to it and the frame pipe from it."""
        self._sock.send(json.dumps({"op": "spawn", "limits": limits.to_dict()}).encode())
        data, fds, _, _ = socket.recv_fds(self._sock, 1024, 2)
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise OSError("the worker sent no child")
        os.set_blocking(fds[0], False)  # tasks are written as the pipe takes them
        return int(json.loads(data)["pid"]), fds[0], fds[1]

    def _end(self, pid: int) -> None:
        try:
            self._sock.send(json.dumps({"op": "end", "pid": pid}).encode())
        except OSError:
            self.close()

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self, wait: bool = True) -> None:
        """Stop the fork server (it kills its children and removes what it created); without
        ``wait``, let it finish that on its own while this process goes on (or exits)."""
        self._sock.close()
        if not wait:
            return
        try:
            self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


@functools.lru_cache(maxsize=256)
def _in_view(paths: tuple[str, ...], roots: tuple[str, ...]) -> tuple[str, ...]:
    """The paths to hide that lie in the child's view under ``roots`` (others do not exist
    there), so that limits, and the spare child made for them, stay the same; resolved once
    per list of paths (a batch hides the same ones for every submission of a folder)."""
    real = {p: os.path.realpath(p) for p in paths}
    return tuple(p for p in paths
                 if any(real[p] == r or real[p].startswith(r + "/") for r in roots))


def run_child(task: Task, limits: Limits, task_fd: int, frame_fd: int,
              isolation: list[str] | None = None) -> RunResult:
    """Hand ``task`` to a child (``task_fd`` is non-blocking) and read its frames until the
    end, deadline or cap. ``isolation``: the layers its ``ready`` frame reported, when it has
    run a task before."""
    started = time.monotonic()
    deadline = started + limits.wall_seconds
    payload = task.payload()
    reader = FrameReader(task.cases, limits.result_mb * 1024 * 1024, isolation, task.passing)
    pending = _write_some(task_fd, memoryview(HEADER.pack(len(payload)) + payload))
    ending = None
    while ending is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            ending = "timeout"
            break
        writable = [task_fd] if pending else []
        ready, can_write, _ = select.select([frame_fd], writable, [], remaining)
        if can_write:
            pending = _write_some(task_fd, pending)
        if ready:
            chunk = os.read(frame_fd, 1 << 16)
            ending = reader.feed(chunk) if chunk else reader.eof()
    if ending == "done" and _more_bytes(frame_fd):
        ending = "tampered"
    return reader.result(ending, round(time.monotonic() - started, 4))


def _write_some(fd: int, pending: memoryview) -> memoryview:
    """Write what the (non-blocking) pipe takes now; what is left to write."""
    try:
        return pending[os.write(fd, pending):]
    except BlockingIOError:
        return pending
    except OSError:
        return memoryview(b"")  # the child is gone; its frames say why


def _more_bytes(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0]) and bool(os.read(fd, 1))


class FrameReader:
    """Incremental, strict parser of one child's frame stream."""

    def __init__(self, sent: list[dict], cap: int, isolation: list[str] | None = None,
                 passing: list[tuple[bytes, Any] | None] = ()) -> None:
        """``sent``: the cases as the child received them (one frame is expected for each); a
        case frame saying its inputs are the same (``args_same``) gets theirs as its
        ``args_after``. ``passing``: per case, the bytes of an expected result's frame and its
        output: a frame equal to them is taken without being decoded."""
        self.expected_cases, self.cap, self.sent = len(sent), cap, sent
        self.passing = passing
        self.buffer, self.total = b"", 0
        self.isolation: list[str] = isolation or []
        self.cases: dict[int, dict] = {}
        self.fatal: dict | None = None
        self.started = isolation is not None

    def feed(self, chunk: bytes) -> str | None:
        """Take more bytes; returns the ending once the stream is settled, else None."""
        self.total += len(chunk)
        if self.total > self.cap:
            return "overflow"
        self.buffer += chunk
        while len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            if size > self.cap:
                return "overflow"
            if len(self.buffer) < HEADER.size + size:
                return None
            payload = self.buffer[HEADER.size:HEADER.size + size]
            self.buffer = self.buffer[HEADER.size + size:]
            ending = self._frame(payload)
            if ending:
                return "tampered" if ending == "done" and self.buffer else ending
        return None

    def eof(self) -> str:
        return "tampered" if self.buffer and self.started else "ended early"

    def _frame(self, payload: bytes) -> str | None:
        if payload == END:
            complete = self.fatal is not None or len(self.cases) == self.expected_cases
            return "done" if self.started and complete else "tampered"
        frame = self._passing(payload) or _decode(payload)
        if frame is None:
            return "tampered"
        if not self.started:
            if frame.get("ready") is not True or type(frame.get("isolation")) is not list:
                return "tampered"
            self.started = True
            self.isolation = [str(layer)[:40] for layer in frame["isolation"][:20]]
            return None
        if "tampered" in frame:
            return "tampered"
        if "fatal" in frame and self.fatal is None and not self.cases:
            self.fatal = _capped(frame)
            return None
        index = frame.get("case")
        if type(index) is int and index == len(self.cases) < self.expected_cases \
                and self.fatal is None:
            if frame.pop("args_same", None) is True:
                frame["args_after"] = self.sent[index]["args"]
            self.cases[len(self.cases)] = _capped(frame)
            return None
        return "tampered"

    def _passing(self, payload: bytes) -> dict | None:
        """The frame of the next case, when ``payload`` is the one an expected result sends."""
        index = len(self.cases)
        known = self.passing[index] if self.started and index < len(self.passing) else None
        if known is None or payload != known[0]:
            return None
        return {"case": index, "output": known[1], "args_same": True, "stdout": ""}

    def result(self, ending: str, seconds: float) -> RunResult:
        if ending == "tampered":
            return RunResult({}, None, ending, self.isolation, seconds)
        return RunResult(self.cases, self.fatal, ending, self.isolation, seconds)


def _decode(payload: bytes) -> dict | None:
    """A frame as a dict, or None when it is not one the child's writer could have made."""
    tokens = payload.count(b",") + payload.count(b"[") + payload.count(b"{")
    if tokens > MAX_TOKENS:
        return None
    try:
        frame = json.loads(payload)
    except (ValueError, RecursionError):  # invalid UTF-8 included
        return None
    return frame if type(frame) is dict else None


def _capped(frame: dict) -> dict:
    """The frame with every text field a string of at most TEXT_CAP characters."""
    for name in TEXT_FIELDS:
        if name in frame:
            frame[name] = str(frame[name])[:TEXT_CAP]
    return frame


def _failed_run(message: str) -> RunResult:
    return RunResult({}, {"fatal": "worker", "error": message}, "worker lost", [], 0.0)


class PoolClosed(Exception):
    """The pool was closed (e.g. the batch was interrupted): no new job may start."""


class WorkerPool:
    """A fixed number of fork-server slots shared by threads. A slot's server is started
    for the assignment of the job it runs, and replaced when it dies or when a job of
    another assignment needs the slot.

    ``isolation`` is "auto" (every layer the system allows) or "rlimits" (limits only);
    ``per_function`` gives every graded function a child of its own (one per submission by
    default).
    """

    def __init__(self, size: int, isolation: str = "auto", per_function: bool = False,
                 started: list[launch.Started] = (),
                 while_preparing: Callable[[], None] | None = None) -> None:
        """``started``: blank servers of this isolation mode already started, used first;
        ``while_preparing``: work of this process to do while the first server gets ready
        (run once, in a thread, from the first ``prepare``)."""
        self.isolation, self.per_function = isolation, per_function
        self._while_preparing = while_preparing
        self._idle: queue.Queue[Worker | None] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        for index in range(max(1, size)):  # blank servers: they load while the grader reads
            self._idle.put(self._new(None, started[index] if index < len(started) else None))

    def _new(self, setup: tuple | None, started: launch.Started | None = None) -> Worker:
        worker = Worker(setup, self.isolation, self.per_function, started)
        with self._lock:
            self._all.append(worker)
        return worker

    def prepare(self, setup: tuple) -> None:
        """Start a fork server for ``setup`` in a free empty slot, if there is one, so that
        it is ready by the time a job for it comes."""
        if self._while_preparing is not None:
            threading.Thread(target=self._while_preparing, daemon=True).start()
            self._while_preparing = None
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return
        if not self._closed.is_set():
            if worker is None:
                worker = self._new(setup)
            elif worker.setup is None:
                worker.configure(setup)
        self._idle.put(worker)

    def run(self, job: Job) -> list[RunResult]:
        """Run ``job`` on the next free slot; raises PoolClosed once the pool is closed."""
        worker = self._acquire(job.setup)
        try:
            return worker.run(job)
        finally:
            self._release(worker)

    def _acquire(self, setup: tuple) -> Worker:
        while not self._closed.is_set():
            try:
                worker = self._idle.get(timeout=0.2)
            except queue.Empty:
                continue
            if worker is not None and worker.alive and worker.setup in (setup, None):
                if worker.setup is None:
                    worker.configure(setup)
                return worker
            if worker is not None:
                self._discard(worker)
            return self._new(setup)
        raise PoolClosed("the worker pool is closed")

    def _release(self, worker: Worker) -> None:
        if self._closed.is_set():
            self._discard(worker)
        elif worker.alive:
            self._idle.put(worker)
        else:
            self._discard(worker)
            self._idle.put(None)

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.close()

    def close(self, wait: bool = True) -> None:
        """Stop every fork server (``wait``: until each has cleaned up); jobs still waiting
        for a slot raise PoolClosed."""
        self._closed.set()
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close(wait)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
