"""Command-line interface: ``grade`` (the main job) and ``dnn-grader`` (its instructor verbs).

Importing this package loads only the standard library: ``main`` starts the fork server of
what looks like one notebook's grading before the rest of the grader is imported.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.launch import Started

EXIT_OK, EXIT_CANNOT_GRADE, EXIT_INTERRUPTED = 0, 1, 130
# options after which grading is not of one notebook, or nothing is graded at all
NOT_ONE = ("--out", "--dask", "-j", "--jobs", "-h", "--help", "--version")


def run() -> None:
    """The ``grade`` console script: ``main``, then the process ends as soon as its output is
    flushed (tearing down the interpreter's objects costs ~30 ms and serves a finished run
    nothing: files are closed, the gradebook committed, the workers told to stop)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. a closed pipe: nothing more can be said
        pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """The ``grade`` command (see grader/cli/grade.py)."""
    early = early_worker(sys.argv[1:] if argv is None else argv)
    from grader.cli import grade

    return grade.main(argv, early)


def early_worker(args: list[str]) -> "Started | None":
    """A blank fork server when ``args`` look like grading one existing notebook file: the
    one a previous grade left waiting, else one started now (it loads its interpreter and
    numpy while this process imports the grader). The parsed command decides later whether
    it is used (else it is closed)."""
    if any(a.split("=")[0] in NOT_ONE for a in args):
        return None
    notebooks = [a for a in args if a.endswith(".ipynb")]
    if len(notebooks) != 1 or not os.path.isfile(notebooks[0]):
        return None
    from grader import launch

    mode = _isolation(args)
    try:
        return launch.claim_warm(mode) or launch.start(mode)
    except OSError:  # the real start reports what is wrong
        return None


def _isolation(args: list[str]) -> str:
    """The --isolation value in ``args`` (default auto)."""
    for i, arg in enumerate(args):
        if arg.startswith("--isolation="):
            return arg.split("=", 1)[1]
        if arg == "--isolation" and i + 1 < len(args):
            return args[i + 1]
    return "auto"


def __getattr__(name: str) -> Any:
    """``build_parser`` and the ``grade``/``instructor`` modules, imported when first used."""
    if name in ("grade", "instructor"):
        return importlib.import_module(f"grader.cli.{name}")
    if name == "build_parser":
        return importlib.import_module("grader.cli.grade").build_parser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["EXIT_CANNOT_GRADE", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser", "main", "run"]
