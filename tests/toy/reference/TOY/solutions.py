import numpy as np
from helpers import sigmoid

# GRADED FUNCTION: affine

def affine(A, W, b):
    """Affine map."""
    ### START CODE HERE ### (≈ 1 line of code)
    Z = np.dot(W, A) + b
    ### END CODE HERE ###
    return Z, (A, W, b)

# GRADED FUNCTION: layer

def layer(A, W, b):
    """Sigmoid layer."""
    ### START CODE HERE ### (≈ 2 lines of code)
    Z, cache = affine(A, W, b)
    A_out = sigmoid(Z)
    ### END CODE HERE ###
    return A_out
