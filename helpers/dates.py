"""Human-readable dates and their ISO 8601 form: the data of the translation notebooks (09, 13).

The task: read a date as a person might write it ("3rd of May 1979",
"thursday, may 3, 1979", "05/03/79") and write it as ISO 8601's calendar date
in extended format, "1979-05-03" (always T_Y = 10 characters). Notebook 09
learns it with an attention RNN, notebook 13 with a Transformer; both use
this module, so they train and test on exactly the same examples.

Generation
----------
Faker, seeded, draws the day: a uniform random day of the range FIRST_DATE ..
LAST_DATE (Faker's `random_int` over day offsets: its `date_between` draws a
float timestamp and converts it through the local time zone, and draws
integers on Windows, so one seed could give other days on another machine).
The same seeded generator picks a format, a locale and a case, each
uniformly. babel writes the date with CLDR's English month and weekday
names for the locale; this module adds the ordinal suffixes ("3rd").

Range. 1969-01-01 .. 2068-12-31: exactly one hundred years, so a two-digit
year names one year of the range, read as POSIX `strptime("%y")` reads it
(69..99 -> 1969..1999, 00..68 -> 2000..2068).

Locales (`LOCALES`) and the order each writes the day (D), month (M) and
year (Y) in, as their CLDR long and short date formats do:

    locale  words  numbers   spelling notes (CLDR)
    en_US   MDY    MDY  "/"  abbreviations Jan .. Sep .. Dec
    en_CA   MDY    YMD  "-"  numbers in ISO order, like its short format y-MM-dd
    en_GB   DMY    DMY  "."  "Sept"; full format "Thursday, 3 May 1979"
    en_AU   DMY    DMY  "."  "June", "July", "Sept"
    en_IN   DMY    DMY  "."  "Sept"
    en_IE   DMY    DMY  "."  "Sept"; full format without comma, "Thursday 3 May 1979"

Six English locales because their CLDR data differ in what a model has to
learn, while the language stays one: day before or after the month, "Sep" or
"Sept" (and en_AU's "June", "July"), where the commas go, and three orders of
numbers.

Formats (`FORMATS`), shown for Monday 1979-09-03 in en_US | en_GB (en_CA where it differs):

    full                 Monday, September 3, 1979   | Monday, 3 September 1979   (CLDR full)
    long                 September 3, 1979           | 3 September 1979           (CLDR long)
    medium               Sep 3, 1979                 | 3 Sept 1979                (CLDR medium)
    weekday_abbreviated  Mon, Sep 3, 1979            | Mon 3 Sept 1979
    no_comma             September 3 1979            | 03 September 1979
    ordinal              September 3rd, 1979         | 3rd September 1979
    abbreviated_ordinal  Sep 3rd 1979                | 3rd Sept 1979
    ordinal_of           3rd of September 1979       | 3rd of September 1979
    weekday_ordinal      Monday, September 3rd, 1979 | Monday 3rd September 1979
    numeric              9/3/79                      | 3.9.79      (en_CA 1979-9-3)
    numeric_padded       09/03/79                    | 03.09.79    (en_CA 79-09-03)
    numeric_full_year    09/03/1979                  | 03.09.1979  (en_CA 1979-09-03)

Twelve formats so that a model meets words and numbers, long and abbreviated
names, weekdays (redundant, to be ignored), ordinals, two- and four-digit
years and padded and unpadded numbers; nine of them spell the month.

Each is written "as_written" (babel's capitals) or in "lower" case (`CASES`).
Every pattern uses babel's `y` (the calendar year), never `Y`: `Y` is the
ISO week-numbering year, which writes 2018-12-31 as "2019".

Ambiguity. "05/03/79" is 3 May in the US and 5 March in Britain; a model sees
only the string, so each string must have one reading in the whole data set.
The rule: every locale writes numbers in one order, its own (table above),
and each order has its own separator -- "/" is always month/day/year, "." is
always day.month.year, "-" is always year-month-day. The day-first locales
therefore write "03.05.1979" where their CLDR short format has slashes
(dd/MM/y). Month names make the other formats unambiguous. Each example
records its format and locale (`DateExample`), so its target is defined
without reading the string.

Held-out set (`split`): N_HELD_OUT = 1,000 examples on distinct days; no
training example falls on one of those days or repeats one of those strings.

Vocabularies and arrays
-----------------------
human_vocab(): "<pad>" -> 0 (PAD_INDEX), "<unk>" -> 1 (UNK_INDEX), then the
characters of HUMAN_CHARACTERS in sorted order -- a stated set, the same for
every sample, so training and held-out arrays share it.
machine_vocab(): "-" -> 0, "0" .. "9" -> 1 .. 10 (sorted ISO characters);
machine_vocab(with_start=True) adds "<start>" -> 11 at the end for the
Transformer's teacher forcing (`decoder_inputs`), so 09's indices stay as they
are and the output layer of both models has len(machine_vocab()) = 11 units
(the start symbol is read, never predicted).

Shapes (batch first, as Keras wants them): X int32 (m, T_X) padded with
PAD_INDEX after the last character; Y int32 (m, T_Y); one_hot(X, vocab_size)
float32 (m, T_X, len(human_vocab())); one_hot(Y, 11) float32 (m, T_Y, 11).
A padding mask for attention is `X != PAD_INDEX` (True = a real character).

Use:

    train, held_out = dates.split(n_train=30_000, seed=0)
    human_vocab, machine_vocab = dates.human_vocab(), dates.machine_vocab()
    X, Y = dates.encode_examples(train, human_vocab, machine_vocab)   # (m, 31), (m, 10)
    Xoh, Yoh = dates.one_hot(X, len(human_vocab)), dates.one_hot(Y, len(machine_vocab))

Sources: ISO 8601-1:2019, calendar date in extended format (YYYY-MM-DD);
Unicode CLDR date format patterns (UTS #35, part 4, "Dates") as implemented
by babel; the task as a testbed for attention follows Bahdanau, Cho & Bengio
(2015), "Neural machine translation by jointly learning to align and
translate", ICLR.
"""

