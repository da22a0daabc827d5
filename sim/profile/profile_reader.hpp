#pragma once
// Reads a calibrated profile (platforms/profiles/<gpu>.toml) and the measured-shape GEMM table from
// the measurements folder it names. Run time reads profiles here, never through the fitter.
#include <string>

#include "config/gpu_card.hpp"
#include "profile/calibration_profile.hpp"

namespace dssim {

// Reads a profile; `data_dir` resolves its measurements folder; the GEMM table is loaded from there.
CalibrationProfile read_profile(const std::string& path, const std::string& data_dir, const GpuCard& gpu);
// The measured-shape table of a fitted profile: gemm.csv rows that timed the GPU, not the host.
void load_gemm_table(const std::string& dir, const GpuCard& gpu, CalibrationProfile& p);

}  // namespace dssim
