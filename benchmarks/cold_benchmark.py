"""Cold start: one `grade submission.ipynb` against the `import numpy` floor, interleaved.

    python benchmarks/cold_benchmark.py [--rounds 7] [--notebook PATH]

Each round runs, in turn, `python -c "import numpy"` (the floor: the trusted side and the
worker both need numpy), `python -c "import grader.cli"` and a full cold `grade` of the
notebook (a new process, every isolation layer); medians and ratios to the floor are printed.
Run it on a quiet machine: the figures are wall-clock times.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NOTEBOOK = ROOT / "fixtures" / "C1W4A1" / "submissions" / "reference.ipynb"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--notebook", type=Path, default=DEFAULT_NOTEBOOK)
    args = parser.parse_args()
    beside = Path(sys.executable).with_name("grade")  # the console script itself, not a shim
    grade = str(beside) if beside.is_file() else shutil.which("grade")
    if grade is None:
        sys.exit("grade is not installed (pip install -e .)")
    commands = {
        "import numpy (floor)": [sys.executable, "-c", "import numpy"],
        "import grader.cli": [sys.executable, "-c", "import grader.cli"],
        "grade (cold)": [grade, str(args.notebook)],
    }
    timed(commands["grade (cold)"])  # first run: caches (compiled schema, matplotlib) filled
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            times[name].append(timed(command))
    floor = statistics.median(times["import numpy (floor)"])
    print(f"{args.rounds} interleaved rounds, medians (wall clock):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<22} {median:6.3f} s   {median / floor:4.1f}x the floor")


if __name__ == "__main__":
    main()
