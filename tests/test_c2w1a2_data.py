"""C2W1A2 (Regularization): the generated stand-in data set and the reg_utils helpers."""
from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import load_module
from grader import spec

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A2"
GENERATOR = ASSIGNMENT / "datasets" / "generate.py"
STAND_IN = ASSIGNMENT / "datasets" / "data.npz"


@pytest.fixture(scope="module")
def generate():
    return load_module(GENERATOR, "c2w1a2_generate")


@pytest.fixture(scope="module")
def reg_utils():
    import matplotlib
    matplotlib.use("Agg")
    with spec.isolated_imports(ASSIGNMENT):
        import reg_utils
    return reg_utils


# ------------------------------------------------------------------------- stand-in data

def test_committed_stand_in_is_in_sync_with_its_generator(generate):
    assert generate.in_sync(STAND_IN), (
        f"{STAND_IN} differs from what {GENERATOR.name} makes; "
        f"run: python {GENERATOR.relative_to(ROOT)}")


def test_generator_output_is_byte_for_byte_reproducible(generate):
    assert generate.npz_bytes(generate.make_arrays()) == generate.npz_bytes(generate.make_arrays())


def test_generator_check_command(tmp_path):
    ok = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    stale = tmp_path / "data.npz"
    np.savez(stale, X=np.zeros((211, 2)), y=np.zeros((211, 1), np.uint8),
             Xval=np.zeros((200, 2)), yval=np.zeros((200, 1), np.uint8))
    bad = subprocess.run([sys.executable, str(GENERATOR), "--check", "--output", str(stale)],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "out of date" in bad.stderr
    fresh = tmp_path / "fresh.npz"
    made = subprocess.run([sys.executable, str(GENERATOR), "--output", str(fresh)],
                          capture_output=True, text=True)
    assert made.returncode == 0
    assert fresh.read_bytes() == STAND_IN.read_bytes()


def test_stand_in_has_the_course_schema():
    with np.load(STAND_IN, allow_pickle=False) as archive:
        data = {k: archive[k] for k in archive.files}
    assert sorted(data) == ["X", "Xval", "y", "yval"]
    assert (data["X"].shape, data["X"].dtype) == ((211, 2), np.float64)
    assert (data["y"].shape, data["y"].dtype) == ((211, 1), np.uint8)
    assert (data["Xval"].shape, data["Xval"].dtype) == ((200, 2), np.float64)
    assert (data["yval"].shape, data["yval"].dtype) == ((200, 1), np.uint8)
    for points in (data["X"], data["Xval"]):
        assert points.min() >= -0.8 and points.max() <= 0.65
    for labels in (data["y"], data["yval"]):
        assert set(np.unique(labels)) == {0, 1}
        assert 0.35 < labels.mean() < 0.65


def test_stand_in_labels_follow_a_boundary_with_some_noise(generate):
    """Mostly separable by the curved boundary, but with flipped labels to overfit on."""
    arrays = generate.make_arrays()
    for X, y in ((arrays["X"], arrays["y"]), (arrays["Xval"], arrays["yval"])):
        clean = (X[:, 1] > generate.boundary(X[:, 0])).astype(np.uint8)
        agreement = np.mean(clean == y[:, 0])
        assert 0.85 < agreement < 0.99


# ------------------------------------------------------------------------- loading

def test_load_2D_dataset_defaults_to_the_stand_in(reg_utils, monkeypatch):
    monkeypatch.delenv(reg_utils.DATA_ENV, raising=False)
    train_X, train_Y, test_X, test_Y = reg_utils.load_2D_dataset(plot=False)
    assert train_X.shape == (2, 211) and train_Y.shape == (1, 211)
    assert test_X.shape == (2, 200) and test_Y.shape == (1, 200)
    assert train_Y.dtype == np.uint8
    with np.load(STAND_IN) as archive:
        np.testing.assert_array_equal(train_X, archive["X"].T)


def _shifted_copy(tmp_path: Path, suffix: str) -> Path:
    with np.load(STAND_IN) as archive:
        data = {k: archive[k] for k in archive.files}
    data["X"] = data["X"] + 0.001
    path = tmp_path / f"other{suffix}"
    if suffix == ".mat":
        import scipy.io
        scipy.io.savemat(str(path), data)
    else:
        np.savez(path, **data)
    return path


@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_load_2D_dataset_reads_a_given_path(reg_utils, tmp_path, monkeypatch, suffix):
    monkeypatch.delenv(reg_utils.DATA_ENV, raising=False)
    path = _shifted_copy(tmp_path, suffix)
    train_X, train_Y, _, test_Y = reg_utils.load_2D_dataset(path, plot=False)
    with np.load(STAND_IN) as archive:
        np.testing.assert_allclose(train_X, archive["X"].T + 0.001)
    assert train_Y.dtype == np.uint8 and test_Y.shape == (1, 200)


def test_environment_variable_selects_the_file(reg_utils, tmp_path, monkeypatch):
    path = _shifted_copy(tmp_path, ".mat")
    monkeypatch.setenv(reg_utils.DATA_ENV, str(path))
    assert reg_utils.data_path() == path
    train_X, *_ = reg_utils.load_2D_dataset(plot=False)
    with np.load(STAND_IN) as archive:
        np.testing.assert_allclose(train_X, archive["X"].T + 0.001)
    # an explicit path wins over the variable
    assert reg_utils.data_path(STAND_IN) == STAND_IN


def test_load_2D_dataset_plots_the_training_set(reg_utils, monkeypatch):
    import matplotlib.pyplot as plt
    monkeypatch.delenv(reg_utils.DATA_ENV, raising=False)
    monkeypatch.setattr(plt, "show", lambda: None)
    plt.close("all")
    reg_utils.load_2D_dataset()
    assert len(plt.gca().collections) == 1
    assert len(plt.gca().collections[0].get_offsets()) == 211
    plt.close("all")


# ------------------------------------------------------------------------- helpers

def test_initialize_parameters_scales_by_fan_in(reg_utils):
    parameters = reg_utils.initialize_parameters([2, 20, 3, 1])
    np.random.seed(3)
    for l, (rows, cols) in enumerate([(20, 2), (3, 20), (1, 3)], start=1):
        np.testing.assert_array_equal(parameters[f"W{l}"], np.random.randn(rows, cols) / np.sqrt(cols))
        np.testing.assert_array_equal(parameters[f"b{l}"], np.zeros((rows, 1)))


def test_plain_backward_matches_finite_differences(reg_utils):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(3, 6), (rng.rand(1, 6) > 0.5).astype(float)
    parameters = {"W1": rng.randn(4, 3), "b1": rng.randn(4, 1), "W2": rng.randn(2, 4),
                  "b2": rng.randn(2, 1), "W3": rng.randn(1, 2), "b3": rng.randn(1, 1)}
    _, cache = reg_utils.forward_propagation(X, parameters)
    grads = reg_utils.backward_propagation(X, Y, cache)
    eps = 1e-6
    for name in parameters:
        for index in np.ndindex(parameters[name].shape):
            plus = {k: v.copy() for k, v in parameters.items()}
            minus = {k: v.copy() for k, v in parameters.items()}
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric = (reg_utils.compute_cost(reg_utils.forward_propagation(X, plus)[0], Y)
                       - reg_utils.compute_cost(reg_utils.forward_propagation(X, minus)[0], Y)) / (2 * eps)
            assert grads["d" + name][index] == pytest.approx(numeric, abs=1e-6)


def test_update_parameters_does_not_touch_its_input(reg_utils):
    parameters = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1))}
    updated = reg_utils.update_parameters(parameters, grads, 0.5)
    np.testing.assert_array_equal(updated["W1"], 0.5 * np.ones((2, 2)))
    np.testing.assert_array_equal(updated["b1"], -0.5 * np.ones((2, 1)))
    np.testing.assert_array_equal(parameters["W1"], np.ones((2, 2)))


