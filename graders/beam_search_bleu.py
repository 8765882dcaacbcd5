"""Checks for notebook 08, beam_search_bleu: greedy decoding, beam search, length normalization, error analysis, BLEU.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time). Every function is
record-based: the decoding functions run on a `helpers.beam.ToyDecoder`, a
seeded float64 decoder with the course's step interface (so no Keras model is
needed and every case is exact), the BLEU functions on seeded word lists; the
expected outputs are the reference solution's, recorded by `make references`
(graders/references/08_beam_search_bleu.npz). Known bugs are named by their
recorded outputs.

Hidden cases differ in structure: a beam of width 1 (beam search is then
greedy search), a wide beam over a large vocabulary, a search cut off by
max_len before anything ended, another end token; candidates shorter than n,
several references, ties between reference lengths, an empty candidate,
another maximum n-gram order.

Sources: Papineni, Roukos, Ward & Zhu (2002), "BLEU: a Method for Automatic
Evaluation of Machine Translation", ACL, sections 2.1-2.3; Wu et al. (2016),
"Google's Neural Machine Translation System" (arXiv:1609.08144), section 7
(length normalization); Koehn (2017), "Neural Machine Translation"
(arXiv:1709.07809), section 13.3 (beam search).
"""

import numpy as np

from graders.assignment import Assignment
from graders.spec import Case, FunctionSpec, Output
from helpers.beam import ToyDecoder

GRADER = Assignment.of_module(__name__)

# --------------------------------------------------------------------------- decoding cases

# a toy decoder per case: vocabulary V, state size n, seed, end token, end bias, logit spread; then the search
DECODING = {
    "public": {
        "small_vocabulary": dict(V=6, n=4, seed=1, eos=1, eos_bias=0.0, beam_width=3, max_len=8),
        "likely_end": dict(V=9, n=5, seed=2, eos=0, eos_bias=1.5, beam_width=2, max_len=10),
    },
    "hidden": {
        "beam_of_one": dict(V=7, n=3, seed=11, eos=2, eos_bias=0.5, beam_width=1, max_len=9),
        "wide_beam_large_vocabulary": dict(V=40, n=8, seed=12, eos=3, eos_bias=1.0, beam_width=6, max_len=12),
        "cut_off_by_max_len": dict(V=8, n=4, seed=13, eos=5, eos_bias=-6.0, beam_width=3, max_len=4),
        "one_step": dict(V=5, n=2, seed=14, eos=4, eos_bias=0.0, beam_width=2, max_len=1),
    },
}
BOS_OFFSET = 1  # the start token of a case is the token after its end token (any id but EOS works)


def _decoder(size):
    return ToyDecoder(size["V"], size["n"], size["seed"], size["eos"], size["eos_bias"])


def _bos(size):
    return (size["eos"] + BOS_OFFSET) % size["V"]


def _dims(size, *keys):
    return {key: size[key] for key in ("V", "eos", *keys)}


def _greedy_cases(suite, record=None):
    return [Case(name, _dims(size, "max_len"),
                 (_decoder(size), _decoder(size).initial_state(), _bos(size), size["eos"], size["max_len"]))
            for name, size in DECODING[suite].items()]


GRADER.add(FunctionSpec(
    name="greedy_decode",
    outputs=(Output("tokens"), Output("log_prob", "scalar")),
    inputs=("step", "initial_state", "bos_id", "eos_id", "max_len"),
    hints={
        "eos_left_out": "the end token is missing: append EOS to the tokens (and add its log-probability) "
                        "before you stop",
        "bos_fed_every_step": "every step reads the start token: feed each step the token you just chose",
        "state_not_carried": "every step starts from initial_state: carry the new state of each step into the next",
        "probabilities_added": "log_prob adds probabilities: add the log-probabilities log P(y_t | y_<t, x) "
                               "of the chosen tokens",
        "one_token_too_many": "max_len counts every token, EOS included: stop after max_len tokens at most",
    },
    default_hint="at each step take the argmax of log_probs[0], append it, add its log-probability, feed it to "
                 "the next step with the new state; stop after EOS or after max_len tokens",
), _greedy_cases)


