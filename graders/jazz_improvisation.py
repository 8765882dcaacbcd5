"""Checks for notebook 03, jazz_improvisation: an LSTM that improvises a melody (Keras functional API).

Every function is graded by behaviour (graders.behaviour), with weights
injected from a seeded numpy generator, so any correct way to write a model
passes and nothing depends on Keras's random numbers or private attributes:

- music_model: the model built around the given layers must output what a
  trusted oracle outputs, ``keras.layers.LSTM(return_sequences=True)`` over the
  whole sequence with the same weights, then the same Dense layer; and hold the
  parameters of one LSTM and one Dense layer (shared by every step).
- music_inference_model: the values it chooses must be those of an oracle that
  re-runs the LSTM over the whole prefix of chosen values at every step (slow,
  and unlike the step-by-step code a student writes). The choices are compared
  exactly, so every case keeps its best score at least MIN_MARGIN above the
  second best (`margin`).
- predict_and_sample: a stand-in inference model whose choice is known; the
  noise must come from the given generator, and only from it.

When outputs are wrong, the oracle is replayed with each known bug (state
reset every step, input never fed back, noise ignored, ...) to name it.
Batch-first layout: X (m, T_x, n_values), a0 and c0 (m, n_a).
"""

import numpy as np

from graders import behaviour
from graders.assignment import Assignment
from graders.compare import top2_margin
from graders import probe
from graders.probe import Observation
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output, Property

GRADER = Assignment.of_module(__name__)
_LSTM_SCALES = (0.6, 0.6, 0.3)  # kernel, recurrent kernel, bias: the gates leave their linear range
_DENSE_SCALES = (2.0, 0.3)  # kernel, bias: sharp softmax outputs, so choices are far from ties
_STATE_SCALE = 0.8  # a0, c0: nonzero, so a model that ignores them is caught

STATE_HINT = "the state is not carried: each step's initial_state must be the a and c returned by the step before"
INITIAL_STATE_HINT = "the first step must start from the inputs a0 and c0 (initial_state=[a0, c0])"
NOT_FED_BACK_HINT = "the input never changes: feed the one-hot of the value just chosen back as the next x"
PROBS_FED_BACK_HINT = ("the probabilities are fed back: the next input must be the one-hot of the chosen value "
                       "(keras.ops.one_hot(index, n_values)), not the softmax output")
PROBS_OUT_HINT = "the model outputs probabilities: output the one-hot of the value chosen at each step"
NOISE_IGNORED_HINT = ("the choice ignores the noise: add temperature * gumbel[:, t, :] to the log-probabilities "
                      "before the argmax")
TEMPERATURE_HINT = "the temperature is ignored: scale the noise, temperature * gumbel[:, t, :]"
NOISE_STEP_HINT = "every step uses the noise of the first step: use gumbel[:, t, :] at step t"
RNG_DRAWS = "draw the noise (rng.gumbel(size=(m, T_y, n_values)))"
RNG_HINT = behaviour.generator_hint(RNG_DRAWS)
DEPTH_HINT = "the one-hot depth must be n_values = x0.shape[-1] (the vocabulary), whatever values were chosen"
NOISE_NOT_PASSED_HINT = "the noise never reaches the model: pass the gumbel drawn from rng as its 4th input"
AXIS_HINT = "take the argmax over the last axis (the values): np.argmax(..., axis=-1)"
FED_ORDER_HINT = "the inference model takes [x0, a0, c0, noise] in this order: pass the x0, a0, c0 you were given"
FED = ("x0", "a0", "c0", "noise")  # the inference model's inputs, in order


def make_layers(case):
    """reshaper, lstm_cell (return_state=True), densor (softmax) as the notebook makes them.

    Their weights come from a generator seeded with case.data["seed"], so the
    student's model (in the kernel) and the oracle (in the judge) share them.
    """
    import keras

    n_a, n_values = case.dims["n_a"], case.dims["n_values"]
    rng = np.random.default_rng(case.data["seed"])
    lstm_cell = behaviour.inject_weights(keras.layers.LSTM(n_a, return_state=True), (None, 1, n_values), rng,
                                         _LSTM_SCALES)
    densor = behaviour.inject_weights(keras.layers.Dense(n_values, activation="softmax"), (None, n_a), rng,
                                      _DENSE_SCALES)
    return keras.layers.Reshape((1, n_values)), lstm_cell, densor


def _case(name, seed, dims):
    """A case with model inputs from a seeded generator: [X (m, T_x, n_values) or x0 (m, 1, n_values) one-hot,
    a0 (m, n_a), c0 (m, n_a) (zeros if dims["a0"] == "zeros"), and for an inference model (dims has a
    temperature) gumbel (m, T_y, n_values) standard Gumbel noise]."""
    rng = np.random.default_rng(seed + 1000)
    m, n_a, n_values = dims["m"], dims["n_a"], dims["n_values"]
    onehot = np.eye(n_values, dtype=np.float32)[rng.integers(0, n_values, size=(m, dims.get("T_x", 1)))]
    a0, c0 = (rng.standard_normal((2, m, n_a)) * _STATE_SCALE * (dims.get("a0") != "zeros")).astype(np.float32)
    tau = dims.get("temperature", "default")
    noise = [rng.gumbel(size=(m, dims["T_y"], n_values)).astype(np.float32)] if "temperature" in dims else []
    return Case(name, dims, kwargs={} if tau == "default" else {"temperature": tau},
                data={"seed": seed, "inputs": [onehot, a0, c0, *noise]})


def _cases(table):
    """build_cases for a table {suite: [(name, seed, dims)]}."""
    return lambda suite, _record: [_case(name, seed, dims) for name, seed, dims in table[suite]]


def _parameters(case, T):
    """The parameter count of one LSTM and one Dense layer shared by T steps, and the counts of known mistakes."""
    n_a, n_values = case.dims["n_a"], case.dims["n_values"]
    parts = {"the LSTM": behaviour.lstm_params(n_values, n_a), "the Dense layer": behaviour.dense_params(n_a, n_values)}
    return behaviour.expected_count(parts), behaviour.parameter_bugs(parts, per_step=T)


def _sequence_oracle(lstm_cell, n_values, return_sequences):
    return behaviour.oracle_copy(lstm_cell, (None, None, n_values), return_state=False,
                                 return_sequences=return_sequences)


# --------------------------------------------------------------------------- music_model

MODEL_SPEC = FunctionSpec(
    "music_model", (Output("model"),), inputs=("T_x", "n_a", "n_values", "reshaper", "lstm_cell", "densor"),
    default_hint="at each step: slice step t of X, reshape it, one lstm_cell step from the previous state, "
                 "then densor on the new a; stack the T_x outputs on axis 1",
    atol=FLOAT32_ATOL, rtol=0)  # a few float32 layers: ~1e-6 from the oracle; a wrong model is off by > 1e-3
_MODEL_CASES = {
    "public": [("small", 1, dict(T_x=4, n_a=5, n_values=7, m=3)),
               ("long_narrow", 2, dict(T_x=7, n_a=3, n_values=4, m=2))],
    "hidden": [("wide", 101, dict(T_x=5, n_a=8, n_values=11, m=4)),
               ("one_step", 102, dict(T_x=1, n_a=4, n_values=6, m=3)),
               ("one_example", 103, dict(T_x=6, n_a=4, n_values=5, m=1))],
}


def _observe_model(func, case):
    reshaper, lstm_cell, densor = make_layers(case)
    sizes = [case.dims[k] for k in ("T_x", "n_a", "n_values")]
    model = behaviour.build_model(func, "music_model", case, (*sizes, reshaper, lstm_cell, densor), n_inputs=3)
    Y_hat = behaviour.run_model(model, case.data["inputs"], "music_model", case)  # (m, T_x, n_values)
    return Observation(case.name, {"Y_hat": Y_hat, **behaviour.count_leaf(model)})


def _expect_model(case):
    _, lstm_cell, densor = make_layers(case)
    X, a0, c0 = case.data["inputs"]
    m, T_x, n_values = X.shape
    sequence = _sequence_oracle(lstm_cell, n_values, return_sequences=True)

    def oracle(carry=True, start=(a0, c0)):
        if not carry:  # every step on its own, from (a0, c0)
            steps = sequence(X.reshape(m * T_x, 1, n_values), initial_state=[np.repeat(s, T_x, 0) for s in start])
            return {"Y_hat": behaviour.to_numpy(densor(steps)).reshape(m, T_x, n_values)}
        return {"Y_hat": behaviour.to_numpy(densor(sequence(X, initial_state=list(start))))}

    expected, bugs = behaviour.replay(oracle, ((STATE_HINT, {"carry": False}),
                                               (INITIAL_STATE_HINT, {"start": (0 * a0, 0 * c0)})))
    count, count_bugs = _parameters(case, T_x)
    return {**expected, **count}, {**bugs, **count_bugs}


GRADER.add(MODEL_SPEC, _cases(_MODEL_CASES), observe=_observe_model, expect=_expect_model)


# --------------------------------------------------------------------------- music_inference_model

INFERENCE_SPEC = FunctionSpec(
    "music_inference_model", (Output("model"),), inputs=("T_y", "n_a", "n_values", "lstm_cell", "densor"),
    default_hint="at each step: one lstm_cell step, densor, the argmax of log(p) + temperature * noise, "
                 "then feed its one-hot back as the next x",
    atol=FLOAT32_ATOL, rtol=0)  # one-hot outputs: 0 or 1 whenever the choice is right
_INFERENCE_CASES = {  # temperature "default": called without it (1.0)
    "public": [("greedy", 11, dict(T_y=5, n_a=4, n_values=6, m=3, temperature=0.0)),
               ("default_temperature", 12, dict(T_y=6, n_a=5, n_values=5, m=2, temperature="default"))],
    "hidden": [("hot_single_example", 111, dict(T_y=7, n_a=6, n_values=8, m=1, temperature=1.5)),
               ("one_step", 112, dict(T_y=1, n_a=3, n_values=7, m=3, temperature=0.5)),
               ("greedy_zero_state", 113, dict(T_y=4, n_a=5, n_values=6, m=2, temperature=0.0, a0="zeros"))],
}


def _observe_inference(func, case):
    _, lstm_cell, densor = make_layers(case)
    sizes = [case.dims[k] for k in ("T_y", "n_a", "n_values")]
    model = behaviour.build_model(func, "music_inference_model", case, (*sizes, lstm_cell, densor), case.kwargs,
                                  n_inputs=4)
    values = behaviour.run_model(model, case.data["inputs"], "music_inference_model", case)  # (m, T_y, n_values)
    chosen = np.argmax(values, axis=-1)  # (m, T_y): the indices, easier to read than one-hot rows
    return Observation(case.name, {"chosen": chosen, "values": values, **behaviour.count_leaf(model)})


def play(case, feed="choice", carry=True, noise_step=None, temperature=None, output="choice"):
    """Oracle: (chosen one-hot values (m, T_y, n_values), scores log p + temperature * noise (m, T_y, n_values)).

    Re-runs a sequence LSTM over the whole prefix of inputs at every step (so it
    carries the state by construction). The keywords replay known bugs: feed
    "x0" (input never changes) or "probabilities" (softmax fed back);
    carry=False (every step from a0, c0); noise_step=0 (one noise row for all);
    another temperature; output="probabilities" (the softmax is returned).
    """
    _, lstm_cell, densor = make_layers(case)
    x0, a0, c0, gumbel = case.data["inputs"]
    m, T_y, n_values = gumbel.shape
    tau = np.float32(case.kwargs.get("temperature", 1.0) if temperature is None else temperature)
    sequence = _sequence_oracle(lstm_cell, n_values, return_sequences=False)
    inputs, outputs, scores = [x0[:, 0, :]], [], []  # (m, n_values) each
    for t in range(T_y):
        xs = np.stack(inputs, axis=1) if carry else inputs[-1][:, None, :]  # (m, t + 1 or 1, n_values)
        probabilities = behaviour.to_numpy(densor(sequence(xs, initial_state=[a0, c0])))  # (m, n_values)
        with np.errstate(divide="ignore"):
            scores.append(np.log(probabilities) + tau * gumbel[:, t if noise_step is None else noise_step, :])
        choice = np.eye(n_values, dtype=np.float32)[np.argmax(scores[-1], axis=-1)]
        outputs.append(probabilities if output == "probabilities" else choice)
        inputs.append({"choice": choice, "x0": x0[:, 0, :], "probabilities": probabilities}[feed])
    return np.stack(outputs, axis=1), np.stack(scores, axis=1)


