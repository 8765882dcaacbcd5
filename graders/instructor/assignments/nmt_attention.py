"""Known-wrong variants for 09 nmt_attention: bugs students really make."""

from graders import nmt_attention as g
from graders.instructor.assignments import Metric, Mutant

_PER_STEP = "create layers once, outside the loop, and call the same layer at every step"

MUTANTS = {
    "one_step_attention": {
        "softmax_over_last_axis": Mutant("keras.ops.softmax(energies, axis=1)", "keras.ops.softmax(energies, axis=-1)",
                                         expect=g.HINT_AXIS),
        "concatenated_state_first": Mutant("[a, s_repeated]", "[s_repeated, a]", expect=g.HINT_ORDER),
        "state_not_used": Mutant("[a, s_repeated]", "[a, keras.ops.zeros_like(s_repeated)]",
                                 expect=g.HINT_STATE_IGNORED, category="ignored_argument"),
        "no_tanh": Mutant("densor2(keras.ops.tanh(densor1(concat)))", "densor2(densor1(concat))",
                          expect=g.HINT_NO_TANH),
        "relu_for_tanh": Mutant("keras.ops.tanh(", "keras.ops.relu(", expect=g.HINT_RELU),
        "context_without_weights": Mutant("keras.ops.sum(alphas * a, axis=1, keepdims=True)",
                                          "keras.ops.sum(a, axis=1, keepdims=True)", expect=g.HINT_UNWEIGHTED,
                                          category="degenerate"),
        "context_without_time_axis": Mutant("keepdims=True", "keepdims=False", expect=g.HINT_CONTEXT_SHAPE,
                                            category="structure"),
        "own_energy_layer": Mutant("densor1(concat)", "keras.layers.Dense(densor1.units)(concat)",
                                   expect="densor1 is not used: " + g.HINT_GIVEN_LAYERS, category="structure"),
    },
    "nmt_model": {
        "state_not_carried": Mutant("initial_state=[s, c]", "initial_state=[s0, c0]", expect=g.HINT_CARRY),
        "initial_state_ignored": Mutant("s, c = s0, c0", "s, c = keras.ops.zeros_like(s0), keras.ops.zeros_like(c0)",
                                        expect=g.HINT_START, category="ignored_argument"),
        "states_unpacked_in_wrong_order": Mutant("s, _, c = layers", "s, c, _ = layers", expect=g.HINT_UNPACK),
        "attention_reads_s0": Mutant("one_step_attention(a, s,", "one_step_attention(a, s0,", expect=g.HINT_ATTEND_S0),
        "output_layer_per_step": Mutant(
            'outputs.append(layers["output"](s))',
            'outputs.append(keras.layers.Dense(layers["output"].units, activation="softmax")(s))',
            expect=_PER_STEP, category="structure"),
        "post_attention_lstm_per_step": Mutant(
            'layers["post_attention"](context,', 'keras.layers.LSTM(n_s, return_state=True)(context,',
            expect=_PER_STEP, category="structure"),
        "attention_stacked_on_last_axis": Mutant("keras.ops.stack(weights, axis=1)", "keras.ops.stack(weights, axis=2)",
                                                 expect=g.HINT_ATTENTION_SHAPE, category="structure"),
    },
}

# the bug the class test submits: nmt_model is called by no other graded function
CLASS_BUG = ("nmt_model", "state_not_carried")

BENCH_METRICS = [
    Metric("held-out exact match (1,000 unseen dates)", "exact_match", ">= 0.995", lambda v, _: v >= 0.995),
    Metric("worst format's held-out exact match", "min(r.mean() for r in per_format.values())", "reported",
           lambda v, _: True),
    Metric("training time (s)", "training_seconds", "reported (<= 600 on 2 cores)", lambda v, _: True),
]
