"""Stage 2: find the graded cells of a notebook and tell which assignment it is."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.notebook import Node

GRADED_RE = re.compile(r"^#\s*GRADED FUNCTION:\s*([A-Za-z_]\w*)\s*$")
START_RE = re.compile(r"^\s*#+\s*(START CODE HERE|YOUR CODE STARTS HERE)", re.IGNORECASE)
END_RE = re.compile(r"^\s*#+\s*(END CODE HERE|YOUR CODE ENDS HERE)", re.IGNORECASE)
PLACEHOLDER_RE = re.compile(r"^\s*[^#=]+=\s*None(\s*,\s*None)*\s*(#.*)?$")
STUB_RE = re.compile(r"^\s*(pass|None|\.\.\.)\s*(#.*)?$")  # a region holding only these is a stub
EMPTY_REGION = "an empty START/END CODE HERE region"
MAGIC_RE = re.compile(r"^(\s*)[%!]")


@dataclass
class GradedCell:
    """The code of one graded function as the student left it."""

    name: str
    source: str
    cell_index: int
    placeholders: list[str] = field(default_factory=list)

    @property
    def unfinished(self) -> bool:
        """True while a student region still holds a placeholder or nothing at all."""
        return bool(self.placeholders)


def graded_cells(nb: Node) -> tuple[dict[str, GradedCell], list[str]]:
    """Graded cells by function name, and warnings (duplicates) worth reporting."""
    cells: dict[str, GradedCell] = {}
    warnings: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        name = graded_name(cell.source)
        if name is None:
            continue
        if name in cells:
            warnings.append(f"{name}: graded cell appears more than once; the last one is graded")
        cells[name] = GradedCell(name, strip_magics(cell.source), index,
                                 placeholders(cell.source))
    return cells, warnings


def graded_name(source: str) -> str | None:
    """The function name of a ``# GRADED FUNCTION: name`` cell, else None."""
    for line in source.splitlines():
        if line.strip():
            match = GRADED_RE.match(line.strip())
            return match.group(1) if match else None
    return None


START, END, INSIDE, OUTSIDE = "start", "end", "inside", "outside"


@functools.lru_cache(maxsize=256)
def marked(source: str) -> tuple[tuple[str, str], ...]:
    """Each line of a cell with its part: START or END (a region's markers; an END outside a
    region is OUTSIDE), INSIDE (a region's code, until its END; a second START begins a new
    region) or OUTSIDE. Kept for the last cells asked: detection reads them again."""
    found, inside = [], False
    for line in source.splitlines():
        if "#" in line and START_RE.match(line):
            inside = True
            found.append((START, line))
        elif inside and "#" in line and END_RE.match(line):
            inside = False
            found.append((END, line))
        else:
            found.append((INSIDE if inside else OUTSIDE, line))
    return tuple(found)


def regions(source: str) -> list[list[str]]:
    """The lines inside each START/END code region of a cell."""
    found: list[list[str]] = []
    current: list[str] = []
    for part, line in marked(source):
        if part == START:
            current = []
        elif part == END:
            found.append(current)
        elif part == INSIDE:
            current.append(line)
    return found


def placeholders(source: str) -> list[str]:
    """What the student regions still hold of the scaffold: ``W1 = None`` lines, the lines of
    a region holding only ``pass``/``None``, and EMPTY_REGION for a region without code."""
    found = []
    for region in regions(source):
        code = [line.strip() for line in region
                if line.strip() and not line.lstrip().startswith("#")]
        if not code:
            found.append(EMPTY_REGION)
        elif all(STUB_RE.match(line) for line in code):
            found += code
        else:
            found += [line.strip() for line in region if PLACEHOLDER_RE.match(line)]
    return found


def strip_magics(source: str) -> str:
    """Turn IPython magics and shell escapes into ``pass`` so the cell compiles as Python."""
    if "%" not in source and "!" not in source:
        return "\n".join(source.splitlines())
    return "\n".join(MAGIC_RE.sub(r"\1pass  # ", line) if MAGIC_RE.match(line) else line
                     for line in source.splitlines())


def assignment_id(nb: Node) -> str | None:
    """The assignment id stored in the notebook metadata, if any."""
    meta = nb.metadata.get("dnn_grader")
    if isinstance(meta, dict) and isinstance(meta.get("assignment"), str):
        return meta["assignment"]
    return None


def scaffolding(source: str) -> list[str]:
    """The lines of a cell outside its student regions (markers included)."""
    return [line.rstrip() for part, line in marked(source) if part != INSIDE]
