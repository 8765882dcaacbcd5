"""Emoji classification data for notebook 07 (emojify): labels, loaders, tokenizer, a GloVe subset.

Two data sets, both checksum-verified through `helpers.data.dataset_path`:

- ``emoji/emoji5_{train,dev,test}.csv`` -- short sentences written for this course,
  five balanced classes, a dev split for choosing settings (datasets/emoji/build_emoji5.py);
- ``emoji/goemotions_emoji3_{train,dev,test}.csv`` -- real Reddit comments
  (GoEmotions, Demszky et al. 2020, Apache-2.0) mapped to three of the same
  classes (0 heart, 2 smile, 3 disappointed): an out-of-domain test.

Index convention of the Keras models (the same as helpers.ner): 0 is padding,
1 the unknown word, and the word in row r of the GloVe matrix E has index
r + FIRST_WORD_INDEX. So the embedding matrix of a model is E with two rows
on top.
"""

import csv
import re

import numpy as np

from helpers import data
from helpers.embeddings import Embeddings

PAD_INDEX, UNK_INDEX = 0, 1
FIRST_WORD_INDEX = 2  # Keras index of GloVe row 0
LABEL_NAMES = ("heart", "baseball", "smile", "disappointed", "fork and knife")
EMOJI = ("\u2764\ufe0f", "\u26be", "\U0001F604", "\U0001F61E", "\U0001F374")  # in the order of LABEL_NAMES
N_CLASSES = len(LABEL_NAMES)
EMOJI5 = {split: f"emoji/emoji5_{split}.csv" for split in ("train", "dev", "test")}
GOEMOTIONS = {split: f"emoji/goemotions_emoji3_{split}.csv" for split in ("train", "dev", "test")}
GOEMOTIONS_LABELS = (0, 2, 3)  # the classes the real-text set holds

# GloVe 6B was tokenized the Stanford way: "didn't" -> "did n't", "it's" -> "it 's"
_CLITIC = re.compile(r"(n't|'s|'re|'ll|'ve|'m|'d)\b")
_TOKEN = re.compile(r"n't|'(?:s|re|ll|ve|m|d)\b|[a-z0-9]+")


class EmojiDataError(ValueError):
    """A row of an emoji CSV file is malformed (wrong columns, a label out of range)."""


def label_text(label):
    """'smile 😄' for label 2."""
    return f"{LABEL_NAMES[int(label)]} {EMOJI[int(label)]}"


def tokenize(text):
    """Lower-cased words of `text`, joined by single spaces, split as GloVe 6B was.

    Punctuation and symbols are dropped; clitics become words of their own
    ("didn't" -> "did n't"); curly apostrophes count as straight ones.
    The course's own sentences come back unchanged.
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = _CLITIC.sub(r" \1", text)
    return " ".join(_TOKEN.findall(text))


def _read_rows(relative_path, text_column, label_column, root=None):
    """(texts, labels int64 (m,)) of a verified CSV file; labels checked against the five classes."""
    path = data.dataset_path(relative_path, root)
    texts, labels = [], []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {text_column, label_column} - set(reader.fieldnames or ())
        if missing:
            raise EmojiDataError(f"{relative_path}: columns {sorted(missing)} are missing")
        for number, row in enumerate(reader, start=2):
            label = row[label_column]
            if not label.isdigit() or int(label) >= N_CLASSES:
                raise EmojiDataError(f"{relative_path}, line {number}: label {label!r} is not one of 0..{N_CLASSES - 1}")
            texts.append(row[text_column])
            labels.append(int(label))
    return texts, np.asarray(labels, dtype=np.int64)


def load_emoji5(split, root=None):
    """The course's 5-class sentences: (sentences list of str, labels int64 ndarray (m,)).

    split : "train", "dev" or "test"
    Raises KeyError for another split, helpers.data.DataFileError for a missing or edited file.
    """
    if split not in EMOJI5:
        raise KeyError(f"split must be one of {sorted(EMOJI5)}, got {split!r}")
    return _read_rows(EMOJI5[split], "text", "label", root)


def load_goemotions(split, root=None):
    """Real Reddit comments, 3 classes: (tokenized sentences (see `tokenize`), labels int64 (m,) in {0, 2, 3}).

    split : "train", "dev" or "test"
    """
    if split not in GOEMOTIONS:
        raise KeyError(f"split must be one of {sorted(GOEMOTIONS)}, got {split!r}")
    texts, labels = _read_rows(GOEMOTIONS[split], "text", "emoji_label", root)
    return [tokenize(t) for t in texts], labels


def restrict_vocabulary(glove, words, top_n):
    """The rows of GloVe a model needs: the `top_n` most frequent words plus every word of `words` GloVe knows.

    A frozen embedding of all 400,000 GloVe words would hold 20 million numbers
    the model never reads; the data's own words plus the most frequent ones
    cover almost every token of new text too.

    Parameters
    ----------
    glove : helpers.embeddings.Embeddings   (word_to_index, index_to_word, E), frequency-ordered
    words : iterable of str                  words that must be kept if GloVe has them
    top_n : int                              how many of the most frequent words to keep

    Returns
    -------
    Embeddings with E (top_n + extra, emb_dim) float32: the top_n rows first,
    then the other words of `words`, in GloVe's order
    """
    if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or top_n < 1:
        raise ValueError(f"top_n must be a positive integer, got {top_n!r}")
    rows = set(range(min(int(top_n), len(glove.index_to_word))))
    rows |= {glove.word_to_index[w] for w in set(words) if w in glove.word_to_index}
    rows = sorted(rows)
    index_to_word = [glove.index_to_word[r] for r in rows]
    E = np.array(glove.E[rows], dtype=np.float32)  # (vocab_size, emb_dim), a copy
    E.setflags(write=False)
    return Embeddings({w: i for i, w in enumerate(index_to_word)}, index_to_word, E)


def vocabulary_of(sentences):
    """The set of words of whitespace-separated, lower-case sentences."""
    return {word for sentence in sentences for word in sentence.split()}
