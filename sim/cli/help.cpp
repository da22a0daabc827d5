// `dssim help keys [--markdown]` and `dssim help policies`: what a scenario may say, from the keys'
// and policies' own declarations (config/keys, serving/batch_policy), so the listing cannot drift.
#include <iostream>

#include "cli/commands.hpp"
#include "config/keys.hpp"
#include "serving/batch_policy.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

int cmd_help(const std::vector<std::string>& args) {
  if (args.empty()) {
    print_usage();
    return 0;
  }
  if (args[0] == "keys" && (args.size() == 1 || (args.size() == 2 && args[1] == "--markdown"))) {
    std::cout << keys_reference(args.size() == 2);
    return 0;
  }
  if (args[0] == "policies" && args.size() == 1) {
    for (const auto& name : policy_names()) {
      const auto p = make_policy(name, "dssim help policies");
      std::cout << fmt("%-12s %s\n", name.c_str(), p->description().c_str());
    }
    return 0;
  }
  throw Error("usage: dssim help [keys [--markdown] | policies]");
}

}  // namespace dssim
