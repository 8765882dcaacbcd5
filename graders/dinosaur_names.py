"""Checks for notebook 02, dinosaur_names: clipping, sampling, one optimisation step, the training loop.

clip and optimize are record-based: the outputs, and the caller's gradients
or parameters after the call (both are meant to change in place), are
compared with what the reference solution returned. sample and the training
loop are graded by behaviour, since a correct implementation may consume
random numbers in its own way:

- sample runs on probe models whose answer is known: a *chain* model spells
  one name with certainty; a model with nonzero recurrent weights Waa, whose
  first two characters must follow the probabilities the judge computes from
  the model with the given one-step helper (so the state a_prev must be carried
  and the drawn character fed back); a *cap* model that never draws the newline,
  so every name has exactly max_length characters. Every name must be
  well formed, and the same seed must give the same names (the checks of
  graders.samplers.SequenceSampler, declared here as NAMES).
- train_char_rnn runs with a stand-in optimize_fn that records what the loop
  passes it and returns a known loss and state.

Source: Karpathy, "The Unreasonable Effectiveness of Recurrent Neural
Networks" (2015); the sampling loop of the lecture.
"""

import functools

import numpy as np

from graders import behaviour, samplers
from graders.assignment import Assignment
from graders.messages import CheckFailure, fail, type_name
from graders.probe import Observation
from graders.spec import Case, FunctionSpec, Output, Property, table_cases
from helpers.char_rnn import INIT_SCALE, initialize_parameters, one_hot, rnn_step_forward

GRADER = Assignment.of_module(__name__)

PARAMETER_NAMES = ("Wax", "Waa", "Wya", "ba", "by")
GRADIENT_NAMES = tuple("d" + name for name in PARAMETER_NAMES)  # dWax, ...: 'd' + the forward name
MAX_NAME_LENGTH = 50  # sample()'s default max_length, as in the notebook
MAX_GRADIENT = 5.0  # optimize()'s default max_value, as in the notebook


def _rnn_arrays(rng, n_a, vocab_size, scale, unscaled=()):
    """{name: array} of PARAMETER_NAMES, Wax (n_a, V), Waa (n_a, n_a), Wya (V, n_a), ba (n_a, 1), by (V, 1):
    standard normal draws from rng in this order, times `scale` (the names in `unscaled` times 1)."""
    shapes = ((n_a, vocab_size), (n_a, n_a), (vocab_size, n_a), (n_a, 1), (vocab_size, 1))
    return {name: rng.standard_normal(shape) * (1.0 if name in unscaled else scale)
            for name, shape in zip(PARAMETER_NAMES, shapes)}


# --------------------------------------------------------------------------- clip

# scale / max_value >= 4: every gradient has entries to clip, except in "nothing_to_clip"
_CLIP_CASES = {
    "public": {"small": dict(n_a=5, vocab_size=4, scale=20.0, max_value=5.0, seed=3),
               "tight": dict(n_a=3, vocab_size=6, scale=3.0, max_value=0.5, seed=4)},
    "hidden": {"wide": dict(n_a=8, vocab_size=27, scale=40.0, max_value=10.0, seed=103),
               "integer_bound": dict(n_a=4, vocab_size=5, scale=8.0, max_value=2, seed=104),
               "nothing_to_clip": dict(n_a=3, vocab_size=4, scale=0.1, max_value=5.0, seed=105)},
}


def _clip_case(name, s):
    drawn = _rnn_arrays(np.random.default_rng(s["seed"]), s["n_a"], s["vocab_size"], s["scale"])
    gradients = {"d" + key: array for key, array in drawn.items()}
    return Case(name, {"n_a": s["n_a"], "vocab_size": s["vocab_size"], "max_value": s["max_value"]},
                (gradients, s["max_value"]))


