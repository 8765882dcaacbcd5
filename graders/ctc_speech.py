"""Checks for notebook 11, ctc_speech: the CTC collapse rule, the CTC forward algorithm, greedy decoding, edit distance.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time).

- ctc_collapse, greedy_decode and edit_distance are record-based: inputs come
  from local seeded generators, the expected outputs are the reference
  solution's, recorded by `make references`, and known bugs are named by
  their recorded outputs. greedy_decode's arg max is graded with a margin.
- ctc_forward is checked against TensorFlow: `tf.nn.ctc_loss` (float64, sparse
  labels, the CPU kernel, through behaviour.ctc_log_likelihoods) gives
  log P(l_1..l_k | first t frames) for every prefix of the labels and every
  t, and from those follow every entry of the forward table the student
  returns (see `_forward_oracle`). Log 0 is -inf,
  which no tolerance compares, so the observer turns the table into finite
  facts: which states are reachable, the log-alphas of the blank states, the
  log of alpha(label state) + alpha(the blank after it), and the loss with
  whether any alignment exists.

Hidden cases differ in structure: the blank as class 0 instead of the last
class, a single step, a path of blanks only, a path that starts and ends on the
same label, an empty label sequence, a long utterance whose probabilities
underflow outside log space, padding longer than the utterance, empty strings.

Source: A. Graves, S. Fernandez, F. Gomez, J. Schmidhuber (2006),
"Connectionist Temporal Classification", ICML 2006, sections 3.1 (the
collapse map B), 4.1 (the forward variables, equations 5-7) and 3.2 (best-path
decoding); V. Levenshtein (1966) for the edit distance.
"""

import numpy as np

from graders import behaviour, probe
from graders.assignment import Assignment
from graders.compare import top2_margin
from graders.spec import Case, FunctionSpec, Output, table_cases
from helpers import ctc_recognizer as ctc

GRADER = Assignment.of_module(__name__)

N_CLASSES = ctc.N_CLASSES  # ten digits and the blank, as the recognizer of this notebook


def _log_posteriors(seed, T, scale=1.0, boosted=()):
    """(T, N_CLASSES) log-softmax of random logits, as a network's output layer gives them: scale * N(0, 1) from a
    generator of `seed`, the class boosted[t] of each of the first len(boosted) steps raised by DECODE_BOOST."""
    logits = scale * np.random.default_rng(seed).standard_normal((T, N_CLASSES))
    logits[np.arange(len(boosted)), boosted] += DECODE_BOOST
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- ctc_collapse

# each case: a path as given, or a random path of T steps drawn from a seed; the blank
COLLAPSE_PATHS = {
    "public": {
        "runs_and_blanks": dict(path=[10, 3, 3, 10, 10, 7, 7, 7, 1, 10, 1, 1, 10], blank=10),
        "blank_separates_a_repeat": dict(path=[5, 5, 10, 5, 2, 2, 2, 10, 10, 9, 9, 10, 0], blank=10),
        "random_path": dict(seed=1, T=30, blank=10),
    },
    "hidden": {
        "blanks_only": dict(path=[10, 10, 10, 10], blank=10),
        "one_step": dict(path=[4], blank=10),
        "starts_and_ends_on_one_label": dict(path=[6, 10, 2, 2, 10, 6], blank=10),
        "blank_is_class_0": dict(path=[0, 3, 3, 0, 3, 10, 10, 0, 0, 10, 1], blank=0),
        "long_random_path": dict(seed=2, T=200, blank=10),
    },
}


def _collapse_case(name, size):
    if "path" in size:
        path = np.array(size["path"], dtype=np.int64)
    else:  # runs of 1-4 steps, a blank in about a third of them: repeats inside and across runs both occur
        rng = np.random.default_rng(size["seed"])
        symbols = np.where(rng.random(size["T"]) < 0.35, size["blank"], rng.integers(0, N_CLASSES - 1, size["T"]))
        path = np.repeat(symbols, rng.integers(1, 5, size["T"]))[: size["T"]].astype(np.int64)
    return Case(name, {"T": len(path), "blank": size["blank"]}, (path, size["blank"]))


GRADER.add(FunctionSpec(
    "ctc_collapse", (Output("labels"),), inputs=("path", "blank"),
    hints={
        "blanks_dropped_first": "the blanks were dropped before the repeats were merged: then '1 _ 1' becomes '1' "
                                "instead of '1 1'; merge runs of equal symbols first, then drop the blanks",
        "repeats_not_merged": "repeated symbols were kept: a run of equal symbols ('3 3 3') stands for one label, "
                              "so keep a symbol only where it differs from the step before it",
        "blanks_kept": "the blanks are still in the result: after merging the repeats, drop every symbol equal "
                       "to blank",
        "blank_argument_ignored": "the blank is not always class 10: compare with the blank you were given",
        "first_compared_with_last": "the first step was compared with the last one (np.roll wraps around): the "
                                    "first step always starts a run, whatever the path ends with",
        "np_unique_used": "np.unique sorts the symbols and keeps each one once in the whole path: a label may come "
                          "back later ('3 _ 3'), and the order of the labels is what was said",
    },
    default_hint="B(path): merge each run of equal symbols into one, then remove the blanks; "
                 "'_ 3 3 _ 1 1 _ 1' -> '3 1 1'",
), table_cases(COLLAPSE_PATHS, _collapse_case))


