"""datasets/analogies/analogies.csv: the course's analogy test set and its loader (helpers.embeddings.load_analogies)."""

import collections
import importlib.util
import shutil

import pytest

from helpers import data, embeddings

CATEGORIES = ("capital_country", "country_currency", "singular_plural", "comparative_superlative",
              "male_female", "past_tense", "present_participle")
MIN_PER_CATEGORY = 20  # enough questions for a per-category accuracy that one answer moves by at most 5 points


@pytest.fixture(scope="module")
def analogies():
    return embeddings.load_analogies()


def test_every_category_is_present_with_enough_analogies(analogies):
    counts = collections.Counter(row.category for row in analogies)
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= MIN_PER_CATEGORY
    assert len(analogies) >= 150


def test_four_distinct_lower_case_words_and_no_duplicates(analogies):
    for row in analogies:
        words = (row.a, row.b, row.c, row.d)
        assert all(w and w == w.strip().lower() and " " not in w for w in words), row
        assert len(set(words)) == 4, f"{row}: a word repeats, so the answer could be an excluded input"
    questions = [(row.a, row.b, row.c) for row in analogies]
    assert len(set(questions)) == len(questions)
    # no analogy is another read backwards (c : d :: a : b), which would only double-count it
    assert not {(r.a, r.b, r.c, r.d) for r in analogies} & {(r.c, r.d, r.a, r.b) for r in analogies}


def test_every_word_is_in_glove(analogies):
    word_to_index, _, _ = embeddings.load_glove()
    missing = sorted({w for row in analogies for w in row[1:] if w not in word_to_index})
    assert not missing


def test_the_file_is_what_its_builder_writes(analogies):
    spec = importlib.util.spec_from_file_location("build_analogies", data.data_dir() / "analogies" / "build_analogies.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert [tuple(row) for row in analogies] == builder.analogies()


def test_one_category_and_an_unknown_one():
    males = embeddings.load_analogies("male_female")
    assert males and {row.category for row in males} == {"male_female"}
    assert embeddings.Analogy("male_female", "king", "queen", "man", "woman") in embeddings.load_analogies(["male_female"])
    with pytest.raises(ValueError, match="capital_country"):
        embeddings.load_analogies(["capitals"])


def test_an_edited_file_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "datasets"
    shutil.copytree(data.data_dir(), root, ignore=shutil.ignore_patterns("*.conll", "*.txt"))
    path = root / embeddings.ANALOGIES_FILE
    path.write_text(path.read_text().replace("queen", "queens", 1))
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(root))
    with pytest.raises(data.DataFileError, match="analogies.csv"):
        embeddings.load_analogies()
