"""Batch exports in the output folder, each written atomically (write a temp file, rename).

    grades.csv                          one row per student, one column per graded function, total
    submissions/<name>/results.json     Gradescope results.json of one submission
    submissions/<name>/feedback.html    self-contained feedback page (no external CSS/JS)

Everything shown comes from student-controlled text (file names, metadata, messages quoting
their code), so the HTML escapes every value and the CSV neutralises spreadsheet formulas.
"""
from __future__ import annotations

import contextlib
import csv
import html
import itertools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

from grader import __version__, i18n, report
from grader.i18n import _
from grader.results import NOT_IMPLEMENTED, PASSED, SubmissionResult

CSV_NAME = "grades.csv"
SUBMISSIONS_DIR = "submissions"
JSON_NAME, HTML_NAME = "results.json", "feedback.html"
TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"


# ----------------------------------------------------------------------------- atomic files

def atomic_write(target: str | Path, text: str, durable: bool = False) -> None:
    """Replace ``target`` with ``text`` (UTF-8) so that readers see the old file or the new
    one, never a partial one. ``durable`` also fsyncs before the rename (survives power
    loss)."""
    with _replacing(target, durable) as fd:
        view = memoryview(text.encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]


@contextlib.contextmanager
def atomic_file(target: str | Path, durable: bool = False) -> Iterator[TextIO]:
    """``atomic_write`` for a file written piece by piece: a UTF-8 text stream, whose text
    replaces ``target`` when the block ends without an error (else it is dropped)."""
    with _replacing(target, durable) as fd:
        with open(fd, "w", encoding="utf-8", newline="", closefd=False) as stream:
            yield stream


@contextlib.contextmanager
def _replacing(target: str | Path, durable: bool) -> Iterator[int]:
    """A temp file beside ``target`` (its descriptor) that replaces it once written."""
    target = Path(target)
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX,
                                dir=target.parent)
    try:
        try:
            yield fd
            if durable:
                os.fsync(fd)
            os.fchmod(fd, 0o644)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def remove_stale_temps(folder: str | Path) -> int:
    """Delete temp files left by a run killed mid-write (in ``folder`` and its submissions)."""
    folder, removed = Path(folder), 0
    for parent in [folder, *_subdirs(folder / SUBMISSIONS_DIR)]:
        for entry in _entries(parent):
            if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
    return removed


def _subdirs(folder: Path) -> list[str]:
    return [e.path for e in _entries(folder) if e.is_dir(follow_symlinks=False)]


