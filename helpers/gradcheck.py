"""Numerical gradient checking with centred differences.

Every backward pass in the numpy notebooks is checked the same way: perturb
one input entry by +h and -h, see how a scalar loss changes, and compare the
slope (L(x+h) - L(x-h)) / 2h with the analytic gradient. The centred
difference has error O(h^2), so with h = 1e-5 in float64 a correct gradient
agrees to a relative error around 1e-9 or better.

Source: the gradient-checking recipe of CS231n and of Goodfellow, Bengio &
Courville, "Deep Learning" (2016), section 11.5.
"""

import numpy as np

DEFAULT_STEP = 1e-5  # small enough for O(h^2) error, large enough to avoid cancellation


def rel_error(x, y):
    """Relative error of two arrays: ||x - y|| / (||x|| + ||y||), Euclidean norms.

    Measured over the whole array, so entries that are nearly zero (where
    finite differences are pure rounding noise) cannot dominate. Below 1e-7
    means the two agree to about 7 digits. Two zero arrays have error 0.

    Raises
    ------
    ValueError  if the shapes differ.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs arrays of one shape, got {x.shape} and {y.shape}")
    denominator = np.linalg.norm(x) + np.linalg.norm(y)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(x - y) / denominator)


def numerical_gradient(loss_fn, x, h=DEFAULT_STEP):
    """Centred-difference gradient of a scalar function with respect to array `x`.

    Parameters
    ----------
    loss_fn : callable () -> float   reads `x` (changed in place) and returns a scalar
    x : ndarray (float64)            the input to differentiate; restored on return
    h : float                        step size

    Returns
    -------
    ndarray, same shape as x         d loss / d x
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 ndarray it can perturb in place")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        original = x[idx]
        x[idx] = original + h
        loss_plus = float(loss_fn())
        x[idx] = original - h
        loss_minus = float(loss_fn())
        x[idx] = original
        grad[idx] = (loss_plus - loss_minus) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_of_output(forward_fn, x, dout, h=DEFAULT_STEP):
    """Gradient of sum(forward_fn() * dout) with respect to `x`.

    This is how a backward pass that receives an upstream gradient `dout` is
    checked: the scalar loss sum(out * dout) has d loss / d out = dout.

    Parameters
    ----------
    forward_fn : callable () -> ndarray   reads `x` (perturbed in place)
    x : ndarray (float64)                 the input to differentiate
    dout : ndarray                        upstream gradient, shape of the output
    """
    return numerical_gradient(lambda: np.sum(forward_fn() * dout), x, h)


def backward_errors(forward_fn, inputs, analytic, dout, h=DEFAULT_STEP):
    """Relative error of each analytic gradient against centred differences.

    The loss is sum(forward_fn() * dout), so d loss / d output = dout, exactly
    the upstream gradient a backward pass receives.

    Parameters
    ----------
    forward_fn : callable () -> ndarray   recomputes the output from `inputs` (read in place)
    inputs : dict name -> float64 ndarray the arrays to perturb (e.g. parameters, x, a0)
    analytic : dict                       the backward pass's gradients, keyed 'd' + name
    dout : ndarray                        upstream gradient, shape of the output

    Returns
    -------
    dict 'd' + name -> float   relative error (below 1e-7 means correct)
    """
    errors = {}
    for name, array in inputs.items():
        numerical = numerical_gradient_of_output(forward_fn, array, dout, h)
        errors["d" + name] = rel_error(analytic["d" + name], numerical)
    return errors
