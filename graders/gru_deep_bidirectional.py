"""Checks for notebook 04, gru_deep_bidirectional: a numpy GRU cell, gradient norms through
time, clipping by global norm, and a deep bidirectional LSTM tagger in Keras.

The three numpy functions are compared with outputs recorded from the
reference solution (graders/references/04_gru_deep_bidirectional.npz, written
by `make references`). The Keras tagger is graded by behaviour only -- output
shape, softmax rows, parameter count against the formula, whether an early
output depends on later tokens (bidirectional), whether padding is ignored
(masking) -- never by private Keras attributes, so any correct construction
(Sequential, functional, `Dense(activation=...)` or a separate `Activation`) passes.

Layout: numpy functions are features-first, xt (n_x, m), x (n_x, m, T_x);
the tagger is batch-first, word indices (m, T_x) -> probabilities (m, T_x, n_tags).
"""

import copy

import numpy as np

from graders import core
from helpers.rnn_caches import GRUStepCache

ASSIGNMENT = "04_gru_deep_bidirectional"
GRADER = core.Assignment(ASSIGNMENT)

GRU_GATES = ("u", "r", "c")
_WEIGHT_SCALE = 0.8  # large enough that the gates leave their linear range

# --------------------------------------------------------------------------- gru_cell_forward

_GRU_SIZES = {
    "public": {"tiny": dict(n_x=3, n_a=5, m=4, seed=1), "batch": dict(n_x=4, n_a=3, m=10, seed=2)},
    "hidden": {"wide": dict(n_x=7, n_a=9, m=3, seed=101), "single_example": dict(n_x=2, n_a=4, m=1, seed=102)},
}


def gru_parameters(rng, n_x, n_a, scale=_WEIGHT_SCALE):
    """Random GRU parameters: Wu, Wr, Wc (n_a, n_a + n_x) acting on [a_prev; xt]; bu, br, bc (n_a, 1)."""
    parameters = {}
    for gate in GRU_GATES:
        parameters["W" + gate] = rng.standard_normal((n_a, n_a + n_x)) * scale
        parameters["b" + gate] = rng.standard_normal((n_a, 1))
    return parameters


def _gru_cases(suite, record):
    cases = []
    for name, s in _GRU_SIZES[suite].items():
        rng = np.random.default_rng(s["seed"])
        xt = rng.standard_normal((s["n_x"], s["m"]))
        a_prev = np.tanh(rng.standard_normal((s["n_a"], s["m"])))
        parameters = gru_parameters(rng, s["n_x"], s["n_a"])
        cases.append(core.Case(name, {k: s[k] for k in ("n_x", "n_a", "m")}, (xt, a_prev, parameters)))
    return cases


def _gru_sequence(size_name="tiny", T_x=6):
    """x (n_x, m, T_x), a0 (n_a, m) and parameters of a public GRU case, for the Keras comparison."""
    s = _GRU_SIZES["public"][size_name]
    rng = np.random.default_rng(s["seed"] + 500)
    x = rng.standard_normal((s["n_x"], s["m"], T_x))
    a0 = np.tanh(rng.standard_normal((s["n_a"], s["m"])))
    return x, a0, gru_parameters(rng, s["n_x"], s["n_a"])


# --------------------------------------------------------------------------- rnn_gradient_norms

_NORM_SIZES = {
    "public": {"small_weights": dict(n_x=3, n_a=6, m=2, T_x=8, scale=0.5, seed=3),
               "large_weights": dict(n_x=3, n_a=6, m=2, T_x=8, scale=2.5, seed=4)},
    "hidden": {"long": dict(n_x=2, n_a=5, m=3, T_x=12, scale=1.5, seed=103),
               "one_example": dict(n_x=4, n_a=7, m=1, T_x=6, scale=3.0, seed=104)},
}


def rnn_parameters(rng, n_x, n_a, scale):
    """Vanilla RNN parameters Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1); Waa ~ scale / sqrt(n_a)."""
    return {"Wax": rng.standard_normal((n_a, n_x)) / np.sqrt(n_x),
            "Waa": rng.standard_normal((n_a, n_a)) * scale / np.sqrt(n_a),
            "ba": 0.1 * rng.standard_normal((n_a, 1))}


