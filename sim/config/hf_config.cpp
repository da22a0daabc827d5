#include "config/hf_config.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

using json = nlohmann::json;

// Hugging Face class name -> dssim architecture.
const std::map<std::string, std::string> kHfArchitectures = {
    {"LlamaForCausalLM", "llama"},       {"MistralForCausalLM", "mistral"},   {"Qwen2ForCausalLM", "qwen2"},
    {"MixtralForCausalLM", "mixtral"},   {"DeepseekForCausalLM", "deepseek_moe"}, {"DeepseekV2ForCausalLM", "deepseek_v2"},
    {"DeepseekV3ForCausalLM", "deepseek_v3"}};

class Fields {
 public:
  Fields(const json& j, std::string file) : j_(j), file_(std::move(file)) {}
  bool has(const char* k) const { return j_.contains(k) && !j_[k].is_null(); }
  long long integer(const char* k, long long lo, long long hi) const {
    if (!has(k)) throw Error(fmt("%s: missing field '%s' (an integer)", file_.c_str(), k));
    const json& v = j_[k];
    if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
      throw Error(fmt("%s: field '%s' = %s: expected an integer in [%lld, %lld]", file_.c_str(), k, v.dump().c_str(), lo, hi));
    return v.get<long long>();
  }
  long long integer_or(const char* k, long long fallback, long long lo, long long hi) const {
    return has(k) ? integer(k, lo, hi) : fallback;
  }
  bool boolean_or(const char* k, bool fallback) const {
    if (!has(k)) return fallback;
    if (!j_[k].is_boolean()) throw Error(fmt("%s: field '%s' = %s: expected true or false", file_.c_str(), k, j_[k].dump().c_str()));
    return j_[k].get<bool>();
  }

 private:
  const json& j_;
  std::string file_;
};

std::string toml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      o += fmt("\\u%04x", c);
      continue;
    }
    o += c;
  }
  return o;
}

std::string known_architectures() {
  std::vector<std::string> v;
  for (const auto& [k, _] : kHfArchitectures) v.push_back(k);
  return join(v, ", ");
}

}  // namespace

ModelCard model_from_hf_config(const std::string& path, const std::string& id) {
  std::ifstream in(path);
  if (!in) throw Error(fmt("%s: cannot read the file", path.c_str()));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(fmt("%s: not JSON: %s", path.c_str(), e.what()));
  }
  if (!j.is_object()) throw Error(fmt("%s: expected a JSON object (a Hugging Face config.json)", path.c_str()));
  const Fields f(j, path);
  if (!j.contains("architectures") || !j["architectures"].is_array() || j["architectures"].empty() ||
      !j["architectures"][0].is_string())
    throw Error(fmt("%s: missing field 'architectures' (e.g. [\"LlamaForCausalLM\"])", path.c_str()));
  const std::string hf_arch = j["architectures"][0].get<std::string>();
  const auto arch = kHfArchitectures.find(hf_arch);
  if (arch == kHfArchitectures.end())
    throw Error(fmt("%s: field 'architectures' = \"%s\" is not an architecture dssim models (supported: %s)", path.c_str(),
                    hf_arch.c_str(), known_architectures().c_str()));
  ModelCard m;
  m.file = path;
  m.id = id.empty() ? std::filesystem::absolute(path).parent_path().filename().string() : id;
  if (m.id.empty()) m.id = "imported";
  m.name = j.contains("_name_or_path") && j["_name_or_path"].is_string() ? j["_name_or_path"].get<std::string>() : m.id;
  m.architecture = arch->second;
  m.source = "imported from " + path + " (" + hf_arch + ")";
  m.hidden_size = f.integer("hidden_size", 1, 1 << 20);
  m.num_hidden_layers = static_cast<int>(f.integer("num_hidden_layers", 1, 10000));
  m.num_attention_heads = static_cast<int>(f.integer("num_attention_heads", 1, 10000));
  m.num_key_value_heads = static_cast<int>(f.integer_or("num_key_value_heads", m.num_attention_heads, 1, 10000));
  m.intermediate_size = f.integer("intermediate_size", 1, 1 << 22);
  m.vocab_size = f.integer("vocab_size", 1, 1 << 24);
  m.max_position_embeddings = f.integer("max_position_embeddings", 1, 1LL << 32);
  m.tie_word_embeddings = f.boolean_or("tie_word_embeddings", false);
  // Qwen2 always has q/k/v biases (its config has no field for them); Llama and Mistral say so in attention_bias.
  m.attention_bias = m.architecture == "qwen2" ? true : f.boolean_or("attention_bias", false);
  m.active_params_include_embedding = true;
  m.num_nextn_predict_layers = static_cast<int>(f.integer_or("num_nextn_predict_layers", 0, 0, 16));
  m.head_dim = f.integer_or("head_dim", m.hidden_size / m.num_attention_heads, 1, 4096);
  if (m.num_attention_heads % m.num_key_value_heads != 0)
    throw Error(fmt("%s: num_attention_heads (%d) is not a multiple of num_key_value_heads (%d)", path.c_str(),
                    m.num_attention_heads, m.num_key_value_heads));
  if (m.architecture == "mixtral") {
    MoeSpec s;
    s.n_routed_experts = static_cast<int>(f.integer("num_local_experts", 1, 100000));
    s.num_experts_per_tok = static_cast<int>(f.integer("num_experts_per_tok", 1, s.n_routed_experts));
    s.moe_intermediate_size = m.intermediate_size;  // every layer's FFN is the experts
    m.moe = s;
  } else if (m.architecture.rfind("deepseek", 0) == 0) {
    MoeSpec s;
    s.n_routed_experts = static_cast<int>(f.integer("n_routed_experts", 1, 100000));
    s.n_shared_experts = static_cast<int>(f.integer_or("n_shared_experts", 0, 0, 1000));
    s.num_experts_per_tok = static_cast<int>(f.integer("num_experts_per_tok", 1, s.n_routed_experts));
    s.moe_intermediate_size = f.integer("moe_intermediate_size", 1, 1 << 22);
    s.first_k_dense_replace = static_cast<int>(f.integer_or("first_k_dense_replace", 0, 0, m.num_hidden_layers));
    s.n_group = static_cast<int>(f.integer_or("n_group", 1, 1, s.n_routed_experts));
    s.topk_group = static_cast<int>(f.integer_or("topk_group", 1, 1, s.n_group));
    if (s.n_routed_experts % s.n_group != 0)
      throw Error(fmt("%s: n_group (%d) does not divide n_routed_experts (%d)", path.c_str(), s.n_group, s.n_routed_experts));
    m.moe = s;
  }
  if (m.architecture == "deepseek_v2" || m.architecture == "deepseek_v3") {
    MlaSpec s;
    s.kv_lora_rank = f.integer("kv_lora_rank", 1, 1 << 16);
    s.q_lora_rank = f.integer_or("q_lora_rank", 0, 0, 1 << 16);  // null in V2-Lite: queries projected directly
    s.qk_rope_head_dim = f.integer("qk_rope_head_dim", 1, 4096);
    s.qk_nope_head_dim = f.integer("qk_nope_head_dim", 0, 4096);
    s.v_head_dim = f.integer("v_head_dim", 1, 4096);
    m.mla = s;
    m.head_dim = s.v_head_dim;
  } else if (static_cast<long long>(m.num_attention_heads) * m.head_dim != m.hidden_size) {
    throw Error(fmt("%s: num_attention_heads x head_dim = %d x %lld is not hidden_size = %lld: dssim models attention "
                    "whose heads split the hidden state", path.c_str(), m.num_attention_heads, m.head_dim, m.hidden_size));
  }
  if (f.has("sliding_window") && j["sliding_window"].is_number() && m.architecture != "qwen2")
    m.notes = fmt("sliding_window=%s is not modelled: attention over the whole context", j["sliding_window"].dump().c_str());
  return m;
}

