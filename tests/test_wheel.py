"""The built wheel, installed into a fresh virtual environment, grades from any folder with
every isolation layer, and the installed packs' reference/ and fixtures/ stay hidden."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import spec

SUBMISSIONS = spec.FIXTURES_DIR / "C1W4A1" / "submissions"
pytestmark = pytest.mark.slow


BUILT_HERE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the project (a build in place would leave its build/
    folder in the checkout, whose stale files a later build could pack)."""
    root = tmp_path_factory.mktemp("wheel")
    source = shutil.copytree(spec.ROOT, root / "source", ignore=BUILT_HERE)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                    "-w", str(root / "dist")], check=True, capture_output=True)
    return next((root / "dist").glob("dnn_grader-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel) -> Path:
    root = wheel.parent.parent
    # the dependencies come from this interpreter's site-packages; dnn-grader from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(root / "venv")],
                   check=True)
    subprocess.run([str(root / "venv" / "bin" / "pip"), "install", "-q", "--no-deps",
                    str(wheel)], check=True, capture_output=True)
    return root / "venv"


def grade(venv: Path, notebook: Path, folder: Path) -> dict:
    out = folder / f"{notebook.stem}.json"
    run = subprocess.run([str(venv / "bin" / "grade"), str(notebook), "--format", "json",
                          "--output", str(out)], cwd=folder, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text())


def installed_packs(venv: Path) -> Path:
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    return Path(purelib) / "dnn_grader_packs"


def test_the_wheel_carries_the_packs_and_grades_from_anywhere(venv, tmp_path):
    assert (installed_packs(venv) / "reference" / "C1W4A1" / "spec.toml").is_file()
    for name in ("reference.ipynb", "stub.ipynb"):
        (tmp_path / name).write_bytes((SUBMISSIONS / name).read_bytes())
    assert grade(venv, tmp_path / "reference.ipynb", tmp_path)["score"] == 100
    assert grade(venv, tmp_path / "stub.ipynb", tmp_path)["score"] == 0


def test_installed_reference_and_fixtures_stay_hidden(venv, tmp_path):
    packs = installed_packs(venv)
    secrets = [str(packs / "reference" / "C1W4A1" / "solutions.py"),
               str(packs / "fixtures" / "C1W4A1" / "expected.json")]
    nb = nbformat.read(SUBMISSIONS / "reference.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION: linear_forward"):
            cell.source = ("# GRADED FUNCTION: linear_forward\nimport numpy as np\n"
                           "def linear_forward(A, W, b):\n"
                           f"    texts = [open(p).read() for p in {secrets!r}]\n"
                           "    return np.dot(W, A) + b, (A, W, b)\n")
    nbformat.write(nb, tmp_path / "hostile.ipynb")
    report = grade(venv, tmp_path / "hostile.ipynb", tmp_path)
    tests = {t["name"].split(":")[0]: t for t in report["tests"]}
    target = next(t for name, t in tests.items() if "linear_forward" in name)
    assert target["score"] == 0
    assert report["score"] == 95


def test_installed_wheel_lists_and_packs_a_gradescope_zip_without_the_repository(venv, tmp_path):
    listed = subprocess.run([str(venv / "bin" / "dnn-grader"), "list", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, check=True)
    assert [a["id"] for a in json.loads(listed.stdout)] == spec.available()
    subprocess.run([str(venv / "bin" / "dnn-grader"), "gradescope", "C1W4A1", "--out",
                    "autograder.zip"], cwd=tmp_path, capture_output=True, check=True)
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        name = next(n for n in zf.namelist() if n.endswith(".whl"))
        (tmp_path / name).write_bytes(zf.read(name))
    with zipfile.ZipFile(tmp_path / name) as wheel:
        names = set(wheel.namelist())
        record = wheel.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
    assert {"grader/pipeline.py", "dnn_grader_packs/reference/C1W4A1/solutions.py",
            "dnn_grader_packs/fixtures/C1W4A1/expected.json"} <= names
    assert all(n in record for n in names)


def test_an_unpacked_wheel_grades_the_repository_fixtures_in_place(wheel, tmp_path):
    unpacked, home, link = tmp_path / "unpacked", tmp_path / "home", tmp_path / "link"
    with zipfile.ZipFile(wheel) as zf:  # as unzip does: with the modes the wheel stores
        for info in zf.infolist():
            os.chmod(zf.extract(info, unpacked), (info.external_attr >> 16) & 0o777 or 0o644)
    link.symlink_to(unpacked)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PYTHONPATH": str(unpacked),
           "DNN_GRADER_WARM_SECONDS": "0"}
    for name, score, where in (("reference.ipynb", 100, unpacked), ("stub.ipynb", 0, unpacked),
                               ("reference.ipynb", 100, unpacked), ("reference.ipynb", 100, link)):
        done = subprocess.run([sys.executable, "-P", "-m", "grader.cli", str(SUBMISSIONS / name),
                               "--format", "json"], cwd=tmp_path,
                              env=dict(env, PYTHONPATH=str(where)), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["score"] == score, [t for t in report["tests"] if t["score"] < t["max_score"]]
    assert list((home / ".cache" / "dnn-grader").glob("plan-C1W4A1-*"))  # kept across runs
    where = subprocess.run([sys.executable, "-P", "-c", "import grader; print(grader.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(unpacked))
