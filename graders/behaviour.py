"""Behaviour checks: grade a function by what it does, not by how it is written.

The toolkit every behaviour-graded function shares; a grader module only declares, per function,

- ``observe(func, case) -> Observation``, which runs where the student's function runs (the kernel, and at
  autograde time the judge's own run, graders/instructor/reprobe.py) and never computes an expected value.
  Calling: `call_checked` / `observe_call` (the call, then the inputs left alone), `build_model`, `run_model`.
  What was done: `count_leaf` (parameter counts, whole or trainable/frozen), `CallLog` spies,
  `fed_leaves` (what a function fed a model), `generator_facts` (the generator given was used, the same seed
  repeats), `counting_lines` (lines of Python run anywhere: no loop over the data), `measure_classifier` and
  `classifier_facts` (a Keras classifier's noise, probabilities, dropout and how its outputs move when its
  inputs are edited), `LimitedGenerator` (a sampler that never stops).
- ``expect(case) -> (expected leaves, {hint: leaves of a known bug})``, which runs in the judge: a trusted
  oracle (a ``keras.layers`` layer over the whole sequence, `lstm_stack_oracle` and `dense_softmax` with the
  weights `inject_weights` / `inject_trainable` put into the student's model), the oracle replayed with each
  known bug (`replay`), the parameter counts of known mistakes (`parameter_bugs`, `count_mistakes`), facts
  (`expected_facts`, `expected_classifier_facts`, `expected_generator_facts`); and Property checks
  (`fed_check`, `no_loop_check`, `shape_check`; `judged_by_properties` for a function judged by them alone).

Shared by several graders besides: `ClassifierCheck` (one declaration per Keras classifier: weights, shape,
measurement, dropout placement, counts and its numpy oracle, for 04 and 07), `lstm_classifier_params` and the
hint builders `dropout_ignored_hint`, `dropout_place_hint`, `architecture_hint`; `observe_tensors` (a function
returning Keras tensors), `call_counting_lines`, `observe_seeded_twice` (a sampler called twice with one seed)
and `weight_count`; `ctc_log_likelihoods` (a CTC oracle by `tf.nn.ctc_loss`), `require_shape`, and the hints of
known-bug categories `ignored_argument_hint(s)` and `not_in_place_hint`. Samplers of index sequences have their
own module (graders/samplers.py), and so do planted vocabularies and one-word answers (graders/planted.py).

The hidden-value guard, the comparison and the preview are the core's (graders.assignment, graders.compare):
this module only produces leaves. Weights come from a seeded numpy generator, never from Keras's
initializers, so the student's model and the oracle agree and every machine draws the same numbers. Keras is
imported on first use (TensorFlow takes seconds to load).

Source: the "trusted implementation as oracle" test of karpathy/minGPT.
"""

import copy
import re
import sys
from dataclasses import dataclass

import numpy as np

from graders import probe
from graders.messages import MAX_ERROR_CHARS, CheckFailure, clean_error, fail, type_name
from graders.spec import FLOAT32_ATOL

PARAMETERS = "parameters"  # leaf path of a model's parameter count
TRAINABLE, FROZEN = "trainable_parameters", "frozen_parameters"  # the same, split (count_leaf(split=True))
_KERAS_PREAMBLE = re.compile(r"Exception encountered when calling \S*")
_KERAS_ARGUMENTS = re.compile(r"(?:Call a|A)rguments received by")


def _keras():
    import keras

    return keras


# --------------------------------------------------------------------------- framework errors


