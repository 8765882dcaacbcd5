"""Known-wrong variants for 11 ctc_speech: bugs students really make.

ctc_forward is judged against TensorFlow (graders/ctc_speech.py), so its
variants are named by the pattern of facts they get wrong; a variant whose
message comes from such a pattern, a dtype or the in-place check has that
text as its `expect`.
"""

from graders import ctc_speech as public
from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"
NOT_INTEGER = "dtype float64, expected integers"

RUN_LINES = ("starts_run = np.ones(len(path), dtype=bool)  # (T,) True where a step differs from the step before it\n"
             "    starts_run[1:] = path[1:] != path[:-1]\n"
             "    merged = path[starts_run]  # one symbol per run of equal symbols\n"
             "    labels = merged[merged != blank]  # then the blanks go")
STARTS_RUN = ("starts_run = np.ones(len(path), dtype=bool)  # (T,) True where a step differs from the step before it\n"
              "    starts_run[1:] = path[1:] != path[:-1]")
MOVE_ON = "np.logaddexp(into[1:], previous[:-1])"

MUTANTS = {
    "ctc_collapse": {
        "blanks_dropped_first": Mutant(RUN_LINES, "kept = path[path != blank]\n"
                                                  "    starts_run = np.ones(len(kept), dtype=bool)\n"
                                                  "    starts_run[1:] = kept[1:] != kept[:-1]\n"
                                                  "    labels = kept[starts_run]"),
        "repeats_not_merged": Mutant("merged = path[starts_run]", "merged = path"),
        "blanks_kept": Mutant("labels = merged[merged != blank]", "labels = merged"),
        "blank_argument_ignored": Mutant("merged[merged != blank]", "merged[merged != ctc.BLANK]",
                                         category="ignored_argument"),
        "first_compared_with_last": Mutant(STARTS_RUN, "starts_run = path != np.roll(path, 1)", category="degenerate"),
        "np_unique_used": Mutant("merged = path[starts_run]", "merged = np.unique(path)"),
        "repeats_blanked_in_place": Mutant(RUN_LINES, "path[1:][path[1:] == path[:-1]] = blank  # a repeat becomes a blank\n"
                                                      "    labels = path[path != blank]",
                                           expect=IN_PLACE.format("path"), category="in_place"),
    },
    "ctc_forward": {
        "max_instead_of_sum": Mutant(MOVE_ON, "np.maximum(into[1:], previous[:-1])", expect=public.SUM_HINT),
        "skip_between_repeats": Mutant("(extended[2:] != blank) & (extended[2:] != extended[:-2])",
                                       "extended[2:] != blank", expect=public.SKIP_HINT),
        "start_in_blank_only": Mutant("log_alpha[0, :2] = log_probs[0, extended[:2]]",
                                      "log_alpha[0, 0] = log_probs[0, blank]", expect=public.SKIP_HINT),
        "loss_from_last_state_only": Mutant("-np.logaddexp.reduce(log_alpha[T - 1, -2:])", "-log_alpha[T - 1, -1]",
                                            expect=public.LOSS_HINT),
        "blank_argument_ignored": Mutant("np.full(2 * len(labels) + 1, blank)", "np.full(2 * len(labels) + 1, ctc.BLANK)",
                                         category="ignored_argument"),
        "probabilities_underflow": Mutant(MOVE_ON, "np.log(np.exp(into[1:]) + np.exp(previous[:-1]))",
                                          expect=public.UNDERFLOW_HINT, category="degenerate"),
        "emission_added_twice": Mutant("log_alpha[t] = into + log_probs[t, extended]",
                                       "log_alpha[t] = into + 2 * log_probs[t, extended]", expect=public.SUM_HINT),
        "table_without_the_last_blank": Mutant("np.full(2 * len(labels) + 1, blank)", "np.full(2 * len(labels), blank)",
                                               expect="expected (T, 2L+1)", category="structure"),
    },
    "greedy_decode": {
        "argmax_over_time": Mutant("np.argmax(probs[:n_steps], axis=-1)", "np.argmax(probs[:n_steps], axis=0)",
                                   category="structure"),
        "padding_decoded": Mutant("probs[:n_steps]", "probs", category="ignored_argument"),
        "blank_not_passed": Mutant("ctc_collapse(best_path, blank)", "ctc_collapse(best_path, ctc.BLANK)",
                                   category="ignored_argument"),
        "blanks_dropped_without_merging": Mutant("labels = ctc_collapse(best_path, blank)",
                                                 "labels = best_path[best_path != blank]"),
    },
    "edit_distance": {
        "substitution_costs_two": Mutant("+ (reference[i - 1] != hypothesis[j - 1])",
                                         "+ 2 * (reference[i - 1] != hypothesis[j - 1])"),
        "match_charged": Mutant("+ (reference[i - 1] != hypothesis[j - 1])", "+ 1"),
        "first_row_zero": Mutant("    D[0, :] = np.arange(m + 1)  # insert every hypothesis symbol\n", "",
                                 category="degenerate"),
        "first_column_zero": Mutant("    D[:, 0] = np.arange(n + 1)  # delete every reference symbol\n", "",
                                    category="degenerate"),
        "normalized_by_length": Mutant("distance = int(D[n, m])", "distance = D[n, m] / max(n, 1)",
                                       expect=NOT_INTEGER, category="structure"),
    },
}

# the bug the class test submits: edit_distance is called by no other graded function
CLASS_BUG = ("edit_distance", "match_charged")

# the shipped recognizer scored by the student's greedy_decode and edit_distance on held-out voices (full mode:
# the card's 300 test strings), and the from-scratch pieces against their libraries
BENCH_METRICS = [
    Metric("character error rate on held-out voices (full mode)", "test_cer", "<= 0.10", lambda v, _: v <= 0.10),
    Metric("worst held-out voice's CER", "worst_voice_cer", "reported", lambda v, _: True),
    Metric("whole strings right on held-out voices", "test_string_accuracy", "reported", lambda v, _: True),
    Metric("|your CTC loss - tf.nn.ctc_loss| on 200 random cases (max)", "forward_max_diff", "<= 1e-5",
           lambda v, _: v <= 1e-5),
    Metric("your edit distance vs RapidFuzz on 300 random pairs (disagreements)", "edit_disagreements", "== 0",
           lambda v, _: v == 0),
]
