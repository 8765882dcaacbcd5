"""Named caches passed from the numpy forward passes to the backward passes (notebooks 01, 04).

A forward function returns ``(outputs..., cache)``; the matching backward
function reads what it needs by name (``cache.a_prev``), never by position.
Layout is features-first: xt (n_x, m), a_prev (n_a, m).
"""

from typing import NamedTuple

import numpy as np


class RNNStepCache(NamedTuple):
    """What rnn_cell_backward needs from one forward step."""

    a_next: np.ndarray  # (n_a, m) hidden state produced at step t
    a_prev: np.ndarray  # (n_a, m) hidden state received from step t-1
    xt: np.ndarray  # (n_x, m) input at step t
    parameters: dict  # Wax, Waa, Wya, ba, by


class RNNCache(NamedTuple):
    """What rnn_backward needs from a whole forward pass."""

    step_caches: list  # T_x RNNStepCache, in time order
    x: np.ndarray  # (n_x, m, T_x) the input sequence


class LSTMStepCache(NamedTuple):
    """What lstm_cell_backward needs from one forward step."""

    a_next: np.ndarray  # (n_a, m) hidden state produced at step t
    c_next: np.ndarray  # (n_a, m) memory cell produced at step t
    a_prev: np.ndarray  # (n_a, m) hidden state from step t-1
    c_prev: np.ndarray  # (n_a, m) memory cell from step t-1
    ft: np.ndarray  # (n_a, m) forget gate, in (0, 1)
    it: np.ndarray  # (n_a, m) update (input) gate, in (0, 1)
    cct: np.ndarray  # (n_a, m) candidate memory, in (-1, 1)
    ot: np.ndarray  # (n_a, m) output gate, in (0, 1)
    xt: np.ndarray  # (n_x, m) input at step t
    parameters: dict  # Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by


class LSTMCache(NamedTuple):
    """What lstm_backward needs from a whole forward pass."""

    step_caches: list  # T_x LSTMStepCache, in time order
    x: np.ndarray  # (n_x, m, T_x) the input sequence


class GRUStepCache(NamedTuple):
    """What one GRU forward step computed (notebook 04)."""

    a_next: np.ndarray  # (n_a, m) hidden state produced at step t
    a_prev: np.ndarray  # (n_a, m) hidden state from step t-1
    ut: np.ndarray  # (n_a, m) update gate, in (0, 1): 1 = write the candidate
    rt: np.ndarray  # (n_a, m) relevance (reset) gate, in (0, 1)
    cct: np.ndarray  # (n_a, m) candidate state, in (-1, 1)
    xt: np.ndarray  # (n_x, m) input at step t
    parameters: dict  # Wu, bu, Wr, br, Wc, bc
