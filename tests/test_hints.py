"""Feedback never gives the answer away: no hint, named mistake or message of a graded sample
contains a line of a reference implementation or the right-hand side of one of its assignments.

Texts are compared with all whitespace removed, so re-spacing a line does not hide it. A
message may quote the student's own code (a traceback line), so for a graded notebook the
snippets that its own graded cells contain are allowed in its messages.
"""
from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from grader import checks, exports, extract, notebook, releases, spec
from grader.pipeline import grade_notebook

ASSIGNMENTS = spec.available()
MIN_CHARS = 12  # shorter snippets (`m = Y.shape[1]`, `J = theta * x`) give nothing away
TRIVIAL = re.compile(r"^(return|pass|assert|def)\b")
COMMENT = re.compile(r"\s*#.*$")


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cell_snippets(cell: str) -> set[str]:
    """The lines of a cell's student regions, and the right-hand side of every assignment
    (but a bare variable name)."""
    lines = {squeezed(COMMENT.sub("", line)) for region in extract.regions(cell)
             for line in region if not TRIVIAL.match(line.strip())}
    sides = {squeezed(ast.get_source_segment(cell, node.value) or "")
             for node in ast.walk(ast.parse(cell))
             if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
             and node.value is not None and not isinstance(node.value, ast.Name)}
    return {s for s in lines | sides if len(s) >= MIN_CHARS}


@cache
def forbidden() -> frozenset[str]:
    """Snippets of every reference cell of every assignment, in every release."""
    found: set[str] = set()
    for assignment_id in ASSIGNMENTS:
        for path in spec.load(assignment_id).reference_dir.glob("solutions*.py"):
            for cell in spec.graded_blocks(path.read_text()).values():
                found |= cell_snippets(cell)
    return frozenset(found)


def leaks(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    flat = squeezed(text)
    return sorted(s for s in forbidden() - allowed if s in flat)


def strings(value) -> list[str]:
    """Every string inside ``value`` (a result's dict), but the submission's path."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "path" for s in strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def test_the_check_knows_the_reference_lines():
    assert "Z=np.dot(W,A)+b" in forbidden()
    assert "lambd/(2*m)*(np.sum(np.square(W1))+np.sum(np.square(W2))+np.sum(np.square(W3)))" \
        in forbidden()
    assert "np.dot(dZ,A_prev.T)/m" in leaks("dW = np.dot(dZ, A_prev.T) / m, then the rest")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_hints_of_every_release_give_nothing_away(assignment_id):
    assignment = spec.load(assignment_id)
    for release in releases.load(assignment_id):
        for function in assignment.functions.values():
            hint = release.apply(function).hint
            assert hint, f"{function.name} has no hint"
            assert leaks(hint) == [], f"{release.id} {function.name}: {hint}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_mistake_explanations_give_nothing_away(assignment_id):
    for function in spec.load(assignment_id).functions.values():
        for mistake in function.mistakes:
            assert leaks(mistake.explanation) == [], f"{function.name}/{mistake.id}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_messages_of_every_sample_give_nothing_away(assignment_id, pool):
    submissions = spec.load(assignment_id).fixtures_dir / "submissions"
    notebooks = sorted(submissions.rglob("*.ipynb"))
    assert len(notebooks) >= 3
    for path in notebooks:
        result = grade_notebook(path, pool)
        allowed = own_snippets(path)
        found = {text: leaks(text, allowed) for text in strings(result.to_dict())}
        assert {t: s for t, s in found.items() if s} == {}, path.relative_to(submissions)


def own_snippets(path: Path) -> frozenset[str]:
    """What the notebook's own graded cells contain (its messages may quote them)."""
    cells, _ = extract.graded_cells(notebook.read(path))
    text = squeezed("\n".join(cell.source for cell in cells.values()))
    return frozenset(s for s in forbidden() if s in text)


# ----------------------------------------------------------------------------- what they see

def test_values_are_described_as_the_student_wrote_them():
    assert checks.compare_output(None, np.zeros((2, 1)), ("W1",)) == [
        "W1: got None — is this part filled in?"]
    assert checks.compare_output(np.squeeze(None), np.float64(0.5), ("cost",)) == [
        "cost: expected a number or numpy array, got None inside a numpy array of shape () — "
        "is this part filled in?"]
    assert checks.compare_output(None, (np.zeros(1), ()), ("Z", "cache")) == [
        "expected 2 return values (Z, cache) as a tuple, got None — is this part filled in?"]
    assert checks.compare_output([1.0, 2.0], {"W1": np.zeros(1)}, ("parameters",)) == [
        "parameters: expected a dict, got a list of 2 items"]


def test_public_checks_say_what_they_see(capsys):
    assignment = spec.load("C1W4A1")
    with spec.isolated_imports(assignment.directory):
        public_tests = importlib.import_module("public_tests")
        with pytest.raises(AssertionError):
            public_tests.compute_cost_test(lambda AL, Y: np.squeeze(None))
        with pytest.raises(AssertionError):
            public_tests.initialize_parameters_test(lambda n_x, n_h, n_y: None.shape)
    printed = capsys.readouterr().out
    assert "cost: expected a number or numpy array, got None inside a numpy array of shape ()" \
        " — is this part filled in?" in printed
    assert "raised AttributeError: 'NoneType' object has no attribute 'shape' (a value is " \
        "still None: is every part between START and END filled in?)" in printed


def test_unfinished_code_is_described_in_grading(pool):
    submissions = spec.load("C1W4A1").fixtures_dir / "submissions"
    functions = {f.name: f for f in grade_notebook(submissions / "stub.ipynb", pool).functions}
    assert "is every part between START and END filled in?" in \
        functions["initialize_parameters"].cases[0].message
    assert functions["compute_cost"].cases[0].message.startswith(
        "the return value cannot be graded: arrays of dtype object")


def test_the_feedback_page_shows_the_file_name_only(pool, tmp_path):
    folder = tmp_path / "instructor" / "class"
    folder.mkdir(parents=True)
    path = folder / "ann_hw.ipynb"
    path.write_text((spec.load("C2W1A3").fixtures_dir / "submissions" / "stub.ipynb").read_text())
    result = grade_notebook(path, pool)
    graded = exports.feedback_html("ann", str(path), result)
    rejected = exports.feedback_html("ann", str(path), None, f"{path}: not a notebook")
    for page in (graded, rejected):
        assert "ann_hw.ipynb" in page and str(folder) not in page
