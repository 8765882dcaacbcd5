"""graders.behaviour: the toolkit of behaviour checks, on tiny Keras models."""

import numpy as np
import pytest

from graders import behaviour, planted, probe, samplers
from graders.messages import CheckFailure
from graders.spec import Case, FunctionSpec, Output, spread_table_cases

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


def test_call_checked_returns_the_result_and_the_inputs_changed():
    spec = FunctionSpec("f", (Output("y"),), inputs=("x", "d"))

    def writes_into_d(x, d):
        d["w"] += 1
        return x.sum()

    result, changed = behaviour.call_checked(writes_into_d, spec, CASE, (np.ones(3), {"w": np.zeros(2)}))
    assert result == 3 and changed == ["d"]
    assert behaviour.call_checked(lambda x, d: x, spec, CASE, (np.ones(3), {"w": np.zeros(2)}))[1] == []


def test_generator_facts_tell_an_unused_from_an_unrepeatable_generator():
    def draw(rng):
        return rng.random(4)

    used = np.random.default_rng(7)
    facts = behaviour.generator_facts(used, 7, draw(used), draw(np.random.default_rng(7)))
    assert facts == {"rng_used": True, "repeatable": True}
    unused = np.random.default_rng(7)
    facts = behaviour.generator_facts(unused, 7, np.random.random(4), np.random.random(4))
    assert facts == {"rng_used": False, "repeatable": False}
    expected, bugs = behaviour.expected_facts(behaviour.expected_generator_facts("draw with rng.random"))
    assert len(bugs) == 2 and all("draw with rng.random" in hint for hint in bugs)  # one hint per fact


def test_fed_check_names_swapped_zero_and_other_inputs():
    given = {"a0": np.arange(3.0), "c0": np.arange(3.0) + 10}
    check = behaviour.fed_check(("a0", "c0"), lambda case: given, "order hint")
    log = behaviour.CallLog()
    model = log.spy("model", lambda inputs: None)
    model([given["c0"], given["a0"]])
    problem, hint = check(behaviour.fed_leaves(log, ("a0", "c0")), CASE)
    assert "holds the c0" in problem and hint == "order hint"
    assert "all zeros" in check({"fed.a0": np.zeros(3, np.float32), "fed.c0": given["c0"].astype(np.float32)}, CASE)[0]
    assert check({"fed.a0": given["a0"].astype(np.float32), "fed.c0": given["c0"].astype(np.float32)}, CASE) is None
    assert check({}, CASE) is None  # never called: another property says so


def test_split_counts_and_count_mistakes_with_two_paths():
    import keras

    layer = keras.layers.Embedding(5, 2, trainable=False)
    layer.build((None, 3))
    assert behaviour.count_leaf(layer, split=True) == {behaviour.TRAINABLE: 0, behaviour.FROZEN: 10}

    def counts(rows, frozen=True):
        return (0, 2 * rows) if frozen else (2 * rows, 0)

    paths = (behaviour.TRAINABLE, behaviour.FROZEN)
    assert behaviour.expected_counts(counts, {"rows": 5}, paths) == {behaviour.TRAINABLE: 0, behaviour.FROZEN: 10}
    bugs = behaviour.count_mistakes(counts, {"rows": 5}, [("trainable", {"frozen": False}), ("same", {"rows": 5})],
                                    paths=paths)
    assert bugs == {"trainable": {behaviour.TRAINABLE: 10, behaviour.FROZEN: 0}}


def _classifier(dropout_always=False):
    import keras

    words = keras.Input(shape=(None,), dtype="int32")
    h = keras.layers.Embedding(6, 3, mask_zero=True)(words)
    h = keras.layers.LSTM(2)(h)
    if dropout_always:
        h = keras.layers.Dropout(0.5)(h, training=True)
    return keras.Model(words, keras.layers.Dense(3, activation="softmax")(h))


