"""Batch grading on a Dask distributed cluster: ``grade ... --dask ADDRESS`` or ``--dask local``.

The client (the ``grade`` process) does all that local batch grading does except the grading
itself: it finds, reads, hashes and identifies each submission, and it alone writes the
gradebook and the exports. A task carries one notebook's text (nodes share no file system),
its path as a label and the options that change grades; a Dask worker grades it with a warm
``WorkerPool`` that ``SandboxPlugin`` keeps for as long as the worker process lives, and sends
back plain data. Grading runs the same code on the same text, so results are those of local
grading; the reference and expected outputs are needed on the workers only.

Faults: Dask reschedules the tasks of a worker that dies, and the client records each
submission once, when its task completes. A submission whose grading kills every worker it
runs on is given up by the scheduler (``distributed.scheduler.allowed-failures``); it is
recorded as not graded, without its hash, so the next run tries it again. Losing the
scheduler ends the run like an interruption: what was recorded stays, a re-run resumes.

Only a ``--dask`` run imports this module (and Dask).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
import threading
import time
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Iterator

import dask
from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed, get_worker
from distributed.exceptions import Reschedule
from distributed.scheduler import KilledWorker

from grader import __version__, batch, sandbox
from grader.execute import PoolClosed, WorkerPool
from grader.gradebook import result_from_dict

LOCAL = "local"
PLUGIN = f"dnn-grader-sandbox-{__version__}"
CONNECT_SECONDS = 10.0
CLOSE_SECONDS = 5.0
LOCAL_CONFIG = {"distributed.worker.profile.enabled": False}  # its stack sampling costs ~5 %
IN_FLIGHT_PER_THREAD = 4  # at least half of it queued behind each task: no thread waits
CAPACITY_SECONDS = 1.0  # how often the cluster's thread count is looked up again
SCHEDULER_LOST = ("lost the connection to the Dask scheduler at {address}; run the same "
                  "command again to resume")


class Stopped(Exception):
    """The cluster cannot go on grading this batch; the message says why."""


# ----------------------------------------------------------------------------- on a worker

class SandboxPlugin(WorkerPlugin):
    """Warm sandbox pools in one Dask worker process: one WorkerPool per (isolation,
    per_function) setting, with a fork server slot per worker thread, kept across tasks."""

    idempotent = True  # every run registers it; a worker keeps the pools it already has

    def setup(self, worker) -> None:
        sandbox.protect_trusted_process()  # this process holds the expected outputs
        self.slots = worker.state.nthreads
        self.pools: dict[tuple[str, bool], WorkerPool] = {}
        self.lock = threading.Lock()
        self.closing = False

    def pool(self, isolation: str, per_function: bool) -> WorkerPool:
        with self.lock:
            key = (isolation, per_function)
            if key not in self.pools:
                self.pools[key] = WorkerPool(self.slots, isolation, per_function)
            return self.pools[key]

    def teardown(self, worker) -> None:
        """Stop the fork servers (Dask tears plugins down before running tasks end)."""
        self.closing = True
        with self.lock:
            pools, self.pools = list(self.pools.values()), {}
        for pool in pools:
            pool.close()


def grade_on_worker(path: str, text: str, *, version: str, options: batch.Options,
                    hide: tuple[str, ...]) -> dict:
    """Grade one notebook's ``text`` on this Dask worker: the result as JSON text ("" when it
    could not be graded; one string is cheap for Dask to size and send), the message,
    seconds, this worker's address and grader version, and ``error`` when this worker cannot
    grade. Nothing is graded when the client's grader ``version`` differs."""
    worker = get_worker()
    reply = {"version": __version__, "worker": worker.address, "result": "", "message": "",
             "seconds": 0.0, "error": ""}
    if version != __version__:
        return reply
    started = time.perf_counter()
    try:
        plugin = worker.plugins[PLUGIN]
        pool = plugin.pool(options.isolation, options.per_function)
        result, message = batch.grade_text(Path(path), text, pool, options, hide)
    except PoolClosed:
        raise Reschedule() from None
    except Exception as exc:  # grading itself raises nothing: this worker is broken
        return dict(reply, error=f"{type(exc).__name__}: {exc}")
    if plugin.closing:  # the pool was closed under this job: its runs say nothing
        raise Reschedule()
    return dict(reply, result=json.dumps(result.to_dict()) if result is not None else "",
                message=message, seconds=time.perf_counter() - started)


# ----------------------------------------------------------------------------- the client

def graded(todo: list[batch.Found], hide: tuple[str, ...], options: batch.Options,
           pattern: re.Pattern, summary: batch.Summary) -> Iterator[batch.Outcome]:
    """Outcomes of ``todo`` graded on the cluster of ``options.dask``, as they complete.

    Raises BatchError when the cluster cannot be reached. When the cluster cannot go on
    (scheduler lost, a worker with another grader version), the summary is marked interrupted
    with the reason, and the outcomes end."""
    summary.workers_seen = 0
    with _connected(options) as client:
        client.register_plugin(SandboxPlugin(), name=PLUGIN)
        try:
            yield from _outcomes(client, todo, hide, options, pattern, summary)
        except Stopped as exc:
            summary.interrupted, summary.stopped = True, str(exc)


