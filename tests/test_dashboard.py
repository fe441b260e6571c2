"""The class dashboard (results/index.html): a synthetic class of two assignments graded in
batch mode, the page rendered by headless Chromium, its numbers and its SVG charts' bars checked
against grades.csv and the gradebook; named mistakes read from stored results, escaping inside
and outside the charts, translated chart texts, regeneration on resume."""
from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from grader import batch, dashboard, exports, i18n, spec
from grader.gradebook import FILENAME, GRADED, REJECTED, Record

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ("C1W4A1", "C2W1A3")
HOSTILE = "<img src=x onerror=alert(1)>"
BREAKOUT = "</svg><script>alert(2)</script>"
BAR_BLUE = (9, 105, 218)  # dashboard.COLOR


# ----------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("Chromium is not installed, so the dashboard cannot be rendered "
                    "(on Debian: apt-get install -y chromium)")
    return found


def browse(chromium: str, page: Path, profile: Path, *args: str) -> str:
    """Run headless Chromium on ``page``; what it printed."""
    run = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                          f"--user-data-dir={profile}", *args, page.as_uri()],
                         capture_output=True, text=True, timeout=90, check=True)
    return run.stdout


@dataclass
class Chart:
    """One ``<svg>`` of a page: its attributes, its own title, its bars (their attributes, the
    tooltip as "tip") and texts ([shown, tooltip, attributes])."""

    section: str
    attrs: dict
    title: str = ""
    bars: list[dict] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)

    def labels(self) -> list[str]:
        """Every text in full: its tooltip when it is cut."""
        return [tip or shown for shown, tip, _ in self.texts]

    def ticks(self) -> list[float]:
        """The numbers written on the value axes, in order."""
        return [float(shown) for shown, *_ in self._ticks()]

    def places(self, coordinate: str) -> list[float]:
        """Where those numbers are written: their ``coordinate`` (x or y)."""
        return [float(attrs[coordinate]) for *_, attrs in self._ticks()]

    def _ticks(self) -> list[list]:
        return [text for text in self.texts if re.fullmatch(r"\d+(\.\d+)?", text[0])]

    def sizes(self, key: str) -> list[float]:
        return [float(bar[key]) for bar in self.bars]


class Page(HTMLParser):
    """What a dashboard DOM holds: tables (with the assignment section they are in), links,
    charts, figure captions, and every tag name."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: Counter = Counter()
        self.tables: list[tuple[str, str, list[list[str]]]] = []  # class, assignment, rows
        self.links: list[tuple[str, str]] = []  # href, text
        self.charts: list[Chart] = []
        self.captions: list[tuple[str, str]] = []  # assignment, figcaption
        self.text: list[str] = []
        self._section, self._href, self._link_text, self._cell = "", None, [], None
        self._chart: Chart | None = None
        self._open: list[str] = []  # the elements open inside the chart
        self._caption: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        self.tags[tag] += 1
        if self._chart is not None:
            self._open.append(tag)
            if tag == "rect" and attrs.get("class") == "bar":
                self._chart.bars.append({**attrs, "tip": ""})
            elif tag == "text":
                self._chart.texts.append(["", "", attrs])
        elif tag == "svg":
            self._chart, self._open = Chart(self._section, attrs), ["svg"]
            self.charts.append(self._chart)
        elif tag == "figcaption":
            self._caption = []
        elif tag == "section":
            self._section = attrs.get("data-assignment") or ""
        elif tag == "table":
            self.tables.append((attrs.get("class", ""), self._section, []))
        elif tag == "tr":
            self.tables[-1][2].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self._href, self._link_text = attrs.get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if self._chart is not None:
            self._open.pop()
            if not self._open:
                self._chart = None
        elif tag == "figcaption" and self._caption is not None:
            self.captions.append((self._section, "".join(self._caption)))
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][2][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text)))
            self._href = None
        elif tag == "section":
            self._section = ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._chart is not None:
            self._chart_data(data)
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._link_text.append(data)

    def _chart_data(self, data: str) -> None:
        chart, inside = self._chart, self._open[-2:]
        if inside == ["svg", "title"]:
            chart.title += data
        elif inside == ["rect", "title"]:
            chart.bars[-1]["tip"] += data
        elif inside == ["text", "title"]:
            chart.texts[-1][1] += data
        elif inside[-1] == "text":
            chart.texts[-1][0] += data

    def chart(self, assignment: str, alt: str) -> Chart:
        """The one chart of ``assignment``'s section whose accessible name holds ``alt``."""
        found = [c for c in self.charts
                 if c.section == assignment and alt in c.attrs.get("aria-label", "")]
        assert len(found) == 1, (assignment, alt)
        return found[0]

    def table(self, kind: str, assignment: str = "") -> list[list[str]]:
        """The body rows of the one table of class ``kind`` in ``assignment``'s section."""
        found = [rows for cls, section, rows in self.tables
                 if cls == kind and section == assignment]
        assert len(found) == 1, (kind, assignment)
        return found[0][1:]


