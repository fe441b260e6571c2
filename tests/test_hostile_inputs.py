"""Crafted values in the trusted process: assignment ids, payloads, result frames, notebooks.

Whatever a submission contains, the grader must not load files it points at, must not crash,
must not show the expected values of hidden cases, and must store only capped, clean text.
These tests build the worker's results directly (no worker runs).
"""
from __future__ import annotations

import copy
import functools
import inspect
import json
import os
import random
import sys

import numpy as np
import pytest

from grader import checks, codec, notebook, spec
from grader.execute import RunResult
from grader.extract import GradedCell
from grader.results import MAX_LINE_CHARS, MAX_MESSAGE_CHARS, MAX_OUTPUT_CHARS, safe_text

# ----------------------------------------------------------------------------- assignment ids

_WATCHED: list[str] = []
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and str(args[0]).startswith(_WATCHED[0]):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def evil_folder(tmp_path):
    """A student-made assignment folder whose modules leave a marker when imported."""
    folder = tmp_path / "evil"
    folder.mkdir()
    marker = tmp_path / "imported"
    (folder / "spec.toml").write_text(
        'id = "evil"\ntitle = "evil"\nnotebook = "x.ipynb"\n[[functions]]\nname = "f"\n'
        'points = 1\n[[functions.cases]]\nname = "c"\nbuilder = "b"\n')
    payload = f"open({str(marker)!r}, 'w').close()\ndef b():\n    return ()\n"
    (folder / "cases.py").write_text(payload)
    (folder / "solutions.py").write_text(payload)
    _WATCHED[:] = [str(tmp_path)]
    yield folder, marker
    _WATCHED.clear()
    _OPENED.clear()


def test_ids_pointing_outside_the_reference_folder_open_nothing(evil_folder):
    folder, marker = evil_folder
    relative = os.path.relpath(folder, spec.REFERENCE_DIR)
    for assignment_id in (str(folder), relative, f"C1W4A1/../{relative}", f"./{relative}"):
        with pytest.raises(spec.SpecError, match="unknown assignment"):
            spec.load(assignment_id).build_inputs(spec.Case("f", "c", "b"))
    assert not marker.exists()
    assert _OPENED == []


@pytest.mark.parametrize("assignment_id", [
    "c1w4a1", "C1W4A1/", "./C1W4A1", "C1W4A1/../C1W4A1", " C1W4A1", "C1W4A1\0", "\0",
    "x" * 100_000, "../" * 50 + "etc", "/", "", ".", "..",
])
def test_only_installed_ids_are_accepted(assignment_id):
    with pytest.raises(spec.SpecError) as raised:
        spec.load(assignment_id)
    message = str(raised.value)
    assert message.startswith("unknown assignment '") and "known: C1W4A1, " in message
    assert len(message) < 200


def test_unknown_id_is_shown_as_a_truncated_repr():
    with pytest.raises(spec.SpecError) as raised:
        spec.load("ab\0" + "c" * 500)
    assert str(raised.value).startswith("unknown assignment 'ab\\x00ccc")
    assert "c" * 100 not in str(raised.value)


def _bad_spec(tmp_path, monkeypatch, **fields):
    (tmp_path / "reference" / "BAD").mkdir(parents=True)
    values = {"id": "BAD", "title": "t", "notebook": "n.ipynb", **fields}
    text = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    text += ('[[functions]]\nname = "f"\npoints = 1\n'
             '[[functions.cases]]\nname = "c"\nbuilder = "b"\n')
    (tmp_path / "reference" / "BAD" / "spec.toml").write_text(text)
    monkeypatch.setattr(spec, "_courses", [])  # the test's own list, dropped after it
    spec.use_courses([tmp_path])


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "sub/n.ipynb",
                                  "..", "a..b.ipynb", "n.ipynb\0", "C:\\n.ipynb", ""])
def test_spec_notebook_must_be_a_file_name_in_its_folder(tmp_path, monkeypatch, name):
    _bad_spec(tmp_path, monkeypatch, notebook=name)
    try:
        with pytest.raises(spec.SpecError, match="notebook must be a file name"):
            spec.load("BAD")
    finally:
        spec.load.cache_clear()


def test_spec_id_is_its_folder_name(tmp_path, monkeypatch):
    _bad_spec(tmp_path, monkeypatch, id="../C1W4A1")
    try:
        with pytest.raises(spec.SpecError, match="is not its folder name 'BAD'"):
            spec.load("BAD")
    finally:
        spec.load.cache_clear()


# ----------------------------------------------------------------------------- codec

