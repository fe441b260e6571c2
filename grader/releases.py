"""Course releases of an assignment: how each one is recognised and what it grades differently.

``reference/<ID>/releases.toml`` lists the releases oldest first; the last one is the current
notebook (spec.toml, solutions.py) and changes nothing. An older release may name:

* ``markers``: how its notebooks are recognised (modules imported, ``def`` lines of graded
  functions, regexes over the scaffolding outside the student regions and over whole cells);
* ``solutions``: files of reference cells written in its own scaffold (for the functions that
  differ), each run over solutions.py and the files before it;
* ``preamble``, ``warm`` and ``import_cell`` (the import cell of its generated sample notebooks);
* ``base``: another release whose fields it takes where it sets none (function overrides are
  merged per function);
* ``[releases.functions.NAME]`` overrides: ``returns``, ``hint``, ``may_modify`` (arguments it
  changes in place by design) and ``expected = "own"`` (expected outputs computed by its own
  reference cell, stored under ``<release>:<case key>``).

Without a releases.toml an assignment has one release, ``current``. Detection weighs the
markers a notebook matches; ties go to the newest tied release, with a note.
"""
from __future__ import annotations

import ast
import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable


from grader import extract, spec

if TYPE_CHECKING:
    from grader.notebook import Node

CURRENT = "current"
WEIGHTS = {"imports": 3, "signatures": 2, "scaffold": 2, "patterns": 1}
OVERRIDES = {"returns", "hint", "may_modify", "expected"}
IMPORT_RE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\b|import\s+([\w.,\s]+?)\s*(?:#.*)?$)")


@dataclass(frozen=True)
class Markers:
    """What a notebook of one release shows."""

    imports: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    scaffold: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def score(self, evidence: "Evidence") -> tuple[int, float]:
        """Weight of the markers ``evidence`` shows, and that weight's share of all markers."""
        found = total = 0
        for kind, weight in WEIGHTS.items():
            for marker in getattr(self, kind):
                total += weight
                found += weight * evidence.shows(kind, marker)
        return found, found / total if total else 0.0


@dataclass(frozen=True)
class Release:
    """One course release of an assignment."""

    id: str
    title: str
    markers: Markers = Markers()
    solutions: tuple[str, ...] = ()
    preamble: str = ""
    warm: tuple[str, ...] = ()
    import_cell: str = ""
    functions: dict[str, dict] = field(default_factory=dict)

    def own(self, function: str) -> bool:
        """Whether ``function`` is compared with this release's own reference outputs."""
        return self.functions.get(function, {}).get("expected") == "own"

    def expected_key(self, case: spec.Case) -> str:
        """Where the expected output of ``case`` is stored for this release."""
        return f"{self.id}:{case.key}" if self.own(case.function) else case.key

    def apply(self, function: spec.Function) -> spec.Function:
        """``function`` as this release grades it."""
        change = self.functions.get(function.name, {})
        returns = change.get("returns", function.returns)
        return replace(function, hint=change.get("hint", function.hint),
                       returns=(returns,) if isinstance(returns, str) else tuple(returns),
                       may_modify=tuple(change.get("may_modify", function.may_modify)))


@dataclass(frozen=True)
class Detection:
    """The release a notebook is graded as, and why it may be doubtful."""

    release: Release
    note: str = ""


# ----------------------------------------------------------------------------- loading

@functools.cache
def load(assignment_id: str) -> tuple[Release, ...]:
    """The releases of an assignment, oldest first (SpecError when releases.toml is wrong)."""
    assignment = spec.load(assignment_id)
    path = assignment.reference_dir / "releases.toml"
    if not path.is_file():
        return (Release(CURRENT, "the current notebook"),)
    entries = tomllib.loads(path.read_text())["releases"]
    ids = [entry["id"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise spec.SpecError(f"{path}: release ids must be unique, got {ids}")
    raw = dict(zip(ids, entries))
    found = tuple(_release(_with_base(entry, raw, path), assignment) for entry in entries)
    newest = found[-1]
    if newest.functions or newest.solutions or newest.preamble or newest.warm:
        raise spec.SpecError(f"{path}: the newest release {newest.id} is the spec itself; "
                             "it cannot change anything")
    for release in found:
        _check_own_callers(release, assignment)
    return found


def get(assignment_id: str, release_id: str | None = None) -> Release:
    """Release ``release_id`` of an assignment (the newest by default)."""
    known = load(assignment_id)
    if release_id is None:
        return known[-1]
    for release in known:
        if release.id == release_id:
            return release
    raise spec.SpecError(f"{assignment_id} has no release {release_id!r} "
                         f"(known: {', '.join(r.id for r in known)})")


def _with_base(entry: dict, raw: dict[str, dict], path: object) -> dict:
    """``entry`` completed from the release it names as ``base`` (one level, no chains)."""
    if "base" not in entry:
        return entry
    base = raw.get(entry["base"])
    if base is None or "base" in base:
        raise spec.SpecError(f"{path}: release {entry['id']}: base must name a release "
                             "that has no base itself")
    functions = {name: {**base.get("functions", {}).get(name, {}), **change}
                 for name, change in {**base.get("functions", {}),
                                      **entry.get("functions", {})}.items()}
    merged = {**base, **entry, "functions": functions}
    del merged["base"]
    return merged


def _release(data: dict, assignment: spec.Assignment) -> Release:
    where = f"{assignment.id} release {data.get('id')!r}"
    functions = data.get("functions", {})
    for name, change in functions.items():
        if name not in assignment.functions:
            raise spec.SpecError(f"{where}: unknown graded function {name}")
        if set(change) - OVERRIDES or change.get("expected", "own") != "own":
            raise spec.SpecError(f"{where}: {name} may only set {sorted(OVERRIDES)} "
                                 '(expected = "own")')
    markers = data.get("markers", {})
    if set(markers) - set(WEIGHTS):
        raise spec.SpecError(f"{where}: markers are {sorted(WEIGHTS)}")
    for pattern in (*markers.get("scaffold", ()), *markers.get("patterns", ())):
        re.compile(pattern)
    return Release(
        id=data["id"], title=data["title"],
        markers=Markers(**{k: tuple(v) for k, v in markers.items()}),
        solutions=tuple(data.get("solutions", ())), preamble=data.get("preamble", ""),
        warm=tuple(data.get("warm", ())), import_cell=data.get("import_cell", ""),
        functions=functions)


def _check_own_callers(release: Release, assignment: spec.Assignment) -> None:
    """A function that calls one with its own release outputs must have its own outputs too."""
    for function in assignment.functions.values():
        for used in function.uses:
            if release.own(used) and not release.own(function.name):
                raise spec.SpecError(f"{assignment.id} release {release.id}: {function.name} "
                                     f"uses {used}, whose outputs are the release's own; "
                                     'give it expected = "own" too')


# ----------------------------------------------------------------------------- detection

@dataclass(frozen=True)
class Evidence:
    """What detection looks at in one notebook."""

    imports: frozenset[str]
    signatures: frozenset[str]
    scaffold: str
    cells: str

    @classmethod
    def of(cls, nb: Node, cells: dict[str, extract.GradedCell]) -> "Evidence":
        code = [c.source for c in nb.cells if c.get("cell_type") == "code"]
        sources = [cell.source for cell in cells.values()]
        return cls(
            imports=frozenset(m for source in code for m in imported_modules(source)),
            signatures=frozenset(_squeeze(line)[3:].rstrip(":") for source in sources
                                 for line in source.splitlines()
                                 if "def " in line and line.lstrip().startswith("def ")),
            scaffold="\n".join(line for source in sources for line in extract.scaffolding(source)),
            cells="\n".join(sources))

    def shows(self, kind: str, marker: str) -> bool:
        if kind == "imports":
            return marker in self.imports
        if kind == "signatures":
            return _squeeze(marker) in self.signatures
        text = self.scaffold if kind == "scaffold" else self.cells
        return re.search(marker, text, re.MULTILINE) is not None


def imported_modules(source: str) -> list[str]:
    """Top-level names of the modules that ``source`` imports."""
    found = []
    for line in source.splitlines():
        if "import" not in line:
            continue
        match = IMPORT_RE.match(line)
        if match and match.group(1):
            found.append(match.group(1))
        elif match:
            found += [part.split()[0] for part in match.group(2).split(",") if part.strip()]
    return found


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def detect(nb: Node, cells: dict[str, extract.GradedCell], assignment_id: str,
           override: str | None = None) -> Detection:
    """The release to grade ``nb`` as: ``override`` if given, else the best-matching one."""
    if override is not None:
        return Detection(get(assignment_id, override), "release chosen with --release")
    known = load(assignment_id)
    if len(known) == 1:
        return Detection(known[0])
    evidence = Evidence.of(nb, cells)
    scores = [release.markers.score(evidence) for release in known]
    best = max(scores)
    tied = [release for release, score in zip(known, scores) if score == best]
    chosen = tied[-1]
    if best[0] == 0:
        return Detection(chosen, "no release markers found; graded as the newest release")
    if len(tied) > 1:
        others = ", ".join(r.id for r in tied[:-1])
        return Detection(chosen, f"ambiguous: fits releases {others} equally well; "
                                 "graded as the newest one")
    return Detection(chosen)


# ----------------------------------------------------------------------------- references

def blocks(assignment: spec.Assignment, release: Release) -> dict[str, str]:
    """The reference graded cells of ``release``: its own files' over solutions.py."""
    cells = dict(assignment.reference_blocks)
    for name in release.solutions:
        cells.update(spec.graded_blocks((assignment.reference_dir / name).read_text()))
    return cells


def stand_ins(assignment: spec.Assignment, release: Release) -> dict[str, str]:
    """The cells sent for the functions a graded function calls: the release's own cell for
    functions graded by its own outputs, else the current reference cell."""
    cells = blocks(assignment, release)
    return {name: cells[name] if release.own(name) else block
            for name, block in assignment.reference_blocks.items()}


def support(assignment: spec.Assignment, release: Release, case: spec.Case) -> list[str]:
    """What a worker runs after the student's cell for ``case``: the stand-in reference cells,
    then the case's deliberately faulty stand-ins."""
    return (assignment.support_sources(case.function, stand_ins(assignment, release))
            + [assignment.stand_in_blocks[name] for name in case.stand_ins])


def arg_names(assignment: spec.Assignment, release: Release, function: str) -> list[str]:
    """Parameter names of ``function`` as the release's reference cell declares them."""
    tree = ast.parse(blocks(assignment, release)[function])
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    return [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]


def preamble(assignment: spec.Assignment, release: Release) -> str:
    """What a worker runs before the student's cells."""
    return release.preamble or assignment.preamble


def warm(assignment: spec.Assignment, release: Release) -> tuple[str, ...]:
    """Modules a worker imports once, before forking."""
    return release.warm or assignment.warm


@functools.cache
def _namespace(assignment_id: str, release_id: str) -> dict:
    """The module namespace of a release's reference: solutions.py with its own files run over."""
    assignment, release = spec.load(assignment_id), get(assignment_id, release_id)
    namespace = dict(vars(assignment.solutions))
    for name in release.solutions:
        path = assignment.reference_dir / name
        with spec.isolated_imports(assignment.directory, assignment.reference_dir):
            exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def cell_function(assignment: spec.Assignment, release: Release, name: str,
                  stand_ins: tuple[str, ...] = ()) -> Callable:
    """``name`` as the release's reference cell defines it, after the ``stand_ins`` blocks."""
    sources = [assignment.stand_in_blocks[s] for s in stand_ins]
    sources.append(blocks(assignment, release)[name])
    return spec.redefine(_namespace(assignment.id, release.id), sources, name)


def run_cell(assignment: spec.Assignment, release: Release, case: spec.Case) -> Any:
    """Output of the release's reference cell on ``case`` (under the case seed)."""
    args = assignment.build_inputs(case)
    function = cell_function(assignment, release, case.function, case.stand_ins)
    import numpy as np

    np.random.seed(case.seed)
    with spec.isolated_imports(assignment.directory, assignment.reference_dir):
        return function(*args)


def run_reference(assignment: spec.Assignment, release: Release, case: spec.Case) -> Any:
    """Expected output of ``case`` when graded as ``release``."""
    if release.own(case.function):
        return run_cell(assignment, release, case)
    return assignment.run_reference(case)
