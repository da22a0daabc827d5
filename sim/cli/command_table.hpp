#pragma once
// Every subcommand's name and usage, in one table: `dssim --help` prints it, `dssim CMD --help` prints
// its line with the command's options, and an unknown command is matched against it ("did you mean").
#include <string>
#include <vector>

namespace dssim {

struct CommandInfo {
  std::string name;   // "" for the scenario run (dssim SCENARIO.toml)
  std::string usage;  // after "dssim "
};

const std::vector<CommandInfo>& command_table();
const CommandInfo& command_info(const std::string& name);
std::vector<std::string> command_names();

// Thrown after `CMD --help` printed its usage: main returns 0.
struct HelpShown {};

// True when `args` asks for help (--help or -h anywhere).
bool wants_help(const std::vector<std::string>& args);

}  // namespace dssim
