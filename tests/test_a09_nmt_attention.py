"""09 nmt_attention: the reference and the grader's numpy oracle against independent Keras formulations."""

import numpy as np
import pytest

from graders.assignment import SUITES
from graders.spec import FLOAT32_ATOL

from conftest import reference_namespace

# a float32 Keras computation against a float64 numpy one of the same few layers: ~1e-6 apart
KERAS_ATOL = FLOAT32_ATOL
# every bug the judge replays must move some output by far more than the tolerance, in every case it is kept for
BUG_MARGIN = 100 * FLOAT32_ATOL


def _attention_by_layers(a, s_prev, densor1, densor2):
    """One attention step from Keras layers only (RepeatVector, Concatenate, Activation, Softmax, Dot)."""
    import keras

    T_x = a.shape[1]
    repeated = keras.layers.RepeatVector(T_x)(s_prev)
    energies = densor2(keras.layers.Activation("tanh")(densor1(keras.layers.Concatenate(axis=-1)([a, repeated]))))
    alphas = keras.layers.Softmax(axis=1)(energies)
    context = keras.layers.Dot(axes=1)([alphas, a])  # (m, 1, 2 n_a): the weights contracted with the states
    return context, alphas


@pytest.mark.parametrize("suite", SUITES)
def test_09_reference_attention_equals_a_formulation_with_keras_layers(suite):
    import graders.nmt_attention as g

    ns = reference_namespace("09_nmt_attention")
    for case in g.GRADER.cases("one_step_attention", suite, public_record={}):
        layers = g.make_layers(case.dims, case.data["seed"])
        a, s_prev = case.data["inputs"]
        got = ns["one_step_attention"](a, s_prev, layers["densor1"], layers["densor2"])
        want = _attention_by_layers(a, s_prev, layers["densor1"], layers["densor2"])
        for x, y in zip(got, want):
            np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=KERAS_ATOL, rtol=0)


def test_09_numpy_decoder_step_equals_keras_lstm():
    """The oracle's decoder step is keras LSTM from a given state (its encoder, behaviour.lstm_stack_oracle,
    is tested with the grading core)."""
    import keras
    import graders.nmt_attention as g

    case = g.GRADER.cases("nmt_model", "public", public_record={})[0]
    layers = g.make_layers(case.dims, case.data["seed"])
    X, s0, c0 = case.data["inputs"]
    context = np.random.default_rng(0).standard_normal((len(X), 1, 2 * case.dims["n_a"])).astype(np.float32)
    s, _, c = layers["post_attention"](context, initial_state=[s0, c0])
    lstm_weights = [np.asarray(w, dtype=float) for w in layers["post_attention"].get_weights()]
    s_np, c_np = g.lstm_step(context[:, 0].astype(float), s0.astype(float), c0.astype(float), *lstm_weights)
    np.testing.assert_allclose(s_np, keras.ops.convert_to_numpy(s), atol=KERAS_ATOL, rtol=0)
    np.testing.assert_allclose(c_np, keras.ops.convert_to_numpy(c), atol=KERAS_ATOL, rtol=0)


def test_09_reference_model_has_the_formula_count_and_oracle_outputs():
    """The reference model built from the notebook's kind of layers: count by formula, outputs of the oracle."""
    import graders.nmt_attention as g

    ns = reference_namespace("09_nmt_attention")
    case = g.GRADER.cases("nmt_model", "public", public_record={})[1]
    d = case.dims
    layers = g.make_layers(d, case.data["seed"])
    model = ns["nmt_model"](d["T_x"], d["T_y"], d["n_s"], d["n_x"], layers)
    assert model.count_params() == g.nmt_parameter_count(d["n_x"], d["n_a"], d["n_s"], d["n_e"], d["n_y"])
    Y_hat, attention = (np.asarray(o) for o in model(case.data["inputs"]))
    Y_oracle, attention_oracle = g.translate(*case.data["inputs"], d["T_y"], layers)
    np.testing.assert_allclose(Y_hat, Y_oracle, atol=KERAS_ATOL, rtol=0)
    np.testing.assert_allclose(attention, attention_oracle, atol=KERAS_ATOL, rtol=0)
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, atol=KERAS_ATOL)


@pytest.mark.parametrize("func_name", ["one_step_attention", "nmt_model"])
def test_09_every_replayed_bug_is_far_from_the_right_answer(func_name):
    """A bug the judge keeps for a case moves some output by >= BUG_MARGIN there, and every bug is kept in some
    public case: the hints cannot be triggered by float32 round-off, and none is dead."""
    import graders.nmt_attention as g

    kept = set()
    for case in g.GRADER.cases(func_name, "public", public_record={}):
        expected, bugs = g.GRADER.graded[func_name].expect(case)
        for hint, leaves in bugs.items():
            gap = max(float(np.max(np.abs(np.asarray(v, dtype=float) - np.asarray(expected[p], dtype=float))))
                      for p, v in leaves.items())
            assert gap >= BUG_MARGIN if g.behaviour.PARAMETERS not in leaves else gap >= 1, (case.name, hint, gap)
            kept.add(hint)
    replayed = g._ATTENTION_BUGS if func_name == "one_step_attention" else g._MODEL_BUGS
    assert {hint for hint, _ in replayed} <= kept