# --------------------------------------------------------------------------- ctc_forward

FORWARD_SIZES = {
    "public": {
        "short_labels": dict(T=12, labels=[3, 1, 4], blank=10, seed=11),
        "repeated_label": dict(T=10, labels=[7, 7, 2], blank=10, seed=12),
        "barely_long_enough": dict(T=4, labels=[5, 5, 8], blank=10, seed=13),  # 3 labels + 1 blank between the 5s
        "impossible_alignment": dict(T=3, labels=[2, 2, 6], blank=10, seed=14),
    },
    "hidden": {
        "blank_is_class_0": dict(T=14, labels=[4, 4, 9, 1], blank=0, seed=101),
        "one_step_one_label": dict(T=1, labels=[6], blank=10, seed=102),
        "no_labels": dict(T=6, labels=[], blank=10, seed=103),
        "all_one_label": dict(T=9, labels=[3, 3, 3, 3], blank=10, seed=104),
        "long_utterance": dict(T=400, labels=[1, 9, 9, 0, 4, 4, 7, 2], blank=10, seed=105),
        "three_repeats_exactly": dict(T=5, labels=[8, 8, 8], blank=10, seed=106),  # 8 _ 8 _ 8: no spare step
    },
}
# How sharp the random posteriors are: logits with a standard deviation of 2 give each step a clear favourite
# but leave every class above 1e-4, as a half-trained network does.
FORWARD_LOGIT_SCALE = 2.0


# the facts of a forward table that the judge compares (see the module docstring), in the order of messages
REACHABLE, BLANK_STATES, PAIR_SUMS, ALIGNMENT_POSSIBLE, LOSS = FORWARD_FACTS = (
    "reachable", "log_alpha_blank_states", "log_alpha_pair_sums", "alignment_possible", "loss")

BLANK_HINT = behaviour.ignored_argument_hint("blank", "class 10", "in the extended label sequence and in the skip rule")
SKIP_HINT = ("the states reached at some steps are wrong: check the first step (alpha_0 has two states, the blank "
             "and l_1) and the skip rule (a skip s-2 -> s is allowed only into a label that differs from the label "
             "two states back: never into a blank, never between repeated labels)")
SUM_HINT = ("the log-alphas are too small: alpha_t(s) SUMS over the ways into s (np.logaddexp), it does not keep "
            "only the best one (np.maximum), and every term needs the emission log y_t(l'_s) added once")
LOSS_HINT = ("the table is right but the loss is not: an alignment may end on the last label or on the blank "
             "after it, so the loss is -log(alpha_T(S-1) + alpha_T(S-2)), summed with np.logaddexp")
UNDERFLOW_HINT = ("the reachable states and the verdict on whether any alignment exists are wrong: on a long "
                  "utterance this is underflow (exp() of a log-alpha below about -745 is 0 in float64: stay in log "
                  "space with np.logaddexp(a, b), never np.log(np.exp(a) + np.exp(b))); on a short one check the "
                  "first step and the skip rule")

# what ctc_forward returns; the judge compares the facts of its table (_forward_facts), the patterns below name them
FORWARD_SPEC = FunctionSpec(
    "ctc_forward", (Output("loss", kind="scalar"), Output("log_alpha")), inputs=("log_probs", "labels", "blank"),
    hints={"blank_argument_ignored": BLANK_HINT},
    pattern_hints=(((REACHABLE, BLANK_STATES, PAIR_SUMS, LOSS), SKIP_HINT), ((REACHABLE, PAIR_SUMS, LOSS), SKIP_HINT),
                   ((REACHABLE, PAIR_SUMS, LOSS, ALIGNMENT_POSSIBLE), SKIP_HINT), (FORWARD_FACTS, UNDERFLOW_HINT),
                   ((BLANK_STATES, PAIR_SUMS, LOSS), SUM_HINT), ((BLANK_STATES, PAIR_SUMS), SUM_HINT),
                   ((LOSS,), LOSS_HINT), ((LOSS, ALIGNMENT_POSSIBLE), LOSS_HINT)),
    default_hint="log alpha_t(s) = logaddexp over the allowed predecessors (s, s-1, and s-2 when l'_s is a label "
                 "unlike l'_(s-2)) of log alpha_(t-1), plus log y_t(l'_s); loss = -log(alpha_T(S-1) + alpha_T(S-2))",
    # TensorFlow's float64 CTC kernel sums its log-probabilities with its own log-sum-exp, less exact than
    # np.logaddexp: on these cases it differs from a float64 numpy recursion by up to 1.3e-7 (the 400-step case,
    # log-likelihoods down to -1300), while every known bug moves some entry by more than 1e-2. 1e-5 absolute,
    # the agreement the notebook promises, sits between the two with room for other CPUs' libm.
    atol=1e-5, rtol=0.0,
)


