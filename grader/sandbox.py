"""Isolation applied to a worker child before it runs student code.

Runs inside the freshly forked child, never in the trusted process. Layers, each applied when
the operating system allows it (the names of the layers achieved are reported back):

- ``rlimits``: CPU time, address space, file size, open files, processes, no core dumps.
- ``namespaces``: fresh mount, network, IPC, UTS and PID namespaces (root, or unprivileged
  user namespaces), so there is no network and no other process to see, signal or trace.
- ``hidden-paths``: reference, fixtures and submission folders covered by empty mounts.
- ``read-only-fs``: the whole tree read-only except a small tmpfs scratch directory.
- ``uid-nobody``: root drops to uid/gid 65534 with no capabilities.
- ``seccomp``: a filter refusing network sockets, exec, fork/threads, ptrace and mounts.
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import signal
import stat
import struct
from dataclasses import asdict, dataclass, field

NOBODY = 65534
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2
AT_RECURSIVE, MOUNT_ATTR_RDONLY = 0x8000, 0x1
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_SET_DUMPABLE, PR_SET_PDEATHSIG = 38, 22, 4, 1
SECCOMP_MODE_FILTER = 2


@dataclass(frozen=True)
class Limits:
    """Resource limits and isolation settings for one graded-function run."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 20
    memory_mb: int = 768
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64
    output_chars: int = 4000
    result_mb: int = 32
    scratch_mb: int = 16
    hide: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return asdict(self)


class Libc:
    """The few libc entry points the sandbox needs, raising OSError on failure."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)

    def call(self, name: str, *args) -> int:
        result = getattr(self._libc, name)(*args)
        if result == -1:
            code = ctypes.get_errno()
            raise OSError(code, f"{name}: {os.strerror(code)}")
        return result

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int,
              data: str | None = None) -> None:
        enc = (lambda s: s.encode() if s is not None else None)
        self.call("mount", enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags),
                  enc(data))

    def set_readonly(self, path: str, readonly: bool, recursive: bool) -> None:
        """mount_setattr(2): (un)set read-only on a mount tree."""
        attr = struct.pack("QQQQ", MOUNT_ATTR_RDONLY if readonly else 0,
                           0 if readonly else MOUNT_ATTR_RDONLY, 0, 0)
        buf = ctypes.create_string_buffer(attr)
        flags = AT_RECURSIVE if recursive else 0
        self.call("syscall", ctypes.c_long(SYSCALLS[ARCH]["mount_setattr"]), ctypes.c_int(-100),
                  path.encode(), ctypes.c_uint(flags), buf, ctypes.c_size_t(len(attr)))


def isolate_zygote(libc: Libc, scratch: str, readable: list[str]) -> list[str]:
    """Once, in the zygote: private mount, network, IPC, UTS and PID namespaces for all its
    children, a read-only tree and a fresh /proc. Returns the layers achieved; ``View`` then
    prepares each job, and each child adds its own layers in ``apply``.
    """
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    uid, gid = os.getuid(), os.getgid()
    try:
        libc.call("unshare", flags if uid == 0 else flags | CLONE_NEWUSER)
    except OSError:
        return []
    if uid != 0:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    layers = ["namespaces"]
    try:
        libc.mount(None, "/", None, MS_REC | MS_PRIVATE)
        expose(libc, scratch, readable)
    except OSError:
        return layers
    try:
        libc.set_readonly("/", True, recursive=True)
        layers.append("read-only-fs")
    except OSError:
        pass
    if _start_pid_holder(libc):
        layers.append("pid-namespace")
    return layers


def _start_pid_holder(libc: Libc) -> bool:
    """Fork PID 1 of the new PID namespace: it mounts the namespace's /proc and then waits,
    so that every later child of the zygote lives in that namespace (and dies with it)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        libc.call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        try:
            libc.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            os.write(write_end, b"1")
        finally:
            os.close(write_end)
        while True:
            signal.pause()
    os.close(write_end)
    ok = os.read(read_end, 1) == b"1"
    os.close(read_end)
    return ok


