"""The instructor's verbs: list, release (the students' bundle), new (an assignment of one's
own in a course folder) and their errors. Gradescope has tests/test_gradescope.py."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from conftest import stream_text
from grader import codec, extract, releases, spec
from grader.cli import instructor

SECRET_FILES = {"spec.toml", "solutions.py", "cases.py", "expected.json", "releases.toml",
                "stand_ins.py", "mistakes.toml", "mistakes.json", "samples.toml"}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = instructor.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ----------------------------------------------------------------------------- list

def test_list_shows_every_assignment_with_functions_points_and_releases(capsys):
    code, out, _ = run(["list", "--format", "json"], capsys)
    assert code == 0
    listed = {item["id"]: item for item in json.loads(out)}
    assert sorted(listed) == spec.available()
    for assignment_id, item in listed.items():
        assignment = spec.load(assignment_id)
        assert item["title"] == assignment.title
        assert item["points"] == assignment.max_score == sum(f["points"] for f in item["functions"])
        assert [f["name"] for f in item["functions"]] == list(assignment.functions)
        assert [r["id"] for r in item["releases"]] == [r.id for r in releases.load(assignment_id)]
    code, table, _ = run(["list"], capsys)
    assert code == 0 and "C1W4A1  Building your Deep Neural Network" in table
    assert "releases: v4, v8, 2021" in table and "L_model_backward" in table


# ----------------------------------------------------------------------------- release

def answer_lines(assignment: spec.Assignment) -> set[str]:
    """Lines students must write (inside the START/END regions of every reference file)."""
    lines = set()
    for path in assignment.reference_dir.glob("solutions*.py"):
        for block in spec.graded_blocks(path.read_text()).values():
            for region in extract.regions(block):
                lines |= {" ".join(l.split()) for l in region
                          if len(l.strip()) >= 12 and not l.strip().startswith("#")}
    return lines


def hidden_numbers(assignment: spec.Assignment) -> set[str]:
    """Eight-digit renderings of the expected values of hidden cases (leaving out those that
    the public cases share, e.g. the first draws after the same seed)."""
    stored = codec.from_plain(json.loads((assignment.fixtures_dir / "expected.json").read_text()))
    public = {case.key for case in assignment.cases() if case.public}
    found: dict[bool, set[str]] = {True: set(), False: set()}
    for key, value in stored.items():
        found[key.split(":")[-1] in public] |= {
            f"{abs(n):.8f}"[:10] for n in _floats(value)[:50] if abs(n) > 1e-3 and n != round(n)}
    return found[False] - found[True]


def _floats(value: object) -> list[float]:
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, (tuple, list)):
        return [f for v in value for f in _floats(v)]
    array = np.asarray(value) if isinstance(value, (np.ndarray, float, np.floating)) else None
    return [] if array is None or array.dtype.kind != "f" else array.ravel().tolist()


@pytest.mark.parametrize("assignment_id", spec.available())
def test_release_bundle_holds_public_material_only(assignment_id, tmp_path, capsys):
    code, out, _ = run(["release", assignment_id, "--out", str(tmp_path), "--zip"], capsys)
    assert code == 0
    assignment = spec.load(assignment_id)
    bundle = tmp_path / assignment_id
    files = sorted(p.relative_to(bundle) for p in bundle.rglob("*") if p.is_file())
    assert Path(assignment.notebook.name) in files
    assert not SECRET_FILES & {p.name for p in files}
    nb = nbformat.read(bundle / assignment.notebook.name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    cells, _ = extract.graded_cells(nb)
    assert sorted(cells) == sorted(assignment.functions)
    for cell in cells.values():  # every student region holds placeholders only
        code = [l.strip() for region in extract.regions(cell.source) for l in region
                if l.strip() and not l.strip().startswith("#")]
        assert all(extract.PLACEHOLDER_RE.match(l) or extract.STUB_RE.match(l) for l in code)
    given = " ".join(nbformat.writes(nb).replace("\\n", "\n").split())  # the course's own text
    answers = {a for a in answer_lines(assignment) if a not in given}
    numbers = hidden_numbers(assignment)
    for path in files:
        text = (bundle / path).read_bytes().decode("utf-8", "replace")
        normalised = " ".join(text.split())
        assert not [a for a in answers if a in normalised], path
        assert not [n for n in numbers if n in text], path
    with zipfile.ZipFile(tmp_path / f"{assignment_id}.zip") as zf:
        assert sorted(zf.namelist()) == sorted(f"{assignment_id}/{p.as_posix()}" for p in files)


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ["C1W4A1", "C2W1A3"])
def test_released_notebook_runs_with_its_public_checks_from_the_bundle_alone(
        assignment_id, tmp_path, capsys):
    assert run(["release", assignment_id, "--out", str(tmp_path)], capsys)[0] == 0
    assignment = spec.load(assignment_id)
    bundle = tmp_path / assignment_id
    nb = nbformat.read(bundle / assignment.notebook.name, as_version=4)
    for cell in nb.cells:  # what a student who solved everything has written
        name = extract.graded_name(cell.source) if cell.cell_type == "code" else None
        if name:
            cell.source = assignment.reference_blocks[name]
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(bundle)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert stream_text(nb).count("All tests passed.") >= len(assignment.functions)


def test_release_refuses_unknown_ids_and_occupied_folders(tmp_path, capsys):
    code, _, err = run(["release", "../reference", "--out", str(tmp_path)], capsys)
    assert code == 1 and "unknown assignment '../reference'" in err
    (tmp_path / "C1W4A1").mkdir()
    (tmp_path / "C1W4A1" / "mine.txt").write_text("keep me")
    code, _, err = run(["release", "C1W4A1", "--out", str(tmp_path)], capsys)
    assert code == 1 and "not empty" in err
    assert (tmp_path / "C1W4A1" / "mine.txt").read_text() == "keep me"


# ----------------------------------------------------------------------------- new / --course

SOLUTION_CELLS = [
    ("markdown", "# Scaling and affine maps\n\nA two-function toy course."),
    ("code", "import numpy as np\nfrom toyhelp import double\n%matplotlib inline"),
    ("code", "# GRADED FUNCTION: scale\n\ndef scale(x, k):\n    \"\"\"k times x.\"\"\"\n"
             "    ### START CODE HERE ### (≈ 1 line of code)\n    y = double(x) * k / 2\n"
             "    ### END CODE HERE ###\n    return y"),
    ("code", "print(scale(np.ones(2), 3))"),
    ("code", "# GRADED FUNCTION: affine\n\ndef affine(W, x, b):\n    \"\"\"W x + b.\"\"\"\n"
             "    ### START CODE HERE ### (≈ 2 lines of code)\n"
             "    z = np.dot(W, scale(x, 1)) + b\n    cache = (W, x, b)\n"
             "    ### END CODE HERE ###\n    return z, cache"),
]
BUILDERS = '''
import numpy as np


def scale_example():
    return (np.arange(4.0).reshape(2, 2), 3.0)


def affine_example():
    rng = np.random.default_rng(1)
    return (rng.standard_normal((3, 2)), rng.standard_normal((2, 4)), rng.standard_normal((3, 1)))
'''


def solution_notebook(folder: Path, cells=SOLUTION_CELLS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) if kind == "markdown"
                else nbformat.v4.new_code_cell(s) for kind, s in cells]
    path = folder / "Toy_Course.ipynb"
    nbformat.write(nb, path)
    (folder / "toyhelp.py").write_text("def double(x):\n    return 2 * x\n")
    (folder / "unused.py").write_text("SECRET = 'not imported by the notebook'\n")
    return path


def grade_json(course: Path, notebook: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "grader.cli.grade", str(notebook), "--course",
                           str(course), "--format", "json"], capture_output=True, text=True,
                          cwd=notebook.parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def toy_course(tmp_path, capsys):
    """A course folder scaffolded by ``dnn-grader new`` whose cases the instructor filled."""
    course = tmp_path / "course"
    solution = solution_notebook(tmp_path / "instructor")
    code, out, err = run(["new", "TOY2", "--from", str(solution), "--course", str(course)],
                         capsys)
    assert code == 0, err
    assert "fill in the inputs" in out
    yield course
    spec.use_courses([])
    spec.load.cache_clear()


def test_new_scaffolds_a_course_that_grades(toy_course, capsys):
    course = toy_course
    student = nbformat.read(course / "assignments" / "TOY2" / "Toy_Course.ipynb", as_version=4)
    assert student.metadata["dnn_grader"] == {"assignment": "TOY2"}
    text = "\n".join(c.source for c in student.cells)
    assert "    y = None" in text and "    z = None\n    cache = None" in text
    assert "double(x) * k / 2" not in text and "np.dot(W, scale(x, 1))" not in text
    assert sorted(p.name for p in (course / "assignments" / "TOY2").iterdir()) == \
        ["Toy_Course.ipynb", "toyhelp.py"]
    skeleton = (course / "reference" / "TOY2" / "spec.toml").read_text()
    assert 'returns = ["z", "cache"]' in skeleton and 'uses = ["scale"]' in skeleton
    assert 'title = "Scaling and affine maps"' in skeleton
    cases = course / "reference" / "TOY2" / "cases.py"
    assert "raise NotImplementedError" in cases.read_text()

    generate = [sys.executable, "-m", "grader.fixtures", "--course", str(course), "TOY2"]
    unfilled = subprocess.run(generate, capture_output=True, text=True)
    assert unfilled.returncode != 0 and "fill in the arguments (x, k)" in unfilled.stderr
    cases.write_text(BUILDERS)
    assert subprocess.run(generate, capture_output=True, text=True).returncode == 0

    subs = course / "fixtures" / "TOY2" / "submissions"
    assert grade_json(course, subs / "reference.ipynb")["score"] == 20
    assert grade_json(course, subs / "stub.ipynb")["score"] == 0
    code, out, _ = run(["list", "--course", str(course), "--format", "json"], capsys)
    listed = {item["id"]: item for item in json.loads(out)}
    assert code == 0 and listed["TOY2"]["points"] == 20 and "C1W4A1" in listed


def test_new_explains_what_is_wrong(tmp_path, capsys):
    plain = solution_notebook(tmp_path / "plain", SOLUTION_CELLS[:2] + [("code", "x = 1")])
    code, _, err = run(["new", "T3", "--from", str(plain), "--course", str(tmp_path / "c")],
                       capsys)
    assert code == 1 and "no graded cells" in err
    no_region = [("code", "# GRADED FUNCTION: f\ndef f(x):\n    return x")]
    path = solution_notebook(tmp_path / "noregion", no_region)
    code, _, err = run(["new", "T3", "--from", str(path), "--course", str(tmp_path / "c")], capsys)
    assert code == 1 and "START CODE HERE" in err
    code, _, err = run(["new", "../x", "--from", str(path)], capsys)
    assert code == 1 and "letters, digits" in err
    code, _, err = run(["new", "T3", "--from", str(tmp_path / "missing.ipynb")], capsys)
    assert code == 1 and "cannot read solution notebook" in err
    assert not (tmp_path / "c").exists()


def test_course_folder_without_spec_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty" / "reference").mkdir(parents=True)
    code, _, err = run(["list", "--course", str(tmp_path / "empty")], capsys)
    assert code == 1 and "has no reference/<ID>/spec.toml" in err
    done = subprocess.run([sys.executable, "-m", "grader.cli.grade", "x.ipynb", "--course",
                           str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert done.returncode == 1 and "does not exist" in done.stderr


def test_course_reference_stays_hidden_from_student_code(toy_course, tmp_path):
    course = toy_course
    (course / "reference" / "TOY2" / "cases.py").write_text(BUILDERS)
    env = dict(os.environ, DNN_GRADER_COURSE=str(course))
    subprocess.run([sys.executable, "-m", "grader.fixtures", "TOY2"], check=True, env=env,
                   capture_output=True)
    nb = nbformat.read(course / "fixtures" / "TOY2" / "submissions" / "reference.ipynb",
                       as_version=4)
    secret = course / "reference" / "TOY2" / "solutions.py"
    for cell in nb.cells:
        if cell.source.startswith("# GRADED FUNCTION: scale"):
            cell.source = re.sub(r"y = double\(x\) \* k / 2",
                                 f"y = double(x) * k / 2 * (1 + len(open({str(secret)!r}).read()))",
                                 cell.source)
    nbformat.write(nb, tmp_path / "hostile.ipynb")
    result = grade_json(course, tmp_path / "hostile.ipynb")
    scale = next(t for t in result["tests"] if t["name"] == "scale")
    assert scale["score"] == 0 and "No such file" in scale["output"]
    shutil.rmtree(course / "fixtures")
