#pragma once
// The power observer every run carries: the power model fitted from the GPU's (or its donor's) load
// traces, the thermal model of its cooling, and the limit. Fixed batches, request streams and burns
// are paced by the same controller (power/gpu_power, power/burn_sim) from this one setup.
#include <optional>
#include <string>

#include "power/gpu_power.hpp"
#include "run/run_inputs.hpp"

namespace dssim {

// Empty when the profile has no load traces or the environment turns the power model off.
std::optional<PowerSetup> make_power_setup(const PredictInput& in, bool record);

// Draw per GPU while serving when no power model can be made: idle + 80 % of the way to TDP. The H200
// measurements bracket it: memory-bound copies drew 560 W (76 % of the 125..700 W idle..TDP range),
// tensor-core GEMMs sat at the 700 W cap (100 %); decode-heavy serving is mostly memory-bound.
double serving_power_estimate_w(const GpuCard& gpu);

}  // namespace dssim
