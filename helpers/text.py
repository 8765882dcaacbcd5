"""Character vocabularies and padding for the character-level language models (notebook 02).

The newline character ends every name, so it is part of the vocabulary and
gets index 0; letters follow in alphabetical order.
"""

import numpy as np

END_OF_NAME = "\n"


def build_char_vocab(texts):
    """Map every character that occurs in `texts` (plus the newline) to an index.

    Parameters
    ----------
    texts : iterable of str

    Returns
    -------
    char_to_ix : dict str -> int      '\\n' -> 0, then characters in sorted order
    ix_to_char : dict int -> str      the inverse map
    """
    chars = sorted(set("".join(texts)) - {END_OF_NAME})
    ix_to_char = dict(enumerate([END_OF_NAME] + chars))
    char_to_ix = {ch: ix for ix, ch in ix_to_char.items()}
    return char_to_ix, ix_to_char


def encode(text, char_to_ix):
    """List of indices of the characters of `text`.

    Raises
    ------
    KeyError  naming the first character that is not in the vocabulary.
    """
    try:
        return [char_to_ix[ch] for ch in text]
    except KeyError as err:
        raise KeyError(
            f"character {err.args[0]!r} in {text!r} is not in the vocabulary "
            f"({len(char_to_ix)} symbols); lowercase the text or rebuild the vocabulary"
        ) from None


def decode(indices, ix_to_char):
    """The string spelled by a sequence of indices."""
    return "".join(ix_to_char[int(ix)] for ix in indices)


def name_to_example(name, char_to_ix):
    """Input and target index lists for one name, as the numpy char-RNN uses them.

    The input starts with None (the zero vector: "no previous character") and
    the target ends with the newline index, so the model learns when a name ends:
    'rex' -> X = [None, r, e, x], Y = [r, e, x, '\\n'].
    """
    indices = encode(name, char_to_ix)
    return [None] + indices, indices + [char_to_ix[END_OF_NAME]]


def pad_to_length(lengths, T_x=None, what="sequence"):
    """Length to pad a batch to: T_x if given, else the longest sequence.

    Raises
    ------
    ValueError  if T_x is shorter than the longest sequence (it would be cut).
    """
    longest = max(lengths)
    if T_x is None:
        return longest
    if T_x < longest:
        raise ValueError(f"T_x={T_x} is shorter than the longest {what} ({longest})")
    return T_x


def names_to_padded_arrays(names, char_to_ix, T_x=None):
    """Batch-first arrays for a Keras character model, zero-padded at the end.

    Input tokens are the character index + 1 so that 0 can mean "padding";
    every input starts with the newline token (the end of the previous name).

    Parameters
    ----------
    names : list of str
    char_to_ix : dict
    T_x : int, optional    padded length (default: longest name + 1)

    Returns
    -------
    inputs : int32 ndarray (m, T_x)    token ids, 0 = padding
    targets : int32 ndarray (m, T_x)   next-character indices (0..vocab_size-1)
    mask : float32 ndarray (m, T_x)    1 where the target is a real character
    """
    examples = [encode(name, char_to_ix) + [char_to_ix[END_OF_NAME]] for name in names]
    T_x = pad_to_length([len(e) for e in examples], T_x, what="name plus newline")
    m = len(examples)
    inputs = np.zeros((m, T_x), dtype=np.int32)
    targets = np.zeros((m, T_x), dtype=np.int32)
    mask = np.zeros((m, T_x), dtype=np.float32)
    newline_token = char_to_ix[END_OF_NAME] + 1
    for i, target in enumerate(examples):
        n = len(target)
        inputs[i, 0] = newline_token
        inputs[i, 1:n] = np.asarray(target[:-1]) + 1
        targets[i, :n] = target
        mask[i, :n] = 1.0
    return inputs, targets, mask