@contextlib.contextmanager
def _connected(options: batch.Options) -> Iterator[Client]:
    """A client of the scheduler at ``options.dask``, or of a LocalCluster of
    ``options.workers()`` single-threaded worker processes for ``local``."""
    if options.dask == LOCAL:
        with dask.config.set(LOCAL_CONFIG), LocalCluster(
                n_workers=options.workers(), threads_per_worker=1, processes=True,
                dashboard_address=None) as cluster:
            with Client(cluster, set_as_default=False) as client:
                yield client
        return
    try:
        client = Client(options.dask, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise batch.BatchError(f"cannot reach the Dask scheduler at {options.dask!r} "
                               f"({exc}); start it with `dask scheduler`, or use --dask "
                               "local") from None
    try:
        yield client
    finally:
        with _silenced("distributed.client"):  # after a lost scheduler, it reports this close
            client.close(timeout=CLOSE_SECONDS)  # as a failure to reconnect


@contextlib.contextmanager
def _silenced(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    previous, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = previous


def _outcomes(client: Client, todo: list[batch.Found], hide: tuple[str, ...],
              options: batch.Options, pattern: re.Pattern, summary: batch.Summary
              ) -> Iterator[batch.Outcome]:
    """Read and submit submissions, a few per worker thread in flight; yield each outcome
    when its task completes (an unreadable file's at once)."""
    queue = iter(todo)
    pending: dict[Future, tuple[batch.Submission, float]] = {}
    completed = as_completed(loop=client.loop)
    in_flight = _Capacity(client)
    seen: set[str] = set()

    def submit_more() -> Iterator[batch.Outcome]:
        """Once half the tasks in flight are done, top them up in one submission (a message
        to the scheduler per batch, not per task)."""
        limit = in_flight()
        if len(pending) > limit // 2:
            return
        reads = []
        while len(pending) + len(reads) < limit:
            item = next(queue, None)
            if item is None:
                break
            started = time.perf_counter()
            submission = dataclasses.replace(batch.read_one(item, options, pattern), data=None)
            if submission.text is None:
                yield submission.outcome(None, submission.message, time.perf_counter() - started)
            else:
                reads.append((submission, time.perf_counter() - started))
        if not reads:
            return
        if client.status != "running":  # what is submitted now would wait forever
            raise Stopped(SCHEDULER_LOST.format(address=options.dask))
        futures = client.map(grade_on_worker, [str(s.found.path) for s, _ in reads],
                             [s.text for s, _ in reads], version=__version__, options=options,
                             hide=hide, pure=False)
        pending.update(zip(futures, reads))
        completed.update(futures)

    try:
        while True:
            yield from submit_more()
            if not pending:
                return
            done = sorted(completed.next_batch(block=True), key=lambda f: f.status != "finished")
            values = _gathered(client, [f for f in done if f.status == "finished"], options)
            for future in done:  # the results first, then what may stop the run
                if future not in values and future.status not in ("error", "cancelled"):
                    completed.add(future)  # its result was lost with a worker: computed again
                    continue
                submission, read_seconds = pending.pop(future)
                outcome = _outcome(future, values.get(future), submission, read_seconds,
                                   options, seen)
                summary.workers_seen = len(seen)
                yield outcome
    finally:
        if pending and client.status == "running":
            client.cancel(list(pending))


def _gathered(client: Client, futures: list[Future], options: batch.Options) -> dict:
    """The results of finished ``futures``, fetched together; raises Stopped when the
    scheduler is lost meanwhile."""
    try:
        return dict(zip(futures, client.gather(futures))) if futures else {}
    except (OSError, CancelledError):
        raise Stopped(SCHEDULER_LOST.format(address=options.dask)) from None


def _outcome(future: Future, value: dict | None, submission: batch.Submission,
             read_seconds: float, options: batch.Options, seen: set[str]) -> batch.Outcome:
    """The Outcome of a completed task; raises Stopped when the cluster cannot go on."""
    if future.status == "cancelled":  # this client cancels nothing it still waits for
        raise Stopped(SCHEDULER_LOST.format(address=options.dask))
    if future.status == "error":
        error = future.exception()
        if not isinstance(error, KilledWorker):
            raise Stopped(f"a Dask worker failed: {type(error).__name__}: {error}")
        tries = error.allowed_failures + 1
        message = (f"{submission.found.display}: grading it ended the Dask worker process "
                   f"each of the {tries} times it ran; not graded (the next run tries again)")
        return dataclasses.replace(submission.outcome(None, message, read_seconds),
                                   stable=False)
    if value["version"] != __version__:
        raise Stopped(f"the Dask worker {value['worker']} runs dnn-grader {value['version']} "
                      f"and this client {__version__}; install the same version on every node")
    if value["error"]:
        raise Stopped(f"the Dask worker {value['worker']} cannot grade: {value['error']}")
    seen.add(value["worker"])
    result = result_from_dict(json.loads(value["result"])) if value["result"] else None
    return submission.outcome(result, value["message"], read_seconds + value["seconds"])


class _Capacity:
    """How many submissions to keep in flight: a few per worker thread of the cluster, as
    workers come and go (looked up at most once per CAPACITY_SECONDS)."""

    def __init__(self, client: Client) -> None:
        self.client, self.limit, self.checked = client, IN_FLIGHT_PER_THREAD, float("-inf")

    def __call__(self) -> int:
        now = time.monotonic()
        if now - self.checked >= CAPACITY_SECONDS:
            self.checked = now
            threads = self.client.scheduler_info(n_workers=0).get("total_threads", 0)
            self.limit = max(IN_FLIGHT_PER_THREAD, IN_FLIGHT_PER_THREAD * threads)
        return self.limit
