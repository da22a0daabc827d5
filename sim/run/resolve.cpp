#include "run/resolve.hpp"

#include <algorithm>
#include <cstdlib>

#include "config/hf_config.hpp"
#include "config/toml_table.hpp"
#include "model/precision_notes.hpp"
#include "model/quant_accuracy.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

// The environment every run carries, with the cooling profile read here.
Environment environment(const Catalog& cat, const GpuCard& gpu, double ambient_c, const std::string& cooling,
                        std::optional<double> power_limit_w, bool power_model) {
  Environment e;
  e.ambient_c = ambient_c;
  e.cooling = load_cooling(cat.cooling_path(cooling.empty() ? gpu.cooling : cooling));
  e.power_limit_w = power_limit_w;
  e.power_model = power_model;
  return e;
}

RunKind kind_of(const Scenario& s) {
  if (s.burn_run()) return RunKind::burn;
  if (s.serving_run()) return RunKind::request_stream;
  return RunKind::fixed_batch;
}

}  // namespace

void read_hardware_data(PredictInput& in, const Catalog& cat) {
  in.profile = load_gpu_profile(in.gpu, cat);
  if (in.env.cooling.id.empty()) in.env.cooling = load_cooling(cat.cooling_path(in.gpu.cooling));
  // the scheme the GPU runs: int8 without int8 tensor cores is weight-only whatever was asked
  in.accuracy_notes = quantization_accuracy_notes(cat.data_dir(), in.weights, in.gpu.weight_only_gemm(in.weights, in.weight_only));
  in.precision_notes = precision_notes(in.gpu, in.weights, in.weight_only);
}

std::shared_ptr<const RequestSource> load_requests(const WorkloadSpec& w) {
  switch (w.kind) {
    case WorkloadSpec::Kind::trace: return trace_source(w.trace_file, w.trace_format, w.trace);
    case WorkloadSpec::Kind::poisson:
    case WorkloadSpec::Kind::gamma: return synthetic_source(w.arrivals, w.prompt, w.output);
    case WorkloadSpec::Kind::fixed:
    case WorkloadSpec::Kind::gemm_burn:
    case WorkloadSpec::Kind::copy_burn: break;
  }
  throw Error("internal: a fixed workload has no request stream", ExitCode::internal);
}

