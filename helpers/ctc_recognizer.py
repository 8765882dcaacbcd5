"""Spoken digit strings and the CTC recognizer of notebook 11 ctc_speech.

A *digit string* is 3 to 7 digits spoken by one voice, built on the fly from
the word clips of ``datasets/speech`` (see `helpers.audio`): the clips of one
voice joined with random silent gaps, played faster or slower as a whole, and
mixed with a background recording at a random signal-to-noise ratio. Voices
are held out: `DigitStringMaker("test")` speaks only with the test voices and
the test stretch of each background, so every metric it gives is on speakers
the recognizer never heard.

The recognizer maps log-mel features (`log_mel`, from `tf.signal`) through a
small convolutional front end and a bidirectional GRU to per-step logits over
the ten digits and the CTC blank; it is trained with `tf.nn.ctc_loss`.
Class k < 10 is the digit k; class `BLANK` = 10 is the blank (the last class,
as `tf.nn.ctc_greedy_decoder` expects it).

``make models MODEL=ctc_recognizer`` trains it (`train_model`) and writes
``datasets/models/ctc_recognizer.weights.h5`` with its model card;
`helpers.trained_models.load_trained_model("ctc_recognizer")` loads it.

Sources: A. Graves, S. Fernandez, F. Gomez, J. Schmidhuber (2006),
"Connectionist Temporal Classification: Labelling Unsegmented Sequence Data
with Recurrent Neural Networks", ICML 2006; S. Davis, P. Mermelstein (1980)
for mel filterbanks; D. Amodei et al. (2016), "Deep Speech 2", for the
convolution + bidirectional recurrence + CTC layout.
"""

from dataclasses import dataclass

import numpy as np

from helpers import audio

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
N_DIGITS = len(DIGIT_WORDS)
BLANK = N_DIGITS  # the CTC blank is the last class: classes 0..9 are the digits themselves
N_CLASSES = N_DIGITS + 1

# --- how a digit string is built (all ranges inclusive, drawn uniformly) ---
MIN_DIGITS, MAX_DIGITS = 3, 7  # digits per string
GAP_SECONDS = (0.03, 0.30)  # silence between two digits
EDGE_SECONDS = (0.10, 0.30)  # silence before the first and after the last digit
SPEED_RANGE = (0.85, 1.15)  # playback rate of the whole string (resampled: tempo and pitch move together)
SNR_DB_RANGE = (5.0, 25.0)  # speech power (over the spoken digits) over background power, in dB
PEAK_LIMIT = 0.99  # a mix whose peak would exceed this (full scale = 1) is scaled down to it

# --- features ---
N_MELS = 40  # mel bands, the usual size for small recognizers
MEL_LOW_HZ, MEL_HIGH_HZ = 20.0, 7_600.0  # band edges: below 20 Hz is hum, above 7.6 kHz the 8 kHz Nyquist roll-off
LOG_FLOOR = 1e-6  # mel power added before the log: 60 dB below a full-scale tone's band power
NORM_EPSILON = 1e-5  # added to a band's standard deviation before dividing by it

# --- model ---
SUBSAMPLING = 2  # input frames per output step (the stride of the first convolution): 20 ms per step
CONV_FILTERS = 96
GRU_UNITS = 96
CONV_KERNELS = (5, 3)  # frames seen by the first and the second convolution
DROPOUT = 0.25  # after the convolutions and after the GRU: 23 training voices are few, the model must not learn them

# --- SpecAugment (Park et al. 2019) on the training features: masked stretches are set to 0, the band mean ---
FREQ_MASKS, FREQ_MASK_MAX = 2, 8  # per utterance: up to 8 of the 40 mel bands, twice
TIME_MASKS, TIME_MASK_MAX = 2, 8  # per utterance: up to 80 ms, twice (a digit lasts 200-700 ms)

# --- training of the shipped model (make models) ---
TRAIN_EPOCHS = 20
STRINGS_PER_EPOCH = 2_000  # fresh strings every epoch: new gaps, speeds and noise each time
BATCH_SIZE = 32
LEARNING_RATE = 2e-3
CLIP_NORM = 5.0  # gradient norm clip: the CTC loss of an untrained model has large, spiky gradients
DEV_STRINGS = 150  # dev-voice strings scored after every epoch; the best epoch's weights are kept
TEST_STRINGS = 300  # test-voice strings of evaluate_model
DEV_SEED, TEST_SEED = 1_001, 2_002  # fixed: dev and test strings are the same on every run

