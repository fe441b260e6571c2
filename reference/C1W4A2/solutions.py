import numpy as np
from dnn_app_utils_v3 import *


# GRADED FUNCTION: two_layer_model

def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """
    Train a two-layer network LINEAR -> RELU -> LINEAR -> SIGMOID by gradient descent.

    Arguments:
    X -- input data, numpy array of shape (n_x, number of examples)
    Y -- labels (1 = cat, 0 = non-cat), numpy array of shape (1, number of examples)
    layers_dims -- sizes of the layers (n_x, n_h, n_y)
    learning_rate -- step size of gradient descent
    num_iterations -- number of gradient-descent steps
    print_cost -- if True, print the cost every 100 iterations

    Returns:
    parameters -- dictionary with the learned W1, b1, W2 and b2
    costs -- list of the costs recorded every 100 iterations
    """

    np.random.seed(1)
    grads = {}
    costs = []                              # costs recorded during training
    m = X.shape[1]                          # number of examples
    (n_x, n_h, n_y) = layers_dims

    # Create the parameters with the 2-layer initializer from dnn_app_utils_v3.
    ### START CODE HERE ### (≈ 1 line of code)
    parameters = initialize_parameters(n_x, n_h, n_y)
    ### END CODE HERE ###

    # Unpack the parameters.
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    # Gradient descent
    for i in range(0, num_iterations):

        # Forward pass, hidden layer (ReLU) then output layer (sigmoid):
        # from X, W1, b1, W2, b2 compute A1, cache1 and A2, cache2.
        ### START CODE HERE ### (≈ 2 lines of code)
        A1, cache1 = linear_activation_forward(X, W1, b1, activation="relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, activation="sigmoid")
        ### END CODE HERE ###

        # Cross-entropy cost of the current predictions.
        ### START CODE HERE ### (≈ 1 line of code)
        cost = compute_cost(A2, Y)
        ### END CODE HERE ###

        # Derivative of the cost with respect to A2 starts the backward pass.
        dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))

        # Backward pass, output layer first: from dA2 and cache2 get dA1, dW2, db2;
        # then from dA1 and cache1 get dA0 (the gradient for X, unused), dW1, db1.
        ### START CODE HERE ### (≈ 2 lines of code)
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, activation="sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, activation="relu")
        ### END CODE HERE ###

        # Collect the gradients under the names update_parameters expects.
        grads['dW1'] = dW1
        grads['db1'] = db1
        grads['dW2'] = dW2
        grads['db2'] = db2

        # Take one gradient-descent step.
        ### START CODE HERE ### (≈ 1 line of code)
        parameters = update_parameters(parameters, grads, learning_rate)
        ### END CODE HERE ###

        # Unpack the updated parameters for the next iteration.
        W1 = parameters["W1"]
        b1 = parameters["b1"]
        W2 = parameters["W2"]
        b2 = parameters["b2"]

        # Report the cost every 100 iterations (and after the last one).
        if print_cost and i % 100 == 0 or i == num_iterations - 1:
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i % 100 == 0 or i == num_iterations:
            costs.append(cost)

    return parameters, costs


# GRADED FUNCTION: L_layer_model

def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """
    Train an L-layer network [LINEAR -> RELU]*(L-1) -> LINEAR -> SIGMOID by gradient descent.

    Arguments:
    X -- input data, numpy array of shape (n_x, number of examples)
    Y -- labels (1 = cat, 0 = non-cat), numpy array of shape (1, number of examples)
    layers_dims -- list [n_x, n_1, ..., n_L] with the input size and the size of every layer
    learning_rate -- step size of gradient descent
    num_iterations -- number of gradient-descent steps
    print_cost -- if True, print the cost every 100 iterations

    Returns:
    parameters -- dictionary with the learned W1, b1, ..., WL, bL
    costs -- list of the costs recorded every 100 iterations
    """

    np.random.seed(1)
    costs = []                              # costs recorded during training

    # Create the parameters with the deep initializer from dnn_app_utils_v3.
    ### START CODE HERE ### (≈ 1 line of code)
    parameters = initialize_parameters_deep(layers_dims)
    ### END CODE HERE ###

    # Gradient descent
    for i in range(0, num_iterations):

        # Forward pass: [LINEAR -> RELU]*(L-1) -> LINEAR -> SIGMOID.
        ### START CODE HERE ### (≈ 1 line of code)
        AL, caches = L_model_forward(X, parameters)
        ### END CODE HERE ###

        # Cross-entropy cost of the current predictions.
        ### START CODE HERE ### (≈ 1 line of code)
        cost = compute_cost(AL, Y)
        ### END CODE HERE ###

        # Backward pass through all the layers.
        ### START CODE HERE ### (≈ 1 line of code)
        grads = L_model_backward(AL, Y, caches)
        ### END CODE HERE ###

        # Take one gradient-descent step.
        ### START CODE HERE ### (≈ 1 line of code)
        parameters = update_parameters(parameters, grads, learning_rate)
        ### END CODE HERE ###

        # Report the cost every 100 iterations (and after the last one).
        if print_cost and i % 100 == 0 or i == num_iterations - 1:
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i % 100 == 0 or i == num_iterations:
            costs.append(cost)

    return parameters, costs
