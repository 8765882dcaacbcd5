"""Known-wrong variants for 06 word2vec: bugs students really make."""

from graders.instructor.assignments import Metric, Mutant

FULL_TRAINING_BUDGET_S = 300  # 06's full-mode target (docs/design.md): at most 5 minutes of training on 2 cores
MIN_NEIGHBOUR_SANITY = 0.75  # at least 6 of the 8 probe words have a related word among their 10 neighbours

MUTANTS = {
    "subsample": {
        "discard_probability_as_keep": Mutant(
            "np.minimum(1.0, np.sqrt(t / frequencies[tokens]))",
            "np.maximum(0.0, 1 - np.sqrt(t / frequencies[tokens]))",
        ),
        "counts_not_normalized": Mutant("frequencies = counts / counts.sum()", "frequencies = counts"),
        "t_ignored": Mutant("np.sqrt(t / frequencies[tokens])", "np.sqrt(SUBSAMPLE_T / frequencies[tokens])",
                            category="ignored_argument"),
        "global_random_state": Mutant("rng.random(tokens.shape[0])", "np.random.random(tokens.shape[0])",
                                      category="ignored_argument"),
        "one_draw_per_word_type": Mutant(
            "    keep_probability = np.minimum(1.0, np.sqrt(t / frequencies[tokens]))  # (n,) one per occurrence\n"
            "    kept = tokens[rng.random(tokens.shape[0]) < keep_probability]\n",
            "    keep_word = rng.random(counts.shape[0]) < np.minimum(1.0, np.sqrt(t / frequencies))\n"
            "    kept = tokens[keep_word[tokens]]\n",
            category="degenerate",
        ),
        "survivors_grouped_by_word": Mutant(
            "kept = tokens[rng.random(tokens.shape[0]) < keep_probability]",
            "kept = np.sort(tokens[rng.random(tokens.shape[0]) < keep_probability])",
            expect="the survivors must keep their order", category="structure",
        ),
    },
    "skipgram_pairs": {
        "right_side_short": Mutant("np.arange(1, window + 1)", "np.arange(1, window)"),
        "target_paired_with_itself": Mutant("np.arange(-window, 0)", "np.arange(-window, 1)"),
        "edges_wrap_around": Mutant("valid = (context_positions >= 0) & (context_positions < n)",
                                    "valid = context_positions < n", category="degenerate"),
        "edges_dropped": Mutant(
            "valid = (context_positions >= 0) & (context_positions < n)",
            "valid = np.broadcast_to(((np.arange(n) >= window) & (np.arange(n) < n - window))[:, None], "
            "context_positions.shape)",
            category="degenerate",
        ),
        "window_ignored": Mutant("np.arange(-window, 0), np.arange(1, window + 1)",
                                 "np.arange(-WINDOW, 0), np.arange(1, WINDOW + 1)", category="ignored_argument"),
        "targets_contexts_swapped": Mutant("return targets, contexts", "return contexts, targets",
                                           category="structure"),
        "offset_major_order": Mutant(
            "    targets = np.broadcast_to(tokens[:, None], context_positions.shape)[valid]",
            "    targets = np.broadcast_to(tokens[:, None], context_positions.shape).T[valid.T]\n"
            "    context_positions, valid = context_positions.T, valid.T",
            category="structure",
        ),
    },
    "noise_distribution": {
        "not_normalized": Mutant("noise = weights / weights.sum()", "noise = weights"),
        "power_after_normalizing": Mutant(
            "    weights = counts.astype(np.float64) ** power  # (vocab_size,)\n    noise = weights / weights.sum()",
            "    noise = (counts / counts.sum()) ** power",
        ),
        "power_ignored": Mutant("** power", "** NOISE_POWER", category="ignored_argument"),
    },
    "draw_negatives": {
        "uniform_draws": Mutant(", p=noise)", ")"),
        "global_random_state": Mutant("rng.choice(", "np.random.choice(", category="ignored_argument"),
        "K_ignored": Mutant("size=(m, K)", "size=(m, NEGATIVES)", category="ignored_argument"),
        "shape_transposed": Mutant("size=(m, K)", "size=(K, m)", category="structure"),
    },
    "sgns_loss": {
        "positive_gradient_sign": Mutant("pos_coef = sigmoid(pos_scores) - 1", "pos_coef = sigmoid(pos_scores)"),
        "negatives_missing_from_dv": Mutant(
            'pos_coef[:, None] * u_context + np.einsum("mk,mkd->md", neg_coef, u_negatives)',
            "pos_coef[:, None] * u_context",
        ),
        "negative_term_sign": Mutant("np.logaddexp(0, neg_scores)", "np.logaddexp(0, -neg_scores)"),
        "mean_not_sum": Mutant(
            "loss = float(np.sum(np.logaddexp(0, -pos_scores)) + np.sum(np.logaddexp(0, neg_scores)))",
            "loss = float(np.mean(np.logaddexp(0, -pos_scores) + np.sum(np.logaddexp(0, neg_scores), axis=1)))",
        ),
        "naive_log_overflows": Mutant("np.logaddexp(0, -pos_scores)", "-np.log(sigmoid(pos_scores))",
                                      expect="compute -log sigma(x) as np.logaddexp(0, -x)", category="degenerate"),
    },
    "sgns_step": {
        "repeated_indices_updated_once": Mutant(
            'np.subtract.at(W_in, targets, learning_rate * gradients["dv_target"])',
            'W_in[targets] -= learning_rate * gradients["dv_target"]',
        ),
        "gradient_ascent_on_contexts": Mutant("np.subtract.at(W_out, contexts,", "np.add.at(W_out, contexts,"),
        "negatives_not_updated": Mutant(
            '    np.subtract.at(W_out, negatives, learning_rate * gradients["du_negatives"])\n', ""),
        "learning_rate_ignored": Mutant(
            'np.subtract.at(W_in, targets, learning_rate * gradients["dv_target"])\n'
            '    np.subtract.at(W_out, contexts, learning_rate * gradients["du_context"])\n'
            '    np.subtract.at(W_out, negatives, learning_rate * gradients["du_negatives"])',
            'np.subtract.at(W_in, targets, LEARNING_RATE * gradients["dv_target"])\n'
            '    np.subtract.at(W_out, contexts, LEARNING_RATE * gradients["du_context"])\n'
            '    np.subtract.at(W_out, negatives, LEARNING_RATE * gradients["du_negatives"])',
            category="ignored_argument",
        ),
        "matrices_copied": Mutant("    v_target = W_in[targets]",
                                  "    W_in, W_out = W_in.copy(), W_out.copy()\n    v_target = W_in[targets]",
                                  category="in_place"),
    },
    "cbow_loss": {
        "sum_not_mean": Mutant("h = V_context.mean(axis=1)", "h = V_context.sum(axis=1)"),
        "gradient_not_shared": Mutant('inner["dv_target"][:, None, :] / C', 'inner["dv_target"][:, None, :]'),
        "accumulates_into_input": Mutant(
            "    h = V_context.mean(axis=1)  # (m, emb_dim): the average context vector\n",
            "    h = V_context[:, 0]\n    for j in range(1, C):\n        h += V_context[:, j]\n    h = h / C\n",
            expect="changed its input V_context in place", category="in_place",
        ),
        "gradients_mislabelled": Mutant(
            '"du_target": inner["du_context"], "du_negatives": inner["du_negatives"]',
            '"du_target": inner["du_negatives"], "du_negatives": inner["du_context"]',
            category="structure",
        ),
    },
}

# the bug the class test submits: skipgram_pairs is called by no other graded function
CLASS_BUG = ("skipgram_pairs", "target_paired_with_itself")

BENCH_METRICS = [
    Metric("training time (s)", "train_seconds", f"<= {FULL_TRAINING_BUDGET_S} s on 2 cores (full mode)",
           lambda v, _: v <= FULL_TRAINING_BUDGET_S),
    Metric("word2vec analogy accuracy (shared vocabulary)", "w2v_analogy_accuracy", "reported beside GloVe",
           lambda v, _: 0 <= v <= 1),
    Metric("GloVe 50-d analogy accuracy (same questions)", "glove_analogy_accuracy", "reported",
           lambda v, _: 0 <= v <= 1),
    Metric("neighbour sanity (share of probe words)", "neighbour_sanity",
           f">= {MIN_NEIGHBOUR_SANITY} (sensible neighbours)", lambda v, _: v >= MIN_NEIGHBOUR_SANITY),
]
