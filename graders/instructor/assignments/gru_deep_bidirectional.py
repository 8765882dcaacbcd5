"""Known-wrong variants for 04 gru_deep_bidirectional: bugs students really make."""

from graders.gru_deep_bidirectional import (HINT_LAYERS, HINT_MASK, HINT_NOT_BIDIRECTIONAL, HINT_SEQUENCES,
                                            HINT_SOFTMAX)
from graders.instructor.known_wrong import Mutant

MUTANTS = {
    "gru_cell_forward": {
        "gates_swapped": Mutant(
            'ut = sigmoid(parameters["Wu"] @ concat + parameters["bu"])  # (n_a, m) update gate\n'
            '    rt = sigmoid(parameters["Wr"] @ concat + parameters["br"])',
            'ut = sigmoid(parameters["Wr"] @ concat + parameters["br"])  # (n_a, m) update gate\n'
            '    rt = sigmoid(parameters["Wu"] @ concat + parameters["bu"])',
        ),
        "update_on_wrong_term": Mutant("a_next = ut * cct + (1 - ut) * a_prev", "a_next = (1 - ut) * cct + ut * a_prev"),
        "reset_after_matmul": Mutant(
            'cct = np.tanh(parameters["Wc"] @ concat_reset + parameters["bc"])',
            'cct = np.tanh(rt * (parameters["Wc"][:, :a_prev.shape[0]] @ a_prev)'
            ' + parameters["Wc"][:, a_prev.shape[0]:] @ xt + parameters["bc"])',
        ),
        "no_relevance_gate": Mutant("np.concatenate([rt * a_prev, xt], axis=0)", "np.concatenate([a_prev, xt], axis=0)"),
    },
    "rnn_gradient_norms": {
        "no_tanh_derivative": Mutant("J = (1 - a[:, :, t].T ** 2)[:, :, None] * Waa", "J = np.tile(Waa, (m, 1, 1))"),
        "derivative_at_previous_state": Mutant("(1 - a[:, :, t].T ** 2)", "(1 - a[:, :, t - 1].T ** 2)"),
        "product_in_wrong_order": Mutant("G = G @ J", "G = J @ G"),
        "one_step_only": Mutant("G = G @ J", "G = J"),
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
    },
    "build_tagger": {
        "not_bidirectional": Mutant("keras.layers.Bidirectional(lstm)(h) if bidirectional else lstm(h)", "lstm(h)",
                                    expect=HINT_NOT_BIDIRECTIONAL),
        "one_layer_only": Mutant("for layer in range(n_layers):", "for layer in range(1):", expect=HINT_LAYERS),
        "last_layer_without_sequences": Mutant("keras.layers.LSTM(n_a, return_sequences=True)",
                                               "keras.layers.LSTM(n_a, return_sequences=layer < n_layers - 1)",
                                               expect=HINT_SEQUENCES),
        "no_softmax": Mutant('Dense(n_tags, activation="softmax", name="tags")', 'Dense(n_tags, name="tags")',
                             expect=HINT_SOFTMAX),
        "padding_not_masked": Mutant("mask_zero=True", "mask_zero=False", expect=HINT_MASK),
    },
}
