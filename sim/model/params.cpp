#include "model/params.hpp"

#include <algorithm>

namespace dssim {

double attention_params_per_layer(const ModelCard& m) {
  const double h = static_cast<double>(m.hidden_size);
  const double H = m.num_attention_heads, Hkv = m.num_key_value_heads, D = static_cast<double>(m.head_dim);
  if (m.mla) {
    const auto& a = *m.mla;
    const double qk = static_cast<double>(a.qk_nope_head_dim + a.qk_rope_head_dim);
    const double ql = static_cast<double>(a.q_lora_rank), r = static_cast<double>(a.kv_lora_rank);
    double q = ql > 0 ? h * ql + ql + ql * H * qk : h * H * qk;  // with q LoRA: down, its norm, up
    double kv_a = h * (r + static_cast<double>(a.qk_rope_head_dim)) + r;
    double kv_b = static_cast<double>(a.kv_lora_rank) * H * static_cast<double>(a.qk_nope_head_dim + a.v_head_dim);
    double o = H * static_cast<double>(a.v_head_dim) * h;
    return q + kv_a + kv_b + o;
  }
  double p = h * (H + 2 * Hkv) * D + H * D * h;
  if (m.attention_bias) p += (H + 2 * Hkv) * D;
  return p;
}

ParamCounts count_params(const ModelCard& m) {
  ParamCounts c;
  const double h = static_cast<double>(m.hidden_size);
  const double L = m.num_hidden_layers;
  c.embedding = static_cast<double>(m.vocab_size) * h;
  c.lm_head = m.tie_word_embeddings ? 0.0 : c.embedding;
  c.attention = L * attention_params_per_layer(m);
  c.norms = L * 2 * h + h;
  int moe_layers = 0;
  for (int l = 0; l < m.num_hidden_layers; ++l)
    if (m.is_moe_layer(l)) ++moe_layers;
  const int dense_layers = m.num_hidden_layers - moe_layers;
  c.dense_mlp = dense_layers * 3.0 * h * static_cast<double>(m.intermediate_size);
  if (m.moe) {
    const auto& e = *m.moe;
    const double expert = 3.0 * h * static_cast<double>(e.moe_intermediate_size);
    c.moe_routed = moe_layers * e.n_routed_experts * expert;
    c.moe_routed_active = moe_layers * e.num_experts_per_tok * expert;
    c.moe_shared = moe_layers * (e.n_shared_experts * expert + h * e.n_routed_experts);
  }
  return c;
}

double kv_bytes_per_token(const ModelCard& m, Precision kv) {
  const double b = bytes_per_element(kv);
  if (m.mla) return m.num_hidden_layers * static_cast<double>(m.mla->kv_lora_rank + m.mla->qk_rope_head_dim) * b;
  return 2.0 * m.num_hidden_layers * m.num_key_value_heads * static_cast<double>(m.head_dim) * b;
}

double sparse_weight_fraction(Precision p) {
  // bits of one stored value (int4: 4, its group scales scale with the weights alike)
  const double bits = p == Precision::int4 ? 4.0 : 8.0 * bytes_per_element(p);
  return 0.5 * (1.0 + 2.0 / bits);
}

double weight_bytes(const ModelCard& m, Precision p) {
  ParamCounts c = count_params(m);
  const double b = bytes_per_element(p);
  const double b16 = p == Precision::fp32 ? 4.0 : 2.0;
  const double vocab_b = vocab_bytes_per_element(p);
  double router = 0;
  if (m.moe) {
    int moe_layers = 0;
    for (int l = 0; l < m.num_hidden_layers; ++l)
      if (m.is_moe_layer(l)) ++moe_layers;
    router = moe_layers * static_cast<double>(m.hidden_size) * m.moe->n_routed_experts;
  }
  const double decoder = c.attention + c.dense_mlp + c.moe_routed + c.moe_shared - router;
  const double sparse = m.sparse24 ? sparse_weight_fraction(p) : 1.0;  // the LM head stays dense
  return decoder * b * sparse + (c.lm_head + c.embedding) * vocab_b + (router + c.norms) * b16;
}

double vocab_bytes_per_element(Precision p) { return std::max(bytes_per_element(p), 2.0); }

Precision lm_head_precision(Precision weights, Precision activations) {
  return bytes_per_element(weights) < 2.0 ? activations : weights;
}

}  // namespace dssim
