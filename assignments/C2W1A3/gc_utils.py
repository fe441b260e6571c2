"""Provided helpers for the Gradient Checking assignment (the deep-learning course, course 2 week 1).

The network of this assignment has the fixed architecture 4 -> 5 -> 3 -> 1, so its parameters
always hold 47 numbers. These helpers flatten them into one column vector and back:

    position  0..19  W1 (5, 4), row by row
    position 20..24  b1 (5, 1)
    position 25..39  W2 (3, 5), row by row
    position 40..42  b2 (3, 1)
    position 43..45  W3 (1, 3)
    position 46      b3 (1, 1)
"""
import numpy as np

PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
PARAMETER_SHAPES = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1),
                    "W3": (1, 3), "b3": (1, 1)}


def sigmoid(x):
    """Logistic function 1 / (1 + e^-x), applied element-wise."""
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    """Rectified linear unit max(0, x), applied element-wise."""
    s = np.maximum(0, x)
    return s


def dictionary_to_vector(parameters):
    """Stack W1, b1, W2, b2, W3, b3 into one column vector.

    Arguments:
    parameters -- dict holding the arrays "W1", "b1", "W2", "b2", "W3", "b3"

    Returns:
    theta -- numpy array of shape (n, 1): every parameter flattened row by row, in the order above
    keys -- list of n names: keys[k] is the parameter that theta[k] comes from
    """
    columns = [np.reshape(parameters[name], (-1, 1)) for name in PARAMETER_NAMES]
    keys = [name for name, column in zip(PARAMETER_NAMES, columns)
            for _ in range(column.shape[0])]
    theta = np.concatenate(columns, axis=0)
    return theta, keys


def vector_to_dictionary(theta):
    """Inverse of dictionary_to_vector for the 4 -> 5 -> 3 -> 1 network.

    Arguments:
    theta -- numpy array of shape (47, 1)

    Returns:
    parameters -- dict with "W1" (5, 4), "b1" (5, 1), "W2" (3, 5), "b2" (3, 1), "W3" (1, 3), "b3" (1, 1)
    """
    parameters = {}
    start = 0
    for name in PARAMETER_NAMES:
        shape = PARAMETER_SHAPES[name]
        stop = start + shape[0] * shape[1]
        parameters[name] = theta[start:stop].reshape(shape)
        start = stop
    return parameters


def gradients_to_vector(gradients):
    """Stack dW1, db1, dW2, db2, dW3, db3 into one column vector, in the layout of dictionary_to_vector.

    Arguments:
    gradients -- dict holding (at least) "dW1", "db1", "dW2", "db2", "dW3", "db3"

    Returns:
    theta -- numpy array of shape (n, 1)
    """
    columns = [np.reshape(gradients["d" + name], (-1, 1)) for name in PARAMETER_NAMES]
    theta = np.concatenate(columns, axis=0)
    return theta
