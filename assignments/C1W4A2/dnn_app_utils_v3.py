"""Helper functions for the cat-classifier assignment (the deep-learning course, course 1 week 4).

They are the building blocks written in the "Step by Step" assignment, provided here ready to use
so that this assignment can concentrate on assembling complete models:

* activations and their backward passes: ``sigmoid``, ``relu``, ``sigmoid_backward``, ``relu_backward``
* initialization: ``initialize_parameters`` (2-layer, small random weights) and
  ``initialize_parameters_deep`` (L layers, weights scaled by 1/sqrt(n_prev))
* forward pass: ``linear_forward``, ``linear_activation_forward``, ``L_model_forward``
* cost: ``compute_cost``
* backward pass: ``linear_backward``, ``linear_activation_backward``, ``L_model_backward``
* gradient step: ``update_parameters``
* data and results: ``load_data``, ``predict``, ``print_mislabeled_images``
"""
import copy
import os
from pathlib import Path

import numpy as np

__all__ = [
    "sigmoid", "relu", "relu_backward", "sigmoid_backward", "load_data",
    "initialize_parameters", "initialize_parameters_deep", "linear_forward",
    "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
    "linear_activation_backward", "L_model_backward", "update_parameters", "predict",
    "print_mislabeled_images",
]

DATA_ENV_VAR = "DNN_GRADER_CAT_DATA"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "datasets"
TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------

def sigmoid(Z):
    """Logistic function applied elementwise.

    Arguments:
    Z -- numpy array of any shape

    Returns:
    A -- 1 / (1 + exp(-Z)), same shape as Z
    cache -- Z itself, kept for the backward pass
    """
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def relu(Z):
    """Rectified linear unit applied elementwise.

    Arguments:
    Z -- numpy array of any shape

    Returns:
    A -- max(0, Z), same shape as Z
    cache -- Z itself, kept for the backward pass
    """
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


def relu_backward(dA, cache):
    """Gradient of the cost with respect to Z for a ReLU unit.

    Arguments:
    dA -- gradient with respect to the activation output, any shape
    cache -- the Z that relu() stored

    Returns:
    dZ -- dA where Z > 0 and 0 elsewhere
    """
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    """Gradient of the cost with respect to Z for a sigmoid unit.

    Arguments:
    dA -- gradient with respect to the activation output, any shape
    cache -- the Z that sigmoid() stored

    Returns:
    dZ -- dA * s * (1 - s) with s = sigmoid(Z)
    """
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def _data_dir(path=None):
    """Folder holding the two data files: ``path``, else $DNN_GRADER_CAT_DATA, else ./datasets."""
    if path is not None:
        return Path(path)
    from_env = os.environ.get(DATA_ENV_VAR)
    if from_env:
        return Path(from_env)
    return DEFAULT_DATA_DIR


def load_data(path=None):
    """Load the cat / non-cat pictures.

    Arguments:
    path -- optional folder containing train_catvnoncat.h5 and test_catvnoncat.h5. When omitted,
            the folder named by the environment variable DNN_GRADER_CAT_DATA is used if it is set,
            otherwise the stand-in data set shipped in the datasets/ folder beside this module.

    Returns:
    train_x_orig -- training pictures, uint8 array of shape (m_train, 64, 64, 3)
    train_y -- training labels (1 = cat, 0 = non-cat), int64 array of shape (1, m_train)
    test_x_orig -- test pictures, uint8 array of shape (m_test, 64, 64, 3)
    test_y -- test labels, int64 array of shape (1, m_test)
    classes -- array of the class names as bytes: [b'non-cat', b'cat']
    """
    import h5py

    folder = _data_dir(path)
    for name in (TRAIN_FILE, TEST_FILE):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{name} not found in {folder} (set {DATA_ENV_VAR} or pass "
                                    "load_data(path=...) to use another folder)")
    with h5py.File(folder / TRAIN_FILE, "r") as train_file:
        train_x_orig = np.array(train_file["train_set_x"][:])
        train_y = np.array(train_file["train_set_y"][:])
    with h5py.File(folder / TEST_FILE, "r") as test_file:
        test_x_orig = np.array(test_file["test_set_x"][:])
        test_y = np.array(test_file["test_set_y"][:])
        classes = np.array(test_file["list_classes"][:])

    train_y = train_y.reshape((1, train_y.shape[0]))
    test_y = test_y.reshape((1, test_y.shape[0]))
    return train_x_orig, train_y, test_x_orig, test_y, classes


