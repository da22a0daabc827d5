#include "timing/kernel_cost.hpp"

#include <algorithm>
#include <cmath>

#include "model/params.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

KernelCostModel::KernelCostModel(GpuCard gpu, CalibrationProfile profile, bool own_measurements)
    : gpu_(std::move(gpu)), profile_(std::move(profile)), own_(own_measurements) {
  const Precision act = gpu_.compute_precision(Precision::bf16);
  if (gpu_.peak_flops.count(act) || gpu_.peak_flops.count(Precision::fp32)) attn_peak_ = gpu_.peak(act);
}

const GemmFit& KernelCostModel::fit_for(Precision compute) const {
  auto it = profile_.gemm.find(gemm_table_dtype(compute));
  if (it != profile_.gemm.end()) return it->second;
  // fp16 runs on the same tensor-core paths as bf16: use its fit when fp16 was not measured
  static const GemmFit fallback;
  auto bf = profile_.gemm.find("bf16");
  return bf != profile_.gemm.end() ? bf->second : fallback;
}

bool KernelCostModel::runs_weight_only(Precision weight, bool weight_only) const {
  return gpu_.weight_only_gemm(weight, weight_only);
}

double KernelCostModel::dequant_time(double m, double n, double k, Precision act) const {
  const GemmFit& f = fit_for(gpu_.compute_precision(act));
  const double tiles = std::ceil(std::max(m, 1.0) / profile_.dequant_tile_m);
  return tiles * k * n * profile_.dequant_ops_per_weight / (gpu_.peak(Precision::fp32) * f.eff_compute);
}

KernelCostModel::GemmTerms KernelCostModel::gemm_terms(double m, double n, double k, Precision weight, Precision act,
                                                       bool weight_only, bool sparse) const {
  const bool wo = runs_weight_only(weight, weight_only);
  // weight-only: the 16-bit tensor rate of the activations; native: the rate of the stored precision
  const Precision compute = wo ? gpu_.compute_precision(act) : gpu_.compute_precision(weight);
  const GemmFit& f = fit_for(compute);
  const double a = bytes_per_element(act);
  const double flops = 2.0 * m * n * k * (sparse ? 0.5 : 1.0);  // sparse tensor cores skip the pruned half
  const double bytes = m * k * a + k * n * bytes_per_element(weight) * (sparse ? sparse_weight_fraction(weight) : 1.0) + m * n * a;
  double tc = flops / (gpu_.peak(compute) * f.eff_compute);
  if (wo) tc += dequant_time(m, n, k, act);  // CUDA-core work: SM-clock paced like the tensor part
  return {&f, tc, bytes / (gpu_.memory_bw_Bps * f.eff_memory), bytes};
}

bool KernelCostModel::runs_gemv(double m, int groups, Precision weight, bool weight_only) const {
  return m == 1 && groups == 1 && !runs_weight_only(weight, weight_only) &&
         fit_for(gpu_.compute_precision(weight)).has_gemv();
}

double KernelCostModel::gemm_roofline(double m, double n, double k, int groups, Precision weight, Precision act,
                                      bool weight_only, bool sparse) const {
  const GemmTerms g = gemm_terms(m, n, k, weight, act, weight_only, sparse);
  if (runs_gemv(m, groups, weight, weight_only)) return gemv_time(*g.fit, g.bytes, gpu_.memory_bw_Bps);
  return g.fit->fixed_s + groups * rounded_max(g.tc, g.tm, g.fit->smooth_n);
}

double KernelCostModel::gemm_time(double m, double n, double k, int groups, Precision weight, Precision act,
                                  bool weight_only, bool sparse) const {
  if (own_ && groups == 1 && !sparse && !runs_weight_only(weight, weight_only)) {
    const Precision compute = gpu_.compute_precision(weight);
    // A measured shape is only the same kernel when the weights are stored as that dtype was measured.
    const bool storage_matches = weight == compute;
    auto it = profile_.gemm_table.find({gemm_table_dtype(compute), std::llround(n), std::llround(k)});
    if (compute == Precision::fp16 && it == profile_.gemm_table.end())
      it = profile_.gemm_table.find({"bf16", std::llround(n), std::llround(k)});
    // Below the smallest trusted measurement (smaller M were host-bound) the roofline answers.
    if (storage_matches && it != profile_.gemm_table.end() && !it->second.empty() && m >= it->second.front().first) {
      const auto& pts = it->second;
      if (m >= pts.back().first) return pts.back().second * m / pts.back().first;  // compute-bound: linear in M
      auto hi = std::upper_bound(pts.begin(), pts.end(), m, [](double v, const auto& q) { return v < q.first; });
      auto lo = hi - 1;  // lo->first <= m < hi->first
      double w = (m - lo->first) / (hi->first - lo->first);
      return lo->second + w * (hi->second - lo->second);
    }
  }
  return gemm_roofline(m, n, k, groups, weight, act, weight_only, sparse);
}