CLIP = FunctionSpec(
    name="clip",
    outputs=(Output("gradients", "dict", GRADIENT_NAMES),),
    inputs=("gradients", "max_value"),
    mutates=("gradients",), same_arrays=True,  # the exercise is np.clip(..., out=): the caller's own arrays
    hints={
        "copy_not_in_place": "clip must work in place: the returned dict is right but the caller's arrays were not "
                             "changed; give np.clip an out= argument so it overwrites the array it reads",
        "some_gradients_not_clipped": "dba and dby were not clipped: clip every gradient in the dict",
        "lower_bound_zero": "negative entries were clipped to 0: the range is [-max_value, max_value]",
        "max_value_ignored": "the entries were clipped to ±5 (MAX_GRADIENT), not to the max_value you were given",
    },
    pattern_hints=((tuple(f"input gradients.{k}" for k in GRADIENT_NAMES),
                    "clip must work in place: the caller's arrays were not changed; use np.clip(..., out=array)"),),
    default_hint="every entry of every gradient must end inside [-max_value, max_value], in the caller's arrays",
)
GRADER.add(CLIP, table_cases(_CLIP_CASES, _clip_case))


# --------------------------------------------------------------------------- sample

VOCAB = "\nabcd"  # the probe models' vocabulary; the newline has index 0
NEWLINE = 0
CHAR_TO_IX = {ch: i for i, ch in enumerate(VOCAB)}
STRONG = 100.0  # logit gap that makes a choice certain: the runner-up has probability < e^-40


def chain_parameters(spelling, Waa_scale=0.0, seed=0):
    """A model that spells `spelling` and then the newline with certainty (n_a = vocab_size).

    Wax = 2*STRONG*I and ba = -STRONG saturate the state to +1 at the input
    character and -1 elsewhere (all -1 for the zero first input), whatever a
    small Waa adds; Wya gives the next character a logit 2*STRONG above the rest.
    """
    V = len(VOCAB)
    order = [CHAR_TO_IX[ch] for ch in spelling] + [NEWLINE]
    Wya = np.zeros((V, V))
    Wya[order[1:], order[:-1]] = STRONG  # row: the character that follows the column's
    by = Wya.sum(axis=1, keepdims=True)  # cancels the -1 states ...
    by[order[0]] += STRONG / 2  # ... and makes spelling[0] the first character
    rng = np.random.default_rng(seed)
    return {"Wax": 2 * STRONG * np.eye(V), "Waa": Waa_scale * rng.standard_normal((V, V)), "Wya": Wya,
            "ba": -STRONG * np.ones((V, 1)), "by": by}


def random_parameters(seed, newline_logit, n_a=4, scale=2.0):
    """A model with large random weights, Waa included: the second character depends on the carried state."""
    parameters = _rnn_arrays(np.random.default_rng(seed), n_a, len(VOCAB), scale, unscaled=("ba",))
    parameters["by"][NEWLINE] += newline_logit
    return parameters


# name: (kind, model, names drawn, seed, max_length or None for the default); kind: "chain" compares the
# one certain name, "names" the frequencies, "cap" that every name has max_length characters
_SAMPLE_CASES = {
    "public": {"chain": ("chain", dict(spelling="abcd"), 1, 0, None),
               "recurrent_frequencies": ("names", dict(seed=5, newline_logit=1.0), 1500, 1, None),
               "length_cap": ("cap", dict(seed=6, newline_logit=-STRONG), 300, 2, 6)},
    "hidden": {"chain_with_recurrence": ("chain", dict(spelling="dbc", Waa_scale=1.0, seed=7), 1, 10, None),
               "recurrent_frequencies_2": ("names", dict(seed=4, newline_logit=1.0), 1500, 11, None),
               "cap_of_one": ("cap", dict(seed=8, newline_logit=-STRONG), 300, 12, 1),
               "long_cap": ("cap", dict(seed=9, newline_logit=-STRONG), 100, 13, 9)},
}


def _sample_case(name, entry):
    kind, model, n_names, seed, max_length = entry
    parameters = chain_parameters(**model) if kind == "chain" else random_parameters(**model)
    kwargs = {} if max_length is None else {"max_length": max_length}
    dims = {"vocab_size": len(VOCAB), "n_a": parameters["Waa"].shape[0], "names": n_names, **kwargs}
    path = [CHAR_TO_IX[ch] for ch in model["spelling"]] + [NEWLINE] if kind == "chain" else None  # chain's name
    data = {"kind": kind, "seed": seed, "path": path, "max_length": max_length or MAX_NAME_LENGTH}
    return Case(name, dims, (parameters, dict(CHAR_TO_IX)), kwargs, data)