def writable_tmpfs(libc: Libc, path: str, mode: str = "0755", size_mb: int = 32) -> bool:
    """Mount a fresh tmpfs at ``path`` (replacing one mounted there before)."""
    try:
        libc.call("umount2", path.encode(), MNT_DETACH)
    except OSError:
        pass  # nothing mounted there yet
    try:
        libc.mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode={mode}")
    except OSError:
        return False
    return True


class View:
    """The zygote's filesystem view, adjusted per job: folders exposed, paths hidden, and a
    fresh scratch tmpfs (so nothing a child writes survives into the next job)."""

    def __init__(self, libc: Libc, scratch: str, layers: list[str]) -> None:
        self.libc, self.scratch, self.layers = libc, scratch, layers
        self.exposed: set[str] = set()
        self.hidden: set[str] = set()

    def prepare(self, visible: str, hide: list[str], scratch_mb: int) -> list[str]:
        """Expose ``visible``, hide ``hide``, renew the scratch; the layers now in force."""
        if "namespaces" not in self.layers:
            return list(self.layers)
        layers = list(self.layers)
        try:
            if visible not in self.exposed:
                writable_tmpfs(self.libc, self.scratch, size_mb=1)
                expose(self.libc, self.scratch, [visible])
                self.exposed.add(visible)
            for path in hide:
                if path not in self.hidden:
                    hide_path(self.libc, path)
                    self.hidden.add(path)
            layers.append("hidden-paths")
        except OSError:
            pass
        if writable_tmpfs(self.libc, self.scratch, "0777", scratch_mb):
            layers.append("scratch-tmpfs")
        return layers


def apply(limits: Limits, zygote_layers: list[str], full: bool) -> list[str]:
    """In each forked child: no core dumps or tracing, uid nobody, rlimits, seccomp.

    ``full`` False applies the resource limits only.
    """
    os.setsid()
    libc = Libc()
    layers = ["rlimits"] + list(zygote_layers)
    if full:
        libc.call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
        if "namespaces" in zygote_layers and os.getuid() == 0 and _drop_to_nobody():
            layers.append("uid-nobody")
    _apply_rlimits(limits)
    if full:
        layers += _seccomp_layer(libc)
    return layers


def _apply_rlimits(limits: Limits) -> None:
    mib = 1024 * 1024
    for kind, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_CPU, limits.cpu_seconds),
                        (resource.RLIMIT_AS, limits.memory_mb * mib),
                        (resource.RLIMIT_FSIZE, limits.file_size_mb * mib),
                        (resource.RLIMIT_NOFILE, limits.open_files),
                        (resource.RLIMIT_NPROC, limits.processes)):
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def expose(libc: Libc, scratch: str, readable: list[str]) -> None:
    """Keep ``readable`` folders reachable for uid nobody.

    A folder below a directory that others may not search (``/root`` is 0700) is bind-mounted
    aside, the blocking directory is covered by a 0755 tmpfs holding just the path down to
    that folder, and the folder is moved back into place.
    """
    if os.getuid() != 0:
        return  # without a uid change, the caller's own permissions still apply
    stage = os.path.join(scratch, ".stage")
    for top, folders in _blocked(readable).items():
        for index, folder in enumerate(folders):
            os.makedirs(f"{stage}/{index}")
            libc.mount(folder, f"{stage}/{index}", None, MS_BIND | MS_REC)
        libc.mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
        for index, folder in enumerate(folders):
            os.makedirs(folder, mode=0o755, exist_ok=True)
            libc.mount(f"{stage}/{index}", folder, None, MS_MOVE)
            os.rmdir(f"{stage}/{index}")


