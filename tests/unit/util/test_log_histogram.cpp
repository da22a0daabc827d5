// Percentiles from logarithmic bins: within the stated relative error of the exact nearest-rank value.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "util/log_histogram.hpp"

using namespace dssim;

TEST_CASE("log-binned percentiles are within the stated error of the nearest-rank values") {
  LogHistogram h;
  std::vector<double> v;
  for (int i = 1; i <= 1000; ++i) {  // 1 ms .. 1 s, with a long tail
    const double x = 1e-3 * i * (i > 990 ? 50.0 : 1.0);
    v.push_back(x);
    h.add(x);
  }
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) { return v[static_cast<std::size_t>(std::ceil(q * 1000)) - 1]; };
  for (double q : {0.01, 0.5, 0.9, 0.99, 1.0}) {
    INFO(q);
    CHECK(std::fabs(h.percentile(q) / rank(q) - 1) <= kLogHistogramError);
  }
  double sum = 0;
  for (double x : v) sum += x;
  CHECK(h.count() == 1000);
  CHECK(h.mean() == Approx(sum / 1000));  // exact, not binned
  CHECK(h.max() == v.back());
  CHECK(h.min() == v.front());
}

TEST_CASE("the error bound is half a bin: 10^(1/512) - 1") {
  CHECK(kLogHistogramError >= std::pow(10.0, 1.0 / (2 * kLogHistogramBinsPerDecade)) - 1);
  CHECK(kLogHistogramError < 1.05 * (std::pow(10.0, 1.0 / (2 * kLogHistogramBinsPerDecade)) - 1));
}

TEST_CASE("one repeated value is its own percentile, weights count, empty is zero") {
  LogHistogram h;
  CHECK(h.percentile(0.5) == 0);
  h.add(0.0123, 7);
  CHECK(h.count() == 7);
  CHECK(h.percentile(0.5) == 0.0123);  // the bin centre, kept within [min, max]
  CHECK(h.percentile(0.99) == 0.0123);
  h.add(5.0, 3);  // 7 of 10 at 12.3 ms, 3 at 5 s
  CHECK(h.percentile(0.7) == Approx(0.0123).epsilon(kLogHistogramError));
  CHECK(h.percentile(0.71) == Approx(5.0).epsilon(kLogHistogramError));
  CHECK(h.mean() == Approx((7 * 0.0123 + 15.0) / 10));
}

TEST_CASE("values outside the binned range still count, in the end bins") {
  LogHistogram h(1e-3, 1.0);
  h.add(1e-6);
  h.add(100.0);
  CHECK(h.count() == 2);
  CHECK(h.percentile(0.5) == Approx(1e-3).epsilon(0.01));  // clamped into the first bin
  CHECK(h.percentile(1.0) <= 100.0);
  CHECK(h.mean() == Approx((1e-6 + 100.0) / 2));
}

TEST_CASE("the last-bin shortcut puts every value where the logarithm would, whatever the order", "[util]") {
  // Runs of close values (the shortcut's case), values on either side of bin boundaries, and the
  // extremes, added in order and in a shuffled order: the same bins, so the same percentiles.
  std::vector<double> v;
  for (int i = 0; i < 2000; ++i) v.push_back(0.008 * (1 + 1e-4 * i));
  const double edge = std::pow(10.0, std::log10(1e-7) + 1234.0 / kLogHistogramBinsPerDecade);  // a bin boundary
  for (int k = -3; k <= 3; ++k) v.push_back(edge * (1 + k * 1e-15));
  v.push_back(1e-9);
  v.push_back(1e6);
  LogHistogram ordered, shuffled;
  for (double x : v) ordered.add(x);
  std::vector<double> w = v;
  std::reverse(w.begin(), w.end());
  std::rotate(w.begin(), w.begin() + 777, w.end());
  for (double x : w) shuffled.add(x);
  for (double q : {0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1.0}) CHECK(ordered.percentile(q) == shuffled.percentile(q));
  // The cache primed in another bin, then each value (within the range): its own bin's centre.
  for (double x : v) {
    if (!(x > 2e-7 && x < 5e4)) continue;
    LogHistogram two;
    two.add(x * 0.5);
    two.add(x);
    CHECK(two.percentile(1.0) == Approx(x).epsilon(kLogHistogramError));
  }
}

TEST_CASE("values of zero (no wait at all) are counted apart and read back as exactly zero", "[util]") {
  LogHistogram h;
  for (int i = 0; i < 60; ++i) h.add(0.0);
  for (int i = 0; i < 40; ++i) h.add(2.0);
  CHECK(h.count() == 100);
  CHECK(h.percentile(0.5) == 0.0);   // rank 50 of 60 zeros
  CHECK(h.percentile(0.6) == 0.0);   // rank 60: the last zero
  CHECK(h.percentile(0.61) == Approx(2.0).epsilon(kLogHistogramError));
  CHECK(h.min() == 0.0);
  CHECK(h.mean() == Approx(0.8));
}