def _forward_case(name, size):
    labels = np.array(size["labels"], dtype=np.int64)
    return Case(name, {"T": size["T"], "L": len(labels), "blank": size["blank"]},
                (_log_posteriors(size["seed"], size["T"], FORWARD_LOGIT_SCALE), labels, size["blank"]))


def _forward_facts(reachable, blank_states, pair_sums, loss):
    """FORWARD_FACTS of a table's reachable states (T, 2L+1), blank states (T, L+1), pair sums (T, L) and loss:
    -inf and +inf (log 0, the loss of an impossible alignment) as 0.0, which the reachability facts cover; a nan
    stays nan."""
    finite = dict(nan=np.nan, posinf=0.0, neginf=0.0)
    return {REACHABLE: reachable, BLANK_STATES: np.nan_to_num(blank_states, **finite),
            PAIR_SUMS: np.nan_to_num(pair_sums, **finite), ALIGNMENT_POSSIBLE: np.bool_(not np.isposinf(loss)),
            LOSS: np.nan_to_num(np.float64(loss), **finite)}


def _forward_oracle(log_probs, labels, blank):
    """The facts a correct table has, from TensorFlow's prefix[t, k] = log P(l_1..l_k | frames 0..t-1), with no
    forward recursion: blank state 2k at step t = l_1..l_k over frames 0..t-1, then a blank at t = prefix[t, k] +
    log y_t(blank); label state 2k-1 + state 2k = every path of l_1..l_k over frames 0..t = prefix[t+1, k]; loss =
    -prefix[T, L]. A label state is reachable exactly when its pair sum is (a prefix can always end in it)."""
    T, L = len(log_probs), len(labels)
    t, k = np.indices((T + 1, L + 1)).reshape(2, -1)
    prefix = behaviour.ctc_log_likelihoods(log_probs, [labels[:n] for n in k], t, blank).reshape(T + 1, L + 1)
    blank_states = prefix[:T, :] + log_probs[:, [blank]]  # (T, L+1)
    pair_sums = prefix[1:, 1:]  # (T, L)
    reachable = np.isfinite(np.insert(blank_states, np.arange(1, L + 1), pair_sums, axis=1))  # blank, l_1, ..., blank
    return _forward_facts(reachable, blank_states, pair_sums, -prefix[T, L])


def _observe_forward(func, case):
    observation = probe.observe_spec(func, FORWARD_SPEC, case)
    log_alpha = np.asarray(observation.leaves["log_alpha"], dtype=np.float64)
    behaviour.require_shape("ctc_forward", case, "log_alpha", log_alpha, (case.dims["T"], 2 * case.dims["L"] + 1),
                            "one row per time step, one column per state of the extended label sequence: blank, "
                            "l_1, blank, l_2, ..., l_L, blank", axes="(T, 2L+1)")
    with np.errstate(invalid="ignore"):  # a nan in the table stays nan and is reported as such
        pair_sums = np.logaddexp(log_alpha[:, 1::2], log_alpha[:, 2::2])  # (T, L) label state + blank after it
    facts = _forward_facts(~np.isneginf(log_alpha), log_alpha[:, 0::2], pair_sums, observation.leaves["loss"])
    return probe.Observation(case.name, facts, observation.changed)


def _expect_forward(case):
    # the known bug of ignoring the argument, the blank taken as the last class, shows only where it is not
    bugs = {} if case.dims["blank"] == ctc.BLANK else {BLANK_HINT: _forward_oracle(*case.args[:2], ctc.BLANK)}
    return _forward_oracle(*case.args), bugs


GRADER.add(FORWARD_SPEC, table_cases(FORWARD_SIZES, _forward_case), observe=_observe_forward, expect=_expect_forward)


# --------------------------------------------------------------------------- greedy_decode

