"""Generate (or check) the stored fixtures of each assignment from its reference.

    python -m grader.fixtures [ID ...]           write fixtures/<ID>/expected.json and submissions/
    python -m grader.fixtures --check [ID ...]   fail if a committed file is out of sync

Generated: ``expected.json`` (reference output of every case, and of every case a release
grades by its own reference), ``mistakes.json`` (what every named mistake of
reference/<ID>/mistakes.toml gives on every case where it shows, keyed the same way),
``submissions/reference.ipynb`` (the student notebook with every
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
import numpy as np

from grader import checks, codec, extract, notebook, releases, spec
from grader.worker import _one_line as error_text  # the worker's wording of an exception

os.environ.setdefault("MPLBACKEND", "Agg")  # old releases' references plot while training
JSON_OUTPUTS = ("expected.json", spec.FINGERPRINTS_FILE)  # in sync when equal to rounding noise


@dataclass(frozen=True)
class Sample:
    """A sample submission: edits of a release's reference notebook (default: the newest) and
    the functions it must fail; ``file`` is relative to submissions/."""

    file: str
    description: str
    fails: tuple[str, ...]
    edits: tuple[dict, ...]
    release: str = ""
    mistake: str = ""  # the named mistake (of the function it fails) it makes


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


def mistake_fingerprints(assignment: spec.Assignment,
                         expected: dict[str, object]) -> dict[str, dict[str, dict]]:
    """What each named mistake gives on each case where it differs from ``expected``, keyed
    like the expected outputs, then by mistake id: ``{"output", "changed"}`` (its output and
    the positions of the inputs it changes in place), ``{"error"}`` (the text of the exception
    it raises) or ``{"raises"}`` (an exception without a message, which tells nothing).

    A mistake edits the newest reference cell and, where all its edits apply, the own cell of
    an older release that grades the function by it; one naming a ``release``, that release's
    own cell only. An edit that does not apply where it must raises SpecError."""
    known = releases.load(assignment.id)
    found: dict[str, dict[str, dict]] = {}
    done: set[tuple[str, str]] = set()
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for release in known:
            for function in assignment.functions.values():
                graded = release.apply(function)
                for mistake in function.mistakes:
                    cell = _variant_cell(assignment, release, known, function.name, mistake)
                    for case in function.cases if cell is not None else ():
                        key = release.expected_key(case)
                        if (key, mistake.id) in done:
                            continue
                        done.add((key, mistake.id))
                        fingerprint = _fingerprint(assignment, release, graded, case, cell,
                                                   expected[key])
                        if fingerprint is not None:
                            found.setdefault(key, {})[mistake.id] = fingerprint
    _check_catalogue(assignment, known, found)
    return {key: found[key] for key in expected if key in found}


def _variant_cell(assignment: spec.Assignment, release: releases.Release,
                  known: tuple[releases.Release, ...], name: str,
                  mistake: spec.Mistake) -> str | None:
    """The cell ``mistake`` turns the reference of ``name`` into when graded as ``release``;
    None where the mistake is not made in that release."""
    if mistake.release:
        if mistake.release not in {r.id for r in known}:
            raise spec.SpecError(f"{name}: mistake {mistake.id} names unknown release "
                                 f"{mistake.release}")
        if not releases.get(assignment.id, mistake.release).own(name):
            raise spec.SpecError(f"{name}: mistake {mistake.id}: release {mistake.release} "
                                 "does not grade it by its own cell")
        if release.id != mistake.release:
            return None
        return mistake.apply(releases.blocks(assignment, release)[name])
    if release.own(name):
        cell = releases.blocks(assignment, release)[name]
        return mistake.apply(cell) if mistake.applies(cell) else None
    return mistake.apply(assignment.reference_blocks[name])


def _fingerprint(assignment: spec.Assignment, release: releases.Release,
                 function: spec.Function, case: spec.Case, cell: str,
                 expected: object) -> dict | None:
    """What ``cell`` gives on ``case`` (see mistake_fingerprints); None when that is the
    expected result."""
    inputs = assignment.build_inputs(case)
    args = copy.deepcopy(inputs)
    if release.own(case.function):
        reference = releases.cell_function(assignment, release, case.function)
    else:
        reference = assignment.reference(case.function)
    sources = [assignment.stand_in_blocks[name] for name in case.stand_ins] + [cell]
    variant = spec.redefine(reference.__globals__, sources, case.function)
    np.random.seed(case.seed)
    try:
        with spec.isolated_imports(assignment.directory, assignment.reference_dir):
            output = variant(*args)
    except Exception as exc:
        text = error_text(exc)
        return {"error": text} if text != type(exc).__name__ else {"raises": text}
    changed = sorted(checks.changed_positions(inputs, args))
    if not changed and not checks.differs(output, expected, function.returns, case.rtol,
                                          case.atol):
        return None
    return {"output": output, "changed": changed}


def _check_catalogue(assignment: spec.Assignment, known: tuple[releases.Release, ...],
                     found: dict[str, dict[str, dict]]) -> None:
    """SpecError for a mistake no case recognises, and for two mistakes no case tells apart
    (in the newest release, and in each older one's own cells)."""
    for release in known:
        newest = release is known[-1]
        for function in assignment.functions.values():
            if newest or release.own(function.name):
                keys = [release.expected_key(case) for case in function.cases]
                own = [m for m in function.mistakes if m.release == ("" if newest else release.id)]
                _check_recognised(function, own, [found.get(key, {}) for key in keys])
                _check_distinct(function, [found.get(key, {}) for key in keys])


def _check_recognised(function: spec.Function, mistakes: list[spec.Mistake],
                      cases: list[dict[str, dict]]) -> None:
    for mistake in mistakes:
        shown = [case[mistake.id] for case in cases if mistake.id in case]
        if all("raises" in fingerprint for fingerprint in shown):
            raise spec.SpecError(f"{function.name}: mistake {mistake.id} gives the expected "
                                 "result (or an exception without a message) on every case")


def _check_distinct(function: spec.Function, cases: list[dict[str, dict]]) -> None:
    ids = [m.id for m in function.mistakes if any(m.id in case for case in cases)]
    for i, first in enumerate(ids):
        for second in ids[i + 1:]:
            if all(_same(case.get(first), case.get(second)) for case in cases):
                raise spec.SpecError(f"{function.name}: mistakes {first} and {second} give "
                                     "the same result on every case")


def _same(first: dict | None, second: dict | None) -> bool:
    if first is None or second is None:
        return first is second
    return not checks.differs(first, second, ("fingerprint",), rtol=1e-9, atol=1e-12)


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
                   s.get("release", ""), s.get("mistake", "")) for s in data.get("samples", [])]


