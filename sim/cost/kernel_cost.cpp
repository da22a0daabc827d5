#include "cost/kernel_cost.hpp"

#include <algorithm>
#include <cmath>

#include "config/catalog.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

KernelCostModel::KernelCostModel(GpuCard gpu, CalibrationProfile profile, bool own_measurements)
    : gpu_(std::move(gpu)), profile_(std::move(profile)), own_(own_measurements) {}

const GemmFit& KernelCostModel::fit_for(Precision compute) const {
  auto it = profile_.gemm.find(gemm_table_dtype(compute));
  if (it != profile_.gemm.end()) return it->second;
  static const GemmFit fallback;
  auto bf = profile_.gemm.find("bf16");
  return bf != profile_.gemm.end() ? bf->second : fallback;
}

double KernelCostModel::gemm_roofline(double m, double n, double k, int groups, Precision weight, Precision act) const {
  const Precision compute = gpu_.compute_precision(weight == Precision::fp32 ? Precision::fp32 : weight);
  const GemmFit& f = fit_for(compute);
  const double peak = gpu_.peak(compute);
  const double a = bytes_per_element(act);
  const double flops = 2.0 * m * n * k;
  const double bytes = m * k * a + k * n * bytes_per_element(weight) + m * n * a;
  const double tc = flops / (peak * f.eff_compute);
  const double tm = bytes / (gpu_.memory_bw_Bps * f.eff_memory);
  return profile_.kernel_fixed_s + groups * rounded_max(tc, tm, f.smooth_n);
}

double KernelCostModel::gemm_time(double m, double n, double k, int groups, Precision weight, Precision act) const {
  if (own_ && groups == 1) {
    const Precision compute = gpu_.compute_precision(weight);
    // A measured shape is only the same kernel when the weights are stored as that dtype was measured.
    const bool storage_matches = weight == compute;
    auto it = profile_.gemm_table.find({gemm_table_dtype(compute), std::llround(n), std::llround(k)});
    // Below the smallest trusted measurement (smaller M were host-bound) the roofline answers.
    if (storage_matches && it != profile_.gemm_table.end() && !it->second.empty() && m >= it->second.front().first) {
      const auto& pts = it->second;
      if (m >= pts.back().first) return pts.back().second * m / pts.back().first;  // compute-bound: linear in M
      auto hi = std::lower_bound(pts.begin(), pts.end(), std::make_pair(m, 0.0));
      auto lo = hi - 1;
      double w = (m - lo->first) / (hi->first - lo->first);
      return lo->second + w * (hi->second - lo->second);
    }
  }
  return gemm_roofline(m, n, k, groups, weight, act);
}

double KernelCostModel::attention_time(const Op& op) const {
  const Precision act_compute = gpu_.compute_precision(Precision::bf16);
  const double peak = gpu_.peak(act_compute);
  const double mem = op.bytes / (gpu_.memory_bw_Bps * profile_.attn_decode_eff);
  double rate = peak * profile_.attn_eff_max;
  if (op.prefill) rate *= op.q_len / (op.q_len + profile_.attn_s_half);
  return profile_.kernel_fixed_s + std::max(mem, op.flops / rate);
}

double KernelCostModel::elementwise_time(double bytes) const {
  return profile_.kernel_fixed_s + bytes / (gpu_.memory_bw_Bps * profile_.copy_eff);
}

double KernelCostModel::gpu_time(const Op& op) const {
  switch (op.kind) {
    case OpKind::gemm: return gemm_time(op.m, op.n, op.k, op.groups, op.weight, op.act);
    case OpKind::attention: return attention_time(op);
    case OpKind::elementwise: return elementwise_time(op.bytes);
    case OpKind::host_only:
    case OpKind::allreduce: return 0.0;  // all-reduce time comes from the platform's links
  }
  return 0.0;
}

double KernelCostModel::host_time(const Op& op, const RuntimeProfile& rt) const {
  double t = 0;
  switch (op.kind) {
    case OpKind::gemm: t = rt.gemm_s; break;
    case OpKind::attention: t = op.heads != op.kv_heads && !op.latent ? rt.attention_gqa_s : rt.attention_mha_s; break;
    case OpKind::elementwise:
    case OpKind::allreduce: t = rt.elementwise_s; break;
    case OpKind::host_only: t = rt.view_s * op.host_ops; break;
  }
  return t / rt.host_speed_scale;
}

KernelCostModel make_cost_model(const GpuCard& gpu, const Catalog& catalog) {
  if (!gpu.calibration_dir.empty()) return KernelCostModel(gpu, fit_calibration(gpu), true);
  GpuCard donor = catalog.gpu(gpu.efficiency_from);
  if (donor.calibration_dir.empty())
    throw Error(fmt("%s: efficiency_from = '%s' names a GPU without calibration data", gpu.file.c_str(),
                    gpu.efficiency_from.c_str()));
  CalibrationProfile p = fit_calibration(donor);
  p.gpu_id = gpu.id + " (efficiencies of " + donor.id + ")";
  p.gemm_table.clear();
  return KernelCostModel(gpu, std::move(p), false);
}

}  // namespace dssim
