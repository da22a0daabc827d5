// `dssim bench SCENARIO...`: how fast a request stream replays, and (with --reference) whether the
// coalesced engine gives the per-iteration engine's answers. Each run is a forked child (one SimGrid
// engine per process), so its wall time and peak memory are its own.
#include <sys/resource.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "config/catalog.hpp"
#include "run/resolve.hpp"
#include "run/run.hpp"
#include "run/request_stream.hpp"
#include "scenario/scenario.hpp"
#include "util/child.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;

namespace dssim {

namespace {

// Every figure a replay produces that a report is made of, in a fixed order, and what each one is.
void figures(const ServingRun& run, std::ostringstream& values, std::ostringstream& names) {
  auto put = [&](double v, const std::string& name) {
    values << fmt("%.17g ", v);
    names << name << '\x1d';
  };
  for (std::size_t i = 0; i < run.seqs.size(); ++i) {
    const SeqState& s = run.seqs[i];
    put(s.start_s, fmt("request %zu start", i));
    put(s.first_token_s, fmt("request %zu first token", i));
    put(s.finish_s, fmt("request %zu finish", i));
    put(s.preemptions, fmt("request %zu preemptions", i));
  }
  put(static_cast<double>(run.iteration_count), "iterations");
  put(run.busy_s, "GPU busy time");
  put(run.gpu_busy_s, "GPU-seconds busy");
  put(run.model_flops, "model FLOPs");
  put(run.model_bytes, "model bytes");
  put(run.sequences_sum, "batch size sum");
  put(static_cast<double>(run.preemptions), "preemptions");
  put(run.end_s, "end of run");
  put(run.in_system_integral, "requests-in-system integral");
  // ITL: its gaps and their mean (percentiles are bin centres: an ulp could move one to the next bin)
  put(static_cast<double>(run.itl.count()), "inter-token gaps");
  put(run.itl.mean(), "inter-token latency mean");
  for (const GpuEnergy& e : run.energy) {
    put(e.energy_j, fmt("replica %d energy", e.replica));
    put(e.busy_energy_j, fmt("replica %d busy energy", e.replica));
    put(e.busy_s, fmt("replica %d busy time (power model)", e.replica));
    put(e.throttled_s, fmt("replica %d throttled time", e.replica));
    put(e.max_temp_c, fmt("replica %d peak temperature", e.replica));
  }
}

ChildAnswer replay(const std::string& path, const std::vector<std::string>& sets, bool coalesce, bool event_queue,
                   bool compare, PercentileMode percentiles) {
  const auto t0 = std::chrono::steady_clock::now();  // reading the trace counts: a user waits for it too
  const Scenario s = load_scenario(path, sets);
  if (!s.serving_run())
    throw Error(path + ": dssim bench replays request streams; this scenario's [workload] kind is not poisson, gamma or trace");
  RunOptions opt;
  opt.coalesce = coalesce;
  opt.event_queue = event_queue;
  opt.percentiles = percentiles;
  opt.keep_requests = compare;  // the per-request figures are compared
  const RunInputs in = resolve_scenario(s, Catalog::from_environment(), opt);
  const RunResult r = run(in);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.stream || !r.fits) throw Error(path + ": the model does not fit; nothing to replay", ExitCode::does_not_fit);
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const ServingRun& run = r.stream->run;
  ChildAnswer a{{"wall_s", fmt("%.6f", wall)},
                {"peak_kib", std::to_string(u.ru_maxrss)},
                {"requests", std::to_string(run.book.requests())},
                {"slots", std::to_string(run.seq_slots)},
                {"iterations", std::to_string(run.iteration_count)},
                {"activities", std::to_string(run.activities)},
                {"waits_on", run.event_queue ? "event queue" : "SimGrid"}};
  if (compare) {
    std::ostringstream values, names;
    figures(run, values, names);
    a["values"] = values.str();
    a["names"] = names.str();
  }
  return a;
}

ChildAnswer checked(const ChildAnswer& a) {
  auto e = a.find("error");
  if (e != a.end()) {
    auto c = a.find("exit_code");
    throw Error(e->second, c == a.end() ? ExitCode::internal : static_cast<ExitCode>(std::atoi(c->second.c_str())));
  }
  return a;
}

std::vector<double> numbers(const std::string& s) {
  std::vector<double> v;
  std::istringstream in(s);
  std::string w;
  while (in >> w) v.push_back(std::strtod(w.c_str(), nullptr));
  return v;
}

std::string nth_name(const std::string& names, std::size_t n) {
  std::size_t p = 0;
  for (std::size_t i = 0; i < n && p != std::string::npos; ++i) {
    p = names.find('\x1d', p);
    if (p != std::string::npos) ++p;
  }
  if (p == std::string::npos) return "?";
  return names.substr(p, names.find('\x1d', p) - p);
}

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  std::vector<std::string> paths, sets;
  bool reference = false;
  double tolerance = 1e-9;
  std::string percentiles = "exact";
  po::options_description desc("bench options");
  desc.add_options()("scenario", po::value(&paths)->composing(), "serving scenario files")(
      "set", po::value(&sets)->composing(), "section.key=value, applied to every scenario")(
      "reference", po::bool_switch(&reference), "also replay with one activity per iteration and compare")(
      "tolerance", po::value(&tolerance), "largest relative difference --reference accepts (default 1e-9)")(
      "percentiles", po::value(&percentiles), "exact (default) or sketch: what the replays keep of each request");
  po::positional_options_description pos;
  pos.add("scenario", -1);
  parse_options(args, desc, &pos, "bench");
  if (paths.empty()) throw Error("dssim bench needs at least one serving scenario (dssim bench --help)");
  if (!(tolerance >= 0)) throw Error("--tolerance must be a number >= 0");
  const PercentileMode mode = parse_percentile_mode(percentiles, "--percentiles");
  bool all_equal = true;
  for (const std::string& path : paths) {
    const ChildAnswer fast = checked(run_in_child([&] { return replay(path, sets, true, true, reference, mode); }));
    // The reference: one activity per iteration on SimGrid; and when the coalesced replay ran on the
    // event queue, the same coalesced replay on SimGrid (the two backends must agree).
    std::vector<std::pair<std::string, ChildAnswer>> others;
    if (reference && fast.at("waits_on") != "SimGrid")
      others.emplace_back("coalesced", checked(run_in_child([&] { return replay(path, sets, true, false, true, mode); })));
    if (reference) others.emplace_back("per-iteration", checked(run_in_child([&] { return replay(path, sets, false, false, true, mode); })));
    std::cout << "== " << path << " (" << fast.at("requests") << " requests)\n";
    std::cout << fmt("  %-14s %-12s %9s %11s %12s %12s %9s\n", "engine", "waits on", "wall", "peak RSS", "iterations",
                     "activities", "in system");
    auto row = [](const std::string& name, const ChildAnswer& a) {
      std::cout << fmt("  %-14s %-12s %7.3f s %7.1f MiB %12s %12s %9s\n", name.c_str(), a.at("waits_on").c_str(),
                       std::atof(a.at("wall_s").c_str()), std::atof(a.at("peak_kib").c_str()) / 1024.0,
                       a.at("iterations").c_str(), a.at("activities").c_str(), a.at("slots").c_str());
    };
    row("coalesced", fast);
    for (const auto& [name, other] : others) row(name, other);
    if (!reference) continue;
    const ChildAnswer& slow = others.back().second;
    const std::vector<double> a = numbers(fast.at("values"));
    for (const auto& [name, other] : others) {
      const std::vector<double> b = numbers(other.at("values"));
      if (a.size() != b.size()) throw Error(path + ": the engines produced different sets of figures", ExitCode::internal);
      double worst = 0;
      std::size_t where = 0;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i]) continue;
        // Relative to the larger; timestamps within a picosecond of zero count as equal.
        const double d = std::abs(a[i] - b[i]) / std::max({std::abs(a[i]), std::abs(b[i]), 1e-12});
        if (!(d <= worst)) {
          worst = d;
          where = i;
        }
      }
      std::cout << fmt("  against %s on %s: %zu figures compared, largest relative difference %.2g%s\n", name.c_str(),
                       other.at("waits_on").c_str(), a.size(), worst,
                       worst > 0 ? (" (" + nth_name(fast.at("names"), where) + ")").c_str() : "");
      if (!(worst <= tolerance)) {
        all_equal = false;
        std::cout << fmt("  DIFFERENT: above the tolerance %.2g\n", tolerance);
      }
    }
    const double ratio = std::atof(slow.at("wall_s").c_str()) / std::max(1e-9, std::atof(fast.at("wall_s").c_str()));
    std::cout << fmt("  %.1fx faster than per-iteration\n", ratio);
  }
  std::cout.flush();
  if (!all_equal)
    throw Error("the coalesced engine differs from the per-iteration engine beyond the tolerance (see above)", ExitCode::internal);
  return 0;
}

}  // namespace dssim
