"""Checks for notebook 01, rnn_step_by_step: numpy RNN and LSTM cells and layers, forward and backward.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time). Inputs come from local
seeded generators; expected outputs, caches included field by field, come
from the recorded reference (graders/references/01_rnn_step_by_step.npz,
written by `make references`).

A backward pass is graded on its own: its cache is a *fixture*, the reference
forward pass run on inputs with seeds of their own (no forward case shares
one) and kept in the public record. So a wrong forward pass cannot spoil the
backward grade, and no expected output of a graded forward case is ever an input.

Layout is features-first: xt (n_x, m), x (n_x, m, T_x), a (n_a, m, T_x); time
steps are indexed t = 0 .. T_x - 1, step t reads x[:, :, t], and a0 is the
state before step 0. Hidden cases differ in structure: one example, one time
step, larger weights (saturated gates); public ones start from a random a0
and from zeros.
"""

import numpy as np

from graders.assignment import Assignment
from graders.spec import Case, FunctionSpec, Output
from helpers.rnn_caches import LSTMCache, LSTMStepCache, RNNCache, RNNStepCache

GRADER = Assignment.of_module(__name__)

# scale: weights ~ N(0, scale^2); 0.8 leaves tanh and the gates their linear range, 2.0 saturates them
SIZES = {
    "public": {
        "tiny": dict(n_x=3, n_a=5, n_y=2, m=4, T_x=4, a0="random", scale=0.8, seed=1),
        "zero_start": dict(n_x=4, n_a=3, n_y=3, m=10, T_x=6, a0="zeros", scale=0.8, seed=2),
    },
    "hidden": {
        "single_example": dict(n_x=2, n_a=4, n_y=3, m=1, T_x=8, a0="random", scale=0.8, seed=101),
        "single_step": dict(n_x=5, n_a=3, n_y=4, m=3, T_x=1, a0="random", scale=0.8, seed=102),
        "large_weights": dict(n_x=7, n_a=9, n_y=5, m=3, T_x=5, a0="random", scale=2.0, seed=103),
    },
}
FIXTURE_SEED_OFFSET = 500  # a backward case's cache: forward inputs no forward case uses
UPSTREAM_SEED_OFFSET = 1000  # its upstream gradients da, dc_next
RNN_PARAMETERS = ("Wax", "Waa", "Wya", "ba", "by")
LSTM_PARAMETERS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by")
LSTM_GATES = {"f": "forget gate ft", "i": "update gate it", "c": "candidate cct", "o": "output gate ot"}
LSTM_WEIGHT_GRADIENTS = tuple(f"d{p}" for p in LSTM_PARAMETERS[:8])


def _dims(size, sequence):
    """Sizes and structure shown in messages: (n_x=3, n_a=5, n_y=2, m=4, T_x=4, a0=random)."""
    keys = ("n_x", "n_a", "n_y", "m") + (("T_x",) if sequence else ())
    return {k: size[k] for k in keys} | {"a0" if sequence else "a_prev": size["a0"]}


def _parameter_shapes(n_x, n_a, n_y, lstm):
    if lstm:  # every gate acts on the stacked [a_prev; xt] (n_a + n_x, m)
        gates = {name: (n_a, n_a + n_x) if name[0] == "W" else (n_a, 1) for name in LSTM_PARAMETERS[:8]}
        return gates | {"Wy": (n_y, n_a), "by": (n_y, 1)}
    return {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)}


def _inputs(size, seed, lstm):
    """x (n_x, m, T_x), a0 (n_a, m), c_prev (n_a, m) and the parameters, from one generator."""
    rng = np.random.default_rng(seed)
    n_x, n_a, n_y, m, T_x = (size[k] for k in ("n_x", "n_a", "n_y", "m", "T_x"))
    x = rng.standard_normal((n_x, m, T_x))
    a0 = rng.standard_normal((n_a, m))
    if size["a0"] == "zeros":
        a0 = np.zeros_like(a0)  # drawn all the same, so the draws after it do not shift
    c_prev = rng.standard_normal((n_a, m))
    parameters = {name: rng.standard_normal(shape) * (size["scale"] if name[0] == "W" else 1.0)
                  for name, shape in _parameter_shapes(n_x, n_a, n_y, lstm).items()}
    return x, a0, c_prev, parameters


