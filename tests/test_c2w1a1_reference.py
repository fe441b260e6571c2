"""C2W1A1 (Initialization): reference solutions, public checks, helpers and grading cases.

Every expected number below is a published value of the course (course 2 week 1, Initialization).
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import load_module
from grader import spec
from grader.checks import compare_output

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A1"
REFERENCE = ROOT / "reference" / "C2W1A1"


@pytest.fixture(scope="module")
def sol():
    return load_module(REFERENCE / "solutions.py", "c2w1a1_solutions")


@pytest.fixture(scope="module")
def utils():
    import matplotlib
    matplotlib.use("Agg")
    return load_module(ASSIGNMENT / "init_utils.py", "c2w1a1_init_utils")


@pytest.fixture(scope="module")
def public():
    return load_module(ASSIGNMENT / "public_tests.py", "c2w1a1_public_tests")


@pytest.fixture(scope="module")
def assignment():
    return spec.load("C2W1A1")


# Published values (8 decimals as printed) -----------------------------------------------------

ZEROS_321 = {"W1": [[0., 0., 0.], [0., 0., 0.]], "b1": [[0.], [0.]], "W2": [[0., 0.]], "b2": [[0.]]}
RANDOM_321 = {
    "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
    "b1": [[0.], [0.]],
    "W2": [[-0.82741481, -6.27000677]],
    "b2": [[0.]],
}
HE_241 = {
    "W1": [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
           [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
    "b1": [[0.], [0.], [0.], [0.]],
    "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
    "b2": [[0.]],
}
HE_312 = {
    "W1": [[1.46040903, 0.3564088, 0.07878985]],
    "b1": [[0.]],
    "W2": [[-2.63537665], [-0.39228616]],
    "b2": [[0.], [0.]],
}
PUBLISHED = [
    ("initialize_parameters_zeros", [3, 2, 1], ZEROS_321),
    ("initialize_parameters_random", [3, 2, 1], RANDOM_321),
    ("initialize_parameters_he", [2, 4, 1], HE_241),
    ("initialize_parameters_he", [3, 1, 2], HE_312),
]


def assert_matches_published(got: dict, expected: dict) -> None:
    assert list(got) == list(expected)          # exactly these keys, in W1, b1, W2, b2 order
    for key, value in expected.items():
        value = np.array(value)
        assert type(got[key]) is np.ndarray and got[key].dtype == np.float64, key
        assert got[key].shape == value.shape, key
        np.testing.assert_allclose(got[key], value, rtol=0, atol=5.01e-9, err_msg=key)


@pytest.mark.parametrize("function, dims, expected", PUBLISHED,
                         ids=[f"{f}-{d}" for f, d, _ in PUBLISHED])
def test_reference_reproduces_published_values(sol, function, dims, expected):
    np.random.seed(0)   # the functions must seed themselves; the global state must not matter
    assert_matches_published(getattr(sol, function)(dims), expected)


def test_random_and_he_recipes(sol):
    """Seed 3, one randn draw per layer in order, times 10 or sqrt(2 / n_prev); zero biases."""
    dims = [5, 4, 3, 1]
    for function, scale in (("initialize_parameters_random", lambda n_prev: 10),
                            ("initialize_parameters_he", lambda n_prev: np.sqrt(2 / n_prev))):
        np.random.seed(3)
        draws = [np.random.randn(dims[l], dims[l - 1]) for l in range(1, len(dims))]
        got = getattr(sol, function)(dims)
        assert len(got) == 2 * (len(dims) - 1)
        for l in range(1, len(dims)):
            np.testing.assert_array_equal(got[f"W{l}"], draws[l - 1] * scale(dims[l - 1]))
            np.testing.assert_array_equal(got[f"b{l}"], np.zeros((dims[l], 1)))


def test_inputs_not_modified(sol):
    dims = [3, 2, 1]
    for function in ("initialize_parameters_zeros", "initialize_parameters_random",
                     "initialize_parameters_he"):
        getattr(sol, function)(dims)
        assert dims == [3, 2, 1]


# Public checks ------------------------------------------------------------------------------

FUNCTIONS = ["initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he"]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_public_checks_pass_for_reference(sol, public, function, capsys):
    getattr(public, function + "_test")(getattr(sol, function))
    assert "All tests passed." in capsys.readouterr().out


def _zeros_b_1d(layers_dims):
    return {k: v for l in range(1, len(layers_dims)) for k, v in
            ((f"W{l}", np.zeros((layers_dims[l], layers_dims[l - 1]))),
             (f"b{l}", np.zeros(layers_dims[l])))}


def _random_unscaled(layers_dims):
    np.random.seed(3)
    out = {}
    for l in range(1, len(layers_dims)):
        out[f"W{l}"] = np.random.randn(layers_dims[l], layers_dims[l - 1])
        out[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return out


def _he_scaled_by(n_of):
    def he(layers_dims):
        np.random.seed(3)
        out = {}
        for l in range(1, len(layers_dims)):
            out[f"W{l}"] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * n_of(layers_dims, l)
            out[f"b{l}"] = np.zeros((layers_dims[l], 1))
        return out
    return he


WRONG = [
    ("initialize_parameters_zeros", _zeros_b_1d, "b1: shape (2,), expected (2, 1)"),
    ("initialize_parameters_random", _random_unscaled, "W1: wrong values"),
    ("initialize_parameters_he", _he_scaled_by(lambda d, l: np.sqrt(1 / d[l - 1])), "W1: wrong values"),
    ("initialize_parameters_he", _he_scaled_by(lambda d, l: np.sqrt(2 / d[l])), "W1: wrong values"),
]


@pytest.mark.parametrize("function, wrong, message", WRONG,
                         ids=["zeros-b-1d", "random-unscaled", "he-xavier", "he-current-layer"])
def test_public_checks_fail_for_wrong_code(public, function, wrong, message, capsys):
    wrong.__name__ = function
    with pytest.raises(AssertionError):
        getattr(public, function + "_test")(wrong)
    out = capsys.readouterr().out
    assert "All tests passed." not in out and message in out


def test_public_checks_report_exceptions(public, capsys):
    def initialize_parameters_he(layers_dims):
        raise NotImplementedError("not yet")
    with pytest.raises(AssertionError):
        public.initialize_parameters_he_test(initialize_parameters_he)
    assert "raised NotImplementedError" in capsys.readouterr().out


def test_public_checks_only_use_published_values(public):
    """The public expected arrays are the course's printed values (8 decimals), nothing hidden."""
    text = (ASSIGNMENT / "public_tests.py").read_text()
    for _, _, expected in PUBLISHED:
        for value in expected.values():
            for number in np.ravel(value):
                if number:
                    assert f"{number:.8f}".rstrip("0") in text
    assert "[5, 4, 3, 2, 1]" not in text and "50, 8, 1" not in text   # no hidden case leaks


