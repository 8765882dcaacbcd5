"""10 trigger_word: the reference against the given code, other correct solutions, the event metric, the grader's cases."""

import numpy as np
import pytest

from graders.assignment import SUITES
from helpers import audio
from helpers import trigger_detector as td

from conftest import judged, reference_namespace

ASSIGNMENT = "10_trigger_word"
# levels are computed in float64 from a few hundred thousand squares: 1e-9 dB is far above their round-off
LEVEL_ATOL_DB = 1e-9


def _grader():
    import graders.trigger_word as g

    return g


# --------------------------------------------------------------------------- the reference on real clips


def test_10_reference_example_on_real_clips_has_the_levels_and_labels_of_its_triggers():
    ns = reference_namespace(ASSIGNMENT)
    triggers, negatives, _ = td.word_clips("dev")
    background = td.random_background(td.background_stretches("dev"), np.random.default_rng(5))
    seen = 0
    for seed in range(6):
        x, y = ns["create_training_example"](background, triggers, negatives, np.random.default_rng(seed))
        assert x.shape == (audio.SAMPLES_PER_CLIP,) and y.shape == (1, audio.T_Y)
        assert abs(audio.dbfs(x) - td.EXAMPLE_DBFS) < LEVEL_ATOL_DB
        # replay the draws: the triggers' segments decide the label windows, which the given code writes alone
        rng = np.random.default_rng(seed)
        segments = []
        level = audio.normalize_level(background, td.BACKGROUND_DBFS)
        ends = []
        for _ in range(rng.integers(0, td.MAX_TRIGGERS + 1)):
            clip = triggers[rng.integers(0, len(triggers))]
            level, segment = ns["insert_audio_clip"](level, clip, segments, rng)
            if segment is not None:
                ends.append(segment[1])
        np.testing.assert_array_equal(y[0], td.labels(ends))
        seen += len(ends)
    assert seen > 0  # the seeds above place some triggers, so the comparison of labels is not empty


def test_10_reference_placements_never_overlap_and_add_the_clip():
    ns = reference_namespace(ASSIGNMENT)
    rng = np.random.default_rng(0)
    background = rng.standard_normal(3_000)
    segments = []
    for length in (400, 700, 300, 900, 500, 800):
        clip = rng.standard_normal(length)
        before = background.copy()
        background, segment = ns["insert_audio_clip"](background, clip, segments, rng)
        if segment is None:
            continue
        start, end = segment
        assert end - start + 1 == length
        np.testing.assert_allclose(background[start : end + 1] - before[start : end + 1], clip, atol=1e-12)
    covered = np.zeros(background.size, dtype=int)
    for start, end in segments:
        covered[start : end + 1] += 1
    assert covered.max() == 1 and len(segments) >= 3


def test_10_reference_insert_ones_agrees_with_the_given_label_windows():
    ns = reference_namespace(ASSIGNMENT)
    # the first sample, the last sample step 0 hears, one past it, one inside, a cut window, past the last field
    for end in (0, td.RECEPTIVE_SAMPLES - 1, td.RECEPTIVE_SAMPLES, 61_234, 156_000, audio.SAMPLES_PER_CLIP - 1):
        y = ns["insert_ones"](np.zeros((1, audio.T_Y)), end)
        np.testing.assert_array_equal(y[0], td.labels([end]))
    assert td.labels([audio.SAMPLES_PER_CLIP - 1]).sum() == 0  # ends after the last step's field: no window left
    assert 0 < td.labels([156_000]).sum() < td.LABEL_STEPS  # a window cut at T_Y


# --------------------------------------------------------------------------- other correct solutions pass


def _overlap_with_any(segment, previous_segments):
    return any(max(segment[0], a) <= min(segment[1], b) for a, b in previous_segments)


def _ones_by_mask(y, segment_end, samples_per_step=td.SAMPLES_PER_STEP, receptive_samples=td.RECEPTIVE_SAMPLES):
    t = np.arange(y.shape[1])
    last_heard = samples_per_step * t + receptive_samples - 1  # last sample each step hears
    heard = np.cumsum(last_heard >= segment_end)  # 1, 2, ... from the first step that has heard the end
    return np.where((heard >= 1) & (heard <= td.LABEL_STEPS), 1.0, y)


