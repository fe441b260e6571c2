"""Red team, second round: the allowlist root, the pristine fork server, the strict result
channel and the seccomp allowlist.

Probes run as graded functions in real sandboxed children (``Worker.run_task``) and report
what they can see as their return value; hostile notebooks go through ``grade_notebook``.
"""
from __future__ import annotations

import ctypes
import json
import os
import tempfile
import textwrap
from pathlib import Path

import nbformat
import pytest

from grader import codec, execute, sandbox, spec
from grader.execute import FrameReader, Job, Task, Worker, WorkerPool
from grader.pipeline import grade_notebook
from grader.sandbox import Limits
from grader.worker import END, HEADER, passing_frame

ROOT = spec.ROOT
ASSIGNMENT = str(spec.ASSIGNMENTS_DIR / "C1W4A1")
SETUP = (ASSIGNMENT, "import numpy as np", ())
REFERENCE_NB = ROOT / "fixtures" / "C1W4A1" / "submissions" / "reference.ipynb"


def probe(body: str, support: list[str] | None = None, cases: int = 1) -> Task:
    """A task whose function ``probe(x)`` runs ``body`` and returns what it found."""
    cell = "def probe(x):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return Task("probe", cell, support or [],
                [{"args": codec.to_plain((i,)), "seed": 0} for i in range(cases)])


def output(result) -> object:
    assert result.ending == "done", result
    frame = result.cases[0]
    assert "output" in frame, frame
    return codec.from_plain(frame["output"])


@pytest.fixture(scope="module")
def worker():
    started = Worker(SETUP)
    yield started
    started.close()


@pytest.fixture(scope="module")
def full(worker):
    if "allowlist-root" not in worker.isolation:
        pytest.skip(f"no allowlist root on this machine (have {worker.isolation})")
    return worker


VIEW = """
import os
return {"root": sorted(os.listdir("/")),
        "visible": [p for p in PATHS if os.path.lexists(p)],
        "environ": sorted(os.environ), "uid": os.getuid(), "cwd": os.getcwd()}
"""


def allowlisted_top_level() -> set[str]:
    """First components of every path the child's root may hold, plus the scratch."""
    needed = sandbox.needed_paths(ASSIGNMENT)
    paths = sandbox.allowlist(needed) + needed + list(sandbox.SYSTEM_LIBRARIES)
    return {Path(p).parts[1] for p in paths if len(Path(p).parts) > 1} | {"scratch"}


def test_child_sees_only_the_allowlist(full, tmp_path):
    copy = tmp_path / "reference-copy"
    copy.mkdir()
    Path(tempfile.gettempdir(), "dnn-grader-secret-probe").touch()
    (copy / "solutions.py").write_text("SECRET = 1\n")
    secrets = [ROOT / "reference", ROOT / "fixtures", ROOT / ".git", ROOT / "tests", copy,
               "/proc/self/mountinfo", "/root/.ssh", "/etc/passwd", "/run", "/sys", "/dev/shm",
               tempfile.gettempdir() + "/dnn-grader-secret-probe"]
    body = VIEW.replace("PATHS", repr([str(p) for p in secrets]))
    seen = output(full.run_task(probe(body), Limits()))
    assert seen["visible"] == []
    assert set(seen["root"]) <= allowlisted_top_level()
    assert os.path.isdir(ROOT / "reference")  # hidden from the child, not from us


def test_child_environment_is_an_allowlist(monkeypatch):
    monkeypatch.setenv("DNN_GRADER_TOKEN", "tok-123")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-456")
    fresh = Worker(SETUP)
    try:
        seen = output(fresh.run_task(probe(VIEW.replace("PATHS", "[]")), Limits()))
    finally:
        fresh.close()
    assert "DNN_GRADER_TOKEN" not in seen["environ"]
    assert "AWS_SECRET_ACCESS_KEY" not in seen["environ"]
    assert set(seen["environ"]) <= {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "MPLCONFIGDIR",
                                    "PYTHONPATH", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE",
                                    "MPLBACKEND", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                    "MKL_NUM_THREADS"}


