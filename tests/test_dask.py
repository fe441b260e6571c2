"""Batch grading on Dask: real `dask scheduler` and `dask worker` processes on loopback, and
`--dask local`, against local batch grading of the same synthetic C1W4A1 class."""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("distributed")

from distributed import Client  # noqa: E402

from grader import batch, cli, spec  # noqa: E402
from grader import distributed as on_dask  # noqa: E402

pytestmark = pytest.mark.slow

COPIES = 9  # of each C1W4A1 sample notebook: a class of 26 * 9 + 2 = 236 submissions
CRASH = "crash the Dask worker process"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}")
POISON_PRELOAD = f'''"""Test-only preload: this worker process dies when handed a notebook
marked {CRASH!r} (student code cannot do that from the sandbox; this stands in
for a crash of the grader itself)."""
import os
import signal

from grader import distributed

_grade = getattr(distributed.grade_on_worker, "__wrapped__", distributed.grade_on_worker)


def grade_on_worker(path, text, **options):
    if {CRASH!r} in text:
        os.kill(os.getpid(), signal.SIGKILL)
    return _grade(path, text, **options)


grade_on_worker.__wrapped__ = _grade  # Dask may import this file again in one process
distributed.grade_on_worker = grade_on_worker
'''


# ----------------------------------------------------------------------------- the class

def notebook_with_note(source: Path, note: str) -> str:
    """``source`` with a markdown cell of its own (every file has its own bytes)."""
    nb = json.loads(source.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "note", "metadata": {}, "source": [note]})
    return json.dumps(nb, indent=1)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """Copies of every C1W4A1 sample (all releases) under varying student names, plus a file
    that is not JSON and one that is not UTF-8."""
    folder = tmp_path_factory.mktemp("dask") / "class"
    folder.mkdir()
    samples = sorted((spec.FIXTURES_DIR / "C1W4A1" / "submissions").rglob("*.ipynb"))
    for copy in range(COPIES):
        for index, sample in enumerate(samples):
            name = f"student{copy:02d}{index:02d}_{sample.stem}.ipynb"
            (folder / name).write_text(notebook_with_note(sample, f"by {name}"))
    (folder / "zoe_broken.ipynb").write_text("{not json")
    (folder / "yann_binary.ipynb").write_bytes(b"\xff\xfe\x00 not text")
    return folder


@pytest.fixture(scope="module")
def graded_here(klass) -> Path:
    """The class graded locally (threads and a WorkerPool): what Dask must reproduce."""
    out = klass.parent / "local"
    summary = batch.run([str(klass)], batch.Options(out=out, jobs=2), reporter=Recorder())
    assert summary.graded == len(list(klass.glob("*.ipynb"))) - 2
    return out


class Recorder:
    """A batch reporter that remembers what was recorded and can act after some of it."""

    def __init__(self, after: int | None = None, action=None) -> None:
        self.recorded: list[str] = []
        self.after, self.action = after, action

    def start(self, total: int, unchanged: int) -> None:
        pass

    def advance(self, outcome, done: int) -> None:
        self.recorded.append(outcome.found.path.name)
        if done == self.after:
            self.action()

    def finish(self) -> None:
        pass


# ----------------------------------------------------------------------------- comparisons

def gradebook(out: Path) -> tuple[dict, list]:
    """Every stored field of every submission and function but times and timings."""
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        db.row_factory = sqlite3.Row
        rows = {}
        for row in db.execute("SELECT * FROM submissions"):
            row = dict(row)
            for timing in ("seconds", "graded_at"):
                del row[timing]
            row["report"] = without_seconds(json.loads(row["report"])) if row["report"] else None
            rows[row["path"]] = row
        results = sorted(tuple(r) for r in db.execute(
            "SELECT path, position, function, score, max_score, status, message, sha256, "
            "grader_version FROM results"))
    return rows, results


def without_seconds(value):
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


def exported_files(out: Path) -> dict[str, str]:
    """Every export file's text (grades.csv, per-submission files), timestamps masked; not the
    dashboard, which shows grading times (the gradebook it is made from is compared)."""
    files = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and not path.name.startswith((".", "gradebook.sqlite", "index.")):
            files[str(path.relative_to(out))] = TIMESTAMP.sub("<time>", path.read_text())
    return files


def assert_same_as_local(out: Path, local: Path) -> None:
    here, there = gradebook(local), gradebook(out)
    assert there[0] == here[0]
    assert there[1] == here[1]
    assert exported_files(out) == exported_files(local)


