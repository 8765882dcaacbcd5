"""Checks for notebook 03, jazz_improvisation: an LSTM that improvises a melody (Keras functional API).

Every check is behaviour-based, with weights injected from a seeded numpy
generator, so any correct way to write a model passes and nothing depends on
Keras's random numbers or private attributes:

- music_model: the grader builds the shared layers with known weights and
  passes them in. The model's outputs must equal those of a trusted oracle,
  ``keras.layers.LSTM(return_sequences=True)`` run over the whole sequence with
  the same weights, followed by the same Dense layer. The parameter count must
  be that of one LSTM and one Dense (layers shared, not created per step).
- music_inference_model: the values it chooses must equal those of an oracle
  that re-runs the LSTM over the whole prefix of chosen values at every step
  (slow, and different from the step-by-step code a student writes).
- predict_and_sample: a stand-in inference model whose choice is known; the
  noise must come from the given generator.

When the outputs are wrong, the check replays the same oracle with a known
bug (state reset every step, input never fed back, noise ignored, ...) and
names the bug whose outputs match.
"""

import numpy as np

from graders import core

ASSIGNMENT = "03_jazz_improvisation"
GRADER = core.Assignment(ASSIGNMENT)
ATOL = 1e-5  # Keras computes in float32
_KERNEL_SCALE = 0.6  # LSTM weights: large enough that the gates leave their linear range
_DENSE_SCALE = 2.0  # Dense weights: sharp softmax outputs, so choices are far from ties

SHARED_HINT = ("create no layer inside the loop: call the lstm_cell and densor you were given at every step, "
               "so all T_x steps share one set of weights")
STATE_HINT = "the state is not carried: each step's initial_state must be the a and c returned by the step before"
INITIAL_STATE_HINT = "the first step must start from the inputs a0 and c0 (initial_state=[a0, c0])"
STACK_HINT = "stack the per-step outputs into one tensor: keras.ops.stack(outputs, axis=1)"
NOT_FED_BACK_HINT = "the input never changes: feed the one-hot of the value just chosen back as the next x"
PROBS_FED_BACK_HINT = ("the probabilities are fed back: the next input must be the one-hot of the chosen value "
                       "(keras.ops.one_hot(index, n_values)), not the softmax output")
NOISE_IGNORED_HINT = ("the choice ignores the noise: add temperature * gumbel[:, t, :] to the log-probabilities "
                      "before the argmax")
NOISE_STEP_HINT = "every step uses the noise of the first step: use gumbel[:, t, :] at step t"
RNG_HINT = "draw the noise with the rng argument (rng.gumbel), never with np.random"
DEPTH_HINT = "the one-hot depth must be n_values = x0.shape[-1] (the vocabulary), whatever values were chosen"
AXIS_HINT = "take the argmax over the last axis (the values): np.argmax(..., axis=-1)"


def _keras():
    import keras  # imported on first use: TensorFlow takes seconds to load

    return keras


def _numpy(tensor):
    return np.asarray(_keras().ops.convert_to_numpy(tensor))


# --------------------------------------------------------------------------- shared layers with known weights


def make_layers(n_a, n_values, seed):
    """reshaper, lstm_cell, densor as the notebook creates them, with weights from a seeded generator."""
    keras = _keras()
    rng = np.random.default_rng(seed)
    reshaper = keras.layers.Reshape((1, n_values))
    lstm_cell = keras.layers.LSTM(n_a, return_state=True)
    densor = keras.layers.Dense(n_values, activation="softmax")
    lstm_cell.build((None, 1, n_values))
    densor.build((None, n_a))
    lstm_cell.set_weights([
        (rng.standard_normal((n_values, 4 * n_a)) * _KERNEL_SCALE).astype(np.float32),  # kernel
        (rng.standard_normal((n_a, 4 * n_a)) * _KERNEL_SCALE).astype(np.float32),  # recurrent kernel
        (rng.standard_normal(4 * n_a) * 0.3).astype(np.float32),  # bias, gates i f c o
    ])
    densor.set_weights([
        (rng.standard_normal((n_a, n_values)) * _DENSE_SCALE).astype(np.float32),
        (rng.standard_normal(n_values) * 0.3).astype(np.float32),
    ])
    return reshaper, lstm_cell, densor


