"""The batch gradebook: an embedded SQLite database in the output folder.

    <out>/gradebook.sqlite
        submissions  one row per submission file (identity, content hash, verdict, full report)
        results      one row per submission × graded function (score, status, message, ...)

Every submission is recorded in ONE transaction (its row and all its function rows), so a
run killed at any moment leaves either the whole submission or nothing. The database runs in
WAL mode: a killed process never corrupts it, and a commit does not wait for the disk.
Only the thread that opened a Gradebook may use it (batch grading records from its main thread).
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from grader import report

from grader.results import CaseResult, FunctionResult, SubmissionResult

FILENAME = "gradebook.sqlite"
SCHEMA_VERSION = "1"  # bump (and migrate) when a table changes
GRADED, REJECTED = "graded", "rejected"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    path           TEXT PRIMARY KEY,   -- absolute path of the submission file
    display        TEXT NOT NULL,      -- path as found (relative to the folder given)
    export_name    TEXT NOT NULL UNIQUE,  -- folder name of its exports under submissions/
    student        TEXT NOT NULL,
    student_source TEXT NOT NULL,      -- 'metadata', 'name' (pattern) or 'file' (no match)
    meta_student   TEXT,               -- metadata.dnn_grader.student of the file, if any
    assignment     TEXT,
    sha256         TEXT,               -- of the file bytes; NULL when the file was unreadable
    grader_version TEXT NOT NULL,
    settings       TEXT NOT NULL,      -- options that change grades (--assignment, --release...)
    status         TEXT NOT NULL,      -- 'graded' or 'rejected' (could not be graded)
    message        TEXT NOT NULL,      -- why it was rejected ('' when graded)
    score          REAL,
    max_score      REAL,
    seconds        REAL NOT NULL,      -- wall time spent grading it
    mtime          REAL,               -- file modification time (newest wins for duplicates)
    graded_at      TEXT NOT NULL,
    report         TEXT,               -- SubmissionResult as JSON (for the exports)
    release        TEXT,               -- course release it was graded as (NULL: not graded)
    release_note   TEXT                -- why that release may be doubtful ('' when sure)
);
CREATE TABLE IF NOT EXISTS results (
    path           TEXT NOT NULL REFERENCES submissions(path) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    function       TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    status         TEXT NOT NULL,
    message        TEXT NOT NULL,
    seconds        REAL NOT NULL,
    sha256         TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    PRIMARY KEY (path, function)
);
CREATE INDEX IF NOT EXISTS submissions_student ON submissions (student);
"""
# columns added to ``submissions`` after gradebooks were first written: added to an older
# gradebook when it is opened (filled from the stored reports), no schema version bump needed
ADDED_COLUMNS = {"release": "TEXT", "release_note": "TEXT"}


@dataclass
class Record:
    """One submission as the gradebook keeps it."""

    path: str
    display: str
    export_name: str
    student: str
    student_source: str
    meta_student: str | None
    assignment: str | None
    sha256: str | None
    grader_version: str
    settings: str
    status: str
    message: str
    score: float | None
    max_score: float | None
    seconds: float
    mtime: float | None
    graded_at: str
    report: str | None
    release: str | None = None
    release_note: str | None = None

    @property
    def result(self) -> SubmissionResult | None:
        """The full SubmissionResult of a graded submission."""
        return result_from_dict(json.loads(self.report)) if self.report else None


