import numpy as np
from gc_utils import sigmoid, relu, dictionary_to_vector, vector_to_dictionary, gradients_to_vector
from gc_network import forward_propagation_n, backward_propagation_n


# GRADED FUNCTION: forward_propagation

def forward_propagation(x, theta):
    """
    Forward pass of the one-parameter model J(theta) = theta * x (Figure 1).

    Arguments:
    x -- the input, a real number
    theta -- the parameter, a real number

    Returns:
    J -- the value of J(theta) = theta * x
    """
    ### START CODE HERE ### (≈ 1 line of code)
    J = theta * x
    ### END CODE HERE ###

    return J


# GRADED FUNCTION: backward_propagation

def backward_propagation(x, theta):
    """
    Derivative of J(theta) = theta * x with respect to theta (Figure 1).

    Arguments:
    x -- the input, a real number
    theta -- the parameter, a real number

    Returns:
    dtheta -- the gradient of J with respect to theta
    """
    ### START CODE HERE ### (≈ 1 line of code)
    dtheta = x
    ### END CODE HERE ###

    return dtheta


# GRADED FUNCTION: gradient_check

def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    """
    Compare the derivative given by backward_propagation with a two-sided
    finite-difference estimate built from forward_propagation.

    Arguments:
    x -- the input, a real number
    theta -- the parameter, a real number
    epsilon -- how far theta is moved on each side in formula (1)
    print_msg -- if True, print whether the backward pass looks right

    Returns:
    difference -- the relative difference (2) between the estimate and the backward-pass gradient
    """
    # Estimate the derivative with formula (1); epsilon is small enough to stand in for the limit.
    ### START CODE HERE ### (≈ 5 lines of code)
    theta_plus = theta + epsilon                                   # Step 1
    theta_minus = theta - epsilon                                  # Step 2
    J_plus = forward_propagation(x, theta_plus)                    # Step 3
    J_minus = forward_propagation(x, theta_minus)                  # Step 4
    gradapprox = (J_plus - J_minus) / (2 * epsilon)                # Step 5
    ### END CODE HERE ###

    # The derivative that backpropagation gives
    ### START CODE HERE ### (≈ 1 line of code)
    grad = backward_propagation(x, theta)
    ### END CODE HERE ###

    # How far apart the two are, formula (2)
    ### START CODE HERE ### (≈ 3 lines of code)
    numerator = np.linalg.norm(grad - gradapprox)                      # Step 1'
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)    # Step 2'
    difference = numerator / denominator                               # Step 3'
    ### END CODE HERE ###

    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference


# GRADED FUNCTION: gradient_check_n

def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """
    Check whether backward_propagation_n gives the gradient of the cost computed by forward_propagation_n.

    Arguments:
    parameters -- dict with the parameters "W1", "b1", "W2", "b2", "W3", "b3"
    gradients -- output of backward_propagation_n: the gradients of the cost with respect to the parameters
    X -- input data, numpy array of shape (4, m)
    Y -- labels for the m examples
    epsilon -- how far each parameter is moved on each side in formula (1)
    print_msg -- if True, print whether the backward pass looks right

    Returns:
    difference -- the relative difference (2) between the estimated gradient and the backward-pass gradient
    """
    # Flatten the parameters and the gradients into column vectors with the same layout
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    # Estimate the derivative along each parameter, one at a time
    for i in range(num_parameters):

        # J_plus[i]: the cost after moving parameter i up by epsilon.
        # forward_propagation_n returns (cost, cache); only the cost is needed, hence "_".
        ### START CODE HERE ### (≈ 3 lines of code)
        theta_plus = np.copy(parameters_values)                                          # Step 1
        theta_plus[i] = theta_plus[i] + epsilon                                          # Step 2
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))     # Step 3
        ### END CODE HERE ###

        # J_minus[i]: the cost after moving parameter i down by epsilon.
        ### START CODE HERE ### (≈ 3 lines of code)
        theta_minus = np.copy(parameters_values)                                         # Step 1
        theta_minus[i] = theta_minus[i] - epsilon                                        # Step 2
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))   # Step 3
        ### END CODE HERE ###

        # gradapprox[i]: the two-sided difference of formula (1)
        ### START CODE HERE ### (≈ 1 line of code)
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
        ### END CODE HERE ###

    # How far apart the two gradient vectors are, formula (2)
    ### START CODE HERE ### (≈ 3 lines of code)
    numerator = np.linalg.norm(grad - gradapprox)                      # Step 1'
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)    # Step 2'
    difference = numerator / denominator                               # Step 3'
    ### END CODE HERE ###

    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")

    return difference
