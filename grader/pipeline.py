"""The grading pipeline: read → extract → execute → check, for one notebook.

    notebook.read  →  extract.graded_cells  →  execute.WorkerPool.run  →  checks.judge
"""
from __future__ import annotations

import functools
import inspect
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from grader import checks, codec, extract, notebook, spec
from grader.execute import Job, RunResult, WorkerPool
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


@functools.cache
def plan_for(assignment_id: str) -> Plan:
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


def resolve_assignment(nb, override: str | None) -> str:
    """The assignment to grade against: --assignment, then metadata, then function names."""
    if override:
        return override
    found = extract.assignment_id(nb)
    if found:
        return found
    cells, _ = extract.graded_cells(nb)
    guess = spec.identify(set(cells))
    if guess is None:
        raise GradingError("cannot tell which assignment this notebook is (no metadata and no "
                           "known graded functions); pass --assignment ID")
    return guess


def grade_notebook(path: str | Path, pool: WorkerPool, assignment_id: str | None = None,
                   timeout: float | None = None, limits: Limits = Limits()) -> SubmissionResult:
    """Grade one notebook; raises NotebookError/GradingError when it cannot be graded."""
    nb = notebook.read(path)
    try:
        plan = plan_for(resolve_assignment(nb, assignment_id))
    except spec.SpecError as exc:
        raise GradingError(str(exc)) from None
    assignment = plan.assignment
    cells, warnings = extract.graded_cells(nb)
    limits = replace(_deadline(limits, timeout or assignment.timeout),
                     hide=hidden_paths(Path(path), assignment))
    names = list(assignment.functions)
    with ThreadPoolExecutor(max_workers=4) as threads:
        runs = list(threads.map(lambda n: _run(plan, n, cells.get(n), pool, limits), names))
    results = [checks.judge(assignment.functions[n], cells.get(n), run, plan.expected[n],
                            plan.inputs[n], plan.arg_names[n]) for n, run in zip(names, runs)]
    extra = sorted(set(cells) - set(names))
    if extra:
        warnings.append(f"graded cells not part of {assignment.id} were ignored: {', '.join(extra)}")
    isolation = next((r.isolation for r in runs if r and r.isolation), [])
    return SubmissionResult(str(path), assignment.id, assignment.title, results, warnings,
                            isolation)


def _run(plan: Plan, name: str, cell: extract.GradedCell | None, pool: WorkerPool,
         limits: Limits) -> RunResult | None:
    if cell is None:
        return None
    assignment = plan.assignment
    job = Job(function=name, cell=cell.source, preamble=assignment.preamble,
              support=assignment.support_sources(name), path=str(assignment.directory),
              cases=plan.encoded[name], limits=limits, warm=list(assignment.warm))
    return pool.run(job)


def hidden_paths(submission: Path, assignment: spec.Assignment) -> tuple[str, ...]:
    """What a worker must not see: reference, fixtures, tests, and the submission's folder.

    The submission's folder is hidden whole (other students' files in a batch) unless the
    assignment or the grader lives inside it; then only the submission file is hidden.
    """
    folder = submission.resolve().parent
    needed = [assignment.directory.resolve(), Path(__file__).resolve().parent]
    own = submission.resolve() if any(folder in p.parents or folder == p for p in needed) else folder
    return tuple(str(p) for p in (spec.REFERENCE_DIR, spec.FIXTURES_DIR, spec.ROOT / "tests", own))


def _deadline(limits: Limits, seconds: float) -> Limits:
    """``limits`` with a wall-clock deadline and a CPU-time limit to match it."""
    return replace(limits, wall_seconds=seconds, cpu_seconds=max(1, int(seconds * 2) + 1))
