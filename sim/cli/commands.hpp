#pragma once
#include <string>
#include <vector>

#include "predict/prediction.hpp"
#include "report/report.hpp"

namespace dssim {

// Each returns the process exit code; errors are thrown as dssim::Error.
int cmd_run(const std::vector<std::string>& args);
int cmd_predict(const std::vector<std::string>& args);
int cmd_list(const std::vector<std::string>& args);
int cmd_calibrate(const std::vector<std::string>& args);
int cmd_shapes(const std::vector<std::string>& args);
void print_usage();

struct Scenario;
struct PredictInput;
class Catalog;
// The resolved cards and batch shape of a scenario (ids looked up in the catalog).
PredictInput scenario_input(const Scenario& s, const Catalog& cat);
int cmd_roi(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_study(const std::vector<std::string>& args);
int cmd_comm(const std::vector<std::string>& args);
struct ServingSummary;
struct ServingConfig;
// Output tokens per second while the GPUs are busy, as the ROI counts them: with an SLO only the
// requests that met it (goodput); `source` says which. Shared by `dssim SCENARIO` and `dssim roi`.
double roi_serving_throughput(const ServingSummary& sum, const ServingConfig& serving, std::string* source);
int run_burn_scenario(const Scenario& s, const PredictInput& base, const Catalog& cat, Format f,
                      const std::string& thermal_csv);

}  // namespace dssim
