"""C1W4A1 graded cells of the v4-v5 releases (testCases_v2 / testCases_v3) that differ from
both solutions.py and solutions_v8.py.

These releases store the gradients of L_model_backward one layer up: the output layer's step
stores grads["dA" + str(L)] and the loop reads grads["dA" + str(l + 2)] and stores
grads["dA" + str(l + 1)], so the keys are dA1 ... dAL (dA1 is the gradient for X).
linear_activation_backward comes from solutions.py, which this file runs over.
"""
import numpy as np


# GRADED FUNCTION: L_model_backward

def L_model_backward(AL, Y, caches):
    """
    Backward propagation for the [LINEAR->RELU] * (L-1) -> LINEAR -> SIGMOID model.

    Arguments:
    AL -- probability vector, output of L_model_forward()
    Y -- true "label" vector (0 if non-cat, 1 if cat)
    caches -- list of caches: caches[l] for l = 0 ... L-2 from the "relu" layers,
              caches[L-1] from the "sigmoid" layer

    Returns:
    grads -- a dictionary with the gradients
             grads["dA" + str(l)] = ...
             grads["dW" + str(l)] = ...
             grads["db" + str(l)] = ...
    """
    grads = {}
    L = len(caches)  # the number of layers
    m = AL.shape[1]
    Y = Y.reshape(AL.shape)  # Y now has the shape of AL

    # Start of the backward pass
    ### START CODE HERE ### (1 line of code)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    ### END CODE HERE ###

    # Layer L (SIGMOID -> LINEAR). Inputs: dAL, caches. Outputs: grads["dAL"], grads["dWL"], grads["dbL"]
    ### START CODE HERE ### (approx. 2 lines)
    current_cache = caches[L - 1]
    grads["dA" + str(L)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, current_cache, activation="sigmoid")
    ### END CODE HERE ###

    for l in reversed(range(L - 1)):
        # Layer l + 1 (RELU -> LINEAR). Inputs: grads["dA" + str(l + 2)], caches.
        # Outputs: grads["dA" + str(l + 1)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)]
        ### START CODE HERE ### (approx. 5 lines)
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 2)], current_cache, activation="relu")
        grads["dA" + str(l + 1)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
        ### END CODE HERE ###

    return grads