def test_measure_classifier_measures_noise_changes_and_training():
    X = np.array([[2, 3, 4], [5, 1, 2]], dtype=np.int32)
    reversed_words = X[:, ::-1].copy()
    model = behaviour.inject_weights(_classifier(), X.shape, np.random.default_rng(0), 1.0)
    r = behaviour.measure_classifier(model, "f", CASE, X, {"order": (reversed_words, np.s_[:]),
                                                            "padded": (np.pad(X, ((0, 0), (0, 2))), np.s_[:]),
                                                            "none": (None, np.s_[:])}, "hint")
    assert r["noise"] <= behaviour.MAX_NOISE and r["order"] > r["threshold"] >= r["padded"] and r["none"] is None
    facts = behaviour.classifier_facts(r, moves=(("reads_word_order", "order"),), stays=(("padding_ignored", "padded"),))
    assert facts == {"outputs_are_reproducible": True, "outputs_are_probabilities": True,
                     "training_changes_outputs": False, "reads_word_order": True, "padding_ignored": True}
    expected, bugs = behaviour.expected_classifier_facts("n_y", 0.0, "add dropout", {})
    assert list(bugs)[0] == behaviour.HINT_RANDOM_INFERENCE  # a random model is named before anything it explains
    random_model = behaviour.inject_weights(_classifier(dropout_always=True), X.shape, np.random.default_rng(0), 1.0)
    r = behaviour.measure_classifier(random_model, "f", CASE, X, {}, "hint")
    assert not behaviour.classifier_facts(r)["outputs_are_reproducible"]


def test_tensorflow_op_wrappers_become_one_sentence():
    from graders.messages import clean_error

    err = ValueError("{{function_node __wrapped__AddV2_device_/job:localhost/replica:0/task:0/device:CPU:0}} "
                     "Incompatible shapes: [3,5] vs. [3,4] [Op:AddV2] name: ")
    assert clean_error(err) == "ValueError: Incompatible shapes: [3,5] vs. [3,4]"


def test_lstm_oracle_is_keras_lstm_with_the_same_weights_and_mask():
    """The numpy oracle against keras.layers.LSTM on padded sequences (float32 Keras: agreement to ~1e-6)."""
    import keras

    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    lstm = behaviour.inject_trainable(keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4)]),
                                      np.random.default_rng(0), 0.8)
    weights = behaviour.drawn_weights(np.random.default_rng(0), [(3, 16), (4, 16), (16,)], 0.8)
    assert all(np.array_equal(a, b) for a, b in zip(lstm.get_weights(), weights))
    keras_last = behaviour.to_numpy(lstm.layers[-1](x, mask=mask))
    assert np.max(np.abs(behaviour.lstm_oracle(x, mask, weights) - keras_last)) < 1e-5  # float32
    states = behaviour.lstm_oracle(x, mask, weights, return_sequences=True)
    assert np.array_equal(states[1, 4], states[1, 2])  # a skipped step carries the state over


def test_lstm_stack_oracle_is_a_keras_bidirectional_stack():
    import keras

    x = np.random.default_rng(4).standard_normal((2, 4, 3)).astype(np.float32)
    model = keras.Sequential([keras.Input((4, 3))] + [keras.layers.Bidirectional(
        keras.layers.LSTM(2, return_sequences=True)) for _ in range(2)] + [keras.layers.Dense(3, activation="softmax")])
    behaviour.inject_trainable(model, np.random.default_rng(1), 0.7)
    shapes = behaviour.lstm_stack_shapes(3, 2, 2, directions=2) + [(4, 3), (3,)]
    assert [tuple(w.shape) for w in model.get_weights()] == shapes
    w = behaviour.drawn_weights(np.random.default_rng(1), shapes, 0.7)
    h = behaviour.lstm_stack_oracle(x.astype(float), np.ones((2, 4), bool), w[:-2], 2, directions=2)
    oracle = behaviour.dense_softmax(h, w[-2], w[-1])
    assert np.max(np.abs(oracle - behaviour.to_numpy(model(x)))) < 1e-5  # float32 Keras


def test_limited_generator_stops_a_runaway_sampler_and_draws_like_its_generator():
    rng = behaviour.LimitedGenerator(5, limit=3, why="is the cap missing?")
    assert rng.random() == np.random.default_rng(5).random() and rng.draws == 1
    with pytest.raises(RuntimeError, match="more than 3 random draws in one call: is the cap missing"):
        while True:
            rng.random()


