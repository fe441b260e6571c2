"""Named mistakes: the catalogues (reference/<ID>/mistakes.toml), their stored outputs, and how
grading names the mistake a failed case reproduces."""
from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from grader import checks, codec, fixtures, gradebook, pipeline, report, spec
from grader.execute import RunResult
from grader.extract import GradedCell
from grader.pipeline import grade_notebook
from grader.results import MAX_LINE_CHARS

ASSIGNMENTS = spec.available()
# functions for which fewer than three realistic mistakes exist
FEW_MISTAKES = {("C2W1A3", "forward_propagation"), ("C2W1A3", "backward_propagation")}
SAMPLES = [(a, s) for a in ASSIGNMENTS for s in fixtures.samples(spec.load(a))]


# ----------------------------------------------------------------------------- catalogues

@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_function_has_named_mistakes(assignment_id):
    for function in spec.load(assignment_id).functions.values():
        wanted = 2 if (assignment_id, function.name) in FEW_MISTAKES else 3
        assert len(function.mistakes) >= wanted, function.name
        for mistake in function.mistakes:
            assert len(mistake.explanation) <= MAX_LINE_CHARS, mistake.id  # never cut in reports


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_mistake_is_stored_for_some_case(assignment_id):
    assignment = spec.load(assignment_id)
    stored = {mistake for by_id in assignment.fingerprints.values() for mistake in by_id}
    for function in assignment.functions.values():
        assert {m.id for m in function.mistakes} <= stored, function.name


def test_an_edit_that_does_not_apply_fails_loudly():
    assignment = spec.load("C2W1A3")
    broken = spec.Mistake("forward_propagation", "typo", "explained", (("J = theta ** x", "J"),))
    with pytest.raises(spec.SpecError, match="must occur exactly once"):
        broken.apply(assignment.reference_blocks["forward_propagation"])
    with pytest.raises(spec.SpecError, match="typo"):
        fixtures.mistake_fingerprints(with_mistakes(assignment, "forward_propagation", broken),
                                      fixtures.expected_outputs(assignment))


def test_a_mistake_without_effect_and_twin_mistakes_fail_loudly():
    assignment = spec.load("C2W1A3")
    expected = fixtures.expected_outputs(assignment)
    harmless = spec.Mistake("forward_propagation", "harmless", "x", (("J = theta * x", "J = x * theta"),))
    with pytest.raises(spec.SpecError, match="harmless gives the expected result"):
        fixtures.mistake_fingerprints(
            with_mistakes(assignment, "forward_propagation", harmless), expected)
    first, second = (spec.Mistake("forward_propagation", name, "x", (("J = theta * x", new),))
                     for name, new in (("adds", "J = theta + x"), ("adds_too", "J = x + theta")))
    with pytest.raises(spec.SpecError, match="adds and adds_too give the same result"):
        fixtures.mistake_fingerprints(
            with_mistakes(assignment, "forward_propagation", first, second), expected)


def with_mistakes(assignment: spec.Assignment, name: str, *mistakes: spec.Mistake):
    """A copy of ``assignment`` whose function ``name`` has exactly ``mistakes``."""
    functions = dict(assignment.functions)
    functions[name] = replace(functions[name], mistakes=mistakes)
    return spec.Assignment(assignment.id, assignment.title, assignment.notebook,
                           assignment.preamble, assignment.timeout, functions, assignment.warm,
                           assignment.root)


# ----------------------------------------------------------------------------- samples

def test_every_wrong_sample_names_its_mistake():
    assert SAMPLES
    for assignment_id, sample in SAMPLES:
        assert len(sample.fails) == 1 and sample.mistake, sample.file
        function = spec.load(assignment_id).functions[sample.fails[0]]
        assert sample.mistake in {m.id for m in function.mistakes}, sample.file


@pytest.mark.parametrize("assignment_id, sample", SAMPLES,
                         ids=[f"{a}-{s.file}" for a, s in SAMPLES])