import datetime
import functools
import numbers
import types
from typing import NamedTuple

import numpy as np
from babel import Locale
from babel.dates import get_date_format, parse_pattern
from faker import Faker

from helpers import text

FIRST_DATE = datetime.date(1969, 1, 1)  # with LAST_DATE: the 100 years a two-digit year can name (%y)
LAST_DATE = datetime.date(2068, 12, 31)
N_DAYS = (LAST_DATE - FIRST_DATE).days + 1  # 36,525 days to draw from
N_HELD_OUT = 1000  # held-out examples, on distinct days

# locale -> (order in words, order in numbers), as the locale's CLDR long and short formats write them
LOCALES = types.MappingProxyType({
    "en_US": ("MDY", "MDY"),
    "en_CA": ("MDY", "YMD"),
    "en_GB": ("DMY", "DMY"),
    "en_AU": ("DMY", "DMY"),
    "en_IN": ("DMY", "DMY"),
    "en_IE": ("DMY", "DMY"),
})

ORDINAL = "{ordinal}"  # stands for the day with its English suffix, "3rd"; this module writes it
CLDR = "cldr"  # the locale's own CLDR pattern of the format's width
# format name -> babel pattern, or {order: pattern}, or CLDR; literal words are quoted ('of')
FORMATS = types.MappingProxyType({
    "full": CLDR,
    "long": CLDR,
    "medium": CLDR,
    "weekday_abbreviated": {"MDY": "EEE, MMM d, y", "DMY": "EEE d MMM y"},
    "no_comma": {"MDY": "MMMM d y", "DMY": "dd MMMM y"},
    "ordinal": {"MDY": f"MMMM {ORDINAL}, y", "DMY": f"{ORDINAL} MMMM y"},
    "abbreviated_ordinal": {"MDY": f"MMM {ORDINAL} y", "DMY": f"{ORDINAL} MMM y"},
    "ordinal_of": f"{ORDINAL} 'of' MMMM y",
    "weekday_ordinal": {"MDY": f"EEEE, MMMM {ORDINAL}, y", "DMY": f"EEEE {ORDINAL} MMMM y"},
    "numeric": {"MDY": "M/d/yy", "DMY": "d.M.yy", "YMD": "y-M-d"},
    "numeric_padded": {"MDY": "MM/dd/yy", "DMY": "dd.MM.yy", "YMD": "yy-MM-dd"},
    "numeric_full_year": {"MDY": "MM/dd/y", "DMY": "dd.MM.y", "YMD": "y-MM-dd"},
})
NUMERIC_FORMATS = frozenset({"numeric", "numeric_padded", "numeric_full_year"})
CASES = ("as_written", "lower")

