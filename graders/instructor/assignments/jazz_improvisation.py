"""Known-wrong variants for 03 jazz_improvisation: bugs students really make."""

from graders import jazz_improvisation as g
from graders.instructor.known_wrong import Mutant

MUTANTS = {
    "music_model": {
        "state_not_carried": Mutant(
            "lstm_cell(x, initial_state=[a, c])", "lstm_cell(x, initial_state=[a0, c0])", expect=g.STATE_HINT,
        ),
        "new_lstm_per_step": Mutant(
            "a, _, c = lstm_cell(x, initial_state=[a, c])",
            "a, _, c = keras.layers.LSTM(n_a, return_state=True)(x, initial_state=[a, c])",
            expect=g.SHARED_HINT,
        ),
        "initial_state_ignored": Mutant(
            "a, c = a0, c0", "a, c = keras.ops.zeros_like(a0), keras.ops.zeros_like(c0)",
            expect=g.INITIAL_STATE_HINT,
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
        "noise_ignored": Mutant(" + temperature * gumbel[:, t, :]", "", expect=g.NOISE_IGNORED_HINT),
        "same_noise_every_step": Mutant("gumbel[:, t, :]", "gumbel[:, 0, :]", expect=g.NOISE_STEP_HINT),
        "new_lstm_per_step": Mutant(
            "a, _, c = lstm_cell(x, initial_state=[a, c])",
            "a, _, c = keras.layers.LSTM(n_a, return_state=True)(x, initial_state=[a, c])",
            expect=g.SHARED_HINT,
        ),
    },
    "predict_and_sample": {
        "global_random_state": Mutant(
            "rng.gumbel(size=(m, T_y, n_values))", "np.random.gumbel(size=(m, T_y, n_values))", expect=g.RNG_HINT,
        ),
        "one_hot_depth_from_data": Mutant(
            "np.eye(n_values)[indices]", "np.eye(indices.max() + 1)[indices]", expect=g.DEPTH_HINT,
        ),
        "argmax_wrong_axis": Mutant(
            "np.argmax(chosen, axis=-1)", "np.argmax(chosen, axis=1)", expect=g.AXIS_HINT,
        ),
    },
}
