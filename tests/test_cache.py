"""What the grader keeps across runs (~/.cache/dnn-grader): the compiled notebook schema and
each assignment's plan material; stale entries are never used, a read-only cache still works."""
from __future__ import annotations

import copy
import functools
import json
import os
import pickle
import random
from pathlib import Path

import nbformat

import pytest

from grader import cache, codec, notebook, pipeline, spec


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    pipeline._build_plan.cache_clear()
    notebook._schema_check.cache_clear()
    yield tmp_path / "xdg" / "dnn-grader"
    pipeline._build_plan.cache_clear()
    notebook._schema_check.cache_clear()


def same(a, b) -> bool:
    return codec.to_plain(a) == codec.to_plain(b)


def test_cached_plan_equals_a_fresh_one(cache_home):
    first = pipeline.plan_for("C1W4A1", "v4")
    entries = list(cache_home.glob("plan-C1W4A1-*.pickle"))
    assert len(entries) == 1
    pipeline._build_plan.cache_clear()
    again = pipeline.plan_for("C1W4A1", "v4")  # from the stored entry this time
    fresh = pipeline._material(first.assignment, first.release, first.functions,
                               first.assignment.fixtures_dir / "expected.json")
    for name in first.functions:
        assert same(again.inputs[name], fresh[0][name]) and same(again.expected[name], fresh[2][name])
        assert again.support[name] == fresh[4][name]


def test_a_changed_source_file_is_a_new_entry(cache_home, use_toy):
    pipeline.plan_for("TOY")
    cases = use_toy / "reference" / "TOY" / "cases.py"
    stat, text = cases.stat(), cases.read_text()
    try:  # same size, same modification time, other content: still a new entry
        cases.write_text(text.replace("2", "3", 1))
        os.utime(cases, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert cases.stat().st_size == stat.st_size and "2" in text
        pipeline._build_plan.cache_clear()
        pipeline.plan_for("TOY")
        assert len(list(cache_home.glob("plan-TOY-*.pickle"))) == 2
    finally:
        cases.write_text(text)


def test_an_unwritable_cache_is_rebuilt_every_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cache.cached("thing-1", lambda: b"built") == b"built"
    pipeline._build_plan.cache_clear()
    try:
        assert pipeline.plan_for("C2W1A3").functions
    finally:
        pipeline._build_plan.cache_clear()


def test_old_entries_of_a_kind_are_pruned(cache_home):
    for index in range(cache.KEEP + 3):
        cache.cached(f"kind-{index:02d}", lambda: pickle.dumps(index))
        os.utime(cache_home / f"kind-{index:02d}", (index, index))
    kept = sorted(p.name for p in cache_home.glob("kind-*"))
    assert len(kept) == cache.KEEP and "kind-00" not in kept and "kind-10" in kept


def test_cached_schema_still_rejects_invalid_notebooks(cache_home):
    text = (spec.FIXTURES_DIR / "C1W4A1" / "submissions" / "reference.ipynb").read_text()
    assert notebook.parse(text).cells
    assert list(cache_home.glob("nbschema-*.marshal"))
    notebook._schema_check.cache_clear()  # the next check loads the stored byte code
    broken = text.replace('"cell_type": "code"', '"cell_type": "codex"', 1)
    with pytest.raises(notebook.NotebookError, match="invalid notebook structure"):
        notebook.parse(broken)


def _mutations(nb: dict, rng: random.Random, count: int):
    """Copies of ``nb`` with one cell, output or metadata field broken in a way a hand edit
    or another tool could break it."""
    values = [None, 3, "x", [], {}, ["a", 1], {"a": 1}, True, -1]
    for _ in range(count):
        broken = copy.deepcopy(nb)
        cell = rng.choice(broken["cells"])
        target = cell
        if cell.get("outputs") is not None and rng.random() < 0.3:
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
            target = cell["outputs"][0]
        elif rng.random() < 0.3:
            target = cell.setdefault("metadata", {})
        key = rng.choice(sorted(target) + ["extra", "cell_type", "outputs", "execution_count"])
        if rng.random() < 0.25:
            target.pop(key, None)
        else:
            target[key] = rng.choice(values + ["code", "markdown", "raw"])
        yield broken


def test_cell_by_cell_validation_agrees_with_the_whole_schema(cache_home):
    """The fast validator (each cell against the definition its cell_type names) accepts and
    rejects exactly the notebooks the schema's own oneOf rule does."""
    import fastjsonschema

    rng = random.Random(13)
    checked = rejected = 0
    for path in sorted((spec.FIXTURES_DIR).glob("*/submissions/*.ipynb"))[:6]:
        nb = json.loads(path.read_text())
        schema = json.loads((Path(nbformat.__file__).parent / "v4" /
                             f"nbformat.v4.{nb['nbformat_minor']}.schema.json").read_text())
        whole = fastjsonschema.compile(schema)
        fast = notebook._schema_check(nb["nbformat_minor"])
        assert isinstance(fast, functools.partial)  # the cell-by-cell path is the one in use
        for candidate in [nb, *_mutations(nb, rng, 60)]:
            try:
                whole(candidate)
                expected = True
            except fastjsonschema.JsonSchemaException:
                expected = False
            try:
                fast(candidate)
                got = True
            except fastjsonschema.JsonSchemaException:
                got = False
            assert got == expected, (path.name, candidate)
            checked, rejected = checked + 1, rejected + (not expected)
    assert checked > 300 and 50 < rejected < checked - 50  # both outcomes well represented
