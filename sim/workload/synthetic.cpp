#include "workload/synthetic.hpp"

#include <cmath>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<Request> synthesize(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output) {
  if (!(a.rate_per_s > 0) || !std::isfinite(a.rate_per_s))
    throw Error(fmt("arrivals: rate_per_s must be > 0, got %g", a.rate_per_s));
  if (a.kind == ArrivalSpec::Kind::gamma && (!(a.cv > 0) || !std::isfinite(a.cv)))
    throw Error(fmt("arrivals: cv must be > 0, got %g", a.cv));
  if (a.requests < 1) throw Error(fmt("arrivals: requests must be >= 1, got %lld", a.requests));
  // Check the length distributions once up front (sample_length checks too, but fail before any work).
  mean_length(prompt);
  mean_length(output);

  const double shape = 1.0 / (a.cv * a.cv);
  const double scale = 1.0 / (a.rate_per_s * shape);
  Rng rng(a.seed);
  std::vector<Request> out;
  out.reserve(static_cast<std::size_t>(a.requests));
  double t = 0;
  for (long long i = 0; i < a.requests; ++i) {
    t += a.kind == ArrivalSpec::Kind::poisson ? rng.exponential(a.rate_per_s) : rng.gamma(shape, scale);
    Request r;
    r.id = i;
    r.arrival_s = t;
    r.prompt_tokens = sample_length(prompt, rng);
    r.output_tokens = sample_length(output, rng);
    out.push_back(r);
  }
  return out;
}

}  // namespace dssim
