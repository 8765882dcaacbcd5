"""Checks for notebook 06, word2vec: subsampling, skip-gram pairs, negative sampling, SGNS, CBOW.

skipgram_pairs, noise_distribution, sgns_loss, sgns_step and cbow_loss are
record-based: their outputs (and, for sgns_step, the matrices it updates in
place) are compared with what the reference solution returned. The two
samplers are graded by behaviour, since a correct implementation may consume
random numbers in its own way:

- subsample runs on corpora whose word counts are known: the share of each
  word's occurrences that survive must match min(1, sqrt(t / f(w))) within a
  Bernstein tolerance (below); the survivors must keep their order; the
  draws must come from the generator passed in (the same seed gives the same
  result, and the generator's state moves).
- draw_negatives must return an (m, K) array of valid indices whose counts
  match the noise distribution within the same kind of tolerance, drawn
  from the generator passed in.

Sources: Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed
Representations of Words and Phrases and their Compositionality" (subsampling,
section 2.3; negative sampling, eq. 4 and the unigram^3/4 noise of section 2.2);
Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word
Representations in Vector Space" (skip-gram and CBOW).
"""

import numpy as np

from graders import behaviour
from graders.assignment import Assignment
from graders.behaviour import expected_facts, expected_generator_facts, fact_leaves, generator_facts
from graders.compare import outside_band
from graders.messages import fail, fmt_number, type_name
from graders.probe import Observation, guarded
from graders.spec import Case, FunctionSpec, Output, Property, spread_table_cases

GRADER = Assignment.of_module(__name__)

# the notebook's constants, which a function that ignores its argument falls back on; every case below
# uses another value, so such a bug shows
SUBSAMPLE_T = 1e-4
WINDOW = 5
NEGATIVES = 5
NOISE_POWER = 0.75
LEARNING_RATE = 0.05


def _normal_arrays(seed, *shapes):
    """Standard normal arrays of the given shapes, drawn in order from one generator of `seed`."""
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(shape) for shape in shapes)


def _index_array(result, func_name, case, vocab_size, what, hint):
    """The returned indices as an int64 ndarray, or a failure that says what is wrong with them."""
    if isinstance(result, (list, tuple)) and len(result) == 0:
        return np.zeros(0, dtype=np.int64)
    if not isinstance(result, (np.ndarray, list, tuple)):
        fail(func_name, case, f"expected {what} as a numpy array of word indices, got {type_name(result)}",
             "hint:   did you forget a `return` statement?" if result is None else f"hint:   {hint}")
    array = np.asarray(result)
    if array.dtype.kind not in "iu":
        fail(func_name, case, f"expected integer word indices, got an array of dtype {array.dtype}",
             "hint:   index arrays with integer arrays (or boolean masks) so the result stays integer")
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        bad = array[(array < 0) | (array >= vocab_size)].ravel()[0]
        fail(func_name, case, f"index {int(bad)} is outside the vocabulary 0..{vocab_size - 1}")
    return array.astype(np.int64)


def _sampled_twice(func, spec, case, vocab_size, what, hint):
    """(first result, generator facts, inputs changed) of a sampler called twice on the case's inputs, each time
    with a fresh generator of case.data["seed"] last; both results as int64 word indices (see _index_array)."""
    seed = case.data["seed"]
    rng = np.random.default_rng(seed)
    first, changed = behaviour.call_checked(func, spec, case, (*behaviour.snapshot(case.args), rng))
    again, _ = behaviour.call_checked(func, spec, case, (*behaviour.snapshot(case.args), np.random.default_rng(seed)))
    first, again = (guarded(spec.name, case, _index_array, result, spec.name, case, vocab_size, what, hint)
                    for result in (first, again))
    return first, generator_facts(rng, seed, first, again), changed


RNG_DRAWS = "make every random draw (rng.random, rng.choice)"
RNG_HINT = behaviour.generator_hint(RNG_DRAWS)


# --------------------------------------------------------------------------- subsample