# The characters the formats can write (a test checks both directions): separators, digits, the
# lower-case letters of English month and weekday names, ordinal suffixes and "of" (never k, q, x, z),
# and the capitals those names start with.
HUMAN_CHARACTERS = " ,-./" + "0123456789" + "abcdefghijlmnoprstuvwy" + "ADFJMNOSTW"
MACHINE_CHARACTERS = "-0123456789"  # ISO 8601 calendar dates
PAD, UNK, START = "<pad>", "<unk>", "<start>"
PAD_INDEX, UNK_INDEX = 0, 1  # human vocabulary, as in helpers.emoji and helpers.ner
T_X = 31  # longest string a format writes: "Wednesday, September 28th, 1979" (weekday_ordinal, en_US/en_CA)
T_Y = len("YYYY-MM-DD")  # 10
_SUFFIX_OF_LAST_DIGIT = {1: "st", 2: "nd", 3: "rd"}  # English ordinals; 11th, 12th, 13th and the rest take "th"


class DateExample(NamedTuple):
    """One example: `human` is the input string, `machine` the ISO 8601 target."""

    human: str  # e.g. "3rd of may 1979"
    machine: str  # "1979-05-03"
    date: datetime.date
    format: str  # a key of FORMATS
    locale: str  # a key of LOCALES
    case: str  # one of CASES


class DateSplit(NamedTuple):
    """Training examples and the held-out examples, disjoint by day and by string."""

    train: list
    held_out: list


# ---------------------------------------------------------------- writing dates


def ordinal(day):
    """English ordinal of a day of the month: 1 -> '1st', 2 -> '2nd', 3 -> '3rd', 11 -> '11th', 22 -> '22nd'."""
    if day % 100 in (11, 12, 13):
        return f"{day}th"
    return f"{day}{_SUFFIX_OF_LAST_DIGIT.get(day % 10, 'th')}"


def date_pattern(format_name, locale):
    """The babel pattern (with ORDINAL where the ordinal day goes) of a format in a locale.

    Raises
    ------
    ValueError  for an unknown format or locale; the message lists the known ones.
    """
    _check_choice("format_name", format_name, FORMATS)
    _check_choice("locale", locale, LOCALES)
    spec = FORMATS[format_name]
    words_order, numbers_order = LOCALES[locale]
    if spec == CLDR:
        return get_date_format(format_name, locale=locale).pattern
    if isinstance(spec, str):
        return spec
    return spec[numbers_order if format_name in NUMERIC_FORMATS else words_order]


@functools.lru_cache(maxsize=None)
def _compiled(format_name, locale):
    """(babel Locale, pieces): each piece a parsed babel pattern, or None for the ordinal day."""
    pieces = []
    for i, part in enumerate(date_pattern(format_name, locale).split(ORDINAL)):
        if i > 0:
            pieces.append(None)
        if part:
            pieces.append(parse_pattern(part))
    return Locale.parse(locale), tuple(pieces)