def test_grading_a_sample_names_its_mistake(assignment_id, sample, pool):
    assignment = spec.load(assignment_id)
    result = grade_notebook(assignment.fixtures_dir / "submissions" / sample.file, pool)
    failed = {f.name: f for f in result.functions if f.score < f.max_score}
    function = failed[sample.fails[0]]
    assert function.mistake == sample.mistake, function.message
    mistake = next(m for m in assignment.functions[function.name].mistakes
                   if m.id == sample.mistake)
    named = [c for c in function.cases if c.mistake == sample.mistake]
    assert named and all(c.message.startswith(mistake.explanation) for c in named)
    assert mistake.explanation in function.message
    tests = {t["name"]: t for t in report.gradescope(result)["tests"]}
    assert tests[function.name]["extra_data"] == {"mistake": sample.mistake}
    assert all(t["extra_data"] == {"mistake": ""} for n, t in tests.items() if n not in failed)
    stored = gradebook.result_from_dict(json.loads(json.dumps(result.to_dict())))
    assert [f.mistake for f in stored.functions] == [f.mistake for f in result.functions]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_reference_names_no_mistake(assignment_id, pool):
    result = grade_notebook(spec.load(assignment_id).fixtures_dir / "submissions" /
                            "reference.ipynb", pool)
    assert [f.mistake for f in result.functions] == [""] * len(result.functions)


# ----------------------------------------------------------------------------- matching

def judged(name: str, outputs: list, plan: pipeline.Plan | None = None):
    """Judge C1W4A1 function ``name`` on made-up results (one output per case, inputs kept)."""
    plan = plan or pipeline.plan_for("C1W4A1")
    frames = {i: {"case": i, "output": codec.to_plain(output),
                  "args_after": codec.to_plain(plan.inputs[name][i])}
              for i, output in enumerate(outputs)}
    return checks.judge(plan.functions[name], GradedCell(name, "", 0),
                        RunResult(frames, None, "done", [], 0.1), plan.expected[name],
                        plan.inputs[name], plan.arg_names[name], plan.fingerprints[name])


def mistake_outputs(name: str, mistake: str) -> list:
    plan = pipeline.plan_for("C1W4A1")
    return [fingerprint.get(mistake, {}).get("output", expected)
            for fingerprint, expected in zip(plan.fingerprints[name], plan.expected[name])]


def test_a_failure_that_is_no_named_mistake_keeps_the_precise_message():
    plan = pipeline.plan_for("C1W4A1")
    outputs = [expected + 0.25 for expected in plan.expected["compute_cost"]]
    result = judged("compute_cost", outputs)
    assert result.mistake == "" and {c.mistake for c in result.cases} == {""}
    assert result.message.startswith("course example: cost: wrong values: got ")


def test_the_mistake_that_explains_every_case_is_named():
    """Swapping both activations reproduces each one-branch mistake on half of the cases; only
    the swap also explains the other half."""
    result = judged("linear_activation_forward",
                    mistake_outputs("linear_activation_forward", "activations_swapped"))
    assert result.mistake == "activations_swapped"
    assert {c.mistake for c in result.cases} == {"activations_swapped"}
    one_branch = judged("linear_activation_forward",
                        mistake_outputs("linear_activation_forward", "relu_in_sigmoid_branch"))
    assert one_branch.mistake == "relu_in_sigmoid_branch" and one_branch.status == "partial"
    assert [c.mistake for c in one_branch.cases if c.passed] == ["", ""]


def test_a_hidden_case_names_its_mistake_without_showing_numbers():
    result = judged("compute_cost", mistake_outputs("compute_cost", "not_averaged"))
    hidden = result.cases[-1]
    assert hidden.mistake == "not_averaged" and "…" in hidden.message
    assert hidden.message.startswith("The cost is the sum over the examples")


def test_matching_a_mistake_is_cheap():
    plan = pipeline.plan_for("C1W4A1")
    outputs = mistake_outputs("L_model_backward", "sigmoid_for_hidden")
    judged("L_model_backward", outputs, plan)  # warm up
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        result = judged("L_model_backward", outputs, plan)
    seconds = (time.perf_counter() - start) / rounds / len(result.cases)
    assert result.mistake == "sigmoid_for_hidden"
    assert seconds < 0.02, f"{seconds * 1000:.1f} ms per failed case"
