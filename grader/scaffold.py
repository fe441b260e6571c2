"""``dnn-grader new``: an assignment of one's own, scaffolded from a solution notebook.

The instructor's notebook holds graded cells (first line ``# GRADED FUNCTION: name``) whose
``### START CODE HERE ###`` … ``### END CODE HERE ###`` regions are filled in. From it come,
in a course folder (see docs/authoring.md):

    assignments/<ID>/<notebook>   the student notebook: each region's code replaced by
                                  placeholders (``name = None``), outputs cleared
    assignments/<ID>/*.py         the helper modules beside the notebook that it imports
    reference/<ID>/solutions.py   the imports, then the graded cells as written
    reference/<ID>/spec.toml      a skeleton: points, returns, uses, one public case each
    reference/<ID>/cases.py       one input builder per case, to be filled in
    fixtures/<ID>/samples.toml    no wrong samples yet
"""
from __future__ import annotations

import ast
import functools
import json
import re
import shutil
import textwrap
from pathlib import Path

import nbformat

from grader import extract
from grader.handout import student_text

ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


class ScaffoldError(Exception):
    """The solution notebook or the course folder cannot be scaffolded."""


def new_assignment(assignment_id: str, solution: Path, course: Path,
                   points: float = 10) -> list[Path]:
    """Scaffold ``assignment_id`` from ``solution`` into ``course``; the files written."""
    if not ID_RE.fullmatch(assignment_id):
        raise ScaffoldError(f"assignment id {assignment_id!r}: use letters, digits and _ "
                            "(starting with a letter)")
    nb = _read(solution)
    cells = _graded(nb, solution)
    folders = [course / part / assignment_id for part in ("assignments", "reference", "fixtures")]
    taken = [f for f in folders if f.exists()]
    if taken:
        raise ScaffoldError(f"{taken[0]} already exists; choose another id or remove it")
    imports = preamble(nb)
    files = {
        folders[0] / solution.name: _student_text(nb, assignment_id),
        folders[1] / "solutions.py": solutions_text(assignment_id, imports, cells),
        folders[1] / "spec.toml": spec_text(assignment_id, _title(nb, solution), solution.name,
                                            imports, cells, points),
        folders[1] / "cases.py": cases_text(assignment_id, cells),
        folders[2] / "samples.toml": SAMPLES_TOML,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    copied = [_copy(helper, folders[0]) for helper in helpers(nb, solution.parent)]
    return [*files, *copied]


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:  # nbformat's read errors derive from ValueError
        raise ScaffoldError(f"cannot read solution notebook {path}: {exc}") from None


def _graded(nb: nbformat.NotebookNode, path: Path) -> dict[str, str]:
    """Graded cells by name, each checked to hold at least one START/END region."""
    cells = {name: cell.source for name, cell in extract.graded_cells(nb)[0].items()}
    if not cells:
        raise ScaffoldError(f"{path} has no graded cells: start each cell to grade with a line "
                            "'# GRADED FUNCTION: <name>'")
    for name, source in cells.items():
        if not extract.regions(source):
            raise ScaffoldError(f"graded cell {name} has no '### START CODE HERE ###' … "
                                "'### END CODE HERE ###' region for students to fill")
        if f"def {name}(" not in source:
            raise ScaffoldError(f"graded cell {name} does not define a function {name}")
    return cells


def _title(nb: nbformat.NotebookNode, path: Path) -> str:
    """The notebook's first markdown heading, else its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem.replace("_", " ")


# ----------------------------------------------------------------------------- student notebook

def _student_text(nb: nbformat.NotebookNode, assignment_id: str) -> str:
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and extract.graded_name(cell.source):
            cell.source = blank_regions(cell.source)
    nb.metadata["dnn_grader"] = {"assignment": assignment_id}
    return student_text(nb)


def blank_regions(source: str) -> str:
    """``source`` with the code of every START/END region replaced by placeholders."""
    kept: list[str] = []
    region: list[str] = []
    for part, line in extract.marked(source):
        if part == extract.INSIDE:
            region.append(line)
            continue
        if part == extract.START:
            region = []
        elif part == extract.END:
            kept += placeholders_for(region, _indent(line))
        kept.append(line)
    return "\n".join(kept)


def placeholders_for(region: list[str], indent: str) -> list[str]:
    """One ``target = None`` line per name the region assigns, in order (``pass`` if none)."""
    code = textwrap.dedent("\n".join(region))
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ScaffoldError(f"a START/END region is not complete Python statements "
                            f"({exc.msg}, line {exc.lineno} of the region)") from None
    targets: list[str] = []
    for node in ast.walk(tree):
        for target in _targets(node):
            text = ast.unparse(target)
            if text not in targets:
                targets.append(text)
    return [f"{indent}{t} = None" for t in targets] or [f"{indent}pass"]


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        found = [node.target]
    else:
        return []
    return [t for t in found if isinstance(t, (ast.Name, ast.Subscript, ast.Attribute, ast.Tuple))]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


# ----------------------------------------------------------------------------- reference files

def _code_trees(nb: nbformat.NotebookNode, graded_too: bool = False) -> list[ast.Module]:
    """The syntax trees of the notebook's code cells (ungraded ones unless ``graded_too``),
    magics neutralised; cells that do not parse are left out."""
    trees = []
    for cell in nb.cells:
        if cell.cell_type != "code" or (extract.graded_name(cell.source) and not graded_too):
            continue
        try:
            trees.append(ast.parse(extract.strip_magics(cell.source)))
        except SyntaxError:
            continue
    return trees


def preamble(nb: nbformat.NotebookNode) -> str:
    """The import statements of the notebook's ungraded code cells, each once."""
    found: list[str] = []
    for tree in _code_trees(nb):
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                text = ast.unparse(node)
                if text not in found:
                    found.append(text)
    return "\n".join(found)


def helpers(nb: nbformat.NotebookNode, folder: Path) -> list[Path]:
    """The ``.py`` files in ``folder`` that the notebook's code imports."""
    names = set()
    for tree in _code_trees(nb, graded_too=True):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return sorted(folder / f"{n}.py" for n in names if (folder / f"{n}.py").is_file())


def _copy(path: Path, folder: Path) -> Path:
    target = folder / path.name
    shutil.copyfile(path, target)
    return target


def solutions_text(assignment_id: str, imports: str, cells: dict[str, str]) -> str:
    blocks = "\n\n\n".join(extract.strip_magics(source).strip() for source in cells.values())
    return (f'"""Reference graded cells of {assignment_id} (trusted: never shown to '
            f'students)."""\n{imports}\n\n\n{blocks}\n')


def spec_text(assignment_id: str, title: str, notebook: str, imports: str,
              cells: dict[str, str], points: float) -> str:
    """A spec.toml skeleton: every function with its guessed returns and uses, one case."""
    lines = [f"id = {_toml(assignment_id)}", f"title = {_toml(title)}",
             f"notebook = {_toml(notebook)}", "timeout = 10", f"preamble = {_toml(imports)}"]
    for name, source in cells.items():
        returns = returned_names(source, name)
        lines += ["", "[[functions]]", f"name = {_toml(name)}", f"points = {points:g}",
                  f"returns = {_toml(returns[0] if len(returns) == 1 else returns)}",
                  f"uses = {_toml(sorted(used_functions(source, name, set(cells))))}",
                  'hint = ""  # what to check when it fails (never the code to write)',
                  "", "[[functions.cases]]", 'name = "example"', "public = true",
                  f"builder = {_toml(name + '_example')}"]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    """A TOML value: JSON's strings, numbers and arrays are valid TOML."""
    return json.dumps(value, ensure_ascii=False)


@functools.lru_cache(maxsize=None)
def _function(source: str, name: str) -> ast.FunctionDef | None:
    """The definition of ``name`` in a graded cell (parsed once per cell)."""
    try:
        tree = ast.parse(extract.strip_magics(source))
    except SyntaxError:
        return None
    return next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name),
                None)


