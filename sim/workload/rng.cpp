#include "workload/rng.hpp"

#include <cmath>
#include <numbers>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);  // never all zero: splitmix64 is a bijection of distinct inputs
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  // 52 random bits k, then (k + 0.5) / 2^52: exactly representable, in [2^-53, 1 - 2^-53].
  const std::uint64_t k = next() >> 12;
  return (static_cast<double>(k) + 0.5) * 0x1.0p-52;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

double Rng::exponential(double rate) {
  if (!(rate > 0) || !std::isfinite(rate)) throw Error(fmt("exponential: rate must be > 0, got %g", rate));
  return -std::log(uniform()) / rate;
}

double Rng::gamma(double shape, double scale) {
  if (!(shape > 0) || !std::isfinite(shape)) throw Error(fmt("gamma: shape must be > 0, got %g", shape));
  if (!(scale > 0) || !std::isfinite(scale)) throw Error(fmt("gamma: scale must be > 0, got %g", scale));
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia-Tsang's boost for a < 1).
    const double g = gamma(shape + 1.0, 1.0);
    return scale * g * std::pow(uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x = 0, v = 0;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return scale * d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return scale * d * v;
  }
}

}  // namespace dssim
