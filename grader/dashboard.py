"""The class dashboard of a batch: ``<out>/index.html``, rewritten at the end of every run.

For each assignment: a histogram of the scores, the pass rate and the grading time of every
function, and the named mistakes recognised most often in each function; then every student,
linked to the feedback page batch mode wrote for them. Each chart is a PNG drawn by matplotlib's
Agg renderer, embedded as a data URI beside a table of the same numbers: the page needs no
other file, no script and no network. Its labels are in the language in force (``grade --lang``,
else the locale); texts inside the charts too when a font with their glyphs is installed
(``CHART_FONTS``), else they stay English.

The dashboard counts exactly the submissions grades.csv counts (``exports.choose``). Student
names, file names and messages come from submissions, so every one of them is escaped; the only
links are to the feedback pages, built from the export folder names batch mode chose.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator
from urllib.parse import quote

from grader import __version__, exports, i18n, report
from grader.gradebook import GRADED, Gradebook, Record, now
from grader.i18n import _
from grader.results import PASSED

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: `grade` starts faster
    from matplotlib.figure import Figure

INDEX_NAME = "index.html"
BINS = 10          # score histogram: bins of a tenth of the maximum score each
TOP_MISTAKES = 5   # named mistakes listed per function
DPI = 80
WIDTH = 6.4        # chart width in inches
COLOR = "#0969da"
EXTRA_STYLE = """
figure{margin:1rem 0}figure img{max-width:100%;height:auto}figcaption{color:#555;font-size:.9rem}
nav a{margin-right:1rem}td.num,th.num{text-align:right}.none{color:#777}
table.scores th{white-space:nowrap;font-size:.8rem}
"""
# the page may show images embedded in it and its own style, nothing fetched from anywhere
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
# fonts drawing the chart texts of a language matplotlib's default font has no glyphs for,
# the first one installed is used
CHART_FONTS = {
    "zh_CN": ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
              "Droid Sans Fallback"),
    "ko": ("Noto Sans CJK KR", "Source Han Sans KR", "NanumGothic", "WenQuanYi Micro Hei",
           "WenQuanYi Zen Hei", "Droid Sans Fallback"),
}


@dataclass(frozen=True)
class FunctionStat:
    """One graded function of one submission."""

    name: str
    status: str
    seconds: float
    mistakes: tuple[str, ...] = ()  # ids of the named mistakes recognised in it, no repeats


@dataclass(frozen=True)
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
    seconds: list[float] = field(default_factory=list)
    mistakes: Counter = field(default_factory=Counter)  # id -> submissions showing it


# ----------------------------------------------------------------------------- reading

def write(out: Path, book: Gradebook, rows: Iterable[exports.Row]) -> None:
    """Rewrite ``out/index.html`` (atomically) for the submissions grades.csv counts among
    ``rows``."""
    chosen, duplicates = exports.choose(rows)
    counted = {row.path for row in chosen.values()}
    entries = [entry(record) for record in book.records() if record.path in counted]
    exports.atomic_write(out / INDEX_NAME, render(entries, len(duplicates), now()))


def entry(record: Record) -> Entry:
    """The dashboard's view of one recorded submission. Its stored report is read as plain
    data: a field missing or of the wrong type counts as absent."""
    data = _loads(record.report)
    return Entry(record.student, record.display, record.assignment, _text(data.get("title")),
                 record.status, record.message, record.score, record.max_score,
                 feedback_link(record.export_name),
                 tuple(_function(f) for f in _dicts(data.get("functions"))))


def feedback_link(export_name: str) -> str | None:
    """The relative URL of a submission's feedback page; None for an unsafe folder name."""
    try:
        folder = exports.submission_dir(Path(), export_name)
    except ValueError:
        return None
    return quote((folder / exports.HTML_NAME).as_posix())


def _function(data: dict) -> FunctionStat:
    ids = [data.get("mistake"), *(case.get("mistake") for case in _dicts(data.get("cases")))]
    named = tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and i))
    return FunctionStat(_text(data.get("name")), _text(data.get("status")),
                        _number(data.get("seconds")), named)


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


