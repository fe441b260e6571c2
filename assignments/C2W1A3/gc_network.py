"""The provided 3-layer network of the Gradient Checking assignment (the deep-learning course,
course 2 week 1): LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID with cross-entropy cost.

The notebook shows these two functions in (non-graded) cells. ``backward_propagation_n`` is
shipped WITH two deliberate mistakes, exactly as students receive it: finding them is what
``gradient_check_n`` is for. Do not fix them here; the grader relies on them.
"""
import numpy as np

from gc_utils import sigmoid, relu


def forward_propagation_n(X, Y, parameters):
    """
    Forward pass of the 3-layer network and its cross-entropy cost.

    Arguments:
    X -- input data, numpy array of shape (4, m)
    Y -- labels, numpy array of shape (1, m) or (m,)
    parameters -- dict with "W1" (5, 4), "b1" (5, 1), "W2" (3, 5), "b2" (3, 1), "W3" (1, 3), "b3" (1, 1)

    Returns:
    cost -- the cross-entropy cost averaged over the m examples
    cache -- (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), kept for the backward pass
    """
    m = X.shape[1]
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    # Cross-entropy cost
    log_terms = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(log_terms)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return cost, cache


def backward_propagation_n(X, Y, cache):
    """
    Backward pass of the 3-layer network (as provided: it may contain mistakes).

    Arguments:
    X -- input data, numpy array of shape (4, m)
    Y -- labels, numpy array of shape (1, m) or (m,)
    cache -- the cache returned by forward_propagation_n

    Returns:
    gradients -- dict with the gradients of the cost: "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2",
                 "db2", "dA1", "dZ1", "dW1", "db1"
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) * 2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
