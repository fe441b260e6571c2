"""C2W1A1 (Initialization): the notebook's model reproduces the course's published runs.

The `model` cell of the student notebook is executed with the reference initializations and the
provided init_utils, for the course's 15,000 iterations (about 1.5 s per run).
"""
from __future__ import annotations

import contextlib
import io
import re
import time
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

from conftest import load_module

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C2W1A1"
NOTEBOOK = ASSIGNMENT / "Initialization.ipynb"
SOLUTIONS = ROOT / "reference" / "C2W1A1" / "solutions.py"

pytestmark = pytest.mark.slow

HE_COSTS = [0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893805,
            0.6082958970572938, 0.5304944491717495, 0.4138645817071794, 0.3117803464844441,
            0.23696215330322562, 0.1859728720920684, 0.15015556280371808, 0.12325079292273551,
            0.09917746546525937, 0.08457055954024283, 0.07357895962677366]
RANDOM_COSTS = [np.inf, 0.6247924745506072, 0.5980258056061102, 0.5637539062842213,
                0.5501256393526495, 0.5443826306793814, 0.5373895855049121, 0.47157999220550006,
                0.39770475516243037, 0.3934560146692851, 0.3920227137490125, 0.38913700035966736,
                0.3861358766546214, 0.38497629552893475, 0.38276694641706693]
ZERO_COST = 0.6931471805599453


@pytest.fixture(scope="module")
def runs():
    """Train the three models once; keep printed costs, accuracies and predictions."""
    utils = load_module(ASSIGNMENT / "init_utils.py", "c2w1a1_model_init_utils")
    solutions = load_module(SOLUTIONS, "c2w1a1_model_solutions")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    model_source = next(c.source for c in nb.cells if c.cell_type == "code" and "def model(" in c.source)
    namespace = {"np": np, "plt": plt}
    namespace.update({k: getattr(utils, k) for k in (
        "forward_propagation", "backward_propagation", "update_parameters", "compute_loss")})
    namespace.update({k: getattr(solutions, k) for k in (
        "initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he")})
    exec(model_source, namespace)

    train_X, train_Y, test_X, test_Y = utils.load_dataset(plot=False)
    results = {}
    for init in ("zeros", "random", "he"):
        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out):
            parameters = namespace["model"](train_X, train_Y, initialization=init)
            train_pred = utils.predict(train_X, train_Y, parameters)
            test_pred = utils.predict(test_X, test_Y, parameters)
        plt.close("all")
        text = out.getvalue()
        results[init] = {
            "seconds": time.perf_counter() - start,
            "costs": [(int(i), float(c)) for i, c in
                      re.findall(r"^Cost after iteration (\d+): (\S+)$", text, re.M)],
            "accuracy": re.findall(r"^Accuracy: (\S+)$", text, re.M),
            "train_pred": train_pred, "test_pred": test_pred,
        }
    return results


def test_he_model_reproduces_published_trajectory(runs):
    he = runs["he"]
    assert [i for i, _ in he["costs"]] == list(range(0, 15000, 1000))
    # Last-ulp differences between BLAS builds are expected; 1e-9 still pins 9 digits.
    assert [c for _, c in he["costs"]] == pytest.approx(HE_COSTS, rel=1e-9)
    assert he["costs"][0][1] == HE_COSTS[0] and he["costs"][1][1] == HE_COSTS[1]
    assert he["accuracy"] == ["0.9933333333333333", "0.96"]


def test_zeros_model_stays_at_ln2(runs):
    zeros = runs["zeros"]
    assert len(zeros["costs"]) == 15
    assert [c for _, c in zeros["costs"]] == pytest.approx([ZERO_COST] * 15, rel=1e-14)
    assert zeros["costs"][0][1] == ZERO_COST
    assert zeros["accuracy"] == ["0.5", "0.5"]
    assert not zeros["train_pred"].any() and not zeros["test_pred"].any()


def test_random_model_stable_facts(runs):
    """The random-init trajectory differs between environments; its shape and accuracies do not."""
    random = runs["random"]
    costs = [c for _, c in random["costs"]]
    assert costs[0] == np.inf
    assert costs[1:] == pytest.approx(RANDOM_COSTS[1:], abs=0.01)
    assert random["accuracy"] == ["0.83", "0.86"]


def test_model_runs_are_reasonably_fast(runs):
    assert all(run["seconds"] < 60 for run in runs.values())
