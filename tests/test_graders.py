"""The graders: references pass, known bugs fail with a pointed message, records are current."""

import numpy as np
import pytest

from graders import core
from graders.instructor import record, solutions
from helpers import gradcheck

from conftest import ASSIGNMENTS, reference_namespace

MIN_KNOWN_WRONG = 2  # every graded function is proven by at least this many realistic bugs


def graded_functions():
    return [(a, f) for a in ASSIGNMENTS for f in solutions.grader_module(a).GRADER.graded]


def mutants():
    return [(a, f, v, m) for a in ASSIGNMENTS for f, v, m in solutions.iter_mutants(a)]


@pytest.mark.parametrize("assignment, func_name", graded_functions())
@pytest.mark.parametrize("suite", core.SUITES)
def test_reference_solution_passes(assignment, func_name, suite):
    grader = solutions.grader_module(assignment).GRADER
    grader.check(func_name, reference_namespace(assignment)[func_name], suite)


@pytest.mark.parametrize("assignment, func_name", graded_functions())
def test_every_graded_function_has_known_wrong_variants(assignment, func_name):
    variants = solutions.known_wrong_module(assignment).MUTANTS.get(func_name, {})
    assert len(variants) >= MIN_KNOWN_WRONG, f"{func_name} has {len(variants)} known-wrong variants"


@pytest.mark.parametrize("assignment, func_name, variant, mutant", mutants(),
                         ids=[f"{f}-{v}" for _, f, v, _ in mutants()])
@pytest.mark.parametrize("suite", core.SUITES)
def test_known_bug_is_caught_with_a_pointed_message(assignment, func_name, variant, mutant, suite):
    grader = solutions.grader_module(assignment).GRADER
    wrong = solutions.load_solutions(assignment, (func_name, mutant))[func_name]
    with pytest.raises(core.CheckFailure) as failure:
        grader.check(func_name, wrong, suite)
    expected = mutant.expect or grader.graded[func_name].spec.hints[variant]
    message = str(failure.value)
    assert expected in message, f"{func_name}/{variant}: the message does not point at the bug:\n{message}"
    assert message.startswith(f"{func_name} failed"), message


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_recorded_references_are_current(assignment, tmp_path, monkeypatch):
    """Re-recording from the notebooks reproduces the committed records exactly."""
    committed = {suite: core.load_record(assignment, suite).arrays for suite in core.SUITES}
    monkeypatch.setattr(core, "PUBLIC_RECORD_DIR", tmp_path / "public")
    monkeypatch.setattr(core, "HIDDEN_RECORD_DIR", tmp_path / "hidden")
    record.record_assignment(assignment)
    for suite in core.SUITES:
        fresh = core.load_record(assignment, suite).arrays
        assert sorted(fresh) == sorted(committed[suite]), f"{suite} record is stale: run `make references`"
        for key in fresh:
            assert np.array_equal(fresh[key], committed[suite][key]), f"{key} is stale: run `make references`"


def test_hidden_cases_differ_from_public_ones():
    for assignment in ASSIGNMENTS:
        public = core.load_record(assignment, "public").arrays
        hidden = core.load_record(assignment, "hidden").arrays
        assert not set(public) & set(hidden), f"{assignment}: a hidden case reuses a public case name"


# --------------------------------------------------------------------------- 01: the full-mode target, and Keras


def test_01_reference_backward_passes_agree_with_finite_differences():
    """Every analytic gradient of the reference is within 1e-7 of the numerical one (DESIGN.md target)."""
    ns = reference_namespace("01_rnn_step_by_step")
    import graders.rnn_step_by_step as g

    for forward, backward, names in (
        ("rnn_forward", "rnn_backward", ("Wax", "Waa", "ba")),
        ("lstm_forward", "lstm_backward", ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")),
    ):
        for case in g.GRADER.cases(forward, "public") + g.GRADER.cases(forward, "hidden"):
            x, a0, parameters = [np.copy(v) if isinstance(v, np.ndarray) else v for v in case.args]
            a, *_, caches = ns[forward](x, a0, parameters)
            da = np.random.default_rng(0).standard_normal(a.shape)
            errors = gradcheck.backward_errors(
                lambda: ns[forward](x, a0, parameters)[0],
                {**{k: parameters[k] for k in names}, "x": x, "a0": a0},
                ns[backward](da, caches), da)
            assert max(errors.values()) < 1e-7, (backward, case.name, errors)


def test_01_reference_lstm_matches_keras():
    from helpers import keras_bridge
    import graders.rnn_step_by_step as g

    ns = reference_namespace("01_rnn_step_by_step")
    for case in g.GRADER.cases("lstm_forward", "public"):
        x, a0, parameters = case.args
        a_numpy = ns["lstm_forward"](x, a0, parameters)[0]
        a_keras = keras_bridge.keras_lstm_states(x, a0, parameters)
        assert np.max(np.abs(a_numpy - a_keras)) < 1e-5  # Keras computes in float32


def test_keras_gate_order_matters():
    """Swapping two gates in the conversion must break the match (the check can fail)."""
    from helpers import keras_bridge
    import graders.rnn_step_by_step as g

    ns = reference_namespace("01_rnn_step_by_step")
    x, a0, parameters = g.GRADER.cases("lstm_forward", "public")[0].args
    swapped = dict(parameters, Wf=parameters["Wi"], Wi=parameters["Wf"], bf=parameters["bi"], bi=parameters["bf"])
    a_numpy = ns["lstm_forward"](x, a0, parameters)[0]
    assert np.max(np.abs(a_numpy - keras_bridge.keras_lstm_states(x, a0, swapped))) > 1e-2


# --------------------------------------------------------------------------- 04: trusted implementations as oracles


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
    for suite in core.SUITES:
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
