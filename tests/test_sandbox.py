"""Red team: hostile submissions must not earn points, harm the grader or other students.

Each case replaces the ``linear_forward`` cell of the full-marks C1W4A1 notebook with hostile
code. It must score 0 with a message saying what happened, the nine other functions must
still pass, and the grader (and its pool) must keep working.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import nbformat
import pytest

from grader import spec
from grader.execute import WorkerPool
from grader.pipeline import grade_notebook

ROOT = spec.ROOT
SUBMISSIONS = ROOT / "fixtures" / "C1W4A1" / "submissions"
EXPECTED = ROOT / "fixtures" / "C1W4A1" / "expected.json"
SOLUTIONS = ROOT / "reference" / "C1W4A1" / "solutions.py"


def hostile_cell(body: str, top: str = "") -> str:
    return (f"# GRADED FUNCTION: linear_forward\nimport numpy as np\n{textwrap.dedent(top)}\n"
            f"def linear_forward(A, W, b):\n{textwrap.indent(textwrap.dedent(body), '    ')}\n")


# name -> (top-level code, function body, words the feedback must contain)
ATTACKS = {
    "read_expected_outputs": ("", f"""
        import json
        data = json.load(open({str(EXPECTED)!r}))
        return data["linear_forward/course example"], (A, W, b)""", "raised"),
    "exec_reference_solutions": ("", f"""
        ns = {{}}
        exec(open({str(SOLUTIONS)!r}).read(), ns)
        return ns["linear_forward"](A, W, b)""", "raised"),
    "import_grader_spec": ("", """
        from grader import spec
        return spec.load("C1W4A1").reference("linear_forward")(A, W, b)""", "raised"),
    "walk_fixtures_tree": ("", f"""
        import os
        found = [f for _, _, fs in os.walk({str(ROOT / 'fixtures')!r}) for f in fs]
        assert found, "nothing visible"
        return found""", "raised AssertionError"),
    "read_parent_memory_via_proc": ("", """
        import os
        with open(f"/proc/{os.getppid()}/mem", "rb") as f:
            return f.read(10)""", "raised"),
    "scan_proc_for_grader": ("", """
        import os
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
        assert len(pids) > 3, pids
        return pids""", "raised"),
    "gc_hunt_for_expected": ("", """
        import gc
        for obj in gc.get_objects():
            if isinstance(obj, dict) and "expected" in obj:
                return obj["expected"], (A, W, b)
        return np.zeros((W.shape[0], A.shape[1])), (A, W, b)""", "not allowed"),
    "frame_introspection": ("", """
        import sys
        frame = sys._getframe(1)
        while frame:
            for value in frame.f_locals.values():
                if isinstance(value, dict) and "expected" in value:
                    return value["expected"]
            frame = frame.f_back
        return np.ones((W.shape[0], A.shape[1])), (A, W, b)""", "wrong values"),
    "monkeypatch_numpy_comparisons": ("""
        np.allclose = lambda *a, **k: True
        np.isclose = lambda *a, **k: np.array(True)
        np.testing.assert_allclose = lambda *a, **k: None
        np.array_equal = lambda *a, **k: True""", """
        return np.zeros((W.shape[0], A.shape[1])), (A, W, b)""", "wrong values"),
    "patch_builtins": ("""
        import builtins
        builtins.isinstance = lambda *a: True
        builtins.len = lambda x: 0""", """
        return np.zeros((W.shape[0], A.shape[1])), (A, W, b)""", "before returning a result"),
    "hijack_stand_ins_of_later_functions": ("""
        import marshal
        fake = "def linear_forward(A, W, b):\\n    return A[:0], (A, W, b)"
        marshal.loads = lambda data: compile(fake, "<fake>", "exec")""", """
        return np.zeros((W.shape[0], A.shape[1])), (A, W, b)""", "wrong values"),
    "object_with_lying_eq": ("""
        class Always:
            def __eq__(self, other): return True
            def __array__(self, *a, **k): return np.zeros(1)""", """
        return Always(), (A, W, b)""", "cannot be graded"),
    "ndarray_subclass": ("""
        class Liar(np.ndarray):
            def __eq__(self, other): return np.ones(self.shape, bool)""", """
        return np.zeros((W.shape[0], A.shape[1])).view(Liar), (A, W, b)""", "cannot be graded"),
    "dict_subclass": ("""
        class D(dict):
            def keys(self): return ["Z"]""", """
        return D(), (A, W, b)""", "cannot be graded"),
    "float_subclass": ("""
        class F(float):
            def __eq__(self, other): return True""", """
        return F(1.0), (A, W, b)""", "cannot be graded"),
    "nan_result": ("", """
        return np.full((W.shape[0], A.shape[1]), np.nan), (A, W, b)""", "NaN"),
    "inf_result": ("", """
        return np.full((W.shape[0], A.shape[1]), np.inf), (A, W, b)""", "inf"),
    "print_fake_report": ("", """
        print('{"score": 100, "max_score": 100, "tests": []}')
        print("linear_forward  5/5  passed")
        return None, None""", "Z:"),
    "forge_result_frames": ("", """
        import json, os, struct
        for fd in range(3, 30):
            for frame in ({"ready": True, "isolation": ["forged"]},
                          {"case": 0, "output": {"__tuple__": [1, 2]}, "args_after": {"__tuple__": []}}):
                data = json.dumps(frame).encode()
                try:
                    os.write(fd, struct.pack(">I", len(data)) + data)
                except OSError:
                    pass
        return None, None""", "tamper"),
    "sys_exit_zero": ("", "import sys\nsys.exit(0)", "tried to stop the grader"),
    # the fork server runs without ``site``; the builtins it adds are there all the same
    "builtin_exit": ("", "exit(0)", "tried to stop the grader"),
    "builtin_quit": ("", "quit()", "tried to stop the grader"),
    "os_exit_zero": ("", "import os\nos._exit(0)", "before returning a result"),
    "kill_parent_and_group": ("", """
        import os, signal
        for pid in (os.getppid(), 1, -1):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        os.killpg(0, signal.SIGKILL)""", "PermissionError"),
    "endless_loop": ("", "while True:\n    pass", "time limit"),
    "sleep_forever": ("", "import time\ntime.sleep(3600)", "time limit"),
    "memory_bomb": ("", "hog = [np.zeros(10**7) for _ in range(1000)]", "out of memory"),
    "single_huge_allocation": ("", "return np.ones((10**5, 10**5)), (A, W, b)", "out of memory"),
    "fork_bomb": ("", """
        import os
        while True:
            os.fork()""", "PermissionError"),
    "thread_bomb": ("", """
        import threading, time
        while True:
            threading.Thread(target=time.sleep, args=(100,)).start()""", "raised"),
    "spawn_process": ("", """
        import subprocess
        subprocess.run(["cat", "/etc/hostname"])""", "PermissionError"),
    "output_flood": ("", """
        import os
        for _ in range(2000):
            print("x" * 100_000)
            os.write(1, b"y" * 100_000)
        return None, None""", "Z:"),
    "huge_return_value": ("", "return np.zeros((9000, 9000)), (A, W, b)", "larger than"),
    "deep_recursion": ("", """
        def down(n):
            return down(n + 1)
        return down(0)""", "RecursionError"),
    "deeply_nested_return": ("", """
        value = []
        for _ in range(10000):
            value = [value]
        return value, (A, W, b)""", "cannot be graded"),
    "fill_the_disk": ("", """
        with open("big.bin", "wb") as f:
            while True:
                f.write(b"x" * 2**20)""", "raised"),
    "network_access": ("", """
        import socket
        socket.create_connection(("127.0.0.1", 22), timeout=1)""", "PermissionError"),
    "write_outside_scratch": ("", f"""
        with open({str(ROOT / 'grader' / 'checks.py')!r}, "a") as f:
            f.write("\\n# tampered\\n")""", "raised"),
    "read_other_submissions": ("", f"""
        names = os.listdir({str(SUBMISSIONS)!r})
        assert names, "no other submission visible"
        return names""", "raised"),
}


@pytest.fixture(scope="module")
def reference_nb():
    return nbformat.read(SUBMISSIONS / "reference.ipynb", as_version=4)


def write_hostile(nb, tmp_path: Path, top: str, body: str) -> Path:
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION: linear_forward"):
            cell.source = hostile_cell(body, top).replace("names = os", "import os\n    names = os")
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def layers(pool, reference_nb, tmp_path_factory):
    path = tmp_path_factory.mktemp("probe") / "probe.ipynb"
    nbformat.write(reference_nb, path)
    return grade_notebook(path, pool).isolation


NEEDS_LAYER = {"read_expected_outputs": "allowlist-root",
               "exec_reference_solutions": "allowlist-root",
               "import_grader_spec": "allowlist-root", "walk_fixtures_tree": "allowlist-root",
               "read_other_submissions": "allowlist-root", "gc_hunt_for_expected": "seccomp",
               "patch_builtins": "seccomp", "forge_result_frames": "seccomp", "scan_proc_for_grader": "pid-namespace",
               "read_parent_memory_via_proc": "pid-namespace", "fork_bomb": "seccomp",
               "thread_bomb": "seccomp", "spawn_process": "seccomp", "network_access": "seccomp",
               "write_outside_scratch": "read-only-fs", "kill_parent_and_group": "pid-namespace"}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_submission_earns_nothing(attack, pool, reference_nb, layers, tmp_path):
    needed = NEEDS_LAYER.get(attack)
    if needed and needed not in layers:
        pytest.skip(f"isolation layer {needed!r} is not available here (have {layers})")
    top, body, words = ATTACKS[attack]
    checks_before = (ROOT / "grader" / "checks.py").read_text()
    result = grade_notebook(write_hostile(reference_nb, tmp_path, top, body), pool, timeout=3)
    scores = {f.name: f for f in result.functions}
    target = scores.pop("linear_forward")
    assert target.score == 0, target
    assert words in target.message, target.message
    assert [f.name for f in scores.values() if f.status != "passed"] == []
    assert (ROOT / "grader" / "checks.py").read_text() == checks_before
    assert len(target.output) <= 4000


def test_pool_survives_the_red_team(pool, reference_nb, tmp_path):
    path = tmp_path / "ok.ipynb"
    nbformat.write(reference_nb, path)
    result = grade_notebook(path, pool)
    assert result.score == result.max_score


OWN_PIPES_ONLY = """
    pipes = [fd for fd in range(3, 1024) if _is_pipe(fd)]
    assert len(pipes) == 2, f"this child holds {len(pipes)} pipe ends"
    return np.dot(W, A) + b, (A, W, b)""", """
