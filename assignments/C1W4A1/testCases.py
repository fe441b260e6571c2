"""Inputs for the example calls in the deep-learning course, course 1 week 4, assignment 1.

Every function re-seeds NumPy's global generator and draws its arrays in a fixed order,
so each call returns the same (published) inputs.
"""
import numpy as np


def _draw(seed, *shapes):
    """Seed the global generator, then return one standard-normal array per shape, in order."""
    np.random.seed(seed)
    return [np.random.randn(*shape) for shape in shapes]


def linear_forward_test_case():
    """A (3, 2), W (1, 3), b (1, 1) for linear_forward."""
    A, W, b = _draw(1, (3, 2), (1, 3), (1, 1))
    return A, W, b


def linear_activation_forward_test_case():
    """A_prev (3, 2), W (1, 3), b (1, 1) for linear_activation_forward."""
    A_prev, W, b = _draw(2, (3, 2), (1, 3), (1, 1))
    return A_prev, W, b


def L_model_forward_test_case():
    """X (4, 2) and the parameters of a 2-layer network with layer sizes [4, 3, 1]."""
    X, W1, b1, W2, b2 = _draw(1, (4, 2), (3, 4), (3, 1), (1, 3), (1, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return X, parameters


def L_model_forward_test_case_2hidden():
    """X (5, 4) and the parameters of a 3-layer network with layer sizes [5, 4, 3, 1]."""
    X, W1, b1, W2, b2, W3, b3 = _draw(6, (5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    return X, parameters


def compute_cost_test_case():
    """Labels and predictions for three examples; note the order: (Y, AL)."""
    Y = np.asarray([[1, 1, 0]])
    aL = np.array([[0.8, 0.9, 0.4]])
    return Y, aL


def linear_backward_test_case():
    """dZ (3, 4) and the linear cache (A_prev (5, 4), W (3, 5), b (3, 1))."""
    dZ, A, W, b = _draw(1, (3, 4), (5, 4), (3, 5), (3, 1))
    linear_cache = (A, W, b)
    return dZ, linear_cache


def linear_activation_backward_test_case():
    """dA (1, 2) and a layer cache ((A_prev, W, b), Z) for linear_activation_backward."""
    dA, A, W, b, Z = _draw(2, (1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    linear_activation_cache = ((A, W, b), Z)
    return dA, linear_activation_cache


def L_model_backward_test_case():
    """AL (1, 2), labels Y = [[1, 0]] and the caches of a 2-layer network."""
    np.random.seed(3)
    AL = np.random.randn(1, 2)
    Y = np.array([[1, 0]])
    A1, W1, b1, Z1 = (np.random.randn(*shape) for shape in [(4, 2), (3, 4), (3, 1), (3, 2)])
    A2, W2, b2, Z2 = (np.random.randn(*shape) for shape in [(3, 2), (1, 3), (1, 1), (1, 2)])
    caches = (((A1, W1, b1), Z1), ((A2, W2, b2), Z2))
    return AL, Y, caches


def update_parameters_test_case():
    """Parameters of a [4, 3, 1] network (seed 2) and gradients of the same shapes (seed 3)."""
    W1, b1, W2, b2 = _draw(2, (3, 4), (3, 1), (1, 3), (1, 1))
    dW1, db1, dW2, db2 = _draw(3, (3, 4), (3, 1), (1, 3), (1, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return parameters, grads


def print_grads(grads):
    """Print every gradient in ``grads``: the dA's first, then dW's, then db's."""
    order = {"dA": 0, "dW": 1, "db": 2}
    for key in sorted(grads, key=lambda k: (order.get(k[:2], 3), k)):
        print(key + " = " + str(grads[key]))
