"""C2W1A1 (Initialization): the notebook, filled with the reference, runs top to bottom headless."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from grader.spec import graded_blocks

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A1"

pytestmark = pytest.mark.slow


def _filled() -> nbformat.NotebookNode:
    blocks = graded_blocks((ROOT / "reference" / "C2W1A1" / "solutions.py").read_text())
    nb = nbformat.read(ASSIGNMENT / "Initialization.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION:"):
            cell.source = blocks[cell.source.splitlines()[0].split(":", 1)[1].strip()]
    return nb


def _text(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream")


def test_filled_notebook_executes(tmp_path):
    from nbclient import NotebookClient

    nb = _filled()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ASSIGNMENT)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    text = _text(nb)
    assert text.count("All tests passed.") == 3
    assert re.findall(r"^Accuracy: (\S+)$", text, re.M) == ["0.5", "0.5", "0.83", "0.86",
                                                            "0.9933333333333333", "0.96"]
    assert "Cost after iteration 0: 0.8830537463419761" in text
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if "image/png" in o.get("data", {}))
    assert images == 7     # data, 3 learning curves, 3 decision boundaries
