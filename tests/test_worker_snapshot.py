"""The worker's namespace snapshots: every change of a binding is seen, with or without the
dict modification tag that lets an unchanged namespace be checked without reading it."""
import json
import sys
import types

import pytest

from grader import worker

CHANGES = {
    "rebind": lambda ns: ns.__setitem__("f", len),
    "delete": lambda ns: ns.__delitem__("f"),
    "clear": lambda ns: ns.clear(),
    "pop": lambda ns: ns.pop("g"),
    "popitem": lambda ns: ns.popitem(),
    "update": lambda ns: ns.update(f=max),
    "merge": lambda ns: ns.__ior__({"g": min}),
    "reinit": lambda ns: dict.__init__(ns, f=abs),
    "setattr": lambda ns: setattr(ns["module"], "f", len),
    "rebind and put back": lambda ns: (ns.__setitem__("f", len), ns.__setitem__("f", ns["g"])),
}
ADDITIONS = {
    "add": lambda ns: ns.__setitem__("shadow", print),
    "setdefault": lambda ns: ns.setdefault("shadow", print),
}


@pytest.fixture(params=["tagged", "compared in full"])
def tagging(request, monkeypatch):
    if request.param == "compared in full":
        monkeypatch.setattr(worker, "dict_tag_reader", lambda: None)
    elif worker.dict_tag_reader() is None:
        pytest.skip("this interpreter has no dict modification tag")
    return request.param


def a_module() -> tuple[types.ModuleType, dict]:
    module = types.ModuleType("student_target")
    module.f, module.g = sum, sum
    space = vars(module)
    space["module"] = module
    return module, space


def test_cpython_versions_with_the_tag_use_it():
    if sys.implementation.name == "cpython" and (3, 11) <= sys.version_info[:2] <= (3, 13):
        assert worker.dict_tag_reader() is not None


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_of_a_binding_is_seen_and_undone(change, tagging):
    module, space = a_module()
    snapshot = worker.Snapshot(space)
    assert snapshot.holds(exact=True)
    CHANGES[change](space)
    verdict = snapshot.holds(exact=True)
    assert verdict is (change == "rebind and put back")
    snapshot.put_back()
    assert snapshot.holds(exact=True) and space["f"] is sum and module.f is sum


@pytest.mark.parametrize("change", sorted(ADDITIONS))
def test_an_added_name_fails_an_exact_check_every_time(change, tagging):
    _, space = a_module()
    snapshot = worker.Snapshot(space)
    ADDITIONS[change](space)
    assert snapshot.holds(exact=False)  # the saved bindings are intact...
    assert not snapshot.holds(exact=True)  # ...but a new global could shadow a builtin
    assert not snapshot.holds(exact=True)
    snapshot.put_back()
    assert "shadow" not in space and snapshot.holds(exact=True)


def test_a_class_attribute_set_on_the_class_is_seen(tagging):
    space = json.JSONEncoder.__dict__
    snapshot = worker.Snapshot(space)
    original = json.JSONEncoder.encode
    try:
        json.JSONEncoder.encode = lambda self, o: "{}"
        assert not snapshot.holds(exact=True)
    finally:
        json.JSONEncoder.encode = original
    assert snapshot.holds(exact=True)


def test_an_unchanged_namespace_is_not_read(tagging, monkeypatch):
    _, space = a_module()
    snapshot = worker.Snapshot(space)
    space["f"] = len
    space["f"] = sum  # changed, then put back: read in full once, then trusted again
    assert snapshot.holds(exact=True)

    def read_in_full() -> bool:
        raise AssertionError("the bindings were read although the dict had not changed")

    if tagging == "tagged":
        monkeypatch.setattr(snapshot, "same", read_in_full)
        assert snapshot.holds(exact=True) and snapshot.holds(exact=False)
    space["g"] = len
    monkeypatch.undo()
    assert not snapshot.holds(exact=False)


def test_module_state_restores_what_a_cell_rebound(tagging):
    import numpy as np

    state = worker.ModuleState("/nonexistent-assignment-folder")
    dot = np.dot
    np.dot = lambda a, b: 0
    np.extra_name = 1
    try:
        state.restore()
        assert np.dot is dot and not hasattr(np, "extra_name")
    finally:
        np.dot = dot
        vars(np).pop("extra_name", None)
