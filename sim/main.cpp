// Parses the command line before SimGrid sees it and turns every failure into one line and an exit code.
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli/command_table.hpp"
#include "cli/commands.hpp"
#include "util/strings.hpp"
#include "util/error.hpp"
#include "util/output_file.hpp"

namespace {
int dispatch(const std::vector<std::string>& args) {
  const std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if ((cmd == "list" || cmd == "help") && dssim::wants_help(rest)) {
    std::cout << "Usage:\n  dssim " << dssim::command_info(cmd).usage << "\n";
    return 0;
  }
  if (cmd == "predict") return dssim::cmd_predict(rest);
  if (cmd == "list") return dssim::cmd_list(rest);
  if (cmd == "calibrate") return dssim::cmd_calibrate(rest);
  if (cmd == "shapes") return dssim::cmd_shapes(rest);
  if (cmd == "roi") return dssim::cmd_roi(rest);
  if (cmd == "sweep") return dssim::cmd_sweep(rest);
  if (cmd == "study") return dssim::cmd_study(rest);
  if (cmd == "comm") return dssim::cmd_comm(rest);
  if (cmd == "validate") return dssim::cmd_validate(rest);
  if (cmd == "recommend") return dssim::cmd_recommend(rest);
  if (cmd == "import-model") return dssim::cmd_import_model(rest);
  if (cmd == "bench") return dssim::cmd_bench(rest);
  // Not a command: a scenario file, unless it reads like a misspelt command (no path, no extension).
  if (cmd.find_first_of("./") == std::string::npos && !cmd.empty() && cmd[0] != '-' && !std::filesystem::exists(cmd)) {
    const std::string near = dssim::closest(cmd, dssim::command_names());
    throw dssim::Error(dssim::fmt("unknown command '%s'%s; a scenario is a .toml file; dssim --help lists the commands",
                                  cmd.c_str(), near.empty() ? "" : dssim::fmt(" (did you mean '%s'?)", near.c_str()).c_str()));
  }
  return dssim::cmd_run(args);
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() > 1 && args[0] == "help" && !dssim::wants_help({args.begin() + 1, args.end()})) return dssim::cmd_help({args.begin() + 1, args.end()});
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      dssim::print_usage();
      return args.empty() ? 1 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "dssim " << DSSIM_VERSION << "\n";
      return 0;
    }
    const int rc = dispatch(args);
    dssim::check_stdout();  // a report that could not be written is not a success
    return rc;
  } catch (const dssim::HelpShown&) {
    return 0;
  } catch (const dssim::Error& e) {
    std::cerr << "dssim: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    std::cerr << "dssim: out of memory: the run needs more memory than this machine gives it (fewer requests, "
                 "GPUs or nodes would need less)\n";
    return static_cast<int>(dssim::ExitCode::bad_input);
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "dssim: " << e.path1().string() << ": " << e.code().message() << "\n";
    return static_cast<int>(dssim::ExitCode::bad_input);
  } catch (const std::exception& e) {
    std::cerr << "dssim: internal error: " << e.what() << "\n";
    return static_cast<int>(dssim::ExitCode::internal);
  }
}
