#include "profile/profile_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "config/toml_table.hpp"
#include "profile/gemm_points.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

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
  p.pcie_pageable_Bps = t.opt_number("pcie_pageable_GBps", 0.001, 1e5).value_or(0.0) * 1e9;
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


void load_gemm_table(const std::string& dir, const GpuCard& gpu, CalibrationProfile& p) {
  CsvTable g = CsvTable::read((std::filesystem::path(dir) / "gemm.csv").string());
  p.gemm_table.clear();
  for (std::size_t r = 0; r < g.rows(); ++r) {
    const double t = g.number(r, "seconds");
    if (!std::isfinite(t) || t <= 0) continue;
    const std::string dt = g.get(r, "dtype");
    auto f = p.gemm.find(dt);
    if (f == p.gemm.end()) continue;
    GemmPoint q{g.get(r, "layer"), g.number(r, "M"), g.number(r, "N"), g.number(r, "K"), t};
    if (host_bound(f->second, q, dt, gpu.peak(gpu.compute_precision(precision_of_gemm_dtype(dt))), gpu.memory_bw_Bps,
                   p.kernel_fixed_s))
      continue;
    p.gemm_table[{dt, std::llround(q.n), std::llround(q.k)}].push_back({q.m, q.t});
  }
  for (auto& [key, pts] : p.gemm_table) std::sort(pts.begin(), pts.end());
}

}  // namespace dssim
