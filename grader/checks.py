"""Compare a function's output with the expected one and explain every difference.

Used by the trusted grader (on decoded worker output) and by the students' public checks.
Each failure message names the variable (``dW1``, ``cache[0][1]``) and says what is wrong;
expected values are shown only for public cases (the course's published examples).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from grader import codec
from grader.extract import EMPTY_REGION
from grader.results import (ERROR, FAILED, MAX_OUTPUT_CHARS, MISSING, NOT_IMPLEMENTED, PARTIAL,
                            PASSED, TIMEOUT, CaseResult, FunctionResult, safe_text)

if TYPE_CHECKING:
    from grader.execute import RunResult
    from grader.extract import GradedCell
    from grader.spec import Case, Function

# Real numbers in a hidden case's message (a returned value, an exception's text) could carry
# the case's inputs out; they are masked, integers (shapes, indexes) are kept.
FLOAT_RE = re.compile(r"(?<![\w.])[-+]?(\d+\.\d*|\.\d+|\d+(?=[eE]))([eE][-+]?\d+)?")
NUMERIC_LEAVES = (int, float, bool, np.ndarray, np.generic)
TAMPERED = "tampering with the grader's result channel was detected; this function scores 0"
SHOWN_KEYS = 5


@dataclass(frozen=True)
class _Rules:
    """How leaves are compared, and whether messages may show expected values."""

    rtol: float
    atol: float
    reveal: bool


def compare_output(got: Any, expected: Any, returns: tuple[str, ...], rtol: float = 1e-5,
                   atol: float = 1e-7, reveal: bool = True) -> list[str]:
    """Failures of ``got`` against ``expected``; ``returns`` names the returned values.

    ``reveal=False`` (hidden cases) says what is wrong without showing expected values.
    """
    rules = _Rules(rtol, atol, reveal)
    if len(returns) == 1:
        return _compare(got, expected, returns[0], rules, top=True)
    names = ", ".join(returns)
    if type(got) is not tuple or len(got) != len(returns):
        return [f"expected {len(returns)} return values ({names}) as a tuple, got {_describe(got)}"]
    failures: list[str] = []
    for name, got_item, expected_item in zip(returns, got, expected):
        failures += _compare(got_item, expected_item, name, rules, top=True)
    return failures


def compare(got: Any, expected: Any, path: str, rtol: float = 1e-5, atol: float = 1e-7,
            top: bool = False, reveal: bool = True) -> list[str]:
    """Recursively compare containers and leaves; ``path`` names the current value."""
    return _compare(got, expected, path, _Rules(rtol, atol, reveal), top)


def _compare(got: Any, expected: Any, path: str, rules: _Rules, top: bool = False) -> list[str]:
    if isinstance(expected, dict):
        return _compare_dict(got, expected, path, rules, top)
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(got, expected, path, rules)
    if expected is None or isinstance(expected, str):
        if type(got) is not type(expected) or got != expected:
            wanted = f"expected {_short(expected)}" if rules.reveal else "not the expected value"
            return [f"{path}: got {_describe(got)}, {wanted}"]
        return []
    return _compare_numeric(got, expected, path, rules)


def _compare_dict(got: Any, expected: dict, path: str, rules: _Rules, top: bool) -> list[str]:
    if not isinstance(got, dict):
        return [f"{path}: expected a dict, got {_describe(got)}"]
    failures = []
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing:
        failures.append(f"{path}: missing key(s) {_keys(missing)}")
    if extra:
        failures.append(f"{path}: unexpected key(s) {_keys(extra)}")
    for key in expected:
        if key in got:
            child = str(key) if top else f"{path}[{key!r}]"
            failures += _compare(got[key], expected[key], child, rules)
    return failures


def _keys(keys: list) -> str:
    shown = ", ".join(_short(k) for k in keys[:SHOWN_KEYS])
    return shown if len(keys) <= SHOWN_KEYS else f"{shown} and {len(keys) - SHOWN_KEYS} more"


def _compare_sequence(got: Any, expected: tuple | list, path: str, rules: _Rules) -> list[str]:
    kind = type(expected).__name__
    if type(got) is not type(expected):
        return [f"{path}: expected a {kind}, got {_describe(got)}"]
    if len(got) != len(expected):
        return [f"{path}: expected a {kind} of {len(expected)} items, got {len(got)}"]
    failures = []
    for i, (got_item, expected_item) in enumerate(zip(got, expected)):
        failures += _compare(got_item, expected_item, f"{path}[{i}]", rules)
    return failures


def _compare_numeric(got: Any, expected: Any, path: str, rules: _Rules) -> list[str]:
    got_arr, exp_arr = _numeric_array(got), np.asarray(expected)
    if got_arr is None:
        return [f"{path}: expected a number or numpy array, got {_describe(got)}"]
    if got_arr.shape != exp_arr.shape:
        return [f"{path}: shape {got_arr.shape}, expected {exp_arr.shape}"]
    if exp_arr.dtype.kind == "f" and got_arr.dtype.kind != "f" and isinstance(expected, np.ndarray):
        return [f"{path}: dtype {got_arr.dtype}, expected a float array ({exp_arr.dtype})"]
    got_f, exp_f = got_arr.astype(float), exp_arr.astype(float)
    if got_f.tobytes() == exp_f.tobytes():
        return []  # identical (the common case, e.g. inputs left unchanged): no tolerance needed
    bad = ~np.isfinite(got_f) & np.isfinite(exp_f)
    if bad.any():
        return [f"{path}: contains {_non_finite(got_f[bad])} where finite values are expected"]
    close = np.isclose(got_f, exp_f, rtol=rules.rtol, atol=rules.atol, equal_nan=True)
    if close.all():
        return []
    return [f"{path}: wrong values{_where(got_f, exp_f, close, rules.reveal)}"]


def _numeric_array(value: Any) -> np.ndarray | None:
    """``value`` as a bool/int/float array, or None when it is no such number or array
    (complex, object arrays, integers beyond the float range)."""
    if type(value) is int and not -2**63 <= value < 2**64:
        try:
            value = float(value)
        except OverflowError:
            return None
    if not isinstance(value, NUMERIC_LEAVES):
        return None
    array = np.asarray(value)
    return array if array.dtype.kind in "biuf" else None


def _where(got: np.ndarray, expected: np.ndarray, close: np.ndarray, reveal: bool) -> str:
    if got.ndim == 0:
        return f": got {got.item()!r}, expected {expected.item()!r}" if reveal else \
            f": got {got.item()!r}"
    wrong = int((~close).sum())
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    if not reveal:
        return f" ({wrong} of {got.size} entries differ, first at {index})"
    detail = (f" ({wrong} of {got.size} entries differ; at {index} got {got[index].item()!r}, "
              f"expected {expected[index].item()!r})")
    if got.size <= 12:
        detail += f"\n    got      {_fmt(got)}\n    expected {_fmt(expected)}"
    return detail


def _fmt(array: np.ndarray) -> str:
    return np.array2string(array, precision=8, separator=", ").replace("\n", "")


def _non_finite(values: np.ndarray) -> str:
    return "NaN" if np.isnan(values).any() else "inf"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list, dict)):
        return f"a {type(value).__name__} of {len(value)} items"
    if value is None:
        return "None"
    if type(value) is int and value.bit_length() > 128:
        return f"an int of about {int(value.bit_length() * 0.30103) + 1} digits"
    return f"{type(value).__name__} {_short(value)}"


def _short(value: Any, limit: int = 100) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------- verdicts

def judge(function: "Function", cell: "GradedCell | None", run: "RunResult | None",
          expected: list[Any], inputs: list[tuple], arg_names: list[str]) -> FunctionResult:
    """Score one graded function from its worker run (``expected``/``inputs`` per case)."""
    if cell is None:
        return FunctionResult(function.name, 0.0, function.points, MISSING,
                              f"no cell starting with '# GRADED FUNCTION: {function.name}' found",
                              function.hint)
    assert run is not None
    if run.ending == "tampered":
        return _tampered(function, run)
    verdicts = [_case_verdict(function, i, run, expected[i], inputs[i], arg_names)
                for i in range(len(function.cases))]
    earned = sum(v.weight for v in verdicts if v.passed)
    total = sum(v.weight for v in verdicts)
    score = round(function.points * earned / total, 6) if total else 0.0
    first = next((v for v in verdicts if not v.passed), None)
    message = f"{first.name}: {first.message}" if first else ""
    status = _status(score, function.points, cell, run)
    if status == NOT_IMPLEMENTED:
        message = "not implemented yet: replace the placeholder(s) " + ", ".join(
            p if p == EMPTY_REGION else f"`{p}`" for p in cell.placeholders[:3])
    output = safe_text(_public_output(function, run), MAX_OUTPUT_CHARS)
    return FunctionResult(function.name, score, function.points, status, safe_text(message),
                          function.hint, verdicts, output, run.seconds)


def _tampered(function: "Function", run: "RunResult") -> FunctionResult:
    """Zero for a function whose run forged or corrupted the result channel, whatever it sent."""
    verdicts = [CaseResult(case.name, case.weight, False, TAMPERED) for case in function.cases]
    return FunctionResult(function.name, 0.0, function.points, ERROR, TAMPERED, function.hint,
                          verdicts, "", run.seconds)


def _public_output(function: "Function", run: "RunResult") -> str:
    """What the first public case that ran printed (hidden cases' prints could show their
    inputs)."""
    frames = (run.cases.get(i) for i, case in enumerate(function.cases) if case.public)
    return next((str(frame.get("stdout", "")) for frame in frames if frame is not None), "")


def _status(score: float, points: float, cell: "GradedCell", run: "RunResult") -> str:
    if score >= points:
        return PASSED
    if score > 0:
        return PARTIAL
    if cell.unfinished:
        return NOT_IMPLEMENTED
    if run.ending == "timeout":
        return TIMEOUT
    if run.fatal is not None:
        return ERROR
    return FAILED


def _case_verdict(function: "Function", index: int, run: "RunResult", expected: Any,
                  inputs: tuple, arg_names: list[str]) -> CaseResult:
    case = function.cases[index]
    try:
        message = _case_failure(function, case, run.cases.get(index), run, expected, inputs,
                                arg_names)
    except Exception as exc:  # an unforeseen value fails its own case, never the grader
        message = f"could not be compared: {type(exc).__name__}"
    if not case.public:
        message = FLOAT_RE.sub("…", message)
    return CaseResult(case.name, case.weight, not message, safe_text(message))


def _case_failure(function: "Function", case: "Case", frame: dict | None, run: "RunResult",
                  expected: Any, inputs: tuple, arg_names: list[str]) -> str:
    """What is wrong with one case's result ("" when it passed)."""
    if run.fatal is not None:
        message = str(run.fatal.get("error", "could not run"))
        if run.fatal.get("traceback"):
            message += f"\n    {run.fatal['traceback']}"
        return message or "could not run"
    if frame is None:
        return _no_result(run)
    if "error" in frame:
        return _error_message(frame)
    return _compare_frame(function, case, frame, expected, inputs, arg_names)