def test_no_loop_check_counts_library_lines_run_per_item():
    check = behaviour.no_loop_check(100, "n", "rows")
    case = Case("rows", {"n": 500})
    rows = np.ones((500, 3))
    for func, loops in ((lambda E: np.linalg.norm(E, axis=1), False),
                        (lambda E: np.array(list(map(np.linalg.norm, E))), True)):  # the loop is in C, the lines not
        counted, counter = behaviour.counting_lines(func)
        counted(rows)
        assert (check({"python_lines": np.int64(counter.lines)}, case) is not None) == loops, counter.lines


def test_dropout_follows_each_named_layer_once_and_nowhere_else():
    import keras

    def chain(*layers):
        return keras.Sequential([keras.Input((4, 3)), *layers])

    def lstm(**kwargs):
        return keras.layers.LSTM(2, return_sequences=True, **kwargs)

    drop = keras.layers.Dropout
    assert behaviour.dropout_follows(chain(lstm(), keras.layers.Activation("tanh"), drop(0.3)), ("LSTM",), 0.3)
    assert not behaviour.dropout_follows(chain(drop(0.3), lstm()), ("LSTM",), 0.3)  # before, not after
    assert not behaviour.dropout_follows(chain(lstm(), drop(0.5)), ("LSTM",), 0.3)  # another rate
    assert not behaviour.dropout_follows(chain(lstm(), drop(0.3), drop(0.3)), ("LSTM",), 0.3)  # one too many
    assert not behaviour.dropout_follows(chain(lstm(), lstm(), drop(0.3)), ("LSTM",), 0.3)  # the first has none


def test_judged_by_properties_expects_no_leaves():
    assert behaviour.judged_by_properties(CASE) == ({}, {})


def test_call_counting_lines_counts_the_call_alone_and_notes_inputs_changed():
    spec = FunctionSpec("scale", (Output("y"),), inputs=("x",))
    rows = np.ones((300, 2))

    def looping(x):
        for row in x:
            row *= 2  # writes into the caller's array
        return x

    result, changed, lines = behaviour.call_counting_lines(looping, spec, CASE, [rows])
    assert result is rows and changed == ["x"] and lines >= 300
    _, changed, lines = behaviour.call_counting_lines(lambda x: 2 * x, spec, CASE, [np.ones((300, 2))])
    assert changed == [] and lines < 30
    with pytest.raises(CheckFailure, match="expected a function"):
        behaviour.call_counting_lines("not a function", spec, CASE, [rows])


def test_record_fixtures_group_one_fixture_by_case_in_sorted_order():
    from graders import records

    arrays = {records.fixture_key("q", "b_case", "E"): np.zeros(2), records.fixture_key("q", "a_case", "top_n"): 3,
              records.fixture_key("q", "b_case", "top_n"): 0, records.fixture_key("other", "a_case", "E"): 1,
              records.record_key("f", "a_case", "y"): 5}
    found = records.Record(arrays).fixtures("q")
    assert list(found) == ["a_case", "b_case"] and found["a_case"] == {"top_n": 3}
    assert set(found["b_case"]) == {"E", "top_n"}
    assert records.Record({}).fixtures("q") == {}


def test_shape_check_names_the_output_of_another_shape_or_not_finite():
    check = behaviour.shape_check(("e1", "e2"), 0, "e_w1")
    case = Case("pair", {}, (np.zeros(3), np.zeros(3)))
    assert check({"e1": np.ones(3), "e2": np.ones(3)}, case) is None
    assert check({"e1": np.ones(3), "e2": np.ones(4)}, case) == "e2 has shape (4,), expected (3,) (the shape of e_w1)"
    assert "e1 contains nan or inf" == check({"e1": np.array([1, np.inf, 0]), "e2": np.ones(3)}, case)


def test_outside_band_names_the_count_farthest_outside_its_bernstein_band():
    from graders.compare import bernstein_tolerance, outside_band
    from graders.messages import fmt_number

    p = np.array([0.5, 0.3, 0.2])
    assert outside_band(np.array([500, 300, 200]), 1000, p) is None
    tolerance = bernstein_tolerance(1000, p)
    w, text = outside_band(np.array([500, 300 + int(tolerance[1]) + 20, 200]), 1000, p)
    assert w == 1 and text == f"about {fmt_number(300.0)} expected (tolerance ±{fmt_number(tolerance[1])})"
    counts = np.array([10, 1000])  # n per count: 10 of 10 kept, 1000 of 1000 kept where 1/2 is expected
    assert outside_band(counts, counts, np.array([1.0, 0.5]))[0] == 1


