"""Checks for notebook 10, trigger_word: synthesizing labelled audio and the detector model.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time).

- is_overlapping: graded by behaviour. One case asks many questions (a new
  segment against a list of taken ones); the answers are compared with an
  oracle that intersects the sets of samples, and with the same oracle
  replaying known bugs (strict comparisons, only the last segment looked at).
- insert_audio_clip: graded by behaviour against an oracle of the draws the
  docstring prescribes (one ``rng.integers(0, n - L + 1)`` per try, at most
  MAX_TRIES tries). The generator passed in counts its draws and stops a
  function that never gives up. The list of taken segments is meant to grow
  by the segment placed; the background must stay as it was.
- insert_ones and create_training_example: record-based (expected outputs
  recorded from the reference solution by `make references`); the example's
  draws follow the order its docstring gives, so the same seed builds the
  same example. Cases use short backgrounds (a few thousand samples) so the
  records stay small: nothing in either function depends on the 10 s length.
- detector_model: graded by its structure: the output shape per step, the
  parameter count of each kind of layer against the formula, the order of the
  weighted layers (Conv1D, BatchNormalization, GRU, ..., Dense), the ReLU
  after the first batch norm, the dropout rate, a plain Dense on the 3-D
  tensor (no TimeDistributed), and sigmoid probabilities.

Segments are (first sample, last sample), both inclusive, as integers.
"""

import numpy as np

from graders import behaviour, probe
from graders.assignment import Assignment
from graders.messages import fail, type_name
from graders.probe import Observation
from graders.spec import Case, FunctionSpec, Output, spread_table_cases, table_cases
from helpers import audio
from helpers.trigger_detector import LABEL_STEPS, MAX_TRIES, RECEPTIVE_SAMPLES, SAMPLES_PER_STEP, first_hearing_step

GRADER = Assignment.of_module(__name__)

# --------------------------------------------------------------------------- is_overlapping

HINT_STRICT = ("segments that share only their first or last sample were not seen to overlap: both ends are "
               "inclusive, so compare with <= and >=")
HINT_LAST_ONLY = ("only the last previous segment decides the answer: an overlap with any earlier segment must "
                  "stay True (stop at the first overlap, or never set the flag back to False)")
HINT_CONTAINED = ("a new segment that covers a previous one entirely (starts before it and ends after it) was "
                  "missed: test start <= previous_end and end >= previous_start")
HINT_OR = "two segments overlap when start <= previous_end AND end >= previous_start: both must hold"
HINT_NOT_BOOL = "return True or False (a bool), one answer for the whole list of previous segments"

OVERLAP_SPEC = FunctionSpec("is_overlapping", (Output("overlaps"),), inputs=("segment", "previous_segments"),
                            default_hint="a segment overlaps when it shares a sample with any previous segment: "
                                         "start <= previous_end and end >= previous_start for some previous one")

# each question: (new segment, previous segments); the cases ask every kind of answer
_OVERLAP_QUESTIONS = {
    "public": {
        "apart_and_across": [((10, 20), []), ((10, 20), [(30, 40)]), ((35, 50), [(30, 40)]),
                             ((25, 32), [(30, 40)]), ((0, 9), [(10, 20), (30, 40)]), ((21, 29), [(10, 20), (30, 40)]),
                             ((15, 35), [(10, 20), (30, 40)]), ((45, 60), [(50, 55), (70, 80)])],
        "touching_ends": [((20, 30), [(10, 20)]), ((0, 10), [(10, 20)]), ((21, 30), [(10, 20)]),
                          ((5, 9), [(10, 20)]), ((40, 45), [(10, 20), (45, 50)]), ((30, 30), [(30, 30)])],
    },
    "hidden": {
        "covers_a_previous_one": [((0, 100), [(40, 60)]), ((40, 60), [(0, 100)]), ((50, 51), [(51, 51)]),
                                  ((0, 100), [(200, 300), (40, 60)]), ((61, 199), [(200, 300), (40, 60)])],
        "many_previous_segments": [((500, 520), [(0, 50), (100, 150), (510, 515), (600, 650)]),
                                   ((155, 590), [(0, 50), (100, 150), (600, 650)]),
                                   ((150, 160), [(0, 50), (100, 150), (600, 650), (700, 800)]),
                                   ((651, 699), [(0, 50), (100, 150), (600, 650), (700, 800)])],
    },
}