MEMORY_HUNT = """
import sys
markers = [m[::-1] for m in REVERSED]
skip = {id(m) for m in markers}
found, seen, stack = [], set(), []
frame = sys._getframe()
while frame is not None:
    stack += [frame.f_locals, frame.f_globals]
    frame = frame.f_back
stack += [vars(m) for m in list(sys.modules.values()) if m is not None]
while stack:
    value = stack.pop()
    if id(value) in seen or id(value) in skip:
        continue
    seen.add(id(value))
    if isinstance(value, str):
        found += [i for i, m in enumerate(markers) if m in value and i not in found]
    elif isinstance(value, dict):
        stack += list(value.keys()) + list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        stack += list(value)
return sorted(found)
"""


def hunt(*markers: str) -> str:
    """Probe body: indexes of ``markers`` found anywhere reachable (written reversed, so the
    probe's own source does not contain them)."""
    return MEMORY_HUNT.replace("REVERSED", repr([m[::-1] for m in markers]))


def test_a_child_holds_only_its_own_task(full):
    """Support sent for a later function and a previous submission's task are nowhere."""
    previous = probe("return 1  # OTHER_SUBMISSION_MARKER")
    assert output(full.run_task(previous, Limits())) == 1
    own = probe(hunt("OWN_MARKER", "OTHER_SUBMISSION_MARKER", "LATER_SUPPORT_MARKER")
                + "# OWN_MARKER")
    later = probe("return 0", support=["# LATER_SUPPORT_MARKER\ndef helper():\n    pass"])
    results = full.run(Job(SETUP[0], SETUP[1], [own, later], Limits()))
    assert output(results[0]) == [0]  # its own cell only
    assert output(results[1]) == 0


def graded(nb_cells: dict[str, str], tmp_path, pool, name: str = "nb.ipynb", **kw):
    nb = nbformat.read(REFERENCE_NB, as_version=4)
    for cell in nb.cells:
        for function, source in nb_cells.items():
            if cell.cell_type == "code" and cell.source.startswith(f"# GRADED FUNCTION: {function}\n"):
                cell.source = source
    path = tmp_path / name
    nbformat.write(nb, path)
    return {f.name: f for f in grade_notebook(path, pool, **kw).functions}


def reference_cell(function: str) -> str:
    return spec.load("C1W4A1").reference_blocks[function]


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=1) as workers:
        yield workers


def test_global_changes_of_one_cell_do_not_reach_other_functions(pool, tmp_path):
    cell = reference_cell("initialize_parameters") + "\nnp.dot = lambda a, b: 0\nnp.sum = None\n"
    scores = graded({"initialize_parameters": cell}, tmp_path, pool)
    assert all(f.status == "passed" for f in scores.values()), scores


LINEAR_FORWARD = """# GRADED FUNCTION: linear_forward
import numpy as np
{top}
def linear_forward(A, W, b):
{body}
"""

RESTORE_HOOKS = {
    "setprofile": "import sys\nsys.setprofile(restore)",
    "settrace": "import sys\nsys.settrace(restore)",
    "threading_setprofile": "import threading, sys\nthreading.setprofile(restore)\nsys.setprofile(restore)",
    "audit_hook": "import sys\nsys.addaudithook(lambda e, a: restore(None, e, a))",
}


@pytest.mark.parametrize("hook", sorted(RESTORE_HOOKS))
def test_hooks_cannot_hide_an_in_place_update(hook, pool, tmp_path):
    """Mutate the input, then try to restore it between the call and the snapshot."""
    lines = ["original = A.copy()", "def restore(frame, event, arg):", "    A[...] = original",
             *RESTORE_HOOKS[hook].splitlines(), "A *= 2",
             "return np.dot(W, original) + b, (original, W, b)"]
    body = textwrap.indent("\n".join(lines), "    ")
    scores = graded({"linear_forward": LINEAR_FORWARD.format(top="", body=body)}, tmp_path, pool)
    assert scores["linear_forward"].score == 0
    message = scores["linear_forward"].message
    assert "not allowed" in message or "modified its input `A` in place" in message


def test_rebinding_what_the_snapshot_uses_is_tampering(pool, tmp_path):
    body = "    return np.dot(W, A) + b, (A, W, b)"
    top = ("from grader import codec\nreal = codec.to_plain\n"
           "codec.to_plain = lambda value, readable=False: real(value, readable)")
    scores = graded({"linear_forward": LINEAR_FORWARD.format(top=top, body=body)}, tmp_path, pool)
    assert scores["linear_forward"].score == 0
    assert "tamper" in scores["linear_forward"].message


