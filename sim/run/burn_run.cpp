#include "run/burn_run.hpp"

#include "run/power_setup.hpp"
#include "timing/kernel_cost.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

BurnRun run_burn_workload(const PredictInput& in, const WorkloadSpec& w, bool record) {
  const GpuCard& g = in.gpu;
  const KernelCostModel cost(g, in.profile);
  const CalibrationProfile& prof = cost.profile();
  const auto setup = make_power_setup(in, record);
  if (!setup)
    throw Error(fmt("a %s needs the power model: %s", w.kind == WorkloadSpec::Kind::gemm_burn ? "gemm-burn" : "copy-burn",
                    in.env.power_model ? fmt("%s has no load traces in its profile or its donor's", g.id.c_str()).c_str()
                                       : "[environment] power_model is \"off\""));
  BurnRun run;
  run.power = setup->model;
  run.thermal = setup->thermal;
  run.limit_w = setup->limit_w;
  BurnSpec& spec = run.spec;
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
    t *= 1 - spec.compute_share + spec.compute_share * setup->calibration_speedup;
    spec.kernel_s = t;
    spec.work_per_kernel = 2 * m * n * k / 1e12;  // TFLOP
  } else {
    spec.kernel_s = cost.elementwise_time(2 * w.burn_bytes);
    spec.work_per_kernel = 2 * w.burn_bytes / 1e9;  // GB moved (read + write)
    spec.compute_share = 0;
  }
  run.result = run_burn(spec, run.power, run.thermal, run.limit_w);
  return run;
}

}  // namespace dssim
