"""The human-readable dates of the translation notebooks (helpers.dates): targets, split, vocabularies, arrays.

The targets are checked by reading every string back with a parser written
here from English itself (month and weekday names, ordinal suffixes) and
`datetime.strptime` for numbers, not with the module's own patterns.
"""

import datetime
import re
from collections import Counter, defaultdict

import numpy as np
import pytest
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import get_date_format

from helpers import dates

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
               "august", "september", "october", "november", "december")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # date.weekday() order
MIN_ABBREVIATION = 3  # "Sep", "Thu": English abbreviations keep at least three letters
SUFFIX_OF_CATEGORY = {"one": "st", "two": "nd", "few": "rd", "other": "th"}  # CLDR's English ordinal categories
ORDER_OF_SEPARATOR = {"/": "MDY", ".": "DMY", "-": "YMD"}  # the documented one-reading rule
STRPTIME_FIELD = {"D": "%d", "M": "%m"}
FILLER_WORDS = {"of"}


def _name_index(word, names):
    """Index of the one name `word` abbreviates (a prefix of at least three letters), else None."""
    hits = [i for i, name in enumerate(names) if len(word) >= MIN_ABBREVIATION and name.startswith(word)]
    assert len(hits) <= 1, (word, hits)
    return hits[0] if hits else None


def read_date(human):
    """The date a human string denotes, read without helpers.dates; asserts weekday and ordinal suffix agree."""
    s = human.lower()
    if not re.search("[a-z]", s):
        separators = set(re.sub(r"\d", "", s))
        assert len(separators) == 1, human
        separator = separators.pop()
        parts = s.split(separator)
        fields = []
        for letter, part in zip(ORDER_OF_SEPARATOR[separator], parts):
            fields.append(STRPTIME_FIELD.get(letter) or ("%Y" if len(part) == 4 else "%y"))
        return datetime.datetime.strptime(s, separator.join(fields)).date()
    suffixed = re.search(r"\b(\d{1,2})([a-z]+)", s)  # an ordinal day, "3rd"
    if suffixed:
        number, suffix = suffixed.groups()
        expected = SUFFIX_OF_CATEGORY[Locale("en").ordinal_form(int(number))]
        assert suffix == expected, f"{human!r}: suffix {suffix!r} for day {number}"
        s = s[: suffixed.start(2)] + s[suffixed.end(2):]
    numbers = re.findall(r"\d+", s)
    years = [t for t in numbers if len(t) == 4]
    days = [t for t in numbers if len(t) <= 2]
    assert len(years) == 1 and len(days) == 1 and len(numbers) == 2, human
    month = weekday = None
    for word in re.findall(r"[a-z]+", s):
        if _name_index(word, MONTH_NAMES) is not None:
            assert month is None, human
            month = _name_index(word, MONTH_NAMES) + 1
        elif _name_index(word, WEEKDAY_NAMES) is not None:
            assert weekday is None, human
            weekday = _name_index(word, WEEKDAY_NAMES)
        else:
            assert word in FILLER_WORDS, f"{human!r}: unexpected word {word!r}"
    assert month is not None, human
    date = datetime.date(int(years[0]), month, int(days[0]))
    assert weekday is None or weekday == date.weekday(), f"{human!r}: {WEEKDAY_NAMES[weekday]} is wrong for {date}"
    return date


def _all_spellings(days):
    """Every (string, example date) of the given days in every format, locale and case."""
    for day in days:
        for format_name in dates.FORMATS:
            for locale in dates.LOCALES:
                for case in dates.CASES:
                    yield dates.format_date(day, format_name, locale, case), day


def _every_weekday_of_every_month(years):
    """Days 22..28 of each month: every month name beside every weekday name, two-digit days."""
    return [datetime.date(y, m, d) for y in years for m in range(1, 13) for d in range(22, 29)]


@pytest.fixture(scope="module")
def sample():
    return dates.generate(10_000, seed=0)


@pytest.fixture(scope="module")
def data_split():
    return dates.split(20_000, seed=0)


