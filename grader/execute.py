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
class Job:
    """Everything a worker needs to run one graded function on its cases."""

    function: str
    cell: str
    preamble: str
    support: list[str]
    path: str
    cases: list[dict]
    limits: Limits
    warm: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = dict(self.__dict__, limits=self.limits.to_dict())
        return json.dumps(data).encode()


@dataclass
class RunResult:
    """What came back from one job: per-case frames, or a fatal error, and how it ended."""

    cases: dict[int, dict]
    fatal: dict | None
    ending: str
    isolation: list[str]
    seconds: float
    protocol_errors: list[str]


class Worker:
    """One warm zygote process."""

    def __init__(self, isolation: str = "auto") -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNN_GRADER_")}
        env.update(WORKER_ENV)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker", isolation], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            cwd=tempfile.gettempdir(), close_fds=True)

    def run(self, job: Job) -> RunResult:
        """Run ``job``; a dead or silent zygote yields a fatal 'worker' result."""
        try:
            write_frame(self._proc.stdin, job.to_json())
            reply = self._read_reply(job.limits.wall_seconds + REPLY_GRACE_SECONDS)
        except (OSError, ValueError) as exc:
            self.close()
            return _failed_run(f"the grading worker stopped unexpectedly ({exc})")
        return decode_reply(reply)

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
    """Turn the zygote's relayed child frames into a RunResult, validating every frame."""
    cases: dict[int, dict] = {}
    fatal, isolation, errors = None, [], []
    for index, raw in enumerate(reply["frames"]):
        try:
            frame = json.loads(raw)
        except (ValueError, RecursionError):
            errors.append("a result frame was not valid JSON")
            continue
        if type(frame) is not dict:
            errors.append("a result frame was not an object")
        elif index == 0 and frame.get("ready") is True and type(frame.get("isolation")) is list:
            isolation = [str(layer) for layer in frame["isolation"]]
        elif "fatal" in frame and fatal is None and not cases:
            fatal = frame
        elif type(frame.get("case")) is int and frame["case"] not in cases:
            cases[frame["case"]] = frame
    return RunResult(cases, fatal, str(reply["ending"]), isolation,
                     float(reply["seconds"]), errors)


def _failed_run(message: str) -> RunResult:
    return RunResult({}, {"fatal": "worker", "error": message}, "worker lost", [], 0.0, [])


class WorkerPool:
    """A fixed set of zygotes shared by threads; a dead zygote is replaced on next use.

    ``isolation`` is "auto" (every layer the system allows) or "rlimits" (limits only).
    """

    def __init__(self, size: int, isolation: str = "auto") -> None:
        self.isolation = isolation
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._add()

    def _add(self) -> None:
        worker = Worker(self.isolation)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def run(self, job: Job) -> RunResult:
        worker = self._idle.get()
        try:
            return worker.run(job)
        finally:
            if worker.alive:
                self._idle.put(worker)
            else:
                with self._lock:
                    self._all.remove(worker)
                self._add()

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
