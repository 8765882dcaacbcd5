"""Attention masks: the course's one polarity and shape convention, and pictures of masks and attention maps.

Polarity, for every notebook of the course (12 positional_encoding builds the
masks, 13 transformer feeds them to attention):

    MAY_ATTEND = 1.0   the query may look at this key
    BLOCKED    = 0.0   the key is hidden from the query (padding, or a later position)

This is the polarity of `keras.layers.MultiHeadAttention`, whose
``attention_mask`` is "1 (or True) = attention allowed, 0 = prevented", and of
the ``mask`` argument of `keras.layers.Softmax`. Choosing it once means a mask
built in numpy goes into Keras unchanged; the opposite polarity (1 = hide,
used by some older tutorials that *add* ``mask * -1e9`` to the scores) would
need an inversion at every call, and a forgotten inversion silently lets every
query attend to padding only.

Shape: a mask is indexed (batch, query position, key position), like Keras's
``attention_mask`` (B, T, S); an axis of size 1 is broadcast:

- a padding mask (m, 1, T_x): one row per sequence, the same for every query;
- a look-ahead mask (1, T, T): the same for every sequence; row t lets query t
  see keys 0..t (itself included), so no position reads the future;
- the decoder's self-attention needs both: `combine_masks` gives (m, T, T).

Masks are float32 arrays of MAY_ATTEND and BLOCKED, so they combine by
elementwise minimum (logical AND) and go into Keras as they are.

Source: Vaswani et al. (2017), "Attention Is All You Need", section 3.2.3
(masking illegal connections in the decoder); Keras 3 documentation of
MultiHeadAttention (``attention_mask``).
"""

import numpy as np

MAY_ATTEND = 1.0
BLOCKED = 0.0
MASK_DTYPE = np.float32
# The score a blocked key gets before the softmax, as keras.layers.Softmax gives it under a mask in float32:
# exp(-1e9 - max) underflows to exactly 0 in float32 and float64, while -1e9 stays finite (a row whose keys are
# all blocked gives equal weights, never the nan of -inf - -inf).
BLOCKED_SCORE = -1e9


def combine_masks(*masks):
    """Positions every mask allows: the elementwise minimum, broadcast to a common shape.

    Parameters
    ----------
    masks : ndarrays of MAY_ATTEND / BLOCKED, shapes that broadcast, e.g.
            (m, 1, T) and (1, T, T)

    Returns
    -------
    mask : ndarray float32, the broadcast shape (e.g. (m, T, T)); MAY_ATTEND
           only where every input allows attention

    Raises
    ------
    ValueError  if no mask is given, or the shapes do not broadcast (numpy's message).
    """
    if not masks:
        raise ValueError("combine_masks needs at least one mask")
    combined = np.asarray(masks[0], dtype=MASK_DTYPE)
    for mask in masks[1:]:
        combined = np.minimum(combined, np.asarray(mask, dtype=MASK_DTYPE))
    return combined


def show_mask(mask, ax, title, xlabel="key position (attended to)", ylabel="query position (attending)",
              cmap="gray"):
    """Draw a 2-D mask or attention map as an image on a fixed scale from 0 to 1.

    With the default grey scale a mask shows white = 1 (may attend), black = 0 (blocked);
    attention weights read better in a colour map such as "viridis".

    Parameters
    ----------
    mask : ndarray (rows, columns) with values in [0, 1] (a mask, or attention weights)
    ax : matplotlib axes to draw on
    title, xlabel, ylabel : str
    cmap : str    a matplotlib colour map

    Returns
    -------
    image : the AxesImage (for a colour bar)

    Raises
    ------
    ValueError  if `mask` is not two-dimensional.
    """
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"show_mask draws a 2-D array, got shape {mask.shape}; pick one sequence, e.g. mask[0]")
    image = ax.imshow(mask, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    rows, columns = mask.shape
    ax.set_xticks(np.arange(columns))
    ax.set_yticks(np.arange(rows))
    ax.tick_params(labelsize=8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return image
