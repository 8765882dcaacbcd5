"""Checks for notebook 01, rnn_step_by_step: numpy RNN and LSTM, forward and backward.

Each check_* function is one graded test cell. Cases are built from a local
seeded generator; expected outputs come from the recorded reference
(graders/references/01_rnn_step_by_step.npz, written by `make references`).
The backward cases rebuild their caches from the *recorded* forward outputs,
so a backward pass is graded on its own even when the forward pass is wrong.

Layout is features-first: xt (n_x, m), x (n_x, m, T_x), a (n_a, m, T_x).
"""

import numpy as np

from graders import core
from helpers.rnn_caches import LSTMCache, LSTMStepCache, RNNCache, RNNStepCache

ASSIGNMENT = "01_rnn_step_by_step"
GRADER = core.Assignment(ASSIGNMENT)

# Sizes of the named cases. Public cases are shown to students; hidden ones run at autograde time.
SIZES = {
    "public": {
        "tiny": dict(n_x=3, n_a=5, n_y=2, m=4, T_x=4, seed=1),
        "batch": dict(n_x=4, n_a=3, n_y=3, m=10, T_x=6, seed=2),
    },
    "hidden": {
        "wide": dict(n_x=7, n_a=9, n_y=5, m=3, T_x=5, seed=101),
        "single_example": dict(n_x=2, n_a=4, n_y=3, m=1, T_x=8, seed=102),
    },
}
_STEP_DIMS = ("n_x", "n_a", "n_y", "m")
_SEQ_DIMS = ("n_x", "n_a", "n_y", "m", "T_x")
_WEIGHT_SCALE = 0.8  # large enough that tanh and the gates leave their linear range


def _dims(size, keys):
    return {k: size[k] for k in keys}


def rnn_parameters(rng, n_x, n_a, n_y):
    """Random RNN parameters Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1)."""
    return {
        "Wax": rng.standard_normal((n_a, n_x)) * _WEIGHT_SCALE,
        "Waa": rng.standard_normal((n_a, n_a)) * _WEIGHT_SCALE,
        "Wya": rng.standard_normal((n_y, n_a)) * _WEIGHT_SCALE,
        "ba": rng.standard_normal((n_a, 1)),
        "by": rng.standard_normal((n_y, 1)),
    }


def lstm_parameters(rng, n_x, n_a, n_y):
    """Random LSTM parameters: W* (n_a, n_a + n_x) acting on [a_prev; xt], b* (n_a, 1), Wy, by."""
    parameters = {}
    for gate in ("f", "i", "c", "o"):
        parameters["W" + gate] = rng.standard_normal((n_a, n_a + n_x)) * _WEIGHT_SCALE
        parameters["b" + gate] = rng.standard_normal((n_a, 1))
    parameters["Wy"] = rng.standard_normal((n_y, n_a)) * _WEIGHT_SCALE
    parameters["by"] = rng.standard_normal((n_y, 1))
    return parameters


def _sequence_inputs(size, make_parameters):
    """x (n_x, m, T_x), a0 (n_a, m), parameters and a generator for what comes next."""
    rng = np.random.default_rng(size["seed"])
    x = rng.standard_normal((size["n_x"], size["m"], size["T_x"]))
    a0 = rng.standard_normal((size["n_a"], size["m"]))
    parameters = make_parameters(rng, size["n_x"], size["n_a"], size["n_y"])
    return x, a0, parameters, rng


# --------------------------------------------------------------------------- forward cases


def _rnn_cell_forward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, _ = _sequence_inputs(size, rnn_parameters)
        cases.append(core.Case(name, _dims(size, _STEP_DIMS), (x[:, :, 0], a0, parameters)))
    return cases


def _rnn_forward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, _ = _sequence_inputs(size, rnn_parameters)
        cases.append(core.Case(name, _dims(size, _SEQ_DIMS), (x, a0, parameters)))
    return cases


def _lstm_cell_forward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, rng = _sequence_inputs(size, lstm_parameters)
        c_prev = rng.standard_normal(a0.shape)
        cases.append(core.Case(name, _dims(size, _STEP_DIMS), (x[:, :, 0], a0, c_prev, parameters)))
    return cases