def _payloads() -> list:
    values = [
        {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1)), "n": np.int64(3)},
        (np.ones((2, 2), bool), [1, 2.5, None, "s"], {"k": (np.float32(1.5),)}),
        [np.array([1, 2], np.uint8), float("nan"), {1: "x", 2.5: None}],
    ]
    return [codec.to_plain(v, readable) for v in values for readable in (False, True)]


HOSTILE_NODES = [
    None, True, 1, -1, 1.5, 10**30, "", "AAA=", "!!!!", "x" * 50, [], [[]], [1, [2]], ["x"],
    {}, {"__float__": 1}, {"__float__": [1]}, {"__float__": "1e999"},
    {"__ndarray__": ["float64"], "shape": []}, {"__ndarray__": {"a": 1}, "shape": []},
    {"__ndarray__": ">f8", "shape": [], "b64": ""}, {"__ndarray__": "complex128", "shape": []},
    {"__ndarray__": "float64", "shape": [True], "b64": "AAAAAAAAAAA="},
    {"__ndarray__": "float64", "shape": [2**62, 2**62], "b64": ""},
    {"__ndarray__": "float64", "shape": [0, 10**20], "b64": ""},
    {"__ndarray__": "float64", "shape": [0] * 40, "b64": ""},
    {"__ndarray__": "float64", "shape": [1.5], "b64": ""},
    {"__ndarray__": "float64", "shape": "3", "b64": ""},
    {"__ndarray__": "float64", "shape": [1], "b64": "!!!!!!!!!!!="},
    {"__ndarray__": "float64", "shape": [1], "b64": 12},
    {"__ndarray__": "float64", "shape": [1], "b64": ["AAAAAAAAAAA="]},
    {"__ndarray__": "float64", "shape": [2], "data": [[1], [2]]},
    {"__ndarray__": "float64", "shape": [2], "data": ["a", "b"]},
    {"__ndarray__": "float64", "shape": [2], "data": [None, 1]},
    {"__ndarray__": "int8", "shape": [1], "data": [10**6]},
    {"__ndarray__": "uint8", "shape": [1], "data": [-1]},
    {"__ndarray__": "float64", "shape": [1], "data": [{"__tuple__": []}]},
    {"__ndarray__": "float64", "shape": [1], "data": [{"x": 1}]},
    {"__ndarray__": "float64", "shape": [1], "data": "AAAA"},
    {"__ndarray__": "float64", "shape": [1], "data": [1e308 * 10]},
    {"__dict__": [[[1, 2], 3]]}, {"__dict__": [[{"__tuple__": [1]}, 3]]},
    {"__dict__": [[{"__ndarray__": "float64", "shape": [], "b64": "AAAAAAAA8D8="}, 1]]},
    {"__dict__": "x"}, {"__dict__": [[1]]}, {"__dict__": [1, 2]}, {"__tuple__": {}},
    {"__tuple__": "ab"}, {"__pickle__": "x"},
]


def _mutate(node, rng: random.Random):
    """A copy of ``node`` with one random sub-node, key or string replaced."""
    if isinstance(node, list) and node and rng.random() < 0.7:
        i = rng.randrange(len(node))
        return node[:i] + [_mutate(node[i], rng)] + node[i + 1:]
    if isinstance(node, dict) and node and rng.random() < 0.7:
        key = rng.choice(sorted(node))
        changed = dict(node)
        roll = rng.random()
        if roll < 0.15:
            del changed[key]
        elif roll < 0.3:
            changed[rng.choice(["__tuple__", "__dict__", "__float__", "__ndarray__", "scalar",
                                "shape", "data", "b64"])] = changed.pop(key)
        else:
            changed[key] = _mutate(node[key], rng)
        return changed
    if isinstance(node, str) and node and rng.random() < 0.5:
        i = rng.randrange(len(node))
        return node[:i] + rng.choice(["!", "=", "A", "", "\0", "é"]) + node[i + 1:]
    return copy.deepcopy(rng.choice(HOSTILE_NODES))


def _decode_only_codec_errors(decode, payload) -> None:
    try:
        decode(payload)
    except codec.CodecError:
        pass
    except Exception as exc:  # anything else would be a traceback in the grader
        pytest.fail(f"{type(exc).__name__}: {exc} escaped for {str(payload)[:300]}")


@pytest.mark.parametrize("node", HOSTILE_NODES, ids=range(len(HOSTILE_NODES)))
def test_each_hostile_node_raises_only_codec_error(node):
    _decode_only_codec_errors(codec.from_plain, node)
    _decode_only_codec_errors(codec.from_plain, {"__tuple__": [node, [node]]})


