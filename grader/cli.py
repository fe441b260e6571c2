"""The ``grade`` command."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader import __version__, report, sandbox
from grader.execute import WorkerPool
from grader.notebook import NotebookError
from grader.pipeline import GradingError, grade_notebook

EXIT_OK, EXIT_CANNOT_GRADE = 0, 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade", description="Grade deep-learning course notebooks in isolated workers.")
    parser.add_argument("paths", nargs="+", help="submission notebook(s)")
    parser.add_argument("--assignment", metavar="ID",
                        help="assignment id (default: from notebook metadata or function names)")
    parser.add_argument("--format", choices=["table", "json"], default="table",
                        help="table for people, json for Gradescope's results.json")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="wall-clock limit per graded function (default: per assignment)")
    parser.add_argument("--version", action="version", version=f"dnn-grader {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sandbox.protect_trusted_process()
    if len(args.paths) != 1 or Path(args.paths[0]).is_dir():
        print("grade: give exactly one notebook file", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    with WorkerPool(size=min(2, os.cpu_count() or 1)) as pool:
        try:
            result = grade_notebook(args.paths[0], pool, args.assignment, args.timeout)
        except (NotebookError, GradingError) as exc:
            print(f"grade: cannot grade: {exc}", file=sys.stderr)
            return EXIT_CANNOT_GRADE
    write_report(result, args.format, args.output)
    return EXIT_OK


def write_report(result, fmt: str, output: str | None) -> None:
    """Print the report, or write it to ``output`` atomically."""
    if output is None:
        if fmt == "json":
            print(report.to_json(result))
        else:
            report.print_table(result)
        return
    target = Path(output)
    temp = target.with_name(f".{target.name}.tmp")
    with open(temp, "w", encoding="utf-8") as stream:
        if fmt == "json":
            stream.write(report.to_json(result) + "\n")
        else:
            report.print_table(result, stream)
    os.replace(temp, target)


if __name__ == "__main__":
    sys.exit(main())