# what each forward function is called with, from _inputs' x (n_x, m, T_x), a0, c_prev, parameters
FORWARD_ARGS = {
    "rnn_cell_forward": lambda x, a0, c_prev, parameters: (x[:, :, 0], a0, parameters),
    "rnn_forward": lambda x, a0, c_prev, parameters: (x, a0, parameters),
    "lstm_cell_forward": lambda x, a0, c_prev, parameters: (x[:, :, 0], a0, c_prev, parameters),
    "lstm_forward": lambda x, a0, c_prev, parameters: (x, a0, parameters),
}


def _forward_cases(func_name, seed_offset=0):
    """build_cases(suite, record=None): one Case per size of the suite."""
    def build(suite, record=None):
        return [Case(name, _dims(size, "cell" not in func_name), FORWARD_ARGS[func_name](
            *_inputs(size, size["seed"] + seed_offset, lstm=func_name.startswith("lstm"))))
                for name, size in SIZES[suite].items()]
    return build


# --------------------------------------------------------------------------- backward cases, from fixtures


def _recorded_cache(record, fixture, case_name, cache_type, parameter_names, prefix="cache", t=None):
    """A step cache rebuilt from a fixture; t picks one step of a sequence's stacked caches (..., T_x)."""
    def field(path):
        value = record.fixture(fixture, case_name, f"{prefix}.{path}")
        return value if t is None else value[..., t]
    parameters = {name: field(f"parameters.{name}") for name in parameter_names}
    return cache_type(**{f: field(f) for f in cache_type._fields if f != "parameters"}, parameters=parameters)


def _recorded_caches(record, fixture, case_name, step_type, cache_type, parameter_names, T_x):
    """A sequence cache rebuilt from a fixture: T_x step caches sharing one parameters dict, and x."""
    steps = [_recorded_cache(record, fixture, case_name, step_type, parameter_names, "caches", t) for t in range(T_x)]
    steps = [step._replace(parameters=steps[0].parameters) for step in steps]
    return cache_type(step_caches=steps, x=record.fixture(fixture, case_name, "caches.x"))


def _backward_cases(make_args, sequence):
    """build_cases(suite, record): make_args(size, name, record, rng) with rng for the upstream gradients."""
    def build(suite, record):
        return [Case(name, _dims(size, sequence),
                     make_args(size, name, record, np.random.default_rng(size["seed"] + UPSTREAM_SEED_OFFSET)))
                for name, size in SIZES[suite].items()]
    return build


def _rnn_cell_backward_args(size, name, record, rng):
    cache = _recorded_cache(record, "rnn_step", name, RNNStepCache, RNN_PARAMETERS)
    return rng.standard_normal(cache.a_next.shape), cache


def _rnn_backward_args(size, name, record, rng):
    caches = _recorded_caches(record, "rnn_sequence", name, RNNStepCache, RNNCache, RNN_PARAMETERS, size["T_x"])
    return rng.standard_normal((size["n_a"], size["m"], size["T_x"])), caches


def _lstm_cell_backward_args(size, name, record, rng):
    cache = _recorded_cache(record, "lstm_step", name, LSTMStepCache, LSTM_PARAMETERS)
    return rng.standard_normal(cache.a_next.shape), rng.standard_normal(cache.c_next.shape), cache


def _lstm_backward_args(size, name, record, rng):
    caches = _recorded_caches(record, "lstm_sequence", name, LSTMStepCache, LSTMCache, LSTM_PARAMETERS, size["T_x"])
    return rng.standard_normal((size["n_a"], size["m"], size["T_x"])), caches


