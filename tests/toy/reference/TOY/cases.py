import numpy as np
def affine_1():
    np.random.seed(1)
    return (np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1))
def affine_2():
    np.random.seed(2)
    return (np.random.randn(4, 5), np.random.randn(2, 4), np.random.randn(2, 1))
