#include <catch2/catch.hpp>

#include <cmath>

#include "calibration/fitter.hpp"
#include "config/catalog.hpp"
#include "power/burn_sim.hpp"
#include "power/gpu_power.hpp"
#include "power/power_model.hpp"
#include "power/thermal.hpp"
#include "profile/gpu_profile.hpp"

using namespace dssim;

namespace {
PowerInputs h200_inputs() {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  return fit_measurements(std::string(DSSIM_TEST_DATA_DIR) + "/validation/data/h200", cat.gpu("h200-sxm")).profile.power;
}

// A GPU of round numbers: idle 100 W, compute 800 W and memory 300 W at 1500 MHz, alpha 2, beta 1.
PowerSetup toy_setup() {
  PowerSetup s;
  s.model.idle_w = 100;
  s.model.compute_w = 800;
  s.model.memory_w = 300;
  s.model.alpha = 2;
  s.model.beta = 1;
  s.model.f_max_mhz = 1500;
  s.model.f_min_mhz = 300;
  return s;
}
}  // namespace

TEST_CASE("the power fit reproduces the H200's load points by construction, with the documented exponents", "[power]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PowerInputs p = h200_inputs();
  REQUIRE(p.measured);
  PowerModel m = make_power_model(cat.gpu("h200-sxm"), p, true, "", 0.879471);
  const double beta = std::log(p.gemm_rate_steady_tflops / p.gemm_rate_peak_tflops) / std::log(p.sm_clock_gemm_mhz / p.sm_clock_max_mhz);
  CHECK(m.beta == Approx(beta));
  CHECK(m.alpha == Approx(beta + 2));
  CHECK(m.power_w(p.sm_clock_gemm_mhz, 1, 1) == Approx(p.gemm_power_w));
  CHECK(m.power_w(m.f_max_mhz, 0, 1) == Approx(p.copy_power_w));
  CHECK(m.power_w(m.f_max_mhz, 1, 0) == Approx(p.idle_w));
  CHECK(m.speed(p.sm_clock_gemm_mhz, 1) == Approx(p.gemm_rate_steady_tflops / p.gemm_rate_peak_tflops));
  CHECK(m.speed(1000, 0) == Approx(1.0));  // memory-bound work does not slow with the SM clock
}

TEST_CASE("memory-paced work draws the memory's background share plus the rest in proportion to its traffic", "[power]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  const PowerInputs p = h200_inputs();
  PowerModel m = make_power_model(cat.gpu("h200-sxm"), p, true, "", 0.879471);
  CHECK(m.memory_full_Bps == Approx(4.8e12 * 0.879471));  // the copy burn's rate: 4.22 TB/s
  m.memory_background_share = 0.34;
  const double mem = p.copy_power_w - p.idle_w;  // 442 W at full traffic, f_max
  // at f_max the clock factor is 1: draw = idle + (k + (1 - k) u) x memory_w
  CHECK(m.power_w(m.f_max_mhz, 0, 1, 1.0) == Approx(p.copy_power_w));
  CHECK(m.power_w(m.f_max_mhz, 0, 1, 0.5) == Approx(p.idle_w + (0.34 + 0.66 * 0.5) * mem));
  CHECK(m.power_w(m.f_max_mhz, 0, 1, 0.0) == Approx(p.idle_w + 0.34 * mem));
  // activity: bytes per second over the full rate, at most 1; unknown bytes count as full activity
  CHECK(m.memory_activity(2.11e9, 1e-3) == Approx(2.11e12 / (4.8e12 * 0.879471)));
  CHECK(m.memory_activity(1e12, 1e-3) == 1.0);
  CHECK(m.memory_activity(-1, 1e-3) == 1.0);
  // the tensor-core part does not change with memory traffic
  CHECK(m.power_w(p.sm_clock_gemm_mhz, 1, 1, 0.2) == Approx(p.gemm_power_w));
  // the share is the measured GPU's card's: the H200's own, and the donor's for a GPU that borrows
  CHECK(load_gpu_profile(cat.gpu("h200-sxm"), cat).profile.power.memory_background_share == Approx(0.34));
  CHECK(load_gpu_profile(cat.gpu("a100-80g-sxm"), cat).profile.power.memory_background_share == Approx(0.34));
}

