"""What isolation costs: time per graded function and per C1W4A1 submission, by isolation mode.

    python benchmarks/sandbox_benchmark.py [--repeat 20]

For each mode ("rlimits": resource limits only; "auto": every layer this machine allows) it
reports the wall time and the CPU time (zygote + children) of one trivial job, and the wall
time of grading the full-marks C1W4A1 submission with a warm pool of one worker.
"""
from __future__ import annotations

import argparse
import os
import time

from grader import spec
from grader.execute import Job, Task, WorkerPool
from grader.pipeline import grade_notebook
from grader.sandbox import Limits

SUBMISSION = spec.FIXTURES_DIR / "C1W4A1" / "submissions" / "reference.ipynb"


def zygote_cpu(pool: WorkerPool) -> float:
    """CPU seconds used so far by the pool's zygotes and their reaped children."""
    total = 0.0
    for worker in pool._all:
        fields = open(f"/proc/{worker._proc.pid}/stat").read().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def trivial_job() -> Job:
    task = Task(function="f", cell="def f(x):\n    return x + 1", support=[],
                cases=[{"args": {"__tuple__": [1]}, "seed": 0}])
    return Job(path=str(spec.ASSIGNMENTS_DIR / "C1W4A1"), preamble="import numpy as np",
               tasks=[task], limits=Limits())


def measure(mode: str, repeat: int) -> None:
    with WorkerPool(size=1, isolation=mode) as pool:
        job = trivial_job()
        layers = pool.run(job)[0].isolation
        cpu, start = zygote_cpu(pool), time.perf_counter()
        for _ in range(repeat * 5):
            pool.run(job)
        per_job = (time.perf_counter() - start) / (repeat * 5)
        per_job_cpu = (zygote_cpu(pool) - cpu) / (repeat * 5)
        grade_notebook(SUBMISSION, pool)
        start = time.perf_counter()
        for _ in range(repeat):
            grade_notebook(SUBMISSION, pool)
        per_submission = (time.perf_counter() - start) / repeat
    print(f"{mode:8} one-function job: {per_job * 1000:5.1f} ms wall, {per_job_cpu * 1000:4.1f} ms "
          f"CPU | C1W4A1 submission (10 functions, 1 worker): {per_submission * 1000:6.1f} ms | "
          f"layers: {', '.join(layers)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for mode in ("rlimits", "auto"):
        measure(mode, args.repeat)


if __name__ == "__main__":
    main()
