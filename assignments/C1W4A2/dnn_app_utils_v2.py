"""Helper functions of the 2017 release of the cat-classifier assignment (the deep-learning
course, course 1 week 4), which imports ``dnn_app_utils_v2`` instead of ``dnn_app_utils_v3``.

Everything is the same as in ``dnn_app_utils_v3`` except the keys of ``L_model_backward``: this
release stores the gradient with respect to the input of layer l under ``"dA" + str(l)``, so the
keys are ``dA1 ... dAL`` (``dA1`` is the gradient for X) instead of ``dA0 ... dA(L-1)``.
``update_parameters`` only reads the ``dW``/``db`` keys, so the two modules train identically.
"""
from dnn_app_utils_v3 import *  # noqa: F401,F403 (the same helpers, re-exported)
from dnn_app_utils_v3 import L_model_backward as _backward_with_current_keys
from dnn_app_utils_v3 import __all__  # noqa: F401


def L_model_backward(AL, Y, caches):
    """Backward pass of [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID, with this release's keys.

    Arguments:
    AL -- output of L_model_forward, shape (1, m)
    Y -- true labels, shape (1, m)
    caches -- list of caches from L_model_forward

    Returns:
    grads -- dict with, for every layer l = 1..L, "dWl", "dbl" and "dAl", the gradient with
             respect to the activation that enters layer l ("dA1" is the gradient for X)
    """
    grads = _backward_with_current_keys(AL, Y, caches)
    return {f"dA{int(key[2:]) + 1}" if key.startswith("dA") else key: value
            for key, value in grads.items()}
