#include "cost/iteration_cost.hpp"

#include <algorithm>
#include <cmath>

#include "model/params.hpp"

namespace dssim {

IterationCostModel::IterationCostModel(const ModelCard& m, const ForwardConfig& cfg, const KernelCostModel& cost,
                                       const RuntimeProfile& rt, bool cuda_graphs, double interconnect_Bps,
                                       double link_latency_s)
    : m_(m), cfg_(cfg), cost_(cost), cuda_graphs_(cuda_graphs) {
  graph_launch_s_ = rt.graph_launch_s / rt.host_speed_scale;
  allreduce_step_s_ = link_latency_s;
  allreduce_Bps_ = interconnect_Bps;
  act_bytes_ = bytes_per_element(cfg.activations);
  // Host cost, attention geometry and all-reduce count read off one prefill and one decode pass.
  auto pre = build_forward(m, cfg, ForwardShape{true, 1, 2, 2});
  auto dec = build_forward(m, cfg, ForwardShape{false, 1, 1, 2});
  for (const Op& op : pre) {
    host_eager_s_ += cost.host_time(op, rt);
    if (op.kind == OpKind::allreduce) ++allreduces_;
    if (op.kind == OpKind::attention) {
      ++attention_layers_;
      heads_ = op.heads;
      kv_heads_ = op.kv_heads;
      qk_prefill_ = op.qk_dim;
      v_prefill_ = op.v_dim;
    }
  }
  first_host_s_ = cost.host_time(pre.front(), rt);
  for (const Op& op : dec)
    if (op.kind == OpKind::attention) {
      qk_decode_ = op.qk_dim;
      v_decode_ = op.v_dim;
      latent_decode_ = op.latent;
    }
  attn_kv_bytes_per_token_ = kv_bytes_per_token(m, cfg.kv_cache) / m.num_hidden_layers;
  if (!m.mla) attn_kv_bytes_per_token_ *= static_cast<double>(kv_heads_) / m.num_key_value_heads;
  attn_prefill_ = make_attention_op(true, 1, 1, 1, heads_, kv_heads_, qk_prefill_, v_prefill_, false,
                                    attn_kv_bytes_per_token_, act_bytes_);
  attn_decode_ = make_attention_op(false, 1, 1, 1, heads_, latent_decode_ ? 1 : kv_heads_, qk_decode_, v_decode_,
                                   latent_decode_, attn_kv_bytes_per_token_, act_bytes_);
}

IterationCostModel::GpuTime IterationCostModel::token_ops_gpu(long long tokens, bool prefill) {
  // Above 512 tokens every kernel's time is (piecewise) linear in the token count: interpolate on a
  // 64-token grid so a trace with thousands of distinct prompt lengths builds a few hundred passes.
  constexpr long long kExact = 512, kStep = 64;
  if (tokens > kExact && tokens % kStep != 0) {
    const long long lo = tokens / kStep * kStep, hi = lo + kStep;
    const double w = static_cast<double>(tokens - lo) / static_cast<double>(kStep);
    const GpuTime a = token_ops_gpu(lo, prefill), b = token_ops_gpu(hi, prefill);
    return {(1 - w) * a.total + w * b.total, (1 - w) * a.compute + w * b.compute};
  }
  auto& memo = token_memo_[prefill ? 1 : 0];
  auto it = memo.find(tokens);
  if (it != memo.end()) return it->second;
  GpuTime t;
  for (const Op& op : build_forward(m_, cfg_, ForwardShape{prefill, 1, tokens, tokens}))
    if (op.kind != OpKind::attention && op.name != "lm_head" && op.name != "final_norm") {
      t.total += cost_.gpu_time(op);
      t.compute += cost_.compute_time(op);
    }
  memo.emplace(tokens, t);
  return t;
}

IterationCostModel::GpuTime IterationCostModel::lm_head_gpu(long long rows) {
  auto it = head_memo_.find(rows);
  if (it != head_memo_.end()) return it->second;
  GpuTime t;
  for (const Op& op : build_forward(m_, cfg_, ForwardShape{false, static_cast<int>(rows), 1, 1}))
    if (op.name == "lm_head" || op.name == "final_norm") {
      t.total += cost_.gpu_time(op);
      t.compute += cost_.compute_time(op);
    }
  head_memo_.emplace(rows, t);
  return t;
}

IterationCostModel::GpuTime IterationCostModel::attention_gpu(bool prefill, int batch, double q_len, double kv_len) {
  Op& op = prefill ? attn_prefill_ : attn_decode_;
  set_attention_shape(op, batch, q_len, kv_len, attn_kv_bytes_per_token_, act_bytes_);
  return {cost_.attention_time(op), cost_.compute_time(op)};
}

IterationCostBreakdown IterationCostModel::evaluate(const IterationShape& s) {
  IterationCostBreakdown r;
  long long prefill_tokens = 0, logits = s.decode;
  for (const auto& c : s.prefill) {
    prefill_tokens += c.tokens;
    if (c.last) ++logits;
  }
  const long long tokens = prefill_tokens + s.decode;
  if (tokens == 0) return r;
  const bool has_prefill = prefill_tokens > 0;
  GpuTime t = token_ops_gpu(tokens, has_prefill);
  if (logits > 0) {
    const GpuTime h = lm_head_gpu(logits);
    t.total += h.total;
    t.compute += h.compute;
  }
  GpuTime attn;
  auto add = [&attn](GpuTime x) {
    attn.total += x.total;
    attn.compute += x.compute;
  };
  for (const auto& c : s.prefill) add(attention_gpu(true, 1, static_cast<double>(c.tokens), static_cast<double>(c.context)));
  if (s.decode > 0) add(attention_gpu(false, s.decode, 1.0, s.decode_context_sum / s.decode));
  double gpu = t.total + attn.total * attention_layers_;
  r.gpu_compute_s = t.compute + attn.compute * attention_layers_;
  if (allreduces_ > 0 && cfg_.tensor_parallel > 1) {
    const int p = cfg_.tensor_parallel;
    const double bytes = static_cast<double>(tokens) * static_cast<double>(m_.hidden_size) * act_bytes_;
    gpu += allreduces_ * 2.0 * (p - 1) * (2 * allreduce_step_s_ + bytes / p / allreduce_Bps_);
  }
  // Decode-only steps replay a captured graph; steps with prefill run eager. The host and the GPU
  // overlap: the slower side sets the pace, plus the other side's first or last kernel.
  const bool graph = cuda_graphs_ && !has_prefill;
  r.gpu_s = gpu;
  r.graph = graph;
  r.first_host_s = first_host_s_;
  r.host_s = graph ? graph_launch_s_ : host_eager_s_;
  r.total_s = r.total_for(gpu);
  return r;
}

}  // namespace dssim