// Hugging Face repo ids compare without case (the hub resolves them so).
static std::string lower(std::string x) {
  std::transform(x.begin(), x.end(), x.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return x;
}

// A model named by its Hugging Face repo (as engines take it) is the card with that hf_repo.
static std::string model_id_of(const std::string& name, const Catalog& cat) {
  if (name.find('/') == std::string::npos) return name;
  for (const std::string& id : cat.model_ids())
    if (lower(cat.model(id).hf_repo) == lower(name)) return id;
  throw Error(fmt("no model card has hf_repo '%s' (dssim list models; add a card, or import its config.json with "
                  "[model] hf_config)", name.c_str()));
}

// What the engine does when its command does not say: vLLM sizes its batch by the GPU's memory
// (vllm/engine/arg_utils.py, get_batch_defaults: 1024 sequences and 8192 tokens on GPUs of 70 GiB or
// more other than the A100, else 256 and 2048), and both engines cache prefixes unless told not to.
static void apply_engine_defaults(const Scenario& s, RunInputs& r) {
  const EngineCommand& e = *s.engine;
  PredictInput& in = r.base;
  if (!e.model.empty() && e.model[0] != '/' && e.model[0] != '.' && e.model.find('/') != std::string::npos) {
    if (!in.model.hf_repo.empty() && lower(in.model.hf_repo) != lower(e.model))
      throw Error(fmt("%s: the [engine] command serves %s, but [model] is %s (%s); make them the same model",
                      s.file.c_str(), e.model.c_str(), in.model.id.c_str(), in.model.hf_repo.c_str()));
  }
  if (e.kind == "vllm" && e.gpu_dependent_batch_defaults) {
    const bool large = in.gpu.memory_bytes >= 70.0 * 1073741824.0 && in.gpu.id.find("a100") == std::string::npos;
    bool seqs = false, tokens = false;
    for (const EngineSetting& st : e.settings) {
      seqs = seqs || st.key == "serving.max_batch";
      tokens = tokens || st.key == "serving.token_budget" || st.key == "serving.max_batched_tokens";
    }
    for (const auto& o : s.overrides) {
      seqs = seqs || o.rfind("serving.max_batch=", 0) == 0;
      tokens = tokens || o.rfind("serving.token_budget=", 0) == 0 || o.rfind("serving.max_batched_tokens=", 0) == 0;
    }
    if (!seqs) r.serving.max_batch = large ? 1024 : 256;
    if (!tokens) {
      const std::string policy = r.serving.batch_policy().name();
      toml::table t;
      t.insert(policy == "chunked" ? "token_budget" : "max_batched_tokens", large ? 8192 : 2048);
      TomlTable sv(t, s.file, "serving");
      std::unique_ptr<BatchPolicy> p = make_policy(policy, s.file);
      p->read_keys(sv);
      r.serving.policy = std::move(p);
    }
  }
  if (e.prefix_cache_by_default && !r.serving.prefix_cache && r.kind == RunKind::request_stream) {
    if (r.requests->stats().hashed > 0) r.serving.prefix_cache = true;
  }
}

// Prefix caching needs requests that say which prefixes they share.
static void check_prefix_hashes(const Scenario& s, RunInputs& r) {
  const std::string where = s.file + ": [serving] prefix_cache";
  if (r.kind != RunKind::request_stream)
    throw Error(where + ": prefix caching applies to request streams ([workload] kind = trace); this scenario runs " +
                (s.workload.kind == WorkloadSpec::Kind::fixed ? "one fixed batch" : "a burn"));
  if (s.workload.kind != WorkloadSpec::Kind::trace)
    throw Error(where + ": synthetic arrivals carry no prefix hashes; use a trace that has them (a mooncake trace's "
                "hash_ids, or a dssim trace with a hash_ids column)");
  if (r.requests->stats().hashed == 0)
    throw Error(fmt("%s: the trace %s has no prefix hashes (%s); prefix caching needs a mooncake trace's hash_ids or "
                    "a dssim trace with a hash_ids column", where.c_str(), s.workload.trace_file.c_str(),
                    s.workload.trace_format == TraceFormat::azure ? "the azure traces have none" : "no hash_ids"));
  r.serving.prefix_block_tokens = s.workload.hash_block_tokens;
}

std::string describe_workload(const WorkloadSpec& w, const RequestStats& reqs) {
  const double span = reqs.last_arrival_s, prompt = reqs.prompt_sum, output = reqs.output_sum;
  const double n = std::max<double>(1, static_cast<double>(reqs.count));
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
  return fmt("%s: %lld requests over %.1f s (%.2f/s), mean prompt %.0f, mean output %.0f tokens", src.c_str(), reqs.count,
             span, span > 0 ? static_cast<double>(reqs.count) / span : 0.0, prompt / n, output / n);
}

ModelCard scenario_model(const Scenario& s, const Catalog& cat) {
  return s.hf_config.empty() ? cat.model(s.model) : model_from_hf_config(s.hf_config);
}

// A platform's node and GPU card as the scenario names them.
static void platform_hardware(const PlatformChoice& c, const Catalog& cat, NodeSpec& node, GpuCard& gpu) {
  if (!c.node.empty()) {
    node = cat.node(c.node);
    node.node_count = c.nodes;
    gpu = cat.gpu(node.gpu);
  } else {
    gpu = cat.gpu(c.gpu);
    node = implicit_node(gpu, c.gpu_count);
  }
}

RunInputs resolve_scenario(const Scenario& s, const Catalog& cat, const RunOptions& opt) {
  RunInputs r;
  r.bands = cat.accuracy_bands();
  r.kind = kind_of(s);
  r.title = s.name;
  r.description = s.description;
  r.overrides = s.overrides;
  r.scenario_file = s.file;
  r.options = opt;
  PredictInput& in = r.base;
  in.model = scenario_model(s, cat);
  in.model.sparse24 = s.sparse24;
  platform_hardware({s.gpu, s.node, s.gpu_count, s.nodes}, cat, in.node, in.gpu);
  NodeSpec decode_node;
  GpuCard decode_gpu;
  if (s.decode_platform) {
    platform_hardware(*s.decode_platform, cat, decode_node, decode_gpu);
    for (const NodeSpec* n : {&in.node, &decode_node})
      if (!n->has_network())
        throw Error(fmt("%s: [decode_platform]: the decode pool receives each sequence's KV from the prefill pool over the "
                        "nodes' networks, and %s has none (an implied node from 'gpu', or a node file without nic_Gbps); "
                        "name node files with a network in [platform] and [decode_platform] (dssim list nodes)",
                        s.file.c_str(), n->id.c_str()));
  }
  const long long all_gpus = static_cast<long long>(in.node.gpu_count) * in.node.node_count +
                             (s.decode_platform ? static_cast<long long>(decode_node.gpu_count) * decode_node.node_count : 0);
  if (all_gpus > kMaxPlatformGpus)
    throw Error(fmt("%s: %d nodes of %d GPUs%s is %lld GPUs; dssim simulates platforms of up to %d", s.file.c_str(),
                    in.node.node_count, in.node.gpu_count,
                    s.decode_platform ? fmt(" and %d of %d", decode_node.node_count, decode_node.gpu_count).c_str() : "",
                    all_gpus, kMaxPlatformGpus));
  in.runtime = cat.runtime(s.runtime);
  in.weights = s.weights;
  in.kv_cache = s.kv_cache;
  in.cuda_graphs = s.cuda_graphs;
  in.weight_only = s.weight_only;
  in.parallel = s.parallel;
  in.allreduce = s.serving.allreduce;
  in.offload_weights = s.offload_weights;
  in.offload_kv = s.offload_kv;
  in.gpu_layers = s.gpu_layers;
  in.pageable_host = s.pageable_host;
  in.cxl_host = s.cxl_host;
  in.host_memory_bytes = s.host_memory_bytes;
  in.batch = s.workload.batch;
  in.prompt = s.workload.prompt_tokens;
  in.output = s.workload.output_tokens;
  in.context = s.workload.context.value_or(s.workload.prompt_tokens);
  in.env = environment(cat, in.gpu, s.ambient_c, s.cooling, s.power_limit_w, s.power_model);
  read_hardware_data(in, cat);
  r.serving = s.serving;
  r.slo = s.slo;
  r.workload = s.workload;
  if (s.cost) {
    if (!s.cost->cloud_gpu.empty()) (void)cat.gpu(s.cost->cloud_gpu);  // a misspelt id is an error, not "no offer"
    PricedCost priced = price_cost(*s.cost, cat.prices(), in.gpu.id, in.node.gpu_count,
                                   in.node.node_count + (s.decode_platform ? decode_node.node_count : 0));
    if (s.decode_platform)
      priced = blend_priced(priced, "prefill, " + in.gpu.id, in.node.total_gpus(),
                            price_cost(*s.cost, cat.prices(), decode_gpu.id, decode_node.gpu_count,
                                       in.node.node_count + decode_node.node_count),
                            "decode, " + decode_gpu.id, decode_node.total_gpus());
    r.cost = priced.inputs;
    r.price_sources = std::move(priced.sources);
    r.price_missing = std::move(priced.missing);
    r.price_excluded = std::move(priced.excluded);
  }
  if (r.kind == RunKind::request_stream) {
    r.requests = load_requests(s.workload);
    r.workload_summary = describe_workload(s.workload, r.requests->stats());
  }
  if (s.gpu_memory_utilization) in.runtime.reserve_fraction = 1.0 - *s.gpu_memory_utilization;
  if (s.decode_platform) {
    PredictInput d = in;
    d.node = decode_node;
    d.gpu = decode_gpu;
    d.env = environment(cat, d.gpu, s.ambient_c, s.cooling, s.decode_power_limit_w, s.power_model);
    read_hardware_data(d, cat);
    r.decode_base = std::move(d);
    r.decode_link_Bps = s.decode_link_Gbps * 1e9 / 8;
    r.decode_link_latency_s = s.decode_link_latency_us * 1e-6;
  }
  if (s.engine) {
    apply_engine_defaults(s, r);
    r.engine = s.engine;
  }
  if (r.serving.prefix_cache) check_prefix_hashes(s, r);
  if (r.serving.speculation.method == Speculation::Method::draft) {
    try {
      r.draft_model = cat.model(model_id_of(r.serving.speculation.draft_model, cat));
    } catch (const Error& e) {
      throw Error(s.file + ": [serving] draft_model: " + e.what(), e.code());
    }
    r.draft_weights = r.serving.speculation.draft_weights.empty()
                          ? in.weights
                          : parse_precision(r.serving.speculation.draft_weights, s.file + ": [serving] draft_weights");
    // Same tokenizer; the embedding tables may be padded differently (Qwen2.5: 151,936 and 152,064 rows).
    const long long dv = r.draft_model->vocab_size, tv = in.model.vocab_size;
    if (std::llabs(dv - tv) * 100 > std::max(dv, tv))
      throw Error(fmt("%s: [serving] draft_model: %s has a vocabulary of %lld tokens, %s of %lld; a draft model must "
                      "share the target's tokenizer", s.file.c_str(), r.draft_model->id.c_str(), r.draft_model->vocab_size,
                      in.model.id.c_str(), in.model.vocab_size));
  }
  if (r.serving.speculation.method == Speculation::Method::mtp && in.model.num_nextn_predict_layers < 1)
    throw Error(fmt("%s: [serving] speculative = \"mtp\": %s has no multi-token-prediction module "
                    "(num_nextn_predict_layers); DeepSeek-V3 and R1 have one. Use speculative = \"draft\" with a "
                    "draft model", s.file.c_str(), in.model.id.c_str()));
  if (r.serving.speculation.on() && r.kind != RunKind::request_stream)
    throw Error(s.file + ": [serving] speculative decoding applies to request streams; this scenario runs a fixed batch or a burn");
  return r;
}

RunInputs resolve_predict(const PredictFlags& f, const Catalog& cat) {
  RunInputs r;
  r.bands = cat.accuracy_bands();
  r.kind = RunKind::fixed_batch;
  r.title = "predict " + (f.hf_config.empty() ? f.model : f.hf_config) + " on " + f.gpu;
  PredictInput& in = r.base;
  in.model = f.hf_config.empty() ? cat.model(f.model) : model_from_hf_config(f.hf_config);
  in.gpu = cat.gpu(f.gpu);
  in.parallel.tp = f.tp;
  in.parallel.pp = f.pp;
  in.parallel.ep = f.ep;
  in.node = implicit_node(in.gpu, f.count ? f.count : in.parallel.gpus());
  in.runtime = cat.runtime(f.runtime);
  in.weights = f.weights;
  in.kv_cache = f.kv_cache;
  in.batch = f.batch;
  in.prompt = f.prompt;
  in.output = f.output;
  in.context = f.context == -1 ? f.prompt : f.context;
  in.cuda_graphs = f.cuda_graphs;
  read_hardware_data(in, cat);  // the default environment, with the GPU card's cooling
  return r;
}

}  // namespace dssim
