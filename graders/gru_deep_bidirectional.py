"""Checks for notebook 04, gru_deep_bidirectional: a numpy GRU cell, gradient norms through
time, clipping by global norm, and a deep bidirectional LSTM tagger in Keras.

The three numpy functions are compared with outputs recorded from the
reference solution (graders/references/04_gru_deep_bidirectional.npz, written
by `make references`). The Keras tagger is graded by behaviour only
(graders.behaviour), with its weights replaced by seeded random ones: output
shape, softmax rows, the parameter count against the formula (a wrong count is
explained by the mistake that gives it), whether the first output depends on
later words (bidirectional), whether padding is ignored (masking), whether
dropout acts in training only -- never by private Keras attributes, so any
correct construction passes.

Layout: numpy functions are features-first, xt (n_x, m), x (n_x, m, T_x), time
steps indexed t = 0 .. T_x - 1 (a0 is the state before step 0); the tagger is
batch-first, word indices (m, T_x) -> probabilities (m, T_x, n_tags).
"""

import numpy as np

from graders import behaviour
from graders.assignment import Assignment
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output, table_cases
from helpers.rnn_caches import GRUStepCache

GRADER = Assignment.of_module(__name__)

GRU_GATES = ("u", "r", "c")
_WEIGHT_SCALE = 0.8  # large enough that the gates leave their linear range


def _dims(size, keys):
    return {k: size[k] for k in keys}


# --------------------------------------------------------------------------- gru_cell_forward

_GRU_SIZES = {
    "public": {"tiny": dict(n_x=3, n_a=5, m=4, seed=1), "batch": dict(n_x=4, n_a=3, m=10, seed=2)},
    "hidden": {"wide": dict(n_x=7, n_a=9, m=3, seed=101), "single_example": dict(n_x=2, n_a=4, m=1, seed=102),
               "one_feature": dict(n_x=1, n_a=2, m=5, seed=103)},
}


def gru_parameters(rng, n_x, n_a, scale=_WEIGHT_SCALE):
    """Random GRU parameters: Wu, Wr, Wc (n_a, n_a + n_x) acting on [a_prev; xt]; bu, br, bc (n_a, 1)."""
    parameters = {}
    for gate in GRU_GATES:
        parameters["W" + gate] = rng.standard_normal((n_a, n_a + n_x)) * scale
        parameters["b" + gate] = rng.standard_normal((n_a, 1))
    return parameters


def _gru_case(name, s):
    rng = np.random.default_rng(s["seed"])
    xt = rng.standard_normal((s["n_x"], s["m"]))  # (n_x, m)
    a_prev = np.tanh(rng.standard_normal((s["n_a"], s["m"])))  # (n_a, m), nonzero
    return Case(name, _dims(s, ("n_x", "n_a", "m")), (xt, a_prev, gru_parameters(rng, s["n_x"], s["n_a"])))


def gru_sequence(T_x=6):
    """x (n_x, m, T_x), a0 (n_a, m), parameters: a small GRU problem for the comparison with Keras."""
    s = _GRU_SIZES["public"]["tiny"]
    rng = np.random.default_rng(s["seed"] + 500)
    x = rng.standard_normal((s["n_x"], s["m"], T_x))
    a0 = np.tanh(rng.standard_normal((s["n_a"], s["m"])))
    return x, a0, gru_parameters(rng, s["n_x"], s["n_a"])


GRADER.add(FunctionSpec(
    name="gru_cell_forward",
    outputs=(Output("a_next"), Output("cache", "record", GRUStepCache._fields)),
    inputs=("xt", "a_prev", "parameters"),
    hints={
        "gates_swapped": "ut and rt look swapped: ut mixes the candidate with a_prev, rt scales a_prev "
                         "inside the candidate",
        "update_on_wrong_term": "(1 - ut) multiplies the wrong term: ut weights the candidate cct, "
                                "(1 - ut) the old state",
        "reset_after_matmul": "rt was applied after the matrix product (Keras's reset_after=True form); "
                              "the lecture multiplies a_prev by rt before Wc: Wc @ [rt * a_prev; xt]",
        "no_relevance_gate": "the candidate ignores rt: compute it from [rt * a_prev; xt]",
        "cache_holds_concat": "cache.xt must be the input xt (n_x, m), not the stacked [a_prev; xt]",
    },
    pattern_hints=((("a_next", "cache.a_next"), "the gates and the candidate are right, the mix is not: "
                                 "ut weights the candidate cct and (1 - ut) keeps the old state a_prev"),
                   (("a_next", "cache.a_next", "cache.cct"), "ut and rt are right, the candidate is not: "
                                                              "cct = tanh(Wc @ [rt * a_prev; xt] + bc)")),
    default_hint="ut and rt read [a_prev; xt]; cct reads [rt * a_prev; xt]; the update gate mixes cct and a_prev",
), table_cases(_GRU_SIZES, _gru_case))

