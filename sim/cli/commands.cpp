#include "cli/commands.hpp"

#include <boost/program_options.hpp>
#include <iostream>

#include "config/catalog.hpp"
#include "config/scenario.hpp"
#include "metrics/serving_metrics.hpp"
#include "report/report.hpp"
#include "report/serving_report.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace po = boost::program_options;

namespace dssim {

void print_usage() {
  std::cout << "dssim " << DSSIM_VERSION << ": which GPUs to buy or rent to serve DeepSeek models\n\n"
            << "Usage:\n"
            << "  dssim SCENARIO.toml [--format text|json|csv] [--set section.key=value]...\n"
            << "  dssim predict --model ID --gpu ID [--count N] [--weights bf16] [--kv-cache bf16] [--batch N]\n"
            << "                [--prompt N] [--output N] [--context N] [--cuda-graphs on|off] [--tp N]\n"
            << "                [--format text|json|csv]\n"
            << "  dssim list models|gpus|nodes|scenarios\n"
            << "  dssim --help | --version\n\n"
            << "Precisions: fp32, bf16, fp16, fp8, int8, int4. Data (models/, platforms/, scenarios/) is read from\n"
            << "$DSSIM_DATA_DIR, else from " << DSSIM_DEFAULT_DATA_DIR << ".\n"
            << "Exit codes: 0 ok, 1 bad input, 2 the model does not fit (the report says what would).\n";
}

namespace {

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description* pos = nullptr) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (pos) parser.positional(*pos);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(std::string(e.what()) + " (see dssim --help)");
  }
  return vm;
}

