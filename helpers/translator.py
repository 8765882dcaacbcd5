"""The course's French -> English translator: data, tokenizers, a GRU encoder-decoder with attention, fast decoding steps.

Notebook 08 (beam search and BLEU) builds on this model; `make models
MODEL=translator` trains it (helpers.trained_models) and the notebook loads
the committed weights.

Data
----
Tatoeba sentence pairs as published by manythings.org (`PAIRS_FILE`, a
seeded subset of pairs with at most MAX_WORDS words a side; see
datasets/PROVENANCE.md). `normalize` turns the narrow and ordinary no-break
spaces French typography puts before "?", "!" and ":" (U+202F, U+00A0) into
plain spaces. `split_pairs` splits **by English sentence**: every English
sentence, with all its French translations, lands in exactly one of train,
dev and test, so no test reference was ever a training target. The test set
keeps one pair per English sentence (the first French translation in file
order), so each test source has one reference.

Tokenizers
----------
One byte-pair-encoding tokenizer per language (Hugging Face `tokenizers`,
Sennrich et al. 2016), trained on the training split: lower-casing and NFKC
normalization, words and punctuation split apart, sub-words marked with the
end-of-word suffix "</w>" so decoding restores the words. Special tokens
take the first ids: PAD_ID = 0, UNK_ID = 1, BOS_ID = 2, EOS_ID = 3. The
trained tokenizers ship beside the weights (`TOKENIZER_FILES`), so every
machine reads the same ids. BLEU is computed on *words*: `words` splits a
sentence the same way (lower case, punctuation apart), and decoding a token
sequence gives those words.

Model (Luong et al. 2015, "Effective Approaches to Attention-based Neural
Machine Translation", global dot-product attention)
---------------------------------------------------------------------------
    encoder:  embedding (EMBEDDING_DIM) -> bidirectional GRU (ENCODER_UNITS
              each way), outputs h_1 .. h_Tx of size DECODER_UNITS
    bridge:   s_0 = tanh(W_b [forward final state; backward final state] + b_b)
    decoder:  embedding of the previous English token -> GRU (DECODER_UNITS)
              s_t; scores e_tj = s_t . h_j over the real source tokens;
              alpha_t = softmax(e_t); context c_t = sum_j alpha_tj h_j;
              o_t = tanh(W_c [s_t; c_t] + b_c); logits = W_o o_t + b_o
Training uses teacher forcing (the decoder reads the reference's previous
token). Decoding feeds the model's own choices back one token at a time:
`Decoder` does one step for k hypotheses at once in numpy (a Keras call per
step costs milliseconds; this costs tens of microseconds), with the trained
weights, and agrees with the Keras model to float32 round-off (a test checks it).

The decoding interface the notebook grades against
--------------------------------------------------
    step(last_tokens, state) -> (log_probs, new_state)
        last_tokens  (k,) int, the last token of each of k hypotheses
        state        (k, n) float, the decoder state after that hypothesis's prefix
        log_probs    (k, V) float64, log P(next token | prefix, source)
        new_state    (k, n) float, the state after reading last_tokens
`Decoder.for_source(sentence)` gives a step function and the initial state
(1, n) for one French sentence. The encoder runs once per sentence: a Keras
call costs tens of milliseconds, more than a whole beam search, so its output
is kept, and `Decoder.encode_sources(sentences)` encodes many in batches first.
"""

import random
import time
from collections import Counter
from pathlib import Path

import numpy as np

from helpers.data import data_dir, dataset_path

PAIRS_FILE = "parallel/fra-eng.short.txt"
MAX_WORDS = 10  # the subset keeps pairs with at most this many words a side; BLEU targets are stated for them
SPLIT_SEED = 0
N_TEST = 1_000  # English sentences held out for the test set (one pair each)
N_DEV = 500  # English sentences held out for choosing settings (all their pairs)

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[BOS]", "[EOS]")  # in id order
WORD_SUFFIX = "</w>"
SOURCE_VOCAB = 3_000
TARGET_VOCAB = 2_000
TOKENIZER_FILES = {"fr": "models/translator.fr-tokenizer.json", "en": "models/translator.en-tokenizer.json"}

EMBEDDING_DIM = 96
ENCODER_UNITS = 96  # each direction; the encoder's outputs have 2 * ENCODER_UNITS = DECODER_UNITS entries
DECODER_UNITS = 2 * ENCODER_UNITS
MAX_TARGET_TOKENS = 24  # longest decoded output (tokens before [EOS]); the longest test reference has fewer

