"""Stage 5: present results — a terminal table and the Gradescope ``results.json`` schema.

Every text that comes from a submission (messages, printed output, names, paths) is untrusted:
writers pass results through ``capped`` (bounded sizes) and show text on a terminal through
``printable`` (no control characters) inside rich ``Text`` objects (never parsed as markup).
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from grader import i18n

if TYPE_CHECKING:  # rich is imported when a table is printed: a JSON report starts faster
    from rich.console import Console
from grader.i18n import N_, _
from grader.results import (ERROR, FAILED, MAX_LINE_CHARS, MAX_MESSAGE_CHARS, MAX_OUTPUT_CHARS,
                            MISSING, NOT_IMPLEMENTED, PARTIAL, PASSED, TIMEOUT, FunctionResult,
                            SubmissionResult)

STATUS_STYLE = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red",
                "timeout": "magenta", "missing": "red", "not implemented": "dim"}
# Translators: the status of a graded function
STATUS_TEXT = {PASSED: N_("passed"), PARTIAL: N_("partial"), FAILED: N_("failed"),
               ERROR: N_("error"), TIMEOUT: N_("timeout"), MISSING: N_("missing"),
               NOT_IMPLEMENTED: N_("not implemented")}


# the same bounds as results.safe_text, applied again where reports are written
MESSAGE_CHARS, OUTPUT_CHARS, LINE_CHARS = MAX_MESSAGE_CHARS, MAX_OUTPUT_CHARS, MAX_LINE_CHARS
MAX_WARNINGS = 20

# C0/C1 controls (but newline and tab), DEL, and the bidirectional overrides and isolates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\n\t\u2028\u2029]")


def clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters (plus a note of how much was cut), each line cut at
    LINE_CHARS."""
    if len(text) <= LINE_CHARS and len(text) <= limit:
        return text  # the usual case: nothing to cut
    head = text[:limit]
    lines = [line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + "…"
             for line in head.split("\n")]
    cut = f"\n… [{len(text) - limit} more characters cut]" if len(text) > limit else ""
    return "\n".join(lines) + cut


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (but newlines and tabs) shown as
    ``\\x1b``-style escapes."""
    return _CONTROL.sub(_visible, str(text))


def one_line(text: str, limit: int = LINE_CHARS) -> str:
    """``text`` for one terminal or log line: ``printable``, line breaks and tabs shown as
    escapes too, cut at ``limit`` characters."""
    shown = _LINE_BREAKS.sub(_visible, printable(text[:limit]))
    return shown + "…" if len(text) > limit else shown


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def capped(result: SubmissionResult) -> SubmissionResult:
    """``result`` with its student-derived texts bounded (see ``clip``): a copy when any text
    had to be cut, else ``result`` itself."""
    functions = [_capped_function(f) for f in result.functions]
    warnings = [clip(w) for w in result.warnings[:MAX_WARNINGS]]
    if len(result.warnings) > MAX_WARNINGS:
        with i18n.using(result.lang):
            warnings.append(_("... and {count} more warnings").format(
                count=len(result.warnings) - MAX_WARNINGS))
    path = clip(result.path, LINE_CHARS)
    if path == result.path and warnings == result.warnings and all(
            new is old for new, old in zip(functions, result.functions)):
        return result
    return replace(result, path=path, functions=functions, warnings=warnings)


def _capped_function(f: FunctionResult) -> FunctionResult:
    texts = (clip(f.message), clip(f.hint), clip(f.output, OUTPUT_CHARS))
    cases = [c if clip(c.message) == c.message else replace(c, message=clip(c.message))
             for c in f.cases]
    if texts == (f.message, f.hint, f.output) and all(a is b for a, b in zip(cases, f.cases)):
        return f
    return replace(f, message=texts[0], hint=texts[1], output=texts[2], cases=cases)


def status_text(status: str) -> str:
    """A function's status in the language in force."""
    return _(STATUS_TEXT[status]) if status in STATUS_TEXT else status


def graded_as(result: SubmissionResult) -> str:
    """``graded as release …`` with its title and note, in the language in force."""
    text = _("graded as release {release} ({title})").format(release=result.release,
                                                              title=_(result.release_title))
    return f"{text}; {result.release_note}" if result.release_note else text


def print_table(result: SubmissionResult, stream: TextIO | None = None) -> None:
    """A readable summary: one row per function with points, status and first failure, in the
    result's language."""
    with i18n.using(result.lang):
        _print_table(capped(result), _console_class()(file=stream, highlight=False,
                                                      soft_wrap=False))


