#include "hw/engine.hpp"

#include <xbt/log.h>

#include "util/error.hpp"

namespace dssim {

std::unique_ptr<simgrid::s4u::Engine> create_engine() {
  static bool created = false;
  if (created) throw Error("internal: one SimGrid simulation per process", ExitCode::internal);
  created = true;
  xbt_log_control_set("root.thresh:warning");
  static int argc = 1;
  static char name[] = "dssim";
  static char* argv[] = {name, nullptr};
  return std::make_unique<simgrid::s4u::Engine>(&argc, argv);
}

}  // namespace dssim
