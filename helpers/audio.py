"""Speech clips, background noise and spectrograms (notebooks 10 trigger_word and 11 ctc_speech).

The speech data live under ``datasets/speech/``:

    clips/<word>/<engine>_<voice>_s<speed>_p<pitch>.wav   one synthesized word per file
    manifest.csv                                          one row per clip (word, kind, voice, split, ...)
    backgrounds/<name>.wav                                about a minute of noise or room sound each

Every file is checked against ``datasets/SHA256SUMS`` when it is read (through
`helpers.data.dataset_path`), so a missing or edited file is reported by name
with the checksum it should have.

Clips are 16 kHz mono 16-bit WAV, trimmed to the first and last 10 ms frame
within `TRIM_THRESHOLD_DB` of the loudest frame, and scaled to an RMS level of
`TARGET_DBFS`; `datasets/speech/build_clips.py` made them with espeak-ng and
flite. Voices are held out: the manifest's ``split`` column puts every voice in
exactly one of train / dev / test, so a model is scored on speakers it never
heard. Backgrounds are held out in time: `background_split` cuts each into a
train, a dev and a test stretch.

Samples as arrays are float32 in [-1, 1): the 16-bit integer divided by 32768
(pydub's full scale), so `dbfs` agrees with pydub's ``AudioSegment.dBFS``.

Sources: Warden (2018), "Speech Commands: A Dataset for Limited-Vocabulary
Speech Recognition", arXiv:1804.03209 (the backgrounds); the short-time Fourier
transform as in `tf.signal.stft`, periodic Hann window.
"""

import warnings

import numpy as np

from helpers.data import dataset_path

SPEECH_DIR = "speech"  # below datasets/
CLIP_MANIFEST = f"{SPEECH_DIR}/manifest.csv"
BACKGROUND_NAMES = (
    "doing_the_dishes",
    "dude_miaowing",
    "exercise_bike",
    "pink_noise",
    "running_tap",
    "white_noise",
)

# ---------------------------------------------------------------------------
# Sampling and spectrogram constants: every size below is derived here, once.
# ---------------------------------------------------------------------------
SAMPLE_RATE = 16_000  # Hz
SAMPLE_WIDTH_BYTES = 2  # 16-bit PCM
FULL_SCALE = 2 ** (8 * SAMPLE_WIDTH_BYTES - 1)  # 32768: int16 value that maps to 1.0
CLIP_SECONDS = 10.0  # length of one training example of notebook 10
WINDOW_SECONDS = 0.025  # STFT window: 25 ms, the usual speech analysis frame
HOP_SECONDS = 0.010  # STFT hop: 10 ms (frames overlap by 15 ms)
DETECTOR_KERNEL = 15  # frames seen by one step of the trigger detector's Conv1D ("valid" padding)
DETECTOR_STRIDE = 4  # frames between two output steps of that Conv1D

# samples per clip:  16 000 Hz * 10 s                    = 160 000
# window:            16 000 Hz * 0.025 s                  = 400 samples
# hop:               16 000 Hz * 0.010 s                  = 160 samples
# FFT length:        next power of two >= 400             = 512
# n_freq:            512 / 2 + 1 (0 Hz .. 8 000 Hz)       = 257 bins, 31.25 Hz apart
# T_x (no padding):  1 + (160 000 - 400) // 160 = 1 + 997 = 998 frames
# T_y:               1 + (998 - 15) // 4 = 1 + 245        = 246 output steps (about 40.6 ms each)
SAMPLES_PER_CLIP = round(SAMPLE_RATE * CLIP_SECONDS)
WINDOW_LENGTH = round(SAMPLE_RATE * WINDOW_SECONDS)
HOP_LENGTH = round(SAMPLE_RATE * HOP_SECONDS)
FFT_LENGTH = 1 << (WINDOW_LENGTH - 1).bit_length()
N_FREQ = FFT_LENGTH // 2 + 1
T_X = 1 + (SAMPLES_PER_CLIP - WINDOW_LENGTH) // HOP_LENGTH
T_Y = 1 + (T_X - DETECTOR_KERNEL) // DETECTOR_STRIDE
POWER_FLOOR = 1e-10  # power added before the log: -100 dB, far below 16-bit quantization noise

# ---------------------------------------------------------------------------
# Levels and trimming of the word clips.
# ---------------------------------------------------------------------------
TARGET_DBFS = -24.0  # RMS level of every clip (pydub's dBFS); peaks of these clips reach up to ~21 dB above it
LEVEL_FRAME_SECONDS = 0.010  # frame for trimming: 10 ms
LEVEL_FRAME_LENGTH = round(SAMPLE_RATE * LEVEL_FRAME_SECONDS)  # 160 samples
TRIM_THRESHOLD_DB = 35.0  # a frame is silence when its RMS is this far below the loudest frame (flite's noise floor sits 40-55 dB below)

# Backgrounds are held out in time: train, dev and test get these consecutive
# fractions of each recording (about 36 s, 12 s and 12 s of a 60 s file, so a
# 10 s test example always fits in the test stretch).
BACKGROUND_SPLIT_FRACTIONS = {"train": (0.0, 0.6), "dev": (0.6, 0.8), "test": (0.8, 1.0)}
SPLITS = ("train", "dev", "test")


def _audio_segment_class():
    """pydub's AudioSegment, imported without its warnings (no ffmpeg is needed for WAV)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Couldn't find ffmpeg": WAV needs none
        warnings.simplefilter("ignore", DeprecationWarning)  # audioop, used for resampling
        from pydub import AudioSegment
    return AudioSegment


def load_wav(relative_path, root=None):
    """A verified WAV file below datasets/ as a pydub AudioSegment, unchanged.

    Parameters
    ----------
    relative_path : str   path below datasets/, as in SHA256SUMS (e.g. "speech/backgrounds/pink_noise.wav")
    root : path, optional the data folder (default: `helpers.data.data_dir()`)

    Returns
    -------
    pydub.AudioSegment    the file's samples at its own rate, channels and width

    Raises
    ------
    ValueError                   if the name does not end in .wav (pydub reads other formats only through ffmpeg)
    helpers.data.DataFileError   if the file is unlisted, missing or corrupt; the message names the
                                 file and its expected sha256
    """
    if not str(relative_path).lower().endswith(".wav"):
        raise ValueError(f"{relative_path}: only WAV files can be read (pydub needs ffmpeg for other formats)")
    path = dataset_path(relative_path, root)
    return _audio_segment_class().from_wav(path)


def to_standard_format(segment):
    """The segment as 16 kHz mono 16-bit (pydub's audioop resampler), a no-op when it already is."""
    return segment.set_channels(1).set_frame_rate(SAMPLE_RATE).set_sample_width(SAMPLE_WIDTH_BYTES)


def segment_to_array(segment):
    """Samples of a mono 16-bit AudioSegment as float32 in [-1, 1), shape (n_samples,).

    Raises
    ------
    ValueError  if the segment is not mono 16-bit (convert with `to_standard_format` first).
    """
    if segment.channels != 1 or segment.sample_width != SAMPLE_WIDTH_BYTES:
        raise ValueError(
            f"expected mono 16-bit audio, got {segment.channels} channel(s) of "
            f"{8 * segment.sample_width}-bit; convert with to_standard_format first"
        )
    return np.asarray(segment.get_array_of_samples(), dtype=np.float32) / FULL_SCALE


def array_to_segment(samples, sample_rate=SAMPLE_RATE):
    """A mono 16-bit AudioSegment from float samples in [-1, 1); values beyond full scale are clipped.

    Parameters
    ----------
    samples : array-like (n_samples,)   amplitude, 1.0 = full scale
    sample_rate : int                   Hz
    """
    ints = np.clip(np.round(np.asarray(samples, dtype=np.float64) * FULL_SCALE), -FULL_SCALE, FULL_SCALE - 1)
    return _audio_segment_class()(
        ints.astype("<i2").tobytes(), frame_rate=sample_rate, sample_width=SAMPLE_WIDTH_BYTES, channels=1
    )


def read_clip_manifest(root=None):
    """The table of word clips, verified against SHA256SUMS.

    Returns
    -------
    pandas.DataFrame, one row per clip, columns
        file        path below datasets/ (give it to `load_clip`)
        word        the word spoken, lower case ("activate", "seven", ...)
        kind        "trigger" (activate), "negative" (any other word) or "digit" (zero .. nine)
        engine      "espeak-ng" or "flite"
        voice       engine's voice: "en-gb-scotland+m4" (accent + variant) or "slt"
        speed       speaking rate relative to the engine's default (1.0 = default; 1.15 = 15 % faster)
        pitch       engine setting: espeak-ng's -p (0-99, default 50); flite's mean F0 in Hz
        split       "train", "dev" or "test"; each voice belongs to one split only
        duration_s  length in seconds after trimming

    Raises
    ------
    helpers.data.DataFileError  if the manifest is missing or corrupt (the message names it and its sha256).
    """
    import pandas as pd

    return pd.read_csv(dataset_path(CLIP_MANIFEST, root), keep_default_na=False)


def load_clip(relative_path, root=None):
    """One verified word clip as float32 samples, shape (n_samples,), 16 kHz.

    Raises
    ------
    helpers.data.DataFileError  if the file is unlisted, missing or corrupt (names the file and its sha256).
    ValueError                  if it is not 16 kHz mono 16-bit (the clips all are).
    """
    segment = load_wav(relative_path, root)
    if segment.frame_rate != SAMPLE_RATE:
        raise ValueError(f"{relative_path}: {segment.frame_rate} Hz, expected {SAMPLE_RATE} Hz")
    return segment_to_array(segment)


def load_background(name, root=None):
    """A verified background recording, resampled to 16 kHz mono 16-bit, as a pydub AudioSegment.

    Parameters
    ----------
    name : str   one of `BACKGROUND_NAMES` (file speech/backgrounds/<name>.wav)

    Raises
    ------
    ValueError                  if the name is unknown (the message lists the known ones).
    helpers.data.DataFileError  if the file is missing or corrupt (names the file and its sha256).

    Source: Speech Commands v0.02 ``_background_noise_`` (Warden 2018), CC BY 4.0.
    """
    if name not in BACKGROUND_NAMES:
        raise ValueError(f"unknown background {name!r}; known: {', '.join(BACKGROUND_NAMES)}")
    return to_standard_format(load_wav(f"{SPEECH_DIR}/backgrounds/{name}.wav", root))


def background_split(segment, split):
    """The stretch of a background reserved for one split (train first 60 %, dev next 20 %, test last 20 %).

    Parameters
    ----------
    segment : pydub.AudioSegment   a whole background (see `load_background`)
    split : str                    "train", "dev" or "test"

    Returns
    -------
    pydub.AudioSegment             the consecutive stretch given by `BACKGROUND_SPLIT_FRACTIONS`

    Raises
    ------
    ValueError  if the split is unknown.
    """
    if split not in BACKGROUND_SPLIT_FRACTIONS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    start, end = BACKGROUND_SPLIT_FRACTIONS[split]
    n_ms = len(segment)  # pydub lengths and slices are in milliseconds
    return segment[round(start * n_ms) : round(end * n_ms)]


def dbfs(samples):
    """RMS level of float samples in dB relative to full scale (pydub's dBFS); -inf for silence.

    samples : array-like (n_samples,), 1.0 = full scale.  Returns a float, in dB.
    """
    x = np.asarray(samples, dtype=np.float64)
    rms = np.sqrt(np.mean(x**2)) if x.size else 0.0
    return 20.0 * np.log10(rms) if rms > 0 else -np.inf


def normalize_level(samples, target_dbfs=TARGET_DBFS):
    """Samples scaled so that their RMS level is `target_dbfs` (dB re full scale).

    Returns float64 samples, shape unchanged.  Raises ValueError on silence (nothing to scale).
    """
    x = np.asarray(samples, dtype=np.float64)
    level = dbfs(x)
    if not np.isfinite(level):
        raise ValueError("cannot normalize silence: every sample is zero")
    return x * 10.0 ** ((target_dbfs - level) / 20.0)


def frame_levels_db(samples, frame_length=LEVEL_FRAME_LENGTH):
    """RMS level (dBFS) of each whole frame, frames laid end to end from sample 0.

    Returns
    -------
    ndarray (n_samples // frame_length,)   dB; -inf for an all-zero frame; a partial last frame is ignored
    """
    x = np.asarray(samples, dtype=np.float64)
    n_frames = x.size // frame_length
    frames = x[: n_frames * frame_length].reshape(n_frames, frame_length)  # (n_frames, frame_length)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.mean(frames**2, axis=1))


def trim_silence(samples, threshold_db=TRIM_THRESHOLD_DB, frame_length=LEVEL_FRAME_LENGTH):
    """Samples from the first to the last frame within `threshold_db` of the loudest frame.

    Frames of `frame_length` samples (10 ms at 16 kHz) are laid end to end from
    sample 0, so the result is a whole number of frames; its first and last
    frame are the first and last one above the threshold.

    Returns float64 samples, shape (k * frame_length,).  Raises ValueError on silence.
    """
    levels = frame_levels_db(samples, frame_length)
    if levels.size == 0 or not np.isfinite(levels.max()):
        raise ValueError("cannot trim silence: no frame has any sound")
    loud = np.flatnonzero(levels >= levels.max() - threshold_db)
    x = np.asarray(samples, dtype=np.float64)
    return x[loud[0] * frame_length : (loud[-1] + 1) * frame_length]


def audible_end(samples, threshold_db, frame_length=LEVEL_FRAME_LENGTH):
    """Where a word is heard to end: the sample after the last frame within `threshold_db` of the loudest frame.

    Frames as in `frame_levels_db` (10 ms at 16 kHz, from sample 0). `trim_silence` keeps every frame above
    the noise floor, so a clip may still end in a quiet decay whose length depends on the engine and voice;
    `samples[:audible_end(samples, threshold_db)]` cuts it.

    Returns int, a multiple of frame_length, in 1 .. len(samples).  Raises ValueError on silence.
    """
    levels = frame_levels_db(samples, frame_length)
    if levels.size == 0 or not np.isfinite(levels.max()):
        raise ValueError("cannot find the end of a word: no frame has any sound")
    return int((np.flatnonzero(levels >= levels.max() - threshold_db)[-1] + 1) * frame_length)


def spectrogram(samples):
    """Power spectrogram in dB of 16 kHz samples (tf.signal.stft, periodic Hann window).

    Frames of `WINDOW_LENGTH` samples (25 ms) every `HOP_LENGTH` samples (10 ms),
    zero-padded to `FFT_LENGTH`; no padding at the end, so a 10 s clip gives
    `T_X` frames.  Frame t covers seconds [t * 0.01, t * 0.01 + 0.025); bin f is
    f * 31.25 Hz (see `frame_times`, `frequencies_hz`).

    Parameters
    ----------
    samples : array-like (..., n_samples)   float, 1.0 = full scale, at `SAMPLE_RATE`

    Returns
    -------
    ndarray float32 (..., n_frames, N_FREQ)   10 * log10(|STFT|^2 + POWER_FLOOR), in dB;
                                              n_frames = 1 + (n_samples - WINDOW_LENGTH) // HOP_LENGTH

    Raises
    ------
    ValueError  if there are fewer than `WINDOW_LENGTH` samples (not one frame).
    """
    import tensorflow as tf

    x = np.asarray(samples, dtype=np.float32)
    if x.shape[-1] < WINDOW_LENGTH:
        raise ValueError(f"need at least {WINDOW_LENGTH} samples ({WINDOW_SECONDS} s), got {x.shape[-1]}")
    stft = tf.signal.stft(x, frame_length=WINDOW_LENGTH, frame_step=HOP_LENGTH, fft_length=FFT_LENGTH)
    power = tf.math.square(tf.math.abs(stft))  # (..., n_frames, N_FREQ)
    return (10.0 * np.log10(power.numpy() + POWER_FLOOR)).astype(np.float32)


def frame_times(n_frames):
    """Start time in seconds of each spectrogram frame, shape (n_frames,)."""
    return np.arange(n_frames) * HOP_SECONDS


def frequencies_hz():
    """Centre frequency in Hz of each spectrogram bin, shape (N_FREQ,): 0, 31.25, ..., 8000."""
    return np.arange(N_FREQ) * SAMPLE_RATE / FFT_LENGTH
