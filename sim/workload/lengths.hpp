#pragma once
// Token-length distributions for synthetic workloads (prompt and output lengths).
#include <vector>

#include "workload/rng.hpp"

namespace dssim {

struct LengthDist {
  enum class Kind { fixed, uniform, lognormal, empirical } kind = Kind::fixed;
  long long value = 1;            // fixed
  long long min = 1, max = 0;     // uniform (inclusive); also clamps lognormal when max > 0 (0: no upper clamp)
  double median = 0, sigma = 0;   // lognormal: exp(ln(median) + sigma * N(0,1)), rounded, at least 1
  std::vector<long long> samples; // empirical: drawn uniformly with replacement
};

// One length (>= 1). Throws Error (bad_input) for an invalid distribution: fixed value < 1, uniform
// min < 1 or min > max, lognormal median <= 0 or sigma < 0, empirical with no samples or a sample < 1.
long long sample_length(const LengthDist& d, Rng& rng);
// exact for fixed/uniform/empirical; lognormal: median*exp(sigma^2/2) (ignoring clamps)
double mean_length(const LengthDist& d);

}  // namespace dssim