def test_forged_frames_then_exit_are_tampering(pool, tmp_path):
    body = textwrap.indent(textwrap.dedent("""
        import json, os, struct
        frame = json.dumps({"case": 0, "output": {"__tuple__": [1, 2]}}).encode()
        end = json.dumps({"end": True}).encode()
        for fd in range(3, 64):
            try:
                os.write(fd, struct.pack(">I", len(frame)) + frame)
                os.write(fd, struct.pack(">I", len(end)) + end)
            except OSError:
                pass
        os._exit(0)"""), "    ")
    scores = graded({"linear_forward": LINEAR_FORWARD.format(top="", body=body)}, tmp_path, pool)
    assert scores["linear_forward"].score == 0
    assert scores["update_parameters"].status == "passed"


@pytest.mark.parametrize("isolation", ["auto", "rlimits"])
def test_every_function_gets_a_fresh_scratch_and_cleanup_never_fails(isolation, tmp_path,
                                                                    monkeypatch):
    deep = probe("""
        import os
        for _ in range(1200):
            os.mkdir("d")
            os.chdir("d")
        open("left.txt", "w").write("x")
        return 1""")
    look = probe("import os\nreturn sorted(os.listdir('.'))")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    worker = Worker(SETUP, isolation)
    try:
        for _ in range(2):
            assert output(worker.run_task(deep, Limits())) == 1
            assert output(worker.run_task(look, Limits())) == []
    finally:
        worker.close()
    assert os.listdir(tmp_path) == []


def test_a_graded_cell_over_32_mib_is_graded(full):
    task = probe("return x + 1\n" + "# padding\n" * (4 * 1024 * 1024))
    assert len(task.cell) > 40 * 2**20
    assert output(full.run_task(task, Limits())) == 1


def test_exit_status_is_not_reported(full):
    result = full.run_task(probe("import os\nos.abort()"), Limits())
    assert result.ending == "ended early"
    assert "SIG" not in json.dumps(result.__dict__, default=str)


# ----------------------------------------------------------------------------- channel

def frames(*payloads: bytes) -> bytes:
    return b"".join(HEADER.pack(len(p)) + p for p in payloads)


READY = json.dumps({"ready": True, "isolation": ["rlimits"]}).encode()
CASE0 = json.dumps({"case": 0, "output": 1}).encode()
CASE1 = json.dumps({"case": 1, "output": 2}).encode()
SENT = [{"args": {"__tuple__": [index]}, "seed": 0} for index in range(2)]  # cases as sent


@pytest.mark.parametrize("stream, ending", [
    (frames(READY, CASE0, CASE1, END), "done"),
    (frames(READY, CASE0, CASE0, CASE1, END), "tampered"),
    (frames(CASE0, READY, CASE1, END), "tampered"),
    (frames(READY, READY, CASE0, CASE1, END), "tampered"),
    (frames(READY, CASE0, END), "tampered"),
    (frames(READY, CASE1, CASE0, END), "tampered"),
    (frames(READY, CASE0, CASE1, END, CASE0), "tampered"),
    (frames(READY, json.dumps({"case": True, "output": 1}).encode(), CASE1, END), "tampered"),
    (frames(READY, b"\xff\xfe not utf-8", CASE0, CASE1, END), "tampered"),
    (frames(READY, b"[" + b"0," * 2_000_000 + b"0]", CASE0, CASE1, END), "tampered"),
    (frames(READY, json.dumps({"fatal": "cell", "error": "x"}).encode(), CASE0, END), "tampered"),
    (frames(READY, CASE0), "ended early"),
], ids=["honest", "duplicate", "before-ready", "second-ready", "missing-case", "out-of-order",
        "after-end", "bool-index", "invalid-utf8", "token-bomb", "case-after-fatal", "crash"])
def test_frame_reader_accepts_only_the_honest_sequence(stream, ending):
    reader = FrameReader(SENT[:2], cap=32 * 2**20)
    got = None
    for start in range(0, len(stream), 1 << 16):
        got = reader.feed(stream[start:start + (1 << 16)])
        if got:
            break
    got = got or reader.eof()
    assert got == ending
    result = reader.result(got, 0.0)
    assert (result.cases == {}) == (ending != "done" and ending != "ended early")