def _overlap_cases(suite, _record=None):
    return [Case(name, {"questions": len(questions)}, data={"questions": questions})
            for name, questions in _OVERLAP_QUESTIONS[suite].items()]


def _observe_overlap(func, case):
    answers = []
    for segment, previous in case.data["questions"]:
        result, changed = behaviour.call_checked(func, OVERLAP_SPEC, case, (segment, [tuple(p) for p in previous]))
        if changed:
            return Observation(case.name, {}, changed)
        if not isinstance(result, (bool, np.bool_)):
            fail("is_overlapping", case, f"is_overlapping{segment, previous} returned {type_name(result)}, "
                 f"expected True or False", f"hint:   {HINT_NOT_BOOL}")
        answers.append(bool(result))
    return Observation(case.name, {"overlaps": np.array(answers)})


def overlap_oracle(segment, previous_segments, strict=False, last_only=False, start_only=False, either=False):
    """Whether `segment` shares a sample with one of `previous_segments`, from the sets of samples they cover.

    The keywords replay known bugs: strict (ends exclusive), last_only (only the last previous segment),
    start_only (only the new segment's start tested), either (or for and).
    """
    start, end = segment
    covered = set(range(start + strict, end + 1 - strict)) if not start_only else {start}
    answer = False
    for first, last in previous_segments:
        taken = set(range(first + strict, last + 1 - strict))
        if either:
            hit = start <= last or end >= first
        else:
            hit = bool(covered & taken)
        answer = hit if last_only else (answer or hit)
    return answer


_OVERLAP_BUGS = ((HINT_STRICT, {"strict": True}), (HINT_LAST_ONLY, {"last_only": True}),
                 (HINT_CONTAINED, {"start_only": True}), (HINT_OR, {"either": True}))


def _expect_overlap(case):
    def oracle(**bug):
        return {"overlaps": np.array([overlap_oracle(s, p, **bug) for s, p in case.data["questions"]])}

    return behaviour.replay(oracle, _OVERLAP_BUGS, atol=0.5)


GRADER.add(OVERLAP_SPEC, _overlap_cases, observe=_observe_overlap, expect=_expect_overlap)

# --------------------------------------------------------------------------- insert_audio_clip

# what insert_audio_clip returns; the caller's list of segments, meant to grow, is observed as "input previous_segments"
INSERT_SPEC = FunctionSpec(
    "insert_audio_clip", (Output("new_background"), Output("segment")),
    inputs=("background", "audio_clip", "previous_segments", "rng"), mutates=("previous_segments",),
    default_hint="draw start = rng.integers(0, len(background) - len(audio_clip) + 1) until the segment (start, "
                 "start + len(audio_clip) - 1) overlaps no previous one (at most MAX_TRIES draws), append it, "
                 "and return a copy of the background with the clip added there")
HINT_NO_CHECK = ("the clip went where the first draw put it, over a previous segment: draw again while "
                 "is_overlapping(segment, previous_segments) says the place is taken")
HINT_HIGH = ("the starts drawn are not those of rng.integers(0, len(background) - len(audio_clip) + 1): the last "
             "start that fits, n - L, must be possible (numpy's high is exclusive), and draw nothing else")
HINT_END = "the segment is one sample too long: a clip of L samples from s ends at s + L - 1 (both ends inclusive)"
HINT_REPLACED = "the background under the clip is gone: add the clip to it (overlay), do not replace its samples"
HINT_NOT_RECORDED = "previous_segments did not grow: append the new segment to it, so the next clip avoids that place"
HINT_SEGMENT_TYPE = "return the segment as a pair of ints (start, end), or None when the clip found no free place"
RNG_LIMIT = 2 * MAX_TRIES + 10  # draws a correct function may make in one call: MAX_TRIES, with room to spare
RNG_WHY = f"give up after MAX_TRIES = {MAX_TRIES} draws and return (a copy of the background, None)"
NO_SEGMENT = np.array([-1, -1], dtype=np.int64)  # the segment of "no free place" (None) as a pair

