"""14 transformer_ner: the reference against trusted implementations (seqeval, PyTorch), other correct solutions,
the data and the given code."""

import random

import numpy as np
import pytest

from graders.assignment import SUITES
from helpers import ner, ner_transformer
from helpers.ner_transformer import IGNORE_INDEX, NO_WORD, OUTSIDE_INDEX

from conftest import judged, reference_namespace

ASSIGNMENT = "14_transformer_ner"


def _grader():
    import graders.transformer_ner as g

    return g


def _cases(func_name):
    return [case for suite in SUITES for case in _grader().GRADER.cases(func_name, suite)]


# --------------------------------------------------------------------------- against trusted implementations


def _random_taggings(seed, n):
    rng = random.Random(seed)
    pool = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-creative-work", "I-creative-work"]
    for _ in range(n):
        gold = [[rng.choice(pool) for _ in range(rng.randint(1, 8))] for _ in range(rng.randint(1, 4))]
        yield gold, [[rng.choice(pool) for _ in sentence] for sentence in gold]


def test_14_reference_entity_f1_equals_seqeval():
    """seqeval's default (conlleval) mode on the graded cases and 300 random taggings."""
    from seqeval.metrics import f1_score, precision_score, recall_score

    entity_f1 = reference_namespace(ASSIGNMENT)["entity_f1"]
    taggings = [case.args for case in _cases("entity_f1")] + list(_random_taggings(0, 300))
    for gold, guess in taggings:
        expected = [f(gold, guess, zero_division=0) for f in (precision_score, recall_score, f1_score)]
        # both compute ratios of the same small counts in float64: they agree to round-off (1e-12 leaves room
        # for a different order of operations); a wrong count moves a score by more than 0.01
        np.testing.assert_allclose(entity_f1(gold, guess), expected, rtol=0, atol=1e-12, err_msg=str((gold, guess)))


def test_14_the_seqeval_comparison_can_fail():
    """One tag changed moves seqeval's F1 by far more than the tolerance above."""
    from seqeval.metrics import f1_score

    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert abs(f1_score(gold, gold) - f1_score(gold, [["B-PER", "O", "O", "B-LOC"]])) > 0.1


def test_14_loss_oracle_equals_torch_cross_entropy_with_ignore_index():
    """The oracle that grades masked_token_loss is PyTorch's cross_entropy(ignore_index=-100) on every case."""
    import torch

    g = _grader()
    for case in _cases("masked_token_loss"):
        labels, logits = case.args
        if np.all(labels == IGNORE_INDEX):  # torch returns nan without a counted position; the course wants 0
            assert g.loss_oracle(labels, logits) == 0.0
            continue
        expected = torch.nn.functional.cross_entropy(torch.tensor(logits, dtype=torch.float64).reshape(-1, logits.shape[-1]),
                                                     torch.tensor(labels, dtype=torch.long).reshape(-1),
                                                     ignore_index=IGNORE_INDEX).item()
        # float64 on both sides, a few dozen terms: round-off is ~1e-15
        assert abs(g.loss_oracle(labels, logits) - expected) < 1e-12, case.name
        if np.any(labels == IGNORE_INDEX):  # the comparison can fail: counting the ignored positions moves the loss
            assert abs(g.loss_oracle(labels, logits, denominator="all") - expected) > 1e-3


def test_14_reference_loss_agrees_with_the_oracle_in_float32():
    import keras

    g = _grader()
    loss = reference_namespace(ASSIGNMENT)["masked_token_loss"]
    for case in _cases("masked_token_loss"):
        labels, logits = case.args
        got = float(keras.ops.convert_to_numpy(loss(labels.astype(np.float32), logits)))  # Keras passes floats
        # float32 log-softmax of logits of size ~2 and a mean: ~1e-6; LOSS_ATOL is what the check allows
        assert abs(got - g.loss_oracle(labels, logits)) < g.LOSS_ATOL, case.name


def test_14_reference_loss_trains_a_keras_model():
    """compile(loss=masked_token_loss) works with model.fit's float32 labels and gives the same value."""
    import keras

    loss = reference_namespace(ASSIGNMENT)["masked_token_loss"]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.Dense(5)])
    model.compile(optimizer="sgd", loss=loss)
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    y = np.array([[IGNORE_INDEX, 1, 4, IGNORE_INDEX], [0, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX]], dtype=np.int32)
    evaluated = model.evaluate(x, y, verbose=0)
    direct = float(keras.ops.convert_to_numpy(loss(y, model(x))))
    assert abs(evaluated - direct) < 1e-5  # float32, the same computation through Keras's loss wrapper