def test_frame_reader_caps_bytes_and_texts():
    reader = FrameReader(SENT[:1], cap=1024)
    assert reader.feed(HEADER.pack(10**8)) == "overflow"
    reader = FrameReader(SENT[:1], cap=2**20)
    big = json.dumps({"case": 0, "output": 1, "stdout": "x" * 100_000, "error": "e" * 50_000})
    assert reader.feed(frames(READY, big.encode(), END)) == "done"
    assert len(reader.cases[0]["stdout"]) <= 4000 and len(reader.cases[0]["error"]) <= 4000


PASSING = [(passing_frame(index, index + 1), index + 1) for index in range(2)]


def _read(reader: FrameReader, stream: bytes) -> str:
    return reader.feed(stream) or reader.eof()


def test_a_frame_equal_to_an_expected_results_is_taken_without_decoding(monkeypatch):
    decoded = []
    monkeypatch.setattr(execute, "_decode", lambda payload: decoded.append(payload) or
                        json.loads(payload))
    reader = FrameReader(SENT[:2], cap=2**20, passing=PASSING)
    assert _read(reader, frames(READY, PASSING[0][0], PASSING[1][0], END)) == "done"
    assert decoded == [READY]
    assert reader.cases[1] == {"case": 1, "output": 2, "stdout": "",
                               "args_after": SENT[1]["args"]}
    printed = json.dumps({"case": 1, "output": 2, "args_same": True, "stdout": "hi"}).encode()
    reader = FrameReader(SENT[:2], cap=2**20, passing=PASSING)
    assert _read(reader, frames(READY, PASSING[0][0], printed, END)) == "done"
    assert decoded[-1] == printed and reader.cases[1]["stdout"] == "hi"


@pytest.mark.parametrize("stream", [
    frames(PASSING[0][0], READY, PASSING[1][0], END),
    frames(READY, PASSING[0][0], PASSING[0][0], PASSING[1][0], END),
    frames(READY, PASSING[1][0], PASSING[0][0], END),
    frames(READY, json.dumps({"fatal": "cell", "error": "x"}).encode(), PASSING[0][0], END),
    frames(READY, PASSING[0][0], PASSING[1][0], END, PASSING[0][0]),
], ids=["before-ready", "duplicate", "out-of-order", "after-fatal", "after-end"])
def test_expected_results_frames_follow_the_same_rules(stream):
    assert _read(FrameReader(SENT[:2], cap=2**20, passing=PASSING), stream) == "tampered"


def test_a_child_sends_passing_frames_for_expected_results(pool, monkeypatch):
    """The worker's bytes for an unchanged, silent case are ``passing_frame``'s: the reference
    takes the fast path, and every case decoded anyway only differs in its values."""
    decoded, taken = [], []
    decode, passing = execute._decode, FrameReader._passing
    monkeypatch.setattr(execute, "_decode", lambda payload: decoded.append(payload) or
                        decode(payload))
    monkeypatch.setattr(FrameReader, "_passing", lambda self, payload: taken.append(
        passing(self, payload)) or taken[-1])
    assignment = spec.load("C1W4A1")
    result = grade_notebook(assignment.fixtures_dir / "submissions" / "reference.ipynb", pool)
    assert result.score == result.max_score
    assert sum(frame is not None for frame in taken) >= 16
    for payload in decoded:
        frame = json.loads(payload)
        if frame.get("args_same") and frame.get("stdout") == "":
            assert passing_frame(frame["case"], frame["output"]) == payload


# ----------------------------------------------------------------------------- seccomp

EXPECTED_ALLOWED = set(sandbox.ALLOWED)


def test_the_seccomp_allowlist_is_exactly_what_is_documented():
    allowed = sandbox.allowed_syscalls("x86_64")
    assert set(allowed) == EXPECTED_ALLOWED
    forbidden = {"socket", "connect", "fork", "vfork", "clone", "execve", "ptrace", "mount",
                 "umount2", "unshare", "setns", "pivot_root", "open_tree", "move_mount",
                 "fsopen", "memfd_create", "pidfd_open", "process_vm_readv", "bpf", "keyctl",
                 "io_uring_setup", "userfaultfd", "dup", "dup2", "dup3", "kill", "tgkill",
                 "setitimer", "timer_create", "shmget", "msgget", "semget", "prctl", "capset"}
    assert not forbidden & set(allowed)
    assert len(sandbox.seccomp_program("x86_64")) < 4096
    assert set(sandbox.allowed_syscalls("aarch64")) <= EXPECTED_ALLOWED