# (name, counts, t, seed, shuffled): the corpus holds counts[w] occurrences of word w, shuffled or in blocks
_SUBSAMPLE_CASES = {
    "public": (("zipf_words", (3000, 1200, 500, 200, 60, 20), 5e-3, 1, True),
               ("three_words", (900, 300, 120), 0.2, 2, True)),
    "hidden": (("nothing_to_discard", (40, 25, 9, 3), 1.0, 11, True),
               ("one_word_only", (1500,), 0.09, 12, False),
               ("words_in_blocks", (2000, 2000, 700), 0.05, 13, False)),
}


def _subsample_cases(suite, record):
    cases = []
    for name, counts, t, seed, shuffled in _SUBSAMPLE_CASES[suite]:
        tokens = np.repeat(np.arange(len(counts)), counts)  # (n,) word blocks
        if shuffled:
            tokens = np.random.default_rng(seed).permutation(tokens)
        cases.append(Case(name, {"n": sum(counts), "vocab_size": len(counts), "t": t},
                          (tokens, np.array(counts, dtype=np.int64), t), data={"seed": seed}))
    return cases


def keep_probabilities(counts, t):
    """min(1, sqrt(t / f(w))) for every word: what a correct subsample keeps of each word."""
    frequencies = counts / counts.sum()
    return np.minimum(1.0, np.sqrt(t / frequencies))


def _is_subsequence(kept, tokens):
    """True when `kept` can be read off `tokens` left to right (the survivors kept their order): each `in`
    consumes the text up to the token it finds."""
    text = iter(tokens.tolist())
    return all(token in text for token in kept.tolist())


def _observe_subsample(func, case):
    tokens, counts, _ = case.args
    kept, facts, changed = _sampled_twice(func, SUBSAMPLE, case, len(counts), "the kept tokens",
                                          "return tokens[mask], a new array of the surviving word indices")
    if kept.ndim != 1:
        fail("subsample", case, f"expected a 1-D array of kept tokens, got shape {kept.shape}",
             "hint:   keep the tokens as one flat array: tokens[mask]")
    leaves = fact_leaves({"in_order": _is_subsequence(kept, tokens)} | facts)
    leaves["kept_per_word"] = np.bincount(kept, minlength=len(counts)).astype(np.int64)
    return Observation(case.name, leaves, changed)


def _expect_subsample(case):
    return expected_facts({
        "in_order": (True, "the survivors must keep their order in the text: select them with a boolean mask "
                           "of tokens, without sorting or grouping them by word", ""),
        **expected_generator_facts(RNG_DRAWS),
    })


SUBSAMPLE_HINTS = {
    "discard_probability_as_keep": "each word was kept with the probability of discarding it: keep an "
                                   "occurrence with probability min(1, sqrt(t / f(w))), which is 1 - P_discard(w)",
    "counts_not_normalized": "f(w) is a word's share of the corpus, counts[w] / counts.sum(), not its raw count",
    "t_ignored": "the kept shares follow t = 1e-4 (SUBSAMPLE_T), not the threshold t you were given",
    "one_draw_per_word_type": "every word was kept or dropped as a whole: make one independent draw per "
                              "occurrence (rng.random(len(tokens))), not one per word type",
    "global_random_state": RNG_HINT,
}
SUBSAMPLE_DRAW_HINT = ("draw for each occurrence: keep it when a uniform draw from rng is below "
                       "min(1, sqrt(t / f(w))), f(w) = counts[w] / counts.sum()")


def _check_kept_shares(leaves, case):
    """None when each word's kept count is within the Bernstein band of counts[w] * keep probability; else the
    word farthest outside, with the hint of the known bug whose keep probabilities the counts fit."""
    tokens, counts, t = case.args
    kept, want = leaves["kept_per_word"], keep_probabilities(counts, t)
    outside = outside_band(kept, counts, want)
    if outside is None:
        return None
    known = {"discard_probability_as_keep": 1 - want, "counts_not_normalized": np.minimum(1.0, np.sqrt(t / counts)),
             "t_ignored": keep_probabilities(counts, SUBSAMPLE_T)}
    variant = next((name for name, p in known.items() if outside_band(kept, counts, p) is None), None)
    partial = (want > 0) & (want < 1)  # every word kept or dropped whole: one draw per word type
    if variant is None and np.any(partial) and np.all((kept[partial] == 0) | (kept[partial] == counts[partial])):
        variant = "one_draw_per_word_type"
    w, expected = outside
    return (f"word {w} (f = {fmt_number(counts[w] / counts.sum())}): {int(kept[w])} of its {int(counts[w])} "
            f"occurrences were kept, {expected}", SUBSAMPLE_HINTS.get(variant, SUBSAMPLE_DRAW_HINT))


