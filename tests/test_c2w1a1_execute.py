"""C2W1A1 (Initialization): the notebook, filled with the reference, runs top to bottom headless."""
from __future__ import annotations

import re

import pytest

from conftest import stream_text

pytestmark = pytest.mark.slow


def test_filled_notebook_executes(executed_reference):
    nb = executed_reference("C2W1A1")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    text = stream_text(nb)
    assert text.count("All tests passed.") == 3
    assert re.findall(r"^Accuracy: (\S+)$", text, re.M) == ["0.5", "0.5", "0.83", "0.86",
                                                            "0.9933333333333333", "0.96"]
    assert "Cost after iteration 0: 0.8830537463419761" in text
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if "image/png" in o.get("data", {}))
    assert images == 7     # data, 3 learning curves, 3 decision boundaries
