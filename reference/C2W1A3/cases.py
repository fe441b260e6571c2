"""Input builders for C2W1A3 (Gradient Checking, the deep-learning course, course 2 week 1).

Canonical builders reproduce the course's published calls; the others are hidden extra cases
(negative and fractional inputs, array inputs, other epsilons, other seeds and batch sizes).
"""
import numpy as np

import testCases
from gc_network import forward_propagation_n, backward_propagation_n
from gc_utils import PARAMETER_SHAPES


def backward_propagation_n_fixed(X, Y, cache):
    """backward_propagation_n with its two planted mistakes (dW2 doubled, db1 quadrupled) removed."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


# ---- forward_propagation -------------------------------------------------------------------

def forward_propagation_canonical():
    return (2, 4)


def forward_propagation_negative_float():
    return (-3.5, 1.25)


def forward_propagation_float_negative_theta():
    return (0.6, -2.75)


def forward_propagation_array_x():
    return (np.array([[1.5], [-2.0], [0.25]]), 0.8)


# ---- backward_propagation ------------------------------------------------------------------

def backward_propagation_canonical():
    return (3, 4)


def backward_propagation_canonical_2021():
    return (2, 4)


def backward_propagation_negative_float():
    return (-1.75, 2.5)


def backward_propagation_array_x():
    return (np.array([0.5, -3.0, 2.25]), -1.5)


# ---- gradient_check ------------------------------------------------------------------------

def gradient_check_canonical():
    return (3, 4)


def gradient_check_canonical_2021():
    return (2, 4)


def gradient_check_negative():
    return (-2.5, 0.75)


def gradient_check_negative_theta():
    return (1.3, -3.7)


def gradient_check_epsilon_1e5():
    return (0.6, 2.0, 1e-5)


def gradient_check_epsilon_1e4():
    return (-4, -1.25, 1e-4)


def gradient_check_array_x():
    return (np.array([[0.5], [3.0]]), -1.5, 1e-6)


# ---- gradient_check_n ----------------------------------------------------------------------

def _course_inputs(backward):
    X, Y, parameters = testCases.gradient_check_n_test_case()
    _, cache = forward_propagation_n(X, Y, parameters)
    return parameters, backward(X, Y, cache), X, Y


def _random_inputs(seed, m, backward):
    np.random.seed(seed)
    X = np.random.randn(4, m)
    Y = (np.random.rand(1, m) > 0.5).astype(float)
    parameters = {name: np.random.randn(*shape) for name, shape in PARAMETER_SHAPES.items()}
    _, cache = forward_propagation_n(X, Y, parameters)
    return parameters, backward(X, Y, cache), X, Y


def gradient_check_n_canonical_buggy():
    return _course_inputs(backward_propagation_n)


def gradient_check_n_canonical_fixed():
    return _course_inputs(backward_propagation_n_fixed)


def gradient_check_n_seed2_buggy():
    return _random_inputs(2, 5, backward_propagation_n)


def gradient_check_n_seed3_fixed():
    return _random_inputs(3, 4, backward_propagation_n_fixed)


def gradient_check_n_epsilon_1e5_fixed():
    return _course_inputs(backward_propagation_n_fixed) + (1e-5,)


def gradient_check_n_epsilon_1e6_buggy():
    return _random_inputs(5, 6, backward_propagation_n) + (1e-6,)
