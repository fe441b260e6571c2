"""C2W1A2 (Regularization): published values, reference solutions, public checks and cases.

Every expected number below is a published value of the course (course 2 week 1,
Regularization), printed with 8 decimals unless more are given.
"""
from __future__ import annotations

import contextlib
import copy
import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from grader import fixtures, spec

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A2"
REFERENCE = ROOT / "reference" / "C2W1A2"
ATOL = 1e-8   # published values are rounded to 8 decimals
T, F = True, False
GRADIENT_KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]


@pytest.fixture(scope="module")
def mods():
    """reg_utils, testCases, public_tests and the reference solutions, imported together."""
    import matplotlib
    matplotlib.use("Agg")
    with spec.isolated_imports(ASSIGNMENT, REFERENCE):
        import public_tests
        import reg_utils
        import solutions
        import testCases
    return SimpleNamespace(reg_utils=reg_utils, testCases=testCases, public=public_tests,
                           sol=solutions)


def close(got, expected, atol=ATOL):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float),
                               rtol=0, atol=atol)


# ------------------------------------------------------------------------- shared recipe R1

R1_Z1 = [[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
         [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]]
R1_Z2 = [[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
         [-0.69166075, -3.47645987, -2.25194702, -2.65416996, -0.69166075],
         [-0.39675353, -4.62285846, -2.61101729, -3.22874921, -0.39675353]]
R1_Z3 = [[-0.3771104, -4.10060224, -1.60539468, -2.18416951, -0.3771104]]
R1_A3 = [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]


def test_r1_plain_forward(mods):
    X, Y, cache = mods.testCases.backward_propagation_with_regularization_test_case()
    assert X.shape == (3, 5) and Y.tolist() == [[1, 1, 0, 1, 0]]
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    close(Z1, R1_Z1)
    close(Z2, R1_Z2)
    close(Z3, R1_Z3)
    close(A3, R1_A3)
    assert [w.shape for w in (W1, b1, W2, b2, W3, b3)] == [(2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1)]


def test_r1_draw_order(mods):
    """seed 1: X = randn(3, 5) first, then W1, b1, W2, b2, W3, b3."""
    np.random.seed(1)
    draws = [np.random.randn(*s) for s in [(3, 5), (2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1)]]
    X, parameters = mods.testCases.forward_propagation_with_dropout_test_case()
    np.testing.assert_array_equal(X, draws[0])
    for got, want in zip((parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")), draws[1:]):
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------------------- compute_cost_with_regularization

def test_cost_test_case_draws_no_x(mods):
    A3, Y, parameters = mods.testCases.compute_cost_with_regularization_test_case()
    np.random.seed(1)
    np.testing.assert_array_equal(parameters["W1"], np.random.randn(2, 3))
    close(A3, R1_A3, atol=0)
    assert Y.tolist() == [[1, 1, 0, 1, 0]]


def test_cost_with_regularization_published(mods):
    A3, Y, parameters = mods.testCases.compute_cost_with_regularization_test_case()
    cost = mods.sol.compute_cost_with_regularization(A3, Y, parameters, 0.1)
    assert cost == pytest.approx(1.7864859451590758, rel=1e-12)
    assert np.shape(cost) == ()
    assert str(cost) == "1.7864859451590758"
    cross_entropy = mods.reg_utils.compute_cost(A3, Y)
    assert cross_entropy == pytest.approx(1.6025016047573226, rel=1e-12)
    assert cost - cross_entropy == pytest.approx(0.18398434040175327, rel=1e-10)


# ------------------------------------------------------------------------- backward_propagation_with_regularization

BACKWARD_REG = {
    "dZ3": [[-0.59317598, -0.98370716, 0.16722898, -0.89881889, 0.40682402]],
    "dW3": [[-1.77691347, -0.11832879, -0.09397446]],
    "db3": [[-0.38032981]],
    "dA2": [[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836],
            [0.50135568, 0.83143484, -0.14134288, 0.7596868, -0.34384996],
            [0.39816708, 0.66030962, -0.11225181, 0.6033287, -0.27307905]],
    "dZ2": [[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836], [0] * 5, [0] * 5],
    "dW2": [[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]],
    "db2": [[0.26135226], [0.0], [0.0]],
    "dA1": [[0.2048239, 0.33967447, -0.05774423, 0.31036252, -0.14047649],
            [0.3672018, 0.60895764, -0.10352203, 0.5564081, -0.25184181]],
    "dZ1": [[0.0, 0.33967447, -0.05774423, 0.31036252, 0.0],
            [0.0, 0.60895764, -0.10352203, 0.5564081, 0.0]],
    "dW1": [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]],
    "db1": [[0.11845855], [0.21236874]],
}


def test_backward_with_regularization_published(mods):
    X, Y, cache = mods.testCases.backward_propagation_with_regularization_test_case()
    grads = mods.sol.backward_propagation_with_regularization(X, Y, cache, 0.7)
    assert list(grads) == GRADIENT_KEYS
    for key, expected in BACKWARD_REG.items():
        close(grads[key], expected)


def test_backward_with_regularization_printout(mods):
    X, Y, cache = mods.testCases.backward_propagation_with_regularization_test_case()
    grads = mods.sol.backward_propagation_with_regularization(X, Y, cache, lambd=0.7)
    assert str(grads["dW1"]) == ("[[-0.25604646  0.12298827 -0.28297129]\n"
                                 " [-0.17706303  0.34536094 -0.4410571 ]]")
    assert str(grads["dW2"]) == ("[[ 0.79276486  0.85133918]\n [-0.0957219  -0.01720463]\n"
                                 " [-0.13100772 -0.03750433]]")
    assert str(grads["dW3"]) == "[[-1.77691347 -0.11832879 -0.09397446]]"


# ------------------------------------------------------------------------- forward_propagation_with_dropout

DROPOUT_FORWARD = {   # keep_prob = 0.7
    "A3": [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]],
    "D1": [[T, F, T, T, T], [T, T, T, T, T]],
    "A1": [[0, 0, 3.05706487, 3.72429505, 0], [0, 5.94299915, 1.1293003, 2.09276446, 0]],
    "Z2": [[0.53035547, 5.88414161, 3.08385015, 4.28707196, 0.53035547],
           [-0.69166075, -1.42199726, -2.92064114, -3.49524533, -0.69166075],
           [-0.39675353, -1.98881216, -3.55998747, -4.44246165, -0.39675353]],
    "D2": [[T, T, T, F, T], [T, T, T, T, T], [F, F, T, T, F]],
    "A2": [[0.75765067, 8.40591658, 4.40550021, 0, 0.75765067], [0] * 5, [0] * 5],
    "Z3": [[-0.53330145, -5.78898099, -3.04000407, -0.0126646, -0.53330145]],
}
CACHE_ORDER = ["Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"]


def test_forward_with_dropout_published(mods):
    X, parameters = mods.testCases.forward_propagation_with_dropout_test_case()
    A3, cache = mods.sol.forward_propagation_with_dropout(X, parameters, keep_prob=0.7)
    assert str(A3) == "[[0.36974721 0.00305176 0.04565099 0.49683389 0.36974721]]"
    close(A3, DROPOUT_FORWARD["A3"])
    assert len(cache) == 14
    named = dict(zip(CACHE_ORDER, cache))
    close(named["Z1"], R1_Z1)
    for key in ("D1", "D2"):
        assert named[key].dtype == bool
        assert named[key].tolist() == DROPOUT_FORWARD[key]
    for key in ("A1", "Z2", "A2", "Z3"):
        close(named[key], DROPOUT_FORWARD[key])
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        np.testing.assert_array_equal(named[key], parameters[key])
    assert named["A3"] is A3


def test_forward_with_dropout_reseeds_and_defaults(mods):
    X, parameters = mods.testCases.forward_propagation_with_dropout_test_case()
    np.random.seed(123)
    first, _ = mods.sol.forward_propagation_with_dropout(X, parameters)
    second, _ = mods.sol.forward_propagation_with_dropout(X, parameters, 0.5)
    np.testing.assert_array_equal(first, second)


# ------------------------------------------------------------------------- backward_propagation_with_dropout

DROPOUT_BACKWARD_CACHE = {   # forward with keep_prob = 0.5, seed 1
    "D1": [[T, F, T, T, T], [T, T, T, T, F]],
    "A1": [[0, 0, 4.27989081, 5.21401307, 0], [0, 8.32019881, 1.58102041, 2.92987024, 0]],
    "Z2": [[0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
           [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
           [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353]],
    "D2": [[T, F, T, F, T], [F, T, F, T, T], [F, F, T, F, F]],
    "A2": [[1.06071093, 0, 8.21049603, 0, 1.06071093], [0] * 5, [0] * 5],
    "Z3": [[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]],
    "A3": [[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]],
}
DROPOUT_BACKWARD = {   # keep_prob = 0.8
    "dZ3": [[-0.67733606, -0.50316611, 0.00348883, -0.50316611, 0.32266394]],
    "dW3": [[-0.06951191, 0.0, 0.0]],
    "db3": [[-0.2715031]],
    "dA2": [[0.58180856, 0, -0.00299679, 0, -0.27715731],
            [0, 0.53159854, 0, 0.53159854, -0.34089673],
            [0, 0, -0.00292733, 0, 0]],
    "dZ2": [[0.58180856, 0, -0.00299679, 0, -0.27715731], [0] * 5, [0] * 5],
    "dW2": [[-0.00256518, -0.0009476], [0, 0], [0, 0]],
    "db2": [[0.06033089], [0.0], [0.0]],
    "dA1": [[0.36544439, 0, -0.00188233, 0, -0.17408748],
            [0.65515713, 0, -0.00337459, 0, 0]],
    "dZ1": [[0, 0, -0.00188233, 0, 0], [0, 0, -0.00337459, 0, 0]],
    "dW1": [[0.00019884, 0.00028657, 0.00012138], [0.00035647, 0.00051375, 0.00021761]],
    "db1": [[-0.00037647], [-0.00067492]],
}


def test_backward_dropout_test_case_reproduces_the_course_cache(mods):
    X, Y, cache = mods.testCases.backward_propagation_with_dropout_test_case()
    named = dict(zip(CACHE_ORDER, cache))
    for key, expected in DROPOUT_BACKWARD_CACHE.items():
        if key.startswith("D"):
            assert named[key].tolist() == expected
        else:
            close(named[key], expected)
    # the reference forward pass builds the same cache
    _, parameters = mods.testCases.forward_propagation_with_dropout_test_case()
    _, again = mods.sol.forward_propagation_with_dropout(X, parameters, 0.5)
    for ours, theirs in zip(cache, again):
        np.testing.assert_array_equal(ours, theirs)


def test_backward_with_dropout_published(mods):
    X, Y, cache = mods.testCases.backward_propagation_with_dropout_test_case()
    grads = mods.sol.backward_propagation_with_dropout(X, Y, cache, keep_prob=0.8)
    assert list(grads) == GRADIENT_KEYS
    for key, expected in DROPOUT_BACKWARD.items():
        # -0.00188233 was printed from a cache typed with 8 decimals (exactly: -0.001882336)
        close(grads[key], expected)
    assert str(grads["dA2"]) == (
        "[[ 0.58180856  0.         -0.00299679  0.         -0.27715731]\n"
        " [ 0.          0.53159854 -0.          0.53159854 -0.34089673]\n"
        " [ 0.          0.         -0.00292733  0.         -0.        ]]")


# ------------------------------------------------------------------------- public checks

CHECKS = {
    "compute_cost_with_regularization": "compute_cost_with_regularization_test",
    "backward_propagation_with_regularization": "backward_propagation_with_regularization_test",
    "forward_propagation_with_dropout": "forward_propagation_with_dropout_test",
    "backward_propagation_with_dropout": "backward_propagation_with_dropout_test",
}


@pytest.mark.parametrize("function", list(CHECKS))
def test_public_check_passes_for_the_reference(mods, function):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        getattr(mods.public, CHECKS[function])(getattr(mods.sol, function))
    assert "All tests passed." in out.getvalue()


def _compile_block(source: str) -> dict:
    """Execute the preamble and one (possibly edited) graded block; return its namespace."""
    assignment = spec.load("C2W1A2")
    namespace: dict = {}
    with spec.isolated_imports(ASSIGNMENT):
        exec(assignment.preamble, namespace)
        exec(source, namespace)
    return namespace


def _edited_block(sample, function: str) -> str:
    source = spec.load("C2W1A2").reference_blocks[function]
    for edit in sample.edits:
        if edit["function"] == function:
            assert source.count(edit["old"]) == 1
            source = source.replace(edit["old"], edit["new"])
    return source


SAMPLES = fixtures.samples(spec.load("C2W1A2"))


def test_enough_samples_for_every_function():
    failing = [name for s in SAMPLES for name in s.fails]
    assert len(SAMPLES) >= 4
    assert set(failing) == set(CHECKS)
    assert all(len(s.fails) == 1 for s in SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.file for s in SAMPLES])
def test_public_check_fails_for_each_wrong_sample(mods, sample):
    (function,) = sample.fails
    wrong = _compile_block(_edited_block(sample, function))[function]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(AssertionError):
        getattr(mods.public, CHECKS[function])(wrong)
    assert "✗" in out.getvalue()


def test_public_check_reports_input_mutation(mods):
    def mutating(X, Y, cache, keep_prob):
        grads = mods.sol.backward_propagation_with_dropout(X, Y, cache, keep_prob)
        cache[0][:] = 0.0          # Z1 is not needed any more, but it is the caller's array
        return grads

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(AssertionError):
        mods.public.backward_propagation_with_dropout_test(mutating)
    assert "modified in place" in out.getvalue()


def test_public_check_accepts_integer_masks(mods):
    def int_masks(X, parameters, keep_prob=0.5):
        A3, cache = mods.sol.forward_propagation_with_dropout(X, parameters, keep_prob)
        cache = list(cache)
        cache[1], cache[6] = cache[1].astype(int), cache[6].astype(int)
        return A3, tuple(cache)

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        mods.public.forward_propagation_with_dropout_test(int_masks)


# ------------------------------------------------------------------------- grading cases

def test_cases_are_deterministic_and_varied():
    assignment = spec.load("C2W1A2")
    shapes = {}
    for case in assignment.cases():
        first, second = assignment.build_inputs(case), assignment.build_inputs(case)
        assert first is not second
        assert not _differs(first, second), case.key
        shapes.setdefault(case.function, set()).add(first[0].shape)
    assert all(len(s) >= 2 for s in shapes.values()), shapes
    assert assignment.max_score == 100


def test_hidden_cases_use_keyword_defaults_and_uint8_labels():
    assignment = spec.load("C2W1A2")
    forward = assignment.functions["forward_propagation_with_dropout"]
    assert any(len(assignment.build_inputs(c)) == 2 for c in forward.cases)
    dtypes = {assignment.build_inputs(c)[1].dtype for c in assignment.cases()
              if c.function.startswith("backward")}
    assert np.dtype(np.uint8) in dtypes


def _differs(a, b) -> bool:
    from grader.checks import compare
    return bool(compare(copy.deepcopy(a), b, "args", rtol=0, atol=0))
