"""Assignment specs: what is graded, with which inputs, for how many points.

Everything specific to one assignment is data kept beside it (see docs/authoring.md):

    assignments/<ID>/   student notebook and the public helper modules it imports
    reference/<ID>/     spec.toml, solutions.py (reference graded cells), cases.py (input builders),
                        mistakes.toml (named mistakes, as edits of the reference cells)
    fixtures/<ID>/      expected.json, mistakes.json and submissions/ (generated), samples.toml

Only the trusted process loads this module's data; workers never see it.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import importlib.util
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator


def _packs_root() -> Path:
    """Where assignments/, reference/ and fixtures/ are: beside grader/ in a checkout, else
    the dnn_grader_packs folder a wheel installs next to it."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "reference").is_dir() else here / "dnn_grader_packs"


ROOT = _packs_root()
ASSIGNMENTS_DIR = ROOT / "assignments"
REFERENCE_DIR = ROOT / "reference"
FIXTURES_DIR = ROOT / "fixtures"
COURSE_ENV = "DNN_GRADER_COURSE"  # course folders of one's own, separated by os.pathsep
_courses: list[Path] = []         # chosen with --course (see use_courses)
MISTAKES_FILE = "mistakes.toml"     # reference/<ID>/: the catalogue of named mistakes
FINGERPRINTS_FILE = "mistakes.json"  # fixtures/<ID>/: their outputs on every case (generated)
MISTAKE_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")
MISTAKE_KEYS = {"id", "explanation", "replace", "release"}
GRADED_MARK = "# GRADED FUNCTION:"
STAND_IN_MARK = "# STAND-IN:"
SHOWN_ID_CHARS = 60


class SpecError(Exception):
    """An assignment id that does not exist, or a spec that is inconsistent."""


@dataclass(frozen=True)
class Case:
    """One call of a graded function on inputs made by a builder in cases.py."""

    function: str
    name: str
    builder: str
    weight: float = 1.0
    rtol: float = 1e-5
    atol: float = 1e-7
    seed: int = 0
    public: bool = False  # a published course example: its expected values may be shown
    stand_ins: tuple[str, ...] = ()  # blocks of stand_ins.py replacing reference cells it calls

    @property
    def key(self) -> str:
        return f"{self.function}/{self.name}"


@dataclass(frozen=True)
class Mistake:
    """A mistake students make in one graded function: a small variant of its reference cell
    (``edits``, each old text occurring exactly once) and what to tell a student who made it."""

    function: str
    id: str
    explanation: str
    edits: tuple[tuple[str, str], ...]
    release: str = ""  # only this release's own reference cell takes the edits ("": the newest)

    def applies(self, source: str) -> bool:
        """Whether every edit finds its text exactly once (in turn) in ``source``."""
        try:
            self.apply(source)
        except SpecError:
            return False
        return True

    def apply(self, source: str) -> str:
        """``source`` with the edits made in turn; SpecError when one does not apply."""
        for old, new in self.edits:
            source = replace_once(source, old, new, f"{self.function}: mistake {self.id}")
        return source


@dataclass(frozen=True)
class Function:
    """A graded function: its points, how its outputs are named, what it calls."""

    name: str
    points: float
    returns: tuple[str, ...]
    uses: tuple[str, ...]
    hint: str
    cases: tuple[Case, ...]
    may_modify: tuple[str, ...] = ()  # arguments it may change in place (a release's design)
    mistakes: tuple[Mistake, ...] = ()  # named mistakes, in the order they are tried


