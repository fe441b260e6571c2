"""Red-team batch inputs: special files, symbolic links, markup and escapes in names, identity
claims in metadata, spreadsheet formulas, colliding export names and oversized reports."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
from pathlib import Path

import nbformat
import pytest
from rich.console import Console

from grader import batch, cli, exports, gradebook, notebook, report
from grader.results import CaseResult, FunctionResult, SubmissionResult
from test_batch import Recorder, grade, printed, read_csv

FORMULA_START = ("=", "+", "-", "@")
SAFE_EXPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@pytest.fixture
def reference(use_toy) -> Path:
    """The full-marks TOY notebook."""
    return use_toy / "fixtures" / "TOY" / "submissions" / "reference.ipynb"


@pytest.fixture
def folder(reference, tmp_path) -> Path:
    """A class folder holding one honest submission."""
    path = tmp_path / "class"
    path.mkdir()
    (path / "alice_hw1.ipynb").write_bytes(reference.read_bytes())
    return path


def finishes(action, fifos: list[Path], seconds: float = 60):
    """``action()``'s value, failing (instead of hanging) when it blocks on one of ``fifos``."""
    done: dict[str, object] = {}
    thread = threading.Thread(target=lambda: done.update(value=action()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:  # give a blocked reader a writer, then EOF, so the test run can end
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        thread.join(seconds)
        pytest.fail(f"still running after {seconds}s: blocked on a FIFO")
    return done["value"]


# ----------------------------------------------------------------------------- reading input

def test_fifos_and_symlinks_in_the_folder_are_refused_not_followed(folder, reference, tmp_path,
                                                                   pool):
    fifo = folder / "x.ipynb"
    os.mkfifo(fifo)
    (folder / "bob_hw1.ipynb").symlink_to(reference)  # a full-marks notebook elsewhere
    os.mkfifo(tmp_path / "pipe")
    (folder / "carl_hw1.ipynb").symlink_to(tmp_path / "pipe")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "dora_hw1.ipynb").write_bytes(reference.read_bytes())
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    out = tmp_path / "out"
    summary, _ = finishes(lambda: grade(folder, out, pool), [fifo, tmp_path / "pipe"])
    messages = {Path(d).name: m for d, m in summary.rejected}
    assert "not a regular file (a FIFO)" in messages["x.ipynb"]
    assert "a symbolic link; not followed" in messages["bob_hw1.ipynb"]
    assert "a symbolic link; not followed" in messages["carl_hw1.ipynb"]
    assert summary.graded == 1 and "dora_hw1.ipynb" not in messages
    assert any("linked: a symbolic link to a folder; not followed" in p for p in summary.problems)
    rows = read_csv(out)
    assert set(rows) == {"alice", "bob", "carl", "x"} and rows["alice"]["total"] == "15"
    assert rows["bob"]["status"] == "not graded" and rows["bob"]["total"] == "0"
    assert "symbolic link; not followed" in rows["bob"]["note"]
    text = printed(summary)
    assert "not graded (3)" in text and "a symbolic link to a folder; not followed" in text


def test_globs_do_not_follow_symlinks_to_files_or_through_folders(folder, reference, tmp_path,
                                                                  pool):
    (folder / "bob_hw1.ipynb").symlink_to(reference)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "dora_hw1.ipynb").write_bytes(reference.read_bytes())
    (folder / "sub").mkdir()
    (folder / "sub" / "erin_hw1.ipynb").write_bytes(reference.read_bytes())
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    out = tmp_path / "out"
    summary = batch.run([str(folder / "*.ipynb"), str(folder / "*" / "*.ipynb")],
                        batch.Options(out=out, jobs=2), pool=pool, reporter=Recorder())
    messages = {Path(d).name: m for d, m in summary.rejected}
    assert "a symbolic link; not followed" in messages["bob_hw1.ipynb"]
    assert "'linked', a symbolic link to a folder; not followed" in messages["dora_hw1.ipynb"]
    assert summary.graded == 2  # alice, and erin in a real sub-folder
    assert {s: r["status"] for s, r in read_csv(out).items()} == {
        "alice": "graded", "erin": "graded", "bob": "not graded", "dora": "not graded"}


