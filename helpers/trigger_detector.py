"""The trigger-word detector of notebook 10: training data, the model, and its event-level score.

A 10 s example is a stretch of background noise with 0-4 spoken "activate"
(the trigger) and 0-2 other words laid over it at random free places; the
label y has one entry per output step of the detector, 1 during the
`LABEL_STEPS` steps that start at the first step whose receptive field holds
the trigger's last sample, and 0 elsewhere (`label_windows`). The
detector reads the spectrogram (T_X frames of N_FREQ bins, helpers.audio) and
gives a probability per output step (T_Y of them).

This module gives the notebook everything that is not an exercise: the word
clips and background stretches of each split, a vectorized synthesizer of
whole training sets, the feature scaling, the model that ``make models``
trains (`build_model`, `train_model`, `evaluate_model`, `METRIC_TOLERANCE`,
see helpers.trained_models), and the event-level metric:

- a *detection* is the first output step of a run of probabilities at or
  above a threshold;
- it is a true positive when it falls inside the label window of a trigger
  not yet detected (`label_windows`: the very steps the label is 1 in, no
  wider); every other detection is a false positive; a trigger whose label
  window holds no detection is a false negative;
- the threshold is chosen on the dev split (dev voices, dev background
  stretches) and then applied once to the test split.

Every metric is on held-out voices: the manifest puts each voice in one
split (helpers.audio), and backgrounds are cut in time.

Source: the model follows the Conv1D + GRU keyword spotter of the deeplearning.ai
sequence-models course (trigger word detection), itself after Arik et al. (2017),
"Convolutional Recurrent Neural Networks for Small-Footprint Keyword Spotting".
"""

import functools

import numpy as np

from helpers import audio

TRIGGER_WORD = "activate"
MAX_TRIGGERS = 4  # triggers per 10 s example: 0 .. 4
MAX_NEGATIVES = 2  # other words per example: 0 .. 2
MAX_TRIES = 50  # random positions tried for one clip before it is left out (a full clip has no room)
# Output step j of the detector reads spectrogram frames 4j .. 4j + 14 (Conv1D, DETECTOR_KERNEL = 15,
# DETECTOR_STRIDE = 4), that is samples 640 j .. 640 j + 2639 (frame f covers samples 160 f .. 160 f + 399):
# consecutive steps are 640 samples apart, and step j has heard everything up to sample 640 j + 2639. Step j
# has not yet heard sample s while 640 j + 2639 < s, i.e. j <= (s - 2640) // 640; so the first step that has
# heard s is (s - 2640) // 640 + 1, or step 0 for s < 2640 (`first_hearing_step`). The label window of a
# trigger starts there: at the first step that can know the word is over, wherever it lies in the example.
SAMPLES_PER_STEP = audio.HOP_LENGTH * audio.DETECTOR_STRIDE  # 160 * 4 = 640 samples = 40 ms
RECEPTIVE_SAMPLES = audio.WINDOW_LENGTH + (audio.DETECTOR_KERNEL - 1) * audio.HOP_LENGTH  # 400 + 14 * 160 = 2640
STEP_SECONDS = SAMPLES_PER_STEP / audio.SAMPLE_RATE  # 0.04 s between output steps
# a word ends with its last 10 ms frame within this many dB of its loudest: below it the engines leave quiet decays
# of different lengths (on the training and dev voices 20-60 ms, at most 2 output steps), and a label must start
# where the word is heard to end, for every voice alike
WORD_END_DB = 20.0
LABEL_SECONDS = 0.4  # how long the label stays 1 from the first step that has heard a trigger end
LABEL_STEPS = round(LABEL_SECONDS / STEP_SECONDS)  # 0.4 s / 40 ms = 10 output steps
BACKGROUND_DBFS = -40.0  # background level before the words go in: 16 dB below the words (audio.TARGET_DBFS)
EXAMPLE_DBFS = -20.0  # level of the finished example, so every input has the same loudness
# Augmentation of the training examples of make models (never of dev or test): each word is played faster or
# slower (tape-style, which moves its pitch too) and louder or softer, and the background level varies, so
# the few training voices stand for more speakers.
AUGMENT_RATE = (0.85, 1.2)  # playback-rate factor of a word, drawn uniformly
AUGMENT_GAIN_DB = 4.0  # a word's level moves by up to this much either way
AUGMENT_BACKGROUND_DB = (-10.0, 6.0)  # added to BACKGROUND_DBFS, drawn uniformly
# Feature scaling: in these examples 90 % of the spectrogram's entries lie between -29 and +3 dB and their
# median is -12 dB; (dB - FEATURE_OFFSET_DB) / FEATURE_SCALE_DB centres that bulk on 0 with a spread of about 1.
FEATURE_OFFSET_DB = -12.0
FEATURE_SCALE_DB = 12.0

