#pragma once
// Prediction intervals from validation residuals. A residual is e = predicted / measured - 1, so the
// measured value of a new prediction v lies in [v / (1 + high), v / (1 + low)] when its e lies in
// [low, high].
#include <cstddef>
#include <utility>
#include <vector>

namespace dssim {

struct ResidualBand {
  std::size_t n = 0;
  double mean = 0, sd = 0;  // of the residuals (sd: sample standard deviation, 0 for n < 2)
  double low = 0, high = 0;  // the interval a new residual falls in with the given confidence
};

// n >= 2: the normal-theory prediction interval of one new draw, mean -/+ t(n-1) sd sqrt(1 + 1/n).
// n = 1: one residual says its size, not its sign: [-|e|, |e|]. n = 0: an empty band (all zero).
ResidualBand residual_band(const std::vector<double>& residuals, double confidence);

// The band of what would be measured for a prediction `value`, given its class's residual band
// widened by `widen` on each side (a GPU priced with another GPU's efficiencies).
std::pair<double, double> measured_range(double value, const ResidualBand& b, double widen);

}  // namespace dssim