int finish(const RunReport& report, Format f) {
  for (const auto& w : report.prediction.warnings) std::cerr << "dssim: warning: " << w << "\n";
  std::cout << render(report, f);
  if (!report.prediction.fits) {
    std::cerr << fmt("dssim: %s does not fit: needs %s per GPU, %s has %s%s\n", report.input.model.id.c_str(),
                     human_bytes(report.prediction.memory.total()).c_str(), report.input.gpu.id.c_str(),
                     human_bytes(report.prediction.memory.capacity).c_str(),
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
  ri.gpus = r.input.node.gpu_count;
  ri.throughput_tok_s = r.prediction.throughput_tok_s;
  ri.busy_power_w = serving_power_estimate_w(r.input.gpu);
  ri.idle_power_w = r.input.gpu.idle_w;
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
    case WorkloadSpec::Kind::fixed: src = "fixed batch"; break;
  }
  return fmt("%s: %zu requests over %.1f s (%.2f/s), mean prompt %.0f, mean output %.0f tokens", src.c_str(), reqs.size(),
             span, span > 0 ? static_cast<double>(reqs.size()) / span : 0.0, prompt / n, output / n);
}

int run_serving_scenario(const Scenario& s, const PredictInput& base, const Catalog& cat, Format f,
                         const std::string& requests_csv, const std::string& timeline, bool quiet) {
  ServingReport r;
  r.title = s.name;
  r.description = s.description;
  r.cost = s.cost;
  r.input.base = base;
  r.input.serving = s.serving;
  r.input.workload = s.workload;
  r.input.options.record_iterations = !timeline.empty();
  r.input.options.progress = !quiet;
  std::vector<Request> reqs = load_requests(s.workload);
  r.workload = describe_workload(s.workload, reqs);
  r.prediction = predict_serving(r.input, reqs, cat);
  for (const auto& w : r.prediction.warnings) std::cerr << "dssim: warning: " << w << "\n";
  if (r.prediction.fits && r.cost) {
    const ServingSummary& sum = r.prediction.summary;
    RoiInputs ri;
    ri.cost = *r.cost;
    ri.gpus = base.node.gpu_count;
    // tokens per second while the GPUs are busy: utilization comes from [cost]
    ri.throughput_tok_s = sum.gpu_busy_fraction > 0 ? sum.throughput_tok_s / sum.gpu_busy_fraction : 0;
    ri.busy_power_w = serving_power_estimate_w(base.gpu);
    ri.idle_power_w = base.gpu.idle_w;
    r.roi = compute_roi(ri);
  }
  std::cout << render(r, f);
  if (!r.prediction.fits) {
    std::cerr << fmt("dssim: %s does not fit for serving on %s: %s\n", base.model.id.c_str(), base.gpu.id.c_str(),
                     join(r.prediction.suggestions, "; ").c_str());
    return static_cast<int>(ExitCode::does_not_fit);
  }
  if (!requests_csv.empty()) write_requests_csv(r.prediction.run, requests_csv);
  if (!timeline.empty()) write_timeline(r.prediction.run, timeline);
  return 0;
}

int cmd_run(const std::vector<std::string>& args) {
  std::string path, format = "text", requests_csv, timeline;
  std::vector<std::string> sets;
  bool quiet = false;
  po::options_description desc("scenario options");
  desc.add_options()("scenario", po::value(&path)->required(), "scenario file")(
      "format", po::value(&format), "text, json or csv")("set", po::value(&sets)->composing(), "section.key=value")(
      "requests-csv", po::value(&requests_csv), "per-request CSV (serving runs)")(
      "timeline", po::value(&timeline), "Chrome trace-event JSON (serving runs)")(
      "quiet", po::bool_switch(&quiet), "no progress on stderr");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  parse(args, desc, &pos);
  Format f = parse_format(format);
  Scenario s = load_scenario(path, sets);
  Catalog cat = Catalog::from_environment();

  RunReport r;
  r.title = s.name;
  r.description = s.description;
  PredictInput& in = r.input;
  in.model = cat.model(s.model);
  if (!s.node.empty()) {
    in.node = cat.node(s.node);
    in.gpu = cat.gpu(in.node.gpu);
  } else {
    in.gpu = cat.gpu(s.gpu);
    in.node = implicit_node(in.gpu.id, s.gpu_count, in.gpu.nvlink_Bps_per_direction > 0);
  }
  in.runtime = cat.runtime(s.runtime);
  in.weights = s.weights;
  in.kv_cache = s.kv_cache;
  in.cuda_graphs = s.cuda_graphs;
  in.tensor_parallel = s.tensor_parallel;
  if (s.serving_run()) return run_serving_scenario(s, in, cat, f, requests_csv, timeline, quiet);
  if (!requests_csv.empty() || !timeline.empty())
    throw Error("--requests-csv and --timeline need a request stream: [workload] kind = poisson, gamma or trace");
  in.batch = s.batch;
  in.prompt = s.prompt_tokens;
  in.output = s.output_tokens;
  in.context = s.context.value_or(s.prompt_tokens);
  r.cost = s.cost;
  r.prediction = predict(in, cat);
  r.roi = roi_for(r);
  return finish(r, f);
}

int cmd_predict(const std::vector<std::string>& args) {
  std::string model, gpu, weights = "bf16", kv = "bf16", graphs = "on", format = "text";
  int batch = 1, tp = 1, count = 0;
  long long prompt = 512, output = 128, context = -1;
  po::options_description desc("predict options");
  desc.add_options()("model", po::value(&model)->required(), "model id")("gpu", po::value(&gpu)->required(), "GPU id")(
      "count", po::value(&count), "GPUs in the node (default: --tp)")("weights", po::value(&weights), "weight precision")(
      "kv-cache", po::value(&kv), "KV cache precision")("batch", po::value(&batch), "sequences")(
      "prompt", po::value(&prompt), "prompt tokens")("output", po::value(&output), "output tokens")(
      "context", po::value(&context), "KV tokens at the reported decode step")(
      "cuda-graphs", po::value(&graphs), "on|off")("tp", po::value(&tp), "tensor parallel")(
      "format", po::value(&format), "text, json or csv");
  parse(args, desc);
  Format f = parse_format(format);
  if (batch < 1) throw Error(fmt("--batch must be at least 1, got %d", batch));
  if (prompt < 1) throw Error(fmt("--prompt must be at least 1, got %lld", prompt));
  if (output < 1) throw Error(fmt("--output must be at least 1, got %lld", output));
  if (tp < 1) throw Error(fmt("--tp must be at least 1, got %d", tp));
  if (context != -1 && context < 1) throw Error(fmt("--context must be at least 1, got %lld", context));
  if (count != 0 && count < 1) throw Error(fmt("--count must be at least 1, got %d", count));
  if (graphs != "on" && graphs != "off") throw Error(fmt("--cuda-graphs '%s': expected on or off", graphs.c_str()));
  Catalog cat = Catalog::from_environment();
  RunReport r;
  r.title = "predict " + model + " on " + gpu;
  PredictInput& in = r.input;
  in.model = cat.model(model);
  in.gpu = cat.gpu(gpu);
  in.node = implicit_node(in.gpu.id, count ? count : tp, in.gpu.nvlink_Bps_per_direction > 0);
  in.runtime = cat.runtime(kDefaultRuntime);
  in.weights = parse_precision(weights, "--weights");
  in.kv_cache = parse_precision(kv, "--kv-cache");
  in.batch = batch;
  in.prompt = prompt;
  in.output = output;
  in.context = context == -1 ? prompt : context;
  in.cuda_graphs = graphs == "on";
  in.tensor_parallel = tp;
  r.prediction = predict(in, cat);
  return finish(r, f);
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
    for (const auto& id : cat.gpu_ids()) {
      GpuCard g = cat.gpu(id);
      std::cout << fmt("%-22s %6.1f GiB %7.0f GB/s %7.1f TFLOP/s bf16/fp16  %s\n", id.c_str(), g.memory_bytes / (1024.0 * 1024 * 1024),
                       g.memory_bw_Bps / 1e9, g.peak(g.compute_precision(Precision::bf16)) / 1e12,
                       g.calibration_dir.empty() ? ("efficiencies of " + g.efficiency_from).c_str() : "calibrated");
    }
  } else if (what == "nodes") {
    for (const auto& id : cat.node_ids()) {
      NodeSpec n = cat.node(id);
      std::cout << fmt("%-26s %d x %-16s %s\n", id.c_str(), n.gpu_count, n.gpu.c_str(), n.name.c_str());
    }
  } else if (what == "scenarios") {
    for (const auto& p : cat.scenario_paths()) std::cout << p << "\n";
  } else {
    throw Error(fmt("dssim list '%s': expected models, gpus, nodes or scenarios", what.c_str()));
  }
  return 0;
}

}  // namespace dssim