def apply_edits(nb: nbformat.NotebookNode, edits: tuple[dict, ...]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with each ``{function, old, new}`` edit applied to its graded cell."""
    nb = copy.deepcopy(nb)
    cells = {extract.graded_name(c.source): c for c in nb.cells if c.cell_type == "code"}
    for edit in edits:
        cell = cells.get(edit["function"])
        if cell is None:
            raise spec.SpecError(f"sample edit names unknown function {edit['function']}")
        cell.source = spec.replace_once(cell.source, edit["old"], edit["new"], edit["function"])
    return nb


def generate(assignment: spec.Assignment) -> dict[Path, str]:
    """Every generated file of ``assignment`` and its text."""
    out = assignment.fixtures_dir
    outputs = expected_outputs(assignment)
    files = {out / "expected.json": _json_text(_stable(outputs, out / "expected.json"))}
    if any(function.mistakes for function in assignment.functions.values()):
        path = out / spec.FINGERPRINTS_FILE
        fingerprints = _stable(mistake_fingerprints(assignment, outputs), path)
        files[path] = _json_text(fingerprints, readable=False)  # bulky: arrays in base64
    bases = {"": reference_notebook(assignment)}
    notebooks = {"reference.ipynb": bases[""], "stub.ipynb": notebook.read(assignment.notebook)}
    for release in releases.load(assignment.id)[:-1]:
        bases[release.id] = release_notebook(assignment, release)
        notebooks[f"{release.id}/reference.ipynb"] = bases[release.id]
    for sample in samples(assignment):
        if sample.release not in bases:
            raise spec.SpecError(f"sample {sample.file}: unknown older release {sample.release}")
        _check_sample_mistake(assignment, sample)
        notebooks[sample.file] = apply_edits(bases[sample.release], sample.edits)
    for name, nb in notebooks.items():
        files[out / "submissions" / name] = nbformat.writes(nb) + "\n"
    return files


def _check_sample_mistake(assignment: spec.Assignment, sample: Sample) -> None:
    """SpecError unless the sample's mistake is one of a function it fails."""
    ids = {m.id for name in sample.fails for m in assignment.functions[name].mistakes}
    if sample.mistake and sample.mistake not in ids:
        raise spec.SpecError(f"sample {sample.file}: {sample.mistake} is no mistake of "
                             f"{', '.join(sample.fails)}")


def _json_text(outputs: dict[str, object], readable: bool = True) -> str:
    return json.dumps(codec.to_plain(outputs, readable), indent=1, sort_keys=True) + "\n"


def _stable(outputs: dict[str, object], path: Path) -> dict[str, object]:
    """``outputs`` with the stored value kept wherever it equals the new one to rounding noise
    (regenerating on another machine does not rewrite unchanged numbers)."""
    if not path.is_file():
        return outputs
    stored = codec.from_plain(json.loads(path.read_text()))
    return {key: stored[key] if key in stored and not _differ(stored[key], value, key) else value
            for key, value in outputs.items()}


def _differ(old: object, new: object, key: str) -> bool:
    return checks.differs(old, new, (key,), rtol=1e-9, atol=1e-12)


def in_sync(path: Path, text: str) -> bool:
    """Whether ``path`` holds ``text`` (expected and mistakes' outputs: equal to rounding
    noise)."""
    stored = path.read_text()
    if path.name not in JSON_OUTPUTS or stored == text:
        return stored == text
    old, new = (codec.from_plain(json.loads(t)) for t in (stored, text))
    return old.keys() == new.keys() and not any(_differ(old[k], new[k], k) for k in new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.fixtures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare with the files")
    parser.add_argument("--course", action="append", default=[], metavar="DIR",
                        help="a course folder of your own (see docs/authoring.md); repeatable")
    args = parser.parse_args(argv)
    if args.course:
        spec.use_courses(args.course)
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