def on_axis(chart: Chart, key: str, values: list[float], bars: slice = slice(None),
            axis: slice = slice(None), slack: float = 0.0) -> None:
    """``chart``'s ``bars`` start at 0 on the value axis of its ticks ``axis`` and their
    ``key`` (width or height) measures ``values`` on it (up to the rounding of coordinates,
    and ``slack`` in the values' unit)."""
    coordinate = "x" if key == "width" else "y"
    ticks, places = chart.ticks()[axis], chart.places(coordinate)[axis]
    assert ticks[0] == 0 and ticks[-1] > 0, ticks
    scale = abs(places[-1] - places[0]) / ticks[-1]
    chosen = chart.bars[bars]
    assert len(chosen) == len(values) > 0
    for bar, value in zip(chosen, values):
        size = float(bar[key])
        assert abs(size - scale * value) <= 0.02 + scale * slack, (bar, value, scale)
        start = float(bar[coordinate]) + (size if coordinate == "y" else 0)  # y grows downwards
        assert abs(start - places[0]) <= 0.02, (bar, places)


def value_axis(ticks: list[float], top: float, integer: bool) -> None:
    """The ticks of a value axis: a few, evenly spaced, from 0 to at least ``top``."""
    assert 2 <= len(ticks) <= 6 and ticks[0] == 0 and ticks[-1] >= top, ticks
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and min(steps) > 0, ticks
    assert not integer or all(t == int(t) for t in ticks), ticks


def function_bars(chart: Chart, rates: list[float], means: list[float],
                  slack: float = 0.0) -> None:
    """A function chart: the pass ``rates`` on an axis of 0-100 (%), then the ``means`` (ms)
    on an axis of their own."""
    assert chart.ticks()[:5] == [0, 25, 50, 75, 100]
    count = len(rates)
    on_axis(chart, "width", rates, slice(None, count), slice(None, 5))
    on_axis(chart, "width", means, slice(count, None), slice(5, None), slack)
    value_axis(chart.ticks()[5:], max(means), integer=False)