def next_probabilities(parameters, prefix):
    """(V,) probabilities of the character drawn after the indices `prefix` (from the zero state and input)."""
    a, x = np.zeros((parameters["Waa"].shape[0], 1)), np.zeros((len(VOCAB), 1))
    for ix in prefix:
        a, x = rnn_step_forward(parameters, a, x)[0], one_hot(ix, len(VOCAB))
    return rnn_step_forward(parameters, a, x)[1][:, 0]


def first_two_probabilities(parameters, max_length):
    """P(first character i, second j) of the model's names, (V, V + 1); column V: the name ends after one."""
    return NAMES.first_two_probabilities(functools.partial(next_probabilities, parameters), max_length)


NAMES = samplers.SequenceSampler(
    VOCAB, NEWLINE, MAX_NAME_LENGTH, item="name", unit="character", stop_name="newline",
    draws="draw every index with rng.choice(vocab_size, p=probabilities.ravel()), not np.argmax,",
    index_hint="return a list of ints: append int(index) of every draw")
FIRST_CHARACTER_HINT = ("draw each index from this step's softmax output with "
                        "rng.choice(vocab_size, p=probabilities.ravel())")
SECOND_CHARACTER_HINT = ("the second step must use the state a_prev of the first step (Waa @ a_prev) and the "
                         "one-hot of the character just drawn")
SAMPLE = FunctionSpec(
    "sample", (Output("indices"),), inputs=("parameters", "char_to_ix", "rng"), pattern_hints=NAMES.pattern_hints,
    default_hint="each step: a_prev = tanh(Wax x + Waa a_prev + ba), draw from softmax(Wya a_prev + by) with rng, "
                 "feed the drawn character back as the one-hot x, stop after the newline or max_length characters",
    properties=(Property("the first two characters follow the model's probabilities", NAMES.first_two_check(
        lambda case: first_two_probabilities(case.args[0], case.data["max_length"]), "names",
        (FIRST_CHARACTER_HINT, SECOND_CHARACTER_HINT))),))


def _sample_margin(case):
    """How certain the exactly compared outcomes are, as a logit gap (names cases compare no drawn index)."""
    parameters = case.args[0]
    if case.data["kind"] == "chain":  # log-probability gap between the spelled and the runner-up character
        return NAMES.path_margin(functools.partial(next_probabilities, parameters), case.data["path"])
    if case.data["kind"] == "cap":  # the newline's logit stays below every other for any state |a| <= 1
        return float(np.min(parameters["by"][1:, 0] - np.abs(parameters["Wya"][1:]).sum(axis=1))
                     - (parameters["by"][NEWLINE, 0] + np.abs(parameters["Wya"][NEWLINE]).sum()))
    return float("inf")


GRADER.add(SAMPLE, table_cases(_SAMPLE_CASES, _sample_case),
           observe=lambda func, case: NAMES.observe(func, SAMPLE, case, case.data["seed"], case.dims["names"],
                                                    case.data["max_length"]),
           expect=lambda case: NAMES.expected(case.data["max_length"], case.data["path"], case.data["kind"] == "cap"),
           margin=_sample_margin)


# --------------------------------------------------------------------------- optimize

_OPTIMIZE_CASES = {
    "public": {"short": dict(vocab_size=5, n_a=4, length=4, seed=5, learning_rate=0.05, max_value=5.0),
               "long": dict(vocab_size=7, n_a=6, length=9, seed=6, learning_rate=0.01, max_value=2.0)},
    "hidden": {"wide": dict(vocab_size=27, n_a=10, length=6, seed=105, learning_rate=0.02, max_value=1.0),
               "one_char": dict(vocab_size=4, n_a=3, length=1, seed=106, learning_rate=0.1, max_value=0.5)},
}
_OPTIMIZE_WEIGHT_SCALE = 3.0  # large weights make some gradients exceed the clip value


