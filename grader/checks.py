"""Compare a function's output with the expected one and explain every difference.

Used by the trusted grader (on decoded worker output) and by the students' public checks.
Each failure message names the variable (``dW1``, ``cache[0][1]``) and says what is wrong;
expected values are shown only for public cases (the course's published examples). A failure
that reproduces a named mistake (``reference/<ID>/mistakes.toml``: its outputs are stored in
``fixtures/<ID>/mistakes.json``) gets that mistake's explanation in front of it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Sequence

from grader.extract import EMPTY_REGION
from grader.i18n import N_, _
from grader.results import (ERROR, FAILED, MAX_OUTPUT_CHARS, MISSING, NOT_IMPLEMENTED, PARTIAL,
                            PASSED, TIMEOUT, CaseResult, FunctionResult, safe_text)

if TYPE_CHECKING:  # numpy and the codec are imported where a value is decoded or compared:
    import numpy as np  # a result matching the expected one is judged without them

    from grader.execute import RunResult
    from grader.extract import GradedCell
    from grader.spec import Case, Function, Mistake

# Real numbers in a hidden case's message (a returned value, an exception's text) could carry
# the case's inputs out; they are masked, integers (shapes, indexes) are kept.
# ASCII only: a number right after a Chinese or Korean word is masked too.
FLOAT_RE = re.compile(r"(?<![\w.])[-+]?(\d+\.\d*|\.\d+|\d+(?=[eE]))([eE][-+]?\d+)?", re.ASCII)
SHOWN_KEYS = 5
SHOWN_FAILURES = 4  # per case

# Student-facing messages (msgids of the gettext catalogs, see grader/i18n.py): translated
# where they are used, their {fields} filled with str.format. The other messages of this
# module are written where they are used, in the same way.
TAMPERED = N_("tampering with the grader's result channel was detected; this function scores 0")
UNFILLED = N_("None — is this part filled in?")
UNFILLED_IN_ARRAY = N_("None inside a numpy array of shape {shape} — is this part filled in?")
OBJECT_ARRAY = N_("a numpy array of Python objects (dtype object) of shape {shape}")
NUMERIC_ARRAY = N_("a numpy array of shape {shape}")
# Translators: {kind} is a Python type name (list, tuple, dict)
CONTAINER = N_("a {kind} of {count} items")
NONE_IN_ERROR = N_("(a value is still None: is every part between START and END filled in?)")
OBJECT_DTYPE_IN_ERROR = N_("(such an array usually holds None or mixed values: is every part "
                           "filled in, and every result a number or numeric array?)")
RAISED = N_("raised {error}")


@dataclass(frozen=True)
class _Rules:
    """How leaves are compared, whether messages may show expected values, and how many
    failures are wanted: only the first, with no message (``quick``), the first ``most``, or
    all (``most`` 0)."""

    rtol: float
    atol: float
    reveal: bool
    quick: bool = False
    most: int = 0

    def enough(self, failures: list[str]) -> bool:
        """Whether the comparison may stop with ``failures`` found so far."""
        return bool(failures) and (self.quick or 0 < self.most <= len(failures))


def compare_output(got: Any, expected: Any, returns: tuple[str, ...], rtol: float = 1e-5,
                   atol: float = 1e-7, reveal: bool = True, most: int = 0) -> list[str]:
    """Failures of ``got`` against ``expected``; ``returns`` names the returned values.

    ``reveal=False`` (hidden cases) says what is wrong without showing expected values.
    ``most``: stop once that many failures are found (the first ones, in the same order).
    """
    return _compare_output(got, expected, returns, _Rules(rtol, atol, reveal, most=most))


def differs(got: Any, expected: Any, returns: tuple[str, ...], rtol: float = 1e-5,
            atol: float = 1e-7) -> bool:
    """Whether ``compare_output`` finds a failure, found without writing any message: the
    comparison stops at the first difference."""
    return bool(_compare_output(got, expected, returns, _Rules(rtol, atol, False, quick=True)))


def _compare_output(got: Any, expected: Any, returns: tuple[str, ...], rules: _Rules) -> list[str]:
    if len(returns) == 1:
        return _compare(got, expected, returns[0], rules, top=True)
    names = ", ".join(returns)
    if type(got) is not tuple or len(got) != len(returns):
        return [_("expected {count} return values ({names}) as a tuple, got {got}").format(
            count=len(returns), names=names, got=_describe(got))]
    failures: list[str] = []
    for name, got_item, expected_item in zip(returns, got, expected):
        failures += _compare(got_item, expected_item, name, rules, top=True)
        if rules.enough(failures):
            break
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
            if rules.reveal:
                return [_("{path}: got {got}, expected {expected}").format(
                    path=path, got=_describe(got), expected=_short(expected))]
            return [_("{path}: got {got}, not the expected value").format(
                path=path, got=_describe(got))]
        return []
    return _compare_numeric(got, expected, path, rules)


def _compare_dict(got: Any, expected: dict, path: str, rules: _Rules, top: bool) -> list[str]:
    if not isinstance(got, dict):
        return [_("{path}: expected a dict, got {got}").format(path=path, got=_describe(got))]
    failures = []
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing:
        failures.append(_("{path}: missing key(s) {keys}").format(path=path, keys=_keys(missing)))
    if extra:
        failures.append(_("{path}: unexpected key(s) {keys}").format(path=path,
                                                                     keys=_keys(extra)))
    for key in expected:
        if rules.enough(failures):
            break
        if key in got:
            child = str(key) if top else f"{path}[{key!r}]"
            failures += _compare(got[key], expected[key], child, rules)
    return failures


def _keys(keys: list) -> str:
    shown = ", ".join(_short(k) for k in keys[:SHOWN_KEYS])
    if len(keys) <= SHOWN_KEYS:
        return shown
    return _("{keys} and {count} more").format(keys=shown, count=len(keys) - SHOWN_KEYS)


def _compare_sequence(got: Any, expected: tuple | list, path: str, rules: _Rules) -> list[str]:
    kind = type(expected).__name__
    if type(got) is not type(expected):
        return [_("{path}: expected a {kind}, got {got}").format(path=path, kind=kind,
                                                                 got=_describe(got))]
    if len(got) != len(expected):
        return [_("{path}: expected a {kind} of {count} items, got {got}").format(
            path=path, kind=kind, count=len(expected), got=len(got))]
    failures = []
    for i, (got_item, expected_item) in enumerate(zip(got, expected)):
        failures += _compare(got_item, expected_item, f"{path}[{i}]", rules)
        if rules.enough(failures):
            break
    return failures


def _compare_numeric(got: Any, expected: Any, path: str, rules: _Rules) -> list[str]:
    import numpy as np

    got_arr, exp_arr = _numeric_array(got), np.asarray(expected)
    if got is None:
        return [_("{path}: got {got}").format(path=path, got=_(UNFILLED))]
    if got_arr is None:
        return [_("{path}: expected a number or numpy array, got {got}").format(
            path=path, got=_describe(got))]
    if got_arr.shape != exp_arr.shape:
        return [_("{path}: shape {got}, expected {expected}").format(
            path=path, got=got_arr.shape, expected=exp_arr.shape)]
    if exp_arr.dtype.kind == "f" and got_arr.dtype.kind != "f" and isinstance(expected, np.ndarray):
        return [_("{path}: dtype {got}, expected a float array ({expected})").format(
            path=path, got=got_arr.dtype, expected=exp_arr.dtype)]
    got_f, exp_f = got_arr.astype(float), exp_arr.astype(float)
    if got_f.tobytes() == exp_f.tobytes():
        return []  # identical (the common case, e.g. inputs left unchanged): no tolerance needed
    bad = ~np.isfinite(got_f) & np.isfinite(exp_f)
    if bad.any():
        return [_("{path}: contains {value} where finite values are expected").format(
            path=path, value=_non_finite(got_f[bad]))]
    close = np.isclose(got_f, exp_f, rtol=rules.rtol, atol=rules.atol, equal_nan=True)
    if close.all():
        return []
    return [""] if rules.quick else [_wrong_values(path, got_f, exp_f, close, rules.reveal)]


def _numeric_array(value: Any) -> np.ndarray | None:
    """``value`` as a bool/int/float array, or None when it is no such number or array
    (complex, object arrays, integers beyond the float range)."""
    if type(value) is int and not -2**63 <= value < 2**64:
        try:
            value = float(value)
        except OverflowError:
            return None
    import numpy as np

    if not isinstance(value, (int, float, bool, np.ndarray, np.generic)):
        return None
    array = np.asarray(value)
    return array if array.dtype.kind in "biuf" else None


def _wrong_values(path: str, got: np.ndarray, expected: np.ndarray, close: np.ndarray,
                  reveal: bool) -> str:
    """Where ``got`` differs from ``expected`` (and by how much, when ``reveal``)."""
    if got.ndim == 0:
        if not reveal:
            return _("{path}: wrong values: got {got}").format(path=path, got=repr(got.item()))
        return _("{path}: wrong values: got {got}, expected {expected}").format(
            path=path, got=repr(got.item()), expected=repr(expected.item()))
    wrong = int((~close).sum())
    import numpy as np

    index = tuple(int(i) for i in np.argwhere(~close)[0])
    if not reveal:
        return _("{path}: wrong values ({wrong} of {size} entries differ, first at {index})"
                 ).format(path=path, wrong=wrong, size=got.size, index=index)
    detail = _("{path}: wrong values ({wrong} of {size} entries differ; at {index} got {got}, "
               "expected {expected})").format(path=path, wrong=wrong, size=got.size,
                                              index=index, got=repr(got[index].item()),
                                              expected=repr(expected[index].item()))
    if got.size <= 12:
        # Translators: the two arrays are shown one above the other; align them
        detail += "\n" + _("    got      {got}\n    expected {expected}").format(
            got=_fmt(got), expected=_fmt(expected))
    return detail


def _fmt(array: np.ndarray) -> str:
    import numpy as np

    return np.array2string(array, precision=8, separator=", ").replace("\n", "")


def _non_finite(values: np.ndarray) -> str:
    import numpy as np

    return "NaN" if np.isnan(values).any() else "inf"


def _describe(value: Any) -> str:
    """``value`` as the student wrote it: None, a list of 3 items, a numpy array of shape ..."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return _describe_array(value)
    if isinstance(value, (tuple, list, dict)):
        return _(CONTAINER).format(kind=type(value).__name__, count=len(value))
    if value is None:
        return _(UNFILLED)
    if type(value) is int and value.bit_length() > 128:
        return _("an int of about {count} digits").format(
            count=int(value.bit_length() * 0.30103) + 1)
    return f"{type(value).__name__} {_short(value)}"


