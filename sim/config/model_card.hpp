#pragma once
#include <optional>
#include <string>

namespace dssim {

struct MoeSpec {
  int n_routed_experts = 0;
  int n_shared_experts = 0;
  int num_experts_per_tok = 0;
  long long moe_intermediate_size = 0;
  int first_k_dense_replace = 0;
  // Group-limited routing (config.json n_group, topk_group): the experts form n_group equal groups,
  // and a token's experts come from its topk_group best groups (1, 1: no limit). Where a token's
  // copies go over the EP ranks and nodes depends on it (parallel/ep_routing).
  int n_group = 1, topk_group = 1;
};

struct MlaSpec {
  long long kv_lora_rank = 0;
  long long q_lora_rank = 0;  // 0: queries are projected directly
  long long qk_rope_head_dim = 0;
  long long qk_nope_head_dim = 0;
  long long v_head_dim = 0;
};

// A model's architecture, as in its Hugging Face config.json.
struct ModelCard {
  std::string id, name, hf_repo, architecture, source, notes, file;
  long long hidden_size = 0;
  int num_hidden_layers = 0;
  int num_attention_heads = 0;
  int num_key_value_heads = 0;
  long long head_dim = 0;
  long long intermediate_size = 0;
  long long vocab_size = 0;
  long long max_position_embeddings = 0;
  bool tie_word_embeddings = false;
  bool attention_bias = false;
  bool active_params_include_embedding = true;
  // Multi-token prediction modules shipped with the weights (HF num_nextn_predict_layers; V3/R1: 1),
  // not part of the forward pass; speculative decoding can draft with them.
  int num_nextn_predict_layers = 0;
  std::optional<MoeSpec> moe;
  std::optional<MlaSpec> mla;
  // A what-if, not a card field: the scenario's [model] sparsity = "2:4" prunes every decoder layer's
  // weights to 2 of each 4 (params.hpp: sparse_weight_fraction; operators: sparse GEMMs).
  bool sparse24 = false;
  // Published values the derived ones are checked against.
  double ref_total_params_b = 0, ref_active_params_b = 0, ref_kv_bytes_per_token_bf16 = 0;

  bool is_moe_layer(int layer) const { return moe && layer >= moe->first_k_dense_replace; }
};

ModelCard load_model_card(const std::string& path);

}  // namespace dssim
