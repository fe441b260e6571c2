"""Batch grading of a whole class: discovery, scheduling across workers, resume, summary.

    grade submissions/ [more paths or globs] --jobs N --out results/

Submissions are graded concurrently (threads driving a shared WorkerPool of N zygotes), each
isolated exactly as a single ``grade`` run. Every finished submission is committed to the
gradebook (``grader.gradebook``) in its own transaction and its feedback files are written
atomically (``grader.exports``), so an interrupted run loses only the submissions in flight.
A re-run skips submissions whose bytes, grader version and grading options are unchanged.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import heapq
import json
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol


from grader import __version__, exports, pipeline, report
from grader.execute import PoolClosed, WorkerPool
from grader.gradebook import GRADED, REJECTED, Gradebook, Record, now, safe_name
from grader.notebook import MAX_NOTEBOOK_BYTES, NotebookError
from grader.results import SubmissionResult
from grader.sandbox import Limits

DEFAULT_STUDENT_PATTERN = r"^(?:.*/)?(?P<student>[^/_-]+)[^/]*$"
STUDENT_FROM = ("auto", "name", "metadata")
LOCK_NAME = ".grade.lock"
SLOWEST = 5


class BatchError(Exception):
    """The batch cannot run at all (output folder unusable, already in use...)."""


@dataclass
class Options:
    """How to grade a batch."""

    out: Path
    jobs: int = 0  # 0: one per available core
    assignment: str | None = None
    timeout: float | None = None
    regrade: bool = False
    student_pattern: str = DEFAULT_STUDENT_PATTERN
    student_from: str = "auto"
    memory_mb: int = Limits().memory_mb
    isolation: str = "auto"

    @property
    def settings(self) -> str:
        """The options that change grades: a different value means regrading."""
        return json.dumps({"assignment": self.assignment, "timeout": self.timeout,
                           "memory_mb": self.memory_mb}, sort_keys=True)

    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else default_jobs()


def default_jobs() -> int:
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
    """A submission file: its absolute path, how to show it, and its path below the root given."""

    path: Path
    display: str
    relative: str


def discover(inputs: list[str], exclude: Path | None = None) -> tuple[list[Found], list[str]]:
    """Submission files under ``inputs`` (files, folders searched for *.ipynb, or globs), in a
    stable order without repeats; and a problem line for each input that matched nothing."""
    found: dict[Path, Found] = {}
    problems: list[str] = []
    skip = exclude.resolve() if exclude else None
    for raw in inputs:
        given = Path(raw)
        if given.is_dir():
            matches = [(p, str(p.relative_to(given))) for p in _notebooks_under(given, skip)]
            if not matches:
                problems.append(f"{raw}: no .ipynb files in this folder")
        elif given.exists() or given.is_symlink():
            matches = [(given, given.name)]
        elif glob.has_magic(raw):
            hits = sorted(glob.glob(raw, recursive=True))
            matches = [(Path(h), Path(h).name) for h in hits if not Path(h).is_dir()]
            if not matches:
                problems.append(f"{raw}: no file matches this pattern")
        else:
            problems.append(f"{raw}: no such file or folder")
            matches = []
        for path, relative in matches:
            key = Path(os.path.abspath(path))
            if key not in found:
                found[key] = Found(key, str(path), relative)
    return list(found.values()), problems


def _notebooks_under(folder: Path, skip: Path | None) -> list[Path]:
    """*.ipynb files below ``folder``, skipping hidden folders (.ipynb_checkpoints) and ``skip``."""
    hits = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (skip is None or Path(root, d).resolve() != skip))
        hits += [Path(root, f) for f in sorted(files)
                 if f.endswith(".ipynb") and not f.startswith(".")]
    return hits


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
    if options.student_from in ("auto", "metadata") and meta_student:
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
    sha, text, data, mtime, before = None, None, None, None, None
    try:
        before = os.stat(found.path)
        mtime = before.st_mtime
        if before.st_size <= MAX_NOTEBOOK_BYTES:
            raw = found.path.read_bytes()
            sha = hashlib.sha256(raw).hexdigest()
            with contextlib.suppress(ValueError, RecursionError):
                text = raw.decode("utf-8")
                data = json.loads(text)
            del raw
        else:
            sha = hash_file(found.path)
    except OSError as exc:
        message = f"{found.display}: cannot be read ({exc.strerror or exc})"
        student, source = identify(found, None, options, pattern)
        return Outcome(found, None, student, source, None, None, message,
                       time.perf_counter() - started, mtime)
    meta_student = student_from_metadata(data)
    student, source = identify(found, meta_student, options, pattern)
    result, message = None, ""
    try:
        result = pipeline.grade_notebook(found.path, pool, options.assignment, options.timeout,
                                         Limits(memory_mb=options.memory_mb), hide, text)
    except (NotebookError, pipeline.GradingError) as exc:
        message = str(exc)
    except PoolClosed:
        raise
    except Exception as exc:  # one broken submission never stops the batch
        message = f"internal error while grading: {type(exc).__name__}: {exc}"
    return Outcome(found, sha, student, source, meta_student, result, message,
                   time.perf_counter() - started, mtime, _unchanged(found.path, before))


def _unchanged(path: Path, before: os.stat_result | None) -> bool:
    try:
        after = os.stat(path)
    except OSError:
        return False
    return before is not None and (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns,
                                                                          before.st_size)


def hash_file(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


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
            verdict = "not graded: " + (outcome.message.splitlines() or [""])[0]
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        width = len(str(self.total))
        self._print(f"[{done:>{width}}/{self.total}] {outcome.student}: {verdict} "
                    f"({outcome.seconds:.2f}s) {outcome.found.display}  "
                    f"[{rate:.1f}/s, eta {eta:.0f}s]")

    def finish(self) -> None:
        pass

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


class RichReporter:
    """A progress bar with counts, rate and ETA on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.progress = Progress(
            TextColumn("[bold]grading"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
            TimeRemainingColumn(), TextColumn("{task.fields[last]}", style="dim"),
            console=Console(stderr=True), transient=False)
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
                             last=outcome.found.display[-40:])

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
    slowest: list[tuple[float, str]] = field(default_factory=list)
    function_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
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
            if own_pool and todo:
                pool = WorkerPool(size=options.workers(), isolation=options.isolation)
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
            sha = hash_file(item.path)
        except OSError:
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


