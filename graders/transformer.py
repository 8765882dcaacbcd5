"""Checks for notebook 13, transformer: attention, multi-head attention and the Transformer's layers, from scratch.

Every piece is graded by behaviour (graders.behaviour), never by a framework's
random numbers: the student's layer is built, every weight it holds gets a
value drawn from a seeded numpy generator (by the attribute names the given
`__init__` code creates: wq, wk, wv, dense, ffn, layernorm1, ...), and what
it computes is compared with a trusted oracle holding the same weights:

- scaled_dot_product_attention and MultiHeadAttention: `keras.layers.MultiHeadAttention`
  (the same weights, reshaped to its per-head kernels) for the multi-head
  layer, a float64 numpy oracle for everything;
- the layers, the stacks and the whole Transformer: the numpy oracle of this
  module, which a test checks against `keras.layers.MultiHeadAttention`,
  `keras.layers.LayerNormalization` and the notebook's reference.

Invariants are checked beside the values, each with its own hint: attention
rows sum to 1 and blocked keys get zero weight; the output at step t does not
change when later target tokens change (causality); padding does not change
the outputs at real tokens; two calls with training=False agree and a call
with training=True differs (dropout acts in training only); the parameter
count equals the formula. When values are wrong, the oracle is replayed with
each known bug (√d_model for √d_k, a mask of the wrong polarity or applied
after the softmax, a missing residual or layer norm, heads merged in the wrong
order, cross-attention fed the decoder's own states, ...) to name it.

Masks follow the course's polarity (helpers.attention: 1.0 = may attend) and
shapes: padding (m, 1, T_x), look-ahead (1, T, T). Layout: batch first.

Source: Vaswani et al. (2017), "Attention Is All You Need", sections 3.1-3.5.
"""

import numpy as np

from graders import behaviour, probe
from graders.assignment import Assignment
from graders.behaviour import require_shape
from graders.messages import fail, type_name
from graders.probe import Observation
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output, table_cases
from helpers import attention
from helpers import transformer as given

GRADER = Assignment.of_module(__name__)

# A stack of float32 layers (attention, layer norms, a feed-forward network; up to two encoder and two
# decoder layers) against the float64 oracle: outputs of size ~1-5 agree to ~1e-6 relative, a few 1e-6
# absolute; 1e-4 leaves room for other CPUs. Every known bug moves some output by more than 1e-2.
STACK_ATOL = 1e-4
ROW_SUM_TOL = 1e-5  # a float32 softmax row sums to 1 within a few 1e-7
BLOCKED_WEIGHT_TOL = 1e-6  # exp(BLOCKED_SCORE) is exactly 0; a blocked key that is not masked gets ~1e-2 or more
DROPOUT_RATE = 0.5  # the layers graded for dropout are built with this rate: a training call drops half the units
_QK_GAIN, _DENSE_GAIN, _BIAS_SCALE = 1.4, 1.0, 0.1  # weight scales (over sqrt(n_in)): attention far from uniform
_NORM_SCALE = 0.2  # layer-norm gains 1 + 0.2 N(0, 1) and offsets 0.2 N(0, 1): a norm's weights matter

# --------------------------------------------------------------------------- hints

HINT_NOT_SCALED = "the scores are not scaled: divide q k^T by sqrt(d_k), d_k = the last axis of k"
HINT_SCALED_BY_D_K = "the scores are divided by d_k: divide by its square root, sqrt(d_k)"
HINT_POLARITY = (f"the mask's polarity is inverted: in this course {attention.MAY_ATTEND:g} = may attend "
                 f"(helpers.attention), so the keys where the mask is {attention.BLOCKED:g} get the large negative "
                 f"score attention.BLOCKED_SCORE")
HINT_AFTER_SOFTMAX = ("the mask is applied after the softmax: the rows no longer sum to 1; add the large negative "
                      "score to the blocked keys before the softmax")
HINT_SOFTMAX_AXIS = ("the softmax runs over the queries: take it over the last axis (the keys), so that each query's "
                     "weights sum to 1")
HINT_MASK_IGNORED = "the mask is ignored: blocked keys get weight; add BLOCKED_SCORE where the mask is 0"
HINT_ROWS = "each query's attention weights must sum to 1 (a softmax over the keys, the last axis)"
HINT_BLOCKED = "keys the mask blocks must get zero weight: give them the score attention.BLOCKED_SCORE before the softmax"
HINT_RETURN_PAIR = "return two tensors: output, attention_weights"

HINT_MERGE_ORDER = ("the heads are merged in the wrong order: transpose (m, heads, T, depth) back to "
                    "(m, T, heads, depth) before the reshape to (m, T, d_model)")
HINT_SPLIT = ("the heads are split by a plain reshape to (m, heads, T, depth), which mixes positions: reshape to "
              "(m, T, heads, depth) first, then transpose to (m, heads, T, depth)")
HINT_NO_PROJECTION = "the merged heads are not projected: pass them through self.dense (W^O)"
HINT_SQRT_D_MODEL = ("the scores are scaled by sqrt(d_model): each head attends in depth = d_model / num_heads "
                     "dimensions, so scale by sqrt(depth)")
HINT_MASK_HEADS = ("the mask meets the scores on the wrong axes: add a head axis, mask (m, 1, T_q, T_k), so that one "
                   "sequence's mask applies to all its heads")
HINT_VALUE_FROM_KEY = "the values are computed from `key`: v = wv(value)"

HINT_INFERENCE = ("two calls with training=False gave different outputs: dropout acts at inference; call each "
                  "Dropout with training=training")
HINT_NO_DROPOUT = ("a call with training=True gave the same outputs as with training=False: apply the dropout layers "
                   "(with training=training)")
HINT_PADDING = ("changing the padded positions changed the outputs at real tokens: pass the padding mask to the "
                "attention")
HINT_CAUSAL = ("the output at step t changed when a later target token changed: the decoder's self-attention needs "
               "the look-ahead mask")
HINT_RESIDUAL_1 = "the residual connection around the attention is missing: layernorm1(x + attention output)"
HINT_RESIDUAL_2 = "the residual connection around the feed-forward network is missing: layernorm2(out1 + ffn output)"
HINT_FFN_INPUT = "the feed-forward network reads x: it reads out1, the output of the attention sublayer"
HINT_PRE_NORM = ("the layer norm is applied before the sublayer (pre-norm): this Transformer normalizes after "
                 "adding the residual, layernorm(x + sublayer(x))")

HINT_EMBEDDING_NOT_SCALED = "the embeddings are not scaled: multiply them by sqrt(d_model) before adding the encoding"
HINT_EMBEDDING_BY_D_MODEL = "the embeddings are multiplied by d_model: multiply by its square root, sqrt(d_model)"
HINT_EMBEDDING_BY_DEPTH = ("the embeddings are scaled by sqrt(d_model / num_heads), the per-head sqrt(d_k) of "
                           "attention: the embedding factor is sqrt(d_model)")
HINT_NO_ENCODING = "the positional encoding is missing: add self.pos_encoding[:, :T, :] to the scaled embeddings"
HINT_ENCODING_SCALED = ("the encoding is scaled too: multiply the embeddings alone by sqrt(d_model), then add the "
                        "encoding")
HINT_NOT_CHAINED = "each layer must read the output of the layer before it: x = layer(x, ...)"

HINT_CROSS_OWN = ("the cross-attention reads the decoder's own states: its keys and values are the encoder's output, "
                  "its queries out1")
HINT_CROSS_QUERY = "the cross-attention's queries are x: they are out1, the output of the masked self-attention"
HINT_RESIDUAL_CROSS = "the residual connection around the cross-attention is missing: layernorm2(out1 + its output)"
HINT_MAPS_SWAPPED = ("the attention maps are swapped: return the self-attention weights (block 1) first, then the "
                     "cross-attention weights (block 2)")
