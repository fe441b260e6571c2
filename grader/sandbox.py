"""Isolation for the worker zygote and the children that run student code.

Runs only on the untrusted side (``grader.worker``), never in the trusted grader. The layers,
each applied when the operating system allows it (the names achieved are reported back):

- ``rlimits``: CPU time, address space, file size, open files, processes, no core dumps.
- ``namespaces``: the zygote's own mount, network, IPC, UTS and PID namespaces (as root, or in
  an unprivileged user namespace), so there is no network and no other process to see.
- ``allowlist-root``: the zygote pivots into an empty root holding only what a child needs,
  bind-mounted read-only: the interpreter, its site-packages, the system libraries, the
  ``grader`` package and one assignment's public folder. Nothing else of the machine (the
  repository's ``reference/``, ``fixtures/``, ``.git``, other copies, other submissions) exists
  in that view, so nothing has to be hidden.
- ``read-only-fs``: every mount of that root is read-only.
- ``scratch-tmpfs``: each child gets a fresh mount namespace with a brand-new tmpfs at its
  scratch folder; both vanish with the child. (System V and POSIX IPC calls are off the
  seccomp allowlist and the zygote has an IPC namespace of its own, so no shared memory,
  semaphore or message queue can carry anything from one child to the next.)
- ``uid-nobody`` (as root) or ``no-capabilities`` (user namespace): the child keeps no
  privilege that could change its view.
- ``seccomp``: an allowlist of the system calls numpy code needs; every other call fails.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import os
import resource
import signal
import struct
import sys
from dataclasses import asdict, dataclass, field

NOBODY = 65534
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
AT_RECURSIVE, MOUNT_ATTR_RDONLY = 0x8000, 0x1
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_SET_DUMPABLE, PR_SET_PDEATHSIG = 38, 22, 4, 1
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
SECCOMP_MODE_FILTER = 2
CAPABILITY_VERSION_3 = 0x20080522
SCRATCH = "/scratch"
SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
PUBLIC_FILES = ("/etc/ld.so.cache",)


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
    """The few libc entry points the sandbox needs, raising OSError on failure
    (``shared_libc()`` gives the process's one instance)."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)

    def call(self, name: str, *args) -> int:
        result = getattr(self._libc, name)(*args)
        if result == -1:
            code = ctypes.get_errno()
            raise OSError(code, f"{name}: {os.strerror(code)}")
        return result

    def syscall(self, name: str, *args) -> int:
        return self.call("syscall", ctypes.c_long(SYSCALLS[ARCH][name]), *args)

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int,
              data: str | None = None) -> None:
        enc = (lambda s: s.encode() if s is not None else None)
        self.call("mount", enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags),
                  enc(data))

    def set_readonly(self, path: str) -> None:
        """mount_setattr(2): make the whole mount tree at ``path`` read-only."""
        attr = ctypes.create_string_buffer(struct.pack("QQQQ", MOUNT_ATTR_RDONLY, 0, 0, 0))
        self.syscall("mount_setattr", ctypes.c_int(-100), path.encode(),
                     ctypes.c_uint(AT_RECURSIVE), attr, ctypes.c_size_t(32))


@functools.cache
def shared_libc() -> Libc:
    return Libc()


# ----------------------------------------------------------------------------- zygote

