"""`dnn-grader gradescope`: the zip in Gradescope's layout, set up and run in a simulated
Gradescope root, on a reference, a stub, a hostile upload and uploads that cannot be graded."""
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
import pytest

from grader import spec
from grader.cli import instructor

SUBMISSIONS = spec.FIXTURES_DIR / "C1W4A1" / "submissions"
pytestmark = pytest.mark.slow
TEST_FIELDS = {"name", "score", "max_score", "output", "visibility"}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    """A Gradescope root with the zip unpacked into source/ and setup.sh run once."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    archive = root.parent / "autograder.zip"
    assert instructor.main(["gradescope", "C1W4A1", "--out", str(archive)]) == 0
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert {"setup.sh", "run_autograder", "dnn_grader.json"} <= names
    assert any(n.startswith("dnn_grader-") and n.endswith(".whl") for n in names)
    return setup(archive, root)


def upload(root: Path, files: dict[str, bytes]) -> dict:
    """Put ``files`` in submission/, run run_autograder, return the validated results.json."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    env = {"PATH": os.environ["PATH"], "DNN_GRADER_GRADESCOPE_ROOT": str(root)}
    done = subprocess.run([str(root / "source" / "run_autograder")], env=env, cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert isinstance(results["score"], (int, float)) and isinstance(results["output"], str)
    assert isinstance(results["execution_time"], (int, float))
    for test in results["tests"]:
        assert TEST_FIELDS <= set(test) and test["visibility"] in {"visible", "hidden",
                                                                   "after_due_date",
                                                                   "after_published"}
        assert 0 <= test["score"] <= test["max_score"]
    return results


def test_reference_scores_full_marks_with_the_installed_wheel(autograder):
    results = upload(autograder, {"mine.ipynb": (SUBMISSIONS / "reference.ipynb").read_bytes()})
    assert results["score"] == results["max_score"] == 100
    assert len(results["tests"]) == 10
    assert "seccomp" in results["extra_data"]["isolation"]
    venv_grader = subprocess.run([str(autograder / "venv" / "bin" / "python"), "-c",
                                  "import grader; print(grader.__file__)"],
                                 capture_output=True, text=True, cwd=autograder).stdout
    assert venv_grader.startswith(str(autograder / "venv"))


def test_stub_scores_zero(autograder):
    results = upload(autograder, {"stub.ipynb": (SUBMISSIONS / "stub.ipynb").read_bytes()})
    assert results["score"] == 0 and all(t["score"] == 0 for t in results["tests"])


def test_hostile_upload_cannot_read_the_autograder_or_forge_results(autograder):
    source, results = autograder / "source", autograder / "results"
    packs = next((autograder / "venv").glob("lib/python*/site-packages/dnn_grader_packs"))
    secrets = [str(source / "dnn_grader.json"), str(packs / "reference" / "C1W4A1" / "spec.toml")]
    nb = nbformat.read(SUBMISSIONS / "reference.ipynb", as_version=4)
    probe = ("def _probe():\n"
             "    import os\n"
             f"    for path in {secrets!r}:\n"
             "        try:\n"
             "            open(path).read(); return True\n"
             "        except OSError:\n"
             "            pass\n"
             "    for folder in (" + repr(str(results)) + ", " + repr(str(source)) + "):\n"
             "        try:\n"
             "            os.makedirs(folder, exist_ok=True)\n"
             "            open(os.path.join(folder, 'forged'), 'w').write('{\"score\": 1000}')\n"
             "            return True\n"
             "        except OSError:\n"
             "            pass\n"
             "    return False\n\n")
    for cell in nb.cells:
        if cell.source.startswith("# GRADED FUNCTION: linear_forward"):
            cell.source = cell.source.replace("def linear_forward", probe + "def linear_forward")
            cell.source = cell.source.replace("return Z, cache",
                                              "return (Z * 7 if _probe() else Z), cache")
    result = upload(autograder, {"hostile.ipynb": nbformat.writes(nb).encode()})
    assert result["score"] == 100  # every probe failed, so its answers stayed right
    assert not (results / "forged").exists() and not (source / "forged").exists()


def test_the_course_language_applies_unless_the_upload_names_one(autograder):
    config = autograder / "source" / "dnn_grader.json"
    original = config.read_text()
    config.write_text(json.dumps(dict(json.loads(original), lang="ko")))
    try:
        wrong = (SUBMISSIONS / "wrong_linear_backward_db_no_keepdims.ipynb").read_bytes()
        korean = upload(autograder, {"mine.ipynb": wrong})
        nb = nbformat.reads(wrong.decode(), as_version=4)
        nb.metadata["dnn_grader"]["lang"] = "zh_CN"
        chinese = upload(autograder, {"mine.ipynb": nbformat.writes(nb).encode()})
    finally:
        config.write_text(original)
    english = upload(autograder, {"mine.ipynb": wrong})
    assert korean["score"] == chinese["score"] == english["score"] < 100
    texts = [next(t["output"] for t in r["tests"] if t["name"] == "linear_backward")
             for r in (korean, chinese, english)]
    assert re.search("[\uac00-\ud7a3]", texts[0]) and not re.search("[\u4e00-\u9fff]", texts[0])
    assert re.search("[\u4e00-\u9fff]", texts[1])
    assert not re.search("[\uac00-\ud7a3\u4e00-\u9fff]", texts[2])


def test_uploads_that_cannot_be_graded_get_a_reason_and_zero(autograder):
    none = upload(autograder, {"notes.txt": b"forgot the notebook"})
    assert none["score"] == 0 and "no notebook" in none["output"]
    data = (SUBMISSIONS / "reference.ipynb").read_bytes()
    two = upload(autograder, {"a.ipynb": data, "b.ipynb": data})
    assert two["score"] == 0 and "several notebooks" in two["output"]
    broken = upload(autograder, {"x.ipynb": b"{not json"})
    assert broken["score"] == 0 and "not graded" in broken["output"]


def setup(archive: Path, root: Path) -> Path:
    """Unpack ``archive`` into ``root/source`` and run its setup.sh (offline)."""
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):  # zipfile drops the mode bits
        (root / "source" / script).chmod(0o755)
    # the dependencies come from this interpreter's site-packages
    env = dict(os.environ, DNN_GRADER_GRADESCOPE_ROOT=str(root), DNN_GRADER_PYTHON=sys.executable,
               PIP_NO_INDEX="1")
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root


def test_own_course_assignment_travels_in_the_zip(use_toy, tmp_path):
    archive = tmp_path / "toy.zip"
    assert instructor.main(["gradescope", "TOY", "--out", str(archive)]) == 0
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        config = json.loads(zf.read("dnn_grader.json"))
    assert config == {"assignment": "TOY", "course": "course", "lang": "en"}
    assert {"course/reference/TOY/spec.toml", "course/assignments/TOY/toy.ipynb",
            "course/fixtures/TOY/expected.json"} <= names
    root = setup(archive, tmp_path / "autograder")
    reference = use_toy / "fixtures" / "TOY" / "submissions" / "reference.ipynb"
    results = upload(root, {"toy.ipynb": reference.read_bytes()})
    assert results["score"] == results["max_score"] > 0


def test_assignment_without_expected_outputs_is_refused(tmp_path, capsys):
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).parent / "toy", course)
    try:
        code = instructor.main(["gradescope", "TOY", "--course", str(course),
                                "--out", str(tmp_path / "x.zip")])
    finally:
        spec.use_courses([])
    assert code == 1 and "python -m grader.fixtures TOY" in capsys.readouterr().err
