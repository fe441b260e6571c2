"""Every assignment: fixtures in sync, reference full marks, stub zero, samples fail as declared."""
from __future__ import annotations

import pytest

from grader import extract, fixtures, notebook, spec
from grader.pipeline import grade_notebook

ASSIGNMENTS = spec.available()


def submissions(assignment_id: str):
    return spec.load(assignment_id).fixtures_dir / "submissions"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_generated_fixtures_are_in_sync(assignment_id):
    assert fixtures.main(["--check", assignment_id]) == 0


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_submission_scores_full_marks(assignment_id, pool):
    result = grade_notebook(submissions(assignment_id) / "reference.ipynb", pool)
    failures = {f.name: f.message for f in result.functions if f.status != "passed"}
    assert failures == {}
    assert result.score == result.max_score == spec.load(assignment_id).max_score


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_stub_scores_zero_as_not_implemented(assignment_id, pool):
    result = grade_notebook(submissions(assignment_id) / "stub.ipynb", pool)
    assert result.score == 0
    assert {f.status for f in result.functions} == {"not implemented"}


SAMPLES = [(a, s) for a in ASSIGNMENTS for s in fixtures.samples(spec.load(a))]


@pytest.mark.parametrize("assignment_id, sample", SAMPLES,
                         ids=[f"{a}-{s.file}" for a, s in SAMPLES])
def test_sample_fails_exactly_the_intended_functions(assignment_id, sample, pool):
    result = grade_notebook(submissions(assignment_id) / sample.file, pool)
    lost = {f.name for f in result.functions if f.score < f.max_score}
    assert lost == set(sample.fails), {f.name: f.message for f in result.functions}
    for f in result.functions:
        if f.name in sample.fails:
            assert f.message, f"{f.name} lost points without a message"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_function_has_several_cases_and_points(assignment_id):
    assignment = spec.load(assignment_id)
    for function in assignment.functions.values():
        assert function.points > 0
        assert len(function.cases) >= 2, f"{function.name} needs hidden extra cases"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_student_notebook_is_committed_clean(assignment_id):
    nb = notebook.read(spec.load(assignment_id).notebook)
    assert extract.assignment_id(nb) == assignment_id
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_graded_cells_are_the_reference_cells_with_placeholders(assignment_id):
    assignment = spec.load(assignment_id)
    cells, warnings = extract.graded_cells(notebook.read(assignment.notebook))
    assert list(cells) == list(assignment.functions) and warnings == []
    for name, cell in cells.items():
        reference = assignment.reference_blocks[name]
        assert extract.scaffolding(cell.source) == extract.scaffolding(reference), name
        regions = extract.regions(cell.source)
        assert regions and len(regions) == len(extract.regions(reference)), name
        for line in (line for region in regions for line in region):
            stripped = line.strip()
            assert not stripped or stripped.startswith("#") or \
                extract.PLACEHOLDER_RE.match(line), f"{name}: {line!r} is not a placeholder"


def test_readme_main_command_grades_an_existing_sample():
    readme = (spec.ROOT / "README.md").read_text()
    command = next(line for line in readme.splitlines() if " && grade " in line)
    sample = command.split(" && grade ", 1)[1].split()[0]
    assert (spec.ROOT / sample).is_file(), sample
