"""Corpus, vocabulary and evaluation tools for notebook 06 (word2vec).

- WikiText-2 (Merity et al. 2016, CC BY-SA 3.0) read as one stream of lower-cased
  tokens, checksum-verified (`load_wikitext2`);
- a frequency-ordered vocabulary with a minimum count (`build_vocab`, `encode`);
- shuffled mini-batches of (target, context) pairs (`pair_batches`);
- nearest neighbours by cosine similarity and analogy accuracy by 3CosAdd
  (Mikolov, Yih & Zweig 2013, "Linguistic Regularities in Continuous Space Word
  Representations"), over many questions at once (`nearest_neighbours`,
  `analogy_accuracy`, `glove_rows`);
- the co-occurrence counts and the weighting function of GloVe (Pennington,
  Socher & Manning 2014, eqs. 8-9) for a small worked example
  (`cooccurrence_matrix`, `glove_weight`, `glove_loss_and_gradients`).

None of this is an exercise of the notebook: the students write the sampling,
the pairs and the skip-gram model themselves.
"""

from collections import Counter

import numpy as np

from helpers.data import dataset_path

WIKITEXT2 = "text/wikitext-2/{split}.txt"
WIKITEXT2_SPLITS = ("train", "valid", "test")
UNKNOWN = "<unk>"  # WikiText-2's stand-in for words outside its 33k vocabulary
ANALOGY_BATCH = 256  # questions scored at once: a (256, vocab_size) similarity block stays small


# --------------------------------------------------------------------------- corpus and vocabulary


def load_wikitext2(split="train", max_tokens=None):
    """WikiText-2 as one list of lower-cased tokens, lines joined, `<unk>` dropped.

    Parameters
    ----------
    split : "train", "valid" or "test"
    max_tokens : int, optional   keep only the first max_tokens tokens (quick mode)

    Returns
    -------
    list[str]   e.g. ["=", "valkyria", "chronicles", "iii", "=", "senjō", ...]

    Raises
    ------
    ValueError                   for an unknown split or a max_tokens below 1.
    helpers.data.DataFileError   if the file is missing or was edited.
    """
    if split not in WIKITEXT2_SPLITS:
        raise ValueError(f"split must be one of {WIKITEXT2_SPLITS}, got {split!r}")
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, (int, np.integer))
                                   or max_tokens < 1):
        raise ValueError(f"max_tokens must be a positive integer or None, got {max_tokens!r}")
    text = dataset_path(WIKITEXT2.format(split=split)).read_text(encoding="utf-8")
    tokens = [word.lower() for word in text.split() if word != UNKNOWN]
    return tokens if max_tokens is None else tokens[:max_tokens]