# ---------------------------------------------------------------- determinism and the split


def test_the_same_seed_gives_the_same_examples():
    assert dates.generate(500, seed=7) == dates.generate(500, seed=7)
    assert dates.split(2_000, seed=3) == dates.split(2_000, seed=3)


def test_other_seeds_give_other_examples():
    a, b = dates.generate(500, seed=1), dates.generate(500, seed=2)
    assert sum(x == y for x, y in zip(a, b)) < len(a) // 10
    assert [e.human for e in dates.split(100, seed=1).held_out] != [e.human for e in dates.split(100, seed=2).held_out]


def test_held_out_set_has_its_size_and_distinct_days(data_split):
    assert len(data_split.held_out) == dates.N_HELD_OUT == 1000
    assert len(data_split.train) == 20_000
    assert len({e.date for e in data_split.held_out}) == dates.N_HELD_OUT


def test_held_out_set_is_never_seen_in_training_by_day_or_string(data_split):
    held_out_days = {e.date for e in data_split.held_out}
    held_out_strings = {e.human for e in data_split.held_out}
    assert not held_out_days & {e.date for e in data_split.train}
    assert not held_out_strings & {e.human for e in data_split.train}
    assert not {e.machine for e in data_split.held_out} & {e.machine for e in data_split.train}


def test_held_out_set_does_not_depend_on_the_training_size(data_split):
    small = dates.split(500, seed=0)
    assert small.held_out == data_split.held_out
    assert small.train == data_split.train[:500]


def test_days_are_in_the_range_and_uniform(sample):
    days = np.array([(e.date - dates.FIRST_DATE).days for e in sample])
    assert days.min() >= 0 and days.max() < dates.N_DAYS == (dates.LAST_DATE - dates.FIRST_DATE).days + 1
    # uniform over N_DAYS days: mean (N_DAYS - 1) / 2, standard error N_DAYS / sqrt(12 m); 5 standard errors
    # leave a chance below 1e-6 that a correct generator fails
    standard_error = dates.N_DAYS / np.sqrt(12 * len(days))
    assert abs(days.mean() - (dates.N_DAYS - 1) / 2) < 5 * standard_error


# ---------------------------------------------------------------- the targets


def test_every_target_is_the_date_the_string_denotes(sample, data_split):
    for example in sample[:4_000] + data_split.held_out:
        assert example.machine == example.date.isoformat()
        assert datetime.date.fromisoformat(example.machine) == read_date(example.human), example


def test_no_string_has_two_readings():
    """Every day whose day and month could swap, in every format, locale and case, at both ends of the range."""
    days = [datetime.date(y, m, d) for y in (dates.FIRST_DATE.year, dates.LAST_DATE.year)
            for m in range(1, 13) for d in range(1, 13)]
    readings = defaultdict(set)
    for human, day in _all_spellings(days):
        readings[human].add(day)
        assert read_date(human) == day, (human, day)
    ambiguous = {human: sorted(days) for human, days in readings.items() if len(days) > 1}
    assert not ambiguous, list(ambiguous.items())[:5]


def test_year_is_the_calendar_year_not_the_week_year():
    """Around every New Year of the range; babel's `Y` (ISO week-year) would write some of these days wrong."""
    days = [datetime.date(y, 12, d) for y in range(dates.FIRST_DATE.year, dates.LAST_DATE.year) for d in (29, 30, 31)]
    days += [datetime.date(y, 1, d) for y in range(dates.FIRST_DATE.year + 1, dates.LAST_DATE.year + 1) for d in (1, 2, 3)]
    week_year_differs = [d for d in days if babel_format_date(d, "Y", locale="en_US") != str(d.year)]
    assert week_year_differs, "no day here would catch a week-year pattern"
    for format_name in dates.FORMATS:
        for locale in dates.LOCALES:
            for day in week_year_differs:
                human = dates.format_date(day, format_name, locale)
                assert read_date(human) == day, (format_name, locale, human, day)


