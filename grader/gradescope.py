"""Gradescope deployment: the autograder zip, and the grading run inside Gradescope's image.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once while it builds
the image, then ``run_autograder`` for every upload: the student's files are in
``/autograder/submission`` and the verdict goes to ``/autograder/results/results.json``.
``DNN_GRADER_GRADESCOPE_ROOT`` replaces ``/autograder`` (to try the zip on one's machine).

The zip carries a wheel of the installed grader, re-packed from the installed files, so it
can be made wherever dnn-grader is installed: no repository or build tool is needed.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import grader
from grader import report, spec
from grader.handout import add_entry, files_below

ROOT_ENV = "DNN_GRADER_GRADESCOPE_ROOT"
CONFIG = "dnn_grader.json"
COURSE = "course"  # folder of the zip holding an assignment of one's own
DISTRIBUTION = "dnn-grader"
MAX_NOTEBOOK_BYTES = 20_000_000

SETUP_SH = """\
#!/usr/bin/env bash
# Run once by Gradescope (as root) when it builds the autograder image: a virtual environment
# with the grader wheel shipped beside this script, on Python 3.11 or newer.
set -euo pipefail
ROOT="${DNN_GRADER_GRADESCOPE_ROOT:-/autograder}"
pick_python() {
    for candidate in "${DNN_GRADER_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \\
            'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}
PYTHON="$(pick_python)" || {
    apt-get update && apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
}
"$PYTHON" -m venv --system-site-packages "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet "$ROOT"/source/dnn_grader-*.whl
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Run by Gradescope for every upload: grades /autograder/submission into results.json.
ROOT="${DNN_GRADER_GRADESCOPE_ROOT:-/autograder}"
exec "$ROOT/venv/bin/python" -m grader.gradescope run --root "$ROOT"
"""


# ----------------------------------------------------------------------------- the zip

def build_zip(assignment_id: str, target: Path, lang: str = "en") -> Path:
    """Write Gradescope's autograder zip for an installed assignment to ``target``; ``lang``
    is the feedback's language for uploads whose metadata names none."""
    assignment = spec.load(assignment_id)
    if not (assignment.fixtures_dir / "expected.json").is_file():
        raise spec.SpecError(f"{assignment.id} has no expected outputs yet; run: "
                             f"python -m grader.fixtures {assignment.id}")
    own = assignment.root != spec.ROOT
    config = {"assignment": assignment.id, "course": COURSE if own else None, "lang": lang}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        add_entry(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        add_entry(zf, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        add_entry(zf, CONFIG, json.dumps(config, indent=2).encode())
        name, data = wheel()
        add_entry(zf, name, data)
        if own:
            for part in ("assignments", "reference", "fixtures"):
                for path, arc in _tree(assignment.root / part / assignment.id,
                                       f"{COURSE}/{part}/{assignment.id}"):
                    add_entry(zf, arc, path.read_bytes())
    return target


def _tree(folder: Path, prefix: str) -> list[tuple[Path, str]]:
    """Files below ``folder`` with their names below ``prefix``."""
    return [(folder / p, f"{prefix}/{p.as_posix()}") for p in files_below(folder)]


def wheel() -> tuple[str, bytes]:
    """A wheel of the installed grader and its packs: (file name, bytes)."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("dnn-grader is not installed; run: python -m pip install .") from None
    version = dist.version
    files = _tree(Path(grader.__file__).parent, "grader")
    for part in ("assignments", "reference", "fixtures"):
        files += _tree(spec.ROOT / part, f"dnn_grader_packs/{part}")
    entries = [(arc, path.read_bytes()) for path, arc in files]
    info = f"dnn_grader-{version}.dist-info"
    entries += [(f"{info}/METADATA", dist.metadata.as_string().encode()),
                (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: dnn-grader\n"
                                  b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
                (f"{info}/entry_points.txt", _entry_points(dist).encode())]
    record = "".join(f"{arc},sha256={_digest(data)},{len(data)}\n" for arc, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    buffer = _zip_bytes(entries)
    return f"dnn_grader-{version}-py3-none-any.whl", buffer


def _entry_points(dist: importlib.metadata.Distribution) -> str:
    groups: dict[str, list[str]] = {}
    for entry in dist.entry_points:
        groups.setdefault(entry.group, []).append(f"{entry.name} = {entry.value}")
    return "".join(f"[{group}]\n" + "\n".join(lines) + "\n\n" for group, lines in groups.items())


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, data in entries:
            add_entry(zf, arc, data)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- the run

def run(root: Path) -> dict:
    """Grade the upload in ``root/submission`` into ``root/results/results.json``; always
    writes a results.json, with a score of 0 and the reason when grading cannot happen."""
    started = time.monotonic()
    config = json.loads((root / "source" / CONFIG).read_text())
    if config.get("course"):
        spec.use_courses([root / "source" / config["course"]])
    result = _grade_upload(root, config["assignment"], config.get("lang") or "en")
    result["execution_time"] = round(time.monotonic() - started, 3)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    from grader.exports import atomic_write

    atomic_write(results / "results.json", report.readable_json(result) + "\n")
    return result


def _grade_upload(root: Path, assignment_id: str, lang: str) -> dict:
    """The results.json content for the upload (a zero score with the reason on failure)."""
    from grader.execute import WorkerPool
    from grader.notebook import NotebookError, Unreadable, decode, read_submission
    from grader.pipeline import GradingError, grade_notebook

    assignment = spec.load(assignment_id)
    path, problem = find_notebook(root / "submission", assignment.notebook.name)
    if path is None:
        return _not_graded(problem)
    try:
        text = decode(read_submission(path, root / "submission")[0])
        with WorkerPool(size=1) as pool:
            result = grade_notebook(path, pool, assignment.id, source=text,
                                    hide=(str(root / "source"),), default_lang=lang)
    except (Unreadable, NotebookError, GradingError) as exc:
        return _not_graded(f"{path.name}: {exc}")
    return report.gradescope(result)


def find_notebook(folder: Path, expected_name: str) -> tuple[Path | None, str]:
    """The uploaded notebook: the only one, else the one named like the assignment's."""
    found = sorted(p for p in folder.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts and not p.is_symlink())
    if len(found) == 1:
        return found[0], ""
    named = [p for p in found if p.name == expected_name]
    if len(named) == 1:
        return named[0], ""
    if not found:
        return None, f"no notebook (.ipynb) was uploaded; upload {expected_name}"
    names = ", ".join(report.one_line(p.name) for p in found[:10])
    return None, f"several notebooks were uploaded ({names}); upload only {expected_name}"


def _not_graded(reason: str) -> dict:
    return {"score": 0, "output": f"not graded: {report.printable(reason)}", "tests": []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope",
                                     description="Grade a Gradescope upload (run_autograder).")
    sub = parser.add_subparsers(dest="verb", required=True)
    run_parser = sub.add_parser("run", help="grade ROOT/submission into ROOT/results")
    run_parser.add_argument("--root", default=os.environ.get(ROOT_ENV, "/autograder"))
    args = parser.parse_args(argv)
    from grader import sandbox

    sandbox.protect_trusted_process()
    result = run(Path(args.root))
    print(result["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
