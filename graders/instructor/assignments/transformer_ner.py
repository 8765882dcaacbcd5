"""Known-wrong variants for 14 transformer_ner: bugs students really make.

A variant whose message comes from the probe (a type, an error its code
raises, an input changed in place) has that text as its `expect`.
"""

from graders import behaviour
from graders import transformer_ner as g
from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"
LABEL_LINE = "labels[i, position] = tag_to_index[tags[i][word]]"
ENTITY_LOOP = "for t, tag in enumerate(list(sentence) + [ner.OUTSIDE]):"

MUTANTS = {
    "tokenize_and_align_labels": {
        "every_subtoken_labelled": Mutant("if word != previous:", "if True:"),
        "unlabelled_positions_zero": Mutant("labels = np.full((m, max_length), IGNORE_INDEX, dtype=np.int32)",
                                            "labels = np.zeros((m, max_length), dtype=np.int32)"),
        "first_word_unlabelled": Mutant("previous = None", "previous = 0", category="degenerate"),
        "max_length_ignored": Mutant("max_length=max_length,", "max_length=16,", category="ignored_argument"),
        "no_truncation": Mutant("truncation=True, ", "", expect="raised ValueError", category="degenerate"),
        "tags_converted_in_place": Mutant(LABEL_LINE, "tags[i][word] = tag_to_index[tags[i][word]]\n"
                                                      "                labels[i, position] = tags[i][word]",
                                          expect=IN_PLACE.format("tags"), category="in_place"),
        "word_ids_of_specials": Mutant("word_ids = np.full((m, max_length), NO_WORD, dtype=np.int32)",
                                       "word_ids = np.zeros((m, max_length), dtype=np.int32)", category="structure"),
        "lists_returned": Mutant('input_ids = np.array(encoding["input_ids"], dtype=np.int32)',
                                 'input_ids = encoding["input_ids"]', expect="convert it with np.array(...)",
                                 category="structure"),
    },
    "build_token_classifier": {
        "softmax_head": Mutant('Dense(n_tags, name="tag_logits")', 'Dense(n_tags, activation="softmax", '
                                                                   'name="tag_logits")', expect=g.HINT_NOT_LOGITS),
        "relu_head": Mutant('Dense(n_tags, name="tag_logits")', 'Dense(n_tags, activation="relu", name="tag_logits")',
                            expect=g.HINT_HEAD),
        "pooled_output": Mutant('backbone(inputs)["sequence_output"]', 'backbone(inputs)["pooled_output"]',
                                expect=g.HINT_POOLED, category="structure"),
        "backbone_frozen": Mutant("    hidden = backbone(inputs)", "    backbone.trainable = False\n"
                                                                   "    hidden = backbone(inputs)",
                                  expect=g.HINT_FROZEN, category="structure"),
        "dropout_left_out": Mutant("    hidden = keras.layers.Dropout(dropout)(hidden)\n", "",
                                   expect=g.HINT_DROPOUT_IGNORED, category="ignored_argument"),
        "dropout_rate_fixed": Mutant("keras.layers.Dropout(dropout)", "keras.layers.Dropout(0.1)",
                                     expect=behaviour.HINT_DROPOUT_FIXED, category="ignored_argument"),
    },
    "masked_token_loss": {
        "ignored_positions_in_denominator": Mutant(
            "loss = keras.ops.sum(per_token * weights) / keras.ops.maximum(keras.ops.sum(weights), 1.0)",
            "loss = keras.ops.mean(per_token * weights)"),
        "ignored_positions_as_class_0": Mutant("keras.ops.sum(per_token * weights)", "keras.ops.sum(per_token)"),
        "logits_read_as_probabilities": Mutant("from_logits=True", "from_logits=False"),
        "mean_of_sentence_means": Mutant(
            "loss = keras.ops.sum(per_token * weights) / keras.ops.maximum(keras.ops.sum(weights), 1.0)",
            "loss = keras.ops.mean(keras.ops.sum(per_token * weights, axis=1)\n"
            "                          / keras.ops.maximum(keras.ops.sum(weights, axis=1), 1.0))"),
        "nan_without_labels": Mutant("keras.ops.maximum(keras.ops.sum(weights), 1.0)", "keras.ops.sum(weights)",
                                     expect="nan", category="degenerate"),
    },
    "word_predictions": {
        "last_subtoken_read": Mutant("if word != NO_WORD and word != previous:", "if word != NO_WORD:"),
        "special_tokens_read": Mutant("if word != NO_WORD and word != previous:", "if word != previous:"),
        "words_cut_off_left_empty": Mutant("        word_tags[i, :n] = OUTSIDE_INDEX", "        pass",
                                           category="degenerate"),
        "logits_shifted_in_place": Mutant("best = np.argmax(logits, axis=-1)",
                                          "logits -= logits.max(axis=-1, keepdims=True)\n"
                                          "    best = np.argmax(logits, axis=-1)",
                                          expect=IN_PLACE.format("logits"), category="in_place"),
        "float_tags": Mutant("NO_WORD, dtype=np.int32)", "NO_WORD, dtype=np.float64)",
                             expect="indices must be integers", category="structure"),
    },
    "entity_f1": {
        "types_ignored": Mutant("found.add((s, start, t, kind))", "found.add((s, start, t))"),
        "last_entity_dropped": Mutant(ENTITY_LOOP, "for t, tag in enumerate(sentence):", category="degenerate"),
        "inside_without_begin_ignored": Mutant('if prefix == "B" or (prefix == "I" and not continues):',
                                               'if prefix == "B":'),
        "sentences_joined": Mutant("for s, sentence in enumerate(sentences):",
                                   "for s, sentence in enumerate([sum(sentences, [])]):"),
        "precision_recall_swapped": Mutant("return precision, recall, f1", "return recall, precision, f1"),
        "nothing_predicted_divides_by_zero": Mutant("correct / len(guessed) if guessed else 0.0",
                                                    "correct / len(guessed)", expect="raised ZeroDivisionError",
                                                    category="degenerate"),
        "sentinel_appended_in_place": Mutant(ENTITY_LOOP, "sentence.append(ner.OUTSIDE)\n"
                                                          "            for t, tag in enumerate(sentence):",
                                             expect=IN_PLACE.format("true_tags, pred_tags"), category="in_place"),
    },
}

# the bug the class test submits: entity_f1 is called by no other graded function
CLASS_BUG = ("entity_f1", "types_ignored")

BENCH_METRICS = [
    Metric("wikigold test entity F1, MiniLM fine-tuned", "wiki_test_f1", ">= 0.75", lambda v, _: v >= 0.75),
    Metric("wikigold test entity F1, notebook 04's 2-layer BiLSTM (same sentences)",
           "comparison.loc[BILSTM_ROW, 'entity F1']", "below the fine-tuned model",
           lambda v, values: v < values["wikigold test entity F1, MiniLM fine-tuned"]),
    Metric("wikigold test entity F1, memorized tags", "comparison.loc['memorized tags', 'entity F1']", "reported",
           lambda v, _: v >= 0),
    Metric("WNUT-17 test entity F1", "wnut_test_f1", "reported (published state of the art about 0.5-0.6)",
           lambda v, _: v > 0),
    Metric("fine-tuning time, both data sets (min)", "fine_tuning_minutes", "<= 8 on 2 cores", lambda v, _: v <= 8),
]
