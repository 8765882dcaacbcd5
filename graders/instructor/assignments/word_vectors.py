"""Known-wrong variants for 05 word_vectors: bugs students really make.

complete_analogy and equalize are graded by behaviour and properties, so their
variants name the text of the hint or property the message must show.
"""

import graders.word_vectors as g
from graders.instructor.assignments import Metric, Mutant
from graders.word_vectors import (EQUALIZE_PROPERTIES, HINT_C_IGNORED, HINT_DOT, HINT_EUCLIDEAN, HINT_LOOP,
                                  HINT_NOT_EXCLUDED, HINT_REVERSED, HINT_ZERO_EXCLUDED)

IN_PLACE = "your function changed its input {} in place"
NOT_FRESH = "is one of the caller's own input arrays"
NEUTRAL_PART, OPPOSITE_BIAS, UNIT_LENGTH, SIDES = (p.description for p in EQUALIZE_PROPERTIES[1:])
COSINE_LINE = "cosine = float(np.dot(u, v) / (norm_u * norm_v))"
SCORES_LINES = ("    norms = np.linalg.norm(E, axis=1)  # (vocab_size,) length of every word vector\n"
                "    scores = (E @ target) / (norms * np.linalg.norm(target))  # (vocab_size,) cosine of every word\n")
E1_E2_LINES = ("    e1 = nu + scale * (e_w1B - mu_B) / np.linalg.norm(e_w1B - mu_B)\n"
               "    e2 = nu + scale * (e_w2B - mu_B) / np.linalg.norm(e_w2B - mu_B)\n")

MUTANTS = {
    "cosine_similarity": {
        "no_normalization": Mutant(COSINE_LINE, "cosine = float(np.dot(u, v))"),
        "norms_not_square_rooted": Mutant("norm_u = np.sqrt(np.sum(u * u))\n    norm_v = np.sqrt(np.sum(v * v))",
                                          "norm_u = np.sum(u * u)\n    norm_v = np.sum(v * v)"),
        "cosine_distance": Mutant(COSINE_LINE, "cosine = 1 - float(np.dot(u, v) / (norm_u * norm_v))"),
        "v_ignored": Mutant(COSINE_LINE, "cosine = float(np.dot(u, u) / (norm_u * norm_u))",
                            category="ignored_argument"),
        "zero_vector_divided": Mutant("    if norm_u == 0 or norm_v == 0:\n        return 0.0\n", "",
                                      expect="when u or v is all zeros there is no angle: return 0.0",
                                      category="degenerate"),
        "normalized_in_place": Mutant(COSINE_LINE, "u /= norm_u\n    v /= norm_v\n    cosine = float(np.dot(u, v))",
                                      expect=IN_PLACE.format("u, v"), category="in_place"),
    },
    "complete_analogy": {
        "inputs_not_excluded": Mutant("        scores[word_to_index[word]] = -np.inf", "        pass",
                                      expect=HINT_NOT_EXCLUDED),
        "excluded_with_zero": Mutant("scores[word_to_index[word]] = -np.inf", "scores[word_to_index[word]] = 0",
                                     expect=HINT_ZERO_EXCLUDED, category="degenerate"),
        "dot_product_scores": Mutant("scores = (E @ target) / (norms * np.linalg.norm(target))",
                                     "scores = E @ target", expect=HINT_DOT),
        "euclidean_distance": Mutant("scores = (E @ target) / (norms * np.linalg.norm(target))",
                                     "scores = -np.linalg.norm(E - target, axis=1)", expect=HINT_EUCLIDEAN),
        "offset_reversed": Mutant("target = e_b - e_a + e_c", "target = e_a - e_b + e_c", expect=HINT_REVERSED),
        "word_c_ignored": Mutant("target = e_b - e_a + e_c", "target = e_b - e_a", expect=HINT_C_IGNORED,
                                 category="ignored_argument"),
        "norms_by_map": Mutant("norms = np.linalg.norm(E, axis=1)", "norms = np.array(list(map(np.linalg.norm, E)))",
                               expect=HINT_LOOP, category="structure"),
        "python_loop": Mutant(SCORES_LINES, "    scores = np.array([cosine_similarity(E[i], target)\n"
                                            "                       for i in range(len(index_to_word))])\n",
                              expect=HINT_LOOP, category="structure"),
        "E_normalized_in_place": Mutant(SCORES_LINES, "    E /= np.linalg.norm(E, axis=1, keepdims=True)\n"
                                                      "    scores = (E @ target) / np.linalg.norm(target)\n",
                                        expect=IN_PLACE.format("E"), category="in_place"),
        "returns_row_number": Mutant("best_word = index_to_word[int(np.argmax(scores))]",
                                     "best_word = int(np.argmax(scores))", expect="you returned a row number",
                                     category="structure"),
    },
    "neutralize": {
        "divided_by_norm": Mutant("np.dot(e, g) / np.dot(g, g)", "np.dot(e, g) / np.linalg.norm(g)"),
        "bias_component_returned": Mutant("e_debiased = e - e_bias_component", "e_debiased = e_bias_component"),
        "bias_component_added": Mutant("e_debiased = e - e_bias_component", "e_debiased = e + e_bias_component"),
        "g_assumed_unit": Mutant("(np.dot(e, g) / np.dot(g, g)) * g", "np.dot(e, g) * g",
                                 category="ignored_argument"),
        "e_changed_in_place": Mutant("e_debiased = e - e_bias_component", "e -= e_bias_component\n    e_debiased = e",
                                     expect=IN_PLACE.format("e"), category="in_place"),
        "neutral_word_returned_as_is": Mutant("    ### BEGIN SOLUTION\n",
                                              "    ### BEGIN SOLUTION\n    if np.dot(e, g) == 0:\n        return e\n",
                                              expect=NOT_FRESH, category="degenerate"),
    },
    "equalize": {
        "no_square_root": Mutant("scale = np.sqrt(1 - np.dot(nu, nu))", "scale = 1 - np.dot(nu, nu)",
                                 expect=UNIT_LENGTH),
        "bias_not_centred": Mutant(E1_E2_LINES, "    e1 = nu + scale * e_w1B / np.linalg.norm(e_w1B)\n"
                                                "    e2 = nu + scale * e_w2B / np.linalg.norm(e_w2B)\n",
                                   expect=OPPOSITE_BIAS),
        "centre_not_neutralized": Mutant("nu = mu - mu_B  # the neutral", "nu = mu  # the neutral", expect=OPPOSITE_BIAS),
        "norm_of_whole_difference": Mutant(E1_E2_LINES,
                                           "    e1 = nu + scale * (e_w1B - mu_B) / np.linalg.norm(e_w1 - mu)\n"
                                           "    e2 = nu + scale * (e_w2B - mu_B) / np.linalg.norm(e_w2 - mu)\n",
                                           expect=UNIT_LENGTH),
        "axis_from_the_pair": Mutant("g_dot = np.dot(g, g)", "g = e_w1 - e_w2\n    g_dot = np.dot(g, g)",
                                     expect=NEUTRAL_PART, category="ignored_argument"),
        "returned_swapped": Mutant("return e1, e2", "return e2, e1", expect=SIDES, category="structure"),
        "g_normalized_in_place": Mutant("g_dot = np.dot(g, g)", "g /= np.linalg.norm(g)\n    g_dot = np.dot(g, g)",
                                        expect=IN_PLACE.format("g"), category="in_place"),
    },
}

