#include "util/log_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace dssim {

LogHistogram::LogHistogram(double lowest, double highest)
    : log_lowest_(std::log10(lowest)),
      lowest_(lowest),
      bins_(static_cast<std::size_t>(std::ceil((std::log10(highest) - std::log10(lowest)) * kLogHistogramBinsPerDecade)),
            0) {}

void LogHistogram::add(double value, std::uint64_t times) {
  if (times == 0) return;
  min_ = count_ ? std::min(min_, value) : value;
  count_ += times;
  sum_ += value * static_cast<double>(times);
  max_ = std::max(max_, value);
  if (value <= 0) {
    zeros_ += times;
    return;
  }
  if (value > last_lo_ && value < last_hi_) {
    bins_[last_bin_] += times;
    return;
  }
  const double pos = value > lowest_ ? (std::log10(value) - log_lowest_) * kLogHistogramBinsPerDecade : 0.0;
  const auto bin = std::min(bins_.size() - 1, static_cast<std::size_t>(std::max(0.0, pos)));
  bins_[bin] += times;
  if (bin > 0 && bin + 1 < bins_.size()) {  // the end bins also take what falls outside the range
    last_bin_ = bin;
    const double b = static_cast<double>(bin);
    last_lo_ = std::pow(10.0, log_lowest_ + b / kLogHistogramBinsPerDecade) * (1 + 1e-12);
    last_hi_ = std::pow(10.0, log_lowest_ + (b + 1) / kLogHistogramBinsPerDecade) * (1 - 1e-12);
  }
}

double LogHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(count_))));
  if (rank <= zeros_) return std::min(0.0, max_);
  std::uint64_t seen = zeros_;
  for (std::size_t i = 0; i < bins_.size(); ++i) {
    seen += bins_[i];
    if (seen >= rank)
      return std::clamp(std::pow(10.0, log_lowest_ + (static_cast<double>(i) + 0.5) / kLogHistogramBinsPerDecade), min_,
                        max_);
  }
  return max_;
}

}  // namespace dssim
