"""Stage 3 (trusted side): send jobs to warm worker zygotes and decode what comes back.

The trusted process starts each zygote as a fresh interpreter (``python -m grader.worker``),
so no secret the grader loads later can ever be in a worker's memory. Only the student's
cell, the stand-in reference cells and the test inputs are sent; the replies are decoded
strictly (JSON frames, plain values only, size caps).
"""
from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

from grader.sandbox import Limits
from grader.worker import HEADER, write_frame

WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
}
REPLY_GRACE_SECONDS = 10.0


@dataclass
class Task:
    """One graded function to run: the student's cell, its stand-ins and its cases."""

    function: str
    cell: str
    support: list[str]
    cases: list[dict]


@dataclass
class Job:
    """One submission for a worker: its tasks (dependencies first) and how to run them."""

    path: str
    preamble: str
    tasks: list[Task]
    limits: Limits
    warm: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = dict(self.__dict__, limits=self.limits.to_dict(),
                    tasks=[task.__dict__ for task in self.tasks])
        return json.dumps(data).encode()


@dataclass
class RunResult:
    """What came back from one job: per-case frames, or a fatal error, and how it ended."""

    cases: dict[int, dict]
    fatal: dict | None
    ending: str
    isolation: list[str]
    seconds: float


class Worker:
    """One warm zygote process."""

    def __init__(self, isolation: str = "auto") -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNN_GRADER_")}
        env.update(WORKER_ENV)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker", isolation], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            cwd=tempfile.gettempdir(), close_fds=True)

    def run(self, job: Job) -> list[RunResult]:
        """Run ``job``, one result per task; a dead or silent zygote fails every task."""
        budget = job.limits.wall_seconds * len(job.tasks) + REPLY_GRACE_SECONDS
        try:
            write_frame(self._proc.stdin, job.to_json())
            replies = self._read_reply(budget)["tasks"]
            if type(replies) is not list or len(replies) != len(job.tasks):
                raise ValueError("reply does not match the job")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.close()
            failed = _failed_run(f"the grading worker stopped unexpectedly ({exc})")
            return [failed] * len(job.tasks)
        return [decode_reply(reply) for reply in replies]

    def _read_reply(self, timeout: float) -> dict:
        stream = self._proc.stdout
        ready, _, _ = select.select([stream], [], [], timeout)
        if not ready:
            raise OSError("no reply before the deadline")
        head = stream.read(HEADER.size)
        if len(head) < HEADER.size:
            raise OSError("worker closed its channel")
        (size,) = HEADER.unpack(head)
        return json.loads(stream.read(size))

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        if self.alive:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            stream.close()


def decode_reply(reply: dict) -> RunResult:
    """Turn the frames relayed for one task into a RunResult, validating every frame."""
    cases: dict[int, dict] = {}
    fatal, isolation = None, []
    for index, raw in enumerate(reply["frames"]):
        try:
            frame = json.loads(raw)
        except (ValueError, RecursionError):
            continue  # a malformed frame counts as no result
        if type(frame) is not dict:
            continue
        if index == 0 and frame.get("ready") is True and type(frame.get("isolation")) is list:
            isolation = [str(layer) for layer in frame["isolation"]]
        elif "fatal" in frame and fatal is None and not cases:
            fatal = frame
        elif type(frame.get("case")) is int and frame["case"] not in cases:
            cases[frame["case"]] = frame
    return RunResult(cases, fatal, str(reply["ending"]), isolation, float(reply["seconds"]))


def _failed_run(message: str) -> RunResult:
    return RunResult({}, {"fatal": "worker", "error": message}, "worker lost", [], 0.0)


class PoolClosed(Exception):
    """The pool was closed (e.g. the batch was interrupted): no new job may start."""


class WorkerPool:
    """A fixed set of zygotes shared by threads; a dead zygote is replaced on next use.

    ``isolation`` is "auto" (every layer the system allows) or "rlimits" (limits only).
    """

    def __init__(self, size: int, isolation: str = "auto") -> None:
        self.isolation = isolation
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        for _ in range(max(1, size)):
            self._add()

    def _add(self) -> None:
        worker = Worker(self.isolation)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def run(self, job: Job) -> list[RunResult]:
        """Run ``job`` on the next idle zygote; raises PoolClosed once the pool is closed."""
        worker = self._acquire()
        try:
            return worker.run(job)
        finally:
            self._release(worker)

    def _acquire(self) -> Worker:
        while not self._closed.is_set():
            try:
                return self._idle.get(timeout=0.2)
            except queue.Empty:
                continue
        raise PoolClosed("the worker pool is closed")

    def _release(self, worker: Worker) -> None:
        if worker.alive and not self._closed.is_set():
            self._idle.put(worker)
            return
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.close()
        if not self._closed.is_set():
            self._add()

    def close(self) -> None:
        """Stop every zygote; jobs still waiting for one raise PoolClosed."""
        self._closed.set()
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