def _schedule(todo: list[Found], pool: WorkerPool, hide: tuple[str, ...], options: Options,
              pattern: re.Pattern, book: Gradebook, reporter: Reporter,
              summary: Summary) -> None:
    """Grade ``todo`` with a bounded number of submissions in flight, recording each result
    as it completes (memory stays flat whatever the class size)."""
    in_flight = max(2, options.workers() * 2)
    queue = iter(todo)
    pending: set[Future] = set()
    slowest: list[tuple[float, str]] = []
    done = 0
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
                outcome = future.result()
                _record(outcome, book, options, summary)
                done += 1
                heapq.heappush(slowest, (outcome.seconds, outcome.found.display))
                if len(slowest) > SLOWEST:
                    heapq.heappop(slowest)
                reporter.advance(outcome, done)
            fill()
    finally:
        for future in pending:
            future.cancel()
        threads.shutdown(wait=not pending, cancel_futures=True)
        summary.slowest = sorted(slowest, reverse=True)


def _record(outcome: Outcome, book: Gradebook, options: Options, summary: Summary) -> None:
    """Write one submission's feedback files, then commit it (one transaction).

    In this order a run killed in between leaves the submission unrecorded, so the next run
    regrades it and rewrites its files: recorded always means its files are current."""
    found = outcome.found
    key = str(found.path)
    relative = found.relative[: -len(".ipynb")] if found.relative.endswith(".ipynb") \
        else found.relative
    export_name = book.export_name_for(key, safe_name(relative.replace(os.sep, "__")))
    result = outcome.result
    report = None
    if result is not None:
        result.path = found.display
        report = json.dumps(result.to_dict())
    record = Record(
        path=key, display=found.display, export_name=export_name, student=outcome.student,
        student_source=outcome.student_source, meta_student=outcome.meta_student,
        assignment=result.assignment if result else None,
        sha256=outcome.sha256 if outcome.stable else None, grader_version=__version__,
        settings=options.settings, status=outcome.status, message=outcome.message,
        score=result.score if result else None, max_score=result.max_score if result else None,
        seconds=round(outcome.seconds, 4), mtime=outcome.mtime, graded_at=now(), report=report)
    exports.write_submission(summary.out, export_name, outcome.student, found.display, result,
                             outcome.message)
    book.record(record, result)
    if result is None:
        summary.rejected.append((found.display, outcome.message))
    else:
        summary.graded += 1
    if outcome.student_source == "file":
        summary.unmatched_names.append(found.display)


