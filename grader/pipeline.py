"""The grading pipeline: read → extract → execute → check, for one notebook.

    notebook.read  →  extract.graded_cells  →  execute.WorkerPool.run  →  checks.judge

A submission is one job for a worker, graded by the rules of the course release it was
written for (``releases.detect``); its graded functions are its tasks, run dependencies first,
each with the reference standing in for the graded functions it calls (a function whose cases
send different stand-ins has one task per stand-in set).
"""
from __future__ import annotations

import functools
import json
import os
import pickle
import site
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

# checks and codec are imported once the fork server has its setup; numpy only once a result
# does not match the expected one (see Plan)
from grader import cache, extract, i18n, notebook, releases, spec
from grader.execute import Job, RunResult, Task, WorkerPool, fixed_part
from grader.results import SubmissionResult
from grader.sandbox import Limits
from grader.worker import passing_frame


class GradingError(Exception):
    """Grading could not happen at all (unknown assignment, missing fixtures...)."""


@dataclass
class Plan:
    """Grading material of one release of an assignment, built once in the trusted process.

    What every submission needs is plain data (no numpy); the cases' inputs, expected outputs
    and mistake fingerprints are unpickled (with numpy) the first time a result does not
    match the expected one on its encoding (``checks.close_plain``)."""

    assignment: spec.Assignment
    release: releases.Release
    functions: dict[str, spec.Function]  # as the release grades them
    encoded: dict[str, list[dict]]  # per case: the inputs as workers receive them, the seed
    arg_names: dict[str, list[str]]
    support: dict[str, list[list[str]]]  # per case: the cells run after the student's cell
    exact: dict[str, list]  # per case: the expected result, as workers encode it
    decoded: bytes  # pickled (inputs, expected, fingerprints)
    _tasks: dict[str, list] = field(default_factory=dict, init=False, repr=False)

    @functools.cached_property
    def _decoded(self) -> tuple[dict, dict, dict]:
        return pickle.loads(self.decoded)

    @property
    def inputs(self) -> dict[str, list[tuple]]:
        return self._decoded[0]

    @property
    def expected(self) -> dict[str, list]:
        return self._decoded[1]

    @property
    def fingerprints(self) -> dict[str, list[dict]]:
        """Per case: what each named mistake gives there, by mistake id."""
        return self._decoded[2]

    def lazy(self, part: str, name: str) -> "Deferred":
        """``getattr(self, part)[name]``, unpickled only when indexed."""
        return Deferred(lambda: getattr(self, part)[name])

    def tasks(self, name: str, cell: extract.GradedCell) -> list[tuple[Task, list[int]]]:
        """The worker tasks of function ``name``: one per distinct support, with the indices
        of the cases it runs."""
        return [(Task(name, cell.source, support, cases, fixed, passing), indices)
                for support, cases, indices, fixed, passing in self._groups(name)]

    def _groups(self, name: str) -> list[tuple[list[str], list[dict], list[int], bytes, list]]:
        """Function ``name``'s cases grouped by support: the support, the cases, their indices,
        that task's JSON without the student's cell and the frames of expected results
        (encoded once per plan)."""
        if name not in self._tasks:
            groups: dict[tuple[str, ...], list[int]] = {}
            for index, support in enumerate(self.support[name]):
                groups.setdefault(tuple(support), []).append(index)
            found = []
            for support, indices in groups.items():
                cases = [self.encoded[name][i] for i in indices]
                found.append((list(support), cases, indices,
                              fixed_part(name, list(support), cases),
                              self._passing([self.exact[name][i] for i in indices])))
            self._tasks[name] = found
        return self._tasks[name]

    @staticmethod
    def _passing(exact: list) -> list[tuple[bytes, Any] | None]:
        """Per case of a task, the frame an expected result sends and its output (None where
        a case has no exact result, or it cannot be sent)."""
        passing: list[tuple[bytes, Any] | None] = []
        for index, known in enumerate(exact):
            try:
                passing.append(None if known is None else
                               (passing_frame(index, known[0]), known[0]))
            except ValueError:  # not finite: the child reports it as an error
                passing.append(None)
        return passing


class Deferred(Sequence):
    """A list computed on first use."""

    def __init__(self, load: Callable[[], list]) -> None:
        self._load = load

    @functools.cached_property
    def _items(self) -> list:
        return self._load()

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)


_plan_lock = threading.Lock()


def plan_for(assignment_id: str, release_id: str | None = None) -> Plan:
    """The plan of an assignment's release (default: the newest), built once (thread-safe:
    building edits sys.path/sys.modules)."""
    with _plan_lock:
        return _build_plan(assignment_id, release_id)