def test_classifier_hints_name_the_layers_they_are_given():
    assert behaviour.dropout_ignored_hint("after each LSTM").endswith("add keras.layers.Dropout(dropout) after each LSTM")
    assert behaviour.dropout_place_hint("each LSTM").startswith("keras.layers.Dropout(dropout) must follow each LSTM "
                                                               "directly, and no Dropout sits anywhere else")
    assert "docstring's tagger (Embedding, Dense): an activation" in behaviour.architecture_hint("tagger",
                                                                                                "Embedding, Dense")


def test_lstm_classifier_params_match_keras():
    import keras

    def counts(layers):
        model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(9, 3), *layers])
        return model.layers[0].count_params(), model.count_params() - model.layers[0].count_params()

    def bi(merge_mode="concat"):
        return keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True), merge_mode=merge_mode)

    assert behaviour.lstm_classifier_params(9, 3, 2, 5, 2, 2) == counts([bi(), bi(), keras.layers.Dense(5)])
    assert behaviour.lstm_classifier_params(9, 3, 2, 5, 2, 2, concat=False) == counts(
        [bi("sum"), bi("sum"), keras.layers.Dense(5)])
    assert behaviour.lstm_classifier_params(9, 3, 2, 5, dense_bias=False) == counts(
        [keras.layers.LSTM(2), keras.layers.Dense(5, use_bias=False)])


def _word_classifier(n_y, dropout=0.0, mask_zero=True):
    """Embedding(7, 3) -> LSTM(2) -> Dropout -> Dense(n_y, softmax) of (m, T) word indices."""
    import keras

    words = keras.Input(shape=(None,), dtype="int32")
    h = keras.layers.LSTM(2)(keras.layers.Embedding(7, 3, mask_zero=mask_zero)(words))
    return keras.Model(words, keras.layers.Dense(n_y, activation="softmax")(keras.layers.Dropout(dropout)(h)))


def test_classifier_check_observes_what_its_oracle_and_counts_expect():
    from graders.compare import compare_leaves
    from graders.spec import FLOAT32_ATOL

    check = behaviour.ClassifierCheck("build", "m, n_y", weight_seed=3, input_hint="input", rank_hints={3: "one"},
                                      moves=(("reads_word_order", "order"),), stays=(("padding_ignored", "padded"),),
                                      dropout_after=("LSTM",), dropout_hints=("add dropout", "misplaced"))
    X = np.array([[2, 3, 4, 0], [5, 1, 0, 0]], dtype=np.int32)
    variants = {"order": (np.array([[4, 3, 2, 0], [1, 5, 0, 0]], dtype=np.int32), np.s_[:]),
                "padded": (None, np.s_[:])}  # not measurable here: its fact is neither observed nor expected
    case = Case("tiny", {}, (), {"n_y": 4, "dropout": 0.5}, {"X": X, "variants": variants})
    facts = {"padding_ignored": (True, "mask it", ""), "reads_word_order": (True, "read in order", "")}
    expected, bugs = check.expected(case, facts, lambda n_y: sum(behaviour.lstm_classifier_params(7, 3, 2, n_y)),
                                    {"n_y": 4}, [("no bias", {"n_y": 5})], check.oracle(case, (7, 3), 2, 1))
    observed = check.observe(lambda n_y, dropout: _word_classifier(n_y, dropout), case).leaves
    assert "padding_ignored" not in expected and set(observed) == set(expected)
    assert compare_leaves(observed, expected, FLOAT32_ATOL, 0.0) == []
    assert observed["dropout_placed"] and list(bugs)[-2:] == ["misplaced", "no bias"]
    unmasked = check.observe(lambda n_y, dropout: _word_classifier(n_y, dropout, mask_zero=False), case).leaves
    assert compare_leaves(unmasked, expected, FLOAT32_ATOL, 0.0)  # padding read as words: other outputs
    with pytest.raises(CheckFailure, match=r"output shape \(2, 5\), expected \(2, 4\) \(m, n_y\)"):
        check.observe(lambda n_y, dropout: _word_classifier(5), case)


