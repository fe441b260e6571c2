"""Self-checks for the graded functions of the deep-learning course, course 1 week 4, assignment 1.

Call ``<function>_test(<function>)`` after writing a function: it runs the course examples and
compares your result (types, shapes and values) with the published expected output, printing
"All tests passed." or what differs. Passing these checks is necessary, not sufficient: the grader
also runs hidden cases with other shapes and depths.
"""
import numpy as np

import testCases
from grader.selfcheck import PublicCase, _, run

_zeros = np.zeros


def initialize_parameters_test(target):
    """Checks initialize_parameters on (3, 2, 1) and (4, 3, 2)."""
    first = {
        "W1": np.array([[0.01624345, -0.00611756, -0.00528172],
                        [-0.01072969, 0.00865408, -0.02301539]]),
        "b1": _zeros((2, 1)),
        "W2": np.array([[0.01744812, -0.00761207]]),
        "b2": _zeros((1, 1)),
    }
    second = {
        "W1": np.array([[0.01624345, -0.00611756, -0.00528172, -0.01072969],
                        [0.00865408, -0.02301539, 0.01744812, -0.00761207],
                        [0.00319039, -0.0024937, 0.01462108, -0.02060141]]),
        "b1": _zeros((3, 1)),
        "W2": np.array([[-0.00322417, -0.00384054, 0.01133769],
                        [-0.01099891, -0.00172428, -0.00877858]]),
        "b2": _zeros((2, 1)),
    }
    run(target, [
        PublicCase((3, 2, 1), first, ("parameters",), "initialize_parameters(3, 2, 1)"),
        PublicCase((4, 3, 2), second, ("parameters",), "initialize_parameters(4, 3, 2)"),
    ])