def _describe_array(array: np.ndarray) -> str:
    if array.dtype.kind != "O":
        return _(NUMERIC_ARRAY).format(shape=array.shape)
    if all(item is None for item in array.flat):
        return _(UNFILLED_IN_ARRAY).format(shape=array.shape)
    return _(OBJECT_ARRAY).format(shape=array.shape)


def described_error(text: str, kind: str = "") -> str:
    """``text`` (an exception's one-line message, of type ``kind``) with a note when it points
    at a placeholder left as None or at an array of objects."""
    if "NoneType" in text:
        return f"{text} {_(NONE_IN_ERROR)}"
    if kind == "CodecError" and "dtype object" in text:
        return f"{text} {_(OBJECT_DTYPE_IN_ERROR)}"
    return text


def _short(value: Any, limit: int = 100) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------- verdicts

def judge(function: "Function", cell: "GradedCell | None", run: "RunResult | None",
          expected: Sequence[Any], inputs: Sequence[tuple], arg_names: list[str],
          fingerprints: Sequence[dict] | None = None,
          exact: Sequence[tuple[Any, Any] | None] | None = None) -> FunctionResult:
    """Score one graded function from its worker run (``expected``/``inputs`` per case;
    ``fingerprints``: per case, what each named mistake gives there, by mistake id;
    ``exact``: per case, the expected output and the untouched inputs as the worker encodes
    them (``exact_results``): a result that matches them (``close_plain``) passes without
    being decoded). ``expected``, ``inputs`` and ``fingerprints`` are only indexed for a case
    that does not."""
    if cell is None:
        return FunctionResult(function.name, 0.0, function.points, MISSING,
                              _("no cell starting with '# GRADED FUNCTION: {name}' found").format(
                                  name=function.name), _(function.hint))
    assert run is not None
    if run.ending == "tampered":
        return _tampered(function, run)
    exact = exact or [None] * len(function.cases)
    verdicts = [_case_verdict(function, i, run, expected, inputs, arg_names, exact[i])
                for i in range(len(function.cases))]
    mistake = ""
    if fingerprints is not None and function.mistakes and not all(v.passed for v in verdicts):
        verdicts, mistake = _name_mistakes(function, verdicts, run, inputs, arg_names,
                                           fingerprints)
    earned = sum(v.weight for v in verdicts if v.passed)
    total = sum(v.weight for v in verdicts)
    score = round(function.points * earned / total, 6) if total else 0.0
    first = next((v for v in verdicts if not v.passed), None)
    # Translators: the first failed test case and what is wrong there
    message = _("{case}: {message}").format(case=first.name, message=first.message) \
        if first else ""
    status = _status(score, function.points, cell, run)
    if status == NOT_IMPLEMENTED:
        message = _("not implemented yet: replace the placeholder(s) {placeholders}").format(
            placeholders=", ".join(_placeholder(p) for p in cell.placeholders[:3]))
    output = safe_text(_public_output(function, run), MAX_OUTPUT_CHARS)
    return FunctionResult(function.name, score, function.points, status, safe_text(message),
                          _(function.hint), verdicts, output, run.seconds, mistake)