def test_observe_seeded_twice_adds_the_generator_facts_of_a_leaf():
    """Drawing from the rng given: both facts True; a generator of its own: unused and not repeatable; a failed run:
    no facts (the failure speaks for itself)."""

    def observer(draw):
        return lambda rng: probe.Observation("tiny", {"draws": np.asarray(draw(rng))})

    good = behaviour.observe_seeded_twice(observer(lambda rng: rng.random(3)), 7, "draws").leaves
    assert good["rng_used"] and good["repeatable"] and np.array_equal(good["draws"], np.random.default_rng(7).random(3))
    own = np.random.default_rng(1)
    bad = behaviour.observe_seeded_twice(observer(lambda rng: own.random(3)), 7, "draws").leaves
    assert not bad["rng_used"] and not bad["repeatable"]
    failed = behaviour.observe_seeded_twice(lambda rng: probe.Observation("tiny", failure="raised"), 7, "draws")
    assert failed.failure == "raised" and "rng_used" not in failed.leaves


def test_table_cases_builds_each_suites_cases_in_the_tables_order():
    from graders.spec import table_cases

    build = table_cases({"public": {"b": 2, "a": 1}, "hidden": {"c": 3}}, lambda name, n: Case(name, {"n": n}))
    assert [(case.name, case.dims["n"]) for case in build("public")] == [("b", 2), ("a", 1)]
    assert [case.name for case in build("hidden", None)] == ["c"]


def test_weight_count_counts_the_scalars_of_a_list_of_weights():
    import keras

    dense = keras.layers.Dense(3)
    dense.build((None, 5))
    count = behaviour.weight_count(dense.weights)
    assert count == behaviour.dense_params(5, 3) and count.dtype == np.int64
    assert behaviour.weight_count([]) == 0


def test_observe_tensors_converts_keras_outputs_and_leaves_the_rest_to_the_probe():
    import keras

    loss = FunctionSpec("loss", (Output("loss", kind="scalar"),), inputs=("x",))
    pair = FunctionSpec("pair", (Output("a"), Output("b")), inputs=("x",))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    seen = behaviour.observe_tensors(lambda x: keras.ops.mean(x), loss, CASE, [x.copy()])
    assert seen.leaves["loss"] == 2.5 and seen.leaves["loss"].dtype == np.float64 and seen.changed == []
    seen = behaviour.observe_tensors(lambda x: (keras.ops.convert_to_tensor(x), x[:, 0]), pair, CASE, [x.copy()])
    assert seen.leaves["a"].dtype == np.float32 and np.array_equal(seen.leaves["b"], x[:, 0])

    def in_place(x):
        x += 1
        return keras.ops.sum(x)

    assert behaviour.observe_tensors(in_place, loss, CASE, [x.copy()]).changed == ["x"]
    with pytest.raises(CheckFailure, match="did you forget a `return` statement"):
        behaviour.observe_tensors(lambda x: None, loss, CASE, [x.copy()])
    with pytest.raises(CheckFailure, match="expected 2 return values"):
        behaviour.observe_tensors(lambda x: keras.ops.sum(x), pair, CASE, [x.copy()])


def test_ctc_log_likelihoods_sum_every_path_that_collapses_to_the_labels():
    import itertools

    rng = np.random.default_rng(0)
    T, C, blank = 4, 3, 2
    logits = rng.standard_normal((T, C))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))

    def brute_force(labels, n):  # every path of n steps, merged (repeats, then blanks dropped) and compared
        total = 0.0
        for path in itertools.product(range(C), repeat=n):
            merged = [s for i, s in enumerate(path) if (i == 0 or s != path[i - 1]) and s != blank]
            if merged == list(labels):
                total += np.exp(sum(log_probs[t, s] for t, s in enumerate(path)))
        return np.log(total) if total else -np.inf

    queries = [([0], 4), ([0, 1], 3), ([1, 1], 3), ([1, 1], 2), ([], 4), ([], 0), ([0, 0, 1], 2), ([0], 0)]
    got = behaviour.ctc_log_likelihoods(log_probs, [labels for labels, _ in queries], [n for _, n in queries], blank)
    want = [brute_force(labels, n) for labels, n in queries]
    assert np.isneginf(got[3]) and np.isneginf(got[6]) and np.isneginf(got[7]) and got[5] == 0.0
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)  # TensorFlow's own log-sum-exp, as in the graders