# ---------------------------------------------------------------------------
# The model and its training (make models MODEL=trigger_detector)
# ---------------------------------------------------------------------------
CONV_FILTERS = 96  # Conv1D filters: one step sees DETECTOR_KERNEL frames (0.16 s)
GRU_UNITS = 64  # units of each of the two GRU layers
DROPOUT = 0.2
TRAIN_STEPS = 1800  # batches of freshly synthesized examples (about 7 minutes on 2 cores)
BATCH_SIZE = 16
LEARNING_RATE = 2e-3  # Adam's step at the start; a cosine schedule takes it down to LEARNING_RATE * FINAL_RATE_SHARE
FINAL_RATE_SHARE = 0.05
LOG_EVERY = 200  # training steps between two progress lines of make models
# The steps just before a label window weigh more in the training loss. There most of the trigger has been
# heard, but not its end, and a detector that guesses the word from its beginning fires too early. The event
# metric counts such a detection twice, as a false alarm and as a missed trigger, so those steps weigh more.
EARLY_STEPS = 5  # steps before each window that weigh more: 0.2 s, about the trigger's last syllable
EARLY_WEIGHT = 5.0  # their weight in the loss; every other step weighs 1
EVAL_EXAMPLES = {"dev": 100, "test": 200}  # held-out 10 s examples per split
EVAL_SEEDS = {"dev": 1001, "test": 2002}  # fixed: the same examples on every machine
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.05), 2)  # candidates for the detection threshold (dev split)
# Re-evaluating the committed weights on another CPU: float32 sums in another order move each probability by
# about 1e-6, which flips a detection only if a probability sits within 1e-6 of the threshold; one flipped
# event among the ~400 triggers of the test set moves precision, recall or F1 by at most 0.005. 0.01 allows two.
METRIC_TOLERANCE = {"event_precision": 0.01, "event_recall": 0.01, "event_f1": 0.01, "threshold": 0.0}


# ---------------------------------------------------------------------------
# Data of each split
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _word_clips(split):
    manifest = audio.read_clip_manifest()
    rows = manifest[(manifest["split"] == split) & (manifest["kind"] != "digit")]
    clips = {"trigger": [], "negative": [], "negative_words": []}
    for row in rows.itertuples():
        samples = audio.load_clip(row.file).astype(np.float64)
        samples = samples[:audio.audible_end(samples, WORD_END_DB)]
        if row.word == TRIGGER_WORD:
            clips["trigger"].append(samples)
        else:
            clips["negative"].append(samples)
            clips["negative_words"].append(row.word)
    return clips


def word_clips(split):
    """The trigger clips and the other words of one split (its voices only).

    Returns
    -------
    triggers : list of ndarray (n_samples,) float64   every "activate" of the split, 16 kHz, at audio.TARGET_DBFS,
                                                      ending where the word is heard to end (WORD_END_DB)
    negatives : list of ndarray (n_samples,) float64  every other word (digits left out), same format
    negative_words : list of str                      the word of each negative ("reactivate", "coffee", ...)

    Raises ValueError if the split is unknown.
    """
    if split not in audio.SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(audio.SPLITS)}")
    clips = _word_clips(split)
    return list(clips["trigger"]), list(clips["negative"]), list(clips["negative_words"])


