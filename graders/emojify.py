"""Checks for notebook 07, emojify: a sentence-average softmax classifier in numpy (V1) and an LSTM
classifier on frozen GloVe vectors in Keras (V2).

The numpy functions and sentences_to_indices are compared with outputs
recorded from the reference solution (graders/references/07_emojify.npz,
written by `make references`), on tiny vocabularies with seeded random
vectors, never on GloVe itself. The Keras pieces are graded by behaviour only
(graders.behaviour): the embedding layer by its lookups, its mask and its
trainable vs frozen parameter counts; the classifier with seeded weights
injected into its trainable weights, by its output shape, its softmax rows,
both parameter counts against the formula (a wrong count is explained by the
mistake that gives it), and what it does: reads word order, ignores padding,
uses the pretrained vectors, applies dropout in training only. No private
Keras attribute is read, so any equivalent construction passes.

Layout: V1 is features-first, X (emb_dim, m), W (n_y, emb_dim), b (n_y, 1),
labels y (m,) in 0 .. n_y - 1; V2 is batch-first, word indices (m, max_len)
-> probabilities (m, n_y). Index convention (helpers.emoji): 0 padding, 1 the
unknown word, GloVe row r -> index r + FIRST_WORD_INDEX.
"""

import numpy as np

from graders import behaviour, probe
from graders.assignment import Assignment
from graders.compare import top2_margin
from graders.messages import fail, type_name
from graders.probe import Observation
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output, table_cases
from helpers.emoji import FIRST_WORD_INDEX, PAD_INDEX

GRADER = Assignment.of_module(__name__)

# a tiny vocabulary for the numpy cases: row r of E is the vector of WORDS[r]
WORDS = ("i", "love", "you", "play", "ball", "so", "happy", "sad", "food", "the", "not", "am")


def _vectors(rng, emb_dim, vocab=WORDS):
    """word_to_index {word: row} and E (vocab_size, emb_dim) float64 drawn from `rng`."""
    return {w: r for r, w in enumerate(vocab)}, rng.standard_normal((len(vocab), emb_dim))


# --------------------------------------------------------------------------- sentence_to_avg

_AVG_CASES = {  # "zebra", "quokka", "xylophone" are not in the vocabulary
    "public": {"short_sentence": dict(sentence="i love you", emb_dim=4, seed=1),
               "unknown_word_and_capital": dict(sentence="I am so happy zebra", emb_dim=5, seed=2),
               "tabs_and_spaces": dict(sentence=" i  love\tfood ", emb_dim=3, seed=3)},
    "hidden": {"single_word": dict(sentence="sad", emb_dim=7, seed=101),
               "no_known_word": dict(sentence="xylophone quokka", emb_dim=3, seed=102),
               "shouting_with_repeats": dict(sentence="PLAY Ball ball THE ball", emb_dim=6, seed=103),
               "newline_and_tabs": dict(sentence="\tso\n\nhappy  ", emb_dim=4, seed=104)},
}


HINT_WHITESPACE = ("words are separated by any whitespace (several spaces, tabs, newlines, spaces at either end): "
                   "split with str.split() and no argument")


def _avg_cases(suite, record):
    cases = []
    for name, s in _AVG_CASES[suite].items():
        word_to_index, E = _vectors(np.random.default_rng(s["seed"]), s["emb_dim"])
        words = s["sentence"].split()
        known = sum(w.lower() in word_to_index for w in words)
        cases.append(Case(name, {"emb_dim": s["emb_dim"], "words": len(words), "unknown": len(words) - known}
                          | ({"sentence": repr(s["sentence"])} if s["sentence"] != " ".join(words) else {}),
                          (s["sentence"], word_to_index, E)))
    return cases


