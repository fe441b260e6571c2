"""The class dashboard (results/index.html): a synthetic class of two assignments graded in
batch mode, the page rendered by headless Chromium, its numbers checked against grades.csv and
the gradebook; named mistakes read from stored results, escaping, regeneration on resume."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from grader import batch, dashboard, exports, spec
from grader.gradebook import FILENAME, GRADED, REJECTED, Record

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ("C1W4A1", "C2W1A3")
HOSTILE = "<img src=x onerror=alert(1)>"
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


class Page(HTMLParser):
    """What a dashboard DOM holds: tables (with the assignment section they are in), links,
    images, and every tag name."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: Counter = Counter()
        self.tables: list[tuple[str, str, list[list[str]]]] = []  # class, assignment, rows
        self.links: list[tuple[str, str]] = []  # href, text
        self.images: list[tuple[str, str, str]] = []  # assignment, src, alt
        self.text: list[str] = []
        self._section, self._href, self._link_text, self._cell = "", None, [], None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        self.tags[tag] += 1
        if tag == "section":
            self._section = attrs.get("data-assignment") or ""
        elif tag == "table":
            self.tables.append((attrs.get("class", ""), self._section, []))
        elif tag == "tr":
            self.tables[-1][2].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self._href, self._link_text = attrs.get("href"), []
        elif tag == "img":
            self.images.append((self._section, attrs.get("src", ""), attrs.get("alt", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][2][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text)))
            self._href = None
        elif tag == "section":
            self._section = ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._link_text.append(data)

    def table(self, kind: str, assignment: str = "") -> list[list[str]]:
        """The body rows of the one table of class ``kind`` in ``assignment``'s section."""
        found = [rows for cls, section, rows in self.tables
                 if cls == kind and section == assignment]
        assert len(found) == 1, (kind, assignment)
        return found[0][1:]


def png_size(uri: str) -> tuple[int, int]:
    """Width and height of a PNG data URI (asserting it is one)."""
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    data = base64.b64decode(uri[len(prefix):], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


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
    page = Page(browse(chromium, out / dashboard.INDEX_NAME, tmp_path / "profile", "--dump-dom"))

    # nothing but this page: no script, no external resource, charts embedded
    assert not {"script", "iframe", "object", "embed", "link", "base"} & set(page.tags)
    assert all(section in ASSIGNMENTS for section, _, _ in page.images)
    for assignment in ASSIGNMENTS:
        charts = [(src, alt) for section, src, alt in page.images if section == assignment]
        assert len(charts) >= 2 and all(min(png_size(src)) > 100 for src, _ in charts)
        assert any("histogram" in alt for _, alt in charts)
        assert any("pass rate" in alt and "time" in alt for _, alt in charts)

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
    """Histogram, pass rates, times and named mistakes of one assignment's section."""
    points = {name: f.points for name, f in spec.load(assignment).functions.items()}
    maximum = sum(points.values())
    graded = [row for row in rows.values() if row[f"{assignment}:total"] != ""]
    bins = Counter(min(int(float(row[f"{assignment}:total"]) / maximum * 10), 9)
                   for row in graded)
    [counts] = page.table("scores", assignment)
    assert counts == ["students", *(str(bins[i]) for i in range(10))]

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

    expected = mistake_counts([reports for _, (_, reports) in ours])
    if not any(expected.values()):
        assert not [rows for kind, section, rows in page.tables
                    if kind == "mistakes" and section == assignment]
        return
    listed = page.table("mistakes", assignment)
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
    charts = [alt for section, src, alt in page.images if png_size(src)]
    assert any("named mistakes" in alt for alt in charts)
    assert "Deep <net>" in "".join(page.text) and "script" not in page.tags
    students = page.table("students")
    assert ["eve", "", "not graded: cannot be read <b>now</b>", "/e"] in students
    assert "b" not in page.tags  # the message stayed text
