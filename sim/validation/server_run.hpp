#pragma once
// A request stream served by a real server (its requests.csv: arrival, first token, finish per
// request) beside a serving scenario that describes that server and replays the same trace.
#include <string>
#include <vector>

namespace dssim {

struct ServerFigure {
  std::string name;  // "TTFT mean", "E2E p90", ..., "power mean" (W)
  double measured_s = 0, predicted_s = 0;  // seconds, or watts for the power figure
  double rel_error() const { return predicted_s / measured_s - 1; }
};

// `requests_csv`: run,id,arrival_s,...,first_token_s,finish_s; `scenario`: the server as a scenario.
// `smi_trace` (optional): nvidia-smi samples every 250 ms around the run (timestamp, power.draw,
// utilization.gpu, ...): the run is the first sample at 50 % utilization or more and the samples that
// follow it for the run's span (first arrival to last finish); its mean draw is the "power mean" figure.
std::vector<ServerFigure> compare_server_run(const std::string& requests_csv, const std::string& scenario,
                                             const std::string& smi_trace = "");

}  // namespace dssim
