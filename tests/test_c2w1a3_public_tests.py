"""C2W1A3 (Gradient Checking): public self-checks and robustness of the hidden cases."""
from __future__ import annotations

import contextlib
import importlib
import io

import pytest

from grader import checks, spec

ID = "C2W1A3"


@pytest.fixture(scope="module")
def assignment():
    return spec.load(ID)


@pytest.fixture(scope="module")
def public_tests(assignment):
    with spec.isolated_imports(assignment.directory):
        return importlib.import_module("public_tests")


def define(assignment, overrides: dict[str, str] | None = None, stand_ins: tuple = ()) -> dict:
    """Preamble + every reference cell, with ``overrides`` ({name: cell source}) swapped in,
    then a case's ``stand_ins`` (the faulty cells it sends instead of reference cells)."""
    namespace: dict = {}
    with spec.isolated_imports(assignment.directory, assignment.reference_dir):
        exec(assignment.preamble, namespace)
        for name, block in assignment.reference_blocks.items():
            exec((overrides or {}).get(name, block), namespace)
        for stand_in in stand_ins:
            exec(assignment.stand_in_blocks[stand_in], namespace)
    return namespace


def edit(assignment, name: str, old: str, new: str) -> str:
    block = assignment.reference_blocks[name]
    assert block.count(old) == 1, old
    return block.replace(old, new)


def run_check(check, target):
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        check(target)
    return stream.getvalue()


CHECKS = {
    "forward_propagation": "forward_propagation_test",
    "backward_propagation": "backward_propagation_test",
    "gradient_check": "gradient_check_test",
    "gradient_check_n": "gradient_check_n_test",
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_public_checks_pass_for_the_reference(assignment, public_tests, name):
    namespace = define(assignment)
    out = run_check(getattr(public_tests, CHECKS[name]), namespace[name])
    assert "All tests passed." in out


WRONG = [
    ("forward_propagation", "J = theta * x", "J = theta + x"),
    ("backward_propagation", "dtheta = x", "dtheta = theta"),
    ("gradient_check", "difference = numerator / denominator", "difference = numerator"),
    ("gradient_check", "theta_minus = theta - epsilon", "theta_minus = theta + epsilon"),
    ("gradient_check_n", "theta_plus = np.copy(parameters_values)", "theta_plus = parameters_values"),
    ("gradient_check_n", "/ (2 * epsilon)", "/ epsilon"),
    ("gradient_check_n", "difference = numerator / denominator", "difference = numerator"),
]


@pytest.mark.parametrize("name, old, new", WRONG, ids=[f"{n}:{new}" for n, _, new in WRONG])
def test_public_checks_fail_for_wrong_code(assignment, public_tests, name, old, new):
    namespace = define(assignment, {name: edit(assignment, name, old, new)})
    with pytest.raises(AssertionError, match=f"check\\(s\\) failed for {name}"):
        run_check(getattr(public_tests, CHECKS[name]), namespace[name])


def test_public_checks_report_unfinished_code(assignment, public_tests):
    namespace = define(assignment, {"gradient_check_n": edit(
        assignment, "gradient_check_n", "theta_plus = np.copy(parameters_values)", "theta_plus = None")})
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream), pytest.raises(AssertionError):
        public_tests.gradient_check_n_test(namespace["gradient_check_n"])
    assert "raised TypeError" in stream.getvalue()


def test_public_tests_only_use_published_values(assignment):
    source = (assignment.directory / "public_tests.py").read_text()
    for value in ["0.2850931567761623", "1.1890913024229996e-07", "7.814075313343006e-11",
                  "2.919335883291695e-10"]:
        assert value in source
    # the corrected backward pass is the student's discovery: it stays in reference/
    assert "backward_propagation_n_fixed" not in source and "def backward_propagation_n" not in source


# Other correct ways of writing each function must pass every hidden case.
ALTERNATIVES = [
    ("forward_propagation", "J = theta * x", "J = np.dot(theta, x)"),
    ("forward_propagation", "J = theta * x", "J = np.multiply(x, theta)"),
    ("gradient_check", "(J_plus - J_minus) / (2 * epsilon)", "(J_plus - J_minus) / 2 / epsilon"),
    ("gradient_check", "np.linalg.norm(grad - gradapprox)", "np.sqrt(np.sum(np.square(grad - gradapprox)))"),
    ("gradient_check_n", "theta_plus[i] = theta_plus[i] + epsilon", "theta_plus[i][0] += epsilon"),
    ("gradient_check_n", "(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - J_minus[i]) / 2 / epsilon"),
    ("gradient_check_n", "(J_plus[i] - J_minus[i]) / (2 * epsilon)", "0.5 * (J_plus[i] - J_minus[i]) / epsilon"),
    ("gradient_check_n", "np.linalg.norm(grad) + np.linalg.norm(gradapprox)",
     "np.sqrt(np.sum(grad ** 2)) + np.sqrt(np.sum(gradapprox ** 2))"),
]


@pytest.mark.parametrize("name, old, new", ALTERNATIVES, ids=[f"{n}:{new}" for n, _, new in ALTERNATIVES])
def test_alternative_correct_code_passes_every_case(assignment, name, old, new):
    function = assignment.functions[name]
    for case in function.cases:
        namespace = define(assignment, {name: edit(assignment, name, old, new)}, case.stand_ins)
        expected = assignment.run_reference(case)
        got = namespace[name](*assignment.build_inputs(case))
        assert checks.compare_output(got, expected, function.returns, case.rtol, case.atol) == [], case.key


SAMPLE_LIKE = [
    ("gradient_check_n", "gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)",
     "gradapprox[i] = (J_plus[i] - forward_propagation_n(X, Y, parameters)[0]) / epsilon"),
    ("gradient_check", "theta_minus = theta - epsilon", "theta_minus = theta"),
]


@pytest.mark.parametrize("name, old, new", SAMPLE_LIKE, ids=[n for n, _, _ in SAMPLE_LIKE])
def test_one_sided_differences_lose_points(assignment, name, old, new):
    function = assignment.functions[name]
    cells = {name: edit(assignment, name, old, new)}
    failed = [case.key for case in function.cases
              if checks.compare_output(define(assignment, cells, case.stand_ins)[name](
                                           *assignment.build_inputs(case)),
                                       assignment.run_reference(case), function.returns,
                                       case.rtol, case.atol)]
    assert failed