def _norm_cases(suite, record):
    cases = []
    for name, s in _NORM_SIZES[suite].items():
        rng = np.random.default_rng(s["seed"])
        x = rng.standard_normal((s["n_x"], s["m"], s["T_x"]))
        a0 = np.zeros((s["n_a"], s["m"]))
        parameters = rnn_parameters(rng, s["n_x"], s["n_a"], s["scale"])
        dims = {k: s[k] for k in ("n_x", "n_a", "m", "T_x")} | {"weight scale": s["scale"]}
        cases.append(core.Case(name, dims, (x, a0, parameters)))
    return cases


def _last_norm_is_one(named, case):
    norms = np.asarray(named["norms"])
    if not np.allclose(norms[:, -1], 1.0):
        return (f"norms[:, -1] should be 1 (the Jacobian of a<T_x> with respect to itself is the identity), "
                f"got {core.fmt_preview(norms[:, -1])}")
    return None


# --------------------------------------------------------------------------- clip_by_global_norm

GRADIENT_NAMES = ("dWax", "dWaa", "dWya", "dba", "dby")
_CLIP_SIZES = {
    "public": {"too_large": dict(n_x=4, n_a=5, n_y=3, scale=3.0, max_norm=5.0, seed=5),
               "already_small": dict(n_x=3, n_a=2, n_y=4, scale=0.1, max_norm=5.0, seed=6)},
    "hidden": {"wide": dict(n_x=27, n_a=10, n_y=27, scale=1.0, max_norm=1.0, seed=105),
               "below_limit": dict(n_x=2, n_a=3, n_y=2, scale=0.5, max_norm=10.0, seed=106)},
}


def _clip_cases(suite, record):
    cases = []
    for name, s in _CLIP_SIZES[suite].items():
        rng = np.random.default_rng(s["seed"])
        shapes = {"dWax": (s["n_a"], s["n_x"]), "dWaa": (s["n_a"], s["n_a"]), "dWya": (s["n_y"], s["n_a"]),
                  "dba": (s["n_a"], 1), "dby": (s["n_y"], 1)}
        gradients = {k: rng.standard_normal(shape) * s["scale"] for k, shape in shapes.items()}
        dims = {"n_x": s["n_x"], "n_a": s["n_a"], "n_y": s["n_y"], "max_norm": s["max_norm"]}
        cases.append(core.Case(name, dims, (gradients, s["max_norm"])))
    return cases


def _global_norm_within_limit(named, case):
    max_norm = case.args[1]
    total = np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in named["clipped"].values()))
    if total > max_norm * (1 + 1e-9):
        return f"the global norm after clipping is {total:.4f}, above max_norm={max_norm}"
    return None


def _clip_leaves_input_alone(func, suite, cases):
    """clip_by_global_norm returns new arrays; the caller's gradients keep their values."""
    for case in cases:
        gradients, max_norm = copy.deepcopy(case.args)
        before = copy.deepcopy(gradients)
        core.call_student(func, "clip_by_global_norm", core.Case(case.name, case.dims, (gradients, max_norm)),
                          copy_inputs=False)
        for name in GRADIENT_NAMES:
            if not np.array_equal(gradients[name], before[name]):
                core.fail("clip_by_global_norm", case, f"the caller's gradients['{name}'] was changed",
                          "hint:   build new arrays (g * scale), do not scale the inputs in place")


# --------------------------------------------------------------------------- build_tagger

TAGGER_SIZES = {
    "public": {"small": dict(vocab_size=20, n_tags=5, emb_dim=6, n_a=4, m=3, T_x=7, n_layers=2, seed=7)},
    "hidden": {"three_layers": dict(vocab_size=31, n_tags=9, emb_dim=5, n_a=3, m=2, T_x=9, n_layers=3, seed=107)},
}
HINT_NOT_BIDIRECTIONAL = ("the output at the first step does not change when the last token changes, so the "
                          "model reads left to right only: wrap each LSTM in keras.layers.Bidirectional")
HINT_IGNORES_FLAG = "with bidirectional=False the model must read left to right only (a plain LSTM per layer)"
HINT_LAYERS = "stack n_layers recurrent layers (a loop over range(n_layers)), each returning sequences"
HINT_SEQUENCES = ("one output per sentence instead of one per token: every LSTM needs "
                  "return_sequences=True so the tagger predicts a tag at each time step")
