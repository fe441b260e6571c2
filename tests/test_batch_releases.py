"""Batch grading and course releases: the gradebook and grades.csv say which release each
submission was graded as; ``--release`` in batch mode; gradebooks written before the release
columns existed."""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import nbformat
import pytest

from grader import batch, cli, exports, extract, notebook, spec
from grader.gradebook import FILENAME, Gradebook, export_name

C1W4A1 = spec.FIXTURES_DIR / "C1W4A1" / "submissions"
C1W4A2 = spec.FIXTURES_DIR / "C1W4A2" / "submissions"

# the submissions table as gradebooks were created before the release columns (HEAD before
# this change); SCHEMA_VERSION was already "1"
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    path TEXT PRIMARY KEY, display TEXT NOT NULL, export_name TEXT NOT NULL UNIQUE,
    student TEXT NOT NULL, student_source TEXT NOT NULL, meta_student TEXT, assignment TEXT,
    sha256 TEXT, grader_version TEXT NOT NULL, settings TEXT NOT NULL, status TEXT NOT NULL,
    message TEXT NOT NULL, score REAL, max_score REAL, seconds REAL NOT NULL, mtime REAL,
    graded_at TEXT NOT NULL, report TEXT
);
CREATE TABLE IF NOT EXISTS results (
    path TEXT NOT NULL REFERENCES submissions(path) ON DELETE CASCADE,
    position INTEGER NOT NULL, function TEXT NOT NULL, score REAL NOT NULL,
    max_score REAL NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
    seconds REAL NOT NULL, sha256 TEXT NOT NULL, grader_version TEXT NOT NULL,
    PRIMARY KEY (path, function)
);
CREATE INDEX IF NOT EXISTS submissions_student ON submissions (student);
INSERT INTO meta VALUES ('schema', '1');
"""
OLD_COLUMNS = ("path, display, export_name, student, student_source, meta_student, assignment, "
               "sha256, grader_version, settings, status, message, score, max_score, seconds, "
               "mtime, graded_at, report")
DETECTED = {"alice": "v4", "bob": "v8", "carol": "2021"}


class Recorder:
    def __init__(self) -> None:
        self.graded: list[str] = []
        self.unchanged = None

    def start(self, total: int, unchanged: int) -> None:
        self.unchanged = unchanged

    def advance(self, outcome, done: int) -> None:
        self.graded.append(outcome.found.path.name)

    def finish(self) -> None:
        pass


@pytest.fixture
def releases_class(tmp_path) -> Path:
    """One correct notebook of each C1W4A1 release: v4, v8 and 2021."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice_v4.ipynb").write_bytes((C1W4A1 / "v4" / "reference.ipynb").read_bytes())
    (folder / "bob_v8.ipynb").write_bytes((C1W4A1 / "v8" / "reference.ipynb").read_bytes())
    (folder / "carol_2021.ipynb").write_bytes((C1W4A1 / "reference.ipynb").read_bytes())
    return folder


def grade(folder, out, pool, **options):
    recorder = Recorder()
    summary = batch.run([str(folder)], batch.Options(out=out, jobs=2, **options), pool=pool,
                        reporter=recorder)
    return summary, recorder


def read_csv(out: Path) -> tuple[list[str], dict[str, dict]]:
    with open(out / exports.CSV_NAME, newline="") as stream:
        reader = csv.DictReader(stream)
        rows = {row["student"]: row for row in reader}
        return list(reader.fieldnames), rows


def stored_releases(out: Path) -> dict[str, tuple]:
    with sqlite3.connect(out / FILENAME) as db:
        return {student: (release, note) for student, release, note in
                db.execute("SELECT student, release, release_note FROM submissions")}


def feedback(out: Path, path: Path) -> str:
    name = export_name(str(path), path.name)
    return (exports.submission_dir(out, name) / exports.HTML_NAME).read_text()


def test_gradebook_and_csv_show_the_detected_release(releases_class, tmp_path, pool):
    out = tmp_path / "out"
    summary, _ = grade(releases_class, out, pool)
    assert summary.graded == 3 and not summary.rejected
    assert stored_releases(out) == {s: (r, "") for s, r in DETECTED.items()}
    header, rows = read_csv(out)
    assert "release" in header and header.index("release") < header.index("total")
    for student, release in DETECTED.items():
        row = rows[student]
        assert row["release"] == release and row["note"] == ""
        assert row["total"] == row["max_score"] and float(row["total"]) > 0  # full marks
    for path in releases_class.iterdir():
        release = DETECTED[path.name.split("_")[0]]
        assert f"graded as release {release} (" in feedback(out, path)
    with Gradebook(out) as book:
        assert {r.student: r.release for r in book.records()} == DETECTED


def test_release_option_changes_the_release_and_regrades(releases_class, tmp_path, pool):
    out = tmp_path / "out"
    grade(releases_class, out, pool)
    _, again = grade(releases_class, out, pool)
    assert again.graded == [] and again.unchanged == 3

    summary, forced = grade(releases_class, out, pool, release="v8")
    assert sorted(forced.graded) == sorted(p.name for p in releases_class.iterdir())
    assert summary.graded == 3
    assert stored_releases(out) == {s: ("v8", "release chosen with --release") for s in DETECTED}
    _, rows = read_csv(out)
    assert {s: rows[s]["release"] for s in DETECTED} == dict.fromkeys(DETECTED, "v8")
    assert "release v8: release chosen with --release" in rows["carol"]["note"]
    assert rows["bob"]["total"] == rows["bob"]["max_score"]  # v8 graded as v8: full marks
    assert "graded as release v8 (" in feedback(out, releases_class / "alice_v4.ipynb")

    _, same = grade(releases_class, out, pool, release="v8")
    assert same.graded == [] and same.unchanged == 3
    _, back = grade(releases_class, out, pool)  # detection again: a different setting
    assert len(back.graded) == 3
    assert stored_releases(out) == {s: (r, "") for s, r in DETECTED.items()}