TEST_CASE("the clock under a cap is the highest step that keeps the power at or below it", "[power]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PowerModel m = make_power_model(cat.gpu("h200-sxm"), h200_inputs(), true, "", 0.879471);
  auto steps = m.clock_steps();
  CHECK(steps.back() == Approx(m.f_max_mhz));
  CHECK(steps[1] - steps[0] == Approx(15));
  for (double share : {0.0, 0.3, 0.6, 1.0})
    for (double cap : {300.0, 500.0, 700.0}) {
      INFO(share << " " << cap);
      const double f = m.clock_for_cap(cap, share, 1.0);
      CHECK(std::fmod(m.f_max_mhz - f, 15.0) == Approx(0).margin(1e-9));
      if (f > steps.front()) CHECK(m.power_w(f, share, 1.0) <= cap);
      if (f < m.f_max_mhz) CHECK(m.power_w(f + 15, share, 1.0) > cap);
    }
}

TEST_CASE("a GPU without traces scales the donor's power ratios to its TDP and idle draw", "[power]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  PowerInputs p = h200_inputs();
  PowerModel h = make_power_model(cat.gpu("h200-sxm"), p, true, "", 0.879471);
  GpuCard a = cat.gpu("a100-80g-sxm");
  PowerModel m = make_power_model(a, p, false, "h200-sxm", 0.879471);
  CHECK(m.idle_w == Approx(a.idle_w));
  CHECK(m.limit_w == Approx(a.tdp_w));
  CHECK(m.compute_w / (a.tdp_w - a.idle_w) == Approx(h.compute_w / (p.power_limit_w - p.idle_w)));
  CHECK(m.memory_w / (a.tdp_w - a.idle_w) == Approx(h.memory_w / (p.power_limit_w - p.idle_w)));
}

TEST_CASE("RC thermal model: the analytic step response, exact for any step size", "[power]") {
  ThermalModel t;
  t.ambient_c = 25;
  t.idle_rise_c = 10;
  t.r_compute = 0.04;
  t.r_memory = 0.02;
  t.tau_s = 2.0;
  CHECK(t.steady_c(500, 100) == Approx(25 + 10 + 20 + 2));
  // from 35 C towards 57 C: T(t) = 57 - 22 exp(-t / 2)
  CHECK(t.step(35, 57, 2.0) == Approx(57 - 22 * std::exp(-1.0)));
  double temp = 35;
  for (int i = 0; i < 1000; ++i) temp = t.step(temp, 57, 0.004);
  CHECK(temp == Approx(57 - 22 * std::exp(-2.0)));
  GpuCard g;
  g.tdp_w = 700;
  g.idle_w = 100;
  CoolingProfile c;
  c.idle_rise_c = 18;
  c.rise_at_tdp_c = 42;
  c.memory_factor = 0.5;
  ThermalModel m = make_thermal(g, c, 30);
  CHECK(m.r_compute == Approx(24.0 / 600));
  CHECK(m.steady_c(600, 0) == Approx(30 + 42));
  CHECK(m.r_memory == Approx(0.5 * 24.0 / 600));
}

TEST_CASE("energy: power integrated over busy iterations and idle gaps", "[power]") {
  PowerSetup s = toy_setup();
  s.limit_w = 1000;
  s.thermal.tau_s = 1;
  GpuPowerState st(s);
  IterationCostBreakdown mem;  // memory-bound, GPU busy the whole iteration
  mem.gpu_s = mem.total_s = mem.host_s = 0.5;
  mem.graph = true;
  mem.host_s = 0;
  CHECK(st.run(mem, 0.0) == Approx(0.5));  // 400 W: under the cap, full clock
  st.idle_until(2.0);                        // 1.5 s idle at 100 W
  CHECK(st.energy_j() == Approx(0.5 * 400 + 1.5 * 100));
  CHECK(st.throttled_s() == 0);
  IterationCostBreakdown comp = mem;  // compute-bound: 900 W at 1500 MHz exceeds a 700 W cap
  comp.gpu_compute_s = comp.gpu_s;
  s.limit_w = 700;
  const double t = st.run(comp, 2.0);
  // highest 15 MHz step with 100 + 800 (f/1500)^2 <= 700: f <= 1299 -> 1290 MHz; time 0.5 x 1500/1290
  CHECK(t == Approx(0.5 * 1500.0 / 1290.0));
  CHECK(st.energy_j() == Approx(0.5 * 400 + 1.5 * 100 + t * (100 + 800 * std::pow(1290.0 / 1500, 2))));
  CHECK(st.throttled_s() == Approx(t));
}

