"""The class dashboard of a batch: ``<out>/index.html``, rewritten at the end of every run.

For each assignment: a histogram of the scores, the pass rate and the grading time of every
function, and the named mistakes recognised most often in each function; then every student,
linked to the feedback page batch mode wrote for them. Each chart is an SVG written by this
module, inline beside a table of the same numbers: the page needs no other file, no script and
no network. All its texts, those of the charts included (the browser draws them with its own
fonts), are in the language in force (``grade --lang``, else the locale).

The dashboard counts exactly the submissions grades.csv counts (``exports.choose``). Student
names, file names and messages come from submissions, so every one of them is escaped; the only
links are to the feedback pages, built from the export folder names batch mode chose.
"""
from __future__ import annotations

import html
import json
import math
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote

from grader import __version__, exports, i18n, report
from grader.gradebook import GRADED, Gradebook, Record, now
from grader.i18n import _
from grader.results import PASSED

INDEX_NAME = "index.html"
BINS = 10          # score histogram: bins of a tenth of the maximum score each
TOP_MISTAKES = 5   # named mistakes listed per function
WIDTH = 640        # chart width in SVG units (CSS pixels at full size)
FONT = 11          # chart text sizes: labels,
TITLE_FONT = 12    # titles,
SMALL = 10         # tick and bin labels
ROW = 20           # height of a row of horizontal bars
ROWS_TOP = 36      # where the rows start, under the panel titles
GAP = 24           # between the two panels of the function chart
LABELS = 320       # the widest a row label may be, longer ones are cut
COLOR = "#0969da"  # bars
GRID = "#ddd"
AXIS = "#888"
EXTRA_STYLE = """
figure{margin:1rem 0}figure svg{display:block;max-width:40rem;height:auto}
figcaption{color:#555;font-size:.9rem}
nav a{margin-right:1rem}td.num,th.num{text-align:right}.none{color:#777}
table.scores th{white-space:nowrap;font-size:.8rem}
"""
# the page may use its own style, nothing else: no image, nothing fetched from anywhere
POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True, slots=True)
class FunctionStat:
    """One graded function of one submission."""

    name: str
    status: str
    seconds: float
    mistakes: tuple[str, ...] = ()  # ids of the named mistakes recognised in it, no repeats


@dataclass(frozen=True, slots=True)
class Entry:
    """One submission counted by grades.csv, as the dashboard shows it."""

    student: str
    display: str
    assignment: str | None
    title: str
    status: str
    message: str
    score: float | None
    max_score: float | None
    link: str | None  # its feedback page, relative to the output folder
    functions: tuple[FunctionStat, ...] = ()


@dataclass
class Tally:
    """One function over all the graded submissions of an assignment."""

    graded: int = 0
    passed: int = 0
    seconds: float = 0.0  # in all
    slowest: float = 0.0
    mistakes: Counter = field(default_factory=Counter)  # id -> submissions showing it

    def add(self, f: FunctionStat) -> None:
        self.graded += 1
        self.passed += f.status == PASSED
        self.seconds += f.seconds
        self.slowest = max(self.slowest, f.seconds)
        self.mistakes.update(f.mistakes)

    @property
    def mean(self) -> float:
        """Mean grading time in seconds."""
        return self.seconds / self.graded if self.graded else 0.0


@dataclass
class Section:
    """One assignment's graded submissions, summed up one at a time."""

    title: str = ""
    count: int = 0
    scored: int = 0
    scores: float = 0.0  # in all
    most: float = 0.0    # the largest maximum score
    counts: list[int] = field(default_factory=lambda: [0] * BINS)  # the score histogram
    found: dict[str, Tally] = field(default_factory=dict)  # by function, in notebook order

    def add(self, e: Entry) -> None:
        self.title = self.title or e.title
        self.count += 1
        if e.score is not None:
            self.scored += 1
            self.scores += e.score
            if e.max_score:  # the last bin includes full marks
                share = round(e.score / e.max_score, 6)
                self.counts[min(max(int(share * BINS), 0), BINS - 1)] += 1
        self.most = max(self.most, e.max_score or 0)
        _tally(self.found, e)


