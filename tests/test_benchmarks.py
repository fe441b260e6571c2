"""The benchmarks run (their figures are read by people, not asserted here)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_trusted_benchmark_splits_the_grader_cpu_by_stage():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "trusted_benchmark.py"), "--count",
                           "4", "--rounds", "1", "--mix", "correct=0.5,wrong=0.5"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "correct 2, wrong 2" in done.stdout
    total = float(re.search(r"trusted side: ([\d.]+) ms CPU per submission", done.stdout)[1])
    stages = [float(x) for x in re.findall(r"^  [a-z ]+?\s+([\d.]+) ms", done.stdout, re.M)]
    assert len(stages) == 7 and 0 < sum(stages) <= total
    assert re.search(r"workers .*: [\d.]+ ms CPU per submission", done.stdout)
