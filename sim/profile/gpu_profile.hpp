#pragma once
// The efficiencies a GPU is priced with: its own calibrated profile, or a calibrated donor's (its
// `efficiency_from`, else the nearest calibrated architecture), read once before a run.
#include <string>
#include <vector>

#include "config/catalog.hpp"
#include "config/gpu_card.hpp"
#include "profile/calibration_profile.hpp"

namespace dssim {

struct GpuProfile {
  CalibrationProfile profile;
  bool own = false;  // fitted on this very GPU: its measured GEMM shapes may be used directly
  std::string measured_gpu;  // the GPU the profile was measured on (this one, or the donor)
};

// Reads the profile `gpu` is priced with (its own, or a donor's without the measured-shape table).
GpuProfile load_gpu_profile(const GpuCard& gpu, const Catalog& catalog);
// The rule for borrowing: same architecture first, then the nearest generation, the newer on a tie.
const GpuCard* nearest_calibrated(const GpuCard& gpu, const std::vector<GpuCard>& cards);

}  // namespace dssim
