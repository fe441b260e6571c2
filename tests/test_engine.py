"""End-to-end behaviour of the grading pipeline on the small TOY assignment."""
from __future__ import annotations

import json

import nbformat
import pytest

from conftest import edited
from grader import cli
from grader.pipeline import GradingError, grade_notebook

AFFINE = "Z = np.dot(W, A) + b"


@pytest.fixture
def subs(use_toy):
    return use_toy / "fixtures" / "TOY" / "submissions"


def by_name(result):
    return {f.name: f for f in result.functions}


def test_reference_scores_full_marks(subs, pool):
    result = grade_notebook(subs / "reference.ipynb", pool)
    assert (result.score, result.max_score) == (15, 15)
    assert {f.status for f in result.functions} == {"passed"}
    assert "rlimits" in result.isolation


def test_stub_scores_zero_with_not_implemented(subs, pool):
    result = grade_notebook(subs / "stub.ipynb", pool)
    assert result.score == 0
    affine = by_name(result)["affine"]
    assert affine.status == "not implemented"
    assert "`Z = None`" in affine.message


def test_bug_in_dependency_fails_only_that_function(subs, pool, tmp_path):
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "affine", AFFINE, "Z = np.dot(W, A)")
    result = by_name(grade_notebook(nb, pool))
    assert result["affine"].score == 0 and result["affine"].status == "failed"
    assert "Z: wrong values" in result["affine"].message
    assert result["layer"].status == "passed"


def test_partial_credit_for_shape_specific_answer(subs, pool, tmp_path):
    hard_coded = "Z = np.dot(W, A) + b if A.shape == (3, 2) else np.zeros((1, 1))"
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "affine", AFFINE, hard_coded)
    affine = by_name(grade_notebook(nb, pool))["affine"]
    assert affine.status == "partial" and affine.score == 5
    assert affine.message.startswith("bigger: Z: shape (1, 1), expected (2, 5)")


def test_syntax_error_fails_only_its_function(subs, pool, tmp_path):
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "affine", AFFINE, "Z = np.dot(W, A +")
    result = by_name(grade_notebook(nb, pool))
    assert result["affine"].status == "error"
    assert "SyntaxError in the graded cell" in result["affine"].message
    assert result["layer"].status == "passed"


def test_missing_cell_is_reported(subs, pool, tmp_path):
    nb = nbformat.read(subs / "reference.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if "GRADED FUNCTION: layer" not in c.source]
    nbformat.write(nb, tmp_path / "s.ipynb")
    result = by_name(grade_notebook(tmp_path / "s.ipynb", pool))
    assert result["layer"].status == "missing"
    assert "# GRADED FUNCTION: layer" in result["layer"].message
    assert result["affine"].status == "passed"


def test_endless_loop_is_cut_by_the_timeout(subs, pool, tmp_path):
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "affine", AFFINE,
                "while True:\n        pass")
    result = by_name(grade_notebook(nb, pool, timeout=1))
    assert result["affine"].status == "timeout"
    assert "time limit" in result["affine"].message
    assert result["layer"].status == "passed"


def test_exception_is_reported_with_student_line(subs, pool, tmp_path):
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "affine", AFFINE,
                "Z = np.dot(A, W) + b")
    affine = by_name(grade_notebook(nb, pool))["affine"]
    assert "raised ValueError" in affine.message
    assert "line 6, in affine: Z = np.dot(A, W) + b" in affine.message


def test_input_mutation_is_caught(subs, pool, tmp_path):
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "layer", "A_out = sigmoid(Z)",
                "A_out = sigmoid(Z)\n    W *= 0")
    layer = by_name(grade_notebook(nb, pool))["layer"]
    assert layer.score == 0
    assert "modified its input `W` in place" in layer.message


def test_moved_cells_other_markers_and_outputs_are_tolerated(subs, pool, tmp_path):
    nb = nbformat.read(subs / "reference.ipynb", as_version=4)
    nb.cells.reverse()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = (cell.source.replace("### START CODE HERE ### (≈ 1 line of code)", "# YOUR CODE STARTS HERE")
                           .replace("### END CODE HERE ###", "# YOUR CODE ENDS HERE"))
            cell.outputs = [nbformat.v4.new_output("stream", text="old output\n")]
    nb.cells.insert(0, nbformat.v4.new_code_cell("!pip install nothing\n%load_ext autoreload"))
    nbformat.write(nb, tmp_path / "renamed by student (1).ipynb")
    result = grade_notebook(tmp_path / "renamed by student (1).ipynb", pool)
    assert result.score == result.max_score


def test_assignment_recognised_without_metadata(subs, pool, tmp_path):
    nb = nbformat.read(subs / "reference.ipynb", as_version=4)
    del nb.metadata["dnn_grader"]
    nbformat.write(nb, tmp_path / "s.ipynb")
    assert grade_notebook(tmp_path / "s.ipynb", pool).assignment == "TOY"


def test_unknown_assignment_cannot_be_graded(subs, pool):
    with pytest.raises(GradingError, match="unknown assignment 'NOPE'"):
        grade_notebook(subs / "reference.ipynb", pool, assignment_id="NOPE")


def test_cli_json_is_gradescope_schema(subs, capsys):
    assert cli.main([str(subs / "stub.ipynb"), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["score"], report["max_score"]) == (0, 15)
    assert [t["name"] for t in report["tests"]] == ["affine", "layer"]
    assert {t["status"] for t in report["tests"]} == {"failed"}
    assert all({"score", "max_score", "output"} <= set(t) for t in report["tests"])


def test_cli_json_has_one_field_and_one_test_per_line(subs, capsys):
    assert cli.main([str(subs / "stub.ipynb"), "--format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    report = json.loads("\n".join(lines))
    assert lines[0] == "{" and lines[-1] == "}"
    fields = [json.loads(line.split(": ", 1)[0]) for line in lines if line.startswith('  "')]
    assert fields == list(report)
    tests = [json.loads(line.strip().rstrip(",")) for line in lines if line.startswith("    {")]
    assert tests == report["tests"]


def test_cli_writes_output_file(subs, tmp_path):
    out = tmp_path / "results.json"
    assert cli.main([str(subs / "reference.ipynb"), "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["score"] == 15


def test_cli_table_names_functions_and_failures(subs, tmp_path, capsys):
    nb = edited(subs / "reference.ipynb", tmp_path / "s.ipynb", "affine", AFFINE, "Z = np.dot(W, A)")
    assert cli.main([str(nb)]) == 0
    out = capsys.readouterr().out
    assert "affine" in out and "0/10" in out and "wrong values" in out and "15" in out


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"hello": 1}', "not a Jupyter notebook"),
    ('{"cells": [], "nbformat": 3, "metadata": {}}', "format 3 is not supported"),
])
def test_cli_rejects_broken_files(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.ipynb"
    bad.write_text(content)
    assert cli.main([str(bad)]) == 1
    assert message in capsys.readouterr().err


def test_cli_missing_file(tmp_path, capsys):
    assert cli.main([str(tmp_path / "nope.ipynb")]) == 1
    assert "no such file" in capsys.readouterr().err