def test_require_shape_names_the_value_its_shape_and_the_expected_axes():
    behaviour.require_shape("f", CASE, "table", np.zeros((2, 5)), (2, 5), "one row per step")
    with pytest.raises(CheckFailure, match=r"table has shape \(2, 4\), expected \(T, 2L\+1\) = \(2, 5\)") as failure:
        behaviour.require_shape("f", CASE, "table", np.zeros((2, 4)), (2, 5), "one row per step", axes="(T, 2L+1)")
    assert "hint:   one row per step" in str(failure.value)


def test_argument_and_in_place_hints_name_what_the_known_bug_did():
    hints = behaviour.ignored_argument_hints({"blank": "class 10", "stride": "the course's 4"}, "pass it on")
    assert list(hints) == ["blank_ignored", "stride_ignored"]
    assert hints["blank_ignored"] == "the argument blank is not used (class 10 is fixed instead): pass it on"
    assert behaviour.ignored_argument_hint("t", "1e-4") == "the argument t is not used (1e-4 is fixed instead)"
    assert behaviour.not_in_place_hint("W_in and W_out").startswith("the caller's W_in and W_out did not change")


# --------------------------------------------------------------------------- a sampler of index sequences


def test_number_and_index_lists_accept_integers_and_say_what_is_wrong():
    assert samplers.number_list([1, 2.5, np.float32(3)], "iuf", "f", CASE, "numbers", "h") == [1, 2.5, np.float32(3)]
    assert samplers.index_list(np.array([0, 3]), 4, "f", CASE, "h") == [0, 3]
    for value, words in (("abc", "got str"), ([1.0], "got list of float"), ([True], "got list of bool"),
                         ([4], "index 4 is outside the vocabulary 0..3"), (np.zeros((1, 2), int), "got ndarray")):
        with pytest.raises(CheckFailure, match=words):
            samplers.index_list(value, 4, "f", CASE, "return ints")
    assert samplers.int_leaves({"n": 3, "path": [1, 0]})["path"].dtype == np.int64


def _sampler_spec():
    return FunctionSpec("sample", (Output("indices"),), inputs=("model", "rng"))


def test_seeded_draws_repeats_with_the_seed_and_tells_an_unused_generator():
    def sample(model, rng, max_length=3):
        return [int(rng.integers(1, 3)), 0]

    case = Case("tiny", {}, ({"w": np.ones(2)},))
    results, facts, changed = samplers.seeded_draws(sample, _sampler_spec(), case, 7, 5, 2, lambda r, c: r, 100, "")
    assert len(results) == 5 and facts == {"rng_used": True, "repeatable": True} and changed == []
    _, facts, _ = samplers.seeded_draws(lambda model, rng: [int(np.random.randint(1, 3)), 0], _sampler_spec(), case,
                                         7, 30, 30, lambda r, c: r, 100, "")
    assert not facts["rng_used"] and not facts["repeatable"]

    def in_place(model, rng):
        model["w"] += 1
        return [0]

    assert samplers.seeded_draws(in_place, _sampler_spec(), case, 7, 2, 1, lambda r, c: r, 100, "")[2] == ["model"]
    with pytest.raises(CheckFailure, match="more than 5 random draws in one call: runaway"):
        samplers.seeded_draws(lambda model, rng: [rng.random() for _ in range(9)], _sampler_spec(), case, 7, 1, 1,
                               lambda r, c: r, 5, "runaway")


SAMPLER = samplers.SequenceSampler("\nab", 0, 6, "draw with rng", "return ints", item="name", unit="character",
                                    stop_name="newline", repeats=3)


