#pragma once
#include <map>
#include <optional>
#include <string>

#include "config/precision.hpp"

namespace dssim {

// One GPU model: datasheet rates and sizes, in SI units.
struct GpuCard {
  std::string id, name, architecture, form_factor, source, memory_type, host_interface, file;
  int sm_count = 0;
  double boost_clock_mhz = 0;
  double memory_bytes = 0;
  double memory_bw_Bps = 0;
  double l2_bytes = 0;
  double tdp_w = 0, idle_w = 0;
  // Share of the memory's busy draw that does not follow its traffic (background, refresh, PHY); the
  // rest follows the bytes moved per second. Measured GPUs only (the power model borrows the donor's).
  double memory_background_share = 0;
  // No PCIe between the GPU and its memory (Jetson): host and GPU share one memory.
  bool unified_memory() const { return pcie_Bps_per_direction <= 0; }
  double slowdown_c = 87, shutdown_c = 92;  // GPU temperature at which clocks drop / the GPU stops
  std::string cooling = "datacenter-air";  // the cooling profile a scenario gets unless it names one
  double pcie_Bps_per_direction = 0;
  double nvlink_Bps_per_direction = 0;
  std::map<Precision, double> peak_flops;  // dense tensor (or FP32 core) FLOP/s per precision
  // Sparse tensor cores: 2:4-sparse GEMMs at twice the dense rate (Ampere and later; datasheets list
  // the sparse rates as 2x the dense ones). Not on Turing (T4) or Volta (V100).
  bool structured_sparsity = false;
  std::string profile_path;                 // absolute path of its calibrated profile, empty when uncalibrated
  std::string efficiency_from;              // optional: the calibrated GPU whose efficiencies to borrow

  // The compute precision a GEMM runs at when operands are stored in `p`; absent rates fall back to
  // the next precision the hardware does have (int4 weights are dequantised to 16-bit, etc.).
  Precision compute_precision(Precision p) const;
  // Whether GEMMs with weights stored in `weight` dequantise them into a 16-bit GEMM (W4A16, W8A16):
  // always for int4, when asked (`asked`) for int8 and fp8, and when the GPU has no tensor cores of
  // that precision (fp8 on an A100 runs as vLLM's Marlin kernels do there).
  bool weight_only_gemm(Precision weight, bool asked) const;
  double peak(Precision compute) const;
};

GpuCard load_gpu_card(const std::string& path, const std::string& data_dir);
// Generation order of architectures, for borrowing efficiencies from the nearest calibrated one.
int architecture_generation(const std::string& architecture);

}  // namespace dssim
