"""Synthesizes the spoken word clips of notebooks 10 trigger_word and 11 ctc_speech.

One WAV per (word, voice, speed, pitch): the trigger word "activate", negative
words (some that sound close to it, some ordinary) and the digits zero to nine,
spoken by two text-to-speech engines:

- espeak-ng (formant synthesis): English accents x voice variants, e.g.
  "en-gb-scotland+m7" is the Scottish accent with the male variant 7;
- flite (CMU's diphone voice kal and the clustergen voices awb, rms, slt).

Speakers are held out: every voice belongs to exactly one split, and the dev
and test voices use espeak-ng accents and variants and flite speakers that
train never hears (the split is a column of manifest.csv). Dev is for choosing
thresholds and settings, test is scored once.

Each clip is resampled to 16 kHz mono 16-bit (sox, no dither), trimmed to the
first and last 10 ms frame within 35 dB of its loudest frame and scaled to an
RMS level of -24 dBFS (`helpers.audio.trim_silence`, `normalize_level`).
Choices are drawn from a generator seeded with `SEED` and the word and voice,
so a run gives the same files, byte for byte, with the same engine versions.

Students and CI never run this: the clips are committed. To regenerate them
you need three Debian packages (versions used: espeak-ng 1.51+dfsg-10+deb12u2,
flite 2.2-5, sox 14.4.2+git20190427-3.5):

    sudo apt-get install -y espeak-ng flite sox
    .venv/bin/python datasets/speech/build_clips.py     # from the repository root

It rewrites datasets/speech/clips/, datasets/speech/manifest.csv and the lines
of datasets/SHA256SUMS that list them (other lines are kept).
"""

import csv
import shutil
import subprocess
import tempfile
import wave
import zlib
from pathlib import Path

import numpy as np

from helpers import audio

SEED = 20240610
SPEECH_DIR = Path(__file__).resolve().parent
DATASETS_DIR = SPEECH_DIR.parent
CLIPS_DIR = SPEECH_DIR / "clips"
MANIFEST = SPEECH_DIR / "manifest.csv"
SHA256SUMS = DATASETS_DIR / "SHA256SUMS"

TRIGGER_WORDS = ("activate",)
# negatives that share sounds with "activate" (its stem, its ending, its rhythm) ...
CLOSE_NEGATIVES = (
    "activity", "activation", "active", "actively", "activist", "captivate",
    "reactivate", "motivate", "cultivate", "captive", "vacate", "navigate",
)  # fmt: skip
# ... and ordinary words of one to three syllables
ORDINARY_NEGATIVES = (
    "hello", "computer", "music", "weather", "window", "garden", "yellow", "river", "morning",
    "coffee", "paper", "table", "happy", "water", "purple", "bottle", "listen", "ticket",
)  # fmt: skip
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# espeak-ng: accent (its voice file) x variant (timbre); dev and test use accents and variants train lacks
ESPEAK_ACCENTS = {
    "train": ("en-us", "en-gb", "en-gb-x-rp", "en-gb-x-gbclan"),
    "dev": ("en-gb-x-gbcwmd", "en-us-nyc"),
    "test": ("en-029", "en-gb-scotland"),
}
ESPEAK_VARIANTS = {"train": ("m1", "m2", "m3", "f1", "f2"), "dev": ("m4", "f3"), "test": ("m7", "f4")}
# flite's voices in Debian (`flite -lv`; awb_time only speaks times); kal and kal16 are one speaker, so one split
FLITE_VOICES = {"train": ("kal", "kal16", "slt"), "dev": ("rms",), "test": ("awb",)}
# median F0 of each flite voice's default output, measured on one sentence (autocorrelation, 40 ms frames)
FLITE_F0_MEAN_HZ = {"kal": 100, "kal16": 100, "slt": 175, "rms": 100, "awb": 125}

