#include "workload/synthetic.hpp"
#include "workload/request_source.hpp"

#include <cmath>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

void check_arrivals(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output) {
  if (!(a.rate_per_s > 0) || !std::isfinite(a.rate_per_s))
    throw Error(fmt("arrivals: rate_per_s must be > 0, got %g", a.rate_per_s));
  if (a.kind == ArrivalSpec::Kind::gamma && (!(a.cv > 0) || !std::isfinite(a.cv)))
    throw Error(fmt("arrivals: cv must be > 0, got %g", a.cv));
  if (a.requests < 1) throw Error(fmt("arrivals: requests must be >= 1, got %lld", a.requests));
  // Check the length distributions once up front (sample_length checks too, but fail before any work).
  mean_length(prompt);
  mean_length(output);
}

std::vector<Request> synthesize(const ArrivalSpec& a, const LengthDist& prompt, const LengthDist& output) {
  const auto source = synthetic_source(a, prompt, output);
  std::vector<Request> out;
  out.reserve(static_cast<std::size_t>(a.requests));
  const auto cursor = source->open();
  for (Request r; cursor->next(r);) out.push_back(r);
  return out;
}

}  // namespace dssim
