"""Convert between the lecture's numpy layout and Keras (notebooks 01 and 04).

numpy notebooks are features-first: x (n_x, m, T_x), weights acting on the
stacked column [a_prev; xt]. Keras is batch-first: x (m, T_x, n_x), and its
recurrent layers keep one input kernel (n_x, k*n_a), one recurrent kernel
(n_a, k*n_a) and one bias (k*n_a,) with the gates packed side by side.

Keras LSTM gate order: input (i), forget (f), candidate (c), output (o).
Source: keras.layers.LSTMCell (kernel slices [:n_a], [n_a:2n_a], ...).
"""

import numpy as np

KERAS_LSTM_GATE_ORDER = ("i", "f", "c", "o")


def to_batch_first(x):
    """(n_x, m, T_x) -> (m, T_x, n_x)."""
    return np.transpose(x, (1, 2, 0))


def to_features_first(x):
    """(m, T_x, n_x) -> (n_x, m, T_x)."""
    return np.transpose(x, (2, 0, 1))


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
    n_a = parameters["Wf"].shape[0]
    kernels, recurrent, biases = [], [], []
    for gate in KERAS_LSTM_GATE_ORDER:
        W = parameters["W" + gate]
        recurrent.append(W[:, :n_a].T)  # acts on a_prev
        kernels.append(W[:, n_a:].T)  # acts on xt
        biases.append(parameters["b" + gate].ravel())
    return [
        np.concatenate(kernels, axis=1).astype(np.float32),
        np.concatenate(recurrent, axis=1).astype(np.float32),
        np.concatenate(biases).astype(np.float32),
    ]


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
    import keras  # imported here: TensorFlow takes seconds to load and most callers never need it

    n_a = parameters["Wf"].shape[0]
    layer = keras.layers.LSTM(n_a, return_sequences=True)
    inputs = to_batch_first(x).astype(np.float32)
    layer.build(inputs.shape)
    layer.set_weights(lstm_weights_to_keras(parameters))
    initial_state = [a0.T.astype(np.float32), np.zeros_like(a0.T, dtype=np.float32)]
    states = keras.ops.convert_to_numpy(layer(inputs, initial_state=initial_state))
    return to_features_first(states).astype(np.float64)