@functools.lru_cache(maxsize=None)
def _background_stretches(split):
    return tuple(audio.segment_to_array(audio.background_split(audio.load_background(name), split)).astype(np.float64)
                 for name in audio.BACKGROUND_NAMES)


def background_stretches(split):
    """The stretch of every background recording reserved for `split`, float64 samples at 16 kHz.

    Returns a list of ndarray (n_samples,), one per name of audio.BACKGROUND_NAMES, each longer than 10 s.
    """
    if split not in audio.SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(audio.SPLITS)}")
    return list(_background_stretches(split))


def random_background(stretches, rng):
    """A random 10 s cut (audio.SAMPLES_PER_CLIP samples) of a random stretch, drawn with `rng`.

    stretches : list of ndarray (n_samples,), each at least SAMPLES_PER_CLIP long
    rng : numpy.random.Generator
    Returns a copy, ndarray (SAMPLES_PER_CLIP,) float64.
    """
    stretch = stretches[rng.integers(len(stretches))]
    start = rng.integers(0, stretch.size - audio.SAMPLES_PER_CLIP + 1)
    return stretch[start : start + audio.SAMPLES_PER_CLIP].copy()


def features(samples):
    """Detector input of 10 s examples: the dB spectrogram centred and scaled (bulk of the entries in about [-1.5, 1.5]).

    samples : ndarray (..., SAMPLES_PER_CLIP) float, 1.0 = full scale
    Returns ndarray float32 (..., T_X, N_FREQ).
    """
    return (audio.spectrogram(samples) - np.float32(FEATURE_OFFSET_DB)) / np.float32(FEATURE_SCALE_DB)


