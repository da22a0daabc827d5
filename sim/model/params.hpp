#pragma once
#include "config/model_card.hpp"
#include "config/precision.hpp"

namespace dssim {

// Parameter counts derived from the architecture fields (not copied from the card's reference values).
struct ParamCounts {
  double embedding = 0;   // input token embedding table
  double lm_head = 0;     // 0 when tied to the embedding
  double attention = 0;   // all layers: projections (+ biases, MLA norms)
  double dense_mlp = 0;   // all dense FFN layers
  double moe_routed = 0;  // all routed experts of all MoE layers
  double moe_routed_active = 0;  // the num_experts_per_tok of them a token uses
  double moe_shared = 0;  // shared experts + router gates
  double norms = 0;
  double total() const { return embedding + lm_head + attention + dense_mlp + moe_routed + moe_shared + norms; }
  double active(bool include_embedding) const {
    return total() - moe_routed + moe_routed_active - (include_embedding ? 0.0 : embedding);
  }
};

ParamCounts count_params(const ModelCard& m);
double attention_params_per_layer(const ModelCard& m);
// Bytes of KV cache one token occupies over all layers (MLA: the compressed latent + RoPE key).
double kv_bytes_per_token(const ModelCard& m, Precision kv);
// Weight bytes when stored in `p`; norms and the router stay in 16-bit, and so do the embedding table
// and the LM head when `p` is narrower (vocab_bytes_per_element).
double weight_bytes(const ModelCard& m, Precision p);
// Bytes of one embedding-table or LM-head element under weights stored in `p`: p's own when 16-bit or
// wider, 2 otherwise. Quantised checkpoints keep both in 16-bit: DeepSeek-V3's FP8 release ("the
// embedding module, the output head" stay BF16, V3 technical report 3.3.2), NVIDIA ModelOpt's FP8 and
// INT4-AWQ for TensorRT-LLM (lm_head excluded by default), AWQ and GPTQ (decoder linear layers only).
double vocab_bytes_per_element(Precision p);
// The precision the LM head's GEMM runs in: the weights' when 16-bit or wider, the activations' otherwise.
Precision lm_head_precision(Precision weights, Precision activations);
// 2:4 structured sparsity stores 2 of each 4 weights and a 2-bit index for each kept one (NVIDIA's
// compressed format): 0.5 x (1 + 2 / bits) of the dense bytes (16-bit: 0.5625, 8-bit: 0.625).
double sparse_weight_fraction(Precision p);

}  // namespace dssim
