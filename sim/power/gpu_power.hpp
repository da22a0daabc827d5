#pragma once
// One GPU's clock, power, temperature and energy through a serving run, advanced iteration by
// iteration: before each iteration the controller picks the highest clock step that keeps the power
// under the limit and the temperature under the slowdown threshold; the iteration's clock-paced part
// stretches accordingly; idle gaps draw idle power and cool down.
#include <string>
#include <vector>

#include "timing/iteration_cost.hpp"
#include "power/burn_sim.hpp"
#include "power/power_model.hpp"
#include "power/thermal.hpp"

namespace dssim {

struct PowerSetup {
  PowerModel model;
  ThermalModel thermal;
  double limit_w = 0;
  // The cost model's clock-paced times were measured at the calibration's clock: at f_max they take
  // this fraction of that (burn steady rate / peak rate; 1 when unknown).
  double calibration_speedup = 1.0;
  double sample_s = 0.25;
  bool record = false;  // keep samples for --thermal-csv
};

class GpuPowerState {
 public:
  explicit GpuPowerState(const PowerSetup& s);
  // Idle from the last update until `now`.
  void idle_until(double now);
  // Picks the clock for an iteration starting at `now` and returns its duration at that clock; the
  // state advances to the iteration's end.
  double run(const IterationCostBreakdown& b, double now);

  double energy_j() const { return energy_j_; }
  double busy_energy_j() const { return busy_energy_j_; }
  double busy_s() const { return busy_s_; }
  double throttled_s() const { return throttled_s_; }
  double max_temp_c() const { return max_temp_c_; }
  // The temperature reached the GPU's shutdown threshold: a real GPU would have stopped there.
  bool shutdown_reached() const { return max_temp_c_ >= s_.thermal.shutdown_c; }
  const std::vector<ThermalSample>& samples() const { return samples_; }
  // The clock of the last iteration and what held it below the maximum ("none", "power_cap", "thermal").
  double clock_mhz() const { return clock_mhz_; }
  const char* limiter() const { return reason_; }

  // The state between two iterations, to go back to when a run of iterations computed ahead is cut
  // short (serving/serving_sim): restoring it undoes the iterations run after it was taken.
  struct Snapshot {
    double t, temp_c, clock_mhz, next_sample;
    const char* reason;
    double energy_j, busy_energy_j, busy_s, throttled_s, max_temp_c;
    std::size_t samples;
  };
  Snapshot snapshot() const {
    return {t_, temp_c_, clock_mhz_, next_sample_, reason_, energy_j_, busy_energy_j_, busy_s_, throttled_s_,
            max_temp_c_, samples_.size()};
  }
  void restore(const Snapshot& s);

 private:
  void advance(double until, double power_w, double steady_c, double clock_mhz, const char* reason);
  const PowerSetup& s_;
  double t_ = 0, temp_c_ = 0, clock_mhz_ = 0, next_sample_ = 0;
  const char* reason_ = "none";
  double energy_j_ = 0, busy_energy_j_ = 0, busy_s_ = 0, throttled_s_ = 0, max_temp_c_ = 0;
  std::vector<double> steps_;
  std::vector<double> slowdown_, clock_factor_;  // per clock step: (f_max / f)^beta, (f / f_max)^alpha
  std::vector<ThermalSample> samples_;
};

}  // namespace dssim
