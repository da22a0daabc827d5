#include "predict/prediction.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "config/catalog.hpp"
#include "cost/kernel_cost.hpp"
#include "engine/iteration_sim.hpp"
#include "model/operators.hpp"
#include "power/power_model.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

void validate_input(const PredictInput& in) {
  const ModelCard& m = in.model;
  const int tp = in.tensor_parallel;
  std::vector<std::string> valid;
  for (int t = 1; t <= in.node.gpu_count; ++t)
    if (tp_compatible(m, t))
      valid.push_back(std::to_string(t));
  if (tp > in.node.gpu_count)
    throw Error(fmt("tensor_parallel = %d needs %d GPUs but the platform has %d; use count >= %d or tensor_parallel in {%s}",
                    tp, tp, in.node.gpu_count, tp, join(valid, ", ").c_str()));
  if (m.num_attention_heads % tp != 0)
    throw Error(fmt("tensor_parallel = %d does not divide %s's %d attention heads; valid here: %s", tp, m.id.c_str(),
                    m.num_attention_heads, join(valid, ", ").c_str()));
  if (!m.mla && m.num_key_value_heads % tp != 0 && tp % m.num_key_value_heads != 0)
    throw Error(fmt("tensor_parallel = %d neither divides nor is a multiple of %s's %d KV heads; valid here: %s", tp,
                    m.id.c_str(), m.num_key_value_heads, join(valid, ", ").c_str()));
  if (m.intermediate_size % tp != 0 || (m.moe && m.moe->moe_intermediate_size % tp != 0))
    throw Error(fmt("tensor_parallel = %d does not divide %s's MLP width %lld%s; valid here: %s", tp, m.id.c_str(),
                    m.intermediate_size, m.moe ? fmt(" / expert width %lld", m.moe->moe_intermediate_size).c_str() : "",
                    join(valid, ", ").c_str()));
  if (!in.gpu.peak_flops.count(in.gpu.compute_precision(in.weights)) && in.weights != Precision::fp32)
    throw Error(fmt("%s has no usable compute rate for %s weights", in.gpu.id.c_str(), to_string(in.weights).c_str()));
}

namespace {

SimIteration to_sim(const std::vector<Op>& ops, const KernelCostModel& cost, const RuntimeProfile& rt, int batch,
                    long long new_tokens) {
  SimIteration it;
  it.kernels.reserve(ops.size());
  for (const Op& op : ops) it.compute_s += cost.compute_time(op);
  for (const Op& op : ops) {
    SimKernel k;
    k.kind = op.kind;
    k.gpu_s = cost.gpu_time(op);
    k.host_s = cost.host_time(op, rt);
    k.bytes = op.bytes;
    it.kernels.push_back(k);
  }
  it.h2d_bytes = 8.0 * batch * static_cast<double>(new_tokens);  // int64 token ids
  it.d2h_bytes = 8.0 * batch;                                    // the sampled ids
  return it;
}

int kernel_count(const std::vector<Op>& ops) {
  return static_cast<int>(std::count_if(ops.begin(), ops.end(), [](const Op& o) { return o.kind != OpKind::host_only; }));
}

}  // namespace