def initialize_parameters_deep_test(target):
    """Checks initialize_parameters_deep on [5, 4, 3] and [4, 3, 2]."""
    first = {
        "W1": np.array([[0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                        [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
                        [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
                        [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]]),
        "b1": _zeros((4, 1)),
        "W2": np.array([[-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                        [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                        [-0.00768836, -0.00230031, 0.00745056, 0.01976111]]),
        "b2": _zeros((3, 1)),
    }
    second = {
        "W1": np.array([[0.01788628, 0.0043651, 0.00096497, -0.01863493],
                        [-0.00277388, -0.00354759, -0.00082741, -0.00627001],
                        [-0.00043818, -0.00477218, -0.01313865, 0.00884622]]),
        "b1": _zeros((3, 1)),
        "W2": np.array([[0.00881318, 0.01709573, 0.00050034],
                        [-0.00404677, -0.0054536, -0.01546477]]),
        "b2": _zeros((2, 1)),
    }
    run(target, [
        PublicCase(([5, 4, 3],), first, ("parameters",), "initialize_parameters_deep([5, 4, 3])"),
        PublicCase(([4, 3, 2],), second, ("parameters",), "initialize_parameters_deep([4, 3, 2])"),
    ])


def linear_forward_test(target):
    """Checks linear_forward on linear_forward_test_case()."""
    A, W, b = testCases.linear_forward_test_case()
    Z = np.array([[3.26295337, -1.23429987]])
    run(target, [PublicCase((A, W, b), (Z, (A, W, b)), ("Z", "cache"))])


def linear_activation_forward_test(target):
    """Checks linear_activation_forward with both activations."""
    A_prev, W, b = testCases.linear_activation_forward_test_case()
    Z = np.array([[3.43896131, -2.08938436]])
    cases = []
    for activation, A in [("sigmoid", np.array([[0.96890023, 0.11013289]])),
                          ("relu", np.array([[3.43896131, 0.0]]))]:
        expected = (A, ((A_prev, W, b), Z))
        cases.append(PublicCase((A_prev, W, b, activation), expected, ("A", "cache"),
                                _("course example with {activation}").format(
                                    activation=activation)))
    run(target, cases)


def L_model_forward_test(target):
    """Checks L_model_forward on the 3-layer example L_model_forward_test_case_2hidden()."""
    X, parameters = testCases.L_model_forward_test_case_2hidden()
    AL = np.array([[0.03921668, 0.70498921, 0.19734387, 0.04728177]])
    Z1 = np.array([[-5.23825714, 3.18040136, 0.4074501, -1.88612721],
                   [-2.77358234, -0.56177316, 3.18141623, -0.99209432],
                   [4.18500916, -1.78006909, -0.14502619, 2.72141638],
                   [5.05850802, -1.25674082, -3.54566654, 3.82321852]])
    Z2 = np.array([[2.2644603, 1.09971298, -2.90298027, 1.54036335],
                   [6.33722569, -2.38116246, -4.11228806, 4.48582383],
                   [10.37508342, -0.66591468, 1.63635185, 8.17870169]])
    Z3 = np.array([[-3.19864676, 0.87117055, -1.40297864, -3.00319435]])
    inputs = [X, np.maximum(Z1, 0), np.maximum(Z2, 0)]  # each layer's A_prev
    caches = [((inputs[l - 1], parameters["W" + str(l)], parameters["b" + str(l)]), Z)
              for l, Z in zip((1, 2, 3), (Z1, Z2, Z3))]
    run(target, [PublicCase((X, parameters), (AL, caches), ("AL", "caches"))])


def compute_cost_test(target):
    """Checks compute_cost on compute_cost_test_case() (which returns Y first)."""
    Y, AL = testCases.compute_cost_test_case()
    run(target, [PublicCase((AL, Y), np.array(0.2797765635793422), ("cost",))])


def linear_backward_test(target):
    """Checks linear_backward on linear_backward_test_case()."""
    dZ, linear_cache = testCases.linear_backward_test_case()
    dA_prev = np.array([[-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                        [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                        [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                        [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                        [-2.52214926, 2.67882552, -0.67947465, 1.48119548]])
    dW = np.array([[0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                   [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
                   [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]])
    db = np.array([[-0.14713786], [-0.11313155], [-0.13209101]])
    run(target, [PublicCase((dZ, linear_cache), (dA_prev, dW, db), ("dA_prev", "dW", "db"))])


def linear_activation_backward_test(target):
    """Checks linear_activation_backward with both activations."""
    dA, cache = testCases.linear_activation_backward_test_case()
    expected = {
        "sigmoid": (np.array([[0.11017994, 0.01105339],
                              [0.09466817, 0.00949723],
                              [-0.05743092, -0.00576154]]),
                    np.array([[0.10266786, 0.09778551, -0.01968084]]),
                    np.array([[-0.05729622]])),
        "relu": (np.array([[0.44090989, 0.0],
                           [0.37883606, 0.0],
                           [-0.2298228, 0.0]]),
                 np.array([[0.44513824, 0.37371418, -0.10478989]]),
                 np.array([[-0.20837892]])),
    }
    run(target, [PublicCase((dA, cache, activation), outputs, ("dA_prev", "dW", "db"),
                            _("course example with {activation}").format(activation=activation))
                 for activation, outputs in expected.items()])


def L_model_backward_test(target):
    """Checks L_model_backward on L_model_backward_test_case(): keys dA0, dA1, dW1, dW2, db1, db2."""
    AL, Y, caches = testCases.L_model_backward_test_case()
    grads = {
        "dA0": np.array([[0.0, 0.52257901],
                         [0.0, -0.3269206],
                         [0.0, -0.32070404],
                         [0.0, -0.74079187]]),
        "dA1": np.array([[0.12913162, -0.44014127],
                         [-0.14175655, 0.48317296],
                         [0.01663708, -0.05670698]]),
        "dW1": np.array([[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                         [0.0, 0.0, 0.0, 0.0],
                         [0.05283652, 0.01005865, 0.01777766, 0.0135308]]),
        "dW2": np.array([[-0.39202432, -0.13325855, -0.04601089]]),
        "db1": np.array([[-0.22007063], [0.0], [-0.02835349]]),
        "db2": np.array([[0.15187861]]),
    }
    run(target, [PublicCase((AL, Y, caches), grads, ("grads",))])


def update_parameters_test(target):
    """Checks update_parameters on update_parameters_test_case() with learning rate 0.1."""
    parameters, grads = testCases.update_parameters_test_case()
    expected = {
        "W1": np.array([[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                        [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                        [-1.0535704, -0.86128581, 0.68284052, 2.20374577]]),
        "b1": np.array([[-0.04659241], [-1.28888275], [0.53405496]]),
        "W2": np.array([[-0.55569196, 0.0354055, 1.32964895]]),
        "b2": np.array([[-0.84610769]]),
    }
    run(target, [PublicCase((parameters, grads, 0.1), expected, ("parameters",))])
