"""C1W4A2 stand-in data: the committed files have the course's schema, are in sync with their
generator, and load_data() reads them, a folder given as argument, or $DNN_GRADER_CAT_DATA."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import load_module

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignments" / "C1W4A2"
DATASETS = ASSIGNMENT / "datasets"
GENERATOR = DATASETS / "generate.py"

# Course facts B.1: first 20 labels of each split and the label counts.
FIRST_TRAIN = [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1]
FIRST_TEST = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1]
SCHEMA = {
    "train_catvnoncat.h5": {"train_set_x": ((209, 64, 64, 3), "uint8"),
                            "train_set_y": ((209,), "int64"),
                            "list_classes": ((2,), "|S7")},
    "test_catvnoncat.h5": {"test_set_x": ((50, 64, 64, 3), "uint8"),
                           "test_set_y": ((50,), "int64"),
                           "list_classes": ((2,), "|S7")},
}


@pytest.fixture(scope="module")
def generator():
    return load_module(GENERATOR, "c1w4a2_generate")


@pytest.fixture(scope="module")
def utils():
    return load_module(ASSIGNMENT / "dnn_app_utils_v3.py", "c1w4a2_dnn_app_utils_v3")


@pytest.fixture(scope="module")
def committed(generator):
    return generator.read(DATASETS)


def test_committed_files_have_the_course_schema(committed):
    assert sorted(committed) == sorted(SCHEMA)
    for name, keys in SCHEMA.items():
        assert sorted(committed[name]) == sorted(keys)
        for key, (shape, dtype) in keys.items():
            assert committed[name][key].shape == shape, (name, key)
            assert committed[name][key].dtype.str == np.dtype(dtype).str, (name, key)
        assert committed[name]["list_classes"].tolist() == [b"non-cat", b"cat"]


def test_labels_match_the_course_counts_and_first_labels(committed):
    train_y = committed["train_catvnoncat.h5"]["train_set_y"]
    test_y = committed["test_catvnoncat.h5"]["test_set_y"]
    assert (int(train_y.sum()), int((train_y == 0).sum())) == (72, 137)
    assert (int(test_y.sum()), int((test_y == 0).sum())) == (33, 17)
    assert train_y[:20].tolist() == FIRST_TRAIN
    assert test_y[:20].tolist() == FIRST_TEST
    assert set(np.unique(train_y)) == set(np.unique(test_y)) == {0, 1}


def test_pictures_are_varied_and_use_the_full_range(committed):
    x = committed["train_catvnoncat.h5"]["train_set_x"]
    assert x.min() == 0 and x.max() == 255
    flat = x.reshape(len(x), -1)
    assert len({row.tobytes() for row in flat}) == len(x)          # no duplicate pictures
    test_x = committed["test_catvnoncat.h5"]["test_set_x"].reshape(50, -1)
    assert not {row.tobytes() for row in test_x} & {row.tobytes() for row in flat}


def test_committed_files_are_in_sync_with_the_generator(generator, committed):
    assert generator.differences(generator.generate(), committed) == []


def test_generator_check_command(tmp_path):
    check = subprocess.run([sys.executable, str(GENERATOR), "--check"],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "in sync" in check.stdout
    stale = subprocess.run([sys.executable, str(GENERATOR), "--check", "--out", str(tmp_path)],
                           capture_output=True, text=True, timeout=120)
    assert stale.returncode == 1


def test_generator_detects_changed_contents(generator, committed):
    changed = {name: {key: value.copy() for key, value in arrays.items()}
               for name, arrays in committed.items()}
    changed["test_catvnoncat.h5"]["test_set_x"][3, 10, 10, 0] ^= 1
    assert generator.differences(generator.generate(), changed) == [
        "test_catvnoncat.h5/test_set_x: contents differ"]


def test_load_data_defaults_to_the_stand_in_files(utils, committed, monkeypatch):
    monkeypatch.delenv(utils.DATA_ENV_VAR, raising=False)
    train_x, train_y, test_x, test_y, classes = utils.load_data()
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert train_y.dtype == test_y.dtype == np.int64
    assert classes.tolist() == [b"non-cat", b"cat"]
    np.testing.assert_array_equal(train_x, committed["train_catvnoncat.h5"]["train_set_x"])
    assert train_y[0, 19] == 1 and classes[train_y[0, 19]].decode("utf-8") == "cat"


def _tiny_copy(folder: Path, m_train=3, m_test=2, classes=(b"non-cat", b"cat")):
    """Two small files with the course's keys, so the tests can tell which folder was read."""
    folder.mkdir(parents=True, exist_ok=True)
    rs = np.random.RandomState(m_train)
    for split, m in (("train", m_train), ("test", m_test)):
        with h5py.File(folder / f"{split}_catvnoncat.h5", "w") as f:
            f[f"{split}_set_x"] = rs.randint(0, 256, (m, 64, 64, 3)).astype(np.uint8)
            f[f"{split}_set_y"] = np.arange(m, dtype=np.int64) % 2
            f["list_classes"] = np.array(classes, dtype="S7")
    return folder


def test_load_data_reads_a_folder_given_as_argument(utils, tmp_path, monkeypatch):
    monkeypatch.delenv(utils.DATA_ENV_VAR, raising=False)
    folder = _tiny_copy(tmp_path / "mine")
    train_x, train_y, test_x, test_y, classes = utils.load_data(folder)
    assert train_x.shape == (3, 64, 64, 3) and test_x.shape == (2, 64, 64, 3)
    assert train_y.tolist() == [[0, 1, 0]] and test_y.tolist() == [[0, 1]]
    assert utils.load_data(str(folder))[0].shape == (3, 64, 64, 3)


def test_load_data_reads_the_folder_named_by_the_environment(utils, tmp_path, monkeypatch):
    monkeypatch.setenv(utils.DATA_ENV_VAR, str(_tiny_copy(tmp_path / "env", m_train=4)))
    assert utils.load_data()[0].shape == (4, 64, 64, 3)
    argument = _tiny_copy(tmp_path / "arg", m_train=5)
    assert utils.load_data(path=argument)[0].shape == (5, 64, 64, 3)   # the argument wins


def test_load_data_takes_classes_from_the_test_file(utils, tmp_path):
    folder = _tiny_copy(tmp_path / "c", classes=(b"non-cat", b"cat"))
    with h5py.File(folder / "train_catvnoncat.h5", "r+") as f:
        del f["list_classes"]
        f["list_classes"] = np.array([b"wrong", b"wrong"], dtype="S7")
    assert utils.load_data(folder)[4].tolist() == [b"non-cat", b"cat"]


def test_load_data_explains_a_missing_folder(utils, tmp_path):
    with pytest.raises(FileNotFoundError, match="DNN_GRADER_CAT_DATA"):
        utils.load_data(tmp_path / "nowhere")