def _sequence_oracle(lstm_cell, n_a, return_sequences):
    """A plain keras.layers.LSTM over whole sequences, with the weights of lstm_cell (the trusted oracle)."""
    layer = _keras().layers.LSTM(n_a, return_sequences=return_sequences)
    kernel = lstm_cell.get_weights()[0]
    layer.build((None, None, kernel.shape[0]))
    layer.set_weights(lstm_cell.get_weights())
    return layer


def _random_one_hot(rng, shape, n_values):
    return np.eye(n_values, dtype=np.float32)[rng.integers(0, n_values, size=shape)]


def _expected_params(lstm_cell, densor):
    return lstm_cell.count_params() + densor.count_params()


def _check_model_object(model, func_name, case, n_inputs, lstm_cell, densor):
    keras = _keras()
    if not isinstance(model, keras.Model):
        core.fail(func_name, case, f"expected a keras.Model, got {core.type_name(model)}",
                  "hint:   end with `return keras.Model(inputs=[...], outputs=...)`" if model is not None else
                  "hint:   did you forget the `return` statement?")
    if len(model.inputs) != n_inputs:
        core.fail(func_name, case, f"the model has {len(model.inputs)} inputs, expected {n_inputs}",
                  "hint:   the inputs are, in order, " + ("[X, a0, c0]" if n_inputs == 3 else "[x0, a0, c0, gumbel]"))
    expected, got = _expected_params(lstm_cell, densor), model.count_params()
    if got != expected:
        core.fail(func_name, case,
                  f"the model has {got} parameters, expected {expected}: one LSTM ({lstm_cell.count_params()}) "
                  f"and one Dense ({densor.count_params()}) shared by every time step",
                  f"hint:   {SHARED_HINT}" if got > expected else
                  "hint:   use the lstm_cell and densor you were given")


def _run_model(model, inputs, func_name, case):
    try:
        out = model(inputs, training=False)
    except Exception as err:  # student models fail in many ways; report with the case
        core.fail(func_name, case, f"calling the model raised {type(err).__name__}: {str(err)[:300]}",
                  "hint:   build and call your model in the quick-look cell to see where it breaks")
    if isinstance(out, (list, tuple)):
        core.fail(func_name, case, f"the model returns a list of {len(out)} tensors, expected one tensor",
                  f"hint:   {STACK_HINT}")
    return _numpy(out)


# --------------------------------------------------------------------------- music_model

_MODEL_SIZES = {
    "public": {"small": dict(T_x=4, n_a=5, n_values=7, m=3, seed=1),
               "long_narrow": dict(T_x=7, n_a=3, n_values=4, m=2, seed=2)},
    "hidden": {"wide": dict(T_x=5, n_a=8, n_values=11, m=4, seed=101),
               "one_example": dict(T_x=6, n_a=4, n_values=5, m=1, seed=102)},
}


def _model_case(name, s):
    """Case and inputs: X (m, T_x, n_values) one-hot, a0 and c0 (m, n_a) nonzero."""
    rng = np.random.default_rng(s["seed"] + 1000)
    X = _random_one_hot(rng, (s["m"], s["T_x"]), s["n_values"])
    a0 = (rng.standard_normal((s["m"], s["n_a"])) * 0.8).astype(np.float32)
    c0 = (rng.standard_normal((s["m"], s["n_a"])) * 0.8).astype(np.float32)
    dims = {k: s[k] for k in ("T_x", "n_a", "n_values", "m")}
    return core.Case(name, dims), X, a0, c0


def _model_oracles(X, a0, c0, lstm_cell, densor, n_a):
    """Expected outputs (m, T_x, n_values), and those of known bugs."""
    m, T_x, n_values = X.shape
    sequence = _sequence_oracle(lstm_cell, n_a, return_sequences=True)
    outputs = {"correct": _numpy(densor(sequence(X, initial_state=[a0, c0])))}
    zeros = np.zeros_like(a0)
    outputs[INITIAL_STATE_HINT] = _numpy(densor(sequence(X, initial_state=[zeros, zeros])))
    steps = X.reshape(m * T_x, 1, n_values)  # every step on its own, from (a0, c0)
    reset = sequence(steps, initial_state=[np.repeat(a0, T_x, axis=0), np.repeat(c0, T_x, axis=0)])
    outputs[STATE_HINT] = _numpy(densor(reset)).reshape(m, T_x, n_values)
    return outputs


