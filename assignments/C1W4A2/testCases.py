"""Inputs of the course's example calls for the two graded models (C1W4A2).

Each function rebuilds its arrays from a fixed seed, so every call returns fresh, identical data.
"""
import numpy as np


def two_layer_model_test_case():
    """X (10, 10) standard-normal, Y (1, 10) standard-normal (seed 1), layer sizes (10, 4, 1).

    Y is deliberately real-valued: the example only checks the arithmetic of training.
    """
    np.random.seed(1)
    X = np.random.randn(10, 10)
    Y = np.random.randn(1, 10)
    layers_dims = (10, 4, 1)
    return X, Y, layers_dims


def L_layer_model_test_case():
    """X (10, 10) standard-normal (seed 1), fixed 0/1 labels Y (1, 10), layer sizes (10, 5, 6, 1)."""
    np.random.seed(1)
    X = np.random.randn(10, 10)
    Y = np.array([[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]])
    layers_dims = (10, 5, 6, 1)
    return X, Y, layers_dims
