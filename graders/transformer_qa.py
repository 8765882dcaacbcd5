"""Checks for notebook 15, transformer_qa: extractive question answering with a pretrained encoder.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time).

- prepare_features (record-based): (question, context) pairs tokenized with
  the course's MiniLM tokenizer (helpers.minilm), the context alone truncated
  into overlapping windows; the outputs are the token arrays, the context
  offsets and the start/end token of the answer in each window (0, the [CLS]
  token, where the window does not hold the whole answer). The tokenizer is
  passed as a keyword argument: the check gives every case a fresh one.
- span_logits (behaviour): the student's head runs on hidden states from a
  seeded generator with a Dense(2) layer whose weights the check injects, and
  is compared with a numpy oracle; known bugs are replayed by the oracle.
- decode_spans (record-based): synthetic windows and logits from seeded
  generators; the best span per question over all its windows, as characters
  of its context. The best score of every case leads the next valid span by
  a margin (tests/test_a15_transformer_qa.py asserts it), so the same span
  wins on every CPU.
- exact_match_and_f1 (record-based): SQuAD v1.1's answer normalization,
  exact match and token F1, the best over the gold answers; the reference is
  compared with an independent implementation of the official definition in
  the tests.

Hidden cases differ in structure: one question without overflow, many windows
with a small stride, answers at the very start and end of a context, other
max_length and stride; one window per question and a maximum answer length
of 1; predictions that normalize to nothing, articles inside words,
punctuation within words, repeated tokens, several gold answers.

Source: Devlin et al. (2019), "BERT", section 4.2 (the span head and the
decoding); Rajpurkar et al. (2016), "SQuAD", section 5 (the metrics).
"""

import functools

import numpy as np

from graders import behaviour
from graders.assignment import Assignment
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output, spread_table_cases, table_cases
from helpers import minilm
from helpers.qa import MODEL_INPUTS

GRADER = Assignment.of_module(__name__)

CLS_POSITION = 0  # the start/end label of a window that does not hold the whole answer
NOT_IN_CONTEXT = -1  # the offsets of a token that is not part of the context (question, [CLS], [SEP], padding)
# the features dict the notebook's given code (helpers.qa) reads: the model inputs, then the context offsets, labels
FEATURE_FIELDS = MODEL_INPUTS + ("offsets", "example_index", "start_positions", "end_positions")

# the MiniLM fast tokenizer the cases of prepare_features pass, loaded once per process; the probe deep-copies a
# case's arguments, so every call gets a fresh copy
case_tokenizer = functools.lru_cache(maxsize=1)(minilm.load_tokenizer)


# --------------------------------------------------------------------------- prepare_features

# contexts written for the checks; every answer is given by its text and the occurrence it is
_LIGHTHOUSE = ("The lighthouse on Gull Point was built in 1871 from granite quarried on the island itself. Its lamp "
               "burned whale oil until 1902, when a kerosene burner replaced it, and the keeper's family lived in "
               "the stone cottage beside the tower for three generations.")
_CHOIR = "Marta trained the choir every Thursday evening."
_BRIDGE = ("Rivers that freeze in winter carry ice floes downstream in spring. In 1936 the thaw on the Tarn came "
           "early, and the floes jammed beneath the old bridge at Saint-Vey, lifting its middle arch off the piers. "
           "Engineers rebuilt the arch in reinforced concrete the following year, which is why the bridge today "
           "shows two kinds of stone and one of grey cement.")
_COPPER = "Copper conducts heat better than iron, so cooks prize copper pans."

FEATURE_CASES = {  # case: (max_length, stride, [(question, context, answer: its first occurrence in the context)])
    "public": {"two_questions": (40, 10, [("What fuel did the lamp burn first?", _LIGHTHOUSE, "whale oil"),
                                          ("When did Marta train the choir?", _CHOIR, "every Thursday evening")]),
               "answer_cut_by_a_window": (32, 12, [("Who lived in the stone cottage?", _LIGHTHOUSE,
                                                    "the keeper's family")])},
    "hidden": {"one_question_no_overflow": (64, 16, [("Which metal conducts heat better than iron?", _COPPER,
                                                      "Copper")]),
               "many_windows_small_stride": (24, 4, [("What does the bridge show today?", _BRIDGE,
                                                      "two kinds of stone and one of grey cement")]),
               "long_question_answer_at_start": (30, 6, [
                   ("In the passage about the kitchen, which metal is said to conduct heat better than iron does?",
                    _COPPER, "Copper"),
                   ("Where did the floes jam in 1936?", _BRIDGE, "beneath the old bridge at Saint-Vey")]),
               "wide_stride": (36, 20, [("What material was used to rebuild the arch?", _BRIDGE, "reinforced concrete"),
                                        ("What replaced the whale oil?", _LIGHTHOUSE, "a kerosene burner")])},
}


