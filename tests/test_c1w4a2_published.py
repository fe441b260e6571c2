"""C1W4A2 (Application): the reference models and helpers reproduce the course's published values
on the public-test recipes, and the public checks accept the reference and reject wrong models."""
from __future__ import annotations

import contextlib
import importlib
import io
import re

import numpy as np
import pytest

from grader import spec

ID = "C1W4A2"


@pytest.fixture(scope="module")
def c1w4a2():
    """(solutions, dnn_app_utils_v3, testCases, public_tests) loaded in the assignment's window."""
    assignment = spec.load(ID)
    with spec.isolated_imports(assignment.directory, assignment.reference_dir):
        modules = [importlib.import_module(name)
                   for name in ("dnn_app_utils_v3", "testCases", "public_tests")]
    return (assignment.solutions, *modules)


def printed(function, *args, **kwargs):
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        result = function(*args, **kwargs)
    return result, stream.getvalue()


def printed_costs(text):
    """{iteration: cost} of every "Cost after iteration i: c" line."""
    return {int(i): float(c) for i, c in re.findall(r"Cost after iteration (\d+): (\S+)", text)}


def public_cases(public_tests, test_name, monkeypatch):
    """The PublicCase list a public test function builds (its published expected values)."""
    captured = []
    monkeypatch.setattr(public_tests, "run", lambda target, cases: captured.extend(cases))
    getattr(public_tests, test_name)(lambda *args: None)
    return captured


def assert_published(got, expected, decimals_atol=5.1e-9):
    """``got`` equals a value printed with 8 decimals (or 9 significant digits)."""
    np.testing.assert_allclose(got, expected, rtol=5e-9, atol=decimals_atol)


# ---- the public-test recipes -----------------------------------------------------------------

def test_two_layer_model_recipe_inputs(c1w4a2):
    _, _, testCases, _ = c1w4a2
    X, Y, layers_dims = testCases.two_layer_model_test_case()
    rs = np.random.RandomState(1)
    np.testing.assert_array_equal(X, rs.randn(10, 10))
    np.testing.assert_array_equal(Y, rs.randn(1, 10))      # real-valued labels, as in the course
    assert layers_dims == (10, 4, 1)


def test_L_layer_model_recipe_inputs(c1w4a2):
    _, _, testCases, _ = c1w4a2
    X, Y, layers_dims = testCases.L_layer_model_test_case()
    np.testing.assert_array_equal(X, np.random.RandomState(1).randn(10, 10))
    np.testing.assert_array_equal(Y, [[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]])
    assert tuple(layers_dims) == (10, 5, 6, 1)


@pytest.mark.parametrize("model, test_name, runs", [
    ("two_layer_model", "two_layer_model_test", [(0.0075, 2), (0.1, 3)]),
    ("L_layer_model", "L_layer_model_test", [(0.0075, 2), (0.02, 3)]),
])
def test_reference_reproduces_published_parameters_and_costs(c1w4a2, monkeypatch, model,
                                                             test_name, runs):
    solutions, _, _, public_tests = c1w4a2
    cases = public_cases(public_tests, test_name, monkeypatch)
    assert [case.args[3:] for case in cases] == runs
    for case in cases:
        (parameters, costs), _ = printed(getattr(solutions, model), *case.args)
        expected_parameters, expected_costs = case.expected
        assert sorted(parameters) == sorted(expected_parameters)
        for key, value in expected_parameters.items():
            assert parameters[key].shape == value.shape
            assert_published(parameters[key], value)
        assert type(costs) is list and len(costs) == len(expected_costs) == 1
        assert isinstance(costs[0], np.ndarray) and costs[0].shape == ()
        assert_published(costs[0], expected_costs[0])


def test_published_values_spot_check(c1w4a2, monkeypatch):
    """A few published numbers written out here, independent of public_tests.py."""
    _, _, _, public_tests = c1w4a2
    two = public_cases(public_tests, "two_layer_model_test", monkeypatch)
    deep = public_cases(public_tests, "L_layer_model_test", monkeypatch)
    assert two[0].expected[0]["W1"][0, 0] == 0.01624965
    assert two[0].expected[0]["b2"][0, 0] == -0.00689018
    assert two[1].expected[0]["b2"][0, 0] == -0.13451354
    assert float(two[0].expected[1][0]) == float(two[1].expected[1][0]) == 0.69315968
    assert deep[0].expected[0]["W1"][0, 0] == 0.51384638
    assert deep[0].expected[0]["b3"][0, 0] == 0.0013201
    assert deep[1].expected[0]["b3"][0, 0] == 0.00525865
    assert float(deep[0].expected[1][0]) == float(deep[1].expected[1][0]) == 0.70723944


