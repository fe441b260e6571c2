"""Student-side checks used by each assignment's ``public_tests.py``.

They run in the student's own kernel and only know public (published) expected values;
the real grading happens in ``grade``, on hidden cases as well.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from grader.checks import compare_output, changed_inputs

GREEN, RED, RESET = "\033[92m", "\033[91m", "\033[0m"


@dataclass
class PublicCase:
    """A call with public inputs and its published expected output."""

    args: tuple
    expected: Any
    returns: tuple[str, ...] = ("result",)
    label: str = "course example"
    rtol: float = 1e-5
    atol: float = 1e-7


def failures_for(target: Callable, case: PublicCase) -> list[str]:
    """What is wrong with ``target`` on ``case`` (empty when it passes)."""
    args = copy.deepcopy(case.args)
    try:
        got = target(*args)
    except Exception as exc:  # the student's code: report, never crash the notebook
        return [f"raised {type(exc).__name__}: {exc}"]
    failures = compare_output(got, case.expected, case.returns, case.rtol, case.atol)
    names = [f"argument {index + 1}" for index in range(len(args))]
    return failures + [f"{name} was modified in place; work on a copy"
                       for name in changed_inputs(case.args, args, names)]


def run(target: Callable, cases: list[PublicCase]) -> None:
    """Print "All tests passed." or each failure, then raise AssertionError on failure."""
    problems = [f"{case.label}: {message}" for case in cases
                for message in failures_for(target, case)]
    if not problems:
        print(f"{GREEN}All tests passed.{RESET}")
        return
    for problem in problems:
        print(f"{RED}✗ {problem}{RESET}")
    raise AssertionError(f"{len(problems)} check(s) failed for {target.__name__}")