def test_sequence_sampler_observes_what_it_expects_and_names_each_known_bug():
    """A sampler that spells 'ab' then the newline; the same sampler with the bugs expected() names."""
    from graders.compare import matching_variant

    path, case = [1, 2, 0], Case("chain", {}, ({},))

    def spelling(model, rng, max_length=6, bug=None):
        rng.random()
        if bug == "not_fed_back":
            return [1] * max_length
        return (path * max_length)[:max_length] if bug == "no_stop" else list(path)

    expected, bugs = SAMPLER.expected(6, path)
    seen = SAMPLER.observe(spelling, _sampler_spec(), case, 3, 4, 6).leaves
    assert all(np.array_equal(seen[k], v) for k, v in expected.items())
    assert seen["first_two"][1, 2] == 4 and seen["first_two"].sum() == 4
    assert list(bugs)[:2] == [behaviour.generator_hint("draw with rng"), behaviour.repeat_hint("draw with rng")]
    for bug, words in (("not_fed_back", "feed the drawn character back"), ("no_stop", "stop as soon as the newline")):
        leaves = SAMPLER.observe(lambda m, rng: spelling(m, rng, bug=bug), _sampler_spec(), case, 3, 2, 6).leaves
        assert words in matching_variant(leaves, bugs, 0, 0)
    capped, capped_bugs = SAMPLER.expected(4, capped=True)
    assert capped["longest"] == capped["shortest"] == 4 and "first_name" not in capped
    assert [leaves["longest"] for leaves in list(capped_bugs.values())[2:]] == [3, 6]
    never_stops = SAMPLER.leaves([[1, 0, 2], [2, 1]], 2)
    assert (never_stops["too_long"], never_stops["newline_inside"], never_stops["unfinished"]) == (1, 1, 0)
    assert [paths for paths, _ in SAMPLER.pattern_hints][:3] == [("newline_inside",), ("unfinished",), ("too_long",)]


def test_sequence_sampler_checks_the_first_two_frequencies_and_margins():
    """Next-index distributions that ignore the prefix: P(i then j) = p_i p_j, the newline ends a name."""
    p = np.array([0.2, 0.5, 0.3])
    joint = SAMPLER.first_two_probabilities(lambda prefix: p, 6)
    assert np.allclose(joint[1:, :3], np.outer(p[1:], p)) and joint[0, 3] == 0.2 and np.isclose(joint.sum(), 1)
    assert np.allclose(SAMPLER.first_two_probabilities(lambda prefix: p, 1)[:, 3], p)  # max_length 1: one index
    check = SAMPLER.first_two_check(lambda case: joint, "names", ("first hint", "second hint"))
    case = Case("freq", {"names": 10_000})
    assert check({"first_two": np.rint(10_000 * joint)}, case) is None
    swapped = np.rint(10_000 * joint[[0, 2, 1]])
    problem, hint = check({"first_two": swapped}, case)
    assert problem.startswith("first characters: ") and " of 10000 names, about " in problem and hint == "first hint"
    pairs = np.rint(10_000 * np.vstack([joint[:1], joint[1:, [0, 2, 1, 3]]]))  # same first, other second
    problem, hint = check({"first_two": pairs}, case)
    assert problem.startswith("first two characters: 'a' then") and hint == "second hint"
    assert SAMPLER.labels == ["the newline", "'a'", "'b'"]
    certain = np.exp([[0.0, -50.0, -60.0], [-70.0, 0.0, -80.0]])  # log-gaps 50 then 70
    assert np.isclose(SAMPLER.path_margin(lambda prefix: certain[len(prefix)], [0, 1]), 50.0)


# --------------------------------------------------------------------------- planted vectors, a chosen item


def test_planted_vectors_sit_at_their_angles_and_rows():
    rng = np.random.default_rng(0)
    direction = rng.standard_normal(8)
    for cosine in (0.9, 0.0, -0.6):
        v = planted.vector_at_angle(direction, cosine, rng)
        assert np.isclose(np.linalg.norm(v), 1) and np.isclose(v @ planted.unit_vector(direction), cosine)
    E = planted.random_embeddings(rng, 50, 8)
    assert E.shape == (50, 8) and np.all((np.linalg.norm(E, axis=1) >= 0.5) & (np.linalg.norm(E, axis=1) <= 1.5))
    vectors = [np.full(8, 9.0), np.full(8, -9.0)]
    word_to_index, index_to_word, names = planted.plant_words(rng, E, vectors)
    assert len(set(names)) == 2 and all(np.array_equal(E[word_to_index[n]], v) for n, v in zip(names, vectors))
    assert index_to_word[:2] == ["w0000", "w0001"] and planted.synthetic_words(3)[0]["w0002"] == 2


