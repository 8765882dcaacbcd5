"""Checks for notebook 09, nmt_attention: additive attention and an encoder-decoder that translates dates.

Both functions are graded by behaviour (graders.behaviour): the layers they
are given get weights from a seeded numpy generator, the student's code is
run inside a Keras model, and what comes out is compared with an oracle
written in plain numpy with the same weights (an LSTM step, the
concatenation, the energy network, a softmax over the T_x positions). So any
equivalent construction passes (keras.ops or layers such as RepeatVector,
Concatenate, Softmax, Dot), and nothing depends on Keras's initializers or
private attributes. The parameter count is compared with the formula: layers
created inside the functions, instead of the shared ones passed in, show up
there.

- one_step_attention: context (m, 1, 2 n_a) and attention weights
  (m, T_x, 1) for one decoder step.
- nmt_model: Y_hat (m, T_y, n_y) and the attention weights of every step
  (m, T_y, T_x).

When values are wrong, the oracle is replayed with each known bug (softmax
over the wrong axis, concatenation in the wrong order, no tanh, context
without the weights, state not carried, ...) to name it.

Layout: batch first, as Keras wants; time steps t = 0 .. T_x - 1 (encoder)
and t = 0 .. T_y - 1 (decoder), counted from 0 as in notebook 01; s0, c0 are
the post-attention LSTM's state before decoder step 0.

Source: Bahdanau, Cho & Bengio (2015), "Neural machine translation by jointly
learning to align and translate", ICLR, equations (5)-(6) and appendix A.1.2.
"""

import numpy as np

from graders import behaviour, probe
from graders.assignment import Assignment
from graders.messages import fail, type_name
from graders.probe import Observation
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output

GRADER = Assignment.of_module(__name__)

LAYER_NAMES = ("pre_attention", "densor1", "densor2", "post_attention", "output")
_ENERGY_LAYERS = ("densor1", "densor2")  # the layers one_step_attention is given
_ENERGY_SCALES = (1.0, 0.5)  # Dense kernel, bias: energies spread over a few units, so attention is far from uniform
_LSTM_SCALES = (0.6, 0.6, 0.3)  # kernel, recurrent kernel, bias: the gates leave their linear range
_OUTPUT_SCALES = (1.5, 0.3)  # output Dense kernel, bias: probabilities far from uniform
_STATE_SCALE = 0.8  # s0, c0 nonzero, so a model that ignores them is caught

HINT_AXIS = ("the attention weights do not sum to 1 over the T_x positions: take the softmax over axis 1 "
             "(keras.ops.softmax(energies, axis=1)); over the last axis, of size 1, every weight is 1")
HINT_ORDER = ("the concatenation is in the wrong order: densor1 expects [a, s_prev repeated] (encoder states "
              "first, along the last axis)")
HINT_STATE_IGNORED = ("the energies do not depend on s_prev: repeat s_prev over the T_x positions and concatenate "
                      "it with a")
HINT_NO_TANH = "the energy network needs a tanh between densor1 and densor2: e = densor2(tanh(densor1([a, s])))"
HINT_RELU = "the hidden layer of the energy network is a tanh, not a relu: e = densor2(tanh(densor1([a, s])))"
HINT_UNWEIGHTED = ("the context is a plain sum of the encoder states: weight each a<t'> by its attention weight, "
                   "context = sum over t' of alphas<t'> * a<t'>")
HINT_OWN_LAYERS = ("the model holds parameters other than those of densor1 and densor2: use the layers you are "
                   "given and create none inside the function")
HINT_GIVEN_LAYERS = "call the layers you are given (passed in, shared by every step); create none inside the function"
HINT_CONTEXT_SHAPE = ("the context must keep a time axis of length 1, (m, 1, 2 n_a): the post-attention LSTM reads "
                      "it as a sequence of one step (keepdims=True)")
HINT_ALPHAS_SHAPE = "return the attention weights with shape (m, T_x, 1), one weight per encoder position"
HINT_RETURN_PAIR = "return two tensors: context, alphas"

HINT_CARRY = ("the post-attention state is not carried: each step's initial_state must be the s and c the step "
              "before returned")
HINT_START = "the first decoder step must start from the inputs s0 and c0 (initial_state=[s0, c0])"
HINT_UNPACK = ("the memory state is wrong: LSTM(return_state=True) returns (output, h, c), where output equals h; "
               "unpack s, _, c = post_attention(...)")
