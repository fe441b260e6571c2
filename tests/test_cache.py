"""What the grader keeps across runs (~/.cache/dnn-grader): the compiled notebook schema and
each assignment's plan material; stale entries are never used, a read-only cache still works."""
from __future__ import annotations

import os
import pickle

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