def test_mutated_payloads_raise_only_codec_error():
    rng = random.Random(20240611)
    payloads = _payloads()
    for _ in range(4000):
        mutated = rng.choice(payloads)
        for _ in range(rng.randint(1, 4)):
            mutated = _mutate(mutated, rng)
        _decode_only_codec_errors(codec.from_plain, mutated)


def test_mutated_bytes_raise_only_codec_error():
    rng = random.Random(7)
    encoded = [codec.dumps(codec.from_plain(p)) for p in _payloads()]
    for _ in range(2000):
        data = bytearray(rng.choice(encoded))
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.choice(b'{}[]",:0AZ=/+\\e-')
        _decode_only_codec_errors(codec.loads, bytes(data))


@pytest.mark.parametrize("dtype", [">f8", ">f4", ">i4", ">u2", ">i8", "<f8", "=i2"])
@pytest.mark.parametrize("readable", [False, True])
def test_any_byte_order_round_trips_to_the_same_values(dtype, readable):
    value = ((np.arange(6) - 2) * 3).reshape(2, 3).astype(dtype)
    back = codec.loads(codec.dumps(value, readable))
    np.testing.assert_array_equal(back, value)
    assert back.dtype == value.dtype.newbyteorder("=") and back.dtype.isnative


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_matrix_results_are_refused_with_advice():
    with pytest.raises(codec.CodecError) as raised:
        codec.to_plain({"W": np.matrix([[1.0, 2.0]])})
    assert "np.matrix" in str(raised.value) and "np.ndarray" in str(raised.value)
    assert "np.array" in str(raised.value) and "@" in str(raised.value)


def test_other_array_subclasses_are_named():
    class Tracked(np.ndarray):
        pass

    with pytest.raises(codec.CodecError, match="Tracked.*subclass of np.ndarray"):
        codec.to_plain(np.zeros(2).view(Tracked))
    with pytest.raises(codec.CodecError, match="MaskedArray"):
        codec.to_plain(np.ma.masked_array([1.0, 2.0]))


# ----------------------------------------------------------------------------- comparisons

@pytest.mark.parametrize("got, expected", [
    (10**400, 2.0), (-(10**400), np.float64(1.0)), (2**70, 3), (complex(2, 0), 2.0),
    (np.complex128(2 + 0j), 2.0), (np.array([1 + 0j, 2]), np.array([1.0, 2.0])),
    (np.array([1.0, None], dtype=object), np.array([1.0, 2.0])), ("2.0", 2.0),
    ({"a": 1}, 2.0), ([[[[1]]]] * 1000, [1.0]), ({str(i): i for i in range(50_000)}, {"a": 1}),
    (10**400, "relu"), (np.array(["x"]), np.zeros(1)),
])
def test_odd_values_are_failures_not_exceptions(got, expected):
    for reveal in (True, False):
        failures = checks.compare_output(got, expected, ("x",), reveal=reveal)
        assert failures and all(type(f) is str and len(f) < 1000 for f in failures)


def test_large_but_finite_ints_are_compared_as_numbers():
    assert checks.compare(2**70, float(2**70), "x") == []
    assert checks.compare(10**300, 2.0, "x", reveal=False) == ["x: wrong values: got 1e+300"]


@functools.cache
def material(name: str):
    """Function spec, expected outputs, inputs and argument names of a C1W4A1 function."""
    assignment = spec.load("C1W4A1")
    function = assignment.functions[name]
    inputs = [assignment.build_inputs(c) for c in function.cases]
    expected = [assignment.run_reference(c) for c in function.cases]
    names = list(inspect.signature(assignment.reference(name)).parameters)
    return function, expected, inputs, names


def frame(index: int, output, args, **extra) -> dict:
    return {"case": index, "output": codec.to_plain(output), "args_after": codec.to_plain(args),
            **extra}


def judged(name: str, frames: list[dict], ending: str = "done", fatal: dict | None = None):
    function, expected, inputs, names = material(name)
    run = RunResult({f["case"]: f for f in frames}, fatal, ending, [], 0.1)
    return checks.judge(function, GradedCell(name, "", 0), run, expected, inputs, names)


def honest_frames(name: str) -> list[dict]:
    _, expected, inputs, _ = material(name)
    return [frame(i, out, args) for i, (out, args) in enumerate(zip(expected, inputs))]