BATCH_SIZE = 64
ENCODE_BATCH_SIZE = 256  # sentences per encoder call when many are encoded for decoding
EPOCHS = 8
LEARNING_RATE = 2e-3
CLIP_NORM = 1.0
BUCKET_WIDTH = 8  # batches are padded to a multiple of this many tokens

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


# --------------------------------------------------------------------------- data


def normalize(text):
    """`text` with U+00A0 and U+202F turned into spaces, runs of spaces collapsed, ends stripped."""
    return " ".join(text.translate(_SPACES).split())


def load_pairs(root=None):
    """Every (french, english) pair of the course's subset, normalized, in file order.

    Raises
    ------
    helpers.data.DataFileError  if the file is missing or fails its checksum
    """
    path = dataset_path(PAIRS_FILE, root)
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        english, french = line.split("\t")[:2]
        pairs.append((normalize(french), normalize(english)))
    return pairs


def split_pairs(pairs, seed=SPLIT_SEED, n_test=N_TEST, n_dev=N_DEV):
    """Split by English sentence: {"train", "dev", "test"} -> list of (french, english).

    A seeded shuffle of the distinct English sentences (sorted first, so the
    split does not depend on the file's order) gives n_test test sentences,
    n_dev dev sentences and the rest for training; each pair goes where its
    English goes. The test split keeps one pair per English sentence (the
    first in `pairs`), the others keep every pair.
    """
    english = sorted({en for _, en in pairs})
    random.Random(seed).shuffle(english)
    test, dev = set(english[:n_test]), set(english[n_test:n_test + n_dev])
    split = {"train": [], "dev": [], "test": []}
    seen_test = set()
    for fr, en in pairs:
        if en in test:
            if en not in seen_test:
                seen_test.add(en)
                split["test"].append((fr, en))
        elif en in dev:
            split["dev"].append((fr, en))
        else:
            split["train"].append((fr, en))
    return split


def load_split(root=None):
    """`split_pairs(load_pairs())`: the splits every notebook and the trained model use."""
    return split_pairs(load_pairs(root))


# --------------------------------------------------------------------------- tokenizers


def _new_tokenizer():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]", end_of_word_suffix=WORD_SUFFIX))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.decoder = decoders.BPEDecoder(suffix=WORD_SUFFIX)
    return tokenizer


def train_tokenizer(sentences, vocab_size):
    """A BPE tokenizer (`tokenizers.Tokenizer`) trained on `sentences` with `vocab_size` tokens, specials first."""
    from tokenizers import trainers

    tokenizer = _new_tokenizer()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS),
                                  end_of_word_suffix=WORD_SUFFIX, show_progress=False)
    tokenizer.train_from_iterator(sentences, trainer)
    return tokenizer


def load_tokenizers(root=None):
    """{"fr": Tokenizer, "en": Tokenizer}: the shipped, checksum-verified tokenizers of the trained model."""
    from tokenizers import Tokenizer

    return {lang: Tokenizer.from_file(str(dataset_path(rel, root))) for lang, rel in TOKENIZER_FILES.items()}


def words(sentence):
    """The words BLEU counts: lower case, punctuation split from the words, as the tokenizers split them.

    ``words("Je l'ai vu !")`` -> ``['je', 'l', "'", 'ai', 'vu', '!']``.
    """
    from tokenizers import normalizers, pre_tokenizers

    text = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()]).normalize_str(sentence)
    return [piece for piece, _ in pre_tokenizers.Whitespace().pre_tokenize_str(text)]


def encode_batch(sentences, tokenizer, add_bos=False, add_eos=False):
    """(m, T) int32 ids of `sentences`, padded with PAD_ID after each sentence's tokens (T = the longest)."""
    rows = []
    for encoding in tokenizer.encode_batch(list(sentences)):
        rows.append(([BOS_ID] if add_bos else []) + encoding.ids + ([EOS_ID] if add_eos else []))
    width = max(len(row) for row in rows)
    ids = np.full((len(rows), width), PAD_ID, dtype=np.int32)
    for i, row in enumerate(rows):
        ids[i, :len(row)] = row
    return ids


def decode_tokens(tokens, tokenizer):
    """The English words of a token sequence: stops at the first EOS_ID, ignores PAD_ID and BOS_ID."""
    ids = []
    for token in tokens:
        token = int(token)
        if token == EOS_ID:
            break
        if token not in (PAD_ID, BOS_ID):
            ids.append(token)
    return tokenizer.decode(ids).split()


# --------------------------------------------------------------------------- model


