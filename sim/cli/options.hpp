#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace dssim {

// Parses subcommand `command`'s options. --help prints its usage and options (then HelpShown is thrown);
// a bad option becomes a dssim::Error naming the closest valid one.
boost::program_options::variables_map parse_options(const std::vector<std::string>& args,
                                                    const boost::program_options::options_description& desc,
                                                    const boost::program_options::positional_options_description* pos,
                                                    const std::string& command);

// This dssim binary, for subcommands that run dssim again (sweep points, study rows).
std::string self_exe();

}  // namespace dssim