# each case: background length, clip length, previous segments, seed
_INSERT_SIZES = {
    "public": {
        "empty_timeline": dict(n=1000, clip=120, previous=[], seed=3),
        "two_segments_taken": dict(n=1200, clip=150, previous=[(100, 499), (700, 999)], seed=4),
    },
    "hidden": {
        "no_room_left": dict(n=600, clip=100, previous=[(0, 299), (300, 599)], seed=105),
        "clip_as_long_as_background": dict(n=300, clip=300, previous=[], seed=106),
        "crowded_timeline": dict(n=2000, clip=90, previous=[(0, 199), (260, 700), (800, 1500), (1610, 1899)],
                                 seed=107),
    },
}


def _insert_inputs(size):
    """Fresh inputs of a case: the background (noise), the clip (a sine of changing loudness), the list taken."""
    rng = np.random.default_rng(size["seed"] + 1000)
    background = rng.standard_normal(size["n"]) * 0.1
    clip = np.sin(np.linspace(0, 20 * np.pi, size["clip"])) * (0.5 + rng.random(size["clip"]))
    return background, clip, list(size["previous"])


def _insert_cases(suite, _record=None):
    return [Case(name, {"n_samples": s["n"], "clip_samples": s["clip"], "previous": len(s["previous"])},
                 data={"size": s}) for name, s in _INSERT_SIZES[suite].items()]


def _pairs_leaf(case, pairs, problem, hint):
    """The (k, 2) int64 leaf of a list of (start, end) pairs of ints; anything else fails with problem and hint."""
    try:
        if not any(isinstance(v, bool) or int(v) != v for pair in pairs for v in pair):
            return np.array([[int(start), int(end)] for start, end in pairs], dtype=np.int64).reshape(-1, 2)
    except (TypeError, ValueError):  # not pairs, or not numbers
        pass
    fail("insert_audio_clip", case, problem, f"hint:   {hint}")


def _observe_insert(func, case):
    size = case.data["size"]
    args = (*_insert_inputs(size), behaviour.LimitedGenerator(size["seed"], RNG_LIMIT, RNG_WHY))
    result, changed = behaviour.call_checked(func, INSERT_SPEC, case, args)
    new_background, segment = probe.split_outputs(result, INSERT_SPEC, case).values()
    if not isinstance(new_background, np.ndarray):
        fail("insert_audio_clip", case, f"new_background: expected a numpy ndarray, got {type_name(new_background)}",
             "hint:   return a copy of the background with the clip added (background.copy())")
    segment = _pairs_leaf(case, [NO_SEGMENT if segment is None else segment], f"the segment returned is "
                          f"{type_name(segment)} {segment!r:.60}, expected a pair of ints or None", HINT_SEGMENT_TYPE)
    taken = _pairs_leaf(case, args[2], "previous_segments holds something other than (start, end) pairs after the "
                        "call", HINT_NOT_RECORDED)
    leaves = {"new_background": new_background, "segment": segment[0], "input previous_segments": taken}
    return Observation(case.name, leaves, changed)


def insert_oracle(size, check=True, high=1, end_extra=0, replace=False, record=True):
    """The expected new_background, segment and list after the call of one case, by the prescribed draws; keywords
    replay known bugs: no overlap test (check=False), numpy's exclusive high forgotten (high=0), a segment one
    sample too long (end_extra=1), the clip replacing the background (replace=True), no append (record=False)."""
    background, clip, taken = _insert_inputs(size)
    rng = np.random.default_rng(size["seed"])
    n, length = background.size, clip.size
    # one draw per try, at most MAX_TRIES, until a place is free (rng.integers(0, 0) has no place to draw)
    starts = (int(rng.integers(0, n - length + high)) for _ in range(MAX_TRIES if n - length + high > 0 else 0))
    candidates = ((start, start + length - 1 + end_extra) for start in starts)
    segment = next((c for c in candidates if not check or not overlap_oracle(c, taken)), None)
    new = background.copy()
    if segment is not None:  # the clip added to the samples under it, or replacing them
        new[segment[0]:segment[0] + length] = clip + (0.0 if replace else background[segment[0]:segment[0] + length])
    after = taken + ([segment] if segment is not None and record else [])
    return {"new_background": new, "segment": NO_SEGMENT if segment is None else np.array(segment, dtype=np.int64),
            "input previous_segments": np.array(after, dtype=np.int64).reshape(-1, 2)}