# Grading spec and cases ---------------------------------------------------------------------

def test_spec_shape(assignment):
    assert assignment.max_score == 100
    assert list(assignment.functions) == FUNCTIONS
    assert assignment.preamble.strip() == "import numpy as np"
    for function in assignment.functions.values():
        assert function.returns == ("parameters",)
        assert function.hint and not function.uses


def test_canonical_cases_are_the_course_calls(assignment):
    canonical = {(c.function, tuple(assignment.build_inputs(c)[0])) for c in assignment.cases()
                 if c.name.startswith("course example")}
    assert canonical == {("initialize_parameters_zeros", (3, 2, 1)),
                         ("initialize_parameters_random", (3, 2, 1)),
                         ("initialize_parameters_he", (2, 4, 1)),
                         ("initialize_parameters_he", (3, 1, 2))}


def test_hidden_cases_defeat_hard_coded_answers(assignment):
    """An answer that returns the published dicts passes every course example and no hidden case."""
    published = {(f, tuple(d)): e for f, d, e in PUBLISHED}
    for name, function in assignment.functions.items():
        hidden = [c for c in function.cases if not c.name.startswith("course example")]
        assert len(hidden) >= 2
        for case in function.cases:
            dims = assignment.build_inputs(case)[0]
            expected = assignment.run_reference(case)
            hard_coded = published.get((name, (3, 2, 1)) if name != "initialize_parameters_he"
                                       else (name, (2, 4, 1)))
            got = {k: np.array(v) for k, v in hard_coded.items()}
            failures = compare_output(got, expected, function.returns, case.rtol, case.atol)
            if case in hidden:
                assert failures, f"{case.key} accepts a hard-coded answer"
                assert tuple(dims) not in {d for (f, d) in published if f == name}


def test_hidden_cases_vary_depth_and_width(assignment):
    depths = {len(assignment.build_inputs(c)[0]) for c in assignment.cases()}
    assert {2, 3, 5} <= depths
    for case in assignment.cases():
        first, second = assignment.build_inputs(case), assignment.build_inputs(case)
        assert first == second and first[0] is not second[0]   # deterministic, fresh objects


# Provided helpers (init_utils) --------------------------------------------------------------

def test_load_dataset_matches_course_draw(utils):
    train_X, train_Y, test_X, test_Y = utils.load_dataset(plot=False)
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    np.testing.assert_allclose(train_X[:, :3].T, [[-0.07741354, 0.85260226],
                                                  [0.4318696, -0.87214504],
                                                  [0.07916502, 0.8406611]], atol=5.01e-9)
    assert set(np.unique(train_Y)) == {0, 1} and set(np.unique(test_Y)) == {0, 1}
    assert train_Y.sum() == 150            # balanced classes (used by the zero-init explanation)
    again = utils.load_dataset(plot=False)
    for a, b in zip((train_X, train_Y, test_X, test_Y), again):
        np.testing.assert_array_equal(a, b)


def test_load_dataset_plots_training_set(utils):
    import matplotlib.pyplot as plt
    plt.close("all")
    utils.load_dataset()
    assert len(plt.gca().collections) == 1 and plt.gca().collections[0].get_offsets().shape == (300, 2)
    plt.close("all")