TEST_CASE("burn: the H200 GEMM load settles at its cap, the reported power reaching it after the sensor window", "[power][oracle]") {
  Catalog cat(DSSIM_TEST_DATA_DIR);
  GpuCard g = cat.gpu("h200-sxm");
  PowerInputs p = h200_inputs();
  PowerModel m = make_power_model(g, p, true, "", 0.879471);
  ThermalModel t = make_thermal(g, load_cooling(cat.cooling_path("datacenter-air")), 25);
  BurnSpec spec;
  spec.kind = "gemm-burn";
  spec.kernel_s = 1.4e-3;
  spec.work_per_kernel = 2.0 * 8192 * 8192 * 8192 / 1e12;
  spec.compute_share = 1;
  spec.duration_s = 6;
  BurnResult r = run_burn(spec, m, t, 700);
  CHECK(r.steady_power_w <= 700);
  CHECK(r.steady_power_w > 680);
  CHECK(std::fmod(m.f_max_mhz - r.steady_sm_clock_mhz, 15.0) == Approx(0).margin(1e-9));
  REQUIRE(r.time_to_limit_s);
  CHECK(*r.time_to_limit_s == Approx(1.0).margin(0.05));
  CHECK(r.throttled_fraction > 0.99);
  CHECK(r.steady_rate == Approx(spec.work_per_kernel / spec.kernel_s * m.speed(r.steady_sm_clock_mhz, 1)).epsilon(0.01));
  CHECK(r.energy_j == Approx(r.mean_power_w * 6).epsilon(0.01));
}

TEST_CASE("a GPU driven past its shutdown temperature is flagged", "[power]") {
  PowerSetup s;
  s.model.idle_w = 50;
  s.model.compute_w = 400;
  s.model.memory_w = 200;
  s.model.f_max_mhz = 1500;
  s.model.f_min_mhz = 300;
  s.limit_w = 1000;
  s.thermal.ambient_c = 40;
  s.thermal.r_memory = 0.1;  // 200 W of memory work: 60 C steady
  s.thermal.tau_s = 0.1;
  s.thermal.slowdown_c = 200;  // no slowdown: the clock would not save it anyway (memory-bound)
  s.thermal.shutdown_c = 55;
  GpuPowerState st(s);
  IterationCostBreakdown mem;
  mem.gpu_s = mem.total_s = 1.0;
  mem.graph = true;
  CHECK_FALSE(st.shutdown_reached());
  st.run(mem, 0.0);
  CHECK(st.max_temp_c() == Approx(40 + 20 * (1 - std::exp(-10.0))));
  CHECK(st.shutdown_reached());
}

TEST_CASE("thermal slowdown: one step down per iteration while hot, held 2 C below the threshold, back up once cool", "[power]") {
  auto setup = [](double ambient_c) {
    PowerSetup s;
    s.model.idle_w = 100;
    s.model.compute_w = 800;
    s.model.alpha = 2;
    s.model.beta = 1;
    s.model.f_max_mhz = 1500;
    s.model.f_min_mhz = 300;
    s.limit_w = 1000;  // never the cap: 900 W at most
    s.thermal.ambient_c = ambient_c;
    s.thermal.r_compute = 0.1;  // 800 W of compute: 80 C above ambient
    s.thermal.tau_s = 0.1;
    s.thermal.slowdown_c = 80;
    s.thermal.shutdown_c = 500;
    return s;
  };
  IterationCostBreakdown comp;
  comp.gpu_s = comp.gpu_compute_s = 1.0;
  comp.graph = true;
  for (double ambient : {40.0, 79.0}) {
    INFO("ambient " << ambient);
    PowerSetup s = setup(ambient);
    GpuPowerState st(s);
    double t = 0, d = 0;  // back to back: no time to cool between iterations
    CHECK((d = st.run(comp, t)) == Approx(1.0));  // starts cool: full clock, then hot
    t += d;
    CHECK((d = st.run(comp, t)) == Approx(1500.0 / 1485));  // hot: one 15 MHz step down
    t += d;
    CHECK(st.run(comp, t) == Approx(1500.0 / 1470));  // still hot: another step
    CHECK(st.throttled_s() == Approx(1500.0 / 1485 + 1500.0 / 1470));
    st.idle_until(100.0);  // back to ambient
    // 40 C: under the threshold by more than 2 C, the full clock again; 79 C: held at 1470 MHz
    CHECK(st.run(comp, 100.0) == Approx(ambient < 78 ? 1.0 : 1500.0 / 1470));
  }
}

