// `dssim SCENARIO` for [workload] kind = "gemm-burn" | "copy-burn": a sustained load under the power
// and thermal model, with the figures the calibration traces can be laid beside.
#include <cmath>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "config/catalog.hpp"
#include "scenario/scenario.hpp"
#include "timing/kernel_cost.hpp"
#include "power/burn_sim.hpp"
#include "predict/prediction.hpp"
#include "report/report.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace dssim {

int run_burn_scenario(const Scenario& s, const PredictInput& base, const Catalog& cat, Format f, const std::string& thermal_csv) {
  const GpuCard& g = base.gpu;
  const WorkloadSpec& w = s.workload;
  KernelCostModel cost = make_cost_model(g, cat);
  const CalibrationProfile& prof = cost.profile();
  PowerModel pm = make_power_model(g, prof.power, cost.own_measurements(), prof.gpu_id);
  const std::string cooling_id = s.cooling.empty() ? g.cooling : s.cooling;
  CoolingProfile cooling = load_cooling(cat.cooling_path(cooling_id));
  ThermalModel th = make_thermal(g, cooling, s.ambient_c);
  const double limit = s.power_limit_w.value_or(pm.limit_w);

  BurnSpec spec;
  spec.kind = w.kind == WorkloadSpec::Kind::gemm_burn ? "gemm-burn" : "copy-burn";
  spec.duration_s = w.burn_duration_s;
  if (w.kind == WorkloadSpec::Kind::gemm_burn) {
    const Precision p = precision_of_gemm_dtype(w.burn_dtype);
    const auto m = static_cast<double>(w.burn_m), n = static_cast<double>(w.burn_n), k = static_cast<double>(w.burn_k);
    const Precision act = p == Precision::fp32 || p == Precision::tf32 ? Precision::fp32 : Precision::bf16;
    double t = cost.gemm_time(m, n, k, 1, p, act);
    // The share of the kernel paced by the SM clock: the compute term of the rounded roofline, with the
    // benchmark's own operand bytes (fp8/int8 inputs), not the model's bf16 activations.
    const GemmFit& fit = prof.gemm.count(w.burn_dtype) ? prof.gemm.at(w.burn_dtype) : prof.gemm.at("bf16");
    const double peak = g.peak(g.compute_precision(p));
    const double tc = 2 * m * n * k / (peak * fit.eff_compute), tm = gemm_bytes(w.burn_dtype, m, n, k) / (g.memory_bw_Bps * fit.eff_memory);
    spec.compute_share = rounded_share(tc, tm, fit.smooth_n);
    // The calibration's compute-bound GEMM timings were taken on a card at its power cap (8192^3 bf16:
    // 660 TFLOP/s in the sweep, 672 steady in the burn, 792 in the burn's first uncapped window), so at
    // the maximum clock the compute part is shorter by the burn's steady/peak ratio.
    if (prof.power.measured && prof.power.gemm_rate_peak_tflops > 0)
      t *= 1 - spec.compute_share + spec.compute_share * prof.power.gemm_rate_steady_tflops / prof.power.gemm_rate_peak_tflops;
    spec.kernel_s = t;
    spec.work_per_kernel = 2 * m * n * k / 1e12;  // TFLOP
  } else {
    spec.kernel_s = cost.elementwise_time(2 * w.burn_bytes);
    spec.work_per_kernel = 2 * w.burn_bytes / 1e9;  // GB moved (read + write)
    spec.compute_share = 0;
  }
  BurnResult r = run_burn(spec, pm, th, limit);
  if (r.shutdown_reached)
    std::cerr << fmt("dssim: warning: the GPU reached its shutdown temperature (%.0f C): a real one would have stopped\n",
                     g.shutdown_c);
  if (!thermal_csv.empty()) {
    std::ofstream out(thermal_csv);
    if (!out) throw Error(fmt("--thermal-csv %s: cannot write", thermal_csv.c_str()));
    out << kThermalCsvHeader;
    write_thermal_rows(out, r.samples, 0);
  }
  const char* unit = spec.kind == "gemm-burn" ? "TFLOP/s" : "GB/s";
  const double kwh = r.energy_j / 3.6e6;
  if (f == Format::json) {
    JsonWriter j;
    j.begin_object().value("scenario", s.name).value("gpu", g.id).value("workload", spec.kind);
    j.value("power_limit_w", limit).value("ambient_c", s.ambient_c).value("cooling", cooling.id);
    j.begin_object("burn").value("steady_rate", r.steady_rate).value("rate_unit", unit);
    j.value("steady_sm_clock_mhz", r.steady_sm_clock_mhz).value("steady_power_w", r.steady_power_w);
    if (r.time_to_limit_s) j.value("time_to_limit_s", *r.time_to_limit_s); else j.null("time_to_limit_s");
    j.value("steady_temp_c", r.steady_temp_c).value("compute_share", spec.compute_share).end_object();
    j.begin_object("thermal").value("max_temp_c", r.max_temp_c).value("mean_power_w", r.mean_power_w);
    j.value("throttled_fraction", r.throttled_fraction).value("shutdown_reached", r.shutdown_reached).end_object();
    j.begin_object("energy").value("kwh", kwh).end_object();
    j.end_object();
    std::cout << j.str();
    return 0;
  }
  std::cout << "dssim " << DSSIM_VERSION << " | " << s.name << "\n";
  if (!s.description.empty()) std::cout << "  " << s.description << "\n";
  std::cout << fmt("\n%s on %s for %.1f s: one kernel %.3f ms at %.0f MHz, %.0f %% of it paced by the SM clock\n",
                   spec.kind.c_str(), g.id.c_str(), spec.duration_s, spec.kernel_s * 1e3, pm.f_max_mhz,
                   spec.compute_share * 100);
  std::cout << fmt("Power model  %s: idle %.0f W, compute %.0f W x (f/fmax)^%.2f, memory %.0f W; limit %.0f W\n",
                   pm.source.c_str(), pm.idle_w, pm.compute_w, pm.alpha, pm.memory_w, limit);
  std::cout << fmt("Thermal      %s (%s), ambient %.1f C; slowdown at %.0f C\n", cooling.name.c_str(), cooling.source.c_str(),
                   s.ambient_c, th.slowdown_c);
  std::cout << "\nSteady state (after the first 2 s)\n";
  std::cout << fmt("  rate                     %.1f %s\n", r.steady_rate, unit);
  std::cout << fmt("  SM clock                 %.0f MHz\n", r.steady_sm_clock_mhz);
  std::cout << fmt("  power (1 s average)      %.1f W\n", r.steady_power_w);
  std::cout << fmt("  GPU temperature          %.1f C (max %.1f C)\n", r.steady_temp_c, r.max_temp_c);
  if (r.time_to_limit_s)
    std::cout << fmt("  reached the power limit  after %.2f s\n", *r.time_to_limit_s);
  else
    std::cout << "  reached the power limit  never\n";
  std::cout << fmt("  throttled                %.1f %% of the time\n", r.throttled_fraction * 100);
  std::cout << fmt("  energy                   %.4f kWh (mean %.1f W)\n", kwh, r.mean_power_w);
  return 0;
}

}  // namespace dssim
