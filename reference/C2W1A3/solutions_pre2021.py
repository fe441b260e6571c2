"""C2W1A3 graded cells as the releases before 2021 word them (over solutions.py).

Before 2021 both checks had no ``print_msg`` argument and always printed their verdict. The
computed difference is the same as in later releases. forward_propagation and
backward_propagation come from solutions.py, which this file runs over.
"""
import numpy as np
from gc_utils import dictionary_to_vector, vector_to_dictionary, gradients_to_vector
from gc_network import forward_propagation_n


# GRADED FUNCTION: gradient_check

def gradient_check(x, theta, epsilon=1e-7):
    """
    Check backward_propagation against a two-sided difference of forward_propagation (Figure 1).

    Arguments:
    x -- a real-valued input
    theta -- the parameter, a real number
    epsilon -- the small shift of theta used in formula (1)

    Returns:
    difference -- the relative difference (2) between the estimate and backward_propagation
    """
    # Estimate the derivative with formula (1).
    ### START CODE HERE ### (approx. 5 lines)
    theta_plus = theta + epsilon                               # Step 1
    theta_minus = theta - epsilon                              # Step 2
    J_plus = forward_propagation(x, theta_plus)                # Step 3
    J_minus = forward_propagation(x, theta_minus)              # Step 4
    gradapprox = (J_plus - J_minus) / (2 * epsilon)            # Step 5
    ### END CODE HERE ###

    # The derivative backward_propagation gives
    ### START CODE HERE ### (approx. 1 line)
    grad = backward_propagation(x, theta)
    ### END CODE HERE ###

    # Formula (2)
    ### START CODE HERE ### (approx. 1 line)
    numerator = np.linalg.norm(grad - gradapprox)                      # Step 1'
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)    # Step 2'
    difference = numerator / denominator                               # Step 3'
    ### END CODE HERE ###

    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")

    return difference


# GRADED FUNCTION: gradient_check_n

def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    """
    Check whether backward_propagation_n gives the gradient of the cost of forward_propagation_n.

    Arguments:
    parameters -- dict with "W1", "b1", "W2", "b2", "W3", "b3"
    gradients -- output of backward_propagation_n, the gradients of the cost
    X -- input data, shape (4, m)
    Y -- the labels
    epsilon -- the small shift of each parameter used in formula (1)

    Returns:
    difference -- the relative difference (2) between the estimate and the backward-pass gradient
    """
    # Both as column vectors with the same layout
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    # One parameter at a time
    for i in range(num_parameters):

        # J_plus[i] from "parameters_values" moved up by epsilon at i; "_" drops the cache.
        ### START CODE HERE ### (approx. 3 lines)
        thetaplus = np.copy(parameters_values)                                       # Step 1
        thetaplus[i][0] = thetaplus[i][0] + epsilon                                  # Step 2
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))  # Step 3
        ### END CODE HERE ###

        # J_minus[i], moved down by epsilon.
        ### START CODE HERE ### (approx. 3 lines)
        thetaminus = np.copy(parameters_values)                                        # Step 1
        thetaminus[i][0] = thetaminus[i][0] - epsilon                                  # Step 2
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))  # Step 3
        ### END CODE HERE ###

        # gradapprox[i]
        ### START CODE HERE ### (approx. 1 line)
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
        ### END CODE HERE ###

    # Formula (2) on the two vectors
    ### START CODE HERE ### (approx. 1 line)
    numerator = np.linalg.norm(grad - gradapprox)                      # Step 1'
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)    # Step 2'
    difference = numerator / denominator                               # Step 3'
    ### END CODE HERE ###

    if difference > 2e-7:
        print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
    else:
        print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference
