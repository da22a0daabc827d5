#include "profile/gemm_points.hpp"

namespace dssim {

double roofline_predict(const GemmFit& f, const GemmPoint& q, const std::string& dt, double peak, double bw) {
  const double tc = 2.0 * q.m * q.n * q.k / (peak * f.eff_compute);
  const double tm = gemm_bytes(dt, q.m, q.n, q.k) / (bw * f.eff_memory);
  return f.fixed_s + rounded_max(tc, tm, f.smooth_n);
}

double gemm_predict(const GemmFit& f, const GemmPoint& q, const std::string& dt, double peak, double bw) {
  if (q.m == 1 && f.has_gemv()) return gemv_time(f, gemm_bytes(dt, q.m, q.n, q.k), bw);
  return roofline_predict(f, q, dt, peak, bw);
}

bool host_bound(const GemmFit& f, const GemmPoint& q, const std::string& dt, double peak, double bw,
                double kernel_fixed_s) {
  const double gpu = kernel_fixed_s + roofline_predict(f, q, dt, peak, bw) - f.fixed_s;
  return q.t < kGemmHostFloorRatio * f.host_floor_s && gpu < kGemmHostRoofShare * q.t;
}

}  // namespace dssim
