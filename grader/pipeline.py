"""The grading pipeline: read → extract → execute → check, for one notebook.

    notebook.read  →  extract.graded_cells  →  execute.WorkerPool.run  →  checks.judge

A submission is one job for a worker; its graded functions are its tasks, run dependencies
first, each with the reference standing in for the graded functions it calls.
"""
from __future__ import annotations

import functools
import inspect
import json
import os
import site
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from grader import checks, codec, extract, notebook, spec
from grader.execute import Job, Task, WorkerPool
from grader.results import SubmissionResult
from grader.sandbox import Limits


class GradingError(Exception):
    """Grading could not happen at all (unknown assignment, missing fixtures...)."""


@dataclass
class Plan:
    """Per-assignment grading material, built once in the trusted process."""

    assignment: spec.Assignment
    inputs: dict[str, list[tuple]]
    encoded: dict[str, list[dict]]
    expected: dict[str, list]
    arg_names: dict[str, list[str]]


_plan_lock = threading.Lock()


def plan_for(assignment_id: str) -> Plan:
    """The assignment's plan, built once (thread-safe: building edits sys.path/sys.modules)."""
    with _plan_lock:
        return _build_plan(assignment_id)


@functools.cache
def _build_plan(assignment_id: str) -> Plan:
    """Load the spec, build every case's inputs and read the stored expected outputs."""
    assignment = spec.load(assignment_id)
    path = assignment.fixtures_dir / "expected.json"
    if not path.is_file():
        raise GradingError(f"{path} is missing; run: python -m grader.fixtures {assignment_id}")
    stored = codec.from_plain(json.loads(path.read_text()))
    inputs, encoded, expected, names = {}, {}, {}, {}
    for name, function in assignment.functions.items():
        missing = [c.key for c in function.cases if c.key not in stored]
        if missing:
            raise GradingError(f"{path} has no expected output for {missing}; regenerate it")
        inputs[name] = [assignment.build_inputs(c) for c in function.cases]
        encoded[name] = [{"args": codec.to_plain(args), "seed": c.seed}
                         for args, c in zip(inputs[name], function.cases)]
        expected[name] = [stored[c.key] for c in function.cases]
        names[name] = list(inspect.signature(assignment.reference(name)).parameters)
    return Plan(assignment, inputs, encoded, expected, names)


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
                   hide: tuple[str, ...] = (), source: str | None = None) -> SubmissionResult:
    """Grade one notebook; raises NotebookError/GradingError when it cannot be graded.

    ``hide``: more paths the student code must not see (a batch's other folders);
    ``source``: the notebook text when the caller has already read the file.
    """
    nb = notebook.read(path) if source is None else notebook.parse(source, str(path))
    cells, warnings = extract.graded_cells(nb)
    try:
        plan = plan_for(resolve_assignment(nb, assignment_id, set(cells)))
    except spec.SpecError as exc:
        raise GradingError(str(exc)) from None
    assignment = plan.assignment
    names = [n for n in assignment.grading_order if n in cells]
    limits = _deadline(limits, timeout or assignment.timeout, len(names))
    limits = replace(limits, hide=hidden_paths(Path(path), assignment) + tuple(hide))
    job = Job(path=str(assignment.directory), preamble=assignment.preamble,
              tasks=[_task(plan, name, cells[name]) for name in names], limits=limits,
              warm=list(assignment.warm))
    runs = dict(zip(names, pool.run(job))) if names else {}
    results = [checks.judge(function, cells.get(name), runs.get(name), plan.expected[name],
                            plan.inputs[name], plan.arg_names[name])
               for name, function in assignment.functions.items()]
    extra = sorted(set(cells) - set(assignment.functions))
    if extra:
        warnings.append(f"graded cells not part of {assignment.id} were ignored: {', '.join(extra)}")
    isolation = next((r.isolation for r in runs.values() if r.isolation), [])
    return SubmissionResult(str(path), assignment.id, assignment.title, results, warnings,
                            isolation)


def _task(plan: Plan, name: str, cell: extract.GradedCell) -> Task:
    return Task(function=name, cell=cell.source, cases=plan.encoded[name],
                support=plan.assignment.support_sources(name))


def hidden_paths(submission: Path, assignment: spec.Assignment) -> tuple[str, ...]:
    """What a worker must not see: reference, fixtures, tests, and the submission's folder
    (other students' files in a batch), or only the submission file when that folder holds
    something workers need."""
    folder = submission.resolve().parent
    own = folder if hideable(folder) else submission.resolve()
    return tuple(str(p) for p in (spec.REFERENCE_DIR, spec.FIXTURES_DIR, spec.ROOT / "tests", own))


def hideable(folder: Path) -> bool:
    """Whether workers can run without ``folder``: it holds no assignment, grader or Python."""
    needed = [spec.ASSIGNMENTS_DIR, Path(__file__).parent, sys.prefix, sys.base_prefix,
              *site.getsitepackages()]
    real = Path(os.path.realpath(folder))
    return not any(real == p or real in p.parents
                   for p in (Path(os.path.realpath(n)) for n in needed))


def _deadline(limits: Limits, seconds: float, tasks: int) -> Limits:
    """``limits`` with a wall-clock deadline per task and a CPU-time limit for them all."""
    return replace(limits, wall_seconds=seconds,
                   cpu_seconds=max(1, int(seconds * 2 * max(1, tasks)) + 1))