for _fixture, _func_name in (("rnn_step", "rnn_cell_forward"), ("rnn_sequence", "rnn_forward"),
                            ("lstm_step", "lstm_cell_forward"), ("lstm_sequence", "lstm_forward")):
    GRADER.add_fixture(_fixture, _func_name, _forward_cases(_func_name, FIXTURE_SEED_OFFSET))


# --------------------------------------------------------------------------- hints shared by several specs


def _only_field_differs(prefix, fields):
    """Pattern hints: exactly one field of a cache differs."""
    return tuple(((f"{prefix}.{f}",), f"only {prefix}.{f} is wrong: store the step's own {f}, unchanged, "
                  f"by keyword in the named tuple") for f in fields if f != "parameters")


def _only_weights_differ(names):
    return ((names, "only the weight gradients differ: the weights are shared by every step, so add (+=) the "
                    "gradients of all T_x steps"),)


# --------------------------------------------------------------------------- specs
# Tolerances: the spec defaults (float64 numpy, see graders.spec) fit every function here.

GRADER.add(FunctionSpec(
    name="rnn_cell_forward",
    outputs=(Output("a_next"), Output("yt_pred"), Output("cache", "record", RNNStepCache._fields)),
    inputs=("xt", "a_prev", "parameters"),
    hints={
        "no_bias": "a_next matches tanh(Waa a_prev + Wax xt) without ba: add the bias",
        "no_tanh": "a_next is not squashed into (-1, 1): apply np.tanh to the pre-activation",
        "softmax_wrong_axis": "yt_pred is normalized across examples: each column (axis 0) must sum to 1",
        "a_prev_ignored": "a_next does not depend on a_prev: add the recurrent term Waa @ a_prev",
        "cache_states_swapped": "cache.a_next and cache.a_prev are swapped: a_next is the new state, "
                                "a_prev the one the step received",
    },
    pattern_hints=((("yt_pred",), "a_next is right, yt_pred is not: yt_pred = softmax(Wya @ a_next + by, axis=0)"),
                   ) + _only_field_differs("cache", RNNStepCache._fields),
    default_hint="a_next = tanh(Waa @ a_prev + Wax @ xt + ba), yt_pred = softmax(Wya @ a_next + by, axis=0)",
), _forward_cases("rnn_cell_forward"))

GRADER.add(FunctionSpec(
    name="rnn_forward",
    outputs=(Output("a"), Output("y_pred"), Output("caches", "steps", RNNStepCache._fields, extra=("x",))),
    inputs=("x", "a0", "parameters"),
    hints={
        "forgot_a0": "the first step starts from zeros: start the loop from a0",
        "state_not_carried": "every step starts from a0: pass the previous step's a_next to the next step",
        "caches_reversed": "the step caches are in reverse order: append them in time order, step 0 first",
        "states_not_stored": "a stays all zeros: store each step's a_next at a[:, :, t]",
    },
    pattern_hints=_only_field_differs("caches", RNNStepCache._fields + ("x",)),
    default_hint="call rnn_cell_forward once per step t on x[:, :, t], carry a_next, store outputs at [:, :, t]",
), _forward_cases("rnn_forward"))

GRADER.add(FunctionSpec(
    name="lstm_cell_forward",
    outputs=(Output("a_next"), Output("c_next"), Output("yt_pred"), Output("cache", "record", LSTMStepCache._fields)),
    inputs=("xt", "a_prev", "c_prev", "parameters"),
    hints={
        "no_forget_term": "c_next equals it * cct alone: the ft * c_prev term looks missing",
        "gates_swapped": "c_next looks like it * c_prev + ft * cct: the forget and update gates are swapped",
        "a_next_without_tanh": "a_next equals ot * c_next: squash the memory with tanh first",
        "stacked_in_wrong_order": "the gates read [xt; a_prev]: stack a_prev on top, np.concatenate([a_prev, xt])",
        "cache_states_swapped": "cache.a_prev and cache.c_prev are swapped: store each under its own name",
    },
    pattern_hints=_only_field_differs("cache", LSTMStepCache._fields),
    default_hint="each gate is sigmoid(W @ [a_prev; xt] + b) (cct: tanh); the new memory keeps ft of c_prev "
                 "and adds it of cct; a_next lets ot of tanh(c_next) through",
), _forward_cases("lstm_cell_forward"))