def _feature_case(name, max_length, stride, qa):
    questions, contexts, texts = map(list, zip(*qa))
    windows = {"max_length": max_length, "stride": stride}
    return Case(name, {"questions": len(questions)} | windows,
                (questions, contexts, [c.index(a) for _, c, a in qa], texts), {"tokenizer": case_tokenizer()} | windows)


GRADER.add(FunctionSpec(
    name="prepare_features",
    outputs=(Output("features", kind="dict", fields=FEATURE_FIELDS),),
    inputs=("questions", "contexts", "answer_starts", "answer_texts"),
    hints={
        "stride_ignored": "the windows do not overlap as they should: pass stride=stride to the tokenizer, so "
                          "each window repeats the last `stride` tokens of the one before",
        "end_one_token_late": "end_positions point one token past the answer: the end token is the first context "
                              "token whose end offset reaches the answer's end, offsets[..., 1] >= answer_end",
        "start_one_token_early": "start_positions point one token before the answer: the start token is the last "
                                 "context token whose start offset is at most answer_start",
        "question_tokens_searched": "the labels point into the question: look for the answer among the context "
                                    "tokens only (sequence_ids(f) == 1), the question's offsets count characters "
                                    "of the question",
        "offsets_not_masked": f"offsets of tokens outside the context must be {NOT_IN_CONTEXT} (NOT_IN_CONTEXT): the "
                              "tokenizer gives (0, 0) for [CLS], [SEP] and padding and question offsets that "
                              "decode_spans would read as context characters",
    },
    default_hint="tokenize with truncation='only_second', max_length, stride, return_overflowing_tokens=True, "
                 "return_offsets_mapping=True, padding='max_length'; then per window: offsets outside the context "
                 "-1, and the start/end tokens of the answer when the window holds all of it, else 0 and 0",
), spread_table_cases(FEATURE_CASES, _feature_case))


# --------------------------------------------------------------------------- span_logits

SPAN_SIZES = {
    "public": {"small": dict(batch=3, seq_len=7, hidden=5, seed=1),
               "wider": dict(batch=2, seq_len=12, hidden=16, seed=2)},
    "hidden": {"one_sequence": dict(batch=1, seq_len=9, hidden=8, seed=101),
               "long_narrow": dict(batch=4, seq_len=30, hidden=3, seed=102)},
}
_SPAN_SCALES = (0.8, 0.5)  # Dense kernel, bias: logits spread over a few units, so a softmax visibly changes them

HINT_SWAPPED = ("start and end are swapped: unit 0 of span_dense gives the start logits and unit 1 the end logits "
                "(logits[..., 0], logits[..., 1])")
HINT_SOFTMAX = ("return logits, not probabilities: no softmax in the head (the loss applies it, and decoding adds "
                "start and end logits)")
HINT_LAST_AXIS = ("each logit tensor is (batch, seq_len): take logits[..., 0] (or squeeze axis -1 only), do not "
                  "keep the axis of size 1")
HINT_SQUEEZE_ALL = ("a batch of one sequence lost its batch axis: squeeze only the last axis (axis=-1), never all "
                    "axes of size 1")


def _span_inputs(size):
    rng = np.random.default_rng(size["seed"])
    hidden_states = rng.standard_normal((size["batch"], size["seq_len"], size["hidden"])).astype(np.float32)
    return hidden_states, rng


def _span_dense(size, rng):
    import keras

    return behaviour.inject_weights(keras.layers.Dense(2), (None, size["seq_len"], size["hidden"]), rng,
                                    _SPAN_SCALES)


def _span_case(name, size):
    return Case(name, {k: v for k, v in size.items() if k != "seed"}, data={"size": size})


def _observe_span(func, case):
    hidden_states, rng = _span_inputs(case.data["size"])
    return behaviour.observe_tensors(func, SPAN_SPEC, case, [hidden_states, _span_dense(case.data["size"], rng)])