def test_read_submission_refuses_devices_links_and_oversized_files(folder, tmp_path):
    (folder / "zero.ipynb").symlink_to("/dev/zero")
    with pytest.raises(notebook.Unreadable, match="a symbolic link; not followed"):
        notebook.read_submission(folder / "zero.ipynb", folder)
    with pytest.raises(notebook.Unreadable, match=r"not a regular file \(a character device\)"):
        notebook.read_submission(folder / "zero.ipynb")  # named by the user: followed, then refused
    huge = folder / "huge.ipynb"
    with open(huge, "wb") as stream:
        stream.truncate(notebook.MAX_NOTEBOOK_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(notebook.Unreadable, match="larger than 50 MiB"):
        notebook.read_submission(huge, folder)
    raw, info = notebook.read_submission(folder / "alice_hw1.ipynb", folder)
    assert len(raw) == info.st_size > 0


def test_single_file_grading_refuses_special_files(tmp_path, capsys):
    fifo = tmp_path / "x.ipynb"
    os.mkfifo(fifo)
    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    assert finishes(lambda: cli.main([str(fifo)]), [fifo]) == cli.EXIT_CANNOT_GRADE
    assert cli.main([str(tmp_path / "zero.ipynb")]) == cli.EXIT_CANNOT_GRADE
    err = capsys.readouterr().err
    assert "not a regular file (a FIFO)" in err and "not a regular file (a character device)" in err


def test_single_file_grading_follows_a_symlink_the_user_named(reference, tmp_path, capsys):
    (tmp_path / "mine.ipynb").symlink_to(reference)
    assert cli.main([str(tmp_path / "mine.ipynb"), "--format", "json"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["score"] == 15


# ----------------------------------------------------------------------------- showing names

def hostile_names(folder: Path, reference: Path) -> None:
    """Submissions whose paths hold Rich markup, emoji codes and terminal escape sequences."""
    (folder / "[").mkdir()
    (folder / "[" / "bold]bob_hw1.ipynb").write_bytes(reference.read_bytes())  # '[/bold]bob'
    (folder / "[link=file:::etc]carl_hw1.ipynb").write_bytes(b"{not json")
    (folder / "dan\x1b]0;pwned\x07\x1b[2J_hw1.ipynb").write_bytes(reference.read_bytes())


def test_markup_and_escapes_in_names_on_a_terminal(folder, reference, tmp_path, pool):
    hostile_names(folder, reference)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200)
    out = tmp_path / "out"
    summary = batch.run([str(folder)], batch.Options(out=out, jobs=2), pool=pool,
                        reporter=batch.RichReporter(console))
    assert summary.graded == 3 and len(summary.rejected) == 1
    assert (out / "grades.csv").is_file()
    shown = screen.getvalue()
    assert "\x1b]0;pwned" not in shown and "\x07" not in shown and "\x1b[2J" not in shown
    text = printed(summary)
    assert "[link=file:::etc]carl_hw1.ipynb" in text and "\x1b" not in text
    assert "dan\\x1b]0;pwned\\x07\\x1b[2J_hw1.ipynb" in text
    assert "\x1b" not in (out / "grades.csv").read_text()


def test_log_lines_show_names_as_printable_text(folder, reference, tmp_path, pool):
    hostile_names(folder, reference)
    log = io.StringIO()
    batch.run([str(folder)], batch.Options(out=tmp_path / "out", jobs=2), pool=pool,
              reporter=batch.LogReporter(log))
    lines = log.getvalue().splitlines()
    assert len(lines) == 5 and "\x1b" not in log.getvalue() and "\x07" not in log.getvalue()
    assert any("[/bold]bob_hw1.ipynb" in line for line in lines)


def hostile_result(size: int = 0) -> SubmissionResult:
    """A graded result whose student-derived texts hold markup, escapes, HTML, emoji codes and,
    with ``size``, that many characters of message and output."""
    message = "[/bold] :thumbs_up: <script>alert(1)</script> \x1b[2J" + "m" * size
    case = CaseResult("small", 1.0, False, message)
    function = FunctionResult("affine", 0.0, 10.0, "failed", message, "hint", [case],
                              output=("o" * 500 + "\n") * (size // 500), seconds=0.1)
    warnings = [f"w{i}: {message}" for i in range(1 + size // 100_000)]
    return SubmissionResult("[/bold]x.ipynb", "TOY", "Toy", [function], warnings, ["rlimits"])


def test_table_shows_student_text_literally_and_capped():
    stream = io.StringIO()
    report.print_table(hostile_result(size=20_000), stream)
    shown = stream.getvalue()
    assert "[/bold]x.ipynb" in shown and "[/bold] :thumbs_up: <script>" in shown
    assert "\x1b" not in shown and "\\x1b[2J" in shown and len(shown) < 5 * report.MESSAGE_CHARS


# ----------------------------------------------------------------------------- identity

def test_metadata_cannot_claim_another_students_grade(folder, reference, tmp_path, pool):
    nb = nbformat.read(reference, as_version=4)
    nb.metadata["dnn_grader"]["student"] = "carol"
    nbformat.write(nb, folder / "bob_hw1.ipynb")
    (folder / "carol_hw1.ipynb").write_bytes(b"{not json")
    out = tmp_path / "out"
    summary, _ = grade(folder, out, pool)
    rows = read_csv(out)
    assert rows["bob"]["total"] == "15" and rows["carol"]["status"] == "not graded"
    assert "notebook metadata says student 'carol'" in rows["bob"]["note"]
    assert "notebook metadata says student 'carol'" in printed(summary)
    assert cli.build_parser().parse_args(["x.ipynb"]).student_from == "name"
    grade(folder, out, pool, student_from="metadata")  # explicit: the metadata names the student
    assert read_csv(out)["carol"]["total"] == "15" and "bob" not in read_csv(out)


# ----------------------------------------------------------------------------- output hygiene

def test_no_csv_field_starts_a_formula_even_split_on_semicolons(folder, reference, tmp_path,
                                                                pool):
    nb = nbformat.read(reference, as_version=4)
    nb.metadata["dnn_grader"]["student"] = 'alice;=HYPERLINK("http://x/","y"),+1;\t-2;@SUM(1)'
    nbformat.write(nb, folder / "zed_hw1.ipynb")
    (folder / "bob,=1+1;-cmd_hw1.ipynb").write_bytes(b"{not json;=2")
    (folder / "esc\x1b[31m_hw1.ipynb").write_bytes(reference.read_bytes())
    out = tmp_path / "out"
    grade(folder, out, pool, student_from="metadata")
    text = (out / "grades.csv").read_text()
    with open(out / "grades.csv", newline="") as stream:
        fields = [f for row in csv.reader(stream) for f in row]
    segments = [s for f in fields for s in re.split("[;,]", f)]
    segments += [s for line in text.splitlines() for s in line.split(";")]
    assert len(fields) > 20 and not [s for s in segments
                                     if s.strip().lstrip('"').startswith(FORMULA_START)]
    assert "HYPERLINK" in text and "\x1b" not in text and "esc\\x1b[31m" in text


def test_export_names_are_safe_unique_and_stable(folder, reference, tmp_path, pool):
    for name in ("a b_hw1.ipynb", "a_b_hw1.ipynb", "a-b_hw1.ipynb", "x..y.ipynb", "-x.ipynb"):
        (folder / name).write_bytes(reference.read_bytes())
    (folder / "sub").mkdir()
    (folder / "sub" / "a_b_hw1.ipynb").write_bytes(reference.read_bytes())
    out = tmp_path / "out"
    grade(folder, out, pool)
    first = {p.name: json.loads((p / "results.json").read_text())["extra_data"]["submission"]
             for p in (out / "submissions").iterdir()}
    assert len(first) == 7 and all(SAFE_EXPORT_NAME.fullmatch(n) for n in first)
    assert not [n for n in first if ".." in n]
    for name, display in first.items():  # each folder holds its own submission's feedback
        path = Path(display)
        assert name == gradebook.export_name(str(path), str(path.relative_to(folder)))
    (out / "gradebook.sqlite").unlink()
    for extra in out.glob("gradebook.sqlite-*"):
        extra.unlink()
    grade(folder, out, pool)  # a fresh gradebook grades in another order: same folders
    assert {p.name for p in (out / "submissions").iterdir()} == set(first)


@pytest.mark.parametrize("relative", ["../../etc/passwd", "..", ".bashrc", "a/b/c", "x" * 500,
                                      "ünï cödé", "", "-rf", "a/../../b"])
def test_export_name_is_one_bounded_plain_component(relative):
    name = gradebook.export_name(f"/class/{relative}", relative)
    assert SAFE_EXPORT_NAME.fullmatch(name) and ".." not in name
    assert name == gradebook.export_name(f"/class/{relative}", relative)
    assert name != gradebook.export_name(f"/other/{relative}", relative)
    assert exports.submission_dir(Path("out"), name).parent == Path("out/submissions")


@pytest.mark.parametrize("bad", ["../x", "..", ".git", "a/b", "x" * 101, ""])
def test_submission_dir_refuses_unsafe_names(bad):
    with pytest.raises(ValueError):
        exports.submission_dir(Path("out"), bad)


def test_report_writers_cap_student_text(tmp_path):
    result = hostile_result(size=2 * 2**20)  # 21 warnings of 2 MiB each, far above every cap
    assert len(json.dumps(result.to_dict())) > 40 * 2**20
    gradescope = report.to_json(result)
    folder = exports.write_submission(tmp_path, "x-1", "[/bold]<b>eve</b>", "x.ipynb", result)
    page = (folder / "feedback.html").read_text()
    with gradebook.Gradebook(tmp_path) as book:
        book.record(gradebook.Record(
            path="/x.ipynb", display="x.ipynb", export_name="x-1", student="eve",
            student_source="name", meta_student=None, assignment="TOY", sha256="0",
            grader_version="0", settings="{}", status="graded", message="m" * 2**20, score=0.0,
            max_score=10.0, seconds=0.1, mtime=None, graded_at="now",
            report=json.dumps(report.capped(result).to_dict())), result)
        [row] = book._db.execute("SELECT message FROM results").fetchall()
        stored = book.get("/x.ipynb")
    for text in (gradescope, page, (folder / "results.json").read_text()):
        assert len(text) < 100_000
    assert len(row[0]) < 3000 and len(stored.message) < 3000
    assert "<script" not in page and "&lt;script&gt;" in page and "<b>eve" not in page
    assert "more characters cut" in page and "more warnings" in gradescope


def test_clip_bounds_length_and_lines():
    text = ("y" * 1000 + "\n") * 100
    clipped = report.clip(text)
    assert len(clipped) <= report.MESSAGE_CHARS + 50 and "more characters cut" in clipped
    assert max(len(line) for line in clipped.splitlines()) <= report.LINE_CHARS + 1
    assert report.clip("short\ntext") == "short\ntext"
