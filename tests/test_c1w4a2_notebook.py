"""C1W4A2 notebook: structure of the student notebook, agreement with solutions.py outside the
student regions, and a full top-to-bottom run of the reference-filled notebook (2500 iterations
per model, on the stand-in data) whose printed values match the notebook's expected outputs."""
from __future__ import annotations

import os
import re

import nbformat
import pytest

from conftest import stream_text
from grader import extract, spec

ID = "C1W4A2"
ORDER = ["two_layer_model", "L_layer_model"]


@pytest.fixture(scope="module")
def assignment():
    return spec.load(ID)


@pytest.fixture(scope="module")
def nb(assignment):
    return nbformat.read(assignment.notebook, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_graded_cells_in_order_with_one_function_each(nb):
    graded = [c for c in code_cells(nb) if extract.graded_name(c.source)]
    assert [extract.graded_name(c.source) for c in graded] == ORDER
    for cell, name in zip(graded, ORDER):
        assert cell.source.splitlines()[0] == f"# GRADED FUNCTION: {name}"
        assert re.findall(r"^def (\w+)\(", cell.source, re.M) == [name]
        assert f"def {name}(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, " \
               f"print_cost=False):" in cell.source


def test_each_graded_cell_is_followed_by_its_public_check(nb):
    cells = code_cells(nb)
    for index, cell in enumerate(cells):
        name = extract.graded_name(cell.source)
        if name:
            assert f"{name}_test({name})" in cells[index + 1].source


def test_no_code_region_markers_outside_graded_cells(nb):
    for cell in code_cells(nb):
        if not extract.graded_name(cell.source):
            assert not extract.regions(cell.source)
            assert "GRADED FUNCTION" not in cell.source


def test_lesson_covers_the_course_structure(nb):
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for needle in ["1 - Packages", "2 - Load and Process the Dataset", "3 - Model Architecture",
                   "2-layer Neural Network", "L-layer Deep Neural Network",
                   "General Methodology", "Exercise 1 - two_layer_model",
                   "Exercise 2 - L_layer_model", "Results Analysis",
                   "Test with your own Image", "DNN_GRADER_CAT_DATA",
                   r"[\text{LINEAR} \rightarrow \text{RELU}] \times (L-1)"]:
        assert needle in text, needle
    source = "\n".join(c.source for c in code_cells(nb))
    for needle in ["from dnn_app_utils_v3 import *", "from public_tests import *",
                   "load_data()", "layers_dims = (n_x, n_h, n_y)",
                   "layers_dims = [12288, 20, 7, 5, 1]", "num_iterations = 2500",
                   "print_mislabeled_images(classes, test_x, test_y, pred_test)"]:
        assert needle in source, needle


# ---- full run of the reference-filled notebook -----------------------------------------------

def _numbers(line):
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", line)]


def stand_in_expectations(nb):
    """Printed lines the markdown promises "with the stand-in data"."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "with the stand-in data" not in cell.source:
            continue
        block = re.search(r"with the stand-in data[^`]*```\n(.*?)```", cell.source, re.S)
        if block:
            lines += [line for line in block.group(1).splitlines() if line.strip() != "..."]
        lines += [f"Accuracy: {a}" for a in
                  re.findall(r"`Accuracy: ([\d.]+)` with the stand-in data", cell.source)]
    return lines


def test_expected_outputs_are_filled_in(nb):
    lines = stand_in_expectations(nb)
    assert len(lines) == 20
    assert not [line for line in lines if "{" in line]


@pytest.mark.slow
def test_reference_notebook_runs_with_the_course_training_lengths(executed_reference, nb):
    if os.environ.get("DNN_GRADER_CAT_DATA"):
        pytest.skip("DNN_GRADER_CAT_DATA points the notebook at other pictures")
    executed = executed_reference(ID)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    text = stream_text(executed)
    assert text.count("All tests passed.") == 2
    assert text.count("Cost after iteration 2499:") == 2

    printed = re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()
    for line in stand_in_expectations(nb):
        if not _numbers(line):
            assert line in printed
            continue
        prefix = line.split(":")[0] + ":"
        candidates = [p for p in printed if p.startswith(prefix)]
        assert any(_numbers(p) and _numbers(p) == pytest.approx(_numbers(line), rel=1e-9)
                   for p in candidates), f"{line!r} not printed (got {candidates})"

    accuracies = [float(a) for a in re.findall(r"Accuracy: ([\d.]+)", text)]
    two_train, two_test, deep_train, deep_test = accuracies
    assert two_train == pytest.approx(1.0) and deep_train > 0.95
    assert 0.6 <= two_test < deep_test <= 0.95        # the deeper model generalizes better
    (mislabeled,) = [c for c in executed.cells if c.cell_type == "code"
                     and c.source.startswith("print_mislabeled_images")]
    assert any(o.output_type == "display_data" and "image/png" in o.data for o in mislabeled.outputs)