def format_date(date, format_name, locale, case="as_written"):
    """`date` written in one format of one locale, e.g. (1979-05-03, "ordinal_of", "en_GB") -> '3rd of May 1979'.

    Parameters
    ----------
    date : datetime.date
    format_name : str   a key of FORMATS
    locale : str        a key of LOCALES
    case : str          one of CASES

    Raises
    ------
    ValueError  for an unknown format, locale or case; TypeError if `date` is not a date.
    """
    if not isinstance(date, datetime.date):
        raise TypeError(f"date must be a datetime.date, e.g. datetime.date(1979, 5, 3); got {type(date).__name__}")
    _check_choice("case", case, CASES)
    babel_locale, pieces = _compiled(format_name, locale)
    written = "".join(ordinal(date.day) if p is None else p.apply(date, babel_locale) for p in pieces)
    return written.lower() if case == "lower" else written


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not known; choose one of {', '.join(choices)}")


def _check_count(name, value, minimum=0, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum:,}"
        raise ValueError(f"{name} must be at least {minimum}{upper}; got {value}")


# ---------------------------------------------------------------- sampling


def _seeded_faker(seed):
    """A Faker whose own generator is seeded (the global one is left alone)."""
    _check_count("seed", seed)
    fake = Faker()
    fake.seed_instance(int(seed))
    return fake


def _draw(fake):
    """One random example: a uniform day of the range, format, locale and case."""
    date = FIRST_DATE + datetime.timedelta(days=fake.random_int(0, N_DAYS - 1))
    format_name = fake.random.choice(tuple(FORMATS))
    locale = fake.random.choice(tuple(LOCALES))
    case = fake.random.choice(CASES)
    return DateExample(format_date(date, format_name, locale, case), date.isoformat(), date, format_name, locale, case)


def generate(m, seed):
    """`m` random examples, the same for the same seed.

    Parameters
    ----------
    m : int      number of examples (>= 0)
    seed : int   seed of the Faker generator (>= 0)

    Returns
    -------
    list of DateExample, length m; independent draws, so days and strings may repeat

    Raises
    ------
    TypeError, ValueError  if m or seed is not a non-negative integer.
    """
    _check_count("m", m)
    fake = _seeded_faker(seed)
    return [_draw(fake) for _ in range(m)]


