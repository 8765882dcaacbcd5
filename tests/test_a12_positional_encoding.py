"""12 positional_encoding: the reference against independent computations, other correct solutions, Keras's polarity."""

import math

import numpy as np
import pytest

from graders.assignment import SUITES
from helpers import attention

from conftest import judged, reference_namespace

ASSIGNMENT = "12_positional_encoding"


def _grader():
    import graders.positional_encoding as g

    return g


def _cases(func_name):
    return [case for suite in SUITES for case in _grader().GRADER.cases(func_name, suite)]


def _paper_encoding(positions, d_model):
    """Vaswani et al. (2017), section 3.5, entry by entry with math.sin / math.cos (no numpy, no get_angles)."""
    pe = np.zeros((positions, d_model))
    for pos in range(positions):
        for k in range(d_model):
            angle = pos / math.pow(10000.0, 2 * (k // 2) / d_model)
            pe[pos, k] = math.sin(angle) if k % 2 == 0 else math.cos(angle)
    return pe


def test_12_reference_angles_equal_the_formula_entry_by_entry():
    ns = reference_namespace(ASSIGNMENT)
    for case in _cases("get_angles"):
        pos, d_model = case.args
        expected = np.array([[p / math.pow(10000.0, 2 * (k // 2) / d_model) for k in range(d_model)] for p in pos])
        # float64 both ways; the angles reach 1000, so 1e-12 relative is float64 round-off after a few operations
        np.testing.assert_allclose(ns["get_angles"](pos.copy(), d_model), expected, rtol=1e-12, atol=0)


def test_12_reference_encoding_equals_the_paper_entry_by_entry():
    ns = reference_namespace(ASSIGNMENT)
    for case in _cases("positional_encoding"):
        positions, d_model = case.args
        got = ns["positional_encoding"](positions, d_model)
        assert got.shape == (1, positions, d_model) and got.dtype == np.float32
        # the reference rounds a float64 value in [-1, 1] to float32 once: at most 2^-24 < 6e-8 away
        np.testing.assert_allclose(got[0], _paper_encoding(positions, d_model), rtol=0, atol=6e-8)


def test_12_the_encoding_check_would_notice_a_shifted_encoding():
    """The comparison above can fail: the paper's encoding one position later is far outside its tolerance."""
    assert np.max(np.abs(_paper_encoding(10, 16)[1:] - _paper_encoding(11, 16)[1:-1])) < 6e-8
    assert np.max(np.abs(_paper_encoding(10, 16) - _paper_encoding(11, 16)[1:])) > 0.1


def test_12_hidden_cases_have_the_structures_the_public_ones_lack():
    g = _grader()
    public_d = {case.args[1] for case in g.GRADER.cases("positional_encoding", "public")}
    hidden_d = {case.args[1] for case in g.GRADER.cases("positional_encoding", "hidden")}
    assert all(d % 2 == 0 for d in public_d) and any(d % 2 == 1 for d in hidden_d)
    public_padding = {case.dims["padding"] for case in g.GRADER.cases("create_padding_mask", "public")}
    hidden_padding = {case.dims["padding"] for case in g.GRADER.cases("create_padding_mask", "hidden")}
    assert hidden_padding - public_padding == {"before", "between"}
    assert max(case.args[0] for case in g.GRADER.cases("positional_encoding", "hidden")) - 1 \
        <= g.MAX_GRADED_POSITION  # the encoding tolerance is argued up to this position


def test_12_token_ids_pad_where_the_case_says():
    zero_is_a_token = []
    for case in _cases("create_padding_mask"):
        token_ids, pad_id = case.args
        assert token_ids.dtype == np.int64 and token_ids.shape == (case.dims["m"], case.dims["T_x"]), case.name
        for row, length in zip(token_ids, [np.sum(r != pad_id) for r in token_ids]):
            real = np.flatnonzero(row != pad_id)
            if case.dims["padding"] == "after" and length:
                assert real.tolist() == list(range(length)), case.name
            if case.dims["padding"] == "before" and length:
                assert real.tolist() == list(range(len(row) - length, len(row))), case.name
        zero_is_a_token.append(pad_id != 0 and 0 in token_ids)
    assert any(zero_is_a_token), "some row with pad_id != 0 holds token 0, which a comparison with 0 takes for padding"


# --------------------------------------------------------------------------- other correct solutions pass


def _angles_by_exp_log(pos, d_model):
    pair = np.arange(d_model) // 2
    return np.outer(pos, np.exp(-np.log(10000.0) * 2 * pair / d_model))


def _encoding_in_float32(positions, d_model):
    """Everything in float32, sines and cosines written into a fresh array: within the check's tolerance."""
    pos = np.arange(positions, dtype=np.float32)[:, None]
    rates = np.power(np.float32(10000), -(2 * (np.arange(d_model) // 2)).astype(np.float32) / np.float32(d_model))
    angles = pos * rates
    out = np.empty((positions, d_model), dtype=np.float32)
    out[:, 0::2] = np.sin(angles[:, 0::2])
    out[:, 1::2] = np.cos(angles[:, 1::2])
    return out[None]


def _padding_mask_in_one_line(token_ids, pad_id=0):
    return (token_ids != pad_id).astype(np.float32)[:, None, :]


def _look_ahead_by_comparison(size):
    t = np.arange(size)
    return (t[None, :, None] >= t[None, None, :]).astype(np.float32)


@pytest.mark.parametrize("func_name, func", [
    ("get_angles", _angles_by_exp_log),
    ("positional_encoding", _encoding_in_float32),
    ("create_padding_mask", _padding_mask_in_one_line),
    ("create_look_ahead_mask", _look_ahead_by_comparison),
])
def test_12_another_correct_solution_passes_every_case(func_name, func):
    assert judged(ASSIGNMENT, func_name, func) is None


def test_12_float32_angles_err_by_less_than_the_tolerance_but_not_by_nothing():
    """The float32 solution above really differs from the reference, by less than ENCODING_ATOL (its comment)."""
    ns = reference_namespace(ASSIGNMENT)
    g = _grader()
    positions = g.MAX_GRADED_POSITION + 1
    err = np.max(np.abs(_encoding_in_float32(positions, 128) - ns["positional_encoding"](positions, 128)))
    assert 1e-7 < err < g.ENCODING_ATOL, err


# --------------------------------------------------------------------------- the masks in Keras


def test_12_masks_have_keras_polarity():
    """Keras's MultiHeadAttention gives zero weight exactly to the keys the reference masks block."""
    import keras

    ns = reference_namespace(ASSIGNMENT)
    token_ids = np.array([[4, 2, 7, 0, 0], [5, 1, 1, 3, 0]])
    mask = attention.combine_masks(ns["create_padding_mask"](token_ids, 0), ns["create_look_ahead_mask"](5))
    keras.utils.set_random_seed(0)
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    x = np.random.default_rng(0).standard_normal((2, 5, 6)).astype(np.float32)
    _, weights = layer(x, x, attention_mask=mask, return_attention_scores=True)
    weights = keras.ops.convert_to_numpy(weights)  # (2, heads, queries, keys)
    blocked = np.broadcast_to(mask[:, None] == attention.BLOCKED, weights.shape)
    assert np.all(weights[blocked] == 0) and np.all(weights[~blocked] > 0)
    # the opposite polarity would put weight on those keys: the assertion above can fail
    _, inverted = layer(x, x, attention_mask=1 - mask, return_attention_scores=True)
    assert np.max(keras.ops.convert_to_numpy(inverted)[blocked]) > 0.1


def test_combine_masks_is_a_broadcast_minimum():
    padding = np.array([[[1, 1, 0]], [[1, 0, 0]]], dtype=np.float32)  # (2, 1, 3)
    look_ahead = np.tril(np.ones((3, 3), dtype=np.float32))[None]  # (1, 3, 3)
    combined = attention.combine_masks(padding, look_ahead)
    assert combined.shape == (2, 3, 3) and combined.dtype == attention.MASK_DTYPE
    expected = np.array([[[1, 0, 0], [1, 1, 0], [1, 1, 0]], [[1, 0, 0], [1, 0, 0], [1, 0, 0]]], dtype=np.float32)
    np.testing.assert_array_equal(combined, expected)
    with pytest.raises(ValueError, match="at least one mask"):
        attention.combine_masks()


def test_show_mask_refuses_a_3d_mask():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="pick one sequence"):
        attention.show_mask(np.ones((1, 3, 3)), ax, "t")
    assert attention.show_mask(np.eye(3), ax, "t").get_array().shape == (3, 3)
    plt.close(fig)
