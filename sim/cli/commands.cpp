#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/command_table.hpp"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "calibration/fitter.hpp"
#include "calibration/profile_writer.hpp"
#include "config/catalog.hpp"
#include "config/hf_config.hpp"
#include "config/toml_table.hpp"
#include "model/gemm_shapes.hpp"
#include "power/burn_sim.hpp"
#include "profile/gpu_profile.hpp"
#include "report/report.hpp"
#include "run/resolve.hpp"
#include "run/run.hpp"
#include "workload/trace_reader.hpp"
#include "scenario/scenario.hpp"
#include "serving/serving_metrics.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/output_file.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;

namespace dssim {

void print_usage() {
  std::cout << "dssim " << DSSIM_VERSION << ": which GPUs to buy or rent to serve DeepSeek models\n\n"
            << "Usage:\n";
  for (const auto& c : command_table()) std::cout << "  dssim " << c.usage << "\n";
  std::cout << "  dssim --help | --version   (dssim COMMAND --help: that command's options)\n\n"
            << "Precisions: fp32, bf16, fp16, fp8, int8, int4. Data (models/, platforms/, scenarios/) is read from\n"
            << "$DSSIM_DATA_DIR, else from " << DSSIM_DEFAULT_DATA_DIR << ".\n"
            << "Exit codes: 0 ok, 1 bad input, 2 the model does not fit (the report says what would).\n";
}

namespace {

// Says why a run that does not fit does not, on one stderr line, and returns its exit code.
int does_not_fit(const RunInputs& in, const RunResult& r) {
  const PredictInput& b = in.base;
  if (r.kind == RunKind::request_stream) {
    std::cerr << fmt("dssim: %s does not fit for serving on %s: %s\n", b.model.id.c_str(), b.gpu.id.c_str(),
                     join(r.stream->suggestions, "; ").c_str());
  } else {
    const Prediction& p = *r.fixed;
    const MemoryBreakdown& mem = p.memory;
    const std::string why = mem.fits() ? std::string("its offloaded part needs more host memory than the node has")
                                       : fmt("needs %s per GPU, %s has %s", human_bytes(mem.total()).c_str(),
                                             b.gpu.id.c_str(), human_bytes(mem.capacity).c_str());
    std::cerr << fmt("dssim: %s does not fit: %s%s\n", b.model.id.c_str(), why.c_str(),
                     p.suggestions.empty() ? "" : ("; would fit: " + join(p.suggestions, "; ")).c_str());
  }
  return static_cast<int>(ExitCode::does_not_fit);
}

// Prints warnings, the report, and the does-not-fit line: every command that shows one run.
int show(const RunInputs& in, const RunResult& r, Format f) {
  for (const auto& w : r.warnings) std::cerr << "dssim: warning: " << w << "\n";
  std::cout << render(in, r, f);
  return r.fits ? 0 : does_not_fit(in, r);
}

void write_thermal(const RunInputs& in, const RunResult& r, const std::string& path) {
  if (r.burn) {
    OutputFile out(path);
    out << kThermalCsvHeader;
    write_thermal_rows(out.stream(), r.burn->result.samples, 0);
    out.commit();
    return;
  }
  if (!r.stream->summary.has_power)
    throw Error(fmt("--thermal-csv: %s has no power model (no load traces in its profile or its donor's)",
                    in.base.gpu.id.c_str()));
  write_thermal_csv(r.stream->run, in.base.parallel.gpus(), path);
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  std::string path, format = "text", requests_csv, timeline, thermal_csv, percentiles;
  std::vector<std::string> sets;
  bool quiet = false, per_iteration = false;
  po::options_description desc("scenario options");
  desc.add_options()("scenario", po::value(&path)->required(), "scenario file")(
      "format", po::value(&format), "text, json or csv")("set", po::value(&sets)->composing(), "section.key=value")(
      "requests-csv", po::value(&requests_csv), "per-request CSV (serving runs)")(
      "timeline", po::value(&timeline), "Chrome trace-event JSON (serving runs)")(
      "quiet", po::bool_switch(&quiet), "no progress on stderr")(
      "percentiles", po::value(&percentiles),
      "serving runs: exact (default; every latency kept) or sketch (histograms within 0.46 %: memory that does not grow with the trace)")(
      "per-iteration", po::bool_switch(&per_iteration),
      "serving runs: one simulated activity per iteration (the slow reference the default engine is checked against)")(
      "thermal-csv", po::value(&thermal_csv), "burn runs: t_s,gpu,power_w,temp_c,sm_clock_mhz,throttle_reason");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  parse_options(args, desc, &pos, "");
  Format f = parse_format(format);
  Scenario s = load_scenario(path, sets);
  if (!thermal_csv.empty() && !s.serving_run() && !s.burn_run())
    throw Error("--thermal-csv needs a serving or burn workload ([workload] kind)");
  if ((!requests_csv.empty() || !timeline.empty()) && !s.serving_run())
    throw Error("--requests-csv and --timeline need a request stream: [workload] kind = poisson, gamma or trace");
  if (!percentiles.empty() && !s.serving_run())
    throw Error("--percentiles needs a request stream: [workload] kind = poisson, gamma or trace (a fixed batch has one latency of each kind)");
  // Output paths are checked before the run: a typo costs nothing.
  for (const auto& [p, option] : {std::pair{requests_csv, "--requests-csv"}, {timeline, "--timeline"}, {thermal_csv, "--thermal-csv"}})
    if (!p.empty()) check_writable(p, option);
  RunOptions opt;
  opt.record_iterations = !timeline.empty();
  opt.record_thermal = !thermal_csv.empty();
  opt.progress = !quiet;
  opt.coalesce = !per_iteration;
  opt.percentiles = parse_percentile_mode(percentiles.empty() ? "exact" : percentiles, "--percentiles");
  opt.keep_requests = !timeline.empty();
  opt.requests_csv = requests_csv;
  const RunInputs in = resolve_scenario(s, Catalog::from_environment(), opt);
  // Exact percentiles keep a RequestOutcome a request: say so before a run that would hold over 128 MB.
  constexpr long long kNoteAbove = 2000000;
  const double outcome_bytes = sizeof(RequestOutcome);
  if (!quiet && in.requests && opt.percentiles == PercentileMode::exact && in.requests->stats().count > kNoteAbove)
    std::fprintf(stderr, "dssim: %lld requests: exact percentiles keep %.0f bytes each (%.0f MB); --percentiles sketch keeps none\n",
                 in.requests->stats().count, outcome_bytes, static_cast<double>(in.requests->stats().count) * outcome_bytes / 1e6);
  const RunResult r = run(in);
  if (r.burn && !thermal_csv.empty()) write_thermal(in, r, thermal_csv);
  const int rc = show(in, r, f);
  if (rc != 0 || !r.stream) return rc;
  if (!timeline.empty()) write_timeline(r.stream->run, timeline);
  if (!thermal_csv.empty()) write_thermal(in, r, thermal_csv);
  return 0;
}

int cmd_predict(const std::vector<std::string>& args) {
  PredictFlags p;
  std::string weights = "bf16", kv = "bf16", graphs = "on", format = "text";
  po::options_description desc("predict options");
  desc.add_options()("model", po::value(&p.model), "model id (dssim list models)")(
      "hf-config", po::value(&p.hf_config), "a Hugging Face config.json instead of --model")("gpu", po::value(&p.gpu)->required(), "GPU id")(
      "count", po::value(&p.count), "GPUs in the node (default: --tp x --pp, or --ep x --pp)")(
      "weights", po::value(&weights), "weight precision")("kv-cache", po::value(&kv), "KV cache precision")(
      "batch", po::value(&p.batch), "sequences")("prompt", po::value(&p.prompt), "prompt tokens")(
      "output", po::value(&p.output), "output tokens")("context", po::value(&p.context), "KV tokens at the reported decode step")(
      "cuda-graphs", po::value(&graphs), "on|off")("runtime", po::value(&p.runtime), "runtime profile (platforms/runtimes)")(
      "tp", po::value(&p.tp), "tensor parallel")(
      "pp", po::value(&p.pp), "pipeline parallel")("ep", po::value(&p.ep), "expert parallel")(
      "format", po::value(&format), "text, json or csv");
  parse_options(args, desc, nullptr, "predict");
  if (p.model.empty() == p.hf_config.empty()) throw Error("dssim predict needs exactly one of --model ID or --hf-config PATH");
  Format f = parse_format(format);
  // The same ranges as the scenario keys (dssim help keys): counts a run can hold in memory and time.
  auto in_range = [](const char* flag, long long v, long long lo, long long hi) {
    if (v < lo || v > hi) throw Error(fmt("%s must be in [%lld, %lld], got %lld", flag, lo, hi, v));
  };
  in_range("--batch", p.batch, 1, 1 << 20);
  in_range("--prompt", p.prompt, 1, kMaxRequestTokens);
  in_range("--output", p.output, 1, kMaxRequestTokens);
  in_range("--tp", p.tp, 1, kMaxPlatformGpus);
  in_range("--pp", p.pp, 1, kMaxPlatformGpus);
  in_range("--ep", p.ep, 1, kMaxPlatformGpus);
  if (p.context != -1) in_range("--context", p.context, 1, kMaxRequestTokens);
  if (p.count != 0) in_range("--count", p.count, 1, kMaxPlatformGpus);
  if (graphs != "on" && graphs != "off") throw Error(fmt("--cuda-graphs '%s': expected on or off", graphs.c_str()));
  p.weights = parse_weight_precision(weights, "--weights");
  p.kv_cache = parse_kv_precision(kv, "--kv-cache");
  p.cuda_graphs = graphs == "on";
  const RunInputs in = resolve_predict(p, Catalog::from_environment());
  return show(in, run(in), f);
}

namespace {

void stats_row(std::ostringstream& o, const std::string& name, const ErrorStats& e) {
  o << fmt("  %-26s %6d  %7.1f %%  %7.1f %%  %7.1f %%  %8.1f %%  %8.1f %%\n", name.c_str(), e.points, e.median * 100,
           e.p90 * 100, e.max * 100, e.cv_median * 100, e.cv_p90 * 100);
}

void stats_json(JsonWriter& j, const std::string& key, const ErrorStats& e) {
  j.begin_object(key).value("points", e.points).value("median_abs_rel_err", e.median).value("p90_abs_rel_err", e.p90);
  j.value("max_abs_rel_err", e.max).value("cv_median_abs_rel_err", e.cv_median).value("cv_p90_abs_rel_err", e.cv_p90);
  j.end_object();
}

std::string calibration_text(const FitResult& r, const GpuCard& g, const std::string& dir) {
  const CalibrationProfile& p = r.profile;
  std::ostringstream o;
  o << fmt("dssim calibrate %s: measurements in %s\n\nFitted profile\n", g.id.c_str(), dir.c_str());
  o << fmt("  kernel fixed cost %.2f us; device copies %.0f GB/s (%.1f %% of %.0f GB/s); reads %.0f GB/s\n",
           p.kernel_fixed_s * 1e6, p.copy_eff * g.memory_bw_Bps / 1e9, p.copy_eff * 100, g.memory_bw_Bps / 1e9,
           p.read_eff * g.memory_bw_Bps / 1e9);
  o << fmt("  PCIe pinned %.1f GB/s per direction, %.1f us latency\n", p.pcie_pinned_Bps / 1e9, p.pcie_latency_s * 1e6);
  if (p.pcie_pageable_Bps > 0) o << fmt("  pageable host to device %.2f GB/s (the host's copy)\n", p.pcie_pageable_Bps / 1e9);
  for (const auto& [dt, f] : p.gemm) {
    const double peak = g.peak(g.compute_precision(precision_of_gemm_dtype(dt)));
    o << fmt("  gemm %-5s fixed %.2f us, compute %.3f (%.0f TFLOP/s), memory %.3f (%.0f GB/s), corner n = %.2f; "
             "%d points, %d host-bound left out (issue floor %.1f us)\n",
             dt.c_str(), f.fixed_s * 1e6, f.eff_compute, f.eff_compute * peak / 1e12, f.eff_memory,
             f.eff_memory * g.memory_bw_Bps / 1e9, f.smooth_n, f.points, r.report.gemm_host_bound.at(dt), f.host_floor_s * 1e6);
    if (r.report.gemm_memory_held.count(dt))
      o << "             memory efficiency held at bf16's: this dtype's own fit reached the datasheet bandwidth\n";
    if (f.has_gemv())
      o << fmt("             M = 1 on its own line (matrix-vector kernel): fixed %.2f us, memory %.3f (%.0f GB/s)\n",
               f.gemv_fixed_s * 1e6, f.gemv_eff_memory, f.gemv_eff_memory * g.memory_bw_Bps / 1e9);
  }
  o << fmt("  attention prefill %.0f TFLOP/s x S/(S + %.0f); decode KV read %.0f GB/s; %d host-bound calls left out\n",
           p.attn_eff_max * g.peak(g.compute_precision(Precision::bf16)) / 1e12, p.attn_s_half,
           p.attn_decode_eff * g.memory_bw_Bps / 1e9, r.report.attention_host_bound);
  const PowerInputs& w = p.power;
  if (w.measured)
    o << fmt("  power: idle %.0f W, limit %.0f W; GEMM burn %.0f W at %.0f MHz, %.0f -> %.0f TFLOP/s; copies %.0f W at %.0f MHz, %.0f GB/s\n",
             w.idle_w, w.power_limit_w, w.gemm_power_w, w.sm_clock_gemm_mhz, w.gemm_rate_peak_tflops,
             w.gemm_rate_steady_tflops, w.copy_power_w, w.sm_clock_copy_mhz, w.copy_rate_GBps);
  if (w.measured)
    o << fmt("  temperature: idle %.1f C, GEMM burn %.1f C, copies %.1f C; time constant %.2f s\n", w.temp_idle_c,
             w.temp_gemm_c, w.temp_copy_c, w.thermal_tau_s);
  o << "\nFit error |predicted - measured| / measured\n";
  o << "                             points   median       p90       max   cv median    cv p90\n";
  for (const auto& [dt, e] : r.report.gemm_by_dtype) stats_row(o, "gemm " + dt, e);
  stats_row(o, "gemm, all dtypes", r.report.gemm);
  stats_row(o, "attention", r.report.attention);
  stats_row(o, "bandwidth", r.report.bandwidth);
  o << "  cv: GEMM leaves one layer shape out, attention one call, bandwidth one transfer size\n";
  return o.str();
}

}  // namespace

int cmd_calibrate(const std::vector<std::string>& args) {
  std::string gpu_id, data, out, format = "text", targets;
  po::options_description desc("calibrate options");
  desc.add_options()("gpu", po::value(&gpu_id)->required(), "GPU card id")(
      "data", po::value(&data)->required(), "folder of microbenchmark CSVs")("out", po::value(&out), "profile TOML to write")(
      "format", po::value(&format), "text or json")("check", po::value(&targets), "TOML of error bounds: exit 1 if exceeded");
  parse_options(args, desc, nullptr, "calibrate");
  if (format != "text" && format != "json") throw Error(fmt("--format '%s': expected text or json", format.c_str()));
  Catalog cat = Catalog::from_environment();
  GpuCard g = cat.gpu(gpu_id);
  if (!std::filesystem::is_directory(data)) throw Error(fmt("--data %s: no such folder", data.c_str()));
  FitResult r = fit_measurements(data, g);
  for (const auto& w : r.report.warnings) std::cerr << "dssim: warning: " << w << "\n";
  if (!out.empty()) check_writable(out, "--out");
  // The profile is written only when the fit passed its bounds: a failed check leaves --out alone.
  auto write_profile = [&] {
    if (out.empty()) return;
    write_file(out, profile_toml(r, std::filesystem::path(data).lexically_normal().string(),
                                 fmt("dssim calibrate --gpu %s --data %s --out FILE", gpu_id.c_str(), data.c_str())));
  };
  if (format == "json") {
    JsonWriter j;
    j.begin_document("calibrate").value("gpu", g.id).value("data", data);
    stats_json(j, "gemm", r.report.gemm);
    j.begin_object("gemm_by_dtype");
    for (const auto& [dt, e] : r.report.gemm_by_dtype) stats_json(j, dt, e);
    j.end_object();
    stats_json(j, "attention", r.report.attention);
    stats_json(j, "bandwidth", r.report.bandwidth);
    j.end_object();
    std::cout << j.str();
  } else {
    std::cout << calibration_text(r, g, data);
  }
  if (targets.empty()) {
    write_profile();
    return 0;
  }
  // --check FILE: [name] median / p90 / cv_median bounds (fractions) per error table row
  auto doc = TomlTable::parse_file(targets);
  TomlTable t(*doc, targets, "");
  std::map<std::string, ErrorStats> rows{{"gemm", r.report.gemm}, {"attention", r.report.attention},
                                         {"bandwidth", r.report.bandwidth}};
  for (const auto& [dt, e] : r.report.gemm_by_dtype) rows["gemm_" + dt] = e;
  int bad = 0;
  for (auto& [name, e] : rows) {
    auto b = t.opt_table(name);
    if (!b) continue;
    for (const auto& [key, value] : {std::pair<std::string, double>{"median", e.median}, {"p90", e.p90}, {"cv_median", e.cv_median}}) {
      auto limit = b->opt_number(key, 0, 10);
      if (limit && !(value <= *limit)) {
        std::cerr << fmt("dssim: check failed: %s %s %.1f %% > %.1f %% (%s)\n", name.c_str(), key.c_str(), value * 100,
                         *limit * 100, b->where(key).c_str());
        ++bad;
      }
    }
    b->finish();
  }
  t.finish();
  if (bad) {
    if (!out.empty()) std::cout << fmt("%s not written: the fit exceeds %d error bound%s of %s\n", out.c_str(), bad,
                                       bad > 1 ? "s" : "", targets.c_str());
    return static_cast<int>(ExitCode::bad_input);
  }
  write_profile();
  std::cout << "all error bounds of " << targets << " hold\n";
  return 0;
}

int cmd_shapes(const std::vector<std::string>& args) {
  std::string model, weights = "bf16";
  int tp = 1;
  po::options_description desc("shapes options");
  desc.add_options()("model", po::value(&model)->required(), "model id")("tp", po::value(&tp), "tensor parallel")(
      "weights", po::value(&weights), "weight precision (decides nothing but the activations)");
  parse_options(args, desc, nullptr, "shapes");
  if (tp < 1) throw Error(fmt("--tp must be at least 1, got %d", tp));
  Catalog cat = Catalog::from_environment();
  ModelCard m = cat.model(model);
  const auto shapes = model_gemm_shapes(m, tp, parse_weight_precision(weights, "--weights"));
  std::cout << "layer,N,K\n";
  for (const auto& s : shapes) std::cout << s.layer << "," << s.n << "," << s.k << "\n";
  return 0;
}

int cmd_list(const std::vector<std::string>& args) {
  if (args.size() != 1) throw Error("usage: dssim list models|gpus|nodes|scenarios");
  Catalog cat = Catalog::from_environment();
  const std::string& what = args[0];
  if (what == "models") {
    for (const auto& id : cat.model_ids()) {
      ModelCard m = cat.model(id);
      std::cout << fmt("%-32s %-14s %s\n", id.c_str(), m.architecture.c_str(), m.name.c_str());
    }
  } else if (what == "gpus") {
    std::vector<GpuCard> cards;
    for (const auto& id : cat.gpu_ids()) cards.push_back(cat.gpu(id));
    for (const GpuCard& g : cards) {
      std::string source = "calibrated";
      if (g.profile_path.empty()) {
        const GpuCard* d = g.efficiency_from.empty() ? nearest_calibrated(g, cards) : nullptr;
        source = "efficiencies of " + (d ? d->id : g.efficiency_from);
      }
      // the 16-bit rate, named for what the tensor cores take (a T4 or V100 has no bf16), and the
      // 8-bit formats the GPU multiplies natively (others run weight-only: model/precision_notes)
      const bool bf16 = g.compute_precision(Precision::bf16) == Precision::bf16;
      std::string eight;
      for (Precision q : {Precision::fp8, Precision::int8})
        if (g.peak_flops.count(q)) eight += (eight.empty() ? "" : "/") + to_string(q);
      std::cout << fmt("%-22s %6.1f GiB %7.0f GB/s %7.1f TFLOP/s %-9s  8-bit: %-9s  %s\n", g.id.c_str(),
                       g.memory_bytes / (1024.0 * 1024 * 1024), g.memory_bw_Bps / 1e9,
                       g.peak(g.compute_precision(Precision::bf16)) / 1e12, bf16 ? "bf16/fp16" : "fp16",
                       eight.empty() ? "none" : eight.c_str(), source.c_str());
    }
  } else if (what == "nodes") {
    for (const auto& id : cat.node_ids()) {
      NodeSpec n = cat.node(id);
      const std::string net = n.has_network() ? fmt("%s %.0f Gb/s %s", n.nics == "per_gpu" ? "per-GPU NICs" : "NIC",
                                                     n.nic_Bps * 8 / 1e9, n.nics == "per_gpu" ? "each" : "per node")
                                              : std::string("no network");
      std::cout << fmt("%-26s %d x %-16s %-8s %-30s %s\n", id.c_str(), n.gpu_count, n.gpu.c_str(), n.interconnect.c_str(),
                       net.c_str(), n.name.c_str());
    }
  } else if (what == "scenarios") {
    for (const auto& p : cat.scenario_paths()) std::cout << p << "\n";
  } else {
    throw Error(fmt("dssim list '%s': expected models, gpus, nodes or scenarios", what.c_str()));
  }
  return 0;
}

}  // namespace dssim

namespace dssim {

// `dssim import-model CONFIG.json`: the card a Hugging Face config.json describes, as models/*.toml.
int cmd_import_model(const std::vector<std::string>& args) {
  std::string path, id, out;
  bool force = false;
  po::options_description desc("import-model options");
  desc.add_options()("config", po::value(&path)->required(), "a Hugging Face config.json")(
      "id", po::value(&id), "the card's id (default: the config's folder name)")("out", po::value(&out), "write the card here")(
      "force", po::bool_switch(&force), "replace --out when it exists");
  po::positional_options_description pos;
  pos.add("config", 1);
  parse_options(args, desc, &pos, "import-model");
  const ModelCard m = model_from_hf_config(path, id);
  const std::string text = model_card_toml(m);
  if (out.empty()) {
    std::cout << text;
    return 0;
  }
  if (!force && std::filesystem::exists(out)) throw Error(fmt("--out %s exists (--force replaces it)", out.c_str()));
  OutputFile f(out);
  f << text;
  f.commit();
  std::cerr << fmt("dssim: wrote %s (%s, %s)\n", out.c_str(), m.id.c_str(), m.architecture.c_str());
  return 0;
}

}  // namespace dssim