_INFERENCE_BUGS = ((NOT_FED_BACK_HINT, {"feed": "x0"}), (PROBS_FED_BACK_HINT, {"feed": "probabilities"}),
                   (STATE_HINT, {"carry": False}), (NOISE_IGNORED_HINT, {"temperature": 0.0}),
                   (NOISE_STEP_HINT, {"noise_step": 0}), (TEMPERATURE_HINT, {"temperature": 1.0}),
                   (PROBS_OUT_HINT, {"output": "probabilities"}))


def _expect_inference(case):
    expected, bugs = behaviour.replay(lambda **bug: {"values": play(case, **bug)[0]}, _INFERENCE_BUGS)
    count, count_bugs = _parameters(case, case.dims["T_y"])
    return {"chosen": np.argmax(expected["values"], axis=-1), **expected, **count}, {**bugs, **count_bugs}


GRADER.add(INFERENCE_SPEC, _cases(_INFERENCE_CASES), observe=_observe_inference, expect=_expect_inference,
           margin=lambda case: top2_margin(play(case)[1]))


# --------------------------------------------------------------------------- predict_and_sample

def _noise_received(leaves, case):
    """Problem with the noise the model received: it must be the seeded rng's Gumbel draws, in any order or shape."""
    noise = leaves.get("fed.noise")
    if noise is None:
        return "the inference model was never called with the noise as its 4th input", NOISE_NOT_PASSED_HINT
    drawn = _gumbel(case).ravel()
    # the draws may reach the model as float32 (relative rounding 6e-8 of values up to ~20): a tolerance of
    # 1e-6 + 1e-6 * |value| keeps them, while other draws differ by far more
    if noise.size != drawn.size or not np.allclose(np.sort(noise.ravel()), np.sort(drawn), rtol=1e-6, atol=1e-6):
        return (f"the model received noise of shape {noise.shape} that is not m * T_y * n_values = {drawn.size} "
                f"Gumbel draws of the given rng", f"{NOISE_NOT_PASSED_HINT}; {RNG_HINT}")
    return None


def _follows_model(leaves, case):
    """Problem with indices and results: the model's choices on the noise it received, and their one-hot."""
    s = case.dims
    indices, results, noise = leaves["indices"], leaves["results"], leaves.get("fed.noise")
    if indices.shape != (s["m"], s["T_y"]):
        return f"indices have shape {indices.shape}, expected (m, T_y) = {(s['m'], s['T_y'])}", AXIS_HINT
    if indices.dtype.kind not in "iu":
        return f"indices have dtype {indices.dtype}", "np.argmax returns integers: do not convert them to floats"
    chosen = np.argmax(noise.reshape(s["m"], s["T_y"], s["n_values"])[..., :-1], axis=-1)  # the stand-in's rule
    if not np.array_equal(indices, chosen):
        return f"indices {indices[0].tolist()} are not the values the model chose, {chosen[0].tolist()}", AXIS_HINT
    if results.shape != (s["m"], s["T_y"], s["n_values"]):
        return f"results have shape {results.shape}, expected (m, T_y, n_values)", DEPTH_HINT
    if not np.array_equal(results, np.eye(s["n_values"])[indices]):
        return "results are not the one-hot encoding of indices", "results = np.eye(n_values)[indices]"
    return None


