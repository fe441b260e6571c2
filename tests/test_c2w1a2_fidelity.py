"""C2W1A2 (Regularization): with the course's real data.mat, the notebook's model() and the
reference solutions reproduce the published training runs exactly.

The file lives beside the project (``../shared/data/data.mat``) and is never copied into it;
without it the tests are skipped.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader import spec

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A2"
REFERENCE = ROOT / "reference" / "C2W1A2"
REAL_DATA = ROOT.parent / "shared" / "data" / "data.mat"
SHA256 = "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"

pytestmark = pytest.mark.skipif(not REAL_DATA.is_file(),
                                reason=f"the course's data set is not available at {REAL_DATA}")

# (kwargs of model(), printed costs at 0 / 10000 / 20000, train accuracy, test accuracy)
PUBLISHED = {
    "no regularization": ({}, [0.6557412523481002, 0.16329987525724204, 0.13851642423234922],
                          0.9478672985781991, 0.915),
    "L2, lambd=0.7": ({"lambd": 0.7}, [0.6974484493131264, 0.2684918873282238,
                                       0.26809163371273004], 0.9383886255924171, 0.93),
    "dropout, keep_prob=0.86": ({"keep_prob": 0.86, "learning_rate": 0.3},
                                [0.6543912405149825, 0.0610169865749056, 0.060582435798513114],
                                0.9289099526066351, 0.95),
}


@pytest.fixture(scope="module")
def env():
    """The notebook's model() with the reference graded functions and reg_utils."""
    import matplotlib
    matplotlib.use("Agg")
    nb = nbformat.read(ASSIGNMENT / "Regularization.ipynb", as_version=4)
    (model_source,) = [c.source for c in nb.cells
                       if c.cell_type == "code" and c.source.startswith("def model(")]
    import matplotlib.pyplot as plt
    namespace: dict = {"np": np, "plt": plt}
    with spec.isolated_imports(ASSIGNMENT, REFERENCE):
        import reg_utils
        import solutions
        namespace.update({k: v for k, v in vars(reg_utils).items() if not k.startswith("_")})
        namespace.update({k: v for k, v in vars(solutions).items() if not k.startswith("_")})
        exec(model_source, namespace)
        namespace["data"] = reg_utils.load_2D_dataset(REAL_DATA, plot=False)
    namespace["reg_utils"] = reg_utils
    return namespace


def test_real_file_matches_the_published_description(env):
    assert hashlib.sha256(REAL_DATA.read_bytes()).hexdigest() == SHA256
    raw = env["reg_utils"].read_2D_arrays(REAL_DATA)
    assert {k: (v.shape, v.dtype.name) for k, v in raw.items()} == {
        "X": ((211, 2), "float64"), "y": ((211, 1), "uint8"),
        "Xval": ((200, 2), "float64"), "yval": ((200, 1), "uint8")}
    np.testing.assert_allclose(raw["X"][:3], [[-0.158986, 0.423977], [-0.347926, 0.47076],
                                              [-0.504608, 0.353801]], atol=1e-6)
    assert raw["X"].min() == pytest.approx(-0.657895, abs=1e-6)
    assert raw["X"].max() == pytest.approx(0.573392, abs=1e-6)


def test_environment_variable_points_the_loader_at_the_real_file(env, monkeypatch):
    monkeypatch.setenv(env["reg_utils"].DATA_ENV, str(REAL_DATA))
    train_X, train_Y, test_X, test_Y = env["reg_utils"].load_2D_dataset(plot=False)
    np.testing.assert_array_equal(train_X, env["data"][0])
    assert train_Y.dtype == np.uint8 and test_X.shape == (2, 200)


@pytest.mark.slow
@pytest.mark.parametrize("label", list(PUBLISHED))
def test_training_run_reproduces_the_published_results(env, label, monkeypatch):
    import matplotlib.pyplot as plt
    monkeypatch.setattr(plt, "show", lambda: None)
    kwargs, costs, train_accuracy, test_accuracy = PUBLISHED[label]
    train_X, train_Y, test_X, test_Y = env["data"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        parameters = env["model"](train_X, train_Y, **kwargs)
        env["predict"](train_X, train_Y, parameters)
        env["predict"](test_X, test_Y, parameters)
    plt.close("all")
    text = out.getvalue()
    printed = [float(v) for v in re.findall(r"^Cost after iteration \d+: (\S+)$", text, re.M)]
    assert re.findall(r"^Cost after iteration (\d+):", text, re.M) == ["0", "10000", "20000"]
    np.testing.assert_allclose(printed, costs, rtol=1e-9)
    accuracies = [float(v) for v in re.findall(r"^Accuracy: (\S+)$", text, re.M)]
    assert accuracies == [train_accuracy, test_accuracy]
