"""C2W1A3 (Gradient Checking): every value published with the course is reproduced."""
from __future__ import annotations

import contextlib
import importlib
import io

import numpy as np
import pytest

from grader import spec

ID = "C2W1A3"
BUGGY = 0.2850931567761623          # 2021/2023 notebook, provided backward_propagation_n
FIXED = 1.1890913024229996e-07      # 2021 run, after fixing dW2 and db1


@pytest.fixture(scope="module")
def c2w1a3():
    """The reference solutions and the public helper modules of the assignment."""
    assignment = spec.load(ID)
    with spec.isolated_imports(assignment.directory, assignment.reference_dir):
        modules = {name: importlib.import_module(name)
                   for name in ("gc_utils", "gc_network", "testCases")}
        cases = assignment._modules[1]
    return assignment.solutions, modules, cases


@pytest.fixture(scope="module")
def course_example(c2w1a3):
    _, modules, cases = c2w1a3
    X, Y, parameters = modules["testCases"].gradient_check_n_test_case()
    cost, cache = modules["gc_network"].forward_propagation_n(X, Y, parameters)
    buggy = modules["gc_network"].backward_propagation_n(X, Y, cache)
    fixed = cases.backward_propagation_n_fixed(X, Y, cache)
    return X, Y, parameters, cost, buggy, fixed


def printed(function, *args, **kwargs):
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        result = function(*args, **kwargs)
    return result, stream.getvalue()


# ---- 1-D functions ---------------------------------------------------------------------------

def test_forward_propagation_course_value(c2w1a3):
    assert c2w1a3[0].forward_propagation(2, 4) == 8


def test_backward_propagation_course_values(c2w1a3):
    solutions = c2w1a3[0]
    assert solutions.backward_propagation(3, 4) == 3      # 2021/2023 notebook cell, 2023 test
    assert solutions.backward_propagation(2, 4) == 2      # old notebook, 2021 test


def test_gradient_check_course_values(c2w1a3):
    solutions = c2w1a3[0]
    assert solutions.gradient_check(3, 4) == 7.814075313343006e-11
    assert solutions.gradient_check(2, 4) == 2.919335883291695e-10
    # old notebook markdown printed fewer correct digits
    assert solutions.gradient_check(2, 4) == pytest.approx(2.9193358103083e-10, rel=1e-7)


def test_gradient_check_default_epsilon_and_silence(c2w1a3):
    solutions = c2w1a3[0]
    difference, out = printed(solutions.gradient_check, 3, 4)
    assert out == ""
    assert difference == solutions.gradient_check(3, 4, 1e-7)


def test_gradient_check_message_when_correct(c2w1a3):
    difference, out = printed(c2w1a3[0].gradient_check, 3, 4, print_msg=True)
    assert out == ("\033[92mYour backward propagation works perfectly fine! "
                   "difference = 7.814075313343006e-11\033[0m\n")
    assert not isinstance(difference, np.ndarray)


def test_gradient_check_message_when_wrong(c2w1a3):
    solutions = c2w1a3[0]
    namespace = dict(vars(solutions))
    exec("def backward_propagation(x, theta):\n    return theta\n", namespace)
    exec(spec.graded_blocks(open(solutions.__file__).read())["gradient_check"], namespace)
    difference, out = printed(namespace["gradient_check"], 3, 4, print_msg=True)
    assert difference == pytest.approx(1 / 7)
    assert out == ("\033[93mThere is a mistake in the backward propagation! "
                   f"difference = {difference}\033[0m\n")


# ---- N-D: test case, provided network, helpers ------------------------------------------------

def test_gradient_check_n_test_case_recipe(c2w1a3):
    X, Y, parameters = c2w1a3[1]["testCases"].gradient_check_n_test_case()
    np.random.seed(1)
    draws = [np.random.randn(*shape) for shape in
             [(4, 3), (5, 4), (5, 1), (3, 5), (3, 1), (1, 3), (1, 1)]]
    np.testing.assert_array_equal(X, draws[0])
    assert Y.shape == (3,) and Y.tolist() == [1, 1, 0]
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for array, draw in zip(parameters.values(), draws[1:]):
        np.testing.assert_array_equal(array, draw)


