"""Inputs for the example calls in the Regularization notebook (course 2 week 1).

Most cases start from the same small network: with ``np.random.seed(1)`` draw
X = randn(3, 5), W1 = randn(2, 3), b1 = randn(2, 1), W2 = randn(3, 2), b2 = randn(3, 1),
W3 = randn(1, 3), b3 = randn(1, 1) in this order, and use the labels Y = [[1, 1, 0, 1, 0]].
"""
import numpy as np

from reg_utils import forward_propagation, relu, sigmoid

__all__ = ["compute_cost_with_regularization_test_case",
           "backward_propagation_with_regularization_test_case",
           "forward_propagation_with_dropout_test_case",
           "backward_propagation_with_dropout_test_case"]

LABELS = [[1, 1, 0, 1, 0]]


def _draw_parameters(shapes=((2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1))):
    """W1, b1, W2, b2, W3, b3 drawn with randn in that order (the caller seeds)."""
    names = ("W1", "b1", "W2", "b2", "W3", "b3")
    return {name: np.random.randn(*shape) for name, shape in zip(names, shapes)}


def seed1_network():
    """X (3, 5), Y (1, 5) and the parameters of the shared seed-1 example network."""
    np.random.seed(1)
    X = np.random.randn(3, 5)
    parameters = _draw_parameters()
    Y = np.array(LABELS)
    return X, Y, parameters


def dropout_cache(X, parameters, keep_prob, seed=1):
    """A cache laid out like forward_propagation_with_dropout's, built from the seeded masks.

    Used to give the backward dropout example a realistic input without depending on your
    forward implementation.
    """
    np.random.seed(seed)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    D1 = np.random.rand(*Z1.shape) < keep_prob
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    D2 = np.random.rand(*Z2.shape) < keep_prob
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost_with_regularization_test_case():
    """A3, Y and parameters for compute_cost_with_regularization (called with lambd = 0.1).

    Here the seed-1 draws start with the parameters: no X is drawn first.
    """
    np.random.seed(1)
    Y = np.array(LABELS)
    parameters = _draw_parameters()
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return A3, Y, parameters


def backward_propagation_with_regularization_test_case():
    """X, Y and the plain forward cache of the seed-1 network (called with lambd = 0.7)."""
    X, Y, parameters = seed1_network()
    _, cache = forward_propagation(X, parameters)
    return X, Y, cache


def forward_propagation_with_dropout_test_case():
    """X and parameters of the seed-1 network (called with keep_prob = 0.7)."""
    X, _, parameters = seed1_network()
    return X, parameters


def backward_propagation_with_dropout_test_case():
    """X, Y and a dropout cache made with keep_prob = 0.5 (the call uses keep_prob = 0.8)."""
    X, Y, parameters = seed1_network()
    return X, Y, dropout_cache(X, parameters, keep_prob=0.5)