def _expect_insert(case):
    bugs = ((HINT_NO_CHECK, {"check": False}), (HINT_HIGH, {"high": 0}), (HINT_END, {"end_extra": 1}),
            (HINT_REPLACED, {"replace": True}), (HINT_NOT_RECORDED, {"record": False}))
    return behaviour.replay(lambda **bug: insert_oracle(case.data["size"], **bug), bugs)


GRADER.add(INSERT_SPEC, _insert_cases, observe=_observe_insert, expect=_expect_insert)

# --------------------------------------------------------------------------- insert_ones

# each case: the ends of triggers already labelled, then its dims: label steps T_y, samples_per_step,
# receptive_samples (the detector's, or others), the segment_end to insert. With the detector's steps (640 apart,
# 2640 heard) step j hears samples 640 j .. 640 j + 2639, so the first step that has heard sample e is
# (e - 2640) // 640 + 1, or 0 below 2640.
DETECTOR_STEPS = dict(T_y=audio.T_Y, samples_per_step=SAMPLES_PER_STEP, receptive_samples=RECEPTIVE_SAMPLES)
_ONES_SIZES = {
    "public": {
        # first step 201, not 205 (the end's own step + 1): 200.56 rounds up
        "one_trigger": ([], dict(DETECTOR_STEPS, segment_end=131_000)),
        # 98_000 = 640 * 149 + 2640: one sample past step 149's field, so step 150 is the first to hear it
        "second_trigger": ([20_000], dict(DETECTOR_STEPS, segment_end=98_000)),
    },
    "hidden": {
        # steps 240 .. 245: cut at T_y
        "ends_near_the_end": ([50_000], dict(DETECTOR_STEPS, segment_end=156_000)),
        "ends_after_the_last_step": ([], dict(DETECTOR_STEPS, segment_end=159_999)),  # no step hears it: no ones
        # steps 13 .. 22
        "other_steps": ([400], dict(T_y=40, samples_per_step=75, receptive_samples=300, segment_end=1_234)),
        "ends_at_the_first_sample": ([], dict(DETECTOR_STEPS, segment_end=0)),  # step 0 hears it: steps 0 .. 9
    },
}


def _ones_case(name, earlier, dims):
    """y holds the windows of the earlier triggers, from helpers.trigger_detector's first_hearing_step (given code)."""
    y = np.zeros((1, dims["T_y"]))
    for end in earlier:
        first = first_hearing_step(end, dims["samples_per_step"], dims["receptive_samples"])
        y[0, first:first + LABEL_STEPS] = 1.0
    return Case(name, dims, (y, dims["segment_end"], dims["samples_per_step"], dims["receptive_samples"]))