GRADER.add(FunctionSpec(
    name="sentence_to_avg",
    outputs=(Output("avg"),),
    inputs=("sentence", "word_to_index", "E"),
    hints={
        "sum_not_mean": "the vectors were added up: divide by the number of words found (take the mean)",
        "divided_by_all_words": "unknown words were counted: divide by the number of words found in "
                                "word_to_index, not by the number of words in the sentence",
        "not_lowercased": "a word written with capitals was not found: look words up in lower case "
                          "(GloVe's vocabulary is lower-cased)",
        "split_on_space": HINT_WHITESPACE,
    },
    default_hint="avg is the mean of the rows of E of the sentence's words (lower-cased) found in "
                 "word_to_index; with no such word it is a vector of zeros",
), _avg_cases)


# --------------------------------------------------------------------------- softmax_loss_and_gradients

_SOFTMAX_SIZES = {  # shift: added to every logit (large logits overflow an unshifted exp)
    "public": {"tiny": dict(n_x=4, n_y=3, m=5, shift=0.0, seed=3),
               "five_classes": dict(n_x=6, n_y=5, m=10, shift=0.0, seed=4)},
    "hidden": {"one_example": dict(n_x=5, n_y=4, m=1, shift=0.0, seed=104),
               "two_classes": dict(n_x=3, n_y=2, m=7, shift=0.0, seed=105),
               "large_logits": dict(n_x=4, n_y=5, m=6, shift=800.0, seed=106)},
}


def _classifier_problem(rng, n_x, n_y, m, shift=0.0, scale=1.0):
    """X (n_x, m), labels y (m,) int64, W (n_y, n_x), b (n_y, 1)."""
    X = rng.standard_normal((n_x, m))
    y = rng.integers(0, n_y, size=m).astype(np.int64)
    W = rng.standard_normal((n_y, n_x)) * scale
    b = rng.standard_normal((n_y, 1)) + shift
    return X, y, W, b


def _softmax_cases(suite, record):
    cases = []
    for name, s in _SOFTMAX_SIZES[suite].items():
        X, y, W, b = _classifier_problem(np.random.default_rng(s["seed"]), s["n_x"], s["n_y"], s["m"], s["shift"])
        dims = {k: s[k] for k in ("n_x", "n_y", "m")} | ({"logits": f"about {s['shift']:g}"} if s["shift"] else {})
        cases.append(Case(name, dims, (X, y, W, b)))
    return cases


GRADER.add(FunctionSpec(
    name="softmax_loss_and_gradients",
    outputs=(Output("loss", "scalar"), Output("gradients", "dict", ("dW", "db"))),
    inputs=("X", "y", "W", "b"),
    hints={
        "gradient_not_averaged": "the gradients are m times too large: the loss is a mean over the m examples, "
                                 "so its gradient is divided by m too",
        "loss_summed": "the loss is the sum over the examples: take the mean (divide by m)",
        "softmax_over_examples": "the softmax normalized each row: each column is one example, so normalize "
                                 "over axis 0",
        "gradient_sign_flipped": "the gradients have the wrong sign: d loss / dZ = A - Y (probabilities minus "
                                 "one-hot labels)",
        "bias_gradient_over_classes": "db was summed over the classes: sum over the examples (axis=1) and keep "
                                      "shape (n_y, 1)",
    },
    pattern_hints=((("loss",), "the gradients are right but the loss is not: the mean over the examples of "
                               "-log(probability of the true class)"),
                   (("gradients.db",), "only db is wrong: db sums dZ over the examples, shape (n_y, 1)")),
    default_hint="Z = W X + b, A = softmax over axis 0, loss = mean of -log A[y_i, i]; "
                 "dZ = (A - Y) / m, dW = dZ X^T, db = dZ summed over the examples",
), _softmax_cases)


# --------------------------------------------------------------------------- train_softmax