@dataclass
class Assignment:
    """An assignment spec plus lazy access to its trusted reference material."""

    id: str
    title: str
    notebook: Path
    preamble: str
    timeout: float
    functions: dict[str, Function]
    warm: tuple[str, ...] = ()
    root: Path = ROOT  # the course folder holding its assignments/, reference/, fixtures/

    @property
    def directory(self) -> Path:
        return self.root / "assignments" / self.id

    @property
    def reference_dir(self) -> Path:
        return self.root / "reference" / self.id

    @property
    def fixtures_dir(self) -> Path:
        return self.root / "fixtures" / self.id

    @property
    def max_score(self) -> float:
        return sum(f.points for f in self.functions.values())

    def cases(self) -> Iterator[Case]:
        for function in self.functions.values():
            yield from function.cases

    @functools.cached_property
    def _modules(self) -> tuple[ModuleType, ModuleType]:
        with isolated_imports(self.directory, self.reference_dir):
            solutions = _load_module(self.reference_dir / "solutions.py", "solutions")
            cases = _load_module(self.reference_dir / "cases.py", "cases")
        return solutions, cases

    @functools.cached_property
    def fingerprints(self) -> dict[str, dict[str, dict]]:
        """What each named mistake gives on each case (fixtures/<ID>/mistakes.json), keyed like
        the expected outputs, then by mistake id; {} for an assignment without mistakes."""
        path = self.fixtures_dir / FINGERPRINTS_FILE
        if not any(f.mistakes for f in self.functions.values()):
            return {}
        if not path.is_file():
            raise SpecError(f"{path} is missing; run: python -m grader.fixtures {self.id}")
        from grader import codec

        return codec.from_plain(json.loads(path.read_text()))

    @property
    def solutions(self) -> ModuleType:
        """The reference implementation module (trusted process only)."""
        return self._modules[0]

    def reference(self, name: str, stand_ins: tuple[str, ...] = ()) -> Callable:
        """The reference ``name``; with ``stand_ins`` (blocks of stand_ins.py), defined anew
        where those blocks replaced the reference functions they define."""
        if not stand_ins:
            return getattr(self.solutions, name)
        sources = [self.stand_in_blocks[s] for s in stand_ins] + [self.reference_blocks[name]]
        return redefine(vars(self.solutions), sources, name)

    def build_inputs(self, case: Case) -> tuple:
        """Fresh positional arguments for ``case`` (a new object on every call)."""
        builder = getattr(self._modules[1], case.builder)
        with isolated_imports(self.directory, self.reference_dir):
            args = builder()
        if type(args) is not tuple:
            raise SpecError(f"builder {case.builder} must return a tuple of arguments")
        return args

    def run_reference(self, case: Case) -> Any:
        """Expected output of ``case``, computed by the reference under the case seed."""
        args = copy.deepcopy(self.build_inputs(case))
        import numpy as np

        np.random.seed(case.seed)
        with isolated_imports(self.directory, self.reference_dir):
            return self.reference(case.function, case.stand_ins)(*args)

    @functools.cached_property
    def reference_blocks(self) -> dict[str, str]:
        """The source of each reference graded cell, keyed by function name."""
        return graded_blocks((self.reference_dir / "solutions.py").read_text())

    @functools.cached_property
    def stand_in_blocks(self) -> dict[str, str]:
        """Deliberately faulty cells (``# STAND-IN: name`` blocks of stand_ins.py) that some
        cases send instead of a reference cell, keyed by block name."""
        path = self.reference_dir / "stand_ins.py"
        return graded_blocks(path.read_text(), STAND_IN_MARK) if path.is_file() else {}

    @functools.cached_property
    def grading_order(self) -> list[str]:
        """Function names, every one after the graded functions it uses (else spec order).

        Running dependencies first means the reference cells sent for a function (stand-ins
        for what it calls) are never sent before those functions themselves were graded.
        """
        order: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in path:
                raise SpecError(f"graded functions use each other in a cycle: {path}")
            for used in self.functions[name].uses:
                visit(used, path + (name,))
            if name not in order:
                order.append(name)

        for name in self.functions:
            visit(name, ())
        return order

    def support_sources(self, function: str, blocks: dict[str, str] | None = None) -> list[str]:
        """Reference cells standing in for the graded functions ``function`` calls (taken from
        ``blocks``, by default the reference blocks)."""
        order: list[str] = []
        pending = list(self.functions[function].uses)
        while pending:
            name = pending.pop(0)
            if name != function and name not in order:
                order.append(name)
                pending.extend(self.functions[name].uses)
        return [(blocks or self.reference_blocks)[name] for name in reversed(order)]


