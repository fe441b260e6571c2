"""The trusted side of batch grading on its own: CPU per C1W4A1 submission, by stage.

    python benchmarks/trusted_benchmark.py                     # 200 correct submissions
    python benchmarks/trusted_benchmark.py --count 400 --mix correct=0.5,wrong=0.5 --rounds 5

Generates submissions as ``batch_benchmark.py`` does, grades each once with a real worker
(recording what the worker sent back), then, in one thread, grades them again and records
them into a fresh output folder with a pool that replays the recorded runs: reading,
decoding, validation, extraction, release detection, judging, the feedback files and the
gradebook commit — everything the grading process does per submission except waiting for
its worker. Reported: process CPU milliseconds per submission (median of --rounds), the share
of each stage, and for comparison the workers' CPU per submission in the recording pass
(one fork server, its start included). A figure of one thread and CPU time, so it moves far
less with the machine's load than the batch's wall time.
"""
from __future__ import annotations

import argparse
import collections
import functools
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import batch_benchmark  # noqa: E402  (the submissions generator)
from grader import batch, checks, exports, extract, notebook, releases  # noqa: E402
from grader.execute import RunResult, WorkerPool  # noqa: E402
from grader.gradebook import Gradebook  # noqa: E402

STAGES = [(batch, "read_one", "read and decode"), (notebook, "checked", "validate"),
          (extract, "graded_cells", "extract"), (releases, "detect", "detect release"),
          (checks, "judge", "judge"), (exports, "write_submission", "feedback files"),
          (Gradebook, "record", "gradebook commit")]


class Replay:
    """A pool that runs every job on a real worker while ``recording``, then replays the runs
    recorded for the same cells (frames copied, as a fresh decode would give them)."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool, self.runs, self.recording = pool, {}, True

    def prepare(self, setup: tuple) -> None:
        if self.recording:
            self.pool.prepare(setup)

    def run(self, job) -> list[RunResult]:
        key = tuple(task.cell for task in job.tasks)
        if self.recording:
            self.runs[key] = self.pool.run(job)
        return [replace(r, cases={i: dict(f) for i, f in r.cases.items()})
                for r in self.runs[key]]


def timed(spent: collections.Counter) -> None:
    """Wrap every stage so that its CPU time adds up in ``spent``."""
    for owner, name, label in STAGES:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, _original=original, _label=label, **kwargs):
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started
        setattr(owner, name, wrapper)


def grade_all(folder: Path, pool, out: Path) -> int:
    """Grade and record every submission of ``folder`` into ``out`` in this thread."""
    options = batch.Options(out=out, jobs=1)
    pattern = batch.compile_student_pattern(options.student_pattern)
    found, _ = batch.discover([str(folder)], exclude=out)
    hide = batch.folders_to_hide([str(folder)], found, out)
    summary = batch.Summary(out=out)
    out.mkdir()
    with Gradebook(out) as book:
        for item in found:
            outcome = batch.grade_one(item, pool, options, pattern, hide)
            batch._record(outcome, book, options, summary)
    return len(found)


def recorded(folder: Path, out: Path, count: int) -> tuple[Replay, float]:
    """Grade ``folder`` for real, recording the runs; and the workers' CPU seconds per
    submission meanwhile."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with WorkerPool(size=1) as real:
        replay = Replay(real)
        grade_all(folder, replay, out)
        replay.recording = False
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return replay, (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / count


def replayed(folder: Path, replay: Replay, temp: Path, rounds: int,
             spent: collections.Counter) -> tuple[list[float], list[dict]]:
    """CPU seconds per submission of each replayed pass, and of each stage in it."""
    totals, shares = [], []
    for round_ in range(rounds):
        spent.clear()
        started = time.process_time()
        graded = grade_all(folder, replay, temp / f"round{round_}")
        totals.append((time.process_time() - started) / graded)
        shares.append({label: seconds / graded for label, seconds in spent.items()})
    return totals, shares


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="submissions generated")
    parser.add_argument("--mix", default="correct=1.0",
                        help="kind=fraction,... of correct, wrong, stub, crashing (no timeout)")
    parser.add_argument("--rounds", type=int, default=3, help="replayed passes (median)")
    args = parser.parse_args(argv)
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    temp = Path(tempfile.mkdtemp(prefix="dnn-grader-trusted-"))
    try:
        counts = batch_benchmark.generate(temp / "class", args.count, mix)
        print(f"{args.count} submissions: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        replay, workers = recorded(temp / "class", temp / "recording", args.count)
        spent: collections.Counter = collections.Counter()
        timed(spent)
        totals, shares = replayed(temp / "class", replay, temp, args.rounds, spent)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    total = statistics.median(totals)
    print(f"trusted side: {total * 1000:.2f} ms CPU per submission (median of {args.rounds}: "
          + ", ".join(f"{t * 1000:.2f}" for t in totals) + ")")
    for _, _, label in STAGES:
        seconds = statistics.median(s.get(label, 0.0) for s in shares)
        print(f"  {label:17} {seconds * 1000:6.2f} ms  {seconds / total * 100:4.0f} %")
    print(f"workers (recording pass, one fork server, its start included): "
          f"{workers * 1000:.2f} ms CPU per submission")
    return 0


if __name__ == "__main__":
    sys.exit(main())
