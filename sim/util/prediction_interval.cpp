#include "util/prediction_interval.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

namespace dssim {

ResidualBand residual_band(const std::vector<double>& e, double confidence) {
  ResidualBand b;
  b.n = e.size();
  if (e.empty()) return b;
  for (double x : e) b.mean += x / static_cast<double>(b.n);
  if (b.n == 1) {
    b.low = -std::fabs(e[0]);
    b.high = std::fabs(e[0]);
    return b;
  }
  double ss = 0;
  for (double x : e) ss += (x - b.mean) * (x - b.mean);
  b.sd = std::sqrt(ss / static_cast<double>(b.n - 1));
  const boost::math::students_t t(static_cast<double>(b.n - 1));
  const double q = boost::math::quantile(t, 0.5 + confidence / 2);
  const double half = q * b.sd * std::sqrt(1.0 + 1.0 / static_cast<double>(b.n));
  b.low = b.mean - half;
  b.high = b.mean + half;
  return b;
}

std::pair<double, double> measured_range(double value, const ResidualBand& b, double widen) {
  // A residual of -100 % or below would mean an infinite measurement: keep the band finite.
  const double low = std::max(b.low - widen, -0.95), high = b.high + widen;
  return {value / (1 + high), value / (1 + low)};
}

}  // namespace dssim