@functools.cache
def _build_plan(assignment_id: str, release_id: str | None) -> Plan:
    """Load the spec and the release, then the cases' material: from the cache when nothing
    it is derived from changed since it was stored, else built anew (``_material``)."""
    assignment = spec.load(assignment_id)
    release = releases.get(assignment_id, release_id)
    functions = {name: release.apply(base) for name, base in assignment.functions.items()}
    path = assignment.fixtures_dir / "expected.json"
    if not path.is_file():
        raise GradingError(f"{path} is missing; run: python -m grader.fixtures {assignment_id}")
    key = cache.digest(*_derived_from(assignment), release.id)
    light, decoded = pickle.loads(cache.cached(f"plan-{assignment.id}-{key}.pickle", lambda: _pickled(
        _material(assignment, release, functions, path))))
    return Plan(assignment, release, functions, *pickle.loads(light), decoded)


def _pickled(material: tuple) -> bytes:
    """``_material`` as two pickles: its plain part, and the part holding numpy values."""
    inputs, encoded, expected, names, support, fingerprints, exact = material

    def dumps(value: Any) -> bytes:
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return dumps((dumps((encoded, names, support, exact)), dumps((inputs, expected, fingerprints))))


def _derived_from(assignment: spec.Assignment) -> list[str | bytes]:
    """The name and content of every file a plan is derived from (the assignment's folders,
    the modules that build plans and numpy's version file), and the interpreter version:
    content, not modification times, so two copies that differ only in what a file says never
    share one entry (e.g. wheels unpacked to the same place with reproducible timestamps).
    Nothing is imported: a plan read from the cache needs no numpy."""
    folders = [assignment.directory, assignment.reference_dir, assignment.fixtures_dir]
    files = [p for folder in folders for p in folder.rglob("*")
             if p.is_file() and "submissions" not in p.parts and "__pycache__" not in p.parts]
    here = Path(__file__).parent
    files += [here / f"{module}.py" for module in ("checks", "codec", "releases", "spec")]
    files += [Path(__file__), _numpy_version_file()]
    parts: list[str | bytes] = []
    for path in sorted(files):
        parts += [str(path), path.read_bytes()]
    return [*parts, sys.version]


@functools.cache
def _numpy_version_file() -> Path:
    """numpy's ``version.py``, found without importing numpy."""
    import importlib.util

    found = importlib.util.find_spec("numpy")
    if found is None or found.origin is None:
        raise GradingError("numpy is not installed")
    return Path(found.origin).with_name("version.py")


def _material(assignment: spec.Assignment, release: releases.Release,
              functions: dict[str, spec.Function], path: Path) -> tuple:
    """Every case's inputs (also encoded for workers), expected output, argument names,
    support cells, named-mistake fingerprints and exact results, by function."""
    from grader import checks, codec

    stored = codec.from_plain(json.loads(path.read_text()))
    inputs, encoded, expected, names, support = {}, {}, {}, {}, {}
    mistakes, fingerprints, exact = assignment.fingerprints, {}, {}
    for name, function in functions.items():
        keys = [release.expected_key(c) for c in function.cases]
        missing = [key for key in keys if key not in stored]
        if missing:
            raise GradingError(f"{path} has no expected output for {missing}; regenerate it")
        inputs[name] = [assignment.build_inputs(c) for c in function.cases]
        encoded[name] = [{"args": codec.to_plain(args), "seed": c.seed}
                         for args, c in zip(inputs[name], function.cases)]
        expected[name] = [stored[key] for key in keys]
        names[name] = releases.arg_names(assignment, release, name)
        support[name] = [releases.support(assignment, release, c) for c in function.cases]
        fingerprints[name] = [mistakes.get(key, {}) for key in keys]
        exact[name] = checks.exact_results(function, expected[name],
                                           [e["args"] for e in encoded[name]])
    return inputs, encoded, expected, names, support, fingerprints, exact


def resolve_assignment(nb, override: str | None, graded: set[str]) -> str:
    """The assignment to grade against: --assignment, then metadata, then the names of the
    notebook's ``graded`` functions."""
    if override:
        return override
    found = extract.assignment_id(nb)
    if found:
        return found
    guess = spec.identify(graded)
    if guess is None:
        raise GradingError("cannot tell which assignment this notebook is (no metadata and no "
                           "known graded functions); pass --assignment ID")
    return guess


