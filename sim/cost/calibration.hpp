#pragma once
// Efficiencies of one GPU fitted from its microbenchmark CSVs (validation/data/<gpu>/, the schema of
// the H200 measurements). The cost model multiplies datasheet peaks by these.
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "config/gpu_card.hpp"

namespace dssim {

// GEMM time = fixed + (t_c^n + t_m^n)^(1/n): a roofline whose corner is rounded by `smooth_n`,
// t_c = FLOPs / (peak * eff_compute), t_m = bytes / (memory_bw * eff_memory).
// (tc^n + tm^n)^(1/n), scaled by the larger term so that a large n cannot underflow.
double rounded_max(double tc, double tm, double n);

struct GemmFit {
  double eff_compute = 0.7;
  double eff_memory = 0.8;
  double smooth_n = 3.0;
  int points = 0;
};

struct CalibrationProfile {
  std::string gpu_id;
  // element-wise kernels: time = kernel_fixed_s + bytes / (memory_bw * copy_eff)
  double kernel_fixed_s = 2.5e-6;
  double copy_eff = 0.89;
  std::map<std::string, GemmFit> gemm;  // by measured dtype: bf16, fp8, int8, tf32, fp32
  // causal prefill attention: rate(S) = bf16 peak * attn_eff_max * S / (S + attn_s_half)
  double attn_eff_max = 0.65;
  double attn_s_half = 400;
  // decode attention: KV bytes / (memory_bw * attn_decode_eff)
  double attn_decode_eff = 0.9;
  // measured GEMM times of exact shapes: (dtype, N, K) -> sorted (M, seconds)
  std::map<std::tuple<std::string, long long, long long>, std::vector<std::pair<double, double>>> gemm_table;
  // fastest call of each GEMM dtype: the host's issue floor in the measurements
  std::map<std::string, double> gemm_host_floor_s;
  // host<->device (pinned) for later use by offload: bandwidth per direction
  double pcie_pinned_Bps = 0;
};

// What counts as a host-bound microbenchmark (Python issues calls back to back; below these the host,
// not the GPU, set the pace). Shared by the fit and by dssim-validate.
inline constexpr double kGpuBoundCopyBytes = 16.0 * 1024 * 1024;  // 1-4 MiB copies took 10-11 us: host
inline constexpr double kAttnPrefillHostFloorS = 50e-6;            // SDPA calls: 18-40 us host floor
inline constexpr double kAttnDecodeHostFloorS = 100e-6;
inline constexpr double kGemmFitFloorRatio = 1.3;    // within 30 % of the fastest call: out of the fit
inline constexpr double kGemmTableFloorRatio = 2.0;  // below 2x the fastest call, kept in the table only
inline constexpr double kGemmTableRoofShare = 0.75;  // ... if the roofline needs >= 75 % of its time

// Fits the profile from `gpu.calibration_dir`. Throws an Error naming the file on malformed data.
CalibrationProfile fit_calibration(const GpuCard& gpu);
// The measured-dtype table a compute precision uses, and back (gemm.csv's dtype column).
std::string gemm_table_dtype(Precision compute);
Precision precision_of_gemm_dtype(const std::string& dtype);

}  // namespace dssim
