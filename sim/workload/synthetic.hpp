#pragma once
// Synthetic workloads: a renewal arrival process (Poisson or gamma inter-arrival times) with
// prompt/output lengths drawn from LengthDist, all from one seeded Rng.
#include <cstdint>
#include <vector>

#include "workload/lengths.hpp"
#include "workload/request.hpp"

namespace dssim {

struct ArrivalSpec {
  enum class Kind { poisson, gamma } kind = Kind::poisson;
  double rate_per_s = 1;   // mean arrival rate
  double cv = 1;           // gamma: coefficient of variation of inter-arrival times (cv = 1 is Poisson); shape = 1/cv^2, scale = 1/(rate*shape)
  long long requests = 1;
  std::uint64_t seed = 1;
};

// The first request arrives after one inter-arrival time from t = 0; ids 0..n-1; lengths drawn after
// the arrival of each request, prompt then output, from the same Rng. Throws Error (bad_input) for
// rate <= 0, cv <= 0 (gamma), requests < 1 or an invalid length distribution.
// The checks synthesize() makes before drawing anything.
void check_arrivals(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output);
std::vector<Request> synthesize(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output);

}  // namespace dssim