def grade_notebook(path: str | Path, pool: WorkerPool, assignment_id: str | None = None,
                   timeout: float | None = None, limits: Limits = Limits(),
                   hide: tuple[str, ...] = (), source: str | None = None,
                   release: str | None = None, lang: str | None = None,
                   default_lang: str = i18n.SOURCE, data: object = None) -> SubmissionResult:
    """Grade one notebook; raises NotebookError/GradingError when it cannot be graded.

    ``hide``: more paths the student code must not see (a batch's other folders);
    ``source``: the notebook text when the caller has already read the file, and ``data``
    that text as ``notebook.load_json`` decoded it, when the caller has;
    ``release``: the course release to grade it as (default: detected from the notebook);
    ``lang``: the language of its feedback (default: the notebook's metadata
    ``dnn_grader.lang`` when it names a known language, else ``default_lang``).
    """
    if data is not None:
        nb = notebook.checked(data, str(path))
    elif source is not None:
        nb = notebook.parse(source, str(path))
    else:
        nb = notebook.read(path)
    language = (i18n.normalize(lang) or i18n.from_metadata(nb.metadata)
                or i18n.normalize(default_lang) or i18n.SOURCE)
    cells, warnings = extract.graded_cells(nb)
    try:
        found = resolve_assignment(nb, assignment_id, set(cells))
        detection = releases.detect(nb, cells, found, release)
        setup = worker_setup(spec.load(found), detection.release)
        pool.prepare(setup)
        plan = plan_for(found, detection.release.id)
    except spec.SpecError as exc:
        raise GradingError(str(exc)) from None
    assignment = plan.assignment
    names = [n for n in assignment.grading_order if n in cells]
    tasks = [(name, *task) for name in names for task in plan.tasks(name, cells[name])]
    limits = _deadline(limits, timeout or assignment.timeout)
    limits = replace(limits, hide=hidden_paths(Path(path), assignment) + tuple(hide))
    folder, preamble, warm = setup
    job = Job(path=folder, preamble=preamble, tasks=[task for _, task, _ in tasks],
              limits=limits, warm=list(warm))
    runs = _merge_runs(tasks, pool.run(job)) if tasks else {}
    from grader import checks

    with i18n.using(language):
        results = [checks.judge(function, cells.get(name), runs.get(name), plan.lazy("expected", name),
                                plan.lazy("inputs", name), plan.arg_names[name],
                                plan.lazy("fingerprints", name),
                                plan.exact[name])
                   for name, function in plan.functions.items()]
        extra = sorted(set(cells) - set(assignment.functions))
        if extra:
            warnings.append(i18n._("graded cells not part of {assignment} were ignored: {names}")
                            .format(assignment=assignment.id, names=", ".join(extra)))
    isolation = next((r.isolation for r in runs.values() if r.isolation), [])
    return SubmissionResult(str(path), assignment.id, assignment.title, results, warnings,
                            isolation, release=plan.release.id,
                            release_title=plan.release.title, release_note=detection.note,
                            lang=language)


def worker_setup(assignment: spec.Assignment, release: releases.Release) -> tuple:
    """What a fork server is prepared with for this release: public material only."""
    return (str(assignment.directory), releases.preamble(assignment, release),
            tuple(releases.warm(assignment, release)))


def _merge_runs(tasks: list[tuple[str, Task, list[int]]],
                runs: list[RunResult]) -> dict[str, RunResult]:
    """One run per function: its tasks' case frames put back at the cases' indices, and the
    ending of its first task that did not return every case."""
    merged: dict[str, tuple[RunResult, bool]] = {}
    for (name, _, indices), run in zip(tasks, runs):
        cases = {indices[i]: frame for i, frame in run.cases.items() if 0 <= i < len(indices)}
        short = len(cases) < len(indices)
        if name not in merged:
            merged[name] = (replace(run, cases=cases), short)
            continue
        first, first_short = merged[name]
        merged[name] = (replace(first, cases={**first.cases, **cases},
                                fatal=first.fatal or run.fatal,
                                ending=run.ending if short and not first_short else first.ending,
                                seconds=first.seconds + run.seconds), first_short or short)
    return {name: run for name, (run, _) in merged.items()}


def hidden_paths(submission: Path, assignment: spec.Assignment) -> tuple[str, ...]:
    """What a worker must not see: reference, fixtures, tests, and the submission's folder
    (other students' files in a batch), or only the submission file when that folder holds
    something workers need."""
    real = os.path.realpath(submission)
    folder = os.path.dirname(real)
    own = folder if _hideable(folder, tuple(spec.course_roots())) else real
    return tuple(str(p) for p in (*spec.secret_dirs(), own))


def hideable(folder: Path) -> bool:
    """Whether workers can run without ``folder``: it holds no assignment, grader or Python."""
    return _hideable(os.path.realpath(folder), tuple(spec.course_roots()))


@functools.lru_cache(maxsize=256)
def _hideable(real: str, roots: tuple[Path, ...]) -> bool:
    """``hideable`` of a real path (a batch asks once per folder)."""
    path = Path(real)
    return not any(path == p or path in p.parents for p in _needed(roots))


@functools.cache
def _needed(roots: tuple[Path, ...]) -> list[Path]:
    """Real paths of what workers need with these course folders (resolved once per batch)."""
    needed = [*(root / "assignments" for root in roots), Path(__file__).parent, sys.prefix,
              sys.base_prefix, *site.getsitepackages()]
    return [Path(os.path.realpath(n)) for n in needed]


def _deadline(limits: Limits, seconds: float) -> Limits:
    """``limits`` with a wall-clock deadline and a CPU-time limit per graded function (each
    runs in a child of its own)."""
    return replace(limits, wall_seconds=seconds, cpu_seconds=max(1, int(seconds * 2) + 1))