# --------------------------------------------------------------------------- tokenize_and_align_labels


def test_14_reference_labels_sit_on_first_sub_tokens_only():
    """Independent of the tokenizer's word_ids: rebuild each word's pieces with the tokenizer alone."""
    ns = reference_namespace(ASSIGNMENT)
    for case in _cases("tokenize_and_align_labels"):
        sentences, tags, tag_to_index, max_length = case.args
        tokenizer = case.kwargs["tokenizer"]
        input_ids, mask, labels, word_ids = ns["tokenize_and_align_labels"](*case.args, **case.kwargs)
        for i, words in enumerate(sentences):
            pieces = [tokenizer(word, add_special_tokens=False)["input_ids"] for word in words]
            flat = [piece for word in pieces for piece in word][:max_length - 2]
            expected_labels = [IGNORE_INDEX] * max_length
            position = 1
            for w, word_pieces in enumerate(pieces):
                if position < 1 + len(flat):
                    expected_labels[position] = tag_to_index[tags[i][w]]
                position += len(word_pieces)
            assert input_ids[i, 1:1 + len(flat)].tolist() == flat, case.name
            assert labels[i].tolist() == expected_labels, case.name
            assert int(mask[i].sum()) == len(flat) + 2
            assert set(word_ids[i][mask[i] == 0].tolist()) <= {NO_WORD}


def test_14_hidden_cases_have_the_structures_the_public_ones_lack():
    g = _grader()
    ns = reference_namespace(ASSIGNMENT)

    def cut(case):  # some sentence is longer than the window
        _, mask, _, _ = ns["tokenize_and_align_labels"](*case.args, **case.kwargs)
        return bool(mask[:, -1].any() and any(len(s) + 2 > case.args[3] for s in case.args[0]))

    assert not any(cut(c) for c in g.GRADER.cases("tokenize_and_align_labels", "public"))
    assert any(cut(c) for c in g.GRADER.cases("tokenize_and_align_labels", "hidden"))
    # word_predictions: only hidden cases have words the window cut off
    for suite, want in (("public", False), ("hidden", True)):
        cut_words = [any(set(range(n)) - set(ids.tolist()) for ids, n in zip(c.args[1], c.args[2]))
                     for c in g.GRADER.cases("word_predictions", suite)]
        assert any(cut_words) == want, suite
    hidden_loss = {c.name: c.args[0] for c in g.GRADER.cases("masked_token_loss", "hidden")}
    assert np.all(hidden_loss["no_label_at_all"] == IGNORE_INDEX)


# --------------------------------------------------------------------------- other correct solutions pass


def _align_with_offsets(sentences, tags, tag_to_index, max_length, tokenizer):
    """Another correct way: a word's first piece is the one whose previous position has another word id."""
    enc = tokenizer(sentences, is_split_into_words=True, truncation=True, max_length=max_length, padding="max_length",
                    return_tensors="np")
    ids = np.array([[NO_WORD if w is None else w for w in enc.word_ids(i)] for i in range(len(sentences))])
    shifted = np.concatenate([np.full((len(ids), 1), NO_WORD), ids[:, :-1]], axis=1)
    first = (ids != NO_WORD) & (ids != shifted)
    labels = np.full(ids.shape, IGNORE_INDEX)
    for i, t in zip(*np.nonzero(first)):
        labels[i, t] = tag_to_index[tags[i][ids[i, t]]]
    return enc["input_ids"], enc["attention_mask"], labels, ids


def _word_predictions_vectorized(logits, word_ids, n_words):
    best = logits.argmax(-1)
    out = np.full((len(n_words), max(n_words)), NO_WORD)
    for i, n in enumerate(n_words):
        out[i, :n] = OUTSIDE_INDEX
        words, first = np.unique(word_ids[i], return_index=True)  # np.unique gives each value's first position
        keep = words != NO_WORD
        out[i, words[keep]] = best[i, first[keep]]
    return out


def _entity_f1_with_seqeval(true_tags, pred_tags):
    from seqeval.metrics import f1_score, precision_score, recall_score

    return tuple(float(f(true_tags, pred_tags, zero_division=0)) for f in (precision_score, recall_score, f1_score))


def _loss_with_sample_weights(labels, logits):
    import keras

    labels = keras.ops.cast(labels, "int32")
    weights = keras.ops.cast(labels >= 0, "float32")
    per_token = keras.losses.sparse_categorical_crossentropy(keras.ops.maximum(labels, 0), logits, from_logits=True)
    return keras.ops.sum(per_token * weights) / keras.ops.maximum(keras.ops.sum(weights), 1.0)