def split(n_train, seed, n_held_out=N_HELD_OUT):
    """Training examples and a held-out set never seen in training, the same for the same seed.

    The held-out examples are drawn first, each on a different day; training
    examples are then drawn from the same generator, skipping any that falls
    on a held-out day or repeats a held-out string. So the held-out set does
    not depend on n_train, and a smaller training set is the start of a larger
    one.

    Parameters
    ----------
    n_train : int      number of training examples (days may repeat, in other formats)
    seed : int         seed of the Faker generator (>= 0)
    n_held_out : int   number of held-out examples, default N_HELD_OUT = 1,000;
                       at most half the days of the range

    Returns
    -------
    DateSplit(train=list of DateExample (n_train), held_out=list of DateExample (n_held_out))

    Raises
    ------
    TypeError, ValueError  if a size or the seed is not a suitable integer.
    """
    _check_count("n_train", n_train)
    _check_count("n_held_out", n_held_out, maximum=N_DAYS // 2)
    fake = _seeded_faker(seed)
    held_out, held_out_days = [], set()
    while len(held_out) < n_held_out:
        example = _draw(fake)
        if example.date not in held_out_days:
            held_out.append(example)
            held_out_days.add(example.date)
    held_out_strings = {example.human for example in held_out}
    train = []
    while len(train) < n_train:
        example = _draw(fake)
        if example.date not in held_out_days and example.human not in held_out_strings:
            train.append(example)
    return DateSplit(train, held_out)


# ---------------------------------------------------------------- vocabularies and arrays


def human_vocab():
    """Input characters -> index: '<pad>' 0, '<unk>' 1, then HUMAN_CHARACTERS sorted (49 symbols)."""
    symbols = [PAD, UNK] + sorted(HUMAN_CHARACTERS)
    return {symbol: index for index, symbol in enumerate(symbols)}


def machine_vocab(with_start=False):
    """ISO characters -> index: '-' 0, '0'..'9' 1..10; with_start=True adds '<start>' 11 (decoder inputs)."""
    symbols = sorted(MACHINE_CHARACTERS) + ([START] if with_start else [])
    return {symbol: index for index, symbol in enumerate(symbols)}


def inverse_vocab(vocab):
    """index -> symbol, the inverse of a vocabulary."""
    return {index: symbol for symbol, index in vocab.items()}


def _check_strings(strings, name):
    if isinstance(strings, str) or not isinstance(strings, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of strings; got {type(strings).__name__}"
            + (f" -- wrap one string in a list: [{strings!r}]" if isinstance(strings, str) else "")
            + (" -- convert with .tolist()" if isinstance(strings, np.ndarray) else "")
        )
    for s in strings:
        if not isinstance(s, str):
            raise TypeError(f"{name} must hold strings only; found {s!r} ({type(s).__name__})")


def encode_human(strings, vocab, T_x=T_X, on_unknown="raise"):
    """Index array of input strings, padded with PAD_INDEX after the last character.

    Parameters
    ----------
    strings : list of str      m dates as people write them
    vocab : dict               human_vocab()
    T_x : int                  padded length (default T_X = 31, the longest format)
    on_unknown : str           "raise" (default) or "unk": write UNK_INDEX for a character
                               outside the vocabulary (for dates typed by hand)

    Returns
    -------
    X : int32 ndarray (m, T_x)

    Raises
    ------
    ValueError  for a character outside the vocabulary (with on_unknown="raise") or a
                string longer than T_x; the message names the string.
    TypeError   if `strings` is not a list of strings.
    """
    _check_strings(strings, "strings")
    _check_choice("on_unknown", on_unknown, ("raise", "unk"))
    if PAD not in vocab or UNK not in vocab:
        raise ValueError(f"vocab has no {PAD!r} or {UNK!r} symbol; encode input strings with human_vocab()")
    _check_count("T_x", T_x, minimum=1)
    X = np.full((len(strings), T_x), vocab[PAD], dtype=np.int32)
    for i, s in enumerate(strings):
        if len(s) > T_x:
            raise ValueError(f"{s!r} has {len(s)} characters, more than T_x={T_x}; shorten it")
        unknown = sorted(set(s) - set(vocab))
        if unknown and on_unknown == "raise":
            raise ValueError(
                f"{s!r} holds characters outside the vocabulary: {''.join(unknown)!r}; "
                f"rewrite them, or pass on_unknown='unk' to map them to {UNK}"
            )
        X[i, : len(s)] = [vocab.get(ch, vocab[UNK]) for ch in s]
    return X


def encode_machine(strings, vocab):
    """Index array of ISO 8601 dates, e.g. ['1979-05-03'] -> int32 ndarray (1, T_Y).

    Raises
    ------
    ValueError  if a string is not T_Y = 10 characters of the vocabulary; TypeError if
                `strings` is not a list of strings.
    """
    _check_strings(strings, "strings")
    for s in strings:
        if len(s) != T_Y or not set(s) <= set(vocab):
            raise ValueError(f"{s!r} is not an ISO 8601 date of {T_Y} characters like '1979-05-03'")
    return np.array([[vocab[ch] for ch in s] for s in strings], dtype=np.int32).reshape(len(strings), T_Y)


def encode_examples(examples, human, machine):
    """(X int32 (m, T_X), Y int32 (m, T_Y)) of a list of DateExample.

    `human` is human_vocab(), `machine` is machine_vocab(); see encode_human and encode_machine.
    """
    if not isinstance(examples, (list, tuple)):
        raise TypeError(f"examples must be a list of DateExample, e.g. split(...).train; got {type(examples).__name__}")
    return (
        encode_human([e.human for e in examples], human),
        encode_machine([e.machine for e in examples], machine),
    )


def one_hot(indices, vocab_size):
    """One-hot vectors of an integer index array: shape indices.shape + (vocab_size,), float32.

    E.g. X (m, T_X) -> (m, T_X, len(human_vocab())); Y (m, T_Y) -> (m, T_Y, 11).
    Memory: 4 * m * T * vocab_size bytes (10,000 inputs: about 61 MB).

    Raises
    ------
    TypeError   if `indices` is not an integer numpy array (convert with np.asarray).
    ValueError  if an index is outside 0 .. vocab_size - 1.
    """
    if not isinstance(indices, np.ndarray):
        raise TypeError(f"indices must be a numpy array; got {type(indices).__name__} -- convert with np.asarray(indices)")
    if not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"indices must hold integers, got dtype {indices.dtype}; index arrays come from encode_human")
    _check_count("vocab_size", vocab_size, minimum=1)
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError(f"indices range {indices.min()} .. {indices.max()}, outside 0 .. {vocab_size - 1} (vocab_size)")
    return np.eye(vocab_size, dtype=np.float32)[indices]


