"""Reference graded cells for the Initialization assignment (the deep-learning course, course 2 week 1)."""
import numpy as np

# GRADED FUNCTION: initialize_parameters_zeros

def initialize_parameters_zeros(layers_dims):
    """
    Start every weight and every bias of the network at zero.

    Arguments:
    layers_dims -- list of layer sizes [n_x, n_1, ..., n_L]; layers_dims[0] is the input size

    Returns:
    parameters -- dict holding "W1", "b1", ..., "WL", "bL", where for each layer l:
                    Wl -- array of zeros, shape (layers_dims[l], layers_dims[l-1])
                    bl -- array of zeros, shape (layers_dims[l], 1)
    """
    parameters = {}
    L = len(layers_dims)            # number of entries in layers_dims (input layer included)

    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters

# GRADED FUNCTION: initialize_parameters_random

def initialize_parameters_random(layers_dims):
    """
    Draw every weight from a standard normal distribution scaled up by 10; biases start at zero.

    Arguments:
    layers_dims -- list of layer sizes [n_x, n_1, ..., n_L]; layers_dims[0] is the input size

    Returns:
    parameters -- dict holding "W1", "b1", ..., "WL", "bL", where for each layer l:
                    Wl -- random array, shape (layers_dims[l], layers_dims[l-1])
                    bl -- array of zeros, shape (layers_dims[l], 1)
    """
    np.random.seed(3)               # fixed seed so that your numbers can be compared with ours
    parameters = {}
    L = len(layers_dims)            # number of entries in layers_dims (input layer included)

    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters

# GRADED FUNCTION: initialize_parameters_he

def initialize_parameters_he(layers_dims):
    """
    He initialization: standard normal weights scaled by sqrt(2 / size of the previous layer);
    biases start at zero.

    Arguments:
    layers_dims -- list of layer sizes [n_x, n_1, ..., n_L]; layers_dims[0] is the input size

    Returns:
    parameters -- dict holding "W1", "b1", ..., "WL", "bL", where for each layer l:
                    Wl -- random array, shape (layers_dims[l], layers_dims[l-1])
                    bl -- array of zeros, shape (layers_dims[l], 1)
    """
    np.random.seed(3)               # fixed seed so that your numbers can be compared with ours
    parameters = {}
    L = len(layers_dims) - 1        # number of layers with weights (the input layer has none)

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters
