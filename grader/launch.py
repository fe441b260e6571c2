"""Starting a fork server process (``grader.worker``); standard library only, so that
``grade`` can start one before it imports the rest of the grader."""
from __future__ import annotations

import functools
import os
import site
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
}


class Started:
    """A fork server process just started, blank (``grader.execute.Worker`` configures it):
    the process, our end of its control socket, its isolation mode."""

    def __init__(self, process: subprocess.Popen, control: socket.socket, mode: str) -> None:
        self.process, self.control, self.mode = process, control, mode

    def close(self) -> None:
        """Let it go: a blank server exits on its own once its socket is closed."""
        self.control.close()


def start(isolation: str = "auto") -> Started:
    """Start ``python -S -P -m grader.worker`` with only ``worker_env()`` as environment."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    process = subprocess.Popen(
        [sys.executable, "-S", "-P", "-m", "grader.worker", str(theirs.fileno()), isolation],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=worker_env(), cwd="/", pass_fds=[theirs.fileno()])
    theirs.close()
    return Started(process, ours, isolation)


def worker_env() -> dict[str, str]:
    """The fork server's whole environment: nothing of the grader's own is passed on."""
    cache = Path(os.path.expanduser("~")) / ".cache" / "dnn-grader" / "matplotlib"
    path = [str(Path(__file__).resolve().parent.parent), *_site_dirs()]
    env = dict(WORKER_ENV, PATH=os.defpath, MPLCONFIGDIR=str(cache), TMPDIR=tempfile.gettempdir(),
               PYTHONPATH=os.pathsep.join(dict.fromkeys(path)))
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        env.pop("MPLCONFIGDIR")
    return env


@functools.cache
def _site_dirs() -> list[str]:
    """This interpreter's site-packages folders: the fork server runs without ``site``
    (``-S``: no ``.pth`` file, sitecustomize or user customisation of this machine runs there,
    and it starts ~40 ms sooner), so it is given them explicitly."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        dirs.append(site.getusersitepackages())
    return dirs
