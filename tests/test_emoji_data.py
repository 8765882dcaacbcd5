"""The emoji data sets: the course's 5-class sentences and the GoEmotions copy (helpers.emoji)."""

import importlib.util
import shutil
from collections import Counter

import numpy as np
import pytest

from helpers import data, emoji
from helpers.embeddings import load_glove

SPLITS = tuple(emoji.EMOJI5)
SHARED_EMOJI = data.data_dir().parents[1] / "shared" / "datasets" / "emoji"  # the raw collection, when present


@pytest.fixture(scope="module")
def emoji5():
    return {split: emoji.load_emoji5(split) for split in SPLITS}


def test_sizes_and_balance(emoji5):
    """Every class has the same number of sentences in each split; at least 400 sentences in all."""
    total = 0
    for split, (sentences, labels) in emoji5.items():
        counts = Counter(labels.tolist())
        assert sorted(counts) == list(range(emoji.N_CLASSES)), split
        assert len(set(counts.values())) == 1, (split, counts)
        assert len(sentences) == len(labels)
        total += len(sentences)
    assert total >= 400


def test_labels_in_range(emoji5):
    for sentences, labels in emoji5.values():
        assert labels.dtype == np.int64 and labels.min() >= 0 and labels.max() < emoji.N_CLASSES


def test_no_duplicates_within_or_across_splits(emoji5):
    everything = [s for sentences, _ in emoji5.values() for s in sentences]
    duplicated = [s for s, n in Counter(everything).items() if n > 1]
    assert not duplicated, duplicated[:5]


def test_sentences_are_clean_lower_case_words(emoji5):
    """No stray whitespace, no capitals or punctuation: each sentence is its own tokenization."""
    for sentences, _ in emoji5.values():
        for sentence in sentences:
            assert sentence == sentence.strip() and "  " not in sentence, repr(sentence)
            assert emoji.tokenize(sentence) == sentence, repr(sentence)


def test_every_word_is_in_glove(emoji5):
    word_to_index = load_glove().word_to_index
    missing = {w for sentences, _ in emoji5.values() for s in sentences for w in s.split() if w not in word_to_index}
    assert not missing, sorted(missing)


@pytest.fixture(scope="module")
def builder():
    """datasets/emoji/build_emoji5.py, imported as a module."""
    path = data.data_dir() / "emoji" / "build_emoji5.py"
    spec = importlib.util.spec_from_file_location("build_emoji5", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_builder_reproduces_the_files(emoji5, builder):
    """datasets/emoji/build_emoji5.py writes exactly the rows the files hold (same split, same order)."""
    for split, rows in builder.split().items():
        sentences, labels = emoji5[split]
        assert [text for text, _ in rows] == sentences and [label for _, label in rows] == labels.tolist()


def test_the_second_batch_is_training_only_and_far_from_dev_and_test(emoji5, builder):
    """The later-written sentences sit in train only, each class has its count, and none shares half its words."""
    second = {text: label for label, block in enumerate(builder.MORE_TRAIN) for text in builder.sentences(block)}
    assert Counter(second.values()) == {label: builder.SECOND_BATCH_PER_CLASS for label in range(emoji.N_CLASSES)}
    sentences, labels = emoji5["train"]
    train = dict(zip(sentences, labels.tolist()))
    assert all(train.get(text) == label for text, label in second.items())
    assert not builder.too_close_to_held_out(builder.split())
    assert builder.jaccard("we won the game", "we lost the game") == 3 / 5  # shared {we, the, game} of 5 distinct


def test_goemotions_holds_three_classes_with_the_documented_counts():
    sizes = {}
    for split in emoji.GOEMOTIONS:
        sentences, labels = emoji.load_goemotions(split)
        assert set(labels.tolist()) == set(emoji.GOEMOTIONS_LABELS), split
        assert all(sentences), split  # every comment keeps at least one word after tokenizing
        sizes[split] = len(labels)
    assert sizes == {"train": 2869, "dev": 335, "test": 347}


@pytest.mark.skipif(not SHARED_EMOJI.is_dir(), reason="the raw data collection is not next to this checkout")
def test_goemotions_files_are_byte_identical_to_the_raw_collection():
    for relative in emoji.GOEMOTIONS.values():
        assert data.sha256_of(data.dataset_path(relative)) == data.sha256_of(SHARED_EMOJI / relative.split("/")[-1])


@pytest.mark.parametrize("text, tokens", [
    ("I didn’t like it!!", "i did n't like it"),
    ("It's 5 o'clock, LOL :)", "it 's 5 o clock lol"),
    ("we're   here\n", "we 're here"),
    ("i am so sad", "i am so sad"),
])
def test_tokenize_splits_as_glove_was_split(text, tokens):
    assert emoji.tokenize(text) == tokens


def test_restrict_vocabulary_keeps_the_top_words_and_the_data_words():
    glove = load_glove()
    rare = glove.index_to_word[300_000]
    word_to_index, index_to_word, E = emoji.restrict_vocabulary(glove, ["the", rare, "notaword123"], top_n=100)
    assert len(index_to_word) == 101 and index_to_word[-1] == rare and "notaword123" not in word_to_index
    np.testing.assert_array_equal(E[word_to_index[rare]], glove.E[300_000])  # a copy of the same float32 row
    with pytest.raises(ValueError, match="top_n"):
        emoji.restrict_vocabulary(glove, [], top_n=0)


def test_an_edited_file_is_refused(tmp_path):
    root = tmp_path / "datasets"
    shutil.copytree(data.data_dir(), root, ignore=shutil.ignore_patterns("text", "ner", "names"))
    path = root / emoji.EMOJI5["test"]
    path.write_text(path.read_text().replace(",3\n", ",2\n", 1))
    with pytest.raises(data.DataFileError, match="emoji5_test.csv"):
        emoji.load_emoji5("test", root=root)


def test_a_label_out_of_range_is_reported(tmp_path):
    folder = tmp_path / "emoji"
    folder.mkdir()
    (folder / "emoji5_test.csv").write_text("text,label\ni am happy,7\n")
    (tmp_path / data.MANIFEST_NAME).write_text(f"{data.sha256_of(folder / 'emoji5_test.csv')}  emoji/emoji5_test.csv\n")
    with pytest.raises(emoji.EmojiDataError, match="line 2: label '7'"):
        emoji.load_emoji5("test", root=tmp_path)


def test_an_unknown_split_is_refused():
    with pytest.raises(KeyError, match="split must be one of"):
        emoji.load_emoji5("validation")
