#include "calib/profile_io.hpp"

#include <filesystem>
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
  o << "pcie_latency_us = " << num(p.pcie_latency_s * 1e6) << "\n\n";
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

CalibrationProfile read_profile(const std::string& path, const std::string& data_dir, const GpuCard& gpu) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  CalibrationProfile p;
  p.gpu_id = t.get_string("gpu");
  if (p.gpu_id != gpu.id)
    throw Error(fmt("%s: profile of '%s' used for GPU '%s'", t.where("gpu").c_str(), p.gpu_id.c_str(), gpu.id.c_str()));
  const std::string meas = t.get_string("measurements");
  p.measurements_dir = (std::filesystem::path(data_dir) / meas).lexically_normal().string();
  p.kernel_fixed_s = t.get_number("kernel_fixed_us", 0, 1e6) * 1e-6;
  p.copy_eff = t.get_number("copy_efficiency", 1e-3, 2);
  p.read_eff = t.get_number("read_efficiency", 1e-3, 2);
  p.pcie_pinned_Bps = t.get_number("pcie_pinned_GBps", 0, 1e5) * 1e9;
  p.pcie_latency_s = t.get_number("pcie_latency_us", 0, 1e6) * 1e-6;
  auto a = t.get_table("attention");
  p.attn_eff_max = a.get_number("prefill_efficiency_max", 1e-4, 2);
  p.attn_s_half = a.get_number("prefill_s_half", 0, 1e9);
  p.attn_decode_eff = a.get_number("decode_efficiency", 1e-4, 2);
  a.finish();
  auto g = t.get_table("gemm");
  for (const auto& dt : {"bf16", "fp16", "fp8", "int8", "tf32", "fp32"}) {
    auto d = g.opt_table(dt);
    if (!d) continue;
    GemmFit f;
    f.fixed_s = d->get_number("fixed_us", 0, 1e6) * 1e-6;
    f.eff_compute = d->get_number("compute_efficiency", 1e-4, 2);
    f.eff_memory = d->get_number("memory_efficiency", 1e-4, 2);
    f.smooth_n = d->get_number("corner", 1, 1e3);
    f.host_floor_s = d->get_number("host_floor_us", 0, 1e9) * 1e-6;
    f.points = static_cast<int>(d->get_int("points", 0, 1 << 30));
    auto gf = d->opt_number("gemv_fixed_us", 0, 1e6);
    auto ge = d->opt_number("gemv_memory_efficiency", 1e-4, 1);
    if (gf.has_value() != ge.has_value())
      throw Error(fmt("%s: gemv_fixed_us and gemv_memory_efficiency go together (the M = 1 line)",
                      d->where(gf ? "gemv_fixed_us" : "gemv_memory_efficiency").c_str()));
    if (gf) {
      f.gemv_fixed_s = *gf * 1e-6;
      f.gemv_eff_memory = *ge;
    }
    d->finish();
    p.gemm[dt] = f;
  }
  g.finish();
  if (auto d = t.opt_table("dequant")) {  // optional: the defaults are estimates (calibration.hpp)
    if (auto v = d->opt_number("tile_m", 1, 1e6)) p.dequant_tile_m = *v;
    if (auto v = d->opt_number("ops_per_weight", 0, 1e3)) p.dequant_ops_per_weight = *v;
    d->finish();
  }
  auto w = t.get_table("power");
  PowerInputs& pw = p.power;
  pw.measured = w.get_bool("measured");
  pw.idle_w = w.get_number("idle_w", 0, 1e5);
  pw.power_limit_w = w.get_number("power_limit_w", 0, 1e5);
  pw.gemm_power_w = w.get_number("gemm_power_w", 0, 1e5);
  pw.copy_power_w = w.get_number("copy_power_w", 0, 1e5);
  pw.sm_clock_max_mhz = w.get_number("sm_clock_max_mhz", 0, 1e5);
  pw.sm_clock_gemm_mhz = w.get_number("sm_clock_gemm_mhz", 0, 1e5);
  pw.sm_clock_copy_mhz = w.get_number("sm_clock_copy_mhz", 0, 1e5);
  pw.gemm_rate_peak_tflops = w.get_number("gemm_rate_peak_tflops", 0, 1e6);
  pw.gemm_rate_steady_tflops = w.get_number("gemm_rate_steady_tflops", 0, 1e6);
  pw.copy_rate_GBps = w.get_number("copy_rate_GBps", 0, 1e6);
  pw.temp_idle_c = w.get_number("temp_idle_c", -50, 200);
  pw.temp_gemm_c = w.get_number("temp_gemm_c", -50, 200);
  pw.temp_copy_c = w.get_number("temp_copy_c", -50, 200);
  pw.thermal_tau_s = w.get_number("thermal_tau_s", 0, 1e4);
  w.finish();
  t.allow({"fit_error"});  // informational, written for readers
  t.finish();
  if (!std::filesystem::is_regular_file(std::filesystem::path(p.measurements_dir) / "gemm.csv"))
    throw Error(fmt("%s: measurements folder '%s' has no gemm.csv", t.where("measurements").c_str(), p.measurements_dir.c_str()));
  load_gemm_table(p.measurements_dir, gpu, p);
  return p;
}

}  // namespace dssim
