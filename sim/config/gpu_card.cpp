#include "config/gpu_card.hpp"

#include <algorithm>
#include <filesystem>

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

Precision GpuCard::compute_precision(Precision p) const {
  auto has = [&](Precision q) { return peak_flops.count(q) > 0; };
  switch (p) {
    case Precision::int4:  // weight-only: dequantised into a 16-bit GEMM
      return has(Precision::bf16) ? Precision::bf16 : Precision::fp16;
    case Precision::fp8:
      if (has(Precision::fp8)) return Precision::fp8;
      return has(Precision::bf16) ? Precision::bf16 : Precision::fp16;  // weight-only fp8 (Marlin-style)
    case Precision::int8:
      if (has(Precision::int8)) return Precision::int8;
      return has(Precision::bf16) ? Precision::bf16 : Precision::fp16;
    case Precision::bf16:
      if (has(Precision::bf16)) return Precision::bf16;
      return has(Precision::fp16) ? Precision::fp16 : Precision::fp32;
    case Precision::fp16:
      return has(Precision::fp16) ? Precision::fp16 : Precision::fp32;
    case Precision::tf32:
      return has(Precision::tf32) ? Precision::tf32 : Precision::fp32;
    case Precision::fp32: return Precision::fp32;
  }
  return Precision::fp32;
}

bool GpuCard::weight_only_gemm(Precision weight, bool asked) const {
  if (weight == Precision::int4) return true;  // no int4 tensor-core GEMM is modelled
  if (weight != Precision::int8 && weight != Precision::fp8) return false;
  return asked || compute_precision(weight) != weight;
}

double GpuCard::peak(Precision compute) const {
  auto it = peak_flops.find(compute);
  if (it != peak_flops.end()) return it->second;
  return peak_flops.at(Precision::fp32);
}

namespace {
const std::vector<std::string> kArchitectures = {"volta", "turing", "ampere", "ada", "hopper", "blackwell"};  // oldest first
}  // namespace

int architecture_generation(const std::string& a) {
  auto it = std::find(kArchitectures.begin(), kArchitectures.end(), a);
  return it == kArchitectures.end() ? -1 : static_cast<int>(it - kArchitectures.begin());
}

GpuCard load_gpu_card(const std::string& path, const std::string& data_dir) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  GpuCard g;
  g.file = path;
  g.id = t.get_string("id");
  g.name = t.get_string("name");
  g.architecture = t.get_choice("architecture", kArchitectures);
  g.form_factor = t.get_string("form_factor");
  g.source = t.get_string("source");
  g.sm_count = static_cast<int>(t.get_int("sm_count", 1, 100000));
  g.boost_clock_mhz = t.get_number("boost_clock_mhz", 1, 10000);
  g.memory_bytes = t.get_number("memory_gib", 0.1, 1e6) * 1024.0 * 1024.0 * 1024.0;
  g.memory_type = t.get_string("memory_type");
  g.memory_bw_Bps = t.get_number("memory_bw_GBps", 1, 1e6) * 1e9;
  g.l2_bytes = t.get_number("l2_mib", 0, 1e5) * 1024.0 * 1024.0;
  g.tdp_w = t.get_number("tdp_w", 1, 1e5);
  g.idle_w = t.get_number("idle_w", 0, 1e5);
  g.memory_background_share = t.opt_number("memory_background_share", 0, 1).value_or(0.0);
  if (g.idle_w >= g.tdp_w)
    throw Error(fmt("%s: idle_w = %g W is not below tdp_w = %g W", t.where("idle_w").c_str(), g.idle_w, g.tdp_w));
  g.slowdown_c = t.get_number("slowdown_c", 20, 150);
  g.shutdown_c = t.get_number("shutdown_c", g.slowdown_c, 200);
  g.host_interface = t.get_string("host_interface");
  g.cooling = t.opt_string("cooling").value_or(g.cooling);
  g.pcie_Bps_per_direction = t.get_number("pcie_GBps_per_direction", 0, 1e5) * 1e9;
  g.structured_sparsity = t.opt_bool("structured_sparsity").value_or(false);
  g.nvlink_Bps_per_direction = t.get_number("nvlink_GBps_per_direction", 0, 1e5) * 1e9;
  auto profile = t.opt_string("profile");
  auto from = t.opt_string("efficiency_from");
  if (profile && from) throw Error(fmt("%s: set either 'profile' or 'efficiency_from', not both", t.where("efficiency_from").c_str()));
  if (profile) {
    g.profile_path = (std::filesystem::path(data_dir) / *profile).lexically_normal().string();
    if (!std::filesystem::is_regular_file(g.profile_path))
      throw Error(fmt("%s: profile '%s' does not exist (write it with dssim calibrate)", t.where("profile").c_str(),
                      g.profile_path.c_str()));
  }
  if (from) g.efficiency_from = *from;
  auto peaks = t.get_table("peak_tflops");
  for (const auto& name : precision_names()) {
    Precision p = parse_precision(name, path);
    if (p == Precision::int4) continue;
    if (auto v = peaks.opt_number(name, 0.001, 1e6)) g.peak_flops[p] = *v * 1e12;
  }
  peaks.finish();
  if (!g.peak_flops.count(Precision::fp32))
    throw Error(fmt("%s: [peak_tflops] needs at least fp32", path.c_str()));
  t.finish();
  return g;
}

}  // namespace dssim
