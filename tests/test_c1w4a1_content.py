"""Content tests for C1W4A1 ("Building your Deep Neural Network: Step by Step").

(a) the reference reproduces every published value of the course (course 1 week 4, assignment 1);
(b) the public testCases module reproduces the published input recipes;
(c) the public checks pass for the reference and fail, with a message, for wrong code;
(d) the student notebook matches solutions.py outside the START/END regions.
"""
from __future__ import annotations

import ast
import copy
import importlib
import re
import tomllib

import nbformat
import numpy as np
import pytest

from grader import releases, spec
from grader.checks import compare

ID = "C1W4A1"
FUNCTIONS = [
    "initialize_parameters", "initialize_parameters_deep", "linear_forward",
    "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
    "linear_activation_backward", "L_model_backward", "update_parameters",
]
START = re.compile(r"^(\s*)### START CODE HERE ### \(≈ \d+ lines? of code\)$")
END = re.compile(r"^\s*### END CODE HERE ###$")


@pytest.fixture(scope="module")
def assignment():
    return spec.load(ID)


@pytest.fixture(scope="module")
def public(assignment):
    """The public helper modules (testCases, public_tests, dnn_utils), imported in isolation."""
    with spec.isolated_imports(assignment.directory):
        return {name: importlib.import_module(name)
                for name in ("testCases", "public_tests", "dnn_utils")}


def case_by_builder(assignment, builder):
    matches = [c for c in assignment.cases() if c.builder == builder]
    assert len(matches) == 1, builder
    return matches[0]


def run(assignment, builder):
    return assignment.run_reference(case_by_builder(assignment, builder))


def close(got, expected, atol=1e-8):
    np.testing.assert_allclose(got, np.array(expected), rtol=0, atol=atol)
    assert np.shape(got) == np.shape(np.array(expected))


# --------------------------------------------------------------------------- spec sanity

def test_spec_shape(assignment):
    assert list(assignment.functions) == FUNCTIONS
    assert assignment.max_score == 100
    assert assignment.notebook.is_file()
    for function in assignment.functions.values():
        assert len(function.cases) >= 3, function.name
        assert function.hint
    uses = {name: f.uses for name, f in assignment.functions.items() if f.uses}
    assert uses == {
        "linear_activation_forward": ("linear_forward",),
        "L_model_forward": ("linear_activation_forward",),
        "linear_activation_backward": ("linear_backward",),
        "L_model_backward": ("linear_activation_backward",),
    }
    assert list(assignment.reference_blocks) == FUNCTIONS


def test_builders_are_deterministic(assignment):
    for case in assignment.cases():
        first, second = assignment.build_inputs(case), assignment.build_inputs(case)
        assert compare(first, second, "args", rtol=0, atol=0) == [], case.key


# --------------------------------------------------------------------------- (a) published values

def test_initialize_parameters_published(assignment):
    p = run(assignment, "initialize_parameters_canonical")
    assert list(p) == ["W1", "b1", "W2", "b2"]
    close(p["W1"], [[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]])
    close(p["b1"], np.zeros((2, 1)))
    close(p["W2"], [[0.01744812, -0.00761207]])
    close(p["b2"], np.zeros((1, 1)))
    p = run(assignment, "initialize_parameters_second")
    close(p["W1"], [[0.01624345, -0.00611756, -0.00528172, -0.01072969],
                    [0.00865408, -0.02301539, 0.01744812, -0.00761207],
                    [0.00319039, -0.0024937, 0.01462108, -0.02060141]])
    close(p["b1"], np.zeros((3, 1)))
    close(p["W2"], [[-0.00322417, -0.00384054, 0.01133769], [-0.01099891, -0.00172428, -0.00877858]])
    close(p["b2"], np.zeros((2, 1)))
    # the oldest release printed a (2, 2, 1) call
    p = assignment.reference("initialize_parameters")(2, 2, 1)
    close(p["W1"], [[0.01624345, -0.00611756], [-0.00528172, -0.01072969]])
    close(p["W2"], [[0.00865408, -0.02301539]])