def decode(indices, inv_vocab):
    """The string spelled by one sequence of indices, padding left out.

    Parameters
    ----------
    indices : 1-D sequence of int    e.g. X[i] or Y_pred.argmax(-1)[i]
    inv_vocab : dict int -> str      inverse_vocab(human_vocab()) or inverse_vocab(machine_vocab())
    """
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise ValueError(f"decode takes one sequence (1-D); got shape {indices.shape} -- use decode_batch for (m, T)")
    unknown = sorted({int(ix) for ix in indices} - set(inv_vocab))
    if unknown:
        raise ValueError(f"indices {unknown} are not in the vocabulary (0 .. {len(inv_vocab) - 1}); "
                         f"decode with the inverse of the vocabulary that encoded them")
    return text.decode([ix for ix in indices if inv_vocab[int(ix)] != PAD], inv_vocab)


def decode_batch(indices, inv_vocab):
    """list of m strings of an index array (m, T); see `decode`.

    Raises
    ------
    ValueError  if `indices` is not 2-D (probabilities (m, T, n): take .argmax(axis=-1) first).
    """
    indices = np.asarray(indices)
    if indices.ndim != 2:
        hint = " -- these look like probabilities or one-hot vectors: take .argmax(axis=-1) first" if indices.ndim == 3 else ""
        raise ValueError(f"decode_batch takes indices of shape (m, T); got {indices.shape}{hint}")
    return [decode(row, inv_vocab) for row in indices]


def decoder_inputs(Y, vocab):
    """Teacher forcing: the target shifted one step right, START first.

    The decoder reads START, y_1, ..., y_{T_Y - 1} and is trained to write
    y_1, ..., y_{T_Y}: position t of the result holds the target of step t - 1.
    No end symbol is needed since every target has T_Y characters.

    Parameters
    ----------
    Y : int ndarray (m, T_Y)    encode_machine(...) with machine_vocab()
    vocab : dict                machine_vocab(with_start=True)

    Returns
    -------
    int32 ndarray (m, T_Y)

    Raises
    ------
    ValueError  if the vocabulary has no START symbol or Y is not (m, T_Y).
    """
    if START not in vocab:
        raise ValueError(f"the vocabulary has no {START!r} symbol; build it with machine_vocab(with_start=True)")
    if not isinstance(Y, np.ndarray) or Y.ndim != 2:
        raise ValueError(f"Y must be an index array of shape (m, T_Y); got {getattr(Y, 'shape', type(Y).__name__)}")
    shifted = np.empty(Y.shape, dtype=np.int32)
    shifted[:, 0] = vocab[START]
    shifted[:, 1:] = Y[:, :-1]
    return shifted