def _number(value: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else 0.0


# ----------------------------------------------------------------------------- numbers

def histogram(entries: Iterable[Entry]) -> list[int]:
    """How many graded submissions score in each tenth of their maximum score (the last bin
    includes full marks)."""
    counts = [0] * BINS
    for e in entries:
        if e.score is not None and e.max_score:
            share = round(e.score / e.max_score, 6)
            counts[min(max(int(share * BINS), 0), BINS - 1)] += 1
    return counts


def tallies(entries: Iterable[Entry]) -> dict[str, Tally]:
    """Every function of ``entries``, in notebook order, with its counts and times."""
    found: dict[str, Tally] = {}
    for e in entries:
        for f in e.functions:
            tally = found.setdefault(f.name, Tally())
            tally.graded += 1
            tally.passed += f.status == PASSED
            tally.seconds.append(f.seconds)
            tally.mistakes.update(f.mistakes)
    return found


def _bin_label(index: int) -> str:
    return f"{index * 100 // BINS}–{(index + 1) * 100 // BINS}%"


def _milliseconds(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


# ----------------------------------------------------------------------------- charts
# Drawing text dominates the cost of a chart: the function names are drawn once for both the
# pass rates and the times (two panels sharing them), and the exact numbers are left to the
# tables beside the charts.

def _png(figure: Figure) -> str:
    """``figure`` as a PNG data URI."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(height: float, left: float = 0.6) -> Figure:
    """A figure of WIDTH x ``height`` inches with margins given in inches."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    figure.subplots_adjust(left=left / WIDTH, right=1 - 0.25 / WIDTH, top=1 - 0.35 / height,
                           bottom=0.4 / height, wspace=0.08)
    return figure


def _rows_figure(labels: list[str]) -> Figure:
    """A figure tall enough for one bar per label, its left margin wide enough for them."""
    longest = max(map(len, labels), default=0)
    return _figure(0.85 + 0.24 * len(labels), left=0.2 + 0.055 * longest)


def _bars(axes, labels: list[str], values: list[float], title: str,
          limit: float | None = None) -> None:
    """Horizontal bars on ``axes``, one per label, at most four ticks on the value axis."""
    axes.barh(labels, values, color=COLOR)
    axes.set_title(title, fontsize=9)
    axes.tick_params(labelsize=7)
    axes.set_xlim(0, limit or max(values, default=0) * 1.1 or 1)
    axes.xaxis.get_major_locator().set_params(nbins=4)


@functools.cache
def _installed_font(lang: str) -> str | None:
    """The first of CHART_FONTS[lang] that matplotlib finds, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CHART_FONTS.get(lang, ()) if name in installed), None)


@contextlib.contextmanager
def chart_texts() -> Iterator[str]:
    """Chart texts in the language in force when a font can draw them, else in English (the
    language they will be in is yielded)."""
    import matplotlib

    lang = i18n.current()
    font = _installed_font(lang)
    if lang in CHART_FONTS and font is None:
        lang = i18n.SOURCE
    rc = {"font.sans-serif": [font, *matplotlib.rcParams["font.sans-serif"]]} if font else {}
    with matplotlib.rc_context(rc), i18n.using(lang):
        yield lang


def score_chart(counts: list[int], assignment: str) -> str:
    """The score histogram as a PNG data URI."""
    figure = _figure(2.4, left=0.5)
    axes = figure.add_subplot()
    axes.bar([_bin_label(i) for i in range(BINS)], counts, color=COLOR)
    axes.set_title(_("{assignment}: students per score").format(assignment=assignment),
                   fontsize=9)
    axes.tick_params(labelsize=7)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def function_chart(found: dict[str, Tally], assignment: str) -> str:
    """Pass rate and mean grading time of every function, side by side, as a PNG data URI."""
    names = list(found)
    figure = _rows_figure(names)
    passed, timed = figure.subplots(1, 2, sharey=True)
    _bars(passed, names, [100 * t.passed / t.graded for t in found.values()],
          _("{assignment}: passed (%)").format(assignment=assignment), 100)
    _bars(timed, names, [1000 * statistics.fmean(t.seconds) for t in found.values()],
          _("mean grading time (ms)"))
    passed.invert_yaxis()  # shared: the first function on top in both panels
    return _png(figure)


def mistake_chart(top: list[tuple[str, int]], assignment: str) -> str:
    """The named mistakes listed (``function: id``, count) as a PNG data URI."""
    labels = [label for label, _ in top]
    figure = _rows_figure(labels)
    axes = figure.add_subplot()
    _bars(axes, labels, [count for label, count in top],
          _("{assignment}: submissions per named mistake").format(assignment=assignment))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.invert_yaxis()
    return _png(figure)


def _charts(assignment: str, counts: list[int], found: dict[str, Tally]) -> list[tuple[str, str]]:
    """(alt text, data URI) of every chart of one assignment."""
    top = [(f"{name}: {mistake}", count) for name, t in found.items()
           for mistake, count in t.mistakes.most_common(TOP_MISTAKES)]
    alts = [_("{assignment}: histogram of scores"),
            _("{assignment}: pass rate and mean grading time per function"),
            _("{assignment}: most frequent named mistakes per function")]
    with chart_texts():
        images = [score_chart(counts, assignment), function_chart(found, assignment)]
        if top:
            images.append(mistake_chart(top, assignment))
    return [(alt.format(assignment=assignment), image) for alt, image in zip(alts, images)]


# ----------------------------------------------------------------------------- HTML

def render(entries: list[Entry], duplicates: int = 0, generated: str = "") -> str:
    """The dashboard page of ``entries`` (one per student and assignment): escaped,
    self-contained HTML."""
    import matplotlib

    graded: dict[str, list[Entry]] = {}
    for e in entries:
        if e.status == GRADED and e.assignment:
            graded.setdefault(e.assignment, []).append(e)
    with matplotlib.rc_context({"text.parse_math": False}):  # a "$" in a label stays a "$"
        sections = [_assignment(name, graded[name]) for name in sorted(graded)]
    title = html.escape(_("Class dashboard"))
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{i18n.html_lang(i18n.current())}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{exports.STYLE}{EXTRA_STYLE}</style></head><body>",
        f"<h1>{title}</h1>", _overview(entries, duplicates, generated),
        _nav(sorted(graded)), *sections, _students(entries),
        f"<footer>dnn-grader {html.escape(__version__)}</footer></body></html>\n"])


def _shown(text: str) -> str:
    """Untrusted text as one escaped line."""
    return html.escape(report.one_line(text))


def _overview(entries: list[Entry], duplicates: int, generated: str) -> str:
    students = len({e.student for e in entries})
    graded = sum(e.status == GRADED for e in entries)
    counts = _("{students} student(s), {graded} graded submission(s), {rejected} not graded"
               ).format(students=students, graded=graded, rejected=len(entries) - graded)
    if generated:
        counts += " · " + _("generated {time}").format(time=generated)
    lines = [f'<p class="meta" id="overview">{html.escape(counts)}</p>']
    if duplicates:
        warning = _("{count} student(s) handed in several files for one assignment; as in "
                    "grades.csv, only the newest graded file counts.").format(count=duplicates)
        lines.append(f'<p class="warn">{html.escape(warning)}</p>')
    return "\n".join(lines)


def _nav(assignments: list[str]) -> str:
    links = [f'<a href="#a-{html.escape(a)}">{html.escape(a)}</a>' for a in assignments]
    students = html.escape(_("students"))
    return f"<nav>{''.join(links)}<a href=\"#students\">{students}</a></nav>"


def _assignment(assignment: str, entries: list[Entry]) -> str:
    """One assignment's section: charts and the tables they draw."""
    e = html.escape
    counts, found = histogram(entries), tallies(entries)
    title = next((x.title for x in entries if x.title), "")
    scores = [x.score for x in entries if x.score is not None]
    mean = report.points(statistics.fmean(scores)) if scores else ""
    most = report.points(max((x.max_score or 0) for x in entries))
    summary = _("{count} graded submission(s), mean score {mean} / {most}").format(
        count=len(entries), mean=mean, most=most)
    parts = [f'<section id="a-{e(assignment)}" data-assignment="{e(assignment)}">',
             f"<h2>{e(assignment)}{f' · {e(title)}' if title else ''}</h2>",
             f"<p>{e(summary)}</p>"]
    parts += [f'<figure><img src="{uri}" alt="{e(alt)}"><figcaption>{e(alt)}</figcaption>'
              "</figure>" for alt, uri in _charts(assignment, counts, found)]
    parts += [_score_table(counts), _function_table(found), _mistake_table(found), "</section>"]
    return "\n".join(parts)


def _table(kind: str, header: list[str], rows: list[list[str]], numeric: int) -> str:
    """A table of already escaped cells; the last ``numeric`` columns are right-aligned."""
    def row(cells: list[str], tag: str) -> str:
        first = len(cells) - numeric
        return "<tr>" + "".join(f'<{tag} class="num">{c}</{tag}>' if i >= first else
                                f"<{tag}>{c}</{tag}>" for i, c in enumerate(cells)) + "</tr>"
    body = "".join(row(r, "td") for r in rows)
    return f'<table class="{kind}"><thead>{row(header, "th")}</thead><tbody>{body}</tbody></table>'


def _score_table(counts: list[int]) -> str:
    header = [html.escape(_("score")), *(_bin_label(i) for i in range(BINS))]
    rows = [[html.escape(_("students")), *map(str, counts)]]
    return _heading(_("Scores")) + _table("scores", header, rows, BINS)


def _function_table(found: dict[str, Tally]) -> str:
    rows = [[html.escape(name), str(t.passed), str(t.graded), f"{100 * t.passed / t.graded:.0f}%",
             _milliseconds(statistics.fmean(t.seconds)), _milliseconds(max(t.seconds))]
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


def _students(entries: list[Entry]) -> str:
    """Every counted submission, by student, linked to its feedback page."""
    rows = []
    for x in sorted(entries, key=lambda x: (x.student.casefold(), x.assignment or "")):
        name = _shown(x.student)
        if x.link:
            name = f'<a href="{html.escape(x.link)}">{name}</a>'
        if x.status == GRADED:
            status = f"{report.points(x.score)} / {report.points(x.max_score)}"
        else:
            status = html.escape(_("not graded: {reason}").format(
                reason=report.one_line(_first_line(x.message))))
        rows.append([name, html.escape(x.assignment or ""), status, _shown(x.display)])
    header = _escaped(_("student"), _("assignment"), _("score"), _("submission"))
    heading = html.escape(_("Students"))
    return (f'<section id="students"><h2>{heading}</h2>'
            + _table("students", header, rows, 0) + "</section>")


def _first_line(text: str) -> str:
    return (text.splitlines() or [""])[0]
