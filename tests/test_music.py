"""Unit tests of helpers/music.py: values, windows, scores, MIDI, WAV, plots."""

import wave
from fractions import Fraction

import numpy as np
import pytest

from helpers import music

MELODY = ["C5 0.5", "E5 0.25", "G5 0.25", "rest 1", "A4 1/3", "B4 1/3", "C5 1/3", "F#5 1.5", "D5 2"]


@pytest.fixture(scope="module")
def two_tunes():
    return music.load_corpus(2)


def test_values_parse_and_format_round_trip():
    for value in MELODY:
        midi, duration = music.parse_value(value)
        assert music.format_value(midi, duration) == value
    assert music.parse_value("A4 0.5") == (69, Fraction(1, 2))
    assert music.parse_value("rest 1") == (None, Fraction(1))


@pytest.mark.parametrize("bad, words", [
    ("C5", "looks like"), ("C5 x", "not a number"), ("C5 0", "positive"), ("H9 1", "pitch name"), (None, "looks like"),
])
def test_bad_values_are_named_in_the_error(bad, words):
    with pytest.raises(music.MusicError) as err:
        music.parse_value(bad)
    assert words in str(err.value)


def test_values_stream_values_round_trip():
    stream = music.values_to_stream(MELODY)
    assert music.melody_values(stream, transpose=False) == MELODY
    assert stream.highestTime == pytest.approx(music.total_quarters(MELODY))


def test_midi_round_trip(tmp_path):
    path = music.write_midi(MELODY, tmp_path / "melody.mid")
    assert music.load_midi(path) == MELODY


def test_load_midi_errors_name_the_file(tmp_path):
    with pytest.raises(music.MusicError, match="does not exist"):
        music.load_midi(tmp_path / "missing.mid")


def test_corpus_tunes_are_transposed_to_no_sharps_or_flats(two_tunes):
    assert len(two_tunes) == 2
    for title, values in two_tunes:
        assert title and len(values) > 50
        assert all(music.parse_value(value)[1] > 0 for value in values)
    # the first tune (A minor after transposition) mostly uses the white keys
    pitches = [music.parse_value(v)[0] for v in two_tunes[0][1]]
    white = np.mean([p % 12 in {0, 2, 4, 5, 7, 9, 11} for p in pitches if p is not None])
    assert white > 0.9


def test_unknown_collection_and_bad_counts_are_errors():
    with pytest.raises(music.MusicError, match="no corpus collection"):
        music.corpus_paths("no_such_collection")
    with pytest.raises(music.MusicError, match="at least 1"):
        music.load_corpus(0)


def test_vocabulary_and_encoding():
    value_to_index, index_to_value = music.build_vocab([MELODY, MELODY[:3]])
    assert len(value_to_index) == len(set(MELODY)) == len(index_to_value)
    assert index_to_value[0] == "rest 1"  # rests sort first, then by pitch
    indices = music.encode(MELODY, value_to_index)
    assert indices.dtype.kind == "i" and music.decode(indices, index_to_value) == MELODY
    with pytest.raises(music.MusicError, match="not in the vocabulary"):
        music.encode(["C0 1"], value_to_index)
    with pytest.raises(music.MusicError):
        music.build_vocab([])


def test_one_hot_windows_shapes_and_shift():
    indices = np.arange(20) % 7
    X, Y = music.one_hot_windows(indices, T_x=5, n_values=7, stride=3)
    starts = np.arange(0, 20 - 5, 3)
    assert X.shape == Y.shape == (len(starts), 5, 7) and X.dtype == np.float32
    assert np.array_equal(X.argmax(-1)[1], indices[3:8]) and np.array_equal(Y.argmax(-1)[1], indices[4:9])
    assert np.all(X.sum(-1) == 1)
    X2, _ = music.one_hot_windows(indices, T_x=5, n_values=7, max_windows=2)
    assert X2.shape == (2, 5, 7)


@pytest.mark.parametrize("kwargs, words", [
    (dict(indices=np.arange(5), T_x=5, n_values=5), "too short"),
    (dict(indices=np.zeros((2, 9), int), T_x=3, n_values=5), "1-D"),
    (dict(indices=np.arange(9), T_x=3, n_values=5), "0..4"),
    (dict(indices=np.arange(9), T_x=0, n_values=9), "positive"),
])
def test_one_hot_windows_errors(kwargs, words):
    with pytest.raises(music.MusicError) as err:
        music.one_hot_windows(**kwargs)
    assert words in str(err.value)


def test_wav_has_the_melody_duration_and_sample_rate(tmp_path):
    path = music.render_wav(MELODY, tmp_path / "melody.wav", bpm=90, sample_rate=16000)
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == 16000 and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds == pytest.approx(music.seconds(MELODY, bpm=90), abs=0.002)
    with pytest.raises(music.MusicError, match="empty"):
        music.render_wav([], tmp_path / "empty.wav")


def test_tones_have_the_right_pitch():
    audio = music.values_to_audio(["A4 4"], bpm=60, sample_rate=8000)  # 4 s of 440 Hz
    samples = np.array(audio.get_array_of_samples(), dtype=float)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * 8000 / len(samples)
    assert peak_hz == pytest.approx(440.0, abs=1.0)
    assert music.midi_to_hz(81) == pytest.approx(880.0)


def test_melody_stats():
    assert music.melody_stats(["C5 1"] * 8) == {"distinct_share": 1 / 8, "entropy_bits": 0.0}
    stats = music.melody_stats(["C5 1", "D5 1", "E5 1", "F5 1"])
    assert stats["distinct_share"] == 1 and stats["entropy_bits"] == pytest.approx(2.0)
    with pytest.raises(music.MusicError):
        music.melody_stats([])


def test_piano_roll_has_labelled_axes():
    import matplotlib

    matplotlib.use("Agg")
    fig = music.plot_piano_roll(MELODY, title="test")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (quarter notes)" and ax.get_ylabel() == "pitch"
    assert len(ax.collections) == sum(1 for v in MELODY if not v.startswith("rest"))
    assert ax.get_xlim()[1] == pytest.approx(music.total_quarters(MELODY))
