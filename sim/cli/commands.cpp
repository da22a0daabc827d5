#include "cli/commands.hpp"
#include "cli/options.hpp"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <iostream>

#include "calibration/fitter.hpp"
#include "calibration/profile_writer.hpp"
#include "profile/profile_reader.hpp"
#include "config/catalog.hpp"
#include "timing/kernel_cost.hpp"
#include "model/operators.hpp"
#include "model/gemm_shapes.hpp"
#include <algorithm>
#include <cmath>
#include <tuple>
#include "scenario/scenario.hpp"
#include "serving/serving_metrics.hpp"
#include "report/report.hpp"
#include "report/serving_report.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;

namespace dssim {

void print_usage() {
  std::cout << "dssim " << DSSIM_VERSION << ": which GPUs to buy or rent to serve DeepSeek models\n\n"
            << "Usage:\n"
            << "  dssim SCENARIO.toml [--format text|json|csv] [--set section.key=value]...\n"
            << "  dssim predict --model ID --gpu ID [--count N] [--weights bf16] [--kv-cache bf16] [--batch N]\n"
            << "                [--prompt N] [--output N] [--context N] [--cuda-graphs on|off] [--tp N] [--pp N] [--ep N]\n"
            << "                [--format text|json|csv]\n"
            << "  dssim list models|gpus|nodes|scenarios\n"
            << "  dssim roi SCENARIO.toml --out DIR [--months N] [--format text|json] [--set section.key=value]...\n"
            << "  dssim sweep SWEEP.toml --out DIR [--jobs N] [--quiet]\n"
            << "  dssim study STUDY.toml --out DIR   (e.g. scenarios/studies/hardware-matrix.toml)\n"
            << "  dssim comm --node ID [--nodes N] [--gpus N] [--op allreduce|allgather|alltoall|p2p] [--algo ring|tree|auto]\n"
            << "             [--bytes 8,1K,1M,1G] [--format text|csv]   (one collective's cost on a platform)\n"
            << "  dssim shapes --model ID [--tp N] [--weights P]   (the model's GEMM shapes, CSV layer,N,K, for dssim-microbench)\n"
            << "  dssim calibrate --gpu ID --data DIR [--out PROFILE.toml] [--format text|json] [--check BOUNDS.toml]\n"
            << "  dssim --help | --version\n\n"
            << "Precisions: fp32, bf16, fp16, fp8, int8, int4. Data (models/, platforms/, scenarios/) is read from\n"
            << "$DSSIM_DATA_DIR, else from " << DSSIM_DEFAULT_DATA_DIR << ".\n"
            << "Exit codes: 0 ok, 1 bad input, 2 the model does not fit (the report says what would).\n";
}

namespace {

int finish(const RunReport& report, Format f) {
  for (const auto& w : report.prediction.warnings) std::cerr << "dssim: warning: " << w << "\n";
  std::cout << render(report, f);
  if (!report.prediction.fits) {
    const MemoryBreakdown& mem = report.prediction.memory;
    const std::string why = mem.fits() ? std::string("its offloaded part needs more host memory than the node has")
                                       : fmt("needs %s per GPU, %s has %s", human_bytes(mem.total()).c_str(),
                                             report.input.gpu.id.c_str(), human_bytes(mem.capacity).c_str());
    std::cerr << fmt("dssim: %s does not fit: %s%s\n", report.input.model.id.c_str(), why.c_str(),
                     report.prediction.suggestions.empty() ? ""
                         : ("; would fit: " + join(report.prediction.suggestions, "; ")).c_str());
    return static_cast<int>(ExitCode::does_not_fit);
  }
  return 0;
}

std::optional<RoiResult> roi_for(const RunReport& r) {
  if (!r.cost || !r.prediction.fits) return std::nullopt;
  RoiInputs ri;
  ri.cost = *r.cost;
  ri.gpus = r.input.node.total_gpus();
  ri.throughput_tok_s = r.prediction.throughput_tok_s;
  ri.busy_power_w = r.prediction.serving_power_w > 0 ? r.prediction.serving_power_w : serving_power_estimate_w(r.input.gpu);
  ri.idle_power_w = r.input.gpu.idle_w;
  ri.host_power_w = r.input.node.host_power_w;
  return compute_roi(ri);
}

}  // namespace

std::string describe_workload(const WorkloadSpec& w, const std::vector<Request>& reqs) {
  double span = reqs.empty() ? 0 : reqs.back().arrival_s;
  double prompt = 0, output = 0;
  for (const Request& q : reqs) {
    prompt += static_cast<double>(q.prompt_tokens);
    output += static_cast<double>(q.output_tokens);
  }
  const double n = std::max<double>(1, static_cast<double>(reqs.size()));
  std::string src;
  switch (w.kind) {
    case WorkloadSpec::Kind::trace: src = fmt("trace %s (%s)", w.trace_file.c_str(), trace_format_name(w.trace_format)); break;
    case WorkloadSpec::Kind::poisson: src = fmt("Poisson arrivals at %g/s, seed %llu", w.arrivals.rate_per_s,
                                                static_cast<unsigned long long>(w.arrivals.seed)); break;
    case WorkloadSpec::Kind::gamma: src = fmt("gamma arrivals at %g/s, cv %g, seed %llu", w.arrivals.rate_per_s,
                                              w.arrivals.cv, static_cast<unsigned long long>(w.arrivals.seed)); break;
    case WorkloadSpec::Kind::fixed:
    case WorkloadSpec::Kind::gemm_burn:
    case WorkloadSpec::Kind::copy_burn: src = "fixed batch"; break;
  }
  return fmt("%s: %zu requests over %.1f s (%.2f/s), mean prompt %.0f, mean output %.0f tokens", src.c_str(), reqs.size(),
             span, span > 0 ? static_cast<double>(reqs.size()) / span : 0.0, prompt / n, output / n);
}

double roi_serving_throughput(const ServingSummary& sum, const ServingConfig& serving, std::string* source) {
  double tok = sum.throughput_tok_s;
  if ((serving.slo_ttft_s || serving.slo_tpot_s) && sum.requests_per_s > 0) {
    tok *= sum.goodput_rps / sum.requests_per_s;
    if (source)
      *source = fmt("serving simulation, tokens of requests meeting the SLO (%.0f %% of requests)",
                    sum.goodput_rps / sum.requests_per_s * 100);
  } else if (source) {
    *source = "serving simulation";
  }
  return sum.gpu_busy_fraction > 0 ? tok / sum.gpu_busy_fraction : 0;
}

int run_serving_scenario(const Scenario& s, const PredictInput& base, const Catalog& cat, Format f,
                         const std::string& requests_csv, const std::string& timeline, bool quiet,
                         const std::string& thermal_csv) {
  ServingReport r;
  r.title = s.name;
  r.description = s.description;
  r.cost = s.cost;
  r.input.base = base;
  r.input.serving = s.serving;
  r.input.workload = s.workload;
  r.input.options.record_iterations = !timeline.empty();
  r.input.options.progress = !quiet;
  r.input.ambient_c = s.ambient_c;
  r.input.cooling = s.cooling;
  r.input.power_limit_w = s.power_limit_w;
  r.input.record_thermal = !thermal_csv.empty();
  std::vector<Request> reqs = load_requests(s.workload);
  r.workload = describe_workload(s.workload, reqs);
  r.prediction = predict_serving(r.input, reqs, cat);
  for (const auto& w : r.prediction.warnings) std::cerr << "dssim: warning: " << w << "\n";
  if (r.prediction.fits && r.cost) {
    const ServingSummary& sum = r.prediction.summary;
    RoiInputs ri;
    ri.cost = *r.cost;
    ri.gpus = base.node.total_gpus();
    // tokens per second while the GPUs are busy: utilization comes from [cost]
    ri.throughput_tok_s = r.roi_throughput_tok_s = roi_serving_throughput(sum, s.serving, &r.roi_throughput_source);
    // the simulated draw while busy when the power model ran, else the estimate
    ri.busy_power_w = sum.has_power ? sum.busy_power_w : serving_power_estimate_w(base.gpu);
    ri.idle_power_w = base.gpu.idle_w;
    ri.host_power_w = base.node.host_power_w;
    r.roi = compute_roi(ri);
  }
  if (r.prediction.fits && r.prediction.summary.shutdown_reached)
    std::cerr << fmt("dssim: warning: a GPU reached its shutdown temperature (%.0f C): a real one would have stopped\n",
                     base.gpu.shutdown_c);
  std::cout << render(r, f);
  if (!r.prediction.fits) {
    std::cerr << fmt("dssim: %s does not fit for serving on %s: %s\n", base.model.id.c_str(), base.gpu.id.c_str(),
                     join(r.prediction.suggestions, "; ").c_str());
    return static_cast<int>(ExitCode::does_not_fit);
  }
  if (!requests_csv.empty()) write_requests_csv(r.prediction.run, requests_csv);
  if (!timeline.empty()) write_timeline(r.prediction.run, timeline);
  if (!thermal_csv.empty()) {
    if (!r.prediction.summary.has_power)
      throw Error(fmt("--thermal-csv: %s has no power model (no load traces in its profile or its donor's)", base.gpu.id.c_str()));
    write_thermal_csv(r.prediction.run, base.parallel.gpus(), thermal_csv);
  }
  return 0;
}

PredictInput scenario_input(const Scenario& s, const Catalog& cat) {
  PredictInput in;
  in.model = cat.model(s.model);
  if (!s.node.empty()) {
    in.node = cat.node(s.node);
    in.node.node_count = s.nodes;
    in.gpu = cat.gpu(in.node.gpu);
  } else {
    in.gpu = cat.gpu(s.gpu);
    in.node = implicit_node(in.gpu, s.gpu_count);
  }
  in.runtime = cat.runtime(s.runtime);
  in.weights = s.weights;
  in.kv_cache = s.kv_cache;
  in.cuda_graphs = s.cuda_graphs;
  in.weight_only = s.weight_only;
  in.parallel = s.parallel;
  in.allreduce = s.serving.allreduce;
  in.offload_weights = s.offload_weights;
  in.offload_kv = s.offload_kv;
  in.host_memory_bytes = s.host_memory_bytes;
  in.batch = s.batch;
  in.prompt = s.prompt_tokens;
  in.output = s.output_tokens;
  in.context = s.context.value_or(s.prompt_tokens);
  return in;
}

int cmd_run(const std::vector<std::string>& args) {
  std::string path, format = "text", requests_csv, timeline, thermal_csv;
  std::vector<std::string> sets;
  bool quiet = false;
  po::options_description desc("scenario options");
  desc.add_options()("scenario", po::value(&path)->required(), "scenario file")(
      "format", po::value(&format), "text, json or csv")("set", po::value(&sets)->composing(), "section.key=value")(
      "requests-csv", po::value(&requests_csv), "per-request CSV (serving runs)")(
      "timeline", po::value(&timeline), "Chrome trace-event JSON (serving runs)")(
      "quiet", po::bool_switch(&quiet), "no progress on stderr")(
      "thermal-csv", po::value(&thermal_csv), "burn runs: t_s,gpu,power_w,temp_c,sm_clock_mhz,throttle_reason");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  parse_options(args, desc, &pos);
  Format f = parse_format(format);
  Scenario s = load_scenario(path, sets);
  Catalog cat = Catalog::from_environment();

  RunReport r;
  r.title = s.name;
  r.description = s.description;
  r.input = scenario_input(s, cat);
  PredictInput& in = r.input;
  if (s.serving_run()) return run_serving_scenario(s, in, cat, f, requests_csv, timeline, quiet, thermal_csv);
  if (s.burn_run()) return run_burn_scenario(s, in, cat, f, thermal_csv);
  if (!thermal_csv.empty()) throw Error("--thermal-csv needs a serving or burn workload ([workload] kind)");
  if (!requests_csv.empty() || !timeline.empty())
    throw Error("--requests-csv and --timeline need a request stream: [workload] kind = poisson, gamma or trace");
  r.cost = s.cost;
  r.prediction = predict(in, cat);
  r.roi = roi_for(r);
  return finish(r, f);
}

int cmd_predict(const std::vector<std::string>& args) {
  std::string model, gpu, weights = "bf16", kv = "bf16", graphs = "on", format = "text";
  int batch = 1, tp = 1, pp = 1, ep = 1, count = 0;
  long long prompt = 512, output = 128, context = -1;
  po::options_description desc("predict options");
  desc.add_options()("model", po::value(&model)->required(), "model id")("gpu", po::value(&gpu)->required(), "GPU id")(
      "count", po::value(&count), "GPUs in the node (default: --tp x --pp, or --ep x --pp)")("weights", po::value(&weights), "weight precision")(
      "kv-cache", po::value(&kv), "KV cache precision")("batch", po::value(&batch), "sequences")(
      "prompt", po::value(&prompt), "prompt tokens")("output", po::value(&output), "output tokens")(
      "context", po::value(&context), "KV tokens at the reported decode step")(
      "cuda-graphs", po::value(&graphs), "on|off")("tp", po::value(&tp), "tensor parallel")(
      "pp", po::value(&pp), "pipeline parallel")("ep", po::value(&ep), "expert parallel")(
      "format", po::value(&format), "text, json or csv");
  parse_options(args, desc);
  Format f = parse_format(format);
  if (batch < 1) throw Error(fmt("--batch must be at least 1, got %d", batch));
  if (prompt < 1) throw Error(fmt("--prompt must be at least 1, got %lld", prompt));
  if (output < 1) throw Error(fmt("--output must be at least 1, got %lld", output));
  if (tp < 1) throw Error(fmt("--tp must be at least 1, got %d", tp));
  if (pp < 1) throw Error(fmt("--pp must be at least 1, got %d", pp));
  if (ep < 1) throw Error(fmt("--ep must be at least 1, got %d", ep));
  if (context != -1 && context < 1) throw Error(fmt("--context must be at least 1, got %lld", context));
  if (count != 0 && count < 1) throw Error(fmt("--count must be at least 1, got %d", count));
  if (graphs != "on" && graphs != "off") throw Error(fmt("--cuda-graphs '%s': expected on or off", graphs.c_str()));
  Catalog cat = Catalog::from_environment();
  RunReport r;
  r.title = "predict " + model + " on " + gpu;
  PredictInput& in = r.input;
  in.model = cat.model(model);
  in.gpu = cat.gpu(gpu);
  in.parallel.tp = tp;
  in.parallel.pp = pp;
  in.parallel.ep = ep;
  in.node = implicit_node(in.gpu, count ? count : in.parallel.gpus());
  in.runtime = cat.runtime(kDefaultRuntime);
  in.weights = parse_weight_precision(weights, "--weights");
  in.kv_cache = parse_kv_precision(kv, "--kv-cache");
  in.batch = batch;
  in.prompt = prompt;
  in.output = output;
  in.context = context == -1 ? prompt : context;
  in.cuda_graphs = graphs == "on";
  r.prediction = predict(in, cat);
  return finish(r, f);
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
  parse_options(args, desc);
  if (format != "text" && format != "json") throw Error(fmt("--format '%s': expected text or json", format.c_str()));
  Catalog cat = Catalog::from_environment();
  GpuCard g = cat.gpu(gpu_id);
  if (!std::filesystem::is_directory(data)) throw Error(fmt("--data %s: no such folder", data.c_str()));
  FitResult r = fit_measurements(data, g);
  for (const auto& w : r.report.warnings) std::cerr << "dssim: warning: " << w << "\n";
  if (!out.empty()) {
    std::ofstream f(out);
    if (!f) throw Error(fmt("--out %s: cannot write", out.c_str()));
    f << profile_toml(r, std::filesystem::path(data).lexically_normal().string(),
                      fmt("dssim calibrate --gpu %s --data %s --out FILE", gpu_id.c_str(), data.c_str()));
  }
  if (format == "json") {
    JsonWriter j;
    j.begin_object().value("gpu", g.id).value("data", data);
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
  if (targets.empty()) return 0;
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
  if (bad) return static_cast<int>(ExitCode::bad_input);
  std::cout << "all error bounds of " << targets << " hold\n";
  return 0;
}

int cmd_shapes(const std::vector<std::string>& args) {
  std::string model, weights = "bf16";
  int tp = 1;
  po::options_description desc("shapes options");
  desc.add_options()("model", po::value(&model)->required(), "model id")("tp", po::value(&tp), "tensor parallel")(
      "weights", po::value(&weights), "weight precision (decides nothing but the activations)");
  parse_options(args, desc);
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
      std::cout << fmt("%-22s %6.1f GiB %7.0f GB/s %7.1f TFLOP/s bf16/fp16  %s\n", g.id.c_str(),
                       g.memory_bytes / (1024.0 * 1024 * 1024), g.memory_bw_Bps / 1e9,
                       g.peak(g.compute_precision(Precision::bf16)) / 1e12, source.c_str());
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
