"""Known-wrong variants for 07 emojify: bugs students really make."""

from graders.behaviour import softmax_hint
from graders.emojify import (HINT_ARCHITECTURE, HINT_CALL, HINT_DROPOUT_IGNORED, HINT_DROPOUT_PLACE, HINT_FROZEN, HINT_LAST_STATE,
                             HINT_MASK, HINT_ORDER, HINT_PRETRAINED, HINT_ROWS)
from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"
NONFINITE = "contains nan or inf"

MUTANTS = {
    "sentence_to_avg": {
        "sum_not_mean": Mutant("avg = np.mean(E[rows], axis=0)", "avg = np.sum(E[rows], axis=0)"),
        "divided_by_all_words": Mutant("avg = np.mean(E[rows], axis=0)", "avg = np.sum(E[rows], axis=0) / len(words)",
                                       category="degenerate"),
        "not_lowercased": Mutant("sentence.lower().split()", "sentence.split()"),
        "split_on_space": Mutant("sentence.lower().split()", 'sentence.lower().split(" ")'),
        "unknown_word_raises": Mutant("for w in words if w in word_to_index]", "for w in words]",
                                      expect="raised KeyError", category="degenerate"),
        "no_known_word_gives_nan": Mutant("    avg = np.zeros(E.shape[1])\n    if rows:\n        avg = np.mean",
                                          "    avg = np.mean", expect=NONFINITE, category="degenerate"),
    },
    "softmax_loss_and_gradients": {
        "gradient_not_averaged": Mutant("    dZ = dZ / m\n", ""),
        "loss_summed": Mutant("float(-np.mean(np.log(A[y, examples])))", "float(-np.sum(np.log(A[y, examples])))"),
        "softmax_over_examples": Mutant("softmax(Z, axis=0)", "softmax(Z, axis=1)"),
        "gradient_sign_flipped": Mutant("dZ = A.copy()\n    dZ[y, examples] -= 1",
                                        "dZ = -A.copy()\n    dZ[y, examples] += 1"),
        "bias_gradient_over_classes": Mutant("np.sum(dZ, axis=1, keepdims=True)", "np.sum(dZ, axis=0, keepdims=True)",
                                             category="structure"),
        "exp_without_shift": Mutant("A = softmax(Z, axis=0)", "A = np.exp(Z) / np.sum(np.exp(Z), axis=0, keepdims=True)",
                                    expect=NONFINITE, category="degenerate"),
    },
    "train_softmax": {
        "updated_in_place": Mutant('W = W - learning_rate * gradients["dW"]', 'W -= learning_rate * gradients["dW"]',
                                   expect=IN_PLACE.format("W"), category="in_place"),
        "gradient_ascent": Mutant('W = W - learning_rate', 'W = W + learning_rate'),
        "bias_not_updated": Mutant('        b = b - learning_rate * gradients["db"]\n', ""),
        "learning_rate_ignored": Mutant('W - learning_rate * gradients["dW"]', 'W - gradients["dW"]',
                                        category="ignored_argument"),
        "one_iteration_short": Mutant("range(num_iterations)", "range(num_iterations - 1)", category="degenerate"),
        "losses_as_list": Mutant("losses = np.zeros(num_iterations)", "losses = [0.0] * num_iterations",
                                 expect="expected a numpy ndarray, got list", category="structure"),
    },
    "predict": {
        "argmax_over_examples": Mutant("np.argmax(scores, axis=0)", "np.argmax(scores, axis=1)", category="structure"),
        "bias_ignored": Mutant("scores = W @ X + b", "scores = W @ X", category="ignored_argument"),
        "lowest_score": Mutant("np.argmax(scores, axis=0)", "np.argmin(scores, axis=0)"),
        "squeezed": Mutant("y_pred = np.argmax(scores, axis=0)", "y_pred = np.squeeze(np.argmax(scores, axis=0))",
                           category="degenerate"),
        "probabilities_returned": Mutant("y_pred = np.argmax(scores, axis=0)", "y_pred = softmax(scores, axis=0)",
                                         expect="indices must be integers", category="structure"),
    },
    "sentences_to_indices": {
        "no_offset": Mutant("word_to_index[word] + FIRST_WORD_INDEX if", "word_to_index[word] if"),
        "unknown_as_padding": Mutant("else UNK_INDEX", "else PAD_INDEX"),
        "not_lowercased": Mutant("sentence.lower().split()", "sentence.split()"),
        "split_on_space": Mutant(".split()[:max_len]", '.split(" ")[:max_len]'),
        "max_len_ignored": Mutant("    m = len(sentences)\n",
                                  "    m = len(sentences)\n    max_len = max(len(s.split()) for s in sentences)\n",
                                  category="ignored_argument"),
        "not_cut": Mutant(".split()[:max_len]", ".split()", expect="raised IndexError", category="degenerate"),
        "lowercased_in_place": Mutant("words = sentence.lower().split()[:max_len]",
                                      "sentences[i] = sentence.lower()\n        words = sentences[i].split()[:max_len]",
                                      expect=IN_PLACE.format("sentences"), category="in_place"),
        "float_indices": Mutant("np.full((m, max_len), PAD_INDEX, dtype=np.int32)", "np.full((m, max_len), 0.0)",
                                expect="indices must be integers", category="structure"),
    },
    "pretrained_embedding_layer": {
        "trainable": Mutant("trainable=False)", "trainable=True)", expect=HINT_FROZEN, category="structure"),
        "rows_not_offset": Mutant("matrix[FIRST_WORD_INDEX:] = E", "matrix[:vocab_size] = E", expect=HINT_ROWS),
        "padding_not_masked": Mutant("mask_zero=True, trainable", "mask_zero=False, trainable", expect=HINT_MASK),
        "extra_rows_missing": Mutant(
            "layer = keras.layers.Embedding(vocab_size + FIRST_WORD_INDEX, emb_dim, mask_zero=True, trainable=False)\n"
            "    layer.build((None,))\n    layer.set_weights([matrix])",
            "layer = keras.layers.Embedding(vocab_size, emb_dim, mask_zero=True, trainable=False)\n"
            "    layer.build((None,))\n    layer.set_weights([E])",
            expect=HINT_CALL, category="degenerate"),
        "weights_never_set": Mutant("    layer.set_weights([matrix])\n", "", expect="output lookup",
                                    category="ignored_argument"),
    },
    "build_emojify_model": {
        "one_lstm_only": Mutant("    h = keras.layers.LSTM(n_a, return_sequences=True)(h)  # (m, max_len, n_a)\n"
                                "    h = keras.layers.Dropout(dropout)(h)\n", "",
                                expect="the trainable count is that of one LSTM layer", category="structure"),
        "fresh_embedding": Mutant("pretrained_embedding_layer(E)(sentence_indices)",
                                  "keras.layers.Embedding(E.shape[0] + FIRST_WORD_INDEX, E.shape[1], "
                                  "mask_zero=True)(sentence_indices)",
                                  expect=HINT_PRETRAINED, category="ignored_argument"),
        "sequences_returned": Mutant("keras.layers.LSTM(n_a)(h)", "keras.layers.LSTM(n_a, return_sequences=True)(h)",
                                     expect=HINT_LAST_STATE, category="structure"),
        "no_softmax": Mutant('Dense(n_y, activation="softmax")', "Dense(n_y)", expect=softmax_hint("n_y")),
        "dropout_ignored": Mutant("    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n    dropout = 0.0\n",
                                  expect=HINT_DROPOUT_IGNORED, category="ignored_argument"),
        "units_hard_coded": Mutant("    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n    n_a = 128\n",
                                   expect="LSTMs with 128 units", category="ignored_argument"),
        "extra_activation": Mutant("    h = keras.layers.LSTM(n_a)(h)  # (m, n_a): the state after the last real word\n",
                                   "    h = keras.layers.LSTM(n_a)(h)  # (m, n_a): the state after the last real word\n"
                                   '    h = keras.layers.Activation("relu")(h)\n', expect=HINT_ARCHITECTURE,
                                   category="structure"),
        "relu_lstm": Mutant("keras.layers.LSTM(n_a, return_sequences=True)(h)",
                            'keras.layers.LSTM(n_a, return_sequences=True, activation="relu")(h)',
                            expect=HINT_ARCHITECTURE, category="structure"),
        "dropout_before_lstm": Mutant("    h = keras.layers.LSTM(n_a, return_sequences=True)(h)  # (m, max_len, n_a)\n"
                                      "    h = keras.layers.Dropout(dropout)(h)\n",
                                      "    h = keras.layers.Dropout(dropout)(h)\n"
                                      "    h = keras.layers.LSTM(n_a, return_sequences=True)(h)\n",
                                      expect=HINT_DROPOUT_PLACE, category="structure"),
        "bag_of_words": Mutant("h = keras.layers.LSTM(n_a, return_sequences=True)(h)  # (m, max_len, n_a)\n"
                               "    h = keras.layers.Dropout(dropout)(h)\n    h = keras.layers.LSTM(n_a)(h)",
                               "h = keras.layers.GlobalAveragePooling1D()(h)\n"
                               '    h = keras.layers.Dense(n_a, activation="tanh")(h)',
                               expect=HINT_ORDER, category="structure"),
    },
}

# the bug the class test submits: predict is called by no other graded function
CLASS_BUG = ("predict", "bias_ignored")

BENCH_METRICS = [
    Metric("emoji5 test accuracy, V1 (average + softmax)", "v1_test_acc", ">= 0.86", lambda v, _: v >= 0.86),
    Metric("emoji5 test accuracy, V2 (2-layer LSTM)", "v2_test_acc", ">= 0.90", lambda v, _: v >= 0.90),
    Metric("emoji5 test accuracy, V2, worst of seeds 0-4 (each retrained on train + dev)", "v2_test_acc_worst_seed",
           ">= 0.90", lambda v, _: v >= 0.90),
    Metric("GoEmotions test accuracy (real text, 3 classes), V1", "v1_real_acc", "reported", lambda v, _: v > 0),
    Metric("GoEmotions test accuracy (real text, 3 classes), V2", "v2_real_acc", "reported", lambda v, _: v > 0),
    Metric("V1 training time (s)", "v1_train_seconds", "<= 2", lambda v, _: v <= 2.0),
    Metric("per-example Python loop / vectorized V1 (time per step)", "loop_ratio", "reported (> 1)",
           lambda v, _: v > 1),
]
