"""Course releases: detection, per-release grading, old-release notebooks and their data."""
from __future__ import annotations

import html
import inspect
import io
import json

import nbformat
import pytest

from grader import (checks, codec, exports, extract, fixtures, gradebook, notebook, releases,
                    report, spec)
from grader.execute import RunResult
from grader.pipeline import GradingError, _merge_runs, grade_notebook, plan_for

ASSIGNMENTS = spec.available()
OLDER = [(a, r.id) for a in ASSIGNMENTS for r in releases.load(a)[:-1]]


def submissions(assignment_id: str):
    return spec.load(assignment_id).fixtures_dir / "submissions"


def detected(path) -> releases.Detection:
    nb = notebook.read(path)
    cells, _ = extract.graded_cells(nb)
    found = extract.assignment_id(nb) or spec.identify(set(cells))
    return releases.detect(nb, cells, found)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_assignment_has_older_releases_and_the_current_one_last(assignment_id):
    known = releases.load(assignment_id)
    assert len(known) >= 2
    newest = known[-1]
    assert newest.functions == {} and newest.solutions == () and newest.preamble == ""
    assert detected(submissions(assignment_id) / "reference.ipynb") == releases.Detection(newest)


@pytest.mark.parametrize("assignment_id, release_id", OLDER, ids=[f"{a}-{r}" for a, r in OLDER])
def test_older_release_notebook_is_recognised_and_scores_full_marks(assignment_id, release_id,
                                                                     pool):
    path = submissions(assignment_id) / release_id / "reference.ipynb"
    assert "dnn_grader" not in notebook.read(path).metadata  # identified by its functions
    assert detected(path) == releases.Detection(releases.get(assignment_id, release_id))
    result = grade_notebook(path, pool)
    assert {f.name: f.message for f in result.functions if f.status != "passed"} == {}
    assert result.score == result.max_score
    assert result.release == release_id and result.release_note == ""
    assert result.graded_as.startswith(f"graded as release {release_id} (")


SAMPLES = [(a, s) for a in ASSIGNMENTS for s in fixtures.samples(spec.load(a)) if s.release]


@pytest.mark.parametrize("assignment_id, sample", SAMPLES, ids=[s.file for _, s in SAMPLES])
def test_older_release_samples_are_graded_as_their_release(assignment_id, sample):
    """(test_assignments grades them: they lose points in exactly the wrong functions)."""
    assert detected(submissions(assignment_id) / sample.file).release.id == sample.release


def test_every_older_release_has_samples_with_mistakes():
    with_samples = {(a, s.release) for a, s in SAMPLES}
    assert with_samples == set(OLDER)


@pytest.mark.parametrize("assignment_id, release_id", OLDER, ids=[f"{a}-{r}" for a, r in OLDER])
def test_release_cells_match_the_outputs_they_are_graded_against(assignment_id, release_id):
    """A release's own cells give the current outputs unless it declares its own outputs, and
    those it declares do differ from the current ones (so the declaration is needed)."""
    assignment = spec.load(assignment_id)
    release = releases.get(assignment_id, release_id)
    stored = codec.from_plain(json.loads((assignment.fixtures_dir / "expected.json").read_text()))
    own_cells = releases.blocks(assignment, release).items() - assignment.reference_blocks.items()
    assert own_cells or not release.solutions
    for name, _ in own_cells:
        function = release.apply(assignment.functions[name])
        differs = []
        for case in function.cases:
            got = releases.run_cell(assignment, release, case)
            expected = stored[release.expected_key(case)]
            assert checks.compare_output(got, expected, function.returns) == [], case.key
            differs.append(checks.compare(expected, stored[case.key], case.key) != [])
        assert any(differs) == release.own(name), name


def test_old_key_convention_is_right_in_v4_and_wrong_in_2021(pool):
    old = grade_notebook(submissions("C1W4A1") / "v4" / "reference.ipynb", pool)
    new = grade_notebook(submissions("C1W4A1") / "wrong_L_model_backward_old_key_convention.ipynb",
                         pool)
    assert {f.name: f.status for f in old.functions}["L_model_backward"] == "passed"
    assert {f.name: f.status for f in new.functions}["L_model_backward"] != "passed"
    assert new.release == "2021"