@dataclass
class Overview:
    """The counts of the whole page, from entries sorted by ``order`` (one student's entries
    next to each other)."""

    students: int = 0
    graded: int = 0
    rejected: int = 0
    duplicates: int = 0  # (student, assignment) pairs with several files
    sections: dict[str, Section] = field(default_factory=dict)
    last: str | None = None  # the student of the last entry added

    def add(self, e: Entry) -> None:
        self.students += e.student != self.last
        self.last = e.student
        if e.status != GRADED:
            self.rejected += 1
            return
        self.graded += 1
        if e.assignment:
            self.sections.setdefault(e.assignment, Section()).add(e)


# ----------------------------------------------------------------------------- reading

def write(out: Path, book: Gradebook) -> None:
    """Rewrite ``out/index.html`` (atomically) for the submissions grades.csv counts: the
    gradebook is read twice, for the numbers then for the list of students, one submission
    at a time (memory does not grow with the class)."""
    overview = Overview()
    for counted, others in exports.choose(book.records("name")):
        overview.add(entry(counted))
        overview.duplicates += bool(others)
    listed = (entry(counted, detailed=False) for counted, _ in
              exports.choose(book.records("name")))
    with exports.atomic_file(out / INDEX_NAME) as stream:
        stream.writelines(_page(overview, listed, now()))


def order(e: Entry) -> tuple:
    """The order of the students table (and of Gradebook order "name"): by name as people read
    it, then by assignment, a missing one first."""
    return e.student.casefold(), e.student, e.assignment is not None, e.assignment or ""


def entry(record: Record, detailed: bool = True) -> Entry:
    """The dashboard's view of one recorded submission; ``detailed``: with its title and
    functions, from its stored report read as plain data (a field missing or of the wrong
    type counts as absent)."""
    data = _loads(record.report) if detailed else {}
    return Entry(record.student, record.display, record.assignment, _name(data.get("title")),
                 record.status, record.message, record.score, record.max_score,
                 feedback_link(record.export_name),
                 tuple(_function(f) for f in _dicts(data.get("functions"))))


def feedback_link(export_name: str) -> str | None:
    """The relative URL of a submission's feedback page; None for an unsafe folder name."""
    if not exports.safe_export_name(export_name):
        return None
    return quote(f"{exports.SUBMISSIONS_DIR}/{export_name}/{exports.HTML_NAME}")


def _function(data: dict) -> FunctionStat:
    ids = [data.get("mistake"), *(case.get("mistake") for case in _dicts(data.get("cases")))]
    named = tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and i))
    return FunctionStat(_name(data.get("name")), _name(data.get("status")),
                        _number(data.get("seconds")), tuple(map(_name, named)))


def _loads(text: str | None) -> dict:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _name(value: object) -> str:
    """``_text`` for a text repeated in every submission (a function name, a status), kept
    once in memory however large the class."""
    return sys.intern(value) if isinstance(value, str) else ""