def test_patterns_never_use_the_week_year():
    for format_name in dates.FORMATS:
        for locale in dates.LOCALES:
            unquoted = re.sub(r"'[^']*'", "", dates.date_pattern(format_name, locale))
            assert "Y" not in unquoted, (format_name, locale)


def test_ordinal_suffixes_follow_cldr():
    english = Locale("en")
    for day in range(1, 132):
        assert dates.ordinal(day) == f"{day}{SUFFIX_OF_CATEGORY[english.ordinal_form(day)]}", day


def test_numeric_orders_are_the_locales_own():
    """Each locale writes numbers in its CLDR short format's order, and words in its long format's order."""
    for locale, (words_order, numbers_order) in dates.LOCALES.items():
        short = get_date_format("short", locale=locale).pattern
        long = get_date_format("long", locale=locale).pattern
        assert "".join(sorted("DMY", key=lambda f: short.index(f.replace("D", "d").replace("Y", "y")))) == numbers_order
        assert "".join(sorted("DMY", key=lambda f: long.index(f.replace("D", "d").replace("Y", "y")))) == words_order
        for format_name in dates.NUMERIC_FORMATS:
            human = dates.format_date(datetime.date(1979, 5, 3), format_name, locale)
            assert ORDER_OF_SEPARATOR[re.sub(r"\d", "", human)[0]] == numbers_order, (locale, human)


# ---------------------------------------------------------------- coverage, vocabulary, lengths


def test_every_format_locale_and_case_appears(sample):
    pairs = Counter((e.format, e.locale) for e in sample)
    missing = [(f, loc) for f in dates.FORMATS for loc in dates.LOCALES if (f, loc) not in pairs]
    assert not missing, missing
    assert {e.case for e in sample} == set(dates.CASES)
    assert len({e.human for e in sample if e.format == "ordinal_of"}) > 1


def test_vocabulary_is_exactly_what_the_formats_write(sample):
    written = Counter()
    for human, _ in _all_spellings(_every_weekday_of_every_month((1979, 2000))):
        written.update(human)
    assert set(written) == set(dates.HUMAN_CHARACTERS)
    assert len(set(dates.HUMAN_CHARACTERS)) == len(dates.HUMAN_CHARACTERS)
    assert set("".join(e.human for e in sample)) <= set(dates.human_vocab())
    assert set("".join(e.machine for e in sample)) == set(dates.machine_vocab())


def test_T_X_is_the_longest_string_a_format_writes(sample):
    longest = max(len(human) for human, _ in _all_spellings(_every_weekday_of_every_month((1979,))))
    assert longest == dates.T_X
    assert max(len(e.human) for e in sample) <= dates.T_X
    assert all(len(e.machine) == dates.T_Y == 10 for e in sample)


def test_vocabularies():
    human = dates.human_vocab()
    assert human[dates.PAD] == dates.PAD_INDEX == 0 and human[dates.UNK] == dates.UNK_INDEX == 1
    assert sorted(human.values()) == list(range(len(human)))
    assert dates.human_vocab() == human and dates.human_vocab() is not human  # a fresh dict each time
    machine = dates.machine_vocab()
    assert list(machine) == ["-"] + list("0123456789") and sorted(machine.values()) == list(range(11))
    with_start = dates.machine_vocab(with_start=True)
    assert {k: v for k, v in with_start.items() if k != dates.START} == machine  # 09's indices unchanged
    assert with_start[dates.START] == len(machine)


# ---------------------------------------------------------------- arrays


def test_encode_decode_round_trip(data_split):
    examples = data_split.held_out
    human, machine = dates.human_vocab(), dates.machine_vocab()
    X, Y = dates.encode_examples(examples, human, machine)
    assert X.shape == (len(examples), dates.T_X) and Y.shape == (len(examples), dates.T_Y)
    assert X.dtype == np.int32 and Y.dtype == np.int32
    assert dates.decode_batch(X, dates.inverse_vocab(human)) == [e.human for e in examples]
    assert dates.decode_batch(Y, dates.inverse_vocab(machine)) == [e.machine for e in examples]
    lengths = np.array([len(e.human) for e in examples])
    is_padding = np.arange(dates.T_X)[None, :] >= lengths[:, None]  # padding after the last character
    assert np.array_equal(X == dates.PAD_INDEX, is_padding)


