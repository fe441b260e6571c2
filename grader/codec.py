"""Pickle-free encoding of the values that cross the worker boundary and live in fixtures.

Only plain data is representable: ``None``, ``bool``, ``int``, ``float``, ``str``, numpy
arrays and scalars of numeric or bool dtype, and ``tuple`` / ``list`` / ``dict`` of those.
Types are checked exactly (``type(x) is dict``), so subclasses with hostile methods are
refused instead of being trusted. Decoding validates every node and enforces size caps;
whatever is wrong with a payload, only CodecError is raised. Array bytes are little-endian.
"""
from __future__ import annotations

import binascii
import json
import math
from typing import Any

import numpy as np

ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"]
)
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_BYTES = 64 * 1024 * 1024
MAX_RANK = 32
# Little-endian dtypes by name, and names by dtype: lookups instead of numpy's slower
# attribute calls on every array.
_LITTLE = {name: np.dtype(name).newbyteorder("<") for name in ALLOWED_DTYPES}
_NATIVE = {name: np.dtype(name) for name in ALLOWED_DTYPES}
_NAME_OF_LITTLE = {dtype: name for name, dtype in _LITTLE.items()}
_NDARRAY = np.ndarray
_PLAIN = frozenset({bool, str, int})  # exact types returned as they are
_NUMBERS_AND_TEXT = frozenset({bool, int, float, str})
_ALREADY_NATIVE = frozenset(name for name in ALLOWED_DTYPES if _LITTLE[name] == _NATIVE[name])


class CodecError(ValueError):
    """A value that cannot cross the boundary, or a payload that is malformed."""


def to_plain(value: Any, readable: bool = False) -> Any:
    """Turn a value into JSON-compatible data; ``readable`` stores arrays as nested lists."""
    budget = [MAX_NODES]
    return _to_plain(value, readable, 0, budget)