def build_model():
    """The translator for teacher forcing: [source ids (m, T_x), decoder input ids (m, T_y)] -> logits (m, T_y, V).

    Layers are named so `Decoder` can read their weights. Built, not trained.
    """
    import keras
    from keras import layers

    source = keras.Input((None,), dtype="int32", name="source_ids")
    target_in = keras.Input((None,), dtype="int32", name="target_in_ids")
    source_mask = keras.ops.not_equal(source, PAD_ID)
    target_mask = keras.ops.not_equal(target_in, PAD_ID)

    x = layers.Embedding(SOURCE_VOCAB, EMBEDDING_DIM, name="source_embedding")(source)
    encoder = layers.Bidirectional(layers.GRU(ENCODER_UNITS, return_sequences=True, return_state=True),
                                   name="encoder_gru")
    memory, forward_state, backward_state = encoder(x, mask=source_mask)
    s0 = layers.Dense(DECODER_UNITS, activation="tanh", name="bridge")(
        layers.Concatenate()([forward_state, backward_state]))

    y = layers.Embedding(TARGET_VOCAB, EMBEDDING_DIM, name="target_embedding")(target_in)
    states = layers.GRU(DECODER_UNITS, return_sequences=True, name="decoder_gru")(
        y, initial_state=s0, mask=target_mask)
    context = layers.Attention(name="attention")([states, memory], mask=[target_mask, source_mask])
    combined = layers.Dense(DECODER_UNITS, activation="tanh", name="combine")(
        layers.Concatenate()([states, context]))
    logits = layers.Dense(TARGET_VOCAB, name="logits")(combined)
    return keras.Model([source, target_in], logits, name="translator")


def teacher_forcing_arrays(pairs, tokenizers):
    """(source ids, decoder input ids, decoder target ids) of `pairs`; targets are the inputs shifted by one."""
    source = encode_batch([fr for fr, _ in pairs], tokenizers["fr"])
    full = encode_batch([en for _, en in pairs], tokenizers["en"], add_bos=True, add_eos=True)
    target_in = np.where(full[:, :-1] == EOS_ID, PAD_ID, full[:, :-1]).astype(np.int32)
    return source, target_in, full[:, 1:]


def _width(length):
    """`length` rounded up to a multiple of BUCKET_WIDTH: few distinct batch shapes, little padding."""
    return -(-length // BUCKET_WIDTH) * BUCKET_WIDTH


def length_buckets(arrays, batch_size, seed):
    """Batches of similar lengths: a list of (source, target_in, target_out) trimmed to their bucket's width.

    Examples are grouped by the widths of their source and target (`_width`),
    each group is cut into batches in a seeded random order, and the batches
    are returned in a seeded random order. Padding drops from about two
    thirds of every batch to a few tokens, so an epoch takes a third of the time.
    """
    source, target_in, target_out = arrays
    rng = np.random.default_rng(seed)
    keys = np.stack([[_width(n) for n in (source != PAD_ID).sum(1)],
                     [_width(n) for n in (target_out != PAD_ID).sum(1)]], axis=1)
    batches = []
    for key in sorted({tuple(k) for k in keys}):
        members = rng.permutation(np.flatnonzero((keys == key).all(axis=1)))
        for start in range(0, len(members), batch_size):
            rows = members[start:start + batch_size]
            batches.append((source[rows, :key[0]], target_in[rows, :key[1]], target_out[rows, :key[1]]))
    return [batches[i] for i in rng.permutation(len(batches))]


def fit(model, train, dev, epochs, seed, batch_size=BATCH_SIZE):
    """Train on `length_buckets` of the arrays, new batches every epoch; returns the dev loss after each epoch.

    A loop of `train_on_batch` calls (batches differ in width, which a
    keras.utils.PyDataset does not allow) with a tqdm bar per epoch.
    """
    from tqdm.auto import tqdm

    dev_losses = []
    for epoch in range(epochs):
        bar = tqdm(length_buckets(train, batch_size, seed + epoch), desc=f"epoch {epoch + 1}/{epochs}", unit="batch")
        for source, target_in, target_out in bar:
            loss = model.train_on_batch([source, target_in], target_out)
            bar.set_postfix(loss=f"{float(loss):.3f}", refresh=False)
        dev_batches = length_buckets(dev, batch_size, seed)
        sizes = [len(batch[0]) for batch in dev_batches]
        losses = [float(model.test_on_batch([batch[0], batch[1]], batch[2])) for batch in dev_batches]
        dev_losses.append(float(np.average(losses, weights=sizes)))
        print(f"epoch {epoch + 1}: dev loss {dev_losses[-1]:.3f}")
    return dev_losses


def _compile(model):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, clipnorm=CLIP_NORM),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD_ID))