def _check_music_model(func, suite):
    core.check_callable(func, "music_model")
    for name, s in _MODEL_SIZES[suite].items():
        case, X, a0, c0 = _model_case(name, s)
        reshaper, lstm_cell, densor = make_layers(s["n_a"], s["n_values"], s["seed"])
        call = core.Case(name, case.dims, (s["T_x"], s["n_a"], s["n_values"], reshaper, lstm_cell, densor))
        model = core.call_student(func, "music_model", call, copy_inputs=False)
        _check_model_object(model, "music_model", case, 3, lstm_cell, densor)
        got = _run_model(model, [X, a0, c0], "music_model", case)
        oracles = _model_oracles(X, a0, c0, lstm_cell, densor, s["n_a"])
        expected = oracles.pop("correct")
        if got.shape != expected.shape:
            core.fail("music_model", case, f"output shape {got.shape}, expected {expected.shape} (m, T_x, n_values)",
                      f"hint:   {STACK_HINT}")
        if not np.allclose(got, expected, atol=ATOL, rtol=0):
            bad = np.argwhere(~np.isclose(got, expected, atol=ATOL, rtol=0))[0]
            hint = next((h for h, out in oracles.items() if np.allclose(got, out, atol=ATOL, rtol=0)),
                        "at each step: slice step t of X, reshape it, one lstm_cell step from the previous "
                        "state, then densor on the new a")
            where = (f"first at {core.fmt_index(bad)} (example, step, value): "
                     + (f"expected {core.fmt_number(expected[tuple(bad)])}, " if suite == "public" else "")
                     + f"got {core.fmt_number(got[tuple(bad)])}")
            core.fail("music_model", case, f"output: shape {got.shape} as expected",
                      f"values: {int(np.sum(~np.isclose(got, expected, atol=ATOL, rtol=0)))} of {got.size} "
                      f"entries differ (tolerance {ATOL:.0e})", f"        {where}", f"hint:   {hint}")
    print(f"music_model: all {len(_MODEL_SIZES[suite])} {suite} cases passed")


def _preview_music_model(func):
    name, s = next(iter(_MODEL_SIZES["public"].items()))
    case, X, a0, c0 = _model_case(name, s)
    reshaper, lstm_cell, densor = make_layers(s["n_a"], s["n_values"], s["seed"])
    print(f"music_model on {case.describe()}:")
    try:
        model = func(s["T_x"], s["n_a"], s["n_values"], reshaper, lstm_cell, densor)
        got = _numpy(model([X, a0, c0], training=False))
        print(f"  parameters   yours    {model.count_params()}")
        print(f"  output[0, :, 0] yours {core.fmt_preview(got[0, :, 0])}  (shape {got.shape})")
    except NotImplementedError:
        print("  not implemented yet")
    except Exception as err:  # a quick look reports, it does not grade
        print(f"  raised {type(err).__name__}: {str(err)[:300]}")
    expected = _model_oracles(X, a0, c0, lstm_cell, densor, s["n_a"])["correct"]
    print(f"  parameters   expected {_expected_params(lstm_cell, densor)}")
    print(f"  output[0, :, 0] expected {core.fmt_preview(expected[0, :, 0])}  (shape {expected.shape})")


# --------------------------------------------------------------------------- music_inference_model

_INFERENCE_SIZES = {
    "public": {"greedy": dict(T_y=5, n_a=4, n_values=6, m=3, temperature=0.0, seed=11),
               "warm": dict(T_y=6, n_a=5, n_values=5, m=2, temperature=1.0, seed=12)},
    "hidden": {"hot": dict(T_y=7, n_a=6, n_values=8, m=3, temperature=1.5, seed=111),
               "greedy_single": dict(T_y=4, n_a=3, n_values=7, m=1, temperature=0.0, seed=112)},
}


def _inference_case(name, s):
    """Case and inputs: x0 (m, 1, n_values) one-hot, a0, c0 (m, n_a), gumbel (m, T_y, n_values)."""
    rng = np.random.default_rng(s["seed"] + 1000)
    x0 = _random_one_hot(rng, (s["m"], 1), s["n_values"])
    a0 = (rng.standard_normal((s["m"], s["n_a"])) * 0.8).astype(np.float32)
    c0 = (rng.standard_normal((s["m"], s["n_a"])) * 0.8).astype(np.float32)
    gumbel = rng.gumbel(size=(s["m"], s["T_y"], s["n_values"])).astype(np.float32)
    dims = {k: s[k] for k in ("T_y", "n_a", "n_values", "m", "temperature")}
    return core.Case(name, dims), x0, a0, c0, gumbel