def test_in_place_update_is_allowed_only_where_the_release_designed_it(pool):
    for release_id in ("v4", "v8"):
        function = plan_for("C1W4A1", release_id).functions["update_parameters"]
        assert function.may_modify == ("parameters",)
    assert plan_for("C1W4A1").functions["update_parameters"].may_modify == ()
    result = grade_notebook(submissions("C1W4A1") / "wrong_update_parameters_in_place.ipynb", pool)
    assert "in place" in {f.name: f.message for f in result.functions}["update_parameters"]


def test_old_application_models_return_parameters_only():
    for release_id in ("v3", "v8"):
        plan = plan_for("C1W4A2", release_id)
        assert plan.functions["two_layer_model"].returns == ("parameters",)
        assert all(type(e) is dict for e in plan.expected["L_layer_model"])
        assert "matplotlib.pyplot" in releases.warm(plan.assignment, plan.release)
        assert "import matplotlib.pyplot as plt" in releases.preamble(plan.assignment, plan.release)
    assert plan_for("C1W4A2").functions["two_layer_model"].returns == ("parameters", "costs")


def _only_graded_cells(source, target):
    nb = notebook.read(source)
    nb.cells = [c for c in nb.cells if extract.graded_name(c.source) if c.cell_type == "code"]
    nbformat.write(nb, target)
    return target


def test_notebook_without_markers_is_graded_as_the_newest_release_with_a_note(tmp_path, pool):
    path = _only_graded_cells(submissions("C2W1A1") / "pre-2021" / "reference.ipynb",
                              tmp_path / "cells_only.ipynb")
    result = grade_notebook(path, pool)
    assert result.release == "2021" and "no release markers" in result.release_note
    assert result.score == result.max_score


def test_tie_between_releases_goes_to_the_newest_with_a_note(tmp_path, pool):
    """Without its import cell an old Application notebook fits v3 and v8 equally."""
    path = _only_graded_cells(submissions("C1W4A2") / "v3" / "reference.ipynb",
                              tmp_path / "cells_only.ipynb")
    result = grade_notebook(path, pool)
    assert result.release == "v8" and "ambiguous" in result.release_note
    assert "v3" in result.release_note and result.score == result.max_score


def test_release_can_be_chosen_by_hand(pool):
    path = submissions("C1W4A1") / "v4" / "reference.ipynb"
    result = grade_notebook(path, pool, release="v8")
    assert result.release == "v8" and "--release" in result.release_note
    assert {f.name for f in result.functions if f.score < f.max_score} == {"L_model_backward"}
    with pytest.raises(GradingError, match="no release 'v9'"):
        grade_notebook(path, pool, release="v9")


def test_markers_weigh_imports_scaffold_and_code():
    nb = notebook.read(submissions("C1W4A1") / "v4" / "reference.ipynb")
    evidence = releases.Evidence.of(nb, extract.graded_cells(nb)[0])
    assert {"testCases_v3", "dnn_utils_v2", "numpy", "matplotlib.pyplot"} <= evidence.imports
    assert evidence.shows("signatures", "update_parameters(parameters, grads, learning_rate)")
    assert evidence.shows("scaffold", r"str\(\s*l\s*\+\s*2\s*\)")
    assert not evidence.shows("scaffold", r"copy\.deepcopy")
    v4 = releases.get("C1W4A1", "v4")
    assert evidence.shows("patterns", v4.markers.patterns[0])
    assert v4.markers.score(evidence) == (11, 11 / 14)  # testCases_v2 or _v3, not both


def test_imported_modules_reads_both_import_forms():
    source = ("import numpy as np, h5py\nfrom testCases_v2 import *\n  import x.y  # note\n"
              "%matplotlib inline")
    assert releases.imported_modules(source) == ["numpy", "h5py", "testCases_v2", "x.y"]


