"""Helpers for the Initialization assignment (the deep-learning course, course 2 week 1).

Everything here is provided: the notebook imports these functions to train a fixed
three-layer network, LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, so that the only
thing that changes between experiments is how the weights start out.

The toy data ("two circles") is drawn with scikit-learn's ``make_circles`` on NumPy's global
random state, under the same seeds as the course, so no download is needed.
"""
import matplotlib.pyplot as plt
import numpy as np
import sklearn.datasets


def sigmoid(x):
    """Logistic function 1 / (1 + e^(-x)), applied elementwise.

    Arguments:
    x -- a scalar or numpy array of any shape

    Returns:
    s -- sigmoid(x), same shape as x
    """
    with np.errstate(over="ignore"):  # e^(-x) overflows to inf for very negative x; 1/inf is 0
        s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    """Rectified linear unit max(0, x), applied elementwise.

    Arguments:
    x -- a scalar or numpy array of any shape

    Returns:
    s -- relu(x), same shape as x
    """
    s = np.maximum(0, x)
    return s


def forward_propagation(X, parameters):
    """Forward pass of the three-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    Arguments:
    X -- input data, shape (input size, number of examples)
    parameters -- dict with "W1", "b1", "W2", "b2", "W3", "b3":
                  Wl has shape (size of layer l, size of layer l-1), bl has shape (size of layer l, 1)

    Returns:
    a3 -- output of the sigmoid unit, shape (1, number of examples)
    cache -- tuple (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) kept for the backward pass
    """
    cache = []
    a = X
    for layer in (1, 2, 3):
        W = parameters["W" + str(layer)]
        b = parameters["b" + str(layer)]
        z = np.dot(W, a) + b
        a = sigmoid(z) if layer == 3 else relu(z)
        cache += [z, a, W, b]
    return a, tuple(cache)


def backward_propagation(X, Y, cache):
    """Gradients of the cross-entropy loss for the network of forward_propagation.

    The 1/m averaging is applied once, to dz3; every later gradient inherits it.

    Arguments:
    X -- input data, shape (input size, number of examples)
    Y -- true labels (0 = red, 1 = blue), shape (1, number of examples)
    cache -- the cache returned by forward_propagation

    Returns:
    gradients -- dict with "dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2",
                 "da1", "dz1", "dW1", "db1"
    """
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    activations = {0: X, 1: a1, 2: a2}
    weights = {2: W2, 3: W3}

    gradients = {}
    dz = 1. / m * (a3 - Y)
    for layer in (3, 2, 1):
        if layer < 3:
            da = np.dot(weights[layer + 1].T, dz)
            dz = np.multiply(da, np.int64(activations[layer] > 0))
            gradients["da" + str(layer)] = da
        gradients["dz" + str(layer)] = dz
        gradients["dW" + str(layer)] = np.dot(dz, activations[layer - 1].T)
        gradients["db" + str(layer)] = np.sum(dz, axis=1, keepdims=True)
    return gradients


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent on every weight and bias.

    Arguments:
    parameters -- dict with "W1", "b1", ..., "WL", "bL"
    grads -- dict with "dW1", "db1", ..., "dWL", "dbL" (as returned by backward_propagation)
    learning_rate -- step size, a positive float

    Returns:
    parameters -- dict with the updated "W1", "b1", ..., "WL", "bL"
    """
    n_layers = len(parameters) // 2
    for layer in range(1, n_layers + 1):
        for name in ("W", "b"):
            key = name + str(layer)
            parameters[key] = parameters[key] - learning_rate * grads["d" + key]
    return parameters


def compute_loss(a3, Y):
    """Average cross-entropy loss of the predictions a3 against the labels Y.

    Entries where the network is exactly 0 or 1 on the wrong side give inf; terms that
    come out as nan (0 * log 0) are skipped by the nan-aware sum.

    Arguments:
    a3 -- predicted probabilities, shape (1, number of examples)
    Y -- true labels, shape (1, number of examples)

    Returns:
    loss -- the cross-entropy loss, a float
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    loss = 1. / m * np.nansum(logprobs)
    return loss


def predict(X, y, parameters):
    """Predict a label for every column of X with the trained network and print the accuracy.

    Arguments:
    X -- data, shape (input size, number of examples)
    y -- true labels, shape (1, number of examples)
    parameters -- trained parameters of the network

    Returns:
    p -- predicted labels (0 or 1), integer array of shape (1, number of examples)
    """
    probabilities, _ = forward_propagation(X, parameters)
    p = np.zeros((1, X.shape[1]), dtype=np.int_)
    p[0, :] = probabilities[0, :] > 0.5
    print("Accuracy: " + str(np.mean(p[0, :] == y[0, :])))
    return p


def predict_dec(parameters, X):
    """Boolean predictions (probability > 0.5), used to colour a decision boundary.

    Arguments:
    parameters -- trained parameters of the network
    X -- points to classify, shape (2, number of points)

    Returns:
    predictions -- boolean array, shape (1, number of points)
    """
    probabilities, _ = forward_propagation(X, parameters)
    predictions = probabilities > 0.5
    return predictions


def plot_decision_boundary(model, X, y):
    """Shade the plane by the class ``model`` predicts and draw the data points on top.

    Arguments:
    model -- function taking an array of points of shape (number of points, 2)
             and returning their predicted labels
    X -- data points, shape (2, number of examples)
    y -- labels, shape (1, number of examples)
    """
    step = 0.01
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    grid_x, grid_y = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    labels = model(np.c_[grid_x.ravel(), grid_y.ravel()])
    labels = np.asarray(labels).reshape(grid_x.shape)
    plt.contourf(grid_x, grid_y, labels, cmap=plt.cm.Spectral)
    plt.ylabel("x2")
    plt.xlabel("x1")
    plt.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral)
    plt.show()


def load_dataset(plot=True):
    """The "two circles" data: 300 training and 100 test points in the plane.

    Blue dots (label 1) lie on an inner circle, red dots (label 0) on an outer one. Drawn with
    scikit-learn's make_circles (noise 0.05) on NumPy's global random state, seeded with 1 for
    the training set and 2 for the test set.

    Arguments:
    plot -- if True, scatter-plot the training set

    Returns:
    train_X -- shape (2, 300)
    train_Y -- shape (1, 300)
    test_X -- shape (2, 100)
    test_Y -- shape (1, 100)
    """
    np.random.seed(1)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
    np.random.seed(2)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=100, noise=.05)
    if plot:
        plt.scatter(train_X[:, 0], train_X[:, 1], c=train_Y, s=40, cmap=plt.cm.Spectral)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    test_X = test_X.T
    test_Y = test_Y.reshape((1, test_Y.shape[0]))
    return train_X, train_Y, test_X, test_Y