std::string model_card_toml(const ModelCard& m) {
  std::string o;
  auto q = [](const std::string& s) { return "\"" + toml_escape(s) + "\""; };
  o += "# " + m.name + ": written by dssim import-model from " + m.source + "\n";
  o += "id = " + q(m.id) + "\nname = " + q(m.name) + "\n";
  if (!m.hf_repo.empty()) o += "hf_repo = " + q(m.hf_repo) + "\n";
  o += "architecture = " + q(m.architecture) + "\nsource = " + q(m.source) + "\n";
  if (!m.notes.empty()) o += "notes = " + q(m.notes) + "\n";
  o += fmt("\nhidden_size = %lld\nnum_hidden_layers = %d\nnum_attention_heads = %d\nnum_key_value_heads = %d\n", m.hidden_size,
           m.num_hidden_layers, m.num_attention_heads, m.num_key_value_heads);
  o += fmt("head_dim = %lld\nintermediate_size = %lld\nvocab_size = %lld\nmax_position_embeddings = %lld\n", m.head_dim,
           m.intermediate_size, m.vocab_size, m.max_position_embeddings);
  o += fmt("tie_word_embeddings = %s\nattention_bias = %s\nactive_params_include_embedding = %s\n",
           m.tie_word_embeddings ? "true" : "false", m.attention_bias ? "true" : "false",
           m.active_params_include_embedding ? "true" : "false");
  if (m.num_nextn_predict_layers > 0) o += fmt("num_nextn_predict_layers = %d\n", m.num_nextn_predict_layers);
  if (m.moe)
    o += fmt("\n[moe]\nn_routed_experts = %d\nn_shared_experts = %d\nnum_experts_per_tok = %d\nmoe_intermediate_size = %lld\n"
             "first_k_dense_replace = %d\n", m.moe->n_routed_experts, m.moe->n_shared_experts, m.moe->num_experts_per_tok,
             m.moe->moe_intermediate_size, m.moe->first_k_dense_replace);
  if (m.moe && m.moe->n_group > 1)
    o += fmt("n_group = %d\ntopk_group = %d\n", m.moe->n_group, m.moe->topk_group);
  if (m.mla)
    o += fmt("\n[mla]\nkv_lora_rank = %lld\nq_lora_rank = %lld\nqk_rope_head_dim = %lld\nqk_nope_head_dim = %lld\nv_head_dim = %lld\n",
             m.mla->kv_lora_rank, m.mla->q_lora_rank, m.mla->qk_rope_head_dim, m.mla->qk_nope_head_dim, m.mla->v_head_dim);
  return o;
}

}  // namespace dssim
