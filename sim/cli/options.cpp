#include "cli/options.hpp"

#include <filesystem>

#include "util/error.hpp"

namespace po = boost::program_options;

namespace dssim {

po::variables_map parse_options(const std::vector<std::string>& args, const po::options_description& desc,
                                const po::positional_options_description* pos) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (pos) parser.positional(*pos);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(std::string(e.what()) + " (see dssim --help)");
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
