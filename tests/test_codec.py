"""The boundary encoding: exact round trips for plain data, refusal of everything else."""
from __future__ import annotations

import json

import numpy as np
import pytest

from grader import codec


def roundtrip(value, readable=False):
    return codec.loads(codec.dumps(value, readable))


@pytest.mark.parametrize("readable", [False, True])
def test_nested_values_round_trip_exactly(readable):
    value = {"W1": np.arange(6.0).reshape(2, 3), "cache": ((np.ones((1, 2), bool), 3), [None, "s"]),
             1: np.float64(0.25), "nan": float("nan"), "i": np.int64(-4)}
    back = roundtrip(value, readable)
    assert back.keys() == value.keys()
    np.testing.assert_array_equal(back["W1"], value["W1"])
    assert back["cache"][0][0].dtype == bool and type(back["cache"]) is tuple
    assert back["cache"][1] == [None, "s"]
    assert type(back[1]) is np.float64 and back[1] == 0.25
    assert np.isnan(back["nan"]) and type(back["i"]) is np.int64


class HostileDict(dict):
    def __eq__(self, other):
        return True


class HostileArray(np.ndarray):
    pass


@pytest.mark.parametrize("value", [
    HostileDict(a=1), np.zeros(3).view(HostileArray), np.array([object()]), {1, 2},
    lambda: 0, np.array(["text"]), b"bytes",
])
def test_non_plain_values_are_refused(value):
    with pytest.raises(codec.CodecError):
        codec.to_plain(value)


def test_deep_nesting_is_refused():
    value = []
    for _ in range(100):
        value = [value]
    with pytest.raises(codec.CodecError, match="nested deeper"):
        codec.to_plain(value)


@pytest.mark.parametrize("payload", [
    {"__ndarray__": "object", "shape": [1], "b64": ""},
    {"__ndarray__": "float64", "shape": [2], "b64": "AAAA"},
    {"__ndarray__": "float64", "shape": [10**9, 10**9], "b64": ""},
    {"__float__": "__import__('os')"},
    {"__pickle__": "x"},
    {"__dict__": [[[1], 2]]},
])
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(codec.CodecError):
        codec.from_plain(payload)


def _eight_bytes(b64: str) -> dict:
    return {"__ndarray__": "float64", "shape": [1], "b64": b64}


@pytest.mark.parametrize("b64", [
    "AAAAAAAAAAA=\n",       # a newline, as a line-wrapping encoder would add
    "AAAA AAAAAAA=",        # a space inside
    "AAAAAAAAAAA",          # padding missing
    "=AAAAAAAAAAA",         # padding first
    "AAAAAAAAAAA=AAAA",     # data after the padding
    "AAAAAAAA-_A=",         # the URL-safe alphabet
    "AAAAAAAAAAÄ=",         # not ASCII
])
def test_array_bytes_must_be_strict_base64(b64):
    with pytest.raises(codec.CodecError, match="not valid base64"):
        codec.from_plain(_eight_bytes(b64))


def test_array_bytes_round_trip_every_dtype_and_empty_arrays():
    for name in sorted(codec.ALLOWED_DTYPES):
        for shape in [(0,), (3, 2), (1, 0, 4)]:
            value = (np.arange(int(np.prod(shape))) % 2).astype(name).reshape(shape)
            back = codec.from_plain(json.loads(json.dumps(codec.to_plain(value))))
            assert back.dtype == value.dtype and back.shape == value.shape
            assert np.array_equal(back, value) and back.flags.writeable
    assert codec.from_plain(_eight_bytes("AAAAAAAA8D8=")) == np.array([1.0])


def test_payload_size_cap():
    with pytest.raises(codec.CodecError, match="exceeds"):
        codec.loads(json.dumps([0] * 1000).encode(), max_bytes=100)
