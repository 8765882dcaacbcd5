"""Given code for notebook 14 transformer_ner: data, batches and a fine-tuning loop for a sub-token tagger.

The notebook tags words with a pretrained WordPiece encoder (helpers.minilm).
Its graded functions turn words into sub-tokens with aligned labels, build the
model, write the masked loss, map sub-token predictions back to words and
score entities; this module holds what is not graded:

- `load_wnut17`: the WNUT-17 emerging-entity data (Derczynski et al. 2017,
  CC BY 4.0; datasets/PROVENANCE.md), checksum-verified like wikigold;
- `length_sorted_batches`: batches of sentences of similar sub-token length,
  each trimmed to its longest row, so a step computes no attention over
  padding columns that no row needs;
- `fine_tune`: epochs of `model.train_on_batch` with early stopping on a dev
  score (a callable the notebook writes from its graded functions), keeping
  the weights of the best epoch, with a progress bar;
- `load_bilstm_predictions`: the wikigold test tags of notebook 04's 2-layer
  BiLSTM tagger, trained once by the instructors (only its tags ship, since
  its architecture is an answer of 04), checksum-verified.

Label convention: IGNORE_INDEX (-100) marks a position the loss skips (special
tokens, padding and every sub-token of a word but its first), as in
PyTorch's ``cross_entropy(ignore_index=-100)`` and transformers' token
classification models.
"""

import time
from dataclasses import dataclass

import numpy as np

from helpers import ner

IGNORE_INDEX = -100
NO_WORD = -1  # word index of a sub-token that belongs to no word ([CLS], [SEP], padding); also "no word here"
OUTSIDE_INDEX = 0  # the index of "O": helpers.ner.build_tag_vocab puts it first in every tag vocabulary
BILSTM_PREDICTIONS = "models/bilstm_tagger.wikigold-test.json"
WNUT17 = {split: f"ner/wnut17/{split}.conll" for split in ("train", "dev", "test")}
LENGTH_BUCKET = 8  # batches are trimmed to a multiple of this: few distinct shapes, so few retraced graphs


def load_wnut17(root=None):
    """{"train", "dev", "test"}: lists of (tokens, tags); 3,394 / 1,009 / 1,287 sentences, six entity types."""
    return {split: ner.read_conll(path, root) for split, path in WNUT17.items()}


def load_bilstm_predictions(root=None):
    """(test_tags, facts) of notebook 04's 2-layer BiLSTM tagger on the wikigold test split.

    test_tags : one list of IOB2 tags per test sentence, in the order of ner.load_wikigold()["test"]
    facts : dict with its hyperparameters, seed, training time, dev F1 per epoch and "test" scores
            (precision, recall, f1); datasets/models/bilstm_tagger.md is the same card for people
    Raises helpers.data.DataFileError if the file is missing or was edited (checksum).
    """
    import json

    from helpers.data import dataset_path

    shipped = json.loads(dataset_path(BILSTM_PREDICTIONS, root).read_text(encoding="utf-8"))
    return shipped["test_tags"], shipped["facts"]


@dataclass
class EncodedSplit:
    """One split as the model reads it.

    input_ids, attention_mask, labels : int32 (m, max_length); labels hold IGNORE_INDEX where the loss skips
    word_ids : int32 (m, max_length), the word each sub-token comes from, NO_WORD (-1) for special tokens and padding
    words, tags : the m sentences' words and gold tags (lists of str)
    """

    input_ids: np.ndarray
    attention_mask: np.ndarray
    labels: np.ndarray
    word_ids: np.ndarray
    words: list
    tags: list

    def __len__(self):
        return len(self.words)


def length_sorted_batches(attention_mask, batch_size, rng=None, bucket=LENGTH_BUCKET):
    """(row indices, columns kept) per batch: rows of similar length, trimmed to the batch's longest row.

    attention_mask : (m, max_length), 1 at real sub-tokens (padding at the end of each row)
    rng : numpy Generator to shuffle rows within equal lengths and the batch order (training); None keeps
          the order deterministic (evaluation)
    bucket : columns are rounded up to a multiple of this (bucket >= max_length: every batch keeps them all)
    Returns a list of (int ndarray of rows, int columns), columns rounded up to a multiple of `bucket`
    but never past max_length.
    """
    lengths = np.asarray(attention_mask).sum(axis=1)
    noise = rng.random(len(lengths)) if rng is not None else np.zeros(len(lengths))
    order = np.lexsort((noise, lengths))
    batches = []
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        columns = min(ner.padded_length(int(lengths[rows].max()), bucket), np.shape(attention_mask)[1])
        batches.append((rows, columns))
    if rng is not None:
        rng.shuffle(batches)
    return batches


def model_inputs(split, rows, columns):
    """The Keras backbone's inputs (token_ids, segment_ids, padding_mask) for some rows, trimmed to `columns`."""
    ids = split.input_ids[rows, :columns]
    return {"token_ids": ids, "segment_ids": np.zeros_like(ids), "padding_mask": split.attention_mask[rows, :columns]}