def test_honest_frames_score_full_marks():
    result = judged("initialize_parameters_deep", honest_frames("initialize_parameters_deep"))
    assert result.score == result.max_score and result.status == "passed"


def test_int_beyond_float_range_in_output_fails_that_case():
    frames = honest_frames("compute_cost")
    frames[2] = frame(2, 10**400, material("compute_cost")[2][2])
    result = judged("compute_cost", frames)
    assert result.status == "partial" and not result.cases[2].passed
    assert "hidden 7 examples: cost: expected a number" in result.message


def test_int_beyond_float_range_in_a_modified_input_fails_that_case():
    frames = honest_frames("initialize_parameters_deep")
    output = material("initialize_parameters_deep")[1][0]
    frames[0] = frame(0, output, ([10**400, 4, 3],))
    result = judged("initialize_parameters_deep", frames)
    assert [c.passed for c in result.cases] == [False, True, True]
    assert "modified its input `layer_dims` in place" in result.cases[0].message


def test_an_unforeseen_exception_fails_only_its_case(monkeypatch):
    real = checks.compare_output

    def fragile(got, expected, *args, **kwargs):
        if isinstance(got, dict) and "W3" in got:
            raise RuntimeError("unforeseen")
        return real(got, expected, *args, **kwargs)

    monkeypatch.setattr(checks, "compare_output", fragile)
    result = judged("initialize_parameters_deep", honest_frames("initialize_parameters_deep"))
    assert [c.passed for c in result.cases] == [True, True, False]
    assert result.cases[2].message == "could not be compared: RuntimeError"


# ----------------------------------------------------------------------------- hidden cases

def _plus_one(name: str) -> list[dict]:
    _, expected, inputs, _ = material(name)
    return [frame(i, {k: v + 1 for k, v in out.items()}, args)
            for i, (out, args) in enumerate(zip(expected, inputs))]


def test_expected_values_are_shown_for_public_cases_only():
    result = judged("initialize_parameters_deep", _plus_one("initialize_parameters_deep"))
    public, second, hidden = result.cases
    assert public.message.startswith("W1: wrong values (20 of 20 entries differ; at (0, 0)")
    assert "expected 0.0178862" in public.message and "expected 0." in second.message
    assert hidden.message.startswith("W1: wrong values (48 of 48 entries differ, first at (0, 0))")
    assert "expected" not in hidden.message and "got" not in hidden.message


def test_hidden_scalar_shows_only_what_was_returned():
    _, expected, inputs, _ = material("compute_cost")
    frames = [frame(i, 0.5, args) for i, args in enumerate(inputs)]
    hidden = judged("compute_cost", frames).cases[2]
    assert hidden.message == "cost: wrong values: got …"
    assert str(round(float(expected[2]), 4))[:5] not in hidden.message


def test_real_numbers_cannot_carry_hidden_inputs_out():
    """A hidden case's inputs dumped into an exception or encoded in the returned value are
    masked; integers (shapes) stay, and public cases keep their numbers."""
    _, _, inputs, _ = material("compute_cost")
    leak = f"ValueError: {inputs[2][0].ravel()[:4]!r} shapes (1, 7)"
    frames = [{"case": i, "error": leak, "kind": "ValueError"} for i in range(len(inputs))]
    public, _, hidden = judged("compute_cost", frames).cases[:3]
    assert "." in public.message.split("shapes")[0]
    assert not any(ch.isdigit() for ch in hidden.message.split("shapes")[0].split("array")[1])
    assert "shapes (1, 7)" in hidden.message


def test_hidden_shape_and_key_messages_stay_useful():
    _, expected, inputs, _ = material("initialize_parameters_deep")
    wrong = {k: v for k, v in expected[2].items() if k != "b4"} | {"W1": np.zeros((1, 1)),
                                                                  "extra": 1}
    message = judged("initialize_parameters_deep", [frame(2, wrong, inputs[2])]).cases[2].message
    assert "missing key(s) 'b4'" in message and "unexpected key(s) 'extra'" in message
    assert "W1: shape (1, 1), expected (6, 8)" in message


def test_hidden_string_values_are_not_shown():
    assert checks.compare("tanh", "relu", "activation", reveal=False) == [
        "activation: got str 'tanh', not the expected value"]
    assert "'relu'" in checks.compare("tanh", "relu", "activation")[0]


def test_printed_output_comes_only_from_public_cases():
    frames = honest_frames("initialize_parameters_deep")
    frames[2]["stdout"] = "hidden input: [8, 6, 5, 3, 1]\n"
    assert judged("initialize_parameters_deep", frames[2:]).output == ""
    frames[1]["stdout"] = "second course example\n"
    assert judged("initialize_parameters_deep", frames[1:]).output == "second course example\n"