def _expect_span(case):
    size = case.data["size"]
    hidden_states, rng = _span_inputs(size)
    kernel, bias = (np.asarray(w, dtype=float) for w in _span_dense(size, rng).get_weights())
    logits = hidden_states.astype(float) @ kernel + bias  # (batch, seq_len, 2)

    def oracle(swapped=False, softmax=False, keep_axis=False, squeeze_all=False):
        start, end = logits[..., 1 if swapped else 0], logits[..., 0 if swapped else 1]
        if softmax:
            start, end = (np.exp(z - z.max(axis=1, keepdims=True)) for z in (start, end))
            start, end = start / start.sum(axis=1, keepdims=True), end / end.sum(axis=1, keepdims=True)
        if keep_axis:
            start, end = start[..., np.newaxis], end[..., np.newaxis]
        if squeeze_all:
            start, end = np.squeeze(start), np.squeeze(end)
        return {"start_logits": start.astype(np.float32), "end_logits": end.astype(np.float32)}

    bugs = [(HINT_SWAPPED, {"swapped": True}), (HINT_SOFTMAX, {"softmax": True}),
            (HINT_LAST_AXIS, {"keep_axis": True}), (HINT_SQUEEZE_ALL, {"squeeze_all": True})]
    return behaviour.replay(oracle, bugs)


SPAN_SPEC = FunctionSpec(
    name="span_logits",
    outputs=(Output("start_logits"), Output("end_logits")),
    inputs=("sequence_output", "span_dense"),
    default_hint="logits = span_dense(sequence_output) is (batch, seq_len, 2); start_logits = logits[..., 0], "
                 "end_logits = logits[..., 1]; use the span_dense layer you are given, create no layer",
    atol=FLOAT32_ATOL, rtol=0)  # one float32 Dense against a float64 oracle: ~1e-6; every known bug is off by > 0.05
GRADER.add(SPAN_SPEC, table_cases(SPAN_SIZES, _span_case), observe=_observe_span, expect=_expect_span)


# --------------------------------------------------------------------------- decode_spans

# case: (the context length of each question, the question's length (both in tokens), seq_len: the tokens per
# window, stride, max_answer_length, seed)
DECODE_SIZES = {
    "public": {"two_questions_several_windows": ([23, 9], 4, 16, 3, 4, 25),
               "three_questions": ([14, 30, 6], 3, 14, 4, 5, 42)},
    "hidden": {"one_window_each": ([5, 7, 4, 8], 2, 14, 2, 3, 101),
               "one_token_answers": ([20, 11], 5, 15, 2, 1, 102),
               "long_answers_many_windows": ([41], 3, 12, 5, 7, 103)},
}
SPECIAL_TOKENS = 3  # [CLS] question [SEP] context [SEP]


def synthetic_windows(context_tokens, question_tokens, seq_len, stride, rng):
    """Offsets (n_features, seq_len, 2) and example_index (n_features,) laid out as the tokenizer lays out windows.

    Each window is [CLS] question [SEP] context piece [SEP] [PAD]...; consecutive pieces of one context share
    `stride` tokens. Context token t of a question covers characters [start_t, end_t) of a context made of
    words of 1 to 8 characters separated by one space. Tokens outside the context have offsets (-1, -1).
    """
    per_window = seq_len - question_tokens - SPECIAL_TOKENS
    if per_window <= stride:
        raise ValueError("the windows must hold more context tokens than the stride")
    offsets, example_index = [], []
    for i, n_tokens in enumerate(context_tokens):
        lengths = rng.integers(1, 9, size=n_tokens)
        starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
        token_offsets = np.stack([starts, starts + lengths], axis=1)  # (n_tokens, 2)
        # a window starts every per_window - stride tokens, until one reaches the context's end
        for first in range(0, max(n_tokens - stride, 1), per_window - stride):
            piece = token_offsets[first:first + per_window]
            window = np.full((seq_len, 2), NOT_IN_CONTEXT, dtype=np.int64)
            window[question_tokens + 2:question_tokens + 2 + len(piece)] = piece
            offsets.append(window)
            example_index.append(i)
    return np.array(offsets), np.array(example_index, dtype=np.int64)


def _decode_case(name, context_tokens, question_tokens, seq_len, stride, max_answer_length, seed):
    rng = np.random.default_rng(seed)
    offsets, example_index = synthetic_windows(context_tokens, question_tokens, seq_len, stride, rng)
    start_logits, end_logits = rng.standard_normal((2, len(example_index), seq_len)) * 2.0
    n_examples = len(context_tokens)
    return Case(name, {"n_features": len(example_index), "seq_len": seq_len, "n_examples": n_examples,
                       "max_answer_length": max_answer_length},
                (start_logits, end_logits, offsets, example_index, n_examples, max_answer_length))


