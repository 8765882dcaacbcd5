"""Checks for notebook 02, dinosaur_names: clipping, sampling, one optimisation step, the training loop.

clip and optimize are compared with recorded reference outputs. sample and
the training loop are graded by behaviour, because any correct
implementation may consume random numbers differently:

- sample: a model built so each character determines the next must spell its
  chain exactly; a model with a known first-character distribution must be
  sampled with matching frequencies; the length cap and the final newline
  hold; the same seed gives the same name.
- train_char_rnn: a stand-in optimize records what the loop passes it.
"""

import copy

import numpy as np

from graders import core
from helpers.char_rnn import initialize_parameters

ASSIGNMENT = "02_dinosaur_names"
GRADER = core.Assignment(ASSIGNMENT)

GRADIENT_NAMES = ("dWax", "dWaa", "dWya", "dba", "dby")
PARAMETER_NAMES = ("Wax", "Waa", "Wya", "ba", "by")
MAX_NAME_LENGTH = 50  # the cap sample() must respect
CHAIN_VOCAB = "\nabcd"  # toy vocabulary: newline has index 0
STRONG = 100.0  # logit margin that makes a choice certain in float64
FREQUENCY_SAMPLES = 3000  # names drawn in the frequency test
FREQUENCY_TOLERANCE = 0.05  # allowed total-variation distance (about 4 standard errors)
RUNAWAY_DRAWS = 10 * MAX_NAME_LENGTH  # more draws than this in one call means the cap is missing


# --------------------------------------------------------------------------- clip


def _gradients(rng, n_a, vocab_size, scale):
    return {
        "dWax": rng.standard_normal((n_a, vocab_size)) * scale,
        "dWaa": rng.standard_normal((n_a, n_a)) * scale,
        "dWya": rng.standard_normal((vocab_size, n_a)) * scale,
        "dba": rng.standard_normal((n_a, 1)) * scale,
        "dby": rng.standard_normal((vocab_size, 1)) * scale,
    }


_CLIP_SIZES = {
    "public": {"small": dict(n_a=5, vocab_size=4, scale=10.0, max_value=5.0, seed=3),
               "tight": dict(n_a=3, vocab_size=6, scale=3.0, max_value=0.5, seed=4)},
    "hidden": {"wide": dict(n_a=8, vocab_size=27, scale=20.0, max_value=10.0, seed=103),
               "loose": dict(n_a=4, vocab_size=5, scale=1.0, max_value=2.5, seed=104)},
}


def _clip_cases(suite, record):
    cases = []
    for name, s in _CLIP_SIZES[suite].items():
        gradients = _gradients(np.random.default_rng(s["seed"]), s["n_a"], s["vocab_size"], s["scale"])
        dims = {"n_a": s["n_a"], "vocab_size": s["vocab_size"], "max_value": s["max_value"]}
        cases.append(core.Case(name, dims, (gradients, s["max_value"])))
    return cases


def _clip_in_place(func, suite, cases):
    """clip must change the caller's arrays themselves, not rebind copies in the dict."""
    for case in cases:
        gradients, max_value = copy.deepcopy(case.args)
        originals = dict(gradients)  # the same array objects the caller holds
        core.call_student(func, "clip", core.Case(case.name, case.dims, (gradients, max_value)), copy_inputs=False)
        for name in GRADIENT_NAMES:
            if np.max(np.abs(originals[name])) > max_value + 1e-12:
                core.fail(
                    "clip", case,
                    f"the caller's array gradients['{name}'] still holds entries beyond ±{max_value}",
                    "clip must work in place: the returned dict is right but the original arrays were not changed",
                    "hint:   give np.clip an out= argument so it overwrites the array it reads",
                )


# --------------------------------------------------------------------------- sample


def chain_parameters():
    """A model whose samples are certain: start -> 'a' -> 'b' -> 'c' -> 'd' -> newline.

    n_a = vocab_size; with Wax = 2*STRONG*I and ba = -STRONG the state is +1 at
    the input character and -1 elsewhere (all -1 for the zero start vector);
    Wya then gives the next character a logit STRONG above the rest.
    """
    vocab_size = len(CHAIN_VOCAB)
    nxt = {i: (i + 1) % vocab_size for i in range(1, vocab_size)}  # a->b, ..., d->newline
    Wya = np.zeros((vocab_size, vocab_size))
    for j, k in nxt.items():
        Wya[k, j] = STRONG
    by = Wya.sum(axis=1, keepdims=True)  # cancels the -1 states ...
    by[1] += STRONG / 2  # ... and makes 'a' the first character
    return {
        "Wax": 2 * STRONG * np.eye(vocab_size),
        "Waa": np.zeros((vocab_size, vocab_size)),
        "Wya": Wya,
        "ba": -STRONG * np.ones((vocab_size, 1)),
        "by": by,
    }