HINT_CROSS_UNMASKED = "the cross-attention ignores the padding mask: pass padding_mask to it"

HINT_SOFTMAX_OUTPUT = ("the model returns probabilities: return the final layer's scores (logits); the loss takes "
                       "from_logits=True and argmax needs no softmax")
HINT_PAD_ID = "the padding mask compares with 0: compare the encoder's inputs with self.pad_id"
HINT_KEYS = "return the attention weights in a dict keyed decoder_layer{i}_block1 and decoder_layer{i}_block2, i from 1"


def never_called_hint(path):
    return (f"{path} holds no weights: it was never called; every layer created in __init__ has its place in call "
            f"(create no layer inside call)")


# --------------------------------------------------------------------------- parameter counts


def mha_params(d_model):
    """wq, wk, wv and the output projection: four Dense(d_model) on d_model features."""
    return 4 * behaviour.dense_params(d_model, d_model)


def ffn_params(d_model, dff):
    return behaviour.dense_params(d_model, dff) + behaviour.dense_params(dff, d_model)


def layer_norm_params(d_model):
    return 2 * d_model  # a gain and an offset per feature


def encoder_layer_params(d_model, dff):
    return mha_params(d_model) + ffn_params(d_model, dff) + 2 * layer_norm_params(d_model)


def decoder_layer_params(d_model, dff):
    return 2 * mha_params(d_model) + ffn_params(d_model, dff) + 3 * layer_norm_params(d_model)


def encoder_params(num_layers, d_model, dff, vocab_size):
    return behaviour.embedding_params(vocab_size, d_model) + num_layers * encoder_layer_params(d_model, dff)


def decoder_params(num_layers, d_model, dff, vocab_size):
    return behaviour.embedding_params(vocab_size, d_model) + num_layers * decoder_layer_params(d_model, dff)


def transformer_params(num_layers, d_model, dff, input_vocab_size, target_vocab_size, n_outputs):
    """Parameters of the whole Transformer: encoder, decoder and the final Dense(n_outputs) (Vaswani et al. 2017)."""
    return (encoder_params(num_layers, d_model, dff, input_vocab_size)
            + decoder_params(num_layers, d_model, dff, target_vocab_size)
            + behaviour.dense_params(d_model, n_outputs))


# --------------------------------------------------------------------------- weights: drawn, then set by name


def _dense(rng, n_in, n_out, gain=_DENSE_GAIN):
    return [rng.standard_normal((n_in, n_out)) * gain / np.sqrt(n_in), rng.standard_normal(n_out) * _BIAS_SCALE]


def _norm(rng, d):
    return [1 + rng.standard_normal(d) * _NORM_SCALE, rng.standard_normal(d) * _NORM_SCALE]


def draw_mha(rng, d):
    return {"wq": _dense(rng, d, d, _QK_GAIN), "wk": _dense(rng, d, d, _QK_GAIN), "wv": _dense(rng, d, d),
            "dense": _dense(rng, d, d)}


def draw_encoder_layer(rng, d, dff):
    return {"mha": draw_mha(rng, d), "ffn": [_dense(rng, d, dff), _dense(rng, dff, d)],
            "layernorm1": _norm(rng, d), "layernorm2": _norm(rng, d)}


def draw_decoder_layer(rng, d, dff):
    return {"mha1": draw_mha(rng, d), "mha2": draw_mha(rng, d), "ffn": [_dense(rng, d, dff), _dense(rng, dff, d)],
            "layernorm1": _norm(rng, d), "layernorm2": _norm(rng, d), "layernorm3": _norm(rng, d)}


def draw_stack(rng, dims, vocab_size, stack):
    """An Encoder's (stack="enc_layers") or a Decoder's ("dec_layers") weights: the embedding, then its layers."""
    draw_layer = draw_encoder_layer if stack == "enc_layers" else draw_decoder_layer
    return {"embedding": rng.standard_normal((vocab_size, dims["d_model"])),
            stack: [draw_layer(rng, dims["d_model"], dims["dff"]) for _ in range(dims["num_layers"])]}


def draw_weights(kind, dims, seed):
    """The weights of one graded layer as nested dicts of float32 arrays (the attribute names of `__init__`)."""
    rng = np.random.default_rng(seed)
    d = dims["d_model"]
    if kind == "multi_head_attention":
        weights = draw_mha(rng, d)
    elif kind == "encoder_layer":
        weights = draw_encoder_layer(rng, d, dims["dff"])
    elif kind == "decoder_layer":
        weights = draw_decoder_layer(rng, d, dims["dff"])
    elif kind == "encoder":
        weights = draw_stack(rng, dims, dims["vocab_size"], "enc_layers")
    elif kind == "decoder":
        weights = draw_stack(rng, dims, dims["vocab_size"], "dec_layers")
    else:
        weights = {"encoder": draw_stack(rng, dims, dims["input_vocab_size"], "enc_layers"),
                   "decoder": draw_stack(rng, dims, dims["target_vocab_size"], "dec_layers"),
                   "final_layer": _dense(rng, d, dims["n_outputs"])}
    return _as_float32(weights)


def _as_float32(tree):
    if isinstance(tree, dict):
        return {k: _as_float32(v) for k, v in tree.items()}
    if isinstance(tree, list) and all(isinstance(v, np.ndarray) for v in tree):
        return [v.astype(np.float32) for v in tree]  # the weights of one Keras layer
    if isinstance(tree, list):
        return [_as_float32(v) for v in tree]
    return np.asarray(tree, dtype=np.float32)


class _Missing(Exception):
    """A layer lacks an attribute the given __init__ creates."""


def _leaf_layers(layer, weights, path):
    """(path, keras layer, [arrays]) of every layer that holds weights, found by the attribute names of `weights`."""
    if isinstance(weights, np.ndarray):
        return [(path, layer, [weights])]
    if isinstance(weights, list) and all(isinstance(v, np.ndarray) for v in weights):
        return [(path, layer, weights)]
    found = []
    if isinstance(weights, list):  # the layers of a Sequential (ffn), or of a stack (enc_layers)
        items = list(layer) if isinstance(layer, (list, tuple)) else list(getattr(layer, "layers", []))
        if len(items) != len(weights):
            raise _Missing(f"{path} holds {len(items)} layers, expected {len(weights)}")
        for i, (item, part) in enumerate(zip(items, weights)):
            found += _leaf_layers(item, part, f"{path}[{i}]")
        return found
    for attribute, part in weights.items():
        if not hasattr(layer, attribute):
            raise _Missing(f"{path} has no attribute {attribute}")
        found += _leaf_layers(getattr(layer, attribute), part, f"{path}.{attribute}")
    return found


def set_weights(func_name, case, layer, weights):
    """Give every sublayer of `layer` its drawn weights; a sublayer without weights (never called) fails."""
    try:
        leaves = _leaf_layers(layer, weights, "self")
    except _Missing as missing:
        fail(func_name, case, str(missing), "hint:   keep the given __init__ code unchanged")
    for where, leaf, arrays in leaves:
        held = leaf.get_weights()
        if not held:
            fail(func_name, case, f"{where} holds no weights after a call", f"hint:   {never_called_hint(where)}")
        if [tuple(w.shape) for w in held] != [a.shape for a in arrays]:
            fail(func_name, case, f"{where} holds weights of shapes {[tuple(w.shape) for w in held]}, expected "
                 f"{[a.shape for a in arrays]}", "hint:   call each layer on the inputs the docstring names")
        leaf.set_weights(arrays)


# --------------------------------------------------------------------------- the numpy oracle (float64)


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _dense_apply(x, kernel_bias):
    kernel, bias = kernel_bias
    return x @ np.asarray(kernel, dtype=float) + np.asarray(bias, dtype=float)