def isolate_zygote(libc: Libc, needed: list[str]) -> list[str]:
    """Once, in the zygote: private namespaces and an allowlist root holding only ``needed``
    (plus system libraries and a few devices). Returns the layers achieved."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    uid, gid = os.getuid(), os.getgid()
    try:
        libc.call("unshare", flags if uid == 0 else flags | CLONE_NEWUSER)
    except OSError:
        return []
    if uid != 0:  # keep our own (non-root) id inside: children then run as a mapped non-root id
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    layers = ["namespaces"]
    try:
        libc.mount(None, "/", None, MS_REC | MS_PRIVATE)
        enter_allowlist_root(libc, needed)
        layers.append("allowlist-root")
    except OSError:
        return layers
    try:
        libc.set_readonly("/")
        layers.append("read-only-fs")
    except OSError:
        pass
    _start_pid_holder(libc)
    return layers + ["pid-namespace"]


def allowlist(needed: list[str]) -> list[str]:
    """The folders and files of the child's root: ``needed`` plus libraries and devices,
    real paths only, each listed once (nothing below an entry already listed)."""
    wanted = [*needed, *SYSTEM_LIBRARIES, *DEVICES, *PUBLIC_FILES]
    real = sorted({os.path.realpath(p) for p in wanted if os.path.exists(p)})
    kept: list[str] = []
    for path in real:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def enter_allowlist_root(libc: Libc, needed: list[str]) -> None:
    """Build an empty tmpfs root, bind the allowlist into it, pivot into it and detach the
    machine's tree; the temporary mount point is removed from the host afterwards."""
    import tempfile

    host_dir = tempfile.mkdtemp(prefix="dnn-grader-root-")
    parent = os.open(os.path.dirname(host_dir), os.O_PATH | os.O_DIRECTORY)
    try:
        libc.mount("tmpfs", host_dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for path in allowlist(needed):
            _bind_into(libc, host_dir, path)
        for path in needed + list(SYSTEM_LIBRARIES):  # symlinked entries (/lib -> usr/lib)
            _link_into(host_dir, path)
        os.makedirs(host_dir + SCRATCH, mode=0o755)
        os.mkdir(host_dir + "/.old")
        libc.syscall("pivot_root", host_dir.encode(), (host_dir + "/.old").encode())
        os.chdir("/")
        libc.call("umount2", b"/.old", MNT_DETACH)
        os.rmdir("/.old")
    finally:
        try:
            os.rmdir(os.path.basename(host_dir), dir_fd=parent)
        except OSError:
            pass  # still mounted: the pivot failed before it could detach
        os.close(parent)


def _bind_into(libc: Libc, root: str, path: str) -> None:
    target = root + path
    if os.path.isdir(path):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    libc.mount(path, target, None, MS_BIND | MS_REC)
    nodev = 0 if path in DEVICES else MS_NODEV
    libc.mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | nodev)


def _link_into(root: str, path: str) -> None:
    """Recreate a symlinked allowlist entry as the same symlink inside the new root."""
    if os.path.islink(path) and not os.path.lexists(root + path):
        os.makedirs(os.path.dirname(root + path), mode=0o755, exist_ok=True)
        os.symlink(os.readlink(path), root + path)


def _start_pid_holder(libc: Libc) -> None:
    """Fork PID 1 of the new PID namespace, which only waits, so that every later child of the
    zygote lives in that namespace (and dies with it)."""
    pid = os.fork()
    if pid == 0:
        try:
            libc.call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            while True:
                signal.pause()
        finally:
            os._exit(0)


# ----------------------------------------------------------------------------- child

def enter_child(limits: Limits, zygote_layers: list[str], full: bool, scratch: str) -> list[str]:
    """In each forked child, before it sees its task: own session and mount namespace with a
    fresh scratch tmpfs, no privilege, resource limits, seccomp. ``full`` False applies
    the resource limits only. Returns the layers in force."""
    os.setsid()
    layers = ["rlimits"] + list(zygote_layers)
    if full:
        libc = shared_libc()
        if "namespaces" in zygote_layers:
            layers += _private_namespaces(libc, limits, scratch)
        libc.call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        layers += drop_privileges(libc)
        libc.call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
    os.chdir(scratch)
    _apply_rlimits(limits)
    if full:
        layers += _seccomp_layer(libc)
    return layers


def _private_namespaces(libc: Libc, limits: Limits, scratch: str) -> list[str]:
    layers = []
    try:
        libc.call("unshare", CLONE_NEWNS)
    except OSError:
        return layers
    try:
        libc.mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   f"size={limits.scratch_mb}m,mode=0777")
        layers.append("scratch-tmpfs")
    except OSError:
        pass
    for path in limits.hide:  # only what an allowlisted folder happens to contain
        if os.path.lexists(path):
            hide_path(libc, path)
    return layers


def hide_path(libc: Libc, path: str) -> None:
    """Cover a folder with an empty read-only tmpfs, or a file with /dev/null."""
    if os.path.isdir(path):
        libc.mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "size=4k,mode=0555")
    else:
        libc.mount("/dev/null", path, None, MS_BIND)


