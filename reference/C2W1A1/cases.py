"""Inputs for the graded Initialization functions (the deep-learning course, course 2 week 1).

Each builder returns the positional arguments of one call. The course examples call the
functions with short literal layer lists; the hidden cases use other depths and widths (a single
layer, wide layers, deeper stacks) so that an answer tied to one shape, or typed in by hand, fails.
"""


# Course examples -------------------------------------------------------------------------------

def zeros_canonical():
    return ([3, 2, 1],)


def random_canonical():
    return ([3, 2, 1],)


def he_canonical():
    """The [2, 4, 1] network printed in the notebook and checked by the 2021 tests."""
    return ([2, 4, 1],)


def he_canonical_2023():
    """The [3, 1, 2] network checked by the later (2023) tests."""
    return ([3, 1, 2],)


# Hidden extra cases ----------------------------------------------------------------------------

def zeros_deep():
    return ([5, 4, 3, 2, 1],)


def zeros_single_layer():
    return ([7, 3],)


def random_deep():
    return ([4, 6, 3, 2, 1],)


def random_wide_input():
    return ([12, 1, 3],)


def he_deep():
    return ([6, 5, 4, 3, 1],)


def he_wide_input():
    return ([50, 8, 1],)
