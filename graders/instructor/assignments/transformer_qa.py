"""Known-wrong variants for 15 transformer_qa: bugs students really make.

A variant whose message comes from an error its code raises, or from an input
changed in place, has that text as its `expect`; a behaviour-graded one
(span_logits) expects the hint its oracle replays.
"""

from graders import transformer_qa as g
from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"

CONTAINS_ANSWER = ("if offsets[f, context_tokens[0], 0] <= answer_start and "
                   "offsets[f, context_tokens[-1], 1] >= answer_end:")
SPLIT = "start_logits = logits[..., 0]  # (batch, seq_len)\n    end_logits = logits[..., 1]"
PUNCTUATION = 'text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))'
ARTICLES = 'text = re.sub(r"\\b(a|an|the)\\b", " ", text)'
F1_BLOCK = ("            if common > 0:\n"
            "                precision = common / len(predicted_tokens)\n"
            "                recall = common / len(gold_tokens)\n"
            "                f1[n] = max(f1[n], 2 * precision * recall / (precision + recall))")

MUTANTS = {
    "prepare_features": {
        "stride_ignored": Mutant("stride=stride,", "", category="ignored_argument"),
        "end_one_token_late": Mutant("(offsets[f, :, 1] >= answer_end))[0]", "(offsets[f, :, 0] >= answer_end))[0]"),
        "start_one_token_early": Mutant("(offsets[f, :, 0] <= answer_start))[-1]",
                                        "(offsets[f, :, 0] < answer_start))[-1]"),
        "question_tokens_searched": Mutant("[s == 1 for s in encoded.sequence_ids(f)]",
                                           "[s is not None for s in encoded.sequence_ids(f)]"),
        "offsets_not_masked": Mutant("        offsets[f, ~in_context] = -1\n", ""),
        "answer_end_not_checked": Mutant(CONTAINS_ANSWER, "if offsets[f, context_tokens[0], 0] <= answer_start:",
                                         expect="raised IndexError", category="degenerate"),
        "no_padding": Mutant(', padding="max_length")', ")", expect="raised ValueError", category="structure"),
        "questions_lowered_in_place": Mutant("    encoded = tokenizer(",
                                             "    questions[:] = [q.lower() for q in questions]\n"
                                             "    encoded = tokenizer(",
                                             expect=IN_PLACE.format("questions"), category="in_place"),
    },
    "span_logits": {
        "start_end_swapped": Mutant(SPLIT, "start_logits = logits[..., 1]\n    end_logits = logits[..., 0]",
                                    expect=g.HINT_SWAPPED),
        "softmax_applied": Mutant("logits = span_dense(sequence_output)",
                                  "logits = keras.ops.softmax(span_dense(sequence_output), axis=1)",
                                  expect=g.HINT_SOFTMAX),
        "last_axis_kept": Mutant(SPLIT, "start_logits = logits[..., 0:1]\n    end_logits = logits[..., 1:2]",
                                 expect=g.HINT_LAST_AXIS, category="structure"),
        "squeezed_every_axis": Mutant(SPLIT, "start_logits, end_logits = (keras.ops.squeeze(t) for t in "
                                             "keras.ops.split(logits, 2, axis=-1))",
                                      expect=g.HINT_SQUEEZE_ALL, category="degenerate"),
        "own_dense_layer": Mutant("logits = span_dense(sequence_output)",
                                  "logits = keras.layers.Dense(2)(sequence_output)",
                                  expect="use the span_dense layer you are given", category="ignored_argument"),
    },
    "decode_spans": {
        "end_before_start_allowed": Mutant("(length >= 0) & (length < max_answer_length)",
                                           "(length < max_answer_length)", category="degenerate"),
        "max_answer_length_ignored": Mutant("(length >= 0) & (length < max_answer_length)", "(length >= 0)",
                                            category="ignored_argument"),
        "one_token_too_long": Mutant("(length < max_answer_length)", "(length <= max_answer_length)"),
        "question_tokens_allowed": Mutant("in_context = offsets[f, :, 0] >= 0  # (seq_len,)",
                                          "in_context = np.ones(seq_len, dtype=bool)"),
        "first_window_only": Mutant("if pair_scores[start, end] > scores[i]:", "if scores[i] == -np.inf:",
                                    category="structure"),
        "char_end_at_token_start": Mutant("offsets[f, end, 1]", "offsets[f, end, 0]"),
        "logits_masked_in_place": Mutant("in_context = offsets[f, :, 0] >= 0  # (seq_len,)",
                                         "in_context = offsets[f, :, 0] >= 0\n"
                                         "        start_logits[f, ~in_context] = -np.inf",
                                         expect=IN_PLACE.format("start_logits"), category="in_place"),
    },
    "exact_match_and_f1": {
        "articles_kept": Mutant("        " + ARTICLES + "\n", ""),
        "punctuation_kept": Mutant(PUNCTUATION, "text = text.lower()"),
        "case_kept": Mutant("for ch in text.lower() if", "for ch in text if"),
        "first_gold_only": Mutant("for gold in golds:", "for gold in golds[:1]:"),
        "token_set_overlap": Mutant(
            "common = sum((collections.Counter(predicted_tokens) & collections.Counter(gold_tokens)).values())",
            "common = len(set(predicted_tokens) & set(gold_tokens))"),
        "articles_before_punctuation": Mutant(
            PUNCTUATION + "\n        " + ARTICLES,
            ARTICLES.replace(", text)", ", text.lower())") + "\n        " + PUNCTUATION),
        "punctuation_to_space": Mutant(
            PUNCTUATION, 'text = "".join(" " if ch in set(string.punctuation) else ch for ch in text.lower())'),
        "zero_overlap_divides_by_zero": Mutant(
            F1_BLOCK, "\n".join(line[4:] for line in F1_BLOCK.splitlines()[1:]),
            expect="raised ZeroDivisionError", category="degenerate"),
        "gold_answers_normalized_in_place": Mutant(
            "            gold_tokens = normalize(gold).split()",
            "            golds[golds.index(gold)] = normalize(gold)\n            gold_tokens = normalize(gold).split()",
            expect=IN_PLACE.format("gold_answers"), category="in_place"),
    },
}

# the bug the class test submits: exact_match_and_f1 is called by no other graded function
CLASS_BUG = ("exact_match_and_f1", "first_gold_only")

BENCH_METRICS = [
    Metric("bAbI task 1 test exact match, Keras", "babi_keras_em", ">= 0.99", lambda v, _: v >= 0.99),
    Metric("bAbI task 1 test exact match, PyTorch", "babi_torch_em", ">= 0.99", lambda v, _: v >= 0.99),
    Metric("Keras vs PyTorch loss at step 1, same weights and batch (abs diff)", "first_step_gap",
           "< 1e-3 (float32 round-off)", lambda v, _: v < 1e-3),
    Metric("SQuAD dev exact match (fixed slice)", "squad_dev_em", "reported", lambda v, _: True),
    Metric("SQuAD dev F1 (fixed slice)", "squad_dev_f1", "reported", lambda v, _: True),
    Metric("SQuAD dev questions scored", "len(squad_dev)", ">= 1,000", lambda v, _: v >= 1_000),
    Metric("SQuAD training questions", "squad_train_questions", "reported", lambda v, _: True),
    Metric("SQuAD training time (s)", "squad_train_seconds", "reported", lambda v, _: True),
]
