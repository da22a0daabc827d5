#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace dssim {

// Parses a subcommand's options; a bad option becomes a dssim::Error that points at --help.
boost::program_options::variables_map parse_options(const std::vector<std::string>& args,
                                                    const boost::program_options::options_description& desc,
                                                    const boost::program_options::positional_options_description* pos = nullptr);

// This dssim binary, for subcommands that run dssim again (sweep points, study rows).
std::string self_exe();

}  // namespace dssim
