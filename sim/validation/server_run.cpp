#include "validation/server_run.hpp"

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

std::vector<ServerFigure> compare_server_run(const std::string& requests_csv, const std::string& scenario) {
  const CsvTable t = CsvTable::read(requests_csv);
  std::vector<double> ttft, e2e;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const double a = t.number(i, "arrival_s"), f = t.number(i, "first_token_s"), d = t.number(i, "finish_s");
    if (!(f >= a && d >= f)) throw Error(fmt("%s: row %zu: expected arrival <= first token <= finish", requests_csv.c_str(), i + 1));
    ttft.push_back(f - a);
    e2e.push_back(d - a);
  }
  const Distribution mt = distribution(ttft), me = distribution(e2e);
  const ChildAnswer a = run_in_child([&] {
    const Scenario s = load_scenario(scenario, {});
    const RunResult r = run(resolve_scenario(s, Catalog::from_environment()));
    if (!r.stream || !r.fits) return ChildAnswer{{"error", "the server scenario does not run a request stream that fits"}};
    const ServingSummary& x = r.stream->summary;
    return ChildAnswer{{"ttft_mean", fmt("%.17g", x.ttft_s.mean)}, {"ttft_p50", fmt("%.17g", x.ttft_s.p50)},
                       {"ttft_p90", fmt("%.17g", x.ttft_s.p90)}, {"e2e_mean", fmt("%.17g", x.e2e_s.mean)},
                       {"e2e_p50", fmt("%.17g", x.e2e_s.p50)}, {"e2e_p90", fmt("%.17g", x.e2e_s.p90)},
                       {"completed", fmt("%lld", x.completed)}};
  });
  if (a.count("error")) throw Error(scenario + ": " + a.at("error"), ExitCode::bad_input);
  if (std::stoll(a.at("completed")) != static_cast<long long>(t.rows()))
    throw Error(fmt("%s completed %s requests; %s has %zu", scenario.c_str(), a.at("completed").c_str(),
                    requests_csv.c_str(), t.rows()));
  auto v = [&](const char* k) { return std::stod(a.at(k)); };
  return {{"TTFT mean", mt.mean, v("ttft_mean")}, {"TTFT p50", mt.p50, v("ttft_p50")}, {"TTFT p90", mt.p90, v("ttft_p90")},
          {"E2E mean", me.mean, v("e2e_mean")},   {"E2E p50", me.p50, v("e2e_p50")},   {"E2E p90", me.p90, v("e2e_p90")}};
}

}  // namespace dssim
