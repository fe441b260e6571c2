"""Inputs for the checks of the Gradient Checking assignment (the deep-learning course, course 2 week 1)."""
import numpy as np


def gradient_check_n_test_case():
    """A batch of 3 examples and random parameters for the 4 -> 5 -> 3 -> 1 network.

    Returns:
    x -- numpy array of shape (4, 3)
    y -- labels, numpy array of shape (3,) holding [1, 1, 0]
    parameters -- dict with "W1" (5, 4), "b1" (5, 1), "W2" (3, 5), "b2" (3, 1), "W3" (1, 3), "b3" (1, 1)
    """
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    W1 = np.random.randn(5, 4)
    b1 = np.random.randn(5, 1)
    W2 = np.random.randn(3, 5)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    return x, y, parameters