_TRAIN_SIZES = {
    "public": {"few_steps": dict(n_x=4, n_y=3, m=6, learning_rate=0.5, num_iterations=5, seed=5),
               "many_steps": dict(n_x=3, n_y=5, m=12, learning_rate=0.1, num_iterations=20, seed=6)},
    "hidden": {"one_iteration": dict(n_x=5, n_y=4, m=8, learning_rate=1.0, num_iterations=1, seed=107),
               "single_example": dict(n_x=2, n_y=3, m=1, learning_rate=0.3, num_iterations=7, seed=108),
               "large_steps": dict(n_x=6, n_y=2, m=9, learning_rate=3.0, num_iterations=4, seed=109)},
}


def _train_cases(suite, record):
    cases = []
    for name, s in _TRAIN_SIZES[suite].items():
        X, y, W, b = _classifier_problem(np.random.default_rng(s["seed"]), s["n_x"], s["n_y"], s["m"], scale=0.1)
        dims = {k: s[k] for k in ("n_x", "n_y", "m", "learning_rate", "num_iterations")}
        cases.append(Case(name, dims, (X, y, W, b, s["learning_rate"], s["num_iterations"])))
    return cases


GRADER.add(FunctionSpec(
    name="train_softmax",
    outputs=(Output("W"), Output("b"), Output("losses")),
    inputs=("X", "y", "W", "b", "learning_rate", "num_iterations"),
    hints={
        "gradient_ascent": "W moved up the gradient: subtract learning_rate * dW",
        "bias_not_updated": "b never changes: update it with learning_rate * db like W",
        "learning_rate_ignored": "W moved by dW alone: multiply the gradient by learning_rate",
        "one_iteration_short": "one update is missing: run exactly num_iterations steps",
    },
    pattern_hints=((("losses",), "W and b are right but the losses are not: store the loss each call of "
                                 "softmax_loss_and_gradients returns, one per iteration, before the update"),),
    default_hint="each iteration: loss, gradients = softmax_loss_and_gradients(X, y, W, b); store the loss; "
                 "W = W - learning_rate * dW; b = b - learning_rate * db",
), _train_cases)


# --------------------------------------------------------------------------- predict

_PREDICT_SIZES = {  # bias_spread: scale of b, large enough that the bias changes some predictions
    "public": {"small_batch": dict(n_x=4, n_y=5, m=6, seed=10),
               "three_classes": dict(n_x=6, n_y=3, m=9, seed=11)},
    "hidden": {"single_example": dict(n_x=5, n_y=5, m=1, seed=110),
               "two_classes": dict(n_x=3, n_y=2, m=12, seed=111),
               "wide": dict(n_x=50, n_y=5, m=20, seed=112)},
}
_BIAS_SPREAD = 2.0


def _predict_cases(suite, record):
    cases = []
    for name, s in _PREDICT_SIZES[suite].items():
        X, _, W, b = _classifier_problem(np.random.default_rng(s["seed"]), s["n_x"], s["n_y"], s["m"],
                                         scale=1.0 / np.sqrt(s["n_x"]))
        cases.append(Case(name, {k: s[k] for k in ("n_x", "n_y", "m")}, (X, W, _BIAS_SPREAD * b)))
    return cases


def _predict_margin(case):
    X, W, b = case.args
    return top2_margin(W @ X + b, axis=0)


GRADER.add(FunctionSpec(
    name="predict",
    outputs=(Output("y_pred"),),
    inputs=("X", "W", "b"),
    hints={
        "argmax_over_examples": "the argmax ran along the examples: take it over the classes, axis 0, "
                                "one label per column",
        "bias_ignored": "the predictions ignore b: score with W X + b",
        "lowest_score": "that is the class with the lowest score: predict the one with the highest",
        "squeezed": "with one example y_pred must still have shape (m,) = (1,): do not squeeze it",
    },
    default_hint="y_pred[i] is the class with the highest score in column i of W X + b",
), _predict_cases, margin=_predict_margin)


# --------------------------------------------------------------------------- sentences_to_indices