GRADER.add(FunctionSpec(
    name="lstm_forward",
    outputs=(Output("a"), Output("y_pred"), Output("c"),
             Output("caches", "steps", LSTMStepCache._fields, extra=("x",))),
    inputs=("x", "a0", "parameters"),
    hints={
        "forgot_a0": "the first step starts from zeros: start the hidden state from a0 (only c starts at zeros)",
        "memory_not_carried": "c restarts from zeros at every step: pass the previous step's c_next along",
        "memory_starts_at_a0": "the memory starts from a0: c starts from zeros, only the hidden state from a0",
        "caches_x_one_step": "caches.x must be the whole input sequence x (n_x, m, T_x), not one step",
    },
    pattern_hints=_only_field_differs("caches", LSTMStepCache._fields + ("x",)),
    default_hint="call lstm_cell_forward once per time step, carrying both a_next and c_next",
), _forward_cases("lstm_forward"))

GRADER.add(FunctionSpec(
    name="rnn_cell_backward",
    outputs=(Output("gradients", "dict", ("dxt", "da_prev", "dWax", "dWaa", "dba")),),
    inputs=("da_next", "cache"),
    hints={
        "no_tanh_derivative": "the gradient skips the tanh: multiply da_next by (1 - a_next**2) first",
        "derivative_of_wrong_state": "the tanh derivative uses a_prev: it must use a_next = tanh(...)",
        "bias_summed_over_units": "dba must sum over the examples (axis=1, keepdims=True), not over units",
        "da_next_ignored": "the gradients do not depend on da_next: dz = (1 - a_next**2) * da_next",
    },
    pattern_hints=(
        (("gradients.dxt",), "only dxt is wrong: dxt = Wax.T @ dz"),
        (("gradients.da_prev",), "only da_prev is wrong: da_prev = Waa.T @ dz"),
        (("gradients.dWax",), "only dWax is wrong: dWax = dz @ xt.T"),
        (("gradients.dWaa",), "only dWaa is wrong: dWaa = dz @ a_prev.T, with the a_prev of the cache"),
        (("gradients.dba",), "only dba is wrong: sum dz over the examples, np.sum(dz, axis=1, keepdims=True)"),
    ),
    default_hint="with dz = (1 - a_next**2) * da_next: dWax = dz xt^T, dWaa = dz a_prev^T, dxt = Wax^T dz",
), _backward_cases(_rnn_cell_backward_args, sequence=False))

GRADER.add(FunctionSpec(
    name="rnn_backward",
    outputs=(Output("gradients", "dict", ("dx", "da0", "dWax", "dWaa", "dba")),),
    inputs=("da", "caches"),
    hints={
        "not_accumulated": "the weight gradients hold one time step only: add (+=) each step's gradients",
        "recurrent_gradient_dropped": "the gradient from step t+1 is lost: pass da[:, :, t] + da_prev to each step",
        "forward_in_time": "the loop runs forward in time: go from t = T_x - 1 down to 0, "
                           "for t in reversed(range(T_x))",
    },
    pattern_hints=_only_weights_differ(("gradients.dWax", "gradients.dWaa", "gradients.dba")),
    default_hint="loop t from T_x-1 down to 0, feeding rnn_cell_backward da[:, :, t] plus the da_prev of step t+1",
), _backward_cases(_rnn_backward_args, sequence=True))


