#pragma once
// The calibrated profile as a TOML file (platforms/profiles/<gpu>.toml), written by `dssim calibrate`.
// The measured-shape GEMM table is not copied into it: the profile names the measurements folder and
// the reader (profile/profile_reader) rebuilds the table from its gemm.csv.
#include <string>

#include "calibration/fitter.hpp"

namespace dssim {

// `measurements` is written as given (relative to the data directory for shipped profiles).
std::string profile_toml(const FitResult& fit, const std::string& measurements, const std::string& command);

}  // namespace dssim