def _optimize_case(name, s):
    rng = np.random.default_rng(s["seed"])
    parameters = initialize_parameters(s["n_a"], s["vocab_size"], rng)
    for key in ("Wax", "Waa", "Wya"):
        parameters[key] *= _OPTIMIZE_WEIGHT_SCALE / INIT_SCALE
    chars = rng.integers(1, s["vocab_size"], size=s["length"]).tolist()
    X, Y = [None] + chars, chars + [0]
    a_prev = rng.standard_normal((s["n_a"], 1)) * 0.5  # a nonzero state carried in from the previous name
    dims = {"vocab_size": s["vocab_size"], "n_a": s["n_a"], "T_x": len(X), "max_value": s["max_value"]}
    return Case(name, dims, (X, Y, a_prev, parameters, s["learning_rate"]), {"max_value": s["max_value"]})


OPTIMIZE = FunctionSpec(
    name="optimize",
    outputs=(Output("loss", "scalar"), Output("gradients", "dict", GRADIENT_NAMES), Output("a_last")),
    inputs=("X", "Y", "a_prev", "parameters", "learning_rate"),
    mutates=("parameters",),
    hints={
        "no_clipping": "some gradients exceed max_value: call clip(gradients, max_value) before the update",
        "clip_after_update": "the parameters were updated with unclipped gradients: clip before update_parameters",
        "initial_state_returned": "the returned state is a0 (a[-1] is the initial state in that dict): "
                                  "return a[len(X) - 1]",
        "max_value_ignored": "the gradients were clipped to ±5 (MAX_GRADIENT), not to the max_value you were given",
        "parameters_copied": "the caller's parameters did not change: update the dict you were given in place, "
                             "without copying it first",
    },
    pattern_hints=((tuple(f"input parameters.{k}" for k in PARAMETER_NAMES),
                    "the caller's parameters are not the updated ones: call update_parameters(parameters, "
                    "gradients, learning_rate) on the dict you were given, with the clipped gradients"),),
    default_hint="forward with rnn_forward, gradients with rnn_backward, then clip, then update_parameters",
)
GRADER.add(OPTIMIZE, table_cases(_OPTIMIZE_CASES, _optimize_case))


# --------------------------------------------------------------------------- training loop

_LOOP_CASES = {  # name: (number of examples, num_iterations, n_a, learning_rate, callback given)
    "public": {"cycling": (3, 7, 4, 0.02, True)},
    "hidden": {"no_callback": (5, 12, 6, 0.005, False), "fewer_iterations_than_examples": (5, 2, 3, 0.1, True)},
}
_LOOP_VOCAB_SIZE = 8  # the examples' indices stay inside it, so even the real optimize runs on them


def _loop_case(name, entry):
    n_examples, num_iterations, n_a, learning_rate, callback = entry
    examples = [([None] + list(range(1, k + 2)), list(range(1, k + 2)) + [0]) for k in range(n_examples)]
    parameters = initialize_parameters(n_a, _LOOP_VOCAB_SIZE, np.random.default_rng(0))
    return Case(name, {"examples": n_examples, "num_iterations": num_iterations, "n_a": n_a},
                (examples, parameters, num_iterations, learning_rate), {}, {"callback": callback})


_CALLS = {"example_index": np.int64, "a_prev_in": float, "same_parameters": bool, "learning_rate_in": float}
_CALLBACKS = {"callback_iterations": np.int64, "callback_losses": float, "callback_same_parameters": bool}


def _columns(rows, dtypes):
    """{name: array of entry i of every row, of that dtype} for the i-th (name, dtype) of dtypes (e.g. _CALLS)."""
    return {name: np.array([row[i] for row in rows], dtype=dtype) for i, (name, dtype) in enumerate(dtypes.items())}


def _stand_in_optimize(case, examples, parameters):
    """Stands in for optimize: call j returns the loss 100 - j and the state a_last = j + 1, and adds a row of
    _CALLS to .calls. A function, so a student's wrong call reads "optimize_fn() takes ...", never a grader class."""
    n_a = case.dims["n_a"]

    def optimize_fn(X, Y, a_prev, parameters_given, learning_rate):
        j = len(optimize_fn.calls)
        if not isinstance(a_prev, np.ndarray) or a_prev.shape != (n_a, 1):
            shape = f" of shape {a_prev.shape}" if isinstance(a_prev, np.ndarray) else ""
            fail("train_char_rnn", case, f"iteration {j} called optimize_fn with a_prev = {type_name(a_prev)}{shape}, "
                 f"expected an ndarray of shape (n_a, 1) = {(n_a, 1)}",
                 "hint:   start from np.zeros((n_a, 1)); optimize_fn returns (loss, gradients, a_last) in this "
                 "order: `loss, _, a_prev = optimize_fn(...)` carries a_last on")
        example = (list(X), list(Y))
        optimize_fn.calls.append((examples.index(example) if example in examples else -1, a_prev[:, 0].copy(),
                                  parameters_given is parameters, learning_rate))
        return 100.0 - j, {}, np.full((n_a, 1), float(j + 1))

    optimize_fn.calls = []
    optimize_fn.__qualname__ = "optimize_fn"  # an error names it as the student knows it, not as a grader local
    return optimize_fn