import os, stat
def _is_pipe(fd):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False
"""


def test_a_child_holds_only_its_own_pipes(reference_nb, tmp_path):
    """The server forks spare children ahead, several in a row: each child must close the
    pipe ends of every other one (else it could write another submission's tasks or read its
    results), keeping only its task pipe and its frame pipe."""
    body, top = OWN_PIPES_ONLY
    path = write_hostile(reference_nb, tmp_path, top, body)
    with WorkerPool(size=1) as workers:
        results = [grade_notebook(path, workers) for _ in range(8)]  # spares made in a row
    failures = [(f.name, f.message) for r in results for f in r.functions if f.status != "passed"]
    assert failures == []


def test_report_states_the_isolation_achieved(layers):
    assert layers[0] == "rlimits"
    if os.geteuid() == 0:
        assert {"namespaces", "allowlist-root", "read-only-fs", "pid-namespace",
                "scratch-tmpfs", "uid-nobody", "seccomp"} <= set(layers)


DEGRADED = ["endless_loop", "memory_bomb", "sys_exit_zero", "os_exit_zero", "object_with_lying_eq",
            "monkeypatch_numpy_comparisons", "huge_return_value", "output_flood"]


@pytest.fixture(scope="module")
def limits_only_pool():
    with WorkerPool(size=1, isolation="rlimits") as workers:
        yield workers


@pytest.mark.parametrize("attack", DEGRADED)
def test_limits_only_mode_still_contains_attacks(attack, limits_only_pool, reference_nb, tmp_path):
    top, body, words = ATTACKS[attack]
    result = grade_notebook(write_hostile(reference_nb, tmp_path, top, body), limits_only_pool,
                            timeout=3)
    assert result.isolation == ["rlimits"]
    scores = {f.name: f for f in result.functions}
    assert scores["linear_forward"].score == 0 and words in scores["linear_forward"].message
    assert all(f.status == "passed" for n, f in scores.items() if n != "linear_forward")


USERNS_PROBE = """
import json, sys
from grader.execute import WorkerPool
from grader.pipeline import grade_notebook
with WorkerPool(size=1) as pool:
    result = grade_notebook(sys.argv[1], pool, timeout=3)