HINT_ATTEND_S0 = ("the attention reads the same state at every step: pass the previous step's s to "
                  "one_step_attention, not s0")
HINT_Y_SHAPE = "stack the T_y outputs along axis 1: Y_hat has shape (m, T_y, n_y)"
HINT_ATTENTION_SHAPE = ("stack the T_y attention vectors along axis 1: the attention weights have shape "
                        "(m, T_y, T_x), row t for decoder step t")
HINT_TWO_OUTPUTS = "the model has two outputs: keras.Model(inputs=[X, s0, c0], outputs=[Y_hat, attention])"


def attention_parameter_count(n_a, n_s, n_e):
    """densor1 = Dense(n_e) on [a, s] (2 n_a + n_s features) and densor2 = Dense(1) on its n_e outputs."""
    return behaviour.dense_params(2 * n_a + n_s, n_e) + behaviour.dense_params(n_e, 1)


def nmt_parameter_count(n_x, n_a, n_s, n_e, n_y):
    """Parameters of the date translator, each layer counted once (the decoder's layers are shared by the T_y steps).

    n_x : input vocabulary (one-hot width); n_y : output vocabulary
    """
    return sum(_nmt_parts(n_x, n_a, n_s, n_e, n_y).values())


def _nmt_parts(n_x, n_a, n_s, n_e, n_y):
    return {"the pre-attention Bidirectional LSTM": behaviour.bidirectional_params(behaviour.lstm_params(n_x, n_a)),
            "densor1": behaviour.dense_params(2 * n_a + n_s, n_e),
            "densor2": behaviour.dense_params(n_e, 1),
            "the post-attention LSTM": behaviour.lstm_params(2 * n_a, n_s),
            "the output layer": behaviour.dense_params(n_s, n_y)}


def make_layers(dims, seed):
    """The shared layers as the notebook makes them, with weights from a generator seeded with `seed`.

    dims : {"T_x", "n_a", "n_s", "n_e"} and, for the whole model, {"n_x", "n_y"}
    Returns {name: layer} with the keys of LAYER_NAMES that dims allows: densor1 Dense(n_e) and densor2
    Dense(1) (no activation: the tanh is the student's), and for the model the pre-attention
    Bidirectional(LSTM(n_a, return_sequences=True)), the post-attention LSTM(n_s, return_state=True) and the
    output Dense(n_y, softmax).
    """
    import keras

    rng = np.random.default_rng(seed)
    T_x, n_a, n_s, n_e = dims["T_x"], dims["n_a"], dims["n_s"], dims["n_e"]
    layers = {"densor1": behaviour.inject_weights(keras.layers.Dense(n_e), (None, T_x, 2 * n_a + n_s), rng,
                                                  _ENERGY_SCALES),
              "densor2": behaviour.inject_weights(keras.layers.Dense(1), (None, T_x, n_e), rng, _ENERGY_SCALES)}
    if "n_x" in dims:
        lstm = keras.layers.LSTM(n_a, return_sequences=True)
        layers["pre_attention"] = behaviour.inject_weights(keras.layers.Bidirectional(lstm), (None, T_x, dims["n_x"]),
                                                           rng, _LSTM_SCALES * 2)
        layers["post_attention"] = behaviour.inject_weights(keras.layers.LSTM(n_s, return_state=True),
                                                            (None, 1, 2 * n_a), rng, _LSTM_SCALES)
        layers["output"] = behaviour.inject_weights(keras.layers.Dense(dims["n_y"], activation="softmax"),
                                                    (None, n_s), rng, _OUTPUT_SCALES)
    return layers


# --------------------------------------------------------------------------- the numpy oracle


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def lstm_step(x, h, c, kernel, recurrent, bias):
    """One step of keras.layers.LSTM from a given state (gates i, f, c, o; sigmoid and tanh), in numpy:
    x (m, n_in), h and c (m, n) -> h, c. (behaviour.lstm_oracle runs whole sequences from a zero state.)"""
    i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def attend(a, s_prev, densor1, densor2, softmax_axis=1, order="a_first", use_state=True, activation=np.tanh,
           weighted=True):
    """Oracle of one_step_attention in numpy: (context (m, 1, 2 n_a), alphas (m, T_x, 1)).

    densor1, densor2 : [kernel, bias] of Dense(n_e) and Dense(1)
    The keywords replay known bugs: softmax_axis=-1, order="s_first", use_state=False (s_prev as zeros),
    activation (None: no tanh, or a relu), weighted=False (the plain sum of a).
    """
    s_repeated = np.repeat(s_prev[:, None, :], a.shape[1], axis=1) * use_state  # (m, T_x, n_s)
    parts = [a, s_repeated] if order == "a_first" else [s_repeated, a]
    hidden = np.concatenate(parts, axis=-1) @ densor1[0] + densor1[1]  # (m, T_x, n_e)
    energies = (hidden if activation is None else activation(hidden)) @ densor2[0] + densor2[1]  # (m, T_x, 1)
    alphas = _softmax(energies, softmax_axis)
    context = np.sum((alphas if weighted else 1.0) * a, axis=1, keepdims=True)  # (m, 1, 2 n_a)
    return context, alphas


