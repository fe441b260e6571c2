"""Generate (or check) the stored fixtures of each assignment from its reference.

    python -m grader.fixtures [ID ...]           write fixtures/<ID>/expected.json and submissions/
    python -m grader.fixtures --check [ID ...]   fail if a committed file is out of sync

Generated: ``expected.json`` (reference output of every case, and of every case a release
grades by its own reference), ``submissions/reference.ipynb`` (the student notebook with every
region filled from solutions.py), ``submissions/stub.ipynb`` (the untouched student notebook),
``submissions/<release>/reference.ipynb`` for every older release (a notebook in that release's
scaffold) and one notebook per ``samples.toml`` entry (``release = "<id>"``: an edit of that
release's notebook, written to ``submissions/<release>/``).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import sys
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import checks, codec, extract, notebook, releases, spec

os.environ.setdefault("MPLBACKEND", "Agg")  # old releases' references plot while training


@dataclass(frozen=True)
class Sample:
    """A sample submission: edits of a release's reference notebook (default: the newest) and
    the functions it must fail; ``file`` is relative to submissions/."""

    file: str
    description: str
    fails: tuple[str, ...]
    edits: tuple[dict, ...]
    release: str = ""


def expected_outputs(assignment: spec.Assignment) -> dict[str, object]:
    """Reference output of every case, keyed ``function/case``, and ``release:function/case``
    for the functions a release grades by its own reference (what the references print or plot
    while training is not part of it)."""
    outputs = {}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for release in releases.load(assignment.id):
            for case in assignment.cases():
                key = release.expected_key(case)
                if key not in outputs:
                    outputs[key] = releases.run_reference(assignment, release, case)
    return outputs


def reference_notebook(assignment: spec.Assignment) -> nbformat.NotebookNode:
    """The student notebook with each graded cell replaced by its solutions.py block."""
    nb = notebook.read(assignment.notebook)
    blocks = assignment.reference_blocks
    for cell in nb.cells:
        name = extract.graded_name(cell.source) if cell.cell_type == "code" else None
        if name is None:
            continue
        if name not in blocks:
            raise spec.SpecError(f"{name}: graded cell has no block in solutions.py")
        if extract.scaffolding(blocks[name]) != extract.scaffolding(cell.source):
            raise spec.SpecError(f"{name}: notebook cell and solutions.py differ outside "
                                 "the START/END code regions")
        cell.source = blocks[name]
    return nb


def release_notebook(assignment: spec.Assignment,
                     release: releases.Release) -> nbformat.NotebookNode:
    """A completed notebook of an older release, as learners of that release handed it in:
    its import cell, then every graded cell in its scaffold (no grader metadata)."""
    cells = releases.blocks(assignment, release)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})
    nb.cells = [nbformat.v4.new_markdown_cell(
                    f"# {assignment.title}\n\nRelease {release.id}: {release.title}."),
                nbformat.v4.new_code_cell(release.import_cell.strip())]
    nb.cells += [nbformat.v4.new_code_cell(cells[name]) for name in assignment.functions]
    for index, cell in enumerate(nb.cells):
        cell.id = f"{assignment.id.lower()}-{release.id}-{index:03d}"
    return nb


def samples(assignment: spec.Assignment) -> list[Sample]:
    """The wrong submissions declared in fixtures/<ID>/samples.toml."""
    path = assignment.fixtures_dir / "samples.toml"
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text())
    return [Sample(f"{s['release']}/{s['file']}" if s.get("release") else s["file"],
                   s.get("description", ""), tuple(s["fails"]), tuple(s.get("edits", ())),
                   s.get("release", "")) for s in data.get("samples", [])]


def apply_edits(nb: nbformat.NotebookNode, edits: tuple[dict, ...]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with each ``{function, old, new}`` edit applied to its graded cell."""
    nb = copy.deepcopy(nb)
    cells = {extract.graded_name(c.source): c for c in nb.cells if c.cell_type == "code"}
    for edit in edits:
        cell = cells.get(edit["function"])
        if cell is None:
            raise spec.SpecError(f"sample edit names unknown function {edit['function']}")
        if cell.source.count(edit["old"]) != 1:
            raise spec.SpecError(f"{edit['function']}: {edit['old']!r} must occur exactly once")
        cell.source = cell.source.replace(edit["old"], edit["new"])
    return nb


def generate(assignment: spec.Assignment) -> dict[Path, str]:
    """Every generated file of ``assignment`` and its text."""
    out = assignment.fixtures_dir
    expected = codec.to_plain(_stable(expected_outputs(assignment), out / "expected.json"),
                              readable=True)
    files = {out / "expected.json": json.dumps(expected, indent=1, sort_keys=True) + "\n"}
    bases = {"": reference_notebook(assignment)}
    notebooks = {"reference.ipynb": bases[""], "stub.ipynb": notebook.read(assignment.notebook)}
    for release in releases.load(assignment.id)[:-1]:
        bases[release.id] = release_notebook(assignment, release)
        notebooks[f"{release.id}/reference.ipynb"] = bases[release.id]
    for sample in samples(assignment):
        if sample.release not in bases:
            raise spec.SpecError(f"sample {sample.file}: unknown older release {sample.release}")
        notebooks[sample.file] = apply_edits(bases[sample.release], sample.edits)
    for name, nb in notebooks.items():
        files[out / "submissions" / name] = nbformat.writes(nb) + "\n"
    return files


def _stable(outputs: dict[str, object], path: Path) -> dict[str, object]:
    """``outputs`` with the stored value kept wherever it equals the new one to rounding noise
    (regenerating on another machine does not rewrite unchanged numbers)."""
    if not path.is_file():
        return outputs
    stored = codec.from_plain(json.loads(path.read_text()))
    return {key: stored[key] if key in stored and not _differ(stored[key], value, key) else value
            for key, value in outputs.items()}


def _differ(old: object, new: object, key: str) -> bool:
    return bool(checks.compare(old, new, key, rtol=1e-9, atol=1e-12))


def in_sync(path: Path, text: str) -> bool:
    """Whether ``path`` holds ``text`` (expected outputs: equal to rounding noise)."""
    stored = path.read_text()
    if path.name != "expected.json" or stored == text:
        return stored == text
    old, new = (codec.from_plain(json.loads(t)) for t in (stored, text))
    return old.keys() == new.keys() and not any(_differ(old[k], new[k], k) for k in new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.fixtures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare with the files")
    args = parser.parse_args(argv)
    stale = []
    for assignment_id in args.ids or spec.available():
        for path, text in generate(spec.load(assignment_id)).items():
            if args.check:
                if not path.is_file() or not in_sync(path, text):
                    stale.append(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                print(f"wrote {path}")
    for path in stale:
        print(f"out of sync: {path}", file=sys.stderr)
    if stale:
        print("regenerate with: python -m grader.fixtures", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
