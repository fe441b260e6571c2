"""C2W1A3 (Gradient Checking): the student notebook is clean, consistent and runs end to end."""
from __future__ import annotations

import ast
import re

import nbformat
import numpy as np
import pytest

from conftest import stream_text
from grader import extract, fixtures, spec

ID = "C2W1A3"
GRADED = ["forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n"]
PROVIDED = ["forward_propagation_n", "backward_propagation_n"]


@pytest.fixture(scope="module")
def assignment():
    return spec.load(ID)


@pytest.fixture(scope="module")
def nb(assignment):
    return nbformat.read(assignment.notebook, as_version=4)


def graded_cells(nb):
    return {extract.graded_name(c.source): c for c in nb.cells
            if c.cell_type == "code" and extract.graded_name(c.source)}


def test_graded_cells_in_course_order(nb):
    names = [extract.graded_name(c.source) for c in nb.cells if c.cell_type == "code"]
    assert [n for n in names if n] == GRADED
    for name, cell in graded_cells(nb).items():
        assert cell.source.splitlines()[0] == f"# GRADED FUNCTION: {name}"
        tree = ast.parse(cell.source)
        assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == [name]


def test_signatures(nb):
    expected = {
        "forward_propagation": "(x, theta)",
        "backward_propagation": "(x, theta)",
        "gradient_check": "(x, theta, epsilon=1e-07, print_msg=False)",
        "gradient_check_n": "(parameters, gradients, X, Y, epsilon=1e-07, print_msg=False)",
    }
    for name, cell in graded_cells(nb).items():
        function = ast.parse(cell.source).body[0]
        assert f"({ast.unparse(function.args)})" == expected[name]


def test_each_graded_cell_is_followed_by_its_check(nb):
    cells = nb.cells
    for index, cell in enumerate(cells):
        name = extract.graded_name(cell.source) if cell.cell_type == "code" else None
        if name:
            follower = cells[index + 1]
            assert follower.cell_type == "code"
            assert f"{name}_test({name})" in follower.source


def test_provided_cells_are_identical_to_gc_network(nb, assignment):
    source = (assignment.directory / "gc_network.py").read_text()
    tree = ast.parse(source)
    functions = {n.name: ast.get_source_segment(source, n) for n in tree.body
                 if isinstance(n, ast.FunctionDef)}
    cells = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("def "):
            cells[ast.parse(cell.source).body[0].name] = cell.source
    assert list(cells) == PROVIDED
    for name in PROVIDED:
        assert cells[name] == functions[name], name


def test_lesson_covers_the_method(nb):
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert r"\frac{J(\theta + \varepsilon) - J(\theta - \varepsilon)}{2 \varepsilon}" in text
    assert r"\| grad - gradapprox \|_2" in text
    assert "dropout" in text and "training" in text
    assert "47" in text


def test_gradient_check_n_cell_assertions(nb, assignment):
    """The check cell refuses arrays and values other than the two published ones."""
    cells = nb.cells
    index = next(i for i, c in enumerate(cells) if extract.graded_name(c.source) == "gradient_check_n")
    check = cells[index + 1].source
    assert "0.2850931567761623" in check and "1.1890913024229996e-07" in check
    with spec.isolated_imports(assignment.directory):
        import gc_network
        import testCases
        base = {"np": np, "gradient_check_n_test_case": testCases.gradient_check_n_test_case,
                "forward_propagation_n": gc_network.forward_propagation_n,
                "backward_propagation_n": gc_network.backward_propagation_n,
                "gradient_check_n_test": lambda target: None}
    for returned, message in [(np.array([0.2850931567761623]), "You are not using np.linalg.norm"),
                              (0.3, "Wrong value. It is not one of the expected values")]:
        namespace = dict(base, gradient_check_n=lambda *args, value=returned: value)
        with pytest.raises(AssertionError, match=message):
            exec(check, namespace)
    for value in (0.2850931567761624, 1.1890913024229996e-07):
        exec(check, dict(base, gradient_check_n=lambda *args, value=value: value))


def _run(nb, workdir):
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return stream_text(nb)


@pytest.mark.slow
def test_filled_notebook_runs_top_to_bottom(executed_reference):
    out = stream_text(executed_reference(ID))
    assert "J = 8" in out and "dtheta = 3" in out
    assert "Your backward propagation works perfectly fine! difference = 7.814075313343006e-11" in out
    assert re.search(r"There is a mistake in the backward propagation! difference = 0\.28509315677616", out)
    assert out.count("All tests passed.") == 4


@pytest.mark.slow
def test_fixing_the_provided_backward_gives_the_published_value(nb, assignment):
    work = fixtures.reference_notebook(assignment)
    cell = next(c for c in work.cells if c.source.startswith("def backward_propagation_n"))
    assert cell.source.count(" * 2\n") == 1 and cell.source.count("4. / m") == 1
    cell.source = cell.source.replace(" * 2\n", "\n").replace("4. / m", "1. / m")
    out = _run(work, assignment.directory)
    assert ("Your backward propagation works perfectly fine! difference = 1.1890913024229996e-07"
            in out)
    assert out.count("All tests passed.") == 4
