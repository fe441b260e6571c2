"""Student-side checks used by each assignment's ``public_tests.py``.

They run in the student's own kernel and only know public (published) expected values;
the real grading happens in ``grade``, on hidden cases as well. They speak the notebook's
language: ``DNN_GRADER_LANG`` (e.g. ``%env DNN_GRADER_LANG=ko`` in a cell), else the locale,
else English.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from grader import i18n
from grader.checks import RAISED, changed_inputs, compare_output, described_error

GREEN, RED, RESET = "\033[92m", "\033[91m", "\033[0m"


def _(message: str) -> str:
    """``message`` in the notebook's language (read at every call: a changed setting counts)."""
    return i18n.translate(message, i18n.from_environment())


@dataclass
class PublicCase:
    """A call with public inputs and its published expected output (``label``: how the check
    names it, already in the notebook's language; default: the course example)."""

    args: tuple
    expected: Any
    returns: tuple[str, ...] = ("result",)
    label: str = ""
    rtol: float = 1e-5
    atol: float = 1e-7


def failures_for(target: Callable, case: PublicCase) -> list[str]:
    """What is wrong with ``target`` on ``case`` (empty when it passes), in the language in
    force."""
    args = copy.deepcopy(case.args)
    try:
        got = target(*args)
    except Exception as exc:  # the student's code: report, never crash the notebook
        return [i18n._(RAISED).format(error=described_error(f"{type(exc).__name__}: {exc}"))]
    failures = compare_output(got, case.expected, case.returns, case.rtol, case.atol)
    names = [i18n._("argument {number}").format(number=index + 1) for index in range(len(args))]
    return failures + [i18n._("{name} was modified in place; work on a copy").format(name=name)
                       for name in changed_inputs(case.args, args, names)]


def run(target: Callable, cases: list[PublicCase]) -> None:
    """Print "All tests passed." or each failure, then raise AssertionError on failure."""
    with i18n.using(i18n.from_environment()):
        example = i18n._("course example")
        problems = [i18n._("{case}: {message}").format(case=case.label or example,
                                                       message=message)
                    for case in cases for message in failures_for(target, case)]
        if not problems:
            print(GREEN + i18n._("All tests passed.") + RESET)
            return
        for problem in problems:
            print(f"{RED}✗ {problem}{RESET}")
        raise AssertionError(i18n._("{count} check(s) failed for {name}").format(
            count=len(problems), name=target.__name__))