Prediction predict(const PredictInput& in, const Catalog& catalog) {
  validate_input(in);
  Prediction p;
  const ModelCard& m = in.model;
  p.params = count_params(m);
  p.kv_bytes_per_token = kv_bytes_per_token(m, in.kv_cache);
  p.activations = activation_precision(in.weights, in.gpu.peak_flops.count(Precision::bf16) > 0);

  // Beyond the trained context the arithmetic is the same; the answers may not be: warn, don't refuse.
  const long long longest = std::max(in.prompt + in.output - 1, in.context + 1);
  if (longest > m.max_position_embeddings)
    p.warnings.push_back(fmt("%lld tokens per sequence exceed %s's trained context of %lld tokens", longest, m.id.c_str(),
                             m.max_position_embeddings));

  MemoryRequest mr;
  mr.weights = in.weights;
  mr.kv_cache = in.kv_cache;
  mr.activations = p.activations;
  mr.batch = in.batch;
  mr.prefill_tokens = in.prompt;
  mr.kv_tokens = p.kv_tokens_per_sequence = longest;
  mr.tensor_parallel = in.tensor_parallel;
  mr.reserve_bytes = in.runtime.reserve_bytes;
  mr.reserve_fraction = in.runtime.reserve_fraction;
  p.memory = memory_per_gpu(m, in.gpu, mr);
  p.fits = p.memory.fits();
  if (!p.fits) {
    p.suggestions = what_would_fit(m, in.gpu, mr);
    return p;
  }

  KernelCostModel cost = make_cost_model(in.gpu, catalog);
  p.calibration = cost.own_measurements() ? "calibrated profile " + in.gpu.profile_path : cost.profile().gpu_id;
  ForwardConfig fc;
  fc.weights = in.weights;
  fc.activations = p.activations;
  fc.kv_cache = in.kv_cache;
  fc.tensor_parallel = in.tensor_parallel;

  // Iteration 0: prefill. Then decode steps at the reported context and at sampled contexts across the
  // generation (a step's time is affine in its context, so the samples interpolate the rest exactly
  // up to the attention kernels' own curvature).
  std::vector<SimIteration> its;
  ForwardShape pre{true, in.batch, in.prompt, in.prompt};
  auto pre_ops = build_forward(m, fc, pre);
  p.prefill_kernels = kernel_count(pre_ops);
  its.push_back(to_sim(pre_ops, cost, in.runtime, in.batch, in.prompt));

  std::set<long long> contexts{in.context};
  const long long steps = in.output - 1;  // the first output token comes from the prefill
  if (steps > 0) {
    const long long first = in.prompt, last = in.prompt + steps - 1;
    const int samples = static_cast<int>(std::min<long long>(steps, 5));
    for (int i = 0; i < samples; ++i)
      contexts.insert(samples == 1 ? first : first + (last - first) * i / (samples - 1));
  }
  std::vector<long long> ctx_list(contexts.begin(), contexts.end());
  for (long long c : ctx_list) {
    ForwardShape d{false, in.batch, 1, c + 1};
    auto ops = build_forward(m, fc, d);
    p.decode_kernels = kernel_count(ops);
    its.push_back(to_sim(ops, cost, in.runtime, in.batch, 1));
  }

  // Prefill runs eager (no captured graph fits every prompt shape); decode steps follow cuda_graphs.
  if (in.cuda_graphs)
    for (std::size_t i = 1; i < its.size(); ++i) its[i].graph_launch_s = in.runtime.graph_launch_s / in.runtime.host_speed_scale;
  SimSetup setup;
  setup.node = in.node;
  setup.gpu = in.gpu;
  setup.ranks = in.tensor_parallel;
  auto res = simulate_iterations(setup, its);

  p.prefill_s = res[0].duration();
  p.prefill_gpu_busy_s = res[0].gpu_busy_s;
  p.prefill_host_busy_s = res[0].host_busy_s;
  for (std::size_t i = 0; i < ctx_list.size(); ++i) {
    p.decode_samples.emplace_back(ctx_list[i], res[i + 1].duration());
    if (ctx_list[i] == in.context) {
      p.decode_step_s = res[i + 1].duration();
      p.decode_gpu_busy_s = res[i + 1].gpu_busy_s;
      p.decode_host_busy_s = res[i + 1].host_busy_s;
    }
  }
  auto step_at = [&](long long c) {
    const auto& s = p.decode_samples;
    if (s.size() == 1) return s[0].second;
    auto hi = std::lower_bound(s.begin(), s.end(), std::make_pair(c, -1.0));
    if (hi == s.begin()) hi = s.begin() + 1;
    if (hi == s.end()) hi = s.end() - 1;
    auto lo = hi - 1;
    double w = static_cast<double>(c - lo->first) / static_cast<double>(hi->first - lo->first);
    return lo->second + w * (hi->second - lo->second);
  };
  double decode_total = 0;
  for (long long j = 0; j < steps; ++j) decode_total += step_at(in.prompt + j);
  // Draw while serving: the power model at the maximum clock for the work's compute share and the GPU's
  // busy fraction, weighting the prefill once and the decode steps by their number; at most the limit
  // (above it the GPU would throttle; this one-shot prediction does not slow down for it).
  const PowerInputs& pin = cost.profile().power;
  if (pin.measured) {
    PowerModel pm = make_power_model(in.gpu, pin, cost.own_measurements(), cost.profile().gpu_id);
    const double dec_w = steps > 0 ? static_cast<double>(steps) : 0.0;
    const double dec_i = static_cast<double>(its.size() - 1);
    double dec_gpu = 0, dec_compute = 0, dec_time = 0;
    for (std::size_t i = 1; i < its.size(); ++i) {
      dec_gpu += res[i].gpu_busy_s / dec_i;
      dec_compute += its[i].compute_s / dec_i;
      dec_time += res[i].duration() / dec_i;
    }
    const double gpu = res[0].gpu_busy_s + dec_w * dec_gpu, compute = its[0].compute_s + dec_w * dec_compute;
    const double time = res[0].duration() + dec_w * dec_time;
    if (gpu > 0 && time > 0)
      p.serving_power_w = std::min(pm.limit_w, pm.power_w(pm.f_max_mhz, std::min(1.0, compute / gpu), std::min(1.0, gpu / time)));
  }
  p.ttft_s = p.prefill_s;
  p.e2e_s = p.prefill_s + decode_total;
  p.tpot_s = steps > 0 ? decode_total / static_cast<double>(steps) : 0.0;
  p.throughput_tok_s = static_cast<double>(in.batch) * static_cast<double>(in.output) / p.e2e_s;
  return p;
}

}  // namespace dssim