def _insert_with_while(background, audio_clip, previous_segments, rng):
    tries = 0
    while tries < td.MAX_TRIES:
        tries += 1
        s = rng.integers(len(background) - len(audio_clip) + 1)  # the same draw: low defaults to 0
        if not _overlap_with_any((s, s + len(audio_clip) - 1), previous_segments):
            previous_segments.append((int(s), int(s + len(audio_clip) - 1)))
            return np.concatenate([background[:s], background[s : s + len(audio_clip)] + audio_clip,
                                   background[s + len(audio_clip):]]), previous_segments[-1]
    return np.array(background), None


@pytest.mark.parametrize("func_name, func", [
    ("is_overlapping", _overlap_with_any),
    ("insert_ones", _ones_by_mask),
    ("insert_audio_clip", _insert_with_while),
])
def test_10_another_correct_solution_passes_every_case(func_name, func):
    assert judged(ASSIGNMENT, func_name, func) is None


# --------------------------------------------------------------------------- the grader's cases


def test_10_insert_cases_exercise_retries_and_giving_up():
    g = _grader()
    sizes = {**g._INSERT_SIZES["public"], **g._INSERT_SIZES["hidden"]}
    taken_first = g.insert_oracle(sizes["two_segments_taken"], check=False)["segment"]
    assert g.overlap_oracle(tuple(taken_first), sizes["two_segments_taken"]["previous"])  # the first draw is taken
    assert g.insert_oracle(sizes["no_room_left"])["segment"].tolist() == [-1, -1]
    assert g.insert_oracle(sizes["clip_as_long_as_background"])["segment"].tolist() == [0, 299]


def test_10_hidden_cases_have_the_structures_the_public_ones_lack():
    g = _grader()

    def ones(suite):  # (T_y, samples_per_step, receptive_samples, segment_end) of each case
        return [tuple(case.dims.values()) for case in g.GRADER.cases("insert_ones", suite)]

    public_ones, hidden_ones = ones("public"), ones("hidden")
    assert all(step == td.SAMPLES_PER_STEP and T_y == audio.T_Y for T_y, step, _, _ in public_ones)
    assert all(field == td.RECEPTIVE_SAMPLES for _, _, field, _ in public_ones)
    assert any(step != td.SAMPLES_PER_STEP for _, step, _, _ in hidden_ones)  # samples_per_step must be used
    assert any(field != td.RECEPTIVE_SAMPLES for _, _, field, _ in hidden_ones)  # receptive_samples must be used
    first = [td.first_hearing_step(end, step, field) for _, step, field, end in hidden_ones]
    assert any(f < T_y < f + td.LABEL_STEPS for f, (T_y, *_) in zip(first, hidden_ones))  # a clipped window
    assert any(f >= T_y for f, (T_y, *_) in zip(first, hidden_ones))  # no step hears the end: no window
    assert any(end < field for _, _, field, end in hidden_ones)  # step 0 hears it: the start is clamped at 0
    # one public end lies one sample past a step's field, where a field one sample too long starts a step early
    assert any((end - field) % step == 0 and end > field for _, step, field, end in public_ones)
    assert all(len(s["triggers"]) > 1 for s in g._EXAMPLE_SIZES["public"].values())
    assert any(len(s["triggers"]) == 1 for s in g._EXAMPLE_SIZES["hidden"].values())
    assert max(s["T_x"] for s in g._MODEL_SIZES["hidden"].values()) == audio.T_X


def test_10_overlap_oracle_reads_both_ends_as_inclusive():
    g = _grader()
    assert g.overlap_oracle((20, 30), [(10, 20)]) and not g.overlap_oracle((21, 30), [(10, 20)])
    assert not g.overlap_oracle((20, 30), [(10, 20)], strict=True)


def test_10_case_generator_draws_like_numpy_and_counts_as_unchanged():
    g = _grader()
    rng = g.CaseGenerator(3, 5, "stop")
    assert rng.integers(0, 100) == np.random.default_rng(3).integers(0, 100)
    assert rng == g.CaseGenerator(4, 5, "other")
    with pytest.raises(RuntimeError, match="more than 5 random draws"):
        for _ in range(6):
            rng.random()


