"""Reference graded cells for C1W4A1 (the deep-learning course, course 1 week 4, assignment 1).

Each ``# GRADED FUNCTION:`` block below is, once stripped, exactly the graded cell of the student
notebook with its START/END regions filled in. Keep the text outside the regions in sync with the
notebook (tests/test_c1w4a1_content.py checks it).
"""
import copy

import numpy as np

from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward


# GRADED FUNCTION: initialize_parameters

def initialize_parameters(n_x, n_h, n_y):
    """
    Create the parameters of a 2-layer network LINEAR -> RELU -> LINEAR -> SIGMOID.

    Arguments:
    n_x -- number of input features
    n_h -- number of units in the hidden layer
    n_y -- number of output units

    Returns:
    parameters -- dictionary with the keys:
                    W1 -- weights of layer 1, shape (n_h, n_x), small random values
                    b1 -- bias of layer 1, shape (n_h, 1), zeros
                    W2 -- weights of layer 2, shape (n_y, n_h), small random values
                    b2 -- bias of layer 2, shape (n_y, 1), zeros
    """
    np.random.seed(1)

    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    ### END CODE HERE ###

    assert W1.shape == (n_h, n_x)
    assert b1.shape == (n_h, 1)
    assert W2.shape == (n_y, n_h)
    assert b2.shape == (n_y, 1)

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}

    return parameters


# GRADED FUNCTION: initialize_parameters_deep

def initialize_parameters_deep(layer_dims):
    """
    Create the parameters of an L-layer network.

    Arguments:
    layer_dims -- list of layer sizes [n0, n1, ..., nL]; n0 is the number of input features

    Returns:
    parameters -- dictionary with the keys "W1", "b1", ..., "WL", "bL" where
                    Wl -- weights of layer l, shape (layer_dims[l], layer_dims[l-1]), small random values
                    bl -- bias of layer l, shape (layer_dims[l], 1), zeros
    """
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)  # the input layer plus the L-1 layers that have parameters

    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
        ### END CODE HERE ###

        assert parameters['W' + str(l)].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters['b' + str(l)].shape == (layer_dims[l], 1)

    return parameters


# GRADED FUNCTION: linear_forward

def linear_forward(A, W, b):
    """
    Linear step of one layer's forward pass: Z = W A + b.

    Arguments:
    A -- activations coming from the previous layer (or the input X), shape (n_prev, m)
    W -- weight matrix of this layer, shape (n, n_prev)
    b -- bias column of this layer, shape (n, 1)

    Returns:
    Z -- pre-activation of this layer, shape (n, m)
    cache -- the tuple (A, W, b), saved for the backward pass
    """
    ### START CODE HERE ### (≈ 1 line of code)
    Z = np.dot(W, A) + b
    ### END CODE HERE ###

    assert Z.shape == (W.shape[0], A.shape[1])
    cache = (A, W, b)

    return Z, cache


# GRADED FUNCTION: linear_activation_forward

def linear_activation_forward(A_prev, W, b, activation):
    """
    Forward pass of one LINEAR -> ACTIVATION layer.

    Arguments:
    A_prev -- activations coming from the previous layer (or the input X), shape (n_prev, m)
    W -- weight matrix of this layer, shape (n, n_prev)
    b -- bias column of this layer, shape (n, 1)
    activation -- name of the activation of this layer: "sigmoid" or "relu"

    Returns:
    A -- output of the activation (post-activation value), shape (n, m)
    cache -- the tuple (linear_cache, activation_cache): what linear_forward and the
             activation function returned as their caches
    """
    if activation == "sigmoid":
        ### START CODE HERE ### (≈ 2 lines of code)
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
        ### END CODE HERE ###

    elif activation == "relu":
        ### START CODE HERE ### (≈ 2 lines of code)
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
        ### END CODE HERE ###

    assert A.shape == (W.shape[0], A_prev.shape[1])
    cache = (linear_cache, activation_cache)

    return A, cache


# GRADED FUNCTION: L_model_forward

def L_model_forward(X, parameters):
    """
    Forward pass of the whole network [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    Arguments:
    X -- input data, shape (n_x, m)
    parameters -- dictionary "W1", "b1", ..., "WL", "bL" (as made by initialize_parameters_deep)

    Returns:
    AL -- output of the last (sigmoid) layer, shape (1, m)
    caches -- list of the L caches returned by linear_activation_forward,
              caches[0] for layer 1 up to caches[L-1] for layer L
    """
    caches = []
    A = X
    L = len(parameters) // 2  # each layer has one W and one b

    # Layers 1 to L-1: LINEAR -> RELU, keeping every cache.
    for l in range(1, L):
        A_prev = A
        ### START CODE HERE ### (≈ 2 lines of code)
        A, cache = linear_activation_forward(A_prev, parameters['W' + str(l)], parameters['b' + str(l)], activation="relu")
        caches.append(cache)
        ### END CODE HERE ###

    # Layer L: LINEAR -> SIGMOID, keeping its cache too.
    ### START CODE HERE ### (≈ 2 lines of code)
    AL, cache = linear_activation_forward(A, parameters['W' + str(L)], parameters['b' + str(L)], activation="sigmoid")
    caches.append(cache)
    ### END CODE HERE ###

    assert AL.shape == (1, X.shape[1])

    return AL, caches


