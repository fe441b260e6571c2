"""Self-checks for the Gradient Checking notebook (the deep-learning course, course 2 week 1).

They only use the values published with the course. Passing them is a good sign, not a grade:
the grader also runs hidden cases.
"""
import numpy as np

from grader.selfcheck import PublicCase, _, run
from gc_network import forward_propagation_n, backward_propagation_n
from testCases import gradient_check_n_test_case

# Published results of gradient_check_n on the course example: with the provided
# backward_propagation_n (which has mistakes), and after those mistakes are fixed.
GRADIENT_CHECK_N_EXPECTED = (0.2850931567761623, 1.1890913024229996e-07)


def forward_propagation_test(target):
    run(target, [PublicCase(args=(2, 4), expected=8, returns=("J",),
                            label="x = 2, theta = 4")])


def backward_propagation_test(target):
    run(target, [
        PublicCase(args=(3, 4), expected=3, returns=("dtheta",), label="x = 3, theta = 4"),
        PublicCase(args=(2, 4), expected=2, returns=("dtheta",), label="x = 2, theta = 4"),
    ])


def gradient_check_test(target):
    # The difference is rounding noise of size 1e-10: compare it relatively, not with an
    # absolute tolerance that would accept almost any small number.
    run(target, [
        PublicCase(args=(3, 4), expected=7.814075313343006e-11, returns=("difference",),
                   label="x = 3, theta = 4", rtol=1e-3, atol=1e-16),
        PublicCase(args=(2, 4), expected=2.919335883291695e-10, returns=("difference",),
                   label="x = 2, theta = 4", rtol=1e-3, atol=1e-16),
    ])


def gradient_check_n_test(target):
    """Run ``target`` on the course example with the provided backward_propagation_n."""
    X, Y, parameters = gradient_check_n_test_case()
    _cost, cache = forward_propagation_n(X, Y, parameters)
    gradients = backward_propagation_n(X, Y, cache)
    run(target, [PublicCase(args=(parameters, gradients, X, Y),
                            expected=GRADIENT_CHECK_N_EXPECTED[0], returns=("difference",),
                            label=_("course example with the provided backward_propagation_n"),
                            rtol=1e-5, atol=1e-15)])
