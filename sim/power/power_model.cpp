#include "power/power_model.hpp"

#include <algorithm>
#include <cmath>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<double> PowerModel::clock_steps() const {
  std::vector<double> s;
  for (double f = f_max_mhz; f >= f_min_mhz - 1e-9; f -= f_step_mhz) s.push_back(f);
  std::reverse(s.begin(), s.end());
  return s;
}

double PowerModel::clock_factor(double f) const { return std::pow(f / f_max_mhz, alpha); }

double PowerModel::power_w(double f, double c, double busy, double u) const { return power_at(clock_factor(f), c, busy, u); }

double PowerModel::power_at(double clock, double c, double busy, double u) const {
  return idle_w +
         busy * (c * compute_w * clock + (1 - c) * (memory_background_share + (1 - memory_background_share) * u) *
                                             memory_w * (1 - memory_clock_share + memory_clock_share * clock));
}

double PowerModel::memory_activity(double bytes, double seconds, double comm_seconds) const {
  if (bytes < 0 || memory_full_Bps <= 0 || seconds <= 0) return 1.0;
  const double comm = std::clamp(comm_seconds, 0.0, seconds), kernels = seconds - comm;
  const double a = kernels > 0 ? std::min(1.0, bytes / (kernels * memory_full_Bps)) : 1.0;
  return (kernels * a + comm) / seconds;
}

double PowerModel::compute_dynamic_w(double f, double c, double busy) const {
  return compute_dynamic_at(clock_factor(f), c, busy);
}

double PowerModel::compute_dynamic_at(double clock, double c, double busy) const { return busy * c * compute_w * clock; }

double PowerModel::speed(double f, double c) const {
  return 1.0 / (c * std::pow(f_max_mhz / f, beta) + (1 - c));
}

double PowerModel::clock_for_cap(double cap, double c, double busy) const {
  auto steps = clock_steps();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it)
    if (power_w(*it, c, busy) <= cap) return *it;
  return steps.front();
}

namespace {
// Fits a measured GPU. Under the GEMM burn the card sat at its cap at clock f_g drawing P_g and
// running at R_steady, against R_peak in the first window at f_max:
//   beta  = ln(R_steady / R_peak) / ln(f_g / f_max)           (compute time ~ f^-beta)
//   alpha = beta + 2                                           (dynamic power ~ work rate x V^2, V ~ f)
//   compute_w = (P_g - idle) / (f_g / f_max)^alpha ;  memory_w = P_copy - idle (copies ran at f_max)
void fit(PowerModel& m, const PowerInputs& p) {
  const double fg = p.sm_clock_gemm_mhz / m.f_max_mhz;
  m.beta = std::log(p.gemm_rate_steady_tflops / p.gemm_rate_peak_tflops) / std::log(fg);
  m.alpha = m.beta + 2.0;
  m.compute_w = (p.gemm_power_w - p.idle_w) / std::pow(fg, m.alpha);
  m.memory_w = p.copy_power_w - p.idle_w;
}
}  // namespace

PowerModel make_power_model(const GpuCard& gpu, const PowerInputs& p, bool own, const std::string& donor,
                            double copy_efficiency) {
  PowerModel m;
  m.memory_full_Bps = gpu.memory_bw_Bps * copy_efficiency;
  m.memory_background_share = p.memory_background_share;
  m.f_max_mhz = gpu.boost_clock_mhz;
  m.f_min_mhz = std::round(gpu.boost_clock_mhz * 0.25 / 15.0) * 15.0;
  if (!p.measured)
    throw Error(fmt("%s: no measured power traces in its profile or its donor's", gpu.id.c_str()));
  if (own) {
    m.f_max_mhz = p.sm_clock_max_mhz;
    m.idle_w = p.idle_w;
    m.limit_w = p.power_limit_w;
    fit(m, p);
    m.source = "fitted from " + gpu.id + "'s load traces";
    return m;
  }
  // Borrow the shape, scale the size: the donor's dynamic draws as fractions of its (limit - idle).
  PowerModel d;
  d.f_max_mhz = p.sm_clock_max_mhz;
  d.idle_w = p.idle_w;
  fit(d, p);
  const double span = p.power_limit_w - p.idle_w;
  m.idle_w = gpu.idle_w;
  m.limit_w = gpu.tdp_w;
  m.alpha = d.alpha;
  m.beta = d.beta;
  m.compute_w = d.compute_w / span * (gpu.tdp_w - gpu.idle_w);
  m.memory_w = d.memory_w / span * (gpu.tdp_w - gpu.idle_w);
  m.source = "ratios of " + donor + " scaled to " + gpu.id + "'s TDP and idle draw";
  return m;
}

}  // namespace dssim
