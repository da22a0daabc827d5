#include "calibration/profile_writer.hpp"

#include <sstream>

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
std::string num(double v) { return fmt("%.6g", v); }

std::string stats(const ErrorStats& e) {
  return fmt("{ points = %d, median = %s, p90 = %s, max = %s, cv_median = %s, cv_p90 = %s }", e.points,
             num(e.median).c_str(), num(e.p90).c_str(), num(e.max).c_str(), num(e.cv_median).c_str(),
             num(e.cv_p90).c_str());
}
}  // namespace

std::string profile_toml(const FitResult& fit, const std::string& measurements, const std::string& command) {
  const CalibrationProfile& p = fit.profile;
  std::ostringstream o;
  o << "# dssim GPU profile: the cost model's parameters fitted from microbenchmarks.\n"
    << "# Written by `" << command << "`; do not edit by hand, re-run it.\n"
    << "# Efficiencies are fractions of the GPU card's datasheet peaks and memory bandwidth.\n\n";
  o << "gpu = \"" << p.gpu_id << "\"\n";
  o << "measurements = \"" << measurements << "\"      # gemm.csv there gives the measured-shape table\n";
  o << "kernel_fixed_us = " << num(p.kernel_fixed_s * 1e6) << "       # per-kernel fixed cost (device-copy intercept)\n";
  o << "copy_efficiency = " << num(p.copy_eff) << "\n";
  o << "read_efficiency = " << num(p.read_eff) << "\n";
  o << "pcie_pinned_GBps = " << num(p.pcie_pinned_Bps / 1e9) << "      # per direction\n";
  o << "pcie_latency_us = " << num(p.pcie_latency_s * 1e6) << "\n";
  if (p.pcie_pageable_Bps > 0)
    o << "pcie_pageable_GBps = " << num(p.pcie_pageable_Bps / 1e9)
      << "    # host to device from pageable memory (the host's memcpy; copies of 256 MiB or more)\n";
  o << "\n";
  o << "[attention]\n";
  o << "prefill_efficiency_max = " << num(p.attn_eff_max) << "   # causal prefill: rate = peak x e x S / (S + s_half)\n";
  o << "prefill_s_half = " << num(p.attn_s_half) << "\n";
  o << "decode_efficiency = " << num(p.attn_decode_eff) << "        # KV bytes read / memory bandwidth\n";
  for (const auto& [dt, f] : p.gemm) {
    o << "\n[gemm." << dt << "]                          # t = fixed + (tc^n + tm^n)^(1/n)\n";
    o << "fixed_us = " << num(f.fixed_s * 1e6) << "\n";
    o << "compute_efficiency = " << num(f.eff_compute) << "\n";
    o << "memory_efficiency = " << num(f.eff_memory) << "\n";
    o << "corner = " << num(f.smooth_n) << "\n";
    o << "host_floor_us = " << num(f.host_floor_s * 1e6) << "          # fastest call: the issue floor of the measurement\n";
    o << "points = " << f.points << "\n";
    if (f.has_gemv()) {
      o << "gemv_fixed_us = " << num(f.gemv_fixed_s * 1e6) << "         # M = 1: t = gemv_fixed + bytes / (BW x gemv_memory_efficiency)\n";
      o << "gemv_memory_efficiency = " << num(f.gemv_eff_memory) << "\n";
    }
  }
  // Weight-only dequantisation: estimates, not fitted; written only when someone set other values.
  if (p.dequant_tile_m != CalibrationProfile::kDefaultDequantTileM ||
      p.dequant_ops_per_weight != CalibrationProfile::kDefaultDequantOpsPerWeight) {
    o << "\n[dequant]                              # weight-only GEMMs (estimates, not fitted)\n";
    o << "tile_m = " << num(p.dequant_tile_m) << "\n";
    o << "ops_per_weight = " << num(p.dequant_ops_per_weight) << "\n";
  }
  const PowerInputs& w = p.power;
  o << "\n[power]                                # from power_load.csv and nvidia_smi_trace.csv\n";
  o << "measured = " << (w.measured ? "true" : "false") << "\n";
  o << "idle_w = " << num(w.idle_w) << "\n";
  o << "power_limit_w = " << num(w.power_limit_w) << "\n";
  o << "gemm_power_w = " << num(w.gemm_power_w) << "\n";
  o << "copy_power_w = " << num(w.copy_power_w) << "\n";
  o << "sm_clock_max_mhz = " << num(w.sm_clock_max_mhz) << "\n";
  o << "sm_clock_gemm_mhz = " << num(w.sm_clock_gemm_mhz) << "\n";
  o << "sm_clock_copy_mhz = " << num(w.sm_clock_copy_mhz) << "\n";
  o << "gemm_rate_peak_tflops = " << num(w.gemm_rate_peak_tflops) << "\n";
  o << "gemm_rate_steady_tflops = " << num(w.gemm_rate_steady_tflops) << "\n";
  o << "copy_rate_GBps = " << num(w.copy_rate_GBps) << "\n";
  o << "temp_idle_c = " << num(w.temp_idle_c) << "\n";
  o << "temp_gemm_c = " << num(w.temp_gemm_c) << "\n";
  o << "temp_copy_c = " << num(w.temp_copy_c) << "\n";
  o << "thermal_tau_s = " << num(w.thermal_tau_s) << "\n";
  o << "\n[fit_error]                             # |predicted - measured| / measured; cv: leave one shape (size, point) out\n";
  o << "gemm = " << stats(fit.report.gemm) << "\n";
  for (const auto& [dt, e] : fit.report.gemm_by_dtype) o << "gemm_" << dt << " = " << stats(e) << "\n";
  o << "attention = " << stats(fit.report.attention) << "\n";
  o << "bandwidth = " << stats(fit.report.bandwidth) << "\n";
  return o.str();
}

}  // namespace dssim