def _to_plain(value: Any, readable: bool, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise CodecError(f"value has more than {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise CodecError(f"value is nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if kind is _NDARRAY:  # the most frequent node first
        return _array_to_plain(value, readable)
    if value is None or kind in _PLAIN:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return _array_to_plain(value, readable)
    if issubclass(kind, np.ndarray):
        raise CodecError(_subclass_message(kind))
    if kind is tuple:
        return {"__tuple__": [_to_plain(v, readable, depth + 1, budget) for v in tuple.__iter__(value)]}
    if kind is list:
        return [_to_plain(v, readable, depth + 1, budget) for v in list.__iter__(value)]
    if kind is dict:
        items = dict.items(value)
        return {"__dict__": [[_to_plain(k, readable, depth + 1, budget),
                              _to_plain(v, readable, depth + 1, budget)] for k, v in items]}
    raise CodecError(f"values of type {kind.__module__}.{kind.__qualname__} cannot be graded; "
                     "return numpy arrays, numbers, strings, tuples, lists or dicts")


def _subclass_message(kind: type) -> str:
    if issubclass(kind, np.matrix):
        return ("np.matrix results cannot be graded; return an np.ndarray (use np.array and "
                "the @ operator instead of np.matrix)")
    return (f"{kind.__module__}.{kind.__qualname__} (a subclass of np.ndarray) cannot be "
            "graded; return a plain np.ndarray (e.g. np.asarray(value))")


def _array_to_plain(value: Any, readable: bool) -> dict:
    scalar = type(value) is not np.ndarray
    array = np.asarray(value) if scalar else value
    name = _NAME_OF_LITTLE.get(array.dtype)  # None for other dtypes and big-endian ones
    if name is None:
        name = array.dtype.name
        if name not in ALLOWED_DTYPES:
            raise CodecError(f"arrays of dtype {name} cannot be graded; use a numeric or bool "
                             "dtype")
        array = np.ascontiguousarray(array, dtype=_LITTLE[name])
    if array.nbytes > MAX_BYTES:
        raise CodecError(f"an array of {array.nbytes} bytes is larger than the "
                         f"{MAX_BYTES // 2**20} MiB cap")
    node: dict[str, Any] = {"__ndarray__": name, "shape": list(array.shape)}
    if scalar:
        node["scalar"] = True
    if readable:
        node["data"] = [_json_number(x) for x in array.ravel().tolist()]
    else:
        node["b64"] = binascii.b2a_base64(array.tobytes(), newline=False).decode("ascii")
    return node


def _json_number(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return {"__float__": repr(x)}
    return x


def from_plain(data: Any) -> Any:
    """Rebuild a value from ``to_plain`` output, validating every node."""
    budget = [MAX_NODES]
    return _from_plain(data, 0, budget)


def _from_plain(data: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise CodecError(f"payload has more than {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise CodecError(f"payload is nested deeper than {MAX_DEPTH} levels")
    kind = type(data)
    if kind is dict:
        if "__ndarray__" in data:  # the most frequent node first
            return _array_from_plain(data)
        if "__tuple__" in data:
            return tuple([_from_plain(v, depth + 1, budget)
                          for v in _expect_list(data["__tuple__"])])
        if "__dict__" in data:
            return _dict_from_plain(data["__dict__"], depth, budget)
        if "__float__" in data:
            return _float_from_plain(data)
        raise CodecError("unknown payload node" if data else "malformed payload node")
    if data is None or kind in _NUMBERS_AND_TEXT:
        return data
    if kind is list:
        return [_from_plain(v, depth + 1, budget) for v in data]
    raise CodecError("malformed payload node")


def _dict_from_plain(node: Any, depth: int, budget: list[int]) -> dict:
    pairs = [_expect_list(p) for p in _expect_list(node)]
    if any(len(p) != 2 for p in pairs):
        raise CodecError("malformed dict node")
    keys = [_from_plain(p[0], depth + 1, budget) for p in pairs]
    if any(type(k) not in _NUMBERS_AND_TEXT and k is not None for k in keys):
        raise CodecError("dict keys must be strings or numbers")
    return {k: _from_plain(p[1], depth + 1, budget) for k, p in zip(keys, pairs)}


def _expect_list(data: Any) -> list:
    if type(data) is not list:
        raise CodecError("malformed payload node")
    return data


def _float_from_plain(node: dict) -> float:
    text = node.get("__float__")
    if type(text) is not str or text not in ("nan", "inf", "-inf"):
        raise CodecError("malformed float node")
    return float(text)


def _array_from_plain(node: dict) -> Any:
    name = node["__ndarray__"]
    if type(name) is not str:
        raise CodecError("malformed array dtype")
    if name not in ALLOWED_DTYPES:
        raise CodecError(f"dtype {name[:40]!r} is not allowed")
    shape = _expect_list(node.get("shape"))
    if len(shape) > MAX_RANK:
        raise CodecError("malformed array shape")
    size = 1
    for n in shape:
        if type(n) is not int or not 0 <= n <= MAX_BYTES:
            raise CodecError("malformed array shape")
        size *= n
    dtype = _NATIVE[name]
    if size * dtype.itemsize > MAX_BYTES:
        raise CodecError("array is larger than the size cap")
    try:
        if "b64" in node:
            array = _array_from_bytes(node["b64"], name, size)
        else:
            array = _array_from_list(node.get("data"), dtype, size)
        array = array.reshape(shape)
    except CodecError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # numpy's refusals of odd data
        raise CodecError(f"array data cannot be read: {str(exc)[:100]}") from None
    return array[()] if node.get("scalar") is True else array


def _array_from_bytes(text: Any, name: str, size: int) -> np.ndarray:
    """Little-endian bytes (base64, strictly: nothing outside the alphabet, padding only at
    the end) as a native-order array."""
    if type(text) is not str:
        raise CodecError("malformed array data")
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        raise CodecError("array data is not valid base64") from None
    little = _LITTLE[name]
    if len(raw) != size * little.itemsize:
        raise CodecError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=little)
    return array.copy() if name in _ALREADY_NATIVE else array.astype(_NATIVE[name])


def _array_from_list(flat: Any, dtype: np.dtype, size: int) -> np.ndarray:
    """A flat list of numbers (non-finite ones as float nodes) as an array."""
    flat = _expect_list(flat)
    if len(flat) != size:
        raise CodecError("array data does not match its shape")
    values = [_float_from_plain(x) if type(x) is dict else x for x in flat]
    if any(type(x) not in (int, float, bool) for x in values):
        raise CodecError("array data must be a flat list of numbers")
    return np.array(values, dtype=dtype)


def dumps(value: Any, readable: bool = False) -> bytes:
    """Encode a value as UTF-8 JSON bytes."""
    indent = 1 if readable else None
    return json.dumps(to_plain(value, readable), indent=indent, allow_nan=False).encode()


def loads(payload: bytes, max_bytes: int = MAX_BYTES) -> Any:
    """Decode bytes made by ``dumps``, refusing payloads over ``max_bytes``."""
    if len(payload) > max_bytes:
        raise CodecError(f"payload of {len(payload)} bytes exceeds the {max_bytes}-byte cap")
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise CodecError(f"payload is not valid JSON: {exc}") from None
    return from_plain(data)
