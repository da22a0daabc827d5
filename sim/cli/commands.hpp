#pragma once
#include <string>
#include <vector>

namespace dssim {

// Each returns the process exit code; errors are thrown as dssim::Error.
int cmd_run(const std::vector<std::string>& args);
int cmd_predict(const std::vector<std::string>& args);
int cmd_list(const std::vector<std::string>& args);
int cmd_calibrate(const std::vector<std::string>& args);
int cmd_shapes(const std::vector<std::string>& args);
void print_usage();

}  // namespace dssim