_LAST_UNHEARD = "(segment_end - receptive_samples) // samples_per_step"  # the last step that has not heard the end
_FIRST_STEP = f"max(0, {_LAST_UNHEARD} + 1)"
_HEARS = "step j hears up to sample samples_per_step * j + receptive_samples - 1"
# the first match wins: a field one sample too long and a start one step early agree on a trigger that ends one
# sample past a step's field (second_trigger), and there the field is the bug; on every other end the early start
# alone is wrong
GRADER.add(FunctionSpec(
    "insert_ones", (Output("y"),), inputs=("y", "segment_end", "samples_per_step", "receptive_samples"),
    hints={
        "field_one_sample_too_long": "a trigger that ends just past a step's receptive field is labelled from that "
                                     f"step, which has not heard its end: {_HEARS} (receptive_samples samples, "
                                     f"both ends included), so the first step is {_FIRST_STEP}",
        "receptive_field_ignored": "the ones start right after the step the end falls in (segment_end // "
                                   "samples_per_step + 1), as if a step heard only its own samples_per_step samples: "
                                   f"{_HEARS}, so the steps a few earlier have already heard the end; the first "
                                   f"step is {_FIRST_STEP}",
        "start_one_step_early": "the ones start one step early, at the last step that has not heard segment_end "
                                f"({_LAST_UNHEARD}): they start one step later",
        "start_rounded": "the first step is rounded to the nearest step: the steps that have not heard segment_end are "
                         f"j <= {_LAST_UNHEARD} (integer division rounds down), and the ones start one step after them",
        "start_below_zero": f"a trigger that step 0 already hears gets no ones: {_LAST_UNHEARD} + 1 is negative, and "
                            "a negative slice start counts from the end of y; start at step 0 instead (max(0, ...))",
        "one_step_too_many": f"the window holds LABEL_STEPS + 1 ones: it holds LABEL_STEPS = {LABEL_STEPS}, from the "
                             f"first step that has heard segment_end to LABEL_STEPS - 1 steps after it",
        "steps_spread_over_the_clip": "the first step spreads the T_y steps evenly over the 10 s: the detector's steps "
                                      "are samples_per_step samples apart, so divide by samples_per_step",
        **behaviour.ignored_argument_hints({"samples_per_step": f"the detector's {SAMPLES_PER_STEP}",
                                            "receptive_samples": f"the detector's {RECEPTIVE_SAMPLES}"},
                                           f"the first step is {_FIRST_STEP}"),
        "earlier_ones_erased": "the ones of earlier triggers are gone: set the new window to 1 and keep the rest of "
                               "y as it was",
    },
    default_hint=f"the first step that has heard segment_end is {_FIRST_STEP}; return a copy of y with ones from "
                 "that step to LABEL_STEPS - 1 steps after it (slicing stops at T_y by itself)",
), spread_table_cases(_ONES_SIZES, _ones_case))

# --------------------------------------------------------------------------- create_training_example

# each case: background length, clip lengths of the triggers and of the other words, seed. The examples span
# 60 to 150 output steps, so the label windows of different clips mostly fall apart; the signals are square
# waves of a few levels (period 2 samples), which the record stores compressed to a few kilobytes per example.
_EXAMPLE_SIZES = {
    "public": {
        "three_triggers_two_words": dict(n=64_000, triggers=(5_300, 8_100, 3_900), negatives=(6_700, 4_100), seed=8),
        "other_draws": dict(n=51_200, triggers=(4_500, 6_000), negatives=(3_800, 7_000, 5_200), seed=9),
    },
    "hidden": {
        "one_clip_each": dict(n=38_400, triggers=(4_000,), negatives=(5_400,), seed=105),
        "crowded_background": dict(n=19_200, triggers=(6_300, 7_700), negatives=(6_500,), seed=115),
        "longer_background": dict(n=96_000, triggers=(5_500, 3_900, 8_000, 4_200), negatives=(6_700, 2_600), seed=109),
    },
}
EXAMPLE_RNG_LIMIT = 50 * MAX_TRIES  # far more draws than a correct example makes (at most 6 clips x MAX_TRIES + 13)


class CaseGenerator(behaviour.LimitedGenerator):
    """LimitedGenerator for a record-based case (no hanging), equal to any other: drawing is not a change in place."""

    def __eq__(self, other):
        return isinstance(other, CaseGenerator)


def _example_case(name, size):
    levels = np.random.default_rng(size["seed"] + 1000)  # each clip a square wave of k samples: -a, +a, -a, ...
    triggers = [np.resize([-a, a], k) for k, a in zip(size["triggers"], levels.choice([0.2, 0.3, 0.4], 4))]
    negatives = [np.resize([a, -a], k) for k, a in zip(size["negatives"], levels.choice([0.15, 0.25, 0.35], 4))]
    rng = CaseGenerator(size["seed"], EXAMPLE_RNG_LIMIT, RNG_WHY)
    return Case(name, {"n_samples": size["n"], "triggers": len(triggers), "negatives": len(negatives)},
                (np.resize([-0.05, 0.05], size["n"]), triggers, negatives, rng))