_INDEX_CASES = {
    "public": {"padding_and_unknown": dict(sentences=("i love you", "I am so happy zebra", "food"), max_len=6),
               "two_sentences": dict(sentences=("play ball", "the food is so good"), max_len=5)},
    "hidden": {"longer_than_max_len": dict(sentences=("i am so so happy you love food", "sad"), max_len=4),
               "single_sentence_shouting": dict(sentences=("I LOVE FOOD",), max_len=3),
               "no_known_word": dict(sentences=("quokka xylophone", "zebra"), max_len=3),
               "tabs_and_double_spaces": dict(sentences=("  i\tlove  you", "food\t", " sad"), max_len=4)},
}


def _index_cases(suite, record):
    word_to_index = {w: r for r, w in enumerate(WORDS)}
    cases = []
    for name, s in _INDEX_CASES[suite].items():
        longest = max(len(t.split()) for t in s["sentences"])
        dims = {"m": len(s["sentences"]), "max_len": s["max_len"], "longest sentence": longest}
        cases.append(Case(name, dims, (list(s["sentences"]), dict(word_to_index), s["max_len"])))
    return cases


GRADER.add(FunctionSpec(
    name="sentences_to_indices",
    outputs=(Output("X_indices"),),
    inputs=("sentences", "word_to_index", "max_len"),
    hints={
        "no_offset": "every known word is off by FIRST_WORD_INDEX: the word in row r of E has index "
                     "r + FIRST_WORD_INDEX (0 is padding, 1 the unknown word)",
        "unknown_as_padding": "unknown words got PAD_INDEX: give them UNK_INDEX, since the model skips padding",
        "not_lowercased": "a word written with capitals was not found: look words up in lower case",
        "max_len_ignored": "the width must be max_len, the argument, whatever the sentences' lengths",
        "split_on_space": HINT_WHITESPACE,
    },
    default_hint="row i: the indices of sentence i's words (lower-cased; r + FIRST_WORD_INDEX for a known word, "
                 "UNK_INDEX for an unknown one), then PAD_INDEX up to max_len; words beyond max_len are dropped",
), _index_cases)


# --------------------------------------------------------------------------- pretrained_embedding_layer

_EMBEDDING_SIZES = {
    "public": {"small_vocabulary": dict(vocab_size=6, emb_dim=4, m=3, T=5, seed=12),
               "wider_vectors": dict(vocab_size=9, emb_dim=7, m=3, T=4, seed=13)},
    "hidden": {"one_word_vocabulary": dict(vocab_size=1, emb_dim=3, m=2, T=3, seed=113),
               "long_sentences": dict(vocab_size=20, emb_dim=5, m=4, T=12, seed=114),
               "one_dimension": dict(vocab_size=7, emb_dim=1, m=2, T=6, seed=115)},
}
HINT_FROZEN = "the GloVe vectors must stay as they are: create the Embedding with trainable=False"
HINT_MASK = "padding (index 0) must be masked: create the Embedding with mask_zero=True"
HINT_ROWS = ("row r + FIRST_WORD_INDEX of the layer's matrix must be E[r]; rows PAD_INDEX and UNK_INDEX "
             "(the first two) are zeros")
HINT_CALL = ("the layer is called with indices up to E.shape[0] + FIRST_WORD_INDEX - 1: it needs "
             "E.shape[0] + FIRST_WORD_INDEX rows (input_dim)")


def _word_indices(rng, vocab_size, m, T):
    """(m, T) int32: every index 0 .. vocab_size + 1 appears when there is room, then random ones."""
    top = vocab_size + FIRST_WORD_INDEX
    flat = np.concatenate([np.arange(top), rng.integers(0, top, size=max(m * T - top, 0))])[: m * T]
    return rng.permutation(flat).reshape(m, T).astype(np.int32)


def _embedding_case(name, s):
    rng = np.random.default_rng(s["seed"])
    E = rng.standard_normal((s["vocab_size"], s["emb_dim"]))
    X = _word_indices(rng, s["vocab_size"], s["m"], s["T"])
    return Case(name, {k: s[k] for k in ("vocab_size", "emb_dim")} | {"indices": f"({s['m']}, {s['T']})"}, (E,),
                data={"X": X})