def _placeholder(placeholder: str) -> str:
    """A placeholder left in a graded cell, as code (or the empty region, in words)."""
    return _("an empty START/END CODE HERE region") if placeholder == EMPTY_REGION \
        else f"`{placeholder}`"


def _tampered(function: "Function", run: "RunResult") -> FunctionResult:
    """Zero for a function whose run forged or corrupted the result channel, whatever it sent."""
    verdicts = [CaseResult(_(case.name), case.weight, False, _(TAMPERED))
                for case in function.cases]
    return FunctionResult(function.name, 0.0, function.points, ERROR, _(TAMPERED),
                          _(function.hint), verdicts, "", run.seconds)


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


def _case_verdict(function: "Function", index: int, run: "RunResult", expected: Sequence[Any],
                  inputs: Sequence[tuple], arg_names: list[str],
                  exact: tuple[Any, Any] | None = None) -> CaseResult:
    case = function.cases[index]
    frame = run.cases.get(index)
    if exact is not None and run.fatal is None and frame is not None and \
            frame.get("args_after") == exact[1] and \
            close_plain(frame.get("output"), exact[0], case.rtol, case.atol):
        return CaseResult(_(case.name), case.weight, True, "")
    try:
        message = _case_failure(function, case, frame, run, expected[index], inputs[index],
                                arg_names)
    except Exception as exc:  # an unforeseen value fails its own case, never the grader
        message = _("could not be compared: {error}").format(error=type(exc).__name__)
    if not case.public:
        message = FLOAT_RE.sub("…", message)
    return CaseResult(_(case.name), case.weight, not message, safe_text(message))