def test_10_step_arithmetic_follows_the_detector_frames():
    """Step j reads frames 4j .. 4j + 14: its first sample is 640 j, its last 640 j + 2639 (helpers.audio)."""
    j = 7
    first_frame, last_frame = audio.DETECTOR_STRIDE * j, audio.DETECTOR_STRIDE * j + audio.DETECTOR_KERNEL - 1
    assert first_frame * audio.HOP_LENGTH == td.SAMPLES_PER_STEP * j
    assert last_frame * audio.HOP_LENGTH + audio.WINDOW_LENGTH == td.SAMPLES_PER_STEP * j + td.RECEPTIVE_SAMPLES
    assert td.LABEL_STEPS * td.STEP_SECONDS == pytest.approx(td.LABEL_SECONDS)


def test_10_detector_parameter_formula_matches_keras():
    g = _grader()
    model = td.build_model()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (trainable, frozen) == g.detector_parameters(audio.N_FREQ, td.CONV_FILTERS, td.GRU_UNITS)
    assert model.output_shape == (None, audio.T_Y, 1)


# --------------------------------------------------------------------------- the event metric


def test_10_detections_are_onsets_of_runs():
    p = np.array([0.1, 0.6, 0.7, 0.2, 0.5, 0.5, 0.1, 0.9])
    assert td.detections(p, 0.5).tolist() == [1, 4, 7]
    assert td.detections(p, 0.95).tolist() == []
    assert td.detections(np.ones(4), 0.5).tolist() == [0]


def test_10_event_counts_match_each_trigger_once():
    end = 50_000  # step 74 hears up to sample 49_999, step 75 up to 50_639: window 75 .. 84
    first, last = td.label_windows([end])[0]
    assert (first, last) == (75, 75 + td.LABEL_STEPS - 1)
    p = np.zeros(audio.T_Y)
    p[[first, first + 2, 10]] = 1.0  # one hit, a second detection of the same trigger, a false alarm
    assert td.event_counts(p, [end], 0.5) == (1, 2, 0)
    assert td.event_counts(np.zeros(audio.T_Y), [end], 0.5) == (0, 0, 1)
    scores = td.event_scores(p[None], [[end]], 0.5)
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == 1.0
    assert scores["f1"] == pytest.approx(0.5)


def test_10_threshold_is_the_middle_of_the_best_f1_plateau():
    end = 80_000
    first, _ = td.label_windows([end])[0]
    p = np.zeros((1, audio.T_Y))
    p[0, first] = 0.62
    p[0, 5] = 0.4  # a false alarm below 0.45 only
    best, f1 = td.choose_threshold(p, [[end]])
    # F1 1 (standard error 0) at 0.45, 0.5, 0.55, 0.6: the lower middle one
    assert best == 0.5 and f1[0.45] == f1[0.6] == 1.0 and f1[0.4] < 1.0 and f1[0.65] == 0.0


def test_10_threshold_leaves_a_noisy_edge_for_the_middle_of_the_plateau():
    ends = [[80_000]] * 20  # 20 examples, one trigger each, 5 s in
    p = np.zeros((20, audio.T_Y))
    for row, (end,) in enumerate(ends):
        p[row, td.label_windows([end])[0][0]] = 0.3 if row < 19 else 0.08  # the last trigger only found at 0.05
    p[0, 5] = 0.06  # and one false alarm at 0.05
    best, f1 = td.choose_threshold(p, ends)
    # 0.05: 20 found, 1 false alarm, F1 40/41 = 0.976 (the best, at the grid's edge); 0.1 .. 0.3: 19 found,
    # F1 38/39 = 0.974, within one standard error sqrt(0.976 * 0.024 / 20) = 0.034; from 0.35 nothing is found
    assert f1[0.05] == pytest.approx(40 / 41) and f1[0.3] == pytest.approx(38 / 39) and f1[0.35] == 0.0
    assert best == 0.15  # the plateau 0.05 .. 0.3 has six candidates: the lower middle one


