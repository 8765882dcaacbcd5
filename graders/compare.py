"""Comparing observed outputs with expected ones, within a stated tolerance, never bit for bit.

Floats match when |got - expected| <= atol + rtol * |expected| entry by entry
(the sizes and their reasons are in graders.spec). Integers and booleans
(indices, choices, counts, behaviour facts) match exactly; a choice made by an
argmax or a draw is compared only where the reference has a margin
(Graded.margin), so the same choice comes out on every CPU.
"""

from dataclasses import dataclass

import numpy as np

from graders.messages import HIDDEN_NOT_SHOWN, fmt_index, fmt_number, fmt_pair


@dataclass(frozen=True)
class Difference:
    """One output that does not match: what kind of mismatch, and the lines that explain it."""

    path: str
    kind: str  # "missing", "dtype", "shape", "nonfinite" or "values"
    summary: str  # a few words for the list of differing outputs
    details: tuple  # message lines about this output


def label(path):
    """How a message names a leaf: "output a_next", or "input gradients.dWax after the call" (changed in place)."""
    return f"{path} after the call" if path.startswith("input ") else f"output {path}"


def _close(got, expected, atol, rtol):
    return np.abs(got - expected) <= atol + rtol * np.abs(expected)


def _numeric(array):
    return array.dtype.kind in "biuf"