def _case_failure(function: "Function", case: "Case", frame: dict | None, run: "RunResult",
                  expected: Any, inputs: tuple, arg_names: list[str]) -> str:
    """What is wrong with one case's result ("" when it passed)."""
    if run.fatal is not None:
        message = described_error(str(run.fatal.get("error", _("could not run"))))
        if run.fatal.get("traceback"):
            message += f"\n    {run.fatal['traceback']}"
        return message or _("could not run")
    if frame is None:
        return _no_result(run)
    if "error" in frame:
        return _error_message(frame)
    return _compare_frame(function, case, frame, expected, inputs, arg_names)


def _compare_frame(function: "Function", case: "Case", frame: dict, expected: Any,
                   inputs: tuple, arg_names: list[str]) -> str:
    from grader import codec

    try:
        got = codec.from_plain(frame.get("output"))
        after = codec.from_plain(frame.get("args_after"))
    except codec.CodecError as exc:
        return _("the returned value could not be read: {error}").format(error=exc)
    failures = compare_output(got, expected, function.returns, case.rtol, case.atol,
                              reveal=case.public, most=SHOWN_FAILURES)
    if failures:
        return "\n    ".join(failures[:SHOWN_FAILURES])
    if type(after) is not tuple or len(after) != len(inputs):
        return _("the inputs could not be checked after the call")
    changed = [f"`{name}`" for name in changed_inputs(inputs, after, arg_names)
               if name not in function.may_modify]
    if changed:
        return _("modified its input {names} in place; work on a copy (e.g. copy.deepcopy) "
                 "instead").format(names=", ".join(changed))
    return ""