def attend(q, k, v, mask=None, scale="sqrt_d_k", polarity=1, after_softmax=False, axis=-1, use_mask=True):
    """Oracle of scaled_dot_product_attention: (output (..., T_q, d_v), weights (..., T_q, T_k)).

    Blocked keys get the score BLOCKED_SCORE itself (in float32, score + BLOCKED_SCORE rounds to it).
    The keywords replay known bugs: scale ("none", "d_k" or a number: the divisor), polarity=0 (the mask
    inverted), after_softmax=True (the weights multiplied by the mask), axis=-2, use_mask=False.
    """
    q, k, v = (np.asarray(x, dtype=float) for x in (q, k, v))
    d_k = k.shape[-1]
    divisor = {"sqrt_d_k": np.sqrt(d_k), "none": 1.0, "d_k": float(d_k)}.get(scale, scale)
    scores = q @ np.swapaxes(k, -1, -2) / divisor
    if mask is not None and use_mask:
        allowed = np.asarray(mask, dtype=float)
        allowed = allowed if polarity == 1 else 1.0 - allowed
        if not after_softmax:
            scores = np.where(allowed > 0.5, scores, attention.BLOCKED_SCORE)
    weights = _softmax(scores, axis)
    if mask is not None and use_mask and after_softmax:
        weights = weights * allowed
    return weights @ v, weights


def mha(query, key, value, mask, w, num_heads, split="transpose", merge="transpose", project=True,
        scale="sqrt_d_k", head_axis=True, value_from="value", polarity=1):
    """Oracle of MultiHeadAttention.call: (output (m, T_q, d_model), weights (m, heads, T_q, T_k)).

    The keywords replay known bugs (split="reshape", merge="wrong", project=False, scale=sqrt(d_model),
    head_axis=False, value_from="key"); a bug whose shapes cannot meet raises ValueError.
    """
    query, key, value = (np.asarray(x, dtype=float) for x in (query, key, value))
    d_model = query.shape[-1]
    depth = d_model // num_heads

    def heads(x):
        m, T = x.shape[:2]
        if split == "reshape":
            return x.reshape(m, num_heads, T, depth)
        return x.reshape(m, T, num_heads, depth).transpose(0, 2, 1, 3)

    q = heads(_dense_apply(query, w["wq"]))
    k = heads(_dense_apply(key, w["wk"]))
    v = heads(_dense_apply(key if value_from == "key" else value, w["wv"]))
    if mask is not None:
        mask = np.asarray(mask, dtype=float)
        mask = mask[:, None] if head_axis else mask  # without the head axis numpy meets (m, 1, T_k) with (H, T_q, T_k)
    out, weights = attend(q, k, v, mask, scale=scale, polarity=polarity)
    m, T_q = query.shape[:2]
    order = (0, 2, 1, 3) if merge == "transpose" else (0, 2, 3, 1)
    merged = out.transpose(order).reshape(m, T_q, d_model)
    return (_dense_apply(merged, w["dense"]) if project else merged), weights


def layer_norm(x, gain_offset):
    """keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPSILON) over the last axis, in float64."""
    gain, offset = (np.asarray(a, dtype=float) for a in gain_offset)
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred ** 2, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + given.LAYER_NORM_EPSILON) * gain + offset


def feed_forward(x, w):
    return _dense_apply(np.maximum(_dense_apply(x, w[0]), 0.0), w[1])


def encoder_layer(x, mask, w, num_heads, residual1=True, residual2=True, norm="post", ffn_reads="out1"):
    """Oracle of EncoderLayer.call at inference (dropout off): (m, T, d_model).

    The keywords replay known bugs: residual1/residual2=False, norm="pre", ffn_reads="x".
    """
    x = np.asarray(x, dtype=float)
    if norm == "pre":
        a, _ = mha(*(layer_norm(x, w["layernorm1"]),) * 3, mask, w["mha"], num_heads)
        out1 = x + a
        return out1 + feed_forward(layer_norm(out1, w["layernorm2"]), w["ffn"])
    a, _ = mha(x, x, x, mask, w["mha"], num_heads)
    out1 = layer_norm(x + a if residual1 else a, w["layernorm1"])
    f = feed_forward(out1 if ffn_reads == "out1" else x, w["ffn"])
    return layer_norm(out1 + f if residual2 else f, w["layernorm2"])