def plain_error(err, limit=MAX_ERROR_CHARS // 2):
    """`TypeName: text` of a (Keras, TensorFlow) exception: no ANSI codes, no layer boilerplate, one line."""
    text = clean_error(err, limit=100_000)
    text = text.split(": ", 1)[1] if ": " in text else ""
    # Keras wraps a layer's error in "Exception encountered when calling X ... Arguments received by X: <tensors>"
    text = _KERAS_PREAMBLE.sub("", _KERAS_ARGUMENTS.split(text)[0]).strip()
    if len(text) > limit:
        text = text[:limit] + " ..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def framework_failure(func_name, case, doing, err, hint=""):
    """Raise CheckFailure: "<doing> raised <plain error>" for `case`, with an optional hint."""
    fail(func_name, case, f"{doing} raised {plain_error(err)}", f"hint:   {hint}" if hint else "")


def _plain_errors(func):
    """func, with any framework exception re-raised as one of the same name holding only `plain_error`'s text."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (NotImplementedError, CheckFailure):
            raise
        except Exception as err:  # a builder's Keras error runs to pages: keep its first sentence
            short = type(type(err).__name__, (Exception,), {})(plain_error(err).split(": ", 1)[-1])
            raise short from err

    return wrapper


# --------------------------------------------------------------------------- calling the student


def snapshot(args):
    """Copies of the data in `args` (arrays, dicts, lists, tuples of them); other objects (layers, models,
    generators) kept as they are, so `probe.changed_inputs(snapshot(args), args, names)` checks the data only."""
    if isinstance(args, np.ndarray) or hasattr(args, "_fields"):  # arrays, named-tuple caches
        return copy.deepcopy(args)
    if isinstance(args, dict):
        return {k: snapshot(v) for k, v in args.items()}
    if isinstance(args, (list, tuple)):
        return type(args)(snapshot(v) for v in args)
    return args


def call_checked(func, spec, case, args, kwargs=None):
    """(result, names of inputs changed in place) of func(*args, **kwargs): the probe's call, then its check
    that the data among args (spec.inputs names them) was left alone.

    args : built fresh by the caller (arrays, a model, a seeded generator); objects
           that cannot be deep-copied are passed as they are and not compared
    """
    pristine = snapshot(list(args))
    used = list(args)
    result = probe.call_student(func, spec.name, case, used, dict(kwargs or {}))
    return result, probe.changed_inputs(pristine, used, spec.inputs)


def observe_call(func, spec, case, args, kwargs=None):
    """Observation of func(*args, **kwargs) as `spec` describes the outputs (see call_checked)."""
    result, changed = call_checked(func, spec, case, args, kwargs)
    named = probe.split_outputs(result, spec, case)
    observed = probe.guarded(spec.name, case, probe.flatten_outputs, named, spec, case)
    return probe.Observation(case.name, observed, changed)


# --------------------------------------------------------------------------- random generators


def generator_hint(draws):
    """The hint for a function that never used the generator it was given; `draws` says how to draw with it."""
    return f"the generator rng you were given was never used: {draws} with rng, never with np.random or a new generator"


def repeat_hint(draws):
    """The hint for draws that the same seed does not repeat (a generator made or seeded inside the function)."""
    return (f"the same seed gave another result: {draws} with the rng you were given, without making or seeding a "
            f"generator of your own")


class LimitedGenerator:
    """A numpy Generator of `seed` (the .generator attribute) that counts its draws (.draws; reset it per call)
    and raises once there are more than `limit`: a sampler that never stops fails with `why` instead of hanging."""

    def __init__(self, seed, limit, why):
        self.generator = np.random.default_rng(seed)
        self.draws, self.limit, self.why = 0, limit, why

    def __getattr__(self, name):
        if name.startswith("_"):  # private names (and copy/pickle probes) are not delegated
            raise AttributeError(name)
        attribute = getattr(self.generator, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.draws += 1
            if self.draws > self.limit:
                raise RuntimeError(f"more than {self.limit} random draws in one call: {self.why}")
            return attribute(*args, **kwargs)

        return counted


def generator_facts(rng, seed, first, again, same=None):
    """{"rng_used", "repeatable"} facts of a function that must draw from the generator it is given.

    rng : the generator passed in for the first call (seeded with `seed`)
    first, again : the results of two calls, each with a fresh generator of that seed
    same(first, again) -> bool : default, equal arrays of equal shape
    """
    state = rng.bit_generator.state
    if same is None:
        first, again = np.asarray(first), np.asarray(again)
        repeatable = first.shape == again.shape and bool(np.array_equal(first, again))
    else:
        repeatable = bool(same(first, again))
    return {"rng_used": state != np.random.default_rng(seed).bit_generator.state, "repeatable": repeatable}


def expected_generator_facts(draws):
    """expected_facts() entries of generator_facts: both True, each named by its own hint (see generator_hint)."""
    return {"rng_used": (True, generator_hint(draws), ""), "repeatable": (True, repeat_hint(draws), "")}


def build_model(func, func_name, case, args, kwargs=None, n_inputs=None):
    """The keras.Model that func(*args, **kwargs) builds; any error or another return value fails with `case`.

    n_inputs : how many inputs the model must take (None: any)
    """
    model = probe.call_student(_plain_errors(func), func_name, case, list(args), dict(kwargs or {}))
    keras = _keras()
    if not isinstance(model, keras.Model):
        fail(func_name, case, f"expected a keras.Model, got {type_name(model)}",
             "hint:   did you forget the `return` statement?" if model is None else
             "hint:   return the model itself (keras.Model(inputs=..., outputs=...)), not its output or summary")
    if n_inputs is not None and len(model.inputs) != n_inputs:
        fail(func_name, case, f"the model takes {len(model.inputs)} inputs, expected {n_inputs}",
             "hint:   keras.Model(inputs=[...], outputs=...) with the inputs in the order the docstring gives")
    return model


def to_numpy(tensor):
    """A tensor (any Keras backend) as a numpy array."""
    return np.asarray(_keras().ops.convert_to_numpy(tensor))


def run_model(model, inputs, func_name, case, training=False):
    """model(inputs) as one ndarray, e.g. (m, T_x, n_values); an error or a list of tensors fails with `case`."""
    try:
        out = model(inputs, training=training)
    except Exception as err:  # student models break in many ways; say how, with the case
        framework_failure(func_name, case, "calling the model", err,
                          "build and call your model in the quick-look cell to see where it breaks")
    if isinstance(out, (list, tuple)):
        fail(func_name, case, f"the model returns a list of {len(out)} tensors, expected one tensor",
             "hint:   combine the per-step outputs into one tensor (keras.ops.stack(outputs, axis=1))")
    return probe.guarded(func_name, case, to_numpy, out)


def weight_count(weights):
    """int64 array (): the number of scalars in `weights`, a list of Keras variables (e.g. the weights a model
    holds besides the backbone it was given)."""
    return np.asarray(sum(int(np.prod(w.shape)) for w in weights), dtype=np.int64)


def count_leaf(layer, split=False):
    """The parameter count of a model or layer as leaves compared exactly: {PARAMETERS: int64 ()}, or with
    split=True {TRAINABLE: ..., FROZEN: ...} (public Keras API: trainable_weights, non_trainable_weights)."""
    if split:
        return {TRAINABLE: weight_count(layer.trainable_weights), FROZEN: weight_count(layer.non_trainable_weights)}
    return {PARAMETERS: np.asarray(int(layer.count_params()), dtype=np.int64)}


# --------------------------------------------------------------------------- parameter counts by formula


def dense_params(n_in, n_out, bias=True):
    """keras.layers.Dense(n_out) on n_in features: kernel (n_in, n_out) + bias (n_out,)."""
    return n_in * n_out + (n_out if bias else 0)


def embedding_params(vocab_size, emb_dim):
    """keras.layers.Embedding(vocab_size, emb_dim): one row of emb_dim per word."""
    return vocab_size * emb_dim


def lstm_params(n_in, n_a):
    """keras.layers.LSTM(n_a) on n_in features: 4 gates, kernel (n_in, 4 n_a), recurrent (n_a, 4 n_a), bias (4 n_a,)."""
    return 4 * (n_a * (n_in + n_a) + n_a)


def gru_params(n_in, n_a, reset_after=True):
    """keras.layers.GRU(n_a) on n_in features: 3 gates; reset_after=True (Keras's default) has two biases."""
    return 3 * (n_a * (n_in + n_a) + (2 if reset_after else 1) * n_a)


def bidirectional_params(layer_params):
    """keras.layers.Bidirectional(layer): a forward and a backward copy of the layer."""
    return 2 * layer_params


def expected_count(parts):
    """{PARAMETERS: int64 array ()}: the count of a model holding each of parts {label: count} once."""
    return {PARAMETERS: np.asarray(sum(parts.values()), dtype=np.int64)}


def parameter_bugs(parts, per_step=0, extra=None):
    """{hint: {PARAMETERS: count}} of the usual structural mistakes, to add to expect()'s known bugs.

    parts : {label: parameter count} of the layers the model must hold once each,
            e.g. {"the LSTM": lstm_params(7, 5), "the Dense layer": dense_params(5, 7)}
    per_step : T > 1: a part created anew at each of T steps (T copies of its weights)
    extra : {hint: count} of other known mistakes (a layer too few in a stack)
    The hint names the part that differs: created per step, or missing.
    """
    total = sum(parts.values())
    counts = dict(extra or {})
    for label, n in parts.items():
        if per_step > 1:
            counts[f"the count is that of {per_step} copies of {label} ({per_step} x {n}): create layers "
                   f"once, outside the loop, and call the same layer at every step"] = total + (per_step - 1) * n
        counts[f"the count is that of a model without {label} ({n} parameters): is it on the path from the "
               f"inputs to the output?"] = total - n
    return {hint: {PARAMETERS: np.asarray(n, dtype=np.int64)} for hint, n in counts.items() if n != total}


def count_mistakes(formula, arguments, mistakes, known=(), paths=(PARAMETERS,)):
    """{hint: {path: count}} of the parameter counts that known mistakes amount to, by formula.

    formula(**arguments) -> int, or a tuple of ints, one per path (e.g. trainable, frozen): the right count
    mistakes : ((hint, {argument: wrong value}), ...), e.g. ("n_a counts one direction", {"n_a": 2 * n_a})
    known : counts already explained by other hints (they keep theirs)
    A mistake whose count equals the right one, a known one or an earlier mistake's is left out.
    """
    right = formula(**arguments)
    taken = {right, *known}
    bugs = {}
    for hint, change in mistakes:
        wrong = formula(**{**arguments, **change})
        if wrong not in taken:
            counts = wrong if isinstance(wrong, tuple) else (wrong,)
            bugs[hint] = {path: np.asarray(n, dtype=np.int64) for path, n in zip(paths, counts)}
            taken.add(wrong)
    return bugs


def expected_counts(formula, arguments, paths=(PARAMETERS,)):
    """{path: int64} of the right count formula(**arguments) (one int, or a tuple with one per path)."""
    right = formula(**arguments)
    return {path: np.asarray(n, dtype=np.int64) for path, n in zip(paths, right if isinstance(right, tuple) else (right,))}


# --------------------------------------------------------------------------- behaviour facts


def fact_leaves(facts):
    """{path: np.bool_} of measured facts; None (not measurable on this case) is left out."""
    return {path: np.bool_(value) for path, value in facts.items() if value is not None}


def expected_facts(facts):
    """(expected leaves, {hint: leaves}) for boolean behaviour facts, for expect().

    facts : {path: (expected bool, hint when it comes out False, hint when it comes out True)}
            e.g. {"reads_later_tokens": (True, "wrap each LSTM in Bidirectional", "")}
    Each fact that comes out the other way names its own hint (an empty hint: none).
    """
    expected = {path: np.bool_(want) for path, (want, _, _) in facts.items()}
    bugs = {}
    for path, (want, if_false, if_true) in facts.items():
        hint = if_false if want else if_true
        if hint:
            bugs[hint] = {path: np.bool_(not want)}
    return expected, bugs


# --------------------------------------------------------------------------- no Python loop

# A vectorized call runs a few dozen lines of Python (its own and numpy's wrappers) whatever the size of its
# data; a loop over the data runs at least one per item, wherever it is written: in the student's code, or
# in library code the student's code calls once per item (map(np.linalg.norm, E)).


class PythonLineCounter:
    """Counts the lines of Python run inside a `with` block, in any Python code at all: the student's,
    numpy's and the standard library's Python functions (a loop hidden in map(np.linalg.norm, E) runs the
    lines of np.linalg.norm once per row), everything but the interpreter's frozen import machinery and
    this counter's own exit. sys.settrace is restored on exit, whatever happens inside.
    """

    def __init__(self):
        self.lines = 0

    def _on_call(self, frame, event, arg):
        code = frame.f_code
        if code.co_filename.startswith("<frozen") or code is PythonLineCounter.__exit__.__code__:
            return None
        return self._on_line

    def _on_line(self, frame, event, arg):
        if event == "line":
            self.lines += 1
        return self._on_line

    def __enter__(self):
        self._previous = sys.gettrace()
        sys.settrace(self._on_call)
        return self

    def __exit__(self, *exc):
        sys.settrace(self._previous)
        return False


def counting_lines(func):
    """(func run under a fresh PythonLineCounter, the counter): only the student's call is counted, not the
    probe's checks around it. Observe counter.lines after the call."""
    counter = PythonLineCounter()

    def counted(*args, **kwargs):
        with counter:
            return func(*args, **kwargs)

    return counted, counter


def no_loop_check(max_lines, size_name, items, path="python_lines"):
    """check(leaves, case) of a Property: the call ran at most max_lines lines of Python (leaf `path`), so it
    has no Python loop over the case.dims[size_name] `items` (a loop runs at least one line per item)."""

    def check(leaves, case):
        lines = int(leaves[path])
        if lines <= max_lines:
            return None
        return (f"one call ran {lines:,} lines of Python over {case.dims[size_name]:,} {items} (at most "
                f"{max_lines:,} are allowed: the count must not grow with the number of {items})")

    return check



# --------------------------------------------------------------------------- weights and oracles


def inject_weights(layer, input_shape, rng, scale=0.5):
    """Build `layer` for input_shape (batch axis first, may be None) and set every weight to
    rng.standard_normal(shape) * scale, float32, in the order layer.get_weights() lists them.

    scale : one float, or one per weight (e.g. (kernel, recurrent, bias) of an LSTM)
    Returns the layer.
    """
    if not layer.built:
        layer.build(input_shape)
    shapes = [w.shape for w in layer.get_weights()]
    scales = np.broadcast_to(np.asarray(scale, dtype=float), (len(shapes),))
    layer.set_weights([(rng.standard_normal(s) * k).astype(np.float32) for s, k in zip(shapes, scales)])
    return layer


def inject_trainable(model, rng, scale=0.5):
    """Set every trainable weight of `model` to rng.standard_normal(shape) * scale, float32, in the order
    model.trainable_weights lists them (frozen weights, such as pretrained vectors, keep their values).
    Returns the model."""
    shapes = [tuple(int(d) for d in weight.shape) for weight in model.trainable_weights]
    for weight, value in zip(model.trainable_weights, drawn_weights(rng, shapes, scale)):
        weight.assign(value)
    return model


def lstm_oracle(x, mask, weights, return_sequences=False):
    """keras.layers.LSTM's forward pass in numpy (float64), the trusted side of an architecture check.

    x : (m, T, n_in); mask : (m, T) bool, False where a step is skipped (the state is carried over)
    weights : (kernel (n_in, 4 n_a), recurrent kernel (n_a, 4 n_a), bias (4 n_a,)), gates in Keras's order
              input, forget, candidate, output; sigmoid gates and tanh, Keras's defaults
    Returns the states (m, T, n_a) when return_sequences, else the last one (m, n_a).
    Source: Hochreiter & Schmidhuber (1997); the gate layout of keras.layers.LSTM.
    """
    kernel, recurrent, bias = (np.asarray(w, dtype=float) for w in weights)
    n_a = recurrent.shape[0]
    state = memory = np.zeros((x.shape[0], n_a))
    states = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + state @ recurrent + bias
        gate_in, gate_forget, gate_out = (1 / (1 + np.exp(-z[:, k * n_a:(k + 1) * n_a])) for k in (0, 1, 3))
        new_memory = gate_forget * memory + gate_in * np.tanh(z[:, 2 * n_a:3 * n_a])
        step = mask[:, t:t + 1]
        memory = np.where(step, new_memory, memory)
        state = np.where(step, gate_out * np.tanh(new_memory), state)
        states.append(state)
    return np.stack(states, axis=1) if return_sequences else state


def lstm_stack_shapes(n_in, n_a, n_layers, directions=1):
    """Weight shapes of n_layers stacked LSTM(n_a) (each wrapped in Bidirectional when directions=2: forward
    weights, then backward), the first reading n_in features, in the order Keras lists them."""
    shapes = []
    for _ in range(n_layers):
        shapes += [(n_in, 4 * n_a), (n_a, 4 * n_a), (4 * n_a,)] * directions
        n_in = directions * n_a
    return shapes


def lstm_stack_oracle(h, mask, weights, n_layers, directions=1, return_sequences=True):
    """The states of n_layers stacked LSTMs on h (m, T, n_in) with `weights` as lstm_stack_shapes lists them;
    directions=2: Bidirectional, the backward copy reads the sequence from its end and the two are
    concatenated (Keras's merge_mode="concat"). The last layer returns its last state unless return_sequences."""
    at = 0
    for layer in range(n_layers):
        sequences = return_sequences or layer < n_layers - 1
        states = [lstm_oracle(h, mask, weights[at:at + 3], sequences)]
        if directions == 2:
            backward = lstm_oracle(h[:, ::-1], mask[:, ::-1], weights[at + 3:at + 6], sequences)
            states.append(backward[:, ::-1] if sequences else backward)
        h, at = np.concatenate(states, axis=-1), at + 3 * directions
    return h


def dense_softmax(h, kernel, bias):
    """keras.layers.Dense(activation="softmax") in numpy, over the last axis."""
    scores = h @ kernel + bias
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return scores / scores.sum(axis=-1, keepdims=True)


def drawn_weights(rng, shapes, scale):
    """The float32 arrays inject_trainable draws for weights of these shapes, in this order (for an oracle)."""
    return [(rng.standard_normal(shape) * scale).astype(np.float32) for shape in shapes]


def oracle_copy(layer, input_shape, **config):
    """A fresh layer of the same class and weights as `layer`, with config changed (e.g. return_sequences=True).

    The oracle of a step-by-step model: LSTM(return_state=True) called once per
    step by the student is the same weights as one LSTM over the whole sequence.
    """
    fresh = type(layer).from_config({**layer.get_config(), "name": None, **config})
    fresh.build(input_shape)
    fresh.set_weights(layer.get_weights())
    return fresh


def replay(oracle, bugs, atol=FLOAT32_ATOL):
    """(expected leaves, {hint: leaves}) for expect(): oracle() and oracle(**kwargs) of each known bug.

    oracle(**kwargs) -> {path: ndarray}; its keywords switch a known bug on
    bugs : ((hint, kwargs), ...) e.g. ((STATE_HINT, {"carry": False}), ...)
    A bug that changes nothing on this case (within atol) is left out: it
    would otherwise name itself whenever some other output is wrong.
    """
    expected = oracle()
    replayed = {hint: oracle(**kwargs) for hint, kwargs in bugs}
    return expected, {hint: leaves for hint, leaves in replayed.items()
                      if differs(leaves, {p: expected[p] for p in leaves}, atol)}


def differs(a, b, atol=FLOAT32_ATOL):
    """np.bool_ leaf: True when two results (arrays, or {path: array} with the same paths) differ by more than atol."""
    if isinstance(a, dict):
        return np.bool_(any(bool(differs(a[k], b[k], atol)) for k in a))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.bool_(a.shape != b.shape or not np.allclose(a, b, atol=atol, rtol=0))


# --------------------------------------------------------------------------- what a function feeds a model


def fed_leaves(log, labels):
    """{"fed.<label>": float32 array} of the inputs of the first spied call (log: a CallLog) that passed a list of
    len(labels) model inputs, e.g. labels ("x0", "a0", "c0", "noise"); {} when there was none."""
    for _, args, _ in log.calls:
        if args and isinstance(args[0], (list, tuple)) and len(args[0]) == len(labels):
            return {f"fed.{label}": to_numpy(x).astype(np.float32) for label, x in zip(labels, args[0])}
    return {}


def fed_check(labels, given, order_hint):
    """check(leaves, case) of a Property: the model received, under each of `labels`, exactly the array the
    function was given (given(case) -> {label: array}), not another input (the order), zeros or a copy changed.

    Compared in float32, exactly: the values are passed on, never recomputed. A call that never happened is
    left to another property (the one that checks the call itself).
    """

    def check(leaves, case):
        want = {label: np.asarray(value, dtype=np.float32) for label, value in given(case).items()}
        if any(f"fed.{label}" not in leaves for label in labels):
            return None
        for label in labels:
            fed = leaves[f"fed.{label}"]
            if fed.shape == want[label].shape and np.array_equal(fed, want[label]):
                continue
            other = [o for o in labels if o != label and fed.shape == want[o].shape and np.array_equal(fed, want[o])]
            if other:
                return f"the model's input {label} holds the {other[0]} the function was given", order_hint
            if fed.size and not np.any(fed):
                return (f"the model's input {label} is all zeros, not the {label} the function was given",
                        f"pass the {label} you were given to the model, as it is")
            return f"the model's input {label} is not the {label} the function was given", order_hint
        return None

    return check


# --------------------------------------------------------------------------- classifiers: measured behaviour

# Two computations of the same float32 model (here: the inputs run again inside a larger batch, so other
# kernels and another summation order) differ by a rounding or two of a probability (eps32 = 1.2e-7) or not
# at all: that is the noise, measured in every case. An output counts as changed only when it moves by more
# than NOISE_MARGIN times the noise (at least eps32): three orders of magnitude above it. With the injected
# weights the references' real changes are 2e-2 or more and their "no change" below 1e-7: the tests of each
# classifier assert a factor of 10 to spare on both sides of the threshold in every case.
FLOAT32_EPS = float(np.finfo(np.float32).eps)
NOISE_MARGIN = 1e3
MAX_NOISE = 100 * FLOAT32_EPS  # more than this between two identical calls: the model is random at inference
HINT_RANDOM_INFERENCE = ("the same inputs run twice with training=False get different outputs: Dropout must act "
                         "in training only (never pass training=True inside the model)")
HINT_DROPOUT_FIXED = "with dropout=0 training must not change the outputs: use the rate the caller passes as dropout"


def softmax_hint(n_classes):
    """The hint for outputs that are not probabilities; n_classes names the argument ("n_tags")."""
    return f"the outputs are not probabilities: finish with Dense({n_classes}, activation='softmax')"


def measure_classifier(model, func_name, case, X, variants, input_hint, check_output=None):
    """Raw measurements of a Keras classifier of int inputs X (m, ...): its outputs, their noise and how they move.

    variants : {name: (inputs, where)}: edited inputs (later words changed, padding moved), each compared with
               X's outputs at `where` (an index, e.g. np.s_[:, 0]); inputs None: not measurable here. Inputs
               of X's shape run in one batch with X (which gives the noise), others alone.
    input_hint : shown when the model cannot be called on the inputs
    check_output(y) : fails when X's outputs have the wrong shape, before anything else is measured
    Returns {"y": outputs on X at inference, "noise", "threshold", "row_error": how far rows are from
    probabilities, "training_change", name: the largest change of each variant (None: not measurable)}.
    """

    def run(inputs, training=None):  # None: Keras's default call, where a Dropout forced on shows
        try:
            out = model(inputs) if training is None else model(inputs, training=training)
        except Exception as err:  # student models break in many ways: say how, and on which input
            framework_failure(func_name, case, f"calling the model on inputs of shape {inputs.shape}", err, input_hint)
        return probe.guarded(func_name, case, to_numpy, out).astype(float)

    m = len(X)
    y = run(X, training=False)
    if check_output is not None:
        check_output(y)
    batched = [name for name, (inputs, _) in variants.items() if inputs is not None and inputs.shape == X.shape]
    both = run(np.concatenate([X] + [variants[name][0] for name in batched]))
    if both.shape[1:] != y.shape[1:]:
        fail(func_name, case, f"the outputs of a batch have shape {both.shape[1:]} per example, "
             f"{y.shape[1:]} when called with training=False", "hint:   the output shape must not depend on training")
    noise = float(np.max(np.abs(both[:m] - y)))
    r = {"y": y, "noise": noise, "threshold": NOISE_MARGIN * max(noise, FLOAT32_EPS),
         "row_error": float(np.max(np.abs(y.sum(axis=-1) - 1) + np.maximum(-y, 0).sum(axis=-1))),
         "training_change": float(np.max(np.abs(run(X, training=True) - y)))}
    for name, (inputs, where) in variants.items():
        if inputs is None:
            r[name] = None
            continue
        out = both[m * (1 + batched.index(name)):][:m] if name in batched else run(inputs, training=False)
        r[name] = float(np.max(np.abs(out[where] - y[where])))
    return r


def dropout_follows(model, kinds, rate):
    """True when, in model.layers (public API), each layer whose class name is in `kinds` (e.g. ("LSTM",
    "Bidirectional")) is followed by a keras.layers.Dropout of this rate before the next layer with weights,
    and there is no other Dropout: where dropout acts is not visible at inference, so the docstring's
    placement is checked here (layers without weights in between are the architecture oracle's business)."""
    keras = _keras()
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    n_dropouts = sum(isinstance(layer, keras.layers.Dropout) for layer in layers)
    n_wanted = 0
    for i, layer in enumerate(layers):
        if type(layer).__name__ not in kinds:
            continue
        n_wanted += 1
        after = layers[i + 1:]
        until = next((j for j, later in enumerate(after) if later.weights), len(after))
        if not any(isinstance(later, keras.layers.Dropout) and abs(float(later.get_config()["rate"]) - rate) <= 1e-9
                   for later in after[:until]):
            return False
    return n_dropouts == n_wanted


def classifier_facts(r, moves=(), stays=()):
    """Fact leaves of measure_classifier's result: reproducible, probabilities, training changes the outputs,
    and for each (fact, variant) in `moves` that the variant moves the outputs, in `stays` that it does not."""
    facts = {"outputs_are_reproducible": r["noise"] <= MAX_NOISE,
             "outputs_are_probabilities": r["row_error"] <= FLOAT32_ATOL,  # a float32 softmax sums to 1 within ~1e-6
             "training_changes_outputs": r["training_change"] > r["threshold"]}
    facts |= {fact: None if r[name] is None else r[name] > r["threshold"] for fact, name in moves}
    facts |= {fact: None if r[name] is None else r[name] <= r["threshold"] for fact, name in stays}
    return fact_leaves(facts)


def expected_classifier_facts(n_classes, dropout, dropout_hint, facts):
    """(expected, {hint: leaves}) of classifier_facts (n_classes names the argument, "n_tags"): reproducible first (a random model explains any other
    fact), then probabilities, `facts` {fact: (expected, hint if False, hint if True)}, then training."""
    return expected_facts({"outputs_are_reproducible": (True, HINT_RANDOM_INFERENCE, ""),
                           "outputs_are_probabilities": (True, softmax_hint(n_classes), ""),
                           **facts,
                           "training_changes_outputs": (dropout > 0, dropout_hint, HINT_DROPOUT_FIXED)})


# --------------------------------------------------------------------------- spies


class CallLog:
    """Records the calls made through spies, in order: "called with / in this order" checks.

        log = CallLog()
        lstm_cell = log.spy("lstm_cell", lstm_cell)   # pass the spy to the student's builder
        ...
        log.names()            # ["lstm_cell", "densor", "lstm_cell", ...]
        log.order_leaf(["lstm_cell", "densor"])  # int64 (n_calls,): index of each call's name
    """

    def __init__(self):
        self.calls = []  # (name, args, kwargs), in call order

    def spy(self, name, target):
        """A stand-in for `target` that records each call (and each call of a method) before forwarding it."""
        return _Spy(self, name, target)

    def names(self):
        return [name for name, _, _ in self.calls]

    def order_leaf(self, names):
        """int64 (n_calls,): position in `names` of each recorded call (-1 for a name not listed)."""
        return np.asarray([names.index(n) if n in names else -1 for n in self.names()], dtype=np.int64)


class _Spy:
    def __init__(self, log, name, target):
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_target", target)

    def __call__(self, *args, **kwargs):
        self._log.calls.append((self._name, args, kwargs))
        return self._target(*args, **kwargs)

    def __getattr__(self, attr):
        value = getattr(self._target, attr)
        if callable(value) and not attr.startswith("_"):
            return _Spy(self._log, f"{self._name}.{attr}", value)
        return value

    def __setattr__(self, attr, value):
        setattr(self._target, attr, value)


# --------------------------------------------------------------------------- functions that return tensors


def observe_tensors(func, spec, case, args, kwargs=None):
    """observe_call for a function that returns Keras tensors (any backend): each returned value that converts
    to numpy is converted first, a 0-d one of a "scalar" output to a float64 number; None and what does not
    convert are left to the probe's type checks, which name them. args: fresh copies (see call_checked)."""
    result, changed = call_checked(func, spec, case, args, kwargs)
    named = probe.split_outputs(result, spec, case)
    scalars = {out.name for out in spec.outputs if out.kind == "scalar"}
    for name, value in named.items():
        try:
            array = to_numpy(value)
        except Exception:  # not a tensor or array: the probe names its type
            continue
        if value is not None:
            number = name in scalars and array.ndim == 0 and array.dtype.kind in "iuf"
            named[name] = array.astype(np.float64)[()] if number else array
    observed = probe.guarded(spec.name, case, probe.flatten_outputs, named, spec, case)
    return probe.Observation(case.name, observed, changed)


# --------------------------------------------------------------------------- judged by properties, lines counted


def judged_by_properties(case):
    """expect() of a function judged by its Property checks alone (the answer is known by construction or
    determined by the properties): no expected leaves, no leaves of known bugs."""
    return {}, {}


def call_counting_lines(func, spec, case, args, kwargs=None):
    """(result, names of inputs changed in place, lines of Python the call ran) of func(*args, **kwargs): the
    student's call alone is counted (see counting_lines), the checks around it are call_checked's."""
    probe.check_callable(func, spec.name)
    counted, counter = counting_lines(func)
    result, changed = call_checked(counted, spec, case, args, kwargs)
    return result, changed, counter.lines


def shape_check(outputs, like, like_name):
    """check(leaves, case) of a Property: each of `outputs` (leaf paths) has the shape of the input
    case.args[like], named like_name, and finite entries (for functions judged by properties alone, whose
    outputs no expected leaf shapes)."""

    def check(leaves, case):
        want = np.shape(case.args[like])
        for name in outputs:
            value = np.asarray(leaves[name])
            if value.shape != want:
                return f"{name} has shape {value.shape}, expected {want} (the shape of {like_name})"
            if not np.all(np.isfinite(value)):
                return f"{name} contains nan or inf"
        return None

    return check


# --------------------------------------------------------------------------- a Keras classifier of word indices


def dropout_ignored_hint(where):
    """The hint for a model whose outputs in training equal those at inference although dropout > 0; `where`
    says where the Dropout layers go ("after each LSTM")."""
    return ("with dropout > 0 the outputs in training (training=True) must differ from inference: "
            f"add keras.layers.Dropout(dropout) {where}")


def dropout_place_hint(layers):
    """The hint for a Dropout missing, out of place or of another rate (dropout_follows); `layers` names the
    layers each Dropout must follow ("each LSTM")."""
    return (f"keras.layers.Dropout(dropout) must follow {layers} directly, and no Dropout sits anywhere else: "
            "one is missing, out of place or has another rate")


def architecture_hint(model, layers):
    """The hint for outputs that differ from the oracle's with the same weights: `model` ("tagger") and the
    `layers` its docstring lists, in order."""
    return (f"with the same weights the outputs differ from the docstring's {model} ({layers}): an activation or "
            "a layer too many, or one out of place?")


def lstm_classifier_params(rows, emb_dim, n_a, n_out, n_layers=1, directions=1, concat=True, dense_bias=True):
    """(embedding, the rest) parameter counts of Embedding(rows, emb_dim) -> n_layers LSTM(n_a), each wrapped in
    Bidirectional when directions=2 (both directions concatenated, or summed when not concat) -> Dense(n_out)."""
    rest, n_in = 0, emb_dim
    for _ in range(n_layers):
        rest += directions * lstm_params(n_in, n_a)
        n_in = directions * n_a if concat else n_a  # (m, T, n_in) passed on
    return embedding_params(rows, emb_dim), rest + dense_params(n_in, n_out, dense_bias)


# injected N(0, 1) weights take a classifier's softmax far from uniform, so every behaviour shows clearly (with
# scale 0.5 a tagger's outputs move by ~1e-3 only)
CLASSIFIER_WEIGHT_SCALE = 1.0


@dataclass(frozen=True)
class ClassifierCheck:
    """observe() and the parts of expect() of a function that builds a Keras classifier of word indices (a
    tagger, a sentence classifier), declared once per graded function.

    The model is built from copies of case.args and from case.kwargs (its "dropout" rate, 0 when absent), its
    weights are replaced by seeded ones, and it is measured (measure_classifier) on case.data["X"] and the
    edited inputs case.data["variants"] {variant: (inputs or None, where)}. Observed: its classifier_facts,
    with dropout > 0 the fact "dropout_placed" (dropout_follows), its parameter count(s), its outputs on X.

    func_name : the graded function
    output_axes : the output's axes, e.g. "m, T_x, n_tags": X's first axes, then the argument giving the
                  number of classes
    weight_seed : of the injected weights: every weight in the model's order (inject_weights), or with
                  frozen_embedding only the trainable ones (inject_trainable) and the counts split into
                  TRAINABLE and FROZEN
    input_hint : shown when the model cannot be called on X
    rank_hints : {number of axes: hint} for outputs of another rank (one output per sentence, not per word)
    moves, stays : ((fact, variant), ...): the variant moves the outputs / leaves them (classifier_facts)
    dropout_after : class names of the layers that each Dropout follows (dropout_follows)
    dropout_hints : (training changes nothing although dropout > 0, a Dropout missing or out of place)
    """

    func_name: str
    output_axes: str
    weight_seed: int
    input_hint: str
    rank_hints: dict
    moves: tuple
    stays: tuple
    dropout_after: tuple
    dropout_hints: tuple
    frozen_embedding: bool = False
    weight_scale: float = CLASSIFIER_WEIGHT_SCALE

    @property
    def n_classes(self):
        """The argument giving the number of classes ("n_tags"): the output's last axis."""
        return self.output_axes.split(", ")[-1]

    def measure(self, model, case):
        """measure_classifier's result for a model built for `case`, its weights injected first: outputs on X
        of another shape than output_axes gives fail before anything is measured."""
        X, rng = case.data["X"], np.random.default_rng(self.weight_seed)
        if self.frozen_embedding:
            probe.guarded(self.func_name, case, inject_trainable, model, rng, self.weight_scale)
        else:
            probe.guarded(self.func_name, case, inject_weights, model, X.shape, rng, self.weight_scale)
        axes = self.output_axes.split(", ")
        shape = X.shape[:len(axes) - 1] + (case.kwargs[self.n_classes],)

        def check_output(y):
            if y.shape != shape:
                hint = self.rank_hints.get(y.ndim, f"the last layer must be Dense({self.n_classes}, ...)")
                fail(self.func_name, case, f"output shape {y.shape}, expected {shape} ({self.output_axes})",
                     f"hint:   {hint}")

        return measure_classifier(model, self.func_name, case, X, case.data["variants"], self.input_hint,
                                  check_output)

    def observe(self, func, case):
        """The Observation of the model func(*case.args, **case.kwargs) builds (see the class)."""
        model = build_model(func, self.func_name, case, snapshot(case.args), case.kwargs)
        r = self.measure(model, case)
        facts = classifier_facts(r, self.moves, self.stays)
        dropout = case.kwargs.get("dropout", 0.0)
        if dropout > 0:  # Dropout(0) layers may be left out
            facts |= fact_leaves({"dropout_placed": dropout_follows(model, self.dropout_after, dropout)})
        counts = count_leaf(model, split=self.frozen_embedding)
        return probe.Observation(case.name, facts | counts | {"outputs": r["y"]})

    def expected(self, case, facts, formula, arguments, mistakes, outputs):
        """(expected leaves, {hint: leaves of a known bug}) of observe() on `case`, for expect().

        facts : {fact: (expected bool, hint when it comes out False, hint when True)} of moves and stays, in
                the order their hints are tried; one whose variant is None on this case is not measured
        formula, arguments, mistakes : the parameter count(s), as expected_counts and count_mistakes take them
        outputs : the oracle's outputs on X (oracle())
        """
        unmeasured = {fact for fact, variant in self.moves + self.stays if case.data["variants"][variant][0] is None}
        dropout = case.kwargs.get("dropout", 0.0)
        expected, bugs = expected_classifier_facts(self.n_classes, dropout, self.dropout_hints[0],
                                                   {f: v for f, v in facts.items() if f not in unmeasured})
        if dropout > 0:  # after the training fact: no dropout at all is named by that one
            placed, misplaced = expected_facts({"dropout_placed": (True, self.dropout_hints[1], "")})
            expected, bugs = expected | placed, bugs | misplaced
        paths = (TRAINABLE, FROZEN) if self.frozen_embedding else (PARAMETERS,)
        expected |= expected_counts(formula, arguments, paths) | {"outputs": outputs}
        return expected, bugs | count_mistakes(formula, arguments, mistakes, paths=paths)

    def oracle(self, case, embedding, n_a, n_layers, directions=1):
        """The outputs on X at inference, in numpy, of Embedding (index 0 masked) -> n_layers LSTM(n_a) (each in
        Bidirectional when directions=2, concatenated), the last one returning sequences when the outputs are
        per word -> Dense softmax, with the weights measure() injects (lstm_stack_oracle, dense_softmax).

        embedding : the frozen embedding's matrix (frozen_embedding), else the shape of the trainable one,
                    whose weights are drawn first
        """
        X, n_out = case.data["X"], case.kwargs[self.n_classes]
        rng = np.random.default_rng(self.weight_seed)
        emb_dim = np.shape(embedding)[1] if self.frozen_embedding else embedding[1]
        shapes = lstm_stack_shapes(emb_dim, n_a, n_layers, directions) + [(directions * n_a, n_out), (n_out,)]
        if self.frozen_embedding:
            vectors, weights = np.asarray(embedding), drawn_weights(rng, shapes, self.weight_scale)
        else:
            vectors, *weights = drawn_weights(rng, [tuple(embedding)] + shapes, self.weight_scale)
        sequences = len(self.output_axes.split(", ")) > X.ndim
        h = lstm_stack_oracle(vectors[X].astype(float), X != 0, weights[:-2], n_layers, directions, sequences)
        return dense_softmax(h, weights[-2], weights[-1])


# --------------------------------------------------------------------------- a function given a seeded generator


def observe_seeded_twice(observe, seed, path):
    """The Observation of a function that must draw from the generator it is given, with its generator facts.

    observe(rng) -> Observation: one probe of the function, called with rng (a fresh numpy Generator of
    `seed` each time). It runs twice; the first observation is returned, with the generator_facts leaves
    (rng_used, repeatable: leaf `path` the same both times) added when neither run failed.
    """
    rng = np.random.default_rng(seed)
    first, again = observe(rng), observe(np.random.default_rng(seed))
    if not first.failure and not again.failure:
        first.leaves.update(fact_leaves(generator_facts(rng, seed, first.leaves[path], again.leaves[path])))
    return first


# --------------------------------------------------------------------------- a CTC oracle


def ctc_log_likelihoods(log_probs, label_sequences, n_frames, blank):
    """log P(label_sequences[i] | frames 0 .. n_frames[i] - 1 of log_probs) under CTC, by `tf.nn.ctc_loss`.

    log_probs : (T, C) float64 log-probabilities of one utterance; label_sequences : int sequences, any
    length; n_frames : one int 0 .. T per sequence. Returns float64 (len(label_sequences),), -inf where no
    alignment exists. TensorFlow's CPU kernel (sparse labels, float64) computes the rows in one batch; what it
    refuses is decided here: an empty sequence has one path, all blanks (a sum of their log-probabilities),
    and more labels than frames have none.
    Source: A. Graves et al. (2006), "Connectionist Temporal Classification", ICML 2006, section 4.1.
    """
    import tensorflow as tf

    lengths = np.array([len(labels) for labels in label_sequences], dtype=np.int64)
    n_frames = np.asarray(n_frames, dtype=np.int64)
    all_blanks = np.concatenate([[0.0], np.cumsum(log_probs[:, blank])])  # log P(empty | first t frames), t = 0..T
    result = np.where(lengths == 0, all_blanks[n_frames], -np.inf)
    rows = np.flatnonzero((lengths > 0) & (lengths <= n_frames))
    if rows.size:
        labels = np.concatenate([np.asarray(label_sequences[i]) for i in rows]).astype(np.int32)
        logits = np.broadcast_to(log_probs, (rows.size,) + np.shape(log_probs))
        loss = tf.nn.ctc_loss(labels=tf.RaggedTensor.from_row_lengths(labels, lengths[rows]).to_sparse(),
                              logits=logits, label_length=None, logit_length=n_frames[rows].astype(np.int32),
                              logits_time_major=False, blank_index=blank)
        result[rows] = -loss.numpy()
    return result


# --------------------------------------------------------------------------- shapes and hints any grader uses


def require_shape(func_name, case, name, value, shape, hint, axes=""):
    """Raise CheckFailure unless value.shape == shape: "<name> has shape (..), expected <axes> = (..)" and the
    hint; `axes` names the expected axes ("(T, 2L+1)"), optional."""
    if np.shape(value) != tuple(shape):
        fail(func_name, case, f"{name} has shape {np.shape(value)}, expected {axes + ' = ' if axes else ''}"
             f"{tuple(shape)}", f"hint:   {hint}")


def ignored_argument_hint(argument, fixed, rule=""):
    """The hint for a known bug that uses a fixed value where an argument belongs (a category of
    graders.instructor.assignments.Mutant): "the argument <argument> is not used (<fixed> is fixed instead)",
    then `rule`, how the argument enters (optional)."""
    return f"the argument {argument} is not used ({fixed} is fixed instead)" + (f": {rule}" if rule else "")


def ignored_argument_hints(fixed, rule=""):
    """{"<argument>_ignored": ignored_argument_hint(...)} for each argument of `fixed` {argument: the fixed value
    used instead, as text}: the hints of known bugs named like the project's mutants, merged into a spec's hints."""
    return {f"{argument}_ignored": ignored_argument_hint(argument, value, rule) for argument, value in fixed.items()}


def not_in_place_hint(names):
    """The hint for a known bug that updates copies of inputs the function must change in place (a spec's
    `mutates`): `names` ("W_in and W_out") came back unchanged."""
    return f"the caller's {names} did not change: update the arrays you were given in place, without copying them"


# --------------------------------------------------------------------------- recorded inputs


def recorded_cases(public, fixture, build):
    """build_cases(suite, record) for GRADER.add of a function whose hidden inputs only `make references` makes
    (the kit cannot build them without giving their answers away): the public cases public() -> [Case], built on
    first use and kept; the hidden ones build(name, {path: array}) for each case the record holds under the
    fixture name `fixture` (Record.fixtures), in its order."""
    built = []

    def build_cases(suite, record=None):
        if suite != "public":
            return [build(name, held) for name, held in record.fixtures(fixture).items()]
        if not built:
            built.extend(public())
        return list(built)

    return build_cases