def play(lstm_cell, densor, n_a, x0, a0, c0, gumbel, temperature, feed="choice", carry=True, noise_step=None):
    """Oracle: the one-hot values an inference model chooses, (m, T_y, n_values).

    Re-runs a sequence LSTM over the whole prefix of inputs at every step (it
    carries the state by construction). The keywords replay known bugs:
    feed "x0" (input never changes) or "probabilities" (softmax fed back),
    carry=False (every step from a0, c0), noise_step=0 (one noise row for all).
    """
    m, T_y, n_values = gumbel.shape
    sequence = _sequence_oracle(lstm_cell, n_a, return_sequences=False)
    eye = np.eye(n_values, dtype=np.float32)
    inputs = [x0[:, 0, :]]  # (m, n_values) each
    chosen = []
    for t in range(T_y):
        xs = np.stack(inputs, axis=1) if carry else inputs[-1][:, None, :]  # (m, t + 1 or 1, n_values)
        probabilities = _numpy(densor(sequence(xs, initial_state=[a0, c0])))  # (m, n_values)
        noise = gumbel[:, t if noise_step is None else noise_step, :]
        with np.errstate(divide="ignore"):
            scores = np.log(probabilities) + np.float32(temperature) * noise
        choice = eye[np.argmax(scores, axis=-1)]
        chosen.append(choice)
        inputs.append({"choice": choice, "x0": x0[:, 0, :], "probabilities": probabilities}[feed])
    return np.stack(chosen, axis=1)


_INFERENCE_BUGS = (
    (NOT_FED_BACK_HINT, dict(feed="x0")),
    (PROBS_FED_BACK_HINT, dict(feed="probabilities")),
    (STATE_HINT, dict(carry=False)),
    (NOISE_IGNORED_HINT, dict(temperature=0.0)),
    (NOISE_STEP_HINT, dict(noise_step=0)),
)


def _check_music_inference_model(func, suite):
    core.check_callable(func, "music_inference_model")
    for name, s in _INFERENCE_SIZES[suite].items():
        case, x0, a0, c0, gumbel = _inference_case(name, s)
        _, lstm_cell, densor = make_layers(s["n_a"], s["n_values"], s["seed"])
        call = core.Case(name, case.dims, (s["T_y"], s["n_a"], s["n_values"], lstm_cell, densor),
                         {"temperature": s["temperature"]})
        model = core.call_student(func, "music_inference_model", call, copy_inputs=False)
        _check_model_object(model, "music_inference_model", case, 4, lstm_cell, densor)
        got = _run_model(model, [x0, a0, c0, gumbel], "music_inference_model", case)
        shape = (s["m"], s["T_y"], s["n_values"])
        if got.shape != shape:
            core.fail("music_inference_model", case, f"output shape {got.shape}, expected {shape} (m, T_y, n_values)",
                      f"hint:   {STACK_HINT}, one one-hot row per step")
        if not (np.all((got == 0) | (got == 1)) and np.all(got.sum(axis=-1) == 1)):
            core.fail("music_inference_model", case, "every output row must be one-hot (a single 1, zeros elsewhere)",
                      f"got output[0, 0] = {core.fmt_preview(got[0, 0], s['n_values'])}",
                      "hint:   output the chosen values, keras.ops.one_hot(index, n_values), not the probabilities")
        args = (lstm_cell, densor, s["n_a"], x0, a0, c0, gumbel, s["temperature"])
        expected = play(*args)
        if not np.array_equal(got, expected):
            got_ix, exp_ix = got.argmax(-1), expected.argmax(-1)
            hint = "at each step: LSTM step, densor, argmax of log(p) + temperature * noise, feed its one-hot back"
            for bug_hint, bug in _INFERENCE_BUGS:
                bug = dict(bug)  # a copy: pop must not change the table
                bug_args = args[:-1] + (bug.pop("temperature", s["temperature"]),)
                if np.array_equal(got, play(*bug_args, **bug)):
                    hint = bug_hint
                    break
            first = np.argwhere(got_ix != exp_ix)[0]
            shown = f"expected {exp_ix[first[0]].tolist()}, " if suite == "public" else ""
            core.fail("music_inference_model", case,
                      f"example {int(first[0])} chose different values from step {int(first[1])} on",
                      f"chosen indices: {shown}got {got_ix[first[0]].tolist()}", f"hint:   {hint}")
    print(f"music_inference_model: all {len(_INFERENCE_SIZES[suite])} {suite} cases passed")