def _lstm_forward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, _ = _sequence_inputs(size, lstm_parameters)
        cases.append(core.Case(name, _dims(size, _SEQ_DIMS), (x, a0, parameters)))
    return cases


# --------------------------------------------------------------------------- backward cases


def _upstream_gradient(size, shape):
    """A fixed random upstream gradient, from a generator separate from the inputs'."""
    return np.random.default_rng(size["seed"] + 1000).standard_normal(shape)


def _rnn_cell_backward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, _ = _sequence_inputs(size, rnn_parameters)
        a_next = record.expected("rnn_cell_forward", name, "a_next")
        cache = RNNStepCache(a_next=a_next, a_prev=a0, xt=x[:, :, 0], parameters=parameters)
        da_next = _upstream_gradient(size, a_next.shape)
        cases.append(core.Case(name, _dims(size, _STEP_DIMS), (da_next, cache)))
    return cases


def _rnn_caches(x, a0, a, parameters):
    """RNNCache rebuilt from recorded hidden states a (n_a, m, T_x)."""
    steps = []
    for t in range(x.shape[2]):
        a_prev = a0 if t == 0 else a[:, :, t - 1]
        steps.append(RNNStepCache(a_next=a[:, :, t], a_prev=a_prev, xt=x[:, :, t], parameters=parameters))
    return RNNCache(step_caches=steps, x=x)


def _rnn_backward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, _ = _sequence_inputs(size, rnn_parameters)
        a = record.expected("rnn_forward", name, "a")
        da = _upstream_gradient(size, a.shape)
        cases.append(core.Case(name, _dims(size, _SEQ_DIMS), (da, _rnn_caches(x, a0, a, parameters))))
    return cases


def _lstm_cell_backward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, rng = _sequence_inputs(size, lstm_parameters)
        c_prev = rng.standard_normal(a0.shape)
        fields = {k: record.expected("lstm_cell_forward", name, k) for k in ("a_next", "c_next")}
        gates = {k: record.expected("lstm_cell_forward", name, "cache." + k) for k in ("ft", "it", "cct", "ot")}
        cache = LSTMStepCache(a_prev=a0, c_prev=c_prev, xt=x[:, :, 0], parameters=parameters, **fields, **gates)
        upstream = _upstream_gradient(size, (2,) + a0.shape)
        cases.append(core.Case(name, _dims(size, _STEP_DIMS), (upstream[0], upstream[1], cache)))
    return cases


def _lstm_caches(x, a0, parameters, recorded):
    """LSTMCache rebuilt from recorded states and gates, each (n_a, m, T_x); c0 is zeros."""
    a, c = recorded["a"], recorded["c"]
    c0 = np.zeros_like(a0)
    steps = []
    for t in range(x.shape[2]):
        steps.append(
            LSTMStepCache(
                a_next=a[:, :, t],
                c_next=c[:, :, t],
                a_prev=a0 if t == 0 else a[:, :, t - 1],
                c_prev=c0 if t == 0 else c[:, :, t - 1],
                ft=recorded["ft"][:, :, t],
                it=recorded["it"][:, :, t],
                cct=recorded["cct"][:, :, t],
                ot=recorded["ot"][:, :, t],
                xt=x[:, :, t],
                parameters=parameters,
            )
        )
    return LSTMCache(step_caches=steps, x=x)


def _lstm_backward_cases(suite, record):
    cases = []
    for name, size in SIZES[suite].items():
        x, a0, parameters, _ = _sequence_inputs(size, lstm_parameters)
        recorded = {k: record.expected("lstm_forward", name, k) for k in ("a", "c")}
        for gate in ("ft", "it", "cct", "ot"):
            recorded[gate] = record.expected("lstm_forward", name, "caches." + gate)
        da = _upstream_gradient(size, recorded["a"].shape)
        cases.append(core.Case(name, _dims(size, _SEQ_DIMS), (da, _lstm_caches(x, a0, parameters, recorded))))
    return cases


# --------------------------------------------------------------------------- properties