HINT_SOFTMAX = "the outputs are not probabilities: finish with Dense(n_tags, activation='softmax')"
HINT_MASK = ("padding changes the predictions for real tokens: create the Embedding with mask_zero=True "
             "so every layer skips index 0")
_CHANGE_THRESHOLD = 1e-7  # float32: an output that depends on a token changes by far more than this
_PAD_STEPS = 3  # padding appended in the masking test


def lstm_parameter_count(n_in, n_a):
    """Weights of one keras.layers.LSTM: 4 gates, each with (n_in + n_a) x n_a weights and n_a biases."""
    return 4 * (n_a * (n_in + n_a) + n_a)


def tagger_parameter_count(vocab_size, n_tags, emb_dim, n_a, n_layers=2, bidirectional=True):
    """Parameters of Embedding -> n_layers (Bi)LSTM(n_a) -> Dense(n_tags) with concatenated directions."""
    directions = 2 if bidirectional else 1
    count = vocab_size * emb_dim
    n_in = emb_dim
    for _ in range(n_layers):
        count += directions * lstm_parameter_count(n_in, n_a)
        n_in = directions * n_a
    return count + n_in * n_tags + n_tags


def _predict(model, X):
    import keras

    return np.asarray(keras.ops.convert_to_numpy(model(X, training=False)), dtype=float)


def _build(func, case, kwargs):
    call = core.Case(case.name, case.dims, (), kwargs)
    model = core.call_student(func, "build_tagger", call)
    if model is None:
        core.fail("build_tagger", case, "expected a keras.Model, got None",
                  "hint:   end with `return keras.Model(inputs, outputs)`")
    if not callable(model) or not hasattr(model, "count_params"):
        core.fail("build_tagger", case, f"expected a keras.Model, got {core.type_name(model)}",
                  "hint:   return the model itself, not its output or its summary")
    return model


def _outputs(model, X, case):
    try:
        return _predict(model, X)
    except Exception as err:  # any error of a student's model becomes a message about this case
        core.fail("build_tagger", case, f"calling the model on word indices of shape {X.shape} raised "
                  f"{type(err).__name__}: {str(err)[:200]}",
                  "hint:   the input is a batch of int word indices of shape (m, T_x): keras.Input(shape=(None,), dtype='int32')")