SUBSAMPLE = FunctionSpec(
    name="subsample",
    outputs=(Output("kept"),),
    inputs=("tokens", "counts", "t", "rng"),
    hints=SUBSAMPLE_HINTS,
    default_hint="keep each occurrence with probability min(1, sqrt(t / f(w))), one rng draw per occurrence, "
                 "in the original order",
    properties=(Property("each word keeps a share min(1, sqrt(t / f(w))) of its occurrences", _check_kept_shares),),
)
GRADER.add(SUBSAMPLE, _subsample_cases, observe=_observe_subsample, expect=_expect_subsample)


# --------------------------------------------------------------------------- skipgram_pairs

# name: (text length, window, seed); the words are random indices below 20
_PAIR_CASES = {
    "public": {"short_text": (10, 2, 21), "wide_window": (9, 3, 22)},
    "hidden": {"window_longer_than_text": (3, 4, 31), "single_token": (1, 2, 32), "window_one": (15, 1, 33),
               "long_text": (40, 6, 34)},
}
_PAIR_WORDS = 20


def _pair_cases(suite, record):
    return [Case(name, {"n": n, "window": window},
                 (np.random.default_rng(seed).integers(0, _PAIR_WORDS, size=n), window))
            for name, (n, window, seed) in _PAIR_CASES[suite].items()]


SKIPGRAM_PAIRS = FunctionSpec(
    name="skipgram_pairs",
    outputs=(Output("targets"), Output("contexts")),
    inputs=("tokens", "window"),
    hints={
        "right_side_short": "the right side of each window is one word short: contexts run from "
                            "position i - window to i + window inclusive",
        "target_paired_with_itself": "each target was also paired with itself: leave offset 0 out",
        "edges_wrap_around": "windows near the start wrapped around to the end of the text (a negative index "
                             "counts from the end in numpy): drop positions below 0",
        "window_ignored": "the pairs follow window = 5 (WINDOW), not the window you were given",
        "targets_contexts_swapped": "the two arrays are swapped: return targets first, then contexts",
        "edges_dropped": "targets near the ends got no pairs: cut their windows off at the ends instead of "
                         "skipping them",
        "offset_major_order": "the pairs are right but in another order: list them by target position, and for "
                              "one target by context position",
    },
    default_hint="for each position i, pair tokens[i] with tokens[j] for every j != i with |i - j| <= window "
                 "and 0 <= j < len(tokens), in order of i, then j",
)
GRADER.add(SKIPGRAM_PAIRS, _pair_cases)


# --------------------------------------------------------------------------- noise_distribution