def _columns_sum_to_one(output_name):
    def prop(outputs, case):
        sums = np.sum(outputs[output_name], axis=0)
        if not np.allclose(sums, 1.0):
            return f"{output_name} columns sum to {core.fmt_preview(sums)}, expected 1 (softmax over axis 0)"
        return None

    return (f"every column of {output_name} is a probability distribution", prop)


def _steps_match_time(outputs, case):
    steps = outputs["caches"].step_caches
    if len(steps) != case.dims["T_x"]:
        return f"caches.step_caches has {len(steps)} entries, expected one per time step (T_x={case.dims['T_x']})"
    return None


# --------------------------------------------------------------------------- specs

_RNN_STEP_FIELDS = tuple(RNNStepCache._fields)
_LSTM_STEP_FIELDS = tuple(LSTMStepCache._fields)
_LSTM_GATES = ("ft", "it", "cct", "ot")
_LSTM_PARAMETER_GRADIENTS = ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo")

GRADER.add(
    core.FunctionSpec(
        name="rnn_cell_forward",
        outputs=(
            core.Output("a_next"),
            core.Output("yt_pred"),
            core.Output("cache", "record", _RNN_STEP_FIELDS, compare=("a_next", "a_prev", "xt")),
        ),
        hints={
            "no_bias": "a_next matches tanh(Waa a_prev + Wax xt) without ba: add the bias",
            "no_tanh": "a_next is not squashed into (-1, 1): apply np.tanh to the pre-activation",
            "softmax_wrong_axis": "yt_pred is normalized across examples: each column (axis 0) must sum to 1",
        },
        default_hint="a_next = tanh(Waa a_prev + Wax xt + ba), yt_pred = softmax(Wya a_next + by)",
        properties=(_columns_sum_to_one("yt_pred"),),
    ),
    _rnn_cell_forward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="rnn_forward",
        outputs=(
            core.Output("a"),
            core.Output("y_pred"),
            core.Output("caches", "steps", _RNN_STEP_FIELDS, compare=("a_prev",)),
        ),
        hints={
            "forgot_a0": "the first step starts from zeros: start the loop from a0",
            "state_not_carried": "every step starts from a0: pass the previous step's a_next to the next step",
        },
        default_hint="call rnn_cell_forward once per time step t on x[:, :, t] and store its outputs at [:, :, t]",
        properties=(("one cache per time step", _steps_match_time),),
    ),
    _rnn_forward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="lstm_cell_forward",
        outputs=(
            core.Output("a_next"),
            core.Output("c_next"),
            core.Output("yt_pred"),
            core.Output("cache", "record", _LSTM_STEP_FIELDS, compare=_LSTM_GATES),
        ),
        hints={
            "no_forget_term": "c_next equals it * cct alone: the ft * c_prev term looks missing",
            "gates_swapped": "c_next looks like it * c_prev + ft * cct: the forget and update gates are swapped",
            "a_next_without_tanh": "a_next equals ot * c_next: squash the memory with tanh first",
        },
        default_hint="check the gate equations: each gate is sigmoid(W [a_prev; xt] + b), in that stacking order",
        properties=(_columns_sum_to_one("yt_pred"),),
    ),
    _lstm_cell_forward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="lstm_forward",
        outputs=(
            core.Output("a"),
            core.Output("y_pred"),
            core.Output("c"),
            core.Output("caches", "steps", _LSTM_STEP_FIELDS, compare=_LSTM_GATES),
        ),
        hints={
            "forgot_a0": "the first step starts from zeros: start the loop from a0 (only c starts at zeros)",
            "memory_not_carried": "c restarts from zeros at every step: pass the previous step's c_next along",
        },
        default_hint="call lstm_cell_forward once per time step, carrying both a_next and c_next",
        properties=(("one cache per time step", _steps_match_time),),
    ),
    _lstm_forward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="rnn_cell_backward",
        outputs=(core.Output("gradients", "dict", ("dxt", "da_prev", "dWax", "dWaa", "dba")),),
        hints={
            "no_tanh_derivative": "the gradient skips the tanh: multiply da_next by (1 - a_next**2) first",
            "derivative_of_wrong_state": "the tanh derivative uses a_prev: it must use a_next = tanh(...)",
            "bias_summed_over_units": "dba must sum over the examples (axis=1, keepdims=True), not over units",
        },
        default_hint="with dz = (1 - a_next**2) * da_next: dWax = dz xt^T, dWaa = dz a_prev^T, dxt = Wax^T dz",
    ),
    _rnn_cell_backward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="rnn_backward",
        outputs=(core.Output("gradients", "dict", ("dx", "da0", "dWax", "dWaa", "dba")),),
        hints={
            "not_accumulated": "the weight gradients hold one time step only: add (+=) each step's gradients",
            "recurrent_gradient_dropped": "the gradient from step t+1 is lost: pass da[:, :, t] + da_prev to each step",
        },
        default_hint="loop t from T_x-1 down to 0, feeding rnn_cell_backward da[:, :, t] plus the da_prev of step t+1",
    ),
    _rnn_backward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="lstm_cell_backward",
        outputs=(
            core.Output(
                "gradients",
                "dict",
                ("dxt", "da_prev", "dc_prev") + _LSTM_PARAMETER_GRADIENTS,
            ),
        ),
        hints={
            "dc_next_ignored": "dc_next is not used: the memory gradient from step t+1 adds to the one through a_next",
            "dc_prev_without_forget_gate": "dc_prev must be scaled by the forget gate ft",
            "output_gate_without_sigmoid_derivative": "the output-gate gradient misses the sigmoid derivative ot*(1-ot)",
        },
        default_hint="first find the total memory gradient dc = dc_next + da_next * ot * (1 - tanh(c_next)**2)",
    ),
    _lstm_cell_backward_cases,
)