SPEEDS = (0.85, 1.0, 1.15)  # rate relative to the default: espeak-ng -s 175 * speed wpm; flite stretch 1 / speed
ESPEAK_DEFAULT_WPM = 175
ESPEAK_PITCHES = (35, 50, 65)  # espeak-ng -p (0-99, default 50)
FLITE_PITCH_FACTORS = (0.85, 1.0, 1.15)  # times the voice's F0 mean

# (speed, pitch) settings per (word, voice): the trigger word gets several so
# that its examples vary, the others one each; a negative word is spoken by a
# seeded subset of each split's voices to keep the data small.
SETTINGS_PER_VOICE = {"trigger": 4, "digit": 1, "negative": 1}
NEGATIVE_VOICES_PER_SPLIT = {"train": 5, "dev": 2, "test": 2}

MANIFEST_COLUMNS = ("file", "word", "kind", "engine", "voice", "speed", "pitch", "split", "duration_s")


def voices():
    """(engine, voice, split) of every voice, train first."""
    out = []
    for split in audio.SPLITS:
        for accent in ESPEAK_ACCENTS[split]:
            for variant in ESPEAK_VARIANTS[split]:
                out.append(("espeak-ng", f"{accent}+{variant}", split))
        for name in FLITE_VOICES[split]:
            out.append(("flite", name, split))
    return out


def words():
    """(word, kind) of every word."""
    return (
        [(w, "trigger") for w in TRIGGER_WORDS]
        + [(w, "negative") for w in CLOSE_NEGATIVES + ORDINARY_NEGATIVES]
        + [(w, "digit") for w in DIGITS]
    )


def rng_for(*keys):
    """A generator seeded by SEED and the keys, so one word's draws do not depend on the others."""
    return np.random.default_rng([SEED] + [zlib.crc32(k.encode("utf-8")) for k in keys])


def pitch_grid(engine, voice):
    """The pitch settings of a voice in its engine's unit (espeak-ng -p value, flite F0 in Hz)."""
    if engine == "espeak-ng":
        return ESPEAK_PITCHES
    return tuple(round(FLITE_F0_MEAN_HZ[voice] * f) for f in FLITE_PITCH_FACTORS)


def plan():
    """Every clip to make: list of dicts with word, kind, engine, voice, split, speed, pitch."""
    all_voices = voices()
    rows = []
    for word, kind in words():
        speakers = all_voices
        if kind == "negative":
            rng = rng_for("voices", word)
            speakers = []
            for split in audio.SPLITS:
                pool = [v for v in all_voices if v[2] == split]
                picks = rng.choice(len(pool), size=NEGATIVE_VOICES_PER_SPLIT[split], replace=False)
                speakers += [pool[i] for i in sorted(picks)]
        for engine, voice, split in speakers:
            grid = [(s, p) for s in SPEEDS for p in pitch_grid(engine, voice)]
            picks = rng_for("settings", word, voice).choice(len(grid), size=SETTINGS_PER_VOICE[kind], replace=False)
            for i in sorted(picks):
                speed, pitch = grid[i]
                rows.append(dict(word=word, kind=kind, engine=engine, voice=voice, split=split,
                                 speed=speed, pitch=pitch))  # fmt: skip
    return rows


def synthesize(row, raw_wav):
    """Run the engine for one clip, writing its native-rate WAV to raw_wav."""
    if row["engine"] == "espeak-ng":
        wpm = round(ESPEAK_DEFAULT_WPM * row["speed"])
        cmd = ["espeak-ng", "-v", row["voice"], "-s", str(wpm), "-p", str(row["pitch"]), "-w", str(raw_wav), row["word"]]
    else:
        cmd = ["flite", "-voice", row["voice"], "-t", row["word"], "-o", str(raw_wav),
               "--setf", f"duration_stretch={1 / row['speed']:.4f}",
               "--setf", f"int_f0_target_mean={row['pitch']}"]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)


