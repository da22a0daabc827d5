#pragma once
// A scenario's ROI study as `dssim roi` makes it; `dssim study` makes one per row (in a child each).
#include <string>
#include <vector>

#include "report/roi_report.hpp"
#include "run/run.hpp"

namespace dssim {

struct RoiRun {
  RunInputs in;
  RunResult result;
  RoiStudy study;
};

// Loads the scenario (with --set overrides), checks it has a [cost] table and serves tokens, runs it
// and makes its ROI study. `months` 0: the horizon.
RoiRun run_roi(const std::string& path, const std::vector<std::string>& sets, int months);

}  // namespace dssim