@functools.cache
def _console_class() -> type:
    """rich's Console, except that a reader closing the pipe (``grade nb | head``) raises
    BrokenPipeError for the caller instead of ending the process with status 1."""
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError("the reader of the report closed it")

    return PipedConsole


def prepare_table() -> None:
    """Draw a sample report nowhere: rich's first table costs ~10 ms more than the next ones
    (``grade`` does this while its worker runs)."""
    import io

    from rich.console import Console

    sample = [FunctionResult(name, 1.0, 1.0, status, "first line\nsecond line")
              for name, status in (("f", PASSED), ("g", FAILED))]
    result = SubmissionResult("sample.ipynb", "A", "sample", sample, ["sample warning"],
                              ["rlimits"], "r", "release")
    _print_table(result, Console(file=io.StringIO(), highlight=False, soft_wrap=False))


def _print_table(result: SubmissionResult, console: "Console") -> None:
    from rich.table import Table
    from rich.text import Text

    console.print(Text(printable(f"{result.assignment} — {result.title}: {result.path}"),
                       style="bold"))
    if result.release:
        console.print(Text(printable(graded_as(result))))
    table = Table(expand=False)
    table.add_column(_("function"), no_wrap=True)
    table.add_column(_("points"), justify="right", no_wrap=True)
    table.add_column(_("status"), no_wrap=True)
    table.add_column(_("first failure"), overflow="fold")
    for f in result.functions:
        style = STATUS_STYLE.get(f.status, "")
        table.add_row(Text(printable(f.name)), f"{points(f.score)}/{points(f.max_score)}",
                      Text(printable(status_text(f.status)), style=style),
                      Text(printable(_first_lines(f.message, 4))))
    table.add_section()
    total = f"{points(result.score)}/{points(result.max_score)}"
    table.add_row(Text(_("total"), style="bold"), Text(total, style="bold"), "", "")
    console.print(table)
    for warning in result.warnings:
        console.print(Text.assemble((_("warning:"), "yellow"), " ", printable(warning)))
    layers = ", ".join(result.isolation) or _("unknown")
    console.print(Text(printable(_("isolation: {layers}").format(layers=layers)), style="dim"))


def gradescope(result: SubmissionResult) -> dict:
    """The submission in Gradescope's results.json format (its texts in the result's
    language)."""
    with i18n.using(result.lang):
        return _gradescope(capped(result))


def _gradescope(result: SubmissionResult) -> dict:
    tests = [{
        "name": f.name,
        "score": f.score,
        "max_score": f.max_score,
        "status": "passed" if f.status == PASSED else "failed",
        "output": _feedback(f),
        "visibility": "visible",
        "extra_data": {"mistake": f.mistake},  # the named mistake ("": none), for analytics
    } for f in result.functions]
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": "\n".join([f"{result.assignment}: {points(result.score)}/{points(result.max_score)}"]
                            + ([graded_as(result)] if result.release else [])
                            + [_("warning: {warning}").format(warning=w)
                               for w in result.warnings]),
        "tests": tests,
        "extra_data": {"assignment": result.assignment, "isolation": result.isolation,
                       "release": result.release, "release_note": result.release_note},
    }


def to_json(result: SubmissionResult) -> str:
    return readable_json(gradescope(result))


def readable_json(data: dict) -> str:
    """``data`` as JSON text with one top-level field per line, and one item per line in a
    field holding a list: readable, and encoded in C (an ``indent`` makes json encode in
    Python, ~5x slower on a results file)."""
    def field(key: str, value: object) -> str:
        if type(value) is list and value:
            items = ",\n".join(f"    {json.dumps(item)}" for item in value)
            return f"  {json.dumps(key)}: [\n{items}\n  ]"
        return f"  {json.dumps(key)}: {json.dumps(value)}"
    return "{\n" + ",\n".join(field(k, v) for k, v in data.items()) + "\n}"


def _feedback(f) -> str:
    lines = [_("{status}: {score}/{max_score} points").format(
        status=status_text(f.status), score=points(f.score), max_score=points(f.max_score))]
    lines += [_case_line(c) for c in f.cases]
    if not f.cases and f.message:
        lines.append(f.message)
    if f.status != PASSED and f.hint:
        lines.append(_("hint: {hint}").format(hint=f.hint))
    return "\n".join(lines)


def _case_line(case) -> str:
    if case.passed:
        return f"✓ {case.name}"
    return "✗ " + _("{case}: {message}").format(case=case.name, message=case.message)


def _first_lines(text: str, count: int) -> str:
    return "\n".join(text.splitlines()[:count])


def points(x: float | None) -> str:
    """A score for people: at most two decimals, no trailing zeros; "" when there is none."""
    return "" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")
