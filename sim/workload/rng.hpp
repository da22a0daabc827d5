#pragma once
// A small deterministic random generator: xoshiro256** seeded through splitmix64, with its own
// uniform/normal/exponential/gamma transforms, so a seed gives the same workload on every platform
// and standard library (std::*_distribution implementations differ between libraries).
#include <cstdint>

namespace dssim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();                     // raw 64-bit xoshiro256** output
  double uniform();                         // in (0, 1): never 0, never 1
  double normal();                          // N(0, 1), Box-Muller (second value cached)
  double exponential(double rate);          // mean 1/rate; rate > 0
  double gamma(double shape, double scale); // mean shape*scale; Marsaglia-Tsang; shape, scale > 0

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace dssim