double KernelCostModel::attention_time(const Op& op) const {
  const double peak = attn_peak_ >= 0 ? attn_peak_ : gpu_.peak(gpu_.compute_precision(Precision::bf16));
  const double mem = op.bytes / (gpu_.memory_bw_Bps * profile_.attn_decode_eff);
  double rate = peak * profile_.attn_eff_max;
  if (op.prefill) rate *= op.q_len / (op.q_len + profile_.attn_s_half);
  return profile_.kernel_fixed_s + std::max(mem, op.flops / rate);
}

double KernelCostModel::copy_seconds(double bytes) const { return bytes / (gpu_.memory_bw_Bps * profile_.copy_eff); }

double KernelCostModel::strided_seconds(double strided_outputs) const {
  if (strided_outputs <= 0 || strided_rate_ <= 0) return 0.0;
  return strided_outputs / (gpu_.sm_count * gpu_.boost_clock_mhz * 1e6 * strided_rate_);
}

double KernelCostModel::elementwise_time(double bytes, double strided_outputs) const {
  return profile_.kernel_fixed_s + std::max(copy_seconds(bytes), strided_seconds(strided_outputs));
}

double KernelCostModel::strided_issue_time(const Op& op) const {
  const double issue = strided_seconds(op.strided_outputs);  // 0 for every kind but a strided element-wise op
  return issue > copy_seconds(op.bytes) ? issue : 0.0;
}

double KernelCostModel::compute_time(const Op& op) const {
  switch (op.kind) {
    case OpKind::gemm: {
      if (runs_gemv(op.m, op.groups, op.weight, op.weight_only)) return 0.0;  // memory-bound, not clock-paced
      const GemmTerms g = gemm_terms(op.m, op.n, op.k, op.weight, op.act, op.weight_only, op.sparse24);
      return rounded_share(g.tc, g.tm, g.fit->smooth_n) * std::max(0.0, gpu_time(op) - g.fit->fixed_s);
    }
    case OpKind::attention: {
      const double mem = op.bytes / (gpu_.memory_bw_Bps * profile_.attn_decode_eff);
      const double t = attention_time(op) - profile_.kernel_fixed_s;
      return t > mem * 1.000001 ? t : 0.0;  // compute-bound when the FLOP term set the time
    }
    default: return 0.0;
  }
}

KernelCostModel::Costs KernelCostModel::costs(const Op& op) const {
  Costs c{gpu_time(op), compute_time(op), 0.0, strided_issue_time(op)};
  const bool moves_memory = op.kind == OpKind::gemm || op.kind == OpKind::attention || op.kind == OpKind::elementwise;
  if (moves_memory && c.gpu > 0) c.memory_bytes = op.bytes * std::max(0.0, 1.0 - c.compute / c.gpu);
  return c;
}

KernelCostModel::Costs KernelCostModel::attention_costs(const Op& op, double& kernel_s) const {
  // costs()'s arithmetic, term for term, with attention_time evaluated once
  kernel_s = attention_time(op);
  Costs c{in_model_s_ + kernel_s, 0.0, 0.0};
  const double mem = op.bytes / (gpu_.memory_bw_Bps * profile_.attn_decode_eff);
  const double t = kernel_s - profile_.kernel_fixed_s;
  c.compute = t > mem * 1.000001 ? t : 0.0;
  if (c.gpu > 0) c.memory_bytes = op.bytes * std::max(0.0, 1.0 - c.compute / c.gpu);
  return c;
}

double KernelCostModel::memory_bytes(const Op& op) const { return costs(op).memory_bytes; }

double KernelCostModel::gpu_time(const Op& op) const {
  switch (op.kind) {
    case OpKind::gemm:
      return in_model_s_ + gemm_time(op.m, op.n, op.k, op.groups, op.weight, op.act, op.weight_only, op.sparse24);
    case OpKind::attention: return in_model_s_ + attention_time(op);
    case OpKind::elementwise: return in_model_s_ + elementwise_time(op.bytes, op.strided_outputs);
    case OpKind::host_only:
    case OpKind::allreduce:
    case OpKind::alltoall:
    case OpKind::allgather:
    case OpKind::p2p: return 0.0;  // communication time comes from the platform's links
  }
  return 0.0;
}

double KernelCostModel::host_time(const Op& op, const RuntimeProfile& rt) const {
  double t = 0;
  switch (op.kind) {
    case OpKind::gemm: t = rt.gemm_s; break;
    case OpKind::attention: t = op.heads != op.kv_heads && !op.latent ? rt.attention_gqa_s : rt.attention_mha_s; break;
    case OpKind::elementwise:
    case OpKind::allreduce:
    case OpKind::alltoall:
    case OpKind::allgather:
    case OpKind::p2p: t = rt.elementwise_s; break;
    case OpKind::host_only: t = rt.view_s * op.host_ops; break;
  }
  // Inside a model's forward every tensor operation also pays the Python around it (module code,
  // argument parsing), on top of the floor a bare call reaches in a microbenchmark loop.
  t += rt.python_op_s * (op.kind == OpKind::host_only ? op.host_ops : 1);
  return t / rt.host_speed_scale;
}

KernelCostModel::KernelCostModel(GpuCard gpu, const GpuProfile& p)
    : KernelCostModel(std::move(gpu), p.profile, p.own) {}

}  // namespace dssim