SAMPLE_SPEC = FunctionSpec(
    "predict_and_sample", (Output("indices"), Output("results")),
    inputs=("inference_model", "x0", "a0", "c0", "T_y", "rng"),
    properties=(Property("the model gets the x0, a0, c0 it was given, in order",
                         behaviour.fed_check(FED[:3], lambda case: dict(zip(FED, case.data["inputs"])), FED_ORDER_HINT)),
                Property("the noise comes from rng and reaches the model", _noise_received),
                Property("indices are the model's choices and results their one-hot", _follows_model)),
    default_hint="draw Gumbel noise (m, T_y, n_values) from rng, predict with [x0, a0, c0, noise], "
                 "then indices = argmax over the values and results = their one-hot",
    atol=0, rtol=0)  # integers and exact 0/1 one-hots: nothing is recomputed in floating point
_SAMPLE_CASES = {
    "public": [("stand_in", 21, dict(m=2, T_y=5, n_values=6, n_a=3))],
    "hidden": [("stand_in_wide", 121, dict(m=3, T_y=7, n_values=9, n_a=4)),
               ("one_step_one_example", 122, dict(m=1, T_y=1, n_values=4, n_a=2))],
}


def stand_in_model(T_y, n_a, n_values):
    """An inference model whose choice is known: the one-hot of argmax(gumbel), never the last value.

    Inputs [x0 (m, 1, n_values), a0 (m, n_a), c0 (m, n_a), gumbel (m, T_y, n_values)], like the real one.
    """
    import keras

    x0, a0, c0 = keras.Input(shape=(1, n_values)), keras.Input(shape=(n_a,)), keras.Input(shape=(n_a,))
    gumbel = keras.Input(shape=(T_y, n_values))
    never_last = np.zeros(n_values, dtype=np.float32)
    never_last[-1] = -1e9  # so a one-hot depth taken from the largest chosen index comes out too small
    chosen = keras.ops.one_hot(keras.ops.argmax(gumbel + never_last, axis=-1), n_values)  # (m, T_y, n_values)
    unused = keras.ops.sum(x0) + keras.ops.sum(a0) + keras.ops.sum(c0)  # every input takes part
    return keras.Model([x0, a0, c0, gumbel], chosen + 0.0 * unused)


def _observe_sample(func, case):
    """indices, results, the noise the stand-in model received, and whether the same seed repeats the indices."""
    T_y, n_a, n_values = (case.dims[k] for k in ("T_y", "n_a", "n_values"))

    def once(rng):
        log = behaviour.CallLog()
        args = (log.spy("model", stand_in_model(T_y, n_a, n_values)), *behaviour.snapshot(case.data["inputs"]), T_y, rng)
        observation = behaviour.observe_call(func, SAMPLE_SPEC, case, args)
        if not observation.failure:  # the inputs of the first call that passed four
            observation.leaves.update(probe.guarded("predict_and_sample", case, behaviour.fed_leaves, log, FED))
        return observation

    return behaviour.observe_seeded_twice(once, case.data["seed"], "indices")


def _expect_sample(case):
    # what no stream of draws can change is compared; which values were chosen depends on the
    # order the noise was drawn in, so the properties compare them with the noise the model received
    return behaviour.expected_facts(behaviour.expected_generator_facts(RNG_DRAWS))


def _gumbel(case):
    """The noise of a correct predict_and_sample: one draw (m, T_y, n_values) from the case's seeded rng."""
    s = case.dims
    return np.random.default_rng(case.data["seed"]).gumbel(size=(s["m"], s["T_y"], s["n_values"]))


GRADER.add(SAMPLE_SPEC, _cases(_SAMPLE_CASES), observe=_observe_sample, expect=_expect_sample,  # the stand-in
           margin=lambda case: top2_margin(_gumbel(case)[..., :-1].astype(np.float32)))  # never picks the last value


# --------------------------------------------------------------------------- test-cell entry points

check_music_model = GRADER.checker("music_model")
check_music_inference_model = GRADER.checker("music_inference_model")
check_predict_and_sample = GRADER.checker("predict_and_sample")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
