"""A grade of one notebook leaves a blank fork server for the next one (grader.launch)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from grader import launch, spec
from grader.execute import Task, Worker
from grader.sandbox import Limits
from grader.worker import CLAIMED

NOTEBOOK = str(spec.FIXTURES_DIR / "C1W4A1" / "submissions" / "reference.ipynb")
SETUP = (str(spec.ASSIGNMENTS_DIR / "C1W4A1"), "import numpy as np", ())


@pytest.fixture
def warm(monkeypatch):
    """A private cache folder with warm servers on (short: a socket path has at most 107
    bytes); every server left there is killed after."""
    base = Path(tempfile.mkdtemp(prefix="w"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    monkeypatch.setenv(launch.WARM_ENV, "30")
    folder = base / "dnn-grader" / "warm"
    yield folder
    for lock in folder.glob("*.lock"):
        pid = lock.read_text().strip()
        try:
            if pid and b"grader.worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(int(pid), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    shutil.rmtree(base, ignore_errors=True)


def grade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", NOTEBOOK, "--format", "json",
                           *args], capture_output=True, text=True, timeout=120)


def waiting(folder: Path, seconds: float = 20.0) -> int:
    """The pid of the server waiting in ``folder`` (once its socket exists)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        socks = list(folder.glob("*.sock"))
        if socks:
            return int(socks[0].with_suffix(".lock").read_text())
        time.sleep(0.02)
    raise AssertionError("no server is waiting")