def _float64_weights(layer):
    return [np.asarray(w, dtype=float) for w in layer.get_weights()]


def translate(X, s0, c0, T_y, layers, carry=True, start=True, unpack="s_c", attend_to="s"):
    """Oracle of nmt_model in numpy: (Y_hat (m, T_y, n_y), attention (m, T_y, T_x)) for the inputs X, s0, c0.

    The keywords replay known bugs: carry=False (every step from s0, c0), start=False (from zeros),
    unpack="s_s" (the memory state taken from the output), attend_to="s0" (attention reads s0 at every step).
    """
    w = {name: _float64_weights(layer) for name, layer in layers.items()}
    a = behaviour.lstm_stack_oracle(np.asarray(X, dtype=float), np.ones(X.shape[:2], dtype=bool), w["pre_attention"],
                                    n_layers=1, directions=2)  # (m, T_x, 2 n_a): [forward; backward]
    s, c = first = tuple(np.asarray(v, dtype=float) * start for v in (s0, c0))  # s0, c0 or zeros
    outputs, attention = [], []
    for _ in range(T_y):
        context, alphas = attend(a, s if attend_to == "s" else first[0], w["densor1"], w["densor2"])
        h_prev, c_prev = (s, c) if carry else first
        s, c = lstm_step(context[:, 0], h_prev, c_prev, *w["post_attention"])
        c = s if unpack == "s_s" else c
        outputs.append(behaviour.dense_softmax(s, *w["output"]))
        attention.append(alphas[:, :, 0])
    return np.stack(outputs, axis=1), np.stack(attention, axis=1)


# --------------------------------------------------------------------------- cases, observations, expectations

INPUT_SEED_OFFSET = 1000  # a case's inputs come from its seed + this, its layers' weights from its seed


def _case_builder(table, draw_inputs):
    """build_cases over table {suite: [(name, seed, dims)]}: the layers' weights come from `seed` (make_layers),
    the model's inputs from draw_inputs(rng, dims) with rng seeded with seed + INPUT_SEED_OFFSET."""
    def build_cases(suite, _record):
        cases = []
        for name, seed, dims in table[suite]:
            rng = np.random.default_rng(seed + INPUT_SEED_OFFSET)
            cases.append(Case(name, dims, data={"seed": seed, "inputs": draw_inputs(rng, dims)}))
        return cases
    return build_cases


def _states(rng, m, n_s, scale=_STATE_SCALE):
    return (rng.standard_normal((2, m, n_s)) * scale).astype(np.float32)


def _run(model, inputs, func_name, case, n_outputs):
    """The outputs of model(inputs) as a list of n_outputs ndarrays; anything else fails with `case`."""
    try:
        out = model(inputs, training=False)
    except Exception as err:  # student models break in many ways; say how, with the case
        behaviour.framework_failure(func_name, case, "calling the model", err,
                                    "build and call your model in the quick-look cell to see where it breaks")
    if not isinstance(out, (list, tuple)) or len(out) != n_outputs:
        got = f"{len(out)} outputs" if isinstance(out, (list, tuple)) else "one output"
        fail(func_name, case, f"the model has {got}, expected {n_outputs}",
             f"hint:   {HINT_RETURN_PAIR if func_name == 'one_step_attention' else HINT_TWO_OUTPUTS}")
    return [probe.guarded(func_name, case, behaviour.to_numpy, o) for o in out]


def _observation(func_name, case, model, layers, layer_names, outputs):
    """Observe the student's model on the case's inputs: its outputs, its parameter count and whether it uses each
    given layer of layer_names. outputs : ((path, what, shape, hint), ...) in the model's order; an output of
    another shape fails with its hint."""
    values = _run(model, case.data["inputs"], func_name, case, len(outputs))
    for (_, what, shape, hint), value in zip(outputs, values):
        behaviour.require_shape(func_name, case, what, value, shape, hint)
    held = {id(w) for w in model.weights}
    uses = {f"uses_{name}": all(id(w) in held for w in layers[name].weights) for name in layer_names}
    return Observation(case.name, {**{path: value for (path, *_), value in zip(outputs, values)},
                                   **behaviour.count_leaf(model), **behaviour.fact_leaves(uses)})


