#include "run/power_setup.hpp"

namespace dssim {

std::optional<PowerSetup> make_power_setup(const PredictInput& in, bool record) {
  const PowerInputs& pin = in.profile.profile.power;
  if (!pin.measured || !in.env.power_model) return std::nullopt;
  PowerSetup s;
  s.model = make_power_model(in.gpu, pin, in.profile.own, in.profile.measured_gpu, in.profile.profile.copy_eff);
  s.thermal = make_thermal(in.gpu, in.env.cooling, in.env.ambient_c);
  s.limit_w = in.env.power_limit_w.value_or(s.model.limit_w);
  if (pin.gemm_rate_peak_tflops > 0) s.calibration_speedup = pin.gemm_rate_steady_tflops / pin.gemm_rate_peak_tflops;
  s.record = record;
  return s;
}

double serving_power_estimate_w(const GpuCard& gpu) { return gpu.idle_w + 0.8 * (gpu.tdp_w - gpu.idle_w); }

}  // namespace dssim
