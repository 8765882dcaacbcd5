"""Known-wrong variants for 04 gru_deep_bidirectional: bugs students really make."""

from graders.behaviour import HINT_RANDOM_INFERENCE, softmax_hint
from graders.gru_deep_bidirectional import (HINT_ARCHITECTURE, HINT_DROPOUT_IGNORED, HINT_DROPOUT_PLACE, HINT_IGNORES_FLAG, HINT_LAYERS, HINT_MASK,
                                            HINT_NOT_BIDIRECTIONAL, HINT_SEQUENCES)
from graders.instructor.assignments import Metric, Mutant

MUTANTS = {
    "gru_cell_forward": {
        "gates_swapped": Mutant(
            'ut = sigmoid(parameters["Wu"] @ concat + parameters["bu"])  # (n_a, m) update gate\n'
            '    rt = sigmoid(parameters["Wr"] @ concat + parameters["br"])',
            'ut = sigmoid(parameters["Wr"] @ concat + parameters["br"])  # (n_a, m) update gate\n'
            '    rt = sigmoid(parameters["Wu"] @ concat + parameters["bu"])',
        ),
        "update_on_wrong_term": Mutant("a_next = ut * cct + (1 - ut) * a_prev",
                                       "a_next = (1 - ut) * cct + ut * a_prev"),
        "reset_after_matmul": Mutant(
            'cct = np.tanh(parameters["Wc"] @ concat_reset + parameters["bc"])',
            'cct = np.tanh(rt * (parameters["Wc"][:, :a_prev.shape[0]] @ a_prev)'
            ' + parameters["Wc"][:, a_prev.shape[0]:] @ xt + parameters["bc"])',
        ),
        "no_relevance_gate": Mutant("np.concatenate([rt * a_prev, xt], axis=0)",
                                    "np.concatenate([a_prev, xt], axis=0)"),
        "state_reset_in_place": Mutant("concat_reset = np.concatenate([rt * a_prev, xt], axis=0)",
                                       "a_prev *= rt\n    concat_reset = np.concatenate([a_prev, xt], axis=0)",
                                       expect="changed its input a_prev in place", category="in_place"),
        "cache_holds_concat": Mutant("xt=xt,", "xt=concat,", category="structure"),
    },
    "rnn_gradient_norms": {
        "no_tanh_derivative": Mutant("J = (1 - a[:, :, t].T ** 2)[:, :, None] * Waa", "J = np.tile(Waa, (m, 1, 1))"),
        "derivative_at_previous_state": Mutant("(1 - a[:, :, t].T ** 2)", "(1 - a[:, :, t - 1].T ** 2)"),
        "product_in_wrong_order": Mutant("G = G @ J", "G = J @ G"),
        "one_step_only": Mutant("G = G @ J", "G = J"),
        "frobenius_norm": Mutant("np.linalg.norm(G, ord=2, axis=(1, 2))", "np.linalg.norm(G, axis=(1, 2))"),
        "a0_ignored": Mutant("a_prev = a0", "a_prev = np.zeros((n_a, m))", category="ignored_argument"),
        "last_norm_zero": Mutant("norms = np.ones((m, T_x))", "norms = np.zeros((m, T_x))", category="degenerate"),
    },
    "clip_by_global_norm": {
        "clipped_separately": Mutant(
            "if global_norm > max_norm:\n            clipped[name] = g * (max_norm / global_norm)",
            "if np.linalg.norm(g) > max_norm:\n            clipped[name] = g * (max_norm / np.linalg.norm(g))",
        ),
        "always_rescaled": Mutant("if global_norm > max_norm:", "if global_norm > 0:"),
        "norm_without_sqrt": Mutant("float(np.sqrt(sum(np.sum(g ** 2) for g in gradients.values())))",
                                    "float(sum(np.sum(g ** 2) for g in gradients.values()))"),
        "elementwise_clip": Mutant("clipped[name] = g * (max_norm / global_norm)",
                                   "clipped[name] = np.clip(g, -max_norm, max_norm)"),
        "norm_after_clipping": Mutant("return clipped, global_norm",
                                      "return clipped, float(np.sqrt(sum(np.sum(g ** 2) for g in clipped.values())))"),
        "normalized_to_one": Mutant("clipped[name] = g * (max_norm / global_norm)", "clipped[name] = g / global_norm",
                                    category="ignored_argument"),
        "scaled_in_place": Mutant("clipped[name] = g * (max_norm / global_norm)",
                                  "g *= max_norm / global_norm\n            clipped[name] = g",
                                  expect="changed its input gradients in place", category="in_place"),
        "input_arrays_returned": Mutant("clipped[name] = g.copy()", "clipped[name] = g",
                                        expect="is one of the caller's own input arrays", category="structure"),
        "norm_as_array": Mutant("float(np.sqrt(sum(np.sum(g ** 2) for g in gradients.values())))",
                                "np.sqrt(np.array([sum(np.sum(g ** 2) for g in gradients.values())]))",
                                expect="expected a number, got an array of shape (1,)", category="structure"),
    },
    "build_tagger": {
        "not_bidirectional": Mutant("keras.layers.Bidirectional(lstm)(h) if bidirectional else lstm(h)", "lstm(h)",
                                    expect=HINT_NOT_BIDIRECTIONAL, category="ignored_argument"),
        "always_bidirectional": Mutant("keras.layers.Bidirectional(lstm)(h) if bidirectional else lstm(h)",
                                       "keras.layers.Bidirectional(lstm)(h)", expect=HINT_IGNORES_FLAG,
                                       category="ignored_argument"),
        "one_layer_only": Mutant("for layer in range(n_layers):", "for layer in range(1):", expect=HINT_LAYERS,
                                 category="ignored_argument"),
        "dropout_forced_on": Mutant("h = keras.layers.Dropout(dropout)(h)\n    for layer",
                                    "h = keras.layers.Dropout(dropout)(h, training=True)\n    for layer",
                                    expect=HINT_RANDOM_INFERENCE, category="values"),
        "dropout_ignored": Mutant("    ### BEGIN SOLUTION\n",  # as if the Dropout layers were left out
                                  "    ### BEGIN SOLUTION\n    dropout = 0.0\n",
                                  expect=HINT_DROPOUT_IGNORED, category="ignored_argument"),
        "embedding_row_for_padding": Mutant("keras.layers.Embedding(vocab_size, emb_dim",
                                            "keras.layers.Embedding(vocab_size + 1, emb_dim",
                                            expect="vocab_size + 1 rows", category="structure"),
        "last_layer_without_sequences": Mutant("keras.layers.LSTM(n_a, return_sequences=True)",
                                               "keras.layers.LSTM(n_a, return_sequences=layer < n_layers - 1)",
                                               expect=HINT_SEQUENCES, category="structure"),
        "units_doubled": Mutant("keras.layers.LSTM(n_a, return_sequences=True)",
                                "keras.layers.LSTM(2 * n_a, return_sequences=True)",
                                expect="LSTMs with 2 * n_a units", category="structure"),
        "no_softmax": Mutant('Dense(n_tags, activation="softmax", name="tags")', 'Dense(n_tags, name="tags")',
                             expect=softmax_hint("n_tags")),
        "padding_not_masked": Mutant("mask_zero=True", "mask_zero=False", expect=HINT_MASK),
        "no_dropout_after_embedding": Mutant("    h = keras.layers.Dropout(dropout)(h)\n    for layer", "    for layer",
                                             expect=HINT_DROPOUT_PLACE, category="structure"),
        "extra_activation": Mutant("        h = keras.layers.Dropout(dropout)(h)\n    probabilities",
                                   '        h = keras.layers.Dropout(dropout)(h)\n    h = keras.layers.Activation("relu")(h)\n'
                                   "    probabilities", expect=HINT_ARCHITECTURE, category="structure"),
    },
}

# the bug the class test submits: clip_by_global_norm is called by no other graded function
CLASS_BUG = ('clip_by_global_norm', 'clipped_separately')

BENCH_METRICS = [
    Metric("numpy GRU vs keras.layers.GRU (max abs diff)", "gru_keras_diff", "< 1e-5 (float32)",
           lambda v, _: v < 1e-5),
    Metric("wikigold test entity F1, 2-layer BiLSTM", "bi_test_f1", "reported (baseline for 14)",
           lambda v, _: v > 0),
    Metric("wikigold test entity F1, 2-layer left-to-right LSTM", "uni_test_f1", "below the BiLSTM",
           lambda v, values: v < values["wikigold test entity F1, 2-layer BiLSTM"]),
    Metric("bidirectional beats left-to-right (1 = yes)", "bi_test_f1 > uni_test_f1", "1",
           lambda v, _: v == 1),
]
