"""Every reference-filled notebook runs top to bottom, and every public check in it passes."""
from __future__ import annotations

import pytest

from conftest import stream_text
from grader import spec
from grader.extract import graded_name


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", spec.available())
def test_reference_notebook_runs_and_passes_its_checks(assignment_id, executed_reference):
    assignment = spec.load(assignment_id)
    nb = executed_reference(assignment_id)
    graded = [c for c in nb.cells if c.cell_type == "code" and graded_name(c.source)]
    assert len(graded) == len(assignment.functions)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert stream_text(nb).count("All tests passed.") >= len(assignment.functions)