def test_a_release_that_changes_a_callee_must_own_its_callers(tmp_path, monkeypatch):
    root = tmp_path / "reference" / "C1W4A1"
    root.mkdir(parents=True)
    for name in ("spec.toml", "solutions.py", "cases.py"):
        (root / name).write_text((spec.REFERENCE_DIR / "C1W4A1" / name).read_text())
    (root / "releases.toml").write_text(
        '[[releases]]\nid = "old"\ntitle = "t"\n'
        '[releases.functions.linear_backward]\nexpected = "own"\n'
        '[[releases]]\nid = "new"\ntitle = "t"\n')
    spec.use_courses([tmp_path])
    releases.load.cache_clear()
    try:
        with pytest.raises(spec.SpecError, match="linear_activation_backward uses linear_backward"):
            releases.load("C1W4A1")
    finally:
        spec.use_courses([])
        releases.load.cache_clear()


def test_gradient_check_cases_send_faulty_stand_ins():
    assignment = spec.load("C2W1A3")
    plan = plan_for("C2W1A3")
    faulty = [(c, s) for c, s in zip(assignment.functions["gradient_check"].cases,
                                     plan.support["gradient_check"]) if c.stand_ins]
    assert {name for c, _ in faulty for name in c.stand_ins} == set(assignment.stand_in_blocks)
    for case, support in faulty:
        assert support[-len(case.stand_ins):] == [assignment.stand_in_blocks[s]
                                                  for s in case.stand_ins]
    cell = extract.GradedCell("gradient_check", "def gradient_check(x, theta): pass", 0)
    tasks = plan.tasks("gradient_check", cell)
    assert len(tasks) == 3 and sorted(i for _, idx in tasks for i in idx) == list(
        range(len(assignment.functions["gradient_check"].cases)))


def test_runs_of_one_function_are_merged_back_in_case_order():
    tasks = [("f", None, [0, 2]), ("f", None, [1])]
    runs = [RunResult({0: {"case": 0}, 1: {"case": 1}}, None, "ok", ["rlimits"], 1.0),
            RunResult({}, None, "timeout", [], 2.0)]
    merged = _merge_runs(tasks, runs)["f"]
    assert merged.cases == {0: {"case": 0}, 2: {"case": 1}}
    assert merged.ending == "timeout" and merged.seconds == 3.0


# Parameter names of the helpers graded code calls, exactly as the course's modules have them
# (old notebooks pass some of them by keyword).
COURSE_SIGNATURES = {
    ("C1W4A1", "dnn_utils"): {"sigmoid": ["Z"], "relu": ["Z"], "relu_backward": ["dA", "cache"],
                              "sigmoid_backward": ["dA", "cache"]},
    ("C1W4A2", "dnn_app_utils_v3"): {
        "initialize_parameters": ["n_x", "n_h", "n_y"],
        "initialize_parameters_deep": ["layer_dims"],
        "linear_forward": ["A", "W", "b"],
        "linear_activation_forward": ["A_prev", "W", "b", "activation"],
        "L_model_forward": ["X", "parameters"], "compute_cost": ["AL", "Y"],
        "linear_backward": ["dZ", "cache"],
        "linear_activation_backward": ["dA", "cache", "activation"],
        "L_model_backward": ["AL", "Y", "caches"],
        "update_parameters": ["parameters", "grads", "learning_rate"],
        "predict": ["X", "y", "parameters"]},
    ("C1W4A2", "dnn_app_utils_v2"): {"L_model_backward": ["AL", "Y", "caches"],
                                     "update_parameters": ["parameters", "grads", "learning_rate"]},
    ("C2W1A2", "reg_utils"): {"compute_cost": ["a3", "Y"], "sigmoid": ["x"], "relu": ["x"]},
    ("C2W1A3", "gc_utils"): {"dictionary_to_vector": ["parameters"],
                             "vector_to_dictionary": ["theta"],
                             "gradients_to_vector": ["gradients"]},
    ("C2W1A3", "gc_network"): {"forward_propagation_n": ["X", "Y", "parameters"],
                               "backward_propagation_n": ["X", "Y", "cache"]},
}