def test_two_layer_model_prints_published_test_cell_costs(c1w4a2):
    """2021 rule: the last iteration is printed even with print_cost=False."""
    solutions, _, testCases, _ = c1w4a2
    X, Y, layers_dims = testCases.two_layer_model_test_case()
    _, text = printed(solutions.two_layer_model, X, Y, layers_dims, 0.0075, 2)
    assert printed_costs(text) == pytest.approx({1: 0.6915746967050506}, rel=1e-12)
    _, text = printed(solutions.two_layer_model, X, Y, layers_dims, 0.1, 3)
    assert printed_costs(text) == pytest.approx({2: 0.6524135179683452}, rel=1e-12)


def test_L_layer_model_prints_published_test_cell_costs(c1w4a2):
    solutions, _, testCases, _ = c1w4a2
    X, Y, layers_dims = testCases.L_layer_model_test_case()
    _, text = printed(solutions.L_layer_model, X, Y, layers_dims, 0.0075, 2)
    assert printed_costs(text) == pytest.approx({1: 0.7070709008912569}, rel=1e-12)
    _, text = printed(solutions.L_layer_model, X, Y, layers_dims, 0.02, 3)
    assert printed_costs(text) == pytest.approx({2: 0.7063462654190897}, rel=1e-12)


@pytest.mark.parametrize("model, dims", [("two_layer_model", (6, 3, 1)),
                                         ("L_layer_model", [6, 4, 3, 1])])
def test_cost_bookkeeping_follows_the_2021_rules(c1w4a2, model, dims):
    """Costs appended at i % 100 == 0 whatever print_cost; printed every 100 only if asked."""
    solutions = c1w4a2[0]
    rs = np.random.RandomState(0)
    X, Y = rs.randn(6, 12), (rs.rand(1, 12) > 0.5).astype(float)
    (_, costs), quiet = printed(getattr(solutions, model), X, Y, dims, 0.01, 250)
    assert len(costs) == 3                                    # iterations 0, 100, 200
    assert sorted(printed_costs(quiet)) == [249]
    (_, loud_costs), loud = printed(getattr(solutions, model), X, Y, dims, 0.01, 250, True)
    assert sorted(printed_costs(loud)) == [0, 100, 200, 249]
    assert [float(c) for c in loud_costs] == [float(c) for c in costs]
    assert printed_costs(loud)[100] == float(costs[1])
    (_, costs), _ = printed(getattr(solutions, model), X, Y, dims, 0.01, 100)
    assert len(costs) == 1


# ---- provided helpers (course-facts B.2) -----------------------------------------------------

def test_initialize_parameters_course_values(c1w4a2):
    utils = c1w4a2[1]
    p = utils.initialize_parameters(3, 2, 1)
    assert_published(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                               [-0.01072969, 0.00865408, -0.02301539]])
    assert_published(p["W2"], [[0.01744812, -0.00761207]])
    np.testing.assert_array_equal(p["b1"], np.zeros((2, 1)))
    np.testing.assert_array_equal(p["b2"], np.zeros((1, 1)))


def test_initialize_parameters_deep_uses_seed_1_and_sqrt_scaling(c1w4a2):
    utils = c1w4a2[1]
    dims = [5, 4, 3]
    p = utils.initialize_parameters_deep(dims)
    rs = np.random.RandomState(1)
    assert sorted(p) == ["W1", "W2", "b1", "b2"]
    np.testing.assert_array_equal(p["W1"], rs.randn(4, 5) / np.sqrt(5))
    np.testing.assert_array_equal(p["W2"], rs.randn(3, 4) / np.sqrt(4))
    np.testing.assert_array_equal(p["b1"], np.zeros((4, 1)))
    np.testing.assert_array_equal(p["b2"], np.zeros((3, 1)))


def test_compute_cost_is_a_0d_array(c1w4a2):
    utils = c1w4a2[1]
    cost = utils.compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]]))
    assert isinstance(cost, np.ndarray) and cost.shape == ()
    assert float(cost) == pytest.approx(-(np.log(0.8) + np.log(0.9) + np.log(0.6)) / 3)


def test_L_model_backward_uses_the_new_dA_key_convention(c1w4a2):
    utils = c1w4a2[1]
    rs = np.random.RandomState(2)
    X, Y = rs.randn(4, 5), (rs.rand(1, 5) > 0.5).astype(float)
    parameters = utils.initialize_parameters_deep([4, 3, 2, 1])
    AL, caches = utils.L_model_forward(X, parameters)
    grads = utils.L_model_backward(AL, Y, caches)
    assert sorted(grads) == ["dA0", "dA1", "dA2", "dW1", "dW2", "dW3", "db1", "db2", "db3"]
    assert grads["dA0"].shape == X.shape
    assert grads["dA2"].shape == (2, 5)


