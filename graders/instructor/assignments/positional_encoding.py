"""Known-wrong variants for 12 positional_encoding: bugs students really make.

A variant whose message comes from a property (a dtype) or from an error its
code raises has that text as its `expect`.
"""

from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"
NOT_FLOAT32 = "dtype {}, expected float32"

SIN_COS = "angles[:, 0::2] = np.sin(angles[:, 0::2])\n    angles[:, 1::2] = np.cos(angles[:, 1::2])"
ANGLES_LINE = "angles = pos[:, np.newaxis] * angle_rates[np.newaxis, :]"
TOKENS_LINE = "is_token = token_ids != pad_id  # (m, T_x) True at real tokens"

MUTANTS = {
    "get_angles": {
        "pair_index_not_halved": Mutant("np.arange(d_model) // 2", "np.arange(d_model)"),
        "exponent_without_2": Mutant("2 * i / d_model", "i / d_model"),
        "rates_not_inverted": Mutant("1 / np.power(10000,", "np.power(10000,"),
        "positions_ignored": Mutant("pos[:, np.newaxis] *", "np.arange(len(pos))[:, np.newaxis] *",
                                    category="ignored_argument"),
        "pos_reshaped_in_place": Mutant(ANGLES_LINE, "pos.shape = (len(pos), 1)\n    angles = pos * angle_rates",
                                        expect=IN_PLACE.format("pos"), category="in_place"),
        "angles_transposed": Mutant(ANGLES_LINE, "angles = angle_rates[:, np.newaxis] * pos[np.newaxis, :]",
                                    category="structure"),
        "odd_d_model_loses_last_column": Mutant("np.arange(d_model) // 2", "np.repeat(np.arange(d_model // 2), 2)",
                                                category="degenerate"),
    },
    "positional_encoding": {
        "sin_cos_swapped": Mutant(SIN_COS, SIN_COS.replace("np.sin", "np.SIN").replace("np.cos", "np.sin")
                                  .replace("np.SIN", "np.cos")),
        "positions_from_one": Mutant("np.arange(positions)", "np.arange(1, positions + 1)"),
        "halves_not_interleaved": Mutant(SIN_COS, "angles = np.concatenate([np.sin(angles[:, 0::2]), "
                                                  "np.cos(angles[:, 1::2])], axis=1)"),
        "sine_everywhere": Mutant("= np.cos(angles[:, 1::2])", "= np.sin(angles[:, 1::2])"),
        "no_batch_axis": Mutant("angles[np.newaxis, ...]", "angles", category="structure"),
        "float64_returned": Mutant(".astype(np.float32)", "", expect=NOT_FLOAT32.format("float64"),
                                   category="structure"),
        "sines_and_cosines_stacked": Mutant(SIN_COS, "angles = np.stack([np.sin(angles[:, 0::2]), np.cos(angles[:, "
                                                     "1::2])], axis=-1).reshape(positions, d_model)",
                                            expect="raised ValueError", category="degenerate"),
    },
    "create_padding_mask": {
        "polarity_inverted": Mutant("token_ids != pad_id", "token_ids == pad_id"),
        "pad_id_ignored": Mutant("token_ids != pad_id", "token_ids != 0", category="ignored_argument"),
        "no_query_axis": Mutant("    mask = mask[:, np.newaxis, :]  # (m, 1, T_x)\n", "", category="structure"),
        "boolean_mask": Mutant("np.where(is_token, attention.MAY_ATTEND, attention.BLOCKED)"
                               ".astype(attention.MASK_DTYPE)", "is_token", expect=NOT_FLOAT32.format("bool"),
                               category="structure"),
        "padding_assumed_at_the_end": Mutant(TOKENS_LINE, "lengths = np.sum(token_ids != pad_id, axis=1)\n    "
                                             "is_token = np.arange(token_ids.shape[1]) < lengths[:, np.newaxis]",
                                             category="degenerate"),
        "ids_overwritten_in_place": Mutant(TOKENS_LINE, "is_token = token_ids\n    is_token[token_ids != pad_id] = 1",
                                           expect=IN_PLACE.format("token_ids"), category="in_place"),
    },
    "create_look_ahead_mask": {
        "diagonal_excluded": Mutant("dtype=attention.MASK_DTYPE))", "dtype=attention.MASK_DTYPE), k=-1)"),
        "future_allowed": Mutant("np.tril(", "np.triu("),
        "polarity_inverted": Mutant("= allowed[np.newaxis", "= 1 - allowed[np.newaxis"),
        "no_batch_axis": Mutant("allowed[np.newaxis, :, :]", "allowed", category="structure"),
        "float64_ones": Mutant(", dtype=attention.MASK_DTYPE)", ")", expect=NOT_FLOAT32.format("float64"),
                               category="structure"),
    },
}

# the bug the class test submits: create_look_ahead_mask is called by no other graded function
CLASS_BUG = ("create_look_ahead_mask", "diagonal_excluded")

# 12 trains nothing: its numbers are the facts the notebook demonstrates, each with the bound that decides it
BENCH_METRICS = [
    Metric("PE(p).PE(p+k) vs sum_i cos(k w_i), 3 starting positions (max abs diff)", "dot_spread",
           "< 1e-4 (float32)", lambda v, _: v < 1e-4),
    Metric("rotation M_k PE(p) vs PE(p+k) (max abs diff)", "shift_error", "< 1e-5 (float32)", lambda v, _: v < 1e-5),
    Metric("Keras attention weight on a blocked key (max)", "keras_blocked_weight", "< 1e-6",
           lambda v, _: v < 1e-6),
]