def _observe_loop(func, case):
    """The calls the loop made to a stand-in optimize_fn and to the callback, and the losses it returned."""
    examples, parameters, num_iterations, learning_rate = args = behaviour.snapshot(case.args)
    spy, seen = _stand_in_optimize(case, examples, parameters), []
    kwargs = {"optimize_fn": spy}
    if case.data["callback"]:
        kwargs["callback"] = lambda j, loss, given: seen.append((j, loss, given is parameters))
    try:
        losses, changed = behaviour.call_checked(func, LOOP, case, args, kwargs)
    except CheckFailure as failure:
        if case.data["callback"] or "NoneType" not in str(failure):
            raise
        fail("train_char_rnn", case, str(failure).split("\n")[1].strip() + " (no callback was given)",
             "hint:   callback is optional: call it only `if callback is not None`")
    losses = samplers.number_list(losses, "iuf", "train_char_rnn", case, "numbers (one loss per iteration)",
                                  "optimize_fn returns (loss, gradients, a_last): unpack it and append the loss alone")
    leaves = {"optimize_calls": np.int64(len(spy.calls)), "losses": np.asarray(losses, dtype=float),
              **_columns(spy.calls, _CALLS), **_columns(seen, _CALLBACKS)}
    return Observation(case.name, leaves, changed)


def _expect_loop(case):
    """The calls and losses of a correct loop with the stand-in optimize_fn, and those of known bugs."""
    n = case.dims["num_iterations"]
    calls = [(j % case.dims["examples"], np.full(case.dims["n_a"], j), True, case.args[3]) for j in range(n)]
    expected = {"optimize_calls": np.int64(n), "losses": 100.0 - np.arange(n), **_columns(calls, _CALLS)}
    if case.data["callback"]:
        expected |= _columns([(j, 100.0 - j, True) for j in range(n)], _CALLBACKS)
    bugs = {"optimize_fn was never called: call the optimize_fn you were given, not optimize":
            {"optimize_calls": np.int64(0)},
            "one optimize step per iteration: for j in range(num_iterations)":
            {"optimize_calls": np.int64(n - 1)},
            "iteration j uses examples[j % len(examples)], cycling through all examples":
            {"example_index": np.zeros(n, dtype=np.int64)},
            "carry the state: a_prev for the next iteration is the a_last optimize_fn returned":
            {"a_prev_in": np.zeros_like(expected["a_prev_in"])}}
    return expected, bugs


LOOP = FunctionSpec(
    "train_char_rnn", (Output("losses"),), inputs=("examples", "parameters", "num_iterations", "learning_rate"),
    mutates=("parameters",),  # by optimize_fn, as the docstring says; the stand-in leaves them as they are
    pattern_hints=((("losses",), "return the list of the losses optimize_fn returned, one per iteration, in order"),
                   (("learning_rate_in",), "pass the learning_rate you were given to every optimize_fn call"),
                   (("same_parameters",), "pass the caller's parameters dict itself to every optimize_fn call"),),
    default_hint="for j in range(num_iterations): X, Y = examples[j % len(examples)]; loss, _, a_prev = "
                 "optimize_fn(X, Y, a_prev, parameters, learning_rate); then callback(j, loss, parameters) if given")
GRADER.add(LOOP, table_cases(_LOOP_CASES, _loop_case), observe=_observe_loop, expect=_expect_loop)


# --------------------------------------------------------------------------- test-cell entry points

check_clip = GRADER.checker("clip")
check_sample = GRADER.checker("sample")
check_optimize = GRADER.checker("optimize")
check_train_char_rnn = GRADER.checker("train_char_rnn")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
