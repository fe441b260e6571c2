"""checks.close_plain: a result judged on its encoding passes only where the full numeric
comparison (compare_output, on decoded values) passes too, and within the same tolerance;
checks.differs (the mistake catalogue's test) fails exactly what compare_output fails."""
from __future__ import annotations

import math

import numpy as np
import pytest

from grader import checks, codec
from grader.checks import close_plain, compare_output, differs

RTOL, ATOL = 1e-5, 1e-7
BASE = {"W1": np.linspace(-1, 1, 6).reshape(2, 3), "b1": np.zeros((2, 1)), "n": 3,
        "cost": np.float64(0.6931), "lr": 0.0075, "hist": [1.5, 2.5], "shape": (2, 3)}


def variants() -> list[tuple[str, object]]:
    """The base value and realistic differences from it: rounding, real mistakes, types."""
    def with_key(key, value):
        return {**BASE, key: value}
    w = BASE["W1"]
    return [
        ("same", dict(BASE)),
        ("one ulp", with_key("W1", np.nextafter(w, 2))),
        ("within rtol", with_key("W1", w * (1 + 1e-6))),
        ("beyond rtol", with_key("W1", w * (1 + 1e-3))),
        ("sign", with_key("W1", -w)),
        ("transposed", with_key("W1", w.T)),
        ("float32", with_key("W1", w.astype(np.float32))),
        ("int array", with_key("b1", np.zeros((2, 1), dtype=np.int64))),
        ("rank 1 bias", with_key("b1", np.zeros(2))),
        ("nan", with_key("W1", np.where(w > 0.5, np.nan, w))),
        ("inf", with_key("W1", np.where(w > 0.5, np.inf, w))),
        ("python float cost", with_key("cost", 0.6931)),
        ("cost off", with_key("cost", np.float64(0.7))),
        ("cost as array", with_key("cost", np.array([[0.6931]]))),
        ("int for float", with_key("lr", 0)),
        ("bool for int", with_key("n", True)),
        ("float for int", with_key("n", 3.0000001)),
        ("list for tuple", with_key("shape", [2, 3])),
        ("longer list", with_key("hist", [1.5, 2.5, 3.5])),
        ("close list item", with_key("hist", [1.5, 2.5 + 1e-9])),
        ("missing key", {k: v for k, v in BASE.items() if k != "b1"}),
        ("extra key", with_key("W2", np.ones(1))),
        ("None", None),
        ("string", "W1"),
    ]


@pytest.mark.parametrize("name,got", variants(), ids=[name for name, _ in variants()])
def test_never_passes_what_the_full_comparison_fails(name, got):
    full = compare_output(got, BASE, ("parameters",), RTOL, ATOL)
    fast = close_plain(codec.to_plain(got), codec.to_plain(BASE), RTOL, ATOL)
    assert not (fast and full), (name, full)
    if name in ("same", "one ulp", "within rtol", "close list item"):
        assert fast, name  # the common cases are decided without decoding


@pytest.mark.parametrize("name,got", variants(), ids=[name for name, _ in variants()])
def test_differs_is_whether_the_full_comparison_fails(name, got, monkeypatch):
    single = bool(compare_output(got, BASE, ("parameters",), RTOL, ATOL))
    pair = bool(compare_output((1.0, got), (1.0, BASE), ("cost", "parameters"), RTOL, ATOL))
    monkeypatch.setattr(checks, "_wrong_values", lambda *args: pytest.fail("wrote a message"))
    assert differs(got, BASE, ("parameters",), RTOL, ATOL) is single
    assert differs((1.0, got), (1.0, BASE), ("cost", "parameters"), RTOL, ATOL) is pair


@pytest.mark.parametrize("name,got", variants(), ids=[name for name, _ in variants()])
def test_changed_positions_is_whether_inputs_compare_unequal(name, got, monkeypatch):
    before = (1.0, BASE, [BASE])
    full = {i for i, (b, a) in enumerate(zip(before, (1.0, got, [got])))
            if checks.compare(a, b, str(i), rtol=0, atol=0)}
    monkeypatch.setattr(checks, "_wrong_values", lambda *args: pytest.fail("wrote a message"))
    assert checks.changed_positions(before, (1.0, got, [got])) == full
    assert (full == set()) is (name in ("same", "python float cost"))  # equal values only


def many_failures() -> list[tuple[str, object, object, tuple[str, ...]]]:
    """Results with many differences (name, got, expected, returns): every gradient of a deep
    network off, a cache of lists of tuples, keys missing and extra at once."""
    rng = np.random.default_rng(1)
    grads = {f"{kind}{layer}": rng.normal(size=(3, 2)) for layer in range(1, 6)
             for kind in ("dA", "dW", "db")}
    caches = [((rng.normal(size=(2, 2)), rng.normal(size=(2, 1))), rng.normal(size=(2, 2)))
              for _ in range(4)]
    return [
        ("all gradients off", {k: v + 1 for k, v in grads.items()}, grads, ("grads",)),
        ("keys missing and extra", {**{k: v for k, v in list(grads.items())[3:]}, "dZ1": 1.0},
         grads, ("grads",)),
        ("two results off", (caches[0][1] * 2, [(c[0], c[1] + 1) for c in caches]),
         (caches[0][1], caches), ("AL", "caches")),
        ("one difference", {**grads, "db3": grads["db3"] * 2}, grads, ("grads",)),
    ]


@pytest.mark.parametrize("name,got,expected,returns", many_failures(),
                         ids=[case[0] for case in many_failures()])
def test_most_stops_after_the_first_failures_in_order(name, got, expected, returns):
    full = compare_output(got, expected, returns, RTOL, ATOL)
    for most in range(1, 7):
        first = compare_output(got, expected, returns, RTOL, ATOL, most=most)
        assert first[:most] == full[:most], (name, most)
        # the search stopped early (a nested value may add its own few before it does)
        assert len(first) <= 2 * most + 1, (name, most, len(first))


def test_tolerance_matches_numpy_isclose():
    expected = np.array([1.0, -2.0, 0.0, 1e-8, np.nan, np.inf])
    rng = np.random.default_rng(0)
    for _ in range(300):
        got = expected * (1 + rng.normal(0, 1e-5, 6)) + rng.normal(0, 1e-7, 6)
        want = bool(np.isclose(got, expected, RTOL, ATOL, equal_nan=True).all())
        fast = close_plain(codec.to_plain(got), codec.to_plain(expected), RTOL, ATOL)
        assert fast == want


def test_malformed_worker_data_is_simply_not_close():
    expected = codec.to_plain(np.ones(3))
    for got in [{**expected, "b64": "!!"}, {**expected, "b64": 3}, {**expected, "shape": [4]},
                {**expected, "b64": codec.to_plain(np.ones(4))["b64"]}, [expected], math.pi]:
        assert close_plain(got, expected, RTOL, ATOL) is False