# --------------------------------------------------------------------------- rnn_gradient_norms

_NORM_SIZES = {  # zero_a0: start from a0 = 0 (the other cases start from a nonzero state)
    "public": {"small_weights": dict(n_x=3, n_a=6, m=2, T_x=8, scale=0.5, zero_a0=True, seed=3),
               "large_weights": dict(n_x=3, n_a=6, m=2, T_x=8, scale=2.5, zero_a0=False, seed=4)},
    "hidden": {"long": dict(n_x=2, n_a=5, m=3, T_x=12, scale=1.5, zero_a0=False, seed=103),
               "one_example": dict(n_x=4, n_a=7, m=1, T_x=6, scale=3.0, zero_a0=False, seed=104),
               "one_step": dict(n_x=2, n_a=3, m=2, T_x=1, scale=1.0, zero_a0=False, seed=105)},
}


def rnn_parameters(rng, n_x, n_a, scale):
    """Vanilla RNN parameters Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1); Waa ~ scale / sqrt(n_a)."""
    return {"Wax": rng.standard_normal((n_a, n_x)) / np.sqrt(n_x),
            "Waa": rng.standard_normal((n_a, n_a)) * scale / np.sqrt(n_a),
            "ba": 0.1 * rng.standard_normal((n_a, 1))}


def _norm_case(name, s):
    rng = np.random.default_rng(s["seed"])
    x = rng.standard_normal((s["n_x"], s["m"], s["T_x"]))  # (n_x, m, T_x)
    a0 = np.tanh(rng.standard_normal((s["n_a"], s["m"]))) * (not s["zero_a0"])  # (n_a, m)
    dims = _dims(s, ("n_x", "n_a", "m", "T_x")) | {"weight scale": s["scale"],
                                                  "a0": "zeros" if s["zero_a0"] else "random"}
    return Case(name, dims, (x, a0, rnn_parameters(rng, s["n_x"], s["n_a"], s["scale"])))


GRADER.add(FunctionSpec(
    name="rnn_gradient_norms",
    outputs=(Output("norms"),),
    inputs=("x", "a0", "parameters"),
    hints={
        "no_tanh_derivative": "the Jacobian of one step is diag(1 - a<t>**2) @ Waa: the tanh derivative is missing",
        "derivative_at_previous_state": "the tanh derivative was taken at the wrong step: "
                                        "d a<t> / d a<t-1> uses 1 - a<t>**2, the state that step produced",
        "product_in_wrong_order": "the Jacobians are multiplied in the wrong order: going back one step, "
                                  "multiply on the right, G = G @ J",
        "one_step_only": "each norm is of one step's Jacobian: accumulate the product from T_x - 1 back to t",
        "frobenius_norm": "that is the Frobenius norm; the spectral norm is np.linalg.norm(G, ord=2, axis=(1, 2))",
        "a0_ignored": "the states do not start from a0: the first step reads a_prev = a0, which need not be zeros",
        "last_norm_zero": "norms[:, T_x - 1] must be 1 (d a<T_x - 1> / d a<T_x - 1> is the identity): "
                          "start from np.ones",
    },
    default_hint="norms[:, t] is the spectral norm of J<T_x - 1> ... J<t+1>, with J<s> = diag(1 - a<s>**2) @ Waa",
    # norms span many orders of magnitude: compare relatively only (float64 products of a
    # dozen Jacobians agree to ~1e-13 relative; every known bug is off by more than 1e-3)
    atol=0.0,
), table_cases(_NORM_SIZES, _norm_case))

# --------------------------------------------------------------------------- clip_by_global_norm

GRADIENT_NAMES = ("dWax", "dWaa", "dWya", "dba", "dby")
_CLIP_SIZES = {
    "public": {"too_large": dict(n_x=4, n_a=5, n_y=3, scale=3.0, max_norm=5.0, seed=5),
               "already_small": dict(n_x=3, n_a=2, n_y=4, scale=0.1, max_norm=5.0, seed=6)},
    "hidden": {"wide": dict(n_x=27, n_a=10, n_y=27, scale=1.0, max_norm=1.0, seed=105),
               "below_limit": dict(n_x=2, n_a=3, n_y=2, scale=0.5, max_norm=10.0, seed=106),
               "single_unit": dict(n_x=1, n_a=1, n_y=1, scale=4.0, max_norm=2.0, seed=107)},
}