def test_initialize_parameters_deep_published(assignment):
    p = run(assignment, "initialize_parameters_deep_canonical")
    assert list(p) == ["W1", "b1", "W2", "b2"]
    close(p["W1"], [[0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                    [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
                    [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
                    [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]])
    close(p["b1"], np.zeros((4, 1)))
    close(p["W2"], [[-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                    [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                    [-0.00768836, -0.00230031, 0.00745056, 0.01976111]])
    close(p["b2"], np.zeros((3, 1)))
    p = run(assignment, "initialize_parameters_deep_second")
    close(p["W1"], [[0.01788628, 0.0043651, 0.00096497, -0.01863493],
                    [-0.00277388, -0.00354759, -0.00082741, -0.00627001],
                    [-0.00043818, -0.00477218, -0.01313865, 0.00884622]])
    close(p["W2"], [[0.00881318, 0.01709573, 0.00050034], [-0.00404677, -0.0054536, -0.01546477]])
    close(p["b2"], np.zeros((2, 1)))
    p = run(assignment, "initialize_parameters_deep_hidden_four_layers")
    assert [p[k].shape for k in p] == [(6, 8), (6, 1), (5, 6), (5, 1), (3, 5), (3, 1), (1, 3), (1, 1)]


def test_linear_forward_published(assignment, public):
    Z, cache = run(assignment, "linear_forward_canonical")
    close(Z, [[3.26295337, -1.23429987]])
    A, W, b = public["testCases"].linear_forward_test_case()
    assert type(cache) is tuple and len(cache) == 3
    for got, expected in zip(cache, (A, W, b)):
        np.testing.assert_array_equal(got, expected)


def test_linear_activation_forward_published(assignment):
    A, cache = run(assignment, "linear_activation_forward_canonical_sigmoid")
    close(A, [[0.96890023, 0.11013289]])
    (linear_cache, Z) = cache
    close(Z, [[3.43896131, -2.08938436]])
    assert type(linear_cache) is tuple and len(linear_cache) == 3
    A, cache = run(assignment, "linear_activation_forward_canonical_relu")
    close(A, [[3.43896131, 0.0]])
    close(cache[1], [[3.43896131, -2.08938436]])


def test_L_model_forward_published(assignment):
    AL, caches = run(assignment, "L_model_forward_canonical")
    close(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]])
    assert type(caches) is list and len(caches) == 3
    Z1 = [[-5.23825714, 3.18040136, 0.4074501, -1.88612721],
          [-2.77358234, -0.56177316, 3.18141623, -0.99209432],
          [4.18500916, -1.78006909, -0.14502619, 2.72141638],
          [5.05850802, -1.25674082, -3.54566654, 3.82321852]]
    Z2 = [[2.2644603, 1.09971298, -2.90298027, 1.54036335],
          [6.33722569, -2.38116246, -4.11228806, 4.48582383],
          [10.37508342, -0.66591468, 1.63635185, 8.17870169]]
    Z3 = [[-3.19864676, 0.87117055, -1.40297864, -3.00319435]]
    for (linear_cache, Z), expected in zip(caches, (Z1, Z2, Z3)):
        close(Z, expected)
    close(caches[1][0][0], np.maximum(np.array(Z1), 0))  # A_prev of layer 2 = relu(Z1)
    close(caches[2][0][0], np.maximum(np.array(Z2), 0))
    AL, caches = run(assignment, "L_model_forward_two_layers")
    close(AL, [[0.17007265, 0.2524272]])
    assert len(caches) == 2
    AL, caches = run(assignment, "L_model_forward_hidden_four_layers")
    assert AL.shape == (1, 7) and len(caches) == 4


def test_compute_cost_published(assignment):
    cost = run(assignment, "compute_cost_canonical")
    assert isinstance(cost, np.ndarray) and cost.shape == ()
    assert abs(float(cost) - 0.2797765635793422) < 1e-15
    # older releases used Y = [[1, 1, 1]]
    assert abs(float(run(assignment, "compute_cost_old_all_positive")) - 0.41493159961539694) < 1e-15


def test_linear_backward_published(assignment):
    dA_prev, dW, db = run(assignment, "linear_backward_canonical")
    close(dA_prev, [[-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                    [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                    [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                    [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                    [-2.52214926, 2.67882552, -0.67947465, 1.48119548]])
    close(dW, [[0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
               [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
               [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]])
    close(db, [[-0.14713786], [-0.11313155], [-0.13209101]])
    # older releases: dZ (1, 2)
    dA_prev, dW, db = run(assignment, "linear_backward_old_single_unit")
    close(dA_prev, [[0.51822968, -0.19517421], [-0.40506361, 0.15255393], [2.37496825, -0.89445391]])
    close(dW, [[-0.10076895, 1.40685096, 1.64992505]])
    close(db, [[0.50629448]])


def test_linear_activation_backward_published(assignment):
    dA_prev, dW, db = run(assignment, "linear_activation_backward_canonical_sigmoid")
    close(dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]])
    close(dW, [[0.10266786, 0.09778551, -0.01968084]])
    close(db, [[-0.05729622]])
    dA_prev, dW, db = run(assignment, "linear_activation_backward_canonical_relu")
    close(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]])
    close(dW, [[0.44513824, 0.37371418, -0.10478989]])
    close(db, [[-0.20837892]])


def test_L_model_backward_published(assignment):
    grads = run(assignment, "L_model_backward_canonical")
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    close(grads["dA0"], [[0.0, 0.52257901], [0.0, -0.3269206], [0.0, -0.32070404], [0.0, -0.74079187]])
    close(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]])
    close(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                         [0.0, 0.0, 0.0, 0.0],
                         [0.05283652, 0.01005865, 0.01777766, 0.0135308]])
    close(grads["dW2"], [[-0.39202432, -0.13325855, -0.04601089]])
    close(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]])
    close(grads["db2"], [[0.15187861]])
    grads = run(assignment, "L_model_backward_hidden_four_layers")
    assert sorted(grads) == sorted([f"d{k}{l}" for k, r in (("A", range(4)), ("W", range(1, 5)),
                                                            ("b", range(1, 5))) for l in r])


