#include "config/model_card.hpp"

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

ModelCard load_model_card(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  ModelCard m;
  m.file = path;
  m.id = t.get_string("id");
  m.name = t.get_string("name");
  m.hf_repo = t.opt_string("hf_repo").value_or("");
  m.architecture = t.get_choice("architecture", {"llama", "mistral", "qwen2", "mixtral", "deepseek_moe", "deepseek_v2", "deepseek_v3"});
  m.source = t.get_string("source");
  m.notes = t.opt_string("notes").value_or("");
  m.hidden_size = t.get_int("hidden_size", 1, 1 << 20);
  m.num_hidden_layers = static_cast<int>(t.get_int("num_hidden_layers", 1, 10000));
  m.num_attention_heads = static_cast<int>(t.get_int("num_attention_heads", 1, 10000));
  m.num_key_value_heads = static_cast<int>(t.get_int("num_key_value_heads", 1, 10000));
  m.head_dim = t.get_int("head_dim", 1, 4096);
  m.intermediate_size = t.get_int("intermediate_size", 1, 1 << 22);
  m.vocab_size = t.get_int("vocab_size", 1, 1 << 24);
  m.max_position_embeddings = t.get_int("max_position_embeddings", 1, 1LL << 32);
  m.tie_word_embeddings = t.get_bool("tie_word_embeddings");
  m.attention_bias = t.get_bool("attention_bias");
  m.active_params_include_embedding = t.get_bool("active_params_include_embedding");
  m.num_nextn_predict_layers = static_cast<int>(t.opt_int("num_nextn_predict_layers", 0, 16).value_or(0));
  if (m.num_attention_heads % m.num_key_value_heads != 0)
    throw Error(fmt("%s: num_attention_heads (%d) must be a multiple of num_key_value_heads (%d)",
                    t.where("num_key_value_heads").c_str(), m.num_attention_heads, m.num_key_value_heads));
  if (auto moe = t.opt_table("moe")) {
    MoeSpec s;
    s.n_routed_experts = static_cast<int>(moe->get_int("n_routed_experts", 1, 100000));
    s.n_shared_experts = static_cast<int>(moe->get_int("n_shared_experts", 0, 1000));
    s.num_experts_per_tok = static_cast<int>(moe->get_int("num_experts_per_tok", 1, s.n_routed_experts));
    s.moe_intermediate_size = moe->get_int("moe_intermediate_size", 1, 1 << 22);
    s.first_k_dense_replace = static_cast<int>(moe->get_int("first_k_dense_replace", 0, m.num_hidden_layers));
    s.n_group = static_cast<int>(moe->opt_int("n_group", 1, s.n_routed_experts).value_or(1));
    s.topk_group = static_cast<int>(moe->opt_int("topk_group", 1, s.n_group).value_or(1));
    if (s.n_routed_experts % s.n_group != 0)
      throw Error(fmt("%s: n_group (%d) must divide n_routed_experts (%d)", moe->where("n_group").c_str(), s.n_group,
                      s.n_routed_experts));
    moe->finish();
    m.moe = s;
  }
  if (auto mla = t.opt_table("mla")) {
    MlaSpec s;
    s.kv_lora_rank = mla->get_int("kv_lora_rank", 1, 1 << 16);
    s.q_lora_rank = mla->get_int("q_lora_rank", 0, 1 << 16);
    s.qk_rope_head_dim = mla->get_int("qk_rope_head_dim", 1, 4096);
    s.qk_nope_head_dim = mla->get_int("qk_nope_head_dim", 0, 4096);
    s.v_head_dim = mla->get_int("v_head_dim", 1, 4096);
    mla->finish();
    m.mla = s;
  }
  bool needs_moe = m.architecture == "mixtral" || m.architecture == "deepseek_moe" || m.architecture == "deepseek_v2" || m.architecture == "deepseek_v3";
  bool needs_mla = m.architecture == "deepseek_v2" || m.architecture == "deepseek_v3";
  // The head geometry must add up: llama/qwen2/deepseek_moe split the hidden state into the heads,
  // MLA's head_dim is the value head's.
  if (!m.mla && m.num_attention_heads * m.head_dim != m.hidden_size)
    throw Error(fmt("%s: num_attention_heads x head_dim = %d x %lld = %lld, but hidden_size = %lld; for architecture '%s' "
                    "they must be equal", path.c_str(), m.num_attention_heads, m.head_dim,
                    m.num_attention_heads * m.head_dim, m.hidden_size, m.architecture.c_str()));
  if (m.mla && m.head_dim != m.mla->v_head_dim)
    throw Error(fmt("%s: head_dim = %lld, but [mla] v_head_dim = %lld: for MLA models head_dim is the value head's",
                    path.c_str(), m.head_dim, m.mla->v_head_dim));
  if (needs_moe && !m.moe) throw Error(fmt("%s: architecture '%s' needs a [moe] table", path.c_str(), m.architecture.c_str()));
  if (needs_mla && !m.mla) throw Error(fmt("%s: architecture '%s' needs an [mla] table", path.c_str(), m.architecture.c_str()));
  if (!needs_moe && m.moe) throw Error(fmt("%s: architecture '%s' has no [moe] table", path.c_str(), m.architecture.c_str()));
  if (!needs_mla && m.mla) throw Error(fmt("%s: architecture '%s' has no [mla] table", path.c_str(), m.architecture.c_str()));
  if (auto ref = t.opt_table("reference")) {
    m.ref_total_params_b = ref->get_number("total_params_b", 0, 1e6);
    m.ref_active_params_b = ref->get_number("active_params_b", 0, 1e6);
    m.ref_kv_bytes_per_token_bf16 = ref->get_number("kv_bytes_per_token_bf16", 0, 1e12);
    ref->finish();
  }
  t.finish();
  return m;
}

}  // namespace dssim