def _clip_case(name, s):
    rng = np.random.default_rng(s["seed"])
    shapes = {"dWax": (s["n_a"], s["n_x"]), "dWaa": (s["n_a"], s["n_a"]), "dWya": (s["n_y"], s["n_a"]),
              "dba": (s["n_a"], 1), "dby": (s["n_y"], 1)}
    gradients = {k: rng.standard_normal(shape) * s["scale"] for k, shape in shapes.items()}
    return Case(name, _dims(s, ("n_x", "n_a", "n_y", "max_norm")), (gradients, s["max_norm"]))


GRADER.add(FunctionSpec(
    name="clip_by_global_norm",
    outputs=(Output("clipped", "dict", GRADIENT_NAMES), Output("global_norm", "scalar")),
    fresh=("clipped",),
    inputs=("gradients", "max_norm"),
    hints={
        "clipped_separately": "each gradient was scaled by its own norm: one global norm over all gradients "
                              "decides one common scale",
        "always_rescaled": "gradients were rescaled although their global norm is below max_norm: "
                           "scale only when global_norm > max_norm",
        "norm_without_sqrt": "global_norm is the sum of squares: take its square root",
        "elementwise_clip": "entries were clipped one by one (np.clip), which changes the direction: "
                            "multiply every gradient by max_norm / global_norm instead",
        "norm_after_clipping": "global_norm is measured before clipping, not after",
        "normalized_to_one": "the clipped gradients have global norm 1, not max_norm: "
                             "multiply by max_norm / global_norm",
    },
    pattern_hints=((("global_norm",), "the clipped gradients are right but global_norm is not: return the norm "
                                      "of all entries measured before clipping"),),
    default_hint="global_norm = sqrt(sum of squares of every entry of every gradient); "
                 "if it exceeds max_norm, multiply every gradient by max_norm / global_norm",
), table_cases(_CLIP_SIZES, _clip_case))


# --------------------------------------------------------------------------- build_tagger

TAGGER_SIZES = {  # m sentences of T_x words; every other key is an argument of build_tagger
    "public": {"two_layers": dict(vocab_size=20, n_tags=5, emb_dim=6, n_a=4, m=3, T_x=7, seed=7),
               "left_to_right_dropout": dict(vocab_size=20, n_tags=5, emb_dim=6, n_a=4, m=3, T_x=7, n_layers=1,
                                             bidirectional=False, dropout=0.3, seed=8)},
    "hidden": {"three_layers": dict(vocab_size=31, n_tags=9, emb_dim=5, n_a=3, m=2, T_x=9, n_layers=3, seed=107),
               "one_word_sentence": dict(vocab_size=12, n_tags=4, emb_dim=3, n_a=2, m=1, T_x=1, seed=108),
               "deep_left_to_right_dropout": dict(vocab_size=15, n_tags=6, emb_dim=4, n_a=5, m=1, T_x=6, n_layers=2,
                                                  bidirectional=False, dropout=0.5, seed=109)},
}
HINT_INPUT = "the input is a batch of int word indices of any length: keras.Input(shape=(None,), dtype='int32')"
HINT_SEQUENCES = ("one output per sentence instead of one per token: every LSTM needs "
                  "return_sequences=True so the tagger predicts a tag at each time step")
HINT_NOT_BIDIRECTIONAL = ("the output at the first step does not change when the later words change, so the "
                          "model reads left to right only: wrap each LSTM in keras.layers.Bidirectional")
HINT_IGNORES_FLAG = "with bidirectional=False the model must read left to right only (a plain LSTM per layer)"
HINT_MASK = ("padding changes the predictions for real tokens: every layer after the Embedding must skip index 0 "
             "(mask_zero=True in the Embedding, and no layer between that drops the mask)")
HINT_DROPOUT_IGNORED = behaviour.dropout_ignored_hint("after the embedding and after each recurrent layer")
HINT_DROPOUT_PLACE = behaviour.dropout_place_hint("the Embedding and each recurrent layer")
HINT_LAYERS = "stack n_layers recurrent layers (a loop over range(n_layers))"
HINT_FORMULA = ("the parameter count differs from the formula: Embedding vocab_size * emb_dim; per layer "
                "directions * 4 * (n_a * (n_in + n_a) + n_a), n_in = emb_dim then directions * n_a; "
                "Dense (directions * n_a + 1) * n_tags")
HINT_ARCHITECTURE = behaviour.architecture_hint("tagger", "Embedding, Dropout, then per layer a (Bidirectional) LSTM "
                                                "returning sequences and Dropout, Dense softmax")