RAW_CALLS = {  # x86_64 numbers: the new mount API, memfd, pidfd, x32 ABI, SysV IPC, dup
    "open_tree": (428, -100, b"/", 1), "fsopen": (430, b"tmpfs", 0),
    "memfd_create": (319, b"x", 0), "pidfd_open": (434, 1, 0),
    "x32_getpid": (0x40000000 | 39,), "shmget": (29, 0, 4096, 0o1600), "dup": (32, 1),
    "socket": (41, 2, 1, 0), "setitimer": (38, 0, 0, 0), "kill_init": (62, 1, 9),
}


@pytest.mark.skipif(sandbox.ARCH != "x86_64", reason="raw numbers below are x86_64's")
def test_seccomp_refuses_everything_off_the_list():
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            import numpy as np
            sandbox.install_seccomp(sandbox.Libc())
            report = {}
            for name, call in RAW_CALLS.items():
                result = libc.syscall(*[ctypes.c_long(a) if isinstance(a, int) else a
                                        for a in call])
                report[name] = ctypes.get_errno() if result == -1 else "allowed"
            report["numpy"] = float((np.ones((50, 50)) @ np.ones((50, 50))).sum())
            report["fcntl_getfl"] = libc.fcntl(write_end, 3) >= 0
            report["fcntl_dupfd"] = libc.fcntl(write_end, 0, 10)
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    report = json.loads(os.read(read_end, 1 << 16))
    os.waitpid(pid, 0)
    assert {name: report[name] for name in RAW_CALLS} == {name: 1 for name in RAW_CALLS}
    assert report["numpy"] == 50 * 50 * 50
    assert report["fcntl_getfl"] is True and report["fcntl_dupfd"] == -1


def run_filter(program: list, number: int, arg1: int = 0, arch: str = "x86_64") -> int:
    """Interpret the classic-BPF subset the filter uses; returns the action."""
    pc, acc, fields = 0, 0, {4: sandbox.AUDIT_ARCH[arch], 0: number, 24: arg1}
    while True:
        code, jt, jf, k = program[pc]
        if code == 0x20:
            acc, pc = fields[k], pc + 1
        elif code in (0x15, 0x25):
            taken = acc == k if code == 0x15 else acc > k
            pc += 1 + (jt if taken else jf)
        else:
            return k


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_filter_decides_every_number_as_listed(arch):
    program = sandbox.seccomp_program(arch)
    allowed = set(sandbox.allowed_syscalls(arch).values())
    numbers = sandbox.SYSCALLS[arch]
    allow, eperm, enosys = 0x7FFF0000, 0x00050001, 0x00050026
    for number in [*range(600), 0x40000000 | 39, 0x40000000 | 0]:
        if number == numbers["fcntl"]:
            continue
        expected = allow if number in allowed else enosys if number == numbers["clone3"] else eperm
        assert run_filter(program, number, arch=arch) == expected, number
    assert run_filter(program, numbers["fcntl"], 3, arch) == allow          # F_GETFL
    assert run_filter(program, numbers["fcntl"], 0, arch) == eperm          # F_DUPFD
    assert run_filter(program, numbers["fcntl"], 1030, arch) == eperm       # F_DUPFD_CLOEXEC


def test_per_function_children_share_nothing():
    """With a child per graded function, not even an earlier function's task survives."""
    worker = Worker(SETUP, per_function=True)
    try:
        if "allowlist-root" not in worker.isolation:
            pytest.skip("no allowlist root on this machine")
        first = probe("return 1  # EARLIER_FUNCTION_MARKER")
        second = probe(hunt("EARLIER_FUNCTION_MARKER", "SECOND_OWN_MARKER") + "# SECOND_OWN_MARKER")
        results = worker.run(Job(SETUP[0], SETUP[1], [first, second], Limits()))
        assert output(results[0]) == 1
        assert output(results[1]) == [1]  # its own marker only
    finally:
        worker.close()


def test_cli_grades_with_a_child_per_function(tmp_path):
    from grader import cli

    target = tmp_path / "results.json"
    assert cli.main([str(REFERENCE_NB), "--child-per-function", "--format", "json",
                     "--output", str(target)]) == 0
    assert json.loads(target.read_text())["score"] == 100
