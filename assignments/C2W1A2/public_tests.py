"""Self-checks for the Regularization notebook (course 2 week 1).

Each ``*_test(target)`` calls your function on the notebook's example inputs and compares the
result with the values published for the course. Passing these checks is a good sign, not a
guarantee: the grader also runs hidden cases with other shapes, seeds and hyperparameters.
"""
import numpy as np

from grader.selfcheck import PublicCase, run
from testCases import (backward_propagation_with_dropout_test_case,
                       backward_propagation_with_regularization_test_case,
                       compute_cost_with_regularization_test_case,
                       forward_propagation_with_dropout_test_case)

__all__ = ["compute_cost_with_regularization_test", "backward_propagation_with_regularization_test",
           "forward_propagation_with_dropout_test", "backward_propagation_with_dropout_test"]

T, F = True, False
ZEROS_ROW = [0.0] * 5

# Linear outputs of the plain forward pass of the seed-1 example network.
Z1_SEED1 = np.array([[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
                     [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]])


def compute_cost_with_regularization_test(target):
    A3, Y, parameters = compute_cost_with_regularization_test_case()
    run(target, [PublicCase(args=(A3, Y, parameters, 0.1),
                            expected=np.float64(1.7864859451590758),
                            returns=("cost",), label="lambd = 0.1")])


def backward_propagation_with_regularization_test(target):
    X, Y, cache = backward_propagation_with_regularization_test_case()
    dA2 = np.array([[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836],
                    [0.50135568, 0.83143484, -0.14134288, 0.7596868, -0.34384996],
                    [0.39816708, 0.66030962, -0.11225181, 0.6033287, -0.27307905]])
    dA1 = np.array([[0.2048239, 0.33967447, -0.05774423, 0.31036252, -0.14047649],
                    [0.3672018, 0.60895764, -0.10352203, 0.5564081, -0.25184181]])
    expected = {
        "dZ3": np.array([[-0.59317598, -0.98370716, 0.16722898, -0.89881889, 0.40682402]]),
        "dW3": np.array([[-1.77691347, -0.11832879, -0.09397446]]),
        "db3": np.array([[-0.38032981]]),
        "dA2": dA2,
        "dZ2": np.array([dA2[0], ZEROS_ROW, ZEROS_ROW]),
        "dW2": np.array([[0.79276486, 0.85133918],
                         [-0.0957219, -0.01720463],
                         [-0.13100772, -0.03750433]]),
        "db2": np.array([[0.26135226], [0.0], [0.0]]),
        "dA1": dA1,
        "dZ1": np.array([[0.0, 0.33967447, -0.05774423, 0.31036252, 0.0],
                         [0.0, 0.60895764, -0.10352203, 0.5564081, 0.0]]),
        "dW1": np.array([[-0.25604646, 0.12298827, -0.28297129],
                         [-0.17706303, 0.34536094, -0.4410571]]),
        "db1": np.array([[0.11845855], [0.21236874]]),
    }
    run(target, [PublicCase(args=(X, Y, cache, 0.7), expected=expected,
                            returns=("gradients",), label="lambd = 0.7")])


def forward_propagation_with_dropout_test(target):
    X, parameters = forward_propagation_with_dropout_test_case()
    A3 = np.array([[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
    cache = (
        Z1_SEED1,
        np.array([[T, F, T, T, T], [T, T, T, T, T]]),
        np.array([[0.0, 0.0, 3.05706487, 3.72429505, 0.0],
                  [0.0, 5.94299915, 1.1293003, 2.09276446, 0.0]]),
        parameters["W1"], parameters["b1"],
        np.array([[0.53035547, 5.88414161, 3.08385015, 4.28707196, 0.53035547],
                  [-0.69166075, -1.42199726, -2.92064114, -3.49524533, -0.69166075],
                  [-0.39675353, -1.98881216, -3.55998747, -4.44246165, -0.39675353]]),
        np.array([[T, T, T, F, T], [T, T, T, T, T], [F, F, T, T, F]]),
        np.array([[0.75765067, 8.40591658, 4.40550021, 0.0, 0.75765067], ZEROS_ROW, ZEROS_ROW]),
        parameters["W2"], parameters["b2"],
        np.array([[-0.53330145, -5.78898099, -3.04000407, -0.0126646, -0.53330145]]),
        A3,
        parameters["W3"], parameters["b3"],
    )
    run(target, [PublicCase(args=(X, parameters, 0.7), expected=(A3, cache),
                            returns=("A3", "cache"), label="keep_prob = 0.7")])


def backward_propagation_with_dropout_test(target):
    X, Y, cache = backward_propagation_with_dropout_test_case()
    dA2 = np.array([[0.58180856, 0.0, -0.00299679, 0.0, -0.27715731],
                    [0.0, 0.53159854, 0.0, 0.53159854, -0.34089673],
                    [0.0, 0.0, -0.00292733, 0.0, 0.0]])
    dA1 = np.array([[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
                    [0.65515713, 0.0, -0.00337459, 0.0, 0.0]])
    expected = {
        "dZ3": np.array([[-0.67733606, -0.50316611, 0.00348883, -0.50316611, 0.32266394]]),
        "dW3": np.array([[-0.06951191, 0.0, 0.0]]),
        "db3": np.array([[-0.2715031]]),
        "dA2": dA2,
        "dZ2": np.array([dA2[0], ZEROS_ROW, ZEROS_ROW]),
        "dW2": np.array([[-0.00256518, -0.0009476], [0.0, 0.0], [0.0, 0.0]]),
        "db2": np.array([[0.06033089], [0.0], [0.0]]),
        "dA1": dA1,
        "dZ1": np.array([[0.0, 0.0, -0.00188233, 0.0, 0.0],
                         [0.0, 0.0, -0.00337459, 0.0, 0.0]]),
        "dW1": np.array([[0.00019884, 0.00028657, 0.00012138],
                         [0.00035647, 0.00051375, 0.00021761]]),
        "db1": np.array([[-0.00037647], [-0.00067492]]),
    }
    run(target, [PublicCase(args=(X, Y, cache, 0.8), expected=expected,
                            returns=("gradients",), label="keep_prob = 0.8")])
