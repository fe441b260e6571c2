"""Stage 5: present results — a terminal table and the Gradescope ``results.json`` schema."""
from __future__ import annotations

import json
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.results import PASSED, SubmissionResult

STATUS_STYLE = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red",
                "timeout": "magenta", "missing": "red", "not implemented": "dim"}


def print_table(result: SubmissionResult, stream: TextIO | None = None) -> None:
    """A readable summary: one row per function with points, status and first failure."""
    console = Console(file=stream, highlight=False, soft_wrap=False)
    console.print(escape(f"{result.assignment} — {result.title}: {result.path}"), style="bold")
    table = Table(expand=False)
    table.add_column("function", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("first failure", overflow="fold")
    for f in result.functions:
        style = STATUS_STYLE.get(f.status, "")
        table.add_row(f.name, f"{points(f.score)}/{points(f.max_score)}",
                      f"[{style}]{f.status}[/{style}]", escape(_first_lines(f.message, 4)))
    table.add_section()
    table.add_row("[bold]total[/bold]", f"[bold]{points(result.score)}/{points(result.max_score)}[/bold]",
                  "", "")
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(f"isolation: {', '.join(result.isolation) or 'unknown'}", style="dim")


def gradescope(result: SubmissionResult) -> dict:
    """The submission in Gradescope's results.json format."""
    tests = [{
        "name": f.name,
        "score": f.score,
        "max_score": f.max_score,
        "status": "passed" if f.status == PASSED else "failed",
        "output": _feedback(f),
        "visibility": "visible",
    } for f in result.functions]
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": "\n".join([f"{result.assignment}: {points(result.score)}/{points(result.max_score)}"]
                            + [f"warning: {w}" for w in result.warnings]),
        "tests": tests,
        "extra_data": {"assignment": result.assignment, "isolation": result.isolation},
    }


def to_json(result: SubmissionResult) -> str:
    return json.dumps(gradescope(result), indent=2)


def _feedback(f) -> str:
    lines = [f"{f.status}: {points(f.score)}/{points(f.max_score)} points"]
    lines += [f"{'✓' if c.passed else '✗'} {c.name}" + ("" if c.passed else f": {c.message}")
              for c in f.cases]
    if not f.cases and f.message:
        lines.append(f.message)
    if f.status != PASSED and f.hint:
        lines.append(f"hint: {f.hint}")
    return "\n".join(lines)


def _first_lines(text: str, count: int) -> str:
    return "\n".join(text.splitlines()[:count])


def points(x: float | None) -> str:
    """A score for people: at most two decimals, no trailing zeros; "" when there is none."""
    return "" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")
