#include "workload/lengths.hpp"

#include <algorithm>
#include <cmath>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
void check(const LengthDist& d) {
  switch (d.kind) {
    case LengthDist::Kind::fixed:
      if (d.value < 1) throw Error(fmt("fixed length: value must be >= 1, got %lld", d.value));
      break;
    case LengthDist::Kind::uniform:
      if (d.min < 1 || d.min > d.max)
        throw Error(fmt("uniform length: expected 1 <= min <= max, got min %lld, max %lld", d.min, d.max));
      break;
    case LengthDist::Kind::lognormal:
      if (!(d.median > 0) || !std::isfinite(d.median))
        throw Error(fmt("lognormal length: median must be > 0, got %g", d.median));
      if (!(d.sigma >= 0) || !std::isfinite(d.sigma))
        throw Error(fmt("lognormal length: sigma must be >= 0, got %g", d.sigma));
      if (d.max > 0 && (d.min < 1 || d.min > d.max))
        throw Error(fmt("lognormal length: clamp expects 1 <= min <= max, got min %lld, max %lld", d.min, d.max));
      break;
    case LengthDist::Kind::empirical:
      if (d.samples.empty()) throw Error("empirical length: no samples");
      for (long long s : d.samples)
        if (s < 1) throw Error(fmt("empirical length: samples must be >= 1, got %lld", s));
      break;
  }
}
}  // namespace

long long sample_length(const LengthDist& d, Rng& rng) {
  check(d);
  switch (d.kind) {
    case LengthDist::Kind::fixed:
      return d.value;
    case LengthDist::Kind::uniform: {
      const double span = static_cast<double>(d.max - d.min) + 1.0;
      const auto k = static_cast<long long>(rng.uniform() * span);
      return std::min(d.max, d.min + k);
    }
    case LengthDist::Kind::lognormal: {
      const double x = std::exp(std::log(d.median) + d.sigma * rng.normal());
      // Cap before converting so a huge draw cannot overflow long long.
      long long v = x >= 9.0e18 ? 9'000'000'000'000'000'000LL : std::llround(x);
      v = std::max(1LL, v);
      if (d.max > 0) v = std::clamp(v, d.min, d.max);
      return v;
    }
    case LengthDist::Kind::empirical: {
      const auto n = d.samples.size();
      const auto i = static_cast<std::size_t>(rng.uniform() * static_cast<double>(n));
      return d.samples[std::min(i, n - 1)];
    }
  }
  return 1;
}

double mean_length(const LengthDist& d) {
  check(d);
  switch (d.kind) {
    case LengthDist::Kind::fixed:
      return static_cast<double>(d.value);
    case LengthDist::Kind::uniform:
      return 0.5 * (static_cast<double>(d.min) + static_cast<double>(d.max));
    case LengthDist::Kind::lognormal:
      return d.median * std::exp(0.5 * d.sigma * d.sigma);
    case LengthDist::Kind::empirical: {
      double sum = 0;
      for (long long s : d.samples) sum += static_cast<double>(s);
      return sum / static_cast<double>(d.samples.size());
    }
  }
  return 0;
}

}  // namespace dssim