def returned_names(source: str, name: str) -> list[str]:
    """Names for the function's outputs, from its last ``return`` (``result`` if unnamed)."""
    function = _function(source, name)
    returns = [n for n in ast.walk(function) if isinstance(n, ast.Return)] if function else []
    value = returns[-1].value if returns else None
    items = value.elts if isinstance(value, ast.Tuple) else [value] if value else []
    names = [i.id if isinstance(i, ast.Name) else f"output{k}" for k, i in enumerate(items)]
    return names or ["result"]


def used_functions(source: str, name: str, graded: set[str]) -> set[str]:
    """The other graded functions this one calls."""
    function = _function(source, name)
    calls = {n.func.id for n in ast.walk(function) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name)} if function else set()
    return (calls & graded) - {name}


def cases_text(assignment_id: str, cells: dict[str, str]) -> str:
    """cases.py: one builder per function, raising until the instructor fills it in."""
    parts = [f'"""Inputs of the {assignment_id} test cases: each builder returns the tuple of '
             'arguments of one call."""\nimport numpy as np\n']
    for name, source in cells.items():
        function = _function(source, name)
        args = ", ".join(a.arg for a in function.args.args) if function else ""
        parts.append(f"\ndef {name}_example() -> tuple:\n"
                     f'    """The arguments ({args}) of one call of {name}."""\n'
                     f'    raise NotImplementedError("fill in the arguments ({args}) of '
                     f'{name}_example in cases.py")\n')
    return "".join(parts)


SAMPLES_TOML = """\
# Wrong sample submissions, as edits of the reference-filled notebook (see docs/authoring.md):
# [[samples]]
# file = "wrong_something.ipynb"
# description = "what the mistake is"
# fails = ["function_name"]
# [[samples.edits]]
# function = "function_name"
# old = "a line of the reference"
# new = "the same line with the mistake"
"""