GRADER.add(FunctionSpec(
    name="decode_spans",
    outputs=(Output("char_spans"), Output("scores")),
    inputs=("start_logits", "end_logits", "offsets", "example_index", "n_examples", "max_answer_length"),
    hints={
        "end_before_start_allowed": "a span ends before it starts: allow only end >= start",
        "max_answer_length_ignored": "the spans are longer than max_answer_length tokens: allow only "
                                     "end - start + 1 <= max_answer_length",
        "one_token_too_long": "a span of max_answer_length + 1 tokens was allowed: the length of tokens "
                              "start .. end is end - start + 1",
        "question_tokens_allowed": "the span starts or ends outside the context ([CLS], the question or "
                                   f"padding): allow only tokens whose offsets are not {NOT_IN_CONTEXT}",
        "first_window_only": "a later window of the same question holds a better span: keep the best score over "
                             "all windows of a question (example_index)",
        "char_end_at_token_start": "the character span ends where its last token starts: the end is that "
                                   "token's end offset, offsets[f, end, 1]",
    },
    default_hint="per window f: score[s, e] = start_logits[f, s] + end_logits[f, e] for context tokens s <= e "
                 "with e - s + 1 <= max_answer_length; per question keep the best over its windows and return "
                 "(offsets[f, s, 0], offsets[f, e, 1]) and that score",
), spread_table_cases(DECODE_SIZES, _decode_case))


# --------------------------------------------------------------------------- exact_match_and_f1

METRIC_CASES = {  # case: [(prediction, its gold answers separated by |), ...]
    "public": {
        "plain_answers": [("Denver Broncos", "Denver Broncos|The Denver Broncos"), ("the Broncos", "Denver Broncos"),
                          ("in 1871", "1871"), ("Saint-Vey", "the old bridge at Saint-Vey"), ("whale oil", "kerosene"),
                          ("the road goes on and on", "on and on")],
        "several_gold_answers": [("Marta", "Anna|Marta Ruiz|marta"),
                                 ("every Thursday", "every Thursday evening|Thursday evenings|on Thursdays"),
                                 ("The keeper's family.", "keeper's family|the keeper and his family")],
    },
    "hidden": {"empty_after_normalizing": [("the", "a dog"), ("...", "The end."), ("", "anything")],
               "articles_and_punctuation_inside_words": [("a.m.", "am"), ("An apple, a day", "apple day"),
                                                         ("there", "here"), ("U.S. Navy", "US navy|the U.S. Navy"),
                                                         ("well-known theatre", "well known theatre")],
               "repeated_tokens": [("New York New York", "New York New York City"),
                                   ("York", "New York New York|York City")]},
}


def _metric_case(name, pairs):
    return Case(name, {"questions": len(pairs)}, ([p for p, _ in pairs], [g.split("|") for _, g in pairs]))


GRADER.add(FunctionSpec(
    name="exact_match_and_f1",
    outputs=(Output("exact_match"), Output("f1")),
    inputs=("predictions", "gold_answers"),
    hints={
        "articles_kept": "the articles count as words: normalization removes the words a, an and the",
        "punctuation_kept": "punctuation counts: normalization deletes every character of string.punctuation "
                            "(before the articles are removed)",
        "case_kept": "upper and lower case differ: normalization lower-cases first",
        "first_gold_only": "only the first gold answer counts: take the best exact match and the best F1 over "
                           "all gold answers of a question",
        "token_set_overlap": "a word repeated in both answers counts once: count common tokens with "
                             "collections.Counter (a multiset), not with a set",
        "articles_before_punctuation": "the articles were removed before the punctuation: delete punctuation "
                                       "first, so 'a.m.' becomes 'am', not 'm'",
        "punctuation_to_space": "punctuation becomes a space and splits words: SQuAD deletes it, so 'well-known' "
                                "becomes 'wellknown'",
    },
    default_hint="normalize both answers (lower case, delete string.punctuation, remove a/an/the, split on "
                 "whitespace); exact match: equal token lists; F1 from the common tokens (a multiset); best over "
                 "the gold answers",
), table_cases(METRIC_CASES, _metric_case))


# --------------------------------------------------------------------------- test-cell entry points


check_prepare_features = GRADER.checker("prepare_features")
check_span_logits = GRADER.checker("span_logits")
check_decode_spans = GRADER.checker("decode_spans")
check_exact_match_and_f1 = GRADER.checker("exact_match_and_f1")


preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