def svgs(text: str) -> list[ET.Element]:
    """Every ``<svg>`` of a page's source, parsed as XML (asserting each is well-formed)."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", text, re.S)]


def samples(assignment: str) -> list[Path]:
    folder = ROOT / "fixtures" / assignment / "submissions"
    return sorted(folder.glob("*.ipynb"))  # reference, stub and every wrong_* of the latest release


def build_class(folder: Path, rng: random.Random) -> None:
    """About three hundred submissions: every student hands in C1W4A1, half of them C2W1A3 too,
    from the fixtures' samples; plus a hostile name, a duplicate and a non-notebook."""
    folder.mkdir()
    first, second = samples(ASSIGNMENTS[0]), samples(ASSIGNMENTS[1])
    for i in range(200):
        student = f"s{i:03d}"
        shutil.copyfile(rng.choice(first), folder / f"{student}_{ASSIGNMENTS[0]}.ipynb")
        if i % 2:
            shutil.copyfile(rng.choice(second), folder / f"{student}_{ASSIGNMENTS[1]}.ipynb")
    shutil.copyfile(first[0], folder / f"{HOSTILE}_{ASSIGNMENTS[0]}.ipynb")
    (folder / f"zed_{ASSIGNMENTS[0]}.ipynb").write_text("{not json")
    reference = next(p for p in first if p.name == "reference.ipynb")
    stub = next(p for p in first if p.name == "stub.ipynb")
    shutil.copyfile(stub, folder / f"amy_{ASSIGNMENTS[0]}.ipynb")
    shutil.copyfile(reference, folder / f"amy-late_{ASSIGNMENTS[0]}.ipynb")
    os.utime(folder / f"amy_{ASSIGNMENTS[0]}.ipynb", (1_000_000_000, 1_000_000_000))


def grade(folder: Path, out: Path, pool) -> batch.Summary:
    return batch.run([str(folder)], batch.Options(out=out, jobs=2), pool=pool,
                     reporter=batch.LogReporter(io.StringIO()))


def counted(out: Path, rows: dict[str, dict]) -> dict[tuple[str, str], tuple[list, list]]:
    """For each (student, assignment) grades.csv counts: its function rows (name, seconds) and
    its stored report's functions, from the gradebook."""
    found = {}
    with sqlite3.connect(out / FILENAME) as db:
        for student, row in rows.items():
            for display in row["submission"].split("; "):
                path, assignment, stored = db.execute(
                    "SELECT path, assignment, report FROM submissions WHERE display = ?",
                    (display,)).fetchone()
                if stored:
                    timings = db.execute("SELECT function, seconds FROM results WHERE path = ? "
                                         "ORDER BY position", (path,)).fetchall()
                    found[student, assignment] = timings, json.loads(stored)["functions"]
    return found


def mistake_counts(functions_by_submission: list[list[dict]]) -> dict[str, Counter]:
    """Per function, in how many submissions each named mistake id appears (oracle)."""
    counts: dict[str, Counter] = {}
    for functions in functions_by_submission:
        for f in functions:
            ids = {f.get("mistake")} | {c.get("mistake") for c in f.get("cases", [])}
            counts.setdefault(f["name"], Counter()).update(i for i in ids if i)
    return counts


# ----------------------------------------------------------------------------- the class

