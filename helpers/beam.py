"""Given pieces for decoding a sequence model: packing hypotheses into arrays, and a tiny decoder to test search on.

The decoding interface of the course (helpers.translator.Decoder uses it too):

    step(last_tokens, state) -> (log_probs, new_state)
        last_tokens  (k,) int      the last token of each of k hypotheses
        state        (k, n) float  each hypothesis's decoder state before reading that token
        log_probs    (k, V) float64  log P(next token | hypothesis, source), each row sums to 1 in probability
        new_state    (k, n) float  each hypothesis's state after reading its last token

A step function never changes its inputs, and row i of its outputs depends
on row i of its inputs only, so hypotheses can be stacked, reordered and
dropped freely.

A hypothesis is the list of tokens it has produced (the start token BOS not
included; an ended hypothesis ends with EOS) and its log-probability, the
sum of the log-probabilities of its tokens. Its *length* is the number of
its tokens, EOS included.
"""

import numpy as np

NO_TOKEN = -1  # fills the rows of shorter hypotheses in pack_hypotheses' token array


def pack_hypotheses(hypotheses):
    """Hypotheses as arrays, best first.

    Parameters
    ----------
    hypotheses : list of (tokens, log_prob)   tokens a list of ints, log_prob a float

    Returns
    -------
    tokens : ndarray (K, L) int64      row i holds hypothesis i's tokens, then NO_TOKEN up to
                                       L = the longest hypothesis's length
    log_probs : ndarray (K,) float64   their log-probabilities, in decreasing order (ties keep
                                       the order of `hypotheses`)

    Raises
    ------
    ValueError  if `hypotheses` is empty (a search must return at least one hypothesis)
    """
    if not hypotheses:
        raise ValueError("no hypothesis to pack: a search returns at least one (keep the unfinished ones when "
                         "max_len is reached)")
    order = sorted(range(len(hypotheses)), key=lambda i: -float(hypotheses[i][1]))
    width = max(len(hypotheses[i][0]) for i in order)
    tokens = np.full((len(order), width), NO_TOKEN, dtype=np.int64)
    for row, i in enumerate(order):
        tokens[row, :len(hypotheses[i][0])] = [int(t) for t in hypotheses[i][0]]
    return tokens, np.array([float(hypotheses[i][1]) for i in order], dtype=np.float64)


def unpack_hypotheses(tokens, log_probs):
    """The inverse of `pack_hypotheses`: list of (token list, log_prob), best first."""
    return [([int(t) for t in row if t != NO_TOKEN], float(lp)) for row, lp in zip(tokens, log_probs)]


def hypothesis_lengths(tokens):
    """(K,) int64 lengths of packed hypotheses: tokens before the NO_TOKEN filling, EOS included."""
    return np.sum(np.asarray(tokens) != NO_TOKEN, axis=1).astype(np.int64)


class ToyDecoder:
    """A tiny random recurrent decoder with the course's step interface, for testing search code.

        new_state = tanh(E[last_token] + state @ W)
        log_probs = log_softmax(new_state @ U + b),  b[eos_id] = eos_bias

    Weights are drawn from a seeded generator (float64). Two decoders with the
    same settings compare equal, so a test can see that a search left it unchanged.

    Parameters
    ----------
    vocab_size : int >= 2   V, the number of tokens (0 .. V-1)
    state_size : int >= 1   n
    seed : int
    eos_id : int            the end token, whose logit gets `eos_bias`
    eos_bias : float        raises (> 0) or lowers the chance of ending at each step
    scale : float           spread of the logits: larger makes the model surer of itself
    """

    def __init__(self, vocab_size, state_size, seed, eos_id, eos_bias=0.0, scale=2.0):
        rng = np.random.default_rng(seed)
        self.settings = (vocab_size, state_size, seed, eos_id, eos_bias, scale)
        self.embedding = rng.standard_normal((vocab_size, state_size))
        self.recurrent = rng.standard_normal((state_size, state_size)) / np.sqrt(state_size)
        self.output = scale * rng.standard_normal((state_size, vocab_size)) / np.sqrt(state_size)
        self.bias = rng.standard_normal(vocab_size) * 0.5
        self.bias[eos_id] += eos_bias
        self.vocab_size = vocab_size

    def initial_state(self, k=1):
        """(k, n) float64: a fixed start state (its own seeded draw), one row per hypothesis."""
        start = np.random.default_rng(self.settings[2] + 1).standard_normal(self.settings[1]) * 0.5
        return np.tile(start, (k, 1))

    def __call__(self, last_tokens, state):
        tokens = np.asarray(last_tokens, dtype=np.int64)
        state = np.asarray(state, dtype=np.float64)
        if tokens.ndim != 1 or state.ndim != 2 or len(tokens) != len(state):
            raise ValueError(f"step expects last_tokens (k,) and state (k, n) with the same k, got shapes "
                             f"{tokens.shape} and {state.shape}")
        new_state = np.tanh(self.embedding[tokens] + state @ self.recurrent)
        logits = new_state @ self.output + self.bias
        shifted = logits - logits.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)), new_state

    def __eq__(self, other):
        return isinstance(other, ToyDecoder) and self.settings == other.settings

    def __hash__(self):
        return hash(self.settings)

    def __repr__(self):
        return "ToyDecoder(vocab_size={}, state_size={}, seed={}, eos_id={}, eos_bias={}, scale={})".format(
            *self.settings)