def first_hearing_step(end_sample, samples_per_step=SAMPLES_PER_STEP, receptive_samples=RECEPTIVE_SAMPLES):
    """The first output step whose receptive field holds sample `end_sample` (an int >= 0).

    Step j hears samples samples_per_step * j .. samples_per_step * j + receptive_samples - 1, so this is the
    smallest j >= 0 with samples_per_step * j + receptive_samples - 1 >= end_sample, that is
    (end_sample - receptive_samples) // samples_per_step + 1, or 0 when the first step already hears it.
    May be T_Y or more for a sample past the last step's receptive field (the last 35 ms of an example).
    """
    return max(0, (int(end_sample) - receptive_samples) // samples_per_step + 1)


def label_windows(trigger_ends):
    """(first, last) output steps of the label window of each trigger, in order of their ends.

    trigger_ends : iterable of int   last sample of each trigger (sample indices of a 10 s example)
    Returns a list of (first, last) int pairs, both inclusive: a window starts at the first step that has
    heard the trigger's last sample (`first_hearing_step`) and lasts LABEL_STEPS steps, cut at step T_Y - 1.
    A trigger that no step has heard the end of (first step >= T_Y) has no window and is left out.

    The same windows make the labels (`labels`) and score the detections (`event_counts`).
    """
    windows = []
    for end in sorted(trigger_ends):
        first = first_hearing_step(end)
        if first < audio.T_Y:
            windows.append((first, min(first + LABEL_STEPS, audio.T_Y) - 1))
    return windows


def resample(clip, rate):
    """A clip played `rate` times faster (rate < 1: slower), by linear interpolation: length round(L / rate)."""
    n = max(2, round(clip.size / rate))
    return np.interp(np.linspace(0, clip.size - 1, n), np.arange(clip.size), clip)


def synthesize(background, triggers, negatives, rng, augment=False):
    """One training example, the given code's own synthesizer (the notebook's exercises rebuild it step by step).

    Draws 0..MAX_TRIGGERS triggers and 0..MAX_NEGATIVES other words, places each at a random free position
    (at most MAX_TRIES draws; a word without room is left out), overlays them on the background scaled to
    BACKGROUND_DBFS, and scales the sum to EXAMPLE_DBFS.

    augment=True varies each word's rate and level and the background's level (AUGMENT_*), for training.

    Returns
    -------
    x : ndarray (SAMPLES_PER_CLIP,) float64      the example
    trigger_ends : list of int                    last sample of each trigger placed
    """
    shift = rng.uniform(*AUGMENT_BACKGROUND_DB) if augment else 0.0
    mix = audio.normalize_level(background, BACKGROUND_DBFS + shift)
    taken = np.zeros(mix.size, dtype=bool)  # samples already covered by a word
    trigger_ends = []
    n_triggers, n_negatives = rng.integers(0, MAX_TRIGGERS + 1), rng.integers(0, MAX_NEGATIVES + 1)
    chosen = [(triggers[i], True) for i in rng.integers(0, len(triggers), size=n_triggers)]
    chosen += [(negatives[i], False) for i in rng.integers(0, len(negatives), size=n_negatives)]
    for clip, is_trigger in chosen:
        if augment:
            clip = resample(clip, rng.uniform(*AUGMENT_RATE)) * 10 ** (rng.uniform(-1, 1) * AUGMENT_GAIN_DB / 20)
        starts = rng.integers(0, mix.size - clip.size + 1, size=MAX_TRIES)
        free = [s for s in starts if not taken[s : s + clip.size].any()]
        if not free:
            continue
        s = free[0]
        taken[s : s + clip.size] = True
        mix[s : s + clip.size] += clip
        if is_trigger:
            trigger_ends.append(int(s + clip.size - 1))
    return audio.normalize_level(mix, EXAMPLE_DBFS), sorted(trigger_ends)


def labels(trigger_ends):
    """Label vector (T_Y,) float32 of an example: 1 inside each trigger's label window, 0 elsewhere."""
    y = np.zeros(audio.T_Y, dtype=np.float32)
    for first, last in label_windows(trigger_ends):
        y[first : last + 1] = 1.0
    return y


def loss_weights(Y):
    """Per-step weights of the training loss: EARLY_WEIGHT on the EARLY_STEPS label-0 steps before each
    window of ones (a run of ones counts from its first step), 1 everywhere else.

    Y : ndarray (m, T_y) of 0/1 labels (e.g. `labels` of each example, or insert_ones's output)
    Returns ndarray (m, T_y) float32, for the sample_weight of Keras's fit or train_on_batch.
    """
    Y = np.asarray(Y)
    before = np.concatenate([np.zeros_like(Y[:, :1]), Y[:, :-1]], axis=1)  # each step's previous label
    starts = (Y == 1) & (before == 0)
    early = np.zeros(Y.shape, dtype=bool)
    for k in range(1, EARLY_STEPS + 1):
        early[:, :-k] |= starts[:, k:]  # step t is early when a window starts at t + k
    return np.where(early & (Y == 0), EARLY_WEIGHT, 1.0).astype(np.float32)


def synthesize_set(split, n, rng, progress=None, augment=False):
    """n examples of one split as detector inputs.

    Parameters
    ----------
    split : "train", "dev" or "test"   voices and background stretches of that split only
    n : int                           how many 10 s examples
    rng : numpy.random.Generator      every draw comes from it
    progress : callable, optional     wraps the range of examples (e.g. tqdm.auto.tqdm) to show a bar
    augment : bool                    vary rates and levels (training only), see `synthesize`

    Returns
    -------
    X : ndarray (n, T_X, N_FREQ) float32   features
    Y : ndarray (n, T_Y, 1) float32        labels
    trigger_ends : list of n lists of int  last sample of each trigger, per example
    """
    triggers, negatives, _ = word_clips(split)
    stretches = background_stretches(split)
    steps = range(n) if progress is None else progress(range(n))
    samples, ends = [], []
    for _ in steps:
        x, trigger_ends = synthesize(random_background(stretches, rng), triggers, negatives, rng, augment)
        samples.append(x)
        ends.append(trigger_ends)
    X = features(np.stack(samples)) if samples else np.zeros((0, audio.T_X, audio.N_FREQ), np.float32)
    Y = np.stack([labels(e) for e in ends])[..., None] if ends else np.zeros((0, audio.T_Y, 1), np.float32)
    return X, Y, ends


# ---------------------------------------------------------------------------
# Event-level scoring
# ---------------------------------------------------------------------------


def detections(probabilities, threshold):
    """Output steps where a run of probabilities at or above `threshold` begins.

    probabilities : array-like (T_Y,) or (T_Y, 1)
    Returns ndarray (k,) int64 of step indices, increasing.
    """
    above = np.asarray(probabilities).reshape(-1) >= threshold
    onsets = above & ~np.concatenate([[False], above[:-1]])
    return np.flatnonzero(onsets)


def event_counts(probabilities, trigger_ends, threshold):
    """(true positives, false positives, false negatives) of one example (see the module docstring).

    A detection counts for a trigger only inside its label window (`label_windows`), the steps its label is 1.
    """
    windows = label_windows(trigger_ends)
    found = [False] * len(windows)
    tp = fp = 0
    for step in detections(probabilities, threshold):
        hit = next((i for i, (a, b) in enumerate(windows) if a <= step <= b and not found[i]), None)
        if hit is None:
            fp += 1
        else:
            found[hit] = True
            tp += 1
    return tp, fp, len(windows) - tp


def event_scores(probabilities, trigger_ends, threshold):
    """Event-level precision, recall and F1 over many examples.

    probabilities : ndarray (n, T_Y) or (n, T_Y, 1); trigger_ends : n lists of sample indices
    Returns {"precision", "recall", "f1", "tp", "fp", "fn"}; a ratio with a zero denominator is 0.
    """
    tp = fp = fn = 0
    for p, ends in zip(probabilities, trigger_ends):
        a, b, c = event_counts(p, ends, threshold)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def choose_threshold(probabilities, trigger_ends, candidates=THRESHOLDS):
    """The detection threshold chosen on these (dev) examples: the middle of the plateau of best event F1.

    The plateau is every candidate whose F1 is within one standard error of the best, sqrt(F1 (1 - F1) / n)
    for n triggers (about 0.02 for 200 triggers at F1 0.87): F1 differences smaller than that are noise of
    the dev sample. Voices the dev set does not hold shift the probabilities up or down, and the middle of the
    plateau is the candidate farthest from both of its edges; a sharp peak is a plateau of one. The plateau's
    middle is its median candidate (the lower of the two middle ones for an even count). The plateau is the
    one-standard-error rule of Breiman et al. (1984), "Classification and Regression Trees", used on a grid.

    Returns (threshold, {threshold: f1}).
    """
    f1 = {float(t): event_scores(probabilities, trigger_ends, t)["f1"] for t in candidates}
    best = max(f1.values())
    n_triggers = sum(len(ends) for ends in trigger_ends)
    standard_error = np.sqrt(best * (1.0 - best) / n_triggers) if n_triggers else 0.0
    plateau = sorted(t for t, value in f1.items() if value >= best - standard_error)
    return plateau[(len(plateau) - 1) // 2], f1


@functools.lru_cache(maxsize=None)
def evaluation_set(split):
    """The fixed held-out examples of `split` ("dev" or "test"): (X, Y, trigger_ends), EVAL_EXAMPLES[split] of them."""
    return synthesize_set(split, EVAL_EXAMPLES[split], np.random.default_rng(EVAL_SEEDS[split]))


# ---------------------------------------------------------------------------
# The model (helpers.trained_models contract)
# ---------------------------------------------------------------------------


def build_model():
    """The detector: spectrogram (T_X, N_FREQ) -> probability of "just heard the trigger" per step (T_Y, 1).

    Conv1D(CONV_FILTERS, DETECTOR_KERNEL, stride DETECTOR_STRIDE) -> batch norm -> ReLU -> dropout,
    two GRU(GRU_UNITS) layers over every step, each followed by dropout and batch norm, and one
    Dense(1, sigmoid) applied to the 3-D tensor (Keras applies Dense to the last axis at every step).
    """
    import keras

    layers = keras.layers
    spectrogram_in = keras.Input(shape=(audio.T_X, audio.N_FREQ), name="spectrogram")
    h = layers.Conv1D(CONV_FILTERS, audio.DETECTOR_KERNEL, strides=audio.DETECTOR_STRIDE, name="conv")(spectrogram_in)
    h = layers.Activation("relu")(layers.BatchNormalization(name="conv_norm")(h))
    h = layers.Dropout(DROPOUT)(h)
    for k in (1, 2):
        h = layers.GRU(GRU_UNITS, return_sequences=True, name=f"gru_{k}")(h)
        h = layers.BatchNormalization(name=f"gru_{k}_norm")(layers.Dropout(DROPOUT)(h))
    probability = layers.Dense(1, activation="sigmoid", name="trigger")(layers.Dropout(DROPOUT)(h))
    return keras.Model(spectrogram_in, probability, name="trigger_detector")


def compile_model(model, learning_rate=LEARNING_RATE, decay_steps=None):
    """Adam and binary cross-entropy on every output step (model compiled in place, returned).

    decay_steps : int, optional   cosine decay of the rate to FINAL_RATE_SHARE of it over this many steps
    """
    import keras

    if decay_steps:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps, alpha=FINAL_RATE_SHARE)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="frame_accuracy")])
    return model


