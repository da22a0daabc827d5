#pragma once
// Percentiles of many positive values without keeping them: counts in logarithmic bins. A percentile is
// its bin's geometric centre, within a relative error of kLogHistogramError of the exact (nearest-rank)
// value; the mean, count and largest value are exact.
#include <cstdint>
#include <vector>

namespace dssim {

// Bins per decade and the relative error that gives: half a bin's width, 10^(1/(2 x 256)) - 1.
inline constexpr int kLogHistogramBinsPerDecade = 256;
inline constexpr double kLogHistogramError = 0.0046;

class LogHistogram {
 public:
  // Values in (0, lowest) count in the first bin, above `highest` in the last (the mean stays exact);
  // values <= 0 (a request that did not wait) are counted apart and read back as exactly 0.
  explicit LogHistogram(double lowest = 1e-7, double highest = 1e5);
  void add(double value, std::uint64_t times = 1);
  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }
  double max() const { return max_; }
  double min() const { return min_; }
  // The nearest-rank percentile (q in (0, 1]): the smallest value with at least q of the count at or
  // below it, as its bin's geometric centre kept within [min, max]; 0 when empty.
  double percentile(double q) const;

 private:
  double log_lowest_ = 0, lowest_ = 0;
  // The last bin a value went to and the values safely inside it: a run of close values (a stretch's
  // gaps) skips the logarithm. Bounds are narrowed by 1e-12 so that the log path decides every value
  // near a boundary.
  std::size_t last_bin_ = 0;
  double last_lo_ = 1, last_hi_ = 0;
  std::vector<std::uint64_t> bins_;
  std::uint64_t zeros_ = 0;  // values <= 0
  std::uint64_t count_ = 0;
  double sum_ = 0, max_ = 0, min_ = 0;
};

}  // namespace dssim