def test_update_parameters_published(assignment):
    case = case_by_builder(assignment, "update_parameters_canonical")
    args = assignment.build_inputs(case)
    untouched = copy.deepcopy(args)
    p = assignment.reference("update_parameters")(*args)
    close(p["W1"], [[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                    [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                    [-1.0535704, -0.86128581, 0.68284052, 2.20374577]])
    close(p["b1"], [[-0.04659241], [-1.28888275], [0.53405496]])
    close(p["W2"], [[-0.55569196, 0.0354055, 1.32964895]])
    close(p["b2"], [[-0.84610769]])
    for key in untouched[0]:  # the input dictionary is left alone
        np.testing.assert_array_equal(args[0][key], untouched[0][key])


def test_hidden_cases_exercise_relu_and_sigmoid(assignment):
    """Hidden backward cases must have both active and inactive ReLU units, unsaturated outputs."""
    for builder in ("L_model_backward_hidden_three_layers", "L_model_backward_hidden_four_layers"):
        AL, Y, caches = assignment.build_inputs(case_by_builder(assignment, builder))
        assert 0.02 < AL.min() and AL.max() < 0.98
        for _, Z in caches[:-1]:
            assert (Z > 0).any() and (Z < 0).any()
        assert set(np.unique(Y)) == {0, 1}


# --------------------------------------------------------------------------- (b) testCases inputs

def _draws(seed, *shapes):
    np.random.seed(seed)
    return [np.random.randn(*s) for s in shapes]


def _equal(got, expected):
    assert compare(got, expected, "value", rtol=0, atol=0) == []


def test_testcases_reproduce_recipes(public):
    tc = public["testCases"]
    _equal(tc.linear_forward_test_case(), tuple(_draws(1, (3, 2), (1, 3), (1, 1))))
    _equal(tc.linear_activation_forward_test_case(), tuple(_draws(2, (3, 2), (1, 3), (1, 1))))

    X, W1, b1, W2, b2 = _draws(1, (4, 2), (3, 4), (3, 1), (1, 3), (1, 1))
    _equal(tc.L_model_forward_test_case(), (X, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}))
    X, W1, b1, W2, b2, W3, b3 = _draws(6, (5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1))
    _equal(tc.L_model_forward_test_case_2hidden(),
           (X, {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}))

    Y, AL = tc.compute_cost_test_case()
    assert Y.tolist() == [[1, 1, 0]] and Y.dtype.kind == "i"
    assert AL.tolist() == [[0.8, 0.9, 0.4]]

    dZ, A, W, b = _draws(1, (3, 4), (5, 4), (3, 5), (3, 1))
    _equal(tc.linear_backward_test_case(), (dZ, (A, W, b)))
    dA, A, W, b, Z = _draws(2, (1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    _equal(tc.linear_activation_backward_test_case(), (dA, ((A, W, b), Z)))

    AL, A1, W1, b1, Z1, A2, W2, b2, Z2 = _draws(3, (1, 2), (4, 2), (3, 4), (3, 1), (3, 2),
                                                (3, 2), (1, 3), (1, 1), (1, 2))
    got = tc.L_model_backward_test_case()
    _equal(got, (AL, np.array([[1, 0]]), (((A1, W1, b1), Z1), ((A2, W2, b2), Z2))))
    assert got[1].dtype.kind == "i"

    W1, b1, W2, b2 = _draws(2, (3, 4), (3, 1), (1, 3), (1, 1))
    dW1, db1, dW2, db2 = _draws(3, (3, 4), (3, 1), (1, 3), (1, 1))
    _equal(tc.update_parameters_test_case(),
           ({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}))


def test_testcases_spot_values(public):
    """A few input entries pinned as numbers, independent of the recipe re-implementation."""
    tc = public["testCases"]
    A, W, b = tc.linear_forward_test_case()
    assert A[0, 0] == pytest.approx(1.62434536) and b[0, 0] == pytest.approx(-0.24937038)
    _, _, caches = tc.L_model_backward_test_case()
    close(caches[1][1], [[0.64667545, -0.35627076]])


def test_print_grads(public, capsys):
    public["testCases"].print_grads({"dW1": np.ones((1, 1)), "dA0": np.zeros((1, 1)), "db1": np.ones((1, 1))})
    lines = [line for line in capsys.readouterr().out.splitlines() if "=" in line]
    assert [line.split(" =")[0] for line in lines] == ["dA0", "dW1", "db1"]


def test_dnn_utils(public):
    du = public["dnn_utils"]
    Z = np.array([[-2.0, 0.0, 3.0]])
    A, cache = du.relu(Z)
    close(A, [[0.0, 0.0, 3.0]])
    assert cache is Z
    A, cache = du.sigmoid(Z)
    close(A, 1 / (1 + np.exp(-Z)))
    dA = np.array([[1.0, 2.0, 3.0]])
    close(du.relu_backward(dA, Z), [[0.0, 0.0, 3.0]])
    s = 1 / (1 + np.exp(-Z))
    close(du.sigmoid_backward(dA, Z), dA * s * (1 - s))
    assert dA.tolist() == [[1.0, 2.0, 3.0]]


# --------------------------------------------------------------------------- (c) public checks

@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_check_passes_for_reference(assignment, public, name, capsys):
    getattr(public["public_tests"], name + "_test")(assignment.reference(name))
    assert "All tests passed." in capsys.readouterr().out


def _wrong(assignment, name):
    """A plausible wrong implementation of each function (built on the reference)."""
    ref = assignment.reference(name)

    def scaled(*args):  # perturbs every numeric output
        out = ref(*args)
        return _perturb(out)

    wrong = {
        "linear_forward": lambda A, W, b: (np.dot(W, A), (A, W, b)),
        "compute_cost": lambda AL, Y: -ref(AL, Y),
        "L_model_backward": lambda AL, Y, caches: {
            ("dA" + str(int(k[2:]) + 1) if k.startswith("dA") else k): v
            for k, v in ref(AL, Y, caches).items()},
        "update_parameters": _in_place_update,
    }
    wrong_fn = wrong.get(name, scaled)
    wrong_fn.__name__ = name
    return wrong_fn


def _perturb(value):
    if isinstance(value, dict):
        return {k: _perturb(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_perturb(v) for v in value)
    if isinstance(value, np.ndarray):
        return value * 1.5 + 0.01
    return value


def _in_place_update(params, grads, learning_rate):
    for key in list(params):
        params[key] = params[key] - learning_rate * grads["d" + key]
    return params


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_check_fails_for_wrong_code(assignment, public, name, capsys):
    with pytest.raises(AssertionError, match=name):
        getattr(public["public_tests"], name + "_test")(_wrong(assignment, name))
    out = capsys.readouterr().out
    assert "✗" in out and "All tests passed." not in out


def test_public_check_reports_exceptions_and_shapes(public, capsys):
    pt = public["public_tests"]

    def crashing(AL, Y):
        raise ValueError("boom")

    crashing.__name__ = "compute_cost"
    with pytest.raises(AssertionError):
        pt.compute_cost_test(crashing)
    assert "ValueError: boom" in capsys.readouterr().out

    def unsqueezed(AL, Y):
        m = Y.shape[1]
        return -(np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T)) / m

    unsqueezed.__name__ = "compute_cost"
    with pytest.raises(AssertionError):
        pt.compute_cost_test(unsqueezed)
    assert "shape (1, 1), expected ()" in capsys.readouterr().out


def test_public_tests_hold_only_published_numbers(assignment):
    """public_tests.py must not compute expected outputs with (or import) the reference."""
    source = (assignment.directory / "public_tests.py").read_text()
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"numpy", "testCases", "grader.selfcheck"}
    assert "solutions" not in source and "reference" not in source


# --------------------------------------------------------------------------- (d) notebook

@pytest.fixture(scope="module")
def notebook(assignment):
    return nbformat.read(assignment.notebook, as_version=4)


def _graded_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(spec.GRADED_MARK)]


def _split_regions(source):
    """(text outside the regions with each region collapsed to its START line, region bodies)."""
    outside, regions, body = [], [], None
    for line in source.splitlines():
        if START.match(line):
            assert body is None, "nested START"
            outside.append(line)
            body = []
        elif END.match(line):
            assert body is not None, "END without START"
            regions.append("\n".join(body))
            outside.append(line)
            body = None
        elif body is not None:
            body.append(line)
        else:
            outside.append(line)
    assert body is None, "START without END"
    return "\n".join(outside), regions


def _is_placeholder(statement):
    if not isinstance(statement, ast.Assign):
        return False
    value = statement.value
    items = value.elts if isinstance(value, ast.Tuple) else [value]
    return all(isinstance(v, ast.Constant) and v.value is None for v in items)


def test_stub_cells_compile_and_fail(assignment, notebook):
    """The student cells define their functions (which fail until filled in)."""
    for name in FUNCTIONS:
        compile(assignment.reference_blocks[name], name, "exec")
    stub = {c.source.splitlines()[0][len(spec.GRADED_MARK):].strip(): c.source
            for c in _graded_cells(notebook)}
    namespace: dict = {}
    with spec.isolated_imports(assignment.directory):
        exec(assignment.preamble, namespace)
        for name in FUNCTIONS:
            exec(stub[name], namespace)
    with pytest.raises(Exception):
        namespace["linear_forward"](np.ones((2, 1)), np.ones((1, 2)), np.ones((1, 1)))


def test_notebook_test_cells_follow_graded_cells(notebook):
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    first = code_cells[0].source
    for needed in ("import copy", "import numpy as np",
                   "from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward",
                   "from testCases import *", "from public_tests import *", "np.random.seed(1)"):
        assert needed in first
    for i, cell in enumerate(code_cells):
        if cell.source.startswith(spec.GRADED_MARK):
            name = cell.source.splitlines()[0][len(spec.GRADED_MARK):].strip()
            following = code_cells[i + 1].source
            assert f"{name}_test({name})" in following
            assert "print(" in following


def test_samples_edit_the_reference_uniquely(assignment):
    data = tomllib.loads((assignment.fixtures_dir / "samples.toml").read_text())
    assert len(data["samples"]) >= 8
    failing = set()
    for sample in data["samples"]:
        assert len(sample["fails"]) == 1 and sample["fails"][0] in FUNCTIONS
        failing |= set(sample["fails"])
        base = releases.blocks(assignment, releases.get(ID, sample.get("release")))
        blocks = dict(base)
        for edit in sample["edits"]:
            assert edit["function"] in sample["fails"]
            assert blocks[edit["function"]].count(edit["old"]) == 1, (sample["file"], edit["old"])
            blocks[edit["function"]] = blocks[edit["function"]].replace(edit["old"], edit["new"])
        assert blocks != base
    assert failing == set(FUNCTIONS)
