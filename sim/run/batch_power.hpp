#pragma once
// A fixed batch under the power observer: its timeline (the prefill, then every decode step) through
// the same per-iteration clock controller a request stream runs (power/gpu_power), so that the power
// cap paces a sustained prefill the same way in both.
#include <functional>
#include <string>

#include "power/gpu_power.hpp"

namespace dssim {

// One step as the kernel-level engine timed it at the calibrated clock.
struct StepLoad {
  double total_s = 0;    // wall time of the step
  double gpu_s = 0;      // GPU busy (kernels on the first GPU)
  double compute_s = 0;  // of which paced by the SM clock
  double memory_bytes = 0;  // moved by the memory-paced kernels
  double issue_s = 0;    // of which paced by the SM clock without tensor-core work
};

struct BatchPower {
  double prefill_s = 0, decode_total_s = 0;
  double decode_at_context_s = 0;   // the reported decode step, paced
  double prefill_clock_mhz = 0;     // the clock the controller held through the prefill
  double decode_clock_mhz = 0;      // time-weighted mean over the decode steps
  std::string prefill_limiter;      // what held the prefill's clock: none | power_cap | thermal
  double busy_power_w = 0, energy_j = 0, busy_s = 0, max_temp_c = 0, throttled_fraction = 0;
  bool shutdown_reached = false;
  std::string source;  // where the power model came from
  double limit_w = 0;
};

// `decode_at(c)`: the load of the step that generates a token after `c` tokens of context. Steps are
// contexts first_context .. first_context + steps - 1; `report_context` is the reported step's.
BatchPower pace_batch(const PowerSetup& setup, const StepLoad& prefill, const std::function<StepLoad(long long)>& decode_at,
                      long long first_context, long long steps, long long report_context);

}  // namespace dssim
