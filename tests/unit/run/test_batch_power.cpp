// A fixed batch's timeline through the power observer (run/batch_power), against hand-computed clocks,
// durations and draw.
#include <catch2/catch.hpp>

#include <cmath>

#include "run/batch_power.hpp"

using namespace dssim;

namespace {
PowerSetup toy_setup(double limit_w) {
  PowerSetup s;
  PowerModel& m = s.model;
  m.idle_w = 100;
  m.compute_w = 500;
  m.memory_w = 200;
  m.alpha = 2.6;
  m.beta = 0.6;
  m.f_max_mhz = 2000;
  m.f_min_mhz = 500;
  m.f_step_mhz = 100;
  m.limit_w = limit_w;
  s.limit_w = limit_w;
  s.thermal.slowdown_c = 1e3;  // no thermal throttling: the power cap alone
  s.thermal.shutdown_c = 2e3;
  s.calibration_speedup = 1.0;
  return s;
}
// 1 s prefill: 0.2 s not paced by the clock, 0.8 s on the GPU of which 0.5 s compute-bound.
const StepLoad kPrefill{1.0, 0.8, 0.5};
StepLoad decode_step(long long) { return {0.01, 0.008, 0.0}; }  // memory-bound: no clock-paced part
}  // namespace

TEST_CASE("batch power: without a binding cap every step runs at the maximum clock, as simulated", "[power][run]") {
  const PowerSetup s = toy_setup(1e4);
  const BatchPower b = pace_batch(s, kPrefill, decode_step, 100, 3, 101);
  CHECK(b.prefill_s == Approx(1.0));
  CHECK(b.prefill_clock_mhz == 2000);
  CHECK(b.prefill_limiter == "none");
  CHECK(b.decode_total_s == Approx(0.03));
  CHECK(b.decode_at_context_s == Approx(0.01));
  CHECK(b.throttled_fraction == 0);
  // prefill draws idle + busy 0.8 x (5/8 x 500 + 3/8 x 200) = 410 W for 1 s; each decode step
  // idle + 0.8 x 200 = 260 W for 0.01 s
  CHECK(b.busy_power_w == Approx((410 * 1.0 + 3 * 260 * 0.01) / 1.03));
  CHECK(b.energy_j == Approx(410 * 1.0 + 3 * 260 * 0.01));
}

TEST_CASE("batch power: the cap holds the prefill at the highest clock step under it, stretching its compute",
          "[power][run]") {
  const PowerSetup s = toy_setup(300);
  const BatchPower b = pace_batch(s, kPrefill, decode_step, 100, 3, 5000);  // the reported step lies beyond
  const double f = b.prefill_clock_mhz;
  REQUIRE(f < 2000);
  CHECK(b.prefill_limiter == "power_cap");
  // by hand at clock f: compute 0.5 x (2000/f)^0.6, the rest unchanged
  auto at = [&](double clock, double& total, double& power) {
    const double compute = 0.5 * std::pow(2000 / clock, 0.6), gpu = 0.3 + compute;
    total = 0.2 + gpu;
    power = s.model.power_w(clock, compute / gpu, gpu / total);
  };
  double total = 0, power = 0, above_total = 0, above_power = 0;
  at(f, total, power);
  at(f + 100, above_total, above_power);
  CHECK(b.prefill_s == Approx(total));
  CHECK(power <= 300);
  CHECK(above_power > 300);  // the next step up would break the cap
  CHECK(b.decode_clock_mhz == 2000);  // memory-bound decode stays under the cap at f_max
  CHECK(b.decode_total_s == Approx(0.03));  // the reported step beyond the generation is not counted
  CHECK(b.decode_at_context_s == Approx(0.01));
}