DECODE_SIZES = {
    "public": {
        "one_utterance": dict(path=[10, 10, 4, 4, 10, 2, 2, 2, 10, 2, 9, 10], padding=0, blank=10, seed=21),
        "padded_batch_row": dict(path=[1, 1, 10, 8, 8, 10, 10, 3, 10], padding=6, blank=10, seed=22),
    },
    "hidden": {
        "blank_is_class_0": dict(path=[0, 5, 5, 0, 5, 7, 0, 0, 10, 10, 0], padding=3, blank=0, seed=121),
        "one_step": dict(path=[6], padding=0, blank=10, seed=122),
        "padding_longer_than_speech": dict(path=[10, 2, 10, 2, 10], padding=20, blank=10, seed=123),
        "silence_only": dict(path=[10, 10, 10, 10, 10, 10], padding=2, blank=10, seed=124),
    },
}
# How far the decoded class stands out: its logit gets this much on top of standard normal noise, so the
# arg max is the chosen class with a probability gap of at least MIN_MARGIN in every step (tested).
DECODE_BOOST = 4.0


def _decode_case(name, size):
    path = np.array(size["path"], dtype=np.int64)
    # padding rows: noise, as a network's output on padding
    probs = np.exp(_log_posteriors(size["seed"], len(path) + size["padding"], boosted=path))
    return Case(name, {"T": len(probs), "n_steps": len(path), "blank": size["blank"]},
                (probs, len(path), size["blank"]))


def _decode_margin(case):
    probs, n_steps, _ = case.args
    return top2_margin(probs[:n_steps])


GRADER.add(FunctionSpec(
    "greedy_decode", (Output("labels"),), inputs=("probs", "n_steps", "blank"),
    hints={
        "argmax_over_time": "the arg max ran over the time axis: take the most probable class of each step "
                            "(axis=-1), one per step",
        "padding_decoded": "the padding after n_steps was decoded too: only the first n_steps rows are the "
                           "utterance, the rest is what the network made of the padding",
        "blank_not_passed": "ctc_collapse got the course's blank instead of the blank you were given: pass blank on",
        "blanks_dropped_without_merging": "the repeats were not merged: collapse the best path with ctc_collapse "
                                          "(merge repeats, then drop blanks)",
    },
    default_hint="best path = arg max of each of the first n_steps steps, then ctc_collapse(best path, blank)",
), table_cases(DECODE_SIZES, _decode_case), margin=_decode_margin)


# --------------------------------------------------------------------------- edit_distance

EDIT_PAIRS = {
    "public": {
        "one_substitution": ([4, 0, 7], [4, 9, 7]),
        "insertion_and_deletion": ([1, 2, 3, 4, 5], [2, 3, 4, 5, 6]),
        "random_digit_strings": dict(seed=31, n=7, m=6),
    },
    "hidden": {
        "empty_reference": ([], [3, 3, 1]),
        "empty_hypothesis": ([5, 2], []),
        "both_empty": ([], []),
        "identical": ([8, 6, 7, 5, 3, 0, 9], [8, 6, 7, 5, 3, 0, 9]),
        "inserted_before_the_first": ([7, 7], [1, 2, 7, 7]),
        "deleted_before_the_first": ([1, 2, 7, 7], [7, 7]),
        "long_random_strings": dict(seed=131, n=40, m=35),
    },
}


def _edit_case(name, pair):
    if isinstance(pair, dict):  # digit strings of a small alphabet: many matches, some of each edit
        rng = np.random.default_rng(pair["seed"])
        pair = (rng.integers(0, 4, pair["n"]).tolist(), rng.integers(0, 4, pair["m"]).tolist())
    reference, hypothesis = (np.array(seq, dtype=np.int64) for seq in pair)
    return Case(name, {"n": len(reference), "m": len(hypothesis)}, (reference, hypothesis))


GRADER.add(FunctionSpec(
    "edit_distance", (Output("distance", kind="scalar"),), inputs=("reference", "hypothesis"),
    hints={
        "substitution_costs_two": "a substitution costs 1, like an insertion or a deletion (else it is cheaper to "
                                  "delete and insert)",
        "match_charged": "a step that matches (reference[i-1] == hypothesis[j-1]) costs 0: charge 1 only when the "
                         "symbols differ",
        "first_row_zero": "D[0, j] is j: turning an empty reference into the first j hypothesis symbols takes j "
                          "insertions, so a hypothesis may not start with free symbols",
        "first_column_zero": "D[i, 0] is i: turning the first i reference symbols into nothing takes i deletions",
    },
    default_hint="D[i, j] = min(D[i-1, j-1] + (reference[i-1] != hypothesis[j-1]), D[i-1, j] + 1, D[i, j-1] + 1), "
                 "with D[i, 0] = i and D[0, j] = j; the distance is D[n, m]",
), table_cases(EDIT_PAIRS, _edit_case))


# --------------------------------------------------------------------------- test-cell entry points

check_ctc_collapse = GRADER.checker("ctc_collapse")
check_ctc_forward = GRADER.checker("ctc_forward")
check_greedy_decode = GRADER.checker("greedy_decode")
check_edit_distance = GRADER.checker("edit_distance")

preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