GRADER.add(
    core.FunctionSpec(
        name="lstm_backward",
        outputs=(core.Output("gradients", "dict", ("dx", "da0") + _LSTM_PARAMETER_GRADIENTS),),
        hints={
            "not_accumulated": "the weight gradients hold one time step only: add (+=) each step's gradients",
            "memory_gradient_dropped": "dc_prev of each step is thrown away: pass it as dc_next to the step before",
        },
        default_hint="loop backwards through time carrying both da_prev and dc_prev; c0 is zeros so no dc0 is returned",
    ),
    _lstm_backward_cases,
)


# --------------------------------------------------------------------------- test-cell entry points


def check_rnn_cell_forward(rnn_cell_forward, suite="public"):
    """Graded check of rnn_cell_forward(xt, a_prev, parameters)."""
    return GRADER.check("rnn_cell_forward", rnn_cell_forward, suite)


def check_rnn_forward(rnn_forward, suite="public"):
    """Graded check of rnn_forward(x, a0, parameters)."""
    return GRADER.check("rnn_forward", rnn_forward, suite)


def check_lstm_cell_forward(lstm_cell_forward, suite="public"):
    """Graded check of lstm_cell_forward(xt, a_prev, c_prev, parameters)."""
    return GRADER.check("lstm_cell_forward", lstm_cell_forward, suite)


def check_lstm_forward(lstm_forward, suite="public"):
    """Graded check of lstm_forward(x, a0, parameters)."""
    return GRADER.check("lstm_forward", lstm_forward, suite)


def check_rnn_cell_backward(rnn_cell_backward, suite="public"):
    """Graded check of rnn_cell_backward(da_next, cache)."""
    return GRADER.check("rnn_cell_backward", rnn_cell_backward, suite)


def check_rnn_backward(rnn_backward, suite="public"):
    """Graded check of rnn_backward(da, caches)."""
    return GRADER.check("rnn_backward", rnn_backward, suite)


def check_lstm_cell_backward(lstm_cell_backward, suite="public"):
    """Graded check of lstm_cell_backward(da_next, dc_next, cache)."""
    return GRADER.check("lstm_cell_backward", lstm_cell_backward, suite)


def check_lstm_backward(lstm_backward, suite="public"):
    """Graded check of lstm_backward(da, caches)."""
    return GRADER.check("lstm_backward", lstm_backward, suite)


# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