def _compare_frame(function: "Function", case: "Case", frame: dict, expected: Any,
                   inputs: tuple, arg_names: list[str]) -> str:
    try:
        got = codec.from_plain(frame.get("output"))
        after = codec.from_plain(frame.get("args_after"))
    except codec.CodecError as exc:
        return f"the returned value could not be read: {exc}"
    failures = compare_output(got, expected, function.returns, case.rtol, case.atol,
                              reveal=case.public)
    if failures:
        return "\n    ".join(failures[:4])
    if type(after) is not tuple or len(after) != len(inputs):
        return "the inputs could not be checked after the call"
    changed = [f"`{name}`" for name in changed_inputs(inputs, after, arg_names)
               if name not in function.may_modify]
    if changed:
        return (f"modified its input {', '.join(changed)} in place; "
                "work on a copy (e.g. copy.deepcopy) instead")
    return ""


def changed_inputs(before: tuple, after: tuple, names: list[str]) -> list[str]:
    """Names of the arguments that a call changed in place."""
    return [name for name, b, a in zip(names, before, after)
            if compare(a, b, name, rtol=0, atol=0)]


def _no_result(run: "RunResult") -> str:
    if run.ending == "timeout":
        return "stopped: took longer than the time limit (an endless loop?)"
    if run.ending == "overflow":
        return "stopped: produced more output than the size limit"
    return "the run ended early before returning a result"


def _error_message(frame: dict) -> str:
    kind = frame.get("kind")
    if kind == "MemoryError":
        return "ran out of memory (the memory limit was reached)"
    if kind in ("SystemExit", "KeyboardInterrupt"):
        return f"tried to stop the grader ({frame.get('error')}); not allowed"
    message = f"raised {frame.get('error')}"
    if frame.get("traceback"):
        message += f"\n    {frame['traceback']}"
    return message