GRADER.add(FunctionSpec(
    "create_training_example", (Output("x"), Output("y")), inputs=("background", "triggers", "negatives", "rng"),
    hints={
        "negatives_labelled": "y has ones after the other words too: only a trigger (activate) is labelled",
        "no_final_level": "x is not at EXAMPLE_DBFS: end with x = audio.normalize_level(background, EXAMPLE_DBFS)",
        "background_level_skipped": "the words sit at the wrong level over the background: scale the background "
                                    "to BACKGROUND_DBFS first, before any clip goes in",
        "labels_at_the_start": "the labels follow each trigger's start: insert_ones takes its end, segment[1]",
        "max_triggers_excluded": "the numbers of clips drawn differ: draw rng.integers(0, MAX_TRIGGERS + 1) triggers "
                                 "(0 .. 4, high is exclusive) and rng.integers(0, MAX_NEGATIVES + 1) other words",
        "negatives_before_triggers": "the draws come in another order: first the number of triggers, each trigger "
                                     "(its index, then its place), then the number of other words and each of them",
    },
    default_hint="follow the steps of the docstring in order, every draw from rng: background level, triggers "
                 "(number, then for each an index and a place, labels after it), other words, final level",
), table_cases(_EXAMPLE_SIZES, _example_case))

# --------------------------------------------------------------------------- detector_model

HINT_SHAPE = ("the output must have one probability per output step, (m, T_y, 1) with T_y = 1 + (T_x - "
              "DETECTOR_KERNEL) // DETECTOR_STRIDE: Conv1D with kernel_size=DETECTOR_KERNEL, "
              "strides=DETECTOR_STRIDE and no padding ('valid'), GRUs with return_sequences=True")
MODEL_SPEC = FunctionSpec("detector_model", (Output("model"),),
                          inputs=("input_shape", "n_filters", "n_units", "dropout_rate"),
                          pattern_hints=((("output_shape",), HINT_SHAPE),),
                          default_hint="Conv1D(n_filters, DETECTOR_KERNEL, strides=DETECTOR_STRIDE) -> "
                                       "BatchNormalization -> ReLU -> Dropout, then twice GRU(n_units, "
                                       "return_sequences=True) -> Dropout -> BatchNormalization, then Dropout -> "
                                       "Dense(1, activation='sigmoid')")
# each structural fact the observer measures (all must hold), and the hint when it does not
MODEL_FACT_HINTS = {
    "weighted_layers_in_order": "the layers with weights are not Conv1D, BatchNormalization, GRU, "
                                "BatchNormalization, GRU, BatchNormalization, Dense in this order: build them in the "
                                "order of the docstring",
    "relu_after_first_norm": "a ReLU must follow the first batch normalization: keras.layers.Activation('relu') "
                             "after it",
    "has_dropout": "the model has no Dropout layer: add keras.layers.Dropout(dropout_rate) where the docstring says",
    "dropout_rate_used": "every Dropout layer must drop dropout_rate of its inputs: keras.layers.Dropout(dropout_rate)",
    "no_time_distributed": "Dense applies to the last axis of a 3-D tensor at every step by itself: call "
                           "keras.layers.Dense(1, activation='sigmoid') on it directly, without TimeDistributed",
    "probabilities": "the output is not a probability per step: Dense(1, activation='sigmoid'); a softmax over one "
                     "unit is always 1",
}
WEIGHTED_ORDER = ("Conv1D", "BatchNormalization", "GRU", "BatchNormalization", "GRU", "BatchNormalization", "Dense")
_MODEL_PROBE_SCALE = 3.0  # input scale of the sigmoid test: outputs spread well inside (0, 1)
# examples in the sigmoid test. With Keras's random initial weights and T_y = 1, two examples gave outputs
# less than 1e-3 apart for 9 initializations in 100 (0 apart for 2); 16 examples spread at least 0.015 over
# 100 initializations, 150 times PROBE_MIN_SPREAD
_MODEL_PROBE_M = 16
PROBE_MIN_SPREAD = 1e-4  # the outputs must depend on the input: a constant output spreads 0

_MODEL_SIZES = {
    "public": {"small": dict(T_x=63, n_freq=12, n_filters=8, n_units=6, dropout_rate=0.3)},
    "hidden": {"one_output_step": dict(T_x=15, n_freq=5, n_filters=3, n_units=4, dropout_rate=0.5),
               "course_sizes": dict(T_x=audio.T_X, n_freq=audio.N_FREQ, n_filters=16, n_units=8,
                                    dropout_rate=0.2)},
}


