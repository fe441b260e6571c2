"""C2W1A1 (Initialization): the committed student notebook agrees with the reference."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest


ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "assignments" / "C2W1A1" / "Initialization.ipynb"
SOLUTIONS = ROOT / "reference" / "C2W1A1" / "solutions.py"
FUNCTIONS = ["initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he"]

START = re.compile(r"^\s*### START CODE HERE ###")
END = re.compile(r"^\s*### END CODE HERE ###")
PLACEHOLDER = re.compile(r"^\s*parameters\['[Wb]' \+ str\(l\)\] = None$")


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def graded(nb):
    cells = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION:"):
            name = cell.source.splitlines()[0].split(":", 1)[1].strip()
            assert name not in cells, f"{name} graded twice"
            cells[name] = index
    return cells


def split(source: str) -> tuple[list[str], list[list[str]]]:
    """(lines outside the regions with the markers kept, the lines inside each region)."""
    outside, regions, current = [], [], None
    for line in source.strip().splitlines():
        if START.match(line):
            outside.append(line)
            current = []
        elif END.match(line):
            regions.append(current)
            current = None
            outside.append(line)
        elif current is not None:
            current.append(line)
        else:
            outside.append(line)
    assert current is None, "unterminated START CODE HERE region"
    return outside, regions


def test_graded_cells_in_order(graded):
    assert list(graded) == FUNCTIONS


def test_each_graded_cell_is_followed_by_its_check(nb, graded):
    for name, index in graded.items():
        nxt = nb.cells[index + 1]
        assert nxt.cell_type == "code"
        assert f"{name}_test({name})" in nxt.source
        assert re.search(rf"parameters = {name}\(\[[\d, ]+\]\)", nxt.source)
        assert 'print("W1 = " + str(parameters["W1"]))' in nxt.source


def test_model_cell_is_the_course_model(nb):
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "def model(" in c.source]
    assert len(cells) == 1
    source = cells[0]
    assert ('def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, '
            'initialization="he"):') in source
    assert "layers_dims = [X.shape[0], 10, 5, 1]" in source
    assert "i % 1000 == 0" in source and '"Cost after iteration {}: {}"' in source
    for name in FUNCTIONS:
        assert f"{name}(layers_dims)" in source


def test_notebook_trains_and_plots_three_models(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for init in ("zeros", "random", "he"):
        assert f'model(train_X, train_Y, initialization = "{init}")' in code
    assert "num_iterations" not in code.split("def model(")[1].split("return parameters")[1]
    assert code.count("plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)") == 3
    assert "from public_tests import *" in code and "load_dataset()" in code


def test_lesson_sections_present(nb):
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("Packages", "Loading the Dataset", "The Neural Network Model",
                    "Zero Initialization", "Random Initialization", "He Initialization",
                    "Conclusions"):
        assert re.search(rf"^## \d - {heading}$", text, re.M), heading
    assert r"\sqrt{\frac{2}{n^{[l-1]}}}" in text
    assert "break symmetry" in text
    for row in ("50%", "83%", "99%"):
        assert row in text
    assert "course 2 week 1" in text
