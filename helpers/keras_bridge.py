"""Convert between the lecture's numpy layout and Keras (notebooks 01 and 04).

numpy notebooks are features-first: x (n_x, m, T_x), weights acting on the
stacked column [a_prev; xt]. Keras is batch-first: x (m, T_x, n_x), and its
recurrent layers keep one input kernel (n_x, k*n_a), one recurrent kernel
(n_a, k*n_a) and one bias (k*n_a,) with the gates packed side by side.

Keras LSTM gate order: input (i), forget (f), candidate (c), output (o).
Keras GRU gate order: update (z, which equals 1 - ut), reset (r), candidate (h);
the GRU helpers use reset_after=False, the lecture's form (see gru_weights_to_keras).
Source: keras.layers.LSTMCell and GRUCell (kernel slices [:n_a], [n_a:2n_a], ...).
"""

import numpy as np

KERAS_LSTM_GATE_ORDER = ("i", "f", "c", "o")


def to_batch_first(x):
    """(n_x, m, T_x) -> (m, T_x, n_x)."""
    return np.transpose(x, (1, 2, 0))


def to_features_first(x):
    """(m, T_x, n_x) -> (n_x, m, T_x)."""
    return np.transpose(x, (2, 0, 1))


def _pack_gates(parameters, gates, signs=None):
    """Stack per-gate numpy weights W (n_a, n_a + n_x) on [a_prev; xt] into Keras's three arrays.

    gates : lecture gate names in Keras's order; signs : optional {gate: +-1.0}
    Returns [kernel (n_x, k n_a), recurrent_kernel (n_a, k n_a), bias (k n_a,)] as float32.
    """
    n_a = parameters["W" + gates[0]].shape[0]
    signs = signs or {}
    kernels, recurrent, biases = [], [], []
    for gate in gates:
        sign = signs.get(gate, 1.0)
        W = sign * parameters["W" + gate]
        recurrent.append(W[:, :n_a].T)  # acts on a_prev
        kernels.append(W[:, n_a:].T)  # acts on xt
        biases.append(sign * parameters["b" + gate].ravel())
    return [
        np.concatenate(kernels, axis=1).astype(np.float32),
        np.concatenate(recurrent, axis=1).astype(np.float32),
        np.concatenate(biases).astype(np.float32),
    ]


def _run_keras_layer(layer, x, weights, initial_state):
    """Run a batch-first Keras recurrent layer on features-first x (n_x, m, T_x); return (n_a, m, T_x) float64."""
    import keras  # imported here: TensorFlow takes seconds to load and most callers never need it

    inputs = to_batch_first(x).astype(np.float32)
    layer.build(inputs.shape)
    layer.set_weights(weights)
    states = keras.ops.convert_to_numpy(layer(inputs, initial_state=[s.astype(np.float32) for s in initial_state]))
    return to_features_first(states).astype(np.float64)


def lstm_weights_to_keras(parameters):
    """Repack numpy LSTM parameters into keras.layers.LSTM's [kernel, recurrent_kernel, bias].

    Parameters
    ----------
    parameters : dict   Wf, Wi, Wc, Wo (n_a, n_a + n_x) acting on [a_prev; xt];
                        bf, bi, bc, bo (n_a, 1)

    Returns
    -------
    list of ndarray: kernel (n_x, 4 n_a), recurrent_kernel (n_a, 4 n_a), bias (4 n_a,),
    gates in Keras order (i, f, c, o), float32 as Keras stores them
    """
    return _pack_gates(parameters, KERAS_LSTM_GATE_ORDER)


def keras_lstm_states(x, a0, parameters):
    """Hidden states of keras.layers.LSTM given numpy LSTM parameters (memory starts at zero).

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0 : ndarray (n_a, m)
    parameters : dict          as for lstm_weights_to_keras

    Returns
    -------
    ndarray (n_a, m, T_x) float64: the hidden state at every step, features-first
    """
    import keras

    layer = keras.layers.LSTM(parameters["Wf"].shape[0], return_sequences=True)
    return _run_keras_layer(layer, x, lstm_weights_to_keras(parameters), [a0.T, np.zeros_like(a0.T)])


# --------------------------------------------------------------------------- GRU (notebook 04)

KERAS_GRU_GATE_ORDER = ("z", "r", "h")  # keras.layers.GRUCell: update, reset, candidate


def gru_weights_to_keras(parameters):
    """Repack numpy GRU parameters into keras.layers.GRU(reset_after=False)'s weights.

    The lecture's GRU, with every weight matrix acting on a stacked column
    (a_prev on top): the update gate and the relevance gate are sigmoids of
    [a_prev; xt]; the candidate is a tanh of [relevance-gated a_prev; xt]; the
    new state mixes candidate and old state, the update gate weighting the candidate.

    Keras computes  h = z * h_prev + (1 - z) * hh:  its gate z *keeps* the old
    state where the lecture's ut *writes* the candidate, so z = 1 - ut. Since
    1 - sigmoid(s) = sigmoid(-s), the update-gate weights and bias are negated.

    Reset convention: with reset_after=False Keras applies the reset gate to
    the state *before* the recurrent matmul (Uh (r * h_prev)), exactly the
    lecture's form, and has one bias (3 n_a,). Keras 3's default
    reset_after=True applies it after the matmul (r * (Uh h_prev + b_rh)) --
    a different function -- so layers built for this conversion must pass
    reset_after=False.

    Parameters
    ----------
    parameters : dict   Wu, Wr, Wc (n_a, n_a + n_x) acting on [a_prev; xt];
                        bu, br, bc (n_a, 1)

    Returns
    -------
    list of ndarray: kernel (n_x, 3 n_a), recurrent_kernel (n_a, 3 n_a),
    bias (3 n_a,), gates in Keras order (z, r, h), float32
    """
    # z = 1 - ut  <=>  negate the update gate's pre-activation; lecture names in Keras order z, r, h
    return _pack_gates(parameters, ("u", "r", "c"), signs={"u": -1.0})


def keras_gru_states(x, a0, parameters):
    """Hidden states of keras.layers.GRU(reset_after=False) given numpy GRU parameters.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0 : ndarray (n_a, m)
    parameters : dict          as for gru_weights_to_keras

    Returns
    -------
    ndarray (n_a, m, T_x) float64: the hidden state at every step, features-first
    """
    import keras

    layer = keras.layers.GRU(parameters["Wu"].shape[0], return_sequences=True, reset_after=False)
    return _run_keras_layer(layer, x, gru_weights_to_keras(parameters), [a0.T])