def _lstm_cell_backward_patterns():
    """Which gate a bug sits in follows from the set of wrong gradients (the chain rule of exercise 7)."""
    inputs = ("gradients.dxt", "gradients.da_prev")
    patterns = [((f"gradients.dW{g}",), f"only dW{g} is wrong: dW{g} = d{g}t @ [a_prev; xt].T") for g in LSTM_GATES]
    patterns += [(inputs + (f"gradients.dW{g}", f"gradients.db{g}"),
                  f"only the gradients through the {name} are wrong: check its pre-activation gradient "
                  f"(step 2 of the recipe), including the {'tanh' if g == 'c' else 'sigmoid'} derivative")
                 for g, name in LSTM_GATES.items()]
    memory = tuple(f"gradients.{k}" for k in ("dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWi", "dbi", "dWc", "dbc"))
    patterns += [(memory, "everything but the output gate's gradients is wrong, so the memory gradient dc is: "
                          "dc = dc_next + da_next * ot * (1 - tanh(c_next)**2)"),
                 (("gradients.dc_prev",), "only dc_prev is wrong: dc_prev = dc * ft"),
                 (inputs, "only dxt and da_prev are wrong: the top n_a rows of the stacked gradient are da_prev"),
                 (tuple(f"gradients.db{g}" for g in LSTM_GATES), "only the bias gradients are wrong: each db sums "
                  "its gate's gradient over the examples (np.sum(..., axis=1, keepdims=True)), not a mean")]
    return tuple(patterns)


GRADER.add(FunctionSpec(
    name="lstm_cell_backward",
    outputs=(Output("gradients", "dict", ("dxt", "da_prev", "dc_prev") + LSTM_WEIGHT_GRADIENTS),),
    inputs=("da_next", "dc_next", "cache"),
    hints={
        "dc_next_ignored": "dc_next is not used: the memory gradient from step t+1 adds to the one through a_next",
        "dc_prev_without_forget_gate": "dc_prev must be scaled by the forget gate ft",
        "output_gate_without_sigmoid_derivative": "the output-gate gradient misses the sigmoid derivative ot*(1-ot)",
    },
    pattern_hints=_lstm_cell_backward_patterns(),
    default_hint="first find the total memory gradient dc = dc_next + da_next * ot * (1 - tanh(c_next)**2)",
), _backward_cases(_lstm_cell_backward_args, sequence=False))

GRADER.add(FunctionSpec(
    name="lstm_backward",
    outputs=(Output("gradients", "dict", ("dx", "da0") + LSTM_WEIGHT_GRADIENTS),),
    inputs=("da", "caches"),
    hints={
        "not_accumulated": "the weight gradients hold one time step only: add (+=) each step's gradients",
        "memory_gradient_dropped": "dc_prev of each step is thrown away: pass it as dc_next to the step before",
        "forward_in_time": "the loop runs forward in time: go from t = T_x - 1 down to 0, "
                           "for t in reversed(range(T_x))",
    },
    pattern_hints=_only_weights_differ(tuple(f"gradients.{k}" for k in LSTM_WEIGHT_GRADIENTS)),
    default_hint="loop backwards through time carrying both da_prev and dc_prev; c0 is zeros so no dc0 is returned",
), _backward_cases(_lstm_backward_args, sequence=True))


# --------------------------------------------------------------------------- test-cell entry points

check_rnn_cell_forward = GRADER.checker("rnn_cell_forward")
check_rnn_forward = GRADER.checker("rnn_forward")
check_lstm_cell_forward = GRADER.checker("lstm_cell_forward")
check_lstm_forward = GRADER.checker("lstm_forward")
check_rnn_cell_backward = GRADER.checker("rnn_cell_backward")
check_rnn_backward = GRADER.checker("rnn_backward")
check_lstm_cell_backward = GRADER.checker("lstm_cell_backward")
check_lstm_backward = GRADER.checker("lstm_backward")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