def embedding_matrix(E, offset=FIRST_WORD_INDEX):
    """(E.shape[0] + FIRST_WORD_INDEX, emb_dim) float32: the frozen embedding's matrix, E[r] in row r + offset and
    zeros elsewhere (with offset FIRST_WORD_INDEX, rows PAD_INDEX and UNK_INDEX)."""
    matrix = np.zeros((E.shape[0] + FIRST_WORD_INDEX, E.shape[1]), dtype=np.float32)
    matrix[offset:offset + E.shape[0]] = E
    return matrix


def _observe_embedding(func, case):
    keras = behaviour._keras()
    (E,), X = case.args, case.data["X"]
    layer = probe.call_student(behaviour._plain_errors(func), "pretrained_embedding_layer", case, [E.copy()])
    if not isinstance(layer, keras.layers.Layer):
        fail("pretrained_embedding_layer", case, f"expected a keras layer, got {type_name(layer)}",
             "hint:   return the layer itself (keras.layers.Embedding(...)), not its output")
    try:
        lookup = behaviour.to_numpy(layer(X))
        mask = layer.compute_mask(X)
    except Exception as err:  # an Embedding too small for the indices, or a layer that cannot be called
        behaviour.framework_failure("pretrained_embedding_layer", case, f"calling the layer on indices of shape "
                                    f"{X.shape}", err, HINT_CALL)
    mask = None if mask is None else behaviour.to_numpy(mask)
    masks_padding = mask is not None and mask.shape == X.shape and bool(np.array_equal(mask, X != PAD_INDEX))
    return Observation(case.name, {"lookup": lookup} | behaviour.count_leaf(layer, split=True)
                       | behaviour.fact_leaves({"masks_padding": masks_padding}))


def _expect_embedding(case):
    (E,), X = case.args, case.data["X"]

    def oracle(offset=FIRST_WORD_INDEX, trainable=False):
        n = np.int64(behaviour.embedding_params(E.shape[0] + FIRST_WORD_INDEX, E.shape[1]))
        return {"lookup": embedding_matrix(E, offset)[X], behaviour.TRAINABLE: n if trainable else np.int64(0),
                behaviour.FROZEN: np.int64(0) if trainable else n}

    expected, bugs = behaviour.replay(oracle, ((HINT_ROWS, {"offset": 0}), (HINT_FROZEN, {"trainable": True})))
    facts, fact_bugs = behaviour.expected_facts({"masks_padding": (True, HINT_MASK, "")})
    return expected | facts, fact_bugs | bugs


GRADER.add(FunctionSpec(name="pretrained_embedding_layer", outputs=(Output("layer"),), atol=FLOAT32_ATOL,
                        default_hint=HINT_ROWS),
           table_cases(_EMBEDDING_SIZES, _embedding_case), observe=_observe_embedding, expect=_expect_embedding)


# --------------------------------------------------------------------------- build_emojify_model

MODEL_SIZES = {  # every other key than m, seed is an argument of build_emojify_model (E drawn from the seed)
    "public": {"small": dict(vocab_size=10, emb_dim=4, max_len=6, n_a=3, n_y=5, dropout=0.5, m=3, seed=14),
               "no_dropout": dict(vocab_size=8, emb_dim=3, max_len=5, n_a=4, n_y=3, dropout=0.0, m=2, seed=15)},
    "hidden": {"one_word": dict(vocab_size=6, emb_dim=3, max_len=1, n_a=2, n_y=4, dropout=0.0, m=2, seed=116),
               "long_sentences": dict(vocab_size=25, emb_dim=5, max_len=12, n_a=5, n_y=5, dropout=0.3, m=3,
                                      seed=117),
               "two_classes": dict(vocab_size=12, emb_dim=6, max_len=7, n_a=2, n_y=2, dropout=0.2, m=1, seed=118)},
}
HINT_LAST_STATE = ("one prediction per sentence: the last LSTM returns only its final state "
                   "(return_sequences=False)")