@pytest.mark.parametrize("assignment_id, module", list(COURSE_SIGNATURES))
def test_helpers_keep_the_course_parameter_names(assignment_id, module):
    assignment = spec.load(assignment_id)
    with spec.isolated_imports(assignment.directory):
        loaded = __import__(module)
        names = {name: list(inspect.signature(getattr(loaded, name)).parameters)[:len(expected)]
                 for name, expected in COURSE_SIGNATURES[assignment_id, module].items()}
    assert names == COURSE_SIGNATURES[assignment_id, module]


def test_old_helpers_store_gradients_one_layer_up():
    assignment = spec.load("C1W4A2")
    with spec.isolated_imports(assignment.directory):
        import numpy as np

        v2, v3 = __import__("dnn_app_utils_v2"), __import__("dnn_app_utils_v3")
        rs = np.random.RandomState(0)
        X, Y = rs.randn(4, 5), (rs.rand(1, 5) > 0.5).astype(float)
        parameters = v3.initialize_parameters_deep([4, 3, 2, 1])
        AL, caches = v3.L_model_forward(X, parameters)
        old, new = v2.L_model_backward(AL, Y, caches), v3.L_model_backward(AL, Y, caches)
        updated = v2.update_parameters(parameters=parameters, grads=old, learning_rate=0.1)
    assert sorted(old) == ["dA1", "dA2", "dA3", "dW1", "dW2", "dW3", "db1", "db2", "db3"]
    for l in range(3):
        assert np.array_equal(old[f"dA{l + 1}"], new[f"dA{l}"])
    assert updated.keys() == parameters.keys()


def test_every_report_says_which_release_was_graded(pool):
    result = grade_notebook(submissions("C2W1A3") / "pre-2021" / "reference.ipynb", pool)
    assert result.graded_as.startswith("graded as release pre-2021 (before 2021")
    table = io.StringIO()
    report.print_table(result, table)
    assert result.graded_as in " ".join(table.getvalue().split())
    data = json.loads(report.to_json(result))
    assert data["extra_data"]["release"] == "pre-2021" and result.graded_as in data["output"]
    assert html.escape(result.graded_as) in exports.feedback_html("ann", "a.ipynb", result)
    assert gradebook.result_from_dict(result.to_dict()) == result


def _emptied(source, target, function, keep_placeholder: str):
    """A copy of notebook ``source`` whose ``function`` has every student region replaced."""
    nb = notebook.read(source)
    for cell in nb.cells:
        if extract.graded_name(cell.source) == function:
            lines, inside = [], False
            for line in cell.source.splitlines():
                if extract.START_RE.match(line):
                    inside = True
                    lines += [line] + ([line[:len(line) - len(line.lstrip())] + keep_placeholder]
                                       if keep_placeholder else [])
                elif extract.END_RE.match(line):
                    inside = False
                if not inside:
                    lines.append(line)
            cell.source = "\n".join(lines)
    nbformat.write(nb, target)
    return target


@pytest.mark.parametrize("placeholder", ["", "pass", "None"])
def test_untouched_regions_are_not_implemented_rather_than_errors(placeholder, tmp_path, pool):
    """An old scaffold left as handed out (empty regions, or only ``pass``): the loop body is
    then a syntax error, but the status says what is really wrong."""
    path = _emptied(submissions("C1W4A1") / "v4" / "reference.ipynb", tmp_path / "s.ipynb",
                    "update_parameters", placeholder)
    result = {f.name: f for f in grade_notebook(path, pool).functions}
    assert result["update_parameters"].status == "not implemented"
    assert result["update_parameters"].message.startswith("not implemented yet: replace")
    assert (extract.EMPTY_REGION if not placeholder else f"`{placeholder}`") in \
        result["update_parameters"].message
    assert result["L_model_backward"].status == "passed"


def test_code_that_uses_pass_is_not_a_placeholder():
    cell = ("# GRADED FUNCTION: f\ndef f(x):\n    ### START CODE HERE ###\n    while x:\n"
            "        pass\n    ### END CODE HERE ###\n    return x\n")
    assert extract.placeholders(cell) == []