def test_update_parameters_leaves_its_input_alone(c1w4a2):
    utils = c1w4a2[1]
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1))}
    new = utils.update_parameters(params, grads, 0.5)
    np.testing.assert_array_equal(new["W1"], 0.5 * np.ones((2, 2)))
    np.testing.assert_array_equal(params["W1"], np.ones((2, 2)))


def test_predict_prints_the_course_accuracy_format(c1w4a2):
    """209 correct out of 209 prints 0.9999999999999998, as in the course."""
    utils = c1w4a2[1]
    rs = np.random.RandomState(3)
    X = rs.randn(3, 209)
    parameters = {"W1": np.array([[1.0, 0.0, 0.0]]), "b1": np.zeros((1, 1))}
    y = (X[0:1] > 0).astype(np.int64)
    p, text = printed(utils.predict, X, y, parameters)
    assert text == "Accuracy: 0.9999999999999998\n"
    assert p.shape == (1, 209) and p.dtype == np.float64
    np.testing.assert_array_equal(p, y)


def test_print_mislabeled_images_draws_only_the_wrong_ones(c1w4a2, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    monkeypatch.setattr(plt, "show", lambda: None)
    utils = c1w4a2[1]
    classes = np.array([b"non-cat", b"cat"])
    X = np.random.RandomState(0).rand(64 * 64 * 3, 5)
    y = np.array([[1, 0, 1, 1, 0]])
    p = np.array([[1., 1., 0., 1., 0.]])
    utils.print_mislabeled_images(classes, X, y, p)
    titles = [ax.get_title() for ax in plt.gcf().axes if ax.get_title()]
    assert titles == ["Prediction: cat\nClass: non-cat", "Prediction: non-cat\nClass: cat"]
    plt.close("all")


# ---- the public checks -----------------------------------------------------------------------

@pytest.mark.parametrize("model, test_name", [("two_layer_model", "two_layer_model_test"),
                                              ("L_layer_model", "L_layer_model_test")])
def test_public_checks_pass_for_the_reference(c1w4a2, model, test_name):
    solutions, _, _, public_tests = c1w4a2
    _, text = printed(getattr(public_tests, test_name), getattr(solutions, model))
    assert "All tests passed." in text


def _wrong_two_layer_no_update(solutions):
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        return solutions.two_layer_model(X, Y, layers_dims, 0.0, num_iterations, print_cost)
    return model


def _wrong_L_layer_costs_every_iteration(solutions):
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        parameters, costs = solutions.L_layer_model(X, Y, layers_dims, learning_rate, num_iterations)
        return parameters, costs * num_iterations
    return model


def _wrong_L_layer_fixed_rate(solutions):
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        return solutions.L_layer_model(X, Y, layers_dims, 0.0075, num_iterations, print_cost)
    return model


def _wrong_L_layer_shallow_init(solutions, utils):
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        parameters = utils.initialize_parameters(layers_dims[0], layers_dims[1], layers_dims[-1])
        for _ in range(num_iterations):
            AL, caches = utils.L_model_forward(X, parameters)
            grads = utils.L_model_backward(AL, Y, caches)
            parameters = utils.update_parameters(parameters, grads, learning_rate)
        return parameters, [utils.compute_cost(AL, Y)]
    return model


@pytest.mark.parametrize("test_name, make, message", [
    ("two_layer_model_test", lambda s, u: _wrong_two_layer_no_update(s), "W1: wrong values"),
    ("L_layer_model_test", lambda s, u: _wrong_L_layer_costs_every_iteration(s),
     "costs: expected a list of 1 items"),
    ("L_layer_model_test", lambda s, u: _wrong_L_layer_fixed_rate(s), "3 iterations"),
    ("L_layer_model_test", lambda s, u: _wrong_L_layer_shallow_init(s, u), "missing key"),
    ("two_layer_model_test", lambda s, u: (lambda *args: None), "expected 2 return values"),
])
def test_public_checks_reject_wrong_models(c1w4a2, test_name, make, message):
    solutions, utils, _, public_tests = c1w4a2
    with pytest.raises(AssertionError):
        _, text = printed(getattr(public_tests, test_name), make(solutions, utils))
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream), contextlib.suppress(AssertionError):
        getattr(public_tests, test_name)(make(solutions, utils))
    assert message in stream.getvalue()
    assert "All tests passed." not in stream.getvalue()