def _small_network(seed=1):
    rng = np.random.RandomState(seed)
    dims = [2, 4, 3, 1]
    params = {}
    for l in range(1, 4):
        params[f"W{l}"] = rng.randn(dims[l], dims[l - 1])
        params[f"b{l}"] = rng.randn(dims[l], 1) * 0.1
    X = rng.randn(2, 7)
    Y = (rng.rand(1, 7) > 0.5).astype(float)
    return X, Y, params


def test_forward_propagation_cache_layout(utils):
    X, Y, p = _small_network()
    a3, cache = utils.forward_propagation(X, p)
    z1 = p["W1"] @ X + p["b1"]
    a1 = np.maximum(0, z1)
    z2 = p["W2"] @ a1 + p["b2"]
    a2 = np.maximum(0, z2)
    z3 = p["W3"] @ a2 + p["b3"]
    expected = (z1, a1, p["W1"], p["b1"], z2, a2, p["W2"], p["b2"], z3, 1 / (1 + np.exp(-z3)),
                p["W3"], p["b3"])
    assert type(cache) is tuple and len(cache) == 12
    for got, want in zip(cache, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(a3, expected[9], rtol=1e-12)


def test_backward_propagation_is_the_loss_gradient(utils):
    """Finite differences of compute_loss agree with backward_propagation for every parameter."""
    X, Y, p = _small_network()
    _, cache = utils.forward_propagation(X, p)
    grads = utils.backward_propagation(X, Y, cache)
    assert {"dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2", "da1", "dz1", "dW1", "db1"} == set(grads)
    eps = 1e-6
    for key, value in p.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = dict(p), dict(p)
            plus[key], minus[key] = value.copy(), value.copy()
            plus[key][index] += eps
            minus[key][index] -= eps
            numeric[index] = (utils.compute_loss(utils.forward_propagation(X, plus)[0], Y)
                              - utils.compute_loss(utils.forward_propagation(X, minus)[0], Y)) / (2 * eps)
        np.testing.assert_allclose(grads["d" + key], numeric, rtol=1e-5, atol=1e-8, err_msg=key)


def test_update_parameters_and_loss(utils):
    X, Y, p = _small_network()
    grads = {"d" + k: np.ones_like(v) for k, v in p.items()}
    before = {k: v.copy() for k, v in p.items()}
    new = utils.update_parameters(p, grads, 0.1)
    for k in before:
        np.testing.assert_allclose(new[k], before[k] - 0.1)
    a3 = np.array([[0.9, 0.2, 0.6]])
    y = np.array([[1, 0, 0]])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.4)) / 3
    assert utils.compute_loss(a3, y) == pytest.approx(expected, rel=1e-12)
    assert utils.compute_loss(np.array([[0.0, 1.0]]), np.array([[1, 1]])) == np.inf


def test_predict_prints_accuracy_and_returns_integers(utils):
    X, Y, p = _small_network()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        predictions = utils.predict(X, Y, p)
    a3, _ = utils.forward_propagation(X, p)
    assert predictions.dtype == np.int_ and predictions.shape == (1, 7)
    np.testing.assert_array_equal(predictions, (a3 > 0.5).astype(int))
    assert out.getvalue() == f"Accuracy: {np.mean(predictions[0] == Y[0])}\n"
    np.testing.assert_array_equal(utils.predict_dec(p, X), a3 > 0.5)
    assert not re.search(r"np\.int\b(?!_|64)", (ASSIGNMENT / "init_utils.py").read_text())


def test_plot_decision_boundary_draws(utils):
    import matplotlib.pyplot as plt
    plt.close("all")
    X, Y, p = _small_network()
    utils.plot_decision_boundary(lambda x: utils.predict_dec(p, x.T), X, Y)
    plt.close("all")


def test_zero_init_gets_no_weight_gradient(utils, sol):
    """The notebook's explanation: from all zeros, a3 = 0.5 and every gradient vanishes."""
    train_X, train_Y, _, _ = utils.load_dataset(plot=False)
    params = sol.initialize_parameters_zeros([2, 10, 5, 1])
    a3, cache = utils.forward_propagation(train_X, params)
    np.testing.assert_array_equal(a3, 0.5)
    grads = utils.backward_propagation(train_X, train_Y, cache)
    for key in ("dW1", "db1", "dW2", "db2", "dW3"):
        assert not grads[key].any(), key
    assert abs(grads["db3"].item()) < 1e-15


def test_samples_each_fail_exactly_one_function():
    """Sample submissions (graded by tests/test_assignments.py) cover every function, one each."""
    import tomllib
    samples = tomllib.loads((ROOT / "fixtures" / "C2W1A1" / "samples.toml").read_text())["samples"]
    assert len(samples) >= 3
    for sample in samples:
        assert len(sample["fails"]) == 1
        assert {edit["function"] for edit in sample["edits"]} == set(sample["fails"])
    assert {s["fails"][0] for s in samples} == set(FUNCTIONS)