def _preview_music_inference_model(func):
    name, s = next(iter(_INFERENCE_SIZES["public"].items()))
    case, x0, a0, c0, gumbel = _inference_case(name, s)
    _, lstm_cell, densor = make_layers(s["n_a"], s["n_values"], s["seed"])
    print(f"music_inference_model on {case.describe()}:")
    try:
        model = func(s["T_y"], s["n_a"], s["n_values"], lstm_cell, densor, temperature=s["temperature"])
        got = _numpy(model([x0, a0, c0, gumbel], training=False))
        print(f"  chosen indices yours    {got.argmax(-1).tolist()}  (output shape {got.shape})")
    except NotImplementedError:
        print("  not implemented yet")
    except Exception as err:  # a quick look reports, it does not grade
        print(f"  raised {type(err).__name__}: {str(err)[:300]}")
    expected = play(lstm_cell, densor, s["n_a"], x0, a0, c0, gumbel, s["temperature"])
    print(f"  chosen indices expected {expected.argmax(-1).tolist()}  (output shape {expected.shape})")


# --------------------------------------------------------------------------- predict_and_sample

_SAMPLE_SIZES = {
    "public": {"stand_in": dict(m=2, T_y=5, n_values=6, n_a=3, seed=21)},
    "hidden": {"stand_in_wide": dict(m=3, T_y=7, n_values=9, n_a=4, seed=121)},
}


def stand_in_model(T_y, n_a, n_values):
    """An inference model whose choice is known: the one-hot of argmax(gumbel), never the last value.

    Inputs [x0 (m, 1, n_values), a0 (m, n_a), c0 (m, n_a), gumbel (m, T_y, n_values)], like the real one.
    """
    keras = _keras()
    x0 = keras.Input(shape=(1, n_values))
    a0 = keras.Input(shape=(n_a,))
    c0 = keras.Input(shape=(n_a,))
    gumbel = keras.Input(shape=(T_y, n_values))
    never_last = np.zeros(n_values, dtype=np.float32)
    never_last[-1] = -1e9  # so a one-hot depth taken from the largest chosen index comes out too small
    chosen = keras.ops.one_hot(keras.ops.argmax(gumbel + never_last, axis=-1), n_values)  # (m, T_y, n_values)
    unused = keras.ops.sum(x0) + keras.ops.sum(a0) + keras.ops.sum(c0)  # every input takes part
    return keras.Model([x0, a0, c0, gumbel], chosen + 0.0 * unused)


def _sample_expected(s):
    gumbel = np.random.default_rng(s["seed"]).gumbel(size=(s["m"], s["T_y"], s["n_values"]))
    gumbel[..., -1] = -np.inf
    indices = gumbel.argmax(axis=-1)
    return indices, np.eye(s["n_values"])[indices]


def _sample_call(func, name, s, case):
    model = stand_in_model(s["T_y"], s["n_a"], s["n_values"])
    x0 = np.zeros((s["m"], 1, s["n_values"]), dtype=np.float32)
    a0 = np.zeros((s["m"], s["n_a"]), dtype=np.float32)
    call = core.Case(name, case.dims, (model, x0, a0, a0.copy(), s["T_y"], np.random.default_rng(s["seed"])))
    result = core.call_student(func, "predict_and_sample", call, copy_inputs=False)
    named = core.split_outputs(result, core.FunctionSpec("predict_and_sample", (core.Output("indices"),
                                                                                  core.Output("results"))), case)
    for key in ("indices", "results"):
        if not isinstance(named[key], np.ndarray):
            core.fail("predict_and_sample", case, f"output {key}: expected a numpy ndarray, "
                      f"got {core.type_name(named[key])}", "hint:   convert with np.asarray(...)")
    return named["indices"], named["results"]