HINT_DROPOUT_IGNORED = behaviour.dropout_ignored_hint("after each LSTM")
HINT_DROPOUT_PLACE = behaviour.dropout_place_hint("each LSTM")
HINT_ORDER = ("reversing the words of a sentence does not change the output: the model averages or pools "
              "instead of reading in order; stack two LSTMs")
HINT_PADDING = ("moving the padding from the end to the start of a sentence changes the output: every layer after "
                "the embedding must skip index 0 (mask_zero=True in the embedding, and no layer between that drops "
                "the mask, such as a pooling or a Lambda)")
HINT_PRETRAINED = ("two words with the same GloVe vector give different outputs: the model must look words up in "
                   "the frozen GloVe vectors of E (pretrained_embedding_layer(E)), not in vectors of its own")
HINT_INPUT = "the model takes word indices of shape (m, max_len): keras.Input(shape=(max_len,), dtype='int32')"
HINT_FORMULA = ("the parameter counts differ from the formula: frozen (E.shape[0] + FIRST_WORD_INDEX) * emb_dim; "
                "trainable 4 (n_a (emb_dim + n_a) + n_a) + 4 (n_a (n_a + n_a) + n_a) + (n_a + 1) n_y")
HINT_ARCHITECTURE = behaviour.architecture_hint("model", "frozen GloVe embedding, LSTM returning sequences, Dropout, "
                                                "LSTM, Dropout, Dense softmax")
TWIN_ROWS = (0, 1)  # E[1] is set equal to E[0]: words of the same vector must give the same output
MODEL = behaviour.ClassifierCheck(  # trainable weights injected with a fixed seed: the same on every machine
    "build_emojify_model", "m, n_y", weight_seed=4321, input_hint=HINT_INPUT, rank_hints={3: HINT_LAST_STATE},
    moves=(("reads_word_order", "order_change"),),
    stays=(("padding_ignored", "padding_shift"), ("uses_pretrained_vectors", "twin_change")),
    dropout_after=("LSTM",), dropout_hints=(HINT_DROPOUT_IGNORED, HINT_DROPOUT_PLACE), frozen_embedding=True)


def emojify_parameter_counts(vocab_size, emb_dim, n_a, n_y, n_layers=2, directions=1, extra_rows=FIRST_WORD_INDEX,
                             frozen_embedding=True, dense_bias=True):
    """(trainable, frozen) parameter counts of Embedding(vocab_size + extra_rows) -> n_layers LSTM(n_a) -> Dense(n_y)."""
    embedding, rest = behaviour.lstm_classifier_params(vocab_size + extra_rows, emb_dim, n_a, n_y, n_layers, directions,
                                                       dense_bias=dense_bias)
    return (rest, embedding) if frozen_embedding else (rest + embedding, 0)