def test_10_chimes_go_where_the_detections_are():
    p = np.zeros(audio.T_Y)
    p[100:105] = 0.9
    out = td.with_chimes(np.zeros(audio.SAMPLES_PER_CLIP), p, 0.5)
    start = 100 * td.SAMPLES_PER_STEP + td.RECEPTIVE_SAMPLES  # where step 100 has heard its last sample
    assert np.flatnonzero(out)[0] >= start and np.flatnonzero(out)[-1] < start + td.chime().size
    assert np.abs(out).max() == pytest.approx(np.abs(td.chime()).max())


def test_10_synthesized_words_never_overlap_and_labels_follow_triggers():
    rng = np.random.default_rng(1)
    triggers, negatives, _ = td.word_clips("train")
    for _ in range(5):
        x, ends = td.synthesize(td.random_background(td.background_stretches("train"), rng), triggers, negatives,
                                rng)
        assert x.shape == (audio.SAMPLES_PER_CLIP,) and abs(audio.dbfs(x) - td.EXAMPLE_DBFS) < LEVEL_ATOL_DB
        assert len(ends) <= td.MAX_TRIGGERS and ends == sorted(ends)
        windows = set().union(*(range(a, b + 1) for a, b in td.label_windows(ends)))
        assert set(np.flatnonzero(td.labels(ends)).tolist()) == windows


def test_10_label_window_starts_when_the_end_has_been_heard():
    for end in (td.RECEPTIVE_SAMPLES, 3_000, 49_999, 50_000, 50_001, 131_000, 159_439):
        j = td.first_hearing_step(end)
        last_heard = td.SAMPLES_PER_STEP * j + td.RECEPTIVE_SAMPLES - 1
        assert last_heard >= end and last_heard - td.SAMPLES_PER_STEP < end  # step j hears it, step j - 1 not
        (first, last), = td.label_windows([end])
        assert first == j and last == min(j + td.LABEL_STEPS, audio.T_Y) - 1
        assert np.flatnonzero(td.labels([end])).tolist() == list(range(first, last + 1))
    assert td.first_hearing_step(0) == td.first_hearing_step(td.RECEPTIVE_SAMPLES - 1) == 0  # step 0 hears them
    assert td.first_hearing_step(td.RECEPTIVE_SAMPLES) == 1
    assert td.label_windows([audio.SAMPLES_PER_CLIP - 1]) == []  # past the last step's field: no window


def test_10_a_detection_counts_only_inside_the_label_window():
    end = 50_000
    (first, last), = td.label_windows([end])
    for step, counts in ((first - 1, (0, 1, 1)), (first, (1, 0, 0)), (last, (1, 0, 0)), (last + 1, (0, 1, 1))):
        p = np.zeros(audio.T_Y)
        p[step] = 1.0  # before the end was heard, or after the label: a false alarm and a miss
        assert td.event_counts(p, [end], 0.5) == counts, step


def test_10_loss_weights_stress_the_steps_just_before_each_window():
    # windows: one from step 0 (no step before it), two whose gap is shorter than EARLY_STEPS, one cut at T_y
    ends = [1_000, 40_000, 40_000 + (td.LABEL_STEPS + 2) * td.SAMPLES_PER_STEP, 159_000]
    y = td.labels(ends)
    weights = td.loss_weights(y[None])[0]
    assert weights.shape == y.shape and weights.dtype == np.float32
    early = set()
    for first, _ in td.label_windows(ends):
        early |= {t for t in range(max(0, first - td.EARLY_STEPS), first) if y[t] == 0}
    assert td.label_windows(ends)[0][0] == 0 and len(early) == 2 * td.EARLY_STEPS + 2  # the gap holds 2 steps
    assert set(np.flatnonzero(weights == td.EARLY_WEIGHT).tolist()) == early
    assert set(np.flatnonzero(weights == 1.0).tolist()) == set(range(audio.T_Y)) - early
    assert np.all(td.loss_weights(np.zeros((2, audio.T_Y))) == 1.0)  # no trigger: every step weighs 1