def drop_privileges(libc: Libc) -> list[str]:
    """Root becomes uid/gid nobody; anyone else (e.g. in a user namespace) loses every
    capability, bounding and ambient sets included."""
    if os.getuid() == 0:
        try:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
            return ["uid-nobody"]
        except OSError:
            pass  # nobody is not mapped here (a user namespace's root): drop capabilities
    try:
        _drop_capabilities(libc)
    except (OSError, KeyError):
        return []
    return ["no-capabilities"]


def _drop_capabilities(libc: Libc) -> None:
    for cap in range(64):
        try:
            libc.call("prctl", PR_CAPBSET_DROP, cap, 0, 0, 0)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                break  # past the last capability this kernel knows
            if exc.errno != errno.EPERM:
                raise
    try:
        libc.call("prctl", PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    except OSError:
        pass  # kernels without ambient capabilities
    header = ctypes.create_string_buffer(struct.pack("Ii", CAPABILITY_VERSION_3, 0))
    data = ctypes.create_string_buffer(bytes(24))
    libc.syscall("capset", header, data)


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


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as stream:
            stream.write(text)
    except OSError:
        pass


# ----------------------------------------------------------------------------- seccomp

ARCH = os.uname().machine  # what platform.machine() says, without importing platform
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# Every system call a child may make once its filter is on: what CPython, numpy, matplotlib's
# Agg backend and the grader's frame writer use. Anything else fails with EPERM (clone3 with
# ENOSYS): no new processes or threads, no exec, sockets, mounts or namespaces, no ptrace or
# process_vm_*, no memfd/pidfd/userfaultfd/io_uring/bpf/keyctl, no timers, no signals to
# other processes, no dup (the result pipe cannot be redirected).
ALLOWED = (
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "close",
    "fstat", "newfstatat", "statx", "lstat", "stat", "lseek", "mmap", "munmap", "mprotect",
    "mremap", "madvise", "brk", "msync", "mincore", "rt_sigaction", "rt_sigprocmask",
    "rt_sigreturn", "sigaltstack", "futex", "set_robust_list", "get_robust_list", "rseq",
    "set_tid_address", "sched_yield", "sched_getaffinity", "getcpu", "getpid", "getppid",
    "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid", "getresgid",
    "getpgrp", "getpgid", "getsid", "getrlimit", "prlimit64", "getrusage", "sysinfo", "times",
    "uname", "umask", "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
    "gettimeofday", "time", "getrandom", "open", "openat", "access", "faccessat", "faccessat2",
    "readlink", "readlinkat", "getcwd", "chdir", "fchdir", "getdents", "getdents64", "mkdir",
    "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "ftruncate",
    "truncate", "fsync", "fdatasync", "fchmod", "chmod", "fchmodat", "utimensat", "flock",
    "fcntl", "fadvise64", "select", "pselect6", "poll", "ppoll", "ioctl", "exit", "exit_group",
    "sendfile", "copy_file_range", "getxattr", "lgetxattr", "fgetxattr", "listxattr",
    "llistxattr", "flistxattr", "statfs", "fstatfs", "arch_prctl", "membarrier",
)
BPF_LD_W_ABS, BPF_JEQ, BPF_JGT, BPF_RET = 0x20, 0x15, 0x25, 0x06
FCNTL_DUPLICATES = (0, 1030)  # F_DUPFD, F_DUPFD_CLOEXEC: refused like dup()
SYSCALLS = {
    "x86_64": {
        "read": 0, "write": 1, "readv": 19, "writev": 20, "pread64": 17, "pwrite64": 18,
        "preadv": 295, "pwritev": 296, "close": 3, "fstat": 5, "newfstatat": 262, "statx": 332,
        "lstat": 6, "stat": 4, "lseek": 8, "mmap": 9, "munmap": 11, "mprotect": 10,
        "mremap": 25, "madvise": 28, "brk": 12, "msync": 26, "mincore": 27,
        "rt_sigaction": 13, "rt_sigprocmask": 14, "rt_sigreturn": 15, "sigaltstack": 131,
        "futex": 202, "set_robust_list": 273, "get_robust_list": 274, "rseq": 334,
        "set_tid_address": 218, "sched_yield": 24, "sched_getaffinity": 204, "getcpu": 309,
        "getpid": 39, "getppid": 110, "gettid": 186, "getuid": 102, "geteuid": 107,
        "getgid": 104, "getegid": 108, "getgroups": 115, "getresuid": 118, "getresgid": 120,
        "getpgrp": 111, "getpgid": 121, "getsid": 124, "getrlimit": 97, "prlimit64": 302,
        "getrusage": 98, "sysinfo": 99, "times": 100, "uname": 63, "umask": 95,
        "clock_gettime": 228, "clock_getres": 229, "clock_nanosleep": 230, "nanosleep": 35,
        "gettimeofday": 96, "time": 201, "getrandom": 318, "open": 2, "openat": 257,
        "access": 21, "faccessat": 269, "faccessat2": 439, "readlink": 89, "readlinkat": 267,
        "getcwd": 79, "chdir": 80, "fchdir": 81, "getdents": 78, "getdents64": 217,
        "mkdir": 83, "mkdirat": 258, "rmdir": 84, "unlink": 87, "unlinkat": 263, "rename": 82,
        "renameat": 264, "renameat2": 316, "ftruncate": 77, "truncate": 76, "fsync": 74,
        "fdatasync": 75, "fchmod": 91, "chmod": 90, "fchmodat": 268, "utimensat": 280,
        "flock": 73, "fcntl": 72, "fadvise64": 221, "select": 23, "pselect6": 270, "poll": 7,
        "ppoll": 271, "ioctl": 16, "exit": 60, "exit_group": 231, "sendfile": 40,
        "copy_file_range": 326, "getxattr": 191, "lgetxattr": 192, "fgetxattr": 193,
        "listxattr": 194, "llistxattr": 195, "flistxattr": 196, "statfs": 137, "fstatfs": 138,
        "arch_prctl": 158, "membarrier": 324,
        "clone3": 435, "pivot_root": 155, "capset": 126, "mount_setattr": 442,
    },
    "aarch64": {
        "read": 63, "write": 64, "readv": 65, "writev": 66, "pread64": 67, "pwrite64": 68,
        "preadv": 69, "pwritev": 70, "close": 57, "fstat": 80, "newfstatat": 79, "statx": 291,
        "lseek": 62, "mmap": 222, "munmap": 215, "mprotect": 226, "mremap": 216,
        "madvise": 233, "brk": 214, "msync": 227, "mincore": 232, "rt_sigaction": 134,
        "rt_sigprocmask": 135, "rt_sigreturn": 139, "sigaltstack": 132, "futex": 98,
        "set_robust_list": 99, "get_robust_list": 100, "rseq": 293, "set_tid_address": 96,
        "sched_yield": 124, "sched_getaffinity": 123, "getcpu": 168, "getpid": 172,
        "getppid": 173, "gettid": 178, "getuid": 174, "geteuid": 175, "getgid": 176,
        "getegid": 177, "getgroups": 158, "getresuid": 148, "getresgid": 150, "getpgid": 155,
        "getsid": 156, "getrlimit": 163, "prlimit64": 261, "getrusage": 165, "sysinfo": 179,
        "times": 153, "uname": 160, "umask": 166, "clock_gettime": 113, "clock_getres": 114,
        "clock_nanosleep": 115, "nanosleep": 101, "gettimeofday": 169, "getrandom": 278,
        "openat": 56, "faccessat": 48, "faccessat2": 439, "readlinkat": 78, "getcwd": 17,
        "chdir": 49, "fchdir": 50, "getdents64": 61, "mkdirat": 34, "unlinkat": 35,
        "renameat": 38, "renameat2": 276, "ftruncate": 46, "truncate": 45, "fsync": 82,
        "fdatasync": 83, "fchmod": 52, "fchmodat": 53, "utimensat": 88, "flock": 32,
        "fcntl": 25, "fadvise64": 223, "pselect6": 72, "ppoll": 73, "ioctl": 29, "exit": 93,
        "exit_group": 94, "sendfile": 71, "copy_file_range": 285, "getxattr": 8,
        "lgetxattr": 9, "fgetxattr": 10, "listxattr": 11, "llistxattr": 12, "flistxattr": 13,
        "statfs": 43, "fstatfs": 44, "membarrier": 283,
        "clone3": 435, "pivot_root": 41, "capset": 91, "mount_setattr": 442,
    },
}


def allowed_syscalls(arch: str = ARCH) -> dict[str, int]:
    """The allowlist as name -> number on ``arch`` (names the architecture lacks omitted)."""
    numbers = SYSCALLS[arch]
    return {name: numbers[name] for name in ALLOWED if name in numbers}


def _seccomp_layer(libc: Libc) -> list[str]:
    try:
        install_seccomp(libc)
    except (OSError, KeyError):
        return []
    return ["seccomp"]


def seccomp_program(arch: str = ARCH) -> list[tuple[int, int, int, int]]:
    """The BPF filter: wrong architecture kills; allowlisted calls pass (fcntl only when it
    does not duplicate a descriptor); clone3 gets ENOSYS; everything else EPERM. The
    allowlist is searched as a balanced binary tree, so a call costs a dozen instructions."""
    ld_w, jeq, ret = BPF_LD_W_ABS, BPF_JEQ, BPF_RET
    eperm, enosys, allow = 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS, 0x7FFF0000
    numbers = SYSCALLS[arch]
    fcntl = [(ld_w, 0, 0, 24)]                                  # A = low word of args[1]
    for command in FCNTL_DUPLICATES:
        fcntl += [(jeq, 0, 1, command), (ret, 0, 0, eperm)]
    fcntl.append((ret, 0, 0, allow))
    special = {numbers["clone3"]: [(ret, 0, 0, enosys)], numbers["fcntl"]: fcntl}
    leaves = {n: [(ret, 0, 0, allow)] for n in allowed_syscalls(arch).values()}
    leaves.update(special)
    header = [(ld_w, 0, 0, 4), (jeq, 1, 0, AUDIT_ARCH[arch]), (ret, 0, 0, 0x80000000),
              (ld_w, 0, 0, 0)]
    return header + _search(sorted(leaves), leaves, [(ret, 0, 0, eperm)])


def _search(keys: list[int], leaves: dict[int, list], refuse: list) -> list:
    """Instructions dispatching the syscall number in A over sorted ``keys``."""
    if len(keys) <= 2:
        code: list = []
        for key in keys:
            body = leaves[key]
            code += [(BPF_JEQ, 0, len(body), key), *body]
        return code + refuse
    middle = len(keys) // 2
    low, high = _search(keys[:middle], leaves, refuse), _search(keys[middle:], leaves, refuse)
    if len(low) > 255:
        raise ValueError("seccomp program too deep for a conditional jump")
    return [(BPF_JGT, len(low), 0, keys[middle] - 1), *low, *high]  # A > key-1: jump to high


@functools.cache
def compiled_filter() -> tuple[ctypes.Array, ctypes.Array]:
    """``seccomp_program`` as the sock_fprog buffers prctl takes, built once per process (the
    zygote builds it, so children only attach it)."""
    program = seccomp_program()
    filters = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in program))
    fprog = ctypes.create_string_buffer(struct.pack("HxxxxxxQ", len(program),
                                                    ctypes.addressof(filters)))
    return filters, fprog


def install_seccomp(libc: Libc) -> None:
    """Attach the filter to this process (irreversible; no_new_privs first)."""
    _, fprog = compiled_filter()
    libc.call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.call("prctl", PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog, 0, 0)


def protect_trusted_process() -> None:
    """Make the grader's own memory unreadable through /proc/<pid>/mem and ptrace."""
    try:
        Libc().call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def needed_paths(assignment_dir: str) -> list[str]:
    """Folders a child needs besides the system's: the running interpreter's prefixes and
    site-packages, the ``grader`` package and the one assignment folder."""
    import site

    import grader

    paths = [sys.prefix, sys.base_prefix, *site.getsitepackages()]
    user_site = site.getusersitepackages()
    paths += [user_site] if os.path.isdir(user_site) else []
    return paths + [os.path.dirname(os.path.abspath(grader.__file__)), assignment_dir]