def predict_logits(model, split, batch_size=32):
    """Sub-token logits (m, max_length, n_tags) float32 of a whole split; trimmed columns come back as zeros."""
    import keras

    logits = None
    for rows, columns in length_sorted_batches(split.attention_mask, batch_size):
        # a plain call: nothing to compile, so batches of new lengths cost no retracing
        out = keras.ops.convert_to_numpy(model(model_inputs(split, rows, columns), training=False))
        if logits is None:
            logits = np.zeros(split.input_ids.shape + (out.shape[-1],), dtype=np.float32)
        logits[rows, :columns] = out
    return logits


def fine_tune(model, train, dev_score, epochs, batch_size, patience=1, seed=0, max_steps=None,
              bucket=LENGTH_BUCKET):
    """Train `model` (compiled) on `train` with early stopping on `dev_score`; keep the best epoch's weights.

    dev_score : callable(model) -> float, higher is better (e.g. dev entity F1), run after each epoch
    patience : epochs without a better dev score before stopping
    max_steps : stop an epoch after this many batches (quick mode trains on a slice)
    bucket : batch widths are multiples of this (see length_sorted_batches); each new width costs Keras
             a trace of the training step, a few seconds for MiniLM
    Returns a dict: "loss" (mean training loss per epoch), "dev" (dev score per epoch), "best_epoch"
    (counted from 1), "seconds" (training and scoring time).
    """
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    if not model.optimizer.built:
        # the optimizer's slots made now, not inside the first traced step, which TensorFlow would then trace twice
        model.optimizer.build(model.trainable_variables)
    history = {"loss": [], "dev": [], "best_epoch": 0, "seconds": 0.0}
    best_weights, best, waited, started = None, -np.inf, 0, time.perf_counter()
    for epoch in range(1, epochs + 1):
        batches = length_sorted_batches(train.attention_mask, batch_size, rng, bucket)[:max_steps]
        losses = []
        for rows, columns in tqdm(batches, desc=f"epoch {epoch}/{epochs}", leave=False):
            loss = model.train_on_batch(model_inputs(train, rows, columns), train.labels[rows, :columns])
            losses.append(float(np.ravel(loss)[0]))
        history["loss"].append(float(np.mean(losses)))
        history["dev"].append(float(dev_score(model)))
        print(f"epoch {epoch}: training loss {history['loss'][-1]:.4f}, dev score {history['dev'][-1]:.4f}")
        if history["dev"][-1] > best:
            best, best_weights, waited, history["best_epoch"] = history["dev"][-1], model.get_weights(), 0, epoch
        else:
            waited += 1
            if waited >= patience:
                print(f"no better dev score for {patience} epoch(s): stopping, keeping epoch {history['best_epoch']}")
                break
    model.set_weights(best_weights)
    history["seconds"] = time.perf_counter() - started
    return history


def tag_names(word_tags, n_words, index_to_tag):
    """Tag strings per sentence (what seqeval reads) from word-level tag indices.

    word_tags : int array (m, W), row i holding the tag indices of sentence i's n_words[i] words first
    Returns m lists of str, list i of length n_words[i].
    """
    return [[index_to_tag[int(k)] for k in row[:n]] for row, n in zip(np.asarray(word_tags), n_words)]


def memorization_tagger(train_sentences):
    """A baseline that tags each word with the tag it carried most often in training ("O" when unseen).

    The classic lower bound of NER evaluations (the CoNLL-2003 baseline tags only words seen as entities).
    Returns tag(words) -> list of tags, one per word; ties go to the alphabetically first tag.
    """
    from collections import Counter

    seen = {}
    for words, tags in train_sentences:
        for word, tag in zip(words, tags):
            seen.setdefault(word, Counter())[tag] += 1
    best = {word: min(counts, key=lambda t: (-counts[t], t)) for word, counts in seen.items()}

    def tag(words):
        return [best.get(word, ner.OUTSIDE) for word in words]

    return tag


def entity_errors(words, gold, predicted):
    """The entity-level mistakes in one sentence, each a dict with "kind", "gold" and "predicted" text.

    kind : "missed" (a gold entity no prediction overlaps), "spurious" (a predicted entity no gold one overlaps),
           "wrong type" (the same span, another type), "wrong boundary" (overlapping spans that differ)
    gold, predicted : IOB2 tags of the words; entities are read as seqeval reads them (conlleval rules).
    """
    from seqeval.metrics.sequence_labeling import get_entities

    def spans(tags):
        return {(start, end + 1, kind) for kind, start, end in get_entities(list(tags))}

    def text(span):
        return "" if span is None else f"{' '.join(words[span[0]:span[1]])} ({span[2]})"

    gold_spans, predicted_spans = spans(gold), spans(predicted)
    errors = []
    for g in sorted(gold_spans - predicted_spans):
        overlapping = [p for p in predicted_spans if p[0] < g[1] and g[0] < p[1]]
        if not overlapping:
            errors.append({"kind": "missed", "gold": text(g), "predicted": ""})
            continue
        p = overlapping[0]
        kind = "wrong type" if p[:2] == g[:2] else "wrong boundary"
        errors.append({"kind": kind, "gold": text(g), "predicted": text(p)})
    for p in sorted(predicted_spans - gold_spans):
        if not any(g[0] < p[1] and p[0] < g[1] for g in gold_spans):
            errors.append({"kind": "spurious", "gold": "", "predicted": text(p)})
    return errors