def _beam_cases(suite, record=None):
    return [Case(name, _dims(size, "beam_width", "max_len"),
                 (_decoder(size), _decoder(size).initial_state(), _bos(size), size["eos"], size["beam_width"],
                  size["max_len"]))
            for name, size in DECODING[suite].items()]


GRADER.add(FunctionSpec(
    name="beam_search",
    outputs=(Output("tokens"), Output("log_probs")),
    inputs=("step", "initial_state", "bos_id", "eos_id", "beam_width", "max_len"),
    hints={
        "scores_not_accumulated": "hypotheses are ranked by the last token's log-probability alone: rank by "
                                  "the total, the hypothesis's log-probability plus the new token's",
        "ended_kept_alive": "hypotheses that chose EOS went on growing: set each one aside as soon as it ends, "
                            "with EOS as its last token",
        "ended_take_beam_slots": "fewer than beam_width hypotheses stay alive: ended ones go aside without taking "
                                 "a place; keep taking candidates until beam_width unfinished ones are alive",
        "unfinished_dropped": "when max_len cuts the search off, the hypotheses still alive are part of the "
                              "result: return them too, unfinished",
        "beam_width_ignored": "the beam keeps a fixed number of hypotheses alive: keep beam_width of them",
        "stops_at_first_end": "the search stops when the first hypothesis ends: go on until beam_width "
                              "hypotheses have ended (or max_len is reached)",
    },
    default_hint="expand every alive hypothesis by every token, rank all candidates by total log-probability, "
                 "set the ended ones aside and keep the best beam_width unfinished ones with their states",
), _beam_cases)


# --------------------------------------------------------------------------- length normalization

NORMALIZATION = {
    "public": {"four_hypotheses": dict(K=4, alpha=0.7, seed=21), "alpha_one": dict(K=3, alpha=1.0, seed=22)},
    "hidden": {"alpha_zero": dict(K=5, alpha=0.0, seed=31), "one_hypothesis": dict(K=1, alpha=0.6, seed=32),
               "many_lengths": dict(K=12, alpha=0.75, seed=33)},
}


def _normalization_cases(suite, record=None):
    cases = []
    for name, size in NORMALIZATION[suite].items():
        rng = np.random.default_rng(size["seed"])
        lengths = rng.integers(1, 15, size=size["K"]).astype(np.int64)
        log_probs = -lengths * rng.uniform(0.2, 2.0, size=size["K"])
        cases.append(Case(name, {"K": size["K"], "alpha": size["alpha"]}, (log_probs, lengths, size["alpha"])))
    return cases


GRADER.add(FunctionSpec(
    name="length_normalized_score",
    outputs=(Output("scores"),),
    inputs=("log_probs", "lengths", "alpha"),
    hints={
        "alpha_ignored": "the scores divide by the length itself: divide by length ** alpha (alpha = 0 means no "
                         "normalization, alpha = 1 the mean log-probability per token)",
        "multiplied_by_length": "the scores multiply by the length: divide, so long hypotheses stop losing "
                                "just for having more tokens",
        "bos_counted": "the lengths count one token too many: the length is the number of tokens produced, "
                       "EOS included and the start token not",
        "probabilities_normalized": "the scores normalize probabilities: normalize the log-probabilities",
    },
    default_hint="scores = log_probs / lengths ** alpha, entry by entry",
), _normalization_cases)


# --------------------------------------------------------------------------- scoring a given translation


def _scoring_cases(suite, record=None):
    cases = []
    for name, size in DECODING[suite].items():
        rng = np.random.default_rng(size["seed"] + 100)
        others = [t for t in range(size["V"]) if t != size["eos"]]
        length = int(rng.integers(1, size["max_len"] + 1))
        tokens = list(rng.choice(others, size=length - 1)) + [size["eos"]]
        cases.append(Case(name, {"V": size["V"], "length": length},
                          (_decoder(size), _decoder(size).initial_state(), np.array(tokens, dtype=np.int64),
                           _bos(size))))
    return cases


