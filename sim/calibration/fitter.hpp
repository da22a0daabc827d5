#pragma once
// Measurements (the CSV schema of validation/data/h200, written by dssim-microbench) -> the
// parameters the cost model uses, with their fit error in-sample and under cross-validation.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "profile/calibration_profile.hpp"

namespace dssim {

struct ErrorStats {
  int points = 0;
  double median = 0, p90 = 0, max = 0;  // |predicted - measured| / measured, in-sample
  double cv_median = 0, cv_p90 = 0;     // the same, each point predicted by a fit without its group
};
ErrorStats error_stats(std::vector<double> in_sample, std::vector<double> cross_validated);

struct FitReport {
  std::map<std::string, ErrorStats> gemm_by_dtype;  // bf16, fp8, int8, tf32, fp32
  std::map<std::string, int> gemm_host_bound;       // calls timed at the host's issue floor, left out
  std::set<std::string> gemm_memory_held;           // dtypes whose memory efficiency is bf16's (theirs hit the bound)
  ErrorStats gemm, attention, bandwidth;
  int attention_host_bound = 0;
  std::vector<std::string> warnings;  // data the fit could not use, said on stderr by `dssim calibrate`
};

struct FitResult {
  CalibrationProfile profile;
  FitReport report;
};

// `dir` holds bandwidth.csv, gemm.csv and attention.csv (required) and power_load.csv,
// nvidia_smi_trace.csv (optional: the power inputs stay unset without them).
FitResult fit_measurements(const std::string& dir, const GpuCard& gpu);

}  // namespace dssim
