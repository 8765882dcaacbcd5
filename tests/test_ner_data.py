"""helpers.ner: reading wikigold (CoNLL IOB2), vocabularies, padding and masks, entity F1."""

import shutil

import numpy as np
import pytest

from helpers import data, ner


@pytest.fixture(scope="module")
def wikigold():
    return ner.load_wikigold()


def test_wikigold_has_the_documented_sentence_counts(wikigold):
    assert {split: len(s) for split, s in wikigold.items()} == {"train": 1384, "dev": 195, "test": 117}
    assert sum(len(tokens) for tokens, _ in wikigold["train"]) == 32533


def test_every_sentence_has_one_iob2_tag_per_token(wikigold):
    types = set()
    for sentences in wikigold.values():
        for tokens, tags in sentences:
            assert tokens and len(tokens) == len(tags)
            types |= {tag[2:] for tag in tags if tag != "O"}
    assert types == {"PER", "LOC", "ORG", "MISC"}


def test_first_training_sentence(wikigold):
    tokens, tags = wikigold["train"][0]
    assert tokens[:3] == ["010", "is", "the"] and tags[:3] == ["B-MISC", "O", "O"]
    assert tokens[10:14] == ["The", "Mad", "Capsule", "Markets"] and tags[10:14] == ["B-ORG"] + ["I-ORG"] * 3


def test_parse_blank_lines_and_missing_final_blank():
    text = "\n\nA\tB-PER\nsaid\tO\n\n\n\nhi\tO"
    assert ner.parse_conll(text) == [(["A", "said"], ["B-PER", "O"]), (["hi"], ["O"])]


@pytest.mark.parametrize("line, problem", [("word B-PER", "token<TAB>tag"), ("word\tPER", "not IOB2"),
                                           ("a\tO\textra", "token<TAB>tag"), ("\tO", "token<TAB>tag")])
def test_a_bad_line_is_reported_with_its_line_number(line, problem):
    with pytest.raises(ner.ConllFormatError) as err:
        ner.parse_conll(f"ok\tO\n\n{line}\n", source="bad.conll")
    assert "bad.conll, line 3" in str(err.value) and problem in str(err.value)


def test_an_edited_file_is_refused(tmp_path):
    root = tmp_path / "datasets"
    shutil.copytree(data.data_dir(), root)
    path = root / ner.WIKIGOLD["test"]
    path.write_text(path.read_text().replace("Bangkok", "Bankok"))
    with pytest.raises(data.DataFileError) as err:
        ner.read_conll(ner.WIKIGOLD["test"], root=root)
    assert "wikigold.iob2.test.conll" in str(err.value)


SENTENCES = [(["Ann", "met", "Bob"], ["B-PER", "O", "B-PER"]), (["Bob", "ran"], ["B-PER", "O"]),
             (["Paris"], ["B-LOC"])]


def test_vocabularies_reserve_padding_and_unknown():
    word_to_index, index_to_word = ner.build_word_vocab(SENTENCES)
    assert index_to_word[:3] == [ner.PAD, ner.UNK, "Bob"]  # most frequent word first
    assert word_to_index[ner.PAD] == ner.PAD_INDEX == 0 and word_to_index[ner.UNK] == ner.UNK_INDEX == 1
    rare_dropped, _ = ner.build_word_vocab(SENTENCES, min_count=2)
    assert set(rare_dropped) == {ner.PAD, ner.UNK, "Bob"}
    tag_to_index, index_to_tag = ner.build_tag_vocab(SENTENCES)
    assert index_to_tag == ["O", "B-LOC", "B-PER"] and tag_to_index["O"] == 0


def test_padding_mask_and_unknown_words():
    word_to_index, _ = ner.build_word_vocab(SENTENCES, min_count=2)
    tag_to_index, _ = ner.build_tag_vocab(SENTENCES)
    X, Y, mask = ner.pad_sentences(SENTENCES, word_to_index, tag_to_index, T_x=4)
    assert X.shape == Y.shape == mask.shape == (3, 4) and X.dtype == np.int32 and mask.dtype == np.float32
    bob = word_to_index["Bob"]
    np.testing.assert_array_equal(X, [[1, 1, bob, 0], [bob, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(mask, [[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(Y, [[2, 0, 2, 0], [2, 0, 0, 0], [1, 0, 0, 0]])
    assert ner.pad_sentences(SENTENCES, word_to_index, tag_to_index)[0].shape == (3, 3)
    with pytest.raises(ValueError, match="shorter than the longest"):
        ner.pad_sentences(SENTENCES, word_to_index, tag_to_index, T_x=2)
    with pytest.raises(ValueError, match="B-ORG"):
        ner.pad_sentences([(["X"], ["B-ORG"])], word_to_index, tag_to_index)


def test_length_batches_cover_every_sentence_once():
    sentences = [(["w"] * n, ["O"] * n) for n in (5, 1, 9, 3, 7, 2, 8)]
    for rng in (None, np.random.default_rng(0)):
        batches = ner.length_batches(sentences, 3, rng)
        assert sorted(np.concatenate(batches).tolist()) == list(range(len(sentences)))
    ordered = ner.length_batches(sentences, 3)
    assert [len(sentences[i][0]) for i in ordered[0]] == [1, 2, 3]
    assert ner.padded_length(17) == 32 and ner.padded_length(16) == 16


def test_predicted_tags_drop_padding_and_entity_scores_use_seqeval():
    index_to_tag = ["O", "B-PER", "I-PER"]
    probabilities = np.zeros((2, 4, 3))
    probabilities[0, [0, 1, 2, 3], [1, 2, 0, 1]] = 1  # B-PER I-PER O (pad)
    probabilities[1, [0, 1, 2, 3], [1, 0, 0, 0]] = 1
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]])
    predicted = ner.predicted_tags(probabilities, mask, index_to_tag)
    assert predicted == [["B-PER", "I-PER", "O"], ["B-PER", "O"]]
    truth = [["B-PER", "I-PER", "O"], ["O", "B-PER"]]  # one of two predicted entities is right, one of two found
    scores = ner.entity_scores(truth, predicted)
    assert scores == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert ner.entity_scores(truth, [["O"] * 3, ["O"] * 2])["f1"] == 0.0
