"""C1W4A1 graded cells as the releases before 2021 word them (over solutions.py).

Until 2021, update_parameters took ``parameters`` and updated that dictionary in place, with no
copy in the scaffold: changing the caller's dictionary was the course's own design then.
"""


# GRADED FUNCTION: update_parameters

def update_parameters(parameters, grads, learning_rate):
    """
    Update the parameters with one step of gradient descent.

    Arguments:
    parameters -- python dictionary with your parameters "W1", "b1", ..., "WL", "bL"
    grads -- python dictionary with your gradients, output of L_model_backward
    learning_rate -- the step size

    Returns:
    parameters -- python dictionary with your updated parameters:
                  parameters["W" + str(l)] = ...
                  parameters["b" + str(l)] = ...
    """
    L = len(parameters) // 2  # number of layers in the network

    # One update rule per parameter, in a for loop.
    ### START CODE HERE ### (≈ 3 lines of code)
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    ### END CODE HERE ###

    return parameters