GRADER.add(FunctionSpec(
    name="sequence_log_prob",
    outputs=(Output("log_prob", "scalar"),),
    inputs=("step", "initial_state", "tokens", "bos_id"),
    hints={
        "own_choices_fed": "each step reads the model's own best token: feed the given tokens (teacher forcing), "
                           "since you are scoring that translation, not producing one",
        "start_token_skipped": "the scoring starts from the first given token: start from bos_id, whose step "
                               "gives the probability of the first token",
        "last_token_dropped": "the last token (EOS) is not scored: its log-probability is part of the sequence's",
        "mean_not_sum": "the result is the mean log-probability per token: return the sum (normalization is "
                        "length_normalized_score's work)",
        "state_not_carried": "every step starts from initial_state: carry the new state of each step into the next",
    },
    default_hint="log P(y | x) = sum over t of log_probs[0, y_t] from the step fed y_(t-1) (bos_id for t = 1)",
), _scoring_cases)


# --------------------------------------------------------------------------- error analysis

# a toy decoder and two seeded token sequences ending with EOS, "reference" and "beam output"; the tests check
# that the public cases hold both verdicts and that no case is within VERDICT_MARGIN of a tie
ANALYSIS = {
    "public": {"first_pair": dict(V=7, n=4, seed=71, eos=1, alpha=0.7, lengths=(4, 6)),
               "second_pair": dict(V=7, n=4, seed=74, eos=1, alpha=0.7, lengths=(5, 3))},
    "hidden": {"no_normalization": dict(V=9, n=3, seed=81, eos=4, alpha=0.0, lengths=(3, 7)),
               "reference_of_one_token": dict(V=6, n=5, seed=82, eos=0, alpha=1.0, lengths=(1, 4)),
               "equal_lengths": dict(V=12, n=6, seed=83, eos=7, alpha=0.6, lengths=(6, 6))},
}
VERDICT_MARGIN = 1e-6  # smallest |score difference| of a case: far above float64 round-off (1e-14)


def _analysis_cases(suite, record=None):
    cases = []
    for name, size in ANALYSIS[suite].items():
        rng = np.random.default_rng(size["seed"])
        others = [t for t in range(size["V"]) if t != size["eos"]]
        reference, beam_output = (np.array([*rng.choice(others, size=length - 1), size["eos"]], dtype=np.int64)
                                  for length in size["lengths"])
        decoder = _decoder(dict(size, eos_bias=0.5))
        cases.append(Case(name, {"V": size["V"], "reference_length": size["lengths"][0],
                                 "beam_length": size["lengths"][1], "alpha": size["alpha"]},
                          (decoder, decoder.initial_state(), reference, beam_output, _bos(size), size["alpha"])))
    return cases


GRADER.add(FunctionSpec(
    name="error_analysis",
    outputs=(Output("scores"), Output("search_error", "scalar")),
    inputs=("step", "initial_state", "reference_tokens", "beam_tokens", "bos_id", "alpha"),
    hints={
        "raw_log_probs_compared": "the scores are plain log-probabilities: normalize them with "
                                  "length_normalized_score, as the search's final choice was",
        "verdict_inverted": "the verdict is inverted: it is a search error (1) when the model scores the reference "
                            "higher than the beam's output",
        "reference_not_scored": "both scores are the beam output's: score the reference tokens too",
        "alpha_ignored": "the scores use another exponent than alpha: pass alpha on to length_normalized_score",
    },
    default_hint="scores = length_normalized_score of the two sequence_log_prob values (reference first); "
                 "search_error = 1 if scores[0] > scores[1] else 0",
), _analysis_cases)


# --------------------------------------------------------------------------- BLEU

WORDS = ("the", "cat", "sat", "on", "a", "mat", "dog", "is", "here", "there")


def _sentence(rng, length):
    return [str(w) for w in rng.choice(WORDS, size=length)]


