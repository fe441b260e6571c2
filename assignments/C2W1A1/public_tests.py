"""Checks you can run on your own from the Initialization notebook.

They only use the course's published example values. Passing them is a good sign, not a
guarantee: the grader also tries other network sizes.
"""
import numpy as np

from grader.selfcheck import PublicCase, run

RETURNS = ("parameters",)


def initialize_parameters_zeros_test(target):
    """Check initialize_parameters_zeros on the [3, 2, 1] network."""
    expected = {
        "W1": np.array([[0., 0., 0.],
                        [0., 0., 0.]]),
        "b1": np.array([[0.],
                        [0.]]),
        "W2": np.array([[0., 0.]]),
        "b2": np.array([[0.]]),
    }
    run(target, [PublicCase(([3, 2, 1],), expected, RETURNS, label="layers_dims [3, 2, 1]")])


def initialize_parameters_random_test(target):
    """Check initialize_parameters_random on the [3, 2, 1] network (seed 3, weights times 10)."""
    expected = {
        "W1": np.array([[17.88628473, 4.36509851, 0.96497468],
                        [-18.63492703, -2.77388203, -3.54758979]]),
        "b1": np.array([[0.],
                        [0.]]),
        "W2": np.array([[-0.82741481, -6.27000677]]),
        "b2": np.array([[0.]]),
    }
    run(target, [PublicCase(([3, 2, 1],), expected, RETURNS, label="layers_dims [3, 2, 1]")])


def initialize_parameters_he_test(target):
    """Check initialize_parameters_he on the [2, 4, 1] and [3, 1, 2] networks (seed 3)."""
    expected_241 = {
        "W1": np.array([[1.78862847, 0.43650985],
                        [0.09649747, -1.8634927],
                        [-0.2773882, -0.35475898],
                        [-0.08274148, -0.62700068]]),
        "b1": np.array([[0.],
                        [0.],
                        [0.],
                        [0.]]),
        "W2": np.array([[-0.03098412, -0.33744411, -0.92904268, 0.62552248]]),
        "b2": np.array([[0.]]),
    }
    expected_312 = {
        "W1": np.array([[1.46040903, 0.3564088, 0.07878985]]),
        "b1": np.array([[0.]]),
        "W2": np.array([[-2.63537665],
                        [-0.39228616]]),
        "b2": np.array([[0.],
                        [0.]]),
    }
    run(target, [
        PublicCase(([2, 4, 1],), expected_241, RETURNS, label="layers_dims [2, 4, 1]"),
        PublicCase(([3, 1, 2],), expected_312, RETURNS, label="layers_dims [3, 1, 2]"),
    ])
