"""Compare a function's output with the expected one and explain every difference.

Used by the trusted grader (on decoded worker output) and by the students' public checks.
Each failure message names the variable (``dW1``, ``cache[0][1]``) and says got vs expected.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from grader import codec
from grader.results import (ERROR, FAILED, MISSING, NOT_IMPLEMENTED, PARTIAL, PASSED, TIMEOUT,
                            CaseResult, FunctionResult)

if TYPE_CHECKING:
    from grader.execute import RunResult
    from grader.extract import GradedCell
    from grader.spec import Case, Function

NUMERIC_LEAVES = (int, float, bool, np.ndarray, np.generic)


def compare_output(got: Any, expected: Any, returns: tuple[str, ...],
                   rtol: float = 1e-5, atol: float = 1e-7) -> list[str]:
    """Failures of ``got`` against ``expected``; ``returns`` names the returned values."""
    if len(returns) == 1:
        return compare(got, expected, returns[0], rtol, atol, top=True)
    names = ", ".join(returns)
    if type(got) is not tuple or len(got) != len(returns):
        return [f"expected {len(returns)} return values ({names}) as a tuple, got {_describe(got)}"]
    failures: list[str] = []
    for name, got_item, expected_item in zip(returns, got, expected):
        failures += compare(got_item, expected_item, name, rtol, atol, top=True)
    return failures


def compare(got: Any, expected: Any, path: str, rtol: float = 1e-5, atol: float = 1e-7,
            top: bool = False) -> list[str]:
    """Recursively compare containers and leaves; ``path`` names the current value."""
    if isinstance(expected, dict):
        return _compare_dict(got, expected, path, rtol, atol, top)
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(got, expected, path, rtol, atol)
    if expected is None or isinstance(expected, str):
        if type(got) is not type(expected) or got != expected:
            return [f"{path}: got {_describe(got)}, expected {expected!r}"]
        return []
    return _compare_numeric(got, expected, path, rtol, atol)


def _compare_dict(got: Any, expected: dict, path: str, rtol: float, atol: float,
                  top: bool) -> list[str]:
    if not isinstance(got, dict):
        return [f"{path}: expected a dict, got {_describe(got)}"]
    failures = []
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing:
        failures.append(f"{path}: missing key(s) {', '.join(map(repr, missing))}")
    if extra:
        failures.append(f"{path}: unexpected key(s) {', '.join(map(repr, extra))}")
    for key in expected:
        if key in got:
            child = str(key) if top else f"{path}[{key!r}]"
            failures += compare(got[key], expected[key], child, rtol, atol)
    return failures


def _compare_sequence(got: Any, expected: tuple | list, path: str, rtol: float,
                      atol: float) -> list[str]:
    kind = type(expected).__name__
    if type(got) is not type(expected):
        return [f"{path}: expected a {kind}, got {_describe(got)}"]
    if len(got) != len(expected):
        return [f"{path}: expected a {kind} of {len(expected)} items, got {len(got)}"]
    failures = []
    for i, (got_item, expected_item) in enumerate(zip(got, expected)):
        failures += compare(got_item, expected_item, f"{path}[{i}]", rtol, atol)
    return failures


def _compare_numeric(got: Any, expected: Any, path: str, rtol: float, atol: float) -> list[str]:
    if not isinstance(got, NUMERIC_LEAVES) or isinstance(got, np.ndarray) and got.dtype.kind not in "biuf":
        return [f"{path}: expected a number or numpy array, got {_describe(got)}"]
    got_arr, exp_arr = np.asarray(got), np.asarray(expected)
    if got_arr.shape != exp_arr.shape:
        return [f"{path}: shape {got_arr.shape}, expected {exp_arr.shape}"]
    if exp_arr.dtype.kind == "f" and got_arr.dtype.kind != "f" and isinstance(expected, np.ndarray):
        return [f"{path}: dtype {got_arr.dtype}, expected a float array ({exp_arr.dtype})"]
    got_f, exp_f = got_arr.astype(float), exp_arr.astype(float)
    bad = ~np.isfinite(got_f) & np.isfinite(exp_f)
    if bad.any():
        return [f"{path}: contains {_non_finite(got_f[bad])} where finite values are expected"]
    close = np.isclose(got_f, exp_f, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return []
    return [f"{path}: wrong values{_where(got_f, exp_f, close)}"]


def _where(got: np.ndarray, expected: np.ndarray, close: np.ndarray) -> str:
    if got.ndim == 0:
        return f": got {got.item()!r}, expected {expected.item()!r}"
    wrong = int((~close).sum())
    index = tuple(int(i) for i in np.argwhere(~close)[0])
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
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    if value is None:
        return "None"
    return f"{type(value).__name__} {value!r}"[:120]


# ----------------------------------------------------------------------------- verdicts

def judge(function: "Function", cell: "GradedCell | None", run: "RunResult | None",
          expected: list[Any], inputs: list[tuple], arg_names: list[str]) -> FunctionResult:
    """Score one graded function from its worker run (``expected``/``inputs`` per case)."""
    if cell is None:
        return FunctionResult(function.name, 0.0, function.points, MISSING,
                              f"no cell starting with '# GRADED FUNCTION: {function.name}' found",
                              function.hint)
    assert run is not None
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
            f"`{p}`" for p in cell.placeholders[:3])
    output = next((run.cases[i].get("stdout", "") for i in sorted(run.cases)), "")
    return FunctionResult(function.name, score, function.points, status, message,
                          function.hint, verdicts, str(output), run.seconds)


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
    verdict = CaseResult(case.name, case.weight, False)
    frame = run.cases.get(index)
    if run.fatal is not None:
        verdict.message = str(run.fatal.get("error", "could not run"))
        if run.fatal.get("traceback"):
            verdict.message += f"\n    {run.fatal['traceback']}"
    elif frame is None:
        verdict.message = _no_result(run)
    elif "error" in frame:
        verdict.message = _error_message(frame)
    else:
        verdict.message = _compare_frame(function, case, frame, expected, inputs, arg_names)
        verdict.passed = not verdict.message
    return verdict


def _compare_frame(function: "Function", case: "Case", frame: dict, expected: Any,
                   inputs: tuple, arg_names: list[str]) -> str:
    try:
        got = codec.from_plain(frame.get("output"))
        after = codec.from_plain(frame.get("args_after"))
    except codec.CodecError as exc:
        return f"the returned value could not be read: {exc}"
    failures = compare_output(got, expected, function.returns, case.rtol, case.atol)
    if failures:
        return "\n    ".join(failures[:4])
    if type(after) is not tuple or len(after) != len(inputs):
        return "the inputs could not be checked after the call"
    changed = [f"`{name}`" for name in changed_inputs(inputs, after, arg_names)]
    if changed:
        return (f"modified its input {', '.join(changed)} in place; "
                "work on a copy (e.g. copy.deepcopy) instead")
    return ""
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
    if run.ending.startswith("signal"):
        return (f"the run was killed by {run.ending.split()[-1]} (a CPU-time or memory limit, "
                "or the code stopped itself)")
    return f"the run ended before returning a result ({run.ending})"


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
