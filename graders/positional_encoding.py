"""Checks for notebook 12, positional_encoding: angle rates, the sinusoidal encoding and two attention masks.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time). All four functions are
record-based: the inputs are the positions, sizes and token ids of the tables
below, and the expected outputs are the reference solution's, recorded by
`make references` (graders/references/12_positional_encoding.npz). Known bugs
are named by their recorded outputs.

Masks follow the course's polarity and shapes (helpers.attention): float32,
1 = may attend, indexed (batch, query, key); padding (m, 1, T_x), look-ahead
(1, T, T). A dtype is a property checked after the values, since a boolean or
float64 array holds the same numbers.

Hidden cases differ in structure: an odd d_model, a single position, d_model = 2,
long sequences; padding before or between the tokens, a row of padding only,
no padding at all, one token; a look-ahead mask of size 1.

Source: Vaswani et al. (2017), "Attention Is All You Need", sections 3.2.3 and 3.5.
"""

import numpy as np

from graders.assignment import Assignment
from graders.spec import Case, FunctionSpec, Output, Property
from helpers import attention

GRADER = Assignment.of_module(__name__)

# The encoding is float32. A correct solution may compute its angles in float32: an angle pos * omega
# then errs by about pos * 2^-24 (6e-8 relative), at most 1.2e-5 at the largest position graded (199),
# and its sine or cosine by as much; 1e-4 leaves room for that. Every known bug moves some entry by more than 0.1.
ENCODING_ATOL = 1e-4
MAX_GRADED_POSITION = 199  # the tolerance above holds up to here: no case encodes a later position


def _float32(path):
    """Property: output `path` is float32, the dtype Keras layers compute in."""
    def check(leaves, case):
        dtype = leaves[path].dtype
        if dtype != np.float32:
            return f"{path} has dtype {dtype}, expected float32"
        return None
    return check


def _polarity_hint(allowed, blocked):
    """The hint of a mask with inverted polarity: `allowed` get attention.MAY_ATTEND, `blocked` attention.BLOCKED."""
    return (f"the polarity is inverted: in this course {attention.MAY_ATTEND:g} = may attend (helpers.attention), "
            f"so {allowed} get {attention.MAY_ATTEND:g} and {blocked} {attention.BLOCKED:g}")


# --------------------------------------------------------------------------- get_angles

ANGLE_SIZES = {
    "public": {
        "first_positions": dict(pos=np.arange(6), d_model=8),
        "scattered_positions": dict(pos=np.array([0, 3, 17, 2, 50, 9]), d_model=6),
    },
    "hidden": {
        "odd_d_model": dict(pos=np.array([4, 1, 0, 30]), d_model=7),
        "one_pair": dict(pos=np.arange(5), d_model=2),
        "one_far_position": dict(pos=np.array([1000]), d_model=16),
        "long_sequence": dict(pos=np.arange(MAX_GRADED_POSITION + 1), d_model=64),
    },
}


def _angle_cases(suite, record=None):
    return [Case(name, {"n": len(size["pos"]), "d_model": size["d_model"]},
                 (size["pos"].astype(np.int64), size["d_model"]))
            for name, size in ANGLE_SIZES[suite].items()]


GRADER.add(FunctionSpec(
    name="get_angles",
    outputs=(Output("angles"),),
    inputs=("pos", "d_model"),
    hints={
        "pair_index_not_halved": "every dimension k got a frequency of its own: dimensions 2i and 2i+1 form a pair "
                                 "and share one, so the exponent uses the pair i = k // 2",
        "exponent_without_2": "the exponent is i / d_model: it must be 2i / d_model, so that the rates run from 1 "
                              "down to about 1/10000 over the pairs",
        "rates_not_inverted": "the angles grow with the dimension: divide each position by 10000^(2i / d_model), "
                              "do not multiply",
        "positions_ignored": "the angles follow 0, 1, 2, ... instead of the positions you were given: use the "
                             "values in pos, which need not start at 0 or be in order",
        "angles_transposed": "angles is (d_model, n): one row per position, one column per dimension",
        "odd_d_model_loses_last_column": "an odd d_model loses its last dimension: dimension d_model - 1 forms a "
                                         "pair of its own and still needs its angle",
    },
    default_hint="angles[r, k] = pos[r] / 10000^(2i / d_model) with i = k // 2, broadcast as (n, 1) times (1, d_model)",
), _angle_cases)


# --------------------------------------------------------------------------- positional_encoding

ENCODING_SIZES = {
    "public": {
        "short": dict(positions=10, d_model=16),
        "narrow": dict(positions=50, d_model=4),
    },
    "hidden": {
        "odd_d_model": dict(positions=12, d_model=9),
        "one_position": dict(positions=1, d_model=8),
        "long_and_wide": dict(positions=MAX_GRADED_POSITION + 1, d_model=128),
    },
}


def _encoding_cases(suite, record=None):
    return [Case(name, dict(size), (size["positions"], size["d_model"]))
            for name, size in ENCODING_SIZES[suite].items()]


