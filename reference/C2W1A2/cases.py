"""Inputs for the graded Regularization functions (the deep-learning course, course 2 week 1).

Each builder returns the positional arguments of one call. The course examples reuse the public
testCases module; the hidden cases change the layer sizes, the number of examples, the seeds,
lambd and keep_prob (and use the uint8 labels of the real data file), so that answers tied to
the example's shapes or values fail.
"""
import numpy as np

import testCases
from reg_utils import forward_propagation, sigmoid


def _network(seed, layer_dims, m, label_dtype=np.int64):
    """X, Y and parameters of a three-layer net with random weights (biases too)."""
    rng = np.random.RandomState(seed)
    X = rng.randn(layer_dims[0], m)
    Y = (rng.rand(1, m) < 0.5).astype(label_dtype)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.randn(layer_dims[l], layer_dims[l - 1])
        parameters["b" + str(l)] = 0.5 * rng.randn(layer_dims[l], 1)
    return X, Y, parameters


# compute_cost_with_regularization ----------------------------------------------------------------

def cost_canonical():
    A3, Y, parameters = testCases.compute_cost_with_regularization_test_case()
    return A3, Y, parameters, 0.1


def cost_other_shapes():
    X, Y, parameters = _network(11, [4, 6, 3, 1], 9)
    A3, _ = forward_propagation(X, parameters)
    return A3, Y, parameters, 0.35


def cost_model_shapes_uint8_labels():
    X, Y, parameters = _network(12, [2, 20, 3, 1], 13, label_dtype=np.uint8)
    A3 = sigmoid(np.random.RandomState(13).randn(1, 13))
    return A3, Y, parameters, 1.7


# backward_propagation_with_regularization -------------------------------------------------------

def backward_reg_canonical():
    X, Y, cache = testCases.backward_propagation_with_regularization_test_case()
    return X, Y, cache, 0.7


def backward_reg_other_shapes():
    X, Y, parameters = _network(21, [4, 6, 3, 1], 7)
    _, cache = forward_propagation(X, parameters)
    return X, Y, cache, 0.25


def backward_reg_model_shapes():
    X, Y, parameters = _network(22, [2, 20, 3, 1], 11, label_dtype=np.uint8)
    _, cache = forward_propagation(X, parameters)
    return X, Y, cache, 1.3


# forward_propagation_with_dropout ---------------------------------------------------------------

def forward_dropout_canonical():
    X, parameters = testCases.forward_propagation_with_dropout_test_case()
    return X, parameters, 0.7


def forward_dropout_default_keep_prob():
    """Called without keep_prob: the default 0.5 applies."""
    X, _, parameters = _network(31, [3, 5, 4, 1], 6)
    return X, parameters


def forward_dropout_model_shapes():
    X, _, parameters = _network(32, [2, 20, 3, 1], 8)
    return X, parameters, 0.86


# backward_propagation_with_dropout --------------------------------------------------------------

def backward_dropout_canonical():
    X, Y, cache = testCases.backward_propagation_with_dropout_test_case()
    return X, Y, cache, 0.8


def backward_dropout_other_shapes():
    X, Y, parameters = _network(41, [4, 5, 3, 1], 6)
    return X, Y, testCases.dropout_cache(X, parameters, keep_prob=0.6, seed=4), 0.6


def backward_dropout_model_shapes():
    X, Y, parameters = _network(42, [2, 20, 3, 1], 9, label_dtype=np.uint8)
    return X, Y, testCases.dropout_cache(X, parameters, keep_prob=0.86, seed=5), 0.86
