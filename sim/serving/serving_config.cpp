#include "serving/serving_config.hpp"

#include <algorithm>

#include "config/keys.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

using T = Key::Type;
const Key& kPolicy = declare_key({"serving", "policy", T::text, 0, 0, {}, "", "continuous", "the batch policy: static, adaptive, continuous or chunked (dssim help policies)", ""});
const Key& kBlock = declare_key({"serving", "block_size", T::integer, 1, 1 << 20, {}, "tokens", "16", "KV cache block", ""});
const Key& kReplicas = declare_key({"serving", "replicas", T::integer, 1, 1 << 20, {}, "", "1", "whole copies of the model, a router in front", ""});
const Key& kDataParallel = declare_key({"serving", "data_parallel", T::integer, 1, 1 << 20, {}, "", "1", "the same as replicas (SGLang's name)", ""});
const Key& kAllreduce = declare_key({"serving", "allreduce", T::choice, 0, 0, {"ring", "tree", "auto"}, "", "auto", "all-reduce algorithm (auto: the faster closed form, as NCCL's tuner)", ""});
const Key& kRouter = declare_key({"serving", "router", T::text, 0, 0, {}, "", "round_robin", "round_robin, least_outstanding, or prefix_aware (the replica holding the longest cached prefix, unless it is router_balance_slack requests busier than the least loaded)", ""});
const Key& kBalanceSlack = declare_key({"serving", "router_balance_slack", T::integer, 0, 1 << 20, {}, "requests", "32", "how many more outstanding requests than the least loaded replica prefix_aware accepts for a cache hit", "router = prefix_aware"});
const Key& kSloTtft = declare_key({"serving", "slo_ttft_s", T::number, 0, 1e9, {}, "s", "none", "time-to-first-token target for goodput", ""});
const Key& kSloTpot = declare_key({"serving", "slo_tpot_s", T::number, 0, 1e9, {}, "s", "none", "time-per-output-token target for goodput", ""});
const Key& kGraphSizes = declare_key({"serving", "graph_batch_sizes", T::integer_list, 1, 1 << 20, {}, "sequences", "every size", "batch sizes with a captured CUDA graph: a decode step runs the smallest that holds it, padded; above the largest, eager", ""});
const Key& kGraphBucket = declare_key({"serving", "graph_context_bucket", T::integer, 0, 1 << 30, {}, "tokens", "0 (exact)", "captured decode graphs attend to the longest context rounded up to a multiple of this", ""});
const Key& kStepOverhead = declare_key({"serving", "step_overhead_us", T::number, 0, 1e7, {}, "us", "0", "host time per iteration after the GPU finishes: sync, sampling, the serving loop", ""});
const Key& kPrefillOverhead = declare_key({"serving", "prefill_overhead_ms", T::number, 0, 1e6, {}, "ms", "0", "host time per iteration with a prefill beyond its operations (allocator growth, new shapes)", ""});

const Key& kPrefixCache = declare_key({"serving", "prefix_cache", T::boolean, 0, 0, {}, "", "false", "reuse the KV of shared prompt prefixes (vLLM enable_prefix_caching); needs a trace with prefix hashes", "policy = continuous or chunked"});
const Key& kPrefixHost = declare_key({"serving", "prefix_cache_host_gib", T::number, 0, 1 << 24, {}, "GiB", "0", "host-memory tier of the prefix cache, per replica (LMCache, Mooncake store); read back over PCIe", "prefix_cache = true"});
const Key& kPrefixSsd = declare_key({"serving", "prefix_cache_ssd_gib", T::number, 0, 1 << 30, {}, "GiB", "0", "SSD tier of the prefix cache, per replica (DeepSeek's on-disk cache); read from the node's SSDs", "prefix_cache = true"});
const Key& kSsdRead = declare_key({"serving", "ssd_read_GBps", T::number, 0, 1e6, {}, "GB/s", "the node file's", "read bandwidth of the node's SSDs, shared by its replicas", "prefix_cache_ssd_gib > 0"});

const BatchPolicy& default_policy() {
  static const std::unique_ptr<BatchPolicy> p = make_policy("continuous", "the default policy");
  return *p;
}

}  // namespace

const BatchPolicy& ServingConfig::batch_policy() const { return policy ? *policy : default_policy(); }

