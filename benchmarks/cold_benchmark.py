"""Cold start: one `grade submission.ipynb` against the `import numpy` floor, interleaved.

    python benchmarks/cold_benchmark.py [--rounds 7] [--notebook PATH] [--keep-bytecode]

Each round runs, in turn, `python -c "import numpy"` (the floor: the trusted side and the
worker both need numpy), `python -c "import grader.cli"` and a full cold `grade` of the
notebook (a new process, every isolation layer); medians and ratios to the floor are printed.
Run it on a quiet machine: the figures are wall-clock times.

numpy is measured with its compiled bytecode (pip writes it at install). The grader has it
too when installed from a wheel, or once Python has imported it on a machine that writes
bytecode; a checkout on a machine with PYTHONDONTWRITEBYTECODE set never has it, and then
every start compiles the grader's modules. So when the grader's bytecode is missing this
benchmark compiles it (as pip would), measures `grade` with and without it in the same rounds
(the "no bytecode" row: the files moved aside), and removes what it wrote at the end unless
--keep-bytecode.

`grade` leaves a blank fork server for the next one (DNN_GRADER_WARM_SECONDS): "cold" rows run
with that off (nothing left, nothing claimed); the "next grade" row claims the server the
previous `grade` left, measured only once that server is idle, so that its loading in the
background never overlaps another measurement.
"""
from __future__ import annotations

import argparse
import compileall
import glob
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NOTEBOOK = ROOT / "fixtures" / "C1W4A1" / "submissions" / "reference.ipynb"


WARM = "DNN_GRADER_WARM_SECONDS"
NEXT = "grade (next, warm server)"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - start


def warm_servers() -> set[str]:
    """The sockets of blank fork servers waiting for a claim (see grader.launch)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return set(glob.glob(os.path.join(base, "dnn-grader", "warm", "*.sock")))


def wait_for_warm_server(seconds: float = 10.0) -> None:
    """Until a left server is idle (its socket exists once it has loaded)."""
    end = time.monotonic() + seconds
    while not warm_servers() and time.monotonic() < end:
        time.sleep(0.01)
    time.sleep(0.05)  # its last steps after creating the socket


def grader_sources() -> list[Path]:
    """The modules the console script imports (the grader package, wherever the installed
    `grade` takes it from) and those of the assignment packs its fork servers import."""
    where = subprocess.run([sys.executable, "-c", "import grader.spec as s; print(s.ROOT); "
                            "print(__import__('os').path.dirname(s.__file__))"],
                           check=True, capture_output=True, text=True).stdout.split("\n")
    folders = [Path(where[1]), Path(where[0]) / "assignments"]
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def compile_missing(sources: list[Path]) -> list[Path]:
    """Write the bytecode of each source that has none; returns the files written."""
    written = []
    for source in sources:
        target = Path(importlib.util.cache_from_source(str(source)))
        if not target.exists() and compileall.compile_file(str(source), quiet=2):
            written.append(target)
    return written


def move(files: list[Path], aside: bool) -> None:
    """Move written bytecode aside (the interpreter then compiles from source) or back."""
    for path in files:
        off = path.with_name(path.name + ".off")
        os.replace(*(path, off) if aside else (off, path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--notebook", type=Path, default=DEFAULT_NOTEBOOK)
    parser.add_argument("--keep-bytecode", action="store_true",
                        help="leave the grader's compiled bytecode this run wrote")
    args = parser.parse_args()
    beside = Path(sys.executable).with_name("grade")  # the console script itself, not a shim
    grade = str(beside) if beside.is_file() else shutil.which("grade")
    if grade is None:
        sys.exit("grade is not installed (pip install -e .)")
    commands = {
        "import numpy (floor)": [sys.executable, "-c", "import numpy"],
        "import grader.cli": [sys.executable, "-c", "import grader.cli"],
        "grade (cold)": [grade, str(args.notebook)],
        NEXT: [grade, str(args.notebook)],
    }
    written = compile_missing(grader_sources())
    if written:
        print(f"compiled {len(written)} of the grader's modules that had no bytecode")
        commands = {**commands, "grade (cold, no bytecode)": commands["grade (cold)"]}
    try:
        times = rounds(commands, args.rounds, written)
    finally:
        if not args.keep_bytecode:
            for path in written:
                path.unlink(missing_ok=True)
    floor = statistics.median(times["import numpy (floor)"])
    print(f"{args.rounds} interleaved rounds, medians (wall clock):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<26} {median:6.3f} s   {median / floor:4.1f}x the floor")


def rounds(commands: dict[str, list[str]], count: int, written: list[Path]) -> dict[str, list[float]]:
    """Run every command once per round, in turn; "no bytecode" ones with ``written`` aside,
    the warm one after a grade that left its server."""
    cold, warm = dict(os.environ, **{WARM: "0"}), dict(os.environ, **{WARM: "60"})
    timed(commands["grade (cold)"], cold)  # first run: caches (compiled schema, matplotlib)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(count):
        for name, command in commands.items():
            aside = "no bytecode" in name
            if name == NEXT:
                timed(command, warm)  # leaves a server (or claims and leaves one)
                wait_for_warm_server()
            if aside:
                move(written, aside=True)
            try:
                times[name].append(timed(command, warm if name == NEXT else cold))
            finally:
                if aside:
                    move(written, aside=False)
            if name == NEXT:
                wait_for_warm_server()  # the one it left has loaded before the next command
    return times


if __name__ == "__main__":
    main()
