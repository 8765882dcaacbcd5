"""07 emojify: the from-scratch pieces against trusted libraries, and margins of the behaviour checks."""

import numpy as np
import pytest

from graders import behaviour
from graders.assignment import SUITES
from graders.spec import FLOAT32_ATOL

from conftest import reference_namespace

ASSIGNMENT = "07_emojify"


def test_07_softmax_gradients_match_tf_gradient_tape():
    """loss, dW, db of the reference equal TensorFlow's cross-entropy and its automatic gradients, on every case."""
    import tensorflow as tf
    import graders.emojify as g

    ns = reference_namespace(ASSIGNMENT)
    for suite in SUITES:
        for case in g.GRADER.cases("softmax_loss_and_gradients", suite):
            X, y, W, b = case.args
            loss, gradients = ns["softmax_loss_and_gradients"](X, y, W, b)
            W_tf, b_tf = tf.Variable(W), tf.Variable(b)  # float64, like the reference
            with tf.GradientTape() as tape:
                logits = tf.transpose(W_tf @ tf.constant(X) + b_tf)  # (m, n_y)
                tf_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            dW, db = tape.gradient(tf_loss, [W_tf, b_tf])
            # float64 on both sides; logits of ~800 (large_logits) lose ~1e-13 relative to cancellation
            assert abs(loss - float(tf_loss)) < 1e-10 * max(1.0, abs(loss)), case.name
            np.testing.assert_allclose(gradients["dW"], dW.numpy(), rtol=1e-9, atol=1e-12, err_msg=case.name)
            np.testing.assert_allclose(gradients["db"], db.numpy(), rtol=1e-9, atol=1e-12, err_msg=case.name)


def test_07_gradient_check_can_fail():
    """The comparison above is not vacuous: a gradient without the 1/m factor is off by far more than its tolerance."""
    import graders.emojify as g

    ns = reference_namespace(ASSIGNMENT)
    X, y, W, b = g.GRADER.cases("softmax_loss_and_gradients", "public")[0].args
    _, gradients = ns["softmax_loss_and_gradients"](X, y, W, b)
    m = X.shape[1]
    assert np.max(np.abs(gradients["dW"] * m - gradients["dW"])) > 1e-3


def test_07_vectorized_training_equals_a_loop_over_examples():
    """train_softmax (whole batch) and per-example accumulation give the same parameters (float64 round-off)."""
    from helpers.activations import softmax
    import graders.emojify as g

    ns = reference_namespace(ASSIGNMENT)
    X, y, W, b, learning_rate, num_iterations = g.GRADER.cases("train_softmax", "public")[1].args
    W_vec, b_vec, losses = ns["train_softmax"](X, y, W, b, learning_rate, num_iterations)
    m = X.shape[1]
    for _ in range(num_iterations):
        dW, db = np.zeros_like(W), np.zeros_like(b)
        for i in range(m):
            a_i = softmax(W @ X[:, i:i + 1] + b, axis=0)
            a_i[y[i]] -= 1
            dW, db = dW + a_i @ X[:, i:i + 1].T / m, db + a_i / m
        W, b = W - learning_rate * dW, b - learning_rate * db
    np.testing.assert_allclose(W_vec, W, rtol=1e-10, atol=1e-12)  # summation order differs: ~1e-15 per step
    np.testing.assert_allclose(b_vec, b, rtol=1e-10, atol=1e-12)
    assert losses[-1] < losses[0]


def test_07_embedding_layer_returns_the_glove_vectors():
    """Indices from sentences_to_indices through pretrained_embedding_layer give GloVe's rows; padding gives zeros."""
    import keras
    from helpers import emoji
    from helpers.embeddings import load_glove

    ns = reference_namespace(ASSIGNMENT)
    glove = load_glove()
    sentences = ["i love pizza", "We did NOT win the game", "zzzqqq baseball"]
    word_to_index, _, E = emoji.restrict_vocabulary(glove, ["pizza", "baseball"], top_n=500)
    X = ns["sentences_to_indices"](sentences, word_to_index, 7)
    out = keras.ops.convert_to_numpy(ns["pretrained_embedding_layer"](E)(X))  # (3, 7, 50)
    for i, sentence in enumerate(sentences):
        words = sentence.lower().split()
        for t in range(7):
            if t >= len(words) or words[t] not in word_to_index:  # padding or unknown: zeros
                assert not out[i, t].any(), (sentence, t)
            else:  # the same float32 numbers: a lookup copies them
                np.testing.assert_array_equal(out[i, t], glove.vector(words[t]), err_msg=f"{sentence} / {words[t]}")


def test_07_parameter_formula_matches_keras():
    """emojify_parameter_counts is what Keras counts for the reference model (trainable, frozen)."""
    import graders.emojify as g

    ns = reference_namespace(ASSIGNMENT)
    E = np.random.default_rng(0).standard_normal((30, 8))
    model = ns["build_emojify_model"](E, 9, n_a=6, n_y=5, dropout=0.1)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (trainable, frozen) == g.emojify_parameter_counts(30, 8, 6, 5)
    assert trainable + frozen == model.count_params()


@pytest.mark.parametrize("suite", SUITES)
def test_07_model_behaviour_checks_have_a_margin(suite):
    """On the reference model every measured change is >= 10 x the noise threshold where one is expected, every
    "no change" <= threshold / 10 where none is, and the noise itself far below MAX_NOISE, in every case."""
    import graders.emojify as g

    ns = reference_namespace(ASSIGNMENT)
    for case in g.GRADER.cases("build_emojify_model", suite):
        E, max_len = case.args
        r = g.MODEL.measure(ns["build_emojify_model"](E, max_len, **case.kwargs), case)
        expected = {"order_change": True, "padding_shift": False, "twin_change": False,
                    "training_change": case.kwargs["dropout"] > 0}
        assert r["noise"] <= behaviour.MAX_NOISE / 10 and r["row_error"] <= FLOAT32_ATOL / 10, (case.name, r)
        for key, changes in expected.items():
            if r[key] is None:  # one-word sentences: nothing to reverse, no padding to move
                continue
            ok = r[key] >= 10 * r["threshold"] if changes else r[key] <= r["threshold"] / 10
            assert ok, (suite, case.name, key, r)