def train_model(seed):
    """Train tokenizers and model on the training split (seeded); write the tokenizers beside the weights.

    Returns (model, facts) as helpers.trained_models expects.
    """
    from helpers import trained_models

    split = load_split()
    tokenizers = {"fr": train_tokenizer([fr for fr, _ in split["train"]], SOURCE_VOCAB),
                  "en": train_tokenizer([en for _, en in split["train"]], TARGET_VOCAB)}
    root = data_dir()
    for lang, rel in TOKENIZER_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        tokenizers[lang].save(str(root / rel))
    trained_models._update_manifest(root, list(TOKENIZER_FILES.values()))

    model = build_model()
    _compile(model)
    train = teacher_forcing_arrays(split["train"], tokenizers)
    dev = teacher_forcing_arrays(split["dev"], tokenizers)
    dev_losses = fit(model, train, dev, EPOCHS, seed)
    facts = {
        "data": f"{PAIRS_FILE} (Tatoeba via manythings.org, CC BY 2.0), pairs of at most {MAX_WORDS} words a side",
        "split": {"by": "English sentence", "train pairs": len(split["train"]), "dev pairs": len(split["dev"]),
                  "test pairs": len(split["test"]), "seed": SPLIT_SEED},
        "hyperparameters": {"tokenizer": f"BPE, {SOURCE_VOCAB} French / {TARGET_VOCAB} English tokens",
                            "embedding": EMBEDDING_DIM, "encoder GRU": f"{ENCODER_UNITS} x 2 directions",
                            "decoder GRU": DECODER_UNITS, "attention": "dot product (Luong)",
                            "optimizer": f"Adam {LEARNING_RATE}, clipnorm {CLIP_NORM}", "batch": BATCH_SIZE,
                            "epochs": EPOCHS},
        "dev loss per epoch": [round(loss, 4) for loss in dev_losses],
    }
    # a compiled model's weights file would carry Adam's two moments as well (three times the size): ship a
    # fresh, uncompiled copy holding only the layers' weights
    shipped = build_model()
    shipped.set_weights(model.get_weights())
    return shipped, facts


