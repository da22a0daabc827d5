#include "calibration/fitter.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "calibration/fit_steps.hpp"
#include "profile/profile_reader.hpp"
#include "util/error.hpp"
#include "util/stats.hpp"
#include "util/strings.hpp"

namespace dssim {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  return nearest_rank(v, q);
}

double rel(double pred, double meas) { return std::fabs(pred - meas) / meas; }

// Least squares y = c0 + c1 * x; `relative` weighs each residual by 1/y.
std::pair<double, double> line_fit(const std::vector<double>& x, const std::vector<double>& y, bool relative) {
  Eigen::MatrixXd A(static_cast<Eigen::Index>(x.size()), 2);
  Eigen::VectorXd b(static_cast<Eigen::Index>(y.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = relative ? 1.0 / y[i] : 1.0;
    const auto r = static_cast<Eigen::Index>(i);
    A(r, 0) = w;
    A(r, 1) = w * x[i];
    b(r) = w * y[i];
  }
  Eigen::Vector2d c = A.colPivHouseholderQr().solve(b);
  return {c(0), c(1)};
}

ErrorStats error_stats(std::vector<double> in, std::vector<double> cv) {
  ErrorStats e;
  e.points = static_cast<int>(in.size());
  if (in.empty()) return e;
  e.median = median(in);
  e.p90 = quantile(in, 0.9);
  e.max = *std::max_element(in.begin(), in.end());
  e.cv_median = median(cv);
  e.cv_p90 = quantile(cv, 0.9);
  return e;
}

FitResult fit_measurements(const std::string& dir, const GpuCard& gpu) {
  namespace fs = std::filesystem;
  for (const char* f : {"bandwidth.csv", "gemm.csv", "attention.csv"})
    if (!fs::is_regular_file(fs::path(dir) / f))
      throw Error(fmt("calibration of %s: missing %s in %s", gpu.id.c_str(), f, dir.c_str()));
  FitResult res;
  CalibrationProfile& p = res.profile;
  p.gpu_id = gpu.id;
  p.measurements_dir = fs::absolute(dir).lexically_normal().string();
  // bandwidth first: its copy intercept is the per-kernel fixed cost the other fits start from
  fit_bandwidth((fs::path(dir) / "bandwidth.csv").string(), gpu, p, res.report);
  fit_gemm((fs::path(dir) / "gemm.csv").string(), gpu, p, res.report);
  fit_attention((fs::path(dir) / "attention.csv").string(), gpu, p, res.report);
  read_power(dir, p.power);
  load_gemm_table(dir, gpu, p);
  return res;
}

}  // namespace dssim
