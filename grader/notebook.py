"""Stage 1: read a submitted notebook file into a validated notebook node.

Grading reads a notebook as JSON objects with attribute access (``nb.cells``,
``cell.source``, like nbformat's NotebookNode) checked against nbformat's own schema, whose
compiled validator is cached across runs: importing nbformat and compiling its schema would
cost more than grading the notebook.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import marshal
import os
import stat
import sys
from pathlib import Path
from typing import Callable

from grader import cache

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
NOT_A_NOTEBOOK = "JSON but not a Jupyter notebook (no 'cells'/'nbformat')"


class NotebookError(Exception):
    """The file cannot be graded as a notebook; the message says why."""


class Node(dict):
    """A notebook's JSON object, its keys also readable and writable as attributes."""

    def __getattr__(self, key: str):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__


class Unreadable(Exception):
    """A submission file that is not read (not a regular file, a symbolic link, too large...);
    the message says why."""


_READ = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
TOO_LARGE = f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB; not graded"
_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFDIR: "a folder",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def read_submission(path: Path, root: Path | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``path`` (at most MAX_NOTEBOOK_BYTES) and its fstat; raises
    Unreadable. With ``root``, ``path`` must be below it and is opened one component at a time
    without following any symbolic link; without, ``path`` (named by the user) is followed."""
    try:
        fd = _open_below(root, path) if root is not None else _open_named(path)
        try:
            info = os.fstat(fd)
            _require_regular(info)
            data = _read_at_most(fd, MAX_NOTEBOOK_BYTES + 1)  # the file may grow meanwhile
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except OSError as exc:  # also a symbolic link swapped in after the checks (O_NOFOLLOW)
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Unreadable(TOO_LARGE)
    return data, info


def decode(raw: bytes) -> str:
    """``raw`` as UTF-8 text; raises Unreadable."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"cannot be read as UTF-8 text ({exc.reason} at byte "
                         f"{exc.start})") from None


def _open_named(path: Path) -> int:
    _require_regular(os.stat(path))  # refuse a FIFO or device before even opening it
    return os.open(path, _READ)


def _open_below(root: Path, path: Path) -> int:
    try:
        *folders, name = path.relative_to(root).parts
    except ValueError:
        raise Unreadable("not inside the folder given; not graded") from None
    fd = os.open(root, _FOLDER)
    try:
        for folder in folders:
            if stat.S_ISLNK(os.stat(folder, dir_fd=fd, follow_symlinks=False).st_mode):
                raise Unreadable(f"in {folder!r}, a symbolic link to a folder; not followed")
            inner = os.open(folder, _FOLDER | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
        _require_regular(os.stat(name, dir_fd=fd, follow_symlinks=False))
        return os.open(name, _READ | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)


def _require_regular(info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise Unreadable("a symbolic link; not followed")
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise Unreadable(f"not a regular file ({kind}); not read")
    if info.st_size > MAX_NOTEBOOK_BYTES:
        raise Unreadable(TOO_LARGE)


def _read_at_most(fd: int, count: int) -> bytes:
    chunks = []
    while count > 0:
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read(path: str | Path) -> Node:
    """Read and validate ``path`` as a Jupyter notebook (any v4 minor version), with the
    checks and caps of ``read_submission``."""
    try:
        return parse(decode(read_submission(Path(path))[0]), str(path))
    except Unreadable as exc:
        raise NotebookError(f"{path}: {exc}") from None


def parse(text: str, name: str = "notebook") -> Node:
    """Parse notebook JSON text; raises NotebookError with an actionable message."""
    return checked(load_json(text, name), name)


def checked(data: object, name: str = "notebook") -> Node:
    """A notebook's JSON as ``load_json`` decoded it, checked to be a valid format-4
    notebook (sources joined into one text); raises NotebookError."""
    problem = _format_problem(data) or _cells_problem(data["cells"])
    if problem:
        raise NotebookError(f"{name}: {problem}")
    try:
        validate(data)
    except Exception as exc:  # the validators raise several unrelated types, RecursionError too
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise NotebookError(f"{name}: invalid notebook structure: {first}") from None
    for cell in data["cells"]:  # sources stored as lists of lines become one text
        if type(cell.get("source")) is list:
            cell["source"] = "".join(cell["source"])
    return data


def load_json(text: str, name: str = "notebook") -> object:
    """``text`` decoded as JSON (objects as Nodes), not yet checked to be a notebook; raises
    NotebookError."""
    try:
        return json.loads(text, object_hook=Node)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}); is this really an .ipynb file?") from None
    except (RecursionError, ValueError) as exc:  # nesting too deep, integers too long
        raise NotebookError(f"{name}: JSON too deeply nested or too large to read "
                            f"({type(exc).__name__})") from None


def _format_problem(data: object) -> str | None:
    """Why ``data`` is not a format-4 notebook, if it is not."""
    if not isinstance(data, dict) or "nbformat" not in data:
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
        return f"'cells' must be a list of cells, not {_kind(cells)}"
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            return f"cell {number} is a {_kind(cell)}, not a JSON object"
        source = cell.get("source", "")
        if type(source) is not str and (type(source) is not list
                                        or any(type(line) is not str for line in source)):
            return f"cell {number}: 'source' must be a string or a list of strings"
    return None


def _kind(value: object) -> str:
    """The Python name of a JSON value's type (``dict`` for an object)."""
    return "dict" if isinstance(value, dict) else type(value).__name__


def validate(nb: dict) -> None:
    """Validate ``nb`` against its nbformat 4 schema (raises when it does not conform)."""
    minor = nb.get("nbformat_minor")
    check = _schema_check(minor) if type(minor) is int else None
    if check is None:  # a schema this nbformat does not ship (a newer minor): its own rules
        import nbformat

        nbformat.validate(nb)
    else:
        check(nb)


@functools.cache
def _schema_check(minor: int) -> Callable[[object], object] | None:
    """The validator of schema 4.``minor``, compiled once and kept across runs as byte code
    (compiling the schema costs more than a whole grade otherwise); None for a schema nbformat
    lacks. Each cell is checked against the definition its ``cell_type`` names (``by_kind``)."""
    import fastjsonschema

    package = importlib.util.find_spec("nbformat")  # located, not imported
    folder = Path(package.submodule_search_locations[0]) if package else None
    try:
        schema = (folder / "v4" / f"nbformat.v4.{minor}.schema.json").read_bytes()
    except (OSError, TypeError):
        return None
    key = cache.digest(schema, fastjsonschema.VERSION, sys.implementation.cache_tag or "", "2")

    def build() -> bytes:
        whole = json.loads(schema)
        parts = [whole] + ([_without_cell_items(whole)] if _cell_kinds(whole) else [])
        return marshal.dumps([compile(fastjsonschema.compile_to_code(part),
                                      f"<nbformat 4.{minor} schema>", "exec") for part in parts])

    scopes = []
    for code in marshal.loads(cache.cached(f"nbschema-{key}.marshal", build)):
        scopes.append({})
        exec(code, scopes[-1])
    kinds = _cell_kinds(json.loads(schema))
    if not kinds or len(scopes) != 2:
        return scopes[0]["validate"]
    cells = {kind: scopes[0][f"validate___definitions_{name}"] for kind, name in kinds.items()}
    return functools.partial(by_kind, scopes[0]["validate"], scopes[1]["validate"], cells)


def by_kind(whole: Callable, outer: Callable, cells: dict[str, Callable], nb: dict) -> None:
    """Validate ``nb`` as ``whole`` does, faster: ``outer`` (the schema without its cell
    rule), then each cell against the one cell definition its ``cell_type`` can match (the
    others require another ``cell_type``, so ``oneOf`` reduces to it); a cell of no known
    type goes to ``whole``, which reports it."""
    outer(nb)
    for index, cell in enumerate(nb["cells"]):
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        check = cells.get(kind) if type(kind) is str else None
        if check is None:
            whole(nb)
            return
        check(cell, name_prefix=f"data.cells[{index}]")


def _cell_kinds(schema: dict) -> dict[str, str] | None:
    """``cell_type`` value -> definition name, when the schema's cell rule is a ``oneOf`` of
    definitions that each require a single, distinct ``cell_type`` (else None)."""
    definitions = schema.get("definitions", {})
    if schema.get("properties", {}).get("cells", {}).get("items") != {"$ref": "#/definitions/cell"}:
        return None
    kinds: dict[str, str] = {}
    for option in definitions.get("cell", {}).get("oneOf", []):
        name = str(option.get("$ref", "")).removeprefix("#/definitions/")
        rule = definitions.get(name, {})
        values = rule.get("properties", {}).get("cell_type", {}).get("enum", [])
        if "cell_type" not in rule.get("required", []) or len(values) != 1 or values[0] in kinds:
            return None
        kinds[values[0]] = name
    return kinds or None


def _without_cell_items(schema: dict) -> dict:
    """``schema`` with its cells a plain array (their rule is applied cell by cell)."""
    cells = {k: v for k, v in schema["properties"]["cells"].items() if k != "items"}
    return {**schema, "properties": {**schema["properties"], "cells": cells}}
