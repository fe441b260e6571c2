"""What students are given: an assignment's public folder, copied as a bundle or a zip.

The bundle is made from ``assignments/<ID>/`` alone (the student notebook with its outputs
cleared, the helper modules it imports, its data); nothing is read from ``reference/`` or
``fixtures/``, so no reference code or expected value can travel with it.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat

from grader import spec
from grader.exports import atomic_write

SKIPPED = {"__pycache__", ".ipynb_checkpoints", ".DS_Store"}
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same material gives the same zip


class HandoutError(Exception):
    """The bundle cannot be written (an output folder that is in the way)."""


def files_below(folder: Path) -> list[Path]:
    """Every file below ``folder`` (caches and editor leftovers left out), relative to it, in
    a stable order."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and not SKIPPED & set(p.relative_to(folder).parts))


def add_entry(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    """Add ``data`` as ``name`` with a fixed timestamp (the same material, the same zip)."""
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o755 if executable else 0o644) << 16
    zf.writestr(info, data)


def student_notebook(path: Path) -> str:
    """The notebook at ``path`` as students receive it: no outputs, no execution counts."""
    return student_text(nbformat.read(path, as_version=4))


def student_text(nb: nbformat.NotebookNode) -> str:
    """``nb`` written without outputs or execution counts (``nb`` itself is changed)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(nb) + "\n"


def write_bundle(assignment_id: str, out: Path) -> Path:
    """Write ``out/<ID>/`` with the assignment's public material; returns that folder."""
    assignment = spec.load(assignment_id)
    target = out / assignment.id
    if target.exists() and any(target.iterdir()):
        raise HandoutError(f"{target} already exists and is not empty; choose another --out")
    for relative in files_below(assignment.directory):
        source, copy = assignment.directory / relative, target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".ipynb":
            atomic_write(copy, student_notebook(source))
        else:
            shutil.copyfile(source, copy)
    return target


def zip_bundle(folder: Path) -> Path:
    """``folder`` as ``folder.zip`` (entries below the folder's name, fixed timestamps)."""
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for relative in sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()):
            add_entry(zf, (Path(folder.name) / relative).as_posix(), (folder / relative).read_bytes())
    return archive