@pytest.mark.parametrize("func_name, func", [
    ("tokenize_and_align_labels", _align_with_offsets),
    ("word_predictions", _word_predictions_vectorized),
    ("entity_f1", _entity_f1_with_seqeval),
    ("masked_token_loss", _loss_with_sample_weights),
])
def test_14_another_correct_solution_passes_every_case(func_name, func):
    assert judged(ASSIGNMENT, func_name, func) is None


def test_14_a_classifier_built_another_way_passes():
    """Subclassing-free alternative: the backbone's own inputs, keras.ops.take-free head with a named Dropout."""
    import keras

    def build(backbone, n_tags, dropout):
        hidden = backbone.output["sequence_output"]
        logits = keras.layers.Dense(n_tags)(keras.layers.Dropout(dropout, name="head_dropout")(hidden))
        return keras.Model(backbone.input, logits)

    assert judged(ASSIGNMENT, "build_token_classifier", build) is None


# --------------------------------------------------------------------------- data and given code


def test_14_wnut17_loads_with_its_published_counts():
    data = ner_transformer.load_wnut17()
    assert {k: len(v) for k, v in data.items()} == {"train": 3394, "dev": 1009, "test": 1287}
    _, index_to_tag = ner.build_tag_vocab(data["train"])
    assert index_to_tag[OUTSIDE_INDEX] == ner.OUTSIDE and len(index_to_tag) == 13  # O + B/I of six types


def test_14_length_sorted_batches_cover_every_row_once_and_trim():
    mask = np.zeros((7, 32), dtype=np.int32)
    for i, n in enumerate([3, 30, 9, 12, 5, 17, 32]):
        mask[i, :n] = 1
    batches = ner_transformer.length_sorted_batches(mask, 3, np.random.default_rng(0))
    rows = np.concatenate([r for r, _ in batches])
    assert sorted(rows.tolist()) == list(range(7))
    for r, columns in batches:
        assert mask[r].sum(axis=1).max() <= columns <= 32 and (columns % ner_transformer.LENGTH_BUCKET == 0
                                                              or columns == 32)
    whole = ner_transformer.length_sorted_batches(mask, 3, np.random.default_rng(0), bucket=32)
    assert [columns for _, columns in whole] == [32] * 3  # one width: the training step is traced once


def test_14_entity_errors_name_each_kind():
    words = "Ada met Bob in New York".split()
    gold = ["B-PER", "O", "B-PER", "O", "B-LOC", "I-LOC"]
    guess = ["B-ORG", "B-MISC", "O", "O", "B-LOC", "O"]
    kinds = sorted(e["kind"] for e in ner_transformer.entity_errors(words, gold, guess))
    assert kinds == ["missed", "spurious", "wrong boundary", "wrong type"]
    assert ner_transformer.entity_errors(words, gold, gold) == []


def test_14_memorization_tagger_and_tag_names():
    tag = ner_transformer.memorization_tagger([(["Paris", "is", "big"], ["B-LOC", "O", "O"]),
                                               (["Paris", "Hilton"], ["B-PER", "I-PER"]),
                                               (["Paris"], ["B-LOC"])])
    assert tag(["Paris", "Hilton", "smiles"]) == ["B-LOC", "I-PER", "O"]
    names = ner_transformer.tag_names(np.array([[1, 0, NO_WORD], [2, 2, 0]]), [2, 3], ["O", "B-X", "I-X"])
    assert names == [["B-X", "O"], ["I-X", "I-X", "O"]]


def test_14_shipped_bilstm_tags_fit_the_test_split_and_score_what_the_card_says(tmp_path):
    from helpers.data import MANIFEST_NAME, DataFileError

    test = ner.load_wikigold()["test"]
    tags, facts = ner_transformer.load_bilstm_predictions()
    assert [len(t) for t in tags] == [len(words) for words, _ in test], "one tag per test word, in the file's order"
    assert set(tag for sentence in tags for tag in sentence) <= set(ner.build_tag_vocab(test)[1]) | {ner.OUTSIDE}
    # the card rounds each score to 4 decimals: a recomputation may differ by half a unit of the last one
    assert ner.entity_scores([t for _, t in test], tags)["f1"] == pytest.approx(facts["test"]["f1"], abs=5e-5)
    (tmp_path / MANIFEST_NAME).write_text("0" * 64 + "  names/other.txt\n")
    with pytest.raises(DataFileError, match="not listed"):  # a data folder without the shipped file
        ner_transformer.load_bilstm_predictions(root=tmp_path)
