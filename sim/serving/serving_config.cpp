#include "serving/serving_config.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::vector<std::string> policy_names() { return {"static", "adaptive", "continuous", "chunked"}; }
std::vector<std::string> router_names() { return {"round_robin", "least_outstanding"}; }

namespace {
[[noreturn]] void unknown(const std::string& what, const std::string& name, const std::string& where,
                          const std::vector<std::string>& known) {
  std::string hint = closest(name, known);
  throw Error(fmt("%s: unknown %s '%s'; expected one of %s%s", where.c_str(), what.c_str(), name.c_str(),
                  join(known, ", ").c_str(), hint.empty() ? "" : fmt(" (did you mean '%s'?)", hint.c_str()).c_str()));
}
}  // namespace

Policy parse_policy(const std::string& name, const std::string& where) {
  if (name == "static") return Policy::static_batch;
  if (name == "adaptive") return Policy::adaptive;
  if (name == "continuous") return Policy::continuous;
  if (name == "chunked") return Policy::chunked;
  unknown("policy", name, where, policy_names());
}

std::string to_string(Policy p) { return policy_names()[static_cast<std::size_t>(p)]; }

Router parse_router(const std::string& name, const std::string& where) {
  if (name == "round_robin") return Router::round_robin;
  if (name == "least_outstanding") return Router::least_outstanding;
  unknown("router", name, where, router_names());
}

std::string to_string(Router r) { return router_names()[static_cast<std::size_t>(r)]; }

int adaptive_batch_size(int queue_length, const ServingConfig& c) {
  int b;
  if (queue_length > c.adaptive_high)
    b = std::min(queue_length, c.max_batch);
  else if (queue_length > c.adaptive_mid)
    b = queue_length / 2 + c.adaptive_mid;
  else
    b = c.adaptive_low;
  return std::max(0, std::min({b, queue_length, c.max_batch}));
}

}  // namespace dssim
