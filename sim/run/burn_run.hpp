#pragma once
// A sustained load (`[workload] kind = "gemm-burn" | "copy-burn"`): one kernel repeated back to back
// under the run's power observer, the simulated counterpart of the calibration's burn tests.
#include <string>

#include "power/burn_sim.hpp"
#include "run/run_inputs.hpp"

namespace dssim {

struct BurnRun {
  BurnSpec spec;
  BurnResult result;
  PowerModel power;
  ThermalModel thermal;
  double limit_w = 0;
};

BurnRun run_burn_workload(const PredictInput& in, const WorkloadSpec& w, bool record);

}  // namespace dssim