def _near_copy(rng, words, edits):
    """`words` with `edits` random words replaced, and maybe one word added or dropped."""
    out = list(words)
    for _ in range(edits):
        if out:
            out[int(rng.integers(len(out)))] = str(rng.choice(WORDS))
    change = rng.integers(3)
    if change == 1:
        out.insert(int(rng.integers(len(out) + 1)), str(rng.choice(WORDS)))
    elif change == 2 and len(out) > 1:
        out.pop(int(rng.integers(len(out))))
    return out


def _words(text):
    """A sentence written as one string, as its list of words; a list of them (or of lists of them) item by item."""
    return text.split() if isinstance(text, str) else [_words(item) for item in text]


def _bleu_text(size):
    """(candidates, references) of a BLEU case, one list of words per sentence.

    size["text"] : the sentences written out (strings, split at spaces); otherwise a corpus drawn from size["seed"]:
    `sentences` random references of 4 to 10 words, each with a candidate up to two random edits away and
    `references` - 1 more references two edits away; with `tie`, references cut from the reference followed by
    four random words instead: one word longer and one shorter than the candidate (a tie in length, which the
    shorter wins) and a longer one.
    """
    if "text" in size:
        return _words(size["text"])
    rng = np.random.default_rng(size["seed"])
    candidates, references = [], []
    for _ in range(size["sentences"]):
        reference = _sentence(rng, int(rng.integers(4, 11)))
        candidates.append(_near_copy(rng, reference, int(rng.integers(0, 3))))
        refs = [reference] + [_near_copy(rng, reference, 2) for _ in range(size["references"] - 1)]
        if size.get("tie"):
            c = len(candidates[-1])
            padded = reference + _sentence(rng, 4)
            refs = [padded[:c + 1], padded[:max(c - 1, 1)], padded[:c + 3]]
        references.append(refs)
    return candidates, references


# each case: a corpus of one sentence (_bleu_text) and the n-gram order n
PRECISION = {
    "public": {
        "unigrams_repeated_word": dict(text=(["the the the the cat"], [["the cat sat on the mat"]]), n=1),
        "bigrams_two_references": dict(text=(["the cat is on the mat"],
                                             [["the cat sat on the mat", "there is a cat on the mat"]]), n=2),
    },
    "hidden": {
        "candidate_shorter_than_n": dict(text=(["the cat"], [["the cat sat"]]), n=3),
        "clipped_by_the_larger_reference": dict(text=(["a a a a a a dog dog dog"],
                                                      [["a dog", "a a dog a", "dog dog"]]), n=1),
        "no_match": dict(text=(["here here there"], [["the cat sat on the mat"]]), n=2),
        "fourgrams_seeded": dict(seed=194, sentences=1, references=2, n=4),  # 4 of 8 four-grams match, 1 in ref 2 only
    },
}


def _precision_cases(suite, record=None):
    cases = []
    for name, size in PRECISION[suite].items():
        (candidate,), (references,) = _bleu_text(size)
        cases.append(Case(name, {"candidate_words": len(candidate), "references": len(references), "n": size["n"]},
                          (candidate, references, size["n"])))
    return cases


GRADER.add(FunctionSpec(
    name="modified_precision",
    outputs=(Output("matches", "scalar"), Output("total", "scalar")),
    inputs=("candidate", "references", "n"),
    hints={
        "counts_not_clipped": "a candidate n-gram is credited as often as the candidate repeats it: clip its count "
                              "at the most times any single reference holds it",
        "clipped_by_the_sum": "the counts are clipped by the references' counts added up: clip by the largest "
                              "count in any one reference",
        "first_reference_only": "only the first reference is read: an n-gram may match in any of the references",
        "total_of_the_reference": "the total counts the reference's n-grams: the precision's denominator is the "
                                  "number of n-grams in the candidate",
        "n_ignored": "the counts are of single words whatever n is: count the n-grams, tuples of n neighbours",
    },
    default_hint="matches = sum over the candidate's distinct n-grams g of min(count in candidate, "
                 "max over references of count in that reference); total = number of n-grams in the candidate",
), _precision_cases)


BREVITY = {
    "public": {"shorter": (7, 9), "longer": (12, 10)},
    "hidden": {"equal": (5, 5), "empty_candidate": (0, 6), "much_shorter": (1, 20), "long_corpus": (1040, 1100)},
}


