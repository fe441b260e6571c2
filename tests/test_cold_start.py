"""A cold `grade`: its fork server starts blank before the heavy imports, and the command
imports nothing heavy until it has started that server."""
from __future__ import annotations

import base64
import json
import marshal
import subprocess
import sys

import numpy as np

from grader import codec, spec
from grader.execute import Task, Worker, WorkerPool, fixed_part
from grader.sandbox import Limits
from grader.worker import SUPPORT_FILENAME

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


def test_a_correct_submission_is_judged_without_numpy_in_the_grader():
    """Identical or within-tolerance results are judged on their encoding: the trusted process
    imports numpy only for a result that needs the full comparison (a wrong one here)."""
    probe = ("import sys\n"
             "from grader.execute import WorkerPool\n"
             "from grader.pipeline import grade_notebook\n"
             "with WorkerPool(size=1) as pool:\n"
             "    for name in sys.argv[1:]:\n"
             "        result = grade_notebook(name, pool)\n"
             "        print(result.score, 'numpy' in sys.modules)\n")
    folder = spec.ROOT / "fixtures" / "C1W4A1" / "submissions"
    names = [str(folder / "reference.ipynb"), str(folder / "reference.ipynb"),
             str(folder / "wrong_linear_backward_no_mean.ipynb")]
    subprocess.run([sys.executable, "-c", probe, names[0]], check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-c", probe, *names], capture_output=True, text=True,
                          check=True)  # the plan is read from the cache this time
    lines = done.stdout.split("\n")
    assert lines[:2] == ["100.0 False"] * 2
    assert lines[2].endswith(" True") and float(lines[2].split()[0]) < 100


NOTEBOOK = str(spec.ROOT / "fixtures" / "C1W4A1" / "submissions" / "reference.ipynb")


def test_one_notebook_starts_its_server_before_the_grader_is_imported():
    probe = ("import sys, grader.cli\n"
             "worker = grader.cli.early_worker(sys.argv[1:])\n"
             "print(worker.mode, worker.process.poll() is None, 'grader.cli.grade' in sys.modules,"
             " 'grader.execute' in sys.modules)\n"
             "worker.close()\n")
    done = subprocess.run([sys.executable, "-c", probe, NOTEBOOK, "--isolation", "rlimits"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["rlimits", "True", "False", "False"]


def test_no_early_server_for_a_batch_or_nothing_to_grade(tmp_path):
    from grader import cli

    folder = str(spec.ROOT / "fixtures" / "C1W4A1" / "submissions")
    for args in ([folder], [NOTEBOOK, "--out", str(tmp_path)], [NOTEBOOK, "--dask=local"],
                 [NOTEBOOK, NOTEBOOK[:-6] + "x.ipynb"], [NOTEBOOK, "-j", "2"], ["--help"],
                 [str(tmp_path / "missing.ipynb")], [NOTEBOOK, "--version"]):
        assert cli.early_worker(args) is None, args


def test_an_early_server_of_another_mode_is_closed_and_grading_goes_on(capsys):
    from grader import launch
    from grader.cli import grade

    early = launch.start("auto")
    assert grade.main([NOTEBOOK, "--isolation", "rlimits", "--format", "json"], early) == 0
    assert early.process.wait(timeout=10) == 0  # a blank server exits once closed
    assert json.loads(capsys.readouterr().out)["extra_data"]["isolation"] == ["rlimits"]


def test_the_console_script_flushes_everything_before_its_quick_exit(tmp_path):
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "grader.cli", NOTEBOOK, "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 100
    done = subprocess.run([sys.executable, "-m", "grader.cli", NOTEBOOK, "--output", str(report)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "linear_forward" in report.read_text()
    done = subprocess.run([sys.executable, "-m", "grader.cli", str(tmp_path / "missing.ipynb")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "cannot grade" in done.stderr



def test_a_reader_that_stops_early_is_not_a_failure():
    """``grade nb.ipynb | head -1``: the first line arrives, the rest goes nowhere, and the
    grade still succeeds (status 0, nothing on stderr)."""
    for extra, lines in [([], 1), (["--format", "json"], 1), ([], 0), (["--format", "json"], 0)]:
        grade = subprocess.Popen([sys.executable, "-m", "grader.cli", NOTEBOOK, *extra,
                                  "--isolation", "rlimits"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        first = [grade.stdout.readline() for _ in range(lines)]
        grade.stdout.close()  # like head: a line (or none), then the pipe is closed
        assert grade.wait(timeout=60) == 0, grade.stderr.read().decode()
        assert all(line.strip() for line in first) and grade.stderr.read() == b""

def compiled(support: list[str]) -> list:
    return [compile(source, SUPPORT_FILENAME, "exec") for source in support]


def loaded(payload: bytes) -> dict:
    """A task payload as the child reads it, its support cells loaded back as code."""
    task = json.loads(payload)
    return dict(task, support=[marshal.loads(base64.b64decode(c)) for c in task["support"]])


def test_a_task_payload_is_its_fields_as_one_json_object_support_compiled():
    cases = [{"args": {"__tuple__": [1, "é"]}, "seed": 3}]
    cell = 'def f(x, y):\n    return "quote \\" and ünïcode", x\n'
    support = ["def g():\n    pass\n"]
    plain = Task("f", cell, support, cases)
    fixed = Task("f", cell, support, cases, fixed_part("f", support, cases))
    expected = {"function": "f", "cell": cell, "support": compiled(support), "cases": cases}
    assert loaded(plain.payload()) == loaded(fixed.payload()) == expected


def test_a_plan_encodes_the_fixed_part_of_its_tasks_once():
    from grader import extract, notebook, pipeline

    nb = notebook.read(spec.FIXTURES_DIR / "C1W4A1" / "submissions" / "reference.ipynb")
    cells, _ = extract.graded_cells(nb)
    plan = pipeline.plan_for("C1W4A1")
    assert any(task.support for name in plan.functions
               for task, _ in plan.tasks(name, cells[name]))  # stand-ins are sent somewhere
    for name in plan.functions:
        first, again = plan.tasks(name, cells[name]), plan.tasks(name, cells[name])
        for (task, indices), (other, _) in zip(first, again):
            assert task.fixed is other.fixed  # the same bytes: encoded once
            assert loaded(task.payload()) == {
                "function": name, "cell": cells[name].source, "support": compiled(task.support),
                "cases": [plan.encoded[name][i] for i in indices]}


def test_warming_the_table_prints_nothing_and_keeps_the_language(capsys):
    from grader import i18n, report

    with i18n.using("ko"):
        report.prepare_table()
        assert i18n._("passed") != "passed"  # still Korean
    assert capsys.readouterr() == ("", "")


def test_inputs_left_as_they_were_are_not_sent_back_but_changed_ones_are():
    cell = ("import numpy as np\n"
            "def keep(x):\n    return x.sum()\n"
            "def change(x):\n    x[0] = 7.0\n    return x.sum()\n")
    args = codec.to_plain((np.arange(3.0),))
    with WorkerPool(size=1) as pool:
        worker = pool._acquire(SETUP)
        try:
            runs = {name: worker.run_task(Task(name, cell, [], [{"args": args, "seed": 0}]),
                                          Limits()) for name in ("keep", "change")}
        finally:
            pool._release(worker)
    kept, changed = runs["keep"].cases[0], runs["change"].cases[0]
    assert "args_same" not in kept and kept["args_after"] is args  # the inputs as sent
    assert codec.from_plain(changed["args_after"])[0].tolist() == [7.0, 1.0, 2.0]
    assert codec.from_plain(kept["output"]) == 3.0 and codec.from_plain(changed["output"]) == 10.0