def frequency_parameters(first_probabilities):
    """A model that ignores its input: every character is drawn from `first_probabilities`."""
    vocab_size, n_a = len(first_probabilities), 3
    return {
        "Wax": np.zeros((n_a, vocab_size)),
        "Waa": np.zeros((n_a, n_a)),
        "Wya": np.zeros((vocab_size, n_a)),
        "ba": np.zeros((n_a, 1)),
        "by": np.log(np.asarray(first_probabilities, dtype=float)).reshape(-1, 1),
    }


class CountingGenerator:
    """Wraps a numpy Generator, counting draws and stopping a sampler that never ends."""

    def __init__(self, seed, limit=RUNAWAY_DRAWS):
        self._rng = np.random.default_rng(seed)
        self.draws = 0
        self.limit = limit

    def __getattr__(self, name):
        if name.startswith("_"):  # private names (and copy/pickle probes) are not delegated
            raise AttributeError(name)
        attribute = getattr(self._rng, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.draws += 1
            if self.draws > self.limit:
                raise RuntimeError(f"more than {self.limit} random draws in one call: the length cap is missing")
            return attribute(*args, **kwargs)

        return counted


def _char_to_ix():
    return {ch: i for i, ch in enumerate(CHAIN_VOCAB)}


def _as_indices(result, case, vocab_size):
    if isinstance(result, np.ndarray):
        result = result.tolist()
    if not isinstance(result, list):
        core.fail("sample", case, f"expected a list of indices, got {core.type_name(result)}",
                  "hint:   append each sampled index to a list and return the list")
    for ix in result:
        if isinstance(ix, (bool, np.bool_)) or not isinstance(ix, (int, np.integer)):
            core.fail("sample", case, f"expected integer indices, found {ix!r} ({type(ix).__name__})",
                      "hint:   convert the draw with int(...)")
        if not 0 <= int(ix) < vocab_size:
            core.fail("sample", case, f"index {int(ix)} is outside the vocabulary 0..{vocab_size - 1}")
    return [int(ix) for ix in result]


_SAMPLE_SEEDS = {"public": (0, 1), "hidden": (11, 12)}
_FIRST_PROBABILITIES = {"public": (0.05, 0.4, 0.3, 0.15, 0.1), "hidden": (0.04, 0.1, 0.16, 0.3, 0.4)}


def _check_sample(func, suite):
    core.check_callable(func, "sample")
    char_to_ix = _char_to_ix()
    newline = char_to_ix["\n"]
    vocab_size = len(CHAIN_VOCAB)

    # 1. a certain chain: the sampled character must be fed back as the next input
    chain = core.Case("chain", {"vocab_size": vocab_size, "n_a": vocab_size})
    for seed in _SAMPLE_SEEDS[suite]:
        rng = CountingGenerator(seed)
        got = _as_indices(core.call_student(func, "sample", core.Case(
            chain.name, chain.dims, (chain_parameters(), char_to_ix, rng)), copy_inputs=False), chain, vocab_size)
        expected = [1, 2, 3, 4, newline]
        if got != expected:
            if got[: len(expected)] == expected:
                hint = "the name goes on after the newline: stop as soon as the newline index is sampled"
            elif got and all(ix == got[0] for ix in got):
                hint = "the same character every step: feed the sampled character back as the next input x"
            else:
                hint = "each step must use the previous state a_prev and the one-hot of the character just sampled"
            core.fail("sample", chain, f"this model spells 'abcd' then a newline with certainty",
                      f"expected indices {expected}, got {got[:12]}{' ...' if len(got) > 12 else ''}",
                      f"hint:   {hint}")

    # 2. frequencies: every character must be drawn from the model's distribution
    p = np.asarray(_FIRST_PROBABILITIES[suite])
    freq_case = core.Case("frequencies", {"vocab_size": vocab_size, "names": FREQUENCY_SAMPLES})
    parameters = frequency_parameters(p)
    rng = CountingGenerator(_SAMPLE_SEEDS[suite][0], limit=RUNAWAY_DRAWS * FREQUENCY_SAMPLES)
    names = []
    for _ in range(FREQUENCY_SAMPLES):
        names.append(_as_indices(core.call_student(func, "sample", core.Case(
            freq_case.name, freq_case.dims, (parameters, char_to_ix, rng)), copy_inputs=False), freq_case, vocab_size))
        if rng.draws > RUNAWAY_DRAWS * len(names):
            core.fail("sample", freq_case, f"{rng.draws} random draws for {len(names)} names",
                      "hint:   draw exactly one index per character with rng.choice")
    firsts = np.bincount([n[0] for n in names if n], minlength=vocab_size) / len(names)
    distance = 0.5 * np.sum(np.abs(firsts - p))
    if distance > FREQUENCY_TOLERANCE:
        hint = ("always the most likely character: sample with rng.choice(vocab_size, p=y.ravel()) instead of argmax"
                if firsts.max() > 0.99 else "draw from the softmax output y of this step, with p=y.ravel()")
        core.fail("sample", freq_case,
                  f"first characters should follow the model's probabilities {core.fmt_preview(p, vocab_size)}",
                  f"observed frequencies {core.fmt_preview(firsts, vocab_size)} "
                  f"(total-variation distance {distance:.3f}, tolerance {FREQUENCY_TOLERANCE})",
                  f"hint:   {hint}")

    # 3. length cap and final newline
    lengths = np.array([len(n) for n in names])
    if lengths.max() > MAX_NAME_LENGTH:
        core.fail("sample", freq_case, f"a name of {lengths.max()} indices, longer than the cap {MAX_NAME_LENGTH}",
                  "hint:   stop the loop once 50 characters have been drawn")
    capped_expected = (1 - p[newline]) ** MAX_NAME_LENGTH
    if np.mean(lengths == MAX_NAME_LENGTH) < capped_expected / 3:
        core.fail("sample", freq_case, f"no name reaches the cap of {MAX_NAME_LENGTH} characters, but about "
                  f"{capped_expected:.0%} should", "hint:   the loop must allow exactly 50 draws")
    for n in names:
        if len(n) < MAX_NAME_LENGTH and n[-1] != newline:
            core.fail("sample", freq_case, f"a name of {len(n)} characters that does not end with the newline",
                      "hint:   stop right after the newline is drawn, and include it")
        if newline in n[:-1]:
            core.fail("sample", freq_case, "a name continues after the newline was drawn",
                      "hint:   stop as soon as the newline index is sampled")

    # 4. the given generator is the only source of randomness
    twice = [_as_indices(core.call_student(func, "sample", core.Case(
        "same_seed", {"seed": 5}, (frequency_parameters(p), char_to_ix, np.random.default_rng(5))), copy_inputs=False),
        freq_case, vocab_size)
        for _ in range(2)]
    if twice[0] != twice[1]:
        core.fail("sample", core.Case("same_seed", {"seed": 5}),
                  "two calls with generators of the same seed gave different names",
                  "hint:   draw with the rng argument (rng.choice), never with np.random.choice")
    print(f"sample: all behaviour checks passed ({suite})")
    return 4


def _preview_sample(func):
    char_to_ix = _char_to_ix()
    ix_to_char = {i: ch for ch, i in char_to_ix.items()}
    try:
        got = func(chain_parameters(), char_to_ix, np.random.default_rng(0))
        print(f"sample on the 'chain' model: yours    {[ix_to_char.get(int(i), '?') for i in got]}")
    except NotImplementedError:
        print("sample on the 'chain' model: not implemented yet")
    except Exception as err:  # a quick look reports, it does not grade
        print(f"sample on the 'chain' model raised {type(err).__name__}: {err}")
    expected = [ix_to_char[i] for i in (1, 2, 3, 4, char_to_ix["\n"])]
    print(f"{'':<28} expected {expected}")


# --------------------------------------------------------------------------- optimize


_OPTIMIZE_SIZES = {
    "public": {"short": dict(vocab_size=5, n_a=4, length=4, seed=5, learning_rate=0.05, max_value=5.0),
               "long": dict(vocab_size=7, n_a=6, length=9, seed=6, learning_rate=0.01, max_value=5.0)},
    "hidden": {"wide": dict(vocab_size=27, n_a=10, length=6, seed=105, learning_rate=0.02, max_value=1.0),
               "one_char": dict(vocab_size=4, n_a=3, length=1, seed=106, learning_rate=0.1, max_value=0.5)},
}
_OPTIMIZE_WEIGHT_SCALE = 3.0  # large weights make some gradients exceed the clip value


def _optimize_cases(suite, record):
    cases = []
    for name, s in _OPTIMIZE_SIZES[suite].items():
        rng = np.random.default_rng(s["seed"])
        parameters = initialize_parameters(s["n_a"], s["vocab_size"], rng)
        for key in ("Wax", "Waa", "Wya"):
            parameters[key] *= _OPTIMIZE_WEIGHT_SCALE / 0.01
        chars = rng.integers(1, s["vocab_size"], size=s["length"]).tolist()
        X, Y = [None] + chars, chars + [0]
        a_prev = rng.standard_normal((s["n_a"], 1)) * 0.5
        dims = {"vocab_size": s["vocab_size"], "n_a": s["n_a"], "T_x": len(X), "max_value": s["max_value"]}
        cases.append(core.Case(name, dims, (X, Y, a_prev, parameters, s["learning_rate"]),
                               {"max_value": s["max_value"]}))
    return cases


def _optimize_updates_parameters(func, suite, cases):
    """optimize must update the caller's parameters with the *clipped* gradients."""
    record = GRADER.record(suite)
    for case in cases:
        X, Y, a_prev, parameters, learning_rate = copy.deepcopy(case.args)
        before = copy.deepcopy(parameters)
        core.call_student(func, "optimize", core.Case(case.name, case.dims, (X, Y, a_prev, parameters, learning_rate),
                                                      case.kwargs), copy_inputs=False)
        for name in PARAMETER_NAMES:
            gradient = record.expected("optimize", case.name, "gradients.d" + name)
            expected = before[name] - learning_rate * gradient
            if np.allclose(parameters[name], before[name]):
                core.fail("optimize", case, f"parameters['{name}'] did not change",
                          "hint:   call update_parameters(parameters, gradients, learning_rate)")
            if not np.allclose(parameters[name], expected, atol=1e-7, rtol=1e-6):
                core.fail("optimize", case, f"parameters['{name}'] after the step differ from "
                          f"{name} - learning_rate * d{name} (clipped)",
                          "hint:   clip the gradients before update_parameters, and use the given learning_rate")


# --------------------------------------------------------------------------- training loop


class SpyOptimize:
    """Stands in for optimize: records every call and returns a known loss and state."""

    def __init__(self, n_a):
        self.calls = []
        self.n_a = n_a

    def __call__(self, X, Y, a_prev, parameters, learning_rate):
        j = len(self.calls)
        self.calls.append({"X": list(X), "Y": list(Y), "a_prev": np.array(a_prev, copy=True),
                           "parameters": parameters, "learning_rate": learning_rate})
        a_next = np.full((self.n_a, 1), float(j + 1))  # a state that says which call made it
        return 100.0 - j, {}, a_next


_LOOP_SIZES = {"public": dict(n_examples=3, num_iterations=7, n_a=4, learning_rate=0.02),
               "hidden": dict(n_examples=5, num_iterations=12, n_a=6, learning_rate=0.005)}


def _check_train_loop(func, suite):
    core.check_callable(func, "train_char_rnn")
    s = _LOOP_SIZES[suite]
    examples = [([None] + list(range(1, k + 2)), list(range(1, k + 2)) + [0]) for k in range(s["n_examples"])]
    parameters = initialize_parameters(s["n_a"], vocab_size=5, rng=np.random.default_rng(0))
    spy = SpyOptimize(s["n_a"])
    callbacks = []
    case = core.Case("spy", {"examples": s["n_examples"], "num_iterations": s["num_iterations"], "n_a": s["n_a"]})
    call = core.Case(case.name, case.dims, (examples, parameters, s["num_iterations"], s["learning_rate"]),
                     {"optimize_fn": spy, "callback": lambda j, loss, params: callbacks.append((j, loss))})
    losses = core.call_student(func, "train_char_rnn", call, copy_inputs=False)
    n = s["num_iterations"]
    if len(spy.calls) != n:
        core.fail("train_char_rnn", case, f"optimize was called {len(spy.calls)} times, expected {n}",
                  "hint:   one optimize step per iteration: for j in range(num_iterations)")
    for j, recorded in enumerate(spy.calls):
        X, Y = examples[j % len(examples)]
        if recorded["X"] != X or recorded["Y"] != Y:
            core.fail("train_char_rnn", case, f"iteration {j} trained on X={recorded['X']}, expected X={X}",
                      "hint:   iteration j uses examples[j % len(examples)], cycling through all examples")
        if recorded["parameters"] is not parameters:
            core.fail("train_char_rnn", case, f"iteration {j} got a different parameters dict",
                      "hint:   pass the same parameters dict to every optimize call")
        if recorded["learning_rate"] != s["learning_rate"]:
            core.fail("train_char_rnn", case, f"iteration {j} used learning_rate {recorded['learning_rate']}, "
                      f"expected {s['learning_rate']}")
        expected_state = 0.0 if j == 0 else float(j)
        if recorded["a_prev"].shape != (s["n_a"], 1) or not np.allclose(recorded["a_prev"], expected_state):
            hint = ("start from a_prev = np.zeros((n_a, 1)) with n_a = parameters['Waa'].shape[0]" if j == 0 else
                    "carry the state: a_prev for the next iteration is the one optimize returned")
            core.fail("train_char_rnn", case,
                      f"iteration {j} got a_prev {core.fmt_preview(recorded['a_prev'])}, "
                      f"expected all {expected_state:g} (shape {(s['n_a'], 1)})", f"hint:   {hint}")
    expected_losses = [100.0 - j for j in range(n)]
    if not isinstance(losses, (list, np.ndarray)) or list(np.asarray(losses, dtype=float)) != expected_losses:
        core.fail("train_char_rnn", case, f"expected the list of the {n} losses optimize returned, in order",
                  f"got {core.type_name(losses)}: {str(losses)[:80]}",
                  "hint:   append each iteration's loss to a list and return it")
    if [c[0] for c in callbacks] != list(range(n)):
        core.fail("train_char_rnn", case, f"callback was called for iterations {[c[0] for c in callbacks][:10]}",
                  "hint:   if callback is given, call callback(j, loss, parameters) after every iteration")
    print(f"train_char_rnn: all behaviour checks passed ({suite})")
    return 1


# --------------------------------------------------------------------------- registry

GRADER.add(
    core.FunctionSpec(
        name="clip",
        outputs=(core.Output("gradients", "dict", GRADIENT_NAMES),),
        hints={
            "some_gradients_not_clipped": "dba and dby were not clipped: clip every gradient in the dict",
            "lower_bound_zero": "negative entries were clipped to 0: the range is [-max_value, max_value]",
        },
        default_hint="every entry of every gradient must end inside [-max_value, max_value]",
    ),
    _clip_cases,
    after=_clip_in_place,
)

GRADER.add(
    core.FunctionSpec(name="sample", outputs=(core.Output("indices"),)),
    None,
    check=_check_sample,
    preview=_preview_sample,
)

GRADER.add(
    core.FunctionSpec(
        name="optimize",
        outputs=(
            core.Output("loss", "scalar"),
            core.Output("gradients", "dict", GRADIENT_NAMES),
            core.Output("a_last"),
        ),
        hints={
            "no_clipping": "some gradients exceed max_value: call clip(gradients, max_value) before the update",
            "initial_state_returned": "the returned state is a0 (a[-1] is the initial state in that dict): "
                                      "return a[len(X) - 1]",
        },
        default_hint="forward with rnn_forward, gradients with rnn_backward, then clip, then update_parameters",
    ),
    _optimize_cases,
    after=_optimize_updates_parameters,
)

GRADER.add(
    core.FunctionSpec(name="train_char_rnn", outputs=(core.Output("losses"),)),
    None,
    check=_check_train_loop,
)


# --------------------------------------------------------------------------- test-cell entry points


def check_clip(clip, suite="public"):
    """Graded check of clip(gradients, max_value): values, every gradient, in place."""
    return GRADER.check("clip", clip, suite)


def check_sample(sample, suite="public"):
    """Graded check of sample(parameters, char_to_ix, rng): behaviour on models with known answers."""
    return GRADER.check("sample", sample, suite)


def check_optimize(optimize, suite="public"):
    """Graded check of optimize(X, Y, a_prev, parameters, learning_rate, max_value)."""
    return GRADER.check("optimize", optimize, suite)


def check_train_char_rnn(train_char_rnn, suite="public"):
    """Graded check of train_char_rnn(examples, parameters, num_iterations, learning_rate, ...)."""
    return GRADER.check("train_char_rnn", train_char_rnn, suite)


# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
