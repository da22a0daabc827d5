#pragma once
// The calibrated profile as a TOML file (platforms/profiles/<gpu>.toml): written by `dssim calibrate`,
// read by the cost model. The measured-shape GEMM table is not copied into it: the profile names the
// measurements folder and the table is rebuilt from its gemm.csv.
#include <string>

#include "calib/fitter.hpp"

namespace dssim {

// `measurements` is written as given (relative to the data directory for shipped profiles).
std::string profile_toml(const FitResult& fit, const std::string& measurements, const std::string& command);
// Reads a profile; `data_dir` resolves its measurements folder; the GEMM table is loaded from there.
CalibrationProfile read_profile(const std::string& path, const std::string& data_dir, const GpuCard& gpu);

}  // namespace dssim