std::vector<std::string> router_names() { return {"round_robin", "least_outstanding", "prefix_aware"}; }

Router parse_router(const std::string& name, const std::string& where) {
  if (name == "round_robin") return Router::round_robin;
  if (name == "least_outstanding") return Router::least_outstanding;
  if (name == "prefix_aware") return Router::prefix_aware;
  throw Error(unknown_name("router", name, where, router_names()));
}

std::string to_string(Router r) { return router_names()[static_cast<std::size_t>(r)]; }

void read_serving(TomlTable& sv, ServingConfig& c) {
  std::unique_ptr<BatchPolicy> policy = make_policy(sv.opt_string(kPolicy).value_or("continuous"), sv.where(kPolicy.name));
  policy->read_keys(sv);
  c.policy = std::move(policy);
  c.block_size = sv.opt_int(kBlock).value_or(c.block_size);
  c.replicas = static_cast<int>(sv.opt_int(kReplicas).value_or(1));
  if (auto dp = sv.opt_int(kDataParallel)) {
    if (sv.has(kReplicas.name) && *dp != c.replicas)
      throw Error(fmt("%s: data_parallel = %lld and replicas = %d say different things (they are the same setting: "
                      "whole copies of the model); keep one", sv.where(kDataParallel.name).c_str(), *dp, c.replicas));
    c.replicas = static_cast<int>(*dp);
  }
  if (auto a = sv.opt_choice(kAllreduce)) c.allreduce = comm::parse_allreduce(*a, sv.where(kAllreduce.name));
  if (auto r = sv.opt_string(kRouter)) c.router = parse_router(*r, sv.where(kRouter.name));
  c.router_balance_slack = static_cast<int>(sv.opt_int(kBalanceSlack).value_or(c.router_balance_slack));
  if (sv.has(kBalanceSlack.name) && c.router != Router::prefix_aware)
    throw Error(fmt("%s: a setting of router = \"prefix_aware\"", sv.where(kBalanceSlack.name).c_str()));
  if (auto v = sv.opt_number(kSloTtft)) c.slo_ttft_s = *v;
  if (auto v = sv.opt_number(kSloTpot)) c.slo_tpot_s = *v;
  if (auto v = sv.opt_int_list(kGraphSizes)) {
    c.graph_batch_sizes = *v;
    std::sort(c.graph_batch_sizes.begin(), c.graph_batch_sizes.end());
  }
  c.graph_context_bucket = sv.opt_int(kGraphBucket).value_or(0);
  c.step_overhead_s = sv.opt_number(kStepOverhead).value_or(0) * 1e-6;
  c.prefill_overhead_s = sv.opt_number(kPrefillOverhead).value_or(0) * 1e-3;
  c.prefix_cache = sv.opt_bool(kPrefixCache).value_or(false);
  c.prefix_host_bytes = sv.opt_number(kPrefixHost).value_or(0) * 1073741824.0;
  c.prefix_ssd_bytes = sv.opt_number(kPrefixSsd).value_or(0) * 1073741824.0;
  c.ssd_read_Bps = sv.opt_number(kSsdRead).value_or(0) * 1e9;
  if (c.router == Router::prefix_aware && !c.prefix_cache)
    throw Error(fmt("%s: router = \"prefix_aware\" routes by the prefix cache, which is off; set prefix_cache = true",
                    sv.where(kRouter.name).c_str()));
  if (c.prefix_cache && !c.batch_policy().prefix_caching())
    throw Error(fmt("%s: prefix caching needs a policy that admits sequences one by one (continuous or chunked); "
                    "policy = \"%s\" prefills whole batches", sv.where(kPrefixCache.name).c_str(),
                    c.batch_policy().name().c_str()));
  // prefix_cache = false keeps the tiers' settings for an A/B (--set serving.prefix_cache=false);
  // without the switch at all they would be settings of nothing.
  for (const Key* k : {&kPrefixHost, &kPrefixSsd, &kSsdRead})
    if (!sv.has(kPrefixCache.name) && sv.has(k->name))
      throw Error(fmt("%s: a setting of the prefix cache, which is off; set prefix_cache = true",
                      sv.where(k->name).c_str()));
}

}  // namespace dssim
