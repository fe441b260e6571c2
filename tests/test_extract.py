"""Finding graded cells, their regions and placeholders."""
from __future__ import annotations

import nbformat

from grader import extract

CELL = '''
# GRADED FUNCTION: f

def f(x):
    # YOUR CODE STARTS HERE
    y = None
    # YOUR CODE ENDS HERE
    ### START CODE HERE ### (≈ 2 lines)
    z = x + 1   # already done
    w, v = None   # comment
    p, q = None, None
    ### END CODE HERE ###
    return y
'''


def test_first_non_blank_line_names_the_function():
    assert extract.graded_name(CELL) == "f"
    assert extract.graded_name("x = 1\n# GRADED FUNCTION: f") is None


def test_both_marker_styles_give_regions_and_placeholders():
    assert len(extract.regions(CELL)) == 2
    assert extract.placeholders(CELL) == ["y = None", "w, v = None   # comment", "p, q = None, None"]


def test_scaffolding_ignores_region_contents():
    filled = CELL.replace("y = None", "y = x * 2")
    assert extract.scaffolding(filled) == extract.scaffolding(CELL)
    assert extract.scaffolding(CELL.replace("return y", "return z")) != extract.scaffolding(CELL)


def test_magics_become_pass_with_indentation_kept():
    source = "%matplotlib inline\ndef g():\n    !ls\n    return 1"
    assert extract.strip_magics(source) == "pass  # matplotlib inline\ndef g():\n    pass  # ls\n    return 1"


def test_duplicate_cells_keep_the_last_with_a_warning():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL), nbformat.v4.new_markdown_cell(CELL),
                nbformat.v4.new_code_cell(CELL.replace("return y", "return 2"))]
    cells, warnings = extract.graded_cells(nb)
    assert cells["f"].cell_index == 2 and "return 2" in cells["f"].source
    assert warnings == ["f: graded cell appears more than once; the last one is graded"]
