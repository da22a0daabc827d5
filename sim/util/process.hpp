#pragma once
// Child processes without a shell: a program and its arguments as a list, so that no path or name a
// user gives is ever parsed by /bin/sh (quotes, $(), ; and newlines are plain bytes in an argument).
#include <optional>
#include <string>
#include <vector>

namespace dssim {

struct ProcessOptions {
  std::string cwd;          // "" : this process's working directory
  std::string stdout_path;  // "" : /dev/null
  std::string stderr_path;  // "" : /dev/null
};

// Runs argv[0] (a path, or a name looked up on $PATH) with argv; waits; returns its exit code, or
// 128 + the signal that ended it, or -1 when it could not be started.
int run_program(const std::vector<std::string>& argv, const ProcessOptions& opt = {});

// The full path of an executable `name` on $PATH, as `command -v` would find it.
std::optional<std::string> find_program(const std::string& name);

// One word for a POSIX shell script dssim writes for someone else to run (a Slurm batch file):
// single-quoted, with every ' written as '\''. Never used to run anything from dssim itself.
std::string shell_quote(const std::string& word);

}  // namespace dssim