# ---------------------------------------------------------------------------------------------
# Initialization
# ---------------------------------------------------------------------------------------------

def initialize_parameters(n_x, n_h, n_y):
    """Parameters of a LINEAR->RELU->LINEAR->SIGMOID network with one hidden layer.

    Arguments:
    n_x -- number of input features
    n_h -- number of hidden units
    n_y -- number of output units

    Returns:
    parameters -- dict with W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); the weights
                  are standard-normal draws times 0.01 (seed 1), the biases are zeros
    """
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    """Parameters of an L-layer network.

    Arguments:
    layer_dims -- list of layer sizes [n_x, n_1, ..., n_L]

    Returns:
    parameters -- dict with Wl of shape (layer_dims[l], layer_dims[l-1]) and bl of shape
                  (layer_dims[l], 1) for l = 1..L. Weights are standard-normal draws (seed 1)
                  divided by sqrt(layer_dims[l-1]), which keeps the scale of the activations
                  steady from layer to layer; biases are zeros.
    """
    np.random.seed(1)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = (np.random.randn(layer_dims[l], layer_dims[l - 1])
                                    / np.sqrt(layer_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# ---------------------------------------------------------------------------------------------
# Forward propagation
# ---------------------------------------------------------------------------------------------

def linear_forward(A, W, b):
    """Linear part of a layer: Z = W A + b.

    Returns:
    Z -- pre-activation, shape (W.shape[0], A.shape[1])
    cache -- (A, W, b) for the backward pass
    """
    Z = W.dot(A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    """One layer, LINEAR then ACTIVATION.

    Arguments:
    A_prev -- activations of the previous layer (or the input X), shape (n_prev, m)
    W, b -- weights (n, n_prev) and bias (n, 1) of this layer
    activation -- "sigmoid" or "relu"

    Returns:
    A -- activation output, shape (n, m)
    cache -- (linear_cache, activation_cache) for the backward pass
    """
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    else:
        raise ValueError(f"activation must be 'sigmoid' or 'relu', got {activation!r}")
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    """Forward pass of [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID.

    Arguments:
    X -- input data, shape (n_x, m)
    parameters -- dict of W1, b1, ..., WL, bL

    Returns:
    AL -- output probabilities, shape (1, m)
    caches -- list of the L layer caches, layer 1 first
    """
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)],
                                             parameters["b" + str(l)], activation="relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], activation="sigmoid")
    caches.append(cache)
    return AL, caches


# ---------------------------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------------------------

def compute_cost(AL, Y):
    """Cross-entropy cost J = -(1/m) * sum(Y log(AL) + (1 - Y) log(1 - AL)).

    Arguments:
    AL -- predicted probabilities, shape (1, m)
    Y -- true labels, shape (1, m)

    Returns:
    cost -- the cost as a 0-dimensional numpy array
    """
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    cost = np.squeeze(cost)
    return cost


# ---------------------------------------------------------------------------------------------
# Backward propagation
# ---------------------------------------------------------------------------------------------

def linear_backward(dZ, cache):
    """Gradients of the linear part of a layer.

    Arguments:
    dZ -- gradient of the cost with respect to Z, shape (n, m)
    cache -- (A_prev, W, b) from linear_forward

    Returns:
    dA_prev -- W^T dZ, same shape as A_prev
    dW -- (1/m) dZ A_prev^T, same shape as W
    db -- (1/m) * sum of dZ over the examples, same shape as b
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """Backward pass of one LINEAR->ACTIVATION layer.

    Arguments:
    dA -- gradient with respect to this layer's activation output
    cache -- (linear_cache, activation_cache) from linear_activation_forward
    activation -- "sigmoid" or "relu"

    Returns:
    dA_prev, dW, db -- gradients with respect to the previous activation, W and b
    """
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        raise ValueError(f"activation must be 'sigmoid' or 'relu', got {activation!r}")
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    """Backward pass of [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID.

    Arguments:
    AL -- output of L_model_forward, shape (1, m)
    Y -- true labels, shape (1, m)
    caches -- list of caches from L_model_forward

    Returns:
    grads -- dict with, for every layer l = 1..L, "dWl" and "dbl", and "dA" + str(l - 1), the
             gradient with respect to the activation that enters layer l ("dA0" is the gradient
             with respect to X)
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)

    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))

    current_cache = caches[L - 1]
    dA_prev, dW, db = linear_activation_backward(dAL, current_cache, activation="sigmoid")
    grads["dA" + str(L - 1)] = dA_prev
    grads["dW" + str(L)] = dW
    grads["db" + str(L)] = db

    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)], current_cache,
                                                     activation="relu")
        grads["dA" + str(l)] = dA_prev
        grads["dW" + str(l + 1)] = dW
        grads["db" + str(l + 1)] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent (the parameter names are the course's: notebooks pass them
    by keyword).

    Arguments:
    parameters -- dict of W1, b1, ..., WL, bL (left unchanged)
    grads -- dict with dW1, db1, ..., dWL, dbL
    learning_rate -- step size

    Returns:
    parameters -- a new dict with W := W - learning_rate * dW and b := b - learning_rate * db
    """
    updated = copy.deepcopy(parameters)
    L = len(updated) // 2
    for l in range(L):
        updated["W" + str(l + 1)] = updated["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        updated["b" + str(l + 1)] = updated["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return updated


# ---------------------------------------------------------------------------------------------
# Using a trained model
# ---------------------------------------------------------------------------------------------

def predict(X, y, parameters):
    """Predict labels with a trained L-layer network and print the accuracy.

    Arguments:
    X -- data, shape (n_x, m)
    y -- true labels, shape (1, m)
    parameters -- trained parameters (any depth, including the 2-layer model's)

    Returns:
    p -- predictions (1.0 = cat when the output probability is above 0.5, else 0.0), shape (1, m)
    """
    m = X.shape[1]
    p = np.zeros((1, m))
    probas, _ = L_model_forward(X, parameters)
    p[probas > 0.5] = 1
    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p


def print_mislabeled_images(classes, X, y, p, max_images=12):
    """Show the pictures whose prediction differs from the true label.

    Arguments:
    classes -- class names as bytes, e.g. [b'non-cat', b'cat']
    X -- flattened pictures, shape (64*64*3, m), values in [0, 1]
    y -- true labels, shape (1, m)
    p -- predictions, shape (1, m)
    max_images -- at most this many pictures are drawn (the first ones)
    """
    import matplotlib.pyplot as plt

    wrong = np.flatnonzero(np.asarray(p).ravel() != np.asarray(y).ravel())
    shown = wrong[:max_images]
    if shown.size == 0:
        print("No mislabeled pictures.")
        return
    columns = min(len(shown), 6)
    rows = (len(shown) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 3.0 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    side = int(round((X.shape[0] / 3) ** 0.5))
    for ax, index in zip(axes.ravel(), shown):
        ax.imshow(X[:, index].reshape(side, side, 3), interpolation="nearest")
        predicted = classes[int(p[0, index])].decode("utf-8")
        actual = classes[int(y[0, index])].decode("utf-8")
        ax.set_title(f"Prediction: {predicted}\nClass: {actual}", fontsize=9)
    fig.tight_layout()
    plt.show()
    if len(wrong) > len(shown):
        print(f"({len(wrong) - len(shown)} more mislabeled pictures not shown)")
