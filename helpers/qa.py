"""Given code for notebook 15 (extractive question answering): batches, logits, per-step Keras losses, answers.

The features these functions take are the dict the notebook's
`prepare_features` returns: int arrays "input_ids", "token_type_ids",
"attention_mask" (n_features, max_length), "offsets" (n_features,
max_length, 2) with -1 outside the context, "example_index",
"start_positions", "end_positions" (n_features,).
"""

import numpy as np

MODEL_INPUTS = ("input_ids", "token_type_ids", "attention_mask")


def batch_slices(n, batch_size):
    """slice objects covering 0 .. n-1 in order, batch_size at a time (the last one may be shorter).

    Raises
    ------
    ValueError  if batch_size < 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return [slice(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def select_features(features, rows):
    """The features of the given rows (an index array or a slice), every array cut the same way."""
    return {name: values[rows] for name, values in features.items()}


def torch_logits(model, features, batch_size=32):
    """(start_logits, end_logits), each float32 (n_features, max_length), of a transformers QA model in eval mode.

    model : a transformers model for question answering (outputs .start_logits and .end_logits)
    The model is put in eval mode and left there; no gradients are kept.
    """
    import torch

    model.eval()
    starts, ends = [], []
    with torch.no_grad():
        for rows in batch_slices(len(features["input_ids"]), batch_size):
            out = model(**{name: torch.as_tensor(features[name][rows]) for name in MODEL_INPUTS})
            starts.append(out.start_logits.numpy())
            ends.append(out.end_logits.numpy())
    return np.concatenate(starts).astype(np.float32), np.concatenate(ends).astype(np.float32)


def answers_from_spans(contexts, char_spans):
    """The predicted answer strings: contexts[i][start:end] for char_spans[i] = (start, end); "" where start < 0."""
    return [context[start:end] if start >= 0 else "" for context, (start, end) in zip(contexts, char_spans)]


def step_losses_from_running_means(running_means):
    """Per-batch losses from the running means Keras reports after each batch of one epoch.

    Keras's fit logs, after batch k (1-based), the mean m_k of the first k batch losses, so batch k's own
    loss is k m_k - (k - 1) m_{k-1}. running_means : sequence of floats of one epoch. Returns an ndarray.
    """
    means = np.asarray(running_means, dtype=float)
    k = np.arange(1, len(means) + 1)
    totals = k * means
    return np.diff(np.concatenate([[0.0], totals]))


def keras_step_logger():
    """A keras.callbacks.Callback whose `.losses` holds the loss of every training batch, in order, over all epochs.

    Uses step_losses_from_running_means on the running mean fit logs per epoch.
    """
    import keras

    class StepLosses(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.losses, self._epoch_means = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_means = []

        def on_train_batch_end(self, batch, logs=None):
            self._epoch_means.append(float(logs["loss"]))

        def on_epoch_end(self, epoch, logs=None):
            self.losses.extend(step_losses_from_running_means(self._epoch_means).tolist())

    return StepLosses()