def _expectation(oracle, names, bugs, counts, count_bugs, layer_names):
    """expect()'s pair (expected leaves, {hint: leaves of a known bug}) for a model built from given layers.

    oracle(**bug) -> the outputs as float64 arrays, here named `names` and cast to float32 (Keras's dtype), and
    replayed with each of `bugs` (behaviour.replay); counts : the parts of the parameter count
    (behaviour.expected_count) and count_bugs its known wrong counts; every layer of layer_names must be in use.
    """
    def named(**bug):
        return {name: value.astype(np.float32) for name, value in zip(names, oracle(**bug))}

    expected, replayed = behaviour.replay(named, bugs)
    uses, unused = behaviour.expected_facts({f"uses_{name}": (True, f"{name} is not used: {HINT_GIVEN_LAYERS}", "")
                                             for name in layer_names})
    return {**expected, **behaviour.expected_count(counts), **uses}, {**replayed, **count_bugs, **unused}


# --------------------------------------------------------------------------- one_step_attention

ATTENTION_SPEC = FunctionSpec(
    "one_step_attention", (Output("context"), Output("alphas")), inputs=("a", "s_prev", "densor1", "densor2"),
    default_hint="repeat s_prev over T_x, concatenate [a, s_prev repeated], energies = densor2(tanh(densor1(...))), "
                 "alphas = softmax over axis 1, context = sum over axis 1 of alphas * a",
    atol=FLOAT32_ATOL, rtol=0)  # float32 layers against a float64 oracle: ~1e-6; every known bug is off by > 1e-2
_ATTENTION_CASES = {
    "public": [("small", 1, dict(m=3, T_x=6, n_a=4, n_s=5, n_e=7)),
               ("equal_sizes", 2, dict(m=2, T_x=9, n_a=3, n_s=6, n_e=4))],  # 2 n_a = n_s: the order is not a shape
    "hidden": [("long_input", 101, dict(m=4, T_x=15, n_a=5, n_s=3, n_e=8)),
               ("one_example", 102, dict(m=1, T_x=7, n_a=6, n_s=8, n_e=5)),
               ("wide_state", 103, dict(m=2, T_x=4, n_a=2, n_s=16, n_e=3))],
}


def _attention_inputs(rng, d):
    """[a (m, T_x, 2 n_a) in (-1, 1), s_prev (m, n_s)], float32."""
    a = np.tanh(rng.standard_normal((d["m"], d["T_x"], 2 * d["n_a"]))).astype(np.float32)
    return [a, _states(rng, d["m"], d["n_s"])[0]]


def _observe_attention(func, case):
    import keras

    d = case.dims
    layers = make_layers(d, case.data["seed"])

    def build():
        a = keras.Input(shape=(d["T_x"], 2 * d["n_a"]), name="a")
        s_prev = keras.Input(shape=(d["n_s"],), name="s_prev")
        result = func(a, s_prev, layers["densor1"], layers["densor2"])
        if not isinstance(result, (list, tuple)) or len(result) != 2:
            fail("one_step_attention", case, f"expected two tensors (context, alphas), got {type_name(result)}",
                 f"hint:   {HINT_RETURN_PAIR}")
        return keras.Model(inputs=[a, s_prev], outputs=list(result))

    model = behaviour.build_model(build, "one_step_attention", case, ())
    return _observation("one_step_attention", case, model, layers, _ENERGY_LAYERS,
                        (("context", "context", (d["m"], 1, 2 * d["n_a"]), HINT_CONTEXT_SHAPE),
                         ("alphas", "alphas", (d["m"], d["T_x"], 1), HINT_ALPHAS_SHAPE)))


_ATTENTION_BUGS = ((HINT_AXIS, {"softmax_axis": -1}), (HINT_ORDER, {"order": "s_first"}),
                   (HINT_STATE_IGNORED, {"use_state": False}), (HINT_NO_TANH, {"activation": None}),
                   (HINT_RELU, {"activation": lambda z: np.maximum(z, 0)}), (HINT_UNWEIGHTED, {"weighted": False}))


