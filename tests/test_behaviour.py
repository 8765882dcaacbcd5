"""graders.behaviour: the toolkit of behaviour checks, on tiny Keras models."""

import numpy as np
import pytest

from graders import behaviour, probe
from graders.messages import CheckFailure
from graders.spec import Case, FunctionSpec, Output

CASE = Case("tiny", {"n_x": 3, "n_a": 2})


def _dense_builder(n_x, n_out, dense):
    import keras

    x = keras.Input(shape=(n_x,))
    return keras.Model(inputs=x, outputs=dense(x))


def test_parameter_counts_match_keras():
    import keras

    layers = {
        behaviour.lstm_params(3, 4): keras.layers.LSTM(4),
        behaviour.gru_params(3, 4): keras.layers.GRU(4),
        behaviour.gru_params(3, 4, reset_after=False): keras.layers.GRU(4, reset_after=False),
        behaviour.bidirectional_params(behaviour.lstm_params(3, 4)): keras.layers.Bidirectional(keras.layers.LSTM(4)),
    }
    for expected, layer in layers.items():
        layer.build((None, 5, 3))
        assert layer.count_params() == expected, layer
    dense, embedding = keras.layers.Dense(4), keras.layers.Embedding(10, 3)
    dense.build((None, 3))
    embedding.build((None, 5))
    assert dense.count_params() == behaviour.dense_params(3, 4)
    assert embedding.count_params() == behaviour.embedding_params(10, 3)


def test_parameter_bugs_name_the_part_that_differs():
    bugs = behaviour.parameter_bugs({"the LSTM": 100, "the Dense layer": 20}, per_step=4)
    counts = {hint: int(leaves[behaviour.PARAMETERS]) for hint, leaves in bugs.items()}
    per_step = [h for h, n in counts.items() if n == 120 + 3 * 100]
    missing = [h for h, n in counts.items() if n == 100]
    assert len(per_step) == 1 and "4 copies of the LSTM" in per_step[0]
    assert len(missing) == 1 and "without the Dense layer" in missing[0]
    assert 120 not in counts.values()


def test_injected_weights_and_oracle_copy_agree():
    """An LSTM stepped by hand with return_state equals its oracle copy over the whole sequence."""
    import keras

    rng = np.random.default_rng(0)
    cell = behaviour.inject_weights(keras.layers.LSTM(2, return_state=True), (None, 1, 3), rng, (0.6, 0.6, 0.3))
    again = behaviour.inject_weights(keras.layers.LSTM(2, return_state=True), (None, 1, 3),
                                     np.random.default_rng(0), (0.6, 0.6, 0.3))
    assert all(np.array_equal(a, b) for a, b in zip(cell.get_weights(), again.get_weights()))
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    a = c = np.zeros((4, 2), dtype=np.float32)
    steps = []
    for t in range(5):
        a, _, c = cell(x[:, t:t + 1], initial_state=[a, c])
        steps.append(behaviour.to_numpy(a))
    oracle = behaviour.oracle_copy(cell, (None, None, 3), return_sequences=True, return_state=False)
    whole = behaviour.to_numpy(oracle(x))
    assert np.max(np.abs(np.stack(steps, axis=1) - whole)) < 1e-5  # float32
    assert behaviour.differs(whole, whole + 1e-3) and not behaviour.differs(whole, whole + 1e-7)


def test_build_and_run_model_report_plain_sentences():
    import keras

    dense = keras.layers.Dense(2)
    model = behaviour.build_model(_dense_builder, "f", CASE, (3, 2, dense), n_inputs=1)
    assert behaviour.run_model(model, np.ones((1, 3), np.float32), "f", CASE).shape == (1, 2)
    count = behaviour.count_leaf(model)
    sent = probe.decode(probe.encode([probe.Observation("tiny", count)]))[0].leaves  # kernel -> judge
    assert int(count[behaviour.PARAMETERS]) == 8 and sent[behaviour.PARAMETERS].shape == ()
    with pytest.raises(CheckFailure, match="got int"):
        behaviour.build_model(lambda: 3, "f", CASE, ())
    with pytest.raises(CheckFailure, match="takes 1 inputs, expected 2"):
        behaviour.build_model(_dense_builder, "f", CASE, (3, 2, dense), n_inputs=2)
    with pytest.raises(CheckFailure) as failure:
        behaviour.run_model(model, np.ones((1, 5), np.float32), "f", CASE)
    text = str(failure.value)
    assert text.startswith('f failed on case "tiny"') and "calling the model raised" in text
    assert "\x1b[" not in text and "Traceback" not in text and "Arguments received" not in text


def test_plain_error_drops_keras_boilerplate():
    err = ValueError("\x1b[31mException encountered when calling LSTM.call().\n\nInput 0 is incompatible: "
                     "expected ndim=3, found ndim=2.\n\nArguments received by LSTM.call():\n  • x=tf.Tensor(...)")
    assert behaviour.plain_error(err) == "ValueError: Input 0 is incompatible: expected ndim=3, found ndim=2."


def test_observe_call_notes_inputs_changed_in_place():
    spec = FunctionSpec("f", (Output("y"),), inputs=("x", "rng"))

    def writes_into_x(x, rng):
        x += rng.standard_normal(x.shape)
        return x * 2

    observation = behaviour.observe_call(writes_into_x, spec, CASE, (np.zeros(3), np.random.default_rng(0)))
    assert observation.changed == ["x"] and observation.leaves["y"].shape == (3,)
    failed = probe.observe(lambda f, c: behaviour.observe_call(f, spec, c, (np.zeros(3), None)),
                           lambda x, rng: rng.gumbel(), CASE)
    assert failed.failure.startswith('f failed on case "tiny"')


def test_replay_and_spies():
    def oracle(scale=1.0):
        return {"y": np.arange(3) * scale}

    expected, bugs = behaviour.replay(oracle, (("doubled", {"scale": 2.0}), ("changes nothing", {"scale": 1.0})))
    assert list(bugs) == ["doubled"] and bugs["doubled"]["y"][1] == 2.0 and expected["y"][1] == 1.0
    log = behaviour.CallLog()
    double, half = log.spy("double", lambda v: 2 * v), log.spy("rng", np.random.default_rng(0))
    assert double(3) == 6 and half.integers(5) in range(5) and double(1) == 2
    assert log.names() == ["double", "rng.integers", "double"]
    assert log.order_leaf(["rng.integers", "double"]).tolist() == [1, 0, 1]


def test_expected_facts_name_the_hint_of_the_fact_that_comes_out_the_other_way():
    expected, bugs = behaviour.expected_facts({"reads_later_tokens": (True, "wrap in Bidirectional", ""),
                                               "training_changes_outputs": (False, "", "use the rate given")})
    assert expected == {"reads_later_tokens": True, "training_changes_outputs": False}
    assert bugs == {"wrap in Bidirectional": {"reads_later_tokens": False},
                    "use the rate given": {"training_changes_outputs": True}}
    assert behaviour.fact_leaves({"a": 1 > 0, "b": None}) == {"a": True}


def test_count_mistakes_keeps_one_hint_per_distinct_wrong_count():
    def formula(n_layers, n_a):
        return n_layers * 4 * n_a

    bugs = behaviour.count_mistakes(formula, {"n_layers": 2, "n_a": 3}, [
        ("one layer", {"n_layers": 1}), ("same as right", {"n_layers": 2}), ("units doubled", {"n_a": 6}),
        ("also 48", {"n_layers": 4})], known=(12,))
    assert bugs == {"units doubled": {behaviour.PARAMETERS: 48}}  # 12 is known, 24 is right, the second 48 repeats