# ----------------------------------------------------------------------------- a real cluster

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A `dask scheduler` and `dask worker` processes on loopback, each in a process group
    of its own (killed with everything it started)."""

    def __init__(self, folder: Path, workers: int = 2, allowed_failures: int = 3,
                 preload: Path | None = None) -> None:
        self.folder, self.procs = folder, []
        self.address = f"tcp://127.0.0.1:{free_port()}"
        # one task at a time per single-threaded worker: a crash takes only its own task
        self.env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0",
                        DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures))
        self.scheduler = self._start("scheduler", "scheduler", "--host", "127.0.0.1",
                                     "--port", self.address.rsplit(":", 1)[1], "--no-dashboard")
        extra = ["--preload", str(preload)] if preload else []
        self.workers = [self._start(f"worker{i}", "worker", self.address, "--nthreads", "1",
                                    "--no-dashboard", "--host", "127.0.0.1", *extra)
                        for i in range(workers)]
        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)

    def _start(self, log: str, *command: str) -> subprocess.Popen:
        stream = open(self.folder / f"{log}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "dask", *command], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=stream, stderr=stream,
                                start_new_session=True)
        stream.close()
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def close(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def cluster(tmp_path, request):
    """Start a Cluster(tmp_path, **arguments); every one started is killed at the end."""
    started = []

    def start(**arguments) -> Cluster:
        started.append(Cluster(tmp_path, **arguments))
        return started[-1]

    request.addfinalizer(lambda: [c.close() for c in started])
    return start


def on_cluster(folder: Path, out: Path, address: str, reporter: Recorder,
               seconds: float = 120) -> batch.Summary:
    """batch.run on the cluster at ``address``, failing instead of hanging after ``seconds``."""
    done: list = []
    runner = threading.Thread(target=lambda: done.append(batch.run(
        [str(folder)], batch.Options(out=out, dask=address), reporter=reporter)), daemon=True)
    runner.start()
    runner.join(seconds)
    assert done, f"the batch did not end within {seconds} s"
    return done[0]


# ----------------------------------------------------------------------------- tests

def test_grade_without_dask_does_not_import_it():
    code = ("import sys; import grader.cli, grader.batch; "
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_cluster_grades_like_local_and_survives_a_killed_worker(klass, graded_here, cluster,
                                                               tmp_path):
    dask = cluster(workers=2)
    out = tmp_path / "out"
    recorder = Recorder(after=40, action=lambda: dask.kill(dask.workers[1]))
    summary = on_cluster(klass, out, dask.address, recorder)
    names = sorted(p.name for p in klass.glob("*.ipynb"))
    assert sorted(recorder.recorded) == names  # each recorded once: none lost, none twice
    assert not summary.interrupted and summary.graded == len(names) - 2
    assert summary.workers_seen == 2
    assert_same_as_local(out, graded_here)
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        [layers] = {tuple(json.loads(r)["isolation"]) for (r,) in
                    db.execute("SELECT report FROM submissions WHERE report IS NOT NULL")}
    assert layers[0] == "rlimits" and len(layers) > 1  # the workers' sandbox layers


def test_a_submission_that_kills_every_worker_is_not_graded(klass, cluster, tmp_path):
    preload = tmp_path / "crash_on_marker.py"
    preload.write_text(POISON_PRELOAD)
    dask = cluster(workers=2, allowed_failures=1, preload=preload)
    folder = tmp_path / "few"
    folder.mkdir()
    for source in sorted(klass.glob("student00*.ipynb"))[:8]:
        (folder / source.name).write_bytes(source.read_bytes())
    reference = spec.FIXTURES_DIR / "C1W4A1" / "submissions" / "reference.ipynb"
    (folder / "mallory_crash.ipynb").write_text(notebook_with_note(reference, CRASH))
    out = tmp_path / "out"
    summary = on_cluster(folder, out, dask.address, Recorder())
    assert summary.graded == 8 and not summary.interrupted
    [(display, message)] = summary.rejected
    assert display.endswith("mallory_crash.ipynb")
    assert "ended the Dask worker process each of the 2 times it ran; not graded" in message
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT sha256 FROM submissions WHERE path LIKE '%mallory%'"
                          ).fetchall() == [(None,)]  # so the next run tries it again
    assert "mallory" in (out / "grades.csv").read_text()


@contextlib.contextmanager
def grade_command(*arguments: str) -> Iterator[subprocess.Popen]:
    """A `grade` process (in a process group of its own, killed with all it started)."""
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli.grade", *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        yield proc
    finally:
        Cluster.kill(proc)
        proc.stdout.close()
        proc.stderr.close()


def test_scheduler_lost_ends_cleanly_and_a_rerun_resumes(klass, graded_here, cluster, tmp_path):
    dask = cluster(workers=2)
    out = tmp_path / "out"
    with grade_command(str(klass), "--out", str(out), "--dask", dask.address) as run:
        for line in run.stderr:
            if line.startswith("[ 30/"):
                dask.kill(dask.scheduler)
                break
        stdout, _ = run.communicate(timeout=60)
    assert run.returncode == cli.EXIT_INTERRUPTED, stdout
    assert "INTERRUPTED" in stdout
    assert "stopped: lost the connection to the Dask scheduler" in stdout
    recorded = len(gradebook(out)[0])
    assert 30 <= recorded < len(list(klass.glob("*.ipynb")))
    assert (out / "grades.csv").read_text().count("\n") == recorded + 1  # exports written
    with grade_command(str(klass), "--out", str(out), "--dask", "local", "--jobs", "2") as rerun:
        stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr[-2000:]
    assert f"{recorded} unchanged" in stdout and "dask: 2 worker(s)" in stdout
    assert_same_as_local(out, graded_here)


def test_unreachable_scheduler_is_a_clear_error(klass, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(on_dask, "CONNECT_SECONDS", 1.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    status = cli.main([str(klass), "--out", str(tmp_path / "out"), "--dask", address])
    assert status == cli.EXIT_CANNOT_GRADE
    assert f"grade: cannot reach the Dask scheduler at '{address}'" in capsys.readouterr().err