def gone(pid: int, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not Path(f"/proc/{pid}").exists() or "Z" in _state(pid):
            return True
        time.sleep(0.02)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def fully_isolated() -> bool:
    done = grade()
    return launch.WARM_LAYERS <= set(json.loads(done.stdout)["extra_data"]["isolation"])


def children(pid: int) -> list[int]:
    """Live children of process ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def test_grades_in_a_row_each_get_a_copy_of_the_server_the_first_one_left(warm):
    if not fully_isolated():
        pytest.skip("servers are only left where children get every isolation layer")
    left = waiting(warm)
    for _ in range(2):
        done = grade()
        assert done.returncode == 0 and json.loads(done.stdout)["score"] == 100
        assert waiting(warm) == left  # it goes on waiting; the copy that served has ended
    end = time.monotonic() + 10
    while children(left) and time.monotonic() < end:
        time.sleep(0.05)
    assert children(left) == []
    assert len(list(warm.glob("*.sock"))) == 1


def test_a_cache_folder_too_long_for_a_socket_address_still_gets_its_server(warm,
                                                                          monkeypatch):
    """A socket address holds 108 bytes; a longer cache path (deep home folders on shared
    machines) is reached through a descriptor of its folder instead."""
    base = warm.parent.parent / ("deep-" * 20)
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    folder = base / "dnn-grader" / "warm"
    if not fully_isolated():
        pytest.skip("servers are only left where children get every isolation layer")
    left = waiting(folder)
    assert len(os.fsencode(next(folder.glob("*.sock")))) > 108
    claimed = launch.claim_warm(launch.WARM_MODE)
    assert claimed is not None  # a copy of the server, made for this process
    claimed.control.close()  # the copy, never set up, exits
    done = grade()
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 100
    assert waiting(folder) == left
    os.kill(left, signal.SIGKILL)


def test_no_server_is_left_when_turned_off_or_without_full_isolation(warm, monkeypatch):
    assert grade("--isolation", "rlimits").returncode == 0
    assert not list(warm.glob("*.sock"))
    monkeypatch.setenv(launch.WARM_ENV, "0")
    assert grade().returncode == 0
    time.sleep(0.5)
    assert not warm.exists() or not list(warm.glob("*.sock"))


def test_an_idle_server_exits_and_removes_its_socket(warm, monkeypatch):
    monkeypatch.setenv(launch.WARM_ENV, "1")
    if not fully_isolated():
        pytest.skip("servers are only left where children get every isolation layer")
    pid = waiting(warm)
    assert gone(pid, seconds=15)
    assert not list(warm.glob("*.sock"))


def test_no_server_is_left_in_a_folder_others_can_enter(warm):
    warm.mkdir(parents=True)
    warm.chmod(0o777)
    assert launch.warm_path("auto") is None
    assert grade().returncode == 0
    time.sleep(0.5)
    assert not list(warm.glob("*.sock"))


def test_a_socket_that_is_not_a_server_is_not_claimed(warm):
    path = launch.warm_path("auto")
    impostor = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    impostor.bind(str(path))
    impostor.listen(1)

    def answer(message: bytes) -> None:
        connection, _ = impostor.accept()
        connection.send(message)
        connection.close()

    for message in (b"hello", CLAIMED[:-1]):
        thread = threading.Thread(target=answer, args=(message,))
        thread.start()
        assert launch.claim_warm("auto") is None
        thread.join()
    impostor.close()


def test_a_claimed_server_is_blank_and_its_successor_holds_nothing_of_its_setup(warm):
    launch.leave_warm("auto")
    probe = Task("probe", "import sys\ndef probe():\n    return 'leak_probe' in sys.modules\n",
                 [], [{"args": {"__tuple__": []}, "seed": 0}])
    leaking = (SETUP[0], "import sys, types\nsys.modules['leak_probe'] = types.ModuleType('x')\n",
               ())
    outputs = []
    for setup in (leaking, SETUP):
        waiting(warm)
        claimed = launch.claim_warm("auto")
        assert claimed is not None and isinstance(claimed.process, launch.Adopted)
        worker = Worker(setup, started=claimed)
        try:
            outputs.append(worker.run_task(probe, Limits()).cases[0]["output"])
        finally:
            worker.close()
        assert claimed.process.poll() is not None  # a claimed server ends with its grade
    assert outputs == [True, False]


def test_two_grades_at_once_both_grade_and_one_server_is_left(warm):
    if not fully_isolated():
        pytest.skip("servers are only left where children get every isolation layer")
    waiting(warm)
    command = [sys.executable, "-m", "grader.cli", NOTEBOOK, "--format", "json"]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    scores = [json.loads(p.communicate(timeout=120)[0])["score"] for p in both]
    assert scores == [100, 100]
    waiting(warm)
    time.sleep(0.5)
    assert len(list(warm.glob("*.sock"))) == 1


def test_a_server_of_another_environment_is_not_claimed(warm, monkeypatch):
    launch.leave_warm("auto")
    waiting(warm)
    real = launch.worker_env
    monkeypatch.setattr(launch, "worker_env", lambda: dict(real(), TMPDIR="/elsewhere"))
    assert launch.claim_warm("auto") is None  # another key: the waiting server is not for it
    monkeypatch.setattr(launch, "worker_env", real)
    claimed = launch.claim_warm("auto")
    assert claimed is not None
    claimed.close()


@pytest.mark.parametrize("value, seconds", [("600", 600.0), ("0", 0.0), ("-3", 0.0), ("abc", 0.0),
                                            ("nan", 0.0), ("inf", launch.WARM_MAX_SECONDS)])
def test_how_long_a_server_waits_is_read_safely(warm, monkeypatch, value, seconds):
    monkeypatch.setenv(launch.WARM_ENV, value)
    assert launch.warm_seconds() == seconds
    assert (launch.warm_path("auto") is None) == (seconds == 0)


def test_a_copy_of_the_grader_that_says_something_else_has_another_server(tmp_path):
    copy = tmp_path / "grader"
    shutil.copytree(Path(launch.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    probe = [sys.executable, "-P", "-c", "from grader import launch; print(launch._warm_key('auto'))"]
    env = dict(os.environ, PYTHONPATH=str(tmp_path))

    def key() -> str:
        return subprocess.run(probe, env=env, cwd=tmp_path, capture_output=True, text=True,
                              check=True).stdout.strip()

    before = key()
    module = copy / "codec.py"
    info = module.stat()
    text = module.read_text()
    module.write_text(text.replace("MAX_DEPTH = 40", "MAX_DEPTH = 41"))  # same size
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same time
    assert module.stat().st_size == info.st_size
    assert key() != before