def embed(ids, table, num_heads, scale="sqrt_d_model", encoding=True, scale_encoding=False):
    """Embedding x sqrt(d_model) + the sinusoidal encoding, in float64 (dropout off)."""
    table = np.asarray(table, dtype=float)
    d_model = table.shape[1]
    factor = {"sqrt_d_model": np.sqrt(d_model), "none": 1.0, "d_model": float(d_model),
              "sqrt_depth": np.sqrt(d_model // num_heads)}[scale]
    x = table[np.asarray(ids)]
    pe = given.sinusoidal_encoding(x.shape[1], d_model)[0].astype(float) if encoding else 0.0
    return (x + pe) * factor if scale_encoding else x * factor + pe


def encoder(ids, mask, w, num_heads, chained=True, **embed_bug):
    """Oracle of Encoder.call at inference: (m, T, d_model); chained=False feeds every layer the embeddings."""
    x = first = embed(ids, w["embedding"], num_heads, **embed_bug)
    for layer_w in w["enc_layers"]:
        x = encoder_layer(x if chained else first, mask, layer_w, num_heads)
    return x


def decoder_layer(x, enc_output, look_ahead, padding, w, num_heads, cross_kv="encoder", cross_query="out1",
                  use_padding=True, residual2=True, swap_maps=False):
    """Oracle of DecoderLayer.call at inference: (out3 (m, T_y, d_model), block1 weights, block2 weights)."""
    x, enc_output = np.asarray(x, dtype=float), np.asarray(enc_output, dtype=float)
    a1, w1 = mha(x, x, x, look_ahead, w["mha1"], num_heads)
    out1 = layer_norm(x + a1, w["layernorm1"])
    kv = enc_output if cross_kv == "encoder" else out1  # cross_kv="self": the self-attention's line copied
    cross_mask = (padding if use_padding else None) if cross_kv == "encoder" else look_ahead
    a2, w2 = mha(out1 if cross_query == "out1" else x, kv, kv, cross_mask, w["mha2"], num_heads)
    out2 = layer_norm(out1 + a2 if residual2 else a2, w["layernorm2"])
    out3 = layer_norm(out2 + feed_forward(out2, w["ffn"]), w["layernorm3"])
    return (out3, w2, w1) if swap_maps else (out3, w1, w2)


def decoder(ids, enc_output, look_ahead, padding, w, num_heads, chained=True, **embed_bug):
    """Oracle of Decoder.call at inference: (x (m, T, d_model), {decoder_layer{i}_block{1,2}: weights})."""
    x = first = embed(ids, w["embedding"], num_heads, **embed_bug)
    maps = {}
    for i, layer_w in enumerate(w["dec_layers"], start=1):
        x, w1, w2 = decoder_layer(x if chained else first, enc_output, look_ahead, padding, layer_w, num_heads)
        maps[f"decoder_layer{i}_block1"], maps[f"decoder_layer{i}_block2"] = w1, w2
    return x, maps


def transformer(encoder_ids, decoder_ids, w, num_heads, pad_id, look_ahead=True, polarity=1, probabilities=False,
                encoder_mask=True):
    """Oracle of Transformer.call at inference: logits (m, T_y, n_outputs). The keywords replay known bugs
    (look_ahead=False, polarity=0, probabilities=True, encoder_mask=False; a pad_id other than the model's)."""
    padding = (np.asarray(encoder_ids) != pad_id).astype(float)[:, None, :]
    padding = padding if polarity == 1 else 1.0 - padding
    T_y = np.asarray(decoder_ids).shape[1]
    enc_output = encoder(encoder_ids, padding if encoder_mask else None, w["encoder"], num_heads)
    look_ahead_mask = np.tril(np.ones((T_y, T_y)))[None] if look_ahead else None
    x, _ = decoder(decoder_ids, enc_output, look_ahead_mask, padding, w["decoder"], num_heads)
    logits = _dense_apply(x, w["final_layer"])
    return _softmax(logits) if probabilities else logits


def replay(oracle, bugs, atol):
    """(expected, {hint: leaves}) as behaviour.replay, the leaves in float32 (as a student's Keras layer computes
    them), leaving out a bug whose shapes cannot meet on this case."""
    expected = _float32(oracle())
    found = {}
    for hint, kwargs in bugs:
        try:
            leaves = _float32(oracle(**kwargs))
        except ValueError:  # e.g. a mask broadcast against the wrong axes: the bug raises there, nothing to name
            continue
        if behaviour.differs(leaves, {p: expected[p] for p in leaves}, atol):
            found[hint] = leaves
    return expected, found


def _float32(leaves):
    return {path: np.asarray(value, dtype=np.float32) for path, value in leaves.items()}


# --------------------------------------------------------------------------- cases, and running the student's layers

INPUT_SEED_OFFSET = 1000  # a case's inputs come from a generator of seed + 1000, its layer's weights from seed
MAX_POSITION_MARGIN = 4  # the layers are built for more positions than any case uses, so the slice [:T] matters


def _course_mask(rng, m, T_q, T_k, kind):
    """A mask (m, 1, T_k) with padding in every sequence, or (1, T, T) look-ahead, or None."""
    if kind == "look_ahead":
        return np.tril(np.ones((T_q, T_k), dtype=np.float32))[None]
    if kind == "padding":
        lengths = rng.integers(max(1, T_k // 2), T_k, size=m)  # some padding in every sequence
        return (np.arange(T_k)[None, :] < lengths[:, None]).astype(np.float32)[:, None, :]
    return None


def _seeded_cases(table, draw_inputs):
    """build_cases of a layer's case table {suite: {name: (seed, dims)}}: data {"seed": of the layer's weights,
    "inputs": draw_inputs(rng, dims)}, rng a generator of seed + INPUT_SEED_OFFSET."""

    def build(name, entry):
        seed, dims = entry
        inputs = draw_inputs(np.random.default_rng(seed + INPUT_SEED_OFFSET), dims)
        return Case(name, dims, data={"seed": seed, "inputs": list(inputs)})

    return table_cases(table, build)


def _numpy(func_name, case, value, what):
    try:
        return behaviour.to_numpy(value)
    except Exception:  # anything that is not a tensor
        fail(func_name, case, f"{what} is {type_name(value)}, expected a tensor",
             "hint:   return the tensors the docstring names")


def _tensors(func_name, case, result, names, hint):
    """The arrays of the tensors a call returned, named `names`; another number of values fails with `hint`."""
    if not isinstance(result, (list, tuple)) or len(result) != len(names):
        fail(func_name, case, f"returned {type_name(result)}, expected {len(names)} tensors ({', '.join(names)})",
             f"hint:   {hint}")
    return [_numpy(func_name, case, value, what) for value, what in zip(result, names)]


def _instance(func, func_name, case, args):
    """The Keras layer func(*args) makes (a class of the notebook), marked to build on its first call."""
    import keras

    layer = probe.call_student(func, func_name, case, list(args), {})
    if not isinstance(layer, keras.layers.Layer):
        fail(func_name, case, f"{func_name}(...) made {type_name(layer)}, expected a Keras layer",
             "hint:   keep the class statement and its __init__ as they were given")
    _build_on_first_call(layer)
    return layer


def _build_on_first_call(layer):
    """Let the layer's first eager call create its weights, skipping Keras's symbolic trial run.

    A layer with no build() method of its own is built by Keras running its call() once on
    symbolic inputs, and each nested layer of that kind runs again inside its parent's run: for a
    Transformer that is about two thirds of a check's time. Marked as built, such a layer goes
    straight to its eager call, where the layers that do own weights (Dense, Embedding,
    LayerNormalization) build themselves as usual. The values computed are the same; only the
    time differs. Layers with a build() of their own are left to it.
    """
    import keras

    try:
        for part in layer._flatten_layers(include_self=True, recursive=True):
            if not part.built and type(part).build is keras.layers.Layer.build:
                part.built = True
    except Exception:  # not a plain Keras layer tree: Keras builds it its own way, on the first call
        return


def _call(layer, func_name, case, args, kwargs):
    """layer(*args, **kwargs), any error failing with `case` (the stub's NotImplementedError says so)."""
    return probe.call_student(layer, func_name, case, list(args), dict(kwargs))


def _weighted_run(func_name, case, layer, run):
    """run(False) of the layer holding the case's drawn weights: a first run(False) builds every sublayer."""
    run(False)
    set_weights(func_name, case, layer, draw_weights(func_name, case.dims, case.data["seed"]))
    return run(False)


def _same(a, b):
    """Two runs of the student's layer agree (float32 round-off apart)."""
    return a.shape == b.shape and bool(np.allclose(a, b, atol=FLOAT32_ATOL, rtol=0))


def _dropout_facts(run, reference):
    """{"same_at_inference", "dropout_in_training"} of run(training) -> ndarray, reference = run(False)."""
    return {"same_at_inference": _same(run(False), reference), "dropout_in_training": not _same(run(True), reference)}


_DROPOUT_FACTS = {"same_at_inference": (True, HINT_INFERENCE, ""), "dropout_in_training": (True, HINT_NO_DROPOUT, "")}


def _later_changed(values, t, rng):
    """values (m, T, ...) with new values after step t: random vectors, or token ids shifted by one."""
    changed = values.copy()
    if np.issubdtype(values.dtype, np.integer):
        changed[:, t + 1:] = (changed[:, t + 1:] + 1) % (values.max() + 1)
    else:
        changed[:, t + 1:] = rng.standard_normal(changed[:, t + 1:].shape).astype(values.dtype)
    return changed


def _causal(run, inputs, out, seed):
    """True when changing the inputs after step t leaves the outputs up to t unchanged (t = the middle step)."""
    T = inputs.shape[1]
    if T < 2:
        return None  # nothing comes later
    t = (T - 1) // 2
    moved = run(False, _later_changed(inputs, t, np.random.default_rng(seed)))
    return _same(moved[:, :t + 1], out[:, :t + 1])


def _causal_fact(T):
    """The expected fact of _causal over T steps: {} when T < 2 (nothing comes later)."""
    return {"causal": (True, HINT_CAUSAL, "")} if T > 1 else {}


def _verdict(oracle, bugs, facts, count=None, atol=STACK_ATOL):
    """expect()'s (expected leaves, {hint: leaves}): oracle() and the known bugs it replays (replay), the facts
    {fact: (expected, hint when False, hint when True)}, and the parameter count {layer: n} when given."""
    expected, bug_leaves = replay(oracle, bugs, atol)
    fact_expected, fact_bugs = behaviour.expected_facts(facts)
    counted = behaviour.expected_count(count) if count else {}
    return {**expected, **fact_expected, **counted}, {**bug_leaves, **fact_bugs}


# --------------------------------------------------------------------------- scaled_dot_product_attention

SDPA_SPEC = FunctionSpec(
    "scaled_dot_product_attention", (Output("output"), Output("attention_weights")), inputs=("q", "k", "v", "mask"),
    default_hint="scores = q k^T / sqrt(d_k); BLOCKED_SCORE where the mask is 0; softmax over the last axis (keys); "
                 "output = weights v",
    atol=FLOAT32_ATOL, rtol=0)  # a few float32 matrix products against float64: ~1e-6; every bug moves > 1e-2
_SDPA_CASES = {
    "public": {"padding_mask": (1, dict(lead=(2,), T_q=4, T_k=5, d_k=6, d_v=3, mask="padding")),
               "look_ahead_with_heads": (2, dict(lead=(2, 3), T_q=5, T_k=5, d_k=4, d_v=4, mask="look_ahead"))},
    "hidden": {"no_mask": (101, dict(lead=(3,), T_q=2, T_k=6, d_k=8, d_v=5, mask=None)),
               "one_query": (102, dict(lead=(1, 2), T_q=1, T_k=7, d_k=3, d_v=2, mask="padding")),
               "full_mask_per_query": (103, dict(lead=(2,), T_q=6, T_k=4, d_k=16, d_v=6, mask="random"))},
}
QK_SCALE = 1.5  # q and k are 1.5 N(0, 1): scores of a few units, attention far from uniform


def _sdpa_mask(rng, lead, T_q, T_k, kind):
    """A mask in the course's polarity; every query keeps at least one key and some key is blocked."""
    if kind == "look_ahead":
        return np.tril(np.ones((T_q, T_k), dtype=np.float32)).reshape((1,) * len(lead) + (T_q, T_k))
    m = lead[0]
    extra = (1,) * (len(lead) - 1)  # a head axis of size 1
    if kind == "padding":
        lengths = rng.integers(1, T_k, size=m)  # at least one real token and one pad
        keep = (np.arange(T_k)[None, :] < lengths[:, None]).astype(np.float32)
        return keep.reshape((m,) + extra + (1, T_k))
    keep = (rng.random((m,) + extra + (T_q, T_k)) < 0.6).astype(np.float32)
    keep[..., 0] = 1.0  # every query may attend to something
    return keep


def _sdpa_case(name, entry):
    seed, dims = entry
    rng = np.random.default_rng(seed)
    lead, T_q, T_k = dims["lead"], dims["T_q"], dims["T_k"]
    q, k = (rng.standard_normal(lead + (T, dims["d_k"])) * QK_SCALE for T in (T_q, T_k))
    v = rng.standard_normal(lead + (T_k, dims["d_v"]))
    mask = _sdpa_mask(rng, lead, T_q, T_k, dims["mask"]) if dims["mask"] else None
    shown = {"batch": "x".join(map(str, lead)), **{k_: dims[k_] for k_ in ("T_q", "T_k", "d_k", "d_v")},
             "mask": dims["mask"] or "None"}
    return Case(name, shown, args=(q.astype(np.float32), k.astype(np.float32), v.astype(np.float32), mask))


def _observe_sdpa(func, case):
    result, changed = behaviour.call_checked(func, SDPA_SPEC, case, case.args)
    output, weights = _tensors(SDPA_SPEC.name, case, result, SDPA_SPEC.output_names(), HINT_RETURN_PAIR)
    q, k, v, mask = case.args
    require_shape(SDPA_SPEC.name, case, "output", output, q.shape[:-1] + v.shape[-1:],
                  "output = weights v: (..., T_q, d_v)")
    require_shape(SDPA_SPEC.name, case, "attention_weights", weights, q.shape[:-1] + k.shape[-2:-1],
                  "one weight per query and key: (..., T_q, T_k)")
    facts = {"rows_sum_to_one": bool(np.all(np.abs(weights.sum(axis=-1) - 1) <= ROW_SUM_TOL))}
    if mask is not None:
        blocked = np.broadcast_to(mask == attention.BLOCKED, weights.shape)
        facts["blocked_keys_weightless"] = bool(np.all(np.abs(weights[blocked]) <= BLOCKED_WEIGHT_TOL))
    return Observation(case.name, {"output": output, "attention_weights": weights, **behaviour.fact_leaves(facts)},
                       changed)


_SDPA_BUGS = ((HINT_AFTER_SOFTMAX, {"after_softmax": True}), (HINT_POLARITY, {"polarity": 0}),
              (HINT_MASK_IGNORED, {"use_mask": False}), (HINT_SOFTMAX_AXIS, {"axis": -2}),
              (HINT_NOT_SCALED, {"scale": "none"}), (HINT_SCALED_BY_D_K, {"scale": "d_k"}))


def _expect_sdpa(case):
    q, k, v, mask = case.args

    def oracle(**bug):
        return dict(zip(SDPA_SPEC.output_names(), attend(q, k, v, mask, **bug)))

    facts = {"rows_sum_to_one": (True, HINT_ROWS, "")}
    if mask is not None:
        facts["blocked_keys_weightless"] = (True, HINT_BLOCKED, "")
    return _verdict(oracle, _SDPA_BUGS, facts, atol=FLOAT32_ATOL)


GRADER.add(SDPA_SPEC, table_cases(_SDPA_CASES, _sdpa_case), observe=_observe_sdpa, expect=_expect_sdpa)


# --------------------------------------------------------------------------- MultiHeadAttention

MHA_SPEC = FunctionSpec(
    "multi_head_attention", (Output("layer"),), inputs=("d_model", "num_heads"),
    default_hint="q, k, v = wq(query), wk(key), wv(value), each split into (m, heads, T, depth); attention per head "
                 "with the mask given a head axis; heads merged back to (m, T_q, d_model); then self.dense",
    atol=FLOAT32_ATOL, rtol=0)  # a few float32 layers against the float32 Keras layer and the float64 oracle: ~1e-6
_MHA_CASES = {
    "public": {"self_attention_padding": (11, dict(m=2, T_q=5, T_k=5, d_model=8, num_heads=2, mask="padding")),
               "cross_attention": (12, dict(m=3, T_q=4, T_k=6, d_model=12, num_heads=3, mask="padding"))},
    "hidden": {"one_head_look_ahead": (111, dict(m=2, T_q=6, T_k=6, d_model=6, num_heads=1, mask="look_ahead")),
               "many_heads_no_mask": (112, dict(m=1, T_q=3, T_k=7, d_model=16, num_heads=8, mask=None)),
               "one_query": (113, dict(m=4, T_q=1, T_k=5, d_model=8, num_heads=4, mask="padding"))},
}


def _mha_case(name, entry):
    seed, dims = entry
    rng = np.random.default_rng(seed + INPUT_SEED_OFFSET)
    m, d = dims["m"], dims["d_model"]
    query, key, value = (rng.standard_normal((m, dims[T], d)).astype(np.float32) for T in ("T_q", "T_k", "T_k"))
    if name.startswith("self"):
        key = value = query
    mask = _course_mask(rng, m, dims["T_q"], dims["T_k"], dims["mask"])
    return Case(name, {**dims, "mask": dims["mask"] or "None"},
                data={"seed": seed, "inputs": [query, key, value, mask]})


def _observe_mha(func, case):
    name, d = MHA_SPEC.name, case.dims
    layer = _instance(func, name, case, (d["d_model"], d["num_heads"]))
    query, key, value, mask = case.data["inputs"]

    def run(_training):  # the layer has no dropout
        result = _call(layer, name, case, (query, key, value), {"attention_mask": mask})
        return _tensors(name, case, result, ("output", "attention_weights"), HINT_RETURN_PAIR)

    output, weights = _weighted_run(name, case, layer, run)
    require_shape(name, case, "output", output, (d["m"], d["T_q"], d["d_model"]), "the output is (m, T_q, d_model)")
    require_shape(name, case, "attention_weights", weights, (d["m"], d["num_heads"], d["T_q"], d["T_k"]),
                  "the weights of every head: (m, num_heads, T_q, T_k)")
    return Observation(case.name, {"output": output, "attention_weights": weights, **behaviour.count_leaf(layer)})


def keras_mha(case, w):
    """keras.layers.MultiHeadAttention with the weights w (draw_weights): (output, weights) of the case's inputs."""
    import keras

    d = case.dims
    H, depth = d["num_heads"], d["d_model"] // d["num_heads"]
    query, key, value, mask = case.data["inputs"]
    layer = keras.layers.MultiHeadAttention(num_heads=H, key_dim=depth)
    full = None if mask is None else np.broadcast_to(mask, (d["m"], d["T_q"], d["T_k"])).astype(np.float32)
    layer(query, value, key=key, attention_mask=full)  # builds it
    per_head = []
    for name in ("wq", "wk", "wv"):  # Dense(d_model) kernel (d, d) is head h at columns h*depth .. (h+1)*depth-1
        per_head += [w[name][0].reshape(d["d_model"], H, depth), w[name][1].reshape(H, depth)]
    layer.set_weights(per_head + [w["dense"][0].reshape(H, depth, d["d_model"]), w["dense"][1]])
    output, weights = layer(query, value, key=key, attention_mask=full, return_attention_scores=True)
    return behaviour.to_numpy(output), behaviour.to_numpy(weights)


def _expect_mha(case):
    d = case.dims
    w = draw_weights("multi_head_attention", d, case.data["seed"])
    query, key, value, mask = case.data["inputs"]

    def oracle(**bug):
        return dict(zip(("output", "attention_weights"), mha(query, key, value, mask, w, d["num_heads"], **bug)))

    _, bugs = replay(oracle, ((HINT_MERGE_ORDER, {"merge": "wrong"}), (HINT_SPLIT, {"split": "reshape"}),
                              (HINT_NO_PROJECTION, {"project": False}), (HINT_MASK_HEADS, {"head_axis": False}),
                              (HINT_VALUE_FROM_KEY, {"value_from": "key"}),
                              (HINT_SQRT_D_MODEL, {"scale": np.sqrt(d["d_model"])}), (HINT_POLARITY, {"polarity": 0})),
                     FLOAT32_ATOL)
    output, weights = keras_mha(case, w)  # the trusted answer: Keras's own layer with the same weights
    count = behaviour.expected_count({"multi_head_attention": mha_params(d["d_model"])})
    return {"output": output, "attention_weights": weights, **count}, bugs


GRADER.add(MHA_SPEC, table_cases(_MHA_CASES, _mha_case), observe=_observe_mha, expect=_expect_mha)


# --------------------------------------------------------------------------- EncoderLayer

ENCODER_LAYER_SPEC = FunctionSpec(
    "encoder_layer", (Output("layer"),), inputs=("d_model", "num_heads", "dff", "dropout_rate"),
    default_hint="out1 = layernorm1(x + dropout1(self-attention of x)); out2 = layernorm2(out1 + dropout2(ffn(out1)))",
    atol=STACK_ATOL, rtol=0)
_ENCODER_LAYER_CASES = {
    "public": {"small": (21, dict(m=2, T=5, d_model=8, num_heads=2, dff=16)),
               "wider": (22, dict(m=3, T=4, d_model=12, num_heads=4, dff=8))},
    "hidden": {"one_sequence_one_head": (121, dict(m=1, T=7, d_model=6, num_heads=1, dff=12)),
               "two_positions": (122, dict(m=4, T=2, d_model=16, num_heads=2, dff=32))},
}


def _encoder_layer_inputs(rng, dims):
    x = rng.standard_normal((dims["m"], dims["T"], dims["d_model"])).astype(np.float32)
    return x, _course_mask(rng, dims["m"], dims["T"], dims["T"], "padding")


def _padding_changed(x, mask, rng):
    """x with new random vectors at the padded positions (mask (m, 1, T) == BLOCKED)."""
    changed = x.copy()
    padded = mask[:, 0, :] == attention.BLOCKED
    changed[padded] = rng.standard_normal((int(padded.sum()), x.shape[-1])).astype(np.float32)
    return changed


def _observe_encoder_layer(func, case):
    name, d = ENCODER_LAYER_SPEC.name, case.dims
    layer = _instance(func, name, case, (d["d_model"], d["num_heads"], d["dff"], DROPOUT_RATE))
    x, mask = case.data["inputs"]

    def run(training, inputs=x):
        return _numpy(name, case, _call(layer, name, case, (inputs,), {"training": training, "padding_mask": mask}),
                      "the output")

    out = _weighted_run(name, case, layer, run)
    require_shape(name, case, "the output", out, x.shape, "the output has the shape of x, (m, T, d_model)")
    real = mask[:, 0, :] == attention.MAY_ATTEND
    moved = run(False, _padding_changed(x, mask, np.random.default_rng(case.data["seed"])))
    facts = {**_dropout_facts(run, out), "padding_invariant": _same(moved[real], out[real])}
    return Observation(case.name, {"output": out, **behaviour.count_leaf(layer), **behaviour.fact_leaves(facts)})


def _expect_encoder_layer(case):
    d = case.dims
    w = draw_weights("encoder_layer", d, case.data["seed"])
    x, mask = case.data["inputs"]

    def oracle(**bug):
        return {"output": encoder_layer(x, mask, w, d["num_heads"], **bug)}

    return _verdict(oracle, ((HINT_RESIDUAL_1, {"residual1": False}), (HINT_RESIDUAL_2, {"residual2": False}),
                             (HINT_FFN_INPUT, {"ffn_reads": "x"}), (HINT_PRE_NORM, {"norm": "pre"})),
                    {**_DROPOUT_FACTS, "padding_invariant": (True, HINT_PADDING, "")},
                    {"encoder_layer": encoder_layer_params(d["d_model"], d["dff"])})


GRADER.add(ENCODER_LAYER_SPEC, _seeded_cases(_ENCODER_LAYER_CASES, _encoder_layer_inputs),
           observe=_observe_encoder_layer, expect=_expect_encoder_layer)


# --------------------------------------------------------------------------- Encoder

ENCODER_SPEC = FunctionSpec(
    "encoder", (Output("layer"),), inputs=("num_layers", "d_model", "num_heads", "dff", "input_vocab_size",
                                           "maximum_position", "dropout_rate"),
    default_hint="x = embedding(ids) * sqrt(d_model) + pos_encoding[:, :T, :]; dropout; then every encoder layer in "
                 "turn, each reading the output of the one before",
    atol=STACK_ATOL, rtol=0)
_ENCODER_CASES = {
    "public": {"two_layers": (31, dict(m=2, T=6, num_layers=2, d_model=8, num_heads=2, dff=16, vocab_size=10)),
               "one_layer": (32, dict(m=3, T=5, num_layers=1, d_model=12, num_heads=3, dff=8, vocab_size=7))},
    "hidden": {"one_sequence": (131, dict(m=1, T=9, num_layers=2, d_model=6, num_heads=2, dff=12, vocab_size=5)),
               "three_layers": (132, dict(m=2, T=3, num_layers=3, d_model=16, num_heads=4, dff=16, vocab_size=12))},
}
PAD_ID = 0  # the padding index of the encoder cases


def _encoder_inputs(rng, dims):
    ids = rng.integers(1, dims["vocab_size"], size=(dims["m"], dims["T"])).astype(np.int32)
    mask = _course_mask(rng, dims["m"], dims["T"], dims["T"], "padding")
    ids[mask[:, 0, :] == attention.BLOCKED] = PAD_ID
    return ids, mask


def _stack_args(d):
    return (d["num_layers"], d["d_model"], d["num_heads"], d["dff"], d["vocab_size"], d["T"] + MAX_POSITION_MARGIN,
            DROPOUT_RATE)


def _observe_encoder(func, case):
    name, d = ENCODER_SPEC.name, case.dims
    layer = _instance(func, name, case, _stack_args(d))
    ids, mask = case.data["inputs"]

    def run(training, inputs=ids):
        return _numpy(name, case, _call(layer, name, case, (inputs,), {"training": training, "padding_mask": mask}),
                      "the output")

    out = _weighted_run(name, case, layer, run)
    require_shape(name, case, "the output", out, ids.shape + (d["d_model"],), "the output is (m, T, d_model)")
    real = mask[:, 0, :] == attention.MAY_ATTEND
    moved_ids = np.where(real, ids, (ids + 1) % d["vocab_size"]).astype(np.int32)  # other tokens where the padding is
    moved = run(False, moved_ids)
    facts = {**_dropout_facts(run, out), "padding_invariant": _same(moved[real], out[real])}
    return Observation(case.name, {"output": out, **behaviour.count_leaf(layer), **behaviour.fact_leaves(facts)})


def _expect_encoder(case):
    d = case.dims
    w = draw_weights("encoder", d, case.data["seed"])
    ids, mask = case.data["inputs"]

    def oracle(**bug):
        return {"output": encoder(ids, mask, w, d["num_heads"], **bug)}

    return _verdict(oracle, ((HINT_EMBEDDING_NOT_SCALED, {"scale": "none"}),
                             (HINT_EMBEDDING_BY_D_MODEL, {"scale": "d_model"}),
                             (HINT_EMBEDDING_BY_DEPTH, {"scale": "sqrt_depth"}),
                             (HINT_NO_ENCODING, {"encoding": False}),
                             (HINT_ENCODING_SCALED, {"scale_encoding": True}),
                             (HINT_NOT_CHAINED, {"chained": False})),
                    {**_DROPOUT_FACTS, "padding_invariant": (True, HINT_PADDING, "")},
                    {"encoder": encoder_params(d["num_layers"], d["d_model"], d["dff"], d["vocab_size"])})


GRADER.add(ENCODER_SPEC, _seeded_cases(_ENCODER_CASES, _encoder_inputs), observe=_observe_encoder,
           expect=_expect_encoder)


# --------------------------------------------------------------------------- DecoderLayer

DECODER_LAYER_SPEC = FunctionSpec(
    "decoder_layer", (Output("layer"),), inputs=("d_model", "num_heads", "dff", "dropout_rate"),
    default_hint="out1 = layernorm1(x + masked self-attention of x); out2 = layernorm2(out1 + attention of out1 to "
                 "enc_output); out3 = layernorm3(out2 + ffn(out2)); return out3 and both attention weights",
    atol=STACK_ATOL, rtol=0)
_DECODER_LAYER_CASES = {
    "public": {"small": (41, dict(m=2, T_y=4, T_x=6, d_model=8, num_heads=2, dff=16)),
               "longer_target": (42, dict(m=3, T_y=7, T_x=5, d_model=12, num_heads=3, dff=8))},
    "hidden": {"one_step": (141, dict(m=2, T_y=1, T_x=4, d_model=6, num_heads=2, dff=12)),
               "one_sequence_one_head": (142, dict(m=1, T_y=5, T_x=9, d_model=8, num_heads=1, dff=16))},
}


def _decoder_layer_inputs(rng, dims):
    x = rng.standard_normal((dims["m"], dims["T_y"], dims["d_model"])).astype(np.float32)
    enc = rng.standard_normal((dims["m"], dims["T_x"], dims["d_model"])).astype(np.float32)
    return x, enc, _course_mask(rng, dims["m"], dims["T_y"], dims["T_y"], "look_ahead"), \
        _course_mask(rng, dims["m"], dims["T_y"], dims["T_x"], "padding")


def _observe_decoder_layer(func, case):
    name, d = DECODER_LAYER_SPEC.name, case.dims
    layer = _instance(func, name, case, (d["d_model"], d["num_heads"], d["dff"], DROPOUT_RATE))
    x, enc, look_ahead, padding = case.data["inputs"]
    returned = {}

    def run(training, inputs=x):
        result = _call(layer, name, case, (inputs, enc), {"training": training, "look_ahead_mask": look_ahead,
                                                          "padding_mask": padding})
        out, *maps = _tensors(name, case, result, ("out3", "attention block 1", "attention block 2"),
                              "return out3, the self-attention weights (block 1) and the cross-attention weights "
                              "(block 2)")
        returned["maps"] = maps
        return out

    out = _weighted_run(name, case, layer, run)
    block1, block2 = returned["maps"]
    require_shape(name, case, "out3", out, x.shape, "out3 has the shape of x, (m, T_y, d_model)")
    shapes = {(d["m"], d["num_heads"], d["T_y"], d["T_y"]), (d["m"], d["num_heads"], d["T_y"], d["T_x"])}
    for label, value in (("attention block 1", block1), ("attention block 2", block2)):
        if value.shape not in shapes:
            fail(name, case, f"{label} has shape {value.shape}", "hint:   the self-attention weights are "
                 "(m, heads, T_y, T_y), the cross-attention weights (m, heads, T_y, T_x)")
    facts = {**_dropout_facts(run, out), "causal": _causal(run, x, out, case.data["seed"])}
    return Observation(case.name, {"output": out, "attention_block1": block1, "attention_block2": block2,
                                   **behaviour.count_leaf(layer), **behaviour.fact_leaves(facts)})


def _expect_decoder_layer(case):
    d = case.dims
    w = draw_weights("decoder_layer", d, case.data["seed"])
    x, enc, look_ahead, padding = case.data["inputs"]

    def oracle(**bug):
        out, w1, w2 = decoder_layer(x, enc, look_ahead, padding, w, d["num_heads"], **bug)
        return {"output": out, "attention_block1": w1, "attention_block2": w2}

    return _verdict(oracle, ((HINT_CROSS_OWN, {"cross_kv": "self"}), (HINT_CROSS_QUERY, {"cross_query": "x"}),
                             (HINT_RESIDUAL_CROSS, {"residual2": False}), (HINT_MAPS_SWAPPED, {"swap_maps": True}),
                             (HINT_CROSS_UNMASKED, {"use_padding": False})),
                    {**_DROPOUT_FACTS, **_causal_fact(d["T_y"])},
                    {"decoder_layer": decoder_layer_params(d["d_model"], d["dff"])})


GRADER.add(DECODER_LAYER_SPEC, _seeded_cases(_DECODER_LAYER_CASES, _decoder_layer_inputs),
           observe=_observe_decoder_layer, expect=_expect_decoder_layer)


# --------------------------------------------------------------------------- Decoder

DECODER_SPEC = FunctionSpec(
    "decoder", (Output("layer"),), inputs=("num_layers", "d_model", "num_heads", "dff", "target_vocab_size",
                                           "maximum_position", "dropout_rate"),
    default_hint="x = embedding(ids) * sqrt(d_model) + pos_encoding[:, :T, :]; dropout; every decoder layer in turn "
                 "with enc_output and both masks; collect each layer's two attention maps",
    atol=STACK_ATOL, rtol=0)
_DECODER_CASES = {
    "public": {"two_layers": (51, dict(m=2, T=5, T_x=6, num_layers=2, d_model=8, num_heads=2, dff=16, vocab_size=9)),
               "one_layer": (52, dict(m=3, T=4, T_x=3, num_layers=1, d_model=12, num_heads=4, dff=8, vocab_size=6))},
    "hidden": {"one_sequence": (151, dict(m=1, T=6, T_x=8, num_layers=2, d_model=6, num_heads=3, dff=12,
                                          vocab_size=11)),
               "three_layers": (152, dict(m=2, T=3, T_x=5, num_layers=3, d_model=8, num_heads=1, dff=8,
                                          vocab_size=4))},
}


def _decoder_inputs(rng, dims):
    ids = rng.integers(0, dims["vocab_size"], size=(dims["m"], dims["T"])).astype(np.int32)
    enc = rng.standard_normal((dims["m"], dims["T_x"], dims["d_model"])).astype(np.float32)
    return ids, enc, _course_mask(rng, dims["m"], dims["T"], dims["T"], "look_ahead"), \
        _course_mask(rng, dims["m"], dims["T"], dims["T_x"], "padding")


def _observe_decoder(func, case):
    name, d = DECODER_SPEC.name, case.dims
    layer = _instance(func, name, case, _stack_args(d))
    ids, enc, look_ahead, padding = case.data["inputs"]
    returned = {}

    def run(training, inputs=ids):
        result = _call(layer, name, case, (inputs, enc), {"training": training, "look_ahead_mask": look_ahead,
                                                          "padding_mask": padding})
        if not isinstance(result, (list, tuple)) or len(result) != 2 or not isinstance(result[1], dict):
            fail(name, case, f"call returned {type_name(result)}, expected (x, a dict of attention weights)",
                 f"hint:   {HINT_KEYS}")
        returned["maps"] = result[1]
        return _numpy(name, case, result[0], "x")

    out = _weighted_run(name, case, layer, run)
    require_shape(name, case, "x", out, ids.shape + (d["d_model"],), "x is (m, T, d_model)")
    keys = [f"decoder_layer{i}_block{b}" for i in range(1, d["num_layers"] + 1) for b in (1, 2)]
    if sorted(returned["maps"]) != sorted(keys):
        fail(name, case, f"the attention weights are keyed {sorted(returned['maps'])}, expected {keys}",
             f"hint:   {HINT_KEYS}")
    maps = {f"attention.{k}": _numpy(name, case, returned["maps"][k], k) for k in keys}
    facts = {**_dropout_facts(run, out), "causal": _causal(run, ids, out, case.data["seed"])}
    return Observation(case.name, {"x": out, **maps, **behaviour.count_leaf(layer), **behaviour.fact_leaves(facts)})


def _expect_decoder(case):
    d = case.dims
    w = draw_weights("decoder", d, case.data["seed"])
    ids, enc, look_ahead, padding = case.data["inputs"]

    def oracle(**bug):
        x, maps = decoder(ids, enc, look_ahead, padding, w, d["num_heads"], **bug)
        return {"x": x, **{f"attention.{k}": v for k, v in maps.items()}}

    return _verdict(oracle, ((HINT_EMBEDDING_NOT_SCALED, {"scale": "none"}),
                             (HINT_EMBEDDING_BY_D_MODEL, {"scale": "d_model"}),
                             (HINT_NO_ENCODING, {"encoding": False}),
                             (HINT_ENCODING_SCALED, {"scale_encoding": True}),
                             (HINT_NOT_CHAINED, {"chained": False})),
                    {**_DROPOUT_FACTS, **_causal_fact(d["T"])},
                    {"decoder": decoder_params(d["num_layers"], d["d_model"], d["dff"], d["vocab_size"])})


GRADER.add(DECODER_SPEC, _seeded_cases(_DECODER_CASES, _decoder_inputs), observe=_observe_decoder,
           expect=_expect_decoder)


# --------------------------------------------------------------------------- Transformer

TRANSFORMER_SPEC = FunctionSpec(
    "transformer_model", (Output("model"),), inputs=("num_layers", "d_model", "num_heads", "dff", "input_vocab_size",
                                               "target_vocab_size", "n_outputs", "max_input_positions",
                                               "max_target_positions", "dropout_rate", "pad_id"),
    default_hint="padding mask of the encoder's inputs (pad_id), look-ahead mask of the decoder's; encoder, decoder "
                 "(self-attention: look-ahead, cross-attention: padding), then final_layer: logits",
    atol=STACK_ATOL, rtol=0)
_TRANSFORMER_CASES = {
    "public": {"small": (61, dict(m=2, T_x=7, T_y=4, num_layers=1, d_model=8, num_heads=2, dff=16,
                                  input_vocab_size=9, target_vocab_size=6, n_outputs=5, pad_id=0)),
               "two_layers": (62, dict(m=3, T_x=5, T_y=6, num_layers=2, d_model=12, num_heads=3, dff=8,
                                       input_vocab_size=7, target_vocab_size=8, n_outputs=7, pad_id=0))},
    "hidden": {"pad_id_not_zero": (161, dict(m=2, T_x=6, T_y=5, num_layers=1, d_model=6, num_heads=2, dff=12,
                                             input_vocab_size=8, target_vocab_size=5, n_outputs=4, pad_id=3)),
               "one_sequence_one_step": (162, dict(m=1, T_x=4, T_y=1, num_layers=2, d_model=8, num_heads=4, dff=8,
                                                   input_vocab_size=5, target_vocab_size=4, n_outputs=3, pad_id=0))},
}
EXTRA_PADDING = 3  # pad tokens appended to the encoder's inputs for the padding check


def _transformer_inputs(rng, dims):
    m, T_x, pad_id = dims["m"], dims["T_x"], dims["pad_id"]
    tokens = np.array([t for t in range(dims["input_vocab_size"]) if t != pad_id])
    encoder_ids = rng.choice(tokens, size=(m, T_x)).astype(np.int32)
    lengths = rng.integers(max(1, T_x // 2), T_x, size=m)
    encoder_ids[np.arange(T_x)[None, :] >= lengths[:, None]] = pad_id
    return encoder_ids, rng.integers(0, dims["target_vocab_size"], size=(m, dims["T_y"])).astype(np.int32)


def _transformer_args(d):
    return (d["num_layers"], d["d_model"], d["num_heads"], d["dff"], d["input_vocab_size"], d["target_vocab_size"],
            d["n_outputs"], d["T_x"] + EXTRA_PADDING + MAX_POSITION_MARGIN, d["T_y"] + MAX_POSITION_MARGIN,
            DROPOUT_RATE, d["pad_id"])


def _observe_transformer(func, case):
    name, d = TRANSFORMER_SPEC.name, case.dims
    model = _instance(func, name, case, _transformer_args(d))
    encoder_ids, decoder_ids = case.data["inputs"]

    def run(training, inputs=decoder_ids, source=encoder_ids):
        return _numpy(name, case, _call(model, name, case, ((source, inputs),), {"training": training}), "the logits")

    out = _weighted_run(name, case, model, run)
    require_shape(name, case, "the logits", out, (d["m"], d["T_y"], d["n_outputs"]),
                  "the logits are (m, T_y, n_outputs): one score per output token and step")
    longer = np.pad(encoder_ids, ((0, 0), (0, EXTRA_PADDING)), constant_values=d["pad_id"])
    facts = {"same_at_inference": _same(run(False), out), "causal": _causal(run, decoder_ids, out, case.data["seed"]),
             "padding_invariant": _same(run(False, source=longer), out)}
    return Observation(case.name, {"logits": out, **behaviour.count_leaf(model), **behaviour.fact_leaves(facts)})


def _expect_transformer(case):
    d = case.dims
    w = draw_weights("transformer_model", d, case.data["seed"])
    encoder_ids, decoder_ids = case.data["inputs"]

    def oracle(pad_id=d["pad_id"], **bug):
        return {"logits": transformer(encoder_ids, decoder_ids, w, d["num_heads"], pad_id, **bug)}

    return _verdict(oracle, ((HINT_CAUSAL, {"look_ahead": False}), (HINT_POLARITY, {"polarity": 0}),
                             (HINT_SOFTMAX_OUTPUT, {"probabilities": True}),
                             (HINT_PAD_ID, {"pad_id": 0}),  # before HINT_PADDING, also a fact's
                             (HINT_PADDING, {"encoder_mask": False})),
                    {"same_at_inference": _DROPOUT_FACTS["same_at_inference"],
                     "padding_invariant": (True, HINT_PADDING, ""), **_causal_fact(d["T_y"])},
                    {"transformer_model": transformer_params(d["num_layers"], d["d_model"], d["dff"],
                                                             d["input_vocab_size"], d["target_vocab_size"],
                                                             d["n_outputs"])})


GRADER.add(TRANSFORMER_SPEC, _seeded_cases(_TRANSFORMER_CASES, _transformer_inputs), observe=_observe_transformer,
           expect=_expect_transformer)


# --------------------------------------------------------------------------- test-cell entry points

check_scaled_dot_product_attention = GRADER.checker("scaled_dot_product_attention")
check_multi_head_attention = GRADER.checker("multi_head_attention")
check_encoder_layer = GRADER.checker("encoder_layer")
check_encoder = GRADER.checker("encoder")
check_decoder_layer = GRADER.checker("decoder_layer")
check_decoder = GRADER.checker("decoder")
check_transformer_model = GRADER.checker("transformer_model")

preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
