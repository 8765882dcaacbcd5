"""Given pieces of the Transformer of notebook 13: the sinusoidal encoding, masks as Keras ops, greedy decoding.

Notebook 12 (positional_encoding) has students write the encoding and the two
masks; notebook 13 needs them as given code, so this module holds reference
versions, written independently of 12's exercises:

- `sinusoidal_encoding(positions, d_model)`: float32 (1, positions, d_model),
  sines at even and cosines at odd dimensions (12's `positional_encoding`);
- `padding_mask(token_ids, pad_id)`: (m, 1, T) and `look_ahead_mask(size)`:
  (1, T, T) in the course's polarity (helpers.attention: 1.0 = may attend),
  written with keras.ops so that they also work on the symbolic tensors a
  model's `call` sees during `fit`;
- `feed_forward(d_model, dff)`: the position-wise feed-forward network of
  every encoder and decoder layer (section 3.3), and LAYER_NORM_EPSILON;
- `greedy_decode(model, X, T_y, start_index)`: the translation of a batch,
  one output character after the other, each chosen by argmax.

Source: Vaswani et al. (2017), "Attention Is All You Need", sections 3.2.3
(masking) and 3.5 (positional encoding).
"""

import numpy as np

from helpers import attention

ENCODING_BASE = 10000.0  # the base of the wavelengths, Vaswani et al. section 3.5
LAYER_NORM_EPSILON = 1e-6  # added to the variance in every layer norm of the Transformer


def sinusoidal_encoding(positions, d_model):
    """The sinusoidal positional encoding of positions 0 .. positions-1.

        PE[p, 2i] = sin(p / 10000^(2i / d_model)),   PE[p, 2i+1] = cos(p / 10000^(2i / d_model))

    Parameters
    ----------
    positions : int >= 1   how many positions
    d_model : int >= 1     size of each encoding (an odd one ends with a sine)

    Returns
    -------
    ndarray float32 (1, positions, d_model); the leading axis broadcasts over a batch

    Raises
    ------
    ValueError  if positions or d_model is below 1.

    Source: Vaswani et al. (2017), section 3.5 (notebook 12 builds it step by step).
    """
    if int(positions) < 1 or int(d_model) < 1:
        raise ValueError(f"positions and d_model must be at least 1; got {positions} and {d_model}")
    pair = np.arange(d_model) // 2  # dimensions 2i and 2i+1 share the frequency of pair i
    frequency = ENCODING_BASE ** (-2.0 * pair / d_model)  # (d_model,) radians per position
    phase = np.outer(np.arange(positions), frequency)  # (positions, d_model)
    table = np.where(np.arange(d_model) % 2 == 0, np.sin(phase), np.cos(phase))
    return table.astype(np.float32)[None]


def feed_forward(d_model, dff):
    """The position-wise feed-forward network FFN(x) = max(0, x W1 + b1) W2 + b2, the same at every position.

    Parameters
    ----------
    d_model : int   input and output size
    dff : int       hidden size (Vaswani et al. use 4 d_model)

    Returns
    -------
    keras.Sequential of Dense(dff, relu) and Dense(d_model): (m, T, d_model) -> (m, T, d_model);
    2 d_model dff + dff + d_model parameters

    Source: Vaswani et al. (2017), section 3.3, equation (2).
    """
    import keras

    return keras.Sequential([keras.layers.Dense(dff, activation="relu"), keras.layers.Dense(d_model)])


def padding_mask(token_ids, pad_id):
    """Key mask of padded sequences: attention.MAY_ATTEND at real tokens, BLOCKED at pad_id.

    Parameters
    ----------
    token_ids : int array or tensor (m, T)
    pad_id : int   the padding index

    Returns
    -------
    float32 tensor (m, 1, T): the query axis of size 1 broadcasts over every query

    Source: Vaswani et al. (2017); the polarity of helpers.attention (and of Keras).
    """
    import keras

    real = keras.ops.not_equal(token_ids, pad_id)
    return keras.ops.expand_dims(keras.ops.cast(real, "float32") * attention.MAY_ATTEND, axis=1)


def look_ahead_mask(size):
    """Causal mask (1, size, size) float32 tensor: query t may attend to keys 0 .. t (itself included).

    Source: Vaswani et al. (2017), section 3.2.3; the polarity of helpers.attention.
    """
    import keras

    lower = keras.ops.tril(keras.ops.ones((size, size), dtype="float32"))
    return keras.ops.expand_dims(lower * attention.MAY_ATTEND, axis=0)


def greedy_decode(model, X, T_y, start_index, batch_size=500):
    """Translate a batch one output token at a time, each the argmax of the model's next-token scores.

    The decoder input starts as [start, start, ...]; after step t the chosen token
    is written at position t + 1. Since the decoder is causal, the tokens after
    position t do not change its output at t, so every step can run on the whole
    (T_y) input.

    Parameters
    ----------
    model : keras.Model whose predict_on_batch((encoder_ids (m, T_x), decoder_ids (m, T_y))) gives
            scores (m, T_y, n_y), e.g. the Transformer
    X : int ndarray (m, T_x)   encoded inputs
    T_y : int                   output length
    start_index : int           index of the start symbol in the decoder's vocabulary
    batch_size : int            examples per call

    Returns
    -------
    int32 ndarray (m, T_y): the chosen output tokens
    """
    X = np.asarray(X, dtype=np.int32)
    chosen = np.zeros((len(X), T_y), dtype=np.int32)
    for begin in range(0, len(X), batch_size):
        inputs = X[begin:begin + batch_size]
        decoder_in = np.full((len(inputs), T_y), start_index, dtype=np.int32)
        for t in range(T_y):
            scores = np.asarray(model.predict_on_batch((inputs, decoder_in)))  # one compiled graph, traced once
            chosen[begin:begin + len(inputs), t] = scores[:, t].argmax(axis=-1)
            if t + 1 < T_y:
                decoder_in[:, t + 1] = chosen[begin:begin + len(inputs), t]
    return chosen