_NOISE_CASES = {
    "public": {"small_counts": ((50, 20, 10, 5, 1), 0.5),
               "zipf_counts": (tuple(1200 // r for r in range(1, 13)), 0.75)},
    "hidden": {"plain_unigram_with_a_zero": ((7, 3, 0, 10), 1.0), "one_word": ((42,), 0.75),
               "steep": ((1, 2, 3, 4), 1.5)},
}


def _noise_cases(suite, record):
    return [Case(name, {"vocab_size": len(counts), "power": power}, (np.array(counts, dtype=np.int64), power))
            for name, (counts, power) in _NOISE_CASES[suite].items()]


NOISE_DISTRIBUTION = FunctionSpec(
    name="noise_distribution",
    outputs=(Output("noise"),),
    inputs=("counts", "power"),
    hints={
        "not_normalized": "the values are count**power but do not sum to 1: divide by their sum",
        "power_after_normalizing": "the unigram probabilities were raised to the power without normalizing "
                                   "again: raise the counts to the power, then divide by the sum",
        "power_ignored": "the values follow the power 0.75 (NOISE_POWER), not the power you were given",
    },
    default_hint="P_n(w) = counts[w]**power / sum over all words of counts**power",
)
GRADER.add(NOISE_DISTRIBUTION, _noise_cases)


# --------------------------------------------------------------------------- draw_negatives

# (name, counts that define the noise, power, m, K, seed)
_NEGATIVE_CASES = {
    "public": (("skewed", (40, 20, 10, 5, 2, 1), 0.75, 1500, 4, 41),
               ("three_words", (12, 3, 1), 1.0, 1000, 2, 42)),
    "hidden": (("single_pair", (9, 4, 1), 0.75, 1, 7, 51),
               ("certain_word", (0, 0, 6, 0), 1.0, 50, 3, 52),
               ("one_negative", (30, 25, 20, 15, 10, 8, 5, 2), 0.75, 3000, 1, 53)),
}


def _negative_cases(suite, record):
    cases = []
    for name, counts, power, m, K, seed in _NEGATIVE_CASES[suite]:
        weights = np.array(counts, dtype=np.float64) ** power
        noise = weights / weights.sum()
        cases.append(Case(name, {"vocab_size": len(counts), "m": m, "K": K}, (noise, m, K), {}, {"seed": seed}))
    return cases


def _observe_negatives(func, case):
    noise, m, K = case.args
    drawn, facts, changed = _sampled_twice(func, DRAW_NEGATIVES, case, len(noise), "the negatives",
                                           "return the array rng.choice gives you")
    if drawn.ndim != 2:
        fail("draw_negatives", case, f"expected an array of shape (m, K) = {(m, K)}, got shape {drawn.shape}",
             "hint:   ask the generator for all m * K draws at once with size=(m, K)")
    leaves = fact_leaves(facts)
    leaves["shape"] = np.array(drawn.shape, dtype=np.int64)
    leaves["draws_per_word"] = np.bincount(drawn.ravel(), minlength=len(noise)).astype(np.int64)
    return Observation(case.name, leaves, changed)


NEGATIVES_HINTS = {
    "uniform_draws": "every word was drawn about equally often: pass the noise distribution as the "
                     "probabilities (p=noise)",
    "global_random_state": RNG_HINT,
    "K_ignored": "each pair got 5 negatives (NEGATIVES), not the K you were given",
    "shape_transposed": "the array has shape (K, m): one row per pair, size=(m, K)",
}


def _expect_negatives(case):
    noise, m, K = case.args
    expected, bugs = expected_facts(expected_generator_facts(RNG_DRAWS))
    expected["shape"] = np.array([m, K], dtype=np.int64)
    for variant, shape in (("shape_transposed", (K, m)), ("K_ignored", (m, NEGATIVES))):
        if shape != (m, K):
            bugs[NEGATIVES_HINTS[variant]] = {"shape": np.array(shape, dtype=np.int64)}
    return expected, bugs


def _check_draw_shares(leaves, case):
    """None when each word is drawn within the Bernstein band of m K noise[w] times."""
    noise, m, K = case.args
    drawn, n = leaves["draws_per_word"], m * K
    outside = outside_band(drawn, n, noise)
    if outside is None:
        return None
    hint = ("draw each index with the noise distribution's probabilities: rng.choice(vocab_size, size=(m, K), "
            "p=noise)")
    if outside_band(drawn, n, np.full(len(noise), 1 / len(noise))) is None:
        hint = NEGATIVES_HINTS["uniform_draws"]
    w, expected = outside
    return (f"word {w} (probability {fmt_number(noise[w])}) was drawn {int(drawn[w])} times in {n} draws, "
            f"{expected}", hint)


DRAW_NEGATIVES = FunctionSpec(
    name="draw_negatives",
    outputs=(Output("negatives"),),
    inputs=("noise", "m", "K", "rng"),
    hints=NEGATIVES_HINTS,
    pattern_hints=((("shape",), "the array must have shape (m, K): one row of K negatives per pair"),),
    default_hint="draw m * K indices with rng.choice, probabilities p=noise, size=(m, K)",
    properties=(Property("each word is drawn as often as the noise distribution says", _check_draw_shares),),
)
GRADER.add(DRAW_NEGATIVES, _negative_cases, observe=_observe_negatives, expect=_expect_negatives)


# --------------------------------------------------------------------------- sgns_loss

# name: (m, K, emb_dim, scale, seed); "saturated" puts every score far into the sigmoid's tails
_LOSS_CASES = {
    "public": {"small": (3, 2, 4, 1.0, 61), "more_negatives": (5, 6, 3, 0.7, 62)},
    "hidden": {"one_pair": (1, 1, 5, 1.2, 71), "saturated": (4, 3, 2, 30.0, 72), "wide_vectors": (2, 4, 40, 0.3, 73)},
}


def _loss_inputs(m, K, emb_dim, scale, seed, name):
    rng = np.random.default_rng(seed)
    v_target = scale * rng.standard_normal((m, emb_dim))
    u_context = scale * rng.standard_normal((m, emb_dim))
    u_negatives = scale * rng.standard_normal((m, K, emb_dim))
    if name == "saturated":  # true contexts point away from their targets: scores near -scale^2 * emb_dim
        u_context = -v_target * (1 + rng.random((m, 1)))
        u_negatives = v_target[:, None, :] * (1 + rng.random((m, K, 1)))  # ... and negatives towards them
    return v_target, u_context, u_negatives


def _loss_cases(suite, record):
    return [Case(name, {"m": m, "K": K, "emb_dim": emb_dim}, _loss_inputs(m, K, emb_dim, scale, seed, name))
            for name, (m, K, emb_dim, scale, seed) in _LOSS_CASES[suite].items()]


OVERFLOW_HINT = ("only the loss is wrong: it is the sum over the pairs of -log sigma(s) - sum_k log sigma(-s_k); "
                 "if it came out inf, nan or rounded, compute -log sigma(x) as np.logaddexp(0, -x), not as np.log "
                 "of a sigmoid")
SGNS_LOSS = FunctionSpec(
    name="sgns_loss",
    outputs=(Output("loss", "scalar"), Output("gradients", "dict", ("dv_target", "du_context", "du_negatives"))),
    inputs=("v_target", "u_context", "u_negatives"),
    hints={
        "positive_gradient_sign": "the gradients of the positive pair use sigma(s); the derivative of "
                                  "-log sigma(s) is sigma(s) - 1",
        "negatives_missing_from_dv": "dv_target misses the negatives' part: add sum_k sigma(s_k) u_wk",
        "negative_term_sign": "the loss of the negatives has the wrong sign inside: it is -log sigma(-s_k), "
                              "the noise words must score low",
        "mean_not_sum": "the loss is the mean over the pairs; this exercise wants the sum (each pair keeps "
                        "its own gradient)",
    },
    pattern_hints=((("loss",), OVERFLOW_HINT),),
    default_hint="s = u_o . v_c, s_k = u_wk . v_c; loss = sum of -log sigma(s) - sum_k log sigma(-s_k); "
                 "d/ds = sigma(s) - 1, d/ds_k = sigma(s_k)",
)
GRADER.add(SGNS_LOSS, _loss_cases)


# --------------------------------------------------------------------------- sgns_step

# name: (vocab_size, emb_dim, learning_rate, seed, one row per pair: (target, context, its K negatives))
_STEP_CASES = {
    "public": {
        "repeated_words": (6, 3, 0.1, 81, ((1, 2, 3, 3), (1, 4, 0, 5), (3, 2, 3, 2), (0, 5, 1, 3), (1, 0, 4, 4))),
        "bigger_batch": (10, 4, 0.3, 82, ((0, 3, 1, 2, 3), (7, 3, 9, 9, 0), (7, 1, 5, 1, 1), (2, 8, 2, 2, 2),
                                          (9, 0, 4, 8, 6), (5, 6, 0, 1, 9), (2, 3, 3, 5, 7), (7, 4, 6, 6, 1))),
    },
    "hidden": {
        "one_pair": (5, 6, 0.02, 91, ((4, 1, 2),)),
        "same_target_everywhere": (7, 3, 0.5, 92, ((2, 0, 1, 1), (2, 1, 6, 0), (2, 3, 3, 3), (2, 4, 5, 4),
                                                   (2, 5, 0, 0), (2, 6, 2, 6))),
        "context_also_a_negative": (4, 2, 0.25, 93, ((0, 3, 3, 1), (1, 3, 3, 3), (2, 1, 1, 0))),
    },
}


def _step_case(name, vocab_size, emb_dim, lr, seed, pairs):
    pairs = np.array(pairs, dtype=np.int64)  # (m, 2 + K)
    W_in, W_out = _normal_arrays(seed, (vocab_size, emb_dim), (vocab_size, emb_dim))
    return Case(name, {"vocab_size": vocab_size, "emb_dim": emb_dim, "m": len(pairs), "K": pairs.shape[1] - 2,
                       "learning_rate": lr}, (W_in, W_out, pairs[:, 0], pairs[:, 1], pairs[:, 2:], lr))


SGNS_STEP = FunctionSpec(
    name="sgns_step", outputs=(Output("loss", "scalar"),), mutates=("W_in", "W_out"),
    inputs=("W_in", "W_out", "targets", "contexts", "negatives", "learning_rate"),
    hints={
        "repeated_indices_updated_once": "a word that occurs more than once in the batch got only one of its "
                                         "updates: W[idx] -= g writes each row once; use np.subtract.at(W, idx, g)",
        "gradient_ascent_on_contexts": "the context vectors moved up their gradient: subtract "
                                       "learning_rate * gradient",
        "negatives_not_updated": "the noise words' output vectors did not change: update W_out at the negatives "
                                 "too, with du_negatives",
        **behaviour.ignored_argument_hints({"learning_rate": f"LEARNING_RATE = {LEARNING_RATE}"}),
        "matrices_copied": behaviour.not_in_place_hint("W_in and W_out"),
    },
    pattern_hints=((("input W_in",), "W_in after the step is wrong: subtract learning_rate * dv_target at the "
                                     "target rows, once per occurrence (np.subtract.at)"),
                   (("input W_out",), "W_out after the step is wrong: subtract learning_rate * du_context at the "
                                      "context rows and learning_rate * du_negatives at the noise rows"),),
    default_hint="look up W_in[targets], W_out[contexts], W_out[negatives]; call sgns_loss; then np.subtract.at "
                 "each matrix at the same indices with learning_rate * gradient",
)
GRADER.add(SGNS_STEP, spread_table_cases(_STEP_CASES, _step_case))


# --------------------------------------------------------------------------- cbow_loss

# name: (m, C, K, emb_dim, seed)
_CBOW_CASES = {
    "public": {"small": (3, 4, 2, 3, 101), "two_context_words": (4, 2, 3, 5, 102)},
    "hidden": {"one_context_word": (2, 1, 2, 3, 111), "single_example": (1, 6, 1, 4, 112),
               "large_batch": (12, 10, 5, 8, 113)},
}


def _cbow_cases(suite, record):
    cases = []
    for name, (m, C, K, emb_dim, seed) in _CBOW_CASES[suite].items():
        args = _normal_arrays(seed, (m, C, emb_dim), (m, emb_dim), (m, K, emb_dim))
        cases.append(Case(name, {"m": m, "C": C, "K": K, "emb_dim": emb_dim}, args))
    return cases


CBOW_LOSS = FunctionSpec(
    name="cbow_loss",
    outputs=(Output("loss", "scalar"), Output("gradients", "dict", ("dV_context", "du_target", "du_negatives"))),
    inputs=("V_context", "u_target", "u_negatives"),
    hints={
        "sum_not_mean": "h is the sum of the context vectors; CBOW averages them (divide by C)",
        "gradient_not_shared": "every context word received the whole gradient of h: each contributed 1/C "
                               "of h, so each gets 1/C of it",
        "gradients_mislabelled": "du_target and du_negatives hold the wrong arrays: du_target is the positive "
                                 "(true target) vector's gradient",
    },
    pattern_hints=((("gradients.dV_context",), "dV_context is wrong: every context word gets the gradient of h "
                                               "divided by C"),),
    default_hint="h = mean of the context vectors over axis 1; the loss is sgns_loss(h, u_target, u_negatives); "
                 "dV_context is its dv_target / C, repeated for each of the C words",
)
GRADER.add(CBOW_LOSS, _cbow_cases)


# --------------------------------------------------------------------------- test-cell entry points

check_subsample = GRADER.checker("subsample")
check_skipgram_pairs = GRADER.checker("skipgram_pairs")
check_noise_distribution = GRADER.checker("noise_distribution")
check_draw_negatives = GRADER.checker("draw_negatives")
check_sgns_loss = GRADER.checker("sgns_loss")
check_sgns_step = GRADER.checker("sgns_step")
check_cbow_loss = GRADER.checker("cbow_loss")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
