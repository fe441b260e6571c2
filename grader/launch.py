"""Starting a fork server process (``grader.worker``); standard library only, so that
``grade`` can start one before it imports the rest of the grader.

A ``grade`` of one notebook that ran with full isolation also leaves a blank server behind
(``leave_warm``): it loads its interpreter and numpy, then waits on a socket in a folder only
this user can enter for the next grades of the same mode, interpreter, environment and grader
code (``claim_warm``), until ``DNN_GRADER_WARM_SECONDS`` (default 600; 0: never) pass without
one. Each claim gets a copy forked for it, still blank: it gets its assignment, like any
server, from the grade that claimed it, and serves that one grade only.
"""
from __future__ import annotations

import fcntl
import functools
import importlib.util
import os
import select
import signal
import site
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
}


WARM_ENV = "DNN_GRADER_WARM_SECONDS"
WARM_SECONDS = 600.0
WARM_MAX_SECONDS = 86400.0
WARM_MODE = "auto"  # the only mode a server is left for
# and only by a grade whose children had these layers: none could write a file or open a socket
WARM_LAYERS = frozenset({"allowlist-root", "read-only-fs", "seccomp"})


class Started:
    """A fork server process just started, blank (``grader.execute.Worker`` configures it):
    the process, our end of its control socket, its isolation mode."""

    def __init__(self, process: "subprocess.Popen | Adopted", control: socket.socket,
                 mode: str) -> None:
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


class Adopted:
    """A fork server this process did not start (a copy the waiting server forked for it),
    followed through a pidfd: ``subprocess.Popen``'s poll, wait and kill, without pid reuse
    races."""

    def __init__(self, pid: int) -> None:
        self.pid, self._fd = pid, os.pidfd_open(pid)

    def poll(self) -> int | None:
        return 0 if select.select([self._fd], [], [], 0)[0] else None

    def wait(self, timeout: float | None = None) -> int:
        if not select.select([self._fd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired("grader.worker", timeout or 0)
        return 0

    def kill(self) -> None:
        try:
            signal.pidfd_send_signal(self._fd, signal.SIGKILL)
        except ProcessLookupError:
            pass


def claim_warm(isolation: str) -> Started | None:
    """A copy of the blank server a previous ``grade`` left waiting, made for this one, if
    one is waiting."""
    path = warm_path(isolation)
    if path is None:
        return None
    from grader.worker import CLAIMED, at_socket_path, peer_credentials

    control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        control.settimeout(1.0)
        at_socket_path(control.connect, str(path))
        word, _, pid = control.recv(64).partition(b" ")
        waiting, uid, _ = peer_credentials(control)
        if word != CLAIMED or uid != os.getuid() or _parent(int(pid)) != waiting:
            raise OSError("not a copy of a fork server of this user")
        process = Adopted(int(pid))
    except (OSError, ValueError):
        control.close()
        return None
    control.settimeout(None)
    return Started(process, control, isolation)


def _parent(pid: int) -> int | None:
    """The parent pid of process ``pid`` (None when it is gone)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat_line.rsplit(")", 1)[1].split()[1])


def leave_warm(isolation: str) -> None:
    """Start a blank server for the next ``grade`` unless one is waiting (or starting)."""
    path = warm_path(isolation)
    if path is None or not _lock_free(path):
        return
    for other in path.parent.glob("*.lock"):  # of servers of other settings, gone since
        if other != lock_path(path) and _lock_free(other.with_suffix(".sock")):
            other.unlink(missing_ok=True)
    subprocess.Popen(
        [sys.executable, "-S", "-P", "-m", "grader.worker", "--listen", str(path),
         str(lock_path(path)), str(warm_seconds()), isolation],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=worker_env(), cwd="/", start_new_session=True)


def warm_seconds() -> float:
    """How long a blank server left behind waits for a claim (``DNN_GRADER_WARM_SECONDS``)."""
    try:
        seconds = float(os.environ.get(WARM_ENV, WARM_SECONDS))
    except ValueError:
        return 0.0
    return min(seconds, WARM_MAX_SECONDS) if seconds > 0 else 0.0  # NaN too: off


def warm_path(isolation: str) -> Path | None:
    """The socket of the blank server for the next ``grade`` in this setting, in a folder
    that only this user can enter; None when there is none to use (disabled, another mode,
    an unsafe or unusable folder)."""
    if isolation != WARM_MODE or warm_seconds() <= 0:
        return None
    from grader import cache

    folder = cache.folder() / "warm"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder / f"{_warm_key(isolation)}.sock"  # however long (worker.at_socket_path)


def _warm_key(isolation: str) -> str:
    """What a blank server depends on: interpreter, mode, environment, and the content of the
    grader's modules and of numpy's version file (content, not modification times: two
    copies that differ only in what a file says, e.g. wheels unpacked to one place with
    reproducible timestamps, never share a server)."""
    from grader import cache

    files = sorted(Path(__file__).resolve().parent.glob("*.py"))
    numpy = importlib.util.find_spec("numpy")
    if numpy is not None and numpy.origin:
        files.append(Path(numpy.origin).with_name("version.py"))
    parts: list[str | bytes] = [sys.executable, isolation,
                                *sorted(f"{k}={v}" for k, v in worker_env().items())]
    for path in files:
        try:
            parts += [str(path), path.read_bytes()]
        except OSError:
            pass
    return cache.digest(*parts)


def _lock_free(path: Path) -> bool:
    """Whether no blank server holds ``path``'s lock (a waiting or starting one does)."""
    try:
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the lock, if taken
    return True


def lock_path(path: Path) -> Path:
    return path.with_suffix(".lock")


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