def graded_blocks(source: str, mark: str = GRADED_MARK) -> dict[str, str]:
    """Split a solutions file into ``# GRADED FUNCTION: name`` blocks (or other ``mark``)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in source.splitlines():
        if line.startswith(mark):
            current = blocks.setdefault(line[len(mark):].strip(), [])
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in blocks.items()}


def replace_once(source: str, old: str, new: str, what: str) -> str:
    """``source`` with ``old`` replaced by ``new``; SpecError unless ``old`` occurs exactly once."""
    if source.count(old) != 1:
        raise SpecError(f"{what}: {old!r} must occur exactly once, found {source.count(old)}")
    return source.replace(old, new)


def redefine(namespace: dict, sources: list[str], name: str) -> Callable:
    """``name`` as defined by running ``sources`` in order in a copy of ``namespace``."""
    scope = dict(namespace)
    for source in sources:
        exec(compile(source, f"<reference {name}>", "exec"), scope)
    return scope[name]


@contextlib.contextmanager
def isolated_imports(*directories: Path) -> Iterator[None]:
    """Make ``directories`` importable, then forget modules loaded from them.

    Several assignments ship helper modules with the same name (``testCases``), so each
    assignment's modules are imported in their own window and dropped from ``sys.modules``.
    """
    roots = [str(d) for d in directories]
    before = set(sys.modules)
    sys.path[:0] = roots
    try:
        yield
    finally:
        del sys.path[: len(roots)]
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if any(origin.startswith(root) for root in roots):
                del sys.modules[name]


def _load_module(path: Path, name: str) -> ModuleType:
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise SpecError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def use_courses(folders: list[str | Path]) -> None:
    """Grade the assignments of these course folders too (before the built-in ones); each
    must hold ``reference/<ID>/spec.toml`` for at least one assignment."""
    chosen = [Path(folder).resolve() for folder in folders]
    for folder in chosen:
        check_course(folder)
    _courses[:] = chosen
    load.cache_clear()


def check_course(folder: Path) -> None:
    """SpecError unless ``folder`` is a course folder (with at least one assignment spec)."""
    if not folder.is_dir():
        raise SpecError(f"course folder {folder} does not exist")
    if not any((folder / "reference").glob("*/spec.toml")):
        raise SpecError(f"course folder {folder} has no reference/<ID>/spec.toml "
                        "(see docs/authoring.md, or scaffold one with `dnn-grader new`)")


def course_roots() -> list[Path]:
    """Folders searched for assignments, first match wins: --course folders, then those of
    the DNN_GRADER_COURSE environment variable, then the packs installed with the grader."""
    from_env = [Path(p).resolve() for p in os.environ.get(COURSE_ENV, "").split(os.pathsep) if p]
    roots = [*_courses, *from_env, ROOT]
    return list(dict.fromkeys(roots))


def secret_dirs() -> list[Path]:
    """What student code must never read, in every course folder: references, fixtures, tests."""
    return [root / name for root in course_roots() for name in ("reference", "fixtures", "tests")]


def _installed() -> dict[str, Path]:
    """Each reference subfolder holding a spec.toml, keyed by its name (earlier roots win)."""
    found: dict[str, Path] = {}
    for root in reversed(course_roots()):
        found.update({p.parent.name: p.parent for p in (root / "reference").glob("*/spec.toml")})
    return found


def available() -> list[str]:
    """Ids of every assignment that has a spec."""
    return sorted(_installed())


def _shown(assignment_id: object) -> str:
    """``assignment_id`` as quoted in an error message: repr, cut to a readable length."""
    text = repr(assignment_id)
    return text if len(text) <= SHOWN_ID_CHARS else text[:SHOWN_ID_CHARS] + "..."


@functools.cache
def load(assignment_id: str) -> Assignment:
    """Load the spec of an installed assignment; raises SpecError for any other id.

    The id is only looked up among the installed folder names, never joined into a path,
    so an id taken from a submission cannot point the grader at files of its choosing.
    """
    folder = _installed().get(assignment_id) if type(assignment_id) is str else None
    if folder is None:
        known = ", ".join(available()) or "none"
        raise SpecError(f"unknown assignment {_shown(assignment_id)} (known: {known})")
    data = tomllib.loads((folder / "spec.toml").read_text())
    if data.get("id", folder.name) != folder.name:
        raise SpecError(f"{folder / 'spec.toml'}: id {_shown(data['id'])} is not its folder "
                        f"name {folder.name!r}")
    functions = {f["name"]: _function(f) for f in data["functions"]}
    functions = _with_mistakes(functions, folder / MISTAKES_FILE)
    for function in functions.values():
        unknown = set(function.uses) - set(functions)
        if unknown:
            raise SpecError(f"{function.name} uses unknown graded functions {sorted(unknown)}")
    root = folder.parent.parent
    return Assignment(
        id=folder.name, title=data["title"],
        notebook=root / "assignments" / folder.name / _file_name(data["notebook"]),
        preamble=data.get("preamble", ""), timeout=float(data.get("timeout", 10)),
        functions=functions, warm=tuple(data.get("warm", ())), root=root,
    )


def _file_name(name: object) -> str:
    """``name`` if it is a plain file name (no folder part, no ``..``), else SpecError."""
    if type(name) is not str or not name or ".." in name or any(c in name for c in "/\\\0"):
        raise SpecError(f"notebook must be a file name inside the assignment folder, "
                        f"not {_shown(name)}")
    return name


def _function(data: dict) -> Function:
    returns = data.get("returns", "result")
    name = data["name"]
    return Function(
        name=name, points=float(data["points"]),
        returns=(returns,) if isinstance(returns, str) else tuple(returns),
        uses=tuple(data.get("uses", ())), hint=data.get("hint", ""),
        cases=tuple(_case(name, case) for case in data["cases"]),
    )


def _with_mistakes(functions: dict[str, Function], path: Path) -> dict[str, Function]:
    """``functions`` with the mistakes ``path`` (a mistakes.toml, if present) lists for each."""
    if not path.is_file():
        return functions
    catalogue = tomllib.loads(path.read_text())
    unknown = set(catalogue) - set(functions)
    if unknown:
        raise SpecError(f"{path}: mistakes of unknown functions {sorted(unknown)}")
    found = {name: tuple(_mistake(path, name, entry) for entry in entries)
             for name, entries in catalogue.items()}
    for name, mistakes in found.items():
        ids = [m.id for m in mistakes]
        if len(set(ids)) != len(ids):
            raise SpecError(f"{path}: {name}: mistake ids must be unique, got {ids}")
    return {name: replace(f, mistakes=found.get(name, ())) for name, f in functions.items()}


def _mistake(path: Path, function: str, data: dict) -> Mistake:
    where = f"{path}: {function}"
    if set(data) - MISTAKE_KEYS or not {"id", "explanation", "replace"} <= set(data):
        raise SpecError(f"{where}: a mistake has id, explanation, replace (and maybe release)")
    if type(data["id"]) is not str or not MISTAKE_ID_RE.fullmatch(data["id"]):
        raise SpecError(f"{where}: mistake id {_shown(data['id'])} must be a short identifier")
    explanation = " ".join(str(data["explanation"]).split())
    edits = data["replace"]
    if not explanation or not edits or any(
            type(e) is not list or len(e) != 2 or not all(type(t) is str for t in e)
            or not e[0] or e[0] == e[1] for e in edits):
        raise SpecError(f"{where}: {data['id']}: needs an explanation and replace = "
                        '[["old", "new"], ...] with texts to change')
    return Mistake(function, data["id"], explanation, tuple((old, new) for old, new in edits),
                   str(data.get("release", "")))


def _case(function: str, data: dict) -> Case:
    if type(data.get("public", False)) is not bool:
        raise SpecError(f"{function}/{data.get('name')}: public must be true or false")
    return Case(function=function, **dict(data, stand_ins=tuple(data.get("stand_ins", ()))))


def identify(function_names: set[str]) -> str | None:
    """The assignment whose graded functions best match ``function_names``, if any."""
    best, best_overlap = None, 0
    for assignment_id in available():
        overlap = len(function_names & set(load(assignment_id).functions))
        if overlap > best_overlap:
            best, best_overlap = assignment_id, overlap
    return best
