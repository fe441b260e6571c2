"""Batch grading of a whole class: discovery, scheduling across workers, resume, summary.

    grade submissions/ [more paths or globs] --jobs N --out results/

Submissions are graded concurrently (threads driving a shared WorkerPool of N zygotes), each
isolated exactly as a single ``grade`` run (with ``--dask``, on a Dask cluster instead:
``grader.distributed``). Every finished submission is committed to the gradebook
(``grader.gradebook``) in its own transaction and its feedback files are written
atomically (``grader.exports``), so an interrupted run loses only the submissions in flight.
A re-run skips submissions whose bytes, grader version and grading options are unchanged.

Submission files are untrusted: each is read once, without following any symbolic link below
the folder given, only when it is a regular file within the size cap (``read_submission``),
and the text read is what is graded; names and messages are shown as plain, printable text.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import heapq
import itertools
import json
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Protocol

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from grader import __version__, dashboard, exports, pipeline, report
from grader.execute import PoolClosed, WorkerPool
from grader.gradebook import GRADED, REJECTED, Gradebook, Record, export_name, now
from grader.notebook import NotebookError, Unreadable, decode, load_json, read_submission
from grader.results import SubmissionResult
from grader.sandbox import Limits

DEFAULT_STUDENT_PATTERN = r"^(?:.*/)?(?P<student>[^/_-]+)[^/]*$"
LOCK_NAME = ".grade.lock"
SLOWEST = 5


class BatchError(Exception):
    """The batch cannot run at all (output folder unusable, already in use...)."""


@dataclass
class Options:
    """How to grade a batch."""

    out: Path
    jobs: int = 0  # 0: default_jobs()
    assignment: str | None = None
    release: str | None = None  # grade every notebook as this release (default: detected)
    timeout: float | None = None
    regrade: bool = False
    student_pattern: str = DEFAULT_STUDENT_PATTERN
    student_from: str = "name"
    memory_mb: int = Limits().memory_mb
    isolation: str = "auto"
    per_function: bool = False  # a worker child per graded function, not per submission
    dask: str | None = None  # grade on this Dask scheduler ("local": a LocalCluster of jobs)
    lang: str | None = None  # feedback language of every notebook (default: its metadata's)
    default_lang: str = "en"  # for a notebook whose metadata names none (the CLI: the locale)

    @property
    def settings(self) -> str:
        """The options that change grades: a different value means regrading. ``release`` and
        the languages are only present when not the default, so gradebooks recorded before
        they existed stay unchanged."""
        chosen = {"assignment": self.assignment, "timeout": self.timeout,
                  "memory_mb": self.memory_mb}
        if self.release is not None:
            chosen["release"] = self.release
        if self.lang is not None:
            chosen["lang"] = self.lang
        if self.default_lang != "en":
            chosen["default_lang"] = self.default_lang
        return json.dumps(chosen, sort_keys=True)

    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else default_jobs()


def default_jobs() -> int:
    """One worker per available core, plus one. A worker waits for the grader between two
    functions of a submission (each is sent once the previous one has ended), and the extra
    one's child runs meanwhile: on 2 cores 8-20 % more submissions per second than 2."""
    return available_cores() + 1


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def compile_student_pattern(pattern: str) -> re.Pattern:
    """``pattern`` compiled; raises ValueError unless it has a named group ``student``."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid --student-pattern: {exc}") from None
    if "student" not in compiled.groupindex:
        raise ValueError("--student-pattern needs a named group, e.g. (?P<student>[^_]+)")
    return compiled


# ----------------------------------------------------------------------------- discovery

@dataclass(frozen=True)
class Found:
    """A submission file: its absolute path, how to show it, its path below the root given, and
    that root (the folder, or a glob's fixed part) below which no symbolic link is followed;
    None for a file named by the user."""

    path: Path
    display: str
    relative: str
    root: Path | None = None


def discover(inputs: list[str], exclude: Path | None = None) -> tuple[list[Found], list[str]]:
    """Submission files under ``inputs`` (files, folders searched for *.ipynb, or globs), in a
    stable order without repeats; and a problem line for each input that matched nothing."""
    found: dict[Path, Found] = {}
    problems: list[str] = []
    skip = exclude.resolve() if exclude else None
    for raw in inputs:
        given = Path(raw)
        if given.is_dir():
            hits, linked = _notebooks_under(given, skip)
            problems += [f"{link}: a symbolic link to a folder; not followed" for link in linked]
            matches = [(p, str(p.relative_to(given)), given) for p in hits]
            if not matches:
                problems.append(f"{raw}: no .ipynb files in this folder")
        elif given.exists() or given.is_symlink():
            matches = [(given, given.name, None)]
        elif glob.has_magic(raw):
            hits = sorted(glob.glob(raw, recursive=True))
            root = _fixed_part(raw)
            matches = [(Path(h), Path(h).name, root) for h in hits if not Path(h).is_dir()]
            if not matches:
                problems.append(f"{raw}: no file matches this pattern")
        else:
            problems.append(f"{raw}: no such file or folder")
            matches = []
        for path, relative, root in matches:
            key = Path(os.path.abspath(path))
            if key not in found:
                found[key] = Found(key, str(path), relative,
                                   Path(os.path.abspath(root)) if root else None)
    return list(found.values()), problems


def _notebooks_under(folder: Path, skip: Path | None) -> tuple[list[Path], list[Path]]:
    """*.ipynb entries below ``folder`` (symbolic links included, to be refused when read),
    skipping hidden folders (.ipynb_checkpoints) and ``skip``; and the symbolic links to
    folders, which are not descended into."""
    hits, linked = [], []
    for root, dirs, files in os.walk(folder):
        visible = sorted(d for d in dirs if not d.startswith(".")
                         and (skip is None or Path(root, d).resolve() != skip))
        linked += [Path(root, d) for d in visible if Path(root, d).is_symlink()]
        dirs[:] = [d for d in visible if not Path(root, d).is_symlink()]
        hits += [Path(root, f) for f in sorted(files)
                 if f.endswith(".ipynb") and not f.startswith(".")]
    return hits, linked


def _fixed_part(pattern: str) -> Path:
    """The folder part of a glob before its first wildcard ("." when it starts with one)."""
    parts = Path(pattern).parts[:-1]
    return Path(*itertools.takewhile(lambda part: not glob.has_magic(part), parts))


# ----------------------------------------------------------------------------- reading

# ----------------------------------------------------------------------------- identity

def student_from_name(found: Found, pattern: re.Pattern) -> str | None:
    """The student named by the file's path below its root (``.ipynb`` removed), or None."""
    relative = found.relative.replace(os.sep, "/")
    if relative.endswith(".ipynb"):
        relative = relative[: -len(".ipynb")]
    match = pattern.search(relative)
    student = (match.group("student") or "").strip() if match else ""
    return student or None


def student_from_metadata(data: object) -> str | None:
    """``metadata.dnn_grader.student`` of parsed notebook JSON, if it is a non-empty string."""
    meta = data.get("metadata") if isinstance(data, dict) else None
    meta = meta.get("dnn_grader") if isinstance(meta, dict) else None
    student = meta.get("student") if isinstance(meta, dict) else None
    return (" ".join(student.split())[:200] or None) if isinstance(student, str) else None


def identify(found: Found, meta_student: str | None, options: Options,
             pattern: re.Pattern) -> tuple[str, str]:
    """(student, source): source 'metadata', 'name' (pattern) or 'file' (pattern did not match,
    the file name without .ipynb is used)."""
    if options.student_from == "metadata" and meta_student:
        return meta_student, "metadata"
    student = student_from_name(found, pattern)
    if student:
        return student, "name"
    return Path(found.relative).stem or found.display, "file"


# ----------------------------------------------------------------------------- one submission

@dataclass
class Outcome:
    """What grading one submission produced (in a thread); recorded by the main thread."""

    found: Found
    sha256: str | None
    student: str
    student_source: str
    meta_student: str | None
    result: SubmissionResult | None
    message: str
    seconds: float
    mtime: float | None
    stable: bool = True  # False when the file changed while it was being graded

    @property
    def status(self) -> str:
        return GRADED if self.result is not None else REJECTED


def grade_one(found: Found, pool: WorkerPool, options: Options, pattern: re.Pattern,
              hide: tuple[str, ...] = ()) -> Outcome:
    """Grade one file; every failure becomes a rejected Outcome (nothing is raised).

    The bytes hashed are the bytes graded; ``hide`` lists folders student code must not see.
    """
    started = time.perf_counter()
    submission = read_one(found, options, pattern)
    result, message = None, submission.message
    if submission.text is not None:
        result, message = grade_text(found.path, submission.text, pool, options, hide,
                                     submission.data)
    return submission.outcome(result, message, time.perf_counter() - started)


@dataclass
class Submission:
    """A submission file as read: its text to grade (None when it cannot be), or why not,
    and what recording it needs."""

    found: Found
    sha256: str | None
    text: str | None
    message: str
    student: str
    student_source: str
    meta_student: str | None
    before: os.stat_result | None  # None: the file could not be read
    data: object = field(default=None, repr=False)  # the text decoded (None: not JSON)

    def outcome(self, result: SubmissionResult | None, message: str,
                seconds: float) -> Outcome:
        """The Outcome of grading this text (checks the file did not change meanwhile)."""
        if self.before is None:
            return Outcome(self.found, None, self.student, self.student_source, None, None,
                           message, seconds, None)
        return Outcome(self.found, self.sha256, self.student, self.student_source,
                       self.meta_student, result, message, seconds, self.before.st_mtime,
                       _unchanged(self.found, self.before))


def read_one(found: Found, options: Options, pattern: re.Pattern) -> Submission:
    """Read, hash and identify one file (nothing is raised)."""
    try:
        raw, before = read_submission(found.path, found.root)
    except Unreadable as exc:
        student, source = identify(found, None, options, pattern)
        return Submission(found, None, None, f"{found.display}: {exc}", student, source,
                          None, None)
    sha = hashlib.sha256(raw).hexdigest()
    try:
        text, message = decode(raw), ""
    except Unreadable as exc:
        text, message = None, f"{found.display}: {exc}"
    del raw
    data = None
    if text is not None:
        try:
            data = load_json(text, str(found.path))
        except NotebookError as exc:  # what grading it would say
            text, message = None, str(exc)
    meta_student = student_from_metadata(data)
    student, source = identify(found, meta_student, options, pattern)
    return Submission(found, sha, text, message, student, source, meta_student, before, data)


def grade_text(path: Path, text: str, pool: WorkerPool, options: Options,
               hide: tuple[str, ...], data: object = None) -> tuple[SubmissionResult | None, str]:
    """Grade the notebook ``text`` read from ``path`` (``data``: that text decoded, when it
    was): (result, "") or (None, why not)."""
    try:
        return pipeline.grade_notebook(path, pool, options.assignment, options.timeout,
                                       Limits(memory_mb=options.memory_mb), hide,
                                       source=text, release=options.release,
                                       lang=options.lang, default_lang=options.default_lang,
                                       data=data), ""
    except (NotebookError, pipeline.GradingError) as exc:
        return None, str(exc)
    except PoolClosed:
        raise
    except Exception as exc:  # one broken submission never stops the batch
        return None, f"internal error while grading: {type(exc).__name__}: {exc}"


def _unchanged(found: Found, before: os.stat_result) -> bool:
    """Whether the file read as ``before`` is still the same file, unmodified."""
    try:
        after = os.stat(found.path, follow_symlinks=found.root is None)
    except OSError:
        return False
    fields = ("st_dev", "st_ino", "st_mtime_ns", "st_size")
    return all(getattr(after, f) == getattr(before, f) for f in fields)


# ----------------------------------------------------------------------------- progress

class Reporter(Protocol):
    def start(self, total: int, unchanged: int) -> None: ...
    def advance(self, outcome: Outcome, done: int) -> None: ...
    def finish(self) -> None: ...


class LogReporter:
    """Plain log lines (not a terminal): one per graded submission."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.started = 0, time.monotonic()

    def start(self, total: int, unchanged: int) -> None:
        self.total, self.started = total, time.monotonic()
        self._print(f"grading {total} submission(s); {unchanged} unchanged since the last run")

    def advance(self, outcome: Outcome, done: int) -> None:
        if outcome.result is not None:
            r = outcome.result
            verdict = f"{report.points(r.score)}/{report.points(r.max_score)}"
        else:
            verdict = "not graded: " + report.one_line(first_line(outcome.message))
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        width = len(str(self.total))
        student, display = report.one_line(outcome.student), report.one_line(outcome.found.display)
        self._print(f"[{done:>{width}}/{self.total}] {student}: {verdict} "
                    f"({outcome.seconds:.2f}s) {display}  [{rate:.1f}/s, eta {eta:.0f}s]")

    def finish(self) -> None:
        pass

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


class RichReporter:
    """A progress bar with counts, rate and ETA on a terminal (submission names shown as
    plain text, never parsed as markup)."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}", markup=False), TimeElapsedColumn(),
            TextColumn("eta"), TimeRemainingColumn(),
            TextColumn("{task.fields[last]}", style="dim", markup=False),
            console=console or Console(stderr=True), transient=False)
        self.task = None

    def start(self, total: int, unchanged: int) -> None:
        self.progress.start()
        if unchanged:
            self.progress.console.print(f"{unchanged} submission(s) unchanged since the last "
                                        "run (use --regrade to grade them again)")
        self.task = self.progress.add_task("grading", total=total, rate="", last="")

    def advance(self, outcome: Outcome, done: int) -> None:
        task = self.progress.tasks[0]
        speed = task.speed
        self.progress.update(self.task, completed=done,
                             rate=f"{speed:.1f}/s" if speed else "",
                             last=report.one_line(outcome.found.display[-40:]))

    def finish(self) -> None:
        self.progress.stop()