def _check_tagger(func, suite):
    core.check_callable(func, "build_tagger")
    for name, s in TAGGER_SIZES[suite].items():
        sizes = {k: s[k] for k in ("vocab_size", "n_tags", "emb_dim", "n_a")}
        case = core.Case(name, sizes | {"n_layers": s["n_layers"], "m": s["m"], "T_x": s["T_x"]})
        rng = np.random.default_rng(s["seed"])
        X = rng.integers(2, s["vocab_size"], size=(s["m"], s["T_x"])).astype(np.int32)
        model = _build(func, case, sizes | {"n_layers": s["n_layers"]})
        y = _outputs(model, X, case)
        expected_shape = (s["m"], s["T_x"], s["n_tags"])
        # 1. one probability vector per token
        if y.shape != expected_shape:
            hint = (HINT_SEQUENCES if y.ndim == 2 else
                    "the last layer must be Dense(n_tags, ...)" if y.shape[:2] == expected_shape[:2] else "")
            core.fail("build_tagger", case, f"output shape {y.shape}, expected {expected_shape} (m, T_x, n_tags)",
                      f"hint:   {hint}" if hint else "")
        if np.any(y < -1e-6) or not np.allclose(y.sum(axis=-1), 1.0, atol=1e-4):
            core.fail("build_tagger", case, "each output row must be a probability vector over the tags "
                      f"(non-negative, summing to 1); first row sums to {y[0, 0].sum():.4f}", f"hint:   {HINT_SOFTMAX}")
        # 2. bidirectional: the first output depends on the last token
        X_later = X.copy()
        X_later[:, -1] = np.where(X[:, -1] == 2, 3, 2)
        change = np.max(np.abs(_outputs(model, X_later, case)[:, 0] - y[:, 0]))
        if change <= _CHANGE_THRESHOLD:
            core.fail("build_tagger", case, "changing the last token must change the prediction at step 0 "
                      f"(largest change {change:.1e})", f"hint:   {HINT_NOT_BIDIRECTIONAL}")
        # 3. depth, from the parameter count
        expected = tagger_parameter_count(**sizes, n_layers=s["n_layers"], bidirectional=True)
        got = int(model.count_params())
        if got != expected:
            layers = [k for k in range(1, 6) if tagger_parameter_count(**sizes, n_layers=k) == got]
            detail = (f"that is the count of a bidirectional tagger with {layers[0]} recurrent layer(s), "
                      f"not {s['n_layers']}" if layers else
                      "check the Embedding (vocab_size x emb_dim), LSTM units n_a, and the final Dense(n_tags)")
            core.fail("build_tagger", case, f"{got} parameters, expected {expected} "
                      f"(Embedding + {s['n_layers']} x Bidirectional(LSTM({s['n_a']})) + Dense({s['n_tags']}))",
                      detail, f"hint:   {HINT_LAYERS}")
        # 4. padding (index 0) must not change the outputs at real tokens
        X_padded = np.concatenate([X, np.zeros((s["m"], _PAD_STEPS), dtype=np.int32)], axis=1)
        shift = np.max(np.abs(_outputs(model, X_padded, case)[:, : s["T_x"]] - y))
        if shift > 1e-5:
            core.fail("build_tagger", case, f"appending {_PAD_STEPS} padding tokens (index 0) changed the outputs "
                      f"at the real tokens by up to {shift:.1e}", f"hint:   {HINT_MASK}")
        # 5. the switches: a one-directional, one-layer tagger
        flags = {"n_layers": 1, "bidirectional": False}
        uni_case = core.Case(name + "_one_directional", case.dims | flags)
        uni = _build(func, uni_case, sizes | flags)
        y_uni = _outputs(uni, X, uni_case)
        if y_uni.shape != expected_shape:
            core.fail("build_tagger", uni_case, f"output shape {y_uni.shape}, expected {expected_shape}",
                      f"hint:   {HINT_SEQUENCES}")
        if np.max(np.abs(_outputs(uni, X_later, uni_case)[:, 0] - y_uni[:, 0])) > _CHANGE_THRESHOLD:
            core.fail("build_tagger", uni_case, "the prediction at step 0 changed with the last token",
                      f"hint:   {HINT_IGNORES_FLAG}")
        expected_uni = tagger_parameter_count(**sizes, **flags)
        if int(uni.count_params()) != expected_uni:
            core.fail("build_tagger", uni_case, f"{int(uni.count_params())} parameters, expected {expected_uni}",
                      f"hint:   {HINT_LAYERS}")
    print(f"build_tagger: all behaviour checks passed ({suite})")


def _preview_tagger(func):
    s = TAGGER_SIZES["public"]["small"]
    sizes = {k: s[k] for k in ("vocab_size", "n_tags", "emb_dim", "n_a")}
    X = np.random.default_rng(s["seed"]).integers(2, s["vocab_size"], size=(s["m"], s["T_x"])).astype(np.int32)
    print(f"build_tagger({', '.join(f'{k}={v}' for k, v in sizes.items())}) on word indices of shape {X.shape}:")
    try:
        model = func(**sizes)
        y = _predict(model, X)
        print(f"  output shape  yours {y.shape}, expected {(s['m'], s['T_x'], s['n_tags'])}")
        print(f"  parameters    yours {int(model.count_params())}, expected {tagger_parameter_count(**sizes)}")
    except NotImplementedError:
        print("  not implemented yet")
    except Exception as err:  # a quick look reports, it does not grade
        print(f"  raised {type(err).__name__}: {str(err)[:200]}")


# --------------------------------------------------------------------------- registry

