"""Input builders for C1W4A1: each returns the tuple of positional arguments of one call.

``*_canonical`` builders reproduce the course's example calls (via the public testCases module);
``*_old_*`` builders reproduce inputs used by earlier releases of the assignment; ``*_hidden_*``
builders use other seeds, shapes and depths so that answers tuned to the examples fail.
"""
import numpy as np

import testCases
from dnn_utils import relu, sigmoid


def _rng(seed):
    return np.random.RandomState(seed)


def _network(rng, layer_dims, scale=1.0):
    """Random parameters W1, b1, ..., WL, bL for the given layer sizes."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.randn(layer_dims[l], layer_dims[l - 1]) * scale
        parameters["b" + str(l)] = rng.randn(layer_dims[l], 1) * scale
    return parameters


def _forward_caches(X, parameters):
    """Caches of a RELU ... RELU -> SIGMOID forward pass, built independently of the graded code."""
    L = len(parameters) // 2
    caches, A = [], X
    for l in range(1, L + 1):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = W @ A + b
        A_next, _ = sigmoid(Z) if l == L else relu(Z)
        caches.append(((A, W, b), Z))
        A = A_next
    return A, caches


# ---------------------------------------------------------------- initialize_parameters

def initialize_parameters_canonical():
    return (3, 2, 1)


def initialize_parameters_second():
    return (4, 3, 2)


def initialize_parameters_hidden_wide():
    return (7, 5, 3)


# ---------------------------------------------------------------- initialize_parameters_deep

def initialize_parameters_deep_canonical():
    return ([5, 4, 3],)


def initialize_parameters_deep_second():
    return ([4, 3, 2],)


def initialize_parameters_deep_hidden_four_layers():
    return ([8, 6, 5, 3, 1],)


# ---------------------------------------------------------------- linear_forward

def linear_forward_canonical():
    return testCases.linear_forward_test_case()


def linear_forward_hidden_wide():
    rng = _rng(7)
    return rng.randn(4, 7), rng.randn(5, 4), rng.randn(5, 1)


def linear_forward_hidden_single_example():
    rng = _rng(21)
    return rng.randn(6, 1), rng.randn(2, 6), rng.randn(2, 1)


# ---------------------------------------------------------------- linear_activation_forward

def linear_activation_forward_canonical_sigmoid():
    return testCases.linear_activation_forward_test_case() + ("sigmoid",)


def linear_activation_forward_canonical_relu():
    return testCases.linear_activation_forward_test_case() + ("relu",)


def _linear_activation_forward_hidden(activation):
    rng = _rng(11)
    return rng.randn(4, 6), rng.randn(3, 4), rng.randn(3, 1), activation


def linear_activation_forward_hidden_sigmoid():
    return _linear_activation_forward_hidden("sigmoid")


def linear_activation_forward_hidden_relu():
    return _linear_activation_forward_hidden("relu")


# ---------------------------------------------------------------- L_model_forward

def L_model_forward_canonical():
    return testCases.L_model_forward_test_case_2hidden()


def L_model_forward_two_layers():
    return testCases.L_model_forward_test_case()


def L_model_forward_hidden_four_layers():
    rng = _rng(12)
    X = rng.randn(6, 7)
    return X, _network(rng, [6, 5, 4, 3, 1], scale=0.5)


# ---------------------------------------------------------------- compute_cost

def compute_cost_canonical():
    Y, AL = testCases.compute_cost_test_case()
    return AL, Y


def compute_cost_old_all_positive():
    return np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 1]])


def compute_cost_hidden_seven_examples():
    rng = _rng(5)
    AL = rng.uniform(0.05, 0.95, size=(1, 7))
    Y = np.array([[1, 0, 0, 1, 1, 0, 1]])
    return AL, Y


# ---------------------------------------------------------------- linear_backward

def linear_backward_canonical():
    return testCases.linear_backward_test_case()


def linear_backward_old_single_unit():
    rng = _rng(1)  # same draws as np.random.seed(1) followed by np.random.randn
    dZ, A, W, b = rng.randn(1, 2), rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    return dZ, (A, W, b)


def linear_backward_hidden_wide():
    rng = _rng(8)
    dZ = rng.randn(4, 7)
    A_prev, W, b = rng.randn(6, 7), rng.randn(4, 6), rng.randn(4, 1)
    return dZ, (A_prev, W, b)


# ---------------------------------------------------------------- linear_activation_backward

def linear_activation_backward_canonical_sigmoid():
    return testCases.linear_activation_backward_test_case() + ("sigmoid",)


def linear_activation_backward_canonical_relu():
    return testCases.linear_activation_backward_test_case() + ("relu",)


def _linear_activation_backward_hidden(activation):
    rng = _rng(13)
    dA = rng.randn(3, 5)
    A_prev, W, b = rng.randn(4, 5), rng.randn(3, 4), rng.randn(3, 1)
    Z = rng.randn(3, 5)
    return dA, ((A_prev, W, b), Z), activation


def linear_activation_backward_hidden_sigmoid():
    return _linear_activation_backward_hidden("sigmoid")


def linear_activation_backward_hidden_relu():
    return _linear_activation_backward_hidden("relu")


# ---------------------------------------------------------------- L_model_backward

def L_model_backward_canonical():
    return testCases.L_model_backward_test_case()


def L_model_backward_hidden_three_layers():
    rng = _rng(14)
    X = rng.randn(5, 6)
    AL, caches = _forward_caches(X, _network(rng, [5, 4, 3, 1], scale=0.6))
    Y = np.array([[1, 0, 1, 1, 0, 0]])
    return AL, Y, caches


def L_model_backward_hidden_four_layers():
    rng = _rng(15)
    X = rng.randn(6, 7)
    AL, caches = _forward_caches(X, _network(rng, [6, 5, 4, 3, 1], scale=0.7))
    Y = np.array([[0, 1, 1, 0, 1, 0, 1]])
    return AL, Y, caches


# ---------------------------------------------------------------- update_parameters

def update_parameters_canonical():
    parameters, grads = testCases.update_parameters_test_case()
    return parameters, grads, 0.1


def _update_parameters_hidden(seed, layer_dims, learning_rate):
    rng = _rng(seed)
    parameters = _network(rng, layer_dims)
    grads = {"d" + key: value for key, value in _network(rng, layer_dims).items()}
    return parameters, grads, learning_rate


def update_parameters_hidden_three_layers():
    return _update_parameters_hidden(16, [5, 4, 3, 1], 0.05)


def update_parameters_hidden_four_layers():
    return _update_parameters_hidden(17, [6, 5, 4, 2, 1], 1.2)