def test_initial_cost(course_example):
    cost = course_example[3]
    assert cost == pytest.approx(2.407833389834357, rel=1e-13)


def test_forward_cache_layout(c2w1a3, course_example):
    X, Y, parameters = course_example[:3]
    _, cache = c2w1a3[1]["gc_network"].forward_propagation_n(X, Y, parameters)
    assert len(cache) == 12
    shapes = [a.shape for a in cache]
    assert shapes == [(5, 3), (5, 3), (5, 4), (5, 1), (3, 3), (3, 3), (3, 5), (3, 1),
                      (1, 3), (1, 3), (1, 3), (1, 1)]
    assert cache[2] is parameters["W1"] and cache[10] is parameters["W3"]


def test_provided_backward_has_the_course_bugs(course_example):
    buggy, fixed = course_example[4], course_example[5]
    keys = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
    assert list(buggy) == keys and list(fixed) == keys
    np.testing.assert_allclose(buggy["dW2"], 2 * fixed["dW2"], rtol=1e-15)
    np.testing.assert_allclose(buggy["db1"], 4 * fixed["db1"], rtol=1e-15)
    for key in set(keys) - {"dW2", "db1"}:
        np.testing.assert_array_equal(buggy[key], fixed[key])


def test_fixed_backward_matches_finite_differences(c2w1a3, course_example):
    """The corrected backward in cases.py really is the gradient (checked independently)."""
    gc_utils, network = c2w1a3[1]["gc_utils"], c2w1a3[1]["gc_network"]
    X, Y, parameters, _, _, fixed = course_example
    theta, _ = gc_utils.dictionary_to_vector(parameters)
    h = 1e-6
    estimate = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        estimate[i] = (network.forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(up))[0]
                       - network.forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(down))[0]) / (2 * h)
    # log(1 - A3) loses digits when A3 is close to 1, so the estimate is only good to ~1e-7
    np.testing.assert_allclose(gc_utils.gradients_to_vector(fixed), estimate, rtol=1e-5, atol=1e-7)


def test_dictionary_to_vector_layout(c2w1a3, course_example):
    gc_utils = c2w1a3[1]["gc_utils"]
    parameters = course_example[2]
    theta, keys = gc_utils.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1)
    assert keys == ["W1"] * 20 + ["b1"] * 5 + ["W2"] * 15 + ["b2"] * 3 + ["W3"] * 3 + ["b3"]
    # row-major flattening, parameters in the order W1, b1, W2, b2, W3, b3
    expected = np.concatenate([parameters[k].reshape(-1) for k in ["W1", "b1", "W2", "b2", "W3", "b3"]])
    np.testing.assert_array_equal(theta[:, 0], expected)
    np.testing.assert_array_equal(theta[0:4, 0], parameters["W1"][0, :])
    assert theta[46, 0] == parameters["b3"][0, 0]


def test_vector_to_dictionary_slices(c2w1a3):
    gc_utils = c2w1a3[1]["gc_utils"]
    theta = np.arange(47.0).reshape(47, 1)
    parameters = gc_utils.vector_to_dictionary(theta)
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    np.testing.assert_array_equal(parameters["W1"], np.arange(0, 20.0).reshape(5, 4))
    np.testing.assert_array_equal(parameters["b1"], np.arange(20, 25.0).reshape(5, 1))
    np.testing.assert_array_equal(parameters["W2"], np.arange(25, 40.0).reshape(3, 5))
    np.testing.assert_array_equal(parameters["b2"], np.arange(40, 43.0).reshape(3, 1))
    np.testing.assert_array_equal(parameters["W3"], np.arange(43, 46.0).reshape(1, 3))
    np.testing.assert_array_equal(parameters["b3"], np.array([[46.0]]))
    back, _ = gc_utils.dictionary_to_vector(parameters)
    np.testing.assert_array_equal(back, theta)


def test_gradients_to_vector_layout(c2w1a3, course_example):
    gc_utils = c2w1a3[1]["gc_utils"]
    buggy = course_example[4]
    grad = gc_utils.gradients_to_vector(buggy)
    assert grad.shape == (47, 1)
    expected = np.concatenate([buggy[k].reshape(-1) for k in ["dW1", "db1", "dW2", "db2", "dW3", "db3"]])
    np.testing.assert_array_equal(grad[:, 0], expected)