class Gradebook:
    """The SQLite gradebook of one output folder."""

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / FILENAME
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.create_function("casefold", 1, _casefold, deterministic=True)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        stored = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        if stored != SCHEMA_VERSION:
            self._db.close()
            raise sqlite3.DatabaseError(f"{self.path} has gradebook schema {stored}, this grader "
                                        f"uses {SCHEMA_VERSION}; use another output folder")
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Bring a gradebook written before ADDED_COLUMNS existed up to date, in one
        transaction: add the columns, and fill the release of graded rows from their report."""
        if not self._missing_columns():
            return
        with self._transaction():  # checked again: another process may have just added them
            for name, kind in self._missing_columns().items():
                self._db.execute(f"ALTER TABLE submissions ADD COLUMN {name} {kind}")
            rows = self._db.execute("SELECT path, report FROM submissions "
                                    "WHERE report IS NOT NULL").fetchall()
            for row in rows:
                try:
                    data = json.loads(row["report"])
                except ValueError:
                    continue
                if isinstance(data, dict):
                    self._db.execute(
                        "UPDATE submissions SET release = ?, release_note = ? WHERE path = ?",
                        (str(data.get("release") or "") or None,
                         str(data.get("release_note") or ""), row["path"]))

    def _missing_columns(self) -> dict[str, str]:
        present = {row["name"] for row in self._db.execute("PRAGMA table_info(submissions)")}
        return {name: kind for name, kind in ADDED_COLUMNS.items() if name not in present}

    # ---------------------------------------------------------------- reading

    def get(self, path: str) -> Record | None:
        row = self._db.execute("SELECT * FROM submissions WHERE path = ?", (path,)).fetchone()
        return Record(**dict(row)) if row else None

    def fingerprints(self) -> dict[str, tuple[str | None, str, str]]:
        """(sha256, grader_version, settings) of every recorded submission, by path."""
        rows = self._db.execute("SELECT path, sha256, grader_version, settings FROM submissions")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def records(self, order: str = "path") -> Iterator[Record]:
        """Every recorded submission in ``order`` (an ORDERS key), streamed one row at a time."""
        for row in self._db.execute(f"SELECT * FROM submissions ORDER BY {_order(order)}"):
            yield Record(**dict(row))

    def summaries_with_scores(self, order: str = "path") -> Iterator[tuple[sqlite3.Row, tuple]]:
        """Each submission without its report (for the gradebook CSV and duplicates), in
        ``order`` (an ORDERS key), with its functions' (name, score, max_score) in notebook
        order: both tables read in that order side by side, one row at a time (memory does not
        grow with the class)."""
        scores = self._db.execute(
            "SELECT r.path, r.function, r.score, r.max_score FROM results r "
            f"JOIN submissions s ON s.path = r.path ORDER BY {_order(order, 's.')}, r.position")
        pending = scores.fetchone()
        names: dict[str, str] = {}  # one string per function name, however many submissions
        for summary in self._db.execute(
                "SELECT path, display, export_name, student, student_source, meta_student, "
                "assignment, status, message, score, max_score, mtime, release, release_note "
                f"FROM submissions ORDER BY {_order(order)}"):
            path, functions = summary["path"], []
            while pending is not None and pending[0] == path:  # results rows: of a submission
                functions.append((names.setdefault(pending[1], pending[1]), *pending[2:]))
                pending = scores.fetchone()
            yield summary, tuple(functions)

    # ---------------------------------------------------------------- writing

    def record(self, record: Record, result: SubmissionResult | None) -> None:
        """Store one submission and its function rows atomically (replacing older rows);
        student-derived texts are capped (``report.capped``)."""
        record = replace(record, message=report.clip(record.message))
        result = report.capped(result) if result is not None else None
        with self._transaction():
            self._db.execute("DELETE FROM submissions WHERE path = ?", (record.path,))
            columns = list(record.__dict__)
            self._db.execute(
                f"INSERT INTO submissions ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})", tuple(record.__dict__.values()))
            if result is not None:
                self._db.executemany(
                    "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(record.path, i, f.name, f.score, f.max_score, f.status, f.message,
                      f.seconds, record.sha256 or "", record.grader_version)
                     for i, f in enumerate(result.functions)])

    def update_identity(self, path: str, student: str, source: str, display: str) -> None:
        """Change who an unchanged submission belongs to (naming options changed)."""
        with self._transaction():
            self._db.execute("UPDATE submissions SET student = ?, student_source = ?, display = ? "
                             "WHERE path = ?", (student, source, display, path))

    def status_counts(self) -> dict[str, int]:
        """How many graded functions have each status, over the whole gradebook."""
        return dict(self._db.execute("SELECT status, COUNT(*) FROM results GROUP BY status"))

    def close(self) -> None:
        self._db.close()

    def _transaction(self):
        return _Transaction(self._db)

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# the orders submissions can be read in: by path; by student then assignment (a missing one
# first), as grades.csv lists them; by name as people read it (case folded first)
ORDERS = {"path": "{t}path", "student": "{t}student, {t}assignment, {t}path",
          "name": "casefold({t}student), {t}student, {t}assignment, {t}path"}


def _order(order: str, table: str = "") -> str:
    return ORDERS[order].format(t=table)


def _casefold(text: object) -> object:
    return text.casefold() if isinstance(text, str) else text


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (KeyboardInterrupt too)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *exc) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def result_from_dict(data: dict) -> SubmissionResult:
    """Rebuild a SubmissionResult from ``SubmissionResult.to_dict()``."""
    functions = [FunctionResult(**{**f, "cases": [CaseResult(**c) for c in f["cases"]]})
                 for f in data["functions"]]
    return SubmissionResult(data["path"], data["assignment"], data["title"], functions,
                            list(data.get("warnings", [])), list(data.get("isolation", [])),
                            **{k: str(data.get(k, "")) for k in
                               ("release", "release_title", "release_note", "lang")})


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+|\.{2,}")


def safe_name(text: str, limit: int = 60) -> str:
    """A readable file-system-safe name from ``text``: only ``[A-Za-z0-9._-]``, no ``..``, not
    starting or ending with ``.``, ``_`` or ``-``, at most ``limit`` characters."""
    return _UNSAFE.sub("_", text)[:limit].strip("._-") or "submission"


def export_name(path: str, relative: str) -> str:
    """The export folder name of the submission recorded as ``path`` (its absolute path, the
    gradebook key): the readable ``relative`` path (without .ipynb) and a hash of ``path``, so
    it is the same on every run and never shared by two submissions."""
    stem = relative[: -len(".ipynb")] if relative.endswith(".ipynb") else relative
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{safe_name(stem.replace('/', '__'))}-{digest}"
