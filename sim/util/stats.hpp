#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace dssim {

// Nearest-rank quantile of an already sorted, non-empty sample: the smallest value with at least
// q of the sample at or below it (so p99 of 100 values is the 99th, never an interpolation).
inline double nearest_rank(const std::vector<double>& sorted, double q) {
  const std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// The median of a sample (the mean of the middle two for an even count); NaN when it is empty.
inline double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace dssim