def default_reporter() -> Reporter:
    return RichReporter() if sys.stderr.isatty() else LogReporter()


# ----------------------------------------------------------------------------- the batch

@dataclass
class Summary:
    """What one batch run did."""

    found: int = 0
    graded: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # display, message
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    duplicates: list[exports.Duplicate] = field(default_factory=list)
    unmatched_names: list[str] = field(default_factory=list)
    claims: list[tuple[str, str, str]] = field(default_factory=list)  # display, student, meta
    slowest: list[tuple[float, str]] = field(default_factory=list)
    function_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    stopped: str = ""  # why the batch ended early, when not by Ctrl-C (e.g. scheduler lost)
    workers_seen: int | None = None  # Dask workers that graded something (None: not on Dask)
    out: Path | None = None

    @property
    def rate(self) -> float:
        done = self.graded + len(self.rejected)
        return done / self.seconds if self.seconds > 0 else 0.0


def run(inputs: list[str], options: Options, pool: WorkerPool | None = None,
        reporter: Reporter | None = None) -> Summary:
    """Grade every submission under ``inputs`` into ``options.out``; see the module docstring.

    ``pool``: a shared WorkerPool (else one with ``options.workers()`` zygotes is started).
    A KeyboardInterrupt stops the batch after recording what was finished; the exports are
    still written and the returned summary is marked ``interrupted``.
    """
    started = time.monotonic()
    pattern = compile_student_pattern(options.student_pattern)
    out = Path(options.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot create the output folder {out}: {exc}") from None
    summary = Summary(out=out)
    with _exclusive(out), Gradebook(out) as book:
        exports.remove_stale_temps(out)
        found, summary.problems = discover(inputs, exclude=out)
        summary.found = len(found)
        todo = _to_grade(found, book, options, pattern, summary)
        reporter = reporter or default_reporter()
        own_pool = pool is None
        try:
            if own_pool and todo and not options.dask:
                pool = WorkerPool(size=options.workers(), isolation=options.isolation,
                                  per_function=options.per_function)
            reporter.start(len(todo), summary.unchanged)
            try:
                _schedule(todo, pool, folders_to_hide(inputs, found, out), options, pattern,
                          book, reporter, summary)
            finally:
                reporter.finish()
        except KeyboardInterrupt:
            summary.interrupted = True  # submissions in flight are abandoned, not recorded
        finally:
            if own_pool and pool is not None:
                pool.close()  # their jobs end at once; queued ones raise PoolClosed
        _export_all(out, book, summary)
    summary.seconds = time.monotonic() - started
    return summary


def folders_to_hide(inputs: list[str], found: list[Found], out: Path) -> tuple[str, ...]:
    """The output folder and the folders holding submissions, except any folder holding
    what workers must read (``pipeline.hideable``)."""
    candidates = [out, *(Path(raw) for raw in inputs if Path(raw).is_dir()),
                  *(item.path.parent for item in found)]
    return tuple(dict.fromkeys(os.path.realpath(folder) for folder in candidates
                               if pipeline.hideable(folder)))


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Refuse a second concurrent run on the same output folder."""
    with open(out / LOCK_NAME, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(f"another grade run is writing to {out}; wait for it to "
                             "finish") from None
        yield


def _to_grade(found: list[Found], book: Gradebook, options: Options, pattern: re.Pattern,
              summary: Summary) -> list[Found]:
    """The submissions that are new or changed (all of them with ``--regrade``)."""
    if options.regrade:
        return list(found)
    known = book.fingerprints()
    todo = []
    for item in found:
        previous = known.get(str(item.path))
        if previous is None or previous[0] is None:
            todo.append(item)
            continue
        try:
            sha = hashlib.sha256(read_submission(item.path, item.root)[0]).hexdigest()
        except Unreadable:
            todo.append(item)  # recorded as unreadable by grade_one
            continue
        if previous != (sha, __version__, options.settings):
            todo.append(item)
        else:
            summary.unchanged += 1
            _refresh_identity(item, book, options, pattern)
    return todo


def _refresh_identity(item: Found, book: Gradebook, options: Options,
                      pattern: re.Pattern) -> None:
    """Keep an unchanged submission's student in step with this run's naming options."""
    record = book.get(str(item.path))
    if record is None:
        return
    student, source = identify(item, record.meta_student, options, pattern)
    if (student, source, item.display) != (record.student, record.student_source,
                                           record.display):
        book.update_identity(record.path, student, source, item.display)


def _schedule(todo: list[Found], pool: WorkerPool | None, hide: tuple[str, ...],
              options: Options, pattern: re.Pattern, book: Gradebook, reporter: Reporter,
              summary: Summary) -> None:
    """Grade ``todo`` (here, or on Dask with ``options.dask``), recording each result as it
    completes."""
    if options.dask:
        from grader import distributed

        outcomes = distributed.graded(todo, hide, options, pattern, summary)
    else:
        outcomes = _graded_here(todo, pool, hide, options, pattern)
    slowest: list[tuple[float, str]] = []
    try:
        with contextlib.closing(outcomes):
            for done, outcome in enumerate(outcomes, start=1):
                _record(outcome, book, options, summary)
                heapq.heappush(slowest, (outcome.seconds, outcome.found.display))
                if len(slowest) > SLOWEST:
                    heapq.heappop(slowest)
                reporter.advance(outcome, done)
    finally:
        summary.slowest = sorted(slowest, reverse=True)


def _graded_here(todo: list[Found], pool: WorkerPool, hide: tuple[str, ...], options: Options,
                 pattern: re.Pattern) -> Iterator[Outcome]:
    """Outcomes of ``todo`` graded by threads sharing ``pool``, as they complete, with a
    bounded number of submissions in flight (memory stays flat whatever the class size)."""
    in_flight = max(2, options.workers() * 2)
    queue = iter(todo)
    pending: set[Future] = set()
    threads = ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="grade")
    try:
        def fill() -> None:
            while len(pending) < in_flight:
                item = next(queue, None)
                if item is None:
                    return
                pending.add(threads.submit(grade_one, item, pool, options, pattern, hide))

        fill()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                pending.discard(future)
                yield future.result()
            fill()
    finally:
        for future in pending:
            future.cancel()
        threads.shutdown(wait=not pending, cancel_futures=True)


def _record(outcome: Outcome, book: Gradebook, options: Options, summary: Summary) -> None:
    """Write one submission's feedback files, then commit it (one transaction).

    In this order a run killed in between leaves the submission unrecorded, so the next run
    regrades it and rewrites its files: recorded always means its files are current."""
    found = outcome.found
    key = str(found.path)
    name = export_name(key, found.relative.replace(os.sep, "/"))
    message = report.clip(outcome.message)
    result = None if outcome.result is None else replace(report.capped(outcome.result),
                                                         path=found.display)
    stored = None if result is None else json.dumps(result.to_dict())
    record = Record(
        path=key, display=found.display, export_name=name, student=outcome.student,
        student_source=outcome.student_source, meta_student=outcome.meta_student,
        assignment=result.assignment if result else None,
        sha256=outcome.sha256 if outcome.stable else None, grader_version=__version__,
        settings=options.settings, status=outcome.status, message=message,
        score=result.score if result else None, max_score=result.max_score if result else None,
        seconds=round(outcome.seconds, 4), mtime=outcome.mtime, graded_at=now(), report=stored,
        release=(result.release or None) if result else None,
        release_note=result.release_note if result else None)
    exports.write_submission(summary.out, name, outcome.student, found.display, result, message)
    book.record(record, result)
    if result is None:
        summary.rejected.append((found.display, message))
    else:
        summary.graded += 1
    if outcome.student_source == "file":
        summary.unmatched_names.append(found.display)


def _export_all(out: Path, book: Gradebook, summary: Summary) -> None:
    """grades.csv and the dashboard from the whole gradebook, and any per-submission file
    that is missing; each read streams the gradebook (memory does not grow with the class)."""
    summary.claims = []
    for r, functions in book.summaries_with_scores():
        row = _row(r, functions)
        if row.claimed:
            summary.claims.append((row.display, row.student, row.claimed))
        if not exports.exports_present(out, r["export_name"]):
            record = book.get(r["path"])
            exports.write_submission(out, record.export_name, record.student, record.display,
                                     record.result, record.message)

    def rows() -> Iterator[exports.Row]:
        return (_row(*each) for each in book.summaries_with_scores("student"))

    with exports.atomic_file(out / exports.CSV_NAME, durable=True) as stream:
        summary.duplicates = exports.grades_csv(rows, stream)
    summary.function_status = book.status_counts()
    dashboard.write(out, book)


def _row(r, functions: tuple) -> exports.Row:
    """A gradebook summary row (``Gradebook.summaries_with_scores``) as grades.csv reads it."""
    return exports.Row(r["path"], r["display"], r["student"], r["assignment"], r["status"],
                       r["message"], r["score"], r["max_score"], r["mtime"], functions,
                       r["meta_student"], r["release"] or "", r["release_note"] or "")


# ----------------------------------------------------------------------------- summary

def first_line(text: str) -> str:
    return (text.splitlines() or [""])[0]


def print_summary(summary: Summary, stream=None) -> None:
    """Counts by status, problems, duplicates, metadata naming another student and the slowest
    submissions; names and messages as printable single lines."""
    stream = stream or sys.stdout
    shown = report.one_line

    def say(line: str = "") -> None:
        print(line, file=stream)

    state = "INTERRUPTED — run the same command again to resume" if summary.interrupted \
        else "done"
    say(f"batch {state}: {summary.found} submission(s) found, {summary.graded} graded, "
        f"{len(summary.rejected)} not gradable, {summary.unchanged} unchanged "
        f"in {summary.seconds:.1f}s ({summary.rate:.1f}/s)")
    if summary.stopped:
        say(f"stopped: {shown(summary.stopped)}")
    if summary.workers_seen is not None:
        say(f"dask: {summary.workers_seen} worker(s) graded submissions")
    if summary.function_status:
        counts = ", ".join(f"{status} {count}" for status, count in
                           sorted(summary.function_status.items(), key=lambda kv: -kv[1]))
        say(f"graded functions (whole gradebook): {counts}")
    for line in summary.problems:
        say(f"input: {shown(line)}")
    if summary.rejected:
        say(f"not graded ({len(summary.rejected)}):")
        for display, message in summary.rejected[:20]:
            say(f"  {shown(display)}: {shown(first_line(message))}")
        if len(summary.rejected) > 20:
            say(f"  ... and {len(summary.rejected) - 20} more (see grades.csv)")
    if summary.duplicates:
        say(f"duplicate students ({len(summary.duplicates)}): several files map to one student; "
            "the newest graded file counts")
        for d in summary.duplicates:
            say(f"  {shown(d.student)}{f' ({d.assignment})' if d.assignment else ''}: kept "
                f"{shown(d.kept)}; also {', '.join(shown(o) for o in d.others)}")
    if summary.claims:
        say(f"notebook metadata names another student ({len(summary.claims)}); the grade stays "
            "with the student of the file name:")
        for display, student, claimed in summary.claims[:20]:
            say(f"  {shown(display)} ({shown(student)}): notebook metadata says student "
                f"'{shown(claimed)}'")
        if len(summary.claims) > 20:
            say(f"  ... and {len(summary.claims) - 20} more (see grades.csv)")
    if summary.unmatched_names:
        say(f"{len(summary.unmatched_names)} file name(s) did not match --student-pattern; "
            f"their whole name is used as the student, e.g. {shown(summary.unmatched_names[0])}")
    if summary.slowest:
        say("slowest: " + ", ".join(f"{shown(name)} {seconds:.2f}s"
                                    for seconds, name in summary.slowest))
    if summary.out is not None:
        say(f"gradebook: {summary.out / 'gradebook.sqlite'}; grades: "
            f"{summary.out / exports.CSV_NAME}; feedback: {summary.out / exports.SUBMISSIONS_DIR}/")