def _export_all(out: Path, book: Gradebook, summary: Summary) -> None:
    """grades.csv from the whole gradebook, and any per-submission file that is missing."""
    rows, scores = [], book.function_scores()
    for r in book.summaries():
        functions = [(f["function"], f["score"], f["max_score"]) for f in scores.get(r["path"], [])]
        rows.append(exports.Row(r["path"], r["display"], r["student"], r["assignment"],
                                r["status"], r["message"], r["score"], r["max_score"],
                                r["mtime"], functions))
        if not exports.exports_present(out, r["export_name"]):
            record = book.get(r["path"])
            exports.write_submission(out, record.export_name, record.student, record.display,
                                     record.result, record.message)
    text, summary.duplicates = exports.grades_csv(rows)
    exports.atomic_write(out / exports.CSV_NAME, text, durable=True)
    summary.function_status = book.status_counts()


# ----------------------------------------------------------------------------- summary

def print_summary(summary: Summary, stream=None) -> None:
    """Counts by status, problems, duplicates and the slowest submissions."""
    stream = stream or sys.stdout

    def say(line: str = "") -> None:
        print(line, file=stream)

    state = "INTERRUPTED — run the same command again to resume" if summary.interrupted \
        else "done"
    say(f"batch {state}: {summary.found} submission(s) found, {summary.graded} graded, "
        f"{len(summary.rejected)} not gradable, {summary.unchanged} unchanged "
        f"in {summary.seconds:.1f}s ({summary.rate:.1f}/s)")
    if summary.function_status:
        counts = ", ".join(f"{status} {count}" for status, count in
                           sorted(summary.function_status.items(), key=lambda kv: -kv[1]))
        say(f"graded functions (whole gradebook): {counts}")
    for line in summary.problems:
        say(f"input: {line}")
    if summary.rejected:
        say(f"not graded ({len(summary.rejected)}):")
        for display, message in summary.rejected[:20]:
            say(f"  {display}: {(message.splitlines() or [''])[0]}")
        if len(summary.rejected) > 20:
            say(f"  ... and {len(summary.rejected) - 20} more (see grades.csv)")
    if summary.duplicates:
        say(f"duplicate students ({len(summary.duplicates)}): several files map to one student; "
            "the newest graded file counts")
        for d in summary.duplicates:
            say(f"  {d.student}{f' ({d.assignment})' if d.assignment else ''}: kept {d.kept}; "
                f"also {', '.join(d.others)}")
    if summary.unmatched_names:
        say(f"{len(summary.unmatched_names)} file name(s) did not match --student-pattern; "
            f"their whole name is used as the student, e.g. {summary.unmatched_names[0]}")
    if summary.slowest:
        say("slowest: " + ", ".join(f"{name} {seconds:.2f}s" for seconds, name in summary.slowest))
    if summary.out is not None:
        say(f"gradebook: {summary.out / 'gradebook.sqlite'}; grades: "
            f"{summary.out / exports.CSV_NAME}; feedback: {summary.out / exports.SUBMISSIONS_DIR}/")

