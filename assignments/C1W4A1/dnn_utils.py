"""Activation functions and their derivatives for the deep-learning course, course 1 week 4.

Each forward activation returns the activation together with a cache (the pre-activation
``Z``); the matching backward function takes the upstream gradient ``dA`` and that cache
and returns ``dZ``, the gradient of the cost with respect to ``Z``.
"""
import numpy as np


def sigmoid(Z):
    """Logistic function applied elementwise.

    Arguments:
    Z -- numpy array of any shape (the pre-activation)

    Returns:
    A -- 1 / (1 + exp(-Z)), same shape as Z
    cache -- Z itself, kept for sigmoid_backward
    """
    A = 1.0 / (1.0 + np.exp(-Z))
    cache = Z
    return A, cache


def relu(Z):
    """Rectified linear unit applied elementwise.

    Arguments:
    Z -- numpy array of any shape (the pre-activation)

    Returns:
    A -- max(0, Z), same shape as Z
    cache -- Z itself, kept for relu_backward
    """
    A = np.maximum(0, Z)
    assert A.shape == Z.shape
    cache = Z
    return A, cache


def relu_backward(dA, cache):
    """Gradient through a ReLU unit.

    Arguments:
    dA -- gradient of the cost with respect to the ReLU output, any shape
    cache -- the Z stored by relu()

    Returns:
    dZ -- gradient of the cost with respect to Z: dA where Z > 0, and 0 elsewhere
    """
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    assert dZ.shape == Z.shape
    return dZ


def sigmoid_backward(dA, cache):
    """Gradient through a sigmoid unit.

    Arguments:
    dA -- gradient of the cost with respect to the sigmoid output, any shape
    cache -- the Z stored by sigmoid()

    Returns:
    dZ -- gradient of the cost with respect to Z, dA * s * (1 - s) with s = sigmoid(Z)
    """
    Z = cache
    s = 1.0 / (1.0 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    assert dZ.shape == Z.shape
    return dZ
