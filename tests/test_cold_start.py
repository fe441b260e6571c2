"""A cold `grade`: its fork server starts blank before the heavy imports, and the command
imports nothing heavy until it has started that server."""
from __future__ import annotations

import subprocess
import sys

from grader import spec
from grader.execute import Task, Worker, WorkerPool
from grader.sandbox import Limits

SETUP = (str(spec.ASSIGNMENTS_DIR / "C1W4A1"), "import numpy as np", ())


def test_importing_the_command_loads_nothing_heavy():
    probe = ("import sys, grader.cli\n"
             "print(sorted(m for m in ('numpy', 'rich', 'nbformat', 'jsonschema', 'matplotlib',"
             " 'distributed', 'babel') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_blank_server_is_configured_later_and_runs_tasks():
    worker = Worker(None)
    try:
        assert worker.setup is None and worker.alive
        worker.configure(SETUP)
        task = Task("double", "def double(x):\n    return 2 * x\n", [],
                    [{"args": [3], "seed": 0}])
        result = worker.run_task(task, Limits())
        assert result.ending == "done" and result.cases[0]["output"] == 6
    finally:
        worker.close()


def test_an_unused_blank_server_exits_cleanly():
    worker = Worker(None)
    worker.close()
    assert worker._proc.returncode == 0


def test_a_pool_starts_blank_servers_and_prepares_one():
    with WorkerPool(size=2) as pool:
        assert [w.setup for w in pool._all] == [None, None]
        pool.prepare(SETUP)
        assert sorted(str(w.setup) for w in pool._all) == sorted([str(SETUP), "None"])
