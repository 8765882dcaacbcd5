"""Activation functions used by the numpy notebooks (01, 02, 04).

Features-first layout: arrays are (n, m) with one column per example, so the
softmax normalizes over axis 0 unless told otherwise.
"""

import numpy as np


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), elementwise, computed without overflow.

    Parameters
    ----------
    x : ndarray, any shape    pre-activations (logits)

    Returns
    -------
    ndarray, same shape       values in (0, 1)
    """
    x = np.asarray(x, dtype=float)
    # exp of a large positive number overflows; use the form whose exponent is <= 0
    positive = x >= 0
    z = np.exp(-np.abs(x))
    return np.where(positive, 1.0 / (1.0 + z), z / (1.0 + z))


def softmax(x, axis=0):
    """Softmax along `axis` (default 0: each column of an (n, m) array is one example).

    Parameters
    ----------
    x : ndarray               logits
    axis : int                the axis that sums to 1

    Returns
    -------
    ndarray, same shape       probabilities; entries along `axis` sum to 1
    """
    x = np.asarray(x, dtype=float)
    # subtracting the max leaves the result unchanged and keeps exp from overflowing
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