def _model_case(name, s):
    """E with its rows TWIN_ROWS equal; X (m, max_len) sentences padded at the end, the first starting with a twin
    word; its variants: the words of each sentence reversed, the padding moved first, a word by its twin."""
    rng = np.random.default_rng(s["seed"])
    E = rng.standard_normal((s["vocab_size"], s["emb_dim"]))
    E[TWIN_ROWS[1]] = E[TWIN_ROWS[0]]
    m, max_len = s["m"], s["max_len"]
    lengths = np.maximum(max_len - rng.integers(1, 3, size=m), 1)  # at least one padding step when max_len > 1
    X = np.zeros((m, max_len), dtype=np.int32)
    for i, n in enumerate(lengths):
        X[i, :n] = rng.integers(FIRST_WORD_INDEX + 2, s["vocab_size"] + FIRST_WORD_INDEX, size=n)
    X[0, 0] = TWIN_ROWS[0] + FIRST_WORD_INDEX  # the first sentence starts with a twin word
    t, n = np.arange(max_len), lengths[:, None]  # (max_len,) positions, (m, 1) sentence lengths
    reversed_words = np.take_along_axis(X, np.where(t < n, n - 1 - t, t), axis=1)  # the padding stays last
    moved_padding = np.take_along_axis(X, (t + n) % max_len, axis=1)  # the same words, padding first
    twin = np.where(X == TWIN_ROWS[0] + FIRST_WORD_INDEX, TWIN_ROWS[1] + FIRST_WORD_INDEX, X)
    reorderable = lengths[0] > 1 and not np.array_equal(reversed_words[0], X[0])
    variants = {"order_change": (reversed_words if reorderable else None, np.s_[0]),  # one word: nothing to reverse
                "padding_shift": (moved_padding if max_len > 1 else None, np.s_[:]), "twin_change": (twin, np.s_[:])}
    return Case(name, {k: v for k, v in s.items() if k != "seed"}, (E, max_len),
                {k: s[k] for k in ("n_a", "n_y", "dropout")}, {"X": X, "variants": variants})


def _expect_model(case):
    (E, _), k = case.args, case.kwargs
    facts = {"uses_pretrained_vectors": (True, HINT_PRETRAINED, ""),  # fact: (expected, hint if False, if True)
             "padding_ignored": (True, HINT_PADDING, ""), "reads_word_order": (True, HINT_ORDER, "")}
    arguments = dict(vocab_size=E.shape[0], emb_dim=E.shape[1], n_a=k["n_a"], n_y=k["n_y"])
    mistakes = (
        ("the embedding is trainable: the GloVe vectors must stay frozen (trainable=False, as in "
         "pretrained_embedding_layer)", {"frozen_embedding": False}),
        ("the trainable count is that of one LSTM layer: stack two, the first with return_sequences=True",
         {"n_layers": 1}),
        ("the trainable count is that of three LSTM layers: stack exactly two", {"n_layers": 3}),
        ("the trainable count is that of bidirectional LSTMs: use plain keras.layers.LSTM", {"directions": 2}),
        ("the frozen count is that of an embedding of E.shape[0] rows: the padding and unknown rows are missing "
         "(pretrained_embedding_layer adds them)", {"extra_rows": 0}),
        ("the Dense layer has no bias: keep Dense's default use_bias=True", {"dense_bias": False}),
    ) + tuple((f"the trainable count is that of LSTMs with {n} units: use n_a={k['n_a']}, the argument",
               {"n_a": n}) for n in (2 * k["n_a"], 128) if n != k["n_a"])
    # outputs: the docstring's architecture on the frozen vectors of E with the injected weights, two LSTMs
    outputs = MODEL.oracle(case, embedding_matrix(E), k["n_a"], 2)
    return MODEL.expected(case, facts, emojify_parameter_counts, arguments, mistakes, outputs)


GRADER.add(FunctionSpec(name="build_emojify_model", outputs=(Output("model"),), default_hint=HINT_FORMULA,
                        pattern_hints=((("outputs",), HINT_ARCHITECTURE),),
                        atol=FLOAT32_ATOL, rtol=0.0),  # float32 Keras against the float64 oracle
           table_cases(MODEL_SIZES, _model_case), observe=MODEL.observe, expect=_expect_model)


# --------------------------------------------------------------------------- test-cell entry points

check_sentence_to_avg = GRADER.checker("sentence_to_avg")
check_softmax_loss_and_gradients = GRADER.checker("softmax_loss_and_gradients")
check_train_softmax = GRADER.checker("train_softmax")
check_predict = GRADER.checker("predict")
check_sentences_to_indices = GRADER.checker("sentences_to_indices")
check_pretrained_embedding_layer = GRADER.checker("pretrained_embedding_layer")
check_build_emojify_model = GRADER.checker("build_emojify_model")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