def _number(value: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else 0.0


# ----------------------------------------------------------------------------- numbers

def tallies(entries: Iterable[Entry]) -> dict[str, Tally]:
    """Every function of ``entries``, in notebook order, with its counts and times."""
    found: dict[str, Tally] = {}
    for e in entries:
        _tally(found, e)
    return found


def _tally(found: dict[str, Tally], e: Entry) -> None:
    for f in e.functions:
        found.setdefault(f.name, Tally()).add(f)


def _bin_label(index: int) -> str:
    return f"{index * 100 // BINS}–{(index + 1) * 100 // BINS}%"


def _milliseconds(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


# ----------------------------------------------------------------------------- charts
# Each chart is an SVG written here as text, inline in the page: the browser draws its texts
# with its own fonts (in any language) and the same numbers give the same bytes. The function
# names are written once for both the pass rates and the times (two panels sharing them), and
# the exact numbers are left to the tables beside the charts (and the bars' tooltips).

def _n(value: float) -> str:
    """A coordinate as short text."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _em(char: str) -> float:
    """The estimated width of ``char`` in em: 1 for a wide (CJK) character, else 0.6."""
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.6


def text_width(text: str, size: float = FONT) -> float:
    """The estimated width of ``text`` drawn at ``size``."""
    return size * sum(map(_em, text))


def _fit(text: str, room: float, size: float = FONT) -> str:
    """``text``, cut with "…" when estimated wider than ``room``."""
    if text_width(text, size) <= room:
        return text
    room -= text_width("…", size)
    kept = 0
    while kept < len(text) and room >= size * _em(text[kept]):
        room -= size * _em(text[kept])
        kept += 1
    return text[:kept] + "…"


def _label(x: float, y: float, text: str, room: float = WIDTH, size: float = FONT,
           anchor: str = "middle", centred: bool = False) -> str:
    """An escaped text at (``x``, ``y``), cut to ``room`` (then the full text is its tooltip),
    vertically centred on ``y`` or standing on it."""
    shown = _fit(text, room, size)
    tip = f"<title>{html.escape(text)}</title>" if shown != text else ""
    attrs = (f' font-size="{size}"' if size != FONT else "") + (' dy=".35em"' if centred else "")
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{attrs}>{tip}'
            f"{html.escape(shown)}</text>")


def _bar(x: float, y: float, width: float, height: float, tip: str) -> str:
    """A bar, its value as its tooltip."""
    return (f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
            f'height="{_n(height)}" fill="{COLOR}"><title>{html.escape(tip)}</title></rect>')


def _lines(path: str, color: str) -> str:
    return f'<path d="{path}" stroke="{color}" fill="none"/>'


def _svg(alt: str, height: float, parts: list[str]) -> str:
    """A chart of WIDTH x ``height`` units, scaled to the page, ``alt`` its accessible name."""
    alt = html.escape(alt)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{alt}" '
            f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" font-size="{FONT}">'
            f"<title>{alt}</title>{''.join(parts)}</svg>")


def ticks(top: float, integer: bool = False) -> list[float]:
    """0 and about four round steps up to at least ``top`` (whole steps if ``integer``)."""
    if top <= 0:
        return [0, 1]
    raw = max(top / 4, 1) if integer else top / 4
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(s for s in (power * m for m in (1, 2, 2.5, 5, 10))
                if s >= raw and not (integer and s % 1))
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _panel(x: float, width: float, values: list[float], tips: list[str], steps: list[float],
           title: str) -> list[str]:
    """Horizontal bars from ``x``, one per row from ROWS_TOP on, under ``title``, the value
    axis (ticks ``steps``) below them."""
    bottom, scale = ROWS_TOP + ROW * len(values), width / steps[-1]
    places = [x + scale * step for step in steps]
    return [_label(x + width / 2, ROWS_TOP - 10, title, width, TITLE_FONT),
            _lines("".join(f"M{_n(p)} {ROWS_TOP}V{bottom}" for p in places), GRID),
            *(_label(p, bottom + 14, f"{step:g}", size=SMALL) for p, step in zip(places, steps)),
            *(_bar(x, ROWS_TOP + ROW * i + 3, scale * v, ROW - 6, tip)
              for i, (v, tip) in enumerate(zip(values, tips))),
            _lines(f"M{_n(x)} {ROWS_TOP}V{bottom}", AXIS)]


def _rows(labels: list[str]) -> tuple[float, list[str]]:
    """The left margin fitting ``labels`` (LABELS at most) and the labels, right-aligned
    beside their rows."""
    left = min(max(map(text_width, labels), default=0), LABELS) + 10
    return left, [_label(left - 6, ROWS_TOP + ROW * (i + 0.5), label, LABELS, anchor="end",
                         centred=True) for i, label in enumerate(labels)]


def _rows_height(count: int) -> float:
    return ROWS_TOP + ROW * count + 22


def score_chart(counts: list[int], assignment: str, alt: str) -> str:
    """The score histogram: a bar per bin (labelled under it), students on the value axis."""
    left, top, bottom = 40, 30, 160
    steps = ticks(max(counts, default=0), integer=True)
    slot, scale = (WIDTH - left - 10) / BINS, (bottom - top) / steps[-1]
    places = [bottom - scale * step for step in steps]
    title = _("{assignment}: students per score").format(assignment=assignment)
    parts = [_label(WIDTH / 2, 16, title, size=TITLE_FONT),
             _lines("".join(f"M{left} {_n(p)}H{WIDTH - 10}" for p in places), GRID),
             *(_label(left - 5, p, f"{step:g}", size=SMALL, anchor="end", centred=True)
               for p, step in zip(places, steps))]
    for i, count in enumerate(counts):
        x = left + slot * i
        parts += [_bar(x + slot * 0.1, bottom - scale * count, slot * 0.8, scale * count,
                       f"{_bin_label(i)}: {count}"),
                  _label(x + slot / 2, bottom + 14, _bin_label(i), slot, SMALL)]
    parts.append(_lines(f"M{left} {top}V{bottom}H{WIDTH - 10}", AXIS))
    return _svg(alt, bottom + 24, parts)


def function_chart(found: dict[str, Tally], assignment: str, alt: str) -> str:
    """Pass rate and mean grading time of every function, two panels side by side."""
    names = list(found)
    left, parts = _rows(names)
    width = (WIDTH - left - 12 - GAP) / 2
    rates = [100 * t.passed / t.graded for t in found.values()]
    times = [1000 * t.mean for t in found.values()]
    parts += _panel(left, width, rates, [f"{n}: {r:.0f}%" for n, r in zip(names, rates)],
                    [0, 25, 50, 75, 100],
                    _("{assignment}: passed (%)").format(assignment=assignment))
    parts += _panel(left + width + GAP, width, times,
                    [f"{n}: {ms:.1f}" for n, ms in zip(names, times)], ticks(max(times, default=0)),
                    _("mean grading time (ms)"))
    return _svg(alt, _rows_height(len(names)), parts)


def mistake_chart(top: list[tuple[str, int]], assignment: str, alt: str) -> str:
    """The named mistakes listed (``function: id``, count), submissions on the value axis."""
    labels = [label for label, count in top]
    counts = [count for label, count in top]
    left, parts = _rows(labels)
    title = _("{assignment}: submissions per named mistake").format(assignment=assignment)
    parts += _panel(left, WIDTH - left - 12, counts,
                    [f"{label}: {count}" for label, count in top],
                    ticks(max(counts, default=0), integer=True), title)
    return _svg(alt, _rows_height(len(labels)), parts)


def _charts(assignment: str, counts: list[int], found: dict[str, Tally]) -> list[tuple[str, str]]:
    """(alt text, SVG) of every chart of one assignment."""
    top = [(f"{name}: {mistake}", count) for name, t in found.items()
           for mistake, count in t.mistakes.most_common(TOP_MISTAKES)]
    alts = [alt.format(assignment=assignment) for alt in (
        _("{assignment}: histogram of scores"),
        _("{assignment}: pass rate and mean grading time per function"),
        _("{assignment}: most frequent named mistakes per function"))]
    charts = [(alts[0], score_chart(counts, assignment, alts[0])),
              (alts[1], function_chart(found, assignment, alts[1]))]
    if top:
        charts.append((alts[2], mistake_chart(top, assignment, alts[2])))
    return charts


# ----------------------------------------------------------------------------- HTML

def render(entries: list[Entry], duplicates: int = 0, generated: str = "") -> str:
    """The dashboard page of ``entries`` (one per student and assignment): escaped,
    self-contained HTML."""
    entries = sorted(entries, key=order)
    overview = Overview(duplicates=duplicates)
    for e in entries:
        overview.add(e)
    return "".join(_page(overview, entries, generated))


def _page(overview: Overview, listed: Iterable[Entry], generated: str) -> Iterator[str]:
    """The page in pieces: the numbers of ``overview``, then every entry of ``listed`` (in
    ``order``) in the students table."""
    title = html.escape(_("Class dashboard"))
    assignments = sorted(overview.sections)
    yield "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{i18n.html_lang(i18n.current())}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{exports.STYLE}{EXTRA_STYLE}</style></head><body>",
        f"<h1>{title}</h1>", _overview(overview, generated), _nav(assignments),
        *(_assignment(name, overview.sections[name]) for name in assignments), ""])
    yield from _students(listed)
    yield f"\n<footer>dnn-grader {html.escape(__version__)}</footer></body></html>\n"


def _shown(text: str) -> str:
    """Untrusted text as one escaped line."""
    return html.escape(report.one_line(text))


def _overview(overview: Overview, generated: str) -> str:
    counts = _("{students} student(s), {graded} graded submission(s), {rejected} not graded"
               ).format(students=overview.students, graded=overview.graded,
                        rejected=overview.rejected)
    if generated:
        counts += " · " + _("generated {time}").format(time=generated)
    lines = [f'<p class="meta" id="overview">{html.escape(counts)}</p>']
    if overview.duplicates:
        warning = _("{count} student(s) handed in several files for one assignment; as in "
                    "grades.csv, only the newest graded file counts.").format(
                        count=overview.duplicates)
        lines.append(f'<p class="warn">{html.escape(warning)}</p>')
    return "\n".join(lines)


def _nav(assignments: list[str]) -> str:
    links = [f'<a href="#a-{html.escape(a)}">{html.escape(a)}</a>' for a in assignments]
    students = html.escape(_("students"))
    return f"<nav>{''.join(links)}<a href=\"#students\">{students}</a></nav>"


def _assignment(assignment: str, section: Section) -> str:
    """One assignment's section: charts and the tables they draw."""
    e = html.escape
    counts, found, title = section.counts, section.found, section.title
    mean = report.points(section.scores / section.scored) if section.scored else ""
    summary = _("{count} graded submission(s), mean score {mean} / {most}").format(
        count=section.count, mean=mean, most=report.points(section.most))
    parts = [f'<section id="a-{e(assignment)}" data-assignment="{e(assignment)}">',
             f"<h2>{e(assignment)}{f' · {e(title)}' if title else ''}</h2>",
             f"<p>{e(summary)}</p>"]
    parts += [f"<figure>{svg}<figcaption>{e(alt)}</figcaption></figure>"
              for alt, svg in _charts(assignment, counts, found)]
    parts += [_score_table(counts), _function_table(found), _mistake_table(found), "</section>"]
    return "\n".join(parts)


def _table(kind: str, header: list[str], rows: list[list[str]], numeric: int) -> str:
    """A table of already escaped cells; the last ``numeric`` columns are right-aligned."""
    body = "".join(_table_row(r, "td", numeric) for r in rows)
    return f"{_table_head(kind, header, numeric)}{body}</tbody></table>"


def _table_head(kind: str, header: list[str], numeric: int) -> str:
    return f'<table class="{kind}"><thead>{_table_row(header, "th", numeric)}</thead><tbody>'


def _table_row(cells: list[str], tag: str, numeric: int) -> str:
    first = len(cells) - numeric
    return "<tr>" + "".join(f'<{tag} class="num">{c}</{tag}>' if i >= first else
                            f"<{tag}>{c}</{tag}>" for i, c in enumerate(cells)) + "</tr>"


def _score_table(counts: list[int]) -> str:
    header = [html.escape(_("score")), *(_bin_label(i) for i in range(BINS))]
    rows = [[html.escape(_("students")), *map(str, counts)]]
    return _heading(_("Scores")) + _table("scores", header, rows, BINS)


def _function_table(found: dict[str, Tally]) -> str:
    rows = [[html.escape(name), str(t.passed), str(t.graded), f"{100 * t.passed / t.graded:.0f}%",
             _milliseconds(t.mean), _milliseconds(t.slowest)]
            for name, t in found.items()]
    header = _escaped(_("function"), _("passed"), _("graded"), _("pass rate"), _("mean ms"),
                      _("max ms"))
    return _heading(_("Functions")) + _table("functions", header, rows, 5)


def _mistake_table(found: dict[str, Tally]) -> str:
    rows = [[html.escape(name), html.escape(mistake), str(count)]
            for name, t in found.items() for mistake, count in t.mistakes.most_common(TOP_MISTAKES)]
    heading = _heading(_("Named mistakes"))
    if not rows:
        none = html.escape(_("No named mistake recognised."))
        return f'{heading}<p class="none">{none}</p>'
    header = _escaped(_("function"), _("mistake"), _("submissions"))
    return heading + _table("mistakes", header, rows, 1)


def _heading(text: str) -> str:
    return f"<h3>{html.escape(text)}</h3>"


def _escaped(*texts: str) -> list[str]:
    return [html.escape(text) for text in texts]


def _students(listed: Iterable[Entry]) -> Iterator[str]:
    """Every counted submission (in ``order``), linked to its feedback page, in pieces."""
    header = _escaped(_("student"), _("assignment"), _("score"), _("submission"))
    heading = html.escape(_("Students"))
    yield f'<section id="students"><h2>{heading}</h2>'
    yield _table_head("students", header, 0)
    for x in listed:
        name = _shown(x.student)
        if x.link:
            name = f'<a href="{html.escape(x.link)}">{name}</a>'
        if x.status == GRADED:
            status = f"{report.points(x.score)} / {report.points(x.max_score)}"
        else:
            status = html.escape(_("not graded: {reason}").format(
                reason=report.one_line(_first_line(x.message))))
        yield _table_row([name, html.escape(x.assignment or ""), status, _shown(x.display)],
                         "td", 0)
    yield "</tbody></table></section>"


def _first_line(text: str) -> str:
    return (text.splitlines() or [""])[0]
