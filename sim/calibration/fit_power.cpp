// The power and thermal inputs read off the sustained-load traces (power_load.csv, nvidia_smi_trace.csv).
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "calibration/fit_steps.hpp"
#include "calibration/nelder_mead.hpp"
#include "profile/gemm_points.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/stats.hpp"
#include "util/strings.hpp"
#include "util/timestamp.hpp"

namespace dssim {

namespace {

// ---------------------------------------------------------------- power



}  // namespace

void read_power(const std::string& dir, PowerInputs& pw) {
  namespace fs = std::filesystem;
  const fs::path load = fs::path(dir) / "power_load.csv", trace = fs::path(dir) / "nvidia_smi_trace.csv";
  if (!fs::is_regular_file(load) || !fs::is_regular_file(trace)) return;
  CsvTable l = CsvTable::read(load.string());
  double gemm_start = 1e300, gemm_end = 0, copy_start = 1e300, copy_end = 0, idle_after = 0;
  std::vector<std::pair<double, double>> gemm_rates;  // (epoch, TFLOP/s)
  std::vector<double> copy_rates;
  for (std::size_t r = 0; r < l.rows(); ++r) {
    const std::string& phase = l.get(r, "phase");
    const double t = l.number(r, "epoch_s");
    if (phase.rfind("gemm", 0) == 0) {
      gemm_start = std::min(gemm_start, t);
      gemm_end = std::max(gemm_end, t);
      gemm_rates.push_back({t, l.number(r, "rate")});
    } else if (phase.rfind("copy", 0) == 0) {
      copy_start = std::min(copy_start, t);
      copy_end = std::max(copy_end, t);
      copy_rates.push_back(l.number(r, "rate"));
    } else if (phase == "idle_after") {
      idle_after = t;
    }
  }
  if (gemm_rates.empty()) return;
  pw.gemm_rate_peak_tflops = gemm_rates.front().second;  // before the power cap bites
  std::vector<double> steady;  // after the first two seconds of the load
  for (const auto& [t, rate] : gemm_rates)
    if (t > gemm_start + 2.0) steady.push_back(rate);
  pw.gemm_rate_steady_tflops = median(steady);
  pw.copy_rate_GBps = median(copy_rates);
  CsvTable s = CsvTable::read(trace.string());
  std::vector<double> gemm_w, gemm_mhz, copy_w, copy_mhz, idle_w, gemm_c, copy_c, idle_c;
  std::vector<std::pair<double, double>> rise;  // (seconds since the burn began, temperature) for tau
  double temp_before = std::nan("");
  for (std::size_t r = 0; r < s.rows(); ++r) {
    long long ticks = 0;
    if (!parse_utc_timestamp(s.get(r, "timestamp"), ticks, '/'))
      throw Error(fmt("%s: row %zu: timestamp '%s' is not YYYY/MM/DD HH:MM:SS.mmm", trace.string().c_str(), r + 2,
                      s.get(r, "timestamp").c_str()));
    const double t = static_cast<double>(ticks) * 1e-7;
    // nvidia-smi and NVML write "N/A" for what a GPU cannot report: such samples are skipped
    const double w = s.number_or_nan(r, "power.draw"), mhz = s.number_or_nan(r, "clocks.sm");
    if (!std::isfinite(w) || !std::isfinite(mhz)) continue;
    const double limit = s.number_or_nan(r, "power.limit");
    if (std::isfinite(limit)) pw.power_limit_w = std::max(pw.power_limit_w, limit);
    pw.sm_clock_max_mhz = std::max(pw.sm_clock_max_mhz, mhz);
    const double temp = s.number_or_nan(r, "temperature.gpu");
    if (t <= gemm_start && std::isfinite(temp)) temp_before = temp;
    if (t > gemm_start && t <= gemm_start + 5.0 && std::isfinite(temp)) rise.push_back({t - gemm_start, temp});
    if (t > gemm_start + 2.0 && t <= gemm_end) {
      gemm_w.push_back(w);
      gemm_mhz.push_back(mhz);
      gemm_c.push_back(temp);
    } else if (t > copy_start + 1.0 && t <= copy_end) {
      copy_w.push_back(w);
      copy_mhz.push_back(mhz);
      copy_c.push_back(temp);
    } else if (idle_after > 0 && t > idle_after + 2.0) {
      idle_w.push_back(w);
      idle_c.push_back(temp);
    }
  }
  if (gemm_w.empty() || idle_w.empty()) return;
  pw.gemm_power_w = median(gemm_w);
  pw.sm_clock_gemm_mhz = median(gemm_mhz);
  pw.copy_power_w = median(copy_w);
  pw.sm_clock_copy_mhz = median(copy_mhz);
  pw.idle_w = median(idle_w);
  pw.temp_gemm_c = median(gemm_c);
  pw.temp_copy_c = median(copy_c);
  pw.temp_idle_c = median(idle_c);
  // tau: the first-order step response from the temperature before the burn to its steady value
  if (std::isfinite(temp_before) && !rise.empty()) {
    double best = 1e300;
    for (double tau = 0.05; tau <= 10.0; tau += 0.01) {
      double e = 0;
      for (const auto& [dt, temp] : rise) {
        const double pred = pw.temp_gemm_c + (temp_before - pw.temp_gemm_c) * std::exp(-dt / tau);
        e += (pred - temp) * (pred - temp);
      }
      if (e < best) {
        best = e;
        pw.thermal_tau_s = tau;
      }
    }
  }
  pw.measured = true;
}

}  // namespace dssim
