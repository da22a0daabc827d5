// `dssim validate [FILE] [--classes-only]`: dssim's predictions beside the real runs the repository holds.
#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "validation/validate.hpp"

namespace po = boost::program_options;

namespace dssim {

int cmd_validate(const std::vector<std::string>& args) {
  ValidateOptions opt;
  bool classes_only = false;
  po::options_description desc("validate options");
  desc.add_options()("file", po::value(&opt.file), "validation sets and bounds (default validation/validate.toml)")(
      "classes-only", po::bool_switch(&classes_only), "print the class tables, not every row")(
      "write-bands", po::bool_switch(&opt.write_bands), "write the prediction bands file ([bands] out) from these residuals");
  po::positional_options_description pos;
  pos.add("file", 1);
  parse_options(args, desc, &pos, "validate");
  opt.rows = !classes_only;
  return validate(opt);
}

}  // namespace dssim
