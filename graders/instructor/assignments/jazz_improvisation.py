"""Known-wrong variants for 03 jazz_improvisation: bugs students really make."""

from graders import jazz_improvisation as g
from graders.instructor.assignments import Metric, Mutant

_PER_STEP = "create layers once, outside the loop, and call the same layer at every step"

MUTANTS = {
    "music_model": {
        "state_not_carried": Mutant(
            "lstm_cell(x, initial_state=[a, c])", "lstm_cell(x, initial_state=[a0, c0])", expect=g.STATE_HINT,
        ),
        "new_lstm_per_step": Mutant(
            "a, _, c = lstm_cell(x, initial_state=[a, c])",
            "a, _, c = keras.layers.LSTM(n_a, return_state=True)(x, initial_state=[a, c])",
            expect=_PER_STEP, category="structure",
        ),
        "initial_state_ignored": Mutant(
            "a, c = a0, c0", "a, c = keras.ops.zeros_like(a0), keras.ops.zeros_like(c0)",
            expect=g.INITIAL_STATE_HINT, category="ignored_argument",
        ),
        "outputs_not_stacked": Mutant(
            "Y_hat = keras.ops.stack(outputs, axis=1)", "Y_hat = outputs",
            expect="returns a list of", category="structure",
        ),
    },
    "music_inference_model": {
        "input_not_fed_back": Mutant(
            "x = keras.ops.expand_dims(x, axis=1)", "x = x0", expect=g.NOT_FED_BACK_HINT,
        ),
        "probabilities_fed_back": Mutant(
            "x = keras.ops.expand_dims(x, axis=1)", "x = keras.ops.expand_dims(probabilities, axis=1)",
            expect=g.PROBS_FED_BACK_HINT,
        ),
        "state_not_carried": Mutant(
            "lstm_cell(x, initial_state=[a, c])", "lstm_cell(x, initial_state=[a0, c0])", expect=g.STATE_HINT,
        ),
        "same_noise_every_step": Mutant("gumbel[:, t, :]", "gumbel[:, 0, :]", expect=g.NOISE_STEP_HINT),
        "noise_ignored": Mutant(" + temperature * gumbel[:, t, :]", "", expect=g.NOISE_IGNORED_HINT,
                                category="ignored_argument"),
        "temperature_ignored": Mutant("temperature * gumbel[:, t, :]", "gumbel[:, t, :]", expect=g.TEMPERATURE_HINT,
                                      category="ignored_argument"),
        "new_lstm_per_step": Mutant(
            "a, _, c = lstm_cell(x, initial_state=[a, c])",
            "a, _, c = keras.layers.LSTM(n_a, return_state=True)(x, initial_state=[a, c])",
            expect=_PER_STEP, category="structure",
        ),
        "probabilities_output": Mutant("chosen.append(x)", "chosen.append(probabilities)", expect=g.PROBS_OUT_HINT,
                                       category="degenerate"),
    },
    "predict_and_sample": {
        "global_random_state": Mutant(
            "rng.gumbel(size=(m, T_y, n_values))", "np.random.gumbel(size=(m, T_y, n_values))", expect=g.RNG_HINT,
            category="ignored_argument",
        ),
        "one_hot_depth_from_data": Mutant(
            "np.eye(n_values)[indices]", "np.eye(indices.max() + 1)[indices]", expect=g.DEPTH_HINT,
            category="structure",
        ),
        "argmax_wrong_axis": Mutant(
            "np.argmax(chosen, axis=-1)", "np.argmax(chosen, axis=1)", expect=g.AXIS_HINT, category="structure",
        ),
        "initial_states_swapped": Mutant("[x0, a0, c0, gumbel]", "[x0, c0, a0, gumbel]", expect=g.FED_ORDER_HINT,
                                         category="structure"),
        "initial_states_zero": Mutant("[x0, a0, c0, gumbel]", "[x0, np.zeros_like(a0), np.zeros_like(c0), gumbel]",
                                      expect="the model's input a0 is all zeros", category="ignored_argument"),
        "noise_not_passed": Mutant(
            "[x0, a0, c0, gumbel]", "[x0, a0, c0, np.zeros_like(gumbel)]", expect=g.NOISE_NOT_PASSED_HINT,
            category="degenerate",
        ),
    },
}

# the bug the class test submits: predict_and_sample is called by no other graded function
CLASS_BUG = ('predict_and_sample', 'global_random_state')

BENCH_METRICS = [
    Metric("training loss drop from the first epoch", "loss_drop", ">= 0.90", lambda v, _: v >= 0.90),
    Metric("improvised melody: distinct values", "len(set(improvised))", "> 1 (not a single repeated value)",
           lambda v, _: v > 1),
    Metric("improvised melody: share of distinct values", "distinct_share", "reported", lambda v, _: True),
    Metric("improvised melody: entropy of the values (bits)", "entropy_bits", "reported; > 0",
           lambda v, _: v > 0),
]
