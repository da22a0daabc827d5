#include "power/gpu_power.hpp"

#include <algorithm>
#include <cmath>

namespace dssim {

GpuPowerState::GpuPowerState(const PowerSetup& s) : s_(s) {
  steps_ = s.model.clock_steps();
  for (double f : steps_) {
    slowdown_.push_back(std::pow(s.model.f_max_mhz / f, s.model.beta));
    clock_factor_.push_back(s.model.clock_factor(f));
  }
  clock_mhz_ = s.model.f_max_mhz;
  temp_c_ = s.thermal.steady_c(0, 0);
  max_temp_c_ = temp_c_;
}

void GpuPowerState::advance(double until, double power_w, double steady_c, double clock_mhz, const char* reason) {
  // Samples on the fixed grid, each at the temperature reached by then (exact first-order response).
  while (s_.record && next_sample_ <= until) {
    const double temp = s_.thermal.step(temp_c_, steady_c, std::max(0.0, next_sample_ - t_));
    samples_.push_back({next_sample_, power_w, temp, clock_mhz, reason});
    next_sample_ += s_.sample_s;
  }
  const double dt = until - t_;
  if (dt <= 0) return;
  energy_j_ += power_w * dt;
  temp_c_ = s_.thermal.step(temp_c_, steady_c, dt);
  max_temp_c_ = std::max(max_temp_c_, temp_c_);  // first order: the extremes are at the ends
  t_ = until;
}

void GpuPowerState::idle_until(double now) {
  if (now <= t_) return;
  advance(now, s_.model.idle_w, s_.thermal.steady_c(0, 0), s_.model.f_max_mhz, "idle");
}

double GpuPowerState::run(const IterationCostBreakdown& b, double now) {
  idle_until(now);
  const PowerModel& m = s_.model;
  auto at = [&](std::size_t i, double& total, double& power, double& compute_dyn, double& memory_dyn) {
    const double compute = b.gpu_compute_s * s_.calibration_speedup * slowdown_[i];
    // index arithmetic: cycles, priced at f_max, so its time follows the clock in proportion
    const double gpu = b.gpu_s - b.gpu_compute_s - b.gpu_issue_s + compute + b.gpu_issue_s * m.f_max_mhz / steps_[i];
    total = b.total_for(gpu);
    const double busy = total > 0 ? gpu / total : 0;
    const double share = gpu > 0 ? compute / gpu : 0;
    power = m.power_at(clock_factor_[i], share, busy, m.memory_activity(b.memory_bytes, gpu - compute, b.comm_s));
    compute_dyn = m.compute_dynamic_at(clock_factor_[i], share, busy);
    memory_dyn = power - m.idle_w - compute_dyn;
  };
  // the highest step under the power limit ...
  std::size_t pick = 0;
  double total = 0, power = 0, cd = 0, md = 0;
  for (std::size_t i = steps_.size(); i-- > 0;) {
    at(i, total, power, cd, md);
    if (power <= s_.limit_w || i == 0) {
      pick = i;
      break;
    }
  }
  const std::size_t evaluated = pick;
  const char* reason = pick + 1 < steps_.size() ? "power_cap" : "none";  // no string per iteration: a hot path
  // ... and no higher than the current clock while hot, one step lower when past the threshold
  const std::size_t current = static_cast<std::size_t>(std::lower_bound(steps_.begin(), steps_.end(), clock_mhz_ - 1e-6) - steps_.begin());
  if (temp_c_ >= s_.thermal.slowdown_c && current > 0 && pick >= current) {
    pick = current - 1;
    reason = "thermal";
  } else if (temp_c_ >= s_.thermal.slowdown_c - s_.thermal.hold_band_c && pick > current) {
    pick = current;
    reason = "thermal";
  }
  clock_mhz_ = steps_[pick];
  reason_ = reason;
  if (pick != evaluated) at(pick, total, power, cd, md);  // temperature moved it off the evaluated step
  const double start = t_;
  advance(start + total, power, s_.thermal.steady_c(cd, md), clock_mhz_, reason);
  busy_s_ += total;
  busy_energy_j_ += power * total;
  if (pick + 1 < steps_.size()) throttled_s_ += total;
  return total;
}

void GpuPowerState::restore(const Snapshot& s) {
  t_ = s.t;
  temp_c_ = s.temp_c;
  clock_mhz_ = s.clock_mhz;
  next_sample_ = s.next_sample;
  reason_ = s.reason;
  energy_j_ = s.energy_j;
  busy_energy_j_ = s.busy_energy_j;
  busy_s_ = s.busy_s;
  throttled_s_ = s.throttled_s;
  max_temp_c_ = s.max_temp_c;
  samples_.erase(samples_.begin() + static_cast<std::ptrdiff_t>(s.samples), samples_.end());
}

}  // namespace dssim