def train_model(seed, steps=TRAIN_STEPS, progress=None):
    """Train the detector on freshly synthesized training examples (train voices and stretches only).

    Each step draws BATCH_SIZE new examples, so the model never sees one twice.
    Without `progress`, prints the loss and the dev event F1 every LOG_EVERY steps.
    Returns (model, facts) as helpers.trained_models expects.
    """
    rng = np.random.default_rng(seed)
    model = compile_model(build_model(), decay_steps=steps)
    triggers, negatives, _ = word_clips("train")
    loop = range(1, steps + 1) if progress is None else progress(range(1, steps + 1))
    losses = []
    for step in loop:
        X, Y, _ = synthesize_set("train", BATCH_SIZE, rng, augment=True)
        losses.append(float(model.train_on_batch(X, Y, sample_weight=loss_weights(Y[..., 0]))[0]))
        if progress is None and step % LOG_EVERY == 0:
            X_dev, _, ends_dev = evaluation_set("dev")
            threshold, f1 = choose_threshold(predict(model, X_dev), ends_dev)
            print(f"step {step}: loss {np.mean(losses[-LOG_EVERY:]):.4f}, dev event F1 {f1[threshold]:.3f} "
                  f"at threshold {threshold}", flush=True)
    facts = {
        "data": (f"10 s examples synthesized on the fly: 0-{MAX_TRIGGERS} '{TRIGGER_WORD}' and 0-{MAX_NEGATIVES} "
                 f"other words (close ones such as 'reactivate' among them) from speech/clips over "
                 f"speech/backgrounds (Speech Commands background noise)"),
        "split": {"train": f"{len(triggers)} trigger and {len(negatives)} other clips of the train voices, train "
                           f"stretches of the backgrounds; {steps * BATCH_SIZE} examples",
                  "dev": f"{EVAL_EXAMPLES['dev']} examples of the dev voices (threshold chosen here)",
                  "test": f"{EVAL_EXAMPLES['test']} examples of the held-out test voices and stretches"},
        "hyperparameters": {"conv_filters": CONV_FILTERS, "kernel": audio.DETECTOR_KERNEL,
                            "stride": audio.DETECTOR_STRIDE, "gru_units": GRU_UNITS, "dropout": DROPOUT,
                            "steps": steps, "batch_size": BATCH_SIZE, "learning_rate": f"{LEARNING_RATE} cosine to {FINAL_RATE_SHARE:g} of it",
                            "label_steps": LABEL_STEPS, "early_steps": EARLY_STEPS,
                            "early_weight": EARLY_WEIGHT, "augment_rate": AUGMENT_RATE,
                            "augment_gain_db": AUGMENT_GAIN_DB, "augment_background_db": AUGMENT_BACKGROUND_DB},
    }
    return model, facts


