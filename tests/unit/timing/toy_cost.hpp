#pragma once
// The toy GPU and profile the kernel-cost tests price against: round numbers for hand-computed times.
#include "config/gpu_card.hpp"
#include "profile/calibration_profile.hpp"

namespace dssim::test {

inline GpuCard toy_gpu() {
  GpuCard g;
  g.id = "toy";
  g.memory_bw_Bps = 1e12;
  g.peak_flops[Precision::fp32] = 10e12;
  g.peak_flops[Precision::bf16] = 100e12;
  return g;
}

inline CalibrationProfile toy_profile() {
  CalibrationProfile p;
  p.kernel_fixed_s = 2e-6;
  p.copy_eff = 0.8;
  GemmFit f;
  f.eff_compute = 0.5;
  f.eff_memory = 0.5;
  f.smooth_n = 1000;  // a sharp corner: the plain roofline max()
  p.gemm["bf16"] = f;
  p.attn_eff_max = 0.5;
  p.attn_s_half = 100;
  p.attn_decode_eff = 0.5;
  return p;
}

}  // namespace dssim::test
