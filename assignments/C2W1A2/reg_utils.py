"""Helpers for the Regularization assignment (the deep-learning course, course 2 week 1).

The network used throughout is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID with
three weight matrices W1, W2, W3 and biases b1, b2, b3. Examples are stored column-wise:
``X`` has shape (n_features, m) and the labels ``Y`` have shape (1, m).

Nothing here is graded; the notebook imports these functions and you may read them freely.
(matplotlib is imported only by the two plotting helpers, so the rest loads quickly.)
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STAND_IN = HERE / "datasets" / "data.npz"
DATA_ENV = "DNN_GRADER_REG_DATA"


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), element-wise."""
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Rectified linear unit max(0, x), element-wise."""
    return np.maximum(0, x)


def initialize_parameters(layer_dims):
    """Weights drawn from a normal distribution scaled by 1/sqrt(fan-in), biases at zero.

    Arguments:
    layer_dims -- list of layer sizes, input layer first, e.g. [2, 20, 3, 1]

    Returns:
    parameters -- dict with "W1", "b1", ..., "WL", "bL"; Wl has shape
                  (layer_dims[l], layer_dims[l-1]) and bl has shape (layer_dims[l], 1)
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        fan_in = layer_dims[l - 1]
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], fan_in) / np.sqrt(fan_in)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def forward_propagation(X, parameters):
    """Plain forward pass of the three-layer network (no dropout).

    Returns:
    A3 -- output probabilities, shape (1, m)
    cache -- (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), used by the backward pass
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation(X, Y, cache):
    """Gradients of the unregularized cross-entropy cost, for the cache of forward_propagation.

    Returns:
    gradients -- dict with the keys dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent: every Wl and bl moves against its gradient.

    Returns a new dict; the arrays of ``parameters`` are left untouched.
    """
    updated = {}
    for l in range(1, len(parameters) // 2 + 1):
        for name in ("W", "b"):
            key = name + str(l)
            updated[key] = parameters[key] - learning_rate * grads["d" + key]
    return updated


def compute_cost(a3, Y):
    """Cross-entropy cost averaged over the m examples.

    Terms that evaluate to NaN (a saturated output times a zero label, 0 * log 0) are skipped,
    so a network that is exactly right on some example still gets a finite cost.

    Arguments:
    a3 -- output of the forward pass, shape (1, m)
    Y -- labels 0 or 1, shape (1, m)

    Returns:
    cost -- a numpy float64 scalar
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        losses = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(losses)


def predict(X, y, parameters):
    """Predict labels 0/1 by thresholding the network output at 0.5 and print the accuracy.

    Returns:
    p -- integer predictions (dtype np.int_), shape (1, m)
    """
    a3, _ = forward_propagation(X, parameters)
    p = np.zeros((1, X.shape[1]), dtype=np.int_)
    p[0, :] = a3[0, :] > 0.5
    print("Accuracy: " + str(np.mean(p[0, :] == y[0, :])))
    return p


def predict_dec(parameters, X):
    """Boolean predictions (output > 0.5), used to shade a decision boundary."""
    a3, _ = forward_propagation(X, parameters)
    return a3 > 0.5


def plot_decision_boundary(model, X, y):
    """Shade the plane by the class ``model`` predicts and scatter the points (X, y) over it.

    ``model`` takes an array of shape (n_points, 2) and returns one prediction per point.
    Axis limits set before the call (plt.gca().set_xlim) are kept.
    """
    import matplotlib.pyplot as plt

    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    step = 0.01
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = np.asarray(model(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.ylabel("x2")
    plt.xlabel("x1")
    plt.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral)
    plt.show()


def data_path(path=None):
    """Which file load_2D_dataset reads.

    In order: the ``path`` argument, the environment variable DNN_GRADER_REG_DATA, and
    finally the generated stand-in ``datasets/data.npz`` shipped with the assignment.
    """
    if path is not None:
        return Path(path)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return STAND_IN


def read_2D_arrays(path=None):
    """The raw arrays X (m, 2), y (m, 1), Xval (n, 2), yval (n, 1) of the 2D data set.

    ``.mat`` files (the course's own data.mat) are read with scipy; anything else is read
    as a numpy ``.npz`` archive with the same four keys.
    """
    path = data_path(path)
    if path.suffix.lower() == ".mat":
        import scipy.io
        data = scipy.io.loadmat(str(path))
    else:
        with np.load(path) as archive:
            data = {key: archive[key] for key in archive.files}
    return {key: data[key] for key in ("X", "y", "Xval", "yval")}


def load_2D_dataset(path=None, plot=True):
    """Load the 2D data set, examples as columns.

    Returns:
    train_X -- (2, 211), train_Y -- (1, 211), test_X -- (2, 200), test_Y -- (1, 200)
    (labels keep the file's uint8 dtype)
    """
    data = read_2D_arrays(path)
    train_X, train_Y = data["X"].T, data["y"].T
    test_X, test_Y = data["Xval"].T, data["yval"].T
    if plot:
        import matplotlib.pyplot as plt
        plt.scatter(train_X[0, :], train_X[1, :], c=np.ravel(train_Y), s=40, cmap=plt.cm.Spectral)
        plt.show()
    return train_X, train_Y, test_X, test_Y