def _entries(folder: str | Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []


# ----------------------------------------------------------------------------- per submission

_EXPORT_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def submission_dir(out: Path, export_name: str) -> Path:
    """The export folder of one submission; ``export_name`` must be one plain path component
    (no separator, no leading dot so neither ``.`` nor ``..``, at most 100 characters), else
    ValueError."""
    if not safe_export_name(export_name):
        raise ValueError(f"unsafe export folder name {export_name!r}")
    return out / SUBMISSIONS_DIR / export_name


def safe_export_name(export_name: str) -> bool:
    """Whether ``export_name`` may name a submission's export folder (see submission_dir)."""
    return _EXPORT_NAME.fullmatch(export_name) is not None


def exports_present(out: Path, export_name: str) -> bool:
    folder = submission_dir(out, export_name)
    return (folder / JSON_NAME).is_file() and (folder / HTML_NAME).is_file()


def write_submission(out: Path, export_name: str, student: str, display: str,
                     result: SubmissionResult | None, message: str = "") -> Path:
    """Write results.json and feedback.html of one submission; its folder is returned."""
    folder = submission_dir(out, export_name)
    folder.mkdir(parents=True, exist_ok=True)
    message = report.clip(message)
    if result is not None:
        data = report.gradescope(result)
    else:
        data = {"score": 0.0, "max_score": 0.0, "output": f"not graded: {message}", "tests": [],
                "extra_data": {"error": message}}
    data.setdefault("extra_data", {}).update(student=student, submission=display,
                                             grader_version=__version__)
    atomic_write(folder / JSON_NAME, report.readable_json(data) + "\n")
    atomic_write(folder / HTML_NAME, feedback_html(student, display, result, message))
    return folder


# ----------------------------------------------------------------------------- HTML feedback

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}.meta{color:#555;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{text-align:left;padding:.35rem .6rem;
border-bottom:1px solid #ddd;vertical-align:top}td.pts{text-align:right;white-space:nowrap}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;font-size:.85rem;color:#fff}
.passed{background:#1a7f37}.partial{background:#9a6700}.failed,.error,.missing{background:#cf222e}
.timeout{background:#8250df}.not-implemented{background:#6e7781}.rejected{background:#cf222e}
section{border:1px solid #ddd;border-radius:.5rem;padding:.4rem 1rem;margin:1rem 0}
section h2{font-size:1.1rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
pre{background:#f6f8fa;padding:.5rem .7rem;border-radius:.3rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-word;margin:.3rem 0}ul.cases{list-style:none;padding-left:0}
ul.cases li{margin:.4rem 0}.ok{color:#1a7f37}.ko{color:#cf222e}.hint{background:#fff8c5;
padding:.4rem .7rem;border-radius:.3rem}.warn{color:#9a6700}footer{color:#777;font-size:.85rem;margin-top:2rem}
"""


def feedback_html(student: str, display: str, result: SubmissionResult | None,
                  message: str = "") -> str:
    """A self-contained, escaped HTML feedback page for one submission (texts capped), in the
    result's language (for a submission not graded: the language in force); the submission is
    shown by its file name only, never by the folders it was found in."""
    with i18n.using(result.lang if result is not None else i18n.current()) as lang:
        return _feedback_page(student, display, result, message, lang)


def _feedback_page(student: str, display: str, result: SubmissionResult | None, message: str,
                   lang: str) -> str:
    e = html.escape
    name = PurePath(display).name or display
    message = report.clip(message.replace(display, name) if display else message)
    student, display = (report.clip(text, report.LINE_CHARS) for text in (student, name))
    result = report.capped(result) if result is not None else None
    title = _("Feedback: {student}").format(student=student)
    parts = ["<!DOCTYPE html>",
             f'<html lang="{i18n.html_lang(lang)}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"]
    if result is None:
        rejected = e(_("not graded"))
        parts += [f"<h1>{e(student)}</h1>", f'<p class="meta">{e(display)}</p>',
                  f'<p><span class="badge rejected">{rejected}</span></p>',
                  f"<pre>{e(message)}</pre>"]
    else:
        total = _out_of(result.score, result.max_score)
        parts += [f"<h1>{e(result.assignment)}: {total}</h1>",
                  f'<p class="meta">{e(result.title)} · {e(student)} · {e(display)}</p>']
        if result.release:
            parts.append(f'<p class="meta">{e(report.graded_as(result))}</p>')
        warning = _("warning: {warning}")
        parts += [f'<p class="warn">{e(warning.format(warning=w))}</p>' for w in result.warnings]
        labels = (_("function"), _("points"), _("status"))
        header = "".join(f"<th>{e(text)}</th>" for text in labels)
        parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>")
        for f in result.functions:
            parts.append(f'<tr><td><a href="#fn-{e(f.name)}">{e(f.name)}</a></td>'
                         f'<td class="pts">{_out_of(f.score, f.max_score)}</td>'
                         f"<td>{_badge(f.status)}</td></tr>")
        label = e(_("total"))
        parts.append(f'<tr><th>{label}</th><th class="pts">{total}</th><th></th></tr>'
                     "</tbody></table>")
        for f in result.functions:
            parts.append(_function_section(f))
    parts.append(f"<footer>dnn-grader {e(__version__)}</footer></body></html>\n")
    return "\n".join(parts)


def _function_section(f) -> str:
    e = html.escape
    earned = _("{points} points").format(points=_out_of(f.score, f.max_score))
    out = [f'<section id="fn-{e(f.name)}"><h2>{e(f.name)} {_badge(f.status)} '
           f"<span>{e(earned)}</span></h2>"]
    if f.cases:
        out.append('<ul class="cases">')
        for c in f.cases:
            mark = '<span class="ok">✓</span>' if c.passed else '<span class="ko">✗</span>'
            detail = "" if c.passed or not c.message else f"<pre>{e(c.message)}</pre>"
            out.append(f"<li>{mark} {e(c.name)}{detail}</li>")
        out.append("</ul>")
    if f.status != PASSED and f.message and (not f.cases or f.status == NOT_IMPLEMENTED):
        out.append(f"<pre>{e(f.message)}</pre>")
    if f.status != PASSED and f.hint:
        label = e(_("hint:"))
        out.append(f'<p class="hint"><strong>{label}</strong> {e(f.hint)}</p>')
    if f.output:
        summary = e(_("printed output"))
        out.append(f"<details><summary>{summary}</summary><pre>{e(f.output)}</pre></details>")
    out.append("</section>")
    return "\n".join(out)


def _out_of(score: float, max_score: float) -> str:
    return f"{report.points(score)} / {report.points(max_score)}"


def _badge(status: str) -> str:
    """A status badge: styled by the status, labelled in the language in force."""
    return (f'<span class="badge {html.escape(status.replace(" ", "-"))}">'
            f"{html.escape(report.status_text(status))}</span>")


# ----------------------------------------------------------------------------- grades.csv

@dataclass(slots=True)
class Row:
    """One submission as the gradebook CSV needs it (slotted: a batch holds one per
    submission while it writes its exports)."""

    path: str
    display: str
    student: str
    assignment: str | None
    status: str
    message: str
    score: float | None
    max_score: float | None
    mtime: float | None
    functions: tuple[tuple[str, float, float], ...] = ()  # name, score, max
    meta_student: str | None = None  # metadata.dnn_grader.student of the file, if any
    release: str = ""        # course release it was graded as ('' when not graded)
    release_note: str = ""   # why that release may be doubtful (ambiguous detection...)

    @property
    def claimed(self) -> str | None:
        """The student named by the notebook metadata when it is not the one graded."""
        meta = self.meta_student
        return meta if meta and meta.casefold() != self.student.casefold() else None


@dataclass
class Duplicate:
    """Several files mapping to one student (for one assignment); ``kept`` is graded."""

    student: str
    assignment: str | None
    kept: str
    others: list[str]


Submission = TypeVar("Submission")  # a Row or a gradebook Record: what choose reads of them


def choose(rows: Iterable[Submission]) -> Iterator[tuple[Submission, list[Submission]]]:
    """The submission counted for each (student, assignment), and the others handed in for it:
    graded beats rejected, then the newest file. ``rows`` must come grouped by student and
    assignment (a Gradebook order other than "path"); memory holds one group at a time."""
    for _key, group in itertools.groupby(rows, key=lambda r: (r.student, r.assignment)):
        ranked = sorted(group, key=lambda r: (r.status == "graded", r.mtime or 0.0, r.path),
                        reverse=True)
        yield ranked[0], ranked[1:]


def grades_csv(rows: Callable[[], Iterable[Row]], stream: TextIO) -> list[Duplicate]:
    """Write the class gradebook as CSV (one line per student, students in code point order)
    to ``stream``; return the duplicate students. ``rows()`` gives every submission in
    Gradebook order "student" and is read twice (the columns first, then the lines), so that
    memory holds one student at a time however large the class."""
    columns: dict[str, list[str]] = {}  # assignment -> function names, in notebook order
    duplicates = []
    for row, others in choose(rows()):
        if row.assignment and row.functions:
            names = columns.setdefault(row.assignment, [])
            names += [n for n, _, _ in row.functions if n not in names]
        if others:
            duplicates.append(Duplicate(row.student, row.assignment, row.display,
                                        [r.display for r in others]))
    columns = dict(sorted(columns.items()))
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(_header(columns))
    dup_note = {(d.student, d.assignment): d for d in duplicates}
    for student, counted in itertools.groupby((row for row, _ in choose(rows())),
                                              key=lambda r: r.student):
        writer.writerow(_line(student, list(counted), columns, dup_note))
    return duplicates


def _header(columns: dict[str, list[str]]) -> list[str]:
    several = len(columns) > 1
    header = ["student"]
    for assignment, names in columns.items():
        header += [f"{assignment}:{n}" if several else n for n in names]
        if several:
            header += [f"{assignment}:total", f"{assignment}:release"]
    if not several:
        header.append("release")
    return header + ["total", "max_score", "status", "submission", "note"]


def _line(student: str, rows_of: list[Row], columns: dict[str, list[str]],
          dup_note: dict[tuple[str, str | None], Duplicate]) -> list[str]:
    """The CSV line of one student, from the submission counted for each of their assignments."""
    several = len(columns) > 1
    by_assignment = {r.assignment: r for r in rows_of}
    line = [_cell(student)]
    for assignment, names in columns.items():
        row = by_assignment.get(assignment)
        scores = {n: s for n, s, _ in row.functions} if row else {}
        line += [report.points(scores.get(n)) for n in names]
        if several:
            line.append(report.points(row.score) if row and row.status == "graded" else "")
            line.append(_cell(row.release) if row and row.status == "graded" else "")
    if not several:
        line.append(_cell(", ".join(dict.fromkeys(
            r.release for r in rows_of if r.status == "graded" and r.release))))
    graded = [r for r in rows_of if r.status == "graded"]
    line.append(report.points(sum(r.score or 0 for r in graded)))
    line.append(report.points(sum(r.max_score or 0 for r in graded)))
    line.append("graded" if len(graded) == len(rows_of) else
                "partly graded" if graded else "not graded")
    line.append(_cell("; ".join(r.display for r in rows_of)))
    notes = [f"not graded: {r.display}: {r.message.splitlines()[0] if r.message else ''}"
             for r in rows_of if r.status != "graded"]
    notes += [f"{r.display}: release {r.release}: {r.release_note}"
              for r in rows_of if r.status == "graded" and r.release_note]
    notes += [f"duplicate: also {', '.join(dup_note[(student, r.assignment)].others)}"
              for r in rows_of if (student, r.assignment) in dup_note]
    notes += [f"{r.display}: notebook metadata says student '{r.claimed}'"
              for r in rows_of if r.claimed]
    line.append(_cell(" | ".join(notes)))
    return line


# a formula start where a spreadsheet may see a new cell: the start, or after a ; or , that
# some spreadsheets split on (tabs and line breaks are spaces by then)
_FORMULA = re.compile(r"(^|[;,])(\s*)(?=[=+\-@])")


def _cell(text: str) -> str:
    """Student-controlled text made inert for spreadsheets (CSV injection: a quote before every
    formula start, also after ``;``/``,`` for spreadsheets splitting on them) and terminals
    (control characters made visible), on one line."""
    text = report.printable(" ".join(str(text).split()))
    return _FORMULA.sub(r"\1\2'", text)
