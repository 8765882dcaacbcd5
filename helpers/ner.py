"""Named-entity data for the sequence taggers (notebook 04; reused by 14).

Reads CoNLL-style IOB2 files (one ``token TAB tag`` per line, a blank line
between sentences) through `helpers.data.dataset_path`, so every file is
checksum-verified; builds word and tag vocabularies; pads sentences into
batch-first arrays with a mask; and scores predictions with entity-level F1
from seqeval (a standard implementation, not re-derived here).

Index conventions: word 0 is padding (PAD), word 1 the unknown word (UNK);
tag indices start at 0 with "O", and padded positions carry tag 0 with mask 0.

Source of the data: Balasuriya et al. (2009), "Named entity recognition in
Wikipedia" (wikigold), CC BY 4.0; see datasets/PROVENANCE.md.
"""

from collections import Counter

import numpy as np

from helpers import data
from helpers.text import pad_to_length

PAD, UNK = "<pad>", "<unk>"
PAD_INDEX, UNK_INDEX = 0, 1
OUTSIDE = "O"
WIKIGOLD = {split: f"ner/wikigold/wikigold.iob2.{split}.conll" for split in ("train", "dev", "test")}


class ConllFormatError(ValueError):
    """A line of a CoNLL file is not ``token TAB tag`` or its tag is not IOB2."""


def parse_conll(text, source="<text>"):
    """Sentences of a CoNLL IOB2 text: a list of (tokens, tags), both lists of str.

    Raises
    ------
    ConllFormatError  naming the source and line number of a line that is not
                      ``token TAB tag`` or whose tag is neither O nor B-/I-TYPE.
    """
    sentences, tokens, tags = [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if tokens:
                sentences.append((tokens, tags))
                tokens, tags = [], []
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0]:
            raise ConllFormatError(f"{source}, line {number}: expected 'token<TAB>tag', got {line[:60]!r}")
        token, tag = parts[0], parts[1].strip()
        if tag != OUTSIDE and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
            raise ConllFormatError(f"{source}, line {number}: tag {tag!r} is not IOB2 (O, B-TYPE or I-TYPE)")
        tokens.append(token)
        tags.append(tag)
    if tokens:
        sentences.append((tokens, tags))
    return sentences


def read_conll(relative_path, root=None):
    """Checksum-verified sentences of a CoNLL IOB2 file below datasets/, as parse_conll returns them."""
    path = data.dataset_path(relative_path, root)
    return parse_conll(path.read_text(encoding="utf-8"), source=str(relative_path))


def load_wikigold(root=None):
    """{"train", "dev", "test"}: lists of (tokens, tags); 1,384 / 195 / 117 sentences."""
    return {split: read_conll(path, root) for split, path in WIKIGOLD.items()}


def build_word_vocab(sentences, min_count=1):
    """word_to_index, index_to_word for the words seen at least `min_count` times.

    Index 0 is PAD, 1 is UNK, then words by decreasing frequency (ties
    alphabetical), so the vocabulary does not depend on sentence order.
    """
    counts = Counter(token for tokens, _ in sentences for token in tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    index_to_word = [PAD, UNK] + words
    return {w: i for i, w in enumerate(index_to_word)}, index_to_word


def build_tag_vocab(sentences):
    """tag_to_index, index_to_tag: "O" first, then the entity tags in sorted order."""
    tags = sorted({tag for _, tags in sentences for tag in tags} - {OUTSIDE})
    index_to_tag = [OUTSIDE] + tags
    return {t: i for i, t in enumerate(index_to_tag)}, index_to_tag


def encode_words(tokens, word_to_index):
    """Word indices of a sentence; words outside the vocabulary become UNK_INDEX."""
    return [word_to_index.get(token, UNK_INDEX) for token in tokens]


def pad_sentences(sentences, word_to_index, tag_to_index, T_x=None):
    """Batch-first arrays for a Keras tagger, padded at the end.

    Parameters
    ----------
    sentences : list of (tokens, tags)
    T_x : int, optional   padded length (default: the longest sentence)

    Returns
    -------
    X : int32 ndarray (m, T_x)      word indices, 0 = padding, 1 = unknown word
    Y : int32 ndarray (m, T_x)      tag indices; 0 at padded positions
    mask : float32 ndarray (m, T_x) 1 at real tokens, 0 at padding

    Raises
    ------
    ValueError  if T_x is shorter than a sentence, or a tag is not in tag_to_index.
    """
    T_x = pad_to_length([len(tokens) for tokens, _ in sentences], T_x, what="sentence (tokens)")
    m = len(sentences)
    X = np.zeros((m, T_x), dtype=np.int32)
    Y = np.zeros((m, T_x), dtype=np.int32)
    mask = np.zeros((m, T_x), dtype=np.float32)
    for i, (tokens, tags) in enumerate(sentences):
        n = len(tokens)
        X[i, :n] = encode_words(tokens, word_to_index)
        try:
            Y[i, :n] = [tag_to_index[tag] for tag in tags]
        except KeyError as err:
            raise ValueError(f"tag {err.args[0]!r} of sentence {i} is not in the tag vocabulary") from None
        mask[i, :n] = 1.0
    return X, Y, mask


def length_batches(sentences, batch_size, rng=None):
    """Index lists of batches of sentences of similar length (less padding, faster training).

    With `rng`, sentences are shuffled within equal-length runs and the batches
    are shuffled; without it the order is deterministic.
    """
    lengths = np.array([len(tokens) for tokens, _ in sentences])
    noise = rng.random(len(lengths)) if rng is not None else np.zeros(len(lengths))
    order = np.lexsort((noise, lengths))
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def padded_length(n, bucket=16):
    """n rounded up to a multiple of `bucket`, so a model sees few distinct shapes."""
    return int(-(-n // bucket) * bucket)


def predicted_tags(probabilities, mask, index_to_tag):
    """Tag strings per sentence from tagger output, padding removed.

    probabilities : (m, T_x, n_tags) softmax output (or (m, T_x) indices)
    mask : (m, T_x), 1 at real tokens
    Returns a list of m lists of tag strings (what seqeval reads).
    """
    probabilities = np.asarray(probabilities)
    indices = probabilities.argmax(axis=-1) if probabilities.ndim == 3 else probabilities
    lengths = np.asarray(mask).sum(axis=1).astype(int)
    return [[index_to_tag[int(k)] for k in row[:n]] for row, n in zip(indices, lengths)]


def entity_scores(true_tags, pred_tags):
    """Entity-level precision, recall and F1 (seqeval, conlleval-compatible default mode).

    An entity counts as found only when its type and both boundaries are right.
    Returns a dict with keys "precision", "recall", "f1" (floats in [0, 1]).
    """
    from seqeval.metrics import f1_score, precision_score, recall_score

    quiet = {"zero_division": 0}  # no predicted entity yet (early training): 0, without a warning
    return {"precision": float(precision_score(true_tags, pred_tags, **quiet)),
            "recall": float(recall_score(true_tags, pred_tags, **quiet)),
            "f1": float(f1_score(true_tags, pred_tags, **quiet))}
