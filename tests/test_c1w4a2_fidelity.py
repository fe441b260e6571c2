"""C1W4A2 with the course's real picture files: the reference models reproduce the published
training runs (costs every 100 iterations, last cost, train and test accuracy).

The files live beside the project (``../shared/data/*_catvnoncat.h5``) and are only read here,
through ``load_data(path=...)``; without them every test in this file is skipped.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import re
import time
from pathlib import Path

import numpy as np
import pytest

from grader import spec

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = ROOT.parent / "shared" / "data"
FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")

pytestmark = pytest.mark.skipif(
    not all((REAL_DATA / name).is_file() for name in FILES),
    reason=f"the course's cat pictures are not available in {REAL_DATA}")

SHA256 = {"train_catvnoncat.h5": "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
          "test_catvnoncat.h5": "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951"}

# 2021 notebook runs, 2500 iterations, print_cost=True: {iteration: cost}
TWO_LAYER_COSTS = dict(zip(list(range(0, 2500, 100)) + [2499], [
    0.693049735659989, 0.6464320953428849, 0.6325140647912677, 0.6015024920354665,
    0.5601966311605747, 0.5158304772764729, 0.4754901313943325, 0.43391631512257495,
    0.4007977536203886, 0.3580705011323798, 0.3394281538366413, 0.30527536361962654,
    0.2749137728213015, 0.2468176821061484, 0.19850735037466102, 0.17448318112556638,
    0.1708076297809692, 0.11306524562164715, 0.09629426845937156, 0.0834261795972687,
    0.07439078704319085, 0.06630748132267933, 0.05919329501038172, 0.053361403485605606,
    0.04855478562877019, 0.04421498215868956]))
L_LAYER_COSTS = dict(zip(list(range(0, 2500, 100)) + [2499], [
    0.7717493284237686, 0.6720534400822914, 0.6482632048575212, 0.6115068816101356,
    0.5670473268366111, 0.5401376634547801, 0.5279299569455267, 0.4654773771766851,
    0.369125852495928, 0.39174697434805344, 0.31518698886006163, 0.2726998441789385,
    0.23741853400268137, 0.19960120532208644, 0.18926300388463307, 0.16118854665827753,
    0.14821389662363316, 0.13777487812972944, 0.1297401754919012, 0.12122535068005211,
    0.11382060668633713, 0.10783928526254133, 0.10285466069352679, 0.10089745445261786,
    0.09287821526472398, 0.08843994344170202]))
# The runs agree with these to ~1e-15; allow for other BLAS builds summing in another order.
RTOL = 1e-9


@pytest.fixture(scope="module")
def real():
    """(solutions, dnn_app_utils_v3, train_x, train_y, test_x, test_y) on the real files."""
    assignment = spec.load("C1W4A2")
    with spec.isolated_imports(assignment.directory, assignment.reference_dir):
        utils = importlib.import_module("dnn_app_utils_v3")
    train_x_orig, train_y, test_x_orig, test_y, _ = utils.load_data(path=REAL_DATA)
    train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.
    test_x = test_x_orig.reshape(test_x_orig.shape[0], -1).T / 255.
    return assignment.solutions, utils, train_x, train_y, test_x, test_y


def printed(function, *args, **kwargs):
    stream = io.StringIO()
    with contextlib.redirect_stdout(stream):
        result = function(*args, **kwargs)
    return result, stream.getvalue()


def printed_costs(text):
    return {int(i): float(c) for i, c in re.findall(r"Cost after iteration (\d+): (\S+)", text)}


def test_real_files_match_the_published_description(real):
    import h5py
    for name in FILES:
        digest = hashlib.sha256((REAL_DATA / name).read_bytes()).hexdigest()
        assert digest == SHA256[name], name
    with h5py.File(REAL_DATA / "train_catvnoncat.h5", "r") as f:
        assert sorted(f) == ["list_classes", "train_set_x", "train_set_y"]
        x, y = f["train_set_x"][:], f["train_set_y"][:]
        assert x.shape == (209, 64, 64, 3) and x.dtype == np.uint8
        assert int(x.sum(dtype=np.int64)) == 264_542_077
        assert y.dtype == np.int64 and (int(y.sum()), len(y)) == (72, 209)
        assert y[:20].tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1]
        assert f["list_classes"].dtype.str == "|S7"
    with h5py.File(REAL_DATA / "test_catvnoncat.h5", "r") as f:
        x, y = f["test_set_x"][:], f["test_set_y"][:]
        assert x.shape == (50, 64, 64, 3) and int(x.sum(dtype=np.int64)) == 65_969_547
        assert (int(y.sum()), len(y)) == (33, 50)
        assert y[:20].tolist() == [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1]
        assert f["list_classes"][:].tolist() == [b"non-cat", b"cat"]


def test_load_data_on_the_real_files(real):
    _, utils, train_x, train_y, test_x, test_y = real
    assert train_x.shape == (12288, 209) and test_x.shape == (12288, 50)
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    classes = utils.load_data(path=REAL_DATA)[4]
    assert "y = " + str(train_y[0, 19]) + ". It's a " + classes[train_y[0, 19]].decode("utf-8") \
        + " picture." == "y = 1. It's a cat picture."


def test_notebook_check_cells_on_the_real_data(real):
    """The short runs of the two test cells (2 and 1 iterations) print the published costs."""
    solutions, _, train_x, train_y, _, _ = real
    (_, costs), text = printed(solutions.two_layer_model, train_x, train_y, (12288, 7, 1),
                               num_iterations=2, print_cost=False)
    assert printed_costs(text) == pytest.approx({1: 0.6926114346158595}, rel=RTOL)
    assert float(costs[0]) == pytest.approx(0.693049735659989, rel=RTOL)
    (_, costs), text = printed(solutions.L_layer_model, train_x, train_y, [12288, 20, 7, 5, 1],
                               num_iterations=1, print_cost=False)
    assert printed_costs(text) == pytest.approx({0: 0.7717493284237686}, rel=RTOL)
    assert float(costs[0]) == pytest.approx(0.7717493284237686, rel=RTOL)


def one_blas_thread():
    """Run BLAS on one thread: on a shared machine, spinning BLAS threads that wait for a busy
    core make these runs several times slower; with the cores free it costs little."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _full_run(real, model, layers_dims, published, accuracies):
    solutions, utils, train_x, train_y, test_x, test_y = real
    start = time.perf_counter()
    with one_blas_thread():
        (parameters, costs), text = printed(getattr(solutions, model), train_x, train_y,
                                            layers_dims, num_iterations=2500, print_cost=True)
    seconds = time.perf_counter() - start
    assert printed_costs(text) == pytest.approx(published, rel=RTOL)
    assert len(costs) == 25
    assert [float(c) for c in costs] == pytest.approx([published[i] for i in range(0, 2500, 100)],
                                                      rel=RTOL)
    _, train_text = printed(utils.predict, train_x, train_y, parameters)
    _, test_text = printed(utils.predict, test_x, test_y, parameters)
    assert (train_text, test_text) == tuple(f"Accuracy: {a}\n" for a in accuracies)
    print(f"{model}: 2500 iterations on the real data in {seconds:.1f} s")


@pytest.mark.slow
def test_two_layer_model_reproduces_the_published_run(real):
    _full_run(real, "two_layer_model", (12288, 7, 1), TWO_LAYER_COSTS,
              ("0.9999999999999998", "0.72"))


@pytest.mark.slow
def test_L_layer_model_reproduces_the_published_run(real):
    _full_run(real, "L_layer_model", [12288, 20, 7, 5, 1], L_LAYER_COSTS,
              ("0.9856459330143539", "0.8"))