def predict(model, X, batch_size=50):
    """Probabilities (n, T_Y) of a model on features X (n, T_X, N_FREQ), inference mode."""
    return model.predict(X, batch_size=batch_size, verbose=0)[..., 0]


def evaluate_model(model):
    """Event precision, recall and F1 on the test split, at the threshold chosen on the dev split."""
    X_dev, _, ends_dev = evaluation_set("dev")
    threshold, _ = choose_threshold(predict(model, X_dev), ends_dev)
    X_test, _, ends_test = evaluation_set("test")
    scores = event_scores(predict(model, X_test), ends_test, threshold)
    return {"event_precision": scores["precision"], "event_recall": scores["recall"], "event_f1": scores["f1"],
            "threshold": threshold}


# ---------------------------------------------------------------------------
# Listening
# ---------------------------------------------------------------------------
CHIME_SECONDS = 0.15  # length of the chime marking a detection
CHIME_HZ = 1320.0  # its pitch: well above most of the speech energy, easy to hear over a word
CHIME_DECAY_SECONDS = 0.04  # time for the chime to fall to 1/e of its start
CHIME_PEAK = 0.3  # its first sample, in full scale: clearly louder than an example at EXAMPLE_DBFS


def chime():
    """A short decaying ping, ndarray (CHIME_SECONDS * SAMPLE_RATE,) float64 at 16 kHz."""
    t = np.arange(round(CHIME_SECONDS * audio.SAMPLE_RATE)) / audio.SAMPLE_RATE
    return CHIME_PEAK * np.sin(2 * np.pi * CHIME_HZ * t) * np.exp(-t / CHIME_DECAY_SECONDS)