TEST_CASE("a power state restored from a snapshot continues as if the later iterations never ran", "[power][coalesce]") {
  PowerSetup s = toy_setup();
  s.limit_w = 700;
  s.thermal.tau_s = 1;
  s.record = true;
  s.sample_s = 0.1;
  IterationCostBreakdown comp;
  comp.gpu_s = comp.total_s = comp.gpu_compute_s = 0.3;
  comp.graph = true;
  GpuPowerState a(s), b(s);
  a.run(comp, 0.0);
  b.run(comp, 0.0);
  const GpuPowerState::Snapshot snap = a.snapshot();
  a.run(comp, 0.5);  // an iteration that is then undone
  a.run(comp, 0.9);
  a.restore(snap);
  CHECK(a.energy_j() == b.energy_j());
  CHECK(a.samples().size() == b.samples().size());
  CHECK(a.run(comp, 0.4) == b.run(comp, 0.4));
  CHECK(a.energy_j() == b.energy_j());
  CHECK(a.throttled_s() == b.throttled_s());
  CHECK(a.max_temp_c() == b.max_temp_c());
}

TEST_CASE("collective time inside the memory-paced time keeps full memory activity", "[power]") {
  PowerModel m;
  m.memory_full_Bps = 4e12;
  // 1 ms memory-paced, 0.4 ms of it collectives; kernels moved 1.2 GB in 0.6 ms: half the full rate
  CHECK(m.memory_activity(1.2e9, 1e-3, 0.4e-3) == Approx((0.6e-3 * 0.5 + 0.4e-3) / 1e-3));
  CHECK(m.memory_activity(0, 1e-3, 1e-3) == Approx(1.0));  // all communication
}

TEST_CASE("index arithmetic under a cap: its time follows the clock in proportion, with no tensor-core draw", "[power]") {
  PowerSetup s = toy_setup();
  s.limit_w = 600;
  s.thermal.tau_s = 1;
  // 0.5 s of GEMM (compute) and 0.5 s of strided element-wise index arithmetic (issue) at 1500 MHz
  IterationCostBreakdown b;
  b.graph = true;
  b.gpu_s = b.total_s = 1.0;
  b.gpu_compute_s = 0.5;
  b.gpu_issue_s = 0.5;
  GpuPowerState st(s);
  const double t = st.run(b, 0.0);
  // Both halves stretch by 1500/f (beta 1), so the compute share stays 0.5; the issue half draws the
  // memory class's power (no bytes known: full activity, half of it following the clock):
  // P = 100 + 0.5 x 800 r^2 + 0.5 x 300 (0.5 + 0.5 r^2) = 175 + 475 r^2, r = f/1500 <= 0.9459: 1410 MHz.
  CHECK(st.clock_mhz() == Approx(1410));
  CHECK(t == Approx(0.5 * 1500 / 1410.0 + 0.5 * 1500 / 1410.0));
  // the same seconds as memory-paced work do not stretch, so the GEMM's share grows to 1/(1 + r):
  // 601 W at 1410 MHz, 593 W at 1395
  IterationCostBreakdown m = b;
  m.gpu_issue_s = 0;
  GpuPowerState st2(s);
  CHECK(st2.run(m, 0.0) == Approx(0.5 * 1500 / 1395.0 + 0.5));
  CHECK(st2.clock_mhz() == Approx(1395));
}
