"""04 gru_deep_bidirectional: the reference against keras.layers.GRU, tf.clip_by_global_norm and finite differences."""

import numpy as np

from graders import behaviour
from graders.assignment import SUITES
from graders.spec import FLOAT32_ATOL

from conftest import reference_namespace


def test_04_reference_gru_matches_keras():
    """The lecture's GRU, with the converted weights, is keras.layers.GRU(reset_after=False)."""
    from helpers import keras_bridge
    import graders.gru_deep_bidirectional as g

    ns = reference_namespace("04_gru_deep_bidirectional")
    for T_x in (1, 7):
        x, a0, parameters = g.gru_sequence(T_x)
        a_t, states = a0, []
        for t in range(T_x):
            a_t, _ = ns["gru_cell_forward"](x[:, :, t], a_t, parameters)
            states.append(a_t)
        a_keras = keras_bridge.keras_gru_states(x, a0, parameters)
        assert np.max(np.abs(np.stack(states, axis=-1) - a_keras)) < 1e-5  # Keras computes in float32


def test_04_gru_conversion_can_fail():
    """Without the sign flip of the update gate, or with Keras's default reset_after=True, the match breaks."""
    import keras
    from helpers import keras_bridge
    import graders.gru_deep_bidirectional as g

    ns = reference_namespace("04_gru_deep_bidirectional")
    x, a0, parameters = g.gru_sequence(5)
    a_numpy_all = []
    a_t = a0
    for t in range(5):
        a_t, _ = ns["gru_cell_forward"](x[:, :, t], a_t, parameters)
        a_numpy_all.append(a_t)
    a_numpy = np.stack(a_numpy_all, axis=-1)
    unflipped = dict(parameters, Wu=-parameters["Wu"], bu=-parameters["bu"])  # cancels the helper's negation
    assert np.max(np.abs(a_numpy - keras_bridge.keras_gru_states(x, a0, unflipped))) > 1e-2
    kernel, recurrent_kernel, bias = keras_bridge.gru_weights_to_keras(parameters)
    layer = keras.layers.GRU(a0.shape[0], return_sequences=True)  # reset_after=True: bias (2, 3 n_a)
    inputs = keras_bridge.to_batch_first(x).astype(np.float32)
    layer.build(inputs.shape)
    layer.set_weights([kernel, recurrent_kernel, np.stack([bias, np.zeros_like(bias)])])
    after = keras.ops.convert_to_numpy(layer(inputs, initial_state=[a0.T.astype(np.float32)]))
    assert np.max(np.abs(a_numpy - keras_bridge.to_features_first(after))) > 1e-3


def test_04_reference_clip_matches_tf_clip_by_global_norm():
    import tensorflow as tf
    import graders.gru_deep_bidirectional as g

    ns = reference_namespace("04_gru_deep_bidirectional")
    for suite in SUITES:
        for case in g.GRADER.cases("clip_by_global_norm", suite):
            gradients, max_norm = case.args
            clipped, global_norm = ns["clip_by_global_norm"](gradients, max_norm)
            names = list(gradients)
            tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(gradients[k]) for k in names], max_norm)
            assert abs(global_norm - float(tf_norm)) < 1e-9 * max(1.0, global_norm)
            for name, expected in zip(names, tf_clipped):
                np.testing.assert_allclose(clipped[name], expected.numpy(), rtol=1e-12, atol=1e-12)


def test_04_reference_gradient_norms_match_finite_differences():
    """||d a<T_x - 1> / d a<t>||_2 from the Jacobian product equals the norm of a numerically measured Jacobian."""
    import graders.gru_deep_bidirectional as g

    ns = reference_namespace("04_gru_deep_bidirectional")
    x, a0, parameters = g.GRADER.cases("rnn_gradient_norms", "public")[1].args
    x = x[:, :1]
    a0 = np.tanh(np.random.default_rng(0).standard_normal((a0.shape[0], 1)))
    norms = ns["rnn_gradient_norms"](x, a0, parameters)[0]
    n_a, T_x, t0, eps = a0.shape[0], x.shape[2], 2, 1e-6

    def last_state_from(a_t):
        for t in range(t0 + 1, T_x):
            a_t = np.tanh(parameters["Waa"] @ a_t + parameters["Wax"] @ x[:, :, t] + parameters["ba"])
        return a_t

    a_t = a0
    for t in range(t0 + 1):
        a_t = np.tanh(parameters["Waa"] @ a_t + parameters["Wax"] @ x[:, :, t] + parameters["ba"])
    jacobian = np.zeros((n_a, n_a))
    for j in range(n_a):
        step = np.zeros((n_a, 1))
        step[j] = eps
        jacobian[:, j] = (last_state_from(a_t + step) - last_state_from(a_t - step))[:, 0] / (2 * eps)
    assert abs(np.linalg.norm(jacobian, 2) - norms[t0]) < 1e-6 * norms[t0]


def test_04_tagger_behaviour_checks_have_a_margin():
    """On the reference tagger every measured change is >= 10 x the noise threshold where one is expected, every
    "no change" <= threshold / 10 where none is, and the noise itself far below MAX_NOISE, in every case."""
    import graders.gru_deep_bidirectional as g

    ns = reference_namespace("04_gru_deep_bidirectional")
    for suite in SUITES:
        for case in g.GRADER.cases("build_tagger", suite):
            r = g.TAGGER.measure(ns["build_tagger"](**case.kwargs), case)
            expected = {"later_change": case.kwargs.get("bidirectional", True), "padding_shift": False,
                        "training_change": case.kwargs.get("dropout", 0.0) > 0}
            assert r["noise"] <= behaviour.MAX_NOISE / 10 and r["row_error"] <= FLOAT32_ATOL / 10, (case.name, r)
            for key, changes in expected.items():
                if r[key] is None:  # one-word sentences have no later words
                    continue
                ok = r[key] >= 10 * r["threshold"] if changes else r[key] <= r["threshold"] / 10
                assert ok, (suite, case.name, key, r)
