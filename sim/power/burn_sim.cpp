#include "power/burn_sim.hpp"

#include <simgrid/s4u.hpp>

#include "hw/engine.hpp"
#include "hw/platform.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim {

void write_thermal_rows(std::ostream& out, const std::vector<ThermalSample>& samples, int gpu) {
  for (const auto& x : samples)
    out << fmt("%.3f,%d,%.2f,%.2f,%.0f,%s\n", x.t_s, gpu, x.power_w, x.temp_c, x.sm_clock_mhz, x.reason.c_str());
}

namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

BurnResult run_burn(const BurnSpec& spec, const PowerModel& pm, const ThermalModel& th, double limit_w) {
  auto engine_ptr = create_engine();
  sg4::Engine& engine = *engine_ptr;

  const std::vector<double> clocks = pm.clock_steps();  // ascending
  std::vector<double> speeds;
  for (double f : clocks) speeds.push_back(kGpuSpeed * pm.speed(f, spec.compute_share));
  auto* zone = sg4::create_full_zone("burn");
  sg4::Host* cpu = zone->create_host("cpu", 1e9)->seal();
  sg4::Host* gpu = zone->create_host("gpu", speeds)->seal();
  zone->seal();
  const int top = static_cast<int>(clocks.size()) - 1;
  gpu->set_pstate(top);

  BurnResult res;
  std::vector<std::pair<double, double>> windows;  // (end time, rate)
  bool done = false;

  ActorFailure failure;
  sg4::Actor::create("burn", cpu, failure.guarded([&] {
    const int per_window = 50;
    double window_start = 0;
    int in_window = 0;
    while (sg4::Engine::get_clock() < spec.duration_s) {
      sg4::ExecPtr e = sg4::Exec::init()->set_flops_amount(spec.kernel_s * kGpuSpeed)->set_host(gpu);
      e->start();
      e->wait();
      if (++in_window == per_window) {
        const double now = sg4::Engine::get_clock();
        windows.push_back({now, per_window * spec.work_per_kernel / (now - window_start)});
        window_start = now;
        in_window = 0;
      }
    }
    done = true;
  }));

  sg4::Actor::create("controller", cpu, failure.guarded([&] {
    double temp = th.steady_c(0, 0);
    int pstate = top;
    // instantaneous power over the sensor window; the GPU idled before the load began
    const std::size_t window = static_cast<std::size_t>(std::lround(spec.sensor_window_s / spec.tick_s));
    std::deque<double> recent(window, pm.idle_w);
    double next_sample = 0, power_sum = 0;
    long long ticks = 0, throttled = 0;
    std::vector<double> steady_clock, steady_power, steady_temp;
    // the load never changes, so neither does the highest step under the power limit
    const int cap_pstate = static_cast<int>(
        std::find(clocks.begin(), clocks.end(), pm.clock_for_cap(limit_w, spec.compute_share, 1.0)) - clocks.begin());
    while (!done) {
      const double now = sg4::Engine::get_clock();
      const double f = clocks[static_cast<std::size_t>(pstate)];
      const double p = pm.power_w(f, spec.compute_share, 1.0);
      const double compute_dyn = pm.compute_dynamic_w(f, spec.compute_share, 1.0);
      const double memory_dyn = p - pm.idle_w - compute_dyn;
      temp = th.step(temp, th.steady_c(compute_dyn, memory_dyn), spec.tick_s);
      recent.push_back(p);
      recent.pop_front();
      double reported = 0;
      for (double x : recent) reported += x;
      reported /= static_cast<double>(recent.size());
      if (!res.time_to_limit_s && reported >= 0.98 * limit_w) res.time_to_limit_s = now;
      res.energy_j += p * spec.tick_s;
      power_sum += p;
      ++ticks;
      res.max_temp_c = std::max(res.max_temp_c, temp);
      // next clock: the highest step under the power limit, lowered further while too hot
      int want = cap_pstate;
      std::string reason = want < top ? "power_cap" : "none";
      if (temp >= th.slowdown_c) {
        want = std::min(want, std::max(0, pstate - 1));
        reason = "thermal";
      } else if (temp >= th.slowdown_c - th.hold_band_c) {
        want = std::min(want, pstate);  // hysteresis: no raise just below the threshold
        if (want < top) reason = "thermal";
      }
      if (want != pstate) {
        pstate = want;
        gpu->set_pstate(pstate);
      }
      if (pstate < top) ++throttled;
      if (now >= next_sample) {
        res.samples.push_back({now, reported, temp, clocks[static_cast<std::size_t>(pstate)], reason});
        next_sample += spec.sample_s;
      }
      if (now > 2.0) {
        steady_clock.push_back(clocks[static_cast<std::size_t>(pstate)]);
        steady_power.push_back(reported);
        steady_temp.push_back(temp);
      }
      sg4::this_actor::sleep_for(spec.tick_s);
    }
    res.mean_power_w = ticks ? power_sum / static_cast<double>(ticks) : 0;
    res.throttled_fraction = ticks ? static_cast<double>(throttled) / static_cast<double>(ticks) : 0;
    res.steady_sm_clock_mhz = median_of(steady_clock);
    res.steady_power_w = median_of(steady_power);
    res.steady_temp_c = median_of(steady_temp);
  }));
  failure.run_guarded(engine);
  std::vector<double> steady_rates;
  for (const auto& [t, r] : windows)
    if (t > 2.0) steady_rates.push_back(r);
  res.steady_rate = median_of(steady_rates);
  res.shutdown_reached = res.max_temp_c >= th.shutdown_c;
  return res;
}

}  // namespace dssim