print(json.dumps({"isolation": result.isolation,
                  "scores": {f.name: [f.score, f.message] for f in result.functions}}))
"""


@pytest.mark.parametrize("mapping", [["--map-root-user"], ["--map-user=1000", "--map-group=1000"]],
                         ids=["namespace-root", "non-root-user"])
def test_unprivileged_user_namespace_still_hides_secrets(mapping, reference_nb, tmp_path):
    """In a user namespace (what a normal user gets), as its root or as a plain user, every
    layer holds but uid-nobody: the child then keeps no capability instead."""
    import json
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("util-linux unshare is not installed")
    top, body, _ = ATTACKS["read_expected_outputs"]
    path = write_hostile(reference_nb, tmp_path, top, body)
    run = subprocess.run(["unshare", *mapping, sys.executable, "-c", USERNS_PROBE, str(path)],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0 and "unshare" in run.stderr:
        pytest.skip(f"user namespaces are not allowed here: {run.stderr.strip()[:200]}")
    report = json.loads(run.stdout)
    assert "uid-nobody" not in report["isolation"]
    assert {"namespaces", "allowlist-root", "read-only-fs", "scratch-tmpfs",
            "no-capabilities", "seccomp"} <= set(report["isolation"])
    assert report["scores"]["linear_forward"][0] == 0
    assert "raised" in report["scores"]["linear_forward"][1]
    assert report["scores"]["update_parameters"][0] == 10