def _model_cases(suite, _record=None):
    return [Case(name, dict(s), data={"size": s}) for name, s in _MODEL_SIZES[suite].items()]


def _observe_model(func, case):
    import keras

    s = case.data["size"]
    args = ((s["T_x"], s["n_freq"]), s["n_filters"], s["n_units"], s["dropout_rate"])
    model = behaviour.build_model(func, "detector_model", case, args, n_inputs=1)
    x = np.random.default_rng(0).standard_normal((_MODEL_PROBE_M, s["T_x"], s["n_freq"]))
    out = behaviour.run_model(model, x.astype(np.float32) * _MODEL_PROBE_SCALE, "detector_model", case)
    layers = model.layers
    names = [type(getattr(layer, "layer", layer)).__name__ for layer in layers]  # TimeDistributed: what it wraps
    dropouts = [layer.rate for layer in layers if isinstance(layer, keras.layers.Dropout)]
    first_norm = names.index("BatchNormalization") if "BatchNormalization" in names else len(layers)
    after = layers[first_norm + 1] if first_norm + 1 < len(layers) else None
    relu = isinstance(after, keras.layers.ReLU) or (isinstance(after, keras.layers.Activation) and
                                                     getattr(after.activation, "__name__", "") == "relu")
    facts = {"weighted_layers_in_order": tuple(n for n, layer in zip(names, layers) if layer.weights) == WEIGHTED_ORDER,
             "relu_after_first_norm": relu,
             "has_dropout": bool(dropouts),
             "dropout_rate_used": bool(dropouts) and all(abs(r - s["dropout_rate"]) < 1e-9 for r in dropouts),
             "no_time_distributed": not any(isinstance(layer, keras.layers.TimeDistributed) for layer in layers),
             "probabilities": bool(np.all((out > 0) & (out < 1)) and np.ptp(out) > PROBE_MIN_SPREAD)}
    return Observation(case.name, {"output_shape": np.array(out.shape, dtype=np.int64),
                                   **behaviour.count_leaf(model, split=True), **behaviour.fact_leaves(facts)})


def detector_parameters(n_freq, n_filters, n_units):
    """(trainable, frozen) parameters of the detector: conv, three batch norms (2 trainable + 2 moving
    statistics per feature), two GRUs (Keras's reset_after=True) and Dense(1)."""
    trainable = (n_freq * audio.DETECTOR_KERNEL * n_filters + n_filters + 2 * n_filters
                 + behaviour.gru_params(n_filters, n_units) + 2 * n_units
                 + behaviour.gru_params(n_units, n_units) + 2 * n_units + behaviour.dense_params(n_units, 1))
    frozen = 2 * n_filters + 2 * n_units + 2 * n_units
    return trainable, frozen


def _expect_model(case):
    s = case.data["size"]
    sizes = dict(n_freq=s["n_freq"], n_filters=s["n_filters"], n_units=s["n_units"])
    paths = (behaviour.TRAINABLE, behaviour.FROZEN)
    expected, bugs = behaviour.expected_facts({fact: (True, hint, "") for fact, hint in MODEL_FACT_HINTS.items()})
    conv_of_units = ("the parameter count is that of a conv of n_units filters: Conv1D(n_filters, ...)",
                     {"n_filters": s["n_units"]})
    mistakes = behaviour.count_mistakes(detector_parameters, sizes, (conv_of_units,), paths=paths)
    T_y = 1 + (s["T_x"] - audio.DETECTOR_KERNEL) // audio.DETECTOR_STRIDE
    shape = np.array([_MODEL_PROBE_M, T_y, 1], dtype=np.int64)
    counts = behaviour.expected_counts(detector_parameters, sizes, paths)
    return {"output_shape": shape, **counts, **expected}, {**bugs, **mistakes}


GRADER.add(MODEL_SPEC, _model_cases, observe=_observe_model, expect=_expect_model)

# --------------------------------------------------------------------------- test-cell entry points

check_is_overlapping = GRADER.checker("is_overlapping")
check_insert_audio_clip = GRADER.checker("insert_audio_clip")
check_insert_ones = GRADER.checker("insert_ones")
check_create_training_example = GRADER.checker("create_training_example")
check_detector_model = GRADER.checker("detector_model")

preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
