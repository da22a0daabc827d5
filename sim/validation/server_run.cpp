#include "validation/server_run.hpp"

#include <algorithm>
#include <cmath>

#include "config/catalog.hpp"
#include "run/resolve.hpp"
#include "run/run.hpp"
#include "scenario/scenario.hpp"
#include "serving/serving_metrics.hpp"
#include "util/child.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

// The mean draw over the run's window of an nvidia-smi trace sampled every `period` seconds.
double measured_mean_power(const std::string& path, double span_s) {
  const CsvTable t = CsvTable::read(path);
  constexpr double kPeriod = 0.25, kBusy = 50;
  std::size_t first = t.rows();
  for (std::size_t i = 0; i < t.rows() && first == t.rows(); ++i)
    if (t.number(i, "utilization.gpu") >= kBusy) first = i;
  const std::size_t n = static_cast<std::size_t>(std::llround(span_s / kPeriod)) + 1;
  if (first == t.rows() || first + n > t.rows())
    throw Error(fmt("%s: no run of %.1f s found (%zu samples from the first at %.0f %% utilization or more)", path.c_str(),
                    span_s, n, kBusy));
  double sum = 0;
  for (std::size_t i = first; i < first + n; ++i) sum += t.number(i, "power.draw");
  return sum / static_cast<double>(n);
}

}  // namespace

std::vector<ServerFigure> compare_server_run(const std::string& requests_csv, const std::string& scenario,
                                             const std::string& smi_trace) {
  const CsvTable t = CsvTable::read(requests_csv);
  std::vector<double> ttft, e2e;
  double first_arrival = 1e300, last_finish = 0;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const double a = t.number(i, "arrival_s"), f = t.number(i, "first_token_s"), d = t.number(i, "finish_s");
    if (!(f >= a && d >= f)) throw Error(fmt("%s: row %zu: expected arrival <= first token <= finish", requests_csv.c_str(), i + 1));
    ttft.push_back(f - a);
    e2e.push_back(d - a);
    first_arrival = std::min(first_arrival, a);
    last_finish = std::max(last_finish, d);
  }
  const Distribution mt = distribution(ttft), me = distribution(e2e);
  const ChildAnswer a = run_in_child([&] {
    const Scenario s = load_scenario(scenario, {});
    const RunResult r = run(resolve_scenario(s, Catalog::from_environment()));
    if (!r.stream || !r.fits) return ChildAnswer{{"error", "the server scenario does not run a request stream that fits"}};
    const ServingSummary& x = r.stream->summary;
    return ChildAnswer{{"ttft_mean", answer_number(x.ttft_s.mean)}, {"ttft_p50", answer_number(x.ttft_s.p50)},
                       {"ttft_p90", answer_number(x.ttft_s.p90)}, {"e2e_mean", answer_number(x.e2e_s.mean)},
                       {"e2e_p50", answer_number(x.e2e_s.p50)}, {"e2e_p90", answer_number(x.e2e_s.p90)},
                       {"completed", fmt("%lld", x.completed)}, {"power_mean", answer_number(x.mean_power_w)}};
  });
  if (a.count("error")) throw Error(scenario + ": " + a.at("error"), ExitCode::bad_input);
  if (std::stoll(a.at("completed")) != static_cast<long long>(t.rows()))
    throw Error(fmt("%s completed %s requests; %s has %zu", scenario.c_str(), a.at("completed").c_str(),
                    requests_csv.c_str(), t.rows()));
  auto v = [&](const char* k) { return std::stod(a.at(k)); };
  std::vector<ServerFigure> out{{"TTFT mean", mt.mean, v("ttft_mean")}, {"TTFT p50", mt.p50, v("ttft_p50")},
                                {"TTFT p90", mt.p90, v("ttft_p90")},   {"E2E mean", me.mean, v("e2e_mean")},
                                {"E2E p50", me.p50, v("e2e_p50")},     {"E2E p90", me.p90, v("e2e_p90")}};
  if (!smi_trace.empty())
    out.push_back({"power mean", measured_mean_power(smi_trace, last_finish - first_arrival), v("power_mean")});
  return out;
}

}  // namespace dssim