# Tolerances of a re-evaluation on another machine. The test strings are the same everywhere (numpy's seeded
# generator); only float32 round-off of the STFT, the convolutions and the GRU differs, which can flip the arg
# max of a frame whose two best classes tie to ~1e-6. Such a flip changes a decoded string by one digit at
# most: 1 of the ~1 500 test digits moves the CER by 0.0007 and the string accuracy by 1/300 = 0.0033.
# Allowing three flips: 0.0025 on a CER, 0.01 on the string accuracy; the worst voice has ~300 digits.
METRIC_TOLERANCE = {"test_cer": 0.0025, "test_string_accuracy": 0.01, "worst_voice_cer": 0.01}


# ---------------------------------------------------------------------------------------------- digit strings


@dataclass
class DigitString:
    """One synthesized utterance.

    samples : ndarray (n_samples,) float32 at 16 kHz, 1.0 = full scale
    digits : ndarray (n_digits,) int64, the digits spoken, 0..9
    voice : str            the voice that speaks every digit of it
    snr_db : float         speech-to-background ratio, dB
    spans : ndarray (n_digits, 2) float64   start and end of each spoken digit, seconds
    """

    samples: np.ndarray
    digits: np.ndarray
    voice: str
    snr_db: float
    spans: np.ndarray

    @property
    def text(self):
        return digits_to_text(self.digits)


def digits_to_text(digits):
    """'4 0 7' for the digits [4, 0, 7] (a blank, class 10, would show as '_')."""
    return " ".join("_" if int(d) == BLANK else str(int(d)) for d in digits)


def change_speed(samples, factor):
    """Samples played `factor` times as fast (linear interpolation): length / factor samples, pitch times factor."""
    n_out = max(1, int(round(len(samples) / factor)))
    positions = np.arange(n_out) * factor  # where each output sample reads the input, in input samples
    return np.interp(positions, np.arange(len(samples)), samples)


