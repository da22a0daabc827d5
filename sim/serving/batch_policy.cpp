#include "serving/batch_policy.hpp"

#include <map>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
std::map<std::string, PolicyFactory>& policy_registry() {
  static std::map<std::string, PolicyFactory> r;
  return r;
}
}  // namespace

std::string BatchPolicy::fit_hint(long long fitting_tokens, long long, int, double) const {
  return fmt("iterations of at most %lld tokens", fitting_tokens);
}

bool register_policy(const std::string& name, PolicyFactory make) {
  policy_registry()[name] = make;
  return true;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> v;
  for (const auto& [name, make] : policy_registry()) v.push_back(name);
  return v;
}

std::unique_ptr<BatchPolicy> make_policy(const std::string& name, const std::string& where) {
  auto it = policy_registry().find(name);
  if (it != policy_registry().end()) return it->second();
  throw Error(unknown_name("policy", name, where, policy_names()));
}

}  // namespace dssim
