"""The ``grade`` command: one notebook (report on stdout or --output), or a batch.

    grade submission.ipynb [--format json] [--output FILE] [--course DIR]
    grade submissions/ [more paths or globs] [--jobs N] [--out results/] [--regrade] [--release R]

Batch mode (see grader/batch.py) is used when a folder, a glob, several paths or --out are
given. Exit status: 0 when a report was produced, 1 when grading could not happen (for a batch:
nothing could be graded), 130 when a batch was interrupted (run it again to resume).
"""
from __future__ import annotations

import argparse
import glob
import importlib
import importlib.util
import io
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Only light modules here: grading one notebook starts its fork server first (grader.cli.main
# does, before importing this module), then imports the pipeline while that server loads.
from grader import __version__, i18n, launch, report, sandbox, spec
from grader.cli import EXIT_CANNOT_GRADE, EXIT_INTERRUPTED, EXIT_OK
from grader.report import printable
from grader.sandbox import Limits

if TYPE_CHECKING:
    from grader.launch import Started

DEFAULT_OUT = "results"
STUDENT_FROM = ("name", "metadata")  # where a student's name may come from (see batch.identify)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade", description="Grade deep-learning course notebooks in isolated workers.")
    parser.add_argument("paths", nargs="+",
                        help="a submission notebook; or folders, globs and files to grade as a batch")
    parser.add_argument("--assignment", metavar="ID",
                        help="assignment id (default: from notebook metadata or function names)")
    add_course_option(parser)
    parser.add_argument("--release", metavar="ID",
                        help="grade the notebook(s) as this course release (default: recognised "
                             "from each notebook; see README); a notebook of an assignment "
                             "without this release is not graded")
    parser.add_argument("--format", choices=["table", "json"],
                        help="one notebook: table for people (default), json for Gradescope's "
                             "results.json")
    parser.add_argument("--output", metavar="FILE", help="one notebook: write the report to FILE")
    parser.add_argument("--lang", type=_language, choices=i18n.LANGUAGES,
                        help="language of the feedback: en, zh_CN or ko (default: the notebook "
                             f"metadata's dnn_grader.lang, else ${i18n.LANG_ENV} or the locale, "
                             "else en); for a batch also of the dashboard")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="wall-clock limit per graded function (default: per assignment)")
    parser.add_argument("--memory-mb", type=int, default=Limits().memory_mb, metavar="MB",
                        help="address-space limit of student code (default: %(default)s)")
    parser.add_argument("--isolation", choices=["auto", "rlimits"], default="auto",
                        help="auto (default): every isolation layer the system allows "
                             "(namespaces, read-only files, uid nobody, seccomp); rlimits: "
                             "resource limits only, e.g. to debug a submission")
    parser.add_argument("--child-per-function", action="store_true",
                        help="run every graded function in a process of its own instead of one "
                             "per submission (nothing survives between functions; slower)")
    group = parser.add_argument_group(
        "batch grading", "grade a folder (searched for *.ipynb), globs or several files into a "
        "resumable gradebook with grades.csv and per-submission feedback")
    group.add_argument("--out", metavar="DIR",
                       help=f"output folder (default: ./{DEFAULT_OUT}); its presence also "
                            "selects batch mode for a single notebook")
    group.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                       help="worker processes (default: one per available core, plus one)")
    group.add_argument("--regrade", action="store_true",
                       help="grade every submission again, even those unchanged since the last run")
    group.add_argument("--student-pattern", metavar="REGEX", default=None,
                       help="regular expression with a named group 'student', searched in each "
                            "file's path below the folder given, without .ipynb (default: the "
                            "file name up to its first '_' or '-')")
    group.add_argument("--student-from", choices=STUDENT_FROM, default="name",
                       help="name (default): the file name (--student-pattern); metadata: "
                            "notebook metadata dnn_grader.student if present, else the file name "
                            "(students can edit metadata: only for notebooks you stamped)")
    group.add_argument("--dask", metavar="ADDRESS",
                       help="grade on a Dask cluster: its scheduler's address (tcp://HOST:8786), "
                            "or 'local' for one of --jobs worker processes on this machine "
                            "(needs dnn-grader[dask]; see README)")
    parser.add_argument("--version", action="version", version=f"dnn-grader {__version__}")
    return parser


def _language(value: str) -> str:
    """A --lang value as its language's code (``zh-CN`` is ``zh_CN``); unknown ones as given."""
    return i18n.normalize(value) or value


def add_course_option(parser: argparse.ArgumentParser) -> None:
    """``--course DIR`` (repeatable): assignments of one's own, found before the built-in ones."""
    parser.add_argument("--course", action="append", default=[], metavar="DIR",
                        help="a course folder of your own (assignments/, reference/, fixtures/ "
                             f"as in docs/authoring.md); repeatable; also ${spec.COURSE_ENV}")


def use_courses(folders: list[str]) -> str | None:
    """Select the --course folders; the error to report when one is not a course folder."""
    if not folders:
        return None
    try:
        spec.use_courses(folders)
    except spec.SpecError as exc:
        return str(exc)
    return None


