#pragma once
// Measured GEMM calls and the profile's prediction of them: shared by the fit (sim/calibration) and by
// the reader that keeps the GPU-bound rows of gemm.csv as the measured-shape table.
#include <string>

#include "profile/calibration_profile.hpp"

namespace dssim {

struct GemmPoint {
  std::string layer;
  double m, n, k, t;
};

// The fitted roofline alone: fixed + (tc^n + tm^n)^(1/n).
double roofline_predict(const GemmFit& f, const GemmPoint& q, const std::string& dt, double peak, double bw);
// The fit's prediction: the M = 1 line where the fit has one, else the roofline.
double gemm_predict(const GemmFit& f, const GemmPoint& q, const std::string& dt, double peak, double bw);
// A call is host-bound when it sits near the fastest call of its dtype while the GPU needs much less:
// then it timed Python issuing calls, not the kernel. "What the GPU needs" is the fitted roofline with a
// copy kernel's fixed cost, not the GEMM's own fitted one: host-bound rows left in a fit inflate that
// fixed cost, which would then keep them in.
bool host_bound(const GemmFit& f, const GemmPoint& q, const std::string& dt, double peak, double bw,
                double kernel_fixed_s);

}  // namespace dssim