def with_chimes(samples, probabilities, threshold):
    """A copy of 10 s of samples with a chime at each detection (see `detections`), where the detecting step
    has heard its last sample (step j: sample SAMPLES_PER_STEP * j + RECEPTIVE_SAMPLES - 1).

    samples : ndarray (SAMPLES_PER_CLIP,); probabilities : (T_Y,) of the same example
    Returns ndarray (SAMPLES_PER_CLIP,) float64; a chime near the end is cut at the last sample.
    """
    out = np.array(samples, dtype=np.float64)
    ping = chime()
    for step in detections(probabilities, threshold):
        start = step * SAMPLES_PER_STEP + RECEPTIVE_SAMPLES
        piece = ping[: max(0, out.size - start)]
        out[start : start + piece.size] += piece
    return out


def prepare_recording(path):
    """A WAV file of one's own, made like the examples: 16 kHz mono, cut or padded to 10 s, at EXAMPLE_DBFS.

    path : str or Path of a WAV file (any rate, mono or stereo, 8-32 bit)
    Returns ndarray (SAMPLES_PER_CLIP,) float64.
    Raises ValueError if the first 10 s are silent, FileNotFoundError if there is no such file.
    """
    segment = audio.to_standard_format(audio._audio_segment_class().from_wav(str(path)))
    x = audio.segment_to_array(segment)[: audio.SAMPLES_PER_CLIP]
    x = np.pad(x, (0, audio.SAMPLES_PER_CLIP - x.size))
    return audio.normalize_level(x, EXAMPLE_DBFS)
