#pragma once
// The subcommands: each parses its arguments, calls the library (run/, calibration/, ...) and hands
// the result to a reporter. Each returns the process exit code; errors are thrown as dssim::Error.
#include <string>
#include <vector>

namespace dssim {

int cmd_run(const std::vector<std::string>& args);
int cmd_predict(const std::vector<std::string>& args);
int cmd_list(const std::vector<std::string>& args);
int cmd_calibrate(const std::vector<std::string>& args);
int cmd_shapes(const std::vector<std::string>& args);
int cmd_roi(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_study(const std::vector<std::string>& args);
int cmd_comm(const std::vector<std::string>& args);
int cmd_help(const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);
int cmd_recommend(const std::vector<std::string>& args);
int cmd_import_model(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);
void print_usage();

}  // namespace dssim