# --------------------------------------------------------------------------- decoding in numpy


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class Decoder:
    """The trained decoder, one step at a time, in numpy (float32 weights, float64 log-probabilities).

    Build it once per model: ``decoder = Decoder(model, tokenizers)``.
    """

    def __init__(self, model, tokenizers):
        import keras

        self.tokenizers = tokenizers
        self.encoder = keras.Model(model.inputs[0], [model.get_layer("encoder_gru").output[0],
                                                     model.get_layer("bridge").output])
        self.embedding = model.get_layer("target_embedding").get_weights()[0]
        self.kernel, self.recurrent, self.gru_bias = model.get_layer("decoder_gru").get_weights()
        self.combine_w, self.combine_b = model.get_layer("combine").get_weights()
        self.out_w, self.out_b = model.get_layer("logits").get_weights()
        self.vocab_size = self.out_w.shape[1]
        self._encoded = {}  # sentence -> (memory (1, T_x, n), mask (1, T_x), initial state (1, n)), by encode_sources

    def encode(self, sentences):
        """(memory (m, T_x, n), source mask (m, T_x) bool, initial states (m, n)) of French `sentences`."""
        ids = encode_batch(sentences, self.tokenizers["fr"])
        memory, s0 = self.encoder(ids, training=False)
        return np.asarray(memory), ids != PAD_ID, np.asarray(s0)

    def gru_step(self, tokens, state):
        """Keras GRU (reset_after=True) for one step: (k,) tokens, (k, n) state -> (k, n) new state."""
        n = state.shape[1]
        x = self.embedding[tokens] @ self.kernel + self.gru_bias[0]
        h = state @ self.recurrent + self.gru_bias[1]
        z = 1 / (1 + np.exp(-(x[:, :n] + h[:, :n])))
        r = 1 / (1 + np.exp(-(x[:, n:2 * n] + h[:, n:2 * n])))
        candidate = np.tanh(x[:, 2 * n:] + r * h[:, 2 * n:])
        return z * state + (1 - z) * candidate

    def step(self, tokens, state, memory, mask):
        """One decoding step for k hypotheses of sources (k, T_x, n): (log-probs (k, V) float64, new state, weights)."""
        new_state = self.gru_step(tokens, state)
        scores = np.einsum("kn,ktn->kt", new_state, memory)
        scores = np.where(mask, scores, -np.inf)
        weights = np.exp(scores - scores.max(axis=1, keepdims=True))
        weights /= weights.sum(axis=1, keepdims=True)
        context = np.einsum("kt,ktn->kn", weights, memory)
        combined = np.tanh(np.concatenate([new_state, context], axis=1) @ self.combine_w + self.combine_b)
        logits = combined @ self.out_w + self.out_b
        return _log_softmax(logits.astype(np.float64)), new_state, weights

    def encode_sources(self, sentences, batch_size=ENCODE_BATCH_SIZE):
        """Encode the French `sentences` not encoded yet, `batch_size` at a time, and keep each one's encoder output.

        A sentence's memory is cut to its own tokens (the batch pads after them), so for_source sees the same
        shapes as when it encodes the sentence alone; the values agree to float32 round-off.
        """
        new = [sentence for sentence in dict.fromkeys(sentences) if sentence not in self._encoded]
        for start in range(0, len(new), batch_size):
            chunk = new[start:start + batch_size]
            memory, mask, s0 = self.encode(chunk)
            for i, sentence in enumerate(chunk):
                length = int(mask[i].sum())
                self._encoded[sentence] = (memory[i:i + 1, :length].copy(), mask[i:i + 1, :length].copy(),
                                           s0[i:i + 1].copy())

    def for_source(self, sentence):
        """(step, initial_state (1, n)) for one French sentence: step(last_tokens, state) -> (log_probs, new_state).

        The initial state is a fresh copy on every call: a search that writes into it changes nothing kept.
        """
        if sentence not in self._encoded:
            self.encode_sources([sentence])
        memory, mask, s0 = self._encoded[sentence]

        def step(last_tokens, state):
            tokens = np.asarray(last_tokens, dtype=np.int64)
            k = len(tokens)
            log_probs, new_state, _ = self.step(tokens, np.asarray(state, dtype=np.float32),
                                                np.broadcast_to(memory, (k,) + memory.shape[1:]),
                                                np.broadcast_to(mask, (k,) + mask.shape[1:]))
            return log_probs, new_state

        return step, s0.copy()

    def greedy_batch(self, sentences, max_tokens=MAX_TARGET_TOKENS):
        """Greedy translations of many sentences at once: list of token lists (each ends with EOS_ID if it ended)."""
        memory, mask, state = self.encode(sentences)
        tokens = np.full(len(sentences), BOS_ID, dtype=np.int64)
        out = [[] for _ in sentences]
        done = np.zeros(len(sentences), dtype=bool)
        for _ in range(max_tokens + 1):
            log_probs, state, _ = self.step(tokens, state, memory, mask)
            tokens = np.argmax(log_probs, axis=1)
            for i in np.flatnonzero(~done):
                out[i].append(int(tokens[i]))
            done |= tokens == EOS_ID
            if done.all():
                break
        return out


# --------------------------------------------------------------------------- held-out evaluation


def sacrebleu_score(hypotheses, references):
    """sacreBLEU of word lists against one reference word list each (lower-cased words, no further tokenization)."""
    import sacrebleu

    return sacrebleu.corpus_bleu([" ".join(h) for h in hypotheses], [[" ".join(r) for r in references]],
                                 tokenize="none", force=True).score


def evaluate_model(model):
    """{"test_bleu_greedy", "test_token_accuracy"} on the test split (seconds: numpy decoding, one batch)."""
    import keras

    tokenizers = load_tokenizers()
    test = load_split()["test"]
    decoder = Decoder(model, tokenizers)
    outputs = decoder.greedy_batch([fr for fr, _ in test])
    hypotheses = [decode_tokens(tokens, tokenizers["en"]) for tokens in outputs]
    bleu = sacrebleu_score(hypotheses, [words(en) for _, en in test])
    source, target_in, target_out = teacher_forcing_arrays(test, tokenizers)
    logits = keras.ops.convert_to_numpy(model.predict([source, target_in], batch_size=256, verbose=0))
    real = target_out != PAD_ID
    accuracy = float(np.mean((np.argmax(logits, axis=-1) == target_out)[real]))
    return {"test_bleu_greedy": bleu, "test_token_accuracy": accuracy}


# Greedy decoding takes an argmax at every step: another CPU's float32 round-off (1e-6) can flip a near-tie and
# change the rest of that one sentence, moving corpus BLEU by about 0.1 over 1,000 sentences; 0.5 leaves room for a
# few such flips. Token accuracy is teacher-forced: one flipped argmax among the ~6,000 test tokens is 1.7e-4.
METRIC_TOLERANCE = {"test_bleu_greedy": 0.5, "test_token_accuracy": 2e-3}
