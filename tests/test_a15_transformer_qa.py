"""15 transformer_qa: the reference against independent computations, other correct solutions, the QA helpers."""

import collections
import itertools

import numpy as np
import pytest

from graders.assignment import MIN_MARGIN, SUITES
from helpers import qa, qa_data

from conftest import judged, reference_namespace

ASSIGNMENT = "15_transformer_qa"


def _grader():
    import graders.transformer_qa as g

    return g


def _cases(func_name, suites=SUITES):
    return [case for suite in suites for case in _grader().GRADER.cases(func_name, suite)]


# --------------------------------------------------------------------------- SQuAD's metrics, written out again

_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")  # string.punctuation, spelled out
_ARTICLES = {"a", "an", "the"}


def _official_tokens(text):
    """SQuAD v1.1's normalize_answer, then split: lower, delete punctuation, drop articles, collapse whitespace.

    Written without `re`: after punctuation is deleted, the regex \\b(a|an|the)\\b matches exactly the
    whitespace-separated words that are articles, since no word character can touch them any more... except
    inside a word joined by non-ASCII letters, which no case here holds (asserted below).
    """
    kept = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return [word for word in kept.split() if word not in _ARTICLES]


def _official_scores(prediction, golds):
    em, f1 = 0.0, 0.0
    predicted = _official_tokens(prediction)
    for gold in golds:
        expected = _official_tokens(gold)
        em = max(em, float(predicted == expected))
        overlap = collections.Counter(predicted) & collections.Counter(expected)
        shared = sum(overlap.values())
        if shared:
            precision, recall = shared / len(predicted), shared / len(expected)
            f1 = max(f1, 2 * precision * recall / (precision + recall))
    return em, f1


EDGE_CASES = [  # (prediction, gold answers): what the official definition decides on purpose
    ("The Eiffel Tower", ["eiffel tower"]),  # article and case
    ("an apple a day", ["apple day"]),  # articles inside the answer
    ("a.m.", ["am"]),  # punctuation deleted before the articles: 'a.m.' -> 'am'
    ("theatre", ["the atre"]),  # 'the' inside a word stays
    ("", ["something"]),  # empty prediction
    ("...", ["..."]),  # both normalize to nothing: equal token lists
    ("New York New York", ["New York"]),  # repeated tokens: a multiset
    ("Paris", ["London", "paris.", "Paris, France"]),  # several gold answers: the best
]