class DigitStringMaker:
    """Builds seeded digit strings from the clips and background stretch of one split.

    Parameters
    ----------
    split : str   "train", "dev" or "test": which voices speak and which stretch of each background plays
    root : path, optional   the data folder (default `helpers.data.data_dir()`)

    Every clip and background is read once, verified against SHA256SUMS.
    """

    def __init__(self, split, root=None):
        if split not in audio.SPLITS:
            raise ValueError(f"unknown split {split!r}; known: {', '.join(audio.SPLITS)}")
        manifest = audio.read_clip_manifest(root)
        rows = manifest[(manifest["kind"] == "digit") & (manifest["split"] == split)]
        self.split = split
        self.voices = tuple(sorted(rows["voice"].unique()))
        self.clips = {voice: {digit: [] for digit in range(N_DIGITS)} for voice in self.voices}
        for row in rows.itertuples():
            self.clips[row.voice][DIGIT_WORDS.index(row.word)].append(audio.load_clip(row.file, root))
        missing = [f"{v}: {DIGIT_WORDS[d]}" for v in self.voices for d in range(N_DIGITS) if not self.clips[v][d]]
        if missing:
            raise ValueError(f"split {split} lacks digit clips ({', '.join(missing)}); rebuild datasets/speech")
        self.backgrounds = [
            audio.segment_to_array(audio.background_split(audio.load_background(name, root), split))
            for name in audio.BACKGROUND_NAMES
        ]

    def make(self, rng, n_digits=None, voice=None):
        """One digit string; every random choice is drawn from `rng` (a numpy Generator).

        n_digits : int, optional   how many digits (default: uniform in MIN_DIGITS..MAX_DIGITS)
        voice : str, optional      who speaks (default: a random voice of the split)
        """
        n_digits = int(rng.integers(MIN_DIGITS, MAX_DIGITS + 1)) if n_digits is None else n_digits
        voice = self.voices[rng.integers(len(self.voices))] if voice is None else voice
        digits = rng.integers(0, N_DIGITS, size=n_digits)
        sr = audio.SAMPLE_RATE
        pieces, spans, spoken = [], [], []
        cursor = int(rng.uniform(*EDGE_SECONDS) * sr)
        pieces.append(np.zeros(cursor))
        for k, digit in enumerate(digits):
            options = self.clips[voice][digit]
            clip = options[rng.integers(len(options))]
            pieces.append(clip)
            spoken.append(clip)
            spans.append((cursor, cursor + len(clip)))
            cursor += len(clip)
            gap = int(rng.uniform(*(GAP_SECONDS if k < n_digits - 1 else EDGE_SECONDS)) * sr)
            pieces.append(np.zeros(gap))
            cursor += gap
        speed = rng.uniform(*SPEED_RANGE)
        speech = change_speed(np.concatenate(pieces), speed)
        speech_power = np.mean(np.concatenate(spoken) ** 2)
        snr_db = float(rng.uniform(*SNR_DB_RANGE))
        noise = self._noise(rng, len(speech))
        noise *= np.sqrt(speech_power / (np.mean(noise**2) * 10.0 ** (snr_db / 10.0)))
        mix = speech + noise
        peak = np.max(np.abs(mix))
        if peak > PEAK_LIMIT:
            mix *= PEAK_LIMIT / peak
        spans_s = np.array(spans, dtype=np.float64) / (sr * speed)
        return DigitString(mix.astype(np.float32), digits.astype(np.int64), voice, snr_db, spans_s)

    def _noise(self, rng, n_samples):
        """n_samples of a random background from a random start (tiled when the stretch is shorter)."""
        background = self.backgrounds[rng.integers(len(self.backgrounds))]
        if len(background) < n_samples:
            background = np.tile(background, n_samples // len(background) + 1)
        start = rng.integers(0, len(background) - n_samples + 1)
        return background[start : start + n_samples].astype(np.float64)

    def make_many(self, n, seed):
        """`n` strings from numpy's generator seeded with `seed`, voices drawn at random."""
        rng = np.random.default_rng(seed)
        return [self.make(rng) for _ in range(n)]


# ---------------------------------------------------------------------------------------------- features

_MEL_MATRIX = None


def mel_matrix():
    """The (N_FREQ, N_MELS) triangular mel filterbank of `tf.signal.linear_to_mel_weight_matrix`, as numpy."""
    global _MEL_MATRIX
    if _MEL_MATRIX is None:
        import tensorflow as tf

        _MEL_MATRIX = tf.signal.linear_to_mel_weight_matrix(
            N_MELS, audio.N_FREQ, audio.SAMPLE_RATE, MEL_LOW_HZ, MEL_HIGH_HZ).numpy()
    return _MEL_MATRIX


def n_frames_of(n_samples):
    """Feature frames of `n_samples` samples: 1 + (n_samples - 400) // 160 (no padding at the end)."""
    return 1 + (np.asarray(n_samples) - audio.WINDOW_LENGTH) // audio.HOP_LENGTH


def log_mel_batch(utterances):
    """Normalized log-mel features of several utterances, computed in one `tf.signal.stft` call.

    The power spectrum of `tf.signal.stft` (25 ms periodic Hann window every 10 ms, as `audio.spectrogram`)
    summed into N_MELS mel bands, logged, then each band shifted to mean 0 and scaled to standard deviation 1
    over the utterance's own frames (cepstral mean and variance normalization: the level and the colour of
    the channel drop out).

    Parameters
    ----------
    utterances : list of array-like (n_samples_i,)   float, 16 kHz, each at least `audio.WINDOW_LENGTH` samples

    Returns
    -------
    list of ndarray float32 (n_frames_i, N_MELS), n_frames_i = 1 + (n_samples_i - 400) // 160

    Raises
    ------
    ValueError  if an utterance is shorter than one window.
    """
    import tensorflow as tf

    lengths = np.array([len(u) for u in utterances])
    if lengths.min() < audio.WINDOW_LENGTH:
        raise ValueError(f"need at least {audio.WINDOW_LENGTH} samples per utterance, got {lengths.min()}")
    padded = np.zeros((len(utterances), lengths.max()), dtype=np.float32)  # zeros after the end change no frame kept
    for i, u in enumerate(utterances):
        padded[i, : len(u)] = u
    stft = tf.signal.stft(padded, frame_length=audio.WINDOW_LENGTH, frame_step=audio.HOP_LENGTH,
                          fft_length=audio.FFT_LENGTH)
    logs = np.log(np.square(np.abs(stft.numpy())) @ mel_matrix() + LOG_FLOOR)  # (B, max frames, N_MELS)
    features = []
    for i, n_frames in enumerate(n_frames_of(lengths)):
        own = logs[i, :n_frames]
        features.append(((own - own.mean(axis=0)) / (own.std(axis=0) + NORM_EPSILON)).astype(np.float32))
    return features


def log_mel(samples):
    """Normalized log-mel features of one utterance, ndarray float32 (n_frames, N_MELS); see `log_mel_batch`."""
    return log_mel_batch([np.asarray(samples)])[0]


def output_length(n_frames):
    """Output steps of the recognizer for `n_frames` input frames: ceil(n_frames / SUBSAMPLING) ('same' padding)."""
    return -(-np.asarray(n_frames) // SUBSAMPLING)


def pad_batch(features):
    """Features of several utterances zero-padded at the end to one array.

    features : list of ndarray (n_frames_i, N_MELS)
    Returns (batch (B, max n_frames, N_MELS) float32, n_frames (B,) int32).
    """
    lengths = np.array([len(f) for f in features], dtype=np.int32)
    batch = np.zeros((len(features), lengths.max(), N_MELS), dtype=np.float32)
    for i, f in enumerate(features):
        batch[i, : len(f)] = f
    return batch, lengths


# ---------------------------------------------------------------------------------------------- the model


def build_model():
    """The recognizer: log-mel (batch, frames, N_MELS) -> logits (batch, ceil(frames / 2), N_CLASSES).

    Conv1D (stride 2) -> batch norm -> ReLU -> Conv1D -> batch norm -> ReLU -> bidirectional GRU -> Dense.
    The logits are unnormalized; a softmax over the last axis gives the per-step posteriors of the ten
    digits and the blank (class `BLANK`).
    """
    import keras
    from keras import layers

    inputs = keras.Input((None, N_MELS), name="log_mel")
    x = inputs
    for k, kernel in enumerate(CONV_KERNELS):
        x = layers.Conv1D(CONV_FILTERS, kernel, strides=SUBSAMPLING if k == 0 else 1, padding="same",
                          use_bias=False, name=f"conv{k + 1}")(x)
        x = layers.BatchNormalization(name=f"norm{k + 1}")(x)
        x = layers.ReLU(name=f"relu{k + 1}")(x)
    x = layers.Dropout(DROPOUT, name="conv_dropout")(x)
    x = layers.Bidirectional(layers.GRU(GRU_UNITS, return_sequences=True), name="bigru")(x)
    x = layers.Dropout(DROPOUT, name="gru_dropout")(x)
    logits = layers.Dense(N_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name="ctc_recognizer")


def ctc_batch_loss(labels, label_lengths, logits, logit_lengths):
    """Mean over the batch of `tf.nn.ctc_loss` (negative log-likelihood, nats) with the blank as last class.

    labels : (B, max label length) int32, padded with anything;  label_lengths : (B,) int32
    logits : (B, T, N_CLASSES) float32;  logit_lengths : (B,) int32
    """
    import tensorflow as tf

    loss = tf.nn.ctc_loss(labels=labels, logits=logits, label_length=label_lengths, logit_length=logit_lengths,
                          logits_time_major=False, blank_index=BLANK)
    return tf.reduce_mean(loss)


def make_batches(strings, batch_size, rng=None):
    """Strings grouped by length into padded batches: [(features, n_frames, labels, label_lengths, indices)].

    Sorting by length keeps padding short (the backward GRU reads it first); `rng` shuffles the batch order.
    """
    order = np.argsort([len(s.samples) for s in strings], kind="stable")
    batches = []
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        x, n_frames = pad_batch(log_mel_batch([strings[i].samples for i in idx]))
        label_lengths = np.array([len(strings[i].digits) for i in idx], dtype=np.int32)
        labels = np.zeros((len(idx), label_lengths.max()), dtype=np.int32)
        for row, i in enumerate(idx):
            labels[row, : label_lengths[row]] = strings[i].digits
        batches.append((x, n_frames, labels, label_lengths, idx))
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def make_train_step(model, optimizer):
    """A compiled training step: (features, n_frames, labels, label_lengths) -> mean CTC loss of the batch."""
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def step(x, n_frames, labels, label_lengths):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = ctc_batch_loss(labels, label_lengths, logits, (n_frames + SUBSAMPLING - 1) // SUBSAMPLING)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    return step


def new_optimizer(learning_rate=LEARNING_RATE):
    """Adam with the gradient-norm clip of the shipped model."""
    import keras

    return keras.optimizers.Adam(learning_rate, clipnorm=CLIP_NORM)


def spec_augment(x, n_frames, rng):
    """A copy of padded features (B, frames, N_MELS) with random bands and stretches of each utterance set to 0.

    Per utterance FREQ_MASKS bands of up to FREQ_MASK_MAX mel bands and TIME_MASKS stretches of up to
    TIME_MASK_MAX frames inside its own n_frames. Source: Park et al. (2019), "SpecAugment", Interspeech.
    """
    x = x.copy()
    for i, length in enumerate(n_frames):
        for _ in range(FREQ_MASKS):
            width = rng.integers(0, FREQ_MASK_MAX + 1)
            start = rng.integers(0, N_MELS - width + 1)
            x[i, :length, start : start + width] = 0.0
        for _ in range(TIME_MASKS):
            width = min(rng.integers(0, TIME_MASK_MAX + 1), length)
            start = rng.integers(0, length - width + 1)
            x[i, start : start + width, :] = 0.0
    return x


def train_epoch(model, step, maker, n_strings, rng, batch_size=BATCH_SIZE, progress=None):
    """Train on `n_strings` fresh strings of `maker` (SpecAugment on); returns the mean CTC loss per batch."""
    strings = [maker.make(rng) for _ in range(n_strings)]
    losses = []
    for x, n_frames, labels, label_lengths, _ in make_batches(strings, batch_size, rng):
        x = spec_augment(x, n_frames, rng)
        losses.append(float(step(x, n_frames, labels, label_lengths)))
        if progress is not None:
            progress.update(1)
    return losses


# ---------------------------------------------------------------------------------------------- decoding, scoring


def predict_logits(model, strings, batch_size=BATCH_SIZE):
    """Logits of each string, list of ndarray (output_length(n_frames_i), N_CLASSES), in the order given."""
    out = [None] * len(strings)
    for x, n_frames, _, _, idx in make_batches(strings, batch_size):
        logits = np.asarray(model(x, training=False))
        for row, i in enumerate(idx):
            out[i] = logits[row, : output_length(n_frames[row])]
    return out


def library_greedy_decode(logits):
    """Best-path decoding by `tf.nn.ctc_greedy_decoder` (arg max per step, merge repeats, drop blanks).

    logits : ndarray (T, N_CLASSES).  Returns ndarray (n,) int64 of digits.
    """
    import tensorflow as tf

    decoded, _ = tf.nn.ctc_greedy_decoder(logits[:, None, :], np.array([len(logits)], dtype=np.int32),
                                          merge_repeated=True, blank_index=BLANK)
    return decoded[0].values.numpy().astype(np.int64)


def score(references, hypotheses, voices):
    """Error counts of decoded digit strings against the truth (Levenshtein alignment by RapidFuzz).

    references, hypotheses : lists of digit sequences;  voices : list of str, the voice of each string
    Returns dict: cer (edits / reference digits), string_accuracy, per_voice_cer {voice: cer},
    confusion (N_DIGITS + 1, N_DIGITS + 1) int (row = spoken digit or 10 for an insertion, column =
    recognized digit or 10 for a deletion; the diagonal counts correct digits), edits, digits.
    """
    from rapidfuzz.distance import Levenshtein

    confusion = np.zeros((N_DIGITS + 1, N_DIGITS + 1), dtype=np.int64)
    edits_by_voice, digits_by_voice = {}, {}
    total_edits = exact = 0
    for ref, hyp, voice in zip(references, hypotheses, voices):
        ref, hyp = [int(d) for d in ref], [int(d) for d in hyp]
        ops = Levenshtein.editops(ref, hyp)
        edits = len(ops)
        total_edits += edits
        exact += edits == 0
        edits_by_voice[voice] = edits_by_voice.get(voice, 0) + edits
        digits_by_voice[voice] = digits_by_voice.get(voice, 0) + len(ref)
        touched = set()
        for op in ops:
            if op.tag == "replace":
                confusion[ref[op.src_pos], hyp[op.dest_pos]] += 1
                touched.add(op.src_pos)
            elif op.tag == "delete":
                confusion[ref[op.src_pos], N_DIGITS] += 1
                touched.add(op.src_pos)
            else:  # insert
                confusion[N_DIGITS, hyp[op.dest_pos]] += 1
        for pos, digit in enumerate(ref):
            if pos not in touched:
                confusion[digit, digit] += 1
    n_digits = sum(digits_by_voice.values())
    return {
        "cer": total_edits / n_digits,
        "string_accuracy": exact / len(references),
        "per_voice_cer": {v: edits_by_voice[v] / digits_by_voice[v] for v in sorted(digits_by_voice)},
        "confusion": confusion,
        "edits": total_edits,
        "digits": n_digits,
    }


def score_model(model, strings):
    """`score` of the model's greedy decoding (by the library) of `strings`."""
    hypotheses = [library_greedy_decode(logits) for logits in predict_logits(model, strings)]
    return score([s.digits for s in strings], hypotheses, [s.voice for s in strings])


_TEST_STRINGS = {}


def test_strings(n=TEST_STRINGS, seed=TEST_SEED):
    """The held-out test strings (test voices, test stretch of the backgrounds), cached per (n, seed)."""
    if (n, seed) not in _TEST_STRINGS:
        _TEST_STRINGS[(n, seed)] = DigitStringMaker("test").make_many(n, seed)
    return _TEST_STRINGS[(n, seed)]


# ---------------------------------------------------------------------------------------------- make models


def train_model(seed):
    """Train the recognizer from scratch on train voices; keep the epoch with the lowest dev-voice CER.

    Returns (model, facts) as `helpers.trained_models` asks.
    """
    import time

    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    train_maker = DigitStringMaker("train")
    dev = DigitStringMaker("dev").make_many(DEV_STRINGS, DEV_SEED)
    model = build_model()
    step = make_train_step(model, new_optimizer())
    best_cer, best_weights, best_epoch, history = np.inf, None, 0, []
    batches_per_epoch = -(-STRINGS_PER_EPOCH // BATCH_SIZE)
    for epoch in range(1, TRAIN_EPOCHS + 1):
        start = time.perf_counter()
        with tqdm(total=batches_per_epoch, desc=f"epoch {epoch}/{TRAIN_EPOCHS}", leave=False) as bar:
            losses = train_epoch(model, step, train_maker, STRINGS_PER_EPOCH, rng, progress=bar)
        dev_cer = score_model(model, dev)["cer"]
        history.append((epoch, float(np.mean(losses)), dev_cer))
        print(f"epoch {epoch}: loss {np.mean(losses):.3f}, dev CER {dev_cer:.4f} ({time.perf_counter() - start:.0f} s)",
              flush=True)
        if dev_cer < best_cer:
            best_cer, best_weights, best_epoch = dev_cer, model.get_weights(), epoch
    model.set_weights(best_weights)
    facts = {
        "data": (f"digit strings of {MIN_DIGITS}-{MAX_DIGITS} digits synthesized on the fly from datasets/speech "
                 f"digit clips (one voice per string), gaps {GAP_SECONDS} s, speed x{SPEED_RANGE}, background "
                 f"noise at SNR {SNR_DB_RANGE} dB; {STRINGS_PER_EPOCH} fresh strings per epoch"),
        "split": {"train": f"{len(train_maker.voices)} train voices, train stretch of each background",
                  "dev": f"{DEV_STRINGS} strings of the dev voices (seed {DEV_SEED}), picks the epoch",
                  "test": f"{TEST_STRINGS} strings of the held-out test voices (seed {TEST_SEED})"},
        "hyperparameters": {"n_mels": N_MELS, "conv_filters": CONV_FILTERS, "conv_kernels": list(CONV_KERNELS),
                            "subsampling": SUBSAMPLING, "gru_units": GRU_UNITS, "dropout": DROPOUT,
                            "spec_augment": f"{FREQ_MASKS} x <= {FREQ_MASK_MAX} bands, {TIME_MASKS} x <= {TIME_MASK_MAX} frames",
                            "epochs": TRAIN_EPOCHS,
                            "best_epoch": best_epoch, "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE,
                            "clipnorm": CLIP_NORM, "best_dev_cer": round(float(best_cer), 4)},
    }
    return model, facts


def evaluate_model(model):
    """Held-out metrics of the card: CER and exact-string accuracy on the test voices, and the worst voice's CER."""
    result = score_model(model, test_strings())
    return {"test_cer": result["cer"], "test_string_accuracy": result["string_accuracy"],
            "worst_voice_cer": max(result["per_voice_cer"].values())}