def test_a_chosen_item_is_observed_by_position_and_checked_against_the_answer():
    spec = FunctionSpec("best", (Output("word"),), inputs=("words", "lookup"))
    words = ["cat", "dog", "emu"]
    case = Case("tiny", {}, (words, {w: i for i, w in enumerate(words)}), data={"answer": "dog",
                                                                               "bug_hints": {"cat": "the cat bug"}})
    seen = planted.observe_choice(lambda words, lookup: "dog", spec, case, 1, str, "a word (str)")
    assert seen.leaves["answer"] == 1 and seen.leaves["python_lines"] > 0
    assert planted.observe_choice(lambda w, l: "yak", spec, case, 1, str, "a word").leaves["answer"] == -1
    for returned, words_ in ((1, "a number"), (None, "did you forget a `return` statement"), ([], "one word")):
        with pytest.raises(CheckFailure, match=words_):
            planted.observe_choice(lambda w, l: returned, spec, case, 1, str, "a word (str)",
                                     (((int,), "a number"),), "one word")
    check = planted.choice_check("answer", 0)
    assert check({"answer": np.int64(1)}, case) is None
    assert check({"answer": np.int64(0)}, case) == ("returned 'cat', expected 'dog'", "the cat bug")
    assert check({"answer": np.int64(-1)}, case) == "returned a word that is not in the vocabulary, expected 'dog'"


def test_a_planted_question_names_its_answer_and_the_bug_behind_each_word():
    rng = np.random.default_rng(1)
    E = planted.random_embeddings(rng, 40, 6)
    question = [np.full(6, float(k)) for k in (1, 2, 3)]
    candidates = [(np.full(6, 7.0), None), (np.full(6, -7.0), "the reversed bug"), (np.full(6, 8.0), None)]
    (word_to_index, index_to_word, same_E), asked, answer, bug_hints = planted.plant_question(
        rng, E, question, candidates, "the input bug")
    assert same_E is E and len(asked) == 3 and len(set(asked) | {answer}) == 4
    assert [E[word_to_index[w]][0] for w in (*asked, answer)] == [1.0, 2.0, 3.0, 7.0]
    reversed_word = index_to_word[int(np.flatnonzero(E[:, 0] == -7.0)[0])]
    assert bug_hints == {reversed_word: "the reversed bug", **dict.fromkeys(asked, "the input bug")}
    assert list(bug_hints)[0] == reversed_word  # the candidates' bugs first, then the question's words


# --------------------------------------------------------------------------- case tables of tuples (spec), recorded inputs


def test_spread_table_cases_pass_each_entry_as_arguments_in_table_order():
    table = {"public": {"b": (2, "x"), "a": (1, "y")}, "hidden": {"c": (3, "z")}}
    build_cases = spread_table_cases(table, lambda name, n, s: Case(name, {"n": n}, (s * n,)))
    assert [(c.name, c.dims["n"], c.args) for c in build_cases("public")] == [("b", 2, ("xx",)), ("a", 1, ("y",))]
    assert [c.args for c in build_cases("hidden", record=object())] == [("zzz",)]


def test_recorded_cases_build_the_public_ones_once_and_the_hidden_ones_from_the_record():
    from graders import records

    built = []

    def public():
        built.append(1)
        return [Case("p", {})]

    build_cases = behaviour.recorded_cases(public, "q", lambda name, held: Case(name, {}, (int(held["n"]),)))
    first, again = build_cases("public"), build_cases("public", record=None)
    assert [c.name for c in first] == ["p"] and first[0] is again[0] and first is not again and built == [1]
    record = records.Record({records.fixture_key("q", "b", "n"): np.int64(2), records.fixture_key("q", "a", "n"): 1,
                             records.fixture_key("other", "c", "n"): 3})
    assert [(c.name, c.args) for c in build_cases("hidden", record)] == [("a", (1,)), ("b", (2,))]
    assert build_cases("hidden", records.Record({})) == [] and built == [1]