def matches(got, expected, atol, rtol):
    """True when `got` has the shape of `expected` and every entry is within tolerance."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape or not _numeric(got) or not _numeric(expected):
        return False
    if expected.dtype.kind in "biu":
        return bool(np.array_equal(got, expected))
    return bool(np.all(_close(got.astype(float), expected.astype(float), atol, rtol)))


def _dtype_problem(got, expected):
    if not _numeric(got):
        return f"dtype {got.dtype}, expected numbers", "compute it with numpy operations so it holds numbers"
    if expected.dtype.kind == "f" and got.dtype.kind == "f" and got.dtype.itemsize < expected.dtype.itemsize:
        return f"dtype {got.dtype}, expected {expected.dtype}", f"keep numpy's {expected.dtype}; something cast to {got.dtype}"
    if expected.dtype.kind in "iu" and got.dtype.kind not in "iu":
        return f"dtype {got.dtype}, expected integers", "indices must be integers (e.g. int(np.argmax(...)))"
    return None


def compare_leaf(path, got, expected, atol, rtol, hidden=False):
    """The Difference between one observed and one expected array, or None when they match."""
    got, expected = np.asarray(got), np.asarray(expected)
    problem = _dtype_problem(got, expected)
    if problem:
        return Difference(path, "dtype", problem[0], (f"{label(path)}: {problem[0]}", f"hint:   {problem[1]}"))
    if got.shape != expected.shape:
        summary = f"shape {got.shape}, expected {expected.shape}"
        return Difference(path, "shape", summary, (f"{label(path)}: {summary}",))
    as_float = got.astype(float)
    if not np.all(np.isfinite(as_float)) and np.all(np.isfinite(expected.astype(float))):
        bad = np.argwhere(~np.isfinite(as_float))[0] if got.ndim else ()
        summary = "contains nan or inf"
        return Difference(path, "nonfinite", summary,
                          (f"{label(path)}: {summary}" + (f", first at {fmt_index(bad)}" if got.ndim else ""),))
    if expected.dtype.kind in "biu":
        close = got == expected
        tolerance = "compared exactly"
    else:
        close = _close(as_float, expected.astype(float), atol, rtol)
        tolerance = f"tolerance {atol:.0e} + {rtol:.0e}*|expected|"
    if np.all(close):
        return None
    n_bad = int(close.size - np.count_nonzero(close))
    err = float(np.max(np.abs(as_float - expected.astype(float))))
    first = tuple(np.argwhere(~close)[0]) if got.ndim else ()
    at = f"first at {fmt_index(first)}: " if got.ndim else ""
    if expected.dtype.kind in "biu":
        shown_expected, shown_got = fmt_number(expected[first]), fmt_number(got[first])
    else:
        shown_expected, shown_got = fmt_pair(expected[first], got[first])
    where = f"{at}got {shown_got} {HIDDEN_NOT_SHOWN}" if hidden else f"{at}expected {shown_expected}, got {shown_got}"
    if expected.dtype.kind in "biu" and got.ndim == 0:  # a yes/no fact or a count: say it, no error size
        summary = f"got {shown_got}" if hidden else f"expected {shown_expected}, got {shown_got}"
        return Difference(path, "values", summary, (f"{label(path)}: {where}",))
    summary = "values differ" if hidden else f"max abs err {err:.1e}"  # an error size would hint at the value
    return Difference(path, "values", summary, (
        f"{label(path)}: {n_bad} of {close.size} entries differ ({tolerance})",
        f"        {where}",
    ))


def compare_leaves(observed, expected, atol, rtol, hidden=False):
    """Every Difference between observed and expected {path: array}, in the order of `expected`.

    An expected path the observation lacks is a "missing" difference; observed
    paths that nothing expects (inputs for properties) are ignored.
    """
    differences = []
    for path, want in expected.items():
        if path not in observed:
            differences.append(Difference(path, "missing", "not returned", (f"{label(path)}: not returned",)))
            continue
        difference = compare_leaf(path, observed[path], want, atol, rtol, hidden)
        if difference is not None:
            differences.append(difference)
    return differences


def matching_variant(observed, variants, atol, rtol):
    """The key of the first variant {key: {path: array}} whose every path the observation matches, or None."""
    for key, outputs in variants.items():
        shared = [p for p in outputs if p in observed]
        if shared and all(matches(observed[p], outputs[p], atol, rtol) for p in shared):
            return key
    return None


def top2_margin(scores, axis=-1):
    """Smallest gap between the largest and second-largest score along `axis` (how safe an argmax is)."""
    scores = np.sort(np.asarray(scores, dtype=float), axis=axis)
    gaps = np.take(scores, -1, axis=axis) - np.take(scores, -2, axis=axis)
    return float(np.min(gaps))


# A count k of n independent draws of probability p: by Bernstein's inequality
# P(|k - n p| >= u) <= 2 exp(-u^2 / (2 (n p (1 - p) + u / 3))), which is 2 exp(-z^2 / 2) = 3e-8 for
# u = z^2 / 6 + sqrt(z^4 / 36 + z^2 n p (1 - p)) and z = 6 (about 6 standard errors when n p is large, still
# sound for rare events). Over the at most 35 counts of a case, a correct sampler, whatever random numbers it
# draws, fails with probability < 1e-6; every known bug misses by at least 5 times that tolerance (the tests
# of each sampler, tests/test_a02_*, tests/test_a06_*, assert it).
FREQUENCY_Z = 6.0


def bernstein_tolerance(n, p, z=FREQUENCY_Z):
    """Half-width u of the band around n p that a count of n Bernoulli(p) draws leaves with probability < 2 e^(-z^2/2).

    Bernstein's inequality, P(|X - n p| >= u) <= 2 exp(-u^2 / (2 (n p (1 - p) + u / 3))), solved for u
    with u^2 / (2 (n p (1 - p) + u / 3)) = z^2 / 2. n : count(s); p : probability (array-like).
    """
    p = np.asarray(p, dtype=float)
    return z ** 2 / 6 + np.sqrt(z ** 4 / 36 + z ** 2 * n * p * (1 - p))


def outside_band(counts, n, p):
    """None when every count of n draws of probability p lies within bernstein_tolerance(n, p) of n p; else
    (index w of the count farthest outside its band, "about n p expected (tolerance ±u)" for count w), for a
    message. counts, p : 1-D arrays of the same length; n : one number, or one per count."""
    expected, tolerance = n * np.asarray(p, dtype=float), bernstein_tolerance(n, p)
    excess = np.abs(counts - expected) - tolerance
    if np.all(excess <= 0):
        return None
    w = int(np.argmax(excess))
    return w, f"about {fmt_number(expected[w])} expected (tolerance ±{fmt_number(tolerance[w])})"
