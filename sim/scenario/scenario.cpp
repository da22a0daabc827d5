#include "scenario/scenario.hpp"

#include "config/toml_table.hpp"

#include <filesystem>
#include <limits>
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {
CostInputs read_cost(TomlTable& c) {
  CostInputs k;
  k.gpu_price_usd = c.get_number("gpu_price_usd", 0, 1e9);
  k.depreciation_months = c.get_number("depreciation_months", 1, 1200);
  k.cloud_usd_per_gpu_hour = c.get_number("cloud_usd_per_gpu_hour", 0, 1e6);
  k.electricity_usd_per_kwh = c.get_number("electricity_usd_per_kwh", 0, 100);
  k.pue = c.get_number("pue", 1.0, 10.0);
  k.utilization = c.get_number("utilization", 0.0, 1.0);
  k.horizon_months = c.get_number("horizon_months", 1, 1200);
  k.ops_usd_per_month = c.opt_number("ops_usd_per_month", 0, 1e9).value_or(0);
  k.refresh_months = c.opt_number("refresh_months", 0, 1200).value_or(0);
  k.residual_fraction = c.opt_number("residual_fraction", 0, 1).value_or(0);
  k.financing_apr = c.opt_number("financing_apr", 0, 1).value_or(0);
  if (k.residual_fraction > 0 && k.refresh_months <= 0)
    throw Error(fmt("%s: residual_fraction needs refresh_months (the month the hardware is sold)", c.where("residual_fraction").c_str()));
  c.finish();
  return k;
}
// `prompt_tokens = 512` or a table: {dist = "uniform", min, max} | {dist = "lognormal", median, sigma,
// min?, max?} | {dist = "empirical", file, format} | {dist = "fixed", value}.
LengthDist read_length(TomlTable& w, const std::string& key, const std::string& base_dir, bool prompt) {
  LengthDist d;
  if (!w.is_table(key)) {
    d.kind = LengthDist::Kind::fixed;
    d.value = w.get_int(key, 1, 1LL << 30);
    return d;
  }
  TomlTable t = w.get_table(key);
  const std::string dist = t.get_choice("dist", {"fixed", "uniform", "lognormal", "empirical"});
  if (dist == "fixed") {
    d.value = t.get_int("value", 1, 1LL << 30);
  } else if (dist == "uniform") {
    d.kind = LengthDist::Kind::uniform;
    d.min = t.get_int("min", 1, 1LL << 30);
    d.max = t.get_int("max", d.min, 1LL << 30);
  } else if (dist == "lognormal") {
    d.kind = LengthDist::Kind::lognormal;
    d.median = t.get_number("median", 1, 1e9);
    d.sigma = t.get_number("sigma", 0, 10);
    d.min = t.opt_int("min", 1, 1LL << 30).value_or(1);
    d.max = t.opt_int("max", d.min, 1LL << 30).value_or(0);
  } else {
    d.kind = LengthDist::Kind::empirical;
    std::string file = t.get_string("file");
    TraceFormat f = parse_trace_format(t.get_string("format"), t.where("format"));
    d.samples = trace_lengths((std::filesystem::path(base_dir) / file).string(), f, prompt);
  }
  t.finish();
  return d;
}

void read_serving(TomlTable& sv, Scenario& s) {
  ServingConfig& c = s.serving;
  c.max_batch = s.max_batch;
  if (auto p = sv.opt_string("policy")) c.policy = parse_policy(*p, sv.where("policy"));
  c.max_batched_tokens = sv.opt_int("max_batched_tokens", 1, 1LL << 30).value_or(c.max_batched_tokens);
  c.token_budget = sv.opt_int("token_budget", 1, 1LL << 30).value_or(c.token_budget);
  c.block_size = sv.opt_int("block_size", 1, 1 << 20).value_or(c.block_size);
  c.replicas = static_cast<int>(sv.opt_int("replicas", 1, 1 << 20).value_or(1));
  if (auto dp = sv.opt_int("data_parallel", 1, 1 << 20)) {
    if (sv.has("replicas") && *dp != c.replicas)
      throw Error(fmt("%s: data_parallel = %lld and replicas = %d say different things (they are the same setting: "
                      "whole copies of the model); keep one", sv.where("data_parallel").c_str(), *dp, c.replicas));
    c.replicas = static_cast<int>(*dp);
  }
  ParallelLayout& l = s.parallel;
  l.tp = static_cast<int>(sv.opt_int("tensor_parallel", 1, 4096).value_or(1));
  l.pp = static_cast<int>(sv.opt_int("pipeline_parallel", 1, 4096).value_or(1));
  l.ep = static_cast<int>(sv.opt_int("expert_parallel", 1, 4096).value_or(1));
  l.microbatches = static_cast<int>(sv.opt_int("microbatches", 1, 4096).value_or(0));
  l.routing_skew = sv.opt_number("routing_skew", 0, 10).value_or(0.0);
  if (auto pl = sv.opt_string("expert_placement")) l.placement = parse_expert_placement(*pl, sv.where("expert_placement"));
  if (sv.has("dispatch_dtype")) l.fp8_dispatch = sv.get_choice("dispatch_dtype", {"bf16", "fp8"}) == "fp8";
  l.two_batch_overlap = sv.opt_bool("two_batch_overlap").value_or(false);
  if (sv.has("allreduce")) c.allreduce = comm::parse_allreduce(sv.get_choice("allreduce", {"ring", "tree", "auto"}), sv.where("allreduce"));
  if (auto r = sv.opt_string("router")) c.router = parse_router(*r, sv.where("router"));
  c.adaptive_high = static_cast<int>(sv.opt_int("adaptive_high", 0, 1 << 20).value_or(c.adaptive_high));
  c.adaptive_mid = static_cast<int>(sv.opt_int("adaptive_mid", 0, c.adaptive_high).value_or(c.adaptive_mid));
  c.adaptive_low = static_cast<int>(sv.opt_int("adaptive_low", 1, 1 << 20).value_or(c.adaptive_low));
  if (auto v = sv.opt_number("slo_ttft_s", 0, 1e9)) c.slo_ttft_s = *v;
  if (auto v = sv.opt_number("slo_tpot_s", 0, 1e9)) c.slo_tpot_s = *v;
}

void read_workload(TomlTable& w, Scenario& s) {
  WorkloadSpec& k = s.workload;
  const std::string kind =
      w.has("kind") ? w.get_choice("kind", {"fixed", "poisson", "gamma", "trace", "gemm-burn", "copy-burn"}) : "fixed";
  const std::string base = std::filesystem::path(s.file).parent_path().string();
  if (kind == "fixed") {
    s.batch = static_cast<int>(w.get_int("batch", 1, 1 << 20));
    s.prompt_tokens = w.get_int("prompt_tokens", 1, 1LL << 30);
    s.output_tokens = w.get_int("output_tokens", 1, 1LL << 30);
    if (auto c = w.opt_int("context", 1, 1LL << 30)) s.context = *c;
    return;
  }
  if (kind == "gemm-burn") {
    k.kind = WorkloadSpec::Kind::gemm_burn;
    k.burn_m = w.get_int("m", 1, 1 << 20);
    k.burn_n = w.get_int("n", 1, 1 << 20);
    k.burn_k = w.get_int("k", 1, 1 << 20);
    k.burn_dtype = w.get_choice("dtype", {"bf16", "fp16", "fp8", "int8", "tf32", "fp32"});
    k.burn_duration_s = w.get_number("duration_s", 0.1, 3600);
    return;
  }
  if (kind == "copy-burn") {
    k.kind = WorkloadSpec::Kind::copy_burn;
    k.burn_bytes = w.get_number("bytes", 1, 1e13);
    k.burn_duration_s = w.get_number("duration_s", 0.1, 3600);
    return;
  }
  if (kind == "trace") {
    k.kind = WorkloadSpec::Kind::trace;
    k.trace_file = (std::filesystem::path(base) / w.get_string("file")).lexically_normal().string();
    k.trace_format = parse_trace_format(w.get_string("format"), w.where("format"));
    k.trace.rate_scale = w.opt_number("rate_scale", 1e-9, 1e9).value_or(1.0);
    k.trace.start_s = w.opt_number("start_s", 0, 1e12).value_or(0.0);
    k.trace.duration_s = w.opt_number("duration_s", 0, 1e12).value_or(-1.0);
    k.trace.max_requests = w.opt_int("max_requests", 1, 1LL << 40).value_or(-1);
    return;
  }
  k.kind = kind == "poisson" ? WorkloadSpec::Kind::poisson : WorkloadSpec::Kind::gamma;
  k.arrivals.kind = kind == "poisson" ? ArrivalSpec::Kind::poisson : ArrivalSpec::Kind::gamma;
  k.arrivals.rate_per_s = w.get_number("rate_per_s", 1e-9, 1e9);
  k.arrivals.requests = w.get_int("requests", 1, 1LL << 40);
  k.arrivals.seed = static_cast<std::uint64_t>(w.opt_int("seed", 0, std::numeric_limits<long long>::max()).value_or(1));
  if (kind == "gamma") k.arrivals.cv = w.get_number("cv", 1e-6, 1e3);
  k.prompt = read_length(w, "prompt_tokens", base, true);
  k.output = read_length(w, "output_tokens", base, false);
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  auto doc = TomlTable::parse_file(path);
  for (const auto& o : overrides) apply_override(*doc, o);
  TomlTable t(*doc, path, "");
  Scenario s;
  s.file = path;
  s.name = t.opt_string("name").value_or(path);
  s.description = t.opt_string("description").value_or("");

  auto m = t.get_table("model");
  s.model = m.get_string("name");
  s.weights = parse_weight_precision(m.get_string("weights"), m.where("weights"));
  s.kv_cache = parse_kv_precision(m.opt_string("kv_cache").value_or("bf16"), m.where("kv_cache"));
  s.weight_only = m.opt_bool("weight_only").value_or(false);
  if (s.weight_only && s.weights != Precision::int8 && s.weights != Precision::fp8 && s.weights != Precision::int4)
    throw Error(fmt("%s: weight_only applies to int8, fp8 or int4 weights, not %s", m.where("weight_only").c_str(),
                    to_string(s.weights).c_str()));
  m.finish();

  auto p = t.get_table("platform");
  auto gpu = p.opt_string("gpu");
  auto node = p.opt_string("node");
  if (gpu.has_value() == node.has_value())
    throw Error(fmt("%s:%d: [platform] needs exactly one of 'gpu' (with 'count') or 'node'", path.c_str(), p.line_of("gpu")));
  if (gpu) {
    s.gpu = *gpu;
    s.gpu_count = static_cast<int>(p.opt_int("count", 1, 4096).value_or(1));
    if (p.has("nodes")) throw Error(fmt("%s: 'nodes' goes with 'node' (a node file with a network); with 'gpu' use 'count'", p.where("nodes").c_str()));
    p.allow({"nodes"});
  } else {
    s.node = *node;
    s.nodes = static_cast<int>(p.opt_int("nodes", 1, 4096).value_or(1));
    if (p.has("count")) throw Error(fmt("%s: 'count' goes with 'gpu'; a node file sets its own GPU count", p.where("count").c_str()));
    p.allow({"count"});
  }
  p.finish();

  auto w = t.get_table("workload");
  read_workload(w, s);
  w.finish();
  if (auto sv = t.opt_table("serving")) {
    s.max_batch = static_cast<int>(sv->opt_int("max_batch", 1, 1 << 20).value_or(s.serving_run() ? s.serving.max_batch : 1 << 20));
    s.cuda_graphs = sv->opt_bool("cuda_graphs").value_or(true);
    s.runtime = sv->opt_string("runtime").value_or(kDefaultRuntime);
    read_serving(*sv, s);
    if (!s.serving_run() && s.batch > s.max_batch)
      throw Error(fmt("%s: batch %d is larger than [serving] max_batch %d", w.where("batch").c_str(), s.batch, s.max_batch));
    sv->finish();
  } else if (s.serving_run()) {
    s.max_batch = s.serving.max_batch;
  }
  if (auto c = t.opt_table("cost")) s.cost = read_cost(*c);
  if (auto mem = t.opt_table("memory")) {
    s.offload_weights = mem->opt_bool("offload_weights").value_or(false);
    s.offload_kv = mem->opt_bool("offload_kv").value_or(false);
    s.host_memory_bytes = mem->opt_number("host_memory_gib", 1, 1e6).value_or(0.0) * 1024.0 * 1024.0 * 1024.0;
    mem->finish();
  }
  if (auto e = t.opt_table("environment")) {
    s.ambient_c = e->opt_number("ambient_c", -40, 70).value_or(25.0);
    s.cooling = e->opt_string("cooling").value_or("");
    if (auto lim = e->opt_number("power_limit_w", 1, 1e5)) s.power_limit_w = *lim;
    if (e->has("power_model")) s.power_model = e->get_choice("power_model", {"on", "off"}) == "on";
    e->finish();
  }
  t.finish();
  return s;
}

}  // namespace dssim
