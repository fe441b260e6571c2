import numpy as np
from reg_utils import compute_cost, relu, sigmoid

# GRADED FUNCTION: compute_cost_with_regularization

def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """
    Cross-entropy cost plus the L2 penalty on the three weight matrices (formula (2)).

    Arguments:
    A3 -- output of the forward pass (probabilities), shape (1, number of examples)
    Y -- true labels 0/1, shape (1, number of examples)
    parameters -- dict of the model parameters; only W1, W2 and W3 are penalized
    lambd -- the regularization strength lambda, a scalar

    Returns:
    cost -- the regularized cost, a number
    """
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y)  # the unregularized part, computed for you

    ### START CODE HERE ### (≈ 1 line of code)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    ### END CODE HERE ###

    cost = cross_entropy_cost + L2_regularization_cost
    return cost

# GRADED FUNCTION: backward_propagation_with_regularization

def backward_propagation_with_regularization(X, Y, cache, lambd):
    """
    Backward pass of the three-layer network when the cost includes the L2 penalty.

    Arguments:
    X -- input data, shape (input size, number of examples)
    Y -- true labels 0/1, shape (1, number of examples)
    cache -- the cache returned by forward_propagation()
    lambd -- the regularization strength lambda, a scalar

    Returns:
    gradients -- dict of the gradients with respect to every parameter, activation and
                 linear output: dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    ### START CODE HERE ### (≈ 1 line of code)
    dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd / m * W3
    ### END CODE HERE ###
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    ### START CODE HERE ### (≈ 1 line of code)
    dW2 = 1. / m * np.dot(dZ2, A1.T) + lambd / m * W2
    ### END CODE HERE ###
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    ### START CODE HERE ### (≈ 1 line of code)
    dW1 = 1. / m * np.dot(dZ1, X.T) + lambd / m * W1
    ### END CODE HERE ###
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients

# GRADED FUNCTION: forward_propagation_with_dropout

def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """
    Forward pass LINEAR -> RELU + DROPOUT -> LINEAR -> RELU + DROPOUT -> LINEAR -> SIGMOID.

    Arguments:
    X -- input data, shape (2, number of examples)
    parameters -- dict with "W1", "b1", "W2", "b2", "W3", "b3"; in the model of this
                  notebook W1 is (20, 2), b1 (20, 1), W2 (3, 20), b2 (3, 1), W3 (1, 3), b3 (1, 1)
    keep_prob -- probability that a hidden unit is kept, a scalar

    Returns:
    A3 -- output probabilities, shape (1, number of examples)
    cache -- (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) for the backward pass
    """
    np.random.seed(1)

    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    ### START CODE HERE ### (≈ 4 lines of code)
    D1 = np.random.rand(A1.shape[0], A1.shape[1])  # step 1: uniform numbers in [0, 1), shaped like A1
    D1 = D1 < keep_prob                            # step 2: keep a unit when its number is below keep_prob
    A1 = A1 * D1                                   # step 3: silence the dropped units
    A1 = A1 / keep_prob                            # step 4: rescale the survivors
    ### END CODE HERE ###

    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    ### START CODE HERE ### (≈ 4 lines of code)
    D2 = np.random.rand(A2.shape[0], A2.shape[1])  # step 1
    D2 = D2 < keep_prob                            # step 2
    A2 = A2 * D2                                   # step 3
    A2 = A2 / keep_prob                            # step 4
    ### END CODE HERE ###

    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache

# GRADED FUNCTION: backward_propagation_with_dropout

def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """
    Backward pass of the three-layer network trained with (inverted) dropout.

    Arguments:
    X -- input data, shape (2, number of examples)
    Y -- true labels 0/1, shape (1, number of examples)
    cache -- the cache returned by forward_propagation_with_dropout()
    keep_prob -- probability that a hidden unit is kept, a scalar

    Returns:
    gradients -- dict of the gradients with respect to every parameter, activation and
                 linear output: dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1
    """
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    ### START CODE HERE ### (≈ 2 lines of code)
    dA2 = dA2 * D2         # step 1: no gradient flows through the units dropped in the forward pass
    dA2 = dA2 / keep_prob  # step 2: the same rescaling as in the forward pass
    ### END CODE HERE ###
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    ### START CODE HERE ### (≈ 2 lines of code)
    dA1 = dA1 * D1         # step 1
    dA1 = dA1 / keep_prob  # step 2
    ### END CODE HERE ###
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients
