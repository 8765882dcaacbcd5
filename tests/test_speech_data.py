"""The speech data of 10 trigger_word and 11 ctc_speech: clips, manifest, held-out voices, helpers.audio."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from helpers import audio, data

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# Rounding to 16 bits adds noise near -101 dBFS (1/sqrt(12) of an LSB): it moves a clip's -24 dBFS level by
# about 1e-4 dB (1.5e-4 at most in these clips) and a frame 35 dB quieter (~37 LSB RMS) by about 0.01 dB
# (0.008 at most here); 0.05 dB covers both with room for another CPU's rounding of the logarithm.
LEVEL_TOLERANCE_DB = 0.05


@pytest.fixture(scope="module")
def manifest():
    return audio.read_clip_manifest()


@pytest.fixture(scope="module")
def clips(manifest):
    """{file: pydub.AudioSegment} of every clip, each verified against SHA256SUMS."""
    return {f: audio.load_wav(f) for f in manifest["file"]}


def test_manifest_lists_exactly_the_clip_files_and_their_checksums(manifest, clips):
    on_disk = {str(p.relative_to(data.data_dir())) for p in (data.data_dir() / "speech" / "clips").rglob("*")
               if p.is_file()}  # fmt: skip
    in_sums = {name for name in data.read_manifest() if name.startswith("speech/clips/")}
    assert manifest["file"].is_unique
    assert set(manifest["file"]) == on_disk == in_sums == set(clips)


def test_manifest_columns_and_kinds(manifest):
    assert list(manifest.columns) == ["file", "word", "kind", "engine", "voice", "speed", "pitch", "split",
                                      "duration_s"]  # fmt: skip
    kinds = manifest.groupby("kind")["word"].unique()
    assert set(kinds["trigger"]) == {"activate"}
    assert sorted(kinds["digit"]) == sorted(DIGITS)
    negatives = set(kinds["negative"])
    assert len(negatives) >= 24 and {"activity", "captivate", "reactivate"} <= negatives
    assert negatives.isdisjoint(DIGITS + ["activate"])
    assert set(manifest["engine"]) == {"espeak-ng", "flite"} and set(manifest["split"]) == set(audio.SPLITS)
    for row in manifest.itertuples():  # the file name carries the word and the settings
        assert row.file.startswith(f"speech/clips/{row.word}/{row.engine}_") and f"_s{row.speed:.2f}_" in row.file


def test_every_clip_is_16k_mono_16bit_and_as_long_as_the_manifest_says(manifest, clips):
    for row in manifest.itertuples():
        clip = clips[row.file]
        assert (clip.frame_rate, clip.channels, clip.sample_width) == (16_000, 1, 2), row.file
        assert clip.frame_count() == pytest.approx(row.duration_s * 16_000, abs=0.5), row.file


def test_every_clip_is_normalized_to_the_target_level_without_clipping(clips):
    for name, clip in clips.items():
        x = audio.segment_to_array(clip)
        assert abs(audio.dbfs(x) - audio.TARGET_DBFS) <= LEVEL_TOLERANCE_DB, name
        assert abs(clip.dBFS - audio.TARGET_DBFS) <= LEVEL_TOLERANCE_DB, name  # pydub's dBFS agrees
        assert np.abs(x).max() < 1.0, f"{name} reaches full scale (clipped)"


def test_every_clip_is_trimmed(clips):
    """No silence at either end: the first and last 10 ms frame are within 35 dB of the loudest frame."""
    for name, clip in clips.items():
        x = audio.segment_to_array(clip)
        assert x.size % audio.LEVEL_FRAME_LENGTH == 0, name  # whole frames, so the frame grid is the trim grid
        levels = audio.frame_levels_db(x)
        floor = levels.max() - audio.TRIM_THRESHOLD_DB - LEVEL_TOLERANCE_DB
        assert levels[0] >= floor and levels[-1] >= floor, (name, levels[0], levels[-1], levels.max())


def test_held_out_voices_never_appear_in_training(manifest):
    splits_of_voice = manifest.groupby("voice")["split"].unique()
    assert all(len(s) == 1 for s in splits_of_voice), "a voice spans two splits"
    voices = {split: set(manifest.loc[manifest["split"] == split, "voice"]) for split in audio.SPLITS}
    assert voices["train"].isdisjoint(voices["dev"] | voices["test"]) and voices["dev"].isdisjoint(voices["test"])
    espeak = manifest[manifest["engine"] == "espeak-ng"]
    accents = {s: set(espeak.loc[espeak["split"] == s, "voice"].str.split("+").str[0]) for s in audio.SPLITS}
    variants = {s: set(espeak.loc[espeak["split"] == s, "voice"].str.split("+").str[1]) for s in audio.SPLITS}
    for held_out in ("dev", "test"):  # whole accents and timbres are held out, not only their combinations
        assert accents[held_out].isdisjoint(accents["train"]) and variants[held_out].isdisjoint(variants["train"])
        assert set(manifest.loc[manifest["split"] == held_out, "engine"]) == {"espeak-ng", "flite"}
    flite_train = set(manifest.loc[(manifest["engine"] == "flite") & (manifest["split"] == "train"), "voice"])
    assert {"kal", "kal16"} <= flite_train or not {"kal", "kal16"} & flite_train  # one speaker, one split


def test_every_word_is_spoken_in_every_split(manifest):
    counts = manifest.groupby(["word", "split"]).size().unstack(fill_value=0)
    assert list(counts.columns) == sorted(audio.SPLITS)
    assert (counts > 0).all().all(), counts[(counts == 0).any(axis=1)]


def test_derived_constants_match_a_spectrogram_of_a_10_second_background():
    background = audio.background_split(audio.load_background("pink_noise"), "test")
    x = audio.segment_to_array(background)[: audio.SAMPLES_PER_CLIP]
    assert x.shape == (audio.SAMPLES_PER_CLIP,) == (16_000 * 10,)
    spec = audio.spectrogram(x)
    assert spec.shape == (audio.T_X, audio.N_FREQ)
    assert np.isfinite(spec).all()
    assert audio.frame_times(audio.T_X)[-1] + audio.WINDOW_SECONDS <= audio.CLIP_SECONDS  # last frame fits


def test_t_y_is_the_output_length_of_the_detector_conv1d():
    import keras

    conv = keras.layers.Conv1D(1, audio.DETECTOR_KERNEL, strides=audio.DETECTOR_STRIDE, padding="valid")
    assert conv.compute_output_shape((None, audio.T_X, audio.N_FREQ)) == (None, audio.T_Y, 1)


def test_spectrogram_units_put_a_1khz_tone_at_1000_hz_and_its_level_in_db():
    t = np.arange(audio.SAMPLE_RATE) / audio.SAMPLE_RATE  # 1 s
    spec_loud = audio.spectrogram(0.5 * np.sin(2 * np.pi * 1000.0 * t))
    spec_quiet = audio.spectrogram(0.05 * np.sin(2 * np.pi * 1000.0 * t))
    assert spec_loud.shape == (1 + (audio.SAMPLE_RATE - audio.WINDOW_LENGTH) // audio.HOP_LENGTH, audio.N_FREQ)
    peak_bins = spec_loud.argmax(axis=1)
    assert np.all(audio.frequencies_hz()[peak_bins] == 1000.0)  # 1000 Hz = bin 32 of 31.25 Hz
    assert audio.frequencies_hz()[-1] == audio.SAMPLE_RATE / 2
    # power in dB: a tenth of the amplitude is 20 dB less (to float32 rounding of the log)
    assert spec_loud[:, 32] - spec_quiet[:, 32] == pytest.approx(np.full(len(peak_bins), 20.0), abs=1e-3)
    with pytest.raises(ValueError, match="at least 400 samples"):
        audio.spectrogram(np.zeros(audio.WINDOW_LENGTH - 1))


def test_backgrounds_load_as_16k_mono_and_split_in_time():
    for name in audio.BACKGROUND_NAMES:
        whole = audio.load_background(name)
        assert (whole.frame_rate, whole.channels, whole.sample_width) == (16_000, 1, 2)
        parts = [audio.background_split(whole, s) for s in audio.SPLITS]
        assert sum(len(p) for p in parts) == len(whole)  # consecutive, no overlap, nothing lost (ms)
        assert min(len(p) for p in parts[1:]) >= 1000 * audio.CLIP_SECONDS, name  # a 10 s test example fits
    with pytest.raises(ValueError, match="unknown background"):
        audio.load_background("traffic")


def test_to_standard_format_resamples_with_pydub():
    x = 0.1 * np.sin(2 * np.pi * 440.0 * np.arange(8000) / 8000)  # 1 s at 8 kHz
    segment = audio.to_standard_format(audio.array_to_segment(x, sample_rate=8000))
    assert (segment.frame_rate, segment.channels, segment.sample_width) == (16_000, 1, 2)
    assert abs(segment.frame_count() - 16_000) <= 16  # audioop's resampler may drop a few edge samples


def test_trim_and_normalize_on_a_known_signal():
    frame = audio.LEVEL_FRAME_LENGTH
    tone = 0.3 * np.sin(2 * np.pi * 500.0 * np.arange(20 * frame) / audio.SAMPLE_RATE)
    hiss = 1e-3 * tone[:frame]  # 60 dB below the tone: silence for the trimmer
    x = np.concatenate([np.zeros(3 * frame), hiss, tone, hiss, np.zeros(frame + 7)])
    np.testing.assert_array_equal(audio.trim_silence(x), tone)
    assert audio.dbfs(audio.normalize_level(tone, -30.0)) == pytest.approx(-30.0, abs=1e-9)
    with pytest.raises(ValueError, match="silence"):
        audio.normalize_level(np.zeros(100))
    with pytest.raises(ValueError, match="silence"):
        audio.trim_silence(np.zeros(10 * frame))


def test_audible_end_cuts_a_quiet_decay_and_keeps_the_word():
    frame = audio.LEVEL_FRAME_LENGTH
    tone = 0.3 * np.sin(2 * np.pi * 500.0 * np.arange(20 * frame) / audio.SAMPLE_RATE)
    decay = 0.01 * tone[:5 * frame]  # 30 dB below the tone: above trim_silence's floor, below a 20 dB end
    x = np.concatenate([tone, decay])
    assert audio.audible_end(x, threshold_db=20.0) == tone.size
    assert audio.audible_end(x, threshold_db=40.0) == x.size  # a looser threshold keeps the decay
    assert audio.audible_end(tone[:-7], threshold_db=20.0) == 19 * frame  # a partial last frame is not a frame
    with pytest.raises(ValueError, match="no frame has any sound"):
        audio.audible_end(np.zeros(10 * frame), threshold_db=20.0)


def test_word_clips_end_where_the_word_is_heard_to_end():
    from helpers import trigger_detector as td

    triggers, negatives, _ = td.word_clips("dev")
    for clip in triggers + negatives:
        assert audio.audible_end(clip, td.WORD_END_DB) == clip.size  # nothing quieter is left at the end
        assert clip.size % audio.LEVEL_FRAME_LENGTH == 0


def _copy_data_with(tmp_path, relative_paths):
    """A data folder holding SHA256SUMS and the given files only."""
    root = tmp_path / "datasets"
    for rel in ["SHA256SUMS", *relative_paths]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data.data_dir() / rel, root / rel)
    return root


def test_a_corrupt_clip_is_refused_with_its_name_and_checksum(manifest, tmp_path):
    rel = manifest["file"].iloc[0]
    root = _copy_data_with(tmp_path, [rel])
    raw = bytearray((root / rel).read_bytes())
    raw[-1] ^= 0x01  # one bit of the last sample
    (root / rel).write_bytes(bytes(raw))
    expected = data.read_manifest()[rel]
    with pytest.raises(data.DataFileError) as err:
        audio.load_clip(rel, root=root)
    assert Path(rel).name in str(err.value) and expected in str(err.value) and "corrupt" in str(err.value)


def test_a_missing_background_is_refused_with_its_name_and_checksum(tmp_path):
    root = _copy_data_with(tmp_path, [])
    rel = "speech/backgrounds/white_noise.wav"
    with pytest.raises(data.DataFileError) as err:
        audio.load_background("white_noise", root=root)
    assert rel in str(err.value) and data.read_manifest()[rel] in str(err.value) and "missing" in str(err.value)


def test_only_wav_files_are_read():
    with pytest.raises(ValueError, match="only WAV"):
        audio.load_wav("speech/backgrounds/white_noise.mp3")