def test_15_reference_metrics_equal_the_official_definition():
    ns = reference_namespace(ASSIGNMENT)
    pairs = [(p, list(g)) for p, g in EDGE_CASES]
    for case in _cases("exact_match_and_f1"):
        pairs.extend(zip(*case.args))
    assert all(text.isascii() for p, golds in pairs for text in [p, *golds])  # the regex-free oracle's condition
    em, f1 = ns["exact_match_and_f1"]([p for p, _ in pairs], [g for _, g in pairs])
    expected = np.array([_official_scores(p, g) for p, g in pairs])
    # the same arithmetic in the same order on both sides; 1e-12 leaves room for nothing but round-off
    np.testing.assert_allclose(em, expected[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(f1, expected[:, 1], rtol=0, atol=1e-12)
    # the edge cases decide something: exact matches and misses, partial F1
    assert set(expected[:, 0]) == {0.0, 1.0} and np.any((expected[:, 1] > 0) & (expected[:, 1] < 1))


def test_15_the_official_definition_tells_the_edge_cases_apart():
    """A few values of the oracle worked out by hand, so the comparison above can fail."""
    assert _official_scores("a.m.", ["am"]) == (1.0, 1.0)
    assert _official_scores("New York New York", ["New York"])[1] == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert _official_scores("", ["something"]) == (0.0, 0.0)
    assert _official_scores("Paris", ["London", "paris."]) == (1.0, 1.0)


# --------------------------------------------------------------------------- decode_spans by brute force


def _valid_spans(offsets, max_answer_length):
    context = np.flatnonzero(offsets[:, 0] >= 0)
    return [(s, e) for s, e in itertools.product(context, context) if 0 <= e - s < max_answer_length]


def _brute_force_decode(start_logits, end_logits, offsets, example_index, n_examples, max_answer_length):
    """Every valid span of every window scored one by one: (best char spans, best scores, top-2 gaps)."""
    scored = {i: [] for i in range(n_examples)}
    for f, i in enumerate(example_index):
        for s, e in _valid_spans(offsets[f], max_answer_length):
            scored[i].append((start_logits[f, s] + end_logits[f, e], offsets[f, s, 0], offsets[f, e, 1]))
    spans, scores, gaps = [], [], []
    for i in range(n_examples):
        ranked = sorted(scored[i], reverse=True)
        spans.append(ranked[0][1:])
        scores.append(ranked[0][0])
        gaps.append(ranked[0][0] - ranked[1][0])
    return np.array(spans), np.array(scores), np.array(gaps)


def test_15_reference_decoding_equals_brute_force_with_a_margin():
    ns = reference_namespace(ASSIGNMENT)
    for case in _cases("decode_spans"):
        spans, scores, gaps = _brute_force_decode(*case.args)
        got_spans, got_scores = ns["decode_spans"](*case.args)
        np.testing.assert_array_equal(got_spans, spans, err_msg=case.name)
        np.testing.assert_allclose(got_scores, scores, rtol=0, atol=1e-12)  # the same two-term sums
        # the winning span leads every other valid span by MIN_MARGIN: the same one wins on any CPU
        assert np.min(gaps) >= MIN_MARGIN, (case.name, np.min(gaps))


def test_15_synthetic_windows_follow_the_tokenizer_layout():
    g = _grader()
    offsets, example_index = g.synthetic_windows([10, 3], question_tokens=2, seq_len=9, stride=1,
                                                 rng=np.random.default_rng(0))
    per_window = 9 - 2 - g.SPECIAL_TOKENS  # 4 context tokens per window
    assert example_index.tolist() == [0, 0, 0, 1]  # tokens 0-3, 3-6, 6-9 of the first context
    assert np.all(offsets[:, :4] == g.NOT_IN_CONTEXT)  # [CLS], 2 question tokens, [SEP]
    np.testing.assert_array_equal(offsets[0, 4 + per_window - 1], offsets[1, 4])  # the stride: one shared token
    assert np.all(offsets[3, 4 + 3:] == g.NOT_IN_CONTEXT)  # 3 context tokens, then [SEP] and padding
    with pytest.raises(ValueError, match="more context tokens than the stride"):
        g.synthetic_windows([5], question_tokens=5, seq_len=9, stride=1, rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- prepare_features, read back


def test_15_reference_labels_read_back_as_the_answer():
    """Every labelled window decodes, through its offsets, to exactly the answer; every [CLS] window lacks part of it."""
    ns = reference_namespace(ASSIGNMENT)
    g = _grader()
    n_windows = {}
    for case in _cases("prepare_features"):
        questions, contexts, starts, texts = case.args
        features = ns["prepare_features"](questions, contexts, starts, texts, **case.kwargs)
        n_windows[case.name] = np.bincount(features["example_index"], minlength=len(questions))
        for f, i in enumerate(features["example_index"]):
            offsets = features["offsets"][f]
            in_context = offsets[:, 0] != g.NOT_IN_CONTEXT
            assert np.array_equal(in_context, np.array(features["token_type_ids"][f] == 1)
                                  & (features["attention_mask"][f] == 1)
                                  & (features["input_ids"][f] != case.kwargs["tokenizer"].sep_token_id))
            s, e = features["start_positions"][f], features["end_positions"][f]
            covered = (offsets[in_context, 0].min(), offsets[in_context, 1].max())
            whole = covered[0] <= starts[i] and starts[i] + len(texts[i]) <= covered[1]
            if s == g.CLS_POSITION:
                assert e == g.CLS_POSITION and not whole, (case.name, f)
            else:
                assert whole and contexts[i][offsets[s, 0]:offsets[e, 1]] == texts[i], (case.name, f)
    # the cases hold what they are named for: a single window, a cut answer, many windows
    assert n_windows["one_question_no_overflow"].tolist() == [1]
    assert n_windows["many_windows_small_stride"][0] >= 4
    cut = ns["prepare_features"](*_cases("prepare_features", ["public"])[1].args,
                                 **_cases("prepare_features", ["public"])[1].kwargs)
    assert np.sum(cut["start_positions"] == g.CLS_POSITION) >= 1 and np.sum(cut["start_positions"] > 0) >= 1


# --------------------------------------------------------------------------- other correct solutions pass


def _span_logits_by_split(sequence_output, span_dense):
    import keras

    start, end = keras.ops.split(span_dense(sequence_output), 2, axis=-1)
    return keras.ops.squeeze(start, axis=-1), keras.ops.squeeze(end, axis=-1)


def _decode_with_loops(start_logits, end_logits, offsets, example_index, n_examples, max_answer_length):
    best = {}
    for f, i in enumerate(example_index):
        for s, e in _valid_spans(offsets[f], max_answer_length):
            score = start_logits[f, s] + end_logits[f, e]
            if i not in best or score > best[i][0]:
                best[i] = (score, offsets[f, s, 0], offsets[f, e, 1])
    spans = np.array([best[i][1:] for i in range(n_examples)], dtype=np.int64)
    scores = np.array([best[i][0] for i in range(n_examples)])
    return spans, scores


def _metrics_by_oracle(predictions, gold_answers):
    pairs = np.array([_official_scores(p, g) for p, g in zip(predictions, gold_answers)])
    return pairs[:, 0], pairs[:, 1]


@pytest.mark.parametrize("func_name, func", [
    ("span_logits", _span_logits_by_split),
    ("decode_spans", _decode_with_loops),
    ("exact_match_and_f1", _metrics_by_oracle),
])
def test_15_another_correct_solution_passes_every_case(func_name, func):
    assert judged(ASSIGNMENT, func_name, func) is None


# --------------------------------------------------------------------------- helpers


BABI_TEXT = """1 Mary moved to the bathroom.
2 John went to the hallway.
3 Where is Mary? \tbathroom\t1
4 Mary went back to the hallway.
5 Where is Mary? \thallway\t4
1 Sandra moved to the garden.
2 Where is Sandra? \tgarden\t1
"""


def test_parse_babi_builds_contexts_and_answer_spans():
    examples = qa_data.parse_babi(BABI_TEXT, source="t")
    assert [e.id for e in examples] == ["t:3", "t:5", "t:7"]
    assert examples[1].context == "Mary moved to the bathroom. John went to the hallway. Mary went back to the hallway."
    for e in examples:
        start = e.answer_starts[0]
        assert e.context[start:start + len(e.answer_texts[0])] == e.answer_texts[0]
    assert examples[1].answer_starts[0] > len("Mary moved to the bathroom. John went to the hallway.")  # fact 4's
    assert examples[2].context == "Sandra moved to the garden."  # a new story starts afresh


@pytest.mark.parametrize("text, match", [("x Mary moved.\n", "expected 'id text'"),
                                         ("1 Mary moved to the bathroom.\n2 Where? \tkitchen\t1\n", "not in"),
                                         ("1 Where?\tbathroom\n", "needs")])
def test_parse_babi_names_a_bad_line(text, match):
    with pytest.raises(qa_data.QAFormatError, match=match):
        qa_data.parse_babi(text, source="t")


def test_squad_answers_sit_where_the_file_says():
    squad = {"data": [{"paragraphs": [{"context": "Ada wrote notes.", "qas": [
        {"id": "q1", "question": "Who?", "answers": [{"text": "Ada", "answer_start": 0},
                                                      {"text": "notes", "answer_start": 10}]}]}]}]}
    (example,) = qa_data.parse_squad(squad)
    assert example.answer_texts == ("Ada", "notes") and example.answer_starts == (0, 10)
    squad["data"][0]["paragraphs"][0]["qas"][0]["answers"][1]["answer_start"] = 9
    with pytest.raises(qa_data.QAFormatError, match="q1"):
        qa_data.parse_squad(squad)


def test_course_qa_files_load_with_their_documented_counts():
    assert len(qa_data.load_babi("test")) == 1_000
    dev = qa_data.load_squad("dev")
    assert len(dev) == 1_454 and min(len(e.answer_texts) for e in dev) >= 1
    with pytest.raises(ValueError, match="split"):
        qa_data.load_squad("test")


def test_step_losses_undo_the_running_mean():
    losses = np.array([3.0, 1.0, 2.5, 0.5])
    means = np.cumsum(losses) / np.arange(1, 5)
    np.testing.assert_allclose(qa.step_losses_from_running_means(means), losses, rtol=0, atol=1e-12)


def test_batches_answers_and_feature_selection():
    assert qa.batch_slices(5, 2) == [slice(0, 2), slice(2, 4), slice(4, 5)]
    with pytest.raises(ValueError, match="at least 1"):
        qa.batch_slices(5, 0)
    assert qa.answers_from_spans(["abc def", "xyz"], np.array([[4, 7], [-1, -1]])) == ["def", ""]
    picked = qa.select_features({"a": np.arange(4), "b": np.arange(8).reshape(4, 2)}, np.array([2, 0]))
    assert picked["a"].tolist() == [2, 0] and picked["b"].tolist() == [[4, 5], [0, 1]]