# the bug the class test submits: neutralize is called by no other graded function
CLASS_BUG = ("neutralize", "bias_component_added")

ANALOGY_CATEGORIES = ("capital_country", "country_currency", "singular_plural", "comparative_superlative",
                      "male_female", "past_tense", "present_participle")
BENCH_METRICS = [
    Metric("classic analogies solved (of 6)", "classic_solved", "all 6", lambda v, _: v == 6),
    Metric("one analogy over 400k words (ms)", "analogy_ms", "<= 50", lambda v, _: v <= 50),
    Metric("Python loop / vectorized query (time ratio)", "loop_ratio", "reported (loop takes seconds)",
           lambda v, _: v > 1),
    Metric("largest |projection on g| after neutralize", "max_neutralized_projection", "< 1e-6",
           lambda v, _: v < 1e-6),
    Metric("equalized pair: largest gap of cosines with a neutral word", "max(equalized_gaps)", "< 1e-6",
           lambda v, _: v < 1e-6),
    Metric("analogy set accuracy, mean over categories", "overall_accuracy", "reported", lambda v, _: v >= 0),
] + [Metric(f"analogy accuracy: {category}", f"accuracy[{category!r}]", "reported", lambda v, _: v >= 0)
     for category in ANALOGY_CATEGORIES]


# The hidden analogy cases live here only: `make references` writes their inputs to the public record and
# their answers and bug hints to the hidden one (graders.word_vectors.analogy_records). They differ from the
# public cases in structure: every candidate with a negative cosine, another dimension, a larger GloVe vocabulary.
HIDDEN_PLANTED = {  # name: (kind, vocab_size, emb_dim, seed)
    "all_negative": ("negative", 5, 3, 3111),
    "planted_lengths_20d": ("lengths", 2000, 20, 3112),
}
HIDDEN_GLOVE_QUESTIONS = {"glove_language": ("germany", "german", "france", "french", 100_000)}


def hidden_records():
    """({public key: array}, {hidden key: array}) of every hidden analogy case."""
    public, hidden = {}, {}
    for name, (kind, *sizes) in HIDDEN_PLANTED.items():
        inputs, secret = g.analogy_records(name, kind, *g.planted_vocabulary(kind, *sizes))
        public |= inputs
        hidden |= secret
    for name, question in HIDDEN_GLOVE_QUESTIONS.items():
        inputs, secret = g.analogy_records(name, "glove", *g.glove_question(*question), top_n=question[-1])
        public |= inputs
        hidden |= secret
    return public, hidden
