"""Benchmark batch grading on synthetic C1W4A1 submissions.

    python benchmarks/batch_benchmark.py                    # N=200 and N=1000, default mix
    python benchmarks/batch_benchmark.py --sizes 50 --jobs 2 --timeout 1 --keep
    python benchmarks/batch_benchmark.py --sizes 1000 --jobs 2 --dask local   # vs Dask

Generates N submissions into a temp folder (streamed to disk, one at a time) from
fixtures/C1W4A1/submissions/reference.ipynb and stub.ipynb with text edits:

    correct   the reference, with a unique markdown cell (so every file has its own hash)
    wrong     the reference with one sample bug from fixtures/C1W4A1/samples.toml
    stub      the untouched student notebook
    crashing  one graded function raises ZeroDivisionError
    timeout   one graded function loops forever (cut by --timeout)

then times, each in a fresh `grade` process (the real CLI):
  - one submission graded from a cold CLI (median of --repeat runs),
  - the whole batch (`grade DIR --out OUT --jobs J --timeout T`),
  - the same command again (everything unchanged: the resume path).
  - with --dask ADDRESS ('local': a LocalCluster of --jobs worker processes), the same batch
    graded on Dask into another folder: its overhead against local --jobs, the client's own
    CPU per submission, and from both an estimate of the cluster for 100 000 submissions in
    10 minutes.
The floor, measured in the same run (in a separate process): the CPU that any grader running
each submission in a process of its own must at least spend on one, here — the reference
solutions on the course cases in a warm process, plus one fork and exit of a process holding
numpy. Each batch's CPU per submission is printed as a multiple of it, which compares runs on
machines of different speed; cores / floor bounds the rate.
Reported: wall seconds, submissions/second, CPU per submission (split into the grade process's
own and that of its workers with their children), context switches per submission (those
that are waits: a process blocked until another one wrote to it; on a virtual machine each
wake-up from an idle core costs the woken process tens of microseconds), and peak memory:
the grade process's own (VmHWM sampled from /proc: what must stay flat in N, the workers
are per job), ru_maxrss of the waited-for process tree (resource.getrusage children: the
largest single process) and of this process, plus the peak summed RSS of the grade process
and its descendants sampled from /proc.
Figures depend on the machine's load; run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "fixtures" / "C1W4A1" / "submissions"
MIX = {"correct": 0.45, "wrong": 0.35, "stub": 0.08, "crashing": 0.10, "timeout": 0.02}
MARKER = "### START CODE HERE ###"


def variants() -> dict[str, object]:
    """Builders of each kind of submission: (index, rng) -> notebook JSON text."""
    sys.path.insert(0, str(ROOT))
    from grader import fixtures, spec

    import nbformat

    # sources as single strings (valid .ipynb JSON too), so that text edits are simple
    reference = json.loads(json.dumps(nbformat.read(SUBMISSIONS / "reference.ipynb", 4)))
    stub_text = (SUBMISSIONS / "stub.ipynb").read_text()
    assignment = spec.load("C1W4A1")
    samples = [s for s in fixtures.samples(assignment) if not s.release]  # edits of reference.ipynb
    graded = [i for i, c in enumerate(reference["cells"]) if c["cell_type"] == "code"
              and c["source"].startswith("# GRADED FUNCTION:")]

    def with_cell(nb: dict, index: int) -> str:
        nb = dict(nb, cells=nb["cells"] + [{"cell_type": "markdown", "metadata": {}, "id": f"bench-{index}",
                                            "source": f"submission {index}"}])
        return json.dumps(nb, indent=1)

    def edited_cell(index: int, rng: random.Random, prefix: str) -> str:
        nb = json.loads(json.dumps(reference))
        cell = nb["cells"][rng.choice(graded)]
        cell["source"] = cell["source"].replace(MARKER, f"{prefix}  {MARKER}", 1)
        return with_cell(nb, index)

    def wrong(index: int, rng: random.Random) -> str:
        nb = fixtures.apply_edits(nbformat.from_dict(reference), rng.choice(samples).edits)
        return with_cell(nb, index)

    return {
        "correct": lambda i, rng: with_cell(reference, i),
        "wrong": wrong,
        "stub": lambda i, rng: stub_text,
        "crashing": lambda i, rng: edited_cell(i, rng, "1 / 0"),
        "timeout": lambda i, rng: edited_cell(i, rng, "while True: pass"),
    }


def generate(folder: Path, count: int, mix: dict[str, float], seed: int = 0) -> dict[str, int]:
    """Write ``count`` submissions into ``folder``; returns how many of each kind."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    builders = variants()
    kinds = list(mix)
    counts = dict.fromkeys(kinds, 0)
    # a deterministic share of each kind, shuffled so kinds interleave
    plan = [k for k in kinds for _ in range(round(mix[k] * count))]
    plan = (plan + ["correct"] * count)[:count]
    rng.shuffle(plan)
    for index, kind in enumerate(plan):
        text = builders[kind](index, rng)
        (folder / f"s{index:05d}_{kind}.ipynb").write_text(text)
        counts[kind] += 1
    return counts


MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rc": proc.returncode, "maxrss_kb": usage.ru_maxrss,
                  "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "user": usage.ru_utime, "sys": usage.ru_stime,
                  "switches": usage.ru_nvcsw + usage.ru_nivcsw, "waits": usage.ru_nvcsw,
                  "stdout": proc.stdout[-3000:], "stderr": proc.stderr[-2000:]}))
"""


FLOOR = r"""
import copy, json, os, resource, sys, time
import numpy as np
from grader import pipeline, spec
assignment, plan = spec.load("C1W4A1"), pipeline.plan_for("C1W4A1")
calls = [(assignment.reference(name), args, case["seed"])
         for name in assignment.grading_order
         for args, case in zip(plan.inputs[name], plan.encoded[name])]
def cpu():
    self, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                        resource.RUSAGE_CHILDREN))
    return self.ru_utime + self.ru_stime + children.ru_utime + children.ru_stime
rounds, spent = 30, 0.0
for round in range(rounds + 3):
    fresh = copy.deepcopy(calls)
    started = cpu()
    for function, args, seed in fresh:
        np.random.seed(seed)
        function(*args)
    if round >= 3:
        spent += cpu() - started
work = spent / rounds
started, forks = cpu(), 100
for _ in range(forks):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
fork = (cpu() - started) / forks
print(json.dumps({"work": work, "fork": fork}))
"""


def floor() -> dict:
    """CPU seconds of what any grader running each submission in a process of its own must at
    least spend on it, on this machine now: the reference solutions on the course cases (a
    warm process: no decoding, no checks) and one fork and exit of a process holding numpy."""
    proc = subprocess.run([sys.executable, "-c", FLOOR], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def measure(command: list[str]) -> dict:
    """Run ``command`` in a fresh measuring process; wall time, rusage, sampled tree RSS and
    the CPU seconds of the command's own process (without its children)."""
    proc = subprocess.Popen([sys.executable, "-c", MEASURE, *command], stdout=subprocess.PIPE,
                            text=True)
    peak, own_cpu, own_peak = [0], [0.0], [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            children = direct_children(proc.pid)  # the grade process (one /proc scan)
            own_cpu[0] = max(own_cpu[0], cpu_seconds(children))
            own_peak[0] = max(own_peak[0], peak_rss_kb(children))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    result = json.loads(out)
    result["tree_peak_kb"] = peak[0]
    result["own_cpu"] = own_cpu[0]
    result["own_peak_kb"] = own_peak[0]
    return result


def cpu_seconds(children: list[tuple[str, list[str]]]) -> float:
    """User + system CPU seconds of ``children`` (``direct_children``) themselves (last sample
    before they exit: up to 0.1 s short)."""
    return sum((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
               for _child, fields in children)


def peak_rss_kb(children: list[tuple[str, list[str]]]) -> int:
    """The largest VmHWM (peak RSS so far) of ``children`` (``direct_children``) themselves:
    the grade process, without its workers (last sample before it exits: up to 0.1 s short)."""
    peaks = [0]
    for child, _fields in children:
        try:
            with open(f"/proc/{child}/status") as stream:
                peaks += [int(line.split()[1]) for line in stream if line.startswith("VmHWM:")]
        except OSError:
            pass
    return max(peaks)


def direct_children(pid: int) -> list[tuple[str, list[str]]]:
    """(pid, /proc stat fields after the command name) of each direct child of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.isdigit() and int(fields[1]) == pid:
            found.append((entry, fields))
    return found


def tree_rss_kb(pid: int) -> int:
    """Summed VmRSS of ``pid``'s descendants (not the measuring process itself)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                ppid = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, list(children.get(pid, []))
    while stack:
        current = stack.pop()
        stack += children.get(current, [])
        try:
            with open(f"/proc/{current}/status") as stream:
                for line in stream:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def main(argv: list[str] | None = None) -> int:
    # a cold CLI is cold: no fork server left for the next grade, none claimed
    # (benchmarks/cold_benchmark.py measures that case on its own row)
    os.environ["DNN_GRADER_WARM_SECONDS"] = "0"
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,1000", help="comma-separated batch sizes")
    parser.add_argument("--jobs", type=int, default=0,
                        help="grade --jobs (default: grade's own, cores + 1)")
    parser.add_argument("--timeout", type=float, default=1.0,
                        help="grade --timeout in seconds (bounds the timing-out submissions)")
    parser.add_argument("--repeat", type=int, default=5, help="cold single-submission runs")
    parser.add_argument("--mix", default=",".join(f"{k}={v}" for k, v in MIX.items()),
                        help="kind=fraction,... of correct, wrong, stub, crashing, timeout")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="also grade each batch with --dask ADDRESS ('local': a LocalCluster "
                             "of --jobs workers) and compare")
    args = parser.parse_args(argv)
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    grade = shutil.which("grade") or "grade"
    temp = Path(tempfile.mkdtemp(prefix="dnn-grader-bench-"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"temp folder {temp}")
    try:
        single = temp / "single"
        generate(single, 1, {"correct": 1.0})
        one = next(single.glob("*.ipynb"))
        measure([grade, str(one)])  # warm the file system cache and bytecode
        cold = [measure([grade, str(one)]) for _ in range(args.repeat)]
        assert all(c["rc"] == 0 for c in cold), cold[0]["stderr"]
        walls = [c["wall"] for c in cold]
        print(f"cold CLI, one C1W4A1 submission: median {statistics.median(walls):.3f} s "
              f"(min {min(walls):.3f}, max {max(walls):.3f}, {args.repeat} runs)")
        baseline = measure([sys.executable, "-c", "import grader.cli"])
        print(f"  of which `import grader.cli` alone: {baseline['wall']:.3f} s")
        least = floor()
        per_submission = least["work"] + least["fork"]
        cores = os.cpu_count() or 1
        print(f"floor per submission: {per_submission * 1000:.1f} ms CPU (the reference solutions "
              f"on the course cases in a warm process {least['work'] * 1000:.1f} ms + one fork "
              f"and exit of a numpy process {least['fork'] * 1000:.1f} ms): at most "
              f"{cores / per_submission:.0f} submissions/s on {cores} cores")
        for size in [int(s) for s in args.sizes.split(",") if s]:
            folder = temp / f"batch{size}"
            started = time.perf_counter()
            counts = generate(folder, size, mix)
            print(f"\nN={size}: generated in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{k} {v}" for k, v in counts.items()))
            out = temp / f"out{size}"
            command = [grade, str(folder), "--out", str(out), "--timeout", str(args.timeout)]
            if args.jobs:
                command += ["--jobs", str(args.jobs)]
            first = measure(command)
            if first["rc"] != 0:
                print(first["stderr"][-1500:], first["stdout"][-1500:])
            report("batch", size, first, per_submission)
            print("  " + "\n  ".join(first["stdout"].strip().splitlines()[:3]))
            again = measure(command)
            report("re-run (all unchanged)", size, again, per_submission)
            if args.dask:
                compare_dask(command, temp / f"dask{size}", args.dask, size, first, per_submission)
    finally:
        if args.keep:
            print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


def compare_dask(command: list[str], out: Path, address: str, size: int, local: dict,
                 floor_seconds: float) -> None:
    """Grade the batch of ``command`` on Dask into ``out``; overhead and a cluster estimate."""
    command = [*command, "--dask", address]
    command[command.index("--out") + 1] = str(out)
    dask = measure(command)
    if dask["rc"] != 0:
        print(dask["stderr"][-1500:], dask["stdout"][-1500:])
    report(f"--dask {address}", size, dask, floor_seconds)
    print("  " + "\n  ".join(dask["stdout"].strip().splitlines()[:2]))
    overhead = dask["wall"] / local["wall"] - 1
    print(f"  Dask overhead against local grading: {overhead * 100:+.1f} % of wall time "
          f"({size / local['wall']:.1f} vs {size / dask['wall']:.1f} submissions/s)")
    jobs = int(command[command.index("--jobs") + 1]) if "--jobs" in command else 0
    cores = min(jobs, os.cpu_count()) if jobs else os.cpu_count()  # the cores kept busy
    per_core = cores * dask["wall"] / size
    client = dask["own_cpu"] / size
    print(f"  measured: {per_core:.3f} core-seconds per submission ({cores} cores, this mix); "
          f"the client itself {client * 1000:.1f} ms CPU per submission")
    needed = 100_000 / 600
    print(f"  estimate, 100 000 submissions in 10 minutes ({needed:.0f}/s): about "
          f"{needed * per_core:.0f} worker cores (nodes of 16 cores, each `dask worker "
          f"--nworkers 16 --nthreads 1`: {-(-needed * per_core // 16):.0f}); at its CPU per "
          f"submission one client records at most {1 / client if client else float('inf'):.0f} "
          "submissions/s (with --dask local that CPU includes the scheduler's)")


def report(label: str, size: int, m: dict, floor_seconds: float | None = None) -> None:
    rate = size / m["wall"] if m["wall"] else 0.0
    cpu = (m["user"] + m["sys"]) / size
    own = min(m["own_cpu"] / size, cpu)  # sampled every 0.1 s: up to 0.1 s short
    ratio = f" = {cpu / floor_seconds:.1f}x the floor" if floor_seconds else ""
    print(f"  {label}: {m['wall']:.2f} s, {rate:.1f} submissions/s, exit {m['rc']}; "
          f"cpu user {m['user']:.1f} s sys {m['sys']:.1f} s ({cpu * 1000:.1f} ms per submission"
          f"{ratio}: the grade process {own * 1000:.1f}, its workers and their children "
          f"{(cpu - own) * 1000:.1f}); {m['switches'] / size:.0f} context switches per "
          f"submission ({m['waits'] / size:.0f} of them waits); peak RSS: the grade process "
          f"{m['own_peak_kb'] / 1024:.1f} MiB (sampled), largest process "
          f"{m['maxrss_kb'] / 1024:.0f} MiB (getrusage children), measuring process "
          f"{m['self_kb'] / 1024:.0f} MiB, whole tree {m['tree_peak_kb'] / 1024:.0f} MiB (sampled)")


if __name__ == "__main__":
    sys.exit(main())
