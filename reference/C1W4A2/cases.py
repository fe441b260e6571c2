"""Input builders for C1W4A2 (two_layer_model, L_layer_model).

Each builder returns the positional arguments of one call:
(X, Y, layers_dims, learning_rate, num_iterations[, print_cost]).
The canonical cases are the course's public examples; the hidden ones change the sizes, depth,
seeds, label types, learning rates and numbers of iterations (crossing the every-100-iterations
cost bookkeeping), so that answers tuned to the public numbers fail. All of them run in well under
a second: no full-size training happens at grading time.
"""
import numpy as np

import testCases


def _binary_problem(seed, n_x, m, label_dtype=np.int64):
    """Standard-normal features and labels from a fixed random linear rule (with some flips)."""
    rs = np.random.RandomState(seed)
    X = rs.randn(n_x, m)
    w = rs.randn(1, n_x)
    flips = rs.rand(1, m) < 0.1
    Y = ((w.dot(X) > 0) ^ flips).astype(label_dtype)
    return X, Y


# two_layer_model ------------------------------------------------------------------------------

def two_layer_model_canonical_slow():
    X, Y, layers_dims = testCases.two_layer_model_test_case()
    return (X, Y, layers_dims, 0.0075, 2)


def two_layer_model_canonical_fast():
    X, Y, layers_dims = testCases.two_layer_model_test_case()
    return (X, Y, layers_dims, 0.1, 3)


def two_layer_model_hidden_250_iterations():
    X, Y = _binary_problem(7, 6, 30)
    return (X, Y, (6, 5, 1), 0.05, 250)


def two_layer_model_hidden_one_iteration_printing():
    X, Y = _binary_problem(3, 12, 8, label_dtype=float)
    return (X, Y, (12, 3, 1), 0.3, 1, True)


def two_layer_model_hidden_wide():
    X, Y = _binary_problem(21, 20, 15)
    return (X, Y, (20, 9, 1), 0.2, 101)


# L_layer_model --------------------------------------------------------------------------------

def L_layer_model_canonical_slow():
    X, Y, layers_dims = testCases.L_layer_model_test_case()
    return (X, Y, layers_dims, 0.0075, 2)


def L_layer_model_canonical_fast():
    X, Y, layers_dims = testCases.L_layer_model_test_case()
    return (X, Y, layers_dims, 0.02, 3)


def L_layer_model_hidden_deep():
    X, Y = _binary_problem(5, 8, 40)
    return (X, Y, [8, 6, 5, 4, 1], 0.1, 201)


def L_layer_model_hidden_two_layers():
    X, Y = _binary_problem(11, 5, 25, label_dtype=float)
    return (X, Y, [5, 3, 1], 0.05, 120)


def L_layer_model_hidden_one_iteration_printing():
    X, Y = _binary_problem(13, 7, 12)
    return (X, Y, [7, 4, 3, 2, 1], 0.01, 1, True)