def test_compute_cost_skips_saturated_terms(reg_utils):
    with np.errstate(all="raise"):
        cost = reg_utils.compute_cost(np.array([[1.0, 0.5]]), np.array([[1, 0]], dtype=np.uint8))
    assert cost == pytest.approx(np.log(2) / 2)


def test_predict_returns_np_int_and_prints_accuracy(reg_utils):
    parameters = reg_utils.initialize_parameters([2, 20, 3, 1])
    X = np.random.RandomState(1).randn(2, 7)
    y = np.ones((1, 7), dtype=np.uint8)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        p = reg_utils.predict(X, y, parameters)
    assert p.dtype == np.int_ and p.shape == (1, 7)
    a3, _ = reg_utils.forward_propagation(X, parameters)
    np.testing.assert_array_equal(p, (a3 > 0.5).astype(int))
    assert out.getvalue() == f"Accuracy: {np.mean(p[0] == y[0])}\n"
    np.testing.assert_array_equal(reg_utils.predict_dec(parameters, X), a3 > 0.5)


def test_plot_decision_boundary_keeps_axis_limits(reg_utils, monkeypatch):
    import matplotlib.pyplot as plt
    monkeypatch.setattr(plt, "show", lambda: None)
    plt.close("all")
    parameters = reg_utils.initialize_parameters([2, 20, 3, 1])
    X = np.random.RandomState(2).uniform(-0.5, 0.5, (2, 30))
    y = np.random.RandomState(3).randint(0, 2, (1, 30)).astype(np.uint8)
    axes = plt.gca()
    axes.set_xlim([-0.75, 0.40])
    axes.set_ylim([-0.75, 0.65])
    reg_utils.plot_decision_boundary(lambda x: reg_utils.predict_dec(parameters, x.T), X, y)
    assert axes.get_xlim() == (-0.75, 0.40) and axes.get_ylim() == (-0.75, 0.65)
    plt.close("all")
