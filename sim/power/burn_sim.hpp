#pragma once
// Sustained-load runs (the simulated counterparts of the calibration's burn tests): one kernel repeated
// back to back on a GPU host whose SimGrid pstates are its clock steps, while a controller actor
// integrates power and temperature and picks, every tick, the highest clock that keeps the power under
// the limit and the temperature under the slowdown threshold.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "power/power_model.hpp"
#include "power/thermal.hpp"

namespace dssim {

struct BurnSpec {
  std::string kind;            // "gemm-burn" | "copy-burn"
  double kernel_s = 1e-3;      // one kernel at the maximum clock
  double work_per_kernel = 0;  // FLOP (GEMM) or bytes moved (copy), for the rate
  double compute_share = 1;    // fraction of the kernel's time that scales with the SM clock
  double duration_s = 30;
  double tick_s = 0.01;        // controller period
  double sample_s = 0.25;      // thermal CSV interval (nvidia-smi's)
  double sensor_window_s = 1.0;  // reported power: the mean over the last second, as nvidia-smi's power.draw
};

struct ThermalSample {
  double t_s, power_w, temp_c, sm_clock_mhz;
  std::string reason;  // none | power_cap | thermal
};

// The --thermal-csv format (nvidia-smi's columns), shared by burn and serving runs.
inline constexpr const char* kThermalCsvHeader = "t_s,gpu,power_w,temp_c,sm_clock_mhz,throttle_reason\n";
void write_thermal_rows(std::ostream& out, const std::vector<ThermalSample>& samples, int gpu);

struct BurnResult {
  double steady_rate = 0;  // TFLOP/s or GB/s, median over windows after the first 2 s
  double steady_sm_clock_mhz = 0, steady_power_w = 0;
  std::optional<double> time_to_limit_s;  // reported power within 2 % of the limit
  double max_temp_c = 0, steady_temp_c = 0, mean_power_w = 0, throttled_fraction = 0, energy_j = 0;
  bool shutdown_reached = false;  // the GPU would have stopped at its shutdown temperature
  std::vector<ThermalSample> samples;
};

BurnResult run_burn(const BurnSpec& spec, const PowerModel& power, const ThermalModel& thermal, double limit_w);

}  // namespace dssim