def test_sigmoid_and_relu(c2w1a3):
    gc_utils = c2w1a3[1]["gc_utils"]
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(gc_utils.sigmoid(z), 1 / (1 + np.exp(-z)))
    assert gc_utils.sigmoid(0.0) == 0.5
    np.testing.assert_array_equal(gc_utils.relu(z), [0.0, 0.0, 3.0])


# ---- gradient_check_n ------------------------------------------------------------------------

def test_gradient_check_n_with_provided_backward(c2w1a3, course_example):
    X, Y, parameters, _, buggy, _ = course_example
    difference, out = printed(c2w1a3[0].gradient_check_n, parameters, buggy, X, Y, 1e-7, True)
    assert not isinstance(difference, np.ndarray)
    assert difference == pytest.approx(BUGGY, rel=1e-14)          # equal up to the last digit
    assert difference == pytest.approx(0.285093156781, rel=1e-10)  # old notebook markdown
    prefix = "\033[93mThere is a mistake in the backward propagation! difference = "
    assert out.startswith(prefix) and out.endswith("\033[0m\n")
    assert float(out[len(prefix):-len("\033[0m\n")]) == pytest.approx(BUGGY, rel=1e-14)


def test_gradient_check_n_with_fixed_backward(c2w1a3, course_example):
    X, Y, parameters, _, _, fixed = course_example
    difference, out = printed(c2w1a3[0].gradient_check_n, parameters, fixed, X, Y, print_msg=True)
    assert difference == pytest.approx(FIXED, rel=1e-9)
    assert difference == pytest.approx(1.1890913024409744e-07, rel=1e-9)   # recomputation
    assert difference == pytest.approx(1.18909130244e-07, rel=1e-9)
    assert difference == pytest.approx(1.1890913023330276e-07, rel=1e-9)   # old run
    # 1e-7 < difference < 2e-7: the 2021 threshold (2e-7) calls it correct
    assert out == ("\033[92mYour backward propagation works perfectly fine! "
                   f"difference = {difference}\033[0m\n")


def test_gradient_check_n_is_silent_by_default(c2w1a3, course_example):
    X, Y, parameters, _, buggy, _ = course_example
    difference, out = printed(c2w1a3[0].gradient_check_n, parameters, buggy, X, Y)
    assert out == ""
    assert difference == pytest.approx(BUGGY, rel=1e-14)


def test_gradient_check_n_leaves_inputs_untouched(c2w1a3, course_example):
    X, Y, parameters, _, buggy, _ = course_example
    before = {k: v.copy() for k, v in parameters.items()}
    c2w1a3[0].gradient_check_n(parameters, buggy, X, Y)
    for key, value in before.items():
        np.testing.assert_array_equal(parameters[key], value)


def test_canonical_cases_are_the_published_calls():
    assignment = spec.load(ID)
    published = {
        "forward_propagation/course example (x = 2, theta = 4)": 8,
        "backward_propagation/course example (x = 3, theta = 4)": 3,
        "backward_propagation/course example (x = 2, theta = 4)": 2,
        "gradient_check/course example (x = 3, theta = 4)": 7.814075313343006e-11,
        "gradient_check/course example (x = 2, theta = 4)": 2.919335883291695e-10,
        "gradient_check_n/course example, provided (faulty) backward propagation": BUGGY,
        "gradient_check_n/course example, corrected backward propagation": FIXED,
    }
    cases = {case.key: case for case in assignment.cases()}
    for key, value in published.items():
        case = cases[key]
        got = assignment.run_reference(case)
        assert np.isclose(got, value, rtol=case.rtol, atol=case.atol), key
        # the case tolerance must be far tighter than the value itself
        assert case.atol < abs(value) * 1e-3 or case.atol == 1e-7 and abs(value) >= 1


def test_tiny_differences_get_tight_tolerances():
    for case in spec.load(ID).functions["gradient_check"].cases:
        assert case.rtol <= 1e-3 and case.atol <= 1e-15
    for case in spec.load(ID).functions["gradient_check_n"].cases:
        assert case.rtol <= 1e-5 and case.atol <= 1e-12