def build_vocab(tokens, min_count=5):
    """Vocabulary of the words seen at least min_count times, most frequent first.

    Returns
    -------
    word_to_index : dict[str, int]
    index_to_word : list[str]
    counts : ndarray (vocab_size,) int64   occurrences of each word in `tokens`

    Raises
    ------
    ValueError  if min_count < 1 or no word is frequent enough.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    frequent = [(word, n) for word, n in Counter(tokens).most_common() if n >= min_count]
    if not frequent:
        raise ValueError(f"no word occurs {min_count} times in {len(tokens)} tokens; lower min_count")
    index_to_word = [word for word, _ in frequent]
    counts = np.array([n for _, n in frequent], dtype=np.int64)
    return {word: i for i, word in enumerate(index_to_word)}, index_to_word, counts


def encode(tokens, word_to_index):
    """Indices of the tokens that are in the vocabulary, in order (others are dropped): ndarray (n,) int64."""
    return np.array([word_to_index[w] for w in tokens if w in word_to_index], dtype=np.int64)


def pair_batches(targets, contexts, batch_size, rng):
    """Shuffled mini-batches of pairs: yields (targets, contexts) index arrays of up to batch_size each."""
    if len(targets) != len(contexts):
        raise ValueError(f"{len(targets)} targets but {len(contexts)} contexts")
    order = rng.permutation(len(targets))
    for start in range(0, len(order), batch_size):
        chosen = order[start:start + batch_size]
        yield targets[chosen], contexts[chosen]


# --------------------------------------------------------------------------- evaluation


def unit_rows(E):
    """E with every row scaled to length 1 (zero rows stay zero): ndarray (vocab_size, emb_dim) float64."""
    E = np.asarray(E, dtype=np.float64)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return E / np.where(norms > 0, norms, 1.0)


def nearest_neighbours(E, word_to_index, index_to_word, word, k=8):
    """The k words of highest cosine similarity to `word` (itself excluded): list of (word, cosine).

    Raises
    ------
    KeyError  if `word` is not in the vocabulary.
    """
    if word not in word_to_index:
        raise KeyError(f"{word!r} is not in the vocabulary of {len(index_to_word):,} words")
    unit = unit_rows(E)
    similarities = unit @ unit[word_to_index[word]]  # (vocab_size,)
    similarities[word_to_index[word]] = -np.inf
    best = np.argsort(-similarities)[:k]
    return [(index_to_word[i], float(similarities[i])) for i in best]


def analogy_accuracy(E, word_to_index, analogies):
    """Share of analogies a : b :: c : d solved by 3CosAdd, per category and overall.

    The answer is the word w (other than a, b and c) whose unit vector has the
    largest dot product with unit(b) - unit(a) + unit(c); all questions of a
    batch are scored with one matrix product. Questions with a word outside
    the vocabulary are skipped (`coverage` says how many were kept).

    Parameters
    ----------
    E : ndarray (vocab_size, emb_dim)
    word_to_index : dict[str, int]
    analogies : iterable of (category, a, b, c, d)  (helpers.embeddings.load_analogies)

    Returns
    -------
    dict   {"overall": accuracy, "coverage": (kept, total), "per_category": {category: (correct, kept)}}
    """
    analogies = list(analogies)
    known = [q for q in analogies if all(w in word_to_index for w in q[1:])]
    unit = unit_rows(E)
    per_category = {}
    for start in range(0, len(known), ANALOGY_BATCH):
        batch = known[start:start + ANALOGY_BATCH]
        a, b, c, d = (np.array([word_to_index[q[i]] for q in batch]) for i in (1, 2, 3, 4))
        scores = (unit[b] - unit[a] + unit[c]) @ unit.T  # (batch, vocab_size)
        rows = np.arange(len(batch))
        for excluded in (a, b, c):
            scores[rows, excluded] = -np.inf
        guesses = np.argmax(scores, axis=1)
        for question, right in zip(batch, guesses == d):
            correct, kept = per_category.get(question[0], (0, 0))
            per_category[question[0]] = (correct + int(right), kept + 1)
    solved = sum(correct for correct, _ in per_category.values())
    return {"overall": solved / len(known) if known else float("nan"), "coverage": (len(known), len(analogies)),
            "per_category": per_category}


def glove_rows(index_to_word, glove):
    """GloVe vectors for a vocabulary: (E_glove (vocab_size, 50) float32, found (vocab_size,) bool).

    Rows of words GloVe does not know are zero and marked False in `found`.
    glove : helpers.embeddings.Embeddings (from load_glove)
    """
    found = np.array([w in glove.word_to_index for w in index_to_word])
    E = np.zeros((len(index_to_word), glove.E.shape[1]), dtype=np.float32)
    rows = [glove.word_to_index[w] for w, ok in zip(index_to_word, found) if ok]
    E[found] = glove.E[rows]
    return E, found


# --------------------------------------------------------------------------- the GloVe objective, on a small example


def cooccurrence_matrix(sentences, word_to_index, window):
    """GloVe's co-occurrence counts: X[i, j] adds 1 / distance for each j within `window` words of an i.

    sentences : list of token lists (words outside word_to_index are skipped)
    Returns X : ndarray (vocab_size, vocab_size) float64, symmetric.
    Source: Pennington et al. (2014), section 4.2 (the 1/d weighting of distant words).
    """
    X = np.zeros((len(word_to_index), len(word_to_index)))
    for sentence in sentences:
        ids = [word_to_index[w] for w in sentence if w in word_to_index]
        for pos, i in enumerate(ids):
            for distance in range(1, window + 1):
                if pos + distance < len(ids):
                    j = ids[pos + distance]
                    X[i, j] += 1.0 / distance
                    X[j, i] += 1.0 / distance
    return X


def glove_weight(X, x_max=100.0, alpha=0.75):
    """GloVe's weighting f(x) = (x / x_max)^alpha below x_max, 1 above; f(0) = 0 (eq. 9)."""
    X = np.asarray(X, dtype=np.float64)
    return np.where(X < x_max, (X / x_max) ** alpha, 1.0)


def glove_loss_and_gradients(W, W_tilde, b, b_tilde, X, x_max=100.0, alpha=0.75):
    """J = sum over X_ij > 0 of f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2 (eq. 8), and its gradients.

    W, W_tilde : ndarray (vocab_size, emb_dim)   word and context vectors
    b, b_tilde : ndarray (vocab_size,)           word and context biases
    Returns J (float) and a dict dW, dW_tilde, db, db_tilde of the same shapes.
    """
    seen = X > 0
    log_X = np.log(np.where(seen, X, 1.0))
    residual = np.where(seen, W @ W_tilde.T + b[:, None] + b_tilde[None, :] - log_X, 0.0)  # (V, V)
    weighted = glove_weight(X, x_max, alpha) * residual  # f(X_ij) * residual, 0 where X_ij = 0
    J = float(np.sum(weighted * residual))
    grads = {"dW": 2 * weighted @ W_tilde, "dW_tilde": 2 * weighted.T @ W,
             "db": 2 * weighted.sum(axis=1), "db_tilde": 2 * weighted.sum(axis=0)}
    return J, grads
