"""Stage 1: read a submitted notebook file into a validated nbformat node."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
NOT_A_NOTEBOOK = "JSON but not a Jupyter notebook (no 'cells'/'nbformat')"


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
    except (RecursionError, ValueError) as exc:  # nesting too deep, integers too long
        raise NotebookError(f"{name}: JSON too deeply nested or too large to read "
                            f"({type(exc).__name__})") from None
    problem = _format_problem(data) or _cells_problem(data["cells"])
    if problem:
        raise NotebookError(f"{name}: {problem}")
    try:
        nb = nbformat.v4.to_notebook_json(data)  # in-memory form, without a second validation
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types, RecursionError too
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise NotebookError(f"{name}: invalid notebook structure: {first}") from None
    return nb


def _format_problem(data: object) -> str | None:
    """Why ``data`` is not a format-4 notebook, if it is not."""
    if type(data) is not dict or "nbformat" not in data:
        return NOT_A_NOTEBOOK
    version = data["nbformat"]
    if type(version) is str:
        return (f"'nbformat' is the string {version[:20]!r}; it must be the number 4 "
                "(open the notebook in Jupyter and save it)")
    if type(version) is int and version == 3:
        return ("notebook format 3 is not supported; open it in Jupyter and save it, which "
                "converts it to format 4")
    if type(version) is not int or version != 4:
        return (f"notebook format {str(version)[:20]} is not supported; save it with Jupyter "
                "(format 4)")
    return None if "cells" in data else NOT_A_NOTEBOOK


def _cells_problem(cells: object) -> str | None:
    """What is wrong with the shape of ``cells``, if anything (before nbformat looks)."""
    if type(cells) is not list:
        return f"'cells' must be a list of cells, not {type(cells).__name__}"
    for number, cell in enumerate(cells, 1):
        if type(cell) is not dict:
            return f"cell {number} is a {type(cell).__name__}, not a JSON object"
        source = cell.get("source", "")
        if type(source) is not str and (type(source) is not list
                                        or any(type(line) is not str for line in source)):
            return f"cell {number}: 'source' must be a string or a list of strings"
    return None