def _brevity_cases(suite, record=None):
    return [Case(name, {"c": c, "r": r}, (c, r)) for name, (c, r) in BREVITY[suite].items()]


GRADER.add(FunctionSpec(
    name="brevity_penalty",
    outputs=(Output("bp", "scalar"),),
    inputs=("candidate_length", "reference_length"),
    hints={
        "ratio_inverted": "the ratio is upside down: BP = exp(1 - r / c) for c < r, below 1 and smaller the "
                          "shorter the candidate",
        "long_candidates_rewarded": "a candidate longer than the reference got a BP above 1: BP = 1 when c > r "
                                    "(precision already punishes extra words)",
        "not_exponentiated": "BP = exp(1 - r / c): the exponential is missing",
    },
    default_hint="BP = 1 if c > r, else exp(1 - r / c); an empty candidate (c = 0) has BP = 0",
), _brevity_cases)


# each case: a corpus (_bleu_text) and the largest n-gram order max_n
CORPUS = {
    "public": {"five_sentences": dict(seed=51, sentences=5, references=1, max_n=4),
               "two_references_each": dict(seed=52, sentences=4, references=2, max_n=4)},
    "hidden": {"bigram_bleu": dict(seed=61, sentences=6, references=1, max_n=2),
               "three_references_tied_lengths": dict(seed=62, sentences=3, references=3, max_n=2, tie=True),
               "no_fourgram_match": dict(text=(["the cat sat on a mat", "a dog is here"],
                                               [["the cat sat there on a mat"], ["a dog is there"]]), max_n=4),
               "with_an_empty_candidate": dict(text=(["", "the cat sat on the mat", "a dog is here"],
                                                     [["the dog"], ["the cat sat on the mat"], ["a dog is here now"]]),
                                               max_n=4),
               "long_corpus": dict(seed=63, sentences=40, references=1, max_n=4)},
}


def _corpus_cases(suite, record=None):
    cases = []
    for name, size in CORPUS[suite].items():
        candidates, references = _bleu_text(size)
        cases.append(Case(name, {"sentences": len(candidates), "references": len(references[0]),
                                 "max_n": size["max_n"]}, (candidates, references, size["max_n"])))
    return cases


GRADER.add(FunctionSpec(
    name="corpus_bleu",
    outputs=(Output("bleu", "scalar"),),
    inputs=("candidates", "references", "max_n"),
    hints={
        "sentence_average": "BLEU is not an average of sentence scores: add up matches and totals over the whole "
                            "corpus first, then take the precisions",
        "longest_reference": "the reference length takes each sentence's longest reference: take the one closest "
                             "to the candidate's length (the shorter one on a tie)",
        "arithmetic_mean": "the precisions are averaged arithmetically: BLEU takes their geometric mean, "
                           "exp(mean of log p_n)",
        "brevity_ignored": "short candidates are not penalized: multiply by brevity_penalty(c, r)",
        "max_n_ignored": "the n-gram orders run to 4 whatever max_n is: use n = 1 .. max_n",
        "not_a_percentage": "the score is a fraction: BLEU is reported in 0 .. 100, as sacrebleu does",
    },
    default_hint="BLEU = 100 * BP(c, r) * exp(mean over n = 1..max_n of log p_n), p_n = corpus matches / corpus "
                 "total of n-grams (0 if any p_n is 0)",
), _corpus_cases)


# --------------------------------------------------------------------------- test-cell entry points


check_greedy_decode = GRADER.checker("greedy_decode")
check_beam_search = GRADER.checker("beam_search")
check_length_normalized_score = GRADER.checker("length_normalized_score")
check_sequence_log_prob = GRADER.checker("sequence_log_prob")
check_error_analysis = GRADER.checker("error_analysis")
check_modified_precision = GRADER.checker("modified_precision")
check_brevity_penalty = GRADER.checker("brevity_penalty")
check_corpus_bleu = GRADER.checker("corpus_bleu")


preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
