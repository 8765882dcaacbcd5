"""Known-wrong variants for 13 transformer: bugs students really make."""

from graders import transformer as g
from graders.instructor.assignments import Metric, Mutant

MUTANTS = {
    "scaled_dot_product_attention": {
        "not_scaled": Mutant(" / keras.ops.sqrt(d_k)", "", expect=g.HINT_NOT_SCALED),
        "scaled_by_d_k": Mutant(" / keras.ops.sqrt(d_k)", " / d_k", expect=g.HINT_SCALED_BY_D_K),
        "mask_polarity_inverted": Mutant("mask == attention.MAY_ATTEND", "mask == attention.BLOCKED",
                                         expect=g.HINT_POLARITY),
        "mask_after_softmax": Mutant(
            "    if mask is not None:  # a blocked key gets the score BLOCKED_SCORE, so its weight is exactly 0\n"
            "        scores = keras.ops.where(mask == attention.MAY_ATTEND, scores, attention.BLOCKED_SCORE)\n"
            "    attention_weights = keras.ops.softmax(scores, axis=-1)  # over the keys: each row sums to 1\n",
            "    attention_weights = keras.ops.softmax(scores, axis=-1)\n"
            "    if mask is not None:\n"
            "        attention_weights = attention_weights * mask\n", expect=g.HINT_AFTER_SOFTMAX),
        "softmax_over_queries": Mutant("keras.ops.softmax(scores, axis=-1)", "keras.ops.softmax(scores, axis=-2)",
                                       expect=g.HINT_SOFTMAX_AXIS),
        "mask_ignored": Mutant("    if mask is not None:  #", "    if False:  #", expect=g.HINT_MASK_IGNORED,
                               category="ignored_argument"),
        "mask_none_unsupported": Mutant(
            "    if mask is not None:  # a blocked key gets the score BLOCKED_SCORE, so its weight is exactly 0\n"
            "        scores = keras.ops.where(mask == attention.MAY_ATTEND, scores, attention.BLOCKED_SCORE)\n",
            "    scores = scores + (1.0 - mask) * attention.BLOCKED_SCORE\n", expect="raised TypeError",
            category="degenerate"),
        "weights_not_returned": Mutant("    return output, attention_weights", "    return output",
                                       expect=g.HINT_RETURN_PAIR, category="structure"),
    },
    "multi_head_attention": {
        "heads_merged_in_wrong_order": Mutant("keras.ops.transpose(heads, (0, 2, 1, 3))",
                                              "keras.ops.transpose(heads, (0, 2, 3, 1))", expect=g.HINT_MERGE_ORDER),
        "split_by_reshape_only": Mutant(
            "        x = keras.ops.reshape(x, (m, T, self.num_heads, self.depth))\n"
            "        return keras.ops.transpose(x, (0, 2, 1, 3))\n",
            "        return keras.ops.reshape(x, (m, self.num_heads, T, self.depth))\n", expect=g.HINT_SPLIT),
        "scores_scaled_by_sqrt_d_model": Mutant(
            "q = self.split_heads(self.wq(query))",
            "q = self.split_heads(self.wq(query)) * (self.depth / self.d_model) ** 0.5", expect=g.HINT_SQRT_D_MODEL),
        "mask_without_head_axis": Mutant("keras.ops.expand_dims(attention_mask, axis=1)", "attention_mask",
                                         expect=g.HINT_MASK_HEADS),
        "values_from_key": Mutant("self.wv(value)", "self.wv(key)", expect=g.HINT_VALUE_FROM_KEY,
                                  category="ignored_argument"),
        "no_output_projection": Mutant("output = self.dense(self.merge_heads(heads))",
                                       "output = self.merge_heads(heads)", expect=g.never_called_hint("self.dense"),
                                       category="structure"),
        "new_query_layer_per_call": Mutant("self.wq(query)", "keras.layers.Dense(self.d_model)(query)",
                                           expect=g.never_called_hint("self.wq"), category="structure"),
    },
    "encoder_layer": {
        "residual_missing": Mutant("self.layernorm1(x + self.dropout1(attn_output, training=training))",
                                   "self.layernorm1(self.dropout1(attn_output, training=training))",
                                   expect=g.HINT_RESIDUAL_1),
        "layer_norm_missing": Mutant("out1 = self.layernorm1(x + self.dropout1(attn_output, training=training))",
                                     "out1 = x + self.dropout1(attn_output, training=training)",
                                     expect=g.never_called_hint("self.layernorm1"), category="structure"),
        "ffn_reads_x": Mutant("ffn_output = self.ffn(out1)", "ffn_output = self.ffn(x)", expect=g.HINT_FFN_INPUT),
        "dropout_at_inference": Mutant("self.dropout1(attn_output, training=training)",
                                       "self.dropout1(attn_output, training=True)", expect=g.HINT_INFERENCE),
        "padding_mask_ignored": Mutant("attention_mask=padding_mask)", "attention_mask=None)", expect=g.HINT_PADDING,
                                       category="ignored_argument"),
        "second_residual_missing": Mutant("self.layernorm2(out1 + self.dropout2(", "self.layernorm2(self.dropout2(",
                                          expect=g.HINT_RESIDUAL_2),
    },
    "encoder": {
        "embedding_not_scaled": Mutant(" * keras.ops.sqrt(keras.ops.cast(self.d_model, \"float32\"))", "",
                                       expect=g.HINT_EMBEDDING_NOT_SCALED),
        "embedding_scaled_by_d_model": Mutant("keras.ops.sqrt(keras.ops.cast(self.d_model, \"float32\"))",
                                              "keras.ops.cast(self.d_model, \"float32\")",
                                              expect=g.HINT_EMBEDDING_BY_D_MODEL),
        "embedding_scaled_by_sqrt_d_k": Mutant("keras.ops.cast(self.d_model, \"float32\")",
                                               "keras.ops.cast(self.enc_layers[0].mha.depth, \"float32\")",
                                               expect=g.HINT_EMBEDDING_BY_DEPTH),
        "encoding_missing": Mutant("        x = x + self.pos_encoding[:, :T, :]\n", "", expect=g.HINT_NO_ENCODING),
        "dropout_at_inference": Mutant("x = self.dropout(x, training=training)", "x = self.dropout(x, training=True)",
                                       expect=g.HINT_INFERENCE),
        "padding_mask_ignored": Mutant("padding_mask=padding_mask)", "padding_mask=None)", expect=g.HINT_PADDING,
                                       category="ignored_argument"),
        "layers_not_chained": Mutant(
            "        for layer in self.enc_layers:\n            x = layer(x,",
            "        embedded = x\n        for layer in self.enc_layers:\n            x = layer(embedded,",
            expect=g.HINT_NOT_CHAINED, category="structure"),
    },
    "decoder_layer": {
        "cross_attention_on_own_states": Mutant("self.mha2(out1, enc_output, enc_output, attention_mask=padding_mask)",
                                                "self.mha2(out1, out1, out1, attention_mask=look_ahead_mask)",
                                                expect=g.HINT_CROSS_OWN),
        "cross_attention_queries_from_x": Mutant("self.mha2(out1, enc_output", "self.mha2(x, enc_output",
                                                 expect=g.HINT_CROSS_QUERY),
        "look_ahead_mask_ignored": Mutant("attention_mask=look_ahead_mask)", "attention_mask=None)",
                                          expect=g.HINT_CAUSAL, category="ignored_argument"),
        "cross_residual_missing": Mutant("self.layernorm2(out1 + self.dropout2(", "self.layernorm2(self.dropout2(",
                                         expect=g.HINT_RESIDUAL_CROSS),
        "maps_swapped": Mutant("return out3, weights_block1, weights_block2", "return out3, weights_block2, "
                               "weights_block1", expect=g.HINT_MAPS_SWAPPED, category="structure"),
        "dropout_at_inference": Mutant("self.dropout3(ffn_output, training=training)",
                                       "self.dropout3(ffn_output, training=True)", expect=g.HINT_INFERENCE),
    },
    "decoder": {
        "embedding_not_scaled": Mutant(" * keras.ops.sqrt(keras.ops.cast(self.d_model, \"float32\"))", "",
                                       expect=g.HINT_EMBEDDING_NOT_SCALED),
        "encoding_missing": Mutant("        x = x + self.pos_encoding[:, :T, :]\n", "", expect=g.HINT_NO_ENCODING),
        "layers_not_chained": Mutant(
            "        for i, layer in enumerate(self.dec_layers, start=1):\n            x, block1, block2 = layer(x,",
            "        embedded = x\n        for i, layer in enumerate(self.dec_layers, start=1):\n"
            "            x, block1, block2 = layer(embedded,", expect=g.HINT_NOT_CHAINED, category="structure"),
        "look_ahead_mask_not_passed": Mutant("look_ahead_mask=look_ahead_mask,", "look_ahead_mask=None,",
                                             expect=g.HINT_CAUSAL, category="ignored_argument"),
        "maps_of_one_layer_only": Mutant('attention_weights[f"decoder_layer{i}_block1"]',
                                         'attention_weights["decoder_layer1_block1"]', expect=g.HINT_KEYS,
                                         category="structure"),
        "dropout_at_inference": Mutant("x = self.dropout(x, training=training)", "x = self.dropout(x, training=True)",
                                       expect=g.HINT_INFERENCE),
    },
    "transformer_model": {
        "look_ahead_mask_missing": Mutant("look_ahead_mask=look_ahead,", "look_ahead_mask=None,", expect=g.HINT_CAUSAL),
        "padding_polarity_inverted": Mutant("padding = transformer.padding_mask(encoder_ids, self.pad_id)",
                                            "padding = 1.0 - transformer.padding_mask(encoder_ids, self.pad_id)",
                                            expect=g.HINT_POLARITY),
        "softmax_on_logits": Mutant("logits = self.final_layer(dec_output)",
                                    "logits = keras.ops.softmax(self.final_layer(dec_output))",
                                    expect=g.HINT_SOFTMAX_OUTPUT),
        "encoder_padding_ignored": Mutant("training=training, padding_mask=padding)",
                                          "training=training, padding_mask=None)", expect=g.HINT_PADDING),
        "pad_id_ignored": Mutant("padding_mask(encoder_ids, self.pad_id)", "padding_mask(encoder_ids, 0)",
                                 expect=g.HINT_PAD_ID, category="ignored_argument"),
    },
}

# the bug the class test submits: transformer_model is called by no other graded function
CLASS_BUG = ("transformer_model", "look_ahead_mask_missing")

BENCH_METRICS = [
    Metric("held-out exact match (1,000 unseen dates)", "exact_match", ">= 0.995", lambda v, _: v >= 0.995),
    Metric("worst format's held-out exact match", "min(r.mean() for r in per_format.values())", "reported",
           lambda v, _: True),
    Metric("training time (s)", "training_seconds", "<= 600 on 2 cores", lambda v, _: v <= 600),
    Metric("greedy decoding of the 1,000 held-out dates (s)", "decoding_seconds", "reported", lambda v, _: True),
    Metric("parameters", "n_parameters", "reported (09's attention RNN: see the notebook's table)",
           lambda v, _: True),
]
