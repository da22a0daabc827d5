#include "parallel/layout.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::pair<int, int> stage_layers(int layers, int pp, int s) {
  const int base = layers / pp, extra = layers % pp;
  const int first = s * base + std::min(s, extra);
  return {first, first + base + (s < extra ? 1 : 0)};
}

std::vector<double> ep_receive_shares(const ModelCard& m, const ParallelLayout& l) {
  std::vector<double> out;
  if (!m.moe || l.ep <= 1) return out;
  const auto shares = expert_shares(m.moe->n_routed_experts, l.routing_skew);
  // expected assignments are linear in the token count: one token gives the shares
  const auto loads = moe_rank_loads(1.0, m.moe->num_experts_per_tok, shares, l.ep, l.placement, l.redundant_experts);
  double total = 0;
  for (const auto& r : loads) total += r.tokens;
  for (const auto& r : loads) out.push_back(r.tokens / total);
  return out;
}

std::string describe(const ParallelLayout& l, bool moe) {
  if (l.gpus() == 1) return "";
  std::string s = fmt("TP %d", l.tp);
  if (l.ep > 1) s += fmt(", EP %d", l.ep);
  if (l.attention_dp() > 1) s += fmt(" (data-parallel attention x%d)", l.attention_dp());
  if (moe && l.ep > 1 && l.fp8_dispatch) s += " (fp8 dispatch)";
  if (l.two_batch_overlap) s += ", two-batch overlap";
  if (l.pp > 1) s += fmt(", PP %d (%d micro-batches)", l.pp, l.micro());
  if (moe && l.ep > 1 && l.redundant_experts > 0)
    s += fmt(", routing skew %g, EPLB with %d redundant experts", l.routing_skew, l.redundant_experts);
  else if (moe && l.ep > 1 && l.routing_skew > 0)
    s += fmt(", routing skew %g, %s placement", l.routing_skew, to_string(l.placement).c_str());
  return s;
}

int max_stage_layers(int layers, int pp) { return (layers + pp - 1) / pp; }

namespace {

bool tp_divides(const ModelCard& m, int tp, bool experts_split) {
  if (m.num_attention_heads % tp != 0 || m.intermediate_size % tp != 0) return false;
  if (experts_split && m.moe && m.moe->moe_intermediate_size % tp != 0) return false;
  return m.mla || m.num_key_value_heads % tp == 0 || tp % m.num_key_value_heads == 0;
}

std::string valid_list(const std::vector<int>& v) {
  std::vector<std::string> s;
  for (int x : v) s.push_back(std::to_string(x));
  return s.empty() ? "none" : join(s, ", ");
}

}  // namespace

void validate_layout(const ModelCard& m, const ParallelLayout& l, int replicas, int platform_gpus) {
  const int need = l.gpus() * replicas;
  if (need > platform_gpus) {
    std::vector<std::string> parts;
    if (l.tp > 1) parts.push_back(fmt("tensor_parallel = %d", l.tp));
    if (l.ep > l.tp) parts.push_back(fmt("expert_parallel = %d", l.ep));
    if (l.pp > 1) parts.push_back(fmt("pipeline_parallel = %d", l.pp));
    if (replicas > 1) parts.push_back(fmt("data_parallel (replicas) = %d", replicas));
    throw Error(fmt("%s needs %d GPUs; the platform has %d (raise [platform] count or nodes, or lower a degree)",
                    join(parts, " x ").c_str(), need, platform_gpus));
  }
  std::vector<int> tps;
  for (int t = 1; t <= std::min(platform_gpus, kMaxListedDegree); ++t)
    if (tp_divides(m, t, l.ep == 1)) tps.push_back(t);
  if (m.num_attention_heads % l.tp != 0)
    throw Error(fmt("tensor_parallel = %d does not divide %s's %d attention heads; valid tensor_parallel here: %s", l.tp,
                    m.id.c_str(), m.num_attention_heads, valid_list(tps).c_str()));
  if (!m.mla && m.num_key_value_heads % l.tp != 0 && l.tp % m.num_key_value_heads != 0)
    throw Error(fmt("tensor_parallel = %d neither divides nor is a multiple of %s's %d KV heads; valid tensor_parallel here: %s",
                    l.tp, m.id.c_str(), m.num_key_value_heads, valid_list(tps).c_str()));
  if (m.intermediate_size % l.tp != 0 || (l.ep == 1 && m.moe && m.moe->moe_intermediate_size % l.tp != 0))
    throw Error(fmt("tensor_parallel = %d does not divide %s's MLP width %lld%s; valid tensor_parallel here: %s", l.tp,
                    m.id.c_str(), m.intermediate_size,
                    m.moe ? fmt(" / expert width %lld", m.moe->moe_intermediate_size).c_str() : "", valid_list(tps).c_str()));
  if (l.ep > 1) {
    if (!m.moe)
      throw Error(fmt("expert_parallel = %d: %s is a dense model, it has no experts to spread (use tensor_parallel)", l.ep,
                      m.id.c_str()));
    std::vector<int> eps;
    for (int e = 2; e <= m.moe->n_routed_experts; ++e)
      if (m.moe->n_routed_experts % e == 0 && (e % l.tp == 0 || l.tp % e == 0) && e * l.pp * replicas <= platform_gpus)
        eps.push_back(e);
    // EPLB's copies count as experts to spread: DeepSeek decodes with EP144, 256 + 32 = 288 experts, 2 a rank
    if (l.redundant_experts == 0 && m.moe->n_routed_experts % l.ep != 0)
      throw Error(fmt("expert_parallel = %d does not divide %s's %d routed experts; valid expert_parallel here: %s", l.ep,
                      m.id.c_str(), m.moe->n_routed_experts, valid_list(eps).c_str()));
    if (l.ep < l.tp)
      throw Error(fmt("expert_parallel = %d is smaller than tensor_parallel = %d: dssim spreads whole experts over every "
                      "GPU of a stage (expert_parallel = %d) or splits each expert with tensor parallelism "
                      "(expert_parallel = 1)", l.ep, l.tp, l.tp));
    if (l.redundant_experts > 0 && (m.moe->n_routed_experts + l.redundant_experts) % l.ep != 0)
      throw Error(fmt("redundant_experts = %d: %s's %d routed experts and the copies must fill the %d expert-parallel "
                      "ranks evenly; use a multiple of %d (e.g. %d)", l.redundant_experts, m.id.c_str(),
                      m.moe->n_routed_experts, l.ep, l.ep, l.ep));
    if (l.ep % l.tp != 0)
      throw Error(fmt("expert_parallel = %d is not a multiple of tensor_parallel = %d: the stage's %d GPUs must form "
                      "whole attention groups of %d", l.ep, l.tp, l.ep, l.tp));
  }
  if (l.two_batch_overlap && l.pp > 1)
    throw Error(fmt("two_batch_overlap with pipeline_parallel = %d is not modelled: the overlap runs two micro-batches "
                    "on two streams of a single-stage replica", l.pp));
  if (l.pp > m.num_hidden_layers)
    throw Error(fmt("pipeline_parallel = %d exceeds %s's %d layers: each stage needs at least one layer", l.pp, m.id.c_str(),
                    m.num_hidden_layers));
}

}  // namespace dssim