_PAD_STEPS = 3  # padding tokens (index 0) appended in the masking test
TAGGER = behaviour.ClassifierCheck(  # weights injected with a fixed seed: the same on every machine
    "build_tagger", "m, T_x, n_tags", weight_seed=1234, input_hint=HINT_INPUT, rank_hints={2: HINT_SEQUENCES},
    moves=(("reads_later_tokens", "later_change"),), stays=(("padding_ignored", "padding_shift"),),
    dropout_after=("Embedding", "LSTM", "Bidirectional"), dropout_hints=(HINT_DROPOUT_IGNORED, HINT_DROPOUT_PLACE))


def tagger_parameter_count(vocab_size, n_tags, emb_dim, n_a, n_layers=2, bidirectional=True, dropout=0.0,
                           concat=True, dense_bias=True):
    """Parameters of Embedding -> n_layers (Bi)LSTM(n_a) -> Dense(n_tags); concat=False: directions summed."""
    directions = 2 if bidirectional else 1
    return sum(behaviour.lstm_classifier_params(vocab_size, emb_dim, n_a, n_tags, n_layers, directions, concat,
                                                dense_bias))


def _tagger_case(name, s):
    """X (m, T_x) word indices >= 2; its variants: every word after the first changed, padding appended."""
    X = np.random.default_rng(s["seed"]).integers(2, s["vocab_size"], size=(s["m"], s["T_x"])).astype(np.int32)
    later = X.copy()
    later[:, 1:] = (X[:, 1:] - 1) % (s["vocab_size"] - 2) + 2  # after the first: the next word (wrapping)
    padded = np.concatenate([X, np.zeros((s["m"], _PAD_STEPS), dtype=X.dtype)], axis=1)
    variants = {"later_change": (later if s["T_x"] > 1 else None, np.s_[:, 0]),  # one word: no later words
                "padding_shift": (padded, np.s_[:, :s["T_x"]])}
    return Case(name, {k: v for k, v in s.items() if k != "seed"}, (),
                {k: v for k, v in s.items() if k not in ("m", "T_x", "seed")}, {"X": X, "variants": variants})


def _expect_tagger(case):
    k = case.kwargs
    bidirectional, n_layers = k.get("bidirectional", True), k.get("n_layers", 2)
    facts = {"padding_ignored": (True, HINT_MASK, ""),  # fact: (expected, hint when False, hint when True)
             "reads_later_tokens": (bidirectional, HINT_NOT_BIDIRECTIONAL, HINT_IGNORES_FLAG)}
    other = ("a left-to-right tagger: wrap each LSTM in keras.layers.Bidirectional" if bidirectional else
             "a bidirectional tagger: with bidirectional=False use a plain LSTM per layer")
    mistakes = [(f"{HINT_LAYERS}: the count is that of {n} recurrent layer(s), not n_layers={n_layers}", {"n_layers": n})
                for n in range(1, n_layers + 2)] + [
        (f"the count is that of {other}", {"bidirectional": not bidirectional}),
        ("the count is that of LSTMs with 2 * n_a units: n_a counts the units of one direction", {"n_a": 2 * k["n_a"]}),
        ("the Embedding has vocab_size + 1 rows: vocab_size already counts the padding index 0",
         {"vocab_size": k["vocab_size"] + 1}),
        ("the directions are summed or averaged: keep Bidirectional's merge_mode='concat'", {"concat": False}),
        ("the Dense layer has no bias: keep Dense's default use_bias=True", {"dense_bias": False})]
    # outputs: the docstring's tagger with the injected weights, Embedding then n_layers (Bi)LSTMs concatenated
    outputs = TAGGER.oracle(case, (k["vocab_size"], k["emb_dim"]), k["n_a"], n_layers, 2 if bidirectional else 1)
    return TAGGER.expected(case, facts, tagger_parameter_count, k, mistakes, outputs)


GRADER.add(FunctionSpec(name="build_tagger", outputs=(Output("model"),), default_hint=HINT_FORMULA,
                        pattern_hints=((("outputs",), HINT_ARCHITECTURE),),
                        atol=FLOAT32_ATOL, rtol=0.0),  # float32 Keras against the float64 oracle
           table_cases(TAGGER_SIZES, _tagger_case), observe=TAGGER.observe, expect=_expect_tagger)


# --------------------------------------------------------------------------- test-cell entry points

check_gru_cell_forward = GRADER.checker("gru_cell_forward")
check_rnn_gradient_norms = GRADER.checker("rnn_gradient_norms")
check_clip_by_global_norm = GRADER.checker("clip_by_global_norm")
check_build_tagger = GRADER.checker("build_tagger")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