GRADER.add(FunctionSpec(
    name="positional_encoding",
    outputs=(Output("pos_encoding"),),
    inputs=("positions", "d_model"),
    hints={
        "sin_cos_swapped": "sine and cosine are swapped: the even dimensions 0, 2, 4, ... take the sine and the odd "
                           "ones the cosine, so row 0 reads 0, 1, 0, 1, ...",
        "positions_from_one": "the rows are positions 1 .. positions: the first row is position 0, where every "
                              "sine is 0 and every cosine 1",
        "halves_not_interleaved": "the sines fill the first half and the cosines the second: interleave them, the "
                                  "sine at each even dimension 2i and the cosine at the odd dimension 2i+1 beside it",
        "sine_everywhere": "the odd dimensions hold sines too: dimension 2i+1 takes the cosine of the angle",
        "no_batch_axis": "add the leading batch axis: (1, positions, d_model) broadcasts over a batch of sequences",
    },
    default_hint="PE[pos, 2i] = sin(angle), PE[pos, 2i+1] = cos(angle), with the angles of get_angles for the "
                 "positions 0 .. positions-1",
    properties=(Property("the encoding is float32, the dtype Keras layers compute in", _float32("pos_encoding"),
                         "cast the result with .astype(np.float32)"),),
    atol=ENCODING_ATOL,
    rtol=0.0,
), _encoding_cases)


# --------------------------------------------------------------------------- create_padding_mask

# each case: token_ids (m, T_x), its pad_id and where the padding lies (shown in messages). The real tokens are
# indices 0 .. 11 other than pad_id, drawn at random once: 0 is a real token in two rows whose pad_id is not 0
PADDING = {
    "public": {
        "padded_after": ([[6, 6, 9, 11, 1, 0, 0], [2, 10, 11, 0, 0, 0, 0], [3, 4, 10, 5, 4, 10, 3]], 0, "after"),
        "pad_id_not_zero": ([[10, 2, 3, 3, 3, 3], [1, 4, 5, 9, 5, 1], [4, 7, 9, 9, 3, 3], [11, 2, 10, 0, 7, 4]], 3,
                            "after"),
    },
    "hidden": {
        "padded_before": ([[0, 0, 4, 11, 8, 4], [0, 0, 0, 0, 0, 2], [9, 5, 7, 7, 4, 5]], 0, "before"),
        "padded_between": ([[2, 5, 2, 2, 1, 2, 2, 6, 2], [2, 2, 2, 0, 8, 8, 2, 6, 4]], 2, "between"),
        "a_row_of_padding_only": ([[0, 0, 0, 0, 0], [7, 4, 1, 3, 0], [8, 3, 0, 0, 0]], 0, "after"),
        "no_padding_one_sequence": ([[8, 10, 4, 8, 3, 3, 3, 2]], 0, "after"),
        "one_token": ([[4], [1]], 1, "after"),
    },
}


def _padding_cases(suite, record=None):
    return [Case(name, {"m": len(ids), "T_x": len(ids[0]), "pad_id": pad_id, "padding": where},
                 (np.array(ids, dtype=np.int64), pad_id))
            for name, (ids, pad_id, where) in PADDING[suite].items()]


GRADER.add(FunctionSpec(
    name="create_padding_mask",
    outputs=(Output("mask"),),
    inputs=("token_ids", "pad_id"),
    hints={
        "polarity_inverted": _polarity_hint("real tokens", "padding"),
        "pad_id_ignored": "padding is found by comparing with 0: compare with the pad_id you were given",
        "no_query_axis": "the mask has no query axis: (m, 1, T_x) broadcasts over every query, while an (m, T_x) "
                         "mask would be broadcast against the wrong axes of the attention scores",
        "padding_assumed_at_the_end": "the mask assumes the padding comes after the tokens (it counts the tokens of "
                                      "each row): decide position by position, padding may come first or in between",
    },
    default_hint=f"mask[j, 0, t] is {attention.MAY_ATTEND:g} where token_ids[j, t] is a real token and "
                 f"{attention.BLOCKED:g} where it equals pad_id",
    properties=(Property("the mask is float32, like every mask of the course", _float32("mask"),
                         "build it from attention.MAY_ATTEND and attention.BLOCKED and cast it with "
                         ".astype(attention.MASK_DTYPE)"),),
), _padding_cases)


# --------------------------------------------------------------------------- create_look_ahead_mask

LOOK_AHEAD_SIZES = {"public": {"four": 4, "seven": 7}, "hidden": {"one": 1, "twelve": 12}}


def _look_ahead_cases(suite, record=None):
    return [Case(name, {"size": size}, (size,)) for name, size in LOOK_AHEAD_SIZES[suite].items()]


GRADER.add(FunctionSpec(
    name="create_look_ahead_mask",
    outputs=(Output("mask"),),
    inputs=("size",),
    hints={
        "diagonal_excluded": "the diagonal is blocked: query t may attend to itself (key t) as well as to the keys "
                             "before it; without the diagonal, query 0 has no key at all",
        "future_allowed": "query t sees the keys after it: keep the keys 0 .. t, the lower triangle, so no position "
                          "reads the future",
        "polarity_inverted": _polarity_hint("the past and the diagonal", "the later keys"),
        "no_batch_axis": "add the leading batch axis: (1, size, size) broadcasts over the sequences of a batch",
    },
    default_hint=f"mask[0, t, s] is {attention.MAY_ATTEND:g} for s <= t and {attention.BLOCKED:g} for s > t",
    properties=(Property("the mask is float32, like every mask of the course", _float32("mask"),
                         "create it with dtype=attention.MASK_DTYPE"),),
), _look_ahead_cases)


# --------------------------------------------------------------------------- test-cell entry points


check_get_angles = GRADER.checker("get_angles")
check_positional_encoding = GRADER.checker("positional_encoding")
check_create_padding_mask = GRADER.checker("create_padding_mask")
check_create_look_ahead_mask = GRADER.checker("create_look_ahead_mask")


preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
