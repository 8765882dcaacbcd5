"""Notebook 04's tagger, trained once so that notebook 14 can compare with it on the same test sentences.

Notebook 14 sets its fine-tuned transformer beside the 2-layer bidirectional
LSTM tagger of notebook 04. That tagger's architecture is a graded answer of
04 (`build_tagger`), so it must not be shipped in helpers/; this instructor
module builds and trains it and ships only what 14 reads, its tags for the
wikigold test sentences:

    .venv/bin/python -m graders.instructor.ner_bilstm

writes, under datasets/models/,

    bilstm_tagger.wikigold-test.json   {"facts": {...}, "test_tags": [[tag, ...], ...]}: the hyperparameters,
                                       seed, training time, dev F1 per epoch and test scores, and one list of
                                       IOB2 tags per test sentence, in the file's order
    bilstm_tagger.md                   the card: the same facts for people

and replaces both files' lines in datasets/SHA256SUMS, so
`helpers.ner_transformer.load_bilstm_predictions` refuses an edited file.

The recipe is 04's full mode (its part 5, 2 layers, bidirectional): words
seen at least MIN_COUNT times in training get an embedding learned from
scratch, dropout after the embedding and after each layer, Adam, batches of
sentences of similar length, a fixed number of epochs, the last epoch kept.
Source: Lample et al. (2016), "Neural Architectures for Named Entity
Recognition" (the BiLSTM tagger, here without the CRF and character features).
"""

import json
import os
import time

import numpy as np

from helpers import ner, ner_transformer, trained_models
from helpers.data import data_dir

NAME = "bilstm_tagger"
MODULE = "graders.instructor.ner_bilstm"  # as `python -m` names it (__name__ is "__main__" then)
PREDICTIONS = ner_transformer.BILSTM_PREDICTIONS  # the path notebook 14 reads
CARD = f"{trained_models.MODELS_SUBDIR}/{NAME}{trained_models.CARD_SUFFIX}"
SEED = 0
MIN_COUNT = 2  # words seen once in training share the unknown-word embedding (as in 04)
EMB_DIM = 100
N_A = 100  # LSTM units per direction
N_LAYERS = 2
DROPOUT = 0.5
EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 3e-3


def build_model(vocab_size, n_tags):
    """Words (m, T_x) int32 -> tag probabilities (m, T_x, n_tags): embedding, N_LAYERS BiLSTMs, softmax."""
    import keras

    words = keras.Input(shape=(None,), dtype="int32")
    h = keras.layers.Dropout(DROPOUT)(keras.layers.Embedding(vocab_size, EMB_DIM, mask_zero=True)(words))
    for _ in range(N_LAYERS):
        h = keras.layers.Dropout(DROPOUT)(keras.layers.Bidirectional(keras.layers.LSTM(N_A, return_sequences=True))(h))
    return keras.Model(words, keras.layers.Dense(n_tags, activation="softmax")(h))


def tag_sentences(model, sentences, word_to_index, tag_to_index, index_to_tag):
    """IOB2 tags the model gives each (tokens, tags) sentence, one padded batch per call."""
    import keras

    X, _, mask = ner.pad_sentences(sentences, word_to_index, tag_to_index)
    return ner.predicted_tags(keras.ops.convert_to_numpy(model(X, training=False)), mask, index_to_tag)


def train(seed=SEED):
    """Train the tagger on wikigold's training split; returns (facts, test tags)."""
    import keras
    from tqdm.auto import tqdm

    keras.utils.set_random_seed(seed)
    data = ner.load_wikigold()
    word_to_index, index_to_word = ner.build_word_vocab(data["train"], min_count=MIN_COUNT)
    tag_to_index, index_to_tag = ner.build_tag_vocab(data["train"])
    model = build_model(len(index_to_word), len(index_to_tag))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(seed)
    dev_f1, started = [], time.perf_counter()
    for _ in tqdm(range(EPOCHS), desc="2-layer BiLSTM on wikigold"):
        for batch in ner.length_batches(data["train"], BATCH_SIZE, rng):
            chosen = [data["train"][i] for i in batch]
            T_x = ner.padded_length(max(len(tokens) for tokens, _ in chosen))  # few distinct shapes
            X, Y, mask = ner.pad_sentences(chosen, word_to_index, tag_to_index, T_x=T_x)
            model.train_on_batch(X, Y, sample_weight=mask)
        dev_pred = tag_sentences(model, data["dev"], word_to_index, tag_to_index, index_to_tag)
        dev_f1.append(round(ner.entity_scores([tags for _, tags in data["dev"]], dev_pred)["f1"], 4))
    seconds = time.perf_counter() - started
    test_tags = tag_sentences(model, data["test"], word_to_index, tag_to_index, index_to_tag)
    facts = {
        "name": NAME,
        "module": MODULE,
        "seed": seed,
        "data": "ner/wikigold (the split of notebook 04)",
        "split": {"train": len(data["train"]), "dev": len(data["dev"]), "test": len(data["test"])},
        "hyperparameters": {"layers": f"{N_LAYERS} x bidirectional LSTM, {N_A} units per direction",
                            "embedding": f"{EMB_DIM}, learned from scratch; words seen at least {MIN_COUNT} times",
                            "dropout": DROPOUT, "optimizer": f"Adam {LEARNING_RATE}", "batch": BATCH_SIZE,
                            "epochs": f"{EPOCHS}, the last one kept"},
        "parameters": int(model.count_params()),
        "training_seconds": round(seconds, 1),
        "cpu_cores": os.cpu_count(),
        "dev_f1_per_epoch": dev_f1,
        "test": {key: round(value, 4)
                 for key, value in ner.entity_scores([tags for _, tags in data["test"]], test_tags).items()},
    }
    return facts, test_tags


def render_card(facts):
    """Markdown card of the shipped predictions."""
    hyper = "; ".join(f"{key} = {value}" for key, value in facts["hyperparameters"].items())
    test = facts["test"]
    return f"""# Model card: {facts['name']} (predictions only)

Notebook 04's 2-layer bidirectional LSTM tagger, trained by `.venv/bin/python -m {facts['module']}`
with seed {facts['seed']}. Only its tags for the wikigold test sentences ship
(`{os.path.basename(PREDICTIONS)}`): notebook 14 compares them with its fine-tuned
transformer. The weights are not shipped, since the architecture is an answer of notebook 04.

- **Data:** {facts['data']}
- **Split:** train {facts['split']['train']}, dev {facts['split']['dev']}, test {facts['split']['test']} sentences
- **Hyperparameters:** {hyper}
- **Parameters:** {facts['parameters']:,}
- **Training time:** {facts['training_seconds']:.0f} s on {facts['cpu_cores']} CPU cores
- **Dev entity F1 per epoch:** {', '.join(f'{f:.3f}' for f in facts['dev_f1_per_epoch'])}
- **Test (entity level, seqeval):** precision {test['precision']:.4f}, recall {test['recall']:.4f}, F1 {test['f1']:.4f}
"""


def main():
    """Train, then write the predictions, the card and their checksums."""
    facts, test_tags = train()
    root = data_dir()
    (root / PREDICTIONS).write_text(json.dumps({"facts": facts, "test_tags": test_tags}) + "\n", encoding="utf-8")
    (root / CARD).write_text(render_card(facts), encoding="utf-8")
    trained_models._update_manifest(root, [PREDICTIONS, CARD])
    print(f"{NAME}: test entity F1 {facts['test']['f1']:.4f}, {facts['training_seconds']:.0f} s; wrote {PREDICTIONS}")


if __name__ == "__main__":
    main()