def test_one_hot_arrays(data_split):
    human = dates.human_vocab()
    X, Y = dates.encode_examples(data_split.held_out[:50], human, dates.machine_vocab())
    Xoh = dates.one_hot(X, len(human))
    assert Xoh.shape == (50, dates.T_X, len(human)) and Xoh.dtype == np.float32
    assert np.array_equal(Xoh.sum(axis=-1), np.ones(X.shape)) and np.array_equal(Xoh.argmax(axis=-1), X)
    assert dates.one_hot(Y, 11).shape == (50, dates.T_Y, 11)


def test_decoder_inputs_shift_the_target_right():
    with_start = dates.machine_vocab(with_start=True)
    Y = dates.encode_machine(["1979-05-03", "2068-12-31"], dates.machine_vocab())
    shifted = dates.decoder_inputs(Y, with_start)
    assert shifted.shape == Y.shape
    assert np.all(shifted[:, 0] == with_start[dates.START])
    assert np.array_equal(shifted[:, 1:], Y[:, :-1])


def test_unknown_characters_map_to_unk_when_asked():
    human = dates.human_vocab()
    X = dates.encode_human(["3 März 1979"], human, on_unknown="unk")  # German: neither "ä" nor "z" is written
    assert X[0, 3] == dates.UNK_INDEX and dates.decode(X[0], dates.inverse_vocab(human)) == "3 M<unk>r<unk> 1979"


# ---------------------------------------------------------------- errors that say what to do


def _machine_Y():
    return dates.encode_machine(["1979-05-03"], dates.machine_vocab())


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: dates.encode_human(["3 März 1979"], dates.human_vocab()), ValueError, "on_unknown='unk'"),
        (lambda: dates.encode_human("3 may 1979", dates.human_vocab()), TypeError, "['3 may 1979']"),
        (lambda: dates.encode_human(np.array(["3 may 1979"]), dates.human_vocab()), TypeError, ".tolist()"),
        (lambda: dates.encode_human(["x" * 40], dates.human_vocab(), on_unknown="unk"), ValueError, "T_x=31"),
        (lambda: dates.encode_human(["3 may 1979"], dates.machine_vocab()), ValueError, "human_vocab()"),
        (lambda: dates.encode_machine(["1979-5-3"], dates.machine_vocab()), ValueError, "1979-05-03"),
        (lambda: dates.one_hot([[1, 2]], 49), TypeError, "np.asarray"),
        (lambda: dates.one_hot(np.array([[1, 49]]), 49), ValueError, "outside 0 .. 48"),
        (lambda: dates.decode_batch(np.zeros((2, 10, 11)), {}), ValueError, "argmax"),
        (lambda: dates.decode([3, 99], dates.inverse_vocab(dates.machine_vocab())), ValueError, "[99]"),
        (lambda: dates.decoder_inputs(_machine_Y(), dates.machine_vocab()), ValueError, "with_start=True"),
        (lambda: dates.generate(-1, seed=0), ValueError, "at least 0"),
        (lambda: dates.generate(10, seed=1.5), TypeError, "integer"),
        (lambda: dates.split(True, seed=0), TypeError, "integer"),
        (lambda: dates.split(10, seed=0, n_held_out=dates.N_DAYS), ValueError, "at most"),
        (lambda: dates.format_date(datetime.date(1979, 5, 3), "iso", "en_US"), ValueError, "ordinal_of"),
        (lambda: dates.format_date(datetime.date(1979, 5, 3), "long", "fr_FR"), ValueError, "en_GB"),
        (lambda: dates.format_date("1979-05-03", "long", "en_US"), TypeError, "datetime.date(1979, 5, 3)"),
    ],
)
def test_errors_say_what_to_do(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
