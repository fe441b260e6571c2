"""Shared fixtures: a warm worker pool and a small self-contained 'TOY' assignment."""
from __future__ import annotations

import os

# One BLAS thread for this process and the notebook kernels it starts: on two shared cores,
# spinning BLAS threads make the long training notebooks several times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# No test leaves a blank fork server behind for a later grade, nor claims one somebody left
# (tests/test_warm_server.py turns them on in a folder of its own).
os.environ["DNN_GRADER_WARM_SECONDS"] = "0"

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader import fixtures, pipeline, spec
from grader.execute import WorkerPool

TOY_SOURCE = Path(__file__).parent / "toy"


@pytest.fixture(scope="session")
def pool():
    with WorkerPool(size=2) as workers:
        yield workers


def _clear_caches() -> None:
    spec.load.cache_clear()
    pipeline._build_plan.cache_clear()


@pytest.fixture(scope="session")
def toy_root(tmp_path_factory) -> Path:
    """A copy of tests/toy with its fixtures generated, usable via ``use_toy``."""
    root = tmp_path_factory.mktemp("toy")
    for part in ("assignments", "reference"):
        shutil.copytree(TOY_SOURCE / part, root / part)
    (root / "fixtures").mkdir()
    return root


@pytest.fixture
def use_toy(toy_root, monkeypatch) -> Path:
    """Add the toy project as a course folder for one test."""
    (toy_root / "fixtures" / "TOY").mkdir(parents=True, exist_ok=True)
    spec.use_courses([toy_root])
    _clear_caches()
    if not (toy_root / "fixtures" / "TOY" / "expected.json").exists():
        assert fixtures.main(["TOY"]) == 0
    yield toy_root
    spec.use_courses([])
    _clear_caches()


def load_module(path: Path, name: str):
    """Import ``path`` under a unique module name (assignments ship same-named helpers)."""
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def edited(source: Path, target: Path, function: str, old: str, new: str) -> Path:
    """Copy notebook ``source`` to ``target`` with one text edit in a graded cell."""
    nb = nbformat.read(source, as_version=4)
    nb = fixtures.apply_edits(nb, ({"function": function, "old": old, "new": new},))
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="session")
def executed_reference():
    """Run an assignment's reference-filled notebook once per session (cwd: its folder)."""
    done: dict[str, nbformat.NotebookNode] = {}

    def run(assignment_id: str) -> nbformat.NotebookNode:
        if assignment_id not in done:
            assignment = spec.load(assignment_id)
            nb = nbformat.read(assignment.fixtures_dir / "submissions" / "reference.ipynb",
                               as_version=4)
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(assignment.directory)}}).execute()
            done[assignment_id] = nb
        return done[assignment_id]

    return run


def stream_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's code cells printed."""
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream")
