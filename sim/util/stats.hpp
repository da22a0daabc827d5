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

}  // namespace dssim
