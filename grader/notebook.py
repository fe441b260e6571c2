"""Stage 1: read a submitted notebook file into a validated nbformat node."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


class NotebookError(Exception):
    """The file cannot be graded as a notebook; the message says why."""


def read(path: str | Path) -> nbformat.NotebookNode:
    """Read and validate ``path`` as a Jupyter notebook (any v4 minor version)."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path}: no such file")
    if not path.is_file():
        raise NotebookError(f"{path}: not a file")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path}: larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB; not graded")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    return parse(text, str(path))


def parse(text: str, name: str = "notebook") -> nbformat.NotebookNode:
    """Parse notebook JSON text; raises NotebookError with an actionable message."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}); is this really an .ipynb file?") from None
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        raise NotebookError(f"{name}: JSON but not a Jupyter notebook (no 'cells'/'nbformat')")
    if data.get("nbformat") != 4:
        raise NotebookError(f"{name}: notebook format {data.get('nbformat')} is not supported; "
                            "save it with Jupyter (format 4)")
    try:
        nb = nbformat.v4.to_notebook_json(data)  # in-memory form, without a second validation
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types
        raise NotebookError(f"{name}: invalid notebook structure: {str(exc).splitlines()[0]}") from None
    return nb
