// `dssim help keys [--markdown]`, `dssim help policies` and `dssim help engines`: what a scenario may
// say, from the keys', policies' and engine flags' own declarations (config/keys, serving/batch_policy,
// scenario/engine_command), so the listing cannot drift.
#include <iostream>

#include "cli/commands.hpp"
#include "config/keys.hpp"
#include "scenario/engine_command.hpp"
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
  if (args[0] == "engines" && args.size() == 1) {
    for (const char* kind : {"vllm", "sglang"}) {
      std::cout << kind << " ([engine] kind = \"" << kind << "\"): the flags dssim reads from its launch command\n";
      for (const auto& f : engine_flags(kind)) std::cout << "  " << f << "\n";
    }
    return 0;
  }
  throw Error("usage: dssim help [keys [--markdown] | policies | engines]");
}

}  // namespace dssim
