"""helpers/minilm.py: the pretrained encoder loads offline, agrees across Keras and PyTorch, tokenizes uncut."""

import os

import numpy as np
import pytest

from helpers import minilm

SENTENCES = ["Ada Lovelace wrote the first program in London .", "Grace Hopper", "a b c d e f g h i j k l m n o"]


@pytest.fixture(scope="module")
def tokenizer():
    return minilm.load_tokenizer()


@pytest.fixture(scope="module")
def encoding(tokenizer):
    return tokenizer(SENTENCES, padding=True, return_tensors="np")


@pytest.fixture(scope="module")
def keras_hidden(encoding):
    backbone = minilm.load_keras_backbone()
    import keras

    outputs = backbone(minilm.keras_inputs(encoding), training=False)
    return keras.ops.convert_to_numpy(outputs["sequence_output"])


def _torch_hidden(encoding, gelu):
    import torch

    model = minilm.load_torch_encoder(gelu=gelu)
    with torch.no_grad():
        return model(**{name: torch.as_tensor(values) for name, values in encoding.items()}).last_hidden_state.numpy()


def _max_gap_on_tokens(a, b, attention_mask):
    """Largest |a - b| over real tokens (padded positions hold unrelated values in each framework)."""
    real = np.asarray(attention_mask, dtype=bool)
    return float(np.max(np.abs(a - b)[real]))


def test_loading_sets_the_hub_offline():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    folder = minilm.model_dir()
    assert (folder / "model.safetensors").is_file()


def test_tokenizer_truncation_and_padding_are_reset(tokenizer):
    assert tokenizer.is_fast
    assert tokenizer.backend_tokenizer.truncation is None
    assert tokenizer.backend_tokenizer.padding is None
    long_text = " ".join(["word"] * 200)  # 200 pieces + [CLS] + [SEP]: past the stored limit of 128
    assert len(tokenizer.backend_tokenizer.encode(long_text).ids) == 202
    assert len(tokenizer(long_text)["input_ids"]) == 202
    assert len(tokenizer(["a", "a b c"])["input_ids"][0]) == 3  # no padding unless asked
    assert len(tokenizer(long_text, truncation=True, max_length=32)["input_ids"]) == 32  # a call still decides


def test_keras_inputs_renames_and_rejects_ragged_rows(encoding):
    inputs = minilm.keras_inputs(encoding)
    assert sorted(inputs) == ["padding_mask", "segment_ids", "token_ids"]
    assert all(v.dtype == np.int32 and v.shape == encoding["input_ids"].shape for v in inputs.values())
    np.testing.assert_array_equal(inputs["token_ids"], encoding["input_ids"])
    with pytest.raises(ValueError, match="padding=True"):
        minilm.keras_inputs({"input_ids": [[1, 2], [1]], "attention_mask": [[1, 1], [1]]})
    with pytest.raises(ValueError, match="attention_mask"):
        minilm.keras_inputs({"input_ids": [[1, 2]]})


def test_torch_encoder_rejects_an_unknown_gelu():
    with pytest.raises(ValueError, match="exact"):
        minilm.load_torch_encoder(gelu="fast")


def test_keras_and_torch_hidden_states_agree_with_the_same_gelu(encoding, keras_hidden):
    torch_hidden = _torch_hidden(encoding, gelu="tanh")
    assert keras_hidden.shape == torch_hidden.shape == encoding["input_ids"].shape + (minilm.HIDDEN_SIZE,)
    # the same function in float32 on both sides; only the order of the sums differs. Activations reach
    # about 6, so float32 rounding (6e-7 relative) compounded over 6 layers stays far below 1e-4 (measured 3e-6)
    assert _max_gap_on_tokens(keras_hidden, torch_hidden, encoding["attention_mask"]) < 1e-4


def test_keras_and_torch_differ_only_by_the_gelu_approximation(encoding, keras_hidden):
    torch_hidden = _torch_hidden(encoding, gelu="exact")
    gap = _max_gap_on_tokens(keras_hidden, torch_hidden, encoding["attention_mask"])
    # tanh GELU and erf GELU differ by at most ~2e-4 per unit; 6 layers compound that to a few 1e-3 (measured
    # 3e-3). 2e-2 is a bound that a wrong weight (differences of order 1) would break
    assert gap < 2e-2
    assert gap > 1e-5  # and the exact form really is another function: the tanh test above is not vacuous


def test_a_different_input_changes_the_hidden_states(tokenizer, encoding, keras_hidden):
    """The agreement tests can fail: another sentence gives states far outside their tolerance."""
    other = tokenizer(["Linus Torvalds wrote a kernel in Helsinki today .", "Alan Turing", SENTENCES[2]],
                      padding="max_length", truncation=True, max_length=encoding["input_ids"].shape[1], return_tensors="np")
    torch_hidden = _torch_hidden(other, gelu="tanh")
    assert _max_gap_on_tokens(keras_hidden, torch_hidden, encoding["attention_mask"]) > 0.1
