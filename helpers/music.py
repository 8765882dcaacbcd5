"""Melodies as sequences of discrete "values", and back to scores, MIDI and sound (notebook 03).

A *value* is one event of a monophonic melody: a pitch or a rest, with its
duration. It is written as a short string, ``"E5 0.5"`` (the note E5 for half a
quarter note) or ``"rest 1"``, so a melody is a list of strings and a model sees
one index per value, like a character-level language model sees characters.

    corpus or MIDI --(melody_values)--> ["D5 0.5", "E5 0.25", ...] --(build_vocab)--> indices
    indices --(one_hot_windows)--> X, Y (m, T_x, n_values) for training
    values --(values_to_stream / write_midi / render_wav / plot_piano_roll)--> score, MIDI, WAV, plot

The default data are tunes of *Ryan's Mammoth Collection* (Boston, 1883; public
domain), shipped in ABC notation inside the music21 package, each transposed to
the key signature without sharps or flats (C major / A minor and their modes)
so the model learns one key instead of twelve. `load_midi` reads any MIDI file
an instructor prefers (a jazz solo they are licensed to use, say).

Sources: music21 (Cuthbert & Ariza 2010) for parsing and writing scores;
pydub for the WAV. No synthesizer or ffmpeg is needed: tones are sine waves.
"""

import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np

REST = "rest"
DURATION_GRID = Fraction(1, 12)  # durations are rounded to 1/12 of a quarter note (fits 16ths and triplets)
MIN_DURATION = DURATION_GRID  # grace notes (duration 0) are dropped, not rounded up
DEFAULT_COLLECTION = "ryansMammoth"  # public domain; the Essen collection is not (non-commercial)
DEFAULT_BPM = 120  # quarter notes per minute when a melody is played
DEFAULT_SAMPLE_RATE = 22050  # Hz; plenty for sine tones below 2 kHz
A4_HZ = 440.0
A4_MIDI = 69
FADE_MS = 8  # fade each tone in and out so notes do not click


class MusicError(ValueError):
    """A value, a melody or a file cannot be turned into music; the message says which and why."""


# --------------------------------------------------------------------------- values


def _format_duration(quarter_length):
    q = Fraction(quarter_length).limit_denominator(48)
    return str(q.numerator) if q.denominator == 1 else (str(float(q)) if (q * 4).denominator == 1 else str(q))


def format_value(midi, quarter_length):
    """The value string of one event.

    Parameters
    ----------
    midi : int or None          MIDI note number (60 = C4), None for a rest
    quarter_length : number     duration in quarter notes (> 0)
    """
    from music21 import pitch

    if quarter_length <= 0:
        raise MusicError(f"duration must be positive, got {quarter_length} quarter notes")
    name = REST if midi is None else pitch.Pitch(midi=int(midi)).nameWithOctave
    return f"{name} {_format_duration(quarter_length)}"


def parse_value(value):
    """Split a value string into (midi or None, duration in quarter notes as a Fraction).

    Raises
    ------
    MusicError  if the string is not "<pitch> <duration>" or "rest <duration>".
    """
    from music21 import pitch

    parts = value.split() if isinstance(value, str) else []
    if len(parts) != 2:
        raise MusicError(f"a value looks like 'E5 0.5' or 'rest 1', got {value!r}")
    try:
        duration = Fraction(parts[1])
    except (ValueError, ZeroDivisionError):
        raise MusicError(f"value {value!r}: duration {parts[1]!r} is not a number") from None
    if duration <= 0:
        raise MusicError(f"value {value!r}: duration must be positive")
    if parts[0] == REST:
        return None, duration
    try:
        return int(pitch.Pitch(parts[0]).midi), duration
    except Exception:
        raise MusicError(f"value {value!r}: {parts[0]!r} is not a pitch name like 'C#5'") from None


def _quantize(quarter_length):
    steps = round(Fraction(quarter_length).limit_denominator(96) / DURATION_GRID)
    return steps * DURATION_GRID


def _transposition(score):
    """Semitones that move the first key signature of a score to no sharps or flats (in -5..6)."""
    signatures = list(score.flatten().getElementsByClass("KeySignature"))
    if not signatures:
        return 0
    shift = (-7 * signatures[0].sharps) % 12  # each sharp is a fifth (7 semitones) up
    return shift - 12 if shift > 6 else shift


def melody_values(score, transpose=True):
    """The melody of a music21 score as a list of value strings.

    Chords count as their highest note (the melody line); grace notes (zero
    duration) are dropped; durations are rounded to 1/12 quarter note; ties are
    kept as separate values.

    Parameters
    ----------
    score : music21 Stream      a Score, Part or flat stream
    transpose : bool            move the tune to the key signature without sharps or flats
    """
    shift = _transposition(score) if transpose else 0
    values = []
    for event in score.flatten().notesAndRests:
        duration = _quantize(event.quarterLength)
        if duration < MIN_DURATION:
            continue
        if event.isRest:
            values.append(format_value(None, duration))
        else:
            top = max(p.midi for p in event.pitches)
            values.append(format_value(top + shift, duration))
    return values


def corpus_paths(collection=DEFAULT_COLLECTION):
    """Sorted paths of the files of one music21 corpus collection (e.g. 'ryansMammoth')."""
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getPaths() if f"/{collection}/" in str(p).replace("\\", "/"))
    if not paths:
        raise MusicError(f"music21 has no corpus collection {collection!r}")
    return paths


def load_corpus(n_tunes, collection=DEFAULT_COLLECTION, transpose=True):
    """Parse the first `n_tunes` tunes of a corpus collection into lists of values.

    About 0.05 s per tune on one core; Ryan's Mammoth Collection has 1,059 tunes.

    Returns
    -------
    tunes : list of (title, list of value strings)
    """
    from music21 import converter

    if n_tunes < 1:
        raise MusicError(f"n_tunes must be at least 1, got {n_tunes}")
    tunes = []
    for path in corpus_paths(collection)[:n_tunes]:
        score = converter.parse(path)
        title = (score.metadata.title if score.metadata is not None else None) or Path(path).stem
        tunes.append((title, melody_values(score, transpose=transpose)))
    return tunes


def _merge_rests(values):
    """Join consecutive rests into one (MIDI import splits rests at barlines)."""
    merged = []
    for value in values:
        midi, duration = parse_value(value)
        if midi is None and merged and merged[-1].startswith(REST + " "):
            duration += parse_value(merged[-1])[1]
            merged[-1] = format_value(None, duration)
        else:
            merged.append(value)
    return merged


def load_midi(path, transpose=False):
    """The melody of any MIDI file as values: the highest note sounding in the first part.

    Raises
    ------
    MusicError  if the file is missing or holds no notes.
    """
    from music21 import converter

    path = Path(path)
    if not path.is_file():
        raise MusicError(f"MIDI file {path} does not exist")
    score = converter.parse(str(path), quantizePost=False)  # we round durations ourselves (1/12 quarter)
    part = score.parts[0] if hasattr(score, "parts") and len(score.parts) else score
    # chordify: the highest of simultaneous notes is the melody; stripTies: MIDI import splits
    # notes at barlines, merge those pieces again
    values = _merge_rests(melody_values(part.chordify().stripTies(), transpose=transpose))
    while values and values[-1].startswith(REST + " "):  # MIDI import pads the last bar with a rest
        values.pop()
    if not any(not v.startswith(REST) for v in values):
        raise MusicError(f"MIDI file {path} holds no notes in its first part")
    return values


# --------------------------------------------------------------------------- vocabulary and training windows


def build_vocab(sequences):
    """Index every distinct value: (value_to_index, index_to_value), sorted by pitch then duration."""
    distinct = {v for seq in sequences for v in seq}
    if not distinct:
        raise MusicError("cannot build a vocabulary from no values")

    def order(value):
        midi, duration = parse_value(value)
        return (-1 if midi is None else midi, duration)

    index_to_value = sorted(distinct, key=order)
    return {v: i for i, v in enumerate(index_to_value)}, index_to_value


def encode(values, value_to_index):
    """Value strings -> ndarray of int indices. Raises MusicError naming an unknown value."""
    unknown = [v for v in values if v not in value_to_index]
    if unknown:
        raise MusicError(f"value {unknown[0]!r} is not in the vocabulary ({len(value_to_index)} values)")
    return np.array([value_to_index[v] for v in values], dtype=np.int64)


def one_hot(indices, n_values):
    """Integer indices of any shape (...) -> float32 one-hot (..., n_values)."""
    indices = np.asarray(indices)
    if indices.size and (indices.min() < 0 or indices.max() >= n_values):
        raise MusicError(f"indices must lie in 0..{n_values - 1}, got {indices.min()}..{indices.max()}")
    return np.eye(n_values, dtype=np.float32)[indices]


def one_hot_windows(indices, T_x, n_values, stride=None, max_windows=None):
    """Training windows, batch-first: Y is X shifted by one step (the next value).

    Parameters
    ----------
    indices : 1-D int array     one long melody (tunes concatenated)
    T_x : int                   time steps per window
    n_values : int              vocabulary size
    stride : int                steps between window starts (default T_x: no overlap)
    max_windows : int, optional keep only the first windows

    Returns
    -------
    X, Y : float32 (m, T_x, n_values)   X[:, t] is value t of a window, Y[:, t] value t + 1

    Raises
    ------
    MusicError  if the melody is shorter than T_x + 1 values.
    """
    indices = np.asarray(indices)
    stride = T_x if stride is None else stride
    if indices.ndim != 1:
        raise MusicError(f"indices must be one melody (1-D), got shape {indices.shape}")
    if T_x < 1 or stride < 1:
        raise MusicError(f"T_x and stride must be positive, got T_x={T_x}, stride={stride}")
    if len(indices) < T_x + 1:
        raise MusicError(f"a melody of {len(indices)} values is too short for windows of T_x + 1 = {T_x + 1}")
    starts = np.arange(0, len(indices) - T_x, stride)[:max_windows]
    windows = np.stack([indices[s:s + T_x + 1] for s in starts])  # (m, T_x + 1)
    encoded = one_hot(windows, n_values)  # (m, T_x + 1, n_values)
    return encoded[:, :-1], encoded[:, 1:]


def decode(indices, index_to_value):
    """Indices -> value strings."""
    return [index_to_value[int(i)] for i in np.ravel(indices)]


# --------------------------------------------------------------------------- scores, MIDI, sound, plots


def values_to_stream(values, bpm=DEFAULT_BPM):
    """A music21 Stream (one part) playing the values at `bpm` quarter notes per minute."""
    from music21 import note, stream, tempo

    part = stream.Stream()
    part.append(tempo.MetronomeMark(number=bpm))
    for value in values:
        midi, duration = parse_value(value)
        event = note.Rest() if midi is None else note.Note(midi=midi)
        event.duration.quarterLength = duration
        part.append(event)
    return part


def write_midi(values, path, bpm=DEFAULT_BPM):
    """Write the values as a one-track MIDI file; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    values_to_stream(values, bpm).write("midi", fp=str(path))
    return path


def midi_to_hz(midi):
    """Equal temperament: 440 Hz at A4 (MIDI 69), a factor 2 per octave (12 semitones)."""
    return A4_HZ * 2.0 ** ((midi - A4_MIDI) / 12)


def values_to_audio(values, bpm=DEFAULT_BPM, sample_rate=DEFAULT_SAMPLE_RATE, volume_db=-14.0):
    """A pydub AudioSegment: one sine tone per note, silence per rest (mono, 16 bit)."""
    with warnings.catch_warnings():  # pydub warns about ffmpeg on import; WAV needs none
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
        from pydub.generators import Sine

    ms_per_quarter = 60_000.0 / bpm
    audio = AudioSegment.silent(duration=0, frame_rate=sample_rate)
    elapsed_ms = 0.0  # exact time, so rounding to whole milliseconds never accumulates
    for value in values:
        midi, duration = parse_value(value)
        end_ms = elapsed_ms + float(duration) * ms_per_quarter
        length = int(round(end_ms)) - int(round(elapsed_ms))
        if midi is None or length <= 2 * FADE_MS:
            tone = AudioSegment.silent(duration=length, frame_rate=sample_rate)
        else:
            tone = Sine(midi_to_hz(midi), sample_rate=sample_rate).to_audio_segment(duration=length, volume=volume_db)
            tone = tone.fade_in(FADE_MS).fade_out(FADE_MS)
        audio += tone
        elapsed_ms = end_ms
    return audio


def render_wav(values, path, bpm=DEFAULT_BPM, sample_rate=DEFAULT_SAMPLE_RATE):
    """Write the values as a WAV file of sine tones; returns the path.

    Duration: sum of the durations (quarter notes) * 60 / bpm seconds.

    Raises
    ------
    MusicError  if there is nothing to play.
    """
    if len(values) == 0:
        raise MusicError("cannot render an empty melody")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    values_to_audio(values, bpm, sample_rate).export(str(path), format="wav")
    return path


def melody_stats(values):
    """Share of distinct values (distinct / length) and entropy (bits) of the values' frequencies."""
    if len(values) == 0:
        raise MusicError("statistics of an empty melody are undefined")
    _, counts = np.unique(np.asarray(values), return_counts=True)
    p = counts / counts.sum()
    return {"distinct_share": len(counts) / len(values), "entropy_bits": float(-(p * np.log2(p)).sum())}


def plot_piano_roll(values, ax=None, title="", color="tab:blue"):
    """Each note as a bar: x = onset and length (quarter notes), y = pitch. Returns the figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 3.5))
    fig = ax.figure
    onset = 0.0
    pitches = []
    for value in values:
        midi, duration = parse_value(value)
        if midi is not None:
            ax.broken_barh([(onset, float(duration))], (midi - 0.4, 0.8), facecolors=color, edgecolors="white",
                           linewidth=0.8)  # the edge separates repeated notes
            pitches.append(midi)
        onset += float(duration)
    if pitches:
        ax.set_ylim(min(pitches) - 2, max(pitches) + 2)
        ticks = [m for m in range(min(pitches) - 1, max(pitches) + 2) if m % 12 in (0, 7)]  # C and G
        from music21 import pitch

        ax.set_yticks(ticks, [pitch.Pitch(midi=m).nameWithOctave for m in ticks])
    ax.set_xlim(0, max(onset, 1.0))
    ax.set_xlabel("time (quarter notes)")
    ax.set_ylabel("pitch")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def total_quarters(values):
    """Length of a melody in quarter notes."""
    return float(sum(parse_value(v)[1] for v in values))


def seconds(values, bpm=DEFAULT_BPM):
    """Length of a melody in seconds at `bpm`."""
    return total_quarters(values) * 60.0 / bpm