def _check_predict_and_sample(func, suite):
    core.check_callable(func, "predict_and_sample")
    for name, s in _SAMPLE_SIZES[suite].items():
        case = core.Case(name, {k: s[k] for k in ("m", "T_y", "n_values")})
        indices, results = _sample_call(func, name, s, case)
        exp_indices, exp_results = _sample_expected(s)
        if indices.shape != exp_indices.shape:
            hint = AXIS_HINT if indices.shape in {(s["m"], s["n_values"]), (s["T_y"], s["n_values"])} else \
                "one index per example and step: shape (m, T_y)"
            core.fail("predict_and_sample", case, f"output indices: shape {indices.shape}, "
                      f"expected {exp_indices.shape} (m, T_y)", f"hint:   {hint}")
        if indices.dtype.kind not in "iu":
            core.fail("predict_and_sample", case, f"output indices: dtype {indices.dtype}, expected integers",
                      "hint:   np.argmax returns integers; do not convert them to floats")
        if results.shape != exp_results.shape:
            hint = DEPTH_HINT if results.shape[:-1] == exp_results.shape[:-1] else \
                "results holds one one-hot row per index: shape (m, T_y, n_values)"
            core.fail("predict_and_sample", case, f"output results: shape {results.shape}, "
                      f"expected {exp_results.shape} (m, T_y, n_values)", f"hint:   {hint}")
        if not np.array_equal(indices, exp_indices):
            again, _ = _sample_call(func, name, s, case)
            hint = RNG_HINT if not np.array_equal(indices, again) else \
                "draw the noise with one call rng.gumbel(size=(m, T_y, n_values)) and pass it as the 4th input"
            core.fail("predict_and_sample", case, "the indices are not the values the model chose",
                      f"first row: expected {exp_indices[0].tolist()}, got {indices[0].tolist()}"
                      if suite == "public" else f"first row: got {indices[0].tolist()}", f"hint:   {hint}")
        if not np.array_equal(np.asarray(results, dtype=float), exp_results):
            core.fail("predict_and_sample", case, "results must be the one-hot encoding of indices",
                      "hint:   np.eye(n_values)[indices] or keras.utils.to_categorical(indices, n_values)")
    print(f"predict_and_sample: all {len(_SAMPLE_SIZES[suite])} {suite} cases passed")


def _preview_predict_and_sample(func):
    name, s = next(iter(_SAMPLE_SIZES["public"].items()))
    case = core.Case(name, {k: s[k] for k in ("m", "T_y", "n_values")})
    print(f"predict_and_sample on {case.describe()}:")
    try:
        indices, results = _sample_call(func, name, s, case)
        print(f"  indices yours    {np.asarray(indices).tolist()}  results shape {np.shape(results)}")
    except core.CheckFailure as failure:
        print("  " + str(failure).split("\n", 1)[-1].strip())
    exp_indices, exp_results = _sample_expected(s)
    print(f"  indices expected {exp_indices.tolist()}  results shape {exp_results.shape}")


# --------------------------------------------------------------------------- registry

GRADER.add(core.FunctionSpec(name="music_model", outputs=(core.Output("model"),)), None,
           check=_check_music_model, preview=_preview_music_model)
GRADER.add(core.FunctionSpec(name="music_inference_model", outputs=(core.Output("model"),)), None,
           check=_check_music_inference_model, preview=_preview_music_inference_model)
GRADER.add(core.FunctionSpec(name="predict_and_sample", outputs=(core.Output("indices"), core.Output("results"))),
           None, check=_check_predict_and_sample, preview=_preview_predict_and_sample)


# --------------------------------------------------------------------------- test-cell entry points


def check_music_model(music_model, suite="public"):
    """Graded check of music_model(T_x, n_a, n_values, reshaper, lstm_cell, densor): outputs, shared weights."""
    return GRADER.check("music_model", music_model, suite)


def check_music_inference_model(music_inference_model, suite="public"):
    """Graded check of music_inference_model(T_y, n_a, n_values, lstm_cell, densor, temperature)."""
    return GRADER.check("music_inference_model", music_inference_model, suite)


def check_predict_and_sample(predict_and_sample, suite="public"):
    """Graded check of predict_and_sample(inference_model, x0, a0, c0, T_y, rng)."""
    return GRADER.check("predict_and_sample", predict_and_sample, suite)


def preview(func_name, func):
    """Quick look: the student's outputs beside the expected ones on the first public case."""
    GRADER.preview(func_name, func)