def main(argv: list[str] | None = None, early: "Started | None" = None) -> int:
    """``grade``; ``early``: a blank fork server already started (``grader.cli.main``), used
    for one notebook graded with its isolation mode, else closed."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        if early is not None:
            early.close()
        raise
    sandbox.protect_trusted_process()
    problem = use_courses(args.course)
    if early is not None and (problem or is_batch(args) or early.mode != args.isolation):
        early.close()
        early = None
    if problem:
        return cannot_grade(problem)
    return main_batch(args) if is_batch(args) else main_single(args, early)


def main_single(args: argparse.Namespace, early: "Started | None" = None) -> int:
    """Grade one notebook and print (or write) its report."""
    from grader.execute import WorkerPool

    path = args.paths[0]
    table = (args.format or "table") == "table"  # its library loads while the worker sets up
    pool = WorkerPool(size=1, isolation=args.isolation, per_function=args.child_per_function,
                      started=[early] if early else [],  # a blank server loads (or is loading)
                      while_preparing=report.prepare_table if table else None)
    try:
        from grader.notebook import NotebookError, Unreadable, decode, read_submission
        from grader.pipeline import GradingError, grade_notebook

        text = decode(read_submission(Path(path))[0])  # a regular file, capped
        result = grade_notebook(path, pool, args.assignment, args.timeout,
                                Limits(memory_mb=args.memory_mb), source=text,
                                release=args.release, lang=args.lang,
                                default_lang=i18n.from_environment())
    except Unreadable as exc:
        return cannot_grade(f"{path}: {exc}")
    except (NotebookError, GradingError) as exc:
        return cannot_grade(str(exc))
    finally:
        pool.close(wait=False)  # the server cleans up on its own while the report is written
    try:
        write_report(result, args.format or "table", args.output)
    except BrokenPipeError:  # `grade nb | head`: the reader has what it wanted
        _discard_stdout()
    claimed = early is not None and isinstance(early.process, launch.Adopted)
    if not claimed and launch.WARM_LAYERS <= set(result.isolation):  # no child could fake one
        launch.leave_warm(args.isolation)  # (after a claim, the server it came from still waits)
    return EXIT_OK


def _discard_stdout() -> None:
    """Send what is left of the output nowhere (its reader is gone)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def cannot_grade(reason: str) -> int:
    """Say on stderr (as printable text) why grading could not happen."""
    print(f"grade: cannot grade: {printable(reason)}", file=sys.stderr)
    return EXIT_CANNOT_GRADE


def is_batch(args: argparse.Namespace) -> bool:
    """Batch mode: several paths, a folder, an unexpanded glob, an output folder or Dask."""
    if args.out is not None or args.dask or len(args.paths) != 1:
        return True
    path = args.paths[0]
    return Path(path).is_dir() or (not Path(path).exists() and glob.has_magic(path))


def main_batch(args: argparse.Namespace) -> int:
    """Grade a batch into ``--out``; see grader/batch.py."""
    from grader import batch

    if args.output or args.format:
        print("grade: --output/--format are for one notebook; a batch writes grades.csv, "
              "results.json and feedback.html files into --out", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    if args.jobs < 0:
        print("grade: --jobs must be positive", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    if args.dask and importlib.util.find_spec("distributed") is None:
        print("grade: --dask needs Dask distributed: pip install 'dnn-grader[dask]'",
              file=sys.stderr)
        return EXIT_CANNOT_GRADE
    options = batch.Options(out=Path(args.out or DEFAULT_OUT), jobs=args.jobs,
                            assignment=args.assignment, release=args.release,
                            timeout=args.timeout,
                            regrade=args.regrade, student_from=args.student_from,
                            memory_mb=args.memory_mb, isolation=args.isolation,
                            per_function=args.child_per_function, dask=args.dask,
                            student_pattern=args.student_pattern or batch.DEFAULT_STUDENT_PATTERN,
                            lang=args.lang, default_lang=i18n.from_environment())
    try:
        batch.compile_student_pattern(options.student_pattern)
    except ValueError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    previous = _terminate_as_interrupt()
    try:
        with i18n.using(options.lang or options.default_lang):  # the dashboard's language
            summary = batch.run(args.paths, options)
    except batch.BatchError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    finally:
        _restore(previous)
    batch.print_summary(summary)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.graded or summary.unchanged else EXIT_CANNOT_GRADE


def _terminate_as_interrupt():
    """Let SIGTERM stop a batch as cleanly as Ctrl-C (main thread only)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return None


def _restore(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def write_report(result, fmt: str, output: str | None) -> None:
    """Print the report, or write it to ``output`` atomically."""
    from grader import report

    if output is None:
        if fmt == "json":
            print(report.to_json(result))
        else:
            report.print_table(result)
        return
    if fmt == "json":
        text = report.to_json(result) + "\n"
    else:
        buffer = io.StringIO()
        report.print_table(result, buffer)
        text = buffer.getvalue()
    from grader import exports

    exports.atomic_write(output, text)


if __name__ == "__main__":
    sys.exit(main())
