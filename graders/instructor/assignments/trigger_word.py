"""Known-wrong variants for 10 trigger_word: bugs students really make."""

from graders import trigger_word as g
from graders.instructor.assignments import Metric, Mutant

OVERLAP_TEST = "segment_start <= previous_end and segment_end >= previous_start"
IN_PLACE = "your function changed its input {} in place"
FIRST_STEP = "first_step = max(0, (segment_end - receptive_samples) // samples_per_step + 1)"
MODEL_FACT = g.MODEL_FACT_HINTS  # the hint of each structural fact of the detector

MUTANTS = {
    "is_overlapping": {
        "strict_comparisons": Mutant(OVERLAP_TEST, "segment_start < previous_end and segment_end > previous_start",
                                     expect=g.HINT_STRICT),
        "last_segment_decides": Mutant("if " + OVERLAP_TEST + ":\n            overlap = True",
                                       "overlap = " + OVERLAP_TEST, expect=g.HINT_LAST_ONLY),
        "start_inside_only": Mutant(OVERLAP_TEST, "previous_start <= segment_start <= previous_end",
                                    expect=g.HINT_CONTAINED),
        "or_for_and": Mutant(OVERLAP_TEST, "segment_start <= previous_end or segment_end >= previous_start",
                             expect=g.HINT_OR, category="degenerate"),
        "returns_the_segment": Mutant("overlap = True", "overlap = previous_start", expect=g.HINT_NOT_BOOL,
                                      category="structure"),
    },
    "insert_audio_clip": {
        "no_overlap_check": Mutant("if not is_overlapping(candidate, previous_segments):", "if True:",
                                   expect=g.HINT_NO_CHECK, category="ignored_argument"),
        "high_off_by_one": Mutant("len(background) - clip_length + 1)", "len(background) - clip_length)",
                                  expect=g.HINT_HIGH),
        "segment_one_too_long": Mutant("candidate = (start, start + clip_length - 1)",
                                       "candidate = (start, start + clip_length)", expect=g.HINT_END),
        "clip_replaces_background": Mutant("new_background[start : start + clip_length] += audio_clip",
                                           "new_background[start : start + clip_length] = audio_clip",
                                           expect=g.HINT_REPLACED),
        "segment_not_appended": Mutant("        previous_segments.append(segment)\n", "",
                                       expect=g.HINT_NOT_RECORDED, category="ignored_argument"),
        "background_changed_in_place": Mutant("new_background = background.copy()", "new_background = background",
                                              expect=IN_PLACE.format("background"), category="in_place"),
        "tries_forever": Mutant("    for _ in range(MAX_TRIES):", "    while True:",
                                expect="random draws in one call", category="degenerate"),
    },
    "insert_ones": {
        "receptive_field_ignored": Mutant(FIRST_STEP, "first_step = segment_end // samples_per_step + 1"),
        "field_one_sample_too_long": Mutant("(segment_end - receptive_samples) //",
                                            "(segment_end - receptive_samples - 1) //"),
        "start_one_step_early": Mutant("// samples_per_step + 1)", "// samples_per_step)"),
        "start_rounded": Mutant("(segment_end - receptive_samples) // samples_per_step + 1",
                                "round((segment_end - receptive_samples) / samples_per_step) + 1"),
        "start_below_zero": Mutant(FIRST_STEP,
                                   "first_step = (segment_end - receptive_samples) // samples_per_step + 1"),
        "one_step_too_many": Mutant("first_step + LABEL_STEPS] = 1", "first_step + LABEL_STEPS + 1] = 1"),
        "steps_spread_over_the_clip": Mutant("(segment_end - receptive_samples) // samples_per_step",
                                             "(segment_end - receptive_samples) * y.shape[1] // "
                                             "audio.SAMPLES_PER_CLIP"),
        "samples_per_step_ignored": Mutant("// samples_per_step + 1)", "// td.SAMPLES_PER_STEP + 1)",
                                           category="ignored_argument"),
        "receptive_samples_ignored": Mutant("(segment_end - receptive_samples)", "(segment_end - td.RECEPTIVE_SAMPLES)",
                                            category="ignored_argument"),
        "earlier_ones_erased": Mutant("y_new = y.copy()", "y_new = np.zeros_like(y)"),
        "y_changed_in_place": Mutant("y_new = y.copy()", "y_new = y", expect=IN_PLACE.format("y"),
                                     category="in_place"),
        "window_past_the_end": Mutant("y_new[0, first_step : first_step + LABEL_STEPS] = 1",
                                      "y_new[0, np.arange(first_step, first_step + LABEL_STEPS)] = 1",
                                      expect="raised IndexError", category="degenerate"),
    },
    "create_training_example": {
        "negatives_labelled": Mutant("        background, _ = insert_audio_clip(background, clip, previous_segments, "
                                     "rng)",
                                     "        background, segment = insert_audio_clip(background, clip, "
                                     "previous_segments, rng)\n        if segment is not None:\n"
                                     "            y = insert_ones(y, segment[1])"),
        "no_final_level": Mutant("x = audio.normalize_level(background, EXAMPLE_DBFS)", "x = background"),
        "background_level_skipped": Mutant("    background = audio.normalize_level(background, BACKGROUND_DBFS)\n", ""),
        "labels_at_the_start": Mutant("insert_ones(y, segment[1])", "insert_ones(y, segment[0])"),
        "max_triggers_excluded": Mutant("rng.integers(0, MAX_TRIGGERS + 1)", "rng.integers(0, MAX_TRIGGERS)",
                                        category="degenerate"),
        "negatives_before_triggers": Mutant("n_triggers = rng.integers(0, MAX_TRIGGERS + 1)\n",
                                            "n_negatives = rng.integers(0, MAX_NEGATIVES + 1)\n    "
                                            "n_triggers = rng.integers(0, MAX_TRIGGERS + 1)\n"),
        "y_without_batch_axis": Mutant("y = np.zeros((1, T_Y))", "y = np.zeros(T_Y)", expect="raised IndexError",
                                       category="structure"),
    },
    "detector_model": {
        "time_distributed_dense": Mutant('X = keras.layers.Dense(1, activation="sigmoid")(X)',
                                         'X = keras.layers.TimeDistributed(keras.layers.Dense(1, '
                                         'activation="sigmoid"))(X)', expect=MODEL_FACT["no_time_distributed"],
                                         category="structure"),
        "softmax_output": Mutant('activation="sigmoid"', 'activation="softmax"', expect=MODEL_FACT["probabilities"]),
        "stride_forgotten": Mutant(", strides=audio.DETECTOR_STRIDE", "", expect=g.HINT_SHAPE,
                                   category="ignored_argument"),
        "last_gru_returns_one_step": Mutant("for _ in range(2):\n        X = keras.layers.GRU(n_units, "
                                            "return_sequences=True)(X)",
                                            "for k in range(2):\n        X = keras.layers.GRU(n_units, "
                                            "return_sequences=k == 0)(X)", expect=g.HINT_SHAPE, category="structure"),
        "relu_before_norm": Mutant('X = keras.layers.BatchNormalization()(X)\n    X = keras.layers.Activation("relu")(X)',
                                   'X = keras.layers.Activation("relu")(X)\n    X = keras.layers.BatchNormalization()(X)',
                                   expect=MODEL_FACT["relu_after_first_norm"]),
        "norm_before_gru_dropout": Mutant("        X = keras.layers.Dropout(dropout_rate)(X)\n        X = "
                                          "keras.layers.BatchNormalization()(X)\n",
                                          "        X = keras.layers.Dropout(dropout_rate)(X)\n",
                                          expect=MODEL_FACT["weighted_layers_in_order"]),
        "fixed_dropout_rate": Mutant("X = keras.layers.Dropout(dropout_rate)(X)\n    X = keras.layers.Dense",
                                     "X = keras.layers.Dropout(0.1)(X)\n    X = keras.layers.Dense",
                                     expect=MODEL_FACT["dropout_rate_used"], category="ignored_argument"),
    },
}

# the bug the class test submits: detector_model is called by no other graded function
CLASS_BUG = ("detector_model", "softmax_output")

BENCH_METRICS = [
    Metric("event F1 (a detection counts only inside its trigger's label window), 200 held-out test examples "
           "(test voices), threshold from dev", "event_f1", ">= 0.90", lambda v, _: v >= 0.90),
    Metric("event precision (test)", "scores['precision']", "reported", lambda v, _: True),
    Metric("event recall (test)", "scores['recall']", "reported", lambda v, _: True),
    Metric("detection threshold (chosen on the dev examples)", "threshold", "reported", lambda v, _: True),
    Metric("frame accuracy (test), not the metric", "frame_accuracy", "reported", lambda v, _: True),
    Metric("frame accuracy of saying 0 everywhere (test)", "zero_accuracy", "reported", lambda v, _: True),
    Metric("detector fires on close words (test voices)", "close_fire_rate", "reported", lambda v, _: True),
]
