"""C2W1A2 (Regularization): the student notebook's structure, and a headless run of it filled
with the reference solutions on the shipped stand-in data."""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat
import pytest

from grader import extract, fixtures, spec
from grader.spec import graded_blocks

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A2"
REFERENCE = ROOT / "reference" / "C2W1A2"
NOTEBOOK = ASSIGNMENT / "Regularization.ipynb"
GRADED = ["compute_cost_with_regularization", "backward_propagation_with_regularization",
          "forward_propagation_with_dropout", "backward_propagation_with_dropout"]


@pytest.fixture(scope="module")
def nb() -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    return notebook


@pytest.fixture(scope="module")
def blocks() -> dict[str, str]:
    return graded_blocks((REFERENCE / "solutions.py").read_text())


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_graded_cells_in_order(nb):
    names = [extract.graded_name(c.source) for c in code_cells(nb)]
    assert [n for n in names if n] == GRADED
    for cell in code_cells(nb):
        name = extract.graded_name(cell.source)
        if name:
            assert cell.source.splitlines()[0] == f"# GRADED FUNCTION: {name}"
            tree = ast.parse(cell.source)
            defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
            assert [d.name for d in defs] == [name]
            assert ast.get_docstring(defs[0])


def test_course_scaffolding_stays_outside_the_regions(blocks):
    forward = extract.scaffolding(blocks["forward_propagation_with_dropout"])
    assert "    np.random.seed(1)" in forward
    assert forward[2] == "def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):"
    cost = extract.scaffolding(blocks["compute_cost_with_regularization"])
    assert "    cross_entropy_cost = compute_cost(A3, Y)  # the unregularized part, computed for you" in cost
    for name in GRADED:
        assert any(line.startswith("### START CODE HERE ### (≈") for line in
                   (s.strip() for s in blocks[name].splitlines()))


def test_each_graded_cell_is_followed_by_its_check(nb):
    cells = nb.cells
    for index, cell in enumerate(cells):
        name = extract.graded_name(cell.source) if cell.cell_type == "code" else None
        if name:
            check = cells[index + 1]
            assert check.cell_type == "code"
            assert f"{name}_test_case()" in check.source
            assert check.source.rstrip().endswith(f"{name}_test({name})")


def test_model_and_training_cells_use_the_course_settings(nb):
    (model_cell,) = [c for c in code_cells(nb) if c.source.startswith("def model(")]
    function = ast.parse(model_cell.source).body[0]
    names = [a.arg for a in function.args.args]
    defaults = [ast.literal_eval(d) for d in function.args.defaults]
    assert names == ["X", "Y", "learning_rate", "num_iterations", "print_cost", "lambd", "keep_prob"]
    assert defaults == [0.3, 30000, True, 0, 1]
    assert "[X.shape[0], 20, 3, 1]" in model_cell.source
    assert "i % 10000 == 0" in model_cell.source and "i % 1000 == 0" in model_cell.source
    calls = [line for c in code_cells(nb) for line in c.source.splitlines()
             if line.startswith("parameters = model(")]
    assert calls == ["parameters = model(train_X, train_Y)",
                     "parameters = model(train_X, train_Y, lambd=0.7)",
                     "parameters = model(train_X, train_Y, keep_prob=0.86, learning_rate=0.3)"]


def test_lesson_covers_the_topics(nb):
    text = markdown(nb)
    for needle in (r"\frac{1}{m} \frac{\lambda}{2}", r"\frac{\lambda}{m} W^{[l]}",
                   "inverted dropout", "weight decay", "## 6 - Conclusions", "<table>",
                   "DNN_GRADER_REG_DATA", "1.7864859451590758"):
        assert needle in text, needle


def test_no_provenance_beyond_the_course_name():
    files = [*ASSIGNMENT.rglob("*.py"), NOTEBOOK, *REFERENCE.glob("*"),
             ROOT / "fixtures" / "C2W1A2" / "samples.toml", *Path(__file__).parent.glob("test_c2w1a2_*.py")]
    pattern = re.compile(r"coursera|deeplearning\.ai|github|andrew ng|amanchadha", re.I)
    for path in files:
        if path.is_file() and path != Path(__file__):
            assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_generated_reference_notebook_is_the_filled_student_notebook(nb, blocks):
    filled = fixtures.reference_notebook(spec.load("C2W1A2"))
    graded = {extract.graded_name(c.source): c.source for c in code_cells(filled)
              if extract.graded_name(c.source)}
    assert graded == blocks


# ----------------------------------------------------------------------------- execution

def _stream_text(nb) -> str:
    return "".join(o.get("text", "") for c in code_cells(nb) for o in c.outputs
                   if o.output_type == "stream")


@pytest.mark.slow
def test_filled_notebook_runs_and_tells_the_story(nb, executed_reference):
    """Top to bottom on the stand-in: checks pass and both techniques beat the baseline."""
    if os.environ.get("DNN_GRADER_REG_DATA"):
        pytest.skip("DNN_GRADER_REG_DATA points the notebook at other data")
    executed = executed_reference("C2W1A2")  # the filled student notebook (see above)
    errors = [o for c in code_cells(executed) for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0].get("evalue")
    text = _stream_text(executed)
    assert text.count("All tests passed.") == 4
    accuracies = [float(v) for v in re.findall(r"^Accuracy: (\S+)$", text, re.M)]
    assert accuracies == [0.943127962085308, 0.895, 0.9289099526066351, 0.96,
                          0.933649289099526, 0.945]
    (plain_train, plain_test, l2_train, l2_test, drop_train, drop_test) = accuracies
    assert plain_train > plain_test                      # the baseline overfits a bit
    assert l2_test > plain_test and drop_test > plain_test
    assert l2_train < plain_train and drop_train < plain_train
    # the stand-in costs quoted in the lesson are the ones printed
    printed = re.findall(r"^Cost after iteration (\d+): (\S+)$", text, re.M)
    quoted = re.findall(r"^Cost after iteration (\d+): (\S+)$", markdown(nb), re.M)
    assert len(printed) == 9
    stand_in_quotes = [quoted[i:i + 3] for i in range(0, len(quoted), 6)]  # stand-in, then course
    flat = [q for group in stand_in_quotes for q in group]
    assert [p[0] for p in printed] == [q[0] for q in flat]
    for (_, got), (_, want) in zip(printed, flat):
        assert float(got) == pytest.approx(float(want), rel=1e-9)
    images = sum(1 for c in code_cells(executed) for o in c.outputs
                 if "image/png" in o.get("data", {}))
    assert images == 7     # data, 3 learning curves, 3 decision boundaries