def _expect_attention(case):
    d = case.dims
    layers = make_layers(d, case.data["seed"])
    a, s_prev = (np.asarray(v, dtype=float) for v in case.data["inputs"])
    weights = [_float64_weights(layers[name]) for name in _ENERGY_LAYERS]
    right = attention_parameter_count(d["n_a"], d["n_s"], d["n_e"])
    # the count of an own Dense(1) besides densor2 (an own densor1 is caught before, as densor1 left unused)
    own = {HINT_OWN_LAYERS: {behaviour.PARAMETERS: np.asarray(right + behaviour.dense_params(d["n_e"], 1),
                                                              dtype=np.int64)}}
    return _expectation(lambda **bug: attend(a, s_prev, *weights, **bug), ("context", "alphas"), _ATTENTION_BUGS,
                        {"attention": right}, own, _ENERGY_LAYERS)


GRADER.add(ATTENTION_SPEC, _case_builder(_ATTENTION_CASES, _attention_inputs), observe=_observe_attention,
           expect=_expect_attention)


# --------------------------------------------------------------------------- nmt_model

MODEL_SPEC = FunctionSpec(
    "nmt_model", (Output("model"),), inputs=("T_x", "T_y", "n_s", "human_vocab_size", "layers"),
    default_hint="a = pre_attention(X); then at each of T_y steps: context from one_step_attention(a, s, ...), "
                 "one post_attention step from the previous (s, c), the output layer on the new s",
    atol=FLOAT32_ATOL, rtol=0)  # a few float32 layers against a float64 oracle: ~1e-6; a wrong model is off by > 1e-3
_MODEL_CASES = {
    "public": [("small", 11, dict(m=3, T_x=8, T_y=4, n_x=6, n_a=4, n_s=5, n_e=6, n_y=5)),
               ("longer_output", 12, dict(m=2, T_x=5, T_y=7, n_x=7, n_a=3, n_s=4, n_e=3, n_y=4))],
    "hidden": [("one_example", 111, dict(m=1, T_x=10, T_y=5, n_x=9, n_a=5, n_s=7, n_e=4, n_y=6)),
               ("one_output_step", 112, dict(m=3, T_x=6, T_y=1, n_x=5, n_a=2, n_s=3, n_e=5, n_y=3)),
               ("short_input", 113, dict(m=2, T_x=2, T_y=6, n_x=4, n_a=6, n_s=6, n_e=2, n_y=7))],
}


def _model_inputs(rng, d):
    """[X (m, T_x, n_x) one-hot, s0 (m, n_s), c0 (m, n_s)], float32."""
    X = np.eye(d["n_x"], dtype=np.float32)[rng.integers(0, d["n_x"], size=(d["m"], d["T_x"]))]
    return [X, *_states(rng, d["m"], d["n_s"])]


def _observe_model(func, case):
    d = case.dims
    layers = make_layers(d, case.data["seed"])
    args = (d["T_x"], d["T_y"], d["n_s"], d["n_x"], layers)
    model = behaviour.build_model(func, "nmt_model", case, args, n_inputs=3)
    return _observation("nmt_model", case, model, layers, LAYER_NAMES,
                        (("Y_hat", "Y_hat", (d["m"], d["T_y"], d["n_y"]), HINT_Y_SHAPE),
                         ("attention", "the attention weights", (d["m"], d["T_y"], d["T_x"]), HINT_ATTENTION_SHAPE)))


_MODEL_BUGS = ((HINT_CARRY, {"carry": False}), (HINT_START, {"start": False}), (HINT_UNPACK, {"unpack": "s_s"}),
               (HINT_ATTEND_S0, {"attend_to": "s0"}))


def _expect_model(case):
    d = case.dims
    layers = make_layers(d, case.data["seed"])
    parts = _nmt_parts(*(d[k] for k in ("n_x", "n_a", "n_s", "n_e", "n_y")))
    return _expectation(lambda **bug: translate(*case.data["inputs"], d["T_y"], layers, **bug), ("Y_hat", "attention"),
                        _MODEL_BUGS, parts, behaviour.parameter_bugs(parts, per_step=d["T_y"]), LAYER_NAMES)


GRADER.add(MODEL_SPEC, _case_builder(_MODEL_CASES, _model_inputs), observe=_observe_model, expect=_expect_model)


# --------------------------------------------------------------------------- test-cell entry points

check_one_step_attention = GRADER.checker("one_step_attention")
check_nmt_model = GRADER.checker("nmt_model")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
