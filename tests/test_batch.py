"""Batch grading on the TOY assignment: exports, resume, regrade, identity, hostile files."""
from __future__ import annotations

import csv
import re
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import nbformat
import pytest

from conftest import edited
from grader import batch, cli, dashboard, exports, report
from grader.gradebook import FILENAME, Gradebook, export_name
from grader.pipeline import grade_notebook

AFFINE = "Z = np.dot(W, A) + b"


class Recorder:
    """A batch reporter that remembers what was graded and can simulate Ctrl-C."""

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.graded: list[str] = []
        self.total = self.unchanged = None
        self.interrupt_after = interrupt_after

    def start(self, total: int, unchanged: int) -> None:
        self.total, self.unchanged = total, unchanged

    def advance(self, outcome, done: int) -> None:
        self.graded.append(outcome.found.path.name)
        if self.interrupt_after is not None and done >= self.interrupt_after:
            raise KeyboardInterrupt

    def finish(self) -> None:
        pass


@pytest.fixture
def subs(use_toy):
    return use_toy / "fixtures" / "TOY" / "submissions"


@pytest.fixture
def classroom(subs, tmp_path) -> Path:
    """A class folder: full marks, a bug, a stub, a non-notebook, and a checkpoint to ignore."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice_hw1.ipynb").write_bytes((subs / "reference.ipynb").read_bytes())
    edited(subs / "reference.ipynb", folder / "bob_hw1.ipynb", "affine", AFFINE, "Z = np.dot(W, A)")
    (folder / "carol-hw1.ipynb").write_bytes((subs / "stub.ipynb").read_bytes())
    (folder / "erin_hw1.ipynb").write_text("{not json")
    (folder / "notes.txt").write_text("not a submission")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "alice_hw1-checkpoint.ipynb").write_text("{}")
    return folder


def grade(folder, out, pool, reporter=None, **options):
    reporter = reporter or Recorder()
    summary = batch.run([str(folder)], batch.Options(out=out, jobs=2, **options), pool=pool,
                        reporter=reporter)
    return summary, reporter


def read_csv(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as stream:
        return {row["student"]: row for row in csv.DictReader(stream)}


def graded_at(out: Path) -> dict[str, str]:
    with sqlite3.connect(out / FILENAME) as db:
        return dict(db.execute("SELECT display, graded_at || sha256 FROM submissions"))


def exported(out: Path, submission: Path, relative: str | None = None) -> Path:
    """The export folder of ``submission`` (a file of the folder graded, else at ``relative``)."""
    return out / "submissions" / export_name(str(submission), relative or submission.name)


def no_temp_files(out: Path) -> bool:
    return not [p for p in out.rglob("*") if p.name.endswith(exports.TEMP_SUFFIX)]


def test_batch_exports_agree_with_single_file_grading(classroom, tmp_path, pool):
    out = tmp_path / "out"
    summary, recorder = grade(classroom, out, pool)
    assert sorted(recorder.graded) == ["alice_hw1.ipynb", "bob_hw1.ipynb", "carol-hw1.ipynb",
                                       "erin_hw1.ipynb"]
    assert summary.graded == 3 and [d for d, _ in summary.rejected] == [
        str(classroom / "erin_hw1.ipynb")]
    rows = read_csv(out)
    assert list(rows) == ["alice", "bob", "carol", "erin"]
    for student in ("alice", "bob", "carol"):
        path = next(classroom.glob(f"{student}*.ipynb"))
        single = grade_notebook(path, pool)
        row = rows[student]
        assert float(row["total"]) == single.score and float(row["max_score"]) == 15
        assert {f.name: f.score for f in single.functions} == {
            "affine": float(row["affine"]), "layer": float(row["layer"])}
        folder = exported(out, path)
        stored = json.loads((folder / "results.json").read_text())
        expected = report.gradescope(single)
        assert stored["tests"] == expected["tests"] and stored["score"] == expected["score"]
        assert stored["extra_data"]["student"] == student
        page = (folder / "feedback.html").read_text()
        assert "<script" not in page and "<link" not in page and "http" not in page
        for f in single.functions:
            assert f'id="fn-{f.name}"' in page and f.status in page
    assert rows["bob"]["affine"] == "0" and rows["bob"]["layer"] == "5"
    bob_page = (exported(out, classroom / "bob_hw1.ipynb") / "feedback.html").read_text()
    assert "wrong values" in bob_page and "hint:" in bob_page and "W times A plus b" in bob_page
    assert rows["erin"]["status"] == "not graded" and "not valid JSON" in rows["erin"]["note"]
    erin = exported(out, classroom / "erin_hw1.ipynb") / "results.json"
    erin = json.loads(erin.read_text())
    assert erin["score"] == 0 and "not valid JSON" in erin["output"]
    assert no_temp_files(out)


def test_rerun_grades_nothing_unchanged(classroom, tmp_path, pool):
    out = tmp_path / "out"
    grade(classroom, out, pool)
    before = graded_at(out)
    csv_before = (out / "grades.csv").read_text()
    summary, recorder = grade(classroom, out, pool)
    assert recorder.graded == [] and summary.unchanged == 4 and summary.graded == 0
    assert graded_at(out) == before and (out / "grades.csv").read_text() == csv_before


def test_interrupted_run_resumes_without_regrading(classroom, tmp_path, pool):
    out = tmp_path / "out"
    summary, first = grade(classroom, out, pool, Recorder(interrupt_after=2))
    assert summary.interrupted and len(first.graded) == 2
    with Gradebook(out) as book:
        assert len(list(book.summaries_with_scores())) == 2  # in-flight ones were not recorded
    assert len(read_csv(out)) == 2 and no_temp_files(out)
    summary, second = grade(classroom, out, pool)
    assert not summary.interrupted and summary.unchanged == 2
    assert sorted(first.graded + second.graded) == sorted(
        ["alice_hw1.ipynb", "bob_hw1.ipynb", "carol-hw1.ipynb", "erin_hw1.ipynb"])
    assert list(read_csv(out)) == ["alice", "bob", "carol", "erin"]


def test_edited_submission_is_regraded(classroom, subs, tmp_path, pool):
    out = tmp_path / "out"
    grade(classroom, out, pool)
    assert read_csv(out)["bob"]["total"] == "5"
    (classroom / "bob_hw1.ipynb").write_bytes((subs / "reference.ipynb").read_bytes())
    summary, recorder = grade(classroom, out, pool)
    assert recorder.graded == ["bob_hw1.ipynb"] and summary.unchanged == 3
    assert read_csv(out)["bob"]["total"] == "15"
    page = (exported(out, classroom / "bob_hw1.ipynb") / "feedback.html").read_text()
    assert "15 / 15" in page and "wrong values" not in page


def test_regrade_grades_everything_again(classroom, tmp_path, pool):
    out = tmp_path / "out"
    grade(classroom, out, pool)
    summary, recorder = grade(classroom, out, pool, regrade=True)
    assert len(recorder.graded) == 4 and summary.unchanged == 0


def test_changed_timeout_regrades(classroom, tmp_path, pool):
    out = tmp_path / "out"
    grade(classroom, out, pool)
    _, recorder = grade(classroom, out, pool, timeout=2.0)
    assert len(recorder.graded) == 4


def test_duplicate_student_is_reported(classroom, subs, tmp_path, pool):
    late = classroom / "alice-late.ipynb"
    edited(subs / "reference.ipynb", late, "affine", AFFINE, "Z = np.dot(W, A)")
    os.utime(late, (time.time() + 60, time.time() + 60))  # the newest file counts
    out = tmp_path / "out"
    summary, _ = grade(classroom, out, pool)
    [duplicate] = summary.duplicates
    assert duplicate.student == "alice" and duplicate.kept.endswith("alice-late.ipynb")
    assert [Path(o).name for o in duplicate.others] == ["alice_hw1.ipynb"]
    row = read_csv(out)["alice"]
    assert row["total"] == "5" and "duplicate: also" in row["note"]
    text = printed(summary)
    assert "duplicate students (1)" in text and "alice" in text


def test_unreadable_and_broken_files_are_reported_and_skipped(classroom, tmp_path, pool):
    (classroom / "dave_hw1.ipynb").symlink_to(tmp_path / "missing-target.ipynb")
    (classroom / "fred_hw1.ipynb").write_bytes(b"\xff\xfe\x00garbage")
    (classroom / "gina_hw1.ipynb").write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5, '
                                              '"metadata": {"dnn_grader": {"assignment": "NOPE"}}}')
    out = tmp_path / "out"
    summary, _ = grade(classroom, out, pool)
    assert summary.graded == 3
    messages = {Path(d).name: m for d, m in summary.rejected}
    assert "a symbolic link; not followed" in messages["dave_hw1.ipynb"]
    assert "UTF-8" in messages["fred_hw1.ipynb"]
    assert "unknown assignment 'NOPE'" in messages["gina_hw1.ipynb"]
    rows = read_csv(out)
    assert {rows[s]["status"] for s in ("dave", "fred", "gina", "erin")} == {"not graded"}
    assert "not graded (4)" in printed(summary)
    _, again = grade(classroom, out, pool)
    assert again.graded == ["dave_hw1.ipynb"]  # no hash for an unreadable file: always retried


def test_student_from_metadata_pattern_and_escaping(subs, tmp_path, pool):
    folder = tmp_path / "class"
    (folder / "x9").mkdir(parents=True)
    nb = nbformat.read(subs / "reference.ipynb", as_version=4)
    nb.metadata["dnn_grader"]["student"] = "=HYPERLINK(\"x\") <img src=x onerror=alert(1)>"
    nbformat.write(nb, folder / "x9" / "hw.ipynb")
    (folder / "y7").mkdir()
    (folder / "y7" / "hw.ipynb").write_bytes((subs / "stub.ipynb").read_bytes())
    out = tmp_path / "out"
    grade(folder, out, pool, student_pattern=r"^(?P<student>[^/]+)/", student_from="metadata")
    rows = read_csv(out)
    assert set(rows) == {"'=HYPERLINK(\"x\") <img src=x onerror=alert(1)>", "y7"}
    page = exported(out, folder / "x9" / "hw.ipynb", "x9/hw.ipynb") / "feedback.html"
    page = page.read_text()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    summary, recorder = grade(folder, out, pool, student_pattern=r"^(?P<student>[^/]+)/")
    assert recorder.graded == [] and set(read_csv(out)) == {"x9", "y7"}


def test_atomic_write_never_leaves_a_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "grades.csv"
    exports.atomic_write(target, "old\n")

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(exports.os, "replace", crash)
    with pytest.raises(OSError):
        exports.atomic_write(target, "new\n" * 1000)
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["grades.csv"]
    monkeypatch.undo()
    (tmp_path / ".grades.csv.abc123.tmp").write_text("half")  # left by a kill -9
    assert exports.remove_stale_temps(tmp_path) == 1
    assert os.listdir(tmp_path) == ["grades.csv"]


def test_a_file_written_piece_by_piece_replaces_the_old_one_only_once_complete(tmp_path):
    target = tmp_path / "index.html"
    exports.atomic_write(target, "old\n")
    with pytest.raises(RuntimeError):
        with exports.atomic_file(target) as stream:
            stream.write("new, half")
            assert target.read_text() == "old\n"  # readers still see the old file
            raise RuntimeError("the gradebook could not be read")
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["index.html"]
    with exports.atomic_file(target) as stream:
        stream.writelines(["new\r\n", "é\n"])
    assert target.read_bytes() == "new\r\né\n".encode() and os.stat(target).st_mode & 0o777 == 0o644


def test_cli_batch_mode_and_single_file_unchanged(classroom, subs, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main([str(classroom), "--out", str(out), "--jobs", "1"]) == 0
    printed_out = capsys.readouterr().out
    assert "3 graded, 1 not gradable" in printed_out and "slowest:" in printed_out
    assert (out / "grades.csv").is_file()
    assert cli.main([str(classroom / "*.ipynb"), "--out", str(out)]) == 0  # quoted glob
    assert "4 unchanged" in capsys.readouterr().out
    assert cli.main([str(classroom), "--out", str(out), "--output", "x.json"]) == 1
    assert cli.main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "o2")]) == 1
    assert "no such file or folder" in capsys.readouterr().out
    assert cli.main([str(subs / "reference.ipynb"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 15


def test_kill_9_loses_only_submissions_in_flight(classroom, subs, use_toy, tmp_path, pool):
    """A real `grade` process killed with SIGKILL mid-batch; the next run resumes."""
    slow = ("hana", "ivan", "jack", "kate", "liam", "mona")
    for name in slow:  # slow: each times out after 1 s
        edited(subs / "reference.ipynb", classroom / f"{name}_hw1.ipynb", "layer",
               "A_out = sigmoid(Z)", "while True:\n        pass")
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from grader import spec
        root = Path({str(use_toy)!r})
        spec.use_courses([root])
        from grader import cli
        sys.exit(cli.main([{str(classroom)!r}, "--out", {str(out)!r}, "--jobs", "1",
                           "--timeout", "1"]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and recorded(out) < 1 and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the batch finished before it could be killed"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the grade process and its zygotes
        except ProcessLookupError:
            pass
        proc.wait()
    total = 4 + len(slow)
    done = recorded(out)
    assert 1 <= done < total
    with sqlite3.connect(out / FILENAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    summary, recorder = grade(classroom, out, pool, timeout=1.0)
    assert summary.unchanged == done and len(recorder.graded) == total - done
    assert len(read_csv(out)) == total and no_temp_files(out)


def recorded(out: Path) -> int:
    try:
        with sqlite3.connect(f"file:{out / FILENAME}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.Error:
        return 0


def printed(summary) -> str:
    import io
    stream = io.StringIO()
    batch.print_summary(summary, stream)
    return stream.getvalue()


def test_student_code_cannot_see_the_output_or_other_input_folders(subs, tmp_path, pool):
    """Beyond the submission's own folder (hidden by the pipeline), a batch hides its output
    folder (gradebook, classmates' feedback) and the other folders it grades."""
    first, second, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    first.mkdir()
    second.mkdir()
    (second / "zoe_hw1.ipynb").write_bytes((subs / "reference.ipynb").read_bytes())
    out.mkdir()
    (out / "secret.txt").write_text("other students' grades")
    probe = (f"import os\n    seen = [p for p in ({str(out / 'secret.txt')!r}, "
             f"{str(second / 'zoe_hw1.ipynb')!r}) if os.path.exists(p)]\n"
             "    Z = np.dot(W, A) + b + len(seen)")
    edited(subs / "reference.ipynb", first / "yan_hw1.ipynb", "affine", AFFINE, probe)
    batch.run([str(first), str(second)], batch.Options(out=out, jobs=2), pool=pool,
              reporter=Recorder())
    with Gradebook(out) as book:
        yan = next(r for r in book.records() if r.student == "yan").result
    if "allowlist-root" not in yan.isolation:
        pytest.skip("this system cannot hide paths from workers")
    assert {f.name: f.status for f in yan.functions} == {"affine": "passed", "layer": "passed"}


def test_summaries_come_with_their_function_scores_in_path_order(tmp_path):
    with Gradebook(tmp_path) as book:
        put(book, "/c", "/c", "TOY", [("g", 1.0), ("f", 0.0)])  # notebook order: g before f
        put(book, "/a", "/a", "TOY", [("f", 1.0)])
        put(book, "/b", "/b", "TOY")  # rejected: no function rows
        put(book, "/a", "/a", "TOY", [("f", 0.5), ("g", 1.0)])  # graded again: the new rows only
        streamed = [(s["path"], functions) for s, functions in book.summaries_with_scores()]
    assert streamed == [("/a", (("f", 0.5, 1.0), ("g", 1.0, 1.0))), ("/b", ()),
                        ("/c", (("g", 1.0, 1.0), ("f", 0.0, 1.0)))]
    assert streamed[0][1][0][0] is streamed[2][1][1][0]  # one "f" for every submission


def put(book: Gradebook, path: str, student: str, assignment: str | None, scores=(),
        mtime: float = 0.0) -> None:
    """Record a submission straight into ``book``: graded with ``scores`` (function, points
    out of 1), else rejected."""
    from grader.gradebook import Record
    from grader.results import FunctionResult, SubmissionResult
    functions = [FunctionResult(name, score, 1.0, "passed" if score else "failed",
                                mistake="" if score else "off_by_one") for name, score in scores]
    result = SubmissionResult(path, assignment or "", "Toy", functions) if functions else None
    book.record(Record(
        path=path, display=path.strip("/"), export_name=export_name(path, path.strip("/")),
        student=student, student_source="name", meta_student=None, assignment=assignment,
        sha256="0", grader_version="0", settings="{}", status="graded" if result else "rejected",
        message="" if result else "cannot be read", score=result and result.score,
        max_score=result and result.max_score, seconds=0.1, mtime=mtime, graded_at="now",
        report=json.dumps(result.to_dict()) if result else None), result)


def export_class(out: Path) -> list[exports.Duplicate]:
    """grades.csv and index.html of the gradebook in ``out``, as a batch writes them."""
    with Gradebook(out) as book:
        def rows():
            return (batch._row(*each) for each in book.summaries_with_scores("student"))
        with exports.atomic_file(out / exports.CSV_NAME) as stream:
            duplicates = exports.grades_csv(rows, stream)
        dashboard.write(out, book)
    return duplicates


def test_exports_pick_one_file_per_student_and_assignment_from_the_streamed_gradebook(tmp_path):
    """Files of one student need not be next to each other in path order (names differing in
    case sort apart, two assignments, older and newer files): each student still gets one
    line, the counted file of each assignment, and every other file is a duplicate."""
    with Gradebook(tmp_path) as book:
        put(book, "/1", "ann", "A1", [("f", 0.0)], mtime=1)
        put(book, "/2", "Ann", "A1", [("f", 1.0)])
        put(book, "/3", "ann", "A2", [("g", 1.0)])
        put(book, "/4", "ann", "A1", [("f", 1.0)], mtime=2)  # newest graded file of A1: counted
        put(book, "/5", "ann", "A1", mtime=3)                # newer but not graded
        put(book, "/6", "bob", None)                         # nothing gradable
        put(book, "/7", "Ann", "A1", [("f", 0.0)], mtime=1)  # Ann's newer file
    duplicates = export_class(tmp_path)
    assert [(d.student, d.assignment, d.kept, sorted(d.others)) for d in duplicates] == [
        ("Ann", "A1", "7", ["2"]), ("ann", "A1", "4", ["1", "5"])]
    with open(tmp_path / exports.CSV_NAME, newline="") as f:
        lines = {row["student"]: row for row in csv.DictReader(f)}
    assert list(lines) == ["Ann", "ann", "bob"]  # code point order, one line each
    assert (lines["ann"]["A1:f"], lines["ann"]["A2:g"], lines["ann"]["total"]) == ("1", "1", "2")
    assert (lines["Ann"]["A1:f"], lines["Ann"]["status"]) == ("0", "graded")
    assert lines["ann"]["submission"] == "4; 3" and "duplicate: also 1, 5" in lines["ann"]["note"]
    assert lines["bob"]["status"] == "not graded"
    page = (tmp_path / dashboard.INDEX_NAME).read_text()
    students = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td>([^<]*)</td>', page)
    assert students == [("Ann", "A1"), ("ann", "A1"), ("ann", "A2"), ("bob", "")]
    assert "2 student(s) handed in several files" in page
    assert "3 student(s), 3 graded submission(s), 1 not graded" in page


def test_the_class_exports_hold_one_student_at_a_time(tmp_path):
    """Writing grades.csv and the dashboard streams the gradebook: the memory they use does
    not grow with the class (holding every submission would cost kilobytes each)."""
    peaks = {}
    for size in (500, 2500):
        out = tmp_path / str(size)
        out.mkdir()
        with Gradebook(out) as book:
            for i in range(size):
                scores = [(name, float((i + k) % 3 == 0)) for k, name in enumerate("fgh")]
                put(book, f"/{i:05d}", f"student{i % (size - 7):05d}", "A1", scores, mtime=i)
        tracemalloc.start()
        try:
            export_class(out)
            peaks[size] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (peaks[2500] - peaks[500]) / 2000 < 100, peaks  # bytes per more submission


def test_each_notebook_is_decoded_once(classroom, tmp_path, pool, monkeypatch):
    """The text read for the student's name in metadata is the text graded: decoded once."""
    texts = {p.read_text() for p in classroom.glob("*.ipynb")}
    decoded: list[str] = []
    real = json.loads

    def counting(text, *args, **kwargs):
        if text in texts:
            decoded.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    summary, _ = grade(classroom, tmp_path / "out", pool)
    assert summary.graded == 3 and len(summary.rejected) == 1
    assert sorted(decoded) == sorted(texts)  # the one that is not JSON is tried once too


def test_hidden_paths_hide_the_real_folder_unless_workers_need_it(tmp_path, use_toy):
    from grader import pipeline, spec

    assignment = spec.load("TOY")
    real = tmp_path / "class"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real)
    (real / "a.ipynb").write_text("{}")
    hidden = pipeline.hidden_paths(tmp_path / "linked" / "a.ipynb", assignment)
    assert hidden[-1] == str(real) and set(hidden[:-1]) == {str(p) for p in spec.secret_dirs()}
    needed = assignment.directory.parent  # a folder workers read: only the file is hidden
    inside = needed / "a.ipynb"
    assert pipeline.hidden_paths(inside, assignment)[-1] == os.path.realpath(inside)
    assert pipeline.hideable(real) and not pipeline.hideable(needed)
    (tmp_path / "to-course").symlink_to(needed)
    assert not pipeline.hideable(tmp_path / "to-course")  # judged by where it leads