GRADER.add(
    core.FunctionSpec(
        name="gru_cell_forward",
        outputs=(core.Output("a_next"),
                 core.Output("cache", "record", GRUStepCache._fields, compare=("ut", "rt", "cct"))),
        hints={
            "gates_swapped": "ut and rt look swapped: ut mixes the candidate with a_prev, rt scales a_prev "
                             "inside the candidate",
            "update_on_wrong_term": "(1 - ut) multiplies the wrong term: ut weights the candidate cct, (1 - ut) the old state",
            "reset_after_matmul": "rt was applied after the matrix product (Keras's reset_after=True form); "
                                  "the lecture multiplies a_prev by rt before Wc: Wc @ [rt * a_prev; xt]",
            "no_relevance_gate": "the candidate ignores rt: compute it from [rt * a_prev; xt]",
        },
        default_hint="ut and rt read [a_prev; xt]; cct reads [rt * a_prev; xt]; the update gate mixes cct and a_prev",
    ),
    _gru_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="rnn_gradient_norms",
        outputs=(core.Output("norms"),),
        hints={
            "no_tanh_derivative": "the Jacobian of one step is diag(1 - a<t>**2) @ Waa: the tanh derivative is missing",
            "derivative_at_previous_state": "the tanh derivative was taken at the wrong step: "
                                            "d a<t> / d a<t-1> uses 1 - a<t>**2, the state that step produced",
            "product_in_wrong_order": "the Jacobians are multiplied in the wrong order: going back one step, "
                                      "multiply on the right, G = G @ J",
            "one_step_only": "each norm is of one step's Jacobian: accumulate the product from T_x back to t",
        },
        default_hint="norms[:, t] is the spectral norm of J<T_x> ... J<t+1>, with J<s> = diag(1 - a<s>**2) @ Waa",
        properties=(("the last norm is 1", _last_norm_is_one),),
        atol=0.0,  # norms span many orders of magnitude: compare relatively
    ),
    _norm_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="clip_by_global_norm",
        outputs=(core.Output("clipped", "dict", GRADIENT_NAMES), core.Output("global_norm", "scalar")),
        hints={
            "clipped_separately": "each gradient was scaled by its own norm: one global norm over all gradients "
                                  "decides one common scale",
            "always_rescaled": "gradients were rescaled although their global norm is below max_norm: "
                               "scale only when global_norm > max_norm",
            "norm_without_sqrt": "global_norm is the sum of squares: take its square root",
            "elementwise_clip": "entries were clipped one by one (np.clip), which changes the direction: "
                                "multiply every gradient by max_norm / global_norm instead",
        },
        default_hint="global_norm = sqrt(sum of squares of every entry of every gradient); "
                     "if it exceeds max_norm, multiply every gradient by max_norm / global_norm",
        properties=(("the clipped global norm is at most max_norm", _global_norm_within_limit),),
    ),
    _clip_cases,
    after=_clip_leaves_input_alone,
)

GRADER.add(
    core.FunctionSpec(name="build_tagger", outputs=(core.Output("model"),)),
    None,
    check=_check_tagger,
    preview=_preview_tagger,
)


# --------------------------------------------------------------------------- test-cell entry points


def check_gru_cell_forward(gru_cell_forward, suite="public"):
    """Graded check of gru_cell_forward(xt, a_prev, parameters): a_next and the gates in the cache."""
    return GRADER.check("gru_cell_forward", gru_cell_forward, suite)


def check_rnn_gradient_norms(rnn_gradient_norms, suite="public"):
    """Graded check of rnn_gradient_norms(x, a0, parameters): the norms at every step."""
    return GRADER.check("rnn_gradient_norms", rnn_gradient_norms, suite)


def check_clip_by_global_norm(clip_by_global_norm, suite="public"):
    """Graded check of clip_by_global_norm(gradients, max_norm): clipped gradients and the global norm."""
    return GRADER.check("clip_by_global_norm", clip_by_global_norm, suite)


def check_build_tagger(build_tagger, suite="public"):
    """Graded check of build_tagger(vocab_size, n_tags, emb_dim, n_a, ...): behaviour of the model."""
    return GRADER.check("build_tagger", build_tagger, suite)


def preview(func_name, func):
    """Quick look: the student's outputs beside the expected ones on the first public case."""
    GRADER.preview(func_name, func)


def sample_inputs(func_name):
    """The inputs of the first public case (deep copies), for experiments in the notebook."""
    return copy.deepcopy(GRADER.cases(func_name, "public")[0].args)


def gru_sequence(T_x=6):
    """x (n_x, m, T_x), a0 (n_a, m), parameters: a small GRU problem for the comparison with Keras."""
    return _gru_sequence("tiny", T_x)