@pytest.mark.parametrize("ending", ["signal SIGKILL", "exit status 3", "ended early", "done",
                                    "worker lost"])
def test_early_endings_say_so_without_status_or_signal(ending):
    result = judged("linear_forward", [], ending=ending)
    assert {c.message for c in result.cases} == {"the run ended early before returning a result"}
    assert result.score == 0


def test_tampered_run_scores_zero_even_with_correct_frames():
    result = judged("initialize_parameters_deep", honest_frames("initialize_parameters_deep"),
                    ending="tampered")
    assert result.score == 0 and result.status == "error"
    assert result.message == checks.TAMPERED
    assert [c.message for c in result.cases] == [checks.TAMPERED] * 3
    assert result.output == ""


# ----------------------------------------------------------------------------- stored text

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\r\x08\x9b31m\u202e\ud800"


def _assert_clean(text: str, limit: int) -> None:
    assert len(text) <= limit
    assert all(len(line) <= MAX_LINE_CHARS for line in text.split("\n"))
    assert not any(ch in text for ch in "\x1b\x07\r\x08\x9b\u202e\ud800")
    text.encode("utf-8")


def test_student_text_is_capped_and_cleaned():
    long = ESCAPES + "boom " * 5000
    frames = [{"case": 0, "error": f"ValueError: {long}", "traceback": ("x" * 1000 + "\n") * 50,
               "kind": "ValueError", "stdout": (ESCAPES + "y" * 2000 + "\n") * 100}]
    result = judged("initialize_parameters_deep", frames)
    for text in (result.message, result.cases[0].message):
        _assert_clean(text, MAX_MESSAGE_CHARS)
    _assert_clean(result.output, MAX_OUTPUT_CHARS)
    assert result.cases[0].message.startswith("raised ValueError: [2J]0;pwned31m")


def test_forged_fatal_frames_are_capped_and_cleaned():
    fatal = {"fatal": "cell", "error": [ESCAPES] * 2000, "traceback": {"k": ESCAPES * 1000}}
    result = judged("linear_forward", [], fatal=fatal)
    assert result.status == "error"
    for case in result.cases:
        _assert_clean(case.message, MAX_MESSAGE_CHARS)


def test_safe_text_keeps_newlines_and_tabs_and_is_stable():
    text = safe_text("a\tb\nc" + "d" * 400)
    assert text.startswith("a\tb\nc") and len(text.split("\n")[1]) == MAX_LINE_CHARS
    assert safe_text(text) == text


# ----------------------------------------------------------------------------- notebooks

def _nb(**fields) -> str:
    data = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **fields}
    return json.dumps(data)


@pytest.mark.parametrize("text, words", [
    ('{"cells": [], "nbformat": 4, "metadata": ' + "[" * 200_000 + "]" * 200_000 + "}",
     "too deeply nested"),
    ("[" * 200_000, "too deeply nested"),
    ('{"nbformat": 4, "cells": [], "metadata": {"n": 1' + "0" * 5000 + "}}", "too large"),
    (_nb(nbformat=3, worksheets=[]).replace('"cells": [], ', ""),
     "notebook format 3 is not supported; open it in Jupyter and save it, which converts it "
     "to format 4"),
    (_nb(nbformat="4"), "'nbformat' is the string '4'; it must be the number 4"),
    (_nb(nbformat=True), "notebook format True is not supported"),
    (_nb(nbformat=[4]), "notebook format [4] is not supported"),
    (_nb(cells={"0": {}}), "'cells' must be a list of cells, not dict"),
    (_nb(cells="print(1)"), "'cells' must be a list of cells, not str"),
    (_nb(cells=[{"cell_type": "code", "source": ""}, 3]), "cell 2 is a int, not a JSON object"),
    (_nb(cells=[{"cell_type": "code", "source": 7}]),
     "cell 1: 'source' must be a string or a list of strings"),
    (_nb(cells=[{"cell_type": "code", "source": ["x = 1\n", ["y"]]}]),
     "cell 1: 'source' must be a string or a list of strings"),
    (json.dumps({"nbformat": 4}), "not a Jupyter notebook"),
])
def test_broken_notebooks_raise_notebook_error_with_a_reason(text, words):
    with pytest.raises(notebook.NotebookError) as raised:
        notebook.parse(text, "sub.ipynb")
    assert str(raised.value).startswith("sub.ipynb: ") and words in str(raised.value)