def test_unknown_release_is_a_per_submission_error(releases_class, tmp_path, pool):
    out = tmp_path / "out"
    summary, recorder = grade(releases_class, out, pool, release="v9")
    assert len(recorder.graded) == 3 and summary.graded == 0
    assert len(summary.rejected) == 3
    for _, message in summary.rejected:
        assert "C1W4A1 has no release 'v9'" in message and "v4, v8, 2021" in message
    _, rows = read_csv(out)
    assert all(r["status"] == "not graded" and "has no release 'v9'" in r["note"]
               and r["release"] == "" for r in rows.values())
    assert set(stored_releases(out).values()) == {(None, None)}


def test_cli_batch_accepts_release(releases_class, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main([str(releases_class), "--out", str(out), "--jobs", "1",
                     "--release", "v4"]) == cli.EXIT_OK
    _, rows = read_csv(out)
    assert {s: rows[s]["release"] for s in DETECTED} == dict.fromkeys(DETECTED, "v4")
    assert rows["alice"]["total"] == rows["alice"]["max_score"]
    bad = tmp_path / "bad"
    assert cli.main([str(releases_class / "alice_v4.ipynb"), "--out", str(bad),
                     "--release", "v9", "--jobs", "1"]) == cli.EXIT_CANNOT_GRADE
    printed = capsys.readouterr().out
    assert "not graded (1)" in printed and "has no release 'v9'" in printed
    assert cli.main([str(releases_class / "alice_v4.ipynb"), "--release", "v9"]) \
        == cli.EXIT_CANNOT_GRADE  # the single-notebook path says the same
    assert "has no release 'v9'" in capsys.readouterr().err


def test_release_columns_per_assignment_and_ambiguous_note(tmp_path, pool):
    """Without its import cell an old C1W4A2 notebook fits v3 and v8 equally (a note)."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice_step.ipynb").write_bytes((C1W4A1 / "v4" / "reference.ipynb").read_bytes())
    nb = notebook.read(C1W4A2 / "v3" / "reference.ipynb")
    nb.cells = [c for c in nb.cells if c.cell_type == "code" and extract.graded_name(c.source)]
    nbformat.write(nb, folder / "alice_app.ipynb")
    out = tmp_path / "out"
    summary, _ = grade(folder, out, pool)
    assert summary.graded == 2
    header, rows = read_csv(out)
    assert "release" not in header
    assert header.index("C1W4A1:total") < header.index("C1W4A1:release") \
        < header.index("C1W4A2:release") < header.index("total")
    row = rows["alice"]
    assert row["C1W4A1:release"] == "v4" and row["C1W4A2:release"] == "v8"
    assert "alice_app.ipynb: release v8: ambiguous" in row["note"] and "v3" in row["note"]
    assert "alice_step.ipynb: release" not in row["note"]  # detected without doubt: no note


def test_old_schema_gradebook_is_upgraded_and_resumes(releases_class, tmp_path, pool):
    new = tmp_path / "new"
    grade(releases_class, new, pool)
    old = tmp_path / "old"
    old.mkdir()
    with sqlite3.connect(old / FILENAME) as db:  # the same grades, as an older grader kept them
        db.executescript(OLD_SCHEMA)
        db.execute("ATTACH DATABASE ? AS new", (str(new / FILENAME),))
        db.execute(f"INSERT INTO submissions SELECT {OLD_COLUMNS} FROM new.submissions")
        db.execute("INSERT INTO results SELECT * FROM new.results")
    with Gradebook(old) as book:
        assert {r.student: (r.release, r.release_note) for r in book.records()} == {
            s: (r, "") for s, r in DETECTED.items()}  # filled from the stored reports
    with Gradebook(old) as book:  # opening it again changes nothing
        assert {r.student: r.release for r in book.records()} == DETECTED
    summary, recorder = grade(releases_class, old, pool)
    assert recorder.graded == [] and summary.unchanged == 3  # same settings: not regraded
    _, rows = read_csv(old)
    assert {s: rows[s]["release"] for s in DETECTED} == DETECTED
    _, forced = grade(releases_class, old, pool, release="2021")
    assert len(forced.graded) == 3
    assert stored_releases(old) == {s: ("2021", "release chosen with --release")
                                    for s in DETECTED}


def test_empty_old_schema_gradebook_gets_the_release_columns(tmp_path):
    with sqlite3.connect(tmp_path / FILENAME) as db:
        db.executescript(OLD_SCHEMA)
    with Gradebook(tmp_path) as book:
        columns = {r["name"] for r in book._db.execute("PRAGMA table_info(submissions)")}
    assert {"release", "release_note"} <= columns


def test_settings_include_the_release_only_when_given(tmp_path):
    plain = batch.Options(out=tmp_path)
    assert "release" not in plain.settings  # gradebooks from before --release stay unchanged
    assert batch.Options(out=tmp_path, release="v4").settings != plain.settings
    assert batch.Options(out=tmp_path, release="v4").settings != \
        batch.Options(out=tmp_path, release="v8").settings
