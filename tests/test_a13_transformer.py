"""13 transformer: the grader's numpy oracle against Keras's own layers, the given helpers against notebook 12."""

import numpy as np
import pytest

from graders.assignment import SUITES
from graders.spec import FLOAT32_ATOL

from conftest import reference_namespace

# a float32 Keras computation against a float64 numpy one of a few layers: ~1e-6 apart
KERAS_ATOL = FLOAT32_ATOL
# every bug the judge replays must move some output by far more than the grading tolerance (1e-4 for the stacks)
BUG_MARGIN = 1e-2


@pytest.mark.parametrize("suite", SUITES)
def test_13_numpy_multi_head_attention_equals_keras_layer(suite):
    """The oracle the judge replays bugs with is keras.layers.MultiHeadAttention, given the same weights."""
    import graders.transformer as g

    for case in g.GRADER.cases("multi_head_attention", suite, public_record={}):
        query, key, value, mask = case.data["inputs"]
        w = g.draw_weights("multi_head_attention", case.dims, case.data["seed"])
        output, weights = g.mha(query, key, value, mask, w, case.dims["num_heads"])
        keras_output, keras_weights = g.keras_mha(case, w)
        np.testing.assert_allclose(output, keras_output, atol=KERAS_ATOL, rtol=0)
        np.testing.assert_allclose(weights, keras_weights, atol=KERAS_ATOL, rtol=0)


def test_13_numpy_layer_norm_equals_keras_layer():
    import keras

    import graders.transformer as g
    from helpers import transformer

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 6)).astype(np.float32) * 2 + 1
    gain_offset = [(1 + 0.2 * rng.standard_normal(6)).astype(np.float32), rng.standard_normal(6).astype(np.float32)]
    layer = keras.layers.LayerNormalization(epsilon=transformer.LAYER_NORM_EPSILON)
    layer.build(x.shape)
    layer.set_weights(gain_offset)
    np.testing.assert_allclose(g.layer_norm(x.astype(float), gain_offset), np.asarray(layer(x)), atol=KERAS_ATOL,
                               rtol=0)


def test_13_given_encoding_and_masks_equal_notebook_12_references():
    """helpers.transformer holds 13's given copies of what 12's students build: the same numbers."""
    from helpers import transformer

    ns = reference_namespace("12_positional_encoding")
    for positions, d_model in ((31, 64), (10, 7), (1, 2)):
        # both float32 from float64 angles: the same rounding, up to one float32 ulp of values <= 1
        np.testing.assert_allclose(transformer.sinusoidal_encoding(positions, d_model),
                                   ns["positional_encoding"](positions, d_model), atol=1e-7, rtol=0)
    ids = np.array([[4, 2, 0, 0], [0, 3, 0, 5]])
    np.testing.assert_array_equal(np.asarray(transformer.padding_mask(ids, 0)), ns["create_padding_mask"](ids, 0))
    np.testing.assert_array_equal(np.asarray(transformer.look_ahead_mask(5)), ns["create_look_ahead_mask"](5))


@pytest.mark.parametrize("func_name", ["scaled_dot_product_attention", "multi_head_attention", "encoder_layer",
                                       "encoder", "decoder_layer", "decoder", "transformer_model"])
def test_13_every_replayed_bug_is_far_from_the_right_answer(func_name):
    """A bug the judge keeps for a public case moves some value by >= BUG_MARGIN there (facts and counts aside):
    no hint can be triggered by float32 round-off."""
    import graders.transformer as g

    for case in g.GRADER.cases(func_name, "public", public_record={}):
        expected, bugs = g.GRADER.graded[func_name].expect(case)
        for hint, leaves in bugs.items():
            values = {p: v for p, v in leaves.items() if np.asarray(v).dtype.kind == "f"}
            if not values:
                continue
            gap = max(float(np.max(np.abs(np.asarray(v, dtype=float) - np.asarray(expected[p], dtype=float))))
                      if np.shape(v) == np.shape(expected[p]) else np.inf for p, v in values.items())
            assert gap >= BUG_MARGIN, (case.name, hint, gap)


def test_13_greedy_decoding_is_the_argmax_of_its_own_shifted_output():
    """greedy_decode's tokens are what the model scores highest when it reads them shifted right (causality makes
    the one-token-at-a-time loop and one teacher-forced pass agree)."""
    import keras

    from helpers import transformer

    ns = reference_namespace("13_transformer")
    keras.utils.set_random_seed(0)
    model = ns["Transformer"](num_layers=1, d_model=8, num_heads=2, dff=8, input_vocab_size=6, target_vocab_size=5,
                              n_outputs=4, max_input_positions=7, max_target_positions=5, dropout_rate=0.1, pad_id=0)
    X = np.random.default_rng(1).integers(0, 6, size=(6, 7)).astype(np.int32)
    start = 4
    tokens = transformer.greedy_decode(model, X, 5, start, batch_size=4)
    shifted = np.concatenate([np.full((6, 1), start), tokens[:, :-1]], axis=1).astype(np.int32)
    np.testing.assert_array_equal(tokens, np.asarray(model((X, shifted), training=False)).argmax(axis=-1))