def test_dashboard_of_a_class_agrees_with_grades_csv_in_chromium(chromium, tmp_path, pool):
    folder, out = tmp_path / "class", tmp_path / "results"
    build_class(folder, random.Random(11))
    summary = grade(folder, out, pool)
    assert summary.graded == len(list(folder.iterdir())) - 1 and len(summary.rejected) == 1
    with open(out / exports.CSV_NAME, newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    source = (out / dashboard.INDEX_NAME).read_text()
    page = Page(browse(chromium, out / dashboard.INDEX_NAME, tmp_path / "profile", "--dump-dom"))

    # nothing but this page: no script, no image, no external resource, charts inline
    assert "<script" not in source.lower() and "<img" not in source.lower()
    assert f'content="{dashboard.POLICY}"' in source and "img-src" not in dashboard.POLICY
    assert not {"script", "iframe", "object", "embed", "link", "base", "img", "image",
                "foreignobject", "use"} & set(page.tags)
    assert len(svgs(source)) == len(page.charts)
    assert {chart.section for chart in page.charts} == set(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        charts = [chart for chart in page.charts if chart.section == assignment]
        alts = [chart.attrs["aria-label"] for chart in charts]
        assert 2 <= len(charts) <= 3 and all(chart.attrs["role"] == "img" for chart in charts)
        assert alts == [chart.title for chart in charts]
        assert alts == [caption for section, caption in page.captions if section == assignment]
        assert all(chart.attrs["width"] == "100%" and chart.attrs["viewbox"].startswith("0 0 ")
                   for chart in charts)
        assert "histogram" in alts[0] and "pass rate" in alts[1] and "time" in alts[1]

    # every student of grades.csv, each linked to the feedback page batch mode wrote
    students = page.table("students")
    assert {cells[0] for cells in students} == set(rows)
    assert HOSTILE in rows and HOSTILE in {cells[0] for cells in students}
    links = [(text, href) for href, text in page.links if not href.startswith("#")]
    assert {text for text, _ in links} == set(rows) and len(links) == len(students)
    for student, href in links:
        target = (out / href).resolve()
        assert target.is_relative_to((out / exports.SUBMISSIONS_DIR).resolve())
        assert target.name == exports.HTML_NAME and target.is_file()
        assert html.escape(student) in target.read_text()
    for student, assignment, score, submission in students:
        row = rows[student]
        if row["status"] == "not graded":
            assert score.startswith("not graded:") and submission == row["submission"]
        else:
            assert score.split(" / ")[0] == row[f"{assignment}:total"]
    assert rows["amy"]["submission"].endswith(f"amy-late_{ASSIGNMENTS[0]}.ipynb")
    assert "1 student(s) handed in several files" in "".join(page.text)

    stored = counted(out, rows)
    for assignment in ASSIGNMENTS:
        check_assignment(page, assignment, rows, stored)

    # the charts really are drawn by the browser: the bars' blue fills part of the screen
    shot = tmp_path / "shot.png"
    browse(chromium, out / dashboard.INDEX_NAME, tmp_path / "profile",
           f"--screenshot={shot}", "--window-size=1000,1400", "--hide-scrollbars")
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert (pixels == BAR_BLUE).all(axis=2).sum() > 5000

    # a resumed run grades nothing and writes the dashboard again
    (out / dashboard.INDEX_NAME).unlink()
    again = grade(folder, out, pool)
    assert again.graded == 0 and again.unchanged == summary.graded + 1
    assert Page((out / dashboard.INDEX_NAME).read_text()).table("students") == students
    assert not [p for p in out.rglob("*") if p.name.endswith(exports.TEMP_SUFFIX)]


def check_assignment(page: Page, assignment: str, rows: dict[str, dict],
                     stored: dict[tuple[str, str], tuple[list, list]]) -> None:
    """Histogram, pass rates, times and named mistakes of one assignment's section, in its
    tables and its charts."""
    points = {name: f.points for name, f in spec.load(assignment).functions.items()}
    maximum = sum(points.values())
    graded = [row for row in rows.values() if row[f"{assignment}:total"] != ""]
    bins = Counter(min(int(float(row[f"{assignment}:total"]) / maximum * 10), 9)
                   for row in graded)
    [counts] = page.table("scores", assignment)
    assert counts == ["students", *(str(bins[i]) for i in range(10))]
    histogram = page.chart(assignment, "histogram")
    numbers = [int(count) for count in counts[1:]]
    assert len(histogram.bars) == dashboard.BINS
    on_axis(histogram, "height", numbers)
    assert [bar["tip"] for bar in histogram.bars] == [
        f"{dashboard._bin_label(i)}: {n}" for i, n in enumerate(numbers)]
    assert [dashboard._bin_label(i) for i in range(dashboard.BINS)] == [
        label for label in histogram.labels() if label.endswith("%")]
    value_axis(histogram.ticks(), max(numbers), integer=True)

    ours = [(student, found) for (student, a), found in stored.items() if a == assignment]
    assert len(ours) == len(graded)
    functions = page.table("functions", assignment)
    assert [cells[0] for cells in functions] == list(points)
    for name, passed, total, rate, mean_ms, max_ms in functions:
        scores = [float(row[f"{assignment}:{name}"]) for row in graded]
        assert (int(passed), int(total)) == (sum(s >= points[name] for s in scores), len(graded))
        assert rate == f"{100 * int(passed) / int(total):.0f}%"
        seconds = [s for _, (timings, _) in ours for function, s in timings if function == name]
        assert abs(float(mean_ms) - 1000 * sum(seconds) / len(seconds)) <= 0.051
        assert abs(float(max_ms) - 1000 * max(seconds)) <= 0.051
    chart = page.chart(assignment, "pass rate")
    rates = [100 * int(passed) / int(total) for _, passed, total, *_ in functions]
    means = [float(cells[4]) for cells in functions]
    count = len(functions)
    assert len(chart.bars) == 2 * count and set(points) <= set(chart.labels())
    function_bars(chart, rates, means, slack=0.051)

    expected = mistake_counts([reports for _, (_, reports) in ours])
    mistakes = [c for c in page.charts if c.section == assignment and "named" in c.title]
    if not any(expected.values()):
        assert not [rows for kind, section, rows in page.tables
                    if kind == "mistakes" and section == assignment] and not mistakes
        return
    listed = page.table("mistakes", assignment)
    chart = page.chart(assignment, "named mistakes")
    assert len(chart.bars) == len(listed)
    on_axis(chart, "width", [int(count) for *_, count in listed])
    assert {f"{function}: {mistake}" for function, mistake, _ in listed} <= set(chart.labels())
    value_axis(chart.ticks(), max(int(count) for *_, count in listed), integer=True)
    for name, counter in expected.items():
        mine = {mistake: int(count) for function, mistake, count in listed if function == name}
        assert len(mine) == min(len(counter), dashboard.TOP_MISTAKES)
        assert all(counter[mistake] == count for mistake, count in mine.items())
        assert all(counter[m] <= min(mine.values()) for m in counter if m not in mine)


# ----------------------------------------------------------------------------- named mistakes

def record(path: str, student: str, report: str | None, status: str = GRADED) -> Record:
    return Record(path=path, display=path, export_name=f"{student}-0123456789ab",
                  student=student, student_source="name", meta_student=None,
                  assignment="C1W4A1" if status == GRADED else None, sha256="0" * 64,
                  grader_version="0", settings="{}", status=status,
                  message="" if report else "cannot be read <b>now</b>",
                  score=5.0 if report else None, max_score=10.0 if report else None,
                  seconds=0.1, mtime=0.0, graded_at="", report=report)


def stored_report(*functions: dict) -> str:
    return json.dumps({"assignment": "C1W4A1", "title": "Deep <net>", "functions": functions})


def function(name: str, status: str = "failed", mistake=None, cases=()) -> dict:
    data = {"name": name, "score": 0.0, "max_score": 5.0, "status": status, "seconds": 0.004,
            "cases": [{"name": f"case{i}", "weight": 1.0, "passed": False, **extra}
                      for i, extra in enumerate(cases)]}
    if mistake is not None:
        data["mistake"] = mistake
    return data


def test_named_mistakes_are_counted_once_per_submission_and_read_defensively():
    records = [
        record("/a", "ann", stored_report(
            function("linear_backward", mistake="db_no_keepdims",
                     cases=[{"mistake": "db_no_keepdims"}, {"mistake": "dW_not_averaged"}]),
            function("compute_cost", "passed", mistake=""))),
        record("/b", "ben", stored_report(
            function("linear_backward", cases=[{"mistake": "db_no_keepdims"}, {}]),
            function("compute_cost", cases=[{"mistake": 3}, {"mistake": "cost_$sign$"}]))),
        record("/c", "cy", stored_report(function("linear_backward"),
                                         function("compute_cost", "passed"))),  # no field at all
        record("/d", "dee", "{not json"),
        record("/e", "eve", None, status=REJECTED),
    ]
    entries = [dashboard.entry(r) for r in records]
    found = dashboard.tallies(e for e in entries if e.status == GRADED)
    assert found["linear_backward"].mistakes == Counter(db_no_keepdims=2, dW_not_averaged=1)
    assert found["compute_cost"].mistakes == Counter({"cost_$sign$": 1})
    assert (found["compute_cost"].passed, found["compute_cost"].graded) == (2, 3)
    assert entries[3].functions == () and entries[4].link == "submissions/eve-0123456789ab/" \
        "feedback.html"
    assert dashboard.feedback_link("../../etc") is None

    page = Page(dashboard.render(entries, duplicates=1, generated="now"))
    assert page.table("mistakes", "C1W4A1") == [
        ["linear_backward", "db_no_keepdims", "2"], ["linear_backward", "dW_not_averaged", "1"],
        ["compute_cost", "cost_$sign$", "1"]]
    chart = page.chart("C1W4A1", "named mistakes")
    on_axis(chart, "width", [2, 1, 1])
    assert "compute_cost: cost_$sign$" in chart.labels()  # a "$" stays a "$"
    assert "Deep <net>" in "".join(page.text) and "script" not in page.tags
    students = page.table("students")
    assert ["eve", "", "not graded: cannot be read <b>now</b>", "/e"] in students
    assert "b" not in page.tags  # the message stayed text


# ----------------------------------------------------------------------------- the charts

def class_entries(assignment: str = "C1W4A1") -> list[dashboard.Entry]:
    """Four graded submissions of ``assignment``, with named mistakes."""
    records = [record(f"/{i}", f"s{i}", stored_report(
        function("linear_forward", "passed" if i % 2 else "failed", mistake="no_bias"),
        function("linear_backward", "passed" if i == 3 else "failed",
                 cases=[{"mistake": "db_no_keepdims"}] * (i % 3)))) for i in range(4)]
    return [dataclasses.replace(dashboard.entry(r), assignment=assignment, score=2.5 * i)
            for i, r in enumerate(records)]


def test_hostile_names_stay_text_inside_the_charts():
    entries = class_entries(BREAKOUT)
    hostile = [record("/h", "h", stored_report(
        function(HOSTILE, mistake=BREAKOUT), function("f", cases=[{"mistake": HOSTILE}])))]
    entries += [dataclasses.replace(dashboard.entry(r), assignment=BREAKOUT) for r in hostile]
    text = dashboard.render(entries)
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert html.escape(BREAKOUT) in text and html.escape(HOSTILE) in text
    parsed = svgs(text)
    assert len(parsed) == 3  # each one whole: "</svg>" in a name did not close it
    texts = {"".join(node.itertext()) for svg in parsed for node in svg.iter()}
    assert f"{HOSTILE}: {BREAKOUT}" in texts and f"f: {HOSTILE}" in texts and HOSTILE in texts
    page = Page(text)
    assert not {"script", "img"} & set(page.tags)
    assert all(chart.section == BREAKOUT and chart.attrs["aria-label"].startswith(BREAKOUT)
               and chart.title.startswith(BREAKOUT) for chart in page.charts)
    assert any(label.startswith(BREAKOUT) for label in page.chart(BREAKOUT, "histogram").labels())
    assert f"{HOSTILE}: {BREAKOUT}" in page.chart(BREAKOUT, "named mistakes").labels()
    assert HOSTILE in page.chart(BREAKOUT, "pass rate").labels()


@pytest.mark.parametrize("lang", ["zh_CN", "ko"])
def test_chart_texts_are_in_the_language_in_force(lang):
    with i18n.using(lang):
        page = Page(dashboard.render(class_entries()))
    alts = ["{assignment}: histogram of scores",
            "{assignment}: pass rate and mean grading time per function",
            "{assignment}: most frequent named mistakes per function"]
    titles = ["{assignment}: students per score", "{assignment}: passed (%)",
              "mean grading time (ms)", "{assignment}: submissions per named mistake"]
    shown = [i18n.translate(m, lang).format(assignment="C1W4A1") for m in alts + titles]
    assert not set(shown) & {m.format(assignment="C1W4A1") for m in alts + titles}
    assert [chart.attrs["aria-label"] for chart in page.charts] == shown[:3]
    assert [chart.title for chart in page.charts] == shown[:3]
    assert [caption for _, caption in page.captions] == shown[:3]
    labels = [label for chart in page.charts for label in chart.labels()]
    assert all(title in labels for title in shown[3:])


def test_charts_are_deterministic_and_show_their_numbers():
    entries = class_entries()
    text = dashboard.render(entries, generated="now")
    assert text == dashboard.render(list(entries), generated="now")
    page = Page(text)
    histogram = page.chart("C1W4A1", "histogram")
    bins = [1, 0, 1, 0, 0, 1, 0, 1, 0, 0]  # scores 0, 2.5, 5 and 7.5 of 10
    assert [int(bar["tip"].split(": ")[1]) for bar in histogram.bars] == bins
    on_axis(histogram, "height", bins)
    rates = page.chart("C1W4A1", "pass rate")
    assert [bar["tip"] for bar in rates.bars[:2]] == ["linear_forward: 50%", "linear_backward: 25%"]
    assert [bar["tip"] for bar in rates.bars[2:]] == ["linear_forward: 4.0", "linear_backward: 4.0"]
    function_bars(rates, [50, 25], [4, 4])
    mistakes = page.chart("C1W4A1", "named mistakes")
    assert [bar["tip"] for bar in mistakes.bars] == [
        "linear_forward: no_bias: 4", "linear_backward: db_no_keepdims: 2"]
    later = [dataclasses.replace(e, score=10.0) for e in entries]
    assert Page(dashboard.render(later)).chart("C1W4A1", "histogram").sizes("height")[-1] > 0


def test_long_labels_are_cut_with_their_full_text_as_tooltip():
    latin, wide = "a_very_long_mistake_identifier_" * 3, "函数名称" * 12
    stored = stored_report(function("short", mistake=latin), function(wide, mistake="x"))
    entries = [dataclasses.replace(dashboard.entry(record("/a", "ann", stored)), assignment="A")]
    page = Page(dashboard.render(entries))
    for chart, full in ((page.chart("A", "named mistakes"), f"short: {latin}"),
                        (page.chart("A", "pass rate"), wide)):
        [(shown, tip)] = [(s, t) for s, t, _ in chart.texts if t == full]
        assert shown.endswith("…") and full.startswith(shown[:-1])
        assert dashboard.text_width(shown) <= dashboard.LABELS
        assert len(shown) < len(full)
    cut_wide = next(s for s, t, _ in page.chart("A", "pass rate").texts if t == wide)
    cut_latin = next(s for s, t, _ in page.chart("A", "named mistakes").texts if t)
    assert len(cut_wide) < len(cut_latin)  # a CJK character is wider
    assert ["short", ""] in [[s, t] for s, t, _ in page.chart("A", "pass rate").texts]


@pytest.mark.parametrize("top", [1, 2, 3, 5, 7, 10, 16, 99, 160, 1000, 12345])
def test_count_axes_have_a_few_whole_ticks(top):
    ticks = dashboard.ticks(top, integer=True)
    value_axis(ticks, top, integer=True)
    assert len(ticks) >= 3 or top == 1


@pytest.mark.parametrize("top", [0.004, 0.37, 1, 5.5, 57.3, 999, 4321.5])
def test_time_axes_have_a_few_round_ticks(top):
    ticks = dashboard.ticks(top)
    value_axis(ticks, top, integer=False)
    assert ticks[-1] < 2.6 * top  # the bars use a good part of the width
    assert dashboard.ticks(0) == [0, 1]


def test_the_dashboard_draws_without_matplotlib():
    code = """if True:
        import sys
        from grader import dashboard
        stat = dashboard.FunctionStat("f", "passed", 0.01, ("m",))
        entry = dashboard.Entry("ann", "a.ipynb", "A", "", "graded", "", 5.0, 10.0, None, (stat,))
        assert dashboard.render([entry]).count("<svg") == 3
        assert not [name for name in sys.modules if name.startswith("matplotlib")]"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
