#include "cli/options.hpp"

#include <filesystem>
#include <iostream>

#include "cli/command_table.hpp"
#include "util/strings.hpp"

#include "util/error.hpp"

namespace po = boost::program_options;

namespace dssim {

po::variables_map parse_options(const std::vector<std::string>& args, const po::options_description& desc,
                                const po::positional_options_description* pos, const std::string& command) {
  const std::string help = command.empty() ? "dssim --help" : "dssim " + command + " --help";
  if (wants_help(args)) {
    std::cout << "Usage:\n  dssim " << command_info(command).usage << "\n\n" << desc << "\n";
    throw HelpShown{};
  }
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (pos) parser.positional(*pos);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    std::vector<std::string> names;
    for (const auto& o : desc.options())
      if (!o->long_name().empty()) names.push_back("--" + o->long_name());
    const std::string near = closest(e.get_option_name(), names);
    throw Error(fmt("unrecognised option '%s'%s (see %s)", e.get_option_name().c_str(),
                    near.empty() ? "" : fmt("; did you mean '%s'?", near.c_str()).c_str(), help.c_str()));
  } catch (const po::error& e) {
    throw Error(std::string(e.what()) + " (see " + help + ")");
  }
  return vm;
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("dssim: cannot find its own executable (/proc/self/exe)", ExitCode::internal);
  return p.string();
}

}  // namespace dssim