# GRADED FUNCTION: compute_cost

def compute_cost(AL, Y):
    """
    Cross-entropy cost of the predictions AL against the labels Y.

    Arguments:
    AL -- predicted probabilities, shape (1, m)
    Y -- true labels (0 or 1), shape (1, m)

    Returns:
    cost -- the cost J, a number (a numpy array of shape ())
    """
    m = Y.shape[1]

    ### START CODE HERE ### (≈ 1 line of code)
    cost = -(np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T)) / m
    ### END CODE HERE ###

    cost = np.squeeze(cost)  # e.g. [[0.28]] becomes 0.28
    assert cost.shape == ()

    return cost


# GRADED FUNCTION: linear_backward

def linear_backward(dZ, cache):
    """
    Linear step of one layer's backward pass.

    Arguments:
    dZ -- gradient of the cost with respect to this layer's Z, shape (n, m)
    cache -- the tuple (A_prev, W, b) saved by linear_forward for this layer

    Returns:
    dA_prev -- gradient of the cost with respect to A_prev, same shape as A_prev
    dW -- gradient of the cost with respect to W, same shape as W
    db -- gradient of the cost with respect to b, same shape as b
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]

    ### START CODE HERE ### (≈ 3 lines of code)
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    ### END CODE HERE ###

    assert dA_prev.shape == A_prev.shape
    assert dW.shape == W.shape
    assert db.shape == b.shape

    return dA_prev, dW, db


# GRADED FUNCTION: linear_activation_backward

def linear_activation_backward(dA, cache, activation):
    """
    Backward pass of one LINEAR -> ACTIVATION layer.

    Arguments:
    dA -- gradient of the cost with respect to this layer's output A
    cache -- the tuple (linear_cache, activation_cache) saved by linear_activation_forward
    activation -- name of the activation of this layer: "sigmoid" or "relu"

    Returns:
    dA_prev -- gradient of the cost with respect to the previous layer's activations
    dW -- gradient of the cost with respect to W, same shape as W
    db -- gradient of the cost with respect to b, same shape as b
    """
    linear_cache, activation_cache = cache

    if activation == "relu":
        ### START CODE HERE ### (≈ 2 lines of code)
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
        ### END CODE HERE ###

    elif activation == "sigmoid":
        ### START CODE HERE ### (≈ 2 lines of code)
        dZ = sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
        ### END CODE HERE ###

    return dA_prev, dW, db


# GRADED FUNCTION: L_model_backward

def L_model_backward(AL, Y, caches):
    """
    Backward pass of the whole network [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    Arguments:
    AL -- output of L_model_forward, shape (1, m)
    Y -- true labels (0 or 1), shape (1, m)
    caches -- the L caches of L_model_forward: caches[l] for l = 0 ... L-2 come from
              "relu" layers, caches[L-1] from the final "sigmoid" layer

    Returns:
    grads -- dictionary of gradients:
             grads["dA" + str(l)] for l = 0 ... L-1 (dA0 is the gradient with respect to X)
             grads["dW" + str(l)] and grads["db" + str(l)] for l = 1 ... L
    """
    grads = {}
    L = len(caches)  # number of layers
    m = AL.shape[1]
    Y = Y.reshape(AL.shape)  # make Y the same shape as AL

    # Start the backward pass: derivative of the cost with respect to AL.
    ### START CODE HERE ### (≈ 1 line of code)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    ### END CODE HERE ###

    # Layer L (SIGMOID -> LINEAR). Stores grads["dA" + str(L-1)], grads["dW" + str(L)], grads["db" + str(L)].
    ### START CODE HERE ### (≈ 5 lines of code)
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, activation="sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    ### END CODE HERE ###

    # Layers L-1 down to 1 (RELU -> LINEAR).
    for l in reversed(range(L - 1)):
        # Uses grads["dA" + str(l + 1)] and caches[l]; stores grads["dA" + str(l)],
        # grads["dW" + str(l + 1)] and grads["db" + str(l + 1)].
        ### START CODE HERE ### (≈ 5 lines of code)
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, activation="relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
        ### END CODE HERE ###

    return grads


# GRADED FUNCTION: update_parameters

def update_parameters(params, grads, learning_rate):
    """
    One step of gradient descent on every parameter.

    Arguments:
    params -- dictionary of parameters "W1", "b1", ..., "WL", "bL" (left unchanged)
    grads -- dictionary of gradients from L_model_backward ("dW1", "db1", ...)
    learning_rate -- step size of gradient descent

    Returns:
    parameters -- a new dictionary with the updated parameters:
                  W = W - learning_rate * dW and b = b - learning_rate * db for every layer
    """
    parameters = copy.deepcopy(params)
    L = len(parameters) // 2  # number of layers

    for l in range(L):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
        ### END CODE HERE ###

    return parameters
