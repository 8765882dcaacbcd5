"""A character-level vanilla RNN language model in numpy: the given parts of notebook 02.

Students write gradient clipping, sampling, one optimisation step and the
training loop; this module supplies the forward pass with its cross-entropy
loss, backpropagation through time, the SGD update and evaluation.

One example is one name, processed one character at a time (batch size 1).
X is a list of input indices whose first entry is None (the zero vector),
Y the list of target indices (see helpers.text.name_to_example).

Dimensions: vocab_size symbols (n_x = n_y = vocab_size), n_a hidden units.
Parameters: Wax (n_a, vocab_size), Waa (n_a, n_a), Wya (vocab_size, n_a),
ba (n_a, 1), by (vocab_size, 1).

Source: Elman (1990) recurrent network; character models as in Karpathy,
"The Unreasonable Effectiveness of Recurrent Neural Networks" (2015).
"""

import math

import numpy as np

from helpers.activations import softmax

INIT_SCALE = 0.01  # small random weights keep tanh in its linear range at the start
LOSS_SMOOTHING = 0.999  # exponential moving average of the loss for the training curve


def initialize_parameters(n_a, vocab_size, rng):
    """Small random weights and zero biases.

    Parameters
    ----------
    n_a : int                   hidden units
    vocab_size : int            number of characters
    rng : numpy.random.Generator

    Returns
    -------
    dict with Wax (n_a, vocab_size), Waa (n_a, n_a), Wya (vocab_size, n_a),
    ba (n_a, 1), by (vocab_size, 1), all float64
    """
    return {
        "Wax": rng.standard_normal((n_a, vocab_size)) * INIT_SCALE,
        "Waa": rng.standard_normal((n_a, n_a)) * INIT_SCALE,
        "Wya": rng.standard_normal((vocab_size, n_a)) * INIT_SCALE,
        "ba": np.zeros((n_a, 1)),
        "by": np.zeros((vocab_size, 1)),
    }


def one_hot(index, vocab_size):
    """Column vector (vocab_size, 1) with a 1 at `index`; all zeros when index is None."""
    x = np.zeros((vocab_size, 1))
    if index is not None:
        x[index] = 1.0
    return x


def rnn_step_forward(parameters, a_prev, x):
    """One step: a_next = tanh(Wax x + Waa a_prev + ba), y_hat = softmax(Wya a_next + by).

    Returns a_next (n_a, 1) and y_hat (vocab_size, 1) probabilities.
    """
    a_next = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a_prev + parameters["ba"])
    y_hat = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, y_hat


def rnn_forward(X, Y, a0, parameters, vocab_size):
    """Forward pass over one example with its cross-entropy loss.

    Parameters
    ----------
    X, Y : lists of int (X[0] may be None)   inputs and targets, equal length T_x
    a0 : ndarray (n_a, 1)                    initial hidden state
    parameters : dict
    vocab_size : int

    Returns
    -------
    loss : float                 total negative log-likelihood of Y, in nats
    cache : dict                 x, a (a[-1] is a0), y_hat per time step, for rnn_backward
    """
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} entries but Y has {len(Y)}; they must align")
    x, a, y_hat = {}, {-1: np.copy(a0)}, {}
    loss = 0.0
    for t in range(len(X)):
        x[t] = one_hot(X[t], vocab_size)
        a[t], y_hat[t] = rnn_step_forward(parameters, a[t - 1], x[t])
        loss -= math.log(y_hat[t][Y[t], 0])
    return loss, {"x": x, "a": a, "y_hat": y_hat}


def rnn_backward(X, Y, parameters, cache):
    """Backpropagation through time for the loss of `rnn_forward`.

    Returns
    -------
    gradients : dict   dWax, dWaa, dWya, dba, dby (shapes of the parameters)
                       and da_next (n_a, 1), the gradient reaching a0
    a : dict           the hidden states of the forward pass, a[-1] = a0
    """
    x, a, y_hat = cache["x"], cache["a"], cache["y_hat"]
    gradients = {
        "dWax": np.zeros_like(parameters["Wax"]),
        "dWaa": np.zeros_like(parameters["Waa"]),
        "dWya": np.zeros_like(parameters["Wya"]),
        "dba": np.zeros_like(parameters["ba"]),
        "dby": np.zeros_like(parameters["by"]),
    }
    da_next = np.zeros_like(a[0])
    for t in reversed(range(len(X))):
        dy = np.copy(y_hat[t])
        dy[Y[t]] -= 1  # softmax + cross-entropy: d loss / d logits = y_hat - one_hot(y)
        gradients["dWya"] += dy @ a[t].T
        gradients["dby"] += dy
        da = parameters["Wya"].T @ dy + da_next
        dz = (1 - a[t] ** 2) * da  # back through tanh
        gradients["dba"] += dz
        gradients["dWax"] += dz @ x[t].T
        gradients["dWaa"] += dz @ a[t - 1].T
        da_next = parameters["Waa"].T @ dz
    gradients["da_next"] = da_next
    return gradients, a


def update_parameters(parameters, gradients, learning_rate):
    """Plain SGD, in place: W <- W - learning_rate * dW for every parameter."""
    for name in ("Wax", "Waa", "Wya", "ba", "by"):
        parameters[name] -= learning_rate * gradients["d" + name]
    return parameters


def smooth(previous_loss, current_loss, decay=LOSS_SMOOTHING):
    """Exponential moving average used to draw a readable training curve."""
    return previous_loss * decay + current_loss * (1 - decay)


def nll_per_char(parameters, examples, vocab_size):
    """Average negative log-likelihood per predicted character, in nats.

    Every name starts from a zero hidden state, and every character of the
    name plus its final newline counts as one prediction -- the same count the
    Keras model is scored on, so the two numbers compare directly.

    Parameters
    ----------
    parameters : dict
    examples : list of (X, Y) pairs from helpers.text.name_to_example
    vocab_size : int

    Returns
    -------
    float   nats per character; ln(vocab_size) is the score of a uniform guess
    """
    n_a = parameters["Waa"].shape[0]
    total_loss, total_chars = 0.0, 0
    for X, Y in examples:
        loss, _ = rnn_forward(X, Y, np.zeros((n_a, 1)), parameters, vocab_size)
        total_loss += loss
        total_chars += len(Y)
    return total_loss / total_chars


def nll_per_char_from_probs(probs, targets, mask):
    """Average negative log-likelihood per real character from a Keras model's softmax output.

    Parameters
    ----------
    probs : ndarray (m, T_x, vocab_size)   predicted probabilities of the next character
    targets : int ndarray (m, T_x)         the true next characters
    mask : ndarray (m, T_x)                1 for real characters, 0 for padding

    Returns
    -------
    float   nats per character, comparable with `nll_per_char`
    """
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]  # (m, T_x)
    picked = np.clip(picked, 1e-12, 1.0)  # log(0) would be -inf for a padded position
    return float(-np.sum(mask * np.log(picked)) / np.sum(mask))