def exact_results(function: "Function", expected: list[Any],
                  encoded_args: list[Any]) -> list[tuple[Any, Any] | None]:
    """Per case, the expected output and the inputs as a worker encodes them: a result close
    to the first (``close_plain``) that left the inputs equal to the second passes without
    being decoded. None for a case where even an identical result would not pass."""
    from grader import codec

    exact: list[tuple[Any, Any] | None] = []
    for case, value, args in zip(function.cases, expected, encoded_args):
        passes = not differs(value, value, function.returns, case.rtol, case.atol)
        exact.append((codec.to_plain(value), args) if passes else None)
    return exact


# array typecodes of the float dtypes whose values close_plain compares with a tolerance
_FLOAT_CODES = {"float64": "d", "float32": "f"}


def close_plain(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    """Whether a result as the worker encoded it (decoded JSON) is the expected one, encoded
    alike, within the tolerance: the same structure, types, dtypes and shapes, and float values
    close as ``numpy.isclose`` has it (NaN equal to NaN). Read without numpy; True only where
    ``compare_output`` passes too (what differs otherwise, e.g. int for float, is left to it).
    ``==`` on the JSON takes 1, 1.0 and true alike, as the numeric comparison does."""
    if got == expected:
        return True
    kind = type(expected)
    if type(got) is not kind:
        return False
    if kind is list:
        return len(got) == len(expected) and all(
            close_plain(g, e, rtol, atol) for g, e in zip(got, expected))
    if kind is dict:
        if got.keys() != expected.keys():
            return False
        if "b64" in expected:
            return all(got[k] == expected[k] for k in expected if k != "b64") and \
                _close_arrays(got["b64"], expected["b64"], expected["__ndarray__"], rtol, atol)
        return all(close_plain(got[k], expected[k], rtol, atol) for k in expected)
    return kind is float and _close(got, expected, rtol, atol)


def _close_arrays(got: Any, expected: str, dtype: Any, rtol: float, atol: float) -> bool:
    import array
    import base64
    import binascii
    import sys

    code = _FLOAT_CODES.get(dtype)
    if code is None or type(got) is not str:
        return False
    values = [array.array(code), array.array(code)]
    try:
        for target, text in zip(values, (got, expected)):
            target.frombytes(base64.b64decode(text, validate=True))
            if sys.byteorder == "big":
                target.byteswap()
    except (ValueError, binascii.Error):
        return False
    return len(values[0]) == len(values[1]) and all(
        _close(g, e, rtol, atol) for g, e in zip(*values))


def _close(got: float, expected: float, rtol: float, atol: float) -> bool:
    if got == expected:
        return True
    if math.isnan(expected):
        return math.isnan(got)
    if not (math.isfinite(expected) and math.isfinite(got)):
        return False
    return abs(got - expected) <= atol + rtol * abs(expected)


def changed_inputs(before: tuple, after: tuple, names: list[str]) -> list[str]:
    """Names of the arguments that a call changed in place."""
    changed = changed_positions(before, after)
    return [name for index, name in enumerate(names) if index in changed]


def changed_positions(before: tuple, after: tuple) -> set[int]:
    """Positions of the arguments that a call changed in place."""
    return {index for index, (b, a) in enumerate(zip(before, after))
            if differs(a, b, (str(index),), rtol=0, atol=0)}


# ----------------------------------------------------------------------------- named mistakes

@dataclass(frozen=True)
class _Seen:
    """What the student's code gave on one failed case, decoded once."""

    error: str | None = None     # the exception's one-line text, when the case raised
    output: Any = None
    after: tuple | None = None   # the inputs after the call; None when there is no output


def _name_mistakes(function: "Function", verdicts: list[CaseResult], run: "RunResult",
                   inputs: list[tuple], arg_names: list[str],
                   fingerprints: list[dict]) -> tuple[list[CaseResult], str]:
    """``verdicts`` with the named mistake each failed case reproduces (its explanation in front
    of the message), and the function's mistake: the first that accounts for every case (it
    fails where the student failed, the same way, and passes where the student passed), else
    the one reproducing the most failed cases."""
    seen = {i: _seen(run.cases.get(i)) for i, v in enumerate(verdicts) if not v.passed}
    allowed = {i for i, name in enumerate(arg_names) if name in function.may_modify}
    matched = {m.id: {i for i, s in seen.items()
                      if _reproduces(fingerprints[i].get(m.id), s, function, function.cases[i],
                                     inputs[i], allowed)}
               for m in function.mistakes}
    candidates = [m for m in function.mistakes if matched[m.id]]
    if not candidates:
        return verdicts, ""
    chosen = max(candidates, key=lambda m: (
        _accounts_for_all(m.id, verdicts, fingerprints, matched[m.id]), len(matched[m.id])))
    named = []
    for i, verdict in enumerate(verdicts):
        found = chosen if i in matched[chosen.id] else next(
            (m for m in candidates if i in matched[m.id]), None)
        named.append(verdict if found is None else _named(verdict, found))
    return named, chosen.id


def _seen(frame: dict | None) -> _Seen:
    from grader import codec

    if frame is None:
        return _Seen()
    if "error" in frame:
        return _Seen(error=str(frame["error"]))
    try:
        after = codec.from_plain(frame.get("args_after"))
        output = codec.from_plain(frame.get("output"))
    except codec.CodecError:
        return _Seen()
    return _Seen(output=output, after=after) if type(after) is tuple else _Seen()


def _reproduces(fingerprint: dict | None, seen: _Seen, function: "Function", case: "Case",
                inputs: tuple, allowed: set[int]) -> bool:
    """Whether the student's result on ``case`` is the one the mistake gives there: the same
    exception text, or the same output (within the case's tolerance) and changed inputs."""
    if fingerprint is None or "raises" in fingerprint:
        return False
    if "error" in fingerprint:
        return seen.error == fingerprint["error"]
    if seen.after is None or len(seen.after) != len(inputs):
        return False
    try:
        if differs(seen.output, fingerprint["output"], function.returns, case.rtol, case.atol):
            return False
        changed = changed_positions(inputs, seen.after)
    except Exception:  # an unforeseen value matches no mistake, never stops the grader
        return False
    return changed - allowed == set(fingerprint["changed"]) - allowed


def _accounts_for_all(mistake: str, verdicts: list[CaseResult], fingerprints: list[dict],
                      matched: set[int]) -> bool:
    """Whether the mistake explains every case: each failed case it reproduces, each passed
    case it leaves as the reference (a case where it only raised an uninformative error counts
    either way)."""
    for i, verdict in enumerate(verdicts):
        fingerprint = fingerprints[i].get(mistake)
        if fingerprint is not None and "raises" in fingerprint:
            continue
        if (fingerprint is not None) if verdict.passed else (i not in matched):
            return False
    return True


def _named(verdict: CaseResult, mistake: "Mistake") -> CaseResult:
    message = f"{_(mistake.explanation)}\n    {verdict.message}"
    return replace(verdict, message=safe_text(message), mistake=mistake.id)


def _no_result(run: "RunResult") -> str:
    if run.ending == "timeout":
        return _("stopped: took longer than the time limit (an endless loop?)")
    if run.ending == "overflow":
        return _("stopped: produced more output than the size limit")
    return _("the run ended early before returning a result")


def _error_message(frame: dict) -> str:
    kind = frame.get("kind")
    if kind == "MemoryError":
        return _("ran out of memory (the memory limit was reached)")
    if kind in ("SystemExit", "KeyboardInterrupt"):
        return _("tried to stop the grader ({error}); not allowed").format(
            error=frame.get("error"))
    text = described_error(str(frame.get("error")), str(kind))
    message = text if kind == "CodecError" else _(RAISED).format(error=text)  # a value
    if frame.get("traceback"):
        message += f"\n    {frame['traceback']}"
    return message
