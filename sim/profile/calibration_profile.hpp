#pragma once
// The calibrated parameters of one GPU, as the cost model uses them: efficiencies against the
// datasheet peaks, fixed costs, and the measured GEMM shapes. Written by `dssim calibrate`
// (sim/calibration/) into a profile TOML (platforms/profiles/<gpu>.toml) and read back from it.
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "config/precision.hpp"

namespace dssim {

// (tc^n + tm^n)^(1/n), scaled by the larger term so that a large n cannot underflow.
double rounded_max(double tc, double tm, double n);
// The compute term's share of that rounded sum, tc^n / (tc^n + tm^n), scaled like rounded_max so that
// a sharp corner (large n) cannot underflow to 0/0.
double rounded_share(double tc, double tm, double n);

// GEMM time = fixed_s + (t_c^n + t_m^n)^(1/n): a roofline whose corner is rounded by `smooth_n`,
// t_c = FLOPs / (peak * eff_compute), t_m = bytes / (memory_bw * eff_memory).
struct GemmFit {
  double fixed_s = 2e-6;
  double eff_compute = 0.7;
  double eff_memory = 0.8;
  double smooth_n = 3.0;
  double host_floor_s = 0;  // fastest call measured: the host's issue floor in the microbenchmark
  int points = 0;           // GPU-bound points the fit used
  // M = 1 on its own line, t = gemv_fixed + bytes / (BW * gemv_eff), where the library runs a
  // matrix-vector kernel there that the roofline misses (fp32/tf32 on the H200: M = 1 streams at 0.88
  // of the bandwidth, M = 2..16 take a slow path). 0: no such regime, the roofline answers.
  double gemv_fixed_s = 0, gemv_eff_memory = 0;
  bool has_gemv() const { return gemv_eff_memory > 0; }
};
// A GEMM on a fit's M = 1 line (GemmFit::has_gemv): gemv_fixed + bytes / (memory_bw * gemv_eff).
double gemv_time(const GemmFit& f, double bytes, double memory_bw_Bps);

// Inputs of the power and thermal model, read off the sustained-load traces.
struct PowerInputs {
  bool measured = false;
  double idle_w = 0, power_limit_w = 0;
  double gemm_power_w = 0, copy_power_w = 0;   // steady draw under tensor-core and copy load
  double sm_clock_max_mhz = 0, sm_clock_gemm_mhz = 0, sm_clock_copy_mhz = 0;
  double gemm_rate_peak_tflops = 0, gemm_rate_steady_tflops = 0, copy_rate_GBps = 0;
  double temp_idle_c = 0, temp_gemm_c = 0, temp_copy_c = 0;  // steady GPU temperature in each phase
  double thermal_tau_s = 0;  // first-order time constant of the GPU temperature at the start of the burn
  double memory_background_share = 0;  // the measured GPU's card (GpuCard::memory_background_share)
};

struct CalibrationProfile {
  std::string gpu_id;
  std::string measurements_dir;  // absolute; where gemm.csv lives for the measured-shape table
  // element-wise kernels: time = kernel_fixed_s + bytes / (memory_bw * copy_eff)
  double kernel_fixed_s = 2.5e-6;
  double copy_eff = 0.89;
  double read_eff = 0.88;  // read-only kernels (reductions), bytes read / (memory_bw * read_eff)
  std::map<std::string, GemmFit> gemm;  // by measured dtype: bf16, fp8, int8, tf32, fp32
  // causal prefill attention: rate(S) = bf16 peak * attn_eff_max * S / (S + attn_s_half)
  double attn_eff_max = 0.65;
  double attn_s_half = 400;
  // decode attention: KV bytes / (memory_bw * attn_decode_eff)
  double attn_decode_eff = 0.9;
  // Weight-only quantised GEMMs (W8A16, W4A16: Marlin/AWQ-style kernels) dequantise the K x N weights
  // on the CUDA cores once per M-tile of `dequant_tile_m` rows, `dequant_ops_per_weight` FP32 operations
  // per weight element (unpack, convert, scale, zero-point). Both are estimates, not fitted: the
  // microbenchmarks measure no weight-only kernel. Optional [dequant] keys of the profile TOML.
  static constexpr double kDefaultDequantTileM = 128;
  static constexpr double kDefaultDequantOpsPerWeight = 4;
  double dequant_tile_m = kDefaultDequantTileM;
  double dequant_ops_per_weight = kDefaultDequantOpsPerWeight;
  // host <-> device copies of pinned memory: latency + bytes / bandwidth, per direction
  double pcie_pinned_Bps = 0, pcie_latency_s = 0;
  // host-to-device copies of pageable memory: the driver copies them through its own pinned buffer with
  // the CPU, so the host's memory copy sets the rate (a property of the calibration host, not the GPU);
  // 0: not measured
  double pcie_pageable_Bps = 0;
  PowerInputs power;
  // measured GEMM times of exact shapes: (dtype, N, K) -> sorted (M, seconds)
  std::map<std::tuple<std::string, long long, long long>, std::vector<std::pair<double, double>>> gemm_table;
};

// What counts as a host-bound microbenchmark (calls issued back to back from Python: below these the
// host, not the GPU, set the pace). Shared by the fit, the table and dssim-validate.
inline constexpr double kGpuBoundCopyBytes = 16.0 * 1024 * 1024;  // 1-4 MiB copies took 10-11 us: host
inline constexpr double kGpuBoundReadBytes = 64.0 * 1024 * 1024;  // reductions: 16-17 us floor up to 16 MiB
// Pageable copies of this size or more come from host DRAM (beyond the CPU's caches), as a layer's weights do.
inline constexpr double kPageableDramBytes = 256.0 * 1024 * 1024;
inline constexpr double kAttnPrefillHostFloorS = 50e-6;            // SDPA calls: 18-40 us host floor
inline constexpr double kAttnDecodeHostFloorS = 100e-6;
inline constexpr double kGemmFitFloorRatio = 1.3;    // within 30 % of the fastest call: out of the first fit
inline constexpr double kGemmHostFloorRatio = 1.5;   // below 1.5x the fastest call, a call is host-bound ...
inline constexpr double kGemmHostRoofShare = 0.75;   // ... if the fitted roofline needs < 75 % of its time
inline constexpr int kGemmHostRounds = 8;
inline constexpr std::size_t kGemmMinPoints = 4;    // GPU-bound rows a dtype's four-parameter fit needs
inline constexpr std::size_t kGemvMinPoints = 3;    // GPU-bound M = 1 rows the M = 1 line needs
inline constexpr double kGemmMemoryPinned = 0.995;  // a fitted memory efficiency this close to 1 is not identified
inline constexpr double kGemvMinGain = 0.02;         // ... and the median error it must save there (2 points)           // fit/classify rounds before the host-bound set must be stable

// The measured-dtype table a compute precision uses, and back (gemm.csv's dtype column).
std::string gemm_table_dtype(Precision compute);
Precision precision_of_gemm_dtype(const std::string& dtype);
// Bytes a GEMM of that measured dtype moves (the microbenchmarks' convention: int8 and fp32/tf32
// write 4-byte outputs, fp8 writes bf16).
double gemm_bytes(const std::string& dtype, double m, double n, double k);

}  // namespace dssim