def _blocked(paths: list[str]) -> dict[str, list[str]]:
    """Outermost directory others cannot search -> the folders needed below it."""
    found: dict[str, list[str]] = {}
    folders = sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})
    for folder in folders:
        parts = folder.strip("/").split("/")
        for depth in range(1, len(parts)):
            directory = "/" + "/".join(parts[:depth])
            if not os.stat(directory).st_mode & stat.S_IXOTH:
                needed = found.setdefault(directory, [])
                if not any(folder.startswith(n + "/") for n in needed):
                    needed.append(folder)
                break
    return found


def hide_path(libc: Libc, path: str) -> None:
    """Cover a folder with an empty read-only tmpfs, or a file with /dev/null."""
    if os.path.isdir(path):
        libc.mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "size=4k,mode=0555")
    elif os.path.exists(path):
        libc.mount("/dev/null", path, None, MS_BIND)


def _drop_to_nobody() -> bool:
    try:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
    except OSError:
        return False
    return True


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as stream:
            stream.write(text)
    except OSError:
        pass


# ----------------------------------------------------------------------------- seccomp

ARCH = platform.machine()
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
SYSCALLS = {
    "x86_64": {"socket": 41, "socketpair": 53, "connect": 42, "fork": 57, "vfork": 58,
               "clone": 56, "clone3": 435, "execve": 59, "execveat": 322, "ptrace": 101,
               "process_vm_readv": 310, "process_vm_writev": 311, "mount": 165, "umount2": 166,
               "unshare": 272, "setns": 308, "pivot_root": 155, "chroot": 161, "bpf": 321,
               "perf_event_open": 298, "keyctl": 250, "mount_setattr": 442,
               "io_uring_setup": 425},
    "aarch64": {"socket": 198, "socketpair": 199, "connect": 203, "clone": 220, "clone3": 435,
                "execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270,
                "process_vm_writev": 271, "mount": 40, "umount2": 39, "unshare": 97,
                "setns": 268, "pivot_root": 41, "chroot": 51, "bpf": 280,
                "perf_event_open": 241, "keyctl": 219, "mount_setattr": 442,
                "io_uring_setup": 425},
}
DENIED = ("socket", "socketpair", "connect", "fork", "vfork", "clone", "execve", "execveat",
          "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "unshare",
          "setns", "pivot_root", "chroot", "bpf", "perf_event_open", "keyctl", "io_uring_setup",
          "mount_setattr")


def _seccomp_layer(libc: Libc) -> list[str]:
    try:
        install_seccomp(libc)
    except (OSError, KeyError):
        return []
    return ["seccomp"]


def install_seccomp(libc: Libc) -> None:
    """Refuse (EPERM; clone3 ENOSYS so libc falls back to clone) the DENIED system calls."""
    numbers = SYSCALLS[ARCH]
    denied = [numbers[name] for name in DENIED if name in numbers]
    ld_w, jeq, ret = 0x20, 0x15, 0x06
    errno_eperm = 0x00050000 | errno.EPERM
    errno_enosys = 0x00050000 | errno.ENOSYS
    program = [
        (ld_w, 0, 0, 4),                                   # A = arch
        (jeq, 1, 0, AUDIT_ARCH[ARCH]), (ret, 0, 0, 0x80000000),  # wrong arch: kill process
        (ld_w, 0, 0, 0),                                   # A = syscall number
        (jeq, 0, 1, numbers["clone3"]), (ret, 0, 0, errno_enosys),
    ]
    for number in denied:
        program += [(jeq, 0, 1, number), (ret, 0, 0, errno_eperm)]
    program.append((ret, 0, 0, 0x7FFF0000))                # allow everything else
    filters = b"".join(struct.pack("HBBI", *insn) for insn in program)
    buf = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxQ", len(program), ctypes.addressof(buf))
    prog_buf = ctypes.create_string_buffer(fprog)
    libc.call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.call("prctl", PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog_buf, 0, 0)


def protect_trusted_process() -> None:
    """Make the grader's own memory unreadable through /proc/<pid>/mem and ptrace."""
    try:
        Libc().call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