def resample(raw_wav, out_wav):
    """16 kHz mono 16-bit with sox: -D no dither and -R repeatable, so reruns give the same bytes."""
    cmd = ["sox", "-D", "-R", str(raw_wav), "-r", str(audio.SAMPLE_RATE), "-c", "1", "-b", "16", str(out_wav)]
    subprocess.run(cmd, check=True, capture_output=True)


def read_wav(path):
    """Float samples in [-1, 1) of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, audio.SAMPLE_RATE), path
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / audio.FULL_SCALE


def write_wav(path, samples):
    """Write float samples as 16 kHz mono 16-bit; refuses to clip."""
    ints = np.round(samples * audio.FULL_SCALE)
    if ints.max() > audio.FULL_SCALE - 1 or ints.min() < -audio.FULL_SCALE:
        raise RuntimeError(f"{path}: peak {np.abs(samples).max():.3f} would clip at {audio.TARGET_DBFS} dBFS")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(audio.SAMPLE_WIDTH_BYTES)
        w.setframerate(audio.SAMPLE_RATE)
        w.writeframes(ints.astype("<i2").tobytes())


def clip_name(row):
    """clips/<word>/<engine>_<voice>_s<speed>_p<pitch>.wav ('+' of espeak-ng voices written as '_')."""
    voice = row["voice"].replace("+", "_")
    return f"{row['word']}/{row['engine']}_{voice}_s{row['speed']:.2f}_p{row['pitch']}.wav"


def build():
    """Make every clip, the manifest and the SHA256SUMS lines; return the manifest rows."""
    if CLIPS_DIR.exists():
        shutil.rmtree(CLIPS_DIR)
    rows = plan()
    with tempfile.TemporaryDirectory() as tmp:
        raw, resampled = Path(tmp) / "raw.wav", Path(tmp) / "16k.wav"
        for row in rows:
            synthesize(row, raw)
            resample(raw, resampled)
            samples = audio.normalize_level(audio.trim_silence(read_wav(resampled)))
            name = clip_name(row)
            write_wav(CLIPS_DIR / name, samples)
            row["file"] = f"speech/clips/{name}"
            row["duration_s"] = f"{samples.size / audio.SAMPLE_RATE:.2f}"
    rows.sort(key=lambda r: r["file"])
    with open(MANIFEST, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: r[k] for k in MANIFEST_COLUMNS} for r in rows)
    return rows


def update_checksums(rows):
    """Replace the manifest's and the clips' lines in SHA256SUMS, keeping every other line in place."""
    from helpers.data import sha256_of

    ours = ["speech/manifest.csv"] + [r["file"] for r in rows]
    kept = [
        line
        for line in SHA256SUMS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.split(maxsplit=1)[1].startswith(("speech/clips/", "speech/manifest.csv"))
    ]
    new = [f"{sha256_of(DATASETS_DIR / name)}  {name}" for name in ours]
    SHA256SUMS.write_text("\n".join(kept + new) + "\n", encoding="utf-8")


def summary(rows):
    """Counts per kind and split, voices per split, total size."""
    lines = []
    for kind in ("trigger", "negative", "digit"):
        counts = {s: sum(r["kind"] == kind and r["split"] == s for r in rows) for s in audio.SPLITS}
        lines.append(f"{kind:9s} " + "  ".join(f"{s} {n:4d}" for s, n in counts.items()))
    for split in audio.SPLITS:
        names = sorted({r["voice"] for r in rows if r["split"] == split})
        lines.append(f"{split} voices ({len(names)}): {', '.join(names)}")
    size = sum((DATASETS_DIR / r["file"]).stat().st_size for r in rows)
    seconds = sum(float(r["duration_s"]) for r in rows)
    lines.append(f"{len(rows)} clips, {seconds:.0f} s of speech, {size / 1e6:.2f} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    clip_rows = build()
    update_checksums(clip_rows)
    print(summary(clip_rows))
